/**
 * MC/DC records from hand-built mapping regions and bitmap bytes. Expected values are derived by
 * hand from spec/formats.md §5.8 (test vector numbering, the two bitmap layouts, independence
 * pairs, folded conditions) and §2.7/§3 (bitmap bytes: bit i is bit i&7 of byte i>>3); the
 * comments show the derivation.
 */
import test from 'ava';
import {
  createLoadState,
  loadObjectRecords,
  type ObjectMapping,
} from '../../../src/assemble/index.js';
import { buildMcdcRecords, buildTestVectorIndices } from '../../../src/assemble/mcdc.js';
import { REGION_STRIDE, RegionKind, type FunctionMapping } from '../../../src/covmap/index.js';
import { mergeProfiles, type ProfileCounts } from '../../../src/profraw/index.js';

/** Counter #k, encoded (tag 1). */
const c = (k: number): number => (k << 2) | 1;
const ZERO = 0;

interface RegionSpec {
  kind: number;
  fileId?: number;
  expandedFileId?: number;
  at: [number, number, number, number];
  counter?: number;
  falseCounter?: number;
  /** Decision: [BitmapIdx, NumConditions]; MC/DC branch: [ID, TrueNext, FalseNext] (−1 = none). */
  params?: number[];
}

function regions(specs: RegionSpec[]): Uint32Array {
  const out = new Uint32Array(specs.length * REGION_STRIDE);
  specs.forEach((s, i) => {
    const p = s.params ?? [];
    // MC/DC branch params are stored +1 (spec §4.5), decision params as they are
    const stored = s.kind === RegionKind.MCDCBranch ? p.map((v) => v + 1) : p;
    out.set(
      [
        s.kind,
        s.fileId ?? 0,
        s.expandedFileId ?? 0,
        ...s.at,
        s.counter ?? 0,
        s.falseCounter ?? 0,
        stored[0] ?? 0,
        stored[1] ?? 0,
        stored[2] ?? 0,
      ],
      i * REGION_STRIDE,
    );
  });
  return out;
}

const decision = (at: RegionSpec['at'], bitmapIdx: number, n: number, fileId = 0): RegionSpec => ({
  kind: RegionKind.MCDCDecision,
  fileId,
  at,
  params: [bitmapIdx, n],
});
const cond = (
  at: RegionSpec['at'],
  id: number,
  trueNext: number,
  falseNext: number,
  counters: [number, number] = [c(1), c(2)],
  fileId = 0,
): RegionSpec => ({
  kind: RegionKind.MCDCBranch,
  fileId,
  at,
  counter: counters[0],
  falseCounter: counters[1],
  params: [id, trueNext, falseNext],
});

/**
 * `a && b` at 1:5–1:11: a = id 0 (true → b, false → end), b = id 1. The code region uses the
 * highest counter, so a function without profile data still evaluates (spec §5.1 step 2c sizes
 * its zero counts from primary counters only).
 */
const AND2 = [
  { kind: RegionKind.Code, at: [1, 1, 3, 2] as RegionSpec['at'], counter: c(2) },
  decision([1, 5, 1, 11], 3, 2),
  cond([1, 5, 1, 6], 0, 1, -1),
  cond([1, 10, 1, 11], 1, -1, -1),
];

test('TVIdxBuilder numbering of a && b (spec §5.8)', (t) => {
  // node a width 1; a.false ends (width 1, order 0); a.true → b (index 0, b width 1);
  // b.false ends (order 1), b.true ends (order 2); all width 1 → indices 0, 1, 2
  t.deepEqual(
    buildTestVectorIndices([
      [-1, 1],
      [-1, -1],
    ]),
    {
      indices: [
        [0, 0],
        [1, 2],
      ],
      numTestVectors: 3,
    },
  );
});

