import test from 'ava';
import type { BreakpointSite, Subprogram } from '../../../src/dwarf/index.js';
import {
  CODE_STRIDE,
  KIND_CODE,
  fileView,
  lineCounts,
  summarizeFile,
  type CoverageSet,
} from '../../../src/model/index.js';
import {
  LINE_REGION_END_COLUMN,
  UNATTRIBUTED_RECORD_NAME,
  buildLineCoverage,
  coverageFromIndex,
  decodeLineIndex,
  decodePlan,
  encodeLineIndex,
  encodePlan,
  indexLineCoverage,
  siteGroups,
  type ImagePlan,
} from '../../../src/ptrace-fallback/index.js';

const FILE = '/w/src/lib.rs';
const OTHER = '/w/src/other.rs';

function site(address: number, line: number, file = FILE): BreakpointSite {
  return { address: BigInt(address), file, line };
}

function fn(name: string, start: number, end: number, line?: number, file?: string): Subprogram {
  return {
    name,
    linkageName: `_ZN${name}`,
    ranges: [{ start: BigInt(start), end: BigInt(end) }],
    ...(line === undefined ? {} : { line }),
    ...(file === undefined ? {} : { file }),
  };
}

function plan(path: string, sites: BreakpointSite[], subprograms: Subprogram[]): ImagePlan {
  return { path, entry: 0x1000n, sites, subprograms, warnings: [] };
}

function countsOf(values: number[]): BigUint64Array {
  return BigUint64Array.from(values.map(BigInt));
}

function lineMap(set: CoverageSet, file: string): Map<number, bigint> {
  const out = new Map<number, bigint>();
  for (const line of lineCounts(fileView(set, file).segments)) {
    if (line.mapped) out.set(line.line, line.count);
  }
  return out;
}

// main at lines 1–4 (0x100..0x140), helper at 10–12 (0x200..0x230), a closure declared on
// line 3 inside main (0x300..0x310), and one site of OTHER inlined into main.
const SITES = [
  site(0x100, 1),
  site(0x110, 2),
  site(0x118, 2),
  site(0x120, 3),
  site(0x128, 9, OTHER),
  site(0x130, 4),
  site(0x200, 10),
  site(0x210, 11),
  site(0x220, 12),
  site(0x300, 3),
];
const SUBPROGRAMS = [
  fn('main', 0x100, 0x140, 1, FILE),
  fn('helper', 0x200, 0x230, 10, FILE),
  fn('{closure#0}', 0x300, 0x310, 3, FILE),
];

test('one record per function, one region per owned line, entry count from the first site', (t) => {
  const set = buildLineCoverage(
    [
      {
        plan: plan('/bin/a', SITES, SUBPROGRAMS),
        counts: countsOf([1, 1, 0, 1, 1, 1, 0, 0, 0, 1]),
      },
    ],
    { mode: 'oneshot' },
  );
  t.deepEqual(set.metadata, { engine: 'ptrace', objects: ['/bin/a'], profiles: [] });
  const byName = new Map(set.functions.map((f) => [f.name, f]));
  const main = byName.get('_ZNmain')!;
  t.deepEqual(main.filenames, [FILE]);
  // line 3 goes to the closure (declared on line 3, after main on line 1)
  t.deepEqual(
    [...main.regions].filter((_, i) => i % CODE_STRIDE === 3),
    [1, 2, 4],
  );
  t.deepEqual(Array.from(main.regions.slice(0, CODE_STRIDE)), [
    KIND_CODE,
    0,
    0,
    1,
    1,
    1,
    LINE_REGION_END_COLUMN,
  ]);
  t.is(main.executionCount, 1n);
  // line 2 has two sites, one hit: the line counts as hit
  t.deepEqual([...main.regionCounts], [1n, 1n, 1n]);
  t.is(byName.get('_ZNhelper')!.executionCount, 0n);
  t.deepEqual([...byName.get('_ZN{closure#0}')!.regionCounts], [1n]);
  // the inlined OTHER line has no function of its own file: an unattributed record
  const other = set.functions.find((f) => f.filenames[0] === OTHER)!;
  t.is(other.name, UNATTRIBUTED_RECORD_NAME);
  t.deepEqual(
    lineMap(set, FILE),
    new Map([
      [1, 1n],
      [2, 1n],
      [3, 1n],
      [4, 1n],
      [10, 0n],
      [11, 0n],
      [12, 0n],
    ]),
  );
  const summary = summarizeFile(set, FILE);
  t.deepEqual(summary.lines, { count: 7, covered: 4 });
  t.deepEqual(summary.functions, { count: 3, covered: 2 });
  t.deepEqual(summary.branches, { count: 0, covered: 0 });
});

