/**
 * Helpers of the HTML report tests: an output folder's files (also as the browser shows them), and
 * restyled template copies.
 */
import { appendFileSync, cpSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { renderPageLines } from '../../src/report/html/client/render-lines.js';
import { highlightSource } from '../../src/report/html/highlight.js';
import { defaultTemplateDir } from '../../src/report/html/index.js';
import type { PageData } from '../../src/report/html/page-data.js';
import { PAGE_SCRIPT } from '../../src/report/html/write-html.js';

/** Every file under `dir` (relative path → bytes). */
export function readTree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (sub: string): void => {
    for (const entry of readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const name = path.join(sub, entry.name);
      if (entry.isDirectory()) walk(name);
      else files.set(name, readFileSync(path.join(dir, name)));
    }
  };
  walk('');
  return files;
}

/**
 * A copy of the built-in templates under `root` with a Handlebars comment added to `file`: the same
 * output, but no longer the built-in text (so the report takes its general paths for it).
 */
export function restyledTemplates(root: string, file: string): string {
  const dir = path.join(root, `templates-${file.replace(/\W+/g, '-')}`);
  cpSync(defaultTemplateDir(), dir, { recursive: true });
  appendFileSync(path.join(dir, file), '{{!-- a copy, restyled --}}');
  return dir;
}

const DATA_SCRIPT = /<script type="application\/json" id="cov-data">([^<]*)<\/script>/;

/**
 * `tree` (from {@link readTree}) as the browser shows it once the file pages' script has run: each
 * page's data element replaced by the rows the page script renders from it (the same code, run
 * here), and the page script itself left out. Pages without data are kept as they are.
 */
export function withPageLines(tree: ReadonlyMap<string, Buffer>): Map<string, Buffer> {
  const shown = new Map<string, Buffer>();
  for (const [name, bytes] of tree) {
    if (name === path.join('assets', PAGE_SCRIPT)) continue;
    const page = bytes.toString();
    const match = DATA_SCRIPT.exec(page);
    if (match === null) {
      shown.set(name, bytes);
      continue;
    }
    const data = JSON.parse(match[1]!) as PageData;
    const rows = renderPageLines(data, (filename) => {
      const base64 = data.sources[filename];
      return highlightSource(
        filename,
        typeof base64 === 'string' ? Buffer.from(base64, 'base64') : undefined,
      );
    });
    shown.set(
      name,
      Buffer.from(page.slice(0, match.index) + rows + page.slice(match.index + match[0].length)),
    );
  }
  return shown;
}
