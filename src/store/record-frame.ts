/**
 * The `.covdb` container, format version 1: a 12-byte file header, then framed records, each with
 * a self-checking 28-byte header and a payload that may be one LZ4 block. A damaged record is
 * skipped (the reader resynchronises on the next valid record header); only the file header is
 * fatal. See docs/covdb.md for the byte layout.
 */
import { CovError, formatOffset, type Diagnostic } from '../binary/index.js';
import { crc32 } from './crc32.js';
import { compressLz4Block, decompressLz4Block } from './lz4-block.js';

/** File magic: `\x89COVDB\r\n` (PNG-style: high bit, name, CR LF to catch text-mode damage). */
export const COVDB_MAGIC = Uint8Array.of(0x89, 0x43, 0x4f, 0x56, 0x44, 0x42, 0x0d, 0x0a);
/** The format version this code writes and the only one it reads. */
export const COVDB_FORMAT_VERSION = 1;
export const FILE_HEADER_BYTES = 12;
/** Every record header starts with these bytes (`\xf0REC`), the resynchronisation mark. */
export const RECORD_SYNC = Uint8Array.of(0xf0, 0x52, 0x45, 0x43);
export const RECORD_HEADER_BYTES = 28;
/** Record flag bit 0: the payload is one LZ4 block. */
export const FLAG_LZ4 = 1;
/** Payloads at least this large are compressed (when that makes them smaller). */
export const COMPRESS_MIN_BYTES = 256;

/** One record's type and uncompressed payload. */
export interface RawRecord {
  /** Record type (1–254; see docs/covdb.md). */
  readonly type: number;
  readonly payload: Uint8Array;
}

/** A record as read back, with where it was. */
export interface ReadRecord extends RawRecord {
  /** 0-based position among the records found in the file. */
  readonly index: number;
  /** Absolute byte offset of the record header. */
  readonly byteOffset: number;
}

/**
 * Frames records into a database image.
 * @returns header + records, each payload LZ4-compressed when large and smaller that way
 */
