import test from 'ava';
import { CovError, type CovErrorCode } from '../../../src/binary/index.js';
import {
  rawProfileLayout,
  readProfraw,
  type ProfileFile,
  type ProfileRecord,
} from '../../../src/profraw/index.js';
import {
  ByteWriter,
  buildRawProfile,
  concat,
  hexBytes,
  nameRefOf,
  namesBlob,
  valueProfData,
  writeDataRecord,
  writeRawHeader,
  type RawProfileSpec,
} from './profile-builder.js';

const counts = (record: ProfileRecord | undefined): bigint[] => [...(record?.counts ?? [])];
const find = (file: ProfileFile, name: string): ProfileRecord | undefined =>
  file.records.find((r) => r.nameRef === nameRefOf(name));

// ---------------------------------------------------------------------------------------------
// Layout tables (spec §2.3, §2.6, §7.1, §7.2)

const layoutCase = test.macro(
  (t, version: 8 | 9 | 10 | 11, pointerBytes: 4 | 8, header: number, record: number) => {
    const layout = rawProfileLayout(version, pointerBytes);
    t.is(layout.headerBytes, header);
    t.is(layout.dataRecord.sizeBytes, record);
  },
);
test('layout v8 64-bit: 88-byte header, 48-byte record', layoutCase, 8, 8, 88, 48);
test('layout v9 64-bit: 112, 64', layoutCase, 9, 8, 112, 64);
test('layout v10 64-bit: 128, 64', layoutCase, 10, 8, 128, 64);
test('layout v11 64-bit: 152, 72', layoutCase, 11, 8, 152, 72);
test('layout v8 32-bit: 88, 40', layoutCase, 8, 4, 88, 40);
test('layout v9 32-bit: 112, 48', layoutCase, 9, 4, 112, 48);
test('layout v10 32-bit: 128, 48', layoutCase, 10, 4, 128, 48);
test('layout v11 32-bit: 152, 56 (4 bytes of tail padding)', layoutCase, 11, 4, 152, 56);

test('v10 64-bit record has the 2-byte hole before NumBitmapBytes (spec §6 item 1)', (t) => {
  const r = rawProfileLayout(10, 8).dataRecord;
  t.is(r.numValueSites, 52);
  t.is(r.numBitmapBytes, 60);
  const r11 = rawProfileLayout(11, 8).dataRecord;
  t.deepEqual(
    [r11.uniformCounterPtr, r11.bitmapPtr, r11.numCounters, r11.numBitmapBytes],
    [24, 32, 56, 68],
  );
});

// ---------------------------------------------------------------------------------------------
// Spec §2.13: the 592-byte rustc 1.95 profile, rebuilt field by field.

const CRATE = 'Cs32gj3y4fnmh_4main';
const NAMES_2_13 = [
  `_RINv${CRATE}7genericReEB2_`,
  `_RINv${CRATE}7genericyEB2_`,
  `_RNv${CRATE}4main`,
  `_RNv${CRATE}8classify`,
  `_RNv${CRATE}6unused`,
];
/** FuncHash of `main` is elided in the spec; this value is made up. */
const MAIN_HASH = 0x5a5a_1234_5678_9abcn;

function spec213(): Uint8Array {
  const w = new ByteWriter(true);
  writeRawHeader(w, 10, 8, {
    BinaryIdsSize: 32,
    NumData: 4,
    NumCounters: 12,
    NamesSize: 80,
    CountersDelta: -96n,
    BitmapDelta: 0xffffaa24ce747018n,
    NamesDelta: 0x000055db31866f90n,
  });
  w.u64(20).bytes(hexBytes('aea9adeef44a6cba 18f59f8dc5cc06be 4ad93c23')).zeros(4);
  // Record i: CounterPtr = byte offset + (−96) − i·64 (spec §2.7 solved for CounterPtr).
  const records: [bigint, bigint, bigint, number][] = [
    [0xf9ccf2993f3c881en, 0xee6a39d39f4e40a9n, -96n, 2],
    [nameRefOf(NAMES_2_13[1]!), 0xee6a39d39f4e40a9n, 16n - 96n - 64n, 2],
    [nameRefOf(NAMES_2_13[2]!), MAIN_HASH, 32n - 96n - 128n, 5],
    [0x4ba699ee837533fcn, 0xe68e11ca81bd8ea1n, -216n, 3],
  ];
  for (const [nameRef, funcHash, counterPtr, numCounters] of records) {
    writeDataRecord(w, 10, 8, { nameRef, funcHash, counterPtr, numCounters });
  }
  for (const c of [1, 1, 1, 1, 1, 6, 1, 1, 0, 5, 2, 2]) w.u64(c);
  w.bytes(namesBlob(NAMES_2_13, true));
  return w.finish();
}

