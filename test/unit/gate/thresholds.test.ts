import test from 'ava';
import { CovError } from '../../../src/binary/index.js';
import {
  checkThresholds,
  describeVerdict,
  evaluateThresholds,
  explainVerdict,
  type PatchCoverage,
  type SummarizedFiles,
  type Thresholds,
} from '../../../src/gate/index.js';
import { emptySummary, type CoverageSummary } from '../../../src/model/index.js';

function summary(
  regions: [number, number],
  lines: [number, number],
  functions: [number, number],
): CoverageSummary {
  const s = emptySummary();
  s.regions = { covered: regions[0], count: regions[1] };
  s.lines = { covered: lines[0], count: lines[1] };
  s.functions = { covered: functions[0], count: functions[1] };
  return s;
}

// totals: regions 10/12 = 83.33%, lines 18/20 = 90%, functions 4/5 = 80%, no branches
const report: SummarizedFiles = {
  files: [
    { filename: '/ws/src/a.rs', summary: summary([3, 4], [8, 10], [1, 2]) },
    { filename: '/ws/src/b.rs', summary: summary([7, 8], [10, 10], [3, 3]) },
  ],
  totals: summary([10, 12], [18, 20], [4, 5]),
};

const verdictOf = (thresholds: Thresholds) => evaluateThresholds(report, thresholds);

const totalGate = test.macro({
  exec(t, thresholds: Thresholds, passed: boolean) {
    const [verdict] = verdictOf(thresholds);
    t.is(verdict?.passed, passed);
  },
  title: (_, thresholds: Thresholds, passed: boolean) =>
    `${JSON.stringify(thresholds)} ${passed ? 'passes' : 'fails'}`,
});

test(totalGate, { 'fail-under-regions': 83.33 }, true);
test(totalGate, { 'fail-under-regions': 83.34 }, false);
test(totalGate, { 'fail-under-lines': 90 }, true);
test(totalGate, { 'fail-under-lines': 90.01 }, false);
test(totalGate, { 'fail-under-functions': 80 }, true);
test(totalGate, { 'fail-under-functions': 81 }, false);
test(totalGate, { 'fail-uncovered-regions': 2 }, true);
test(totalGate, { 'fail-uncovered-regions': 1 }, false);
test(totalGate, { 'fail-uncovered-lines': 2 }, true);
test(totalGate, { 'fail-uncovered-functions': 0 }, false);
test(totalGate, { 'fail-under-file-lines': 80 }, true);
test(totalGate, { 'fail-under-file-lines': 80.5 }, false);
test(totalGate, { 'fail-under-file-regions': 75 }, true);
test(totalGate, { 'fail-under-file-regions': 76 }, false);

test('a failed total gate names metric, threshold, measured value and worst files', (t) => {
  const [verdict] = verdictOf({ 'fail-under-regions': 90 });
  t.like(verdict, { gate: 'fail-under-regions', metric: 'regions', scope: 'total', threshold: 90 });
  t.deepEqual(verdict!.measured, { covered: 10, count: 12 });
  t.deepEqual(
    verdict!.worstFiles.map((f) => f.filename),
    ['/ws/src/a.rs', '/ws/src/b.rs'],
  );
  t.deepEqual(
    explainVerdict(verdict!, (f) => f.replace('/ws/', '')),
    [
      '--fail-under-regions 90: regions 83.33% (10/12) is below 90%',
      '  worst files (regions):',
      '    src/a.rs  75.00% (3/4), 1 uncovered',
      '    src/b.rs  87.50% (7/8), 1 uncovered',
    ],
  );
});

test('a per-file gate lists exactly the failing files', (t) => {
  const [verdict] = verdictOf({ 'fail-under-file-regions': 80 });
  t.false(verdict!.passed);
  t.deepEqual(verdict!.worstFiles, [{ filename: '/ws/src/a.rs', ratio: { covered: 3, count: 4 } }]);
  t.is(describeVerdict(verdict!), '--fail-under-file-regions 80: 1 file(s) below 80% regions');
});

