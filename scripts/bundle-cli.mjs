#!/usr/bin/env node
// Bundles the `cov` command line (src/cli/main.ts) and the HTML report's source worker into
// dist/cli/ with esbuild: `cov` then starts from a few files instead of about 190 modules
// (measured: importing the CLI takes ~75 ms instead of ~195 ms). The library (`main` in
// package.json, dist/src/ from tsc) is not bundled.
//   node scripts/bundle-cli.mjs [OUTDIR]      (default dist/cli)
// The output must stay inside the package, a few folders below its root at most: the bundle finds
// `templates/` and the ptrace helper's C source by walking up from its own file, and loads the
// worker from `./source-worker.js` beside the chunk that starts it. handlebars and highlight.js stay outside
// (loaded with createRequire from node_modules, only by `--html`).
import { chmodSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Writes the bundle into `outdir`; resolves to the path of its `main.js`. */
export async function bundleCli(outdir = join(root, 'dist/cli')) {
  rmSync(outdir, { recursive: true, force: true }); // chunk names change with their contents
  await build({
    absWorkingDir: root,
    entryPoints: {
      main: 'src/cli/main.ts',
      'source-worker': 'src/report/html/source-worker.ts',
    },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    chunkNames: 'chunk-[hash]',
    external: ['handlebars', 'highlight.js'],
    // CommonJS dependencies (picocolors, lz4js) call require(); ESM output has none of its own
    banner: {
      js: "import { createRequire as __covCreateRequire } from 'node:module'; const require = __covCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  const main = join(outdir, 'main.js');
  chmodSync(main, 0o755);
  return main;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await bundleCli(process.argv[2] === undefined ? undefined : resolve(process.argv[2]));
}
