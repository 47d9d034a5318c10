/**
 * One source line as HTML: highlighted text cut at the line's coverage segments, with the parts
 * llvm-cov paints red (an uncovered region starting or continuing there) or cyan (an expansion) in
 * region spans, and navigation stops as empty focusable markers. Mirrors `renderLine` of
 * llvm/tools/llvm-cov/SourceCoverageViewHTML.cpp (LLVM 22): snippet 0 takes the wrapped segment's
 * colour, snippet i+1 the colour of segment i; a gap segment is red only right after red.
 */
import type { Segment } from '../../model/index.js';
import type { TextRun } from './highlight.js';
import { packHighlight, writeRuns, type HighlightedSource } from './highlighted-source.js';
import { HtmlWriter, type HtmlOut } from './html-writer.js';

export { escapeHtml } from './html-writer.js';
import { columnOffset, type SourceLine } from './source-text.js';

/** A navigation stop on this line: marker inserted before byte column `column`. */
export interface LineStop {
  readonly column: number;
  readonly id: string;
  readonly line: number;
}

/** What {@link renderLineHtml} paints. */
export interface LineMarkupInput {
  readonly source: SourceLine;
  readonly runs: readonly TextRun[];
  /** Segments starting on this line, in order. */
  readonly segments: readonly Segment[];
  /** Last segment of the nearest earlier line that has segments. */
  readonly wrapped: Segment | undefined;
  /** Start column of the first expansion region on this line, or 0. */
  readonly expansionColumn: number;
  readonly stops: readonly LineStop[];
}

type Colour = 'uncovered' | 'expansion' | undefined;

function isUncovered(segment: Segment | undefined, current: Colour): boolean {
  return (
    segment !== undefined &&
    (!segment.isGap || current === 'uncovered') &&
    segment.hasCount &&
    segment.count === 0n
  );
}

const EMPTY_LINE: SourceLine = { text: '', bytes: undefined };
const OPEN_UNCOVERED = '<span class="region uncovered">';
const OPEN_EXPANSION = '<span class="region expansion">';
/** Scratch lists of {@link writeLineCode} (one line at a time). */
const bounds: number[] = [];
const colours: Colour[] = [];
const stopOffsets: number[] = [];

function writeStop(writer: HtmlOut, stop: LineStop): void {
  writer.raw('<span class="stop" id="');
  writer.raw(stop.id);
  writer.raw('" tabindex="-1" data-line="');
  writer.int(stop.line);
  writer.raw('" data-col="');
  writer.int(stop.column);
  writer.raw('"></span>');
}

function writeSnippet(
  writer: HtmlOut,
  source: HighlightedSource,
  index: number,
  text: string,
  colour: Colour,
  from: number,
  to: number,
): void {
  if (colour !== undefined) writer.raw(colour === 'uncovered' ? OPEN_UNCOVERED : OPEN_EXPANSION);
  writeRuns(writer, source, index, text, from, to);
  if (colour !== undefined) writer.raw('</span>');
}

/**
 * Writes the code cell of line `index` (0-based) of `source`: its runs cut at the segments
 * `segments[from, to)` (those starting on the line), coloured, with `stops` (in column order).
 * @param wrapped last segment of the nearest earlier line that has segments
 * @param expansionColumn start column of the first expansion region on the line, or 0
 */
export function writeLineCode(
  writer: HtmlOut,
  source: HighlightedSource,
  index: number,
  segments: readonly Segment[],
  from: number,
  to: number,
  wrapped: Segment | undefined,
  expansionColumn: number,
  stops: readonly LineStop[],
): void {
  const line = source.text.lines[index] ?? EMPTY_LINE;
  const length = line.text.length;
  if (from === to && stops.length === 0) {
    // one snippet: the whole line in the wrapped segment's colour
    if (length === 0 || index + 1 >= source.plainStart.length) return;
    const uncovered = isUncovered(wrapped, undefined);
    if (uncovered) writer.raw(OPEN_UNCOVERED);
    writer.rawRange(source.plainHtml, source.plainStart[index]!, source.plainStart[index + 1]!);
    if (uncovered) writer.raw('</span>');
    return;
  }
  // snippet boundaries: [0, seg0), [seg0, seg1), …, [segN-1, end)
  bounds.length = 0;
  colours.length = 0;
  stopOffsets.length = 0;
  bounds.push(0);
  for (let s = from; s < to; s++) {
    const offset = Math.min(length, columnOffset(line, segments[s]!.col));
    bounds.push(Math.max(bounds[bounds.length - 1]!, offset));
  }
  bounds.push(length);
  let colour: Colour = isUncovered(wrapped, undefined) ? 'uncovered' : undefined;
  colours.push(colour);
  for (let s = from; s < to; s++) {
    const segment = segments[s]!;
    if (isUncovered(segment, colour)) colour = 'uncovered';
    else if (segment.col === expansionColumn) colour = 'expansion';
    else colour = undefined;
    colours.push(colour);
  }
  for (const stop of stops) stopOffsets.push(Math.min(length, columnOffset(line, stop.column)));
  let nextStop = 0;
  for (let i = 0; i < colours.length; i++) {
    let start = bounds[i]!;
    const end = bounds[i + 1]!;
    // markers before this snippet, then markers inside it (which split it)
    while (nextStop < stops.length && stopOffsets[nextStop]! <= start) {
      writeStop(writer, stops[nextStop++]!);
    }
    while (nextStop < stops.length && stopOffsets[nextStop]! < end) {
      const offset = stopOffsets[nextStop]!;
      if (offset > start) writeSnippet(writer, source, index, line.text, colours[i], start, offset);
      writeStop(writer, stops[nextStop++]!);
      start = offset;
    }
    if (end > start) writeSnippet(writer, source, index, line.text, colours[i], start, end);
  }
  while (nextStop < stops.length) writeStop(writer, stops[nextStop++]!);
}

let scratch: HtmlWriter | undefined;

/** The line's HTML (our markup around escaped text). */
export function renderLineHtml(input: LineMarkupInput): string {
  const text = { text: input.source.text, lines: [input.source] };
  const source: HighlightedSource = {
    available: true,
    text,
    ...packHighlight(text, [input.runs]),
  };
  scratch ??= new HtmlWriter(1024);
  scratch.reset();
  writeLineCode(
    scratch,
    source,
    0,
    input.segments,
    0,
    input.segments.length,
    input.wrapped,
    input.expansionColumn,
    input.stops,
  );
  return scratch.textFrom(0);
}
