/**
 * Merging coverage databases (shards of one test suite): counters added as `llvm-profdata merge`
 * adds them, objects united (one copy per content), so the report of the result equals llvm-cov's
 * on all the shards' profiles together.
 */
import { createHash } from 'node:crypto';
import { CovError, type Diagnostic } from '../binary/index.js';
import type { FunctionRecord } from '../model/index.js';
import { mergeProfiles, type ProfileCounts, type ProfileRecord } from '../profraw/index.js';
import { encodeObjectPayload } from './database-codec.js';
import { remapDatabase, type PathRemap } from './remap.js';
import type { CoverageDatabase, DatabaseMetadata, StoredObject } from './types.js';

/** One database to merge and where it came from. */
export interface MergeInput {
  readonly source: string;
  readonly database: CoverageDatabase;
}

/** Options of {@link mergeDatabases}. */
export interface MergeOptions {
  /** Applied to each input before anything is compared. */
  readonly remap?: readonly PathRemap[];
  /** Metadata of the merge itself. */
  readonly toolVersion: string;
  readonly argv: readonly string[];
  readonly createdAt: string;
}

/** Result of {@link mergeDatabases}. */
export interface MergeResult {
  readonly database: CoverageDatabase;
  /** Count mismatches, overflows and functions with different hashes in different inputs. */
  readonly warnings: Diagnostic[];
}

/**
 * Content key of an object: SHA-256 of its record payload with the path and the read warnings
 * (which name the path) left out, so the same binary stored by two shards (or copied elsewhere)
 * is kept once.
 */
export function objectKey(object: StoredObject): string {
  return createHash('sha256')
    .update(encodeObjectPayload({ ...object, path: '', warnings: [] }))
    .digest('hex');
}

/**
 * Merges databases in order.
 *
 * - counters of the same (NameRef, FuncHash) are added element-wise with LLVM's saturation, a
 *   record with another counter count than the first is ignored (`mergeProfiles`, not sparse, so
 *   a later merge or report drops what a merge of all profiles would);
 * - the same NameRef with different FuncHashes in different inputs (built from different
 *   sources) stays apart, reported once per function as `W_HASH_CONFLICT`;
 * - objects are kept once per content ({@link objectKey}), first occurrence first;
 * - breakpoint-engine function records with the same name, files and regions have their counts
 *   added (mod 2^64); any other difference keeps them apart.
 * @throws CovError `E_USAGE` when the inputs come from different engines or there are none
 */
export function mergeDatabases(inputs: readonly MergeInput[], options: MergeOptions): MergeResult {
  const first = inputs[0];
  if (first === undefined) throw new CovError('E_USAGE', 'no coverage database to merge');
  const engines = new Set(inputs.map((input) => input.database.metadata.engine));
  if (engines.size > 1) {
    throw new CovError(
      'E_USAGE',
      `cannot merge databases of different engines (${inputs.map((i) => `${i.source}: ${i.database.metadata.engine}`).join(', ')})`,
    );
  }
  const rules = options.remap ?? [];
  const remapped = inputs.map((input) => ({
    source: input.source,
    database: remapDatabase(input.database, rules),
  }));
  const warnings: Diagnostic[] = [];

  const objects: StoredObject[] = [];
  const seen = new Set<string>();
  for (const { database } of remapped) {
    for (const object of database.objects) {
      const key = objectKey(object);
      if (seen.has(key)) continue;
      seen.add(key);
      objects.push(object);
    }
  }

  const merged = mergeProfiles(
    remapped.map(({ source, database }) => ({ source, records: database.profile.records })),
    { sparse: false },
  );
  warnings.push(...merged.warnings, ...hashConflicts(remapped, objects));
  const records: ProfileRecord[] = [];
  for (const list of merged.byNameRef.values()) records.push(...list);

  const metadata = mergeMetadata(
    remapped.map((r) => r.database.metadata),
    options,
  );
  return {
    database: {
      metadata,
      profile: {
        records,
        warnings: [
          ...remapped.flatMap(({ database }) => database.profile.warnings),
          ...merged.warnings,
        ],
      },
      objects,
      functions: mergeFunctions(remapped.map((r) => r.database.functions)),
    },
    warnings,
  };
}

