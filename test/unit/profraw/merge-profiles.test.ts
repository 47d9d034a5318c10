import test from 'ava';
import {
  INSTR_PROF_MAX_COUNT_VALUE,
  mergeProfiles,
  readProfraw,
  type ProfileFile,
  type ProfileRecord,
} from '../../../src/profraw/index.js';
import { buildRawProfile, concat } from './profile-builder.js';

function record(
  nameRef: bigint,
  funcHash: bigint,
  counts: readonly bigint[],
  bitmap: readonly number[] = [],
): ProfileRecord {
  return {
    nameRef,
    funcHash,
    counts: BigUint64Array.from(counts),
    bitmap: Uint8Array.from(bitmap),
  };
}

function file(source: string, records: ProfileRecord[]): ProfileFile {
  return { source, format: 'profraw', versions: [10], records, names: [], warnings: [] };
}

const view = (records: ProfileRecord[] | undefined): [bigint, bigint[], number[]][] =>
  (records ?? []).map((r) => [r.funcHash, [...r.counts], [...r.bitmap]]);

test('same (NameRef, FuncHash) is summed element-wise and bitmaps OR-ed (spec §2.12)', (t) => {
  const a = file('a.profraw', [record(1n, 10n, [1n, 2n, 3n], [0x01, 0x10])]);
  const b = file('b.profraw', [record(1n, 10n, [10n, 0n, 5n], [0x02, 0x10])]);
  const merged = mergeProfiles([a, b]);
  t.deepEqual(merged.warnings, []);
  t.deepEqual(view(merged.byNameRef.get(1n)), [[10n, [11n, 2n, 8n], [0x03, 0x10]]]);
  // Inputs are untouched.
  t.deepEqual([...a.records[0]!.counts], [1n, 2n, 3n]);
  t.deepEqual([...a.records[0]!.bitmap], [0x01, 0x10]);
});

test('different FuncHashes under one NameRef stay apart, in first-seen order', (t) => {
  const merged = mergeProfiles([
    file('a', [record(1n, 20n, [1n]), record(2n, 5n, [1n])]),
    file('b', [record(1n, 10n, [2n]), record(1n, 20n, [3n])]),
  ]);
  t.deepEqual(view(merged.byNameRef.get(1n)), [
    [20n, [4n], []],
    [10n, [2n], []],
  ]);
  t.deepEqual([...merged.byNameRef.keys()], [1n, 2n]);
});

test('sparse: a name is dropped only when every record under it is all zero', (t) => {
  const merged = mergeProfiles([
    file('a', [
      record(1n, 10n, [0n, 0n]), // all zero, but its name also has a non-zero record: stays
      record(1n, 11n, [0n, 4n]),
      record(2n, 20n, [0n]), // every record of NameRef 2 is zero: dropped
      record(2n, 21n, [0n, 0n]),
      record(3n, 30n, [0n], [0x00, 0x40]), // zero counts but a bitmap bit: stays
      record(4n, 40n, [0n], [0x00]), // zero counts and zero bitmap: dropped
    ]),
  ]);
  t.deepEqual([...merged.byNameRef.keys()], [1n, 3n]);
  t.deepEqual(view(merged.byNameRef.get(1n)), [
    [10n, [0n, 0n], []],
    [11n, [0n, 4n], []],
  ]);
});

test('zero records in one file and counts in another: the name survives', (t) => {
  const merged = mergeProfiles([
    file('a', [record(7n, 1n, [0n])]),
    file('b', [record(7n, 1n, [3n])]),
  ]);
  t.deepEqual(view(merged.byNameRef.get(7n)), [[1n, [3n], []]]);
});

