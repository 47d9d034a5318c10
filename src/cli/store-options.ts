/**
 * The coverage-database side of `cov test`/`run`/`report`: `--save [FILE]` (on by default for
 * `test` and `run`), `--from A.covdb …` with `--remap FROM=TO`, and the loaders behind them.
 */
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import {
  assembleDecodedCoverage,
  readDecodedObject,
  type DecodedObject,
} from '../assemble/index.js';
import { CovError, type Diagnostic } from '../binary/index.js';
import { openFileByteSource } from '../llvm-bridge/index.js';
import { createCoverageSet, type CoverageSet } from '../model/index.js';
import { mergeProfiles, type ProfileRecord } from '../profraw/index.js';
import {
  compactObject,
  mergeDatabases,
  parseRemap,
  profileCountsOf,
  readDatabaseFile,
  writeDatabaseFile,
  type CoverageDatabase,
  type DatabaseMetadata,
} from '../store/index.js';
import { readProfileFiles } from './load.js';

/** Default database file name inside cov's target dir. */
export const DATABASE_FILE = 'cov.covdb';

/** Parsed database flags. */
export interface StoreFlags {
  /** `--save` alone: '' (default place); `--no-save`: false. */
  save?: string | false;
  from?: string[];
  remap?: string[];
}

/** Adds `--save [FILE]` to a command. */
export function withSaveFlag<T>(yargs: Argv<T>, onByDefault: boolean): Argv<T & StoreFlags> {
  return yargs.option('save', {
    type: 'string',
    describe: onByDefault
      ? `Coverage database to write (default <target-dir>/${DATABASE_FILE}; --no-save skips it)`
      : `Also write a coverage database (optional PATH, default <target-dir>/${DATABASE_FILE})`,
    group: 'Database:',
  }) as Argv<T & StoreFlags>;
}

/** Adds `--from` and `--remap` to `cov report`. */
export function withFromFlags<T>(yargs: Argv<T>): Argv<T & StoreFlags> {
  return yargs
    .option('from', {
      type: 'string',
      array: true,
      describe: 'Report from coverage databases instead of binaries and profiles',
      group: 'Database:',
    })
    .option('remap', {
      type: 'string',
      array: true,
      describe: 'FROM=TO: rewrite source path prefixes read from databases (repeatable)',
      group: 'Database:',
    }) as Argv<T & StoreFlags>;
}

/**
 * Where `--save` writes, or undefined for no database.
 * @param onByDefault `cov test`/`cov run` write one unless `--no-save`
 * @throws CovError `E_USAGE` when the default place is wanted but there is no target dir, or the
 *   path is one of the `--from` inputs
 */
export function resolveSavePath(
  flags: StoreFlags,
  targetDir: string | undefined,
  onByDefault: boolean,
): string | undefined {
  const save = flags.save;
  if (save === false || (save === undefined && !onByDefault)) return undefined;
  let path: string;
  if (save === undefined || save === '') {
    if (targetDir === undefined) {
      throw new CovError(
        'E_USAGE',
        '--save: no target dir to put the database in; give --save PATH',
      );
    }
    path = resolve(targetDir, DATABASE_FILE);
  } else {
    path = resolve(save);
  }
  for (const input of flags.from ?? []) {
    if (resolve(input) === path) {
      throw new CovError('E_USAGE', `--save ${save}: would overwrite the input database ${input}`);
    }
  }
  return path;
}

/** What {@link loadWithDatabase} needs. */
export interface DatabaseLoadOptions {
  readonly objects: readonly string[];
  readonly profiles: readonly string[];
  readonly metadata: Omit<DatabaseMetadata, 'objects' | 'profiles' | 'engine' | 'createdAt'>;
}

/**
 * Loads binaries and profiles like `loadCoverage`, but decodes every mapping so the result can be
 * stored; each object is kept in its stored form, and the coverage set is assembled from those
 * (exactly the `--from` path).
 * @returns the coverage set and the database that reproduces it
 * @throws CovError as `loadCoverage`
 */
export async function loadWithDatabase(
  options: DatabaseLoadOptions,
): Promise<{ set: CoverageSet; database: CoverageDatabase }> {
  if (options.objects.length === 0) {
    throw new CovError('E_USAGE', 'no object given: pass --object BIN (an instrumented binary)');
  }
  const { paths, files, warnings } = await readProfileFiles(options.profiles);
  const merged = mergeProfiles(files, { sparse: false });
  const records: ProfileRecord[] = [];
  for (const list of merged.byNameRef.values()) records.push(...list);
  const objects: DecodedObject[] = options.objects.map((path) => {
    const source = openFileByteSource(path);
    try {
      return compactObject(readDecodedObject(source));
    } finally {
      source.close();
    }
  });
  const database: CoverageDatabase = {
    metadata: {
      ...options.metadata,
      engine: 'instrumented',
      createdAt: new Date().toISOString(),
      objects: options.objects,
      profiles: paths,
    },
    profile: { records, warnings: [...warnings, ...merged.warnings] },
    objects,
    functions: [],
  };
  return { set: assembleDatabase(database, []), database };
}

/** The coverage set a database describes (instrumented: assembled; ptrace: its records). */
export function assembleDatabase(
  database: CoverageDatabase,
  readWarnings: readonly Diagnostic[],
): CoverageSet {
  const md = database.metadata;
  const metadata = {
    engine: md.engine,
    objects: md.objects,
    profiles: md.profiles,
    ...(md.toolchain === undefined ? {} : { toolchain: md.toolchain }),
    ...(md.createdAt === '' ? {} : { createdAt: md.createdAt }),
  };
  if (md.engine === 'ptrace') {
    return createCoverageSet(database.functions, readWarnings, metadata);
  }
  const set = assembleDecodedCoverage({
    objects: database.objects,
    profile: profileCountsOf(database),
    metadata,
  });
  return { ...set, warnings: [...readWarnings, ...set.warnings] };
}

/**
 * Writes the database atomically.
 * @returns its size in bytes
 */
export function saveDatabase(path: string, database: CoverageDatabase): number {
  return writeDatabaseFile(path, database);
}

/**
 * Reads databases and merges them in memory (with `--remap`), as `cov merge` would.
 * @returns the coverage set, the merged database (its metadata gives the report context)
 * @throws CovError `E_USAGE` for a bad `--remap` or databases of different engines; the read
 *   errors of {@link readDatabaseFile}
 */
export function loadFromDatabases(
  paths: readonly string[],
  remapTexts: readonly string[],
  toolVersion: string,
): { set: CoverageSet; database: CoverageDatabase } {
  const remap = remapTexts.map(parseRemap);
  const warnings: Diagnostic[] = [];
  const inputs = paths.map((path) => {
    const decoded = readDatabaseFile(path);
    warnings.push(...decoded.warnings);
    return { source: path, database: decoded.database };
  });
  let database: CoverageDatabase;
  if (inputs.length === 1 && remap.length === 0) {
    database = inputs[0]!.database;
  } else {
    const merged = mergeDatabases(inputs, {
      remap,
      toolVersion,
      argv: process.argv.slice(2),
      createdAt: new Date().toISOString(),
    });
    warnings.push(...merged.warnings);
    database = merged.database;
  }
  return { set: assembleDatabase(database, warnings), database };
}
