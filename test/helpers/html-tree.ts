/** Helpers of the HTML report tests: an output folder's files, and restyled template copies. */
import { appendFileSync, cpSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultTemplateDir } from '../../src/report/html/index.js';

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
