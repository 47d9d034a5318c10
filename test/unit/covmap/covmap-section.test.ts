import test from 'ava';
import { CovError, md5Hash64, type CovErrorCode } from '../../../src/binary/index.js';
import {
  decodeMapping,
  readCovmapSection,
  type ReadCovmapOptions,
} from '../../../src/covmap/index.js';
import { Bytes, covmapEntry, filenamesBlob, hex, legacyFilenamesBlob } from './bytes.js';
import { WORKED_COVMAP } from './worked-example.js';

const LE: ReadCovmapOptions = { littleEndian: true, pointerBytes: 8 };

test('spec §4.7: the 48-byte covmap gives two filenames under ref 0x957de8c2482cd14e', (t) => {
  t.is(WORKED_COVMAP.length, 48);
  const covmap = readCovmapSection(WORKED_COVMAP, 'main: __llvm_covmap', LE);
  t.is(covmap.version, 6);
  t.deepEqual(
    [...covmap.filenameTables],
    [[0x957de8c2482cd14en, ['/tmp/cov1', '/tmp/cov1/main.rs']]],
  );
  t.is(md5Hash64(WORKED_COVMAP.subarray(16, 47)), 0x957de8c2482cd14en);
  t.deepEqual(covmap.legacyRecords, []);
  t.deepEqual(covmap.warnings, []);
});

test('Version6+: relative names join entry 0 with dot removal, absolute names stay verbatim', (t) => {
  const blob = filenamesBlob(
    [
      '/tmp/cov3',
      'src/./lib/../main.rs',
      '/tmp/cov3/sub/../sub/./main.rs',
      '../other/x.rs',
      'a//b/',
    ],
    false,
  );
  const section = covmapEntry(new Bytes(), { version: 5, filenames: blob }).build();
  const covmap = readCovmapSection(section, 'covmap', LE);
  t.deepEqual(covmap.filenameTables.get(md5Hash64(blob)), [
    '/tmp/cov3',
    '/tmp/cov3/src/main.rs',
    '/tmp/cov3/sub/../sub/./main.rs',
    '/tmp/other/x.rs',
    '/tmp/cov3/a/b',
  ]);
  // -compilation-dir replaces entry 0 as the base but not entry 0 itself.
  const moved = readCovmapSection(section, 'covmap', { ...LE, compilationDir: '/work/ci/' });
  t.deepEqual(moved.filenameTables.get(md5Hash64(blob)), [
    '/tmp/cov3',
    '/work/ci/src/main.rs',
    '/tmp/cov3/sub/../sub/./main.rs',
    '/work/other/x.rs',
    '/work/ci/a/b',
  ]);
});

test("Version6+: clang's ../d/a.cpp relative to /tmp/cpp/d", (t) => {
  const blob = filenamesBlob(['/tmp/cpp/d', '../d/a.cpp'], true);
  const section = covmapEntry(new Bytes(), { version: 6, filenames: blob }).build();
  t.deepEqual(readCovmapSection(section, 'covmap', LE).filenameTables.get(md5Hash64(blob)), [
    '/tmp/cpp/d',
    '/tmp/cpp/d/a.cpp',
  ]);
});

test('Version6+: Windows drive and UNC names are absolute; relative ones join with backslashes', (t) => {
  const blob = filenamesBlob(
    [
      'C:\\work\\crate',
      'src\\..\\lib.rs',
      'D:\\x\\..\\y.rs',
      '\\\\server\\share\\.\\z.rs',
      'e:/a/./b.rs',
    ],
    false,
  );
  const section = covmapEntry(new Bytes(), { version: 6, filenames: blob }).build();
  t.deepEqual(readCovmapSection(section, 'covmap', LE).filenameTables.get(md5Hash64(blob)), [
    'C:\\work\\crate',
    'C:\\work\\crate\\lib.rs',
    'D:\\x\\..\\y.rs',
    '\\\\server\\share\\.\\z.rs',
    'e:/a/./b.rs',
  ]);
});

test('before Version6 names are used as stored (no joining, no dot removal)', (t) => {
  const blob = filenamesBlob(['src/../main.rs', '/abs/./x.rs'], false);
  const section = covmapEntry(new Bytes(), { version: 4, filenames: blob }).build();
  t.deepEqual(readCovmapSection(section, 'covmap', LE).filenameTables.get(md5Hash64(blob)), [
    'src/../main.rs',
    '/abs/./x.rs',
  ]);
});

