/**
 * Views of a `CoverageSet` (spec/formats.md §5.2): a file view (every record's regions in that file),
 * a function view (the main file id of one record) and an expansion view (one expansion's target
 * file id), each with segments, branch regions and expansions.
 */
import type { CoverageSet } from './coverage-set.js';
import {
  BRANCH_STRIDE,
  CODE_STRIDE,
  F_COLUMN_END,
  F_COLUMN_START,
  F_EXPANDED_FILE_ID,
  F_FILE_ID,
  F_KIND,
  F_LINE_END,
  F_LINE_START,
  KIND_EXPANSION,
  mainFileId,
  type FunctionRecord,
} from './function-record.js';
import { buildSegments, sortSpans, type CountedSpan, type Segment } from './segments.js';

/** A branch region of a record, by index into `record.branches`. */
export interface BranchRef {
  readonly record: FunctionRecord;
  readonly index: number;
}

/** An expansion region of a record (index into `record.regions`) and the file id it expands. */
export interface ExpansionRef {
  readonly record: FunctionRecord;
  readonly regionIndex: number;
  readonly expandedFileId: number;
}

/** Segments, branches and expansions of one view. */
export interface CoverageView {
  readonly filename: string;
  readonly segments: readonly Segment[];
  readonly branches: readonly BranchRef[];
  readonly expansions: readonly ExpansionRef[];
}

/** A file view with the regions its segments were built from. */
export interface FileCoverageView extends CoverageView {
  /** Every region of the view, sorted as {@link sortSpans} sorts them (identical ones not joined). */
  readonly spans: readonly CountedSpan[];
}

function spanOf(record: FunctionRecord, regionIndex: number): CountedSpan {
  const r = record.regions;
  const o = regionIndex * CODE_STRIDE;
  return {
    lineStart: r[o + F_LINE_START]!,
    columnStart: r[o + F_COLUMN_START]!,
    lineEnd: r[o + F_LINE_END]!,
    columnEnd: r[o + F_COLUMN_END]!,
    kind: r[o + F_KIND]!,
    count: record.regionCounts[regionIndex]!,
  };
}

function collect(
  record: FunctionRecord,
  includesFileId: (fileId: number) => boolean,
  expansionFileId: number | undefined,
  spans: CountedSpan[],
  branches: BranchRef[],
  expansions: ExpansionRef[],
): void {
  const r = record.regions;
  for (let i = 0, o = 0; o < r.length; i++, o += CODE_STRIDE) {
    const fileId = r[o + F_FILE_ID]!;
    if (!includesFileId(fileId)) continue;
    spans.push(spanOf(record, i));
    if (
      expansionFileId !== undefined &&
      r[o + F_KIND] === KIND_EXPANSION &&
      fileId === expansionFileId
    ) {
      expansions.push({ record, regionIndex: i, expandedFileId: r[o + F_EXPANDED_FILE_ID]! });
    }
  }
  const b = record.branches;
  for (let i = 0, o = 0; o < b.length; i++, o += BRANCH_STRIDE) {
    if (includesFileId(b[o + F_FILE_ID]!)) branches.push({ record, index: i });
  }
}

/**
 * File view of `filename`: regions of every file id that maps to it in every record listing it,
 * and expansions of records whose main file is `filename` (spec §5.2).
 */
export function fileView(set: CoverageSet, filename: string): FileCoverageView {
  const spans: CountedSpan[] = [];
  const branches: BranchRef[] = [];
  const expansions: ExpansionRef[] = [];
  for (const index of set.recordsByFile.get(filename) ?? []) {
    const record = set.functions[index]!;
    const ids = record.filenames.map((f) => f === filename);
    const main = mainFileId(record);
    const mainInFile = main !== undefined && record.filenames[main] === filename ? main : undefined;
    collect(record, (id) => ids[id] === true, mainInFile, spans, branches, expansions);
  }
  // sorted here (buildSegments would sort a copy) so that the view can hand its regions out
  sortSpans(spans);
  return { filename, segments: buildSegments(spans), branches, expansions, spans };
}

/** Function view: the record's main file id only; empty when it has none. */
export function functionView(record: FunctionRecord): CoverageView {
  const main = mainFileId(record);
  const spans: CountedSpan[] = [];
  const branches: BranchRef[] = [];
  const expansions: ExpansionRef[] = [];
  if (main === undefined) return { filename: '', segments: [], branches, expansions };
  collect(record, (id) => id === main, main, spans, branches, expansions);
  return {
    filename: record.filenames[main]!,
    segments: buildSegments(spans),
    branches,
    expansions,
  };
}

/**
 * Branches and nested expansions of an expansion's target file id, without building segments
 * (summaries need only these).
 */
export function expansionBranches(expansion: ExpansionRef): {
  readonly branches: readonly BranchRef[];
  readonly expansions: readonly ExpansionRef[];
} {
  const target = expansion.expandedFileId;
  const record = expansion.record;
  const branches: BranchRef[] = [];
  const expansions: ExpansionRef[] = [];
  const r = record.regions;
  for (let i = 0, o = 0; o < r.length; i++, o += CODE_STRIDE) {
    if (r[o + F_KIND] === KIND_EXPANSION && r[o + F_FILE_ID] === target) {
      expansions.push({ record, regionIndex: i, expandedFileId: r[o + F_EXPANDED_FILE_ID]! });
    }
  }
  const b = record.branches;
  for (let i = 0, o = 0; o < b.length; i++, o += BRANCH_STRIDE) {
    if (b[o + F_FILE_ID] === target) branches.push({ record, index: i });
  }
  return { branches, expansions };
}

/** Expansion view: regions and branches of the expansion's target file id. */
export function expansionView(expansion: ExpansionRef): CoverageView {
  const target = expansion.expandedFileId;
  const spans: CountedSpan[] = [];
  const branches: BranchRef[] = [];
  const expansions: ExpansionRef[] = [];
  collect(expansion.record, (id) => id === target, target, spans, branches, expansions);
  return {
    filename: expansion.record.filenames[target] ?? '',
    segments: buildSegments(spans),
    branches,
    expansions,
  };
}
