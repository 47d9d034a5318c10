/**
 * `--remap FROM=TO`: rewriting path prefixes of stored filenames, so databases made in different
 * checkouts (CI machines with different work dirs) describe the same files.
 */
import { CovError } from '../binary/index.js';
import type { FunctionRecord } from '../model/index.js';
import type { CoverageDatabase, DatabaseMetadata, StoredObject } from './types.js';

/** One prefix rewrite. */
export interface PathRemap {
  readonly from: string;
  readonly to: string;
}

/**
 * Parses `FROM=TO` (split at the first `=`).
 * @throws CovError `E_USAGE` when there is no `=` or FROM is empty
 */
export function parseRemap(text: string): PathRemap {
  const at = text.indexOf('=');
  if (at <= 0) {
    throw new CovError(
      'E_USAGE',
      `--remap ${text}: expected FROM=TO (a path prefix and its replacement)`,
    );
  }
  return { from: text.slice(0, at), to: text.slice(at + 1) };
}

/**
 * Applies the first rule whose FROM is a prefix of `path` ending at a path-component boundary
 * (`/src` rewrites `/src` and `/src/a.rs`, not `/srcx/a.rs`); other paths are returned unchanged.
 */
export function remapPath(path: string, rules: readonly PathRemap[]): string {
  for (const { from, to } of rules) {
    if (!path.startsWith(from)) continue;
    const next = path[from.length];
    const boundary =
      next === undefined ||
      next === '/' ||
      next === '\\' ||
      from.endsWith('/') ||
      from.endsWith('\\');
    if (boundary) return to + path.slice(from.length);
  }
  return path;
}

function remapMetadata(metadata: DatabaseMetadata, rules: readonly PathRemap[]): DatabaseMetadata {
  return {
    ...metadata,
    ...(metadata.workspaceRoot === undefined
      ? {}
      : { workspaceRoot: remapPath(metadata.workspaceRoot, rules) }),
    ...(metadata.targetDir === undefined
      ? {}
      : { targetDir: remapPath(metadata.targetDir, rules) }),
  };
}

function remapObject(object: StoredObject, rules: readonly PathRemap[]): StoredObject {
  const filenameTables = new Map<bigint, readonly string[]>();
  for (const [ref, table] of object.filenameTables) {
    filenameTables.set(
      ref,
      table.map((filename) => remapPath(filename, rules)),
    );
  }
  return { ...object, filenameTables };
}

function remapFunction(record: FunctionRecord, rules: readonly PathRemap[]): FunctionRecord {
  return { ...record, filenames: record.filenames.map((f) => remapPath(f, rules)) };
}

/**
 * Rewrites the filename tables (their compilation-dir entries included), the ptrace function
 * records' filenames and the workspace root and target dir of the metadata.
 * @returns a new database sharing everything that did not change
 */
export function remapDatabase(
  database: CoverageDatabase,
  rules: readonly PathRemap[],
): CoverageDatabase {
  if (rules.length === 0) return database;
  return {
    metadata: remapMetadata(database.metadata, rules),
    profile: database.profile,
    objects: database.objects.map((object) => remapObject(object, rules)),
    functions: database.functions.map((record) => remapFunction(record, rules)),
  };
}
