/**
 * The file page's script (bundled for the browser into `cov-page.js`, loaded with `defer`): writes
 * the page's source table from the page's data ({@link PageData}) before the page's other script
 * sets up navigation. It runs the code the report's tests check against the built-in `lines`
 * partial (the same decoding, highlighting and line markup), so a page shows the same rows whether
 * they were written here or rendered from the view model.
 */
import core from 'highlight.js/lib/core';
import rust from 'highlight.js/lib/languages/rust';
import { highlightSource, useHighlightJs } from '../highlight.js';
import type { HighlightedSource } from '../highlighted-source.js';
import { renderPageLines } from './render-lines.js';
import { PAGE_DATA_ID, type PageData } from '../page-data.js';

useHighlightJs(core, rust);

function bytesOf(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const element = document.getElementById(PAGE_DATA_ID);
if (element !== null) {
  let html: string;
  try {
    const data = JSON.parse(element.textContent ?? 'null') as PageData;
    html = renderPageLines(data, (filename): HighlightedSource => {
      const base64 = data.sources[filename];
      return highlightSource(
        filename,
        base64 === null || base64 === undefined ? undefined : bytesOf(base64),
      );
    });
  } catch (error) {
    // a row that says so, rather than an empty table
    const cell = document.createElement('td');
    cell.colSpan = 3;
    cell.className = 'warning';
    cell.textContent = `cov: the source lines could not be shown: ${String(error)}`;
    const row = document.createElement('tr');
    row.append(cell);
    html = row.outerHTML;
  }
  element.insertAdjacentHTML('beforebegin', html);
  element.remove();
}
