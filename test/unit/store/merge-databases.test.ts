import test from 'ava';
import { CovError } from '../../../src/binary/index.js';
import { INSTR_PROF_MAX_COUNT_VALUE, type ProfileRecord } from '../../../src/profraw/index.js';
import {
  decodeDatabase,
  encodeDatabase,
  functionDatabase,
  mergeDatabases,
  objectKey,
  parseRemap,
  profileCountsOf,
  remapDatabase,
  remapPath,
  type CoverageDatabase,
} from '../../../src/store/index.js';
import { bigObject, lineRecord, sampleDatabase, sampleObject } from './sample-database.js';

const options = { toolVersion: '9.9.9', argv: ['merge'], createdAt: '2026-02-02T00:00:00.000Z' };

function record(nameRef: bigint, funcHash: bigint, counts: bigint[]): ProfileRecord {
  return { nameRef, funcHash, counts: BigUint64Array.from(counts), bitmap: new Uint8Array(0) };
}

function withProfile(records: ProfileRecord[], base = sampleDatabase()): CoverageDatabase {
  return { ...base, profile: { records, warnings: [] }, functions: [] };
}

test('counters of the same (NameRef, FuncHash) are added, saturating at 2^64-3 as llvm-profdata does', (t) => {
  const a = withProfile([record(1n, 10n, [1n, 2n]), record(2n, 20n, [INSTR_PROF_MAX_COUNT_VALUE])]);
  const b = withProfile([record(1n, 10n, [5n, 0n]), record(2n, 20n, [7n])]);
  const { database, warnings } = mergeDatabases(
    [
      { source: 'a.covdb', database: a },
      { source: 'b.covdb', database: b },
    ],
    options,
  );
  t.deepEqual(
    database.profile.records.map((r) => [r.nameRef, r.funcHash, [...r.counts]]),
    [
      [1n, 10n, [6n, 2n]],
      [2n, 20n, [INSTR_PROF_MAX_COUNT_VALUE]],
    ],
  );
  t.true(warnings.some((w) => w.code === 'W_COUNTER_OVERFLOW'));
  t.is(database.objects.length, 2, 'the same objects are kept once');
  t.deepEqual(database.metadata.shards?.length, 2);
  t.is(database.metadata.toolVersion, '9.9.9');
});

test('different FuncHashes of one function in different databases are reported and kept apart', (t) => {
  const a = withProfile([record(0xaaaa_0000_0000_0001n, 1n, [3n])]);
  const b = withProfile([record(0xaaaa_0000_0000_0001n, 2n, [4n])]);
  const { database, warnings } = mergeDatabases(
    [
      { source: 'a.covdb', database: a },
      { source: 'b.covdb', database: b },
    ],
    options,
  );
  t.deepEqual(
    database.profile.records.map((r) => [r.funcHash, [...r.counts]]),
    [
      [1n, [3n]],
      [2n, [4n]],
    ],
  );
  const conflict = warnings.find((w) => w.code === 'W_HASH_CONFLICT');
  t.regex(
    conflict?.message ?? '',
    /_RNvCs1_4demo4main: different FuncHashes.*0x1 in a\.covdb; 0x2 in b\.covdb/,
  );
});

test('an all-zero record stays through the merge, so -sparse drops only what one merge of all profiles drops', (t) => {
  // a: name 5 ran nowhere (all zero); b: name 5 with another hash ran
  const a = withProfile([record(5n, 1n, [0n])]);
  const b = withProfile([record(5n, 2n, [9n])]);
  const merged = mergeDatabases(
    [
      { source: 'a.covdb', database: a },
      { source: 'b.covdb', database: b },
    ],
    options,
  ).database;
  const counts = profileCountsOf(merged);
  t.deepEqual(
    counts.byNameRef.get(5n)?.map((r) => r.funcHash),
    [1n, 2n],
  );
  // alone, a's name is all zero and dropped
  t.is(profileCountsOf(a).byNameRef.get(5n), undefined);
});

test('a count mismatch keeps the first record and warns', (t) => {
  const a = withProfile([record(1n, 10n, [1n, 2n])]);
  const b = withProfile([record(1n, 10n, [1n])]);
  const { database, warnings } = mergeDatabases(
    [
      { source: 'a.covdb', database: a },
      { source: 'b.covdb', database: b },
    ],
    options,
  );
  t.deepEqual([...database.profile.records[0]!.counts], [1n, 2n]);
  t.regex(
    warnings.find((w) => w.code === 'W_COUNT_MISMATCH')?.message ?? '',
    /b\.covdb: count mismatch/,
  );
});

