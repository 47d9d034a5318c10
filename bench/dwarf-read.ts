#!/usr/bin/env -S npx tsx
// Times cov's DWARF reader on real binaries: section read + decompression, readDebugLine,
// selectBreakpointSites and readSubprograms (median of N in-process rounds, after one warm-up),
// next to `llvm-dwarfdump-22 --debug-line` writing to /dev/null, and prints the row/site/subprogram
// counts. Not a test: it gates nothing.
// usage: npx tsx bench/dwarf-read.ts [--rounds N] BINARY...
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { bytesSource } from '../src/binary/index.js';
import {
  readDebugLine,
  readSubprograms,
  selectBreakpointSites,
  type DwarfSections,
} from '../src/dwarf/index.js';
import { readElfImageInfo, readNamedSections } from '../src/object/index.js';

const args = process.argv.slice(2);
let rounds = 5;
if (args[0] === '--rounds') {
  rounds = Number(args[1]);
  args.splice(0, 2);
}

const NAMES = [
  '.debug_line',
  '.debug_info',
  '.debug_abbrev',
  '.debug_str',
  '.debug_line_str',
  '.debug_str_offsets',
  '.debug_addr',
  '.debug_ranges',
  '.debug_rnglists',
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time<T>(fn: () => T): { ms: number[]; value: T } {
  let value = fn();
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    value = fn();
    ms.push(performance.now() - start);
  }
  return { ms, value };
}

for (const path of args) {
  const source = bytesSource(path, readFileSync(path));
  const read = time(() => {
    const found = readNamedSections(source, NAMES);
    const image = readElfImageInfo(source);
    const get = (name: string): Uint8Array | undefined => found.get(name)?.bytes;
    const sections: DwarfSections = {
      debugLine: get('.debug_line') ?? new Uint8Array(0),
      littleEndian: image.littleEndian,
      addressBytes: image.addressBytes,
    };
    const optional: Record<string, Uint8Array | undefined> = {
      debugInfo: get('.debug_info'),
      debugAbbrev: get('.debug_abbrev'),
      debugStr: get('.debug_str'),
      debugLineStr: get('.debug_line_str'),
      debugStrOffsets: get('.debug_str_offsets'),
      debugAddr: get('.debug_addr'),
      debugRanges: get('.debug_ranges'),
      debugRnglists: get('.debug_rnglists'),
    };
    for (const [key, value] of Object.entries(optional)) {
      if (value !== undefined) Object.assign(sections, { [key]: value });
    }
    return { sections, image };
  });
  const { sections, image } = read.value;
  const lines = time(() => readDebugLine(sections, path));
  const sites = time(() => selectBreakpointSites(lines.value.rows, image.executableSegments));
  const subs = time(() => readSubprograms(sections, path));
  const dumpStart = performance.now();
  execFileSync('llvm-dwarfdump-22', ['--debug-line', path], {
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const dumpMs = performance.now() - dumpStart;
  const mb = (bytes: Uint8Array | undefined): string => ((bytes?.length ?? 0) / 1e6).toFixed(1);
  console.log(path);
  console.log(
    `  .debug_line ${mb(sections.debugLine)} MB, .debug_info ${mb(sections.debugInfo)} MB; ` +
      `${lines.value.rows.length} rows, ${sites.value.length} sites, ${subs.value.subprograms.length} subprograms`,
  );
  console.log(
    `  median ms: sections ${median(read.ms).toFixed(0)}, readDebugLine ${median(lines.ms).toFixed(0)}, ` +
      `selectBreakpointSites ${median(sites.ms).toFixed(0)}, readSubprograms ${median(subs.ms).toFixed(0)}; ` +
      `llvm-dwarfdump-22 --debug-line ${dumpMs.toFixed(0)}`,
  );
}
