/**
 * Skipping `ValueProfData` blobs (value-profiling data: indirect-call targets, memop sizes,
 * vtables), which coverage does not use. Same blob in raw profiles v8–v11 and indexed v3+.
 * @see ../../../shared/spec/formats.md §2.10, §3
 */
import type { ByteReader } from '../binary/index.js';

/**
 * Advances `reader` past one `ValueProfData` blob: u32 TotalSize (the whole blob, a multiple of 8,
 * at least the 8-byte header), u32 NumValueKinds, kind records. Reads in the reader's byte order.
 * @returns the blob size in bytes
 * @throws CovError `E_MALFORMED` for a TotalSize that is not a multiple of 8 or below 8,
 *   `E_TRUNCATED` when the blob runs past the end of the reader.
 * @see ../../../shared/spec/formats.md §2.10
 */
export function skipValueProfData(reader: ByteReader, what: string): number {
  const start = reader.offset;
  const totalSize = reader.u32(`${what}: ValueProfData TotalSize`);
  if (totalSize < 8 || totalSize % 8 !== 0) {
    throw reader.error(
      'E_MALFORMED',
      `${what}: ValueProfData TotalSize ${totalSize} is not a positive multiple of 8`,
      start,
    );
  }
  reader.offset = start;
  reader.skip(totalSize, `${what}: ValueProfData`);
  return totalSize;
}
