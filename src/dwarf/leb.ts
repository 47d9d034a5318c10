/**
 * LEB128 helpers the shared cursor lacks: signed values and skipping values of any width.
 */
import type { ByteReader } from '../binary/index.js';

const MAX_LEB_BYTES = 10;

/**
 * Signed LEB128 that fits in a JS number (|value| < 2^53).
 * @throws CovError `E_TRUNCATED` when the data ends inside the encoding, `E_MALFORMED` for an
 *   encoding longer than 10 bytes or a value outside the safe-integer range.
 */
export function readSleb(r: ByteReader, what: string): number {
  const start = r.offset;
  const bytes = r.bytes;
  let result = 0;
  let multiplier = 1;
  for (let i = 0; i < MAX_LEB_BYTES; i++) {
    if (r.offset >= bytes.length) {
      throw r.error('E_TRUNCATED', `${what}: LEB128 runs past the end of the data`, start);
    }
    const byte = bytes[r.offset++]!;
    result += (byte & 0x7f) * multiplier;
    multiplier *= 128;
    if ((byte & 0x80) === 0) {
      if ((byte & 0x40) !== 0) result -= multiplier;
      if (!Number.isSafeInteger(result)) {
        throw r.error('E_MALFORMED', `${what}: signed LEB128 value does not fit in 53 bits`, start);
      }
      return result;
    }
  }
  throw r.error('E_MALFORMED', `${what}: LEB128 longer than ${MAX_LEB_BYTES} bytes`, start);
}

/**
 * Skips one LEB128 value (signed or unsigned) of any length; values too large for a number are
 * fine here because they are not decoded.
 * @throws CovError `E_TRUNCATED` when the data ends inside the encoding.
 */
export function skipLeb(r: ByteReader, what: string): void {
  const bytes = r.bytes;
  const start = r.offset;
  let offset = start;
  while (offset < bytes.length) {
    if ((bytes[offset++]! & 0x80) === 0) {
      r.offset = offset;
      return;
    }
  }
  throw r.error('E_TRUNCATED', `${what}: LEB128 runs past the end of the data`, start);
}
