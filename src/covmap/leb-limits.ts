/**
 * Bounded ULEB128 reads shared by the mapping decoder and the dummy test, with LLVM's limits
 * (`RawCoverageReader::readIntMax` and `readSize`), covmap Version1–Version7.
 * @see ../../../shared/spec/formats.md §4.5
 */
import type { ByteReader } from '../binary/index.js';

/** Encoded counters, region headers, lines and end columns must be below this. */
export const UINT_MAX = 0xffffffff;

/**
 * A ULEB that must be below `maxPlus1` (LLVM `readIntMax`).
 * @throws CovError `E_MALFORMED` at the value's offset when it is not; errors of `uleb`.
 */
export function readIntMax(reader: ByteReader, maxPlus1: number, what: string): number {
  const offset = reader.offset;
  const value = reader.uleb(what);
  if (value >= maxPlus1) {
    throw reader.error('E_MALFORMED', `${what}: value ${value} is not below ${maxPlus1}`, offset);
  }
  return value;
}

/**
 * A ULEB count that cannot exceed the bytes left (LLVM `readSize`), so a bad count fails before
 * anything is allocated for it.
 * @throws CovError `E_TRUNCATED` at the count's offset when it does; errors of `uleb`.
 */
export function readSize(reader: ByteReader, what: string): number {
  const offset = reader.offset;
  const value = reader.uleb(what);
  if (value > reader.remaining) {
    throw reader.error(
      'E_TRUNCATED',
      `${what}: ${value} exceeds the ${reader.remaining} bytes left`,
      offset,
    );
  }
  return value;
}
