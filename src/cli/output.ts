/**
 * Writing outputs: atomically to a file (temp file + rename, so a reader never sees half a
 * report and an interrupted run leaves the old file intact) or to stdout.
 */
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CovError } from '../binary/index.js';

/** True when `path` exists and is not a regular file (`/dev/null`, a FIFO, `/dev/stdout`). */
export function isSpecialFile(path: string): boolean {
  try {
    const stats = statSync(path);
    return !stats.isFile() && !stats.isDirectory();
  } catch {
    return false;
  }
}

/**
 * Writes `text` to `path` atomically, creating parent directories. A device or FIFO (`/dev/null`)
 * is written in place: renaming a temporary file over it would replace the device with a file.
 */
export function writeFileAtomic(path: string, text: string): void {
  const target = resolve(path);
  if (isSpecialFile(target)) {
    try {
      writeFileSync(target, text);
    } catch (cause) {
      throw new CovError('E_IO', `cannot write ${path}: ${(cause as Error).message}`, { cause });
    }
    return;
  }
  const temp = `${target}.cov-tmp-${process.pid}`;
  try {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(temp, text);
    renameSync(temp, target);
  } catch (cause) {
    rmSync(temp, { force: true });
    throw new CovError('E_IO', `cannot write ${path}: ${(cause as Error).message}`, { cause });
  }
}

/** Writes to `path`, or to stdout when `path` is undefined or `-`. */
export async function writeOutput(path: string | undefined, text: string): Promise<void> {
  if (path === undefined || path === '-') {
    await new Promise<void>((done, fail) =>
      process.stdout.write(text, (error) => (error ? fail(error) : done())),
    );
    return;
  }
  writeFileAtomic(path, text);
}
