/**
 * A page's source table as HTML from its {@link PageData}: what the page script inserts, and what
 * the tests compare with the built-in `lines` partial. Each source is asked of `sourceOf` once.
 */
import type { HighlightedSource } from '../highlighted-source.js';
import { writeLinesHtml } from '../file-page.js';
import { HtmlString } from '../html-writer.js';
import { linesFromData, type PageData } from '../page-data.js';

/**
 * The rows of a page's source table (HTML, as the built-in `lines` partial renders them) from the
 * page's data, with the sources `sourceOf` gives for file names.
 */
export function renderPageLines(
  data: PageData,
  sourceOf: (filename: string) => HighlightedSource,
): string {
  const sources = new Map<string, HighlightedSource>();
  const out = new HtmlString();
  writeLinesHtml(out, linesFromData(data.lines), (filename) => {
    let source = sources.get(filename);
    if (source === undefined) {
      source = sourceOf(filename);
      sources.set(filename, source);
    }
    return source;
  });
  return out.text;
}
