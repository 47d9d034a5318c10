import test from 'ava';
import { CovError, type CovErrorCode } from '../../../src/binary/index.js';
import { readProfdata, type ProfileFile } from '../../../src/profraw/index.js';
import { buildProfdata, hexBytes, nameRefOf, type ProfdataSpec } from './profile-builder.js';

const CRATE = 'Cs32gj3y4fnmh_4main';
const GENERIC_Y = `_RINv${CRATE}7genericyEB2_`;
const GENERIC_RE = `_RINv${CRATE}7genericReEB2_`;
const MAIN = `_RNv${CRATE}4main`;
const CLASSIFY = `_RNv${CRATE}8classify`;
/** FuncHash of `main` is elided in the spec; this value is made up. */
const MAIN_HASH = 0x5a5a_1234_5678_9abcn;

/** Spec §3 worked example: `llvm-profdata-22 merge -sparse` of the §2.13 profile, v13. */
const spec3: ProfdataSpec = {
  version: 13,
  functions: [
    { name: GENERIC_Y, records: [{ funcHash: 0xee6a39d39f4e40a9n, counts: [1, 1] }] },
    { name: MAIN, records: [{ funcHash: MAIN_HASH, counts: [1, 6, 1, 1, 0] }] },
    { name: CLASSIFY, records: [{ funcHash: 0xe68e11ca81bd8ea1n, counts: [5, 2, 2] }] },
    { name: GENERIC_RE, records: [{ funcHash: 0xee6a39d39f4e40a9n, counts: [1, 1] }] },
  ],
  binaryIds: [[...hexBytes('aea9adeef44a6cba18f59f8dc5cc06be4ad93c23')]],
};

const table = (file: ProfileFile): [string | undefined, bigint, bigint[]][] =>
  file.records.map((r, i) => [file.names[i], r.funcHash, [...r.counts]]);

test('spec §3 worked example: 1112-byte v13 file, offsets as in the spec', (t) => {
  const built = buildProfdata(spec3);
  t.is(built.bytes.length, 1112);
  t.deepEqual(built.bucketOffsets, [0, 0, 0, 0x208, 0x277, 0, 0x365, 0]);
  t.is(built.hashOffset, 0x3d8);
  t.is(built.binaryIdOffset, 0x428);
  t.is(built.vtableNamesOffset, 0x450);
  t.deepEqual(
    [...built.bytes.subarray(0, 0x48)],
    [
      ...hexBytes(`ff6c70726f666981 0d00000000000000 0000000000000000 0000000000000000
        d803000000000000 0000000000000000 2804000000000000 0000000000000000 5004000000000000`),
    ],
  );
  t.deepEqual(
    [...built.bytes.subarray(0x208, 0x208 + 26)],
    [...hexBytes('0100 a3c957e8a70996be 2500000000000000 3000000000000000')],
  );
  t.deepEqual(
    [...built.bytes.subarray(0x208 + 26 + 37, 0x277)],
    [
      ...hexBytes(`a9404e9fd3396aee 0200000000000000 0100000000000000 0100000000000000
        0000000000000000 0800000000000000`),
    ],
  );

  const file = readProfdata(built.bytes, 'main.profdata');
  t.deepEqual(file.warnings, []);
  t.is(file.format, 'profdata');
  t.deepEqual(file.versions, [13]);
  // Bucket order: 3 (generic<u64>), 4 (main, classify), 6 (generic<&str>).
  t.deepEqual(table(file), [
    [GENERIC_Y, 0xee6a39d39f4e40a9n, [1n, 1n]],
    [MAIN, MAIN_HASH, [1n, 6n, 1n, 1n, 0n]],
    [CLASSIFY, 0xe68e11ca81bd8ea1n, [5n, 2n, 2n]],
    [GENERIC_RE, 0xee6a39d39f4e40a9n, [1n, 1n]],
  ]);
  t.is(file.records[2]!.nameRef, 0x4ba699ee837533fcn); // spec §1
  t.is(file.records[0]!.nameRef, nameRefOf(GENERIC_Y));
});