function hashConflicts(
  inputs: readonly MergeInput[],
  objects: readonly StoredObject[],
): Diagnostic[] {
  const hashesByName = new Map<bigint, Map<bigint, number[]>>();
  inputs.forEach(({ database }, inputIndex) => {
    for (const record of database.profile.records) {
      let hashes = hashesByName.get(record.nameRef);
      if (hashes === undefined) {
        hashes = new Map();
        hashesByName.set(record.nameRef, hashes);
      }
      const list = hashes.get(record.funcHash) ?? [];
      if (list[list.length - 1] !== inputIndex) list.push(inputIndex);
      hashes.set(record.funcHash, list);
    }
  });
  const warnings: Diagnostic[] = [];
  for (const [nameRef, hashes] of hashesByName) {
    if (hashes.size < 2) continue;
    const signatures = new Set([...hashes.values()].map((list) => list.join(',')));
    if (signatures.size < 2) continue;
    let name: string | undefined;
    for (const object of objects) {
      name = object.names.get(nameRef);
      if (name !== undefined) break;
    }
    const detail = [...hashes]
      .map(
        ([hash, list]) =>
          `0x${hash.toString(16)} in ${list.map((i) => inputs[i]!.source).join(', ')}`,
      )
      .join('; ');
    warnings.push({
      severity: 'warning',
      code: 'W_HASH_CONFLICT',
      message: `${name ?? `NameRef 0x${nameRef.toString(16)}`}: different FuncHashes in different databases (built from different sources?): ${detail}; kept apart, not summed`,
    });
  }
  return warnings;
}

function mergeMetadata(
  shards: readonly DatabaseMetadata[],
  options: MergeOptions,
): DatabaseMetadata {
  const first = shards[0]!;
  const objects = [...new Set(shards.flatMap((s) => s.objects))];
  const toolchains = new Set(shards.map((s) => s.toolchain));
  const statuses = shards.flatMap((s) => (s.exitStatus === undefined ? [] : [s.exitStatus]));
  const failed = statuses.find((status) => status !== 0);
  const toolchain = toolchains.size === 1 ? first.toolchain : undefined;
  return {
    toolVersion: options.toolVersion,
    engine: first.engine,
    createdAt: options.createdAt,
    argv: options.argv,
    objects,
    profiles: shards.flatMap((s) => s.profiles),
    ...(statuses.length === 0 ? {} : { exitStatus: failed ?? 0 }),
    ...(toolchain === undefined ? {} : { toolchain }),
    ...(first.workspaceRoot === undefined ? {} : { workspaceRoot: first.workspaceRoot }),
    ...(first.targetDir === undefined ? {} : { targetDir: first.targetDir }),
    shards: shards.flatMap((s) => s.shards ?? [s]),
  };
}

function functionKey(record: FunctionRecord): string {
  return JSON.stringify([
    record.name,
    record.filenames,
    Array.from(record.regions),
    Array.from(record.branches),
  ]);
}

function addU64(into: BigUint64Array, from: BigUint64Array): void {
  for (let i = 0; i < into.length; i++) into[i] = BigInt.asUintN(64, into[i]! + from[i]!);
}

function mergeFunctions(lists: readonly (readonly FunctionRecord[])[]): FunctionRecord[] {
  const indexByKey = new Map<string, number>();
  const out: FunctionRecord[] = [];
  for (const list of lists) {
    for (const record of list) {
      const key = functionKey(record);
      const index = indexByKey.get(key);
      if (index === undefined) {
        indexByKey.set(key, out.length);
        out.push({
          ...record,
          regionCounts: record.regionCounts.slice(),
          branchTrueCounts: record.branchTrueCounts.slice(),
          branchFalseCounts: record.branchFalseCounts.slice(),
        });
        continue;
      }
      const kept = out[index]!;
      addU64(kept.regionCounts, record.regionCounts);
      addU64(kept.branchTrueCounts, record.branchTrueCounts);
      addU64(kept.branchFalseCounts, record.branchFalseCounts);
      out[index] = {
        ...kept,
        executionCount: BigInt.asUintN(64, kept.executionCount + record.executionCount),
      };
    }
  }
  return out;
}

/**
 * A database holding finished function records (the breakpoint engine's line hits) instead of
 * counters and mappings.
 * @param metadata everything but `engine` (set to `ptrace`)
 */
export function functionDatabase(
  functions: readonly FunctionRecord[],
  metadata: Omit<DatabaseMetadata, 'engine'>,
): CoverageDatabase {
  return {
    metadata: { ...metadata, engine: 'ptrace' },
    profile: { records: [], warnings: [] },
    objects: [],
    functions,
  };
}

/**
 * The profile counts a report uses: the stored counters with the `-sparse` drop applied.
 * @returns counts keyed by NameRef; `warnings` are the stored read/merge warnings
 */
export function profileCountsOf(database: CoverageDatabase): ProfileCounts {
  const sparse = mergeProfiles([{ source: 'database', records: database.profile.records }]);
  return { byNameRef: sparse.byNameRef, warnings: database.profile.warnings };
}
