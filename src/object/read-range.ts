/**
 * Labelled, bounds-checked reads from a {@link ByteSource}, shared by the ELF, Mach-O and COFF
 * readers, so a header or section that runs past the end of the file fails naming what was read.
 */
import { ByteReader, CovError, formatOffset, type ByteSource } from '../binary/index.js';

/**
 * Reads `length` bytes at absolute `byteOffset`.
 * @returns the bytes as the source returns them (may be a view into a shared buffer).
 * @throws CovError `E_TRUNCATED` (source = file name, byteOffset = `byteOffset`) when the range
 *   is not inside the file; the message names `what`.
 */
export function readRange(
  source: ByteSource,
  byteOffset: number,
  length: number,
  what: string,
): Uint8Array {
  checkFileRange(source, byteOffset, length, what);
  return source.read(byteOffset, length);
}

/**
 * Checks, without reading, that `length` bytes at absolute `byteOffset` lie inside the file.
 * @throws CovError `E_TRUNCATED` as {@link readRange}.
 */
export function checkFileRange(
  source: ByteSource,
  byteOffset: number,
  length: number,
  what: string,
): void {
  if (
    !Number.isSafeInteger(byteOffset) ||
    !Number.isSafeInteger(length) ||
    byteOffset < 0 ||
    length < 0 ||
    byteOffset + length > source.sizeBytes
  ) {
    throw new CovError(
      'E_TRUNCATED',
      `${what}: needs ${length} bytes at ${formatOffset(byteOffset)}, but the file has ${source.sizeBytes} bytes`,
      { source: source.name, byteOffset },
    );
  }
}

/**
 * A {@link ByteReader} over `length` bytes at absolute `byteOffset`, whose errors report absolute
 * file offsets.
 * @throws CovError `E_TRUNCATED` as {@link readRange}.
 */
export function readerAt(
  source: ByteSource,
  byteOffset: number,
  length: number,
  littleEndian: boolean,
  what: string,
): ByteReader {
  return new ByteReader(readRange(source, byteOffset, length, what), {
    source: source.name,
    littleEndian,
    baseOffset: byteOffset,
  });
}

/**
 * Decodes a fixed-size name field: bytes up to the first NUL, or all of them when there is none
 * (Mach-O `sectname`/`segname`, COFF short names).
 */
export function fixedName(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return utf8.decode(end < 0 ? bytes : bytes.subarray(0, end));
}

/**
 * Decodes a NUL-terminated name starting at `start` in a string table.
 * @returns the name, or `undefined` when no NUL follows `start` inside `table`.
 */
export function cString(table: Uint8Array, start: number): string | undefined {
  const end = table.indexOf(0, start);
  return end < 0 ? undefined : utf8.decode(table.subarray(start, end));
}

const utf8 = new TextDecoder('utf-8');

/** Space-separated hex of up to `count` leading bytes (`7f 45 4c 46`), for bad-magic messages. */
export function hexBytes(bytes: Uint8Array, count = 8): string {
  return Array.from(bytes.subarray(0, count), (b) => b.toString(16).padStart(2, '0')).join(' ');
}