test('objects are keyed by content, not path', (t) => {
  t.is(objectKey(sampleObject('/a/t1')), objectKey(sampleObject('/b/t1')));
  t.not(objectKey(sampleObject()), objectKey(bigObject()));
  const a = { ...sampleDatabase(), objects: [sampleObject('/ci1/t1')] };
  const b = { ...sampleDatabase(), objects: [sampleObject('/ci2/t1'), bigObject()] };
  const { database } = mergeDatabases(
    [
      { source: 'a', database: a },
      { source: 'b', database: b },
    ],
    options,
  );
  t.deepEqual(
    database.objects.map((o) => o.path),
    ['/ci1/t1', '/work/target/debug/deps/t2-def'],
  );
});

test('--remap rewrites filename tables before comparing, so checkouts at different paths merge', (t) => {
  const a = { ...sampleDatabase(), objects: [sampleObject()] };
  const moved = remapDatabase({ ...sampleDatabase(), objects: [sampleObject()] }, [
    { from: '/work', to: '/home/ci/build' },
  ]);
  t.deepEqual([...moved.objects[0]!.filenameTables.values()][0], [
    '/home/ci/build',
    '/home/ci/build/src/lib.rs',
    '/home/ci/build/src/macros.rs',
  ]);
  t.is(moved.metadata.workspaceRoot, '/home/ci/build');
  t.is(moved.metadata.targetDir, '/home/ci/build/target/cov');
  const { database } = mergeDatabases(
    [
      { source: 'a', database: a },
      { source: 'b', database: moved },
    ],
    { ...options, remap: [parseRemap('/home/ci/build=/work')] },
  );
  t.is(database.objects.length, 1);
});

test('remapPath matches whole path components only; parseRemap needs FROM=TO', (t) => {
  const rules = [parseRemap('/src=/x'), parseRemap('C:\\b\\=D:\\')];
  t.is(remapPath('/src/a.rs', rules), '/x/a.rs');
  t.is(remapPath('/src', rules), '/x');
  t.is(remapPath('/srcx/a.rs', rules), '/srcx/a.rs');
  t.is(remapPath('C:\\b\\c.rs', rules), 'D:\\c.rs');
  t.deepEqual(parseRemap('/a=b=c'), { from: '/a', to: 'b=c' });
  const error = t.throws(() => parseRemap('nothing'), { instanceOf: CovError });
  t.is(error.code, 'E_USAGE');
});

test('breakpoint-engine records of the same function and lines are added; engines never mix', (t) => {
  const base: CoverageDatabase = {
    ...sampleDatabase(),
    metadata: { ...sampleDatabase().metadata, engine: 'ptrace' },
    objects: [],
  };
  const a = { ...base, functions: [lineRecord('f', [1, 2], [1n, 0n]), lineRecord('g', [5], [0n])] };
  const b = {
    ...base,
    functions: [lineRecord('f', [1, 2], [2n, 3n]), lineRecord('f', [1, 3], [1n, 1n])],
  };
  const { database } = mergeDatabases(
    [
      { source: 'a', database: a },
      { source: 'b', database: b },
    ],
    options,
  );
  t.deepEqual(
    database.functions.map((f) => [f.name, [...f.regionCounts], f.executionCount]),
    [
      ['f', [3n, 3n], 3n],
      ['g', [0n], 0n],
      ['f', [1n, 1n], 1n],
    ],
  );
  const error = t.throws(
    () =>
      mergeDatabases(
        [
          { source: 'a', database: a },
          { source: 'c', database: sampleDatabase() },
        ],
        options,
      ),
    { instanceOf: CovError },
  );
  t.is(error.code, 'E_USAGE');
});

test('a breakpoint-engine database round-trips through encode/decode and merges by line', (t) => {
  const metadata = { ...sampleDatabase().metadata };
  const a = functionDatabase([lineRecord('f', [1, 2], [1n, 0n])], metadata);
  const b = functionDatabase([lineRecord('f', [1, 2], [0n, 5n])], metadata);
  const decoded = decodeDatabase(encodeDatabase(a), 'a.covdb');
  t.deepEqual(decoded.warnings, []);
  t.is(decoded.database.metadata.engine, 'ptrace');
  const { database } = mergeDatabases(
    [
      { source: 'a', database: decoded.database },
      { source: 'b', database: b },
    ],
    options,
  );
  t.deepEqual([...database.functions[0]!.regionCounts], [1n, 5n]);
});
