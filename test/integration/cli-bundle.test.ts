/**
 * The bundled command line (`scripts/bundle-cli.mjs`, what `npm run build` installs as the `cov`
 * bin) run the way users run it: bundled from the current sources into a folder under dist/
 * (the bundle finds templates/ and the ptrace helper's source by walking up from itself), then
 * `cov --version` and `cov test --html` on a generated crate of 30 source files: with the built-in
 * templates (pages with data, the page script beside them), and with restyled ones (enough files
 * for the report to highlight them in its worker thread, which the bundle loads from a file of its
 * own).
 * Needs cargo with an instrumenting toolchain; skips with the reason otherwise.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { COV_CLI_ENTRY, REPO_ROOT } from '../helpers/cov-cli.js';
import { readTree, restyledTemplates, withPageLines } from '../helpers/html-tree.js';
import { missingReason, requireToolchain } from '../helpers/tools.js';

const missing = await missingReason([requireToolchain('stable')]);
const withCargo = missing === undefined ? test : test.skip;
const suffix = missing === undefined ? '' : ` (skipped: ${missing})`;

mkdirSync(join(REPO_ROOT, 'dist'), { recursive: true }); // not there before a first build
const bundleDir = mkdtempSync(join(REPO_ROOT, 'dist', 'test-bundle-'));
const work = mkdtempSync(join(tmpdir(), 'cov-bundle-'));

const { bundleCli } = (await import(join(REPO_ROOT, 'scripts/bundle-cli.mjs'))) as {
  bundleCli: (outdir: string) => Promise<string>;
};
test.after.always(() => {
  rmSync(bundleDir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});
let bundled = '';
test.before(async () => {
  bundled = await bundleCli(join(bundleDir, 'cli'));
});
const TSX = import.meta.resolve('tsx');

test('the bundle prints the version the sources print', async (t) => {
  const fromBundle = await execa(process.execPath, [bundled, '--version']);
  const fromSource = await execa(process.execPath, ['--import', TSX, COV_CLI_ENTRY, '--version']);
  t.regex(fromBundle.stdout, /^\d+\.\d+\.\d+$/);
  t.is(fromBundle.stdout, fromSource.stdout);
});

/**
 * A library crate of `count` modules, each with one function its test calls and `FILLER` it does
 * not: sources big enough that highlighting them takes the worker well past its start-up (the
 * main thread highlights whatever the worker has not reached, so tiny sources could all be
 * highlighted before the worker is up).
 */
const FILLER = 150;
function writeCrate(dir: string, count: number): void {
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(
    join(dir, 'Cargo.toml'),
    '[package]\nname = "many_files"\nversion = "0.1.0"\nedition = "2021"\n\n[lib]\npath = "src/lib.rs"\n',
  );
  const mods: string[] = [];
  for (let i = 0; i < count; i++) {
    mods.push(`pub mod m${i};`);
    const filler = Array.from(
      { length: FILLER },
      (_, k) =>
        `pub fn unused_${k}(x: u64) -> u64 {\n    let y = x.wrapping_mul(${k + 3});\n    y ^ (y >> 7)\n}\n`,
    );
    writeFileSync(
      join(dir, 'src', `m${i}.rs`),
      `/// Adds ${i}.\npub fn used(x: u32) -> u32 {\n    if x > 1000 {\n        return 0;\n    }\n    x + ${i}\n}\n\n${filler.join('\n')}\n#[test]\nfn calls_used() {\n    assert_eq!(used(1), ${i + 1});\n}\n`,
    );
  }
  writeFileSync(join(dir, 'src', 'lib.rs'), `${mods.join('\n')}\n`);
}

withCargo(
  `cov test --html from the bundle: pages with data and the page script; restyled, sources read in the worker${suffix}`,
  async (t) => {
    const crate = join(work, 'many-files');
    writeCrate(crate, 30);
    const out = join(work, 'html');
    const run = await execa(
      process.execPath,
      [bundled, 'test', '--html', out, '--verbose', '--no-save'],
      { cwd: crate, reject: false, env: { NO_COLOR: '1' } },
    );
    t.is(run.exitCode, 0, run.stderr.slice(-3000));
    t.regex(run.stderr, /html: 30 pages\n/);
    const tree = readTree(out);
    t.is([...tree.keys()].filter((f) => f.startsWith('files')).length, 30);
    t.true(tree.has(join('assets', 'cov-page.js')) && tree.has(join('assets', 'cov.js')));
    const m3 = [...tree.keys()].find((f) => f.includes('m3.rs'))!;
    t.regex(tree.get(m3)!.toString(), /<script type="application\/json" id="cov-data">/);
    // the rows the page script writes
    const page = withPageLines(tree).get(m3)!.toString();
    t.regex(page, /<span class="hljs-keyword">fn<\/span>/);
    t.regex(page, /class="line uncovered"/);

    // restyled templates: rows written here, from sources the bundled worker highlighted
    const restyled = restyledTemplates(work, 'file.hbs');
    const second = await execa(
      process.execPath,
      [
        bundled,
        'test',
        '--html',
        join(work, 'html2'),
        '--template-dir',
        restyled,
        '--verbose',
        '--no-save',
      ],
      { cwd: crate, reject: false, env: { NO_COLOR: '1' } },
    );
    t.is(second.exitCode, 0, second.stderr.slice(-3000));
    const worker = /html: (\d+) pages; (\d+) source files highlighted in a worker thread/.exec(
      second.stderr,
    );
    t.truthy(worker, second.stderr.slice(-3000));
    t.is(Number(worker![1]), 30);
    t.true(Number(worker![2]) > 0, second.stderr.slice(-3000));
    const restyledPage = readTree(join(work, 'html2')).get(m3)!.toString();
    t.regex(restyledPage, /<span class="hljs-keyword">fn<\/span>/);
  },
);
