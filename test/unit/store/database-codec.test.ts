import test from 'ava';
import { CovError } from '../../../src/binary/index.js';
import {
  COVDB_FORMAT_VERSION,
  FILE_HEADER_BYTES,
  RECORD_HEADER_BYTES,
  RecordType,
  decodeDatabase,
  encodeDatabase,
  frameRecords,
  readRecords,
  type CoverageDatabase,
} from '../../../src/store/index.js';
import { sampleDatabase } from './sample-database.js';

/** Typed arrays → arrays, Maps → entry lists: a shape deepEqual compares by content. */
function plain(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<unknown>);
  if (value instanceof Map) return [...value].map(([k, v]) => [k, plain(v)]);
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    // lazily decoded records keep `mapping` as a getter on their class
    const keys = new Set(
      Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined),
    );
    const prototype: object | null = Object.getPrototypeOf(value);
    if (prototype !== null && prototype !== Object.prototype) {
      for (const [key, d] of Object.entries(Object.getOwnPropertyDescriptors(prototype))) {
        if (d.get !== undefined) keys.add(key);
      }
    }
    const record = value as Record<string, unknown>;
    return Object.fromEntries([...keys].sort().map((k) => [k, plain(record[k])]));
  }
  return value;
}

/** The parts of a database, one entry per record, for "everything else intact" checks. */
function parts(db: CoverageDatabase): Record<string, unknown> {
  return {
    metadata: plain(db.metadata),
    profile: plain(db.profile),
    object0: plain(db.objects.find((o) => o.path.endsWith('t1-abc'))),
    object1: plain(db.objects.find((o) => o.path.endsWith('t2-def'))),
    functions: plain(db.functions),
  };
}

/** Which part each record index carries, in the order encodeDatabase writes them. */
const PART_OF_RECORD = ['metadata', 'profile', 'object0', 'object1', 'functions', 'end'];

const original = sampleDatabase();
const bytes = encodeDatabase(original);
const frames = readRecords(bytes, 'sample.covdb').records;

test('a database round-trips exactly (u64 counts, every region kind, failed records, metadata)', (t) => {
  const { database, warnings } = decodeDatabase(bytes, 'sample.covdb');
  t.deepEqual(warnings, []);
  t.deepEqual(plain(database), plain(original));
  t.is(database.profile.records[0]!.counts[1], 2n ** 64n - 3n);
});

test('the sample has one record per part and compresses the large object record', (t) => {
  t.deepEqual(
    frames.map((f) => f.type),
    [
      RecordType.Metadata,
      RecordType.Profile,
      RecordType.Object,
      RecordType.Object,
      RecordType.Functions,
      RecordType.End,
    ],
  );
  const big = frames[3]!;
  const storedBytes = new DataView(bytes.buffer, bytes.byteOffset).getUint32(
    big.byteOffset + 8,
    true,
  );
  t.is(bytes[big.byteOffset + 5], 1, 'lz4 flag set');
  t.true(storedBytes < big.payload.length, `${storedBytes} stored < ${big.payload.length} raw`);
});

test('every single-byte corruption is detected: header bytes throw, record bytes lose only that record', (t) => {
  const expected = parts(original);
  let fatal = 0;
  let skipped = 0;
  for (let i = 0; i < bytes.length; i++) {
    const damaged = bytes.slice();
    damaged[i]! ^= 0xff;
    if (i < FILE_HEADER_BYTES) {
      const error = t.throws(() => decodeDatabase(damaged, 'x.covdb'), { instanceOf: CovError });
      t.true(
        ['E_BAD_MAGIC', 'E_UNSUPPORTED_VERSION'].includes(error.code),
        `byte ${i}: ${error.code}`,
      );
      fatal++;
      continue;
    }
    const recordIndex = frames.findLastIndex((f) => f.byteOffset <= i);
    const { database, warnings } = decodeDatabase(damaged, 'x.covdb');
    if (warnings.length === 0) {
      t.fail(`byte ${i} (record ${recordIndex}) flipped without a warning`);
      return;
    }
    if (!warnings.some((w) => w.message.includes(`record ${recordIndex}`))) {
      t.fail(
        `byte ${i}: no warning names record ${recordIndex}: ${warnings.map((w) => w.message).join('; ')}`,
      );
      return;
    }
    const got = parts(database);
    for (const [name, value] of Object.entries(expected)) {
      if (name === PART_OF_RECORD[recordIndex]) continue;
      if (name === 'metadata' || PART_OF_RECORD[recordIndex] === 'metadata') continue;
      if (JSON.stringify(got[name], replacer) !== JSON.stringify(value, replacer)) {
        t.fail(`byte ${i} in record ${recordIndex} also damaged ${name}`);
        return;
      }
    }
    if (PART_OF_RECORD[recordIndex] !== 'metadata')
      t.deepEqual(got['metadata'], expected['metadata']);
    skipped++;
  }
  t.is(fatal, FILE_HEADER_BYTES);
  t.is(skipped, bytes.length - FILE_HEADER_BYTES);
});

function replacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${value}n` : value;
}

test('a truncated database loads every complete record and warns about the cut', (t) => {
  for (let length = FILE_HEADER_BYTES; length < bytes.length; length++) {
    const { database, warnings } = decodeDatabase(bytes.subarray(0, length), 'cut.covdb');
    t.true(warnings.length > 0, `cut at ${length}: no warning`);
    const complete = frames.filter(
      (f) =>
        f.byteOffset + RECORD_HEADER_BYTES + storedLength(f.byteOffset) <= length &&
        f.type !== RecordType.End,
    );
    const objects = complete.filter((f) => f.type === RecordType.Object).length;
    t.is(database.objects.length, objects, `cut at ${length}`);
    t.is(
      database.profile.records.length > 0,
      complete.some((f) => f.type === RecordType.Profile),
    );
    t.is(
      database.functions.length > 0,
      complete.some((f) => f.type === RecordType.Functions),
    );
  }
  const error = t.throws(() => decodeDatabase(bytes.subarray(0, 5), 'cut.covdb'), {
    instanceOf: CovError,
  });
  t.is(error.code, 'E_TRUNCATED');
});

function storedLength(byteOffset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(byteOffset + 8, true);
}

test('an unknown newer format version is a clear error naming both versions', (t) => {
  const newer = bytes.slice();
  new DataView(newer.buffer).setUint32(8, COVDB_FORMAT_VERSION + 1, true);
  const error = t.throws(() => decodeDatabase(newer, 'new.covdb'), { instanceOf: CovError });
  t.is(error.code, 'E_UNSUPPORTED_VERSION');
  t.is(error.byteOffset, 8);
  t.regex(
    error.message,
    /new\.covdb: at 0x8: coverage database format version 2; this cov reads version 1 .*newer cov/,
  );
});

test('bad magic is E_BAD_MAGIC naming the byte', (t) => {
  const error = t.throws(
    () => decodeDatabase(new TextEncoder().encode('SF:/a.rs\nend_of_record\n'), 'a.lcov'),
    {
      instanceOf: CovError,
    },
  );
  t.is(error.code, 'E_BAD_MAGIC');
  t.regex(error.message, /a\.lcov: at 0x0: not a cov coverage database/);
});

test('an unknown record type is skipped with a warning; the rest loads', (t) => {
  const framed = frameRecords([
    ...frames.slice(0, 2).map((f) => ({ type: f.type, payload: f.payload })),
    { type: 77, payload: Uint8Array.of(1, 2, 3) },
    ...frames.slice(2).map((f) => ({ type: f.type, payload: f.payload })),
  ]);
  const { database, warnings } = decodeDatabase(framed, 'future.covdb');
  t.is(database.objects.length, 2);
  t.true(warnings.some((w) => /record 2: unknown record type 77/.test(w.message)));
  // the end record counted 5 records before it; now there are 6
  t.true(warnings.some((w) => /end record counts 5 records/.test(w.message)));
});

test('a decoded database encodes back to the same bytes without decoding its mappings', (t) => {
  const { database } = decodeDatabase(bytes, 'sample.covdb');
  t.deepEqual(encodeDatabase(database), bytes);
  // and after its mappings were read
  for (const object of database.objects) for (const record of object.records) void record.mapping;
  t.deepEqual(encodeDatabase(database), bytes);
});
