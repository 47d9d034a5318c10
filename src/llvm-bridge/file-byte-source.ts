/**
 * File-backed {@link ByteSource}: reads only the byte ranges a parser asks for, so a test binary of
 * hundreds of MB costs a few section-sized reads instead of one whole-file read.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CovError, checkRange, type ByteSource } from '../binary/index.js';
import { fsError } from './fs-errors.js';

/** A {@link ByteSource} over an open file descriptor; call `close()` when done. */
export interface FileByteSource extends ByteSource {
  /** Closes the file; later reads throw `E_IO`. Closing twice is harmless. */
  close(): void;
}

/**
 * Opens `path` for random-access reads. The file size is taken once at open time.
 *
 * `read(byteOffset, length)` returns a fresh `Uint8Array` of exactly `length` bytes (offsets and
 * lengths in bytes).
 *
 * @throws CovError `E_IO` naming the path when it does not exist, is not a regular file or cannot
 *   be opened or read; `E_TRUNCATED` (from `read`) when a range lies outside the file.
 */
export function openFileByteSource(path: string): FileByteSource {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      throw new CovError(
        'E_IO',
        stats.isDirectory() ? 'is a directory, not a file' : 'is not a regular file',
        { source: path },
      );
    }
    return fileSource(path, fd, stats.size);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    if (error instanceof CovError) throw error;
    throw fsError(path, 'cannot open', error);
  }
}

function fileSource(path: string, openFd: number, sizeBytes: number): FileByteSource {
  let fd: number | undefined = openFd;
  return {
    name: path,
    sizeBytes,
    read(byteOffset: number, length: number): Uint8Array {
      if (fd === undefined) {
        throw new CovError('E_IO', 'read after the file was closed', { source: path, byteOffset });
      }
      checkRange(path, sizeBytes, byteOffset, length);
      const bytes = new Uint8Array(length);
      let filled = 0;
      // readSync may return fewer bytes than asked (large ranges, pipes, network filesystems).
      while (filled < length) {
        let count: number;
        try {
          count = readSync(fd, bytes, filled, length - filled, byteOffset + filled);
        } catch (error) {
          throw fsError(path, `cannot read ${length} bytes at offset ${byteOffset}`, error);
        }
        if (count === 0) {
          throw new CovError(
            'E_IO',
            `file shrank while reading: got ${filled} of ${length} bytes at offset ${byteOffset}`,
            { source: path, byteOffset },
          );
        }
        filled += count;
      }
      return bytes;
    },
    close(): void {
      if (fd === undefined) return;
      const closing = fd;
      fd = undefined;
      try {
        closeSync(closing);
      } catch (error) {
        throw fsError(path, 'cannot close', error);
      }
    },
  };
}
