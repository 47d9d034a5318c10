/**
 * The HTML report in a real browser (Debian `chromium` driven by playwright-core, file:// URLs):
 * the index sorts and filters, `n`/`p` land on uncovered regions that the summaries counted, an
 * instantiation sub-view expands, a hostile file name and source text render as text without
 * running a script, and a file page says why it shows no lines when its data is broken or
 * JavaScript is off. Screenshots of the index and a file page (light and dark) go to
 * `test-artifacts/`. Skips with the reason when chromium, cargo or llvm-22 is missing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import test from 'ava';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadCoverage } from '../../src/cli/load.js';
import {
  CODE_STRIDE,
  F_COLUMN_START,
  F_FILE_ID,
  F_KIND,
  F_LINE_START,
  KIND_CODE,
  createCoverageSet,
  type CoverageSet,
  type FunctionRecord,
} from '../../src/model/index.js';
import { planHtmlReport, writeHtmlReport } from '../../src/report/html/index.js';
import { prepareReportFiles } from '../../src/report/index.js';
import { buildFixture } from '../helpers/fixture-build.js';
import { REPO_ROOT } from '../helpers/cov-cli.js';
import { missingReason, requireToolchain } from '../helpers/tools.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');
const HOSTILE_NAME = `<script>alert(1)</script>{{x}}'"-q.rs`;
const HOSTILE_SOURCE_TAIL = Buffer.concat([
  Buffer.from(`\n// <script>alert("src")</script> {{constructor}} '" </td>\n`),
  Buffer.from([0xff, 0xfe, 0x3c, 0x62, 0x3e, 0x0a]), // invalid UTF-8 then "<b>"
]);

const toolsMissing = await missingReason([requireToolchain('stable')]);
const reason = !existsSync(CHROMIUM) ? `${CHROMIUM} not installed` : toolsMissing;
const browserTest = reason === undefined ? test.serial : test.serial.skip;
const note = reason === undefined ? '' : ` (skipped: ${reason})`;

interface Report {
  readonly set: CoverageSet;
  readonly dir: string;
  readonly pageOf: (filename: string) => string;
  readonly genericsFile: string;
  readonly hostileFile: string;
}

let browser: Browser | undefined;
let prepared: Promise<Report> | undefined;

async function prepare(): Promise<Report> {
  const [basics, generics] = await Promise.all([buildFixture('basics'), buildFixture('generics')]);
  const load = (b: typeof basics) =>
    loadCoverage({ objects: b.binaries, profiles: [b.profrawDir], toolchain: 'rustc (fixture)' });
  const [basicsSet, genericsSet] = await Promise.all([load(basics), load(generics)]);
  const genericsFile = path.join(generics.workDir, 'src', 'lib.rs');
  // the generics records once more, under a hostile file name in another folder
  const hostileFile = path.join(generics.workDir, 'evil', HOSTILE_NAME);
  const hostileRecords: FunctionRecord[] = genericsSet.functions.map((record) => ({
    ...record,
    name: `${record.name}_hostile`,
    filenames: record.filenames.map((f) => (f === genericsFile ? hostileFile : f)),
  }));
  const set = createCoverageSet(
    [...basicsSet.functions, ...genericsSet.functions, ...hostileRecords],
    [],
    { ...genericsSet.metadata, createdAt: '2026-01-02T03:04:05.000Z' },
  );
  const report = prepareReportFiles(set, () => true);
  const dir = path.join(ARTIFACTS, 'html-report');
  await rm(dir, { recursive: true, force: true });
  const genericsBytes = await readFile(genericsFile);
  await writeHtmlReport(set, report, {
    outputDir: dir,
    readSource: (filename) => {
      if (filename === hostileFile) return Buffer.concat([genericsBytes, HOSTILE_SOURCE_TAIL]);
      return existsSync(filename) ? readFileSync(filename) : undefined;
    },
  });
  const plan = planHtmlReport(set, report);
  return {
    set,
    dir,
    pageOf: (filename) => pathToFileURL(path.join(dir, plan.pagePathOf(filename))).href,
    genericsFile,
    hostileFile,
  };
}

async function setup(): Promise<{ report: Report; browser: Browser }> {
  prepared ??= prepare();
  browser ??= await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return { report: await prepared, browser };
}

test.after.always(async () => {
  await browser?.close();
});

/** Opens `url`; collects page errors, dialogs and console errors into `problems`. */
async function open(
  b: Browser,
  url: string,
  problems: string[],
  colorScheme: 'light' | 'dark' = 'light',
): Promise<Page> {
  const page = await b.newPage({ viewport: { width: 1280, height: 860 }, colorScheme });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  await page.goto(url);
  return page;
}