export function frameRecords(records: readonly RawRecord[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const header = new Uint8Array(FILE_HEADER_BYTES);
  header.set(COVDB_MAGIC, 0);
  new DataView(header.buffer).setUint32(8, COVDB_FORMAT_VERSION, true);
  parts.push(header);
  for (const record of records) {
    if (!Number.isInteger(record.type) || record.type < 1 || record.type > 0xff) {
      throw new RangeError(`record type ${record.type} is not a byte above 0`);
    }
    const compressed =
      record.payload.length >= COMPRESS_MIN_BYTES ? compressLz4Block(record.payload) : undefined;
    const stored = compressed ?? record.payload;
    const frame = new Uint8Array(RECORD_HEADER_BYTES);
    const view = new DataView(frame.buffer);
    frame.set(RECORD_SYNC, 0);
    frame[4] = record.type;
    frame[5] = compressed === undefined ? 0 : FLAG_LZ4;
    view.setUint32(8, stored.length, true);
    view.setUint32(12, record.payload.length, true);
    const payloadCrc = crc32(record.payload);
    view.setUint32(16, payloadCrc, true);
    view.setUint32(20, compressed === undefined ? payloadCrc : crc32(stored), true);
    view.setUint32(24, crc32(frame, 0, 24), true);
    parts.push(frame, stored);
  }
  let total = 0;
  for (const part of parts) total += part.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Result of {@link readRecords}. */
export interface ReadRecordsResult {
  readonly records: ReadRecord[];
  /** One per skipped or damaged region: names the file, record index and byte offset. */
  readonly warnings: Diagnostic[];
}

interface FrameHeader {
  readonly type: number;
  readonly flags: number;
  readonly storedBytes: number;
  readonly rawBytes: number;
  readonly payloadCrc: number;
  readonly storedCrc: number;
}

function parseFrameHeader(bytes: Uint8Array, view: DataView, at: number): FrameHeader | undefined {
  if (at + RECORD_HEADER_BYTES > bytes.length) return undefined;
  for (let i = 0; i < RECORD_SYNC.length; i++)
    if (bytes[at + i] !== RECORD_SYNC[i]) return undefined;
  if (crc32(bytes, at, at + 24) !== view.getUint32(at + 24, true)) return undefined;
  const flags = bytes[at + 5]!;
  if ((flags & ~FLAG_LZ4) !== 0 || view.getUint16(at + 6, true) !== 0) return undefined;
  return {
    type: bytes[at + 4]!,
    flags,
    storedBytes: view.getUint32(at + 8, true),
    rawBytes: view.getUint32(at + 12, true),
    payloadCrc: view.getUint32(at + 16, true),
    storedCrc: view.getUint32(at + 20, true),
  };
}

function findNextHeader(bytes: Uint8Array, view: DataView, from: number): number | undefined {
  for (let at = from; at + RECORD_HEADER_BYTES <= bytes.length; at++) {
    if (bytes[at] === RECORD_SYNC[0] && parseFrameHeader(bytes, view, at) !== undefined) return at;
  }
  return undefined;
}

/**
 * Checks the file header and reads every intact record.
 * @param bytes the whole database file
 * @param source file name for messages
 * @returns the intact records in file order; each damaged record (bad header or payload CRC,
 *   corrupt LZ4 block) and a truncated tail give a warning naming `source`, the record index and
 *   its byte offset, and reading goes on with the next valid record header
 * @throws CovError `E_BAD_MAGIC` when the file does not start with {@link COVDB_MAGIC},
 *   `E_TRUNCATED` when it is shorter than the file header, `E_UNSUPPORTED_VERSION` for a format
 *   version other than {@link COVDB_FORMAT_VERSION}
 */
export function readRecords(bytes: Uint8Array, source: string): ReadRecordsResult {
  if (bytes.length < FILE_HEADER_BYTES) {
    const isPrefix = COVDB_MAGIC.subarray(0, bytes.length).every((b, i) => bytes[i] === b);
    throw new CovError(
      isPrefix ? 'E_TRUNCATED' : 'E_BAD_MAGIC',
      isPrefix
        ? `coverage database header: needs ${FILE_HEADER_BYTES} bytes, ${bytes.length} present`
        : 'not a cov coverage database (.covdb): bad magic',
      { source, byteOffset: 0 },
    );
  }
  for (let i = 0; i < COVDB_MAGIC.length; i++) {
    if (bytes[i] !== COVDB_MAGIC[i]) {
      throw new CovError(
        'E_BAD_MAGIC',
        `not a cov coverage database (.covdb): magic byte ${i} is 0x${bytes[i]!.toString(16)}, expected 0x${COVDB_MAGIC[i]!.toString(16)}`,
        { source, byteOffset: i },
      );
    }
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== COVDB_FORMAT_VERSION) {
    throw new CovError(
      'E_UNSUPPORTED_VERSION',
      `coverage database format version ${version}; this cov reads version ${COVDB_FORMAT_VERSION}${version > COVDB_FORMAT_VERSION ? ' (written by a newer cov: upgrade cov)' : ''}`,
      { source, byteOffset: 8 },
    );
  }
  const records: ReadRecord[] = [];
  const warnings: Diagnostic[] = [];
  const warn = (message: string, byteOffset: number): void => {
    warnings.push({
      severity: 'warning',
      code: 'W_DATABASE_RECORD',
      message: `${source}: at ${formatOffset(byteOffset)}: ${message}`,
      source,
      byteOffset,
    });
  };
  let at = FILE_HEADER_BYTES;
  let index = 0;
  while (at < bytes.length) {
    const header = parseFrameHeader(bytes, view, at);
    if (header === undefined) {
      if (at + RECORD_HEADER_BYTES > bytes.length) {
        warn(
          `record ${index}: truncated header (${bytes.length - at} of ${RECORD_HEADER_BYTES} bytes); the file was cut short`,
          at,
        );
        break;
      }
      const next = findNextHeader(bytes, view, at + 1);
      warn(
        `record ${index}: damaged record header; ${next === undefined ? 'no valid record follows' : `skipped ${next - at} bytes to the next record at ${formatOffset(next)}`}`,
        at,
      );
      index++;
      if (next === undefined) break;
      at = next;
      continue;
    }
    const payloadAt = at + RECORD_HEADER_BYTES;
    if (payloadAt + header.storedBytes > bytes.length) {
      warn(
        `record ${index} (type ${header.type}): needs ${header.storedBytes} payload bytes, ${bytes.length - payloadAt} left; the file was cut short`,
        at,
      );
      break;
    }
    const stored = bytes.subarray(payloadAt, payloadAt + header.storedBytes);
    // the stored CRC catches damage that still inflates to the same bytes (a match offset in a run)
    const storedIntact = crc32(stored) === header.storedCrc;
    const payload = !storedIntact
      ? undefined
      : (header.flags & FLAG_LZ4) !== 0
        ? decompressLz4Block(stored, header.rawBytes)
        : stored.length === header.rawBytes
          ? stored
          : undefined;
    if (!storedIntact) {
      warn(
        `record ${index} (type ${header.type}): CRC mismatch of the stored bytes; record skipped`,
        at,
      );
    } else if (payload === undefined) {
      warn(`record ${index} (type ${header.type}): corrupt LZ4 block; record skipped`, at);
    } else if (crc32(payload) !== header.payloadCrc) {
      warn(`record ${index} (type ${header.type}): CRC mismatch; record skipped`, at);
    } else {
      records.push({ type: header.type, payload, index, byteOffset: at });
    }
    index++;
    at = payloadAt + header.storedBytes;
  }
  return { records, warnings };
}
