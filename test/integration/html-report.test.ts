/**
 * The HTML report on fixture crates: the view models against golden files (paths normalised to
 * `<root>`, the creation time injected, page hashes and mangled names masked; `UPDATE_GOLDEN=1`
 * rewrites them), the totals of the index page against `llvm-cov-22 export` and our summary
 * table, and the pages written by code (built-in templates) against the pages Handlebars renders
 * from the same templates. Needs cargo and llvm-22; skips with the reason otherwise.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { loadCoverage } from '../../src/cli/load.js';
import type { CoverageSet } from '../../src/model/index.js';
import {
  buildFilePageModel,
  buildIndexModel,
  defaultTemplateDir,
  loadTemplates,
  planHtmlReport,
  startSourcePool,
  writeHtmlReport,
} from '../../src/report/html/index.js';
import { prepareReportFiles, renderSummaryTable } from '../../src/report/index.js';
import { buildFixture } from '../helpers/fixture-build.js';
import { readTree, restyledTemplates, withPageLines } from '../helpers/html-tree.js';
import { buildOptions, findFixture } from '../helpers/fixture-catalog.js';
import { runOracle } from '../helpers/oracle.js';
import {
  LLVM_COV,
  LLVM_PROFDATA,
  missingReason,
  requireTool,
  requireToolchain,
} from '../helpers/tools.js';

const GOLDEN_DIR = path.resolve(import.meta.dirname, '../fixtures/golden/html');
const CREATED_AT = '2026-01-02T03:04:05.000Z';
const missing = await missingReason([
  requireToolchain('stable'),
  requireTool(LLVM_COV),
  requireTool(LLVM_PROFDATA),
]);
const nightlyMissing = await missingReason([
  requireToolchain('nightly'),
  requireTool(LLVM_COV),
  requireTool(LLVM_PROFDATA),
]);
const withTools = missing === undefined ? test : test.skip;
const suffix = missing === undefined ? '' : ` (skipped: ${missing})`;

async function loadFixture(name: string): Promise<{
  set: CoverageSet;
  root: string;
  objects: readonly string[];
  profraws: readonly string[];
  cacheDir: string;
}> {
  const build = await buildFixture(name, buildOptions(findFixture(name)));
  const set = await loadCoverage({
    objects: build.binaries,
    profiles: [build.profrawDir],
    toolchain: 'rustc (fixture)',
  });
  return {
    set: { ...set, metadata: { ...set.metadata, createdAt: CREATED_AT } },
    root: build.workDir,
    objects: build.binaries,
    profraws: build.profraws,
    cacheDir: build.cacheDir,
  };
}

function normalise(model: unknown, root: string): unknown {
  const text = JSON.stringify(model, null, 1)
    .split(root)
    .join('<root>')
    .replace(/-[0-9a-f]{16}\.html/g, '-<hash>.html')
    .replace(/"mangledName": "[^"]*"/g, '"mangledName": "<mangled>"');
  return JSON.parse(text);
}

async function checkGolden(
  t: import('ava').ExecutionContext,
  name: string,
  actual: unknown,
): Promise<void> {
  const file = path.join(GOLDEN_DIR, `${name}.json`);
  const text = `${JSON.stringify(actual, null, 1)}\n`;
  if (process.env['UPDATE_GOLDEN'] === '1') {
    await mkdir(GOLDEN_DIR, { recursive: true });
    await writeFile(file, text);
    t.log(`rewrote ${file}`);
  }
  const expected = JSON.parse(await readFile(file, 'utf8')) as unknown;
  t.deepEqual(actual, expected, `view model differs from ${file} (UPDATE_GOLDEN=1 rewrites it)`);
}

for (const fixture of ['generics', 'basics']) {
  withTools(`${fixture}: view models equal the golden files${suffix}`, async (t) => {
    t.timeout(20 * 60_000);
    const { set, root } = await loadFixture(fixture);
    const report = prepareReportFiles(set, () => true);
    const plan = planHtmlReport(set, report);
    const index = buildIndexModel({
      report,
      header: plan.headerAt(0),
      metrics: plan.metrics,
      rootName: plan.rootName,
      displayNameOf: plan.displayNameOf,
      hrefOf: plan.pagePathOf,
    });
    await checkGolden(t, `${fixture}-index`, normalise(index, root));
    for (const file of report.files) {
      const page = buildFilePageModel({
        set,
        file,
        displayName: plan.displayNameOf(file.filename),
        header: plan.headerAt(1),
        metrics: plan.metrics,
        readSource: (name) => {
          try {
            return readFileSync(name);
          } catch {
            return undefined;
          }
        },
        displayNameOf: plan.displayNameOf,
      });
      const stem = plan.displayNameOf(file.filename).replace(/[^A-Za-z0-9]+/g, '-');
      await checkGolden(t, `${fixture}-file-${stem}`, normalise(page, root));
    }
  });
}

interface ExportTotals {
  data: {
    totals: Record<
      'regions' | 'functions' | 'lines' | 'branches',
      { count: number; covered: number }
    >;
  }[];
}

for (const fixture of ['generics', 'basics', 'macros', 'workspace', 'nightly-branch']) {
  const reason = fixture === 'nightly-branch' ? nightlyMissing : missing;
  (reason === undefined ? test : test.skip)(
    `${fixture}: HTML totals equal llvm-cov-22 and the summary table${reason === undefined ? '' : ` (skipped: ${reason})`}`,
    async (t) => {
      t.timeout(20 * 60_000);
      const { set, objects, profraws, cacheDir } = await loadFixture(fixture);
      const report = prepareReportFiles(set, () => true);
      const plan = planHtmlReport(set, report);
      const index = buildIndexModel({
        report,
        header: plan.headerAt(0),
        metrics: plan.metrics,
        rootName: plan.rootName,
        displayNameOf: plan.displayNameOf,
        hrefOf: plan.pagePathOf,
      });
      const oracle = await runOracle({ binaries: objects, profraws, format: 'json', cacheDir });
      const llvm = (JSON.parse(oracle.text) as ExportTotals).data[0]!.totals;
      const table = renderSummaryTable(report).trimEnd().split('\n').pop()!.trim().split(/\s+/);
      // TOTAL regions missed cover functions missed executed lines missed cover branches missed cover
      const fromTable = {
        regions: Number(table[1]),
        functions: Number(table[4]),
        lines: Number(table[7]),
        branches: Number(table[10]),
      };
      for (const key of ['regions', 'functions', 'lines', 'branches'] as const) {
        const cell = index.totals.find((c) => c.key === key);
        if (llvm[key].count === 0) {
          t.is(cell, undefined, `${key}: no data, so no column`);
          continue;
        }
        t.truthy(cell, `${key} column present`);
        t.is(cell!.count, llvm[key].count, `${key} count vs llvm-cov`);
        t.is(cell!.covered, llvm[key].covered, `${key} covered vs llvm-cov`);
        t.is(cell!.count, fromTable[key], `${key} count vs summary table`);
        t.is(cell!.percentText, `${((llvm[key].covered / llvm[key].count) * 100).toFixed(2)}%`);
      }
    },
  );
}

const HOSTILE_TAIL = Buffer.concat([
  Buffer.from(`\n// <script>alert("src")</script> {{constructor}} '" \` = </td> &amp;\n`),
  Buffer.from([0xff, 0xfe, 0x3c, 0x62, 0x3e, 0x0a]), // invalid UTF-8, then "<b>"
  Buffer.from('let s = "\u{1F600} é"; /* unterminated'),
]);

for (const fixture of ['generics', 'basics', 'macros']) {
  withTools(
    `${fixture}: pages written by code equal the pages Handlebars renders from the templates${suffix}`,
    async (t) => {
      t.timeout(20 * 60_000);
      const { set } = await loadFixture(fixture);
      const report = prepareReportFiles(set, () => true);
      const root = mkdtempSync(path.join(tmpdir(), 'cov-html-paths-'));
      try {
        // lines.hbs changed: every page through Handlebars; file.hbs changed: line models and the
        // code-rendered lines partial; neither: the page writer
        const handlebars = restyledTemplates(root, 'partials/lines.hbs');
        const lineModels = restyledTemplates(root, 'file.hbs');
        t.truthy(loadTemplates(defaultTemplateDir()).fileSkeleton);
        t.is(loadTemplates(handlebars).fileSkeleton, undefined);
        t.is(loadTemplates(lineModels).fileSkeleton, undefined);
        const hostile = (name: string): Uint8Array | undefined => {
          try {
            return Buffer.concat([readFileSync(name), HOSTILE_TAIL]);
          } catch {
            return undefined;
          }
        };
        const write = async (name: string, options: object): Promise<Map<string, Buffer>> => {
          const outputDir = path.join(root, name);
          await writeHtmlReport(set, report, { outputDir, ...options });
          return readTree(outputDir);
        };
        // the built-in templates: pages with data, whose rows the page script writes
        const fast = withPageLines(await write('fast', {}));
        t.true(fast.size > 3);
        const pages = [...fast.values()].map((bytes) => bytes.toString()).join('');
        if (fixture === 'generics') t.true(pages.includes('<details class="instantiation"'));
        t.true(pages.includes('<span class="stop"'));
        // a restyled file.hbs: line models, with sources from the worker thread
        const pool = startSourcePool();
        pool.prefetch(report.files.map((f) => f.filename));
        for (const [name, options] of [
          ['handlebars', { templateDir: handlebars }],
          ['line-models', { templateDir: lineModels, sources: pool }],
        ] as const) {
          const other = await write(name, options).finally(() => {
            if (name === 'line-models') pool.close();
          });
          t.deepEqual([...other.keys()].sort(), [...fast.keys()].sort());
          for (const [file, bytes] of fast)
            t.true(bytes.equals(other.get(file)!), `${name}: ${file}`);
        }
        // hostile source text
        const hostileData = await write('fast-hostile', { readSource: hostile });
        for (const [file, bytes] of hostileData) {
          if (file.startsWith('files')) t.false(bytes.toString().includes('<script>alert'), file);
        }
        const fastHostile = withPageLines(hostileData);
        const slowHostile = await write('handlebars-hostile', {
          readSource: hostile,
          templateDir: handlebars,
        });
        for (const [file, bytes] of fastHostile) {
          t.true(bytes.equals(slowHostile.get(file)!), `hostile: ${file}`);
        }
        const page = [...fastHostile].find(([file]) => file.startsWith('files'))![1].toString();
        t.false(page.includes('<script>alert'));
        t.true(page.includes('&lt;script&gt;alert'));
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  );
}