test('several entries: each padded to 8 from the section start; trailing zeros are padding', (t) => {
  const a = filenamesBlob(['/w', '/w/a.rs'], false);
  const b = filenamesBlob(['/w', '/w/b.rs'], true);
  const out = new Bytes();
  covmapEntry(out, { version: 6, filenames: a });
  covmapEntry(out, { version: 6, filenames: b });
  out.zeros(24);
  const covmap = readCovmapSection(out.build(), 'covmap', LE);
  t.deepEqual(
    [...covmap.filenameTables.values()],
    [
      ['/w', '/w/a.rs'],
      ['/w', '/w/b.rs'],
    ],
  );
  t.deepEqual(covmap.warnings, []);
});

/** A Version2/Version3 record: u64 NameRef, u32 DataSize, u64 FuncHash (20 bytes, packed). */
function legacyRecord(out: Bytes, nameRef: bigint, dataSize: number, funcHash: bigint): Bytes {
  return out.u64(nameRef).u32(dataSize).u64(funcHash);
}

const M1 = hex('01 00 | 00 | 01 | 01 03 01 00 0a');
const M2 = hex('01 01 | 00 | 01 | 00 07 01 01 02');
const M3 = hex('01 00 | 00 | 01 | 05 01 02 00 04');

for (const version of [1, 2]) {
  test(`Version${version + 1} entries carry records and back-to-back mapping blobs`, (t) => {
    const files1 = legacyFilenamesBlob(['/a/main.rs', '/a/lib.rs']);
    const files2 = legacyFilenamesBlob(['/b/x.rs']);
    const records1 = legacyRecord(new Bytes(), 0x1111n, M1.length, 0xaaaan);
    legacyRecord(records1, 0x2222n, M2.length, 0n);
    const out = new Bytes();
    // clang padded the mapping area so that filenames + mappings were a multiple of 8.
    const mapping1 = new Bytes().bytes(M1, M2).zeros(3).build();
    covmapEntry(out, {
      version,
      nRecords: 2,
      records: records1.build(),
      filenames: files1,
      mapping: mapping1,
    });
    const entry2 = out.length;
    const records2 = legacyRecord(new Bytes(), 0x3333n, M3.length, 0xccccn).build();
    covmapEntry(out, { version, nRecords: 1, records: records2, filenames: files2, mapping: M3 });

    const covmap = readCovmapSection(out.build(), 'covmap', { ...LE, baseOffset: 0x1000 });
    t.is(covmap.version, version);
    const ref1 = md5Hash64(files1);
    const ref2 = md5Hash64(files2);
    t.deepEqual(
      [...covmap.filenameTables],
      [
        [ref1, ['/a/main.rs', '/a/lib.rs']],
        [ref2, ['/b/x.rs']],
      ],
    );
    const mappingStart1 = 16 + 40 + files1.length;
    t.deepEqual(
      covmap.legacyRecords.map((r) => ({ ...r, mappingBytes: Array.from(r.mappingBytes) })),
      [
        {
          nameRef: 0x1111n,
          funcHash: 0xaaaan,
          filenamesRef: ref1,
          mappingBytes: Array.from(M1),
          byteOffset: 0x1000 + 16,
          mappingByteOffset: 0x1000 + mappingStart1,
        },
        {
          nameRef: 0x2222n,
          funcHash: 0n,
          filenamesRef: ref1,
          mappingBytes: Array.from(M2),
          byteOffset: 0x1000 + 36,
          mappingByteOffset: 0x1000 + mappingStart1 + M1.length,
        },
        {
          nameRef: 0x3333n,
          funcHash: 0xccccn,
          filenamesRef: ref2,
          mappingBytes: Array.from(M3),
          byteOffset: 0x1000 + entry2 + 16,
          mappingByteOffset: 0x1000 + entry2 + 36 + files2.length,
        },
      ],
    );
    const decoded = decodeMapping(covmap.legacyRecords[1]!.mappingBytes, 'covmap', 0, version);
    t.deepEqual(Array.from(decoded.fileIdToFilenameIndex), [1]);
  });
}

test('Version1 records: NamePtr − names address gives the name; NameRef is its MD5-64', (t) => {
  const names = { address: 0x4000n, bytes: new TextEncoder().encode('_ZN3foo3barE_Z4mainv') };
  const files = legacyFilenamesBlob(['/v1/a.c']);
  // 64-bit: {u64 NamePtr, u32 NameSize, u32 DataSize, u64 FuncHash} = 24 bytes.
  const records = new Bytes()
    .u64(0x400cn)
    .u32(8)
    .u32(M1.length)
    .u64(7n)
    .u64(0x9000n)
    .u32(4)
    .u32(M3.length)
    .u64(9n)
    .build();
  const section = covmapEntry(new Bytes(), {
    version: 0,
    nRecords: 2,
    records,
    filenames: files,
    mapping: new Bytes().bytes(M1, M3).build(),
  }).build();
  const covmap = readCovmapSection(section, 'covmap', { ...LE, names });
  const [found, missing] = covmap.legacyRecords;
  t.is(found!.name, '_Z4mainv');
  t.is(found!.nameRef, md5Hash64('_Z4mainv'));
  t.is(found!.namePtr, 0x400cn);
  t.is(found!.funcHash, 7n);
  t.deepEqual(Array.from(found!.mappingBytes), Array.from(M1));
  t.is(missing!.name, undefined);
  t.is(missing!.nameRef, 0x9000n);
  t.deepEqual(
    covmap.warnings.map((w) => w.code),
    ['W_NAMES_MISSING'],
  );
});

