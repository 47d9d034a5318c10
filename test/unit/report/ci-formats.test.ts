import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import {
  prepareReportFiles,
  renderCobertura,
  renderCodecov,
  renderGithubAnnotations,
  renderMarkdown,
} from '../../../src/report/index.js';
import { REPO_ROOT } from '../../helpers/cov-cli.js';
import { makeSet } from '../../helpers/synthetic-set.js';
import { hasTool } from '../../helpers/tools.js';

// resolved before any test is declared (ava needs declarations to be synchronous)
const xmllintMissing = (await hasTool('xmllint')) ? undefined : 'not installed: xmllint';

const LIB = '/ws/src/lib.rs';
const MOD = '/ws/src/deep/mod.rs';

// lib.rs: `branchy` ran twice; its `if` (line 6) was only ever true; the then-block never ran.
const set = makeSet([
  {
    name: 'branchy',
    filenames: [LIB],
    regions: [
      [5, 1, 9, 2, 2],
      [6, 10, 8, 6, 0],
    ],
    branches: [[6, 8, 6, 9, 2, 0]],
  },
  { name: 'never', filenames: [MOD], regions: [[1, 1, 2, 2, 0]] },
]);
const report = prepareReportFiles(set, () => true);
const nameOf = (f: string): string => f.replace('/ws/', '');

test('Cobertura: relative names under <source>, rates and totals from the summaries, branch lines', (t) => {
  const xml = renderCobertura(set, report, {
    sourceRoot: '/ws',
    timestamp: 1700000000,
    version: 'cov 0.1.0',
  });
  t.is(
    xml,
    [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd">',
      '<coverage line-rate="0.4286" branch-rate="0.5" lines-covered="3" lines-valid="7" branches-covered="1" branches-valid="2" complexity="0" version="cov 0.1.0" timestamp="1700000000">',
      '  <sources>',
      '    <source>/ws</source>',
      '  </sources>',
      '  <packages>',
      '    <package name="src/deep" line-rate="0" branch-rate="0" complexity="0">',
      '      <classes>',
      '        <class name="src/deep/mod.rs" filename="src/deep/mod.rs" line-rate="0" branch-rate="0" complexity="0">',
      '          <methods/>',
      '          <lines>',
      '            <line number="1" hits="0" branch="false"/>',
      '            <line number="2" hits="0" branch="false"/>',
      '          </lines>',
      '        </class>',
      '      </classes>',
      '    </package>',
      '    <package name="src" line-rate="0.6" branch-rate="0.5" complexity="0">',
      '      <classes>',
      '        <class name="src/lib.rs" filename="src/lib.rs" line-rate="0.6" branch-rate="0.5" complexity="0">',
      '          <methods/>',
      '          <lines>',
      '            <line number="5" hits="2" branch="false"/>',
      '            <line number="6" hits="2" branch="true" condition-coverage="50% (1/2)"/>',
      '            <line number="7" hits="0" branch="false"/>',
      '            <line number="8" hits="0" branch="false"/>',
      '            <line number="9" hits="2" branch="false"/>',
      '          </lines>',
      '        </class>',
      '      </classes>',
      '    </package>',
      '  </packages>',
      '</coverage>',
      '',
    ].join('\n'),
  );
});

(xmllintMissing === undefined ? test : test.skip)(
  `Cobertura validates against the coverage-04 DTD${xmllintMissing ? ` (${xmllintMissing})` : ''}`,
  async (t) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cov-cobertura-'));
    const file = path.join(dir, 'cobertura.xml');
    writeFileSync(
      file,
      renderCobertura(set, report, { sourceRoot: '/ws', timestamp: 1, version: 'a<b&"c"' }),
    );
    const dtd = path.join(REPO_ROOT, 'test/fixtures/cobertura/coverage-04.dtd');
    const result = await execa('xmllint', ['--noout', '--nonet', '--dtdvalid', dtd, file], {
      reject: false,
    });
    t.is(result.exitCode, 0, result.stderr);
  },
);

test('Cobertura for line-only engines leaves branches out', (t) => {
  const xml = renderCobertura(set, report, {
    sourceRoot: '/ws',
    timestamp: 1,
    version: 'v',
    lineOnly: true,
  });
  t.notRegex(xml, /branch="true"/);
  t.regex(
    xml,
    /branch-rate="0" lines-covered="3" lines-valid="7" branches-covered="0" branches-valid="0"/,
  );
});