test('spec §2.13 worked example: record 3 → [5,2,2], names, binary id', (t) => {
  const bytes = spec213();
  t.is(bytes.length, 592);
  t.deepEqual([...bytes.subarray(0x200, 0x204)], [0xa9, 0x01, 0x4d, 0x78]); // U=169, C=77, zlib
  t.is(bytes[0x204], 0xda);
  const file = readProfraw(bytes, 'main.profraw');
  t.deepEqual(file.warnings, []);
  t.deepEqual(file.versions, [10]);
  t.is(file.format, 'profraw');
  t.is(file.records.length, 4);
  const classify = file.records[3]!;
  t.is(classify.nameRef, 0x4ba699ee837533fcn);
  t.is(classify.funcHash, 0xe68e11ca81bd8ea1n);
  // offset = −216 − (−96 − 3·64) = 72 bytes → counters[9..12]
  t.deepEqual(counts(classify), [5n, 2n, 2n]);
  t.deepEqual(counts(file.records[0]), [1n, 1n]);
  t.deepEqual(counts(file.records[1]), [1n, 1n]);
  t.deepEqual(counts(file.records[2]), [1n, 6n, 1n, 1n, 0n]);
  t.is(file.records[0]!.nameRef, nameRefOf(NAMES_2_13[0]!));
  t.deepEqual(file.names, NAMES_2_13);
  t.is(classify.bitmap.length, 0);
  const header = file.rawHeaders?.[0];
  t.deepEqual(header?.binaryIds, ['aea9adeef44a6cba18f59f8dc5cc06be4ad93c23']);
  t.is(header?.pointerBytes, 8);
  t.is(header?.littleEndian, true);
  t.is(header?.singleByteCounters, false);
  t.is(header?.variantFlags, 0n);
});

// ---------------------------------------------------------------------------------------------
// v8: the exact 344 bytes clang-14 wrote for test program x.c (three functions), decoded by hand:
// CountersDelta −40 (0x040), records at 0x078/0x0a8/0x0d8 (48 bytes), counters 0 1 5 5 2 at 0x108.

const CLANG14_V8 = hexBytes(`
8172666f72706cff080000000000000020000000000000000300000000000000
0000000000000000050000000000000000000000000000002200000000000000
d8ffffffffffffff3dfba10b3b56000001000000000000001400000000000000
ea9b67d07a6fcd3a0241b1c28a0fa2c030fc6fd200000000fd94c6a26d6b6571
1800000000000000d8ffffffffffffff00000000000000000000000000000000
0100000000000000fad58de7366495db58b4110000000000b0ffffffffffffff
00000000000000000000000000000000020000000000000099aeaa0b97ef9231
5884499c0200000090ffffffffffffff00000000000000000000000000000000
0200000000000000000000000000000001000000000000000500000000000000
05000000000000000200000000000000182078da2bcd2b2d4e4d61cc4dcccc63
acd04bb64ace492c2ece4cab04006db508dd000000000000`);

test('v8 (LLVM 14 layout, 88-byte header, 48-byte records) from clang-14', (t) => {
  const file = readProfraw(CLANG14_V8, 'x14.profraw');
  t.deepEqual(file.warnings, []);
  t.deepEqual(file.versions, [8]);
  t.deepEqual(file.names, ['unused', 'main', 'x.c:classify']);
  // rec0 −40 − (−40) = 0; rec1 −80 − (−40 − 48) = 8 → index 1; rec2 −112 − (−40 − 96) = 24 → index 3
  t.deepEqual(
    file.records.map((r) => [r.funcHash, counts(r)]),
    [
      [0x18n, [0n]],
      [0x11b458n, [1n, 5n]],
      [0x29c498458n, [5n, 2n]],
    ],
  );
  t.is(find(file, 'x.c:classify')?.funcHash, 0x29c498458n);
  t.deepEqual(file.rawHeaders?.[0]?.binaryIds, ['ea9b67d07a6fcd3a0241b1c28a0fa2c030fc6fd2']);
});

// ---------------------------------------------------------------------------------------------
// Builder-made profiles of every version.

