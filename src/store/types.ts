/**
 * What a coverage database (`.covdb`, format version 1) holds once decoded: enough to recompute
 * every report exactly without the binaries or profiles it was made from.
 * @see ../../docs/covdb.md
 */
import type { Diagnostic } from '../binary/index.js';
import type { DecodedCoverageMapping } from '../covmap/index.js';
import type { FunctionRecord } from '../model/index.js';
import type { ProfileRecord } from '../profraw/index.js';

/** Facts about the run that produced a database. */
export interface DatabaseMetadata {
  /** cov version that wrote it. */
  readonly toolVersion: string;
  readonly engine: 'instrumented' | 'ptrace';
  /** ISO 8601 time of writing. */
  readonly createdAt: string;
  /** cov's arguments (without `node` and the script). */
  readonly argv: readonly string[];
  /** Exit status of the tests or program (`cov test`/`cov run`), when there was a run. */
  readonly exitStatus?: number;
  /** `rustc -vV` (or a one-line toolchain label) of the build. */
  readonly toolchain?: string;
  /** The complete `rustc -vV` output of the build, when cov ran the build. */
  readonly rustcVerbose?: string;
  /** Object paths in load order, as given when the database was made. */
  readonly objects: readonly string[];
  /** Profile paths that were merged. */
  readonly profiles: readonly string[];
  /** Cargo workspace root and cov's target dir (the default ignore list uses them). */
  readonly workspaceRoot?: string;
  readonly targetDir?: string;
  /** For a merged database: the metadata of each input, in merge order. */
  readonly shards?: readonly DatabaseMetadata[];
}

/**
 * Profile counters merged as `llvm-profdata merge` adds them but *without* the `-sparse` drop, so
 * merging databases later drops exactly the names a merge of all profiles would.
 */
export interface StoredProfile {
  /** NameRef/FuncHash records, grouped by NameRef in first-seen order. */
  readonly records: readonly ProfileRecord[];
  /** Warnings of reading and merging the profiles (kept to show them again). */
  readonly warnings: readonly Diagnostic[];
}

/** One object's decoded coverage mapping with its path and read warnings. */
export interface StoredObject extends DecodedCoverageMapping {
  readonly path: string;
  readonly warnings: readonly Diagnostic[];
}

/** A whole database. */
export interface CoverageDatabase {
  readonly metadata: DatabaseMetadata;
  readonly profile: StoredProfile;
  /** Objects in load order (instrumented engine). */
  readonly objects: readonly StoredObject[];
  /** Function records with their counts (breakpoint engine: one code region per line). */
  readonly functions: readonly FunctionRecord[];
}
