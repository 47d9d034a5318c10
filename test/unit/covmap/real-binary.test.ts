/**
 * Decodes the coverage sections of freshly built binaries and compares every function's region
 * geometry with `llvm-cov-22 export` (the oracle, CONVENTIONS.md). Skips, with the reason logged,
 * when a tool is missing.
 */
import test, { type ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  RegionKind,
  decodeMapping,
  readCoverageMapping,
  type CoverageMappingData,
} from '../../../src/covmap/index.js';
import { regionViews } from './bytes.js';

const RUSTC = join(homedir(), '.cargo', 'bin', 'rustc');
const LLVM_TOOLS = ['llvm-objcopy-22', 'llvm-profdata-22', 'llvm-cov-22'];

const RUST_SOURCE = `
macro_rules! double {
    ($e:expr) => {
        if $e > 10 { $e * 2 } else { $e + 1 }
    };
}

fn classify(n: u32) -> &'static str {
    if n % 2 == 0 {
        "even"
    } else {
        "odd"
    }
}

fn describe(n: i32) -> i32 {
    match n {
        0 => 100,
        1 | 2 => 200,
        x if x < 0 => -1,
        _ => double!(n),
    }
}

fn total<T: Copy + Into<u64>>(items: &[T]) -> u64 {
    let mut sum = 0u64;
    for &i in items {
        sum += i.into();
    }
    sum
}

#[allow(dead_code)]
fn unused(x: u32) -> u32 {
    if x > 3 { x * 7 } else { 0 }
}

#[allow(dead_code)]
fn never<T: Default>() -> T {
    T::default()
}

fn main() {
    for n in 0..5 {
        println!("{} {}", classify(n), describe(n as i32 - 1));
    }
    println!("{}", describe(42));
    println!("{} {}", total(&[1u8, 2, 3]), total(&[7u32]));
}
`;

// Macros, #if 0, a static inline never used, MC/DC: expansion, skipped, gap, branch and MC/DC regions.
const C_SOURCE = `
#include <stdio.h>
#define MAX(a, b) ((a) > (b) ? (a) : (b))
static inline int unused_inline(int x) { return x * 2; }
int check(int a, int b, int c) {
  if ((a && b) || c)
    return 1;
  return 0;
}
int main(int argc, char **argv) {
#if 0
  never();
#endif
  int m = MAX(argc, 3);
  for (int i = 0; i < m; i++) {
    if (i == 2) continue;
    printf("%d\\n", check(i & 1, i & 2, argc > 5));
  }
  return 0;
}
`;

function missingTool(commands: string[][]): string | undefined {
  for (const command of commands) {
    try {
      execFileSync(command[0]!, command.slice(1), { stdio: 'ignore' });
    } catch {
      return `${command.join(' ')} is not available`;
    }
  }
  return undefined;
}

interface JsonFunction {
  name: string;
  filenames: string[];
  regions: number[][];
  branches: number[][];
}

/** Runs the instrumented binary, exports with llvm-cov and decodes the sections with cov. */
function exportAndDecode(
  dir: string,
  binary: string,
): { json: JsonFunction[]; data: CoverageMappingData } {
  execFileSync(binary, [], {
    cwd: dir,
    stdio: 'ignore',
    env: { ...process.env, LLVM_PROFILE_FILE: join(dir, 'p.profraw') },
  });
  execFileSync('llvm-profdata-22', [
    'merge',
    '-sparse',
    join(dir, 'p.profraw'),
    '-o',
    join(dir, 'p.profdata'),
  ]);
  const exported = execFileSync(
    'llvm-cov-22',
    ['export', '-format=text', binary, `-instr-profile=${join(dir, 'p.profdata')}`],
    {
      maxBuffer: 64 << 20,
    },
  );
  const json = (JSON.parse(exported.toString('utf8')) as { data: { functions: JsonFunction[] }[] })
    .data[0]!.functions;
  execFileSync('llvm-objcopy-22', [
    '--dump-section',
    `__llvm_covmap=${join(dir, 'covmap.bin')}`,
    '--dump-section',
    `__llvm_covfun=${join(dir, 'covfun.bin')}`,
    '--dump-section',
    `__llvm_prf_names=${join(dir, 'names.bin')}`,
    binary,
    join(dir, 'stripped.out'),
  ]);
  const data = readCoverageMapping(
    {
      covmap: readFileSync(join(dir, 'covmap.bin')),
      covfun: readFileSync(join(dir, 'covfun.bin')),
      prfNames: readFileSync(join(dir, 'names.bin')),
    },
    binary,
    { littleEndian: true, pointerBytes: 8 },
  );
  return { json, data };
}

