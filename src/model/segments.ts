/**
 * Segments: the sweep that turns nested counted regions into a sorted list of "from here on the count
 * is N" points, exactly as llvm-cov's SegmentBuilder does (spec/formats.md §5.3, LLVM 22).
 */
import { KIND_GAP, KIND_SKIPPED } from './function-record.js';

/** A code-like region with its evaluated count, as one view sees it. 1-based, end exclusive. */
export interface CountedSpan {
  readonly lineStart: number;
  readonly columnStart: number;
  readonly lineEnd: number;
  readonly columnEnd: number;
  /** Region kind: 0 code, 1 expansion, 2 skipped, 3 gap. */
  readonly kind: number;
  count: bigint;
}

/** A coverage segment: JSON `[line, col, count, hasCount, isRegionEntry, isGapRegion]`. */
export interface Segment {
  readonly line: number;
  readonly col: number;
  /** u64 count (0 when `hasCount` is false). */
  readonly count: bigint;
  readonly hasCount: boolean;
  readonly isRegionEntry: boolean;
  readonly isGap: boolean;
}

const U64_MASK = (1n << 64n) - 1n;

function compareLoc(lineA: number, colA: number, lineB: number, colB: number): number {
  return lineA !== lineB ? lineA - lineB : colA - colB;
}

function compareEnd(a: CountedSpan, b: CountedSpan): number {
  return compareLoc(a.lineEnd, a.columnEnd, b.lineEnd, b.columnEnd);
}

function compareSpans(a: CountedSpan, b: CountedSpan): number {
  return (
    compareLoc(a.lineStart, a.columnStart, b.lineStart, b.columnStart) ||
    compareEnd(b, a) ||
    a.kind - b.kind
  );
}

/**
 * Sorts `spans` in place by start ascending, then end descending, then kind ascending (stable), as
 * {@link sortAndCombineSpans} and {@link buildSegments} order them; a sorted list is left as it is.
 */
export function sortSpans(spans: CountedSpan[]): void {
  for (let i = 1; i < spans.length; i++) {
    if (compareSpans(spans[i - 1]!, spans[i]!) > 0) {
      spans.sort(compareSpans);
      return;
    }
  }
}

/**
 * Sorts `spans` (in place) by start ascending, then end descending, then kind ascending, and merges
 * spans with identical start and end: the first is kept and absorbs the count of each dropped span
 * of the same kind (u64 wrap-around). Returns the merged list.
 */
export function sortAndCombineSpans(spans: CountedSpan[]): CountedSpan[] {
  // rustc and clang mostly emit regions in order: a stable sort of a sorted list is the identity
  sortSpans(spans);
  const out: CountedSpan[] = [];
  let active: CountedSpan | undefined;
  // spans are copied only when they absorb another's count, so inputs are never modified
  let activeIsCopy = false;
  for (const span of spans) {
    if (
      active !== undefined &&
      active.lineStart === span.lineStart &&
      active.columnStart === span.columnStart &&
      active.lineEnd === span.lineEnd &&
      active.columnEnd === span.columnEnd
    ) {
      if (active.kind === span.kind) {
        if (!activeIsCopy) {
          active = { ...active };
          out[out.length - 1] = active;
          activeIsCopy = true;
        }
        active.count = (active.count + span.count) & U64_MASK;
      }
      continue;
    }
    active = span;
    activeIsCopy = false;
    out.push(active);
  }
  return out;
}

/**
 * Builds the segments of one view from its counted regions (any order; the array is not modified).
 * @returns segments sorted by (line, col)
 * @see spec/formats.md §5.3; llvm/lib/ProfileData/Coverage/CoverageMapping.cpp (SegmentBuilder)
 */
export function buildSegments(input: readonly CountedSpan[]): Segment[] {
  const regions = sortAndCombineSpans(input.slice());
  const segments: Segment[] = [];
  let active: CountedSpan[] = [];

  const emit = (
    region: CountedSpan,
    line: number,
    col: number,
    isRegionEntry: boolean,
    forceSkipped = false,
  ): void => {
    const hasCount = !forceSkipped && region.kind !== KIND_SKIPPED;
    const last = segments[segments.length - 1];
    if (last !== undefined && !isRegionEntry && !forceSkipped) {
      if (last.hasCount === hasCount && last.count === region.count && !last.isRegionEntry) return;
    }
    segments.push(
      hasCount
        ? {
            line,
            col,
            count: region.count,
            hasCount,
            isRegionEntry,
            isGap: region.kind === KIND_GAP,
          }
        : { line, col, count: 0n, hasCount, isRegionEntry, isGap: false },
    );
  };

  // locLine/locCol: where the next region starts; NaN when completing everything at the end
  const completeUntil = (locLine: number, locCol: number, firstCompleted: number): void => {
    const completed = active.slice(firstCompleted);
    // stable sort by end location (Array.prototype.sort is stable)
    completed.sort(compareEnd);
    for (let i = 0; i < completed.length; i++) active[firstCompleted + i] = completed[i]!;
    for (let i = firstCompleted + 1; i < active.length; i++) {
      let region = active[i]!;
      const previous = active[i - 1]!;
      const atLine = previous.lineEnd;
      const atCol = previous.columnEnd;
      if (atLine === locLine && atCol === locCol) break;
      if (atLine === region.lineEnd && atCol === region.columnEnd) continue;
      for (let j = i + 1; j < active.length; j++) {
        if (compareEnd(region, active[j]!) === 0) region = active[j]!;
      }
      emit(region, atLine, atCol, false);
    }
    const last = active[active.length - 1]!;
    const lastEndIsLoc = last.lineEnd === locLine && last.columnEnd === locCol;
    if (firstCompleted > 0 && !lastEndIsLoc) {
      emit(active[firstCompleted - 1]!, last.lineEnd, last.columnEnd, false);
    } else if (firstCompleted === 0 && !lastEndIsLoc) {
      emit(last, last.lineEnd, last.columnEnd, false, true);
    }
    active.length = firstCompleted;
  };

  for (let index = 0; index < regions.length; index++) {
    const region = regions[index]!;
    const line = region.lineStart;
    const col = region.columnStart;
    let anyDone = false;
    for (let i = 0; i < active.length; i++) {
      const a = active[i]!;
      if (compareLoc(a.lineEnd, a.columnEnd, line, col) <= 0) {
        anyDone = true;
        break;
      }
    }
    if (anyDone) {
      // stable partition: regions still open stay in front, completed ones move to the back
      const open: CountedSpan[] = [];
      const done: CountedSpan[] = [];
      for (const a of active) {
        if (compareLoc(a.lineEnd, a.columnEnd, line, col) <= 0) done.push(a);
        else open.push(a);
      }
      active = open.concat(done);
      completeUntil(line, col, open.length);
    }
    const isGap = region.kind === KIND_GAP;
    if (line === region.lineEnd && col === region.columnEnd) {
      const skipped = index + 1 === regions.length || region.kind === KIND_SKIPPED;
      const top = active[active.length - 1];
      emit(top ?? region, line, col, !isGap, skipped);
      if (skipped && top !== undefined) emit(top, line, col, false);
      continue;
    }
    const next = regions[index + 1];
    if (next === undefined || next.lineStart !== line || next.columnStart !== col) {
      emit(region, line, col, !isGap);
    }
    active.push(region);
  }
  if (active.length > 0) completeUntil(NaN, NaN, 0);
  return segments;
}
