import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { HTML_MANIFEST, writeHtmlPages } from '../../../src/report/html/index.js';
import {
  CATEGORY_EXPLANATIONS,
  SAME_RUN_EXPLANATIONS,
  emptyCategoryCounts,
  type EngineComparison,
  type LineCategory,
} from '../../../src/compare/index.js';
import {
  buildComparePages,
  categoryKind,
  type CompareFileModel,
  type CompareIndexModel,
} from '../../../src/compare/compare-html.js';

const FILE = '/work/crate/src/lib.rs';
const OTHER = '/work/crate/src/<evil>.rs';

type Row = [
  line: number,
  category: LineCategory,
  instrumented: bigint | null,
  breakpoint: bigint | null,
];

function file(filename: string, rows: Row[]) {
  const counts = emptyCategoryCounts();
  for (const [, category] of rows) counts[category]++;
  return {
    filename,
    counts,
    lines: rows.map(([line, category, i, b]) => ({
      line,
      category,
      instrumented: { coverable: i !== null, count: i ?? 0n },
      breakpoint: { coverable: b !== null, count: b ?? 0n },
    })),
  };
}

const lib = file(FILE, [
  [1, 'both-covered', 3n, 1n],
  [2, 'instrumented-only-covered', 2n, 0n],
  [3, 'no-address-executed', 2n, null],
  [5, 'no-region-macro', null, 4n],
  [6, 'both-uncovered', 0n, 0n],
]);
const other = file(OTHER, [[1, 'breakpoint-only-covered', 0n, 1n]]);
const totals = emptyCategoryCounts();
for (const f of [lib, other])
  for (const [k, v] of Object.entries(f.counts)) totals[k as LineCategory] += v;
const comparison: EngineComparison = {
  files: [lib, other],
  totals,
  comparable: 4,
  agreement: 50,
  sameRun: false,
  explanations: CATEGORY_EXPLANATIONS,
};
const source = new TextEncoder().encode('fn a() {}\nlet x = "<b>";\n\n// c\nm!();\nz\n');

const pages = buildComparePages({
  comparison,
  readSource: (name) => (name === FILE ? source : undefined),
});

test('one page per file plus the index, index last, page paths under files/', (t) => {
  t.is(pages.length, 3);
  t.is(pages[2]!.path, 'index.html');
  t.is(pages[2]!.template, 'compare-index.hbs');
  for (const page of pages.slice(0, 2)) {
    t.regex(page.path, /^files\/[A-Za-z0-9_-][A-Za-z0-9._-]*\.html$/);
    t.is(page.template, 'compare-file.hbs');
  }
});

test('file rows carry each line category, both counts, and blank counts where not coverable', (t) => {
  const model = pages[0]!.model as CompareFileModel;
  t.is(model.displayName, 'lib.rs');
  t.true(model.sourceAvailable);
  t.is(model.lines.length, 6, 'every source line, compared or not');
  const byLine = (n: number) => model.lines[n - 1]!;
  t.is(byLine(1).category, 'both-covered');
  t.is(byLine(1).instrumentedText, '3');
  t.is(byLine(1).breakpointText, '1');
  t.is(byLine(2).category, 'instrumented-only-covered');
  t.is(byLine(2).kind, 'disagree');
  t.is(byLine(2).breakpointStatus, 'uncovered');
  t.is(byLine(3).category, 'no-address-executed');
  t.is(byLine(3).breakpointText, '', 'no address: blank breakpoint count');
  t.is(byLine(3).breakpointStatus, 'none');
  t.is(byLine(4).hasCategory, false);
  t.is(byLine(4).category, '');
  t.is(byLine(5).category, 'no-region-macro');
  t.is(byLine(5).instrumentedText, '', 'no region: blank instrumented count');
  t.is(byLine(5).breakpointText, '4');
  t.is(byLine(6).kind, 'agree');
  t.true(byLine(1).explanation.length > 0);
  t.is(model.stopCount, 1, 'one disagreement line to jump to');
  t.true(byLine(2).codeHtml.includes('class="stop"'));
  t.false(byLine(1).codeHtml.includes('class="stop"'));
  t.true(byLine(2).codeHtml.includes('&lt;b&gt;'), 'source text escaped');
  t.false(byLine(2).codeHtml.includes('<b>'));
  t.is(model.agreementText, '66.6%', '2 of 3 comparable lines agree, floored to one decimal');
  t.deepEqual(
    model.categories.map((c) => [c.category, c.count]),
    [
      ['both-covered', 1],
      ['both-uncovered', 1],
      ['instrumented-only-covered', 1],
      ['no-address-executed', 1],
      ['no-region-macro', 1],
    ],
  );
});