test('TVIdxBuilder numbering of (a || b) && (c || d): wider ends first (spec §5.8)', (t) => {
  // ids a0 b1 c2 d3; next = [false, true]: a [1, 2], b [-1, 2], c [3, -1], d [-1, -1].
  // Breadth first: a (w1): a.f → b gets index 0, w(b)=1; a.t → c gets index 0, w(c)=1.
  // b (w1): b.f ends (w1, order 0); b.t → c gets index w(c)=1, w(c)=2.
  // c (w2): c.f → d gets index 0, w(d)=2; c.t ends (w2, order 1).
  // d (w2): d.f ends (w2, order 2); d.t ends (w2, order 3).
  // Ends sorted by width desc, then order: c.t=0, d.f=2, d.t=4, b.f=6; 7 test vectors.
  t.deepEqual(
    buildTestVectorIndices([
      [1, 2],
      [-1, 2],
      [3, -1],
      [-1, -1],
    ]),
    {
      indices: [
        [0, 0],
        [6, 1],
        [0, 0],
        [2, 4],
      ],
      numTestVectors: 7,
    },
  );
});

test('malformed condition graphs give no numbering', (t) => {
  t.is(buildTestVectorIndices([]), undefined);
  t.is(buildTestVectorIndices([[0, -1]]), undefined, 'an edge back to the root');
  t.is(buildTestVectorIndices([[5, -1]]), undefined, 'an edge past the last condition');
});

test('current layout: test vector t is bit BitmapIdx − NumTestVectors + t (spec §5.8)', (t) => {
  // vectors of a && b: t0 = {a F} → false, t1 = {a T, b F} → false, t2 = {a T, b T} → true.
  // BitmapIdx 3, 3 vectors → bits 0..2; byte 0b101 → t0 and t2 ran.
  // Pair: t2 vs t0 differ only in a (b is don't-care in t0) → a covered; b has no pair.
  const [record, ...rest] = buildMcdcRecords(
    regions(AND2),
    Uint8Array.of(0b101),
    'test-vector-index',
  );
  t.is(rest.length, 0);
  t.deepEqual(record, {
    decision: [1, 5, 1, 11, 0, 0],
    trueDecisions: 1,
    falseDecisions: 1,
    conditionsCovered: [true, false],
    conditionsFolded: [false, false],
    testVectors: [
      { conditions: [false, null], executed: true, result: false },
      { conditions: [true, true], executed: true, result: true },
    ],
  });
});

test('legacy layout (indexed v11 / raw v9): bit BitmapIdx × 8 + true-condition mask (spec §5.8)', (t) => {
  // BitmapIdx is a byte index here: 1 → bits 8..; masks: {a F} 0b00 → bit 8,
  // {a T, b F} 0b01 → bit 9, {a T, b T} 0b11 → bit 11. Byte 1 = 0b1010 → bits 9 and 11.
  // Pair: {T,T} vs {T,F} differ only in b → b covered, a not.
  const specs = [...AND2];
  specs[1] = decision([1, 5, 1, 11], 1, 2);
  const [record] = buildMcdcRecords(
    regions(specs),
    Uint8Array.of(0xff, 0b1010),
    'condition-bitmask',
  );
  t.deepEqual(record?.testVectors, [
    { conditions: [true, false], executed: true, result: false },
    { conditions: [true, true], executed: true, result: true },
  ]);
  t.deepEqual(record?.conditionsCovered, [false, true]);
  // the same bytes read with the current layout: bit BitmapIdx 1 − 3 vectors + t, so t0 and t1
  // fall before bit 0 (not executed) and t2 is bit 0 of byte 0xff
  const [current] = buildMcdcRecords(
    regions(specs),
    Uint8Array.of(0xff, 0b1010),
    'test-vector-index',
  );
  t.deepEqual(current?.testVectors, [{ conditions: [true, true], executed: true, result: true }]);
});