test('Version1 records of a 32-bit big-endian target, no names section: warning, NamePtr kept', (t) => {
  const files = legacyFilenamesBlob(['/v1/b.c']);
  // 32-bit: {u32 NamePtr, u32 NameSize, u32 DataSize, u64 FuncHash} = 20 bytes.
  const records = new Bytes(false)
    .u32(0x8040)
    .u32(5)
    .u32(M1.length)
    .u64(0x0102030405060708n)
    .build();
  const out = new Bytes(false);
  covmapEntry(out, { version: 0, nRecords: 1, records, filenames: files, mapping: M1 });
  const covmap = readCovmapSection(out.build(), 'covmap', { littleEndian: false, pointerBytes: 4 });
  t.is(covmap.version, 0);
  const [record] = covmap.legacyRecords;
  t.is(record!.namePtr, 0x8040n);
  t.is(record!.nameRef, 0x8040n);
  t.is(record!.funcHash, 0x0102030405060708n);
  t.deepEqual(Array.from(record!.mappingBytes), Array.from(M1));
  t.is(covmap.warnings.length, 1);
  t.is(covmap.warnings[0]!.code, 'W_NAMES_MISSING');
});

test('two entries with the same blob share one table without a warning', (t) => {
  const blob = filenamesBlob(['/w', '/w/a.rs'], true);
  const out = new Bytes();
  covmapEntry(out, { version: 6, filenames: blob });
  covmapEntry(out, { version: 6, filenames: blob });
  const covmap = readCovmapSection(out.build(), 'covmap', LE);
  t.is(covmap.filenameTables.size, 1);
  t.deepEqual(covmap.warnings, []);
});

// Wang et al.'s MD5 collision pair (two 128-byte blocks): any common suffix keeps the collision.
const COLLISION_A = hex(
  'd131dd02c5e6eec4693d9a0698aff95c2fcab58712467eab4004583eb8fb7f8955ad340609f4b30283e488832571415a085125e8f7cdc99fd91dbdf280373c5bd8823e3156348f5bae6dacd436c919c6dd53e2b487da03fd02396306d248cda0e99f33420f577ee8ce54b67080a80d1ec69821bcb6a8839396f9652b6ff72a70',
);
const COLLISION_B = hex(
  'd131dd02c5e6eec4693d9a0698aff95c2fcab50712467eab4004583eb8fb7f8955ad340609f4b30283e4888325f1415a085125e8f7cdc99fd91dbd7280373c5bd8823e3156348f5bae6dacd436c919c6dd53e23487da03fd02396306d248cda0e99f33420f577ee8ce54b67080280d1ec69821bcb6a8839396f965ab6ff72a70',
);

test('two entries with the same FilenamesRef but different lists: the ref becomes invalid', (t) => {
  // As a Version2 blob the block reads as N = 6353 (d1 31), then a 349-byte name (dd 02) that
  // covers the differing bytes; 225 filler bytes and 6352 empty names complete both lists.
  const suffix = new Bytes().bytes(new Array<number>(225).fill(0x61)).zeros(6352).build();
  const blobA = new Bytes().bytes(COLLISION_A, suffix).build();
  const blobB = new Bytes().bytes(COLLISION_B, suffix).build();
  t.is(md5Hash64(blobA), md5Hash64(blobB));
  const other = legacyFilenamesBlob(['/ok.rs']);
  const out = new Bytes();
  covmapEntry(out, { version: 1, filenames: blobA });
  covmapEntry(out, { version: 1, filenames: other });
  const second = out.length;
  covmapEntry(out, { version: 1, filenames: blobB });
  covmapEntry(out, { version: 1, filenames: blobA });
  const covmap = readCovmapSection(out.build(), 'covmap', LE);
  const ref = md5Hash64(blobA);
  t.false(covmap.filenameTables.has(ref));
  t.true(covmap.invalidFilenamesRefs.has(ref));
  t.deepEqual(covmap.filenameTables.get(md5Hash64(other)), ['/ok.rs']);
  // One warning, at the entry that made the ref invalid; the later equal blob does not revive it.
  t.is(covmap.warnings.length, 1);
  t.is(covmap.warnings[0]!.code, 'E_MALFORMED');
  t.is(covmap.warnings[0]!.byteOffset, second + 16);
  t.regex(covmap.warnings[0]!.message, new RegExp(ref.toString(16)));
});