browserTest(
  `index sorts by a metric and by name, filters by name and level, folds folders${note}`,
  async (t) => {
    t.timeout(20 * 60_000);
    const { report, browser: b } = await setup();
    const problems: string[] = [];
    const page = await open(b, pathToFileURL(path.join(report.dir, 'index.html')).href, problems);
    await page.click('#view-flat');
    t.true(await page.isVisible('#flat'));
    t.false(await page.isVisible('#tree'));
    const linesColumn = await page.$$eval('#flat thead th', (ths) =>
      ths.findIndex((th) => th.textContent === 'Lines'),
    );
    t.true(linesColumn > 0, 'a Lines column');
    const values = (): Promise<number[]> =>
      page.$$eval(
        '#flat tbody tr',
        (rows, column) => rows.map((r) => Number(r.children[column]!.getAttribute('data-value'))),
        linesColumn,
      );
    await page.click(`#flat thead th:nth-child(${linesColumn + 1})`);
    const ascending = await values();
    t.deepEqual(
      ascending,
      [...ascending].sort((a, b) => a - b),
    );
    await page.click(`#flat thead th:nth-child(${linesColumn + 1})`);
    const descending = await values();
    t.deepEqual(
      descending,
      [...ascending].sort((a, b) => b - a),
    );
    t.not(ascending.join(), descending.join(), 'the files differ in line coverage');
    await page.click('#flat thead th:nth-child(1)');
    const names = await page.$$eval('#flat tbody tr', (rows) =>
      rows.map((r) => r.getAttribute('data-name')!.toLowerCase()),
    );
    t.deepEqual(names, [...names].sort());

    await page.fill('#filter', 'shapes');
    const visible = (): Promise<string[]> =>
      page.$$eval('#flat tbody tr:not([hidden])', (rows) =>
        rows.map((r) => r.getAttribute('data-path')!),
      );
    t.true((await visible()).every((p) => p.includes('shapes')));
    t.is((await visible()).length, 1);
    t.is(await page.textContent('#shown'), '1 file');
    await page.fill('#filter', '');
    await page.selectOption('#level', 'high');
    const levels = await page.$$eval('#flat tbody tr:not([hidden])', (rows) =>
      rows.map((r) => r.getAttribute('data-level')),
    );
    t.true(levels.length > 0 && levels.every((l) => l === 'high'));
    await page.selectOption('#level', '');

    await page.click('#view-tree');
    const dirButton = page.locator('#tree tr.dir button.toggle').first();
    const dirRow = await dirButton.evaluate((b) => b.closest('tr')!.id);
    const childSelector = `#tree tr[data-parent="${dirRow}"]`;
    t.true(await page.locator(childSelector).first().isVisible());
    await dirButton.click();
    t.false(await page.locator(childSelector).first().isVisible(), 'folded folder hides its rows');
    await dirButton.click();
    t.true(await page.locator(childSelector).first().isVisible());

    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'html-index-light.png') });
    await page.close();
    const dark = await open(
      b,
      pathToFileURL(path.join(report.dir, 'index.html')).href,
      problems,
      'dark',
    );
    await dark.screenshot({ path: path.join(ARTIFACTS, 'html-index-dark.png') });
    await dark.close();
    t.deepEqual(problems, []);
  },
);

/** Whether a code region with count 0 starts at line:col in a record that maps `filename`. */
function isCountedUncoveredRegion(
  set: CoverageSet,
  filename: string,
  line: number,
  col: number,
): boolean {
  for (const index of set.recordsByFile.get(filename) ?? []) {
    const record = set.functions[index]!;
    const r = record.regions;
    for (let i = 0, o = 0; o < r.length; i++, o += CODE_STRIDE) {
      if (
        r[o + F_KIND] === KIND_CODE &&
        record.filenames[r[o + F_FILE_ID]!] === filename &&
        r[o + F_LINE_START] === line &&
        r[o + F_COLUMN_START] === col &&
        record.regionCounts[i] === 0n
      ) {
        return true;
      }
    }
  }
  return false;
}