test('additions saturate at 2^64−3 (LLVM getInstrMaxCountValue)', (t) => {
  t.is(INSTR_PROF_MAX_COUNT_VALUE, 2n ** 64n - 3n);
  const big = 2n ** 64n - 10n;
  const merged = mergeProfiles([
    file('a', [record(1n, 1n, [big, 2n ** 63n, 0xffffffffn, 2n ** 64n - 4n])]),
    file('b', [record(1n, 1n, [100n, 2n ** 63n, 1n, 1n])]),
  ]);
  t.deepEqual(view(merged.byNameRef.get(1n)), [
    [1n, [2n ** 64n - 3n, 2n ** 64n - 3n, 0x100000000n, 2n ** 64n - 3n], []],
  ]);
  t.is(merged.warnings.length, 1);
  t.is(merged.warnings[0]!.code, 'W_COUNTER_OVERFLOW');
  // 2^64−3 exactly is not an overflow.
  const exact = mergeProfiles([
    file('a', [record(1n, 1n, [2n ** 64n - 4n])]),
    file('b', [record(1n, 1n, [1n])]),
  ]);
  t.deepEqual(view(exact.byNameRef.get(1n)), [[1n, [2n ** 64n - 3n], []]]);
  t.deepEqual(exact.warnings, []);
});

test('carry across the 32-bit halves is exact', (t) => {
  const merged = mergeProfiles([
    file('a', [record(1n, 1n, [0x1_ffff_ffffn, 0xdead_beef_0000_0001n])]),
    file('b', [record(1n, 1n, [0x0_0000_0001n, 0x0000_0000_ffff_ffffn])]),
  ]);
  t.deepEqual(view(merged.byNameRef.get(1n)), [[1n, [0x2_0000_0000n, 0xdead_bef0_0000_0000n], []]]);
});

test('count mismatch: the later record is ignored with a warning naming both files', (t) => {
  const merged = mergeProfiles([
    file('first.profraw', [record(1n, 10n, [1n, 1n])]),
    file('second.profraw', [record(1n, 10n, [5n, 5n, 5n])]),
    file('third.profraw', [record(1n, 10n, [2n, 2n])]),
  ]);
  t.deepEqual(view(merged.byNameRef.get(1n)), [[10n, [3n, 3n], []]]);
  t.is(merged.warnings.length, 1);
  const warning = merged.warnings[0]!;
  t.is(warning.code, 'W_COUNT_MISMATCH');
  t.is(warning.source, 'second.profraw');
  t.true(warning.message.includes('count mismatch'));
  t.true(warning.message.includes('first.profraw'));
  t.true(warning.message.includes('second.profraw'));
});

test('bitmap length mismatch: counts merged, later bitmap ignored', (t) => {
  const merged = mergeProfiles([
    file('a', [record(1n, 10n, [1n], [0x01])]),
    file('b', [record(1n, 10n, [1n], [0x02, 0x04])]),
  ]);
  t.deepEqual(view(merged.byNameRef.get(1n)), [[10n, [2n], [0x01]]]);
  t.is(merged.warnings[0]?.code, 'W_BITMAP_MISMATCH');
});

test('records of several profiles in one raw file are merged too', (t) => {
  const functions = [{ name: 'f', funcHash: 3n, counters: [2n, 1n] }];
  const raw = readProfraw(
    concat(
      buildRawProfile({ version: 10, functions }),
      buildRawProfile({ version: 10, functions }),
    ),
    'exe-and-so.profraw',
  );
  const merged = mergeProfiles([raw]);
  t.deepEqual(view([...merged.byNameRef.values()][0]), [[3n, [4n, 2n], []]]);
});

test('legacyMcdcBitmap: set only when every file predates the MC/DC test-vector layout (spec §5.8)', (t) => {
  // indexed v12 / raw v10 introduced the test-vector bitmap layout; v11 / raw v9 used the mask one
  const of = (format: 'profraw' | 'profdata', versions: number[]): ProfileFile => ({
    source: `${format}-${versions.join('-')}`,
    format,
    versions,
    records: [],
    names: [],
    warnings: [],
  });
  const legacy = (...files: ProfileFile[]): boolean | undefined =>
    mergeProfiles(files).legacyMcdcBitmap;
  t.true(legacy(of('profraw', [9])));
  t.true(legacy(of('profdata', [11]), of('profraw', [8, 9])));
  t.false(legacy(of('profraw', [10])));
  t.false(legacy(of('profraw', [9, 10])));
  t.false(legacy(of('profdata', [12])));
  t.false(legacy(of('profdata', [11]), of('profdata', [13])));
  t.false(legacy());
});
