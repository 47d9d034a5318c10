import test from 'ava';
import { md5Hash64 } from '../../../src/binary/index.js';
import { readCoverageMapping, type ReadCoverageMappingOptions } from '../../../src/covmap/index.js';
import {
  Bytes,
  covfunRecord,
  covmapEntry,
  filenamesBlob,
  hex,
  legacyFilenamesBlob,
  prfNamesBlob,
} from './bytes.js';
import { WORKED_COVMAP, workedCovfun } from './worked-example.js';

const LE: ReadCoverageMappingOptions = { littleEndian: true, pointerBytes: 8 };
const CLASSIFY = '_RNvCs32gj3y4fnmh_4main8classify';

test('spec §4.7 end to end: version, filenames, both records, classify named', (t) => {
  const data = readCoverageMapping(
    {
      covmap: WORKED_COVMAP,
      covfun: workedCovfun(),
      prfNames: prfNamesBlob([CLASSIFY, '_RNvCs32gj3y4fnmh_4main4main'], true),
    },
    'main',
    LE,
  );
  t.is(data.version, 6);
  t.deepEqual(
    [...data.filenameTables],
    [[0x957de8c2482cd14en, ['/tmp/cov1', '/tmp/cov1/main.rs']]],
  );
  t.deepEqual(
    data.records.map((r) => [r.nameRef, r.byteOffset]),
    [
      [0x4ba699ee837533fcn, 0x128],
      [0x2ef494b379ae1cb9n, 0x170],
    ],
  );
  t.is(data.names?.get(0x4ba699ee837533fcn), CLASSIFY);
  // The unused function's name is not in this names section.
  t.deepEqual(
    data.warnings.map((w) => [w.code, w.source]),
    [['W_NAMES_MISSING', 'main (__llvm_prf_names)']],
  );
});

test('resolveNames: false leaves names out; section offsets make offsets file-absolute', (t) => {
  const data = readCoverageMapping(
    { covmap: WORKED_COVMAP, covfun: workedCovfun(), covmapOffset: 0x1000, covfunOffset: 0x2000 },
    'main',
    { ...LE, resolveNames: false },
  );
  t.is(data.names, undefined);
  t.deepEqual(
    data.records.map((r) => [r.byteOffset, r.mappingByteOffset]),
    [
      [0x2128, 0x2128 + 28],
      [0x2170, 0x2170 + 28],
    ],
  );
  t.deepEqual(data.warnings, []);
});

const REAL = hex('01 01 | 00 | 01 | 01 01 01 00 02');
const DUMMY = hex('01 01 | 00 | 01 | 00 01 01 00 02');

test('records with an unknown FilenamesRef are skipped with one warning per ref', (t) => {
  const blob = filenamesBlob(['/w', '/w/a.rs'], false);
  const covmap = covmapEntry(new Bytes(), { version: 6, filenames: blob }).build();
  const covfun = new Bytes();
  covfunRecord(covfun, { nameRef: 1n, funcHash: 5n, filenamesRef: md5Hash64(blob), mapping: REAL });
  const stray = covfun.length;
  covfunRecord(covfun, { nameRef: 2n, funcHash: 5n, filenamesRef: 0xbadn, mapping: REAL });
  covfunRecord(covfun, { nameRef: 3n, funcHash: 5n, filenamesRef: 0xbadn, mapping: REAL });
  const data = readCoverageMapping({ covmap, covfun: covfun.build() }, 'bin', {
    ...LE,
    resolveNames: false,
  });
  t.deepEqual(
    data.records.map((r) => r.nameRef),
    [1n],
  );
  t.is(data.warnings.length, 1);
  t.is(data.warnings[0]!.code, 'E_MALFORMED');
  t.is(data.warnings[0]!.byteOffset, stray);
  t.regex(
    data.warnings[0]!.message,
    /2 record\(s\) skipped: FilenamesRef 0xbad matches no covmap entry/,
  );
});

