/**
 * Summaries as `llvm-cov report` and the exporters compute them (spec/formats.md §5.5): per record
 * (instantiation), per instantiation group (max of members), per file (sum of groups), totals.
 */
import type { CoverageSet } from './coverage-set.js';
import {
  BRANCH_STRIDE,
  CODE_STRIDE,
  F_COLUMN_START,
  F_FILE_ID,
  F_FOLDED,
  F_KIND,
  F_LINE_START,
  FOLDED_FALSE,
  FOLDED_TRUE,
  KIND_CODE,
  mainFileId,
  type FunctionRecord,
} from './function-record.js';
import { forEachLineCount } from './line-counts.js';
import { expansionBranches, functionView, type BranchRef, type ExpansionRef } from './views.js';

/** A covered/total pair (counts of regions, lines, branch sides, MC/DC pairs or functions). */
export interface Ratio {
  count: number;
  covered: number;
}

/** Metrics of one instantiation, group, file or the total. */
export interface CoverageSummary {
  regions: Ratio;
  lines: Ratio;
  branches: Ratio;
  mcdc: Ratio;
  functions: Ratio;
  instantiations: Ratio;
}

/** Summary of one record plus its execution count. */
export interface FunctionSummary {
  readonly record: FunctionRecord;
  readonly executionCount: bigint;
  readonly regions: Ratio;
  readonly lines: Ratio;
  readonly branches: Ratio;
  readonly mcdc: Ratio;
}

/** An instantiation group: records of one file sharing the start of their first main-file region. */
export interface InstantiationGroup {
  readonly line: number;
  readonly column: number;
  readonly records: readonly FunctionRecord[];
}

const U64_MASK = (1n << 64n) - 1n;

/** An all-zero summary. */
export function emptySummary(): CoverageSummary {
  const z = (): Ratio => ({ count: 0, covered: 0 });
  return {
    regions: z(),
    lines: z(),
    branches: z(),
    mcdc: z(),
    functions: z(),
    instantiations: z(),
  };
}

/** Percent covered as llvm-cov computes it: covered ÷ count × 100, 0 when count is 0. */
export function percent(ratio: Ratio): number {
  return ratio.count === 0 ? 0 : (ratio.covered / ratio.count) * 100;
}

function addBranchSides(refs: readonly BranchRef[], into: Ratio): void {
  for (const { record, index } of refs) {
    const folded = record.branches[index * BRANCH_STRIDE + F_FOLDED]!;
    if ((folded & FOLDED_TRUE) === 0) {
      into.count++;
      if (record.branchTrueCounts[index] !== 0n) into.covered++;
    }
    if ((folded & FOLDED_FALSE) === 0) {
      into.count++;
      if (record.branchFalseCounts[index] !== 0n) into.covered++;
    }
  }
}

function addExpansionBranches(expansions: readonly ExpansionRef[], into: Ratio): void {
  for (const expansion of expansions) {
    const view = expansionBranches(expansion);
    addBranchSides(view.branches, into);
    addExpansionBranches(view.expansions, into);
  }
}

const functionSummaries = new WeakMap<FunctionRecord, FunctionSummary>();

/** Summary of one record (instantiation); memoised per record. */
export function summarizeFunction(record: FunctionRecord): FunctionSummary {
  const cached = functionSummaries.get(record);
  if (cached !== undefined) return cached;
  const regions: Ratio = { count: 0, covered: 0 };
  const r = record.regions;
  for (let i = 0, o = 0; o < r.length; i++, o += CODE_STRIDE) {
    if (r[o + F_KIND] !== KIND_CODE) continue;
    regions.count++;
    if (record.regionCounts[i] !== 0n) regions.covered++;
  }
  const view = functionView(record);
  const lines: Ratio = { count: 0, covered: 0 };
  forEachLineCount(view.segments, undefined, (line) => {
    if (!line.mapped) return;
    lines.count++;
    if (line.count !== 0n) lines.covered++;
  });
  const branches: Ratio = { count: 0, covered: 0 };
  addBranchSides(view.branches, branches);
  addExpansionBranches(view.expansions, branches);
  const mcdc: Ratio = { count: 0, covered: 0 };
  for (const m of record.mcdcRecords) {
    if (m.decision[4] !== mainFileId(record)) continue;
    m.conditionsCovered.forEach((covered, i) => {
      if (m.conditionsFolded[i] === true) return;
      mcdc.count++;
      if (covered) mcdc.covered++;
    });
  }
  const summary = { record, executionCount: record.executionCount, regions, lines, branches, mcdc };
  functionSummaries.set(record, summary);
  return summary;
}

