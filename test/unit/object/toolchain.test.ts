/**
 * Objects and binaries built here by clang-22 (cross-compiled for ELF32/64 LE/BE, Mach-O, COFF),
 * linked by lld, compressed by llvm-objcopy and built by rustc, read by cov and compared with
 * what `llvm-readobj-22 --sections --section-data` shows. Each test skips, saying why, when a tool
 * is missing.
 */
import { execFile } from 'node:child_process';
import {
  closeSync,
  fstatSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test, { type ExecutionContext } from 'ava';
import type { ByteSource } from '../../../src/binary/index.js';
import {
  listSections,
  readCoverageSections,
  type CoverageSections,
  type ObjectReadOptions,
} from '../../../src/object/index.js';

const run = promisify(execFile);
const CLANG = 'clang-22';
const READOBJ = 'llvm-readobj-22';
const OBJCOPY = 'llvm-objcopy-22';
const RUSTC = process.env['RUSTC'] ?? join(process.env['HOME'] ?? '', '.cargo/bin/rustc');

const dir = mkdtempSync(join(tmpdir(), 'cov-object-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const C_SOURCE = `int f(int x) { if (x > 2) return x * 2; return x; }
static inline int g(int y) { return y + 1; }
int main(int argc, char **argv) { (void)argv; return f(argc) + g(argc); }
`;
// Stands in for the profile runtime: defines the symbol instrumented code references and, on
// Windows, the .lprfn$A/$Z markers whose NUL bytes bracket the linked .lprfn (as compiler-rt's
// InstrProfilingPlatformWindows.c does).
const RUNTIME_STUB = `int __llvm_profile_runtime;
#ifdef _WIN32
#pragma section(".lprfn$A", read)
#pragma section(".lprfn$Z", read)
__declspec(allocate(".lprfn$A")) const char NamesStart = '\\0';
__declspec(allocate(".lprfn$Z")) const char NamesEnd = '\\0';
#endif
`;
const RUST_SOURCE = `fn classify(n: usize) -> &'static str { if n > 3 { "many" } else { "few" } }
fn main() { println!("{}", classify(std::env::args().count())); }
`;
writeFileSync(join(dir, 'a.c'), C_SOURCE);
writeFileSync(join(dir, 'rt.c'), RUNTIME_STUB);
writeFileSync(join(dir, 'main.rs'), RUST_SOURCE);

/** Runs a tool in the temp dir; the promise rejects with the tool's stderr. */
async function tool(command: string, args: string[]): Promise<string> {
  const { stdout } = await run(command, args, { cwd: dir, maxBuffer: 64 << 20 });
  return stdout;
}

/** Memoised build steps, so tests that share an input build it once. */
const builds = new Map<string, Promise<string>>();
function once(key: string, build: () => Promise<string>): Promise<string> {
  let p = builds.get(key);
  if (p === undefined) {
    p = build();
    builds.set(key, p);
  }
  return p;
}

const compile = (target: string, extra: string[] = []): Promise<string> =>
  once(`cc ${target} ${extra.join(' ')}`, async () => {
    const out = join(dir, `a-${target}${extra.join('').replace(/[^a-z0-9]/gi, '')}.o`);
    await tool(CLANG, [
      `--target=${target}`,
      '-fprofile-instr-generate',
      '-fcoverage-mapping',
      '-O0',
      ...extra,
      '-c',
      'a.c',
      '-o',
      out,
    ]);
    return out;
  });

/** A {@link ByteSource} over a file via `fs.readSync`, counting the bytes it reads. */
function fileSource(path: string): ByteSource & { bytesRead: number; close(): void } {
  const fd = openSync(path, 'r');
  const size = fstatSync(fd).size;
  const source = {
    name: path,
    sizeBytes: size,
    bytesRead: 0,
    read(byteOffset: number, length: number): Uint8Array {
      const out = new Uint8Array(length);
      const got = readSync(fd, out, 0, length, byteOffset);
      if (got !== length) throw new Error(`short read at ${byteOffset}`);
      source.bytesRead += length;
      return out;
    },
    close: () => closeSync(fd),
  };
  return source;
}

function readFile(path: string, options: ObjectReadOptions = {}): CoverageSections {
  const source = fileSource(path);
  try {
    return readCoverageSections(source, options);
  } finally {
    source.close();
  }
}

/** One section as llvm-readobj shows it. */
interface OracleSection {
  readonly name: string;
  readonly segment?: string;
  readonly size: number;
  readonly bytes: Uint8Array;
}

/** Parses `llvm-readobj --sections --section-data` (LLVM style, any object format). */
async function oracleSections(path: string): Promise<OracleSection[]> {
  const text = await tool(READOBJ, ['--sections', '--section-data', path]);
  return text
    .split(/^ {2}Section \{$/m)
    .slice(1)
    .map((block) => {
      const name = /^ {4}Name: (\S*)/m.exec(block)?.[1] ?? '';
      const segment = /^ {4}Segment: (\S+)/m.exec(block)?.[1];
      const size = /^ {4}(?:Size|RawDataSize): (0x[0-9A-F]+|\d+)/m.exec(block)?.[1] ?? '0';
      const hex: string[] = [];
      for (const line of block.matchAll(/^ {6}[0-9A-F]+: ([0-9A-F ]+?) *\|/gm)) {
        hex.push(line[1]!.replace(/ /g, ''));
      }
      const joined = hex.join('');
      const bytes = Uint8Array.from({ length: joined.length / 2 }, (_, i) =>
        parseInt(joined.slice(2 * i, 2 * i + 2), 16),
      );
      const base = { name, size: Number(size), bytes };
      return segment === undefined ? base : { ...base, segment };
    });
}

const pad8 = (pieces: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(pieces.reduce((n, p) => n + Math.ceil(p.length / 8) * 8, 0));
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += Math.ceil(p.length / 8) * 8;
  }
  return out;
};

/** What cov should return, derived from llvm-readobj's view of the same file. */
function expectedFromOracle(
  sections: readonly OracleSection[],
  names: { covmap: string; covfun: string; prfNames: string },
  peImage: boolean,
) {
  const stem = (n: string) => n.split('$')[0];
  const pick = (wanted: string) => sections.filter((s) => stem(s.name) === wanted);
  const covfun = pick(names.covfun);
  const prf = pick(names.prfNames)[0]?.bytes;
  return {
    covmap: pick(names.covmap)[0]?.bytes,
    covfun: covfun.length === 1 ? covfun[0]!.bytes : pad8(covfun.map((s) => s.bytes)),
    covfunPieces: covfun.length,
    prfNames: peImage && prf?.[0] === 0 ? prf.subarray(1) : prf,
  };
}

const ELF_NAMES = {
  covmap: '__llvm_covmap',
  covfun: '__llvm_covfun',
  prfNames: '__llvm_prf_names',
};
const COFF_NAMES = { covmap: '.lcovmap', covfun: '.lcovfun', prfNames: '.lprfn' };

/** Runs `body`, turning a missing tool (ENOENT) or failed toolchain step into a logged skip. */
async function withTools(t: ExecutionContext, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    const e = error as { code?: unknown; stderr?: unknown; cmd?: unknown };
    if (e.code === 'ENOENT' || (typeof e.cmd === 'string' && e.stderr !== undefined)) {
      const why = e.code === 'ENOENT' ? 'tool not installed' : 'toolchain step failed';
      t.log(`skipped: ${why}: ${String(e.cmd ?? error)} ${String(e.stderr ?? '')}`);
      t.pass();
      return;
    }
    throw error;
  }
}

interface TargetCase {
  readonly target: string;
  readonly format: 'elf' | 'macho' | 'coff';
  readonly littleEndian: boolean;
  readonly pointerBytes: 4 | 8;
  /** covfun sections in the object: one per function (COMDAT) on ELF and COFF, one on Mach-O. */
  readonly pieces: number;
}

const TARGETS: readonly TargetCase[] = [
  { target: 'x86_64-linux-gnu', format: 'elf', littleEndian: true, pointerBytes: 8, pieces: 3 },
  { target: 'i386-linux-gnu', format: 'elf', littleEndian: true, pointerBytes: 4, pieces: 3 },
  { target: 'powerpc64-linux-gnu', format: 'elf', littleEndian: false, pointerBytes: 8, pieces: 3 },
  { target: 'powerpc-linux-gnu', format: 'elf', littleEndian: false, pointerBytes: 4, pieces: 3 },
  {
    target: 'x86_64-apple-macos11',
    format: 'macho',
    littleEndian: true,
    pointerBytes: 8,
    pieces: 1,
  },
  {
    target: 'aarch64-apple-macos11',
    format: 'macho',
    littleEndian: true,
    pointerBytes: 8,
    pieces: 1,
  },
  {
    target: 'i386-apple-macos10.13',
    format: 'macho',
    littleEndian: true,
    pointerBytes: 4,
    pieces: 1,
  },
  {
    target: 'x86_64-pc-windows-msvc',
    format: 'coff',
    littleEndian: true,
    pointerBytes: 8,
    pieces: 3,
  },
  {
    target: 'i686-pc-windows-msvc',
    format: 'coff',
    littleEndian: true,
    pointerBytes: 4,
    pieces: 3,
  },
  {
    target: 'aarch64-pc-windows-msvc',
    format: 'coff',
    littleEndian: true,
    pointerBytes: 8,
    pieces: 3,
  },
];

const objectMatchesReadobj = test.macro({
  async exec(t, c: TargetCase) {
    await withTools(t, async () => {
      const path = await compile(c.target);
      const got = readFile(path);
      t.like(got, { format: c.format, littleEndian: c.littleEndian, pointerBytes: c.pointerBytes });
      const expected = expectedFromOracle(
        await oracleSections(path),
        c.format === 'coff' ? COFF_NAMES : ELF_NAMES,
        false,
      );
      t.is(expected.covfunPieces, c.pieces);
      t.deepEqual(got.covmap?.bytes, expected.covmap);
      t.deepEqual(got.covfun?.bytes, expected.covfun);
      t.is(got.covfun?.pieces, c.pieces > 1 ? c.pieces : undefined);
      t.deepEqual(got.prfNames?.bytes, expected.prfNames);
      t.true(listSections(fileSource(path)).relocatable);
    });
  },
  title: (_, c: TargetCase) => `clang-22 --target=${c.target} -c: sections match llvm-readobj`,
});
for (const c of TARGETS) test(objectMatchesReadobj, c);

const compressedMatches = test.macro({
  async exec(t, target: string, kind: 'zlib' | 'zstd') {
    await withTools(t, async () => {
      const plain = await compile(target, ['-g']);
      const packed = join(dir, `${target}-${kind}.o`);
      await tool(OBJCOPY, [
        `--compress-sections=__llvm_cov*=${kind}`,
        `--compress-debug-sections=${kind}`,
        plain,
        packed,
      ]);
      const table = listSections(fileSource(packed));
      const compressed = table.sections.filter((s) => (s.flags & 0x800) !== 0).map((s) => s.name);
      t.true(compressed.includes('__llvm_covmap'));
      t.true(compressed.includes('.debug_info'));
      const got = readFile(packed);
      const want = readFile(plain);
      t.is(got.covmap?.compression, kind);
      t.is(got.covfun?.compression, kind);
      t.deepEqual(got.covmap?.bytes, want.covmap?.bytes);
      t.deepEqual(got.covfun?.bytes, want.covfun?.bytes);
      t.is(got.covfun?.pieces, 3);
      const expected = expectedFromOracle(await oracleSections(plain), ELF_NAMES, false);
      t.deepEqual(got.covfun?.bytes, expected.covfun);
    });
  },
  title: (_, target: string, kind: string) =>
    `llvm-objcopy --compress-sections=__llvm_cov*=${kind} on ${target}: same bytes as uncompressed`,
});
test(compressedMatches, 'x86_64-linux-gnu', 'zlib');
test(compressedMatches, 'i386-linux-gnu', 'zstd');
test(compressedMatches, 'powerpc64-linux-gnu', 'zlib');
test(compressedMatches, 'powerpc-linux-gnu', 'zstd');

test('linked ELF (clang-22 + profile runtime) matches llvm-readobj and its build-id', async (t) => {
  await withTools(t, async () => {
    const exe = await once('elf-exe', async () => {
      await tool(CLANG, [
        '-fprofile-instr-generate',
        '-fcoverage-mapping',
        '-Wl,--build-id=sha1',
        'a.c',
        '-o',
        'a.elf',
      ]);
      return join(dir, 'a.elf');
    });
    const got = readFile(exe);
    const expected = expectedFromOracle(await oracleSections(exe), ELF_NAMES, false);
    t.deepEqual(got.covmap?.bytes, expected.covmap);
    t.deepEqual(got.covfun?.bytes, expected.covfun);
    t.is(got.covfun?.pieces, undefined);
    t.deepEqual(got.prfNames?.bytes, expected.prfNames);
    const notes = await tool(READOBJ, ['--notes', exe]);
    const buildId = /Build ID: ([0-9a-f]+)/.exec(notes)?.[1];
    t.truthy(buildId, 'llvm-readobj shows a build id');
    t.is(Buffer.from(got.buildId ?? []).toString('hex'), buildId ?? '');
  });
});

test('linked PE (lld-link): .lprfn without its leading NUL, .lcovfun as one section', async (t) => {
  await withTools(t, async () => {
    const obj = await compile('x86_64-pc-windows-msvc');
    await tool(CLANG, ['--target=x86_64-pc-windows-msvc', '-c', 'rt.c', '-o', 'rt-win.o']);
    await tool('lld-link-22', [
      '/out:a.exe',
      '/entry:main',
      '/subsystem:console',
      '/nodefaultlib',
      obj,
      'rt-win.o',
    ]);
    const exe = join(dir, 'a.exe');
    const oracle = await oracleSections(exe);
    const lprfn = oracle.find((s) => s.name === '.lprfn')!;
    t.is(lprfn.bytes[0], 0, 'the $A marker NUL leads the linked .lprfn');
    const got = readFile(exe);
    const expected = expectedFromOracle(oracle, COFF_NAMES, true);
    t.is(got.prfNames?.bytes.length, lprfn.bytes.length - 1);
    t.deepEqual(got.prfNames?.bytes, expected.prfNames);
    t.deepEqual(got.covmap?.bytes, expected.covmap);
    t.deepEqual(got.covfun?.bytes, expected.covfun);
    t.is(got.covfun?.pieces, undefined);
    t.false(listSections(fileSource(exe)).relocatable);
  });
});

test('linked Mach-O (ld64.lld): sections match llvm-readobj, LC_UUID is the build id', async (t) => {
  await withTools(t, async () => {
    const obj = await compile('x86_64-apple-macos11');
    await tool(CLANG, ['--target=x86_64-apple-macos11', '-c', 'rt.c', '-o', 'rt-mac.o']);
    await tool('ld64.lld-22', [
      '-arch',
      'x86_64',
      '-platform_version',
      'macos',
      '11.0',
      '11.0',
      '-undefined',
      'dynamic_lookup',
      '-e',
      '_main',
      '-o',
      'a.macho',
      obj,
      'rt-mac.o',
    ]);
    const exe = join(dir, 'a.macho');
    const got = readFile(exe);
    const expected = expectedFromOracle(await oracleSections(exe), ELF_NAMES, false);
    t.is(got.covmap?.name, '__LLVM_COV,__llvm_covmap');
    t.is(got.prfNames?.name, '__DATA,__llvm_prf_names');
    t.deepEqual(got.covmap?.bytes, expected.covmap);
    t.deepEqual(got.covfun?.bytes, expected.covfun);
    t.deepEqual(got.prfNames?.bytes, expected.prfNames);
    const uuid = /UUID: ([0-9A-F-]+)/.exec(await tool('llvm-dwarfdump-22', ['--uuid', exe]))?.[1];
    t.truthy(uuid, 'llvm-dwarfdump shows an LC_UUID');
    const hex = Buffer.from(got.buildId ?? []).toString('hex');
    t.is(hex.toUpperCase(), uuid?.replace(/-/g, '') ?? '');
  });
});

test('universal Mach-O (llvm-lipo): default slice is x86_64/arm64, -arch selects', async (t) => {
  await withTools(t, async () => {
    const i386 = await compile('i386-apple-macos10.13');
    const x86 = await compile('x86_64-apple-macos11');
    const arm = await compile('aarch64-apple-macos11');
    await tool('llvm-lipo-22', ['-create', i386, arm, x86, '-output', 'fat.o']);
    const fat = join(dir, 'fat.o');
    const slices = /Architectures in the fat file: \S+ are: (.*)/.exec(
      await tool('llvm-lipo-22', ['-info', fat]),
    )?.[1];
    const firstPreferred = slices?.split(/\s+/).find((a) => a === 'x86_64' || a === 'arm64');
    const got = readFile(fat);
    t.is(got.arch, firstPreferred);
    for (const [arch, thin] of [
      ['i386', i386],
      ['x86_64', x86],
      ['arm64', arm],
    ] as const) {
      const slice = readFile(fat, { arch });
      const alone = readFile(thin);
      t.is(slice.arch, arch);
      t.is(slice.pointerBytes, alone.pointerBytes);
      t.deepEqual(slice.covmap?.bytes, alone.covmap?.bytes);
      t.deepEqual(slice.covfun?.bytes, alone.covfun?.bytes);
      t.deepEqual(slice.prfNames?.bytes, alone.prfNames?.bytes);
      t.true(
        slice.covmap!.fileOffset > alone.covmap!.fileOffset,
        'offsets include the slice start',
      );
    }
  });
});

test('rustc -C instrument-coverage binary: sizes match llvm-readobj, reads a fraction of the file', async (t) => {
  await withTools(t, async () => {
    await tool(RUSTC, [
      '-C',
      'instrument-coverage',
      '-C',
      'codegen-units=1',
      'main.rs',
      '-o',
      'rmain',
    ]);
    const exe = join(dir, 'rmain');
    const oracle = await oracleSections(exe);
    const size = (name: string) => oracle.find((s) => s.name === name)?.size;
    const source = fileSource(exe);
    const got = readCoverageSections(source);
    source.close();
    t.is(got.covmap?.bytes.length, size('__llvm_covmap'));
    t.is(got.covfun?.bytes.length, size('__llvm_covfun'));
    t.is(got.prfNames?.bytes.length, size('__llvm_prf_names'));
    const expected = expectedFromOracle(oracle, ELF_NAMES, false);
    t.deepEqual(got.covmap?.bytes, expected.covmap);
    t.deepEqual(got.covfun?.bytes, expected.covfun);
    t.deepEqual(got.prfNames?.bytes, expected.prfNames);
    t.is(got.buildId?.length, 20);
    const sectionBytes =
      (size('__llvm_covmap') ?? 0) + (size('__llvm_covfun') ?? 0) + (size('__llvm_prf_names') ?? 0);
    t.log(`read ${source.bytesRead} of ${source.sizeBytes} bytes`);
    t.true(source.bytesRead < sectionBytes + 16 * 1024);

    // The same binary with covmap/covfun zstd-compressed by llvm-objcopy.
    await tool(OBJCOPY, ['--compress-sections=__llvm_cov*=zstd', exe, 'rmain.z']);
    const packed = readFile(join(dir, 'rmain.z'));
    t.is(packed.covfun?.compression, 'zstd');
    t.deepEqual(packed.covfun?.bytes, got.covfun?.bytes);
    t.deepEqual(packed.covmap?.bytes, got.covmap?.bytes);
  });
});
