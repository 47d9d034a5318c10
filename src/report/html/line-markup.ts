/**
 * One source line as HTML: highlighted text cut at the line's coverage segments, with the parts
 * llvm-cov paints red (an uncovered region starting or continuing there) or cyan (an expansion) in
 * region spans, and navigation stops as empty focusable markers. Mirrors `renderLine` of
 * llvm/tools/llvm-cov/SourceCoverageViewHTML.cpp (LLVM 22): snippet 0 takes the wrapped segment's
 * colour, snippet i+1 the colour of segment i; a gap segment is red only right after red.
 */
import type { Segment } from '../../model/index.js';
import type { TextRun } from './highlight.js';
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
  /**
   * Cache of whole lines' run HTML by line index, shared by the views of one source (a line shown
   * in several sub-views is written once); with {@link lineIndex}.
   */
  readonly plainHtml?: (string | undefined)[];
  readonly lineIndex?: number;
}

type Colour = 'uncovered' | 'expansion' | undefined;

const SPECIAL = /[&<>"']/;

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  if (!SPECIAL.test(text)) return text;
  return text.replace(/[&<>"']/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      default:
        return '&#39;';
    }
  });
}

function isUncovered(segment: Segment | undefined, current: Colour): boolean {
  return (
    segment !== undefined &&
    (!segment.isGap || current === 'uncovered') &&
    segment.hasCount &&
    segment.count === 0n
  );
}

/** Opening and closing tags of a class stack (runs under the same scopes share the array). */
const spanTags = new WeakMap<readonly string[], readonly [string, string]>();

function tagsOf(classes: readonly string[]): readonly [string, string] {
  let tags = spanTags.get(classes);
  if (tags === undefined) {
    let open = '';
    for (const css of classes) open += `<span class="${escapeHtml(css)}">`;
    tags = [open, '</span>'.repeat(classes.length)];
    spanTags.set(classes, tags);
  }
  return tags;
}

/** Writes runs[from, to) (UTF-16 offsets into the line), escaped, inside their highlight spans. */
function runsHtml(runs: readonly TextRun[], from: number, to: number): string {
  let out = '';
  let offset = 0;
  for (const run of runs) {
    const end = offset + run.text.length;
    if (end > from && offset < to) {
      const text = escapeHtml(
        from <= offset && to >= end
          ? run.text
          : run.text.slice(Math.max(0, from - offset), Math.min(to, end) - offset),
      );
      if (run.classes.length === 0) out += text;
      else {
        const [open, close] = tagsOf(run.classes);
        out += open + text + close;
      }
    }
    offset = end;
    if (offset >= to) break;
  }
  return out;
}

/**
 * A whole line's runs as HTML (what a line without segments or stops shows, before its colour);
 * `length` is the line's length (UTF-16 units).
 */
export function renderRunsHtml(runs: readonly TextRun[], length: number): string {
  return runsHtml(runs, 0, length);
}

/** The line's HTML (our markup around escaped text). */
export function renderLineHtml(input: LineMarkupInput): string {
  const { source, runs, segments } = input;
  const length = source.text.length;
  if (segments.length === 0 && input.stops.length === 0) {
    // one snippet: the whole line in the wrapped segment's colour
    let html: string | undefined;
    const { plainHtml, lineIndex } = input;
    if (plainHtml !== undefined && lineIndex !== undefined) {
      html = plainHtml[lineIndex];
      if (html === undefined) plainHtml[lineIndex] = html = runsHtml(runs, 0, length);
    } else html = runsHtml(runs, 0, length);
    if (length === 0 || !isUncovered(input.wrapped, undefined)) return html;
    return `<span class="region uncovered">${html}</span>`;
  }
  // snippet boundaries: [0, seg0), [seg0, seg1), …, [segN-1, end)
  const bounds: number[] = [0];
  for (const segment of segments) {
    const offset = Math.min(length, columnOffset(source, segment.col));
    bounds.push(Math.max(bounds[bounds.length - 1]!, offset));
  }
  bounds.push(length);
  const colours: Colour[] = [];
  let colour: Colour = isUncovered(input.wrapped, undefined) ? 'uncovered' : undefined;
  colours.push(colour);
  for (const segment of segments) {
    if (isUncovered(segment, colour)) colour = 'uncovered';
    else if (segment.col === input.expansionColumn) colour = 'expansion';
    else colour = undefined;
    colours.push(colour);
  }
  const stops = input.stops.map((stop) => ({
    offset: Math.min(length, columnOffset(source, stop.column)),
    html: `<span class="stop" id="${stop.id}" tabindex="-1" data-line="${stop.line}" data-col="${stop.column}"></span>`,
  }));
  let nextStop = 0;
  let out = '';
  for (let i = 0; i < colours.length; i++) {
    let from = bounds[i]!;
    const to = bounds[i + 1]!;
    const open = colours[i] === undefined ? '' : `<span class="region ${colours[i]!}">`;
    const close = open === '' ? '' : '</span>';
    // markers before this snippet, then markers inside it (which split it)
    while (nextStop < stops.length && stops[nextStop]!.offset <= from) {
      out += stops[nextStop++]!.html;
    }
    while (nextStop < stops.length && stops[nextStop]!.offset < to) {
      const stop = stops[nextStop++]!;
      if (stop.offset > from) out += open + runsHtml(runs, from, stop.offset) + close;
      out += stop.html;
      from = stop.offset;
    }
    if (to > from) out += open + runsHtml(runs, from, to) + close;
  }
  while (nextStop < stops.length) out += stops[nextStop++]!.html;
  return out;
}