browserTest(
  `n/p and j/k land on uncovered regions the summaries counted; instantiations expand${note}`,
  async (t) => {
    t.timeout(20 * 60_000);
    const { report, browser: b } = await setup();
    const problems: string[] = [];
    const page = await open(b, report.pageOf(report.genericsFile), problems);
    const stopCount = Number(await page.getAttribute('#stop-status', 'data-count'));
    t.true(stopCount >= 2, `generics has uncovered regions (${stopCount})`);
    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return el?.classList.contains('stop') === true
          ? {
              id: el.id,
              line: Number(el.dataset['line']),
              col: Number(el.dataset['col']),
              current: el.closest('tr')!.classList.contains('current'),
            }
          : undefined;
      });
    const seen: { line: number; col: number }[] = [];
    for (let i = 0; i < stopCount; i++) {
      await page.keyboard.press(i % 2 === 0 ? 'n' : 'j');
      const stop = await focused();
      t.truthy(stop, `n #${i + 1} focuses a stop`);
      t.true(stop!.current, 'its line is marked current');
      t.true(
        isCountedUncoveredRegion(report.set, report.genericsFile, stop!.line, stop!.col),
        `stop at ${stop!.line}:${stop!.col} is an uncovered code region`,
      );
      const previous = seen[seen.length - 1];
      if (previous)
        t.true(
          stop!.line > previous.line || (stop!.line === previous.line && stop!.col > previous.col),
        );
      seen.push({ line: stop!.line, col: stop!.col });
    }
    // the line of an uncovered region stop shows a red (uncovered) mark next to it
    const marked = await page.$eval(
      `#stop-0`,
      (el) => el.nextElementSibling?.className ?? el.closest('tr')!.className,
    );
    t.regex(marked, /uncovered/);
    await page.keyboard.press('p');
    t.is((await focused())?.line, seen[seen.length - 2]!.line, 'p goes back');
    await page.keyboard.press('k');
    t.is((await focused())?.line, seen[seen.length - 3]?.line ?? seen[0]!.line);

    await page.screenshot({ path: path.join(ARTIFACTS, 'html-file-light.png') });

    const group = page.locator('details.instantiations').first();
    const firstInst = group.locator('details.instantiation').first();
    t.false(await firstInst.isVisible(), 'collapsed at first');
    await group.locator('> summary').click();
    t.true(await firstInst.isVisible());
    const innerLine = firstInst.locator('tr.line').first();
    t.false(await innerLine.isVisible());
    await firstInst.locator('> summary').click();
    t.true(await innerLine.isVisible(), 'an instantiation sub-view expands');
    const counts = await firstInst.locator('tr.line td.count').allTextContents();
    t.true(
      counts.some((c) => /^\d/.test(c)),
      'with its own counts',
    );
    await group.scrollIntoViewIfNeeded();
    await page.close();
    const dark = await open(b, report.pageOf(report.genericsFile), problems, 'dark');
    await dark.keyboard.press('n');
    await dark.locator('details.instantiations > summary').first().click();
    await dark.locator('details.instantiation > summary').nth(1).click();
    await dark.screenshot({ path: path.join(ARTIFACTS, 'html-file-dark.png') });
    await dark.close();
    t.deepEqual(problems, []);
  },
);

browserTest(`a hostile file name and source render as text and run no script${note}`, async (t) => {
  t.timeout(20 * 60_000);
  const { report, browser: b } = await setup();
  const problems: string[] = [];
  const index = await open(b, pathToFileURL(path.join(report.dir, 'index.html')).href, problems);
  await index.click('#view-flat');
  const link = index.locator('#flat a', { hasText: '<script>' });
  t.is(await link.count(), 1);
  t.true((await link.textContent())!.endsWith(`/evil/${HOSTILE_NAME}`));
  t.is(await index.locator('script').count(), 1, 'only cov.js');
  await link.click();
  await index.waitForLoadState();
  t.true((await index.textContent('h1.filename'))!.endsWith(`/evil/${HOSTILE_NAME}`));
  // cov.js and the page script that wrote the rows (and then removed the page's data)
  const scripts = await index
    .locator('script')
    .evaluateAll((list) => list.map((script) => script.getAttribute('src')));
  t.deepEqual(
    scripts,
    ['../assets/cov.js', '../assets/cov-page.js'],
    'no other script on the file page',
  );
  t.true((await index.locator('#source tr.line').count()) > 0, 'the page script wrote the rows');
  t.is(await index.locator('b').count(), 0, 'source bytes make no elements');
  const text = await index.locator('#source').innerText();
  t.true(text.includes(`<script>alert("src")</script> {{constructor}} '" </td>`));
  t.true(text.includes('\uFFFD'), 'invalid UTF-8 shows as replacement characters');
  t.true(index.url().startsWith('file://') && !index.url().includes('<'), index.url());
  await index.close();
  t.deepEqual(problems, []);
});

browserTest(
  `a file page says why it shows no lines: broken data, no JavaScript${note}`,
  async (t) => {
    t.timeout(20 * 60_000);
    const { report, browser: b } = await setup();
    const pagePath = fileURLToPath(report.pageOf(report.genericsFile));
    // a copy of the page beside it, its data cut short
    const broken = path.join(path.dirname(pagePath), 'broken-data.html');
    const text = await readFile(pagePath, 'utf8');
    const start = text.indexOf('id="cov-data">') + 'id="cov-data">'.length;
    await writeFile(
      broken,
      text.slice(0, start + 40) + text.slice(text.indexOf('</script>', start)),
    );
    try {
      const problems: string[] = [];
      const page = await open(b, pathToFileURL(broken).href, problems);
      const warning = await page.locator('#source td.warning').textContent();
      t.true(
        warning!.startsWith('cov: the source lines could not be shown: SyntaxError'),
        warning!,
      );
      t.is(await page.locator('#source tr.line').count(), 0);
      t.deepEqual(problems, []);
      await page.close();
      const noScript = await b.newPage({ javaScriptEnabled: false });
      await noScript.goto(report.pageOf(report.genericsFile));
      t.true(
        (await noScript.locator('main').innerText()).includes('enable JavaScript to see them'),
      );
      await noScript.close();
    } finally {
      await rm(broken, { force: true });
    }
  },
);