const threeFunctions: RawProfileSpec['functions'] = [
  { name: 'alpha', funcHash: 0x11n, counters: [3n, 0n] },
  { name: 'beta', funcHash: 0x22n, counters: [7n] },
  { name: 'gamma', funcHash: 0x33n, counters: [1n, 2n, 0xfedcba9876543210n] },
];

const versionCase = test.macro(
  (t, version: 8 | 9 | 10 | 11, pointerBytes: 4 | 8, littleEndian: boolean) => {
    const bytes = buildRawProfile({
      version,
      pointerBytes,
      littleEndian,
      functions: threeFunctions,
    });
    const file = readProfraw(bytes, 'p.profraw');
    t.deepEqual(file.warnings, []);
    t.deepEqual(file.versions, [version]);
    t.deepEqual(file.names, ['alpha', 'beta', 'gamma']);
    t.deepEqual(
      file.records.map((r) => [r.nameRef, r.funcHash, counts(r)]),
      threeFunctions.map((f) => [nameRefOf(f.name), f.funcHash, f.counters]),
    );
    t.is(file.rawHeaders?.[0]?.littleEndian, littleEndian);
    t.is(file.rawHeaders?.[0]?.pointerBytes, pointerBytes);
  },
);
test('v8 64-bit LE', versionCase, 8, 8, true);
test('v8 32-bit LE', versionCase, 8, 4, true);
test('v9 64-bit LE', versionCase, 9, 8, true);
test('v9 32-bit BE', versionCase, 9, 4, false);
test('v10 64-bit LE', versionCase, 10, 8, true);
test('v10 32-bit LE', versionCase, 10, 4, true);
test('v10 64-bit big-endian', versionCase, 10, 8, false);
test('v10 32-bit big-endian', versionCase, 10, 4, false);
test('v11 64-bit LE', versionCase, 11, 8, true);
test('v11 32-bit LE', versionCase, 11, 4, true);
test('v11 64-bit big-endian', versionCase, 11, 8, false);

test('big-endian file starts with the byte-swapped magic and reads like its LE twin', (t) => {
  const be = buildRawProfile({ version: 10, littleEndian: false, functions: threeFunctions });
  t.deepEqual([...be.subarray(0, 8)], [0xff, 0x6c, 0x70, 0x72, 0x6f, 0x66, 0x72, 0x81]);
  const le = buildRawProfile({ version: 10, functions: threeFunctions });
  t.deepEqual(readProfraw(be, 'be').records, readProfraw(le, 'le').records);
});

test('v10 32-bit: spec §2.13 example, CountersDelta 0xffffffe0 zero-extended, mod-2^32 offsets', (t) => {
  const w = new ByteWriter(true);
  writeRawHeader(w, 10, 4, {
    NumData: 2,
    NumCounters: 4,
    NamesSize: 8,
    CountersDelta: 0xffffffe0n,
  });
  // The spec's record 0 bytes: 8fa14cdd754f91cc 5884499c02000000 e0ffffff 0 0 0 02000000 …
  writeDataRecord(w, 10, 4, {
    nameRef: 0xcc914f75dd4ca18fn,
    funcHash: 0x29c498458n,
    counterPtr: 0xffffffe0n,
    numCounters: 2,
  });
  // Record 1: 0xffffffc0 − (0xffffffe0 − 48) = 16 → counter index 2.
  writeDataRecord(w, 10, 4, {
    nameRef: nameRefOf('main'),
    funcHash: 0x11b458n,
    counterPtr: 0xffffffc0n,
    numCounters: 2,
  });
  for (const c of [5, 2, 1, 5]) w.u64(c);
  w.bytes([1, 0, ...Buffer.from('f'), 0, 0, 0, 0, 0]);
  const bytes = w.finish();
  t.deepEqual(
    [...bytes.subarray(128, 128 + 20)],
    [...hexBytes('8fa14cdd754f91cc 5884499c02000000 e0ffffff')],
  );
  t.deepEqual([...bytes.subarray(0, 8)], [0x81, 0x52, 0x66, 0x6f, 0x72, 0x70, 0x6c, 0xff]);
  const file = readProfraw(bytes, 'x32.profraw');
  t.deepEqual(file.warnings, []);
  t.is(file.records[0]!.nameRef, nameRefOf('f'));
  t.deepEqual(counts(file.records[0]), [5n, 2n]);
  t.deepEqual(counts(file.records[1]), [1n, 5n]);
  t.deepEqual(file.names, ['f']);
});

