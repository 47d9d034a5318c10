/**
 * The DWARF reader and ELF image helpers against LLVM's own tools on binaries built here:
 * rustc (DWARF 4 default, `-C dwarf-version=5`, zlib- and zstd-compressed debug sections),
 * clang-22 `-gdwarf-5`, clang-14 `-gdwarf-4` and gcc (which emits DW_AT_sibling). Rows are
 * compared with `llvm-dwarfdump-22 --debug-line`, subprogram pc ranges with `--debug-info`, and
 * `readElfImageInfo` with `llvm-readobj-22 --file-headers --program-headers --notes`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { bytesSource } from '../../src/binary/index.js';
import {
  readDebugLine,
  readSubprograms,
  selectBreakpointSites,
  type DwarfSections,
} from '../../src/dwarf/index.js';
import { readElfImageInfo, readNamedSections } from '../../src/object/index.js';
import { parseDebugLineDump } from '../helpers/dwarfdump.js';
import { hasTool, missingReason, requireTool, toolSearchPath } from '../helpers/tools.js';

const DWARFDUMP = 'llvm-dwarfdump-22';
const READOBJ = 'llvm-readobj-22';

const RUST_SOURCE = `
use std::collections::HashMap;
struct Counter { seen: HashMap<String, usize> }
impl Counter {
    fn new() -> Self { Counter { seen: HashMap::new() } }
    #[inline(never)]
    fn add(&mut self, word: &str) -> usize {
        let n = self.seen.entry(word.to_string()).or_insert(0);
        *n += 1;
        *n
    }
}
fn twice<T: Copy + std::ops::Add<Output = T>>(x: T) -> T { x + x }
fn never_called() -> u32 { 7 }
fn main() {
    let mut c = Counter::new();
    for w in "a b a".split(' ') { c.add(w); }
    let f = |x: u32| x * 3;
    println!("{} {} {}", twice(2), twice(1.5), f(c.seen.len() as u32));
}
`;

const C_SOURCE = `
#include <stdio.h>
static int square(int x) { return x * x; }
int unused(int y) { return y + 1; }
int main(void) {
  int total = 0;
  for (int i = 0; i < 3; i++) total += square(i);
  printf("%d\\n", total);
  return 0;
}
`;

const reason = await missingReason([requireTool(DWARFDUMP), requireTool(READOBJ)]);
const dir = mkdtempSync(join(tmpdir(), 'cov-dwarf-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'main.rs'), RUST_SOURCE);
writeFileSync(join(dir, 'main.c'), C_SOURCE);

const env = { ...process.env, PATH: toolSearchPath() };

/** Builds one variant; `undefined` with the reason printed when its tool is missing or refuses. */
async function build(
  name: string,
  command: string,
  args: readonly string[],
): Promise<{ path?: string; skip?: string }> {
  if (!(await hasTool(command))) return { skip: `${command} is not installed` };
  const out = join(dir, name);
  const result = await execa(command, [...args, '-o', out], { cwd: dir, env, reject: false });
  if (result.exitCode !== 0) {
    return { skip: `${command} ${args.join(' ')} failed: ${String(result.stderr).slice(0, 300)}` };
  }
  return { path: out };
}

const DEBUG_SECTIONS = [
  '.debug_line',
  '.debug_info',
  '.debug_abbrev',
  '.debug_str',
  '.debug_line_str',
  '.debug_str_offsets',
  '.debug_addr',
  '.debug_ranges',
  '.debug_rnglists',
] as const;

