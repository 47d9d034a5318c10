/**
 * The DWARF "initial length" field that opens every unit (DWARF 5 §7.4): 32-bit DWARF, or
 * 0xffffffff followed by a 64-bit length for 64-bit DWARF.
 */
import type { ByteReader } from '../binary/index.js';

/** A unit's length and the offset size it implies. */
export interface InitialLength {
  /** Bytes after the length field. */
  readonly unitLength: number;
  /** 4 for 32-bit DWARF, 8 for 64-bit DWARF. */
  readonly offsetBytes: 4 | 8;
}

/**
 * Reads an initial length at the cursor.
 * @throws CovError `E_MALFORMED` for the reserved values 0xfffffff0–0xfffffffe, `E_TRUNCATED`
 *   when the field itself or the unit (`unitLength` bytes) runs past the data.
 */
export function readInitialLength(r: ByteReader, what: string): InitialLength {
  const start = r.offset;
  const first = r.u32(`${what}: unit_length`);
  let unitLength = first;
  let offsetBytes: 4 | 8 = 4;
  if (first === 0xffffffff) {
    unitLength = r.u64Number(`${what}: 64-bit unit_length`);
    offsetBytes = 8;
  } else if (first >= 0xfffffff0) {
    throw r.error(
      'E_MALFORMED',
      `${what}: unit_length 0x${first.toString(16)} is a reserved value`,
      start,
    );
  }
  if (unitLength > r.remaining) {
    throw r.error(
      'E_TRUNCATED',
      `${what}: unit_length says ${unitLength} bytes, ${r.remaining} left in the section`,
      start,
    );
  }
  return { unitLength, offsetBytes };
}
