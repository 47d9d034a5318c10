/**
 * Bounds-checked little/big-endian cursor over a byte buffer, with LEB128. Every read takes a
 * `what` label that ends up in the error message; errors carry the absolute byte offset.
 */
import { CovError } from './errors.js';

/** Options for {@link ByteReader}. */
export interface ByteReaderOptions {
  /** File or section label used in error messages. */
  readonly source: string;
  /** Byte order of multi-byte integers (default little-endian). */
  readonly littleEndian?: boolean;
  /** Absolute offset of `bytes[0]` within `source`, so errors name file offsets (default 0). */
  readonly baseOffset?: number;
}

const MAX_LEB_BYTES = 10;

/**
 * Cursor over `bytes`. `offset` is relative to `bytes[0]`; errors report `baseOffset + offset`.
 * Reads never allocate except `u64` (a bigint) and `sub` (a new cursor sharing the buffer).
 */
export class ByteReader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly source: string;
  readonly baseOffset: number;
  littleEndian: boolean;
  offset = 0;

  constructor(bytes: Uint8Array, options: ByteReaderOptions) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.source = options.source;
    this.littleEndian = options.littleEndian ?? true;
    this.baseOffset = options.baseOffset ?? 0;
  }

  /** Bytes left after the cursor. */
  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  /** Total buffer length in bytes. */
  get length(): number {
    return this.bytes.length;
  }

  /** Absolute offset (in `source`) of the cursor. */
  get absoluteOffset(): number {
    return this.baseOffset + this.offset;
  }

  /** Throws `E_TRUNCATED` unless `byteCount` bytes remain. */
  need(byteCount: number, what: string): void {
    if (byteCount < 0 || this.offset + byteCount > this.bytes.length) {
      throw this.truncated(byteCount, what);
    }
  }

  /** Builds (does not throw) an error at the cursor, or at `relativeOffset` if given. */
  error(
    code: 'E_MALFORMED' | 'E_BAD_MAGIC' | 'E_UNSUPPORTED_VERSION' | 'E_TRUNCATED',
    detail: string,
    relativeOffset = this.offset,
  ): CovError {
    return new CovError(code, detail, {
      source: this.source,
      byteOffset: this.baseOffset + relativeOffset,
    });
  }

  private truncated(byteCount: number, what: string): CovError {
    const left = Math.max(0, this.remaining);
    return this.error('E_TRUNCATED', `${what}: needs ${byteCount} bytes, ${left} left`);
  }

  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.offset++]!;
  }

  u16(what: string): number {
    this.need(2, what);
    const value = this.view.getUint16(this.offset, this.littleEndian);
    this.offset += 2;
    return value;
  }

  u32(what: string): number {
    this.need(4, what);
    const value = this.view.getUint32(this.offset, this.littleEndian);
    this.offset += 4;
    return value;
  }

  i32(what: string): number {
    this.need(4, what);
    const value = this.view.getInt32(this.offset, this.littleEndian);
    this.offset += 4;
    return value;
  }

  /** Unsigned 64-bit value as a bigint. */
  u64(what: string): bigint {
    this.need(8, what);
    const value = this.view.getBigUint64(this.offset, this.littleEndian);
    this.offset += 8;
    return value;
  }

  /**
   * Unsigned 64-bit value that must fit in a JS number (sizes, counts, offsets).
   * @throws CovError `E_MALFORMED` when the value is 2^53 or more.
   */
  u64Number(what: string): number {
    const start = this.offset;
    this.need(8, what);
    const lo = this.view.getUint32(this.offset + (this.littleEndian ? 0 : 4), this.littleEndian);
    const hi = this.view.getUint32(this.offset + (this.littleEndian ? 4 : 0), this.littleEndian);
    if (hi >= 0x200000) {
      throw this.error(
        'E_MALFORMED',
        `${what}: value ${(BigInt(hi) << 32n) | BigInt(lo)} is too large`,
        start,
      );
    }
    this.offset += 8;
    return hi * 0x100000000 + lo;
  }

  /** Pointer-sized unsigned value (4 or 8 bytes) as a bigint. */
  uptr(pointerBytes: 4 | 8, what: string): bigint {
    return pointerBytes === 8 ? this.u64(what) : BigInt(this.u32(what));
  }

  /**
   * Unsigned LEB128 that must fit in a JS number (< 2^53).
   * @throws CovError `E_MALFORMED` for an encoding longer than 10 bytes or a value ≥ 2^53,
   *   `E_TRUNCATED` when the buffer ends inside the encoding.
   */
  uleb(what: string): number {
    const start = this.offset;
    const bytes = this.bytes;
    let result = 0;
    let multiplier = 1;
    for (let i = 0; i < MAX_LEB_BYTES; i++) {
      if (this.offset >= bytes.length) {
        throw this.error('E_TRUNCATED', `${what}: LEB128 runs past the end of the data`, start);
      }
      const byte = bytes[this.offset++]!;
      result += (byte & 0x7f) * multiplier;
      if ((byte & 0x80) === 0) {
        if (result > Number.MAX_SAFE_INTEGER) {
          throw this.error('E_MALFORMED', `${what}: LEB128 value does not fit in 53 bits`, start);
        }
        return result;
      }
      multiplier *= 128;
    }
    throw this.error('E_MALFORMED', `${what}: LEB128 longer than ${MAX_LEB_BYTES} bytes`, start);
  }

  /** `byteCount` bytes as a view into the buffer (no copy). */
  take(byteCount: number, what: string): Uint8Array {
    this.need(byteCount, what);
    const out = this.bytes.subarray(this.offset, this.offset + byteCount);
    this.offset += byteCount;
    return out;
  }

  skip(byteCount: number, what: string): void {
    this.need(byteCount, what);
    this.offset += byteCount;
  }

  /** Moves the cursor to `relativeOffset` (bounds-checked against the buffer). */
  seek(relativeOffset: number, what: string): void {
    if (relativeOffset < 0 || relativeOffset > this.bytes.length) {
      throw this.error(
        'E_TRUNCATED',
        `${what}: offset ${relativeOffset} is outside the ${this.bytes.length}-byte data`,
      );
    }
    this.offset = relativeOffset;
  }

  /** Advances the cursor to the next multiple of `alignment` (relative to the buffer start). */
  align(alignment: number): void {
    const rem = this.offset % alignment;
    if (rem !== 0) this.offset = Math.min(this.bytes.length, this.offset + alignment - rem);
  }

  /**
   * A new cursor over the next `byteCount` bytes, so a length-prefixed record that overruns fails at
   * that record. Advances this cursor past them.
   */
  sub(byteCount: number, what: string): ByteReader {
    const start = this.offset;
    const bytes = this.take(byteCount, what);
    return new ByteReader(bytes, {
      source: this.source,
      littleEndian: this.littleEndian,
      baseOffset: this.baseOffset + start,
    });
  }
}