test('single-byte counters: spec §2.13, 00×9 ff 00×5 + 1 padding byte', (t) => {
  const bytes = buildRawProfile({
    version: 10,
    flags: 1n << 60n,
    functions: [
      { name: 'f', funcHash: 1n, counters: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff] },
      { name: 'main', funcHash: 2n, counters: [0, 0, 0, 0, 0] },
    ],
  });
  // Version word 0a00000000000010 on disk; PaddingBytesAfterCounters 1.
  t.deepEqual([...bytes.subarray(8, 16)], [0x0a, 0, 0, 0, 0, 0, 0, 0x10]);
  t.is(new DataView(bytes.buffer).getBigUint64(0x30, true), 1n);
  const file = readProfraw(bytes, 'sb.profraw');
  t.deepEqual(file.warnings, []);
  t.is(file.rawHeaders?.[0]?.singleByteCounters, true);
  t.deepEqual(counts(file.records[0]), [1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 0n]);
  t.deepEqual(counts(file.records[1]), [1n, 1n, 1n, 1n, 1n]);
});

test('temporal profiles (bit 63): the first counter slot is a timestamp and is skipped', (t) => {
  const file = readProfraw(
    buildRawProfile({
      version: 10,
      flags: 1n << 63n,
      functions: [{ name: 'f', funcHash: 1n, counters: [0x1234_5678n, 4n, 9n] }],
    }),
    't.profraw',
  );
  t.deepEqual(counts(file.records[0]), [4n, 9n]);
  t.is(file.rawHeaders?.[0]?.temporalProfile, true);
  // Single-byte mode: the timestamp still takes 8 bytes (spec §2.7).
  const sb = readProfraw(
    buildRawProfile({
      version: 10,
      flags: (1n << 63n) | (1n << 60n),
      functions: [{ name: 'f', funcHash: 1n, counters: [1, 2, 3, 4, 5, 6, 7, 8, 0, 0xff, 0] }],
    }),
    'tsb.profraw',
  );
  t.deepEqual(counts(sb.records[0]), [1n, 0n, 1n]);
});

test('MC/DC bitmap bytes (v9 and v10): BitmapPtr − BitmapDelta with the running delta', (t) => {
  for (const version of [9, 10] as const) {
    const bytes = buildRawProfile({
      version,
      functions: [
        { name: 'a', funcHash: 1n, counters: [1n], bitmap: [0x11] },
        { name: 'b', funcHash: 2n, counters: [2n] },
        { name: 'c', funcHash: 3n, counters: [3n], bitmap: [0x01, 0x80, 0xff] },
      ],
    });
    const file = readProfraw(bytes, 'mcdc.profraw');
    t.deepEqual(file.warnings, []);
    t.deepEqual(
      file.records.map((r) => [...r.bitmap]),
      [[0x11], [], [0x01, 0x80, 0xff]],
    );
    t.deepEqual(file.records.map(counts), [[1n], [2n], [3n]]);
  }
});

test('spec §2.13 MC/DC example: NumBitmapBytes 1, padding 7, BitmapDelta −80, BitmapPtr −80', (t) => {
  const w = new ByteWriter(true);
  writeRawHeader(w, 10, 8, {
    NumData: 1,
    NumCounters: 2,
    NumBitmapBytes: 1,
    PaddingBytesAfterBitmapBytes: 7,
    NamesSize: 8,
    CountersDelta: -64n,
    BitmapDelta: -80n,
  });
  writeDataRecord(w, 10, 8, {
    nameRef: nameRefOf('f'),
    funcHash: 9n,
    counterPtr: -64n,
    bitmapPtr: -80n,
    numCounters: 2,
    numBitmapBytes: 1,
  });
  w.u64(4).u64(1).u8(0x11).zeros(7);
  w.bytes([1, 0, 0x66, 0, 0, 0, 0, 0]);
  const file = readProfraw(w.finish(), 'mcdc.profraw');
  t.deepEqual(file.warnings, []);
  t.deepEqual([...file.records[0]!.bitmap], [0x11]);
  t.deepEqual(counts(file.records[0]), [4n, 1n]);
});

