/**
 * The file view of the model (`fileView`, spec/formats.md §5.2) built for the HTML report with less
 * sorting: the same function compiled into several binaries has the same regions in each record,
 * so those lists are added together count by count (u64) before the segments are built, as
 * `buildSegments` itself would join them, and the sweep sorts one list per function instead of one
 * per record. Same segments, branches and expansions as `fileView` (same order).
 */
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
  buildSegments,
  mainFileId,
  type BranchRef,
  type CountedSpan,
  type CoverageSet,
  type CoverageView,
  type ExpansionRef,
} from '../../model/index.js';

const U64_MASK = (1n << 64n) - 1n;

/** Whether two span lists have the same locations and kinds, in the same order. */
export function sameLocations(a: readonly CountedSpan[], b: readonly CountedSpan[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (
      x.lineStart !== y.lineStart ||
      x.columnStart !== y.columnStart ||
      x.lineEnd !== y.lineEnd ||
      x.columnEnd !== y.columnEnd ||
      x.kind !== y.kind
    )
      return false;
  }
  return true;
}

/** Adds `from`'s counts into `into` (same locations), u64 wrap-around as `buildSegments` adds. */
export function addCounts(into: readonly CountedSpan[], from: readonly CountedSpan[]): void {
  for (let i = 0; i < into.length; i++) {
    const span = into[i]!;
    span.count = (span.count + from[i]!.count) & U64_MASK;
  }
}

/**
 * The file view of `filename`: every record's regions of the file ids that map to it, branches,
 * and the expansions of records whose main file it is.
 */
export function buildFileView(set: CoverageSet, filename: string): CoverageView {
  const branches: BranchRef[] = [];
  const expansions: ExpansionRef[] = [];
  // one list per distinct region list, by record name: [list, ...] (counts summed into the first)
  const lists = new Map<string, CountedSpan[][]>();
  const order: CountedSpan[][] = [];
  for (const index of set.recordsByFile.get(filename) ?? []) {
    const record = set.functions[index]!;
    const ids = record.filenames.map((f) => f === filename);
    const main = mainFileId(record);
    const mainInFile = main !== undefined && ids[main] === true ? main : -1;
    const spans: CountedSpan[] = [];
    const r = record.regions;
    for (let i = 0, o = 0; o < r.length; i++, o += CODE_STRIDE) {
      const fileId = r[o + F_FILE_ID]!;
      if (ids[fileId] !== true) continue;
      spans.push({
        lineStart: r[o + F_LINE_START]!,
        columnStart: r[o + F_COLUMN_START]!,
        lineEnd: r[o + F_LINE_END]!,
        columnEnd: r[o + F_COLUMN_END]!,
        kind: r[o + F_KIND]!,
        count: record.regionCounts[i]!,
      });
      if (r[o + F_KIND] === KIND_EXPANSION && fileId === mainInFile) {
        expansions.push({ record, regionIndex: i, expandedFileId: r[o + F_EXPANDED_FILE_ID]! });
      }
    }
    const b = record.branches;
    for (let i = 0, o = 0; o < b.length; i++, o += BRANCH_STRIDE) {
      if (ids[b[o + F_FILE_ID]!] === true) branches.push({ record, index: i });
    }
    if (spans.length === 0) continue;
    let same = lists.get(record.name);
    if (same === undefined) lists.set(record.name, (same = []));
    const twin = same.find((list) => sameLocations(list, spans));
    if (twin !== undefined) addCounts(twin, spans);
    else {
      same.push(spans);
      order.push(spans);
    }
  }
  return { filename, segments: buildSegments(order.flat()), branches, expansions };
}