test('bits past the bitmap (no profile data) count as not executed', (t) => {
  const [record] = buildMcdcRecords(regions(AND2), new Uint8Array(0), 'test-vector-index');
  t.deepEqual(record?.testVectors, []);
  t.deepEqual(record?.conditionsCovered, [false, false]);
  t.is(record?.trueDecisions, 0);
  t.is(record?.falseDecisions, 0);
});

test('a condition whose true or false counter is the zero counter is folded', (t) => {
  const specs = [...AND2];
  specs[3] = cond([1, 10, 1, 11], 1, -1, -1, [c(3), ZERO]);
  const [record] = buildMcdcRecords(regions(specs), Uint8Array.of(0b111), 'test-vector-index');
  t.deepEqual(record?.conditionsFolded, [false, true]);
  // all three vectors ran: a has pair (t2, t0), b has pair (t2, t1)
  t.deepEqual(record?.conditionsCovered, [true, true]);
});

test('conditions are listed with id 0 first, then in stored order', (t) => {
  // `a || b || c` stored as c (id 2), a (id 0), b (id 1): positions are a, c, b.
  // a: true → end, false → b; b: true → end, false → c; c: both end.
  // Numbering: a.t end (w1, o0), b.t end (w1, o1), c.f (o2), c.t (o3) → 0, 1, 2, 3;
  // paths: {a T} 0 true, {a F, b T} 1 true, {a F, b F, c F} 2 false, {…, c T} 3 true.
  const specs: RegionSpec[] = [
    decision([2, 1, 2, 20], 4, 3),
    cond([2, 15, 2, 16], 2, -1, -1),
    cond([2, 1, 2, 2], 0, -1, 1),
    cond([2, 8, 2, 9], 1, -1, 2),
  ];
  // bits 0..3 (BitmapIdx 4 − 4 vectors): vectors 1, 2 and 3 ran
  const [record] = buildMcdcRecords(regions(specs), Uint8Array.of(0b1110), 'test-vector-index');
  t.deepEqual(record?.testVectors, [
    { conditions: [false, false, false], executed: true, result: false },
    { conditions: [false, null, true], executed: true, result: true },
    { conditions: [false, true, false], executed: true, result: true },
  ]);
  // pairs: {F,T,-} vs {F,F,F} → b (position 2); {F,F,T} vs {F,F,F} → c (position 1)
  t.deepEqual(record?.conditionsCovered, [false, true, true]);
  t.is(record?.trueDecisions, 2);
  t.is(record?.falseDecisions, 1);
});

test('conditions inside an expansion started within the decision belong to it', (t) => {
  // decision at 5:5–5:30 in file 0 holds an expansion (to file 1) at 5:5–5:15 and condition id 1;
  // condition id 0 lies in file 1 (the macro body), elsewhere in the source
  const specs: RegionSpec[] = [
    decision([5, 5, 5, 30], 3, 2),
    { kind: RegionKind.Expansion, fileId: 0, expandedFileId: 1, at: [5, 5, 5, 15] },
    cond([5, 20, 5, 30], 1, -1, -1),
    cond([1, 20, 1, 30], 0, 1, -1, [c(1), c(2)], 1),
  ];
  const records = buildMcdcRecords(regions(specs), Uint8Array.of(0b111), 'test-vector-index');
  t.is(records.length, 1);
  t.deepEqual(records[0]?.conditionsCovered, [true, true]);
});

test('a condition outside every open decision is dropped (llvm-cov: unreachable); an incomplete decision gives no record', (t) => {
  const specs: RegionSpec[] = [
    decision([5, 5, 5, 30], 3, 2),
    cond([5, 5, 5, 6], 0, 1, -1),
    cond([9, 1, 9, 2], 1, -1, -1), // outside 5:5–5:30 and not in an expansion of it
  ];
  t.deepEqual(buildMcdcRecords(regions(specs), Uint8Array.of(0xff), 'test-vector-index'), []);
});