test('binary ids: several, lengths 20 and 5 padded to 8', (t) => {
  const file = readProfraw(
    buildRawProfile({
      version: 10,
      binaryIds: [Array.from({ length: 20 }, (_, i) => i), [0xde, 0xad, 0xbe, 0xef, 0x01]],
      functions: threeFunctions,
    }),
    'ids.profraw',
  );
  t.deepEqual(file.rawHeaders?.[0]?.binaryIds, [
    '000102030405060708090a0b0c0d0e0f10111213',
    'deadbeef01',
  ]);
  t.is(file.records.length, 3);
});

test('compressed and several names blobs with zero padding between them (spec §2.8)', (t) => {
  const names = concat(
    namesBlob(['alpha', 'beta'], true),
    new Uint8Array(3),
    namesBlob(['gamma'], false),
  );
  const file = readProfraw(buildRawProfile({ version: 10, names, functions: threeFunctions }), 'n');
  t.deepEqual(file.names, ['alpha', 'beta', 'gamma']);
  t.deepEqual(file.warnings, []);
});

test('value-profile data is skipped by TotalSize, for records with value sites only', (t) => {
  for (const littleEndian of [true, false]) {
    const functions: RawProfileSpec['functions'] = [
      { name: 'a', funcHash: 1n, counters: [1n], numValueSites: [1, 0, 0] },
      { name: 'b', funcHash: 2n, counters: [2n] },
      { name: 'c', funcHash: 3n, counters: [3n], numValueSites: [0, 2, 0] },
    ];
    const blobA = valueProfData(littleEndian, 0, [[0x401000n, 7n]]);
    const blobC = valueProfData(littleEndian, 1, [
      [8n, 3n],
      [16n, 1n],
    ]);
    t.is(blobA.length, 8 + 16 + 16); // header, kind record padded to 8, one {value,count}
    const first = buildRawProfile({
      version: 10,
      littleEndian,
      functions,
      valueData: [blobA, blobC],
    });
    // A second profile right after proves the skip ended exactly at the end of the value data.
    const second = buildRawProfile({ version: 10, littleEndian, functions: threeFunctions });
    const file = readProfraw(concat(first, second), 'vp.profraw');
    t.deepEqual(file.warnings, []);
    t.deepEqual(file.records.map(counts), [
      [1n],
      [2n],
      [3n],
      [3n, 0n],
      [7n],
      [1n, 2n, 0xfedcba9876543210n],
    ]);
    t.deepEqual(
      file.rawHeaders?.map((h) => h.byteOffset),
      [0, first.length],
    );
  }
});

test('two profiles concatenated (exe + .so), with 0x00 padding between them (spec §2.11)', (t) => {
  const exe = buildRawProfile({ version: 10, functions: threeFunctions.slice(0, 2) });
  const so = buildRawProfile({ version: 10, functions: threeFunctions.slice(2) });
  for (const gap of [0, 8, 24]) {
    const file = readProfraw(concat(exe, new Uint8Array(gap), so, new Uint8Array(16)), 'two');
    t.deepEqual(file.warnings, []);
    t.is(file.rawHeaders?.length, 2);
    t.is(file.rawHeaders?.[1]?.byteOffset, exe.length + gap);
    t.deepEqual(file.names, ['alpha', 'beta', 'gamma']);
    t.deepEqual(
      file.records.map((r) => r.funcHash),
      [0x11n, 0x22n, 0x33n],
    );
  }
});

test('v10 vtable section and vtable names are stepped over (spec §2.9)', (t) => {
  const w = new ByteWriter(true);
  const vnames = namesBlob(['_ZTV1A'], false); // 8 bytes: U=6, C=0, 6 chars
  writeRawHeader(w, 10, 8, {
    NumData: 1,
    NumCounters: 1,
    NamesSize: 3,
    CountersDelta: -64n,
    NumVTables: 1,
    VNamesSize: vnames.length,
  });
  writeDataRecord(w, 10, 8, {
    nameRef: nameRefOf('a'),
    funcHash: 1n,
    counterPtr: -64n,
    numCounters: 1,
    numValueSites: [0, 0, 1],
  });
  w.u64(42);
  w.bytes([1, 0, 0x61]).align(8);
  w.u64(0x1111n).u64(0x2222n).u32(64).align(8); // one 24-byte vtable record
  w.bytes(vnames).align(8);
  w.bytes(valueProfData(true, 2, [[0x2222n, 5n]]));
  const file = readProfraw(
    concat(w.finish(), buildRawProfile({ version: 10, functions: threeFunctions })),
    'vt',
  );
  t.deepEqual(file.warnings, []);
  t.deepEqual(file.records.map(counts)[0], [42n]);
  t.is(file.records.length, 4);
  t.deepEqual(file.names, ['a', 'alpha', 'beta', 'gamma']);
});