test('an entry with another version than the first: warning, read as the first', (t) => {
  const out = new Bytes();
  covmapEntry(out, { version: 6, filenames: filenamesBlob(['/w', 'a.rs'], false) });
  covmapEntry(out, { version: 5, filenames: filenamesBlob(['/w', 'b.rs'], false) });
  const covmap = readCovmapSection(out.build(), 'covmap', LE);
  t.is(covmap.version, 6);
  t.deepEqual(
    [...covmap.filenameTables.values()],
    [
      ['/w', '/w/a.rs'],
      ['/w', '/w/b.rs'],
    ],
  );
  t.deepEqual(
    covmap.warnings.map((w) => w.code),
    ['W_VERSION_MIXED'],
  );
});

test('an empty section has version −1 and nothing else', (t) => {
  const covmap = readCovmapSection(new Uint8Array(0), 'covmap', LE);
  t.is(covmap.version, -1);
  t.is(covmap.filenameTables.size, 0);
});

const fails = test.macro(
  (t, section: Uint8Array, code: CovErrorCode, byteOffset: number, message?: RegExp) => {
    const error = t.throws(
      () => readCovmapSection(section, 'main: __llvm_covmap', { ...LE, baseOffset: 0x2000 }),
      {
        instanceOf: CovError,
      },
    );
    t.is(error.code, code);
    t.is(error.byteOffset, 0x2000 + byteOffset);
    if (message !== undefined) t.regex(error.message, message);
  },
);

test(
  'unknown version field 7',
  fails,
  covmapEntry(new Bytes(), { version: 7, filenames: filenamesBlob(['/w'], false) }).build(),
  'E_UNSUPPORTED_VERSION',
  12,
  /version field 7 \(Version8\) is not supported; supported: 0–6 \(Version1–Version7\)/,
);
test('header cut short', fails, hex('00000000 1f000000 0000'), 'E_TRUNCATED', 8);
test(
  'FilenamesSize past the section',
  fails,
  new Bytes().u32(0).u32(100).u32(0).u32(6).bytes(2, 0, 0).build(),
  'E_TRUNCATED',
  16,
);
test(
  'a name longer than the blob',
  fails,
  covmapEntry(new Bytes(), { version: 6, filenames: hex('02 06 00 | 02 2f 77 | 09 2f') }).build(),
  'E_TRUNCATED',
  16 + 6,
);
test(
  'a filename count beyond the blob',
  fails,
  covmapEntry(new Bytes(), { version: 6, filenames: hex('09 00 00 01 2f') }).build(),
  'E_TRUNCATED',
  16,
);
test(
  'a zero filename count',
  fails,
  covmapEntry(new Bytes(), { version: 6, filenames: hex('00 00 00') }).build(),
  'E_MALFORMED',
  16,
);
test(
  'corrupt zlib filenames',
  fails,
  covmapEntry(new Bytes(), { version: 6, filenames: hex('01 05 04 de ad be ef') }).build(),
  'E_MALFORMED',
  16 + 3,
);
test(
  'a bad name inside compressed filenames names the compressed bytes',
  fails,
  covmapEntry(new Bytes(), { version: 6, filenames: filenamesBlobWithCount(3) }).build(),
  'E_TRUNCATED',
  16 + 3,
  /of the inflated filenames/,
);
test(
  'NRecords ≠ 0 from Version4 on',
  fails,
  new Bytes().u32(1).u32(4).u32(0).u32(6).bytes(1, 1, 0, 0).build(),
  'E_MALFORMED',
  0,
);
test(
  'CoverageSize ≠ 0 from Version4 on',
  fails,
  new Bytes().u32(0).u32(4).u32(8).u32(6).bytes(1, 1, 0, 0).zeros(8).build(),
  'E_MALFORMED',
  8,
);
test(
  'a legacy record whose mapping runs past CoverageSize',
  fails,
  covmapEntry(new Bytes(), {
    version: 2,
    nRecords: 1,
    records: legacyRecord(new Bytes(), 1n, 50, 2n).build(),
    filenames: legacyFilenamesBlob(['/a.c']),
    mapping: M1,
  }).build(),
  'E_TRUNCATED',
  16 + 20 + legacyFilenamesBlob(['/a.c']).length,
);

/** A compressed Version4+ blob that claims `count` names but compresses only one. */
function filenamesBlobWithCount(count: number): Uint8Array {
  const good = filenamesBlob(['/only'], true);
  const copy = Uint8Array.from(good);
  copy[0] = count;
  return copy;
}
