/**
 * LCOV tracefile, byte-identical to `llvm-cov-22 export -format=lcov` (spec/formats.md §5.6).
 */
import {
  BRANCH_STRIDE,
  CODE_STRIDE,
  F_COLUMN_START,
  F_FOLDED,
  F_LINE_START,
  FOLDED_FALSE,
  FOLDED_TRUE,
  expansionView,
  fileView,
  forEachLineCount,
  type CoverageSet,
  type CoverageView,
  type ExpansionRef,
  type FunctionRecord,
} from '../model/index.js';
import type { ReportFiles } from './report-files.js';

/** Options matching llvm-cov export's flags. */
export interface LcovOptions {
  /** `--summary-only`: no FN/FNDA/DA/BRDA lines. */
  readonly summaryOnly?: boolean;
  /** `--skip-functions`: no FN/FNDA lines. */
  readonly skipFunctions?: boolean;
  /** `--skip-branches`: no BRDA/BRF/BRH lines. */
  readonly skipBranches?: boolean;
  /** `--unify-instantiations` (default true in LLVM 22). */
  readonly unifyInstantiations?: boolean;
}

interface NestedBranch {
  readonly path: number[]; // flattened (line, col) pairs
  readonly position: number;
  trueCount: bigint;
  falseCount: bigint;
  ignore: boolean;
}

const U64_MASK = (1n << 64n) - 1n;
const U32_MASK = (1n << 32n) - 1n;

function comparePaths(a: NestedBranch, b: NestedBranch): number {
  const n = Math.min(a.path.length, b.path.length);
  for (let i = 0; i < n; i++) {
    const d = a.path[i]! - b.path[i]!;
    if (d !== 0) return d;
  }
  return a.path.length - b.path.length || a.position - b.position;
}

function samePath(a: NestedBranch, b: NestedBranch): boolean {
  return a.path.length === b.path.length && a.path.every((v, i) => v === b.path[i]);
}

function branchStart(record: FunctionRecord, index: number): [number, number] {
  const o = index * BRANCH_STRIDE;
  return [record.branches[o + F_LINE_START]!, record.branches[o + F_COLUMN_START]!];
}

function isDoublyFolded(record: FunctionRecord, index: number): boolean {
  const folded = record.branches[index * BRANCH_STRIDE + F_FOLDED]!;
  return (folded & (FOLDED_TRUE | FOLDED_FALSE)) === (FOLDED_TRUE | FOLDED_FALSE);
}

function collectExpansionBranches(
  expansions: readonly ExpansionRef[],
  path: number[],
  counter: { next: number },
  out: NestedBranch[],
): void {
  for (const expansion of expansions) {
    const view = expansionView(expansion);
    const o = expansion.regionIndex * CODE_STRIDE;
    path.push(
      expansion.record.regions[o + F_LINE_START]!,
      expansion.record.regions[o + F_COLUMN_START]!,
    );
    collectExpansionBranches(view.expansions, path, counter, out);
    for (const { record, index } of view.branches) {
      out.push({
        path: path.slice(),
        position: counter.next++,
        trueCount: record.branchTrueCounts[index]!,
        falseCount: record.branchFalseCounts[index]!,
        ignore: isDoublyFolded(record, index),
      });
    }
    path.length -= 2;
  }
}

/**
 * Visits the branch pairs of a view in the order llvm-cov's lcov export lists them (`BRDA` lines):
 * by line, then column (expansion branches by their expansion's location), with identical
 * locations summed when `unify`; doubly folded branches are left out.
 * @param visit gets the 1-based line and the u64 true and false counts
 * @see spec/formats.md §5.6
 */
export function forEachBranchPair(
  view: CoverageView,
  unify: boolean,
  visit: (line: number, trueCount: bigint, falseCount: bigint) => void,
): void {
  const branches: NestedBranch[] = [];
  let position = 0;
  for (const { record, index } of view.branches) {
    if (isDoublyFolded(record, index)) continue;
    branches.push({
      path: branchStart(record, index),
      position: position++,
      trueCount: record.branchTrueCounts[index]!,
      falseCount: record.branchFalseCounts[index]!,
      ignore: false,
    });
  }
  const nested: NestedBranch[] = [];
  collectExpansionBranches(view.expansions, [], { next: 0 }, nested);
  for (const b of nested) if (!b.ignore) branches.push(b);
  branches.sort(comparePaths);
  if (unify) {
    for (let i = 0; i < branches.length;) {
      const sum = branches[i]!;
      let j = i + 1;
      while (j < branches.length && samePath(sum, branches[j]!)) {
        sum.trueCount = (sum.trueCount + branches[j]!.trueCount) & U64_MASK;
        sum.falseCount = (sum.falseCount + branches[j]!.falseCount) & U64_MASK;
        branches[j]!.ignore = true;
        j++;
      }
      i = j;
    }
  }
  for (const b of branches) if (!b.ignore) visit(b.path[0]!, b.trueCount, b.falseCount);
}

function renderBranches(view: CoverageView, unify: boolean, lines: string[]): void {
  let currentLine = -1;
  let pair = 0;
  forEachBranchPair(view, unify, (line, trueCount, falseCount) => {
    if (line !== currentLine) {
      currentLine = line;
      pair = 0;
    }
    // llvm-cov prints these through `unsigned`: truncated to 32 bits
    const t = trueCount & U32_MASK;
    const f = falseCount & U32_MASK;
    const none = t === 0n && f === 0n;
    lines.push(`BRDA:${line},${pair},${pair * 2},${none ? '-' : t}`);
    lines.push(`BRDA:${line},${pair},${pair * 2 + 1},${none ? '-' : f}`);
    pair++;
  });
}

/**
 * Renders the LCOV text of the given files (in their order).
 * @returns the whole tracefile, ending with a newline
 */
export function renderLcov(
  set: CoverageSet,
  report: ReportFiles,
  options: LcovOptions = {},
): string {
  const lines: string[] = [];
  const unify = options.unifyInstantiations ?? true;
  for (const { filename, summary } of report.files) {
    lines.push(`SF:${filename}`);
    if (options.summaryOnly !== true && options.skipFunctions !== true) {
      const records = (set.recordsByFile.get(filename) ?? [])
        .map((i) => set.functions[i]!)
        .filter((r) => r.filenames[0] === filename);
      for (const r of records) lines.push(`FN:${r.regions[F_LINE_START] ?? 0},${r.name}`);
      for (const r of records) lines.push(`FNDA:${r.executionCount},${r.name}`);
    }
    lines.push(`FNF:${summary.functions.count}`, `FNH:${summary.functions.covered}`);
    if (options.summaryOnly !== true) {
      const view = fileView(set, filename);
      forEachLineCount(view.segments, 1, (l) => {
        if (l.mapped) lines.push(`DA:${l.line},${l.count}`);
      });
      if (options.skipBranches !== true) renderBranches(view, unify, lines);
    }
    if (options.skipBranches !== true) {
      lines.push(`BRF:${summary.branches.count}`, `BRH:${summary.branches.covered}`);
    }
    lines.push(`LF:${summary.lines.count}`, `LH:${summary.lines.covered}`, 'end_of_record');
  }
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}
