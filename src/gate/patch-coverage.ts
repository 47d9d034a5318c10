/**
 * Patch coverage: region and line coverage of just the lines a diff added or changed.
 *
 * Definitions (the numbers every output and gate uses):
 * - A **changed line** is a `+` line of the diff, numbered in the new file.
 * - **Patch lines** are the changed lines that are coverable: lines the file view maps (the lines
 *   an lcov `DA` record lists). A changed blank line, comment or `}` that no region maps is not
 *   counted. A patch line is covered when its line count (llvm-cov's, spec/formats.md §5.4) is
 *   non-zero.
 * - **Patch regions** are the distinct code regions (kind 0; not expansion, skipped, gap or branch)
 *   located in the changed file — in any record, including regions a macro expansion places there —
 *   whose start line is a changed line. Distinct means by source span (start and end line and
 *   column): a region instantiated several times (generics, a function in several test binaries)
 *   counts once and is covered when any instance ran. (File totals count per function as llvm-cov
 *   does; a patch has no functions, so it counts the spans a reader sees.)
 */
import {
  CODE_STRIDE,
  F_COLUMN_END,
  F_COLUMN_START,
  F_FILE_ID,
  F_KIND,
  F_LINE_END,
  F_LINE_START,
  KIND_CODE,
  fileView,
  forEachLineCount,
  type CoverageSet,
  type Ratio,
} from '../model/index.js';
import type { DiffFile } from './unified-diff.js';

/** An inclusive range of 1-based line numbers. */
export interface LineRange {
  readonly start: number;
  readonly end: number;
}

/** Patch coverage of one changed source file that has coverage data. */
export interface PatchFile {
  /** The coverage filename (as the binaries record it). */
  readonly filename: string;
  /** The path as the diff names it (relative to the repository root). */
  readonly path: string;
  /** Every changed line, coverable or not. */
  readonly changedLines: readonly number[];
  readonly lines: Ratio;
  /** `undefined` when regions are not measured (ptrace engine). */
  readonly regions: Ratio | undefined;
  /** Coverable changed lines with a zero count, ascending. */
  readonly uncoveredLines: readonly number[];
  /**
   * `uncoveredLines` merged into ranges: two uncovered lines join when every line between them is
   * not coverable (so `12-14` may hold a blank line 13).
   */
  readonly uncoveredRanges: readonly LineRange[];
}

/** Patch coverage of a whole diff. */
export interface PatchCoverage {
  /** Changed files with coverage data, in diff order. */
  readonly files: readonly PatchFile[];
  readonly lines: Ratio;
  /** `undefined` when regions are not measured. */
  readonly regions: Ratio | undefined;
  /** Changed paths (not deleted, not binary, with added lines) that no reported file matches. */
  readonly unmatchedPaths: readonly string[];
}

/** Options of {@link computePatchCoverage}. */
export interface PatchOptions {
  /**
   * Maps a diff path to the coverage filename it names, or `undefined`. The caller decides the
   * root the diff is relative to and which files are reported (filters apply to patches too).
   */
  readonly resolveFile: (diffPath: string) => string | undefined;
  /** Count regions (false for line-only engines). */
  readonly regions: boolean;
}

function uncoveredRangesOf(uncovered: readonly number[], coverable: Set<number>): LineRange[] {
  const ranges: LineRange[] = [];
  for (const line of uncovered) {
    const last = ranges[ranges.length - 1];
    if (last !== undefined) {
      let between = last.end + 1;
      while (between < line && !coverable.has(between)) between++;
      if (between === line) {
        ranges[ranges.length - 1] = { start: last.start, end: line };
        continue;
      }
    }
    ranges.push({ start: line, end: line });
  }
  return ranges;
}

function patchRegions(set: CoverageSet, filename: string, changed: Set<number>): Ratio {
  const covered = new Map<string, boolean>();
  for (const index of set.recordsByFile.get(filename) ?? []) {
    const record = set.functions[index]!;
    const inFile = record.filenames.map((f) => f === filename);
    const r = record.regions;
    for (let i = 0, o = 0; o < r.length; i++, o += CODE_STRIDE) {
      if (r[o + F_KIND] !== KIND_CODE || inFile[r[o + F_FILE_ID]!] !== true) continue;
      const lineStart = r[o + F_LINE_START]!;
      if (!changed.has(lineStart)) continue;
      const key = `${lineStart}:${r[o + F_COLUMN_START]}:${r[o + F_LINE_END]}:${r[o + F_COLUMN_END]}`;
      const ran = record.regionCounts[i] !== 0n;
      covered.set(key, (covered.get(key) ?? false) || ran);
    }
  }
  let hit = 0;
  for (const ran of covered.values()) if (ran) hit++;
  return { count: covered.size, covered: hit };
}

/**
 * Computes patch coverage of `diff` against `set` (see the file comment for the definitions).
 * @returns per-file and total ratios; files without coverage data are listed in `unmatchedPaths`
 */
export function computePatchCoverage(
  set: CoverageSet,
  diff: readonly DiffFile[],
  options: PatchOptions,
): PatchCoverage {
  const files: PatchFile[] = [];
  const unmatchedPaths: string[] = [];
  const lines: Ratio = { count: 0, covered: 0 };
  const regions: Ratio = { count: 0, covered: 0 };
  const byFilename = new Map<string, { path: string; changed: Set<number> }>();
  const order: string[] = [];
  for (const change of diff) {
    if (change.newPath === undefined || change.binary || change.addedLines.length === 0) continue;
    const filename = options.resolveFile(change.newPath);
    if (filename === undefined) {
      unmatchedPaths.push(change.newPath);
      continue;
    }
    let entry = byFilename.get(filename);
    if (entry === undefined) {
      entry = { path: change.newPath, changed: new Set() };
      byFilename.set(filename, entry);
      order.push(filename);
    }
    for (const line of change.addedLines) entry.changed.add(line);
  }
  for (const filename of order) {
    const { path, changed } = byFilename.get(filename)!;
    const coverable = new Set<number>();
    const fileLines: Ratio = { count: 0, covered: 0 };
    const uncoveredLines: number[] = [];
    forEachLineCount(fileView(set, filename).segments, 1, (line) => {
      if (!line.mapped) return;
      coverable.add(line.line);
      if (!changed.has(line.line)) return;
      fileLines.count++;
      if (line.count !== 0n) fileLines.covered++;
      else uncoveredLines.push(line.line);
    });
    const fileRegions = options.regions ? patchRegions(set, filename, changed) : undefined;
    lines.count += fileLines.count;
    lines.covered += fileLines.covered;
    if (fileRegions !== undefined) {
      regions.count += fileRegions.count;
      regions.covered += fileRegions.covered;
    }
    files.push({
      filename,
      path,
      changedLines: [...changed].sort((a, b) => a - b),
      lines: fileLines,
      regions: fileRegions,
      uncoveredLines,
      uncoveredRanges: uncoveredRangesOf(uncoveredLines, coverable),
    });
  }
  return {
    files,
    lines,
    regions: options.regions ? regions : undefined,
    unmatchedPaths,
  };
}

/** `12, 15-17` style text of line ranges. */
export function formatLineRanges(ranges: readonly LineRange[]): string {
  return ranges
    .map((r) => (r.start === r.end ? String(r.start) : `${r.start}-${r.end}`))
    .join(', ');
}