function loadSections(path: string): { sections: DwarfSections; compressed: string[] } {
  const source = bytesSource(path, readFileSync(path));
  const found = readNamedSections(source, DEBUG_SECTIONS);
  const image = readElfImageInfo(source);
  const bytes = (name: (typeof DEBUG_SECTIONS)[number]): Uint8Array | undefined =>
    found.get(name)?.bytes;
  const sections: DwarfSections = {
    debugLine: bytes('.debug_line') ?? new Uint8Array(0),
    ...optional('debugInfo', bytes('.debug_info')),
    ...optional('debugAbbrev', bytes('.debug_abbrev')),
    ...optional('debugStr', bytes('.debug_str')),
    ...optional('debugLineStr', bytes('.debug_line_str')),
    ...optional('debugStrOffsets', bytes('.debug_str_offsets')),
    ...optional('debugAddr', bytes('.debug_addr')),
    ...optional('debugRanges', bytes('.debug_ranges')),
    ...optional('debugRnglists', bytes('.debug_rnglists')),
    littleEndian: image.littleEndian,
    addressBytes: image.addressBytes,
  };
  const compressed = [...found.values()]
    .filter((s) => s.compression !== undefined)
    .map((s) => `${s.name}:${s.compression}`);
  return { sections, compressed };
}

function optional<K extends string>(
  key: K,
  value: Uint8Array | undefined,
): Partial<Record<K, Uint8Array>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, Uint8Array>);
}

interface Variant {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Line-table version of the program's own line table. */
  readonly lineVersion: number;
  /** ELF compression expected on .debug_* sections. */
  readonly compression?: 'zlib' | 'zstd';
  /** Source file whose functions must be found, and a function name in it. */
  readonly source: string;
  readonly functionName: string;
  readonly functionLine: number;
}

const variants: Variant[] = [
  {
    name: 'rust-dwarf4',
    command: 'rustc',
    args: ['-g', '-C', 'link-dead-code', 'main.rs'],
    lineVersion: 4,
    source: 'main.rs',
    functionName: 'add',
    functionLine: 7,
  },
  {
    name: 'rust-dwarf5',
    command: 'rustc',
    args: ['-g', '-C', 'dwarf-version=5', 'main.rs'],
    lineVersion: 5,
    source: 'main.rs',
    functionName: 'add',
    functionLine: 7,
  },
  {
    name: 'rust-zlib',
    command: 'rustc',
    args: ['-g', '-C', 'link-arg=-Wl,--compress-debug-sections=zlib', 'main.rs'],
    lineVersion: 4,
    compression: 'zlib',
    source: 'main.rs',
    functionName: 'main',
    functionLine: 15,
  },
  {
    name: 'rust-zstd',
    command: 'rustc',
    args: ['-g', '-C', 'link-arg=-Wl,--compress-debug-sections=zstd', 'main.rs'],
    lineVersion: 4,
    compression: 'zstd',
    source: 'main.rs',
    functionName: 'main',
    functionLine: 15,
  },
  {
    name: 'clang22-dwarf5',
    command: 'clang-22',
    args: ['-gdwarf-5', '-O0', 'main.c'],
    lineVersion: 5,
    source: 'main.c',
    functionName: 'square',
    functionLine: 3,
  },
  {
    name: 'clang14-dwarf4',
    command: 'clang-14',
    args: ['-gdwarf-4', '-O0', 'main.c'],
    lineVersion: 4,
    source: 'main.c',
    functionName: 'square',
    functionLine: 3,
  },
  {
    name: 'gcc-dwarf4',
    command: 'gcc',
    args: ['-gdwarf-4', '-O0', 'main.c'],
    lineVersion: 4,
    source: 'main.c',
    functionName: 'unused',
    functionLine: 4,
  },
  {
    name: 'gcc-dwarf5',
    command: 'gcc',
    args: ['-gdwarf-5', '-O0', 'main.c'],
    lineVersion: 5,
    source: 'main.c',
    functionName: 'square',
    functionLine: 3,
  },
];

