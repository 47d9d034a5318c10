import test from 'ava';
import { CovError } from '../../../src/binary/index.js';
import { RegionKind, decodeMapping } from '../../../src/covmap/index.js';
import { geometry, hex, regionViews } from './bytes.js';

const V2 = 1;
const V4 = 3;
const V5 = 4;
const V6 = 5;
const V7 = 6;
const { Code, Expansion, Skipped, Gap, Branch, MCDCDecision, MCDCBranch } = RegionKind;

// Counter encodings (spec §4.5 item 3).
const counter = (k: number) => (k << 2) | 1;
const subtract = (e: number) => (e << 2) | 2;
const add = (e: number) => (e << 2) | 3;

test('spec §4.7: the classify record decodes to 2 expressions and 6 regions', (t) => {
  const bytes = hex(
    '01 01 | 02 01 07 05 09 | 06 | 01 11 01 00 24 | 01 01 0b 00 10 | 02 01 0e 00 14 | 09 01 0e 00 13 | 05 01 0e 00 15 | 01 02 01 00 02',
  );
  t.is(bytes.length, 0x26);
  const mapping = decodeMapping(bytes, 'covfun', 0x128 + 28, V7);
  t.deepEqual(Array.from(mapping.fileIdToFilenameIndex), [1]);
  // e0 = (#0, add-e1), e1 = (#1, #2); e0 referenced with tag 2 ⇒ subtract, e1 with tag 3 ⇒ add.
  t.deepEqual(Array.from(mapping.expressions), [counter(0), add(1), counter(1), counter(2)]);
  t.deepEqual(Array.from(mapping.expressionIsAdd), [0, 1]);
  t.is(mapping.regionCount, 6);
  t.deepEqual(regionViews(mapping).map(geometry), [
    [17, 1, 17, 36, Code, counter(0)],
    [18, 11, 18, 16, Code, counter(0)],
    [19, 14, 19, 20, Code, subtract(0)],
    [20, 14, 20, 19, Code, counter(2)],
    [21, 14, 21, 21, Code, counter(1)],
    [23, 1, 23, 2, Code, counter(0)],
  ]);
  t.true(regionViews(mapping).every((r) => r.fileId === 0 && r.falseCounter === 0));
});

test('spec §4.7: with counts [5, 2, 2] the classify regions evaluate to 5, 5, 1, 2, 2, 5', (t) => {
  const bytes = hex(
    '01 01 | 02 01 07 05 09 | 06 | 01 11 01 00 24 | 01 01 0b 00 10 | 02 01 0e 00 14 | 09 01 0e 00 13 | 05 01 0e 00 15 | 01 02 01 00 02',
  );
  const mapping = decodeMapping(bytes, 'covfun', 0, V7);
  const counts = [5, 2, 2];
  // Minimal evaluator over the decoded expression table (the real one lives in assemble/).
  const evaluate = (encoded: number): number => {
    const index = encoded >>> 2;
    switch (encoded & 3) {
      case 0:
        return 0;
      case 1:
        return counts[index]!;
      default: {
        const lhs = evaluate(mapping.expressions[index * 2]!);
        const rhs = evaluate(mapping.expressions[index * 2 + 1]!);
        return mapping.expressionIsAdd[index] === 1 ? lhs + rhs : lhs - rhs;
      }
    }
  };
  t.deepEqual(
    regionViews(mapping).map((r) => evaluate(r.counter)),
    [5, 5, 1, 2, 2, 5],
  );
});

test('spec §4.7: the unused record has five zero-counter code regions', (t) => {
  // The spec elides the last three regions; these are filled in by hand.
  const bytes = hex(
    '01 01 00 05 | 00 0c 01 00 19 | 00 01 08 00 0d | 00 01 0c 00 12 | 00 01 05 00 10 | 00 02 01 00 02',
  );
  t.is(bytes.length, 0x1d);
  const mapping = decodeMapping(bytes, 'covfun', 0, V7);
  const regions = regionViews(mapping);
  t.is(regions.length, 5);
  t.deepEqual(geometry(regions[0]!), [12, 1, 12, 25, Code, 0]);
  t.deepEqual(geometry(regions[1]!), [13, 8, 13, 13, Code, 0]);
  t.true(regions.every((r) => r.kind === Code && r.counter === 0));
});

test('spec §4.7: branch region bytes 20 02 01 00 0b 00 14', (t) => {
  const bytes = hex('01 01 | 01 01 05 | 02 | 01 05 01 00 20 | 20 02 01 00 0b 00 14');
  const [code, branch] = regionViews(decodeMapping(bytes, 'covfun', 0, V7));
  t.deepEqual(geometry(code!), [5, 1, 5, 32, Code, counter(0)]);
  t.deepEqual(geometry(branch!), [5, 11, 5, 20, Branch, subtract(0)]);
  t.is(branch!.falseCounter, counter(0));
  // Branch regions arrived with Version5 (field 4).
  t.notThrows(() => decodeMapping(bytes, 'covfun', 0, V5));
  const error = t.throws(() => decodeMapping(bytes, 'covfun', 0x100, V4), { instanceOf: CovError });
  t.is(error.code, 'E_MALFORMED');
  t.is(error.byteOffset, 0x100 + 11);
});