test('caps describe the uncovered count', (t) => {
  const [verdict] = verdictOf({ 'fail-uncovered-functions': 0 });
  t.is(
    describeVerdict(verdict!),
    '--fail-uncovered-functions 0: 1 uncovered function exceed the cap of 0',
  );
  t.deepEqual(
    verdict!.worstFiles.map((f) => f.filename),
    ['/ws/src/a.rs'],
  );
});

test('nothing measured (no branches) passes and says so', (t) => {
  const [verdict] = verdictOf({ 'fail-under-branches': 50 });
  t.true(verdict!.passed);
  t.true(verdict!.noData);
  t.is(describeVerdict(verdict!), '--fail-under-branches 50: no branches measured');
});

test('patch gates use the patch ratios', (t) => {
  const patch: PatchCoverage = {
    files: [
      {
        filename: '/ws/src/a.rs',
        path: 'src/a.rs',
        changedLines: [1, 2, 3, 4],
        lines: { covered: 3, count: 4 },
        regions: { covered: 1, count: 2 },
        uncoveredLines: [4],
        uncoveredRanges: [{ start: 4, end: 4 }],
      },
    ],
    lines: { covered: 3, count: 4 },
    regions: { covered: 1, count: 2 },
    unmatchedPaths: [],
  };
  const verdicts = evaluateThresholds(
    report,
    { 'fail-under-patch-lines': 75, 'fail-under-patch-regions': 50.1 },
    patch,
  );
  t.deepEqual(
    verdicts.map((v) => [v.gate, v.passed]),
    [
      ['fail-under-patch-regions', false],
      ['fail-under-patch-lines', true],
    ],
  );
  t.is(
    describeVerdict(verdicts[0]!),
    '--fail-under-patch-regions 50.1: patch regions 50.00% (1/2) is below 50.1%',
  );
});

const usageError = test.macro({
  exec(t, thresholds: Thresholds, context: Parameters<typeof checkThresholds>[1], message: RegExp) {
    const error = t.throws(() => checkThresholds(thresholds, context), { instanceOf: CovError });
    t.is(error.code, 'E_USAGE');
    t.regex(error.message, message);
  },
  title: (_, thresholds: Thresholds) => `usage error: ${JSON.stringify(thresholds)}`,
});

test(
  usageError,
  { 'fail-under-regions': 80 },
  { engine: 'ptrace', hasDiff: false },
  /^--fail-under-regions needs instrumented coverage/,
);
test(
  usageError,
  { 'fail-under-branches': 1 },
  { engine: 'ptrace', hasDiff: false },
  /^--fail-under-branches needs instrumented coverage/,
);
test(
  usageError,
  { 'fail-under-patch-regions': 1 },
  { engine: 'ptrace', hasDiff: true },
  /needs instrumented coverage/,
);
test(
  usageError,
  { 'fail-under-patch-lines': 1 },
  { hasDiff: false },
  /^--fail-under-patch-lines needs a diff/,
);
test(usageError, { 'fail-under-lines': 101 }, { hasDiff: false }, /between 0 and 100/);
test(usageError, { 'fail-under-lines': Number.NaN }, { hasDiff: false }, /between 0 and 100/);
test(usageError, { 'fail-uncovered-lines': 1.5 }, { hasDiff: false }, /whole number/);

test('ptrace sets may gate lines and functions', (t) => {
  t.notThrows(() =>
    checkThresholds(
      { 'fail-under-lines': 1, 'fail-uncovered-functions': 2 },
      { engine: 'ptrace', hasDiff: false },
    ),
  );
});

test('a failing percent shows enough decimals to be below its threshold', (t) => {
  const near: SummarizedFiles = { files: [], totals: summary([12, 13], [12, 13], [1, 1]) };
  const [fail, pass] = evaluateThresholds(near, {
    'fail-under-regions': 92.31,
    'fail-under-lines': 92.3,
  });
  t.is(
    describeVerdict(fail!),
    '--fail-under-regions 92.31: regions 92.308% (12/13) is below 92.31%',
  );
  t.is(describeVerdict(pass!), '--fail-under-lines 92.3: lines 92.31% (12/13) reaches 92.3%');
});
