/**
 * A source file as per-line HTML for pages that show the source without regions (the
 * `cov compare --html` view): decoded as the report does, highlighted as the report does, every
 * character escaped. An optional navigation stop may be put at the start of chosen lines.
 */
import { highlightLines, isRustSource } from './highlight.js';
import { renderLineHtml } from './line-markup.js';
import { decodeSource } from './source-text.js';

/** A source file as HTML lines. */
export interface SourceHtml {
  /** False when the bytes were unavailable (then `lines` is empty). */
  readonly available: boolean;
  /** Line `n` (1-based) is `lines[n - 1]`: our markup around escaped text. */
  readonly lines: readonly string[];
}

/**
 * Renders `bytes` (the content of `filename`, or undefined when unreadable) line by line.
 * @param stopLines lines (1-based) that get a navigation stop (`<span class="stop" id="stop-N">`)
 *   before their text, which the page script's next/previous buttons visit in order
 */
export function renderSourceHtml(
  filename: string,
  bytes: Uint8Array | undefined,
  stopLines: ReadonlySet<number> = new Set(),
): SourceHtml {
  if (bytes === undefined) return { available: false, lines: [] };
  const text = decodeSource(bytes);
  const runs = highlightLines(text.text, isRustSource(filename));
  const lines = text.lines.map((source, i) =>
    renderLineHtml({
      source,
      runs: runs[i] ?? [],
      segments: [],
      wrapped: undefined,
      expansionColumn: 0,
      stops: stopLines.has(i + 1) ? [{ column: 1, id: `stop-${i + 1}`, line: i + 1 }] : [],
    }),
  );
  return { available: true, lines };
}