for (const variant of variants) {
  const register = reason === undefined ? test : test.skip;
  register(
    `${variant.name}: rows match llvm-dwarfdump-22 --debug-line; subprograms match --debug-info${reason === undefined ? '' : ` (skipped: ${reason})`}`,
    async (t) => {
      const built = await build(variant.name, variant.command, variant.args);
      if (built.path === undefined) {
        t.log(`skipped: ${built.skip ?? ''}`);
        t.pass();
        return;
      }
      const path = built.path;
      const { sections, compressed } = loadSections(path);
      if (variant.compression !== undefined) {
        // The linker really compressed them: SHF_COMPRESSED in llvm-readobj's section flags.
        const readobj = await execa(READOBJ, ['--sections', path], { env });
        t.regex(String(readobj.stdout), /SHF_COMPRESSED/);
        t.true(compressed.includes(`.debug_line:${variant.compression}`), compressed.join(' '));
        t.true(compressed.includes(`.debug_info:${variant.compression}`), compressed.join(' '));
      }

      // Line rows, table by table, in order.
      const { rows, warnings } = readDebugLine(sections, path);
      t.deepEqual(warnings, []);
      const dumpText = String(
        (await execa(DWARFDUMP, ['--debug-line', path], { env, maxBuffer: 1 << 30 })).stdout,
      );
      const tables = parseDebugLineDump(dumpText);
      t.true(tables.length > 0);
      // The program's own table has the version asked for (Rust's std keeps its prebuilt DWARF 4).
      const ownTable = tables.find((table) =>
        [...table.files.values()].some((f) => f.name.endsWith(variant.source)),
      );
      t.is(ownTable?.version, variant.lineVersion);
      const expected = tables.flatMap((table) => table.rows.map((row) => ({ row, table })));
      t.is(rows.length, expected.length);
      let mismatches = 0;
      for (let i = 0; i < rows.length; i++) {
        const ours = rows[i]!;
        const { row, table } = expected[i]!;
        const entry = table.files.get(row.file);
        const dirName = entry === undefined ? undefined : table.directories.get(entry.dirIndex);
        const fileOk =
          entry !== undefined &&
          (ours.file === entry.name || ours.file.endsWith(`/${entry.name}`)) &&
          (dirName === undefined || entry.name.startsWith('/') || ours.file.includes(dirName));
        const same =
          ours.address === row.address &&
          ours.line === row.line &&
          ours.column === row.column &&
          ours.isStmt === row.isStmt &&
          ours.endSequence === row.endSequence &&
          fileOk;
        if (!same && mismatches++ < 5) {
          t.log(
            `row ${i}: ours ${JSON.stringify(ours, bigintJson)}, dwarfdump ${JSON.stringify({ ...row, file: entry }, bigintJson)}`,
          );
        }
      }
      t.is(mismatches, 0);
      // The program's own rows carry an absolute path (comp dir joined).
      const own = rows.filter((r) => r.file.endsWith(`/${variant.source}`));
      t.true(own.length > 0);
      t.true(
        own.every((r) => r.file === join(dir, variant.source)),
        own[0]?.file,
      );

      // Breakpoint sites: inside PF_X segments only, and the program's lines are among them.
      const image = readElfImageInfo(bytesSource(path, readFileSync(path)));
      const sites = selectBreakpointSites(rows, image.executableSegments);
      t.true(sites.length > 0);
      t.true(
        sites.every((s) =>
          image.executableSegments.some((seg) => s.address >= seg.start && s.address < seg.end),
        ),
      );
      t.true(
        sites.some((s) => s.file === join(dir, variant.source) && s.line === variant.functionLine),
      );

      // Subprograms: every DIE llvm-dwarfdump prints with low_pc/high_pc is found with that range.
      const subs = readSubprograms(sections, path);
      t.deepEqual(subs.warnings, []);
      const infoText = String(
        (await execa(DWARFDUMP, ['--debug-info', path], { env, maxBuffer: 1 << 30 })).stdout,
      );
      const dumped = dumpedSubprogramRanges(infoText);
      const ours = new Set(
        subs.subprograms.flatMap((s) =>
          s.ranges.map((r) => `${r.start.toString(16)}-${r.end.toString(16)}`),
        ),
      );
      const missing = dumped.filter((range) => !ours.has(range));
      t.deepEqual(missing.slice(0, 5), []);
      t.true(dumped.length > 0);
      const fn = subs.subprograms.find(
        (s) => s.name === variant.functionName && s.file === join(dir, variant.source),
      );
      t.truthy(fn, `${variant.functionName} in ${variant.source}`);
      t.is(fn?.line, variant.functionLine);
      t.log(
        `${variant.name}: ${rows.length} rows, ${sites.length} sites, ${subs.subprograms.length} subprograms, ${dumped.length} low/high pc DIEs compared`,
      );
    },
  );
}

