/**
 * Finding profile files (`.profraw` raw profiles, `.profdata` indexed profiles) and clearing the
 * ones cov itself wrote before a new run. Files a user passed in are never modified or deleted.
 */
import { open, readdir, stat, unlink } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { CovError } from '../binary/index.js';
import { fsError } from './fs-errors.js';

/** Profile files found by {@link listProfiles}, each list sorted by path. */
export interface ProfileList {
  readonly profraw: string[];
  readonly profdata: string[];
}

/** File name extension of raw profiles. */
export const PROFRAW_EXTENSION = '.profraw';
/** File name extension of indexed profiles. */
export const PROFDATA_EXTENSION = '.profdata';

/** `INSTR_PROF_RAW_MAGIC_64` (`\xfflprofr\x81`) as stored by a little-endian writer. */
const INSTR_PROF_RAW_MAGIC_64_LE = [0x81, 0x72, 0x66, 0x6f, 0x72, 0x70, 0x6c, 0xff];
/** `INSTR_PROF_RAW_MAGIC_32` (`\xfflprofR\x81`) as stored by a little-endian writer. */
const INSTR_PROF_RAW_MAGIC_32_LE = [0x81, 0x52, 0x66, 0x6f, 0x72, 0x70, 0x6c, 0xff];
/** `IndexedInstrProf::Magic` (`0x8169666f72706cff`), always stored little-endian. */
const INDEXED_INSTR_PROF_MAGIC_LE = [0xff, 0x6c, 0x70, 0x72, 0x6f, 0x66, 0x69, 0x81];

/** Which kind of profile a file is. */
export type ProfileKind = 'profraw' | 'profdata';

/**
 * Collects profiles from `paths`. Each path is a `.profraw` or `.profdata` file, a directory whose
 * direct entries with those extensions are taken (not recursive), or a file with another name whose
 * first 8 bytes carry a raw or indexed profile magic. Paths inside a directory are `join(dir, name)`;
 * duplicates (same resolved path) are listed once.
 *
 * @throws CovError `E_IO` naming the path when it does not exist or cannot be read; `E_USAGE` for a
 *   file that is not a profile.
 */
export async function listProfiles(paths: readonly string[]): Promise<ProfileList> {
  const found = { profraw: new Map<string, string>(), profdata: new Map<string, string>() };
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      throw fsError(path, 'cannot read profile path', error);
    }
    if (info.isDirectory()) {
      for (const [kind, file] of await profilesInDirectory(path)) {
        found[kind].set(resolve(file), file);
      }
    } else {
      const kind = kindByExtension(path) ?? (await kindByMagic(path));
      if (kind === undefined) {
        throw new CovError(
          'E_USAGE',
          'not a profile: expected a .profraw or .profdata file, or a directory holding them',
          { source: path },
        );
      }
      found[kind].set(resolve(path), path);
    }
  }
  return { profraw: sortedValues(found.profraw), profdata: sortedValues(found.profdata) };
}

async function profilesInDirectory(dir: string): Promise<Array<[ProfileKind, string]>> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw fsError(dir, 'cannot list directory', error);
  }
  const result: Array<[ProfileKind, string]> = [];
  for (const entry of entries) {
    const kind = kindByExtension(entry.name);
    if (kind === undefined) continue;
    const file = join(dir, entry.name);
    if (entry.isFile() || (entry.isSymbolicLink() && (await isFile(file))))
      result.push([kind, file]);
  }
  return result;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    // A dangling link is not a profile; skipping it matches how the directory is scanned.
    return false;
  }
}

/** `profraw` / `profdata` from the file name extension, else `undefined`. */
export function kindByExtension(path: string): ProfileKind | undefined {
  const extension = extname(path);
  if (extension === PROFRAW_EXTENSION) return 'profraw';
  if (extension === PROFDATA_EXTENSION) return 'profdata';
  return undefined;
}

/**
 * `profraw` / `profdata` from the first 8 bytes (raw magic in either byte order, 64- or 32-bit
 * pointer flavour; indexed magic), else `undefined`.
 * @see llvm/include/llvm/ProfileData/InstrProfData.inc (INSTR_PROF_RAW_MAGIC_64/32)
 * @see llvm/include/llvm/ProfileData/InstrProf.h (IndexedInstrProf::Magic)
 */
export function kindByMagic8(bytes: Uint8Array): ProfileKind | undefined {
  if (bytes.length < 8) return undefined;
  const head = Array.from(bytes.subarray(0, 8));
  const equals = (magic: number[]): boolean => magic.every((byte, index) => head[index] === byte);
  const reversed = (magic: number[]): number[] => [...magic].reverse();
  if (
    equals(INSTR_PROF_RAW_MAGIC_64_LE) ||
    equals(reversed(INSTR_PROF_RAW_MAGIC_64_LE)) ||
    equals(INSTR_PROF_RAW_MAGIC_32_LE) ||
    equals(reversed(INSTR_PROF_RAW_MAGIC_32_LE))
  ) {
    return 'profraw';
  }
  return equals(INDEXED_INSTR_PROF_MAGIC_LE) ? 'profdata' : undefined;
}

async function kindByMagic(path: string): Promise<ProfileKind | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
    const bytes = new Uint8Array(8);
    const { bytesRead } = await handle.read(bytes, 0, 8, 0);
    return kindByMagic8(bytes.subarray(0, bytesRead));
  } catch (error) {
    throw fsError(path, 'cannot read profile', error);
  } finally {
    await handle?.close();
  }
}

function sortedValues(byResolved: Map<string, string>): string[] {
  return [...byResolved.values()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Deletes the `*.profraw` files directly inside `profrawDir` — cov's own profile directory
 * (`target/cov/profraw/` by default) — before a new run. Touches nothing else: no other extension,
 * no subdirectory, no file elsewhere. Never call it on a user-passed path. A missing directory
 * counts as already clean.
 *
 * @returns the number of files deleted.
 * @throws CovError `E_IO` when the directory cannot be listed or a file cannot be deleted.
 */
export async function clearOwnProfiles(profrawDir: string): Promise<number> {
  let entries;
  try {
    entries = await readdir(profrawDir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw fsError(profrawDir, 'cannot list profile directory', error);
  }
  let deleted = 0;
  for (const entry of entries) {
    if (extname(entry.name) !== PROFRAW_EXTENSION) continue;
    // A symlink is removed as a link; its target (wherever it is) stays.
    if (!entry.isFile() && !entry.isSymbolicLink()) continue;
    const file = join(profrawDir, entry.name);
    try {
      await unlink(file);
      deleted += 1;
    } catch (error) {
      // Another cov process may have cleared it already.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw fsError(file, 'cannot delete old profile', error);
    }
  }
  return deleted;
}