// ---------------------------------------------------------------------------------------------
// v11 (spec §7): LLVM's malformed-uniform-counter-array.test, byte for byte (spec §7.6).

function llvmV11Fixture(uniformCounterPtr: number): Uint8Array {
  const w = new ByteWriter(true);
  w.bytes(Buffer.from('\x81rforpl\xff', 'latin1'));
  for (const v of [11, 0, 1, 0, 2, 0, 0, 0, 2, 0, 88, 8, 72, 88, 104, 0, 0, 2]) w.u64(v);
  w.u64(0xe413754a191db537n).u64(2).u64(72).u64(uniformCounterPtr).u64(88).u64(0).u64(0);
  w.bytes([2, 0, 0, 0, 0, 0, 0, 0]).zeros(8);
  w.u64(55).u64(65).u64(5).u64(6);
  w.bytes([3, 0, ...Buffer.from('bar'), 0, 0, 0]);
  return w.finish();
}

test('v11: LLVM fixture with a valid UniformCounterPtr (88) gives counters 55, 65', (t) => {
  const bytes = llvmV11Fixture(88);
  t.is(bytes.length, 152 + 72 + 32 + 8);
  const file = readProfraw(bytes, 'v11.profraw');
  t.deepEqual(file.warnings, []);
  t.deepEqual(file.versions, [11]);
  t.is(file.records.length, 1);
  const record = file.records[0]!;
  t.is(record.nameRef, 0xe413754a191db537n);
  t.is(record.nameRef, nameRefOf('bar'));
  t.is(record.funcHash, 2n);
  t.deepEqual(counts(record), [55n, 65n]); // uniform counters 5, 6 are not returned
  t.deepEqual(file.names, ['bar']);
});

const v11Uniform = test.macro((t, uniformCounterPtr: number, message: string) => {
  const file = readProfraw(llvmV11Fixture(uniformCounterPtr), 'v11.profraw');
  t.is(file.records.length, 0);
  t.is(file.warnings.length, 1);
  const warning = file.warnings[0]!;
  t.is(warning.code, 'E_MALFORMED');
  t.is(warning.byteOffset, 152);
  t.true(warning.message.includes(message), warning.message);
  t.true(warning.message.includes('data record 0'));
});
test(
  'v11 uniform pointer one byte before the section (87)',
  v11Uniform,
  87,
  'uniform counter offset -1 is negative',
);
test(
  'v11 uniform pointer past the section (104)',
  v11Uniform,
  104,
  'uniform counter offset 16 is greater than the maximum uniform counter offset 15',
);
test(
  'v11 uniform pointer leaving one counter (96)',
  v11Uniform,
  96,
  'number of uniform counters 2 is greater than the maximum number of uniform counters 1',
);

// ---------------------------------------------------------------------------------------------
// Errors and warnings

function expectError(
  t: import('ava').ExecutionContext,
  run: () => unknown,
  code: CovErrorCode,
  byteOffset: number,
): CovError {
  const error = t.throws(run, { instanceOf: CovError });
  t.is(error.code, code);
  t.is(error.byteOffset, byteOffset);
  return error;
}

test('truncated header: E_TRUNCATED at the header offset', (t) => {
  const bytes = spec213().subarray(0, 40);
  const error = expectError(t, () => readProfraw(bytes, 'cut.profraw'), 'E_TRUNCATED', 0);
  t.is(error.message, 'cut.profraw: at 0x0: raw profile v10 header: needs 128 bytes, 40 left');
  expectError(t, () => readProfraw(bytes.subarray(0, 12), 'cut'), 'E_TRUNCATED', 8);
});

test('bad magic: E_BAD_MAGIC naming the bytes found and the magics expected', (t) => {
  const bytes = spec213().slice();
  bytes[1] = 0x00;
  const error = expectError(t, () => readProfraw(bytes, 'x.profraw'), 'E_BAD_MAGIC', 0);
  t.true(error.message.includes('81 00 66 6f 72 70 6c ff'), error.message);
  t.true(error.message.includes('81 72 66 6f 72 70 6c ff'));
});