/** Every llvm-cov function must be a selected record with the same filenames and region geometry. */
function compareWithLlvmCov(
  t: ExecutionContext,
  json: JsonFunction[],
  data: CoverageMappingData,
): void {
  t.deepEqual(data.warnings, []);
  const byName = new Map<
    string,
    { filenames: string[]; regions: number[][]; branches: number[][] }
  >();
  for (const record of data.records) {
    const name = data.names?.get(record.nameRef);
    if (name === undefined) t.fail(`record 0x${record.nameRef.toString(16)} has no name`);
    const mapping = decodeMapping(
      record.mappingBytes,
      'covfun',
      record.mappingByteOffset ?? 0,
      data.version,
    );
    const table = data.filenameTables.get(record.filenamesRef)!;
    const regions: number[][] = [];
    const branches: number[][] = [];
    for (const r of regionViews(mapping)) {
      const row = [
        r.lineStart,
        r.columnStart,
        r.lineEnd,
        r.columnEnd,
        r.fileId,
        r.expandedFileId,
        r.kind,
      ];
      if (r.kind === RegionKind.Branch || r.kind === RegionKind.MCDCBranch) {
        // Function-level JSON branches omit regions folded on both sides (spec §5.7).
        if (r.counter !== 0 || r.falseCounter !== 0) branches.push(row);
      } else if (r.kind !== RegionKind.MCDCDecision) {
        regions.push(row);
      }
    }
    byName.set(name!, {
      filenames: Array.from(mapping.fileIdToFilenameIndex, (i) => table[i]!),
      regions,
      branches,
    });
  }
  t.true(json.length > 0);
  for (const fn of json) {
    const ours = byName.get(fn.name);
    if (ours === undefined) {
      t.fail(`llvm-cov function ${fn.name} not among the decoded records`);
      continue;
    }
    t.deepEqual(ours.filenames, fn.filenames, fn.name);
    // JSON region: [ls, cs, le, ce, count, fileId, expandedFileId, kind]
    t.deepEqual(
      ours.regions,
      fn.regions.map(([ls, cs, le, ce, , f, e, k]) => [ls!, cs!, le!, ce!, f!, e!, k!]),
      fn.name,
    );
    // JSON branch: [ls, cs, le, ce, trueCount, falseCount, fileId, expandedFileId, kind]
    t.deepEqual(
      ours.branches,
      fn.branches.map(([ls, cs, le, ce, , , f, e, k]) => [ls!, cs!, le!, ce!, f!, e!, k!]),
      fn.name,
    );
  }
}

function inTempDir(run: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'cov-covmap-'));
  try {
    run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('rustc -C instrument-coverage: every llvm-cov function has our region geometry', (t) => {
  const missing = missingTool([
    [RUSTC, '--version'],
    ...LLVM_TOOLS.map((tool) => [tool, '--version']),
  ]);
  if (missing !== undefined) {
    t.log(`skipped: ${missing}`);
    t.pass();
    return;
  }
  inTempDir((dir) => {
    writeFileSync(join(dir, 'main.rs'), RUST_SOURCE);
    execFileSync(
      RUSTC,
      ['-C', 'instrument-coverage', '-o', join(dir, 'main'), join(dir, 'main.rs')],
      { cwd: dir },
    );
    const { json, data } = exportAndDecode(dir, join(dir, 'main'));
    t.is(data.version, 6);
    compareWithLlvmCov(t, json, data);
    // Both `total` instances, `unused` and the placeholder instance of `never` are records.
    t.is(json.length, 7);
    t.is(data.records.length, 7);
  });
});

test('rustc nightly -Zcoverage-options=branch: branch regions match llvm-cov', (t) => {
  const missing = missingTool([
    [RUSTC, '+nightly', '--version'],
    ...LLVM_TOOLS.map((tool) => [tool, '--version']),
  ]);
  if (missing !== undefined) {
    t.log(`skipped: ${missing}`);
    t.pass();
    return;
  }
  inTempDir((dir) => {
    writeFileSync(join(dir, 'main.rs'), RUST_SOURCE);
    execFileSync(
      RUSTC,
      [
        '+nightly',
        '-C',
        'instrument-coverage',
        '-Zcoverage-options=branch',
        '-o',
        join(dir, 'main'),
        join(dir, 'main.rs'),
      ],
      { cwd: dir },
    );
    const { json, data } = exportAndDecode(dir, join(dir, 'main'));
    compareWithLlvmCov(t, json, data);
    t.true(json.some((fn) => fn.branches.length > 0));
  });
});

test('clang-22 with MC/DC: expansion, skipped, gap, branch and MC/DC regions match llvm-cov', (t) => {
  const missing = missingTool([
    ['clang-22', '--version'],
    ...LLVM_TOOLS.map((tool) => [tool, '--version']),
  ]);
  if (missing !== undefined) {
    t.log(`skipped: ${missing}`);
    t.pass();
    return;
  }
  inTempDir((dir) => {
    writeFileSync(join(dir, 'm.c'), C_SOURCE);
    // A relative source path: clang stores `m.c` relative to the compilation directory (entry 0).
    execFileSync(
      'clang-22',
      ['-fprofile-instr-generate', '-fcoverage-mapping', '-fcoverage-mcdc', '-o', 'mc', 'm.c'],
      {
        cwd: dir,
      },
    );
    const { json, data } = exportAndDecode(dir, join(dir, 'mc'));
    compareWithLlvmCov(t, json, data);
    const kinds = new Set<number>();
    for (const record of data.records) {
      for (const r of regionViews(decodeMapping(record.mappingBytes, 'covfun', 0, data.version)))
        kinds.add(r.kind);
    }
    t.deepEqual([...kinds].sort(), [0, 1, 2, 3, 4, 5, 6]);
  });
});
