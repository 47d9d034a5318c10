import test from 'ava';
import { CovError, type Diagnostic } from '../../../src/binary/index.js';
import {
  decodeMapping,
  isDummyMappingBytes,
  isDummyRecord,
  selectRecords,
  type CovfunRecord,
} from '../../../src/covmap/index.js';
import { hex } from './bytes.js';

// spec/formats.md §4.6: a dummy is FuncHash 0, one file id, no expressions, one region whose
// header tag is the zero counter.
const DUMMY = hex('01 00 | 00 | 01 | 00 01 01 00 02');
const SKIPPED_ONLY = hex('01 00 | 00 | 01 | 10 01 01 00 02');
const REAL = hex('01 00 | 00 | 01 | 01 01 01 00 02');
// rustc's unused functions: FuncHash 0 but several zero regions — not a dummy.
const RUST_UNUSED = hex('01 00 | 00 | 02 | 00 01 01 00 02 | 00 01 01 00 02');
const GARBAGE = hex('ff');

let offset = 0;
function record(
  nameRef: bigint,
  funcHash: bigint,
  mappingBytes: Uint8Array,
  extra: Partial<CovfunRecord> = {},
): CovfunRecord {
  offset += 0x40;
  return { nameRef, funcHash, filenamesRef: 0x99n, mappingBytes, byteOffset: offset, ...extra };
}

test('a dummy kept first is replaced by a real record, which takes its slot', (t) => {
  const dummy = record(1n, 0n, DUMMY);
  const other = record(2n, 7n, REAL);
  const real = record(1n, 5n, REAL);
  t.deepEqual(selectRecords([dummy, other, real]), [real, other]);
});

const keepsFirst = test.macro((t, first: CovfunRecord, second: CovfunRecord) => {
  t.deepEqual(selectRecords([first, second]), [first]);
});
test('real then real: the first stays', keepsFirst, record(1n, 5n, REAL), record(1n, 6n, REAL));
test(
  'real then dummy: the real one stays',
  keepsFirst,
  record(1n, 5n, REAL),
  record(1n, 0n, DUMMY),
);
test(
  'dummy then dummy: the first stays',
  keepsFirst,
  record(1n, 0n, DUMMY),
  record(1n, 0n, SKIPPED_ONLY),
);
test(
  'dummy-shaped mapping with a FuncHash is not a dummy',
  keepsFirst,
  record(1n, 3n, DUMMY),
  record(1n, 5n, REAL),
);
test(
  'rustc unused record (hash 0, several zero regions) is not a dummy',
  keepsFirst,
  record(1n, 0n, RUST_UNUSED),
  record(1n, 5n, REAL),
);

test('a single skipped region counts as dummy (LLVM looks at the header tag only)', (t) => {
  const dummy = record(1n, 0n, SKIPPED_ONLY);
  const real = record(1n, 5n, REAL);
  t.deepEqual(selectRecords([dummy, real]), [real]);
});

test('only the first replacement happens: a real record is never replaced', (t) => {
  const dummy = record(1n, 0n, DUMMY);
  const real = record(1n, 5n, REAL);
  const later = record(1n, 6n, REAL);
  t.deepEqual(selectRecords([dummy, real, later]), [real]);
});

test('mappings are read only when a NameRef repeats', (t) => {
  const warnings: Diagnostic[] = [];
  // Unique NameRefs with unreadable mappings, and a repeat whose kept record has a FuncHash.
  const records = [
    record(1n, 0n, GARBAGE),
    record(2n, 0n, GARBAGE),
    record(3n, 4n, GARBAGE),
    record(3n, 0n, GARBAGE),
  ];
  t.deepEqual(selectRecords(records, { source: 'covfun', warnings }), records.slice(0, 3));
  t.deepEqual(warnings, []);
});

test('an unreadable mapping met while choosing counts as not a dummy, with a warning', (t) => {
  const warnings: Diagnostic[] = [];
  const broken = record(1n, 0n, GARBAGE, { mappingByteOffset: 0x777 });
  const real = record(1n, 5n, REAL);
  t.deepEqual(selectRecords([broken, real], { source: 'covfun', warnings }), [broken]);
  t.is(warnings.length, 1);
  t.is(warnings[0]!.code, 'E_MALFORMED');
  t.is(warnings[0]!.byteOffset, broken.byteOffset);
});

test('Version1 records are keyed on NamePtr, not on the name hash', (t) => {
  const a = record(1n, 0n, DUMMY, { namePtr: 0x1000n, name: 'f' });
  const b = record(1n, 5n, REAL, { namePtr: 0x2000n, name: 'f' });
  const c = record(1n, 6n, REAL, { namePtr: 0x1000n, name: 'f' });
  t.deepEqual(selectRecords([a, b, c]), [c, b]);
});

test('isDummyRecord on decoded mappings', (t) => {
  t.true(isDummyRecord(decodeMapping(DUMMY, 'm', 0, 6)));
  t.true(isDummyRecord(decodeMapping(DUMMY, 'm', 0, 6), 0n));
  t.false(isDummyRecord(decodeMapping(DUMMY, 'm', 0, 6), 5n));
  t.true(isDummyRecord(decodeMapping(SKIPPED_ONLY, 'm', 0, 6)));
  t.false(isDummyRecord(decodeMapping(REAL, 'm', 0, 6)));
  t.false(isDummyRecord(decodeMapping(RUST_UNUSED, 'm', 0, 6)));
  // A zero-counter gap region has header tag 0 too.
  t.true(
    isDummyRecord(decodeMapping(hex('01 00 | 00 | 01 | 00 01 01 00 83 80 80 80 08'), 'm', 0, 6)),
  );
  // Two file ids, or an expression, disqualify.
  t.false(isDummyRecord(decodeMapping(hex('02 00 00 | 00 | 01 | 00 01 01 00 02 | 00'), 'm', 0, 6)));
  t.false(isDummyRecord(decodeMapping(hex('01 00 | 01 01 01 | 01 | 00 01 01 00 02'), 'm', 0, 6)));
});

test('isDummyMappingBytes agrees with isDummyRecord and fails on an unreadable prefix', (t) => {
  for (const bytes of [DUMMY, SKIPPED_ONLY, REAL, RUST_UNUSED]) {
    t.is(isDummyMappingBytes(bytes, 'm'), isDummyRecord(decodeMapping(bytes, 'm', 0, 6)));
  }
  const error = t.throws(() => isDummyMappingBytes(hex('01 00 00 01'), 'm', 0x20), {
    instanceOf: CovError,
  });
  t.is(error.code, 'E_TRUNCATED');
  t.is(error.byteOffset, 0x23);
});

test('NameRefs sharing their low 32 bits stay separate keys', (t) => {
  const a = record(0x1_0000_0007n, 0n, DUMMY);
  const b = record(0x2_0000_0007n, 5n, REAL);
  const c = record(0x1_0000_0007n, 6n, REAL);
  const d = record(0x2_0000_0007n, 0n, DUMMY);
  t.deepEqual(selectRecords([a, b, c, d]), [c, b]);
});