const readsInlined = reason === undefined ? test : test.skip;
readsInlined(
  'inlined calls match llvm-dwarfdump-22 DW_TAG_inlined_subroutine (entry, origin, decl line) at -O2, DWARF 4 and 5',
  async (t) => {
    for (const version of ['4', '5']) {
      const built = await build(`inlined-dwarf${version}`, 'rustc', [
        '-g',
        '-C',
        'opt-level=2',
        '-C',
        `dwarf-version=${version}`,
        'main.rs',
      ]);
      if (built.path === undefined) {
        t.log(`skipped: ${built.skip ?? ''}`);
        continue;
      }
      const path = built.path;
      const { sections } = loadSections(path);
      const read = readSubprograms(sections, path);
      t.deepEqual(read.warnings, []);
      const infoText = String(
        (await execa(DWARFDUMP, ['--debug-info', path], { env, maxBuffer: 1 << 30 })).stdout,
      );
      const dumped = dumpedInlinedCalls(infoText);
      t.true(dumped.length > 0);
      // entries at 0 are copies inside functions the linker dropped (tombstoned); the dump
      // comparison skips them on both sides
      const ours = read.inlinedCalls
        .filter((c) => c.entry !== 0n)
        .map((c) => `${c.entry.toString(16)} ${c.linkageName ?? c.name}`);
      t.deepEqual([...ours].sort(), [...dumped].sort());
      // a user function inlined at -O2: its copies name it with its own decl file and line
      const twiceLine = RUST_SOURCE.split('\n').findIndex((l) => l.startsWith('fn twice')) + 1;
      const twice = read.inlinedCalls.filter((c) => c.name.startsWith('twice'));
      t.true(twice.length > 0, 'twice is inlined into main');
      for (const call of twice) {
        t.is(call.file, join(dir, 'main.rs'));
        t.is(call.line, twiceLine);
      }
      // filtering by decl file keeps only those
      const mine = readSubprograms(sections, path, {
        inlinedFrom: (file) => file === join(dir, 'main.rs'),
      });
      t.true(mine.inlinedCalls.length > 0);
      t.true(mine.inlinedCalls.every((c) => c.file === join(dir, 'main.rs')));
      t.is(mine.subprograms.length, read.subprograms.length);
      t.log(
        `dwarf ${version}: ${dumped.length} inlined calls compared, ${mine.inlinedCalls.length} from main.rs`,
      );
    }
  },
);

const readsImage = reason === undefined ? test : test.skip;
readsImage(
  'readElfImageInfo matches llvm-readobj-22 (entry, type, PF_X PT_LOAD, build id)',
  async (t) => {
    const built = await build('image-pie', 'rustc', ['-g', 'main.rs']);
    const nopie = await build('image-exec', 'clang-22', [
      '-no-pie',
      '-fno-pie',
      '-Wl,--build-id',
      'main.c',
    ]);
    for (const b of [built, nopie]) {
      if (b.path === undefined) {
        t.log(`skipped: ${b.skip ?? ''}`);
        continue;
      }
      const info = readElfImageInfo(bytesSource(b.path, readFileSync(b.path)));
      const text = String(
        (await execa(READOBJ, ['--file-headers', '--program-headers', '--notes', b.path], { env }))
          .stdout,
      );
      t.is(info.entry, BigInt(/Entry: (0x[0-9A-Fa-f]+)/.exec(text)![1]!));
      const type = /\n\s+Type: (\w+) \(0x[0-9A-Fa-f]+\)/.exec(text)![1];
      t.is(info.type, type === 'SharedObject' ? 'dyn' : type === 'Executable' ? 'exec' : 'other');
      const expected: Array<{ start: bigint; end: bigint }> = [];
      for (const block of text.split('ProgramHeader {').slice(1)) {
        if (!/Type: PT_LOAD/.test(block) || !/PF_X/.test(block)) continue;
        const start = BigInt(/VirtualAddress: (0x[0-9A-Fa-f]+)/.exec(block)![1]!);
        const size = BigInt(/MemSize: (\d+)/.exec(block)![1]!);
        expected.push({ start, end: start + size });
      }
      t.true(expected.length > 0);
      t.deepEqual(info.executableSegments, expected);
      const buildId = /Build ID: ([0-9a-f]+)/.exec(text)?.[1];
      t.is(
        info.buildId === undefined ? undefined : Buffer.from(info.buildId).toString('hex'),
        buildId,
      );
    }
  },
);