test('a record under an invalid FilenamesRef never claims its NameRef (LLVM skips it before selection)', (t) => {
  const COLLISION_A = hex(
    'd131dd02c5e6eec4693d9a0698aff95c2fcab58712467eab4004583eb8fb7f8955ad340609f4b30283e488832571415a085125e8f7cdc99fd91dbdf280373c5bd8823e3156348f5bae6dacd436c919c6dd53e2b487da03fd02396306d248cda0e99f33420f577ee8ce54b67080a80d1ec69821bcb6a8839396f9652b6ff72a70',
  );
  const COLLISION_B = hex(
    'd131dd02c5e6eec4693d9a0698aff95c2fcab50712467eab4004583eb8fb7f8955ad340609f4b30283e4888325f1415a085125e8f7cdc99fd91dbd7280373c5bd8823e3156348f5bae6dacd436c919c6dd53e23487da03fd02396306d248cda0e99f33420f577ee8ce54b67080280d1ec69821bcb6a8839396f965ab6ff72a70',
  );
  const suffix = new Bytes().bytes(new Array<number>(225).fill(0x61)).zeros(6352).build();
  const realRecord = new Bytes().u64(7n).u32(REAL.length).u64(5n).build();
  const dummyRecord = new Bytes().u64(7n).u32(DUMMY.length).u64(0n).build();
  const out = new Bytes();
  covmapEntry(out, {
    version: 1,
    nRecords: 1,
    records: realRecord,
    filenames: new Bytes().bytes(COLLISION_A, suffix).build(),
    mapping: REAL,
  });
  covmapEntry(out, { version: 1, filenames: new Bytes().bytes(COLLISION_B, suffix).build() });
  const good = legacyFilenamesBlob(['/x/a.c', '/x/b.c']);
  covmapEntry(out, {
    version: 1,
    nRecords: 1,
    records: dummyRecord,
    filenames: good,
    mapping: DUMMY,
  });
  const data = readCoverageMapping({ covmap: out.build() }, 'old', { ...LE, resolveNames: false });
  t.is(data.version, 1);
  t.deepEqual(
    data.records.map((r) => [r.nameRef, r.funcHash, r.filenamesRef]),
    [[7n, 0n, md5Hash64(good)]],
  );
  t.deepEqual(
    data.warnings.map((w) => w.code),
    ['E_MALFORMED', 'E_MALFORMED'],
  );
  t.regex(data.warnings[1]!.message, /is ambiguous/);
});

test('Version2 records are named through __llvm_prf_names; Version1 through the names address', (t) => {
  const files = legacyFilenamesBlob(['/x/a.c']);
  const v2 = covmapEntry(new Bytes(), {
    version: 1,
    nRecords: 1,
    records: new Bytes().u64(md5Hash64('main')).u32(REAL.length).u64(5n).build(),
    filenames: files,
    mapping: REAL,
  }).build();
  const named = readCoverageMapping(
    { covmap: v2, prfNames: prfNamesBlob(['helper', 'main'], false) },
    'v2',
    LE,
  );
  t.deepEqual([...(named.names ?? [])], [[md5Hash64('main'), 'main']]);

  const rawNames = new TextEncoder().encode('helpermain');
  const v1 = covmapEntry(new Bytes(), {
    version: 0,
    nRecords: 1,
    records: new Bytes().u64(0x506n).u32(4).u32(REAL.length).u64(5n).build(),
    filenames: files,
    mapping: REAL,
  }).build();
  const old = readCoverageMapping(
    { covmap: v1, prfNames: rawNames, prfNamesAddress: 0x500n },
    'v1',
    LE,
  );
  t.deepEqual([...(old.names ?? [])], [[md5Hash64('main'), 'main']]);
  t.is(old.records[0]!.name, 'main');
  t.deepEqual(old.warnings, []);
});

test('no covmap, or Version4+ without covfun: empty result with W_NO_COVERAGE', (t) => {
  const none = readCoverageMapping({}, 'plain', LE);
  t.is(none.version, -1);
  t.deepEqual(none.records, []);
  t.deepEqual(
    none.warnings.map((w) => w.code),
    ['W_NO_COVERAGE'],
  );
  const noCovfun = readCoverageMapping({ covmap: WORKED_COVMAP }, 'half', LE);
  t.is(noCovfun.version, 6);
  t.deepEqual(noCovfun.records, []);
  t.deepEqual(
    noCovfun.warnings.map((w) => w.code),
    ['W_NO_COVERAGE'],
  );
});

test('covfun warnings pass through and the dummy rule applies within the object', (t) => {
  const blob = filenamesBlob(['/w', '/w/a.rs'], true);
  const ref = md5Hash64(blob);
  const covmap = covmapEntry(new Bytes(), { version: 6, filenames: blob }).build();
  const covfun = new Bytes();
  covfunRecord(covfun, { nameRef: 1n, funcHash: 0n, filenamesRef: ref, mapping: DUMMY });
  covfunRecord(covfun, { nameRef: 2n, funcHash: 4n, filenamesRef: ref, mapping: REAL });
  covfunRecord(covfun, { nameRef: 1n, funcHash: 9n, filenamesRef: ref, mapping: REAL });
  covfun.u64(3n).u32(500).u64(1n).u64(ref);
  const data = readCoverageMapping({ covmap, covfun: covfun.build() }, 'bin', {
    ...LE,
    resolveNames: false,
  });
  t.deepEqual(
    data.records.map((r) => [r.nameRef, r.funcHash]),
    [
      [1n, 9n],
      [2n, 4n],
    ],
  );
  t.deepEqual(
    data.warnings.map((w) => w.code),
    ['E_TRUNCATED'],
  );
});