test('nested decisions: a condition goes to the first open decision that contains it', (t) => {
  // outer decision at 1:1–1:40 and inner one at 1:10–1:20, both open. The first two conditions
  // (ids 0, 1) lie in both ranges: the outer one, opened first, takes them and completes. The next
  // two (ids 0, 1 again) then go to the inner one. Records come out in completion order.
  const specs: RegionSpec[] = [
    decision([1, 1, 1, 40], 3, 2),
    decision([1, 10, 1, 20], 6, 2),
    cond([1, 10, 1, 11], 0, -1, 1),
    cond([1, 15, 1, 16], 1, -1, -1),
    cond([1, 12, 1, 13], 0, 1, -1),
    cond([1, 14, 1, 15], 1, -1, -1),
  ];
  const records = buildMcdcRecords(regions(specs), Uint8Array.of(0), 'test-vector-index');
  t.deepEqual(
    records.map((r) => r.decision.slice(0, 4)),
    [
      [1, 1, 1, 40],
      [1, 10, 1, 20],
    ],
  );
});

/** One object with one function whose mapping is `AND2`, for the load path. */
function objectWithAnd2(): ObjectMapping {
  const mapping: FunctionMapping = {
    fileIdToFilenameIndex: Uint32Array.of(1),
    expressions: new Uint32Array(0),
    expressionIsAdd: new Uint8Array(0),
    regions: regions(AND2),
    regionCount: AND2.length,
  };
  return {
    path: 'a.out',
    version: 6,
    filenameTables: new Map([[7n, ['/work', '/work/a.c']]]),
    records: [
      {
        nameRef: 11n,
        funcHash: 22n,
        filenamesRef: 7n,
        byteOffset: 0,
      },
    ],
    names: new Map([[11n, 'f']]),
    fileIds: () => mapping.fileIdToFilenameIndex,
    decode: () => mapping,
  };
}

function profileWith(bitmap: number[], legacy: boolean): ProfileCounts {
  return mergeProfiles([
    {
      source: 'p',
      format: 'profdata',
      versions: [legacy ? 11 : 13],
      records: [
        {
          nameRef: 11n,
          funcHash: 22n,
          counts: BigUint64Array.of(1n, 1n, 0n),
          bitmap: Uint8Array.from(bitmap),
        },
      ],
    },
  ]);
}

test('loading a record reads its bitmap with the layout of the profile version', (t) => {
  // byte 0 = 0b101 (current layout: t0 and t2), byte 1 = 0b1010 (legacy, BitmapIdx 3 → bits
  // 24.. are past the bitmap, so nothing ran)
  const currentProfile = profileWith([0b101, 0b1010], false);
  t.false(currentProfile.legacyMcdcBitmap);
  const current = createLoadState();
  loadObjectRecords(objectWithAnd2(), 0, currentProfile, current);
  t.deepEqual(current.functions[0]?.mcdcRecords[0]?.conditionsCovered, [true, false]);
  t.is(current.functions[0]?.mcdcRecords[0]?.testVectors.length, 2);

  const legacyProfile = profileWith([0, 0, 0, 0b1010], true);
  t.true(legacyProfile.legacyMcdcBitmap);
  const legacy = createLoadState();
  loadObjectRecords(objectWithAnd2(), 0, legacyProfile, legacy);
  // BitmapIdx 3 × 8 = bit 24 = byte 3: masks 0b01 (bit 25) and 0b11 (bit 27) ran → b covered
  t.deepEqual(legacy.functions[0]?.mcdcRecords[0]?.conditionsCovered, [false, true]);
});

test('a function without profile data gets its MC/DC records with nothing executed', (t) => {
  const state = createLoadState();
  loadObjectRecords(objectWithAnd2(), 0, { byNameRef: new Map(), warnings: [] }, state);
  t.deepEqual(state.functions[0]?.mcdcRecords[0]?.testVectors, []);
  t.deepEqual(state.functions[0]?.mcdcRecords[0]?.conditionsCovered, [false, false]);
});