test('Codecov: hits per line, partial where a region on a covered line never ran', (t) => {
  t.is(
    renderCodecov(set, report, { nameOf }),
    '{"coverage":{"src/deep/mod.rs":{"1":0,"2":0},"src/lib.rs":{"5":2,"6":"1/2","7":0,"8":0,"9":2}}}\n',
  );
  t.is(
    renderCodecov(set, report, { nameOf, lineOnly: true }),
    '{"coverage":{"src/deep/mod.rs":{"1":0,"2":0},"src/lib.rs":{"5":2,"6":2,"7":0,"8":0,"9":2}}}\n',
  );
});

test('GitHub annotations: one ::warning per range, properties escaped', (t) => {
  t.is(
    renderGithubAnnotations([
      {
        path: 'src/lib.rs',
        uncoveredRanges: [
          { start: 7, end: 8 },
          { start: 12, end: 12 },
        ],
      },
      { path: 'src/a,b:c%.rs', uncoveredRanges: [{ start: 1, end: 1 }] },
    ]),
    [
      '::warning file=src/lib.rs,line=7,endLine=8,title=Uncovered change::Changed lines 7-8 are not covered by tests',
      '::warning file=src/lib.rs,line=12,endLine=12,title=Uncovered change::Changed line 12 is not covered by tests',
      '::warning file=src/a%2Cb%3Ac%25.rs,line=1,endLine=1,title=Uncovered change::Changed line 1 is not covered by tests',
      '',
    ].join('\n'),
  );
  t.is(renderGithubAnnotations([{ path: 'x.rs', uncoveredRanges: [] }]), '');
});

test('Markdown: totals with deltas, patch, worst files, baseline changes, gates', (t) => {
  const markdown = renderMarkdown(report, {
    nameOf,
    patch: {
      label: 'since `main`',
      lines: { covered: 1, count: 3 },
      regions: { covered: 1, count: 2 },
      files: [
        {
          path: 'src/lib.rs',
          lines: { covered: 1, count: 3 },
          regions: { covered: 1, count: 2 },
          uncoveredRanges: [{ start: 7, end: 8 }],
        },
      ],
    },
    baseline: {
      totals: [
        {
          metric: 'regions',
          before: { covered: 2, count: 3 },
          after: { covered: 1, count: 3 },
          deltaPercent: -100 / 3,
        },
      ],
      files: [
        {
          filename: LIB,
          metrics: [
            {
              metric: 'regions',
              before: { covered: 2, count: 2 },
              after: { covered: 1, count: 2 },
              deltaPercent: -50,
            },
          ],
        },
      ],
    },
    gates: [{ passed: false, text: '--fail-under-regions 50: regions 33.33% (1/3) is below 50%' }],
  });
  t.is(
    markdown,
    [
      '## Coverage',
      '',
      '| | Covered | Total | Cover | Δ |',
      '|:--|--:|--:|--:|--:|',
      '| Regions | 1 | 3 | 33.33% | -33.33 |',
      '| Functions | 1 | 2 | 50.00% | - |',
      '| Lines | 3 | 7 | 42.86% | - |',
      '| Branches | 1 | 2 | 50.00% | - |',
      '',
      '### Patch coverage (since `main`)',
      '',
      '| | Covered | Total | Cover |',
      '|:--|--:|--:|--:|',
      '| Lines | 1 | 3 | 33.33% |',
      '| Regions | 1 | 2 | 50.00% |',
      '',
      'Uncovered changed lines:',
      '',
      '- `src/lib.rs`: 7-8',
      '',
      '### Lowest regions coverage',
      '',
      '| File | Regions | Functions | Lines | Branches |',
      '|:--|--:|--:|--:|--:|',
      '| `src/deep/mod.rs` | 0.00% (0/1) | 0.00% (0/1) | 0.00% (0/2) | - |',
      '| `src/lib.rs` | 50.00% (1/2) | 100.00% (1/1) | 60.00% (3/5) | 50.00% (1/2) |',
      '',
      '### Changes against the baseline',
      '',
      '| File | Regions |',
      '|:--|--:|',
      '| `src/lib.rs` | 100.00% → 50.00% (-50.00) |',
      '',
      '### Gates',
      '',
      '- ❌ failed: --fail-under-regions 50: regions 33.33% (1/3) is below 50%',
      '',
    ].join('\n'),
  );
});
