/**
 * A page's source table as HTML from its {@link PageData}: what the page script inserts, and what
 * the tests compare with the built-in `lines` partial. Each source is asked of `sourceOf` once.
 */
import type { HighlightedSource } from '../highlighted-source.js';
import { writeLinesHtml } from '../file-page.js';
import { HtmlText } from '../html-writer.js';
import { linesFromData, type PageData } from '../page-job.js';

export function renderPageLines(
  data: PageData,
  sourceOf: (filename: string) => HighlightedSource,
): string {
  const sources = new Map<string, HighlightedSource>();
  const out = new HtmlText();
  writeLinesHtml(out, linesFromData(data.lines), (filename) => {
    let source = sources.get(filename);
    if (source === undefined) {
      source = sourceOf(filename);
      sources.set(filename, source);
    }
    return source;
  });
  return out.toString();
}