test('v7 (llvm-profdata-14): 40-byte header, no bitmap, several FuncHashes under one name', (t) => {
  const built = buildProfdata({
    version: 7,
    functions: [
      { name: 'main', records: [{ funcHash: 0x11b458n, counts: [1, 5] }] },
      {
        name: 'x.c:classify',
        records: [
          { funcHash: 0x29c498458n, counts: [5, 2] },
          { funcHash: 0x99n, counts: [0] },
        ],
      },
      { name: 'unused', records: [{ funcHash: 0x18n, counts: [0] }] },
    ],
  });
  t.is(new DataView(built.bytes.buffer).getBigUint64(32, true), BigInt(built.hashOffset));
  t.is(
    built.bucketOffsets.find((o) => o !== 0),
    40 + 8 * (2 + 6 + 48),
  ); // header + summary
  const file = readProfdata(built.bytes, 'x14.profdata');
  t.deepEqual(file.warnings, []);
  t.deepEqual(file.versions, [7]);
  const byName = (name: string): [bigint, bigint[]][] =>
    file.records
      .filter((r) => r.nameRef === nameRefOf(name))
      .map((r) => [r.funcHash, [...r.counts]]);
  t.deepEqual(byName('x.c:classify'), [
    [0x29c498458n, [5n, 2n]],
    [0x99n, [0n]],
  ]);
  t.deepEqual(byName('main'), [[0x11b458n, [1n, 5n]]]);
  t.deepEqual([...file.names].sort(), ['main', 'unused', 'x.c:classify']);
  t.is(file.records.length, 4);
  t.true(file.records.every((r) => r.bitmap.length === 0));
});

test('v11+: bitmap bytes stored one per u64 (spec §6 item 10)', (t) => {
  for (const version of [11, 12]) {
    const built = buildProfdata({
      version,
      functions: [
        { name: 'f', records: [{ funcHash: 7n, counts: [2, 0, 1], bitmap: [0x03, 0x80] }] },
      ],
    });
    const file = readProfdata(built.bytes, 'mcdc.profdata');
    t.deepEqual(file.warnings, []);
    t.deepEqual([...file.records[0]!.bitmap], [0x03, 0x80]);
    t.deepEqual([...file.records[0]!.counts], [2n, 0n, 1n]);
  }
});

test('every version 7..13 reads (header sizes 40/48/56/64/64/72/72)', (t) => {
  for (let version = 7; version <= 13; version++) {
    const built = buildProfdata({ ...spec3, version });
    const file = readProfdata(built.bytes, `v${version}.profdata`);
    t.deepEqual(file.warnings, [], `v${version}`);
    t.is(file.records.length, 4);
    t.deepEqual(file.versions, [version]);
  }
});

test('context-sensitive flag (bit 57): the second summary is skipped', (t) => {
  const built = buildProfdata({ ...spec3, flags: 1n << 57n });
  const file = readProfdata(built.bytes, 'cs.profdata');
  t.deepEqual(file.warnings, []);
  t.is(file.records.length, 4);
  t.is(built.bucketOffsets[3], 0x208 + 0x1c0); // a second 448-byte summary
});

function expectError(
  t: import('ava').ExecutionContext,
  bytes: Uint8Array,
  code: CovErrorCode,
  byteOffset: number,
): CovError {
  const error = t.throws(() => readProfdata(bytes, 'p.profdata'), { instanceOf: CovError });
  t.is(error.code, code);
  t.is(error.byteOffset, byteOffset);
  return error;
}

test('v14 (LLVM 23) and v6 are E_UNSUPPORTED_VERSION naming the version', (t) => {
  for (const version of [14, 6]) {
    const bytes = buildProfdata({ ...spec3, version }).bytes;
    const error = expectError(t, bytes, 'E_UNSUPPORTED_VERSION', 8);
    t.true(
      error.message.includes(`indexed profile version ${version} is not supported`),
      error.message,
    );
    t.true(error.message.includes('7 to 13'));
  }
});

