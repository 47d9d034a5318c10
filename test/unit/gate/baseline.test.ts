import test from 'ava';
import { CovError, type CovErrorCode } from '../../../src/binary/index.js';
import {
  compareWithBaseline,
  evaluateDecrease,
  explainVerdict,
  parseBaseline,
  renderBaseline,
  type SummarizedFiles,
} from '../../../src/gate/index.js';
import { emptySummary, type CoverageSummary } from '../../../src/model/index.js';

function summary(regions: [number, number], lines: [number, number]): CoverageSummary {
  const s = emptySummary();
  s.regions = { covered: regions[0], count: regions[1] };
  s.lines = { covered: lines[0], count: lines[1] };
  s.functions = { covered: 1, count: 1 };
  return s;
}

function reportOf(a: CoverageSummary, b: CoverageSummary): SummarizedFiles {
  const t = emptySummary();
  for (const s of [a, b]) {
    for (const m of ['regions', 'lines', 'functions', 'branches'] as const) {
      t[m].count += s[m].count;
      t[m].covered += s[m].covered;
    }
  }
  return {
    files: [
      { filename: '/ws/src/a.rs', summary: a },
      { filename: '/ws/src/b.rs', summary: b },
    ],
    totals: t,
  };
}

const nameOf = (f: string): string => f.replace('/ws/', '');
const before = reportOf(summary([8, 10], [9, 10]), summary([5, 10], [5, 10]));

test('a baseline round-trips through its JSON', (t) => {
  const text = renderBaseline(before, 'instrumented', nameOf);
  const parsed = parseBaseline(text, 'base.json');
  t.is(parsed.engine, 'instrumented');
  t.deepEqual(parsed.totals.regions, { covered: 13, count: 20 });
  t.deepEqual([...parsed.files.keys()], ['src/a.rs', 'src/b.rs']);
  t.deepEqual(parsed.files.get('src/a.rs')?.lines, { covered: 9, count: 10 });
  const r = (covered: number, count: number) => ({ covered, count });
  t.deepEqual(JSON.parse(text), {
    format: 'cov-baseline',
    version: 1,
    engine: 'instrumented',
    totals: { regions: r(13, 20), lines: r(14, 20), functions: r(2, 2), branches: r(0, 0) },
    files: {
      'src/a.rs': { regions: r(8, 10), lines: r(9, 10), functions: r(1, 1), branches: r(0, 0) },
      'src/b.rs': { regions: r(5, 10), lines: r(5, 10), functions: r(1, 1), branches: r(0, 0) },
    },
  });
});

test('ptrace baselines hold only lines and functions', (t) => {
  const parsed = parseBaseline(renderBaseline(before, 'ptrace', nameOf), 'p.json');
  t.deepEqual(Object.keys(parsed.totals).sort(), ['functions', 'lines']);
});

test('deltas per metric and per file; the ratchet fails on a total or file drop', (t) => {
  const baseline = parseBaseline(renderBaseline(before, 'instrumented', nameOf), 'b.json');
  // a.rs loses a region (8/10 → 7/10), b.rs gains two (5/10 → 7/10): total regions rise
  const after = reportOf(summary([7, 10], [9, 10]), summary([7, 10], [5, 10]));
  const comparison = compareWithBaseline(baseline, after, 'instrumented', nameOf);
  const regions = comparison.totals.find((d) => d.metric === 'regions')!;
  t.deepEqual(
    [regions.before, regions.after],
    [
      { covered: 13, count: 20 },
      { covered: 14, count: 20 },
    ],
  );
  t.is(regions.deltaPercent.toFixed(2), '5.00');
  t.false(regions.decreased);
  const a = comparison.files.find((f) => f.name === 'src/a.rs')!;
  t.true(a.metrics.find((d) => d.metric === 'regions')!.decreased);

  t.true(evaluateDecrease(comparison, false).every((v) => v.passed));
  const perFile = evaluateDecrease(comparison, true);
  const failed = perFile.filter((v) => !v.passed);
  t.deepEqual(
    failed.map((v) => v.metric),
    ['regions'],
  );
  t.deepEqual(
    failed[0]!.worstFiles.map((f) => f.filename),
    ['/ws/src/a.rs'],
  );
  t.deepEqual(explainVerdict(failed[0]!, nameOf), [
    '--fail-on-decrease: 1 file(s) lost regions coverage',
    '  worst files (regions):',
    '    src/a.rs  70.00% (7/10), 3 uncovered, was 80.00% (8/10)',
  ]);
});

test('a total drop fails without --per-file; equal shares with other counts do not', (t) => {
  const baseline = parseBaseline(renderBaseline(before, 'instrumented', nameOf), 'b.json');
  const dropped = reportOf(summary([8, 10], [8, 10]), summary([5, 10], [5, 10]));
  const verdicts = evaluateDecrease(
    compareWithBaseline(baseline, dropped, 'instrumented', nameOf),
    false,
  );
  t.deepEqual(
    verdicts.filter((v) => !v.passed).map((v) => v.metric),
    ['lines'],
  );
  // 26/40 = 13/20: same share, no decrease (exact comparison, no float rounding)
  const scaled = reportOf(summary([16, 20], [18, 20]), summary([10, 20], [10, 20]));
  t.true(
    evaluateDecrease(compareWithBaseline(baseline, scaled, 'instrumented', nameOf), true).every(
      (v) => v.passed,
    ),
  );
});

const badBaseline = test.macro({
  exec(t, text: string, code: CovErrorCode, message: RegExp) {
    const error = t.throws(() => parseBaseline(text, 'bad.json'), { instanceOf: CovError });
    t.is(error.code, code);
    t.regex(error.message, message);
  },
  title: (_, _text: string, _code: CovErrorCode, message: RegExp) =>
    `bad baseline: ${message.source}`,
});

test(badBaseline, '{', 'E_MALFORMED', /^bad\.json: not JSON/);
test(badBaseline, '{"format": "x"}', 'E_MALFORMED', /not a cov baseline/);
test(badBaseline, '{"format": "cov-baseline", "version": 2}', 'E_UNSUPPORTED_VERSION', /version 2/);
test(
  badBaseline,
  '{"format": "cov-baseline", "version": 1, "engine": "instrumented", "totals": {"lines": {"covered": 3, "count": 2}}, "files": {}}',
  'E_MALFORMED',
  /totals\.lines: expected/,
);
test(
  badBaseline,
  '{"format": "cov-baseline", "version": 1, "engine": "instrumented", "totals": {}, "files": {"a": {"mcdc": {}}}}',
  'E_MALFORMED',
  /files\["a"\]: unknown metric "mcdc"/,
);