test('spec §4.7: gap region bytes 09 00 0f 00 93 80 80 80 08', (t) => {
  const bytes = hex('01 01 | 00 | 02 | 05 01 01 00 10 | 09 00 0f 00 93 80 80 80 08');
  const [, gap] = regionViews(decodeMapping(bytes, 'covfun', 0, V7));
  t.deepEqual(geometry(gap!), [1, 15, 1, 19, Gap, counter(2)]);
  // Before Version3 (field 2) bit 31 is an ordinary column bit.
  const [, plain] = regionViews(decodeMapping(bytes, 'covfun', 0, V2));
  t.deepEqual(geometry(plain!), [1, 15, 1, 0x80000013, Code, counter(2)]);
});

test('whole-line regions: ColumnStart 0 and ColumnEnd 0 become 1 … 0xffffffff', (t) => {
  // Second region: a gap whose cleared ColumnEnd is 0 is also whole-line.
  const bytes = hex('01 00 | 00 | 02 | 01 03 00 02 00 | 05 04 00 00 80 80 80 80 08');
  const [lines, gap] = regionViews(decodeMapping(bytes, 'covfun', 0, V7));
  t.deepEqual(geometry(lines!), [3, 1, 5, 0xffffffff, Code, counter(0)]);
  t.deepEqual(geometry(gap!), [7, 1, 7, 0xffffffff, Gap, counter(1)]);
});

test('expansion and skipped regions; the expansion takes the first counter of its file', (t) => {
  const bytes = hex(
    '02 00 00 | 00 | 03 | 05 01 01 05 02 | 0c 02 05 00 0e | 10 01 01 01 03 | 02 | 09 14 01 00 1d | 0d 00 1e 00 25',
  );
  const mapping = decodeMapping(bytes, 'covfun', 0, V7);
  t.deepEqual(Array.from(mapping.fileIdToFilenameIndex), [0, 0]);
  const regions = regionViews(mapping);
  t.deepEqual(regions.map(geometry), [
    [1, 1, 6, 2, Code, counter(1)],
    [3, 5, 3, 14, Expansion, counter(2)],
    [4, 1, 5, 3, Skipped, 0],
    [20, 1, 20, 29, Code, counter(2)],
    [20, 30, 20, 37, Code, counter(3)],
  ]);
  t.deepEqual(
    regions.map((r) => [r.fileId, r.expandedFileId]),
    [
      [0, 0],
      [0, 1],
      [0, 0],
      [1, 0],
      [1, 0],
    ],
  );
});

test('nested expansions settle on the innermost first counter', (t) => {
  const bytes = hex(
    '03 00 00 00 | 00 | 01 | 0c 01 01 00 05 | 01 | 14 07 01 00 03 | 01 | 11 0a 01 00 09',
  );
  const regions = regionViews(decodeMapping(bytes, 'covfun', 0, V7));
  t.deepEqual(
    regions.map((r) => [r.kind, r.fileId, r.expandedFileId, r.counter]),
    [
      [Expansion, 0, 1, counter(4)],
      [Expansion, 1, 2, counter(4)],
      [Code, 2, 0, counter(4)],
    ],
  );
});

test('MC/DC decision and branch regions (Version7)', (t) => {
  const bytes = hex(
    '01 00 | 00 | 03 | 28 00 02 01 01 00 14 | 30 01 05 02 03 00 00 01 00 06 | 30 09 0d 03 00 00 00 0b 00 10',
  );
  const [decision, first, second] = regionViews(decodeMapping(bytes, 'covfun', 0, V7));
  t.deepEqual(geometry(decision!), [1, 1, 1, 20, MCDCDecision, 0]);
  t.deepEqual(decision!.p, [0, 2, 0]);
  t.deepEqual(geometry(first!), [1, 1, 1, 6, MCDCBranch, counter(0)]);
  t.is(first!.falseCounter, counter(1));
  t.deepEqual(first!.p, [2, 3, 0]);
  t.deepEqual(geometry(second!), [1, 11, 1, 16, MCDCBranch, counter(2)]);
  t.is(second!.falseCounter, counter(3));
  t.deepEqual(second!.p, [3, 0, 0]);
  const error = t.throws(() => decodeMapping(bytes, 'covfun', 0x40, V6), { instanceOf: CovError });
  t.is(error.code, 'E_MALFORMED');
  t.is(error.byteOffset, 0x40 + 4);
});

test('MC/DC branch with condition ID 0 is malformed at the ID', (t) => {
  const bytes = hex('01 00 | 00 | 01 | 30 01 05 00 00 00 01 01 00 06');
  const error = t.throws(() => decodeMapping(bytes, 'covfun', 0x10, V7), { instanceOf: CovError });
  t.is(error.code, 'E_MALFORMED');
  t.is(error.byteOffset, 0x10 + 7);
});

