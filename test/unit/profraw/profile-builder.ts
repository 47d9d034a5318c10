/**
 * Test helper: writes raw (`.profraw` v8–v11) and indexed (`.profdata` v7–v13) profiles byte by
 * byte from the layout tables of spec/formats.md §2.3, §2.6, §3, §7.1, §7.2. The tables here are
 * typed in from the spec independently of src/profraw/raw-layout.ts, so the reader is checked
 * against the spec, not against itself.
 */
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';

/** Growable byte buffer with typed writes in one byte order. */
export class ByteWriter {
  private buffer = new Uint8Array(256);
  private view = new DataView(this.buffer.buffer);
  length = 0;

  constructor(readonly littleEndian = true) {}

  private grow(extra: number): number {
    const at = this.length;
    if (at + extra > this.buffer.length) {
      const next = new Uint8Array(Math.max(this.buffer.length * 2, at + extra));
      next.set(this.buffer);
      this.buffer = next;
      this.view = new DataView(next.buffer);
    }
    this.length += extra;
    return at;
  }

  u8(value: number): this {
    const at = this.grow(1);
    this.buffer[at] = value;
    return this;
  }
  u16(value: number): this {
    const at = this.grow(2);
    this.view.setUint16(at, value, this.littleEndian);
    return this;
  }
  u32(value: number): this {
    const at = this.grow(4);
    this.view.setUint32(at, value >>> 0, this.littleEndian);
    return this;
  }
  /** Any bigint or number; negative values are written two's complement. */
  u64(value: bigint | number): this {
    const at = this.grow(8); // before reading this.view: grow may replace it
    this.view.setBigUint64(at, BigInt.asUintN(64, BigInt(value)), this.littleEndian);
    return this;
  }
  ptr(value: bigint | number, pointerBytes: 4 | 8): this {
    return pointerBytes === 8
      ? this.u64(value)
      : this.u32(Number(BigInt.asUintN(32, BigInt(value))));
  }
  bytes(values: ArrayLike<number>): this {
    const at = this.grow(values.length);
    this.buffer.set(Array.from(values), at);
    return this;
  }
  zeros(count: number): this {
    this.grow(count);
    return this;
  }
  /** Zero padding up to the next multiple of `alignment`. */
  align(alignment: number): this {
    return this.zeros((alignment - (this.length % alignment)) % alignment);
  }
  setU64(at: number, value: bigint | number): void {
    this.view.setBigUint64(at, BigInt.asUintN(64, BigInt(value)), this.littleEndian);
  }
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

/** Hex string (spaces and newlines ignored) to bytes. */
export function hexBytes(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  return Uint8Array.from(clean.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

/** MD5-64 (spec §1), computed here with node:crypto. */
export function nameRefOf(name: string): bigint {
  return createHash('md5').update(name).digest().readBigUInt64LE(0);
}

export type Version = 8 | 9 | 10 | 11;

/** Header fields in stored order, from spec §2.3 (v8–v10) and §7.1 (v11). */
export const HEADER_FIELDS: Record<Version, readonly string[]> = {
  8: [
    'Magic',
    'Version',
    'BinaryIdsSize',
    'NumData',
    'PaddingBytesBeforeCounters',
    'NumCounters',
    'PaddingBytesAfterCounters',
    'NamesSize',
    'CountersDelta',
    'NamesDelta',
    'ValueKindLast',
  ],
  9: [
    'Magic',
    'Version',
    'BinaryIdsSize',
    'NumData',
    'PaddingBytesBeforeCounters',
    'NumCounters',
    'PaddingBytesAfterCounters',
    'NumBitmapBytes',
    'PaddingBytesAfterBitmapBytes',
    'NamesSize',
    'CountersDelta',
    'BitmapDelta',
    'NamesDelta',
    'ValueKindLast',
  ],
  10: [
    'Magic',
    'Version',
    'BinaryIdsSize',
    'NumData',
    'PaddingBytesBeforeCounters',
    'NumCounters',
    'PaddingBytesAfterCounters',
    'NumBitmapBytes',
    'PaddingBytesAfterBitmapBytes',
    'NamesSize',
    'CountersDelta',
    'BitmapDelta',
    'NamesDelta',
    'NumVTables',
    'VNamesSize',
    'ValueKindLast',
  ],
  11: [
    'Magic',
    'Version',
    'BinaryIdsSize',
    'NumData',
    'PaddingBytesBeforeCounters',
    'NumCounters',
    'PaddingBytesAfterCounters',
    'NumBitmapBytes',
    'PaddingBytesAfterBitmapBytes',
    'NumUniformCounters',
    'PaddingBytesAfterUniformCounters',
    'UniformCountersDelta',
    'NamesSize',
    'CountersDelta',
    'BitmapDelta',
    'NamesDelta',
    'NumVTables',
    'VNamesSize',
    'ValueKindLast',
  ],
};

/** Data record field offsets from the tables of spec §2.6 and §7.2 (32-bit v8/v9 from C rules). */
interface RecordOffsets {
  size: number;
  CounterPtr: number;
  UniformCounterPtr?: number;
  BitmapPtr?: number;
  NumCounters: number;
  NumValueSites: number;
  valueKinds: number;
  NumBitmapBytes?: number;
}
export const RECORD_OFFSETS: Record<`${Version}/${4 | 8}`, RecordOffsets> = {
  '8/8': { size: 48, CounterPtr: 16, NumCounters: 40, NumValueSites: 44, valueKinds: 2 },
  '9/8': {
    size: 64,
    CounterPtr: 16,
    BitmapPtr: 24,
    NumCounters: 48,
    NumValueSites: 52,
    valueKinds: 2,
    NumBitmapBytes: 56,
  },
  '10/8': {
    size: 64,
    CounterPtr: 16,
    BitmapPtr: 24,
    NumCounters: 48,
    NumValueSites: 52,
    valueKinds: 3,
    NumBitmapBytes: 60,
  },
  '11/8': {
    size: 72,
    CounterPtr: 16,
    UniformCounterPtr: 24,
    BitmapPtr: 32,
    NumCounters: 56,
    NumValueSites: 60,
    valueKinds: 3,
    NumBitmapBytes: 68,
  },
  '8/4': { size: 40, CounterPtr: 16, NumCounters: 28, NumValueSites: 32, valueKinds: 2 },
  '9/4': {
    size: 48,
    CounterPtr: 16,
    BitmapPtr: 20,
    NumCounters: 32,
    NumValueSites: 36,
    valueKinds: 2,
    NumBitmapBytes: 40,
  },
  '10/4': {
    size: 48,
    CounterPtr: 16,
    BitmapPtr: 20,
    NumCounters: 32,
    NumValueSites: 36,
    valueKinds: 3,
    NumBitmapBytes: 44,
  },
  '11/4': {
    size: 56,
    CounterPtr: 16,
    UniformCounterPtr: 20,
    BitmapPtr: 24,
    NumCounters: 36,
    NumValueSites: 40,
    valueKinds: 3,
    NumBitmapBytes: 48,
  },
};

export const MAGIC_64 = 0xff6c70726f667281n;
export const MAGIC_32 = 0xff6c70726f665281n;

/** Writes a raw header: every field a u64, missing fields 0 (Magic from the pointer size). */
export function writeRawHeader(
  w: ByteWriter,
  version: Version,
  pointerBytes: 4 | 8,
  fields: Record<string, bigint | number>,
): void {
  for (const field of HEADER_FIELDS[version]) {
    if (field === 'Magic') w.u64(pointerBytes === 8 ? MAGIC_64 : MAGIC_32);
    else if (field === 'Version') w.u64(fields.Version ?? version);
    else if (field === 'ValueKindLast') w.u64(fields.ValueKindLast ?? (version >= 10 ? 2 : 1));
    else w.u64(fields[field] ?? 0);
  }
  for (const field of Object.keys(fields)) {
    if (!HEADER_FIELDS[version].includes(field)) throw new Error(`v${version} has no ${field}`);
  }
}

/** One data record's field values (pointer fields as signed or unsigned bigints). */
export interface RecordFields {
  nameRef: bigint;
  funcHash: bigint;
  counterPtr: bigint;
  uniformCounterPtr?: bigint;
  bitmapPtr?: bigint;
  numCounters: number;
  numValueSites?: readonly number[];
  numBitmapBytes?: number;
}

/** Writes one data record at the spec offsets; unnamed bytes (FunctionPointer, Values, holes) 0. */
export function writeDataRecord(
  w: ByteWriter,
  version: Version,
  pointerBytes: 4 | 8,
  r: RecordFields,
): void {
  const o = RECORD_OFFSETS[`${version}/${pointerBytes}`];
  const rec = new ByteWriter(w.littleEndian);
  const put = (at: number, write: () => void): void => {
    if (rec.length > at) throw new Error(`record fields out of order at ${at}`);
    rec.zeros(at - rec.length);
    write();
  };
  put(0, () => rec.u64(r.nameRef).u64(r.funcHash));
  put(o.CounterPtr, () => rec.ptr(r.counterPtr, pointerBytes));
  if (o.UniformCounterPtr !== undefined) {
    put(o.UniformCounterPtr, () => rec.ptr(r.uniformCounterPtr ?? 0n, pointerBytes));
  }
  if (o.BitmapPtr !== undefined) put(o.BitmapPtr, () => rec.ptr(r.bitmapPtr ?? 0n, pointerBytes));
  put(o.NumCounters, () => rec.u32(r.numCounters));
  put(o.NumValueSites, () => {
    for (let k = 0; k < o.valueKinds; k++) rec.u16(r.numValueSites?.[k] ?? 0);
  });
  if (o.NumBitmapBytes !== undefined) put(o.NumBitmapBytes, () => rec.u32(r.numBitmapBytes ?? 0));
  rec.zeros(o.size - rec.length);
  w.bytes(rec.finish());
}

/** ULEB128 of a small number. */
export function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/** One names blob (spec §2.8): ULEB U, ULEB C, then zlib (level 9, `78 da`) or raw text. */
export function namesBlob(names: readonly string[], compress: boolean): Uint8Array {
  const text = Buffer.from(names.join('\x01'), 'utf8');
  if (!compress) return Uint8Array.from([...uleb(text.length), 0, ...text]);
  const z = deflateSync(text, { level: 9 });
  return Uint8Array.from([...uleb(text.length), ...uleb(z.length), ...z]);
}

/** A function of a {@link buildRawProfile} fixture. */
export interface RawFunction {
  name: string;
  funcHash: bigint;
  /** Counter slot values: u64 each, or byte values in single-byte mode (timestamp slots included). */
  counters: readonly (bigint | number)[];
  bitmap?: readonly number[];
  numValueSites?: readonly number[];
  /** Overrides (malformed records). */
  nameRef?: bigint;
  counterPtr?: bigint;
  numCounters?: number;
  bitmapPtr?: bigint;
}

/** A whole raw profile; everything not given is derived the way the runtime lays it out. */
export interface RawProfileSpec {
  version: Version;
  pointerBytes?: 4 | 8;
  littleEndian?: boolean;
  /** High variant bits OR-ed into the version word. */
  flags?: bigint;
  binaryIds?: readonly (readonly number[])[];
  functions: readonly RawFunction[];
  /** Names section bytes; default one uncompressed blob of the function names. */
  names?: Uint8Array;
  /** Run-time distance counters − data (default −0x1000, as in a real binary: counters first). */
  countersDelta?: bigint;
  bitmapDelta?: bigint;
  /** ValueProfData blobs written after the names (one per function with value sites). */
  valueData?: readonly Uint8Array[];
}

/**
 * Serialises a raw profile. CounterPtr_i = offset_i + CountersDelta − i·recsize (spec §2.7 solved for
 * CounterPtr), counters laid out back to back in function order.
 */
export function buildRawProfile(spec: RawProfileSpec): Uint8Array {
  const { version, functions } = spec;
  const pointerBytes = spec.pointerBytes ?? 8;
  const w = new ByteWriter(spec.littleEndian ?? true);
  const singleByte = ((spec.flags ?? 0n) & (1n << 60n)) !== 0n;
  const counterBytes = singleByte ? 1 : 8;
  const recSize = RECORD_OFFSETS[`${version}/${pointerBytes}`].size;
  const countersDelta = spec.countersDelta ?? -0x1000n;
  const bitmapDelta = spec.bitmapDelta ?? -0x2000n;

  const ids = new ByteWriter(w.littleEndian);
  for (const id of spec.binaryIds ?? []) ids.u64(id.length).bytes(id).align(8);
  const numCounters = functions.reduce((n, f) => n + f.counters.length, 0);
  const numBitmapBytes = functions.reduce((n, f) => n + (f.bitmap?.length ?? 0), 0);
  const names =
    spec.names ??
    namesBlob(
      functions.map((f) => f.name),
      false,
    );
  const fields: Record<string, bigint | number> = {
    Version: BigInt(version) | (spec.flags ?? 0n),
    BinaryIdsSize: ids.length,
    NumData: functions.length,
    NumCounters: numCounters,
    PaddingBytesAfterCounters: (8 - ((numCounters * counterBytes) % 8)) % 8,
    NamesSize: names.length,
    CountersDelta: BigInt.asUintN(pointerBytes * 8, countersDelta),
  };
  if (version >= 9) {
    fields.NumBitmapBytes = numBitmapBytes;
    fields.PaddingBytesAfterBitmapBytes = (8 - (numBitmapBytes % 8)) % 8;
    fields.BitmapDelta = BigInt.asUintN(pointerBytes * 8, bitmapDelta);
  }
  writeRawHeader(w, version, pointerBytes, fields);
  w.bytes(ids.finish());
  let counterOffset = 0;
  let bitmapOffset = 0;
  functions.forEach((f, i) => {
    const back = BigInt(i * recSize);
    writeDataRecord(w, version, pointerBytes, {
      nameRef: f.nameRef ?? nameRefOf(f.name),
      funcHash: f.funcHash,
      counterPtr: f.counterPtr ?? BigInt(counterOffset) + countersDelta - back,
      bitmapPtr: f.bitmapPtr ?? BigInt(bitmapOffset) + bitmapDelta - back,
      numCounters: f.numCounters ?? f.counters.length,
      numValueSites: f.numValueSites ?? [],
      numBitmapBytes: f.bitmap?.length ?? 0,
    });
    counterOffset += f.counters.length * counterBytes;
    bitmapOffset += f.bitmap?.length ?? 0;
  });
  for (const f of functions) {
    for (const c of f.counters) {
      if (singleByte) w.u8(Number(c));
      else w.u64(c);
    }
  }
  w.align(8);
  for (const f of functions) w.bytes(f.bitmap ?? []);
  w.align(8);
  w.bytes(names).align(8);
  for (const blob of spec.valueData ?? []) w.bytes(blob);
  return w.finish();
}

/** A ValueProfData blob with one kind and one site holding `values` (spec §2.10). */
export function valueProfData(
  littleEndian: boolean,
  kind: number,
  values: readonly [bigint, bigint][],
): Uint8Array {
  const body = new ByteWriter(littleEndian);
  body.u32(kind).u32(1).u8(values.length).align(8);
  for (const [value, count] of values) body.u64(value).u64(count);
  const w = new ByteWriter(littleEndian);
  w.u32(8 + body.length)
    .u32(1)
    .bytes(body.finish());
  return w.finish();
}

/** Concatenates byte arrays. */
export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** One record of an indexed item. */
export interface IndexedRecord {
  funcHash: bigint;
  counts: readonly (bigint | number)[];
  bitmap?: readonly number[];
}

/** Options of {@link buildProfdata}. */
export interface ProfdataSpec {
  version: number;
  flags?: bigint;
  functions: readonly { name: string; records: readonly IndexedRecord[] }[];
  numBuckets?: number;
  /** u64 values of the summary fields and cutoff entries (default 6 fields, 16 cutoffs, zeros). */
  summary?: { fields: readonly bigint[]; cutoffs: readonly [bigint, bigint, bigint][] };
  /** Binary id section contents (v9+): raw-style entries. */
  binaryIds?: readonly (readonly number[])[];
}

/** Result of {@link buildProfdata}: the bytes and where the parts landed. */
export interface BuiltProfdata {
  bytes: Uint8Array;
  bucketOffsets: number[];
  hashOffset: number;
  binaryIdOffset: number;
  vtableNamesOffset: number;
}

/**
 * Serialises an indexed profile (spec §3): header by version, summary (twice with the CS flag),
 * the on-disk chained hash table payload (non-empty buckets back to back, items in insertion
 * order), padding to 8, bucket array, then binary ids (v9+) and vtable names (v12+).
 */
export function buildProfdata(spec: ProfdataSpec): BuiltProfdata {
  const { version } = spec;
  const numBuckets = spec.numBuckets ?? 8;
  const w = new ByteWriter(true);
  w.u64(0x8169666f72706cffn)
    .u64(BigInt(version) | (spec.flags ?? 0n))
    .u64(0)
    .u64(0);
  const hashOffsetAt = w.length;
  w.u64(0);
  if (version >= 8) w.u64(0);
  const binaryIdOffsetAt = w.length;
  if (version >= 9) w.u64(0);
  if (version >= 10) w.u64(0);
  const vtableNamesOffsetAt = w.length;
  if (version >= 12) w.u64(0);
  const summaries = ((spec.flags ?? 0n) & (1n << 57n)) !== 0n ? 2 : 1;
  for (let s = 0; s < summaries; s++) {
    const summary = spec.summary ?? {
      fields: Array<bigint>(6).fill(0n),
      cutoffs: Array.from({ length: 16 }, (): [bigint, bigint, bigint] => [0n, 0n, 0n]),
    };
    w.u64(summary.fields.length).u64(summary.cutoffs.length);
    for (const f of summary.fields) w.u64(f);
    for (const [a, b, c] of summary.cutoffs) w.u64(a).u64(b).u64(c);
  }
  const buckets: (typeof spec.functions)[number][][] = Array.from({ length: numBuckets }, () => []);
  for (const fn of spec.functions) {
    buckets[Number(nameRefOf(fn.name) & BigInt(numBuckets - 1))]!.push(fn);
  }
  const bucketOffsets: number[] = [];
  for (const bucket of buckets) {
    if (bucket.length === 0) {
      bucketOffsets.push(0);
      continue;
    }
    bucketOffsets.push(w.length);
    w.u16(bucket.length);
    for (const fn of bucket) {
      const data = new ByteWriter(true);
      for (const r of fn.records) {
        data.u64(r.funcHash).u64(r.counts.length);
        for (const c of r.counts) data.u64(c);
        if (version >= 11) {
          data.u64(r.bitmap?.length ?? 0);
          for (const b of r.bitmap ?? []) data.u64(b);
        }
        data.u32(8).u32(0);
      }
      const key = Buffer.from(fn.name, 'utf8');
      w.u64(nameRefOf(fn.name)).u64(key.length).u64(data.length).bytes(key).bytes(data.finish());
    }
  }
  w.align(8);
  const hashOffset = w.length;
  w.u64(numBuckets).u64(spec.functions.length);
  for (const offset of bucketOffsets) w.u64(offset);
  w.setU64(hashOffsetAt, hashOffset);
  let binaryIdOffset = 0;
  if (version >= 9) {
    binaryIdOffset = w.length;
    const ids = new ByteWriter(true);
    for (const id of spec.binaryIds ?? []) ids.u64(id.length).bytes(id).align(8);
    w.u64(ids.length).bytes(ids.finish());
    w.setU64(binaryIdOffsetAt, binaryIdOffset);
  }
  let vtableNamesOffset = 0;
  if (version >= 12) {
    vtableNamesOffset = w.length;
    w.u64(0);
    w.setU64(vtableNamesOffsetAt, vtableNamesOffset);
  }
  return { bytes: w.finish(), bucketOffsets, hashOffset, binaryIdOffset, vtableNamesOffset };
}