test('an unreadable source still lists the compared lines', (t) => {
  const model = pages[1]!.model as CompareFileModel;
  t.false(model.sourceAvailable);
  t.is(model.lines.length, 1);
  t.is(model.lines[0]!.category, 'breakpoint-only-covered');
  t.is(model.lines[0]!.codeHtml, '');
  t.is(model.agreementText, '0.0%');
  t.is(model.level, 'low');
});

test('index: totals per category with explanations, agreement, one row per file', (t) => {
  const model = pages[2]!.model as CompareIndexModel;
  t.is(model.agreementText, '50.0%');
  t.is(model.comparable, 4);
  t.is(model.agreeing, 2);
  t.is(model.categories.length, 11, 'every category, zero or not');
  const counts = Object.fromEntries(model.categories.map((c) => [c.category, c.count]));
  t.is(counts['breakpoint-only-covered'], 1);
  t.is(counts['unexplained'], 0);
  t.true(model.categories.every((c) => c.explanation.length > 0));
  t.deepEqual(
    model.files.map((f) => [f.name, f.href === pages[model.files.indexOf(f)]!.path, f.comparable]),
    [
      ['lib.rs', true, 3],
      ['<evil>.rs', true, 1],
    ],
  );
  t.is(model.files[0]!.counts.length, 11);
});

test('category kinds', (t) => {
  t.is(categoryKind('both-uncovered'), 'agree');
  t.is(categoryKind('breakpoint-only-covered'), 'disagree');
  t.is(categoryKind('no-region-generated'), 'one-engine');
  t.is(categoryKind('unexplained'), 'unexplained');
});

test('the pages render through the report writer, escaping names and source', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cov-compare-html-'));
  try {
    const result = writeHtmlPages(pages, { outputDir: dir });
    t.is(result.pageCount, 2);
    t.is(result.indexPath, join(dir, 'index.html'));
    const index = readFileSync(join(dir, 'index.html'), 'utf8');
    t.true(index.includes('id="agreement">50.0%<'));
    t.true(index.includes('&lt;evil&gt;.rs'));
    t.false(index.includes('<evil>'));
    const lib = readFileSync(join(dir, pages[0]!.path), 'utf8');
    t.regex(
      lib,
      /<tr id="L5" class="line cmp-line kind-one-engine">.*<span class="cmp-badge cmp-no-region-macro kind-one-engine" title="an address but no region[^"]*">no-region-macro<\/span>/,
    );
    t.regex(lib, /<tr id="L2" class="line cmp-line kind-disagree">/);
    t.false(lib.includes('"<b>"'));
    t.true(existsSync(join(dir, 'assets', 'cov.css')));
    t.deepEqual(
      (JSON.parse(readFileSync(join(dir, HTML_MANIFEST), 'utf8')) as { pages: string[] }).pages,
      pages.slice(0, 2).map((p) => p.path),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the page writer refuses paths outside index.html and files/', (t) => {
  for (const path of ['../x.html', 'files/../../x.html', '/tmp/x.html', 'other/x.html']) {
    const error = t.throws(() =>
      writeHtmlPages([{ path, template: 'compare-index.hbs', model: {} }], {
        outputDir: '/nonexistent-never-written',
      }),
    );
    t.is((error as { code?: string }).code, 'E_USAGE', path);
  }
});

test('a same-run comparison says so in the header and explains without run-to-run differences', (t) => {
  const same = buildComparePages({
    comparison: { ...comparison, sameRun: true, explanations: SAME_RUN_EXPLANATIONS },
    readSource: (name) => (name === FILE ? source : undefined),
  });
  const index = same[2]!.model as CompareIndexModel;
  const file = same[0]!.model as CompareFileModel;
  t.is(index.header.engineLabel, 'instrumented vs breakpoint, one run');
  t.is(file.header.engineLabel, 'instrumented vs breakpoint, one run');
  t.is((pages[2]!.model as CompareIndexModel).header.engineLabel, 'instrumented vs breakpoint');
  const line2 = file.lines[1]!;
  t.is(line2.category, 'instrumented-only-covered');
  t.notRegex(line2.explanation, /two runs/);
  t.regex((pages[0]!.model as CompareFileModel).lines[1]!.explanation, /two runs/);
});
