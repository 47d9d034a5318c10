import test from 'ava';
import { CovError } from '../../../src/binary/index.js';
import { readJsonExport } from '../../../src/compare/index.js';

/** An export as `cov --json` writes it (llvm-cov's layout: regions are [ls, cs, le, ce, count, file, expanded file, kind]). */
function exportText(functions: unknown[], engine = 'ptrace'): string {
  return JSON.stringify({
    type: 'llvm.coverage.json.export',
    version: '3.1.0',
    cov: { engine },
    data: [{ files: [], functions, totals: {} }],
  });
}

test('a function’s execution count is its `count`, not its first region’s', (t) => {
  const set = readJsonExport(
    exportText([
      {
        name: 'inlined_everywhere',
        count: 0,
        filenames: ['/w/src/lib.rs'],
        // the declaration line was credited by an inlined copy's entry; the copy never ran
        regions: [
          [58, 1, 58, 2147483647, 1, 0, 0, 0],
          [60, 1, 60, 2147483647, 0, 0, 0, 0],
        ],
        branches: [],
      },
    ]),
    'pt.json',
  );
  t.is(set.metadata.engine, 'ptrace');
  t.is(set.functions[0]!.executionCount, 0n);
  t.deepEqual([...set.functions[0]!.regionCounts], [1n, 0n]);
});

test('without `count` (older exports) the first region’s count stands in', (t) => {
  const set = readJsonExport(
    exportText(
      [{ name: 'f', filenames: ['/w/a.rs'], regions: [[1, 1, 2, 2, 7, 0, 0, 0]], branches: [] }],
      'instrumented',
    ),
    'a.json',
  );
  t.is(set.functions[0]!.executionCount, 7n);
});

test('a region that is not 8 numbers is E_MALFORMED naming the function', (t) => {
  const error = t.throws(
    () => readJsonExport(exportText([{ name: 'f', filenames: [], regions: [[1, 2]] }]), 'x.json'),
    { instanceOf: CovError },
  );
  t.is(error?.code, 'E_MALFORMED');
  t.regex(error?.message ?? '', /x\.json: data\[0\]\.functions\[0\]: a region is not 8 numbers/);
});
