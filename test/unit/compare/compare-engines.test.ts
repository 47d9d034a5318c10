import test from 'ava';
import {
  compareEngines,
  renderComparisonJson,
  renderComparisonText,
  type LineCategory,
} from '../../../src/compare/index.js';
import {
  createCoverageSet,
  KIND_CODE,
  KIND_EXPANSION,
  type CoverageSet,
  type FunctionRecord,
} from '../../../src/model/index.js';
import { rawRecord, type RawRegion } from '../../helpers/synthetic-set.js';

function set(engine: 'instrumented' | 'ptrace', functions: FunctionRecord[]): CoverageSet {
  return createCoverageSet(functions, [], { engine, objects: [], profiles: [] });
}

const F = 'src/lib.rs';
const code = (
  ls: number,
  cs: number,
  le: number,
  ce: number,
  count: bigint,
  fileId = 0,
): RawRegion => [KIND_CODE, fileId, 0, ls, cs, le, ce, count];

// Instrumented side (line counts follow spec/formats.md §5.4: a region's start line and the lines
// it wraps are mapped; lines after a region ends with no enclosing region are not).
const instrumented = set('instrumented', [
  rawRecord('a', [F], [code(1, 1, 3, 2, 1n)]), // lines 1–3 count 1 (executed)
  rawRecord('b', [F], [code(10, 1, 12, 2, 0n)]), // lines 10–12 count 0 (never executed)
  rawRecord(
    'c',
    [F, F],
    [
      code(20, 1, 20, 30, 5n),
      [KIND_EXPANSION, 0, 1, 20, 5, 20, 15, 5n], // macro call on line 20 expanding file id 1
      code(30, 1, 30, 10, 5n, 1), // macro body lines 30 and 32 (line 31 unmapped)
      code(32, 1, 32, 5, 5n, 1),
    ],
  ),
  rawRecord('d', [F], [code(50, 1, 50, 10, 1n), code(52, 1, 52, 5, 1n)]), // line 51 unmapped
  rawRecord('e', [F], [code(70, 1, 70, 20, 3n)]), // ran (inlined, in an optimised build)
]);

// Breakpoint side: one code region per coverable line, count = hits.
const hits: [number, bigint][] = [
  [1, 1n], // both covered
  [2, 0n], // instrumented only covered
  [9, 0n], // `#[test]` line: test harness glue
  [10, 0n], // both uncovered
  [11, 1n], // breakpoint only covered
  [20, 5n],
  [30, 1n],
  [31, 1n], // inside the macro body's range, no region
  [32, 1n],
  [40, 1n], // outside every instrumented function
  [50, 1n],
  [51, 1n], // inside d, no region
  [52, 1n],
];
const breakpoint = set('ptrace', [
  // a derived impl owns line 60: generated code rustc does not instrument
  rawRecord(
    '_ZN59_$LT$basics..E$u20$as$u20$core..cmp..PartialEq$GT$2eq17h34aa98861714d178E',
    [F],
    [code(60, 1, 60, 1000, 1n)],
  ),
  // the out-of-line copy of `e`: its only line is armed but the copy never runs
  rawRecord('e_copy', [F], [code(70, 1, 70, 1000, 0n)]),
  rawRecord(
    'all',
    [F],
    hits.map(([line, count]) => code(line, 1, line, 1000, count)),
  ),
]);

const source = Array.from({ length: 60 }, (_, i) => (i === 8 ? '    #[test]' : 'x')).join('\n');

test('every line lands in the category its construction predicts', (t) => {
  const result = compareEngines(instrumented, breakpoint, { readSource: () => source });
  const byLine = new Map(result.files[0]!.lines.map((l) => [l.line, l.category]));
  const expected: [number, LineCategory][] = [
    [1, 'both-covered'],
    [2, 'instrumented-only-covered'],
    [3, 'no-address-executed'],
    [9, 'no-region-generated'],
    [10, 'both-uncovered'],
    [11, 'breakpoint-only-covered'],
    [12, 'no-address-unexecuted'],
    [20, 'both-covered'],
    [30, 'both-covered'],
    [31, 'no-region-macro'],
    [32, 'both-covered'],
    [40, 'unexplained'],
    [50, 'both-covered'],
    [51, 'no-region-in-function'],
    [52, 'both-covered'],
    [60, 'no-region-generated'],
    [70, 'no-address-inlined'],
  ];
  t.deepEqual([...byLine.entries()], expected);
  // 6 both-covered (1, 20, 30, 32, 50, 52) + 1 both-uncovered agree; 3 disagree (2, 11, and the
  // inlined 70, whose address is real but never reached) → 7/10
  t.is(result.comparable, 10);
  t.is(result.agreement, (7 / 10) * 100);
  t.is(result.totals['unexplained'], 1);
});