/**
 * Instantiation groups of `filename`: records whose main file is `filename`, keyed by the start of
 * their first code-like region in the main file id, ordered by that location.
 */
export function instantiationGroups(
  set: CoverageSet,
  filename: string,
): readonly InstantiationGroup[] {
  let byFile = groupsBySet.get(set);
  if (byFile === undefined) {
    byFile = new Map();
    groupsBySet.set(set, byFile);
  }
  let groups = byFile.get(filename);
  if (groups === undefined) {
    groups = groupsOf(set, filename);
    byFile.set(filename, groups);
  }
  return groups;
}

/** {@link instantiationGroups} of each set, by file (a file summary and its page share them). */
const groupsBySet = new WeakMap<CoverageSet, Map<string, readonly InstantiationGroup[]>>();

function groupsOf(set: CoverageSet, filename: string): InstantiationGroup[] {
  const byLoc = new Map<string, InstantiationGroup & { records: FunctionRecord[] }>();
  for (const index of set.recordsByFile.get(filename) ?? []) {
    const record = set.functions[index]!;
    const main = mainFileId(record);
    if (main === undefined || record.filenames[main] !== filename) continue;
    const r = record.regions;
    let o = 0;
    while (o < r.length && r[o + F_FILE_ID] !== main) o += CODE_STRIDE;
    if (o >= r.length) continue;
    const line = r[o + F_LINE_START]!;
    const column = r[o + F_COLUMN_START]!;
    const key = `${line}:${column}`;
    let group = byLoc.get(key);
    if (group === undefined) {
      group = { line, column, records: [] };
      byLoc.set(key, group);
    }
    group.records.push(record);
  }
  return [...byLoc.values()].sort((a, b) => a.line - b.line || a.column - b.column);
}

function maxRatio(into: Ratio, other: Ratio): void {
  into.count = Math.max(into.count, other.count);
  into.covered = Math.max(into.covered, other.covered);
}

function addRatio(into: Ratio, other: Ratio): void {
  into.count += other.count;
  into.covered += other.covered;
}

/** Group summary: independent maxima of members; execution count = u64 sum of members'. */
export function summarizeGroup(group: InstantiationGroup): {
  executionCount: bigint;
  regions: Ratio;
  lines: Ratio;
  branches: Ratio;
  mcdc: Ratio;
} {
  const out = {
    executionCount: 0n,
    regions: { count: 0, covered: 0 },
    lines: { count: 0, covered: 0 },
    branches: { count: 0, covered: 0 },
    mcdc: { count: 0, covered: 0 },
  };
  for (const record of group.records) {
    const s = summarizeFunction(record);
    out.executionCount = (out.executionCount + s.executionCount) & U64_MASK;
    maxRatio(out.regions, s.regions);
    maxRatio(out.lines, s.lines);
    maxRatio(out.branches, s.branches);
    maxRatio(out.mcdc, s.mcdc);
  }
  return out;
}

/** File summary = sum of its groups; functions = groups, instantiations = records. */
export function summarizeFile(set: CoverageSet, filename: string): CoverageSummary {
  const summary = emptySummary();
  for (const group of instantiationGroups(set, filename)) {
    for (const record of group.records) {
      summary.instantiations.count++;
      if (record.executionCount !== 0n) summary.instantiations.covered++;
    }
    const g = summarizeGroup(group);
    addRatio(summary.regions, g.regions);
    addRatio(summary.lines, g.lines);
    addRatio(summary.branches, g.branches);
    addRatio(summary.mcdc, g.mcdc);
    summary.functions.count++;
    if (g.executionCount !== 0n) summary.functions.covered++;
  }
  return summary;
}

/** Sum of several summaries (totals). */
export function addSummaries(summaries: Iterable<CoverageSummary>): CoverageSummary {
  const total = emptySummary();
  for (const s of summaries) {
    addRatio(total.regions, s.regions);
    addRatio(total.lines, s.lines);
    addRatio(total.branches, s.branches);
    addRatio(total.mcdc, s.mcdc);
    addRatio(total.functions, s.functions);
    addRatio(total.instantiations, s.instantiations);
  }
  return total;
}