const unsupported = test.macro((t, version: number) => {
  const bytes = spec213().slice();
  bytes[8] = version;
  const error = expectError(t, () => readProfraw(bytes, 'v.profraw'), 'E_UNSUPPORTED_VERSION', 8);
  t.true(error.message.includes(`raw profile version ${version} is not supported`), error.message);
  t.true(error.message.includes('8, 9, 10, 11'), error.message);
});
test('version 12 is unsupported (LLVM 24 wave counters, spec §7.6)', unsupported, 12);
test('version 7 is unsupported', unsupported, 7);

test('out-of-range counter offset: that record is skipped and named, the others kept', (t) => {
  const bytes = buildRawProfile({
    version: 10,
    countersDelta: -96n,
    functions: [
      threeFunctions[0]!,
      { ...threeFunctions[1]!, counterPtr: -96n - 64n + 4096n },
      threeFunctions[2]!,
    ],
  });
  const file = readProfraw(bytes, 'bad.profraw');
  t.deepEqual(
    file.records.map((r) => r.funcHash),
    [0x11n, 0x33n],
  );
  t.is(file.warnings.length, 1);
  const warning = file.warnings[0]!;
  t.is(warning.code, 'E_MALFORMED');
  t.is(warning.byteOffset, 128 + 64); // data record 1
  t.is(warning.source, 'bad.profraw');
  t.true(warning.message.startsWith('bad.profraw: at 0xc0: data record 1'), warning.message);
  t.true(
    warning.message.includes('counter offset 4096 is greater than the maximum counter offset 47'),
  );
});

test('negative counter offset and too many counters are skipped too', (t) => {
  const file = readProfraw(
    buildRawProfile({
      version: 10,
      countersDelta: -96n,
      functions: [
        { ...threeFunctions[0]!, counterPtr: -104n },
        { ...threeFunctions[1]!, numCounters: 6 },
        threeFunctions[2]!,
      ],
    }),
    'bad.profraw',
  );
  t.is(file.records.length, 1);
  t.true(file.warnings[0]!.message.includes('counter offset -8 is negative'));
  t.true(
    file.warnings[1]!.message.includes(
      'number of counters 6 is greater than the maximum number of counters 4',
    ),
    file.warnings[1]!.message,
  );
});

test('NumCounters = 0 is malformed: warning, record skipped', (t) => {
  const file = readProfraw(
    buildRawProfile({
      version: 9,
      functions: [{ ...threeFunctions[0]!, numCounters: 0 }, threeFunctions[1]!],
    }),
    'z.profraw',
  );
  t.deepEqual(
    file.records.map((r) => r.funcHash),
    [0x22n],
  );
  t.is(file.warnings[0]?.code, 'E_MALFORMED');
  t.true(file.warnings[0]!.message.includes('NumCounters is 0'));
});

test('a bad bitmap offset skips the record', (t) => {
  const file = readProfraw(
    buildRawProfile({
      version: 10,
      functions: [
        { name: 'a', funcHash: 1n, counters: [1n], bitmap: [1], bitmapPtr: 0x7fffn },
        threeFunctions[1]!,
      ],
    }),
    'bm.profraw',
  );
  t.is(file.records.length, 1);
  t.true(file.warnings[0]!.message.includes('bitmap offset'), file.warnings[0]!.message);
});

test('truncated file: records with counters inside the file are kept, one E_TRUNCATED warning', (t) => {
  const full = spec213();
  const cut = full.subarray(0, 0x1a0 + 9 * 8 + 4); // inside the counters of record 3
  const file = readProfraw(cut, 'killed.profraw');
  t.deepEqual(file.records.map(counts), [
    [1n, 1n],
    [1n, 1n],
    [1n, 6n, 1n, 1n, 0n],
  ]);
  t.deepEqual(file.names, []);
  t.is(file.warnings.length, 1);
  const warning = file.warnings[0]!;
  t.is(warning.code, 'E_TRUNCATED');
  t.is(warning.byteOffset, cut.length);
  t.true(warning.message.includes('kept 3 of 4 data records'), warning.message);
  t.true(warning.message.includes('names section missing'));
});

test('truncated inside the data records or names: no crash, profile reported', (t) => {
  const full = spec213();
  const inData = readProfraw(full.subarray(0, 0x100), 'killed.profraw');
  t.deepEqual(inData.records, []);
  t.is(inData.warnings[0]?.code, 'E_TRUNCATED');
  t.true(inData.warnings[0]!.message.includes('kept 0 of 4'));
  const inNames = readProfraw(full.subarray(0, 0x220), 'killed.profraw');
  t.is(inNames.records.length, 4);
  t.is(inNames.warnings[0]?.code, 'E_TRUNCATED');
});