test('one-shot: several images make one record per function and OR their hits', (t) => {
  const set = buildLineCoverage(
    [
      {
        plan: plan('/bin/a', SITES, SUBPROGRAMS),
        counts: countsOf([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
      },
      {
        plan: plan('/bin/b', SITES, SUBPROGRAMS),
        counts: countsOf([1, 1, 0, 0, 0, 0, 1, 0, 0, 0]),
      },
    ],
    { mode: 'oneshot' },
  );
  t.is(set.functions.filter((f) => f.name === '_ZNmain').length, 1);
  const lines = lineMap(set, FILE);
  t.is(lines.get(1), 1n);
  t.is(lines.get(2), 1n);
  t.is(lines.get(10), 1n);
  t.deepEqual(summarizeFile(set, FILE).functions, { count: 3, covered: 2 });
});

test('count mode: a line counts its busiest site; images add up', (t) => {
  const counts = countsOf([1, 5, 3, 0, 0, 1, 2, 9, 2, 0]);
  const set = buildLineCoverage(
    [
      { plan: plan('/bin/a', SITES, SUBPROGRAMS), counts },
      { plan: plan('/bin/b', SITES, SUBPROGRAMS), counts },
    ],
    { mode: 'count' },
  );
  const lines = lineMap(set, FILE);
  t.is(lines.get(2), 10n); // max(5, 3) per image, summed over two images
  t.is(lines.get(11), 18n);
  t.is(set.functions.find((f) => f.name === '_ZNhelper')!.executionCount, 4n);
});

test('without subprograms every line lands in one record per file', (t) => {
  const set = buildLineCoverage(
    [{ plan: plan('/bin/a', SITES, []), counts: new BigUint64Array(SITES.length) }],
    { mode: 'oneshot' },
  );
  t.deepEqual(
    set.functions.map((f) => [f.name, f.filenames[0]]),
    [
      [UNATTRIBUTED_RECORD_NAME, FILE],
      [UNATTRIBUTED_RECORD_NAME, OTHER],
    ],
  );
  t.deepEqual(summarizeFile(set, FILE).lines, { count: 7, covered: 0 });
});

test('a function without decl file takes the file and line of its entry site', (t) => {
  const set = buildLineCoverage(
    [
      {
        plan: plan('/bin/a', [site(0x100, 5), site(0x108, 6)], [fn('f', 0x100, 0x110)]),
        counts: countsOf([1, 0]),
      },
    ],
    { mode: 'oneshot' },
  );
  t.is(set.functions.length, 1);
  t.is(set.functions[0]!.name, '_ZNf');
  t.deepEqual([...set.functions[0]!.regionCounts], [1n, 0n]);
});

test('one function under two linkage names (unit-test and library builds) is one record', (t) => {
  const inLib = { ...fn('parse', 0x100, 0x140, 1, FILE), linkageName: '_ZN5parse17h1111E' };
  const inTests = { ...fn('parse', 0x100, 0x140, 1, FILE), linkageName: '_ZN5parse17h2222E' };
  const sites = [site(0x100, 1), site(0x110, 2)];
  const set = buildLineCoverage(
    [
      { plan: plan('/bin/unit', sites, [inTests]), counts: countsOf([0, 0]) },
      { plan: plan('/bin/it', sites, [inLib]), counts: countsOf([1, 1]) },
    ],
    { mode: 'oneshot' },
  );
  t.is(set.functions.length, 1);
  t.is(set.functions[0]!.executionCount, 1n);
  t.deepEqual(summarizeFile(set, FILE).functions, { count: 1, covered: 1 });
});

test('a plan survives the plan store unchanged', (t) => {
  const original = {
    ...plan('/bin/a', SITES, SUBPROGRAMS),
    buildId: new Uint8Array([1, 2, 3]),
    warnings: [{ severity: 'warning' as const, code: 'E_MALFORMED', message: 'x' }],
  };
  t.deepEqual(decodePlan(encodePlan(original)), original);
});

test('siteGroups: one group per line, one per function entry, shared by plans', (t) => {
  const [groups, again] = siteGroups([
    plan('/bin/a', SITES, SUBPROGRAMS),
    plan('/bin/b', SITES.slice(6), SUBPROGRAMS),
  ]) as [Uint32Array, Uint32Array];
  // the same line has the same id in every plan
  t.deepEqual([...again], [...groups.slice(6)]);
  // sites 1 and 2 are both main's line 2; line 3 in main (0x120) and the closure's entry (0x300)
  // on line 3 differ
  t.is(groups[1], groups[2]);
  t.not(groups[3], groups[9]);
  t.is(new Set(groups).size, SITES.length - 1);
  t.deepEqual([...groups.slice(0, 3)], [0, 1, 1]);
});

test('siteGroups: one line in several functions is one group, but each entry is its own', (t) => {
  // line 20 of FILE is inlined into both main and helper; both functions are declared on line 1
  // of their files, so their entry sites are on one line too
  const sites = [
    site(0x100, 1),
    site(0x110, 20),
    site(0x200, 1, OTHER),
    site(0x210, 20),
    site(0x300, 1),
  ];
  const subprograms = [
    fn('main', 0x100, 0x120, 1, FILE),
    fn('helper', 0x200, 0x220, 1, OTHER),
    fn('main', 0x300, 0x310, 1, FILE), // a second monomorphisation of main
  ];
  const [groups] = siteGroups([plan('/bin/a', sites, subprograms)]) as [Uint32Array];
  t.is(groups[1], groups[3]);
  t.not(groups[0], groups[2]);
  t.is(groups[0], groups[4]); // one function, one entry group
  t.is(new Set(groups).size, 3);
});

/** Tiny deterministic generator (mulberry32) for the simulation below. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function randomPlan(next: () => number, path: string): ImagePlan {
  const files = [FILE, OTHER];
  const sites: BreakpointSite[] = [];
  const subprograms: Subprogram[] = [];
  let address = 0x100;
  const functionCount = 1 + Math.floor(next() * 4);
  for (let f = 0; f < functionCount; f++) {
    const start = address;
    const siteCount = 1 + Math.floor(next() * 5);
    for (let k = 0; k < siteCount; k++) {
      const s: BreakpointSite = {
        address: BigInt(address),
        file: files[Math.floor(next() * 2)]!,
        line: 1 + Math.floor(next() * 6),
      };
      if (next() < 0.15) s.inlinedEntries = [{ file: OTHER, line: 1 + Math.floor(next() * 6) }];
      sites.push(s);
      address += 8;
    }
    const name = ['a', 'b', 'c'][Math.floor(next() * 3)]!;
    subprograms.push(
      fn(name, start, address, 1 + Math.floor(next() * 3), files[Math.floor(next() * 2)]),
    );
    address += 0x40;
  }
  return plan(path, sites, subprograms);
}

/**
 * What the helper records in one-shot mode with groups: plans run one after the other (a shared
 * groups-done state), each executing `executed` in the given order; a site traps when it was armed
 * (its group not done before the run) and its group has not been restored in this run yet.
 */
function simulateOneShot(
  plans: readonly ImagePlan[],
  executed: readonly number[][],
): BigUint64Array[] {
  const groups = siteGroups(plans);
  const done = new Set<number>();
  return plans.map((p, i) => {
    const counts = new BigUint64Array(p.sites.length);
    const armedGroups = new Set([...groups[i]!].filter((g) => !done.has(g)));
    for (const k of executed[i]!) {
      const g = groups[i]![k]!;
      if (!armedGroups.has(g)) continue;
      counts[k] = 1n;
      armedGroups.delete(g);
      done.add(g);
    }
    return counts;
  });
}

function reportOf(plans: readonly ImagePlan[], counts: readonly BigUint64Array[]): unknown {
  const set = buildLineCoverage(
    plans.map((p, i) => ({ plan: p, counts: counts[i]! })),
    { mode: 'oneshot' },
  );
  return {
    lines: [FILE, OTHER].map((file) => [...lineMap(set, file)]),
    functions: set.functions.map((f) => [f.name, f.filenames[0], f.executionCount]),
  };
}

test('siteGroups: one-shot with groups reports exactly what tracing every site reports', (t) => {
  const next = random(20240611);
  for (let round = 0; round < 300; round++) {
    const plans = [randomPlan(next, '/bin/a'), randomPlan(next, '/bin/b')];
    const executed = plans.map((p) => {
      const ran = p.sites.map((_, k) => k).filter(() => next() < 0.5);
      // any order: threads and loops reach sites in any order
      for (let k = ran.length - 1; k > 0; k--) {
        const j = Math.floor(next() * (k + 1));
        [ran[k], ran[j]] = [ran[j]!, ran[k]!];
      }
      return ran;
    });
    const everySite = plans.map((p, i) => {
      const counts = new BigUint64Array(p.sites.length);
      for (const k of executed[i]!) counts[k] = 1n;
      return counts;
    });
    t.deepEqual(reportOf(plans, simulateOneShot(plans, executed)), reportOf(plans, everySite));
  }
});

test('an inlined copy’s entry credits the inlined function’s declaration line, owned by its own record', (t) => {
  // helper (lines 10–12, out of line at 0x200) is also inlined into main at 0x120: that site is
  // main's line 3 and the entry of helper's copy
  const sites = SITES.map((s) =>
    s.address === 0x120n ? { ...s, inlinedEntries: [{ file: FILE, line: 10 }] } : s,
  );
  const counts = countsOf([1, 1, 0, 1, 1, 1, 0, 0, 0, 1]); // helper's own copy never ran
  const set = buildLineCoverage([{ plan: plan('/bin/a', sites, SUBPROGRAMS), counts }], {
    mode: 'oneshot',
  });
  const lines = lineMap(set, FILE);
  t.is(lines.get(10), 1n); // entered through the inlined copy
  t.is(lines.get(3), 1n);
  // 11 and 12 only have addresses in helper's out-of-line copy, which never ran while the inlined
  // copy did: where helper ran they had no row, so the engine cannot tell; they are not reported
  t.false(lines.has(11));
  t.false(lines.has(12));
  const helper = set.functions.find((f) => f.name === '_ZNhelper')!;
  // line 10 stays in helper's record (not main's), whose out-of-line copy was never entered
  t.deepEqual([...helper.regions.filter((_, i) => i % CODE_STRIDE === 3)], [10]);
  t.is(helper.executionCount, 0n);
  // the same lines are measured (0) when the inlined copy did not run either…
  const neither = buildLineCoverage(
    [
      {
        plan: plan('/bin/a', sites, SUBPROGRAMS),
        counts: countsOf([1, 1, 0, 0, 1, 1, 0, 0, 0, 1]),
      },
    ],
    { mode: 'oneshot' },
  );
  t.deepEqual(
    [10, 11, 12].map((l) => lineMap(neither, FILE).get(l)),
    [0n, 0n, 0n],
  );
  // …and when the out-of-line copy ran too (its entry hit, the rest not)
  const both = buildLineCoverage(
    [
      {
        plan: plan('/bin/a', sites, SUBPROGRAMS),
        counts: countsOf([1, 1, 0, 1, 1, 1, 1, 0, 0, 1]),
      },
    ],
    { mode: 'oneshot' },
  );
  t.deepEqual(
    [10, 11, 12].map((l) => lineMap(both, FILE).get(l)),
    [1n, 0n, 0n],
  );
  // an entry-only declaration line (the out-of-line copy has no row for it) is the declared
  // function's, not a record of lines outside functions
  const noOwnRow = buildLineCoverage(
    [
      {
        plan: plan(
          '/bin/a',
          sites.filter((s) => s.address !== 0x200n),
          SUBPROGRAMS,
        ),
        counts: countsOf([1, 1, 0, 1, 1, 1, 0, 0, 1]),
      },
    ],
    { mode: 'oneshot' },
  );
  const owner = noOwnRow.functions.find((f) => f.regions[3] === 10);
  t.is(owner?.name, '_ZNhelper');
  t.is(lineMap(noOwnRow, FILE).get(10), 1n);
  // a declaration line no site of its own has still becomes coverable
  const only = buildLineCoverage(
    [
      {
        plan: plan(
          '/bin/a',
          [site(0x100, 1), { ...site(0x110, 2), inlinedEntries: [{ file: OTHER, line: 30 }] }],
          [fn('main', 0x100, 0x140, 1, FILE)],
        ),
        counts: countsOf([1, 1]),
      },
    ],
    { mode: 'oneshot' },
  );
  t.is(lineMap(only, OTHER).get(30), 1n);
  t.deepEqual(
    only.functions.filter((f) => f.filenames[0] === OTHER).map((f) => f.name),
    [UNATTRIBUTED_RECORD_NAME],
  );
});

test('siteGroups: a site with inlined entries is a group of its own; plans keep the entries', (t) => {
  const sites = SITES.map((s) =>
    s.address === 0x118n ? { ...s, inlinedEntries: [{ file: OTHER, line: 30 }] } : s,
  );
  const [groups] = siteGroups([plan('/bin/a', sites, SUBPROGRAMS)]) as [Uint32Array];
  // without the entry, 0x110 and 0x118 (both main's line 2) would share a group
  t.not(groups[1], groups[2]);
  const stored = plan('/bin/a', sites, SUBPROGRAMS);
  t.deepEqual(decodePlan(encodePlan(stored)), stored);
});

test('a stored line index reads hits exactly as buildLineCoverage does, in both modes', (t) => {
  const next = random(7);
  for (let round = 0; round < 100; round++) {
    const plans = [randomPlan(next, '/bin/a'), randomPlan(next, '/bin/b'), randomPlan(next, '/c')];
    const index = decodeLineIndex(encodeLineIndex(indexLineCoverage(plans)));
    t.deepEqual(index.objects, ['/bin/a', '/bin/b', '/c']);
    for (const mode of ['oneshot', 'count'] as const) {
      const counts = plans.map((p) =>
        BigUint64Array.from(p.sites, () =>
          next() < 0.4 ? (mode === 'oneshot' ? 1n : BigInt(1 + Math.floor(next() * 9))) : 0n,
        ),
      );
      const direct = buildLineCoverage(
        plans.map((p, i) => ({ plan: p, counts: counts[i]! })),
        { mode, createdAt: 'now' },
      );
      t.deepEqual(coverageFromIndex(index, counts, { mode, createdAt: 'now' }), direct);
    }
  }
});

test('a line index keeps the plans\u2019 warnings, before the run\u2019s', (t) => {
  const warned = {
    ...plan('/bin/a', SITES, SUBPROGRAMS),
    warnings: [{ severity: 'warning' as const, code: 'W_X', message: 'from the plan' }],
  };
  const index = decodeLineIndex(encodeLineIndex(indexLineCoverage([warned])));
  const set = coverageFromIndex(index, [new BigUint64Array(SITES.length)], {
    mode: 'oneshot',
    warnings: [{ severity: 'warning', code: 'W_PTRACE', message: 'from the run' }],
  });
  t.deepEqual(
    set.warnings.map((w) => w.message),
    ['from the plan', 'from the run'],
  );
  t.throws(() => decodeLineIndex(new Uint8Array([0xc0])), { message: /not a stored line index/ });
});