/** `start-end` (hex) of every DW_TAG_subprogram printed with DW_AT_low_pc and DW_AT_high_pc, low ≠ 0. */
function dumpedSubprogramRanges(text: string): string[] {
  const out: string[] = [];
  for (const block of text.split(/\n(?=0x[0-9a-f]+:)/)) {
    if (!/^0x[0-9a-f]+:\s+DW_TAG_subprogram/.test(block)) continue;
    const low = /DW_AT_low_pc\s+\((?:indexed \([0-9a-fx]+\) address = )?0x([0-9a-f]+)\)/.exec(
      block,
    );
    const high = /DW_AT_high_pc\s+\(0x([0-9a-f]+)\)/.exec(block);
    if (low === null || high === null) continue;
    const start = BigInt(`0x${low[1]!}`);
    if (start === 0n) continue;
    out.push(`${start.toString(16)}-${BigInt(`0x${high[1]!}`).toString(16)}`);
  }
  return out;
}

/**
 * `entry origin` of every DW_TAG_inlined_subroutine with code (a non-empty range) that
 * llvm-dwarfdump prints: entry =
 * DW_AT_low_pc, else the lowest start of DW_AT_ranges (none of these binaries has DW_AT_entry_pc);
 * origin = the quoted name of DW_AT_abstract_origin (the linkage name when the origin has one).
 */
function dumpedInlinedCalls(text: string): string[] {
  const out: string[] = [];
  for (const block of text.split(/\n(?=0x[0-9a-f]+:)/)) {
    if (!/^0x[0-9a-f]+:\s+DW_TAG_inlined_subroutine/.test(block)) continue;
    assertNoEntryPc(block);
    const origin = /DW_AT_abstract_origin\s+\(0x[0-9a-f]+ "([^"]*)"\)/.exec(block);
    const low = /DW_AT_low_pc\s+\((?:indexed \([0-9a-fx]+\) address = )?0x([0-9a-f]+)\)/.exec(
      block,
    );
    let entry: bigint | undefined;
    if (low !== null) {
      const high = /DW_AT_high_pc\s+\(0x([0-9a-f]+)\)/.exec(block);
      if (high === null || high[1] === low[1]) continue; // no code (an empty range)
      entry = BigInt(`0x${low[1]!}`);
    } else {
      const starts = [...block.matchAll(/\[0x([0-9a-f]+), 0x([0-9a-f]+)\)/g)]
        .filter((m) => m[1] !== m[2])
        .map((m) => BigInt(`0x${m[1]!}`));
      if (starts.length === 0) continue;
      entry = starts.reduce((a, b) => (b < a ? b : a));
    }
    if (entry === 0n || origin === null) continue;
    out.push(`${entry.toString(16)} ${origin[1]!}`);
  }
  return out;
}

function assertNoEntryPc(block: string): void {
  if (/DW_AT_entry_pc/.test(block)) throw new Error(`DW_AT_entry_pc not expected here: ${block}`);
}

function bigintJson(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `0x${value.toString(16)}` : value;
}
