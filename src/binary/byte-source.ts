/**
 * Random-access bytes: parsers of big inputs (test binaries are hundreds of MB) ask for the ranges
 * they need instead of reading whole files. `llvm-bridge/` supplies the file-backed implementation.
 */
import { CovError } from './errors.js';

/** A readable byte range store; offsets and lengths in bytes. */
export interface ByteSource {
  /** Label used in error messages (usually the file path). */
  readonly name: string;
  readonly sizeBytes: number;
  /**
   * Returns exactly `length` bytes starting at `byteOffset`.
   * @throws CovError `E_TRUNCATED` when the range is outside the source.
   */
  read(byteOffset: number, length: number): Uint8Array;
}

/** In-memory {@link ByteSource} (tests, small inputs). */
export function bytesSource(name: string, bytes: Uint8Array): ByteSource {
  return {
    name,
    sizeBytes: bytes.length,
    read(byteOffset: number, length: number): Uint8Array {
      checkRange(name, bytes.length, byteOffset, length);
      return bytes.subarray(byteOffset, byteOffset + length);
    },
  };
}

/** Throws `E_TRUNCATED` unless [byteOffset, byteOffset+length) lies inside a source of `size`. */
export function checkRange(name: string, size: number, byteOffset: number, length: number): void {
  if (byteOffset < 0 || length < 0 || byteOffset + length > size) {
    throw new CovError(
      'E_TRUNCATED',
      `needs ${length} bytes at offset ${byteOffset}, but the input has ${size} bytes`,
      { source: name, byteOffset },
    );
  }
}