test('text output names each category that occurs and the agreement', (t) => {
  const text = renderComparisonText(compareEngines(instrumented, breakpoint));
  t.regex(text, /Agreement on 10 lines coverable in both engines: 70\.00%/);
  t.regex(text, /no-region-macro: an address but no region/);
  // without source text the `#[test]` line cannot be told apart: it is unexplained
  t.regex(text, /^TOTAL\s+6\s+1\s+1\s+1\s+1\s+1\s+1\s+1\s+1\s+1\s+2\s+70\.00%$/m);
});

test('JSON output has the agreement and the count per category, unexplained included', (t) => {
  const json = JSON.parse(renderComparisonJson(compareEngines(instrumented, breakpoint))) as {
    agreement: number;
    categories: Record<string, number>;
    files: { lines: { line: number; instrumented: string | null; breakpoint: string | null }[] }[];
  };
  t.is(json.agreement, (7 / 10) * 100);
  t.is(json.categories['unexplained'], 2);
  t.is(json.categories['both-covered'], 6);
  const line3 = json.files[0]!.lines.find((l) => l.line === 3)!;
  t.deepEqual([line3.instrumented, line3.breakpoint], ['1', null]);
});

test('a filter drops files from both sides', (t) => {
  const result = compareEngines(instrumented, breakpoint, { filter: () => false });
  t.is(result.files.length, 0);
  t.is(result.agreement, 100);
});

test('no-address-inlined follows the out-of-line entry (execution count), not the hits of the copy’s other lines', (t) => {
  const inst = set('instrumented', [
    rawRecord('f', [F], [code(80, 1, 82, 2, 4n)]), // lines 80–82 ran 4 times (inlined)
  ]);
  // the copy's declaration line 80 was credited by an inlined entry, line 81 by its own row in a
  // caller; its closing brace 82 only has the out-of-line copy's address
  const enteredInline = {
    ...rawRecord(
      'f_copy',
      [F],
      [code(80, 1, 80, 9, 1n), code(81, 1, 81, 9, 1n), code(82, 1, 82, 9, 0n)],
    ),
    executionCount: 0n,
  };
  const byLine = (bp: FunctionRecord): Map<number, string> =>
    new Map(
      compareEngines(inst, set('ptrace', [bp])).files[0]!.lines.map((l) => [l.line, l.category]),
    );
  t.is(byLine(enteredInline).get(82), 'no-address-inlined');
  t.is(byLine(enteredInline).get(80), 'both-covered');
  // entered out of line but the brace's address not reached: a plain disagreement
  t.is(byLine({ ...enteredInline, executionCount: 2n }).get(82), 'instrumented-only-covered');
});

test('an address on a field or variant line (derived impls, constructors) is generated code', (t) => {
  const text = [
    '#[derive(Clone, Debug)]', // 1
    'pub enum Candidate {', // 2
    '    None,', // 3
    '    PossibleStartOfMatch(usize),', // 4
    '}', // 5
    'pub(crate) struct Test {', // 6
    '    corpus: String,', // 7
    '}', // 8
    'fn f() {', // 9
    '    let x = 1;', // 10
    '}', // 11
    "pub enum Reference<'b, T>", // 12
    'where', // 13
    "    T: ?Sized + 'static,", // 14
    '{', // 15
    "    Borrowed(&'b T),", // 16
    '}', // 17
    'pub struct SocketAddr(pub(super) u32);', // 18
  ].join('\n');
  const inst = set('instrumented', [rawRecord('f', [F], [code(9, 1, 11, 2, 1n)])]);
  const bp = set('ptrace', [
    rawRecord(
      'all',
      [F],
      [4, 7, 10, 16, 18].map((line) => code(line, 1, line, 1000, 1n)),
    ),
  ]);
  const byLine = new Map(
    compareEngines(inst, bp, { readSource: () => text }).files[0]!.lines.map((l) => [
      l.line,
      l.category,
    ]),
  );
  t.is(byLine.get(4), 'no-region-generated');
  t.is(byLine.get(7), 'no-region-generated');
  t.is(byLine.get(10), 'both-covered');
  // a header over several lines, the brace alone on its line
  t.is(byLine.get(16), 'no-region-generated');
  // a tuple struct's own line (its constructor, drop glue)
  t.is(byLine.get(18), 'no-region-generated');
  // without the source text the variant line cannot be told apart
  const blind = new Map(compareEngines(inst, bp).files[0]!.lines.map((l) => [l.line, l.category]));
  t.is(blind.get(4), 'unexplained');
});

