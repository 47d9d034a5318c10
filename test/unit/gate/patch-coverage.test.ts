import test from 'ava';
import { KIND_SKIPPED } from '../../../src/model/index.js';
import {
  computePatchCoverage,
  formatLineRanges,
  parseUnifiedDiff,
} from '../../../src/gate/index.js';
import { makeSet } from '../../helpers/synthetic-set.js';

const LIB = '/ws/src/lib.rs';
const OTHER = '/ws/src/other.rs';

// lib.rs:
//  1 fn covered() {        A (1,1)-(3,2) ran 5 times
//  2     work();
//  3 }
//  4
//  5 fn branchy(x: bool) { B (5,1)-(9,2) ran twice
//  6     if x {            C (6,10)-(8,6) never ran
//  7         never();
//  8     }
//  9 }
// 10 fn generic<T>() {}    two instantiations of the same span, one ran
// other.rs: one never-run function over lines 1-5 with a skipped (cfg'd out) line 3
const set = makeSet([
  { name: 'covered', filenames: [LIB], regions: [[1, 1, 3, 2, 5]] },
  {
    name: 'branchy',
    filenames: [LIB],
    regions: [
      [5, 1, 9, 2, 2],
      [6, 10, 8, 6, 0],
    ],
  },
  { name: 'generic::<u8>', filenames: [LIB], regions: [[10, 1, 10, 19, 0]] },
  { name: 'generic::<u16>', filenames: [LIB], regions: [[10, 1, 10, 19, 3]] },
  {
    name: 'other',
    filenames: [OTHER],
    regions: [
      [1, 1, 5, 2, 0],
      [3, 1, 3, 10, 0, KIND_SKIPPED],
    ],
  },
]);

const resolveFile = (path: string): string | undefined =>
  ({ 'src/lib.rs': LIB, 'src/other.rs': OTHER })[path];

function diffOf(files: Record<string, number[]>): string {
  return Object.entries(files)
    .map(([path, lines]) =>
      [
        `diff --git a/${path} b/${path}`,
        `--- a/${path}`,
        `+++ b/${path}`,
        ...lines.map((line) => `@@ -0,0 +${line} @@\n+changed`),
      ].join('\n'),
    )
    .join('\n');
}

test('patch lines are the coverable changed lines; patch regions start on a changed line', (t) => {
  const diff = parseUnifiedDiff(diffOf({ 'src/lib.rs': [4, 5, 6, 7, 8, 9, 10] }), 'd');
  const patch = computePatchCoverage(set, diff, { resolveFile, regions: true });
  t.is(patch.files.length, 1);
  const file = patch.files[0]!;
  t.is(file.filename, LIB);
  t.is(file.path, 'src/lib.rs');
  t.deepEqual(file.changedLines, [4, 5, 6, 7, 8, 9, 10]);
  // line 4 is blank (not coverable); 7 and 8 are inside the never-run block
  t.deepEqual(file.lines, { count: 6, covered: 4 });
  t.deepEqual(file.uncoveredLines, [7, 8]);
  t.is(formatLineRanges(file.uncoveredRanges), '7-8');
  // B (line 5), C (line 6) and the generic span once (line 10); A starts on unchanged line 1
  t.deepEqual(file.regions, { count: 3, covered: 2 });
  t.deepEqual(patch.lines, { count: 6, covered: 4 });
  t.deepEqual(patch.regions, { count: 3, covered: 2 });
  t.deepEqual(patch.unmatchedPaths, []);
});

test('uncovered ranges join across lines that are not coverable, not across covered ones', (t) => {
  const diff = parseUnifiedDiff(diffOf({ 'src/other.rs': [2, 3, 4], 'src/lib.rs': [7, 9] }), 'd');
  const patch = computePatchCoverage(set, diff, { resolveFile, regions: true });
  const other = patch.files.find((f) => f.filename === OTHER)!;
  t.deepEqual(other.uncoveredLines, [2, 4]);
  t.is(formatLineRanges(other.uncoveredRanges), '2-4');
  const lib = patch.files.find((f) => f.filename === LIB)!;
  t.deepEqual(lib.uncoveredLines, [7]);
  t.deepEqual(lib.lines, { count: 2, covered: 1 });
});

test('files without coverage data are listed; deleted and binary files are ignored', (t) => {
  const text = [
    diffOf({ 'README.md': [1], 'src/lib.rs': [2] }),
    'diff --git a/src/gone.rs b/src/gone.rs',
    'deleted file mode 100644',
    '--- a/src/gone.rs',
    '+++ /dev/null',
    '@@ -1 +0,0 @@',
    '-x',
  ].join('\n');
  const patch = computePatchCoverage(set, parseUnifiedDiff(text, 'd'), {
    resolveFile,
    regions: true,
  });
  t.deepEqual(patch.unmatchedPaths, ['README.md']);
  t.deepEqual(
    patch.files.map((f) => f.path),
    ['src/lib.rs'],
  );
  t.deepEqual(patch.lines, { count: 1, covered: 1 });
  t.deepEqual(patch.regions, { count: 0, covered: 0 });
});

test('without regions (line-only engines) region ratios are undefined', (t) => {
  const diff = parseUnifiedDiff(diffOf({ 'src/lib.rs': [5, 6] }), 'd');
  const patch = computePatchCoverage(set, diff, { resolveFile, regions: false });
  t.is(patch.regions, undefined);
  t.is(patch.files[0]!.regions, undefined);
  t.deepEqual(patch.lines, { count: 2, covered: 2 });
});
