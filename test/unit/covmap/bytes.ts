/**
 * Byte builders for hand-made covmap/covfun test inputs (spec/formats.md §4).
 */
import { deflateSync } from 'node:zlib';
import {
  REGION_STRIDE,
  R_COLUMN_END,
  R_COLUMN_START,
  R_COUNTER,
  R_EXPANDED_FILE_ID,
  R_FALSE_COUNTER,
  R_FILE_ID,
  R_KIND,
  R_LINE_END,
  R_LINE_START,
  R_P0,
  R_P1,
  R_P2,
  type FunctionMapping,
} from '../../../src/covmap/index.js';

/** Bytes from a hex string; spaces and `|` separators are ignored. */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/[\s|]/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Unsigned LEB128 of `value` (a safe integer). */
export function uleb(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    out.push(byte);
  } while (rest > 0);
  return out;
}

/** Growable byte sink with fixed-width writes in either byte order. */
export class Bytes {
  private readonly parts: number[] = [];
  constructor(private readonly littleEndian = true) {}

  get length(): number {
    return this.parts.length;
  }

  bytes(...values: (number | number[] | Uint8Array)[]): this {
    for (const value of values) {
      if (typeof value === 'number') this.parts.push(value);
      else for (const byte of value) this.parts.push(byte);
    }
    return this;
  }

  uleb(...values: number[]): this {
    for (const value of values) this.parts.push(...uleb(value));
    return this;
  }

  u32(value: number): this {
    const b = [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
    return this.bytes(this.littleEndian ? b : b.reverse());
  }

  u64(value: bigint): this {
    const b: number[] = [];
    for (let i = 0n; i < 8n; i++) b.push(Number((value >> (8n * i)) & 0xffn));
    return this.bytes(this.littleEndian ? b : b.reverse());
  }

  zeros(count: number): this {
    for (let i = 0; i < count; i++) this.parts.push(0);
    return this;
  }

  /** Pads with zeros to a multiple of `alignment`. */
  align(alignment: number): this {
    while (this.parts.length % alignment !== 0) this.parts.push(0);
    return this;
  }

  build(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

const utf8 = new TextEncoder();

/** Version1–3 filenames blob: ULEB N, then N × (ULEB length + bytes). */
export function legacyFilenamesBlob(names: string[]): Uint8Array {
  const out = new Bytes().uleb(names.length);
  for (const name of names) {
    const bytes = utf8.encode(name);
    out.uleb(bytes.length).bytes(bytes);
  }
  return out.build();
}

/** Version4+ filenames blob: ULEB N, ULEB uncompressed length, ULEB compressed length, data. */
export function filenamesBlob(names: string[], compress: boolean): Uint8Array {
  const list = legacyFilenamesBlob(names).subarray(uleb(names.length).length);
  const out = new Bytes().uleb(names.length, list.length);
  if (!compress) return out.uleb(0).bytes(list).build();
  const zlib = deflateSync(list);
  return out.uleb(zlib.length).bytes(zlib).build();
}

/** One covmap entry: 4×u32 header, records, filenames, mapping data, padding to 8. */
export function covmapEntry(
  out: Bytes,
  fields: {
    version: number;
    filenames: Uint8Array;
    records?: Uint8Array;
    nRecords?: number;
    mapping?: Uint8Array;
  },
): Bytes {
  const mapping = fields.mapping ?? new Uint8Array(0);
  out
    .u32(fields.nRecords ?? 0)
    .u32(fields.filenames.length)
    .u32(mapping.length)
    .u32(fields.version);
  if (fields.records !== undefined) out.bytes(fields.records);
  return out.bytes(fields.filenames, mapping).align(8);
}

/** One covfun record: 28-byte header + mapping, padded to 8. */
export function covfunRecord(
  out: Bytes,
  fields: { nameRef: bigint; funcHash: bigint; filenamesRef: bigint; mapping: Uint8Array },
): Bytes {
  return out
    .u64(fields.nameRef)
    .u32(fields.mapping.length)
    .u64(fields.funcHash)
    .u64(fields.filenamesRef)
    .bytes(fields.mapping)
    .align(8);
}

/** A names blob for `__llvm_prf_names`: ULEB uncompressed length, ULEB compressed length, data. */
export function prfNamesBlob(names: string[], compress: boolean): Uint8Array {
  const text = utf8.encode(names.join('\x01'));
  if (!compress) return new Bytes().uleb(text.length, 0).bytes(text).build();
  const zlib = deflateSync(text);
  return new Bytes().uleb(text.length, zlib.length).bytes(zlib).build();
}

/** Region fields as an object, for readable assertions. */
export interface RegionView {
  kind: number;
  fileId: number;
  expandedFileId: number;
  lineStart: number;
  columnStart: number;
  lineEnd: number;
  columnEnd: number;
  counter: number;
  falseCounter: number;
  p: [number, number, number];
}

/** Unpacks a mapping's regions (`REGION_STRIDE` fields each) into objects. */
export function regionViews(mapping: FunctionMapping): RegionView[] {
  const out: RegionView[] = [];
  for (let i = 0; i < mapping.regionCount; i++) {
    const r = mapping.regions.subarray(i * REGION_STRIDE, (i + 1) * REGION_STRIDE);
    out.push({
      kind: r[R_KIND]!,
      fileId: r[R_FILE_ID]!,
      expandedFileId: r[R_EXPANDED_FILE_ID]!,
      lineStart: r[R_LINE_START]!,
      columnStart: r[R_COLUMN_START]!,
      lineEnd: r[R_LINE_END]!,
      columnEnd: r[R_COLUMN_END]!,
      counter: r[R_COUNTER]!,
      falseCounter: r[R_FALSE_COUNTER]!,
      p: [r[R_P0]!, r[R_P1]!, r[R_P2]!],
    });
  }
  return out;
}

/** A region as `[lineStart, columnStart, lineEnd, columnEnd, kind, counter]`. */
export function geometry(region: RegionView): number[] {
  return [
    region.lineStart,
    region.columnStart,
    region.lineEnd,
    region.columnEnd,
    region.kind,
    region.counter,
  ];
}