test('macro bodies are found past brackets inside strings, chars and comments', (t) => {
  const text = [
    'macro_rules! m {', // 1
    '    () => {', // 2
    '        compile_error!("a `}` in a string");', // 3
    "        let _ = '}'; // and } in a comment", // 4
    '        helper()', // 5
    '    };', // 6
    '}', // 7
    'fn f() {', // 8
    '    m!();', // 9
    '}', // 10
  ].join('\n');
  const inst = set('instrumented', [rawRecord('f', [F], [code(8, 1, 10, 2, 1n)])]);
  const bp = set('ptrace', [
    rawRecord(
      'all',
      [F],
      [5, 9].map((line) => code(line, 1, line, 1000, 1n)),
    ),
  ]);
  const byLine = new Map(
    compareEngines(inst, bp, { readSource: () => text }).files[0]!.lines.map((l) => [
      l.line,
      l.category,
    ]),
  );
  t.is(byLine.get(5), 'no-region-macro');
  t.is(byLine.get(9), 'both-covered');
});

test('a function’s closing brace after an endless loop’s braces (no region) is in the function', (t) => {
  const text = [
    'fn worker() {', // 1
    '    loop {', // 2
    '        step();', // 3
    '    }', // 4 (no region: the loop never ends)
    '}', // 5 (an address: unwinding cleanup)
  ].join('\n');
  const inst = set('instrumented', [rawRecord('worker', [F], [code(1, 1, 3, 16, 0n)])]);
  const bp = set('ptrace', [
    rawRecord(
      'all',
      [F],
      [3, 5].map((line) => code(line, 1, line, 1000, 0n)),
    ),
  ]);
  const byLine = new Map(
    compareEngines(inst, bp, { readSource: () => text }).files[0]!.lines.map((l) => [
      l.line,
      l.category,
    ]),
  );
  t.is(byLine.get(5), 'no-region-in-function');
});

test('the harness main is generated code under either mangling (v0 in instrumented builds)', (t) => {
  const inst = set('instrumented', [rawRecord('f', [F], [code(1, 1, 3, 2, 1n)])]);
  for (const name of ['_ZN6basics4main17h0123456789abcdefE', '_RNvCs1a2B3c_6basics4main']) {
    const bp = set('ptrace', [rawRecord(name, [F], [code(5, 1, 5, 1000, 1n)])]);
    const lines = compareEngines(inst, bp).files[0]!.lines;
    t.is(lines.find((l) => l.line === 5)?.category, 'no-region-generated', name);
  }
  // a function named main elsewhere than at the crate root is not the harness's
  const nested = set('ptrace', [
    rawRecord('_RNvNtCs1a2B3c_6basics3cli4main', [F], [code(5, 1, 5, 1000, 1n)]),
  ]);
  t.is(
    compareEngines(inst, nested).files[0]!.lines.find((l) => l.line === 5)?.category,
    'unexplained',
  );
});

test('sources that are not Rust are compared only where the instrumented side maps them', (t) => {
  const C = '/build/compiler-rt/lib/profile/InstrProfilingFile.c';
  const H = '/usr/include/stdlib.h';
  const INCLUDED = 'src/table.in'; // a Rust file given to `include!` under another extension
  const inst = set('instrumented', [
    rawRecord('f', [F], [code(1, 1, 1, 20, 1n)]),
    rawRecord('g', [INCLUDED], [code(3, 1, 3, 20, 1n)]),
  ]);
  const bp = set('ptrace', [
    rawRecord('f', [F], [code(1, 1, 1, 1000, 1n)]),
    rawRecord('g', [INCLUDED], [code(3, 1, 3, 1000, 1n)]),
    rawRecord('__llvm_profile_write_file', [C], [code(10, 1, 10, 1000, 1n)]),
    rawRecord('atoi', [H], [code(280, 1, 280, 1000, 1n)]),
  ]);
  const result = compareEngines(inst, bp);
  t.deepEqual(
    result.files.map((f) => f.filename),
    [F, INCLUDED],
  );
  t.is(result.totals['unexplained'], 0);
  t.is(result.totals['both-covered'], 2);
});

test('a same-run comparison leaves out run-to-run differences from its explanations', (t) => {
  const two = compareEngines(instrumented, breakpoint);
  const same = compareEngines(instrumented, breakpoint, { sameRun: true });
  t.false(two.sameRun);
  t.true(same.sameRun);
  t.deepEqual(same.totals, two.totals);
  for (const category of ['instrumented-only-covered', 'breakpoint-only-covered'] as const) {
    t.regex(two.explanations[category], /two runs took different paths/);
    t.notRegex(same.explanations[category], /two runs/);
    t.true(two.explanations[category].startsWith(same.explanations[category].slice(0, -1)));
  }
  t.notRegex(renderComparisonText(same), /two runs/);
  const json = JSON.parse(renderComparisonJson(same)) as { sameRun?: boolean };
  t.true(json.sameRun);
  t.is((JSON.parse(renderComparisonJson(two)) as { sameRun?: boolean }).sameRun, undefined);
});