test('a second profile with a truncated header is a warning; the first profile survives', (t) => {
  const first = spec213();
  const second = buildRawProfile({ version: 10, functions: threeFunctions });
  const file = readProfraw(concat(first, second.subarray(0, 60)), 'two.profraw');
  t.is(file.records.length, 4);
  t.is(file.warnings.length, 1);
  t.is(file.warnings[0]!.code, 'E_TRUNCATED');
  t.is(file.warnings[0]!.byteOffset, 592);
});

test('garbage, misalignment or another version after a profile end reading with a warning', (t) => {
  const first = spec213();
  const garbage = readProfraw(concat(first, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8])), 'g');
  t.is(garbage.records.length, 4);
  t.is(garbage.warnings[0]?.code, 'E_BAD_MAGIC');
  t.is(garbage.warnings[0]?.byteOffset, 592);
  const misaligned = readProfraw(concat(first, Uint8Array.from([0, 0, 0, 7])), 'm');
  t.is(misaligned.warnings[0]?.code, 'E_MALFORMED');
  t.is(misaligned.warnings[0]?.byteOffset, 595);
  const v9 = buildRawProfile({ version: 9, functions: threeFunctions });
  const mixed = readProfraw(concat(first, v9), 'mixed');
  t.is(mixed.records.length, 4);
  t.is(mixed.warnings[0]?.code, 'E_UNSUPPORTED_VERSION');
  t.true(mixed.warnings[0]!.message.includes('version 9 follows a version 10 profile'));
});

test('value data running past the end keeps the counters and warns', (t) => {
  const bytes = buildRawProfile({
    version: 10,
    functions: [{ name: 'a', funcHash: 1n, counters: [1n], numValueSites: [1, 0, 0] }],
    valueData: [valueProfData(true, 0, [[1n, 1n]]).subarray(0, 20)],
  });
  const file = readProfraw(bytes, 'vp.profraw');
  t.deepEqual(file.records.map(counts), [[1n]]);
  t.is(file.warnings[0]?.code, 'E_TRUNCATED');
});

test('debug-info correlated profile (bit 59): warning, no records', (t) => {
  const bytes = buildRawProfile({ version: 10, flags: 1n << 59n, functions: [] });
  const file = readProfraw(bytes, 'c.profraw');
  t.is(file.records.length, 0);
  t.is(file.warnings[0]?.code, 'W_CORRELATED_PROFILE');
});

test('an indexed profile given to readProfraw is E_BAD_MAGIC with a hint', (t) => {
  const bytes = hexBytes('ff6c70726f666981 0d00000000000000');
  const error = expectError(t, () => readProfraw(bytes, 'a.profdata'), 'E_BAD_MAGIC', 0);
  t.true(error.message.includes('readProfdata'));
});

test('many skipped records are capped at 20 warnings plus one summary', (t) => {
  const functions = Array.from({ length: 30 }, (_, i) => ({
    name: `f${i}`,
    funcHash: BigInt(i),
    counters: [1n],
    numCounters: 0,
  }));
  const file = readProfraw(buildRawProfile({ version: 10, functions }), 'many');
  t.is(file.warnings.length, 21);
  t.true(file.warnings[20]!.message.includes('10 more data records'));
});

test('truncated inside the bitmap: only the record whose bitmap bytes are missing is lost', (t) => {
  const bytes = buildRawProfile({
    version: 10,
    functions: [
      { name: 'a', funcHash: 1n, counters: [1n], bitmap: [0x01] },
      { name: 'b', funcHash: 2n, counters: [2n] },
      { name: 'c', funcHash: 3n, counters: [3n], bitmap: [0x02, 0x04] },
    ],
  });
  // header 128 + 3 records × 64 = 320; counters 24 bytes → bitmap at 344: a=[344], c=[345,346]
  t.is(bytes[344], 0x01);
  t.is(bytes[346], 0x04);
  const file = readProfraw(bytes.subarray(0, 346), 'cut.profraw');
  t.deepEqual(
    file.records.map((r) => [r.funcHash, [...r.bitmap]]),
    [
      [1n, [0x01]],
      [2n, []],
    ],
  );
  t.true(file.warnings[0]!.message.includes('kept 2 of 3 data records, 1 skipped'));
});
