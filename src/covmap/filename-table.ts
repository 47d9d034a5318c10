/**
 * The FilenamesRef → filename list table of one object (covmap Version4+, and the entry refs
 * cov also computes for Version1–Version3), with LLVM's rule for two lists under one hash.
 * @see ../../../shared/spec/formats.md §4.3
 */

/** Filename lists of one object keyed by FilenamesRef, and the refs found ambiguous. */
export interface FilenameTables {
  /** FilenamesRef → list; ambiguous refs are absent. */
  readonly tables: Map<bigint, string[]>;
  /** Refs seen with two different lists; once here a ref stays invalid. */
  readonly invalid: Set<bigint>;
}

/** What {@link addFilenameTable} did with an entry's list. */
export type FilenameTableUpdate = 'added' | 'same' | 'invalidated' | 'already-invalid';

/** An empty {@link FilenameTables}. */
export function createFilenameTables(): FilenameTables {
  return { tables: new Map(), invalid: new Set() };
}

/**
 * Records one covmap entry's list under its FilenamesRef. A second entry with the same ref and an
 * equal list maps to the first; a different list makes the ref invalid (LLVM treats it as a hash
 * collision and skips every function that uses it), and it stays invalid for later entries.
 * @returns `added` (new ref), `same` (equal list seen before), `invalidated` (this entry made the
 *   ref invalid), `already-invalid`
 * @see ../../../shared/spec/formats.md §4.3 (LLVM 22 `readCoverageHeader`)
 */
export function addFilenameTable(
  state: FilenameTables,
  filenamesRef: bigint,
  filenames: string[],
): FilenameTableUpdate {
  if (state.invalid.has(filenamesRef)) return 'already-invalid';
  const known = state.tables.get(filenamesRef);
  if (known === undefined) {
    state.tables.set(filenamesRef, filenames);
    return 'added';
  }
  if (sameList(known, filenames)) return 'same';
  state.tables.delete(filenamesRef);
  state.invalid.add(filenamesRef);
  return 'invalidated';
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
