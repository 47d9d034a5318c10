/**
 * Per-line execution counts derived from segments, as llvm-cov's LineCoverageStats computes them
 * (spec/formats.md §5.4): used for DA lines, line summaries and every line-level view.
 */
import type { Segment } from './segments.js';

/** Coverage of one source line. */
export interface LineCount {
  /** 1-based line number. */
  readonly line: number;
  /** False for lines no region maps (blank, skipped, after a count-less segment). */
  readonly mapped: boolean;
  /** u64 count; 0 when unmapped. */
  readonly count: bigint;
  /** More than one region starts on the line (used to mark partial lines). */
  readonly hasMultipleRegions: boolean;
  /**
   * Counted, non-gap segments in effect somewhere on the line: the one wrapped from an earlier line
   * (unless a segment starts at column 1) and those starting on the line. Codecov's partial lines.
   */
  readonly segmentsOnLine: number;
  /** How many of {@link segmentsOnLine} have a zero count: > 0 on a covered line = partial. */
  readonly uncoveredSegmentsOnLine: number;
}

/**
 * Walks lines from `firstLine` (llvm-cov's LCOV export starts at 1, summaries at the first segment's
 * line) through the line of the last segment and calls `visit` for each line.
 */
export function forEachLineCount(
  segments: readonly Segment[],
  firstLine: number | undefined,
  visit: (line: LineCount) => void,
): void {
  if (segments.length === 0) return;
  let line = firstLine ?? segments[0]!.line;
  let next = 0;
  let wrapped: Segment | undefined;
  let previousLineLast: Segment | undefined;
  while (next < segments.length) {
    if (previousLineLast !== undefined) wrapped = previousLineLast;
    const lineStart = next;
    while (next < segments.length && segments[next]!.line === line) next++;
    previousLineLast = next > lineStart ? segments[next - 1] : undefined;
    visit(computeLine(segments, lineStart, next, wrapped, line));
    line++;
  }
}

function isStartOfRegion(segment: Segment): boolean {
  return !segment.isGap && segment.hasCount && segment.isRegionEntry;
}

function computeLine(
  segments: readonly Segment[],
  from: number,
  to: number,
  wrapped: Segment | undefined,
  line: number,
): LineCount {
  let regionStarts = 0;
  let anyCountedEntry = false;
  for (let i = from; i < to; i++) {
    const segment = segments[i]!;
    if (isStartOfRegion(segment)) regionStarts++;
    if (segment.isRegionEntry && segment.hasCount) anyCountedEntry = true;
  }
  const first = from < to ? segments[from] : undefined;
  const startOfSkipped = first !== undefined && !first.hasCount && first.isRegionEntry;
  let mapped = !startOfSkipped && ((wrapped !== undefined && wrapped.hasCount) || regionStarts > 0);
  mapped ||= anyCountedEntry;
  let segmentsOnLine = 0;
  let uncoveredSegmentsOnLine = 0;
  const wrappedOnLine = wrapped !== undefined && (first === undefined || first.col > 1);
  for (let i = wrappedOnLine ? from - 1 : from; i < to; i++) {
    const segment = i < from ? wrapped! : segments[i]!;
    if (!segment.hasCount || segment.isGap) continue;
    segmentsOnLine++;
    if (segment.count === 0n) uncoveredSegmentsOnLine++;
  }
  const hasMultipleRegions = regionStarts > 1;
  if (!mapped) {
    return {
      line,
      mapped,
      count: 0n,
      hasMultipleRegions,
      segmentsOnLine,
      uncoveredSegmentsOnLine,
    };
  }
  let count = wrapped !== undefined ? wrapped.count : 0n;
  if (regionStarts > 0) {
    for (let i = from; i < to; i++) {
      const segment = segments[i]!;
      if (isStartOfRegion(segment) && segment.count > count) count = segment.count;
    }
  }
  return { line, mapped, count, hasMultipleRegions, segmentsOnLine, uncoveredSegmentsOnLine };
}

/** All line counts of a view starting at `firstLine` (see {@link forEachLineCount}). */
export function lineCounts(segments: readonly Segment[], firstLine?: number): LineCount[] {
  const out: LineCount[] = [];
  forEachLineCount(segments, firstLine, (l) => out.push(l));
  return out;
}