test('expression kinds: last reference wins, references from expressions count, unreferenced ⇒ subtract', (t) => {
  // e0 = (#0, #1), e1 = (#2, sub-e0), e2 = (#0, #0) unreferenced; regions reference e1 as
  // subtract, then as add.
  const bytes = hex('01 00 | 03 01 05 09 02 01 01 | 02 | 06 01 01 00 02 | 07 01 01 00 02');
  const mapping = decodeMapping(bytes, 'covfun', 0, V7);
  t.deepEqual(Array.from(mapping.expressionIsAdd), [0, 1, 0]);
  t.deepEqual(Array.from(mapping.expressions), [
    counter(0),
    counter(1),
    counter(2),
    subtract(0),
    counter(0),
    counter(0),
  ]);
  // Every stored reference carries the final kind.
  t.deepEqual(
    regionViews(mapping).map((r) => r.counter),
    [add(1), add(1)],
  );
});

test('an expression referenced as add by another expression is an add', (t) => {
  const bytes = hex('01 00 | 02 01 07 05 09 | 01 | 01 01 01 00 02');
  t.deepEqual(Array.from(decodeMapping(bytes, 'covfun', 0, V7).expressionIsAdd), [0, 1]);
});

const malformed = test.macro(
  (
    t,
    bytes: string,
    code: 'E_MALFORMED' | 'E_TRUNCATED',
    relativeOffset: number,
    version: number = V7,
  ) => {
    const error = t.throws(() => decodeMapping(hex(bytes), 'main: __llvm_covfun', 0x100, version), {
      instanceOf: CovError,
    });
    t.is(error.code, code);
    t.is(error.byteOffset, 0x100 + relativeOffset);
    t.true(
      error.message.startsWith(
        `main: __llvm_covfun: at 0x${(0x100 + relativeOffset).toString(16)}: `,
      ),
    );
  },
);

test('overlong LEB128', malformed, '80 80 80 80 80 80 80 80 80 80 80 00', 'E_MALFORMED', 0);
test(
  'LEB128 cut off by the end of the data',
  malformed,
  '01 00 | 00 | 01 | 01 01 01 00 80',
  'E_TRUNCATED',
  8,
);
test('expression operand refers past NumExprs', malformed, '01 00 | 01 | 01 06', 'E_MALFORMED', 4);
test(
  'region counter refers past NumExprs',
  malformed,
  '01 00 | 00 | 01 | 02 01 01 00 02',
  'E_MALFORMED',
  4,
);
test(
  'branch false counter refers past NumExprs',
  malformed,
  '01 00 | 00 | 01 | 20 01 03 01 01 00 02',
  'E_MALFORMED',
  6,
);
test(
  'encoded counter 0xffffffff',
  malformed,
  '01 00 | 00 | 01 | ff ff ff ff 0f 01 01 00 02',
  'E_MALFORMED',
  4,
);
test(
  'expanded file id past NumFileIds',
  malformed,
  '01 00 | 00 | 01 | 0c 01 01 00 02',
  'E_MALFORMED',
  4,
);
test(
  'region kind 1 without the expansion bit',
  malformed,
  '01 00 | 00 | 01 | 08 01 01 00 02',
  'E_MALFORMED',
  4,
);
test(
  'region kind 3 (gap is not a stored kind)',
  malformed,
  '01 00 | 00 | 01 | 18 01 01 00 02',
  'E_MALFORMED',
  4,
);
test('region kind 7', malformed, '01 00 | 00 | 01 | 38 01 01 00 02', 'E_MALFORMED', 4);
test(
  'start column after end column',
  malformed,
  '01 00 | 00 | 01 | 01 05 0a 00 03',
  'E_MALFORMED',
  4,
);
test('NumRegions beyond the data', malformed, '01 00 | 00 | 09 | 01', 'E_TRUNCATED', 3);
test('NumExprs beyond the data', malformed, '01 00 | 40 | 01', 'E_TRUNCATED', 2);
test(
  'MC/DC NumConditions ≥ 0x7fff',
  malformed,
  '01 00 | 00 | 01 | 28 00 ff ff 01 01 01 00 02',
  'E_MALFORMED',
  6,
);
test(
  'MC/DC decision before Version7',
  malformed,
  '01 00 | 00 | 01 | 28 00 02 01 01 00 14',
  'E_MALFORMED',
  4,
  V6,
);

test('line numbers wrap modulo 2^32 as in LLVM, so a wrapped end is before the start', (t) => {
  // DeltaLineStart 0xfffffffe, NumLines 5 ⇒ LineEnd wraps to 3.
  const bytes = hex('01 00 | 00 | 01 | 01 fe ff ff ff 0f 01 05 02');
  const error = t.throws(() => decodeMapping(bytes, 'covfun', 0, V7), { instanceOf: CovError });
  t.is(error.code, 'E_MALFORMED');
  t.regex(error.message, /start 4294967294:1 is after end 3:2/);
});

test('counter indices are not bounded here (the profile decides, spec §5.1 step 3)', (t) => {
  const bytes = hex('01 00 | 00 | 01 | fd ff ff ff 0f 01 01 00 02');
  const [region] = regionViews(decodeMapping(bytes, 'covfun', 0, V7));
  t.is(region!.counter, 0xfffffffd);
});
