/**
 * Reading and writing `.covdb` files. Writes are atomic: a temporary file in the same directory,
 * then a rename, so a reader never sees half a database and a killed writer leaves the old one.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CovError } from '../binary/index.js';
import { decodeDatabase, encodeDatabase, type DecodedDatabase } from './database-codec.js';
import type { CoverageDatabase } from './types.js';

/**
 * Encodes and writes a database atomically, creating parent directories.
 * @returns the file size in bytes
 * @throws CovError `E_IO` when the directory or file cannot be written
 */
export function writeDatabaseFile(path: string, database: CoverageDatabase): number {
  const bytes = encodeDatabase(database);
  const target = resolve(path);
  const temp = `${target}.cov-tmp-${process.pid}`;
  try {
    // a device or FIFO (`/dev/null`) is written in place: a rename would replace it with a file
    const stats = statSync(target, { throwIfNoEntry: false });
    if (stats !== undefined && !stats.isFile() && !stats.isDirectory()) {
      writeFileSync(target, bytes);
      return bytes.length;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(temp, bytes);
    renameSync(temp, target);
  } catch (cause) {
    rmSync(temp, { force: true });
    throw new CovError('E_IO', `cannot write ${path}: ${(cause as Error).message}`, { cause });
  }
  return bytes.length;
}

/**
 * Reads and decodes a database file (damaged records become warnings).
 * @throws CovError `E_IO` when the file cannot be read; `E_BAD_MAGIC`, `E_TRUNCATED`,
 *   `E_UNSUPPORTED_VERSION` from {@link decodeDatabase}
 */
export function readDatabaseFile(path: string): DecodedDatabase {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    throw new CovError(
      'E_IO',
      `cannot read coverage database ${path}: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  return decodeDatabase(bytes, path);
}
