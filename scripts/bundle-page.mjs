#!/usr/bin/env node
// Bundles the HTML report's file page script (src/report/html/client/page.ts, with highlight.js's
// core and rust grammar) for the browser into dist/html-client/cov-page.js; the report copies it
// beside its pages. Run by `npm run build` and before the tests.
//   node scripts/bundle-page.mjs [OUTFILE]
import { resolve, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Writes the page script to `outfile`; resolves to its path. */
export async function bundlePage(outfile = join(root, 'dist/html-client/cov-page.js')) {
  await build({
    absWorkingDir: root,
    entryPoints: ['src/report/html/client/page.ts'],
    outfile,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'inline',
    define: { 'import.meta.url': '""' },
    // highlight.ts requires highlight.js under Node; the page passes the bundled one instead
    plugins: [
      {
        name: 'no-node-module',
        setup(b) {
          b.onResolve({ filter: /^node:module$/ }, () => ({
            path: 'node:module',
            namespace: 'stub',
          }));
          b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
            contents:
              'export function createRequire() { return () => { throw new Error("no require here"); }; }',
            loader: 'js',
          }));
        },
      },
    ],
    logLevel: 'warning',
  });
  return outfile;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await bundlePage(process.argv[2] === undefined ? undefined : resolve(process.argv[2]));
}