test('bad magic, raw magic and a short file', (t) => {
  const bytes = buildProfdata(spec3).bytes.slice();
  bytes[7] = 0x80;
  const bad = expectError(t, bytes, 'E_BAD_MAGIC', 0);
  t.true(bad.message.includes('ff 6c 70 72 6f 66 69 80'), bad.message);
  t.true(bad.message.includes('ff 6c 70 72 6f 66 69 81'));
  const raw = expectError(t, hexBytes('8172666f72706cff 0a00000000000000'), 'E_BAD_MAGIC', 0);
  t.true(raw.message.includes('readProfraw'));
  expectError(t, hexBytes('ff6c70'), 'E_TRUNCATED', 0);
});

test('a file cut before the hash table is E_TRUNCATED at the HashOffset', (t) => {
  const bytes = buildProfdata(spec3).bytes.subarray(0, 0x300);
  const error = expectError(t, bytes, 'E_TRUNCATED', 0x300);
  t.true(error.message.includes('HashOffset 0x3d8'), error.message);
  expectError(t, buildProfdata(spec3).bytes.subarray(0, 0x30), 'E_TRUNCATED', 0x30);
});

test('hash type other than MD5 is E_MALFORMED', (t) => {
  const bytes = buildProfdata(spec3).bytes.slice();
  bytes[24] = 1;
  expectError(t, bytes, 'E_MALFORMED', 24);
});

test('a corrupt item loses only its bucket; other buckets survive with a warning', (t) => {
  const built = buildProfdata(spec3);
  const bytes = built.bytes.slice();
  const view = new DataView(bytes.buffer);
  // Bucket 4 (main, classify): make the first item's DataLen run past the payload.
  view.setBigUint64(0x277 + 2 + 16, 0x10000n, true);
  const file = readProfdata(bytes, 'corrupt.profdata');
  t.deepEqual(file.names, [GENERIC_Y, GENERIC_RE]);
  t.is(file.warnings.length, 2); // the bucket, then the entry count
  t.is(file.warnings[0]!.code, 'E_TRUNCATED');
  t.is(file.warnings[0]!.byteOffset, 0x277 + 2 + 24 + MAIN.length);
  t.is(file.warnings[1]!.code, 'E_MALFORMED');
  t.true(file.warnings[1]!.message.includes('announces 4 entries, 2 were read'));
});

test('a record that overruns its item drops that name only; a bad bucket offset is skipped', (t) => {
  const built = buildProfdata(spec3);
  const bytes = built.bytes.slice();
  const view = new DataView(bytes.buffer);
  // generic<u64> item data: NumCounts 2 → 9 (runs past DataLen 48).
  view.setBigUint64(0x208 + 26 + GENERIC_Y.length + 8, 9n, true);
  // bucket 6 offset → inside the header.
  view.setBigUint64(built.hashOffset + 16 + 6 * 8, 8n, true);
  const file = readProfdata(bytes, 'corrupt.profdata');
  t.deepEqual(file.names, [MAIN, CLASSIFY]);
  t.is(file.warnings[0]!.code, 'E_TRUNCATED');
  t.true(
    file.warnings[0]!.message.includes(`records of "${GENERIC_Y}" ignored`),
    file.warnings[0]!.message,
  );
  t.is(file.warnings[1]!.code, 'E_MALFORMED');
  t.true(file.warnings[1]!.message.includes('bucket 6 offset 0x8 is outside'));
});

test('a stored key hash that is not the MD5-64 of the key is reported', (t) => {
  const bytes = buildProfdata(spec3).bytes.slice();
  bytes[0x20a] = bytes[0x20a]! ^ 1;
  const file = readProfdata(bytes, 'h.profdata');
  t.is(file.records.length, 4);
  t.is(file.records[0]!.nameRef, nameRefOf(GENERIC_Y));
  t.is(file.warnings[0]?.code, 'E_MALFORMED');
  t.is(file.warnings[0]?.byteOffset, 0x20a);
});
