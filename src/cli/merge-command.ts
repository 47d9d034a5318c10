/**
 * `cov merge A.covdb B.covdb … -o ALL.covdb [--remap FROM=TO]`: merges the databases of test
 * shards into one (counters added as llvm-profdata adds them, objects kept once).
 */
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { CovError, type Diagnostic } from '../binary/index.js';
import { mergeDatabases, parseRemap, readDatabaseFile, writeDatabaseFile } from '../store/index.js';

/** Parsed `cov merge` flags. */
export interface MergeFlags {
  databases?: string[];
  'output-path'?: string;
  remap?: string[];
  verbose?: boolean;
  quiet?: boolean;
}

/** Adds the `cov merge` arguments. */
export function withMergeFlags<T>(yargs: Argv<T>): Argv<T & MergeFlags> {
  return yargs
    .usage('$0 merge A.covdb B.covdb … --output-path ALL.covdb')
    .positional('databases', {
      type: 'string',
      array: true,
      describe: 'Coverage databases to merge, in order',
    })
    .option('output-path', {
      alias: 'o',
      type: 'string',
      describe: 'Database to write (must not be one of the inputs)',
    })
    .option('remap', {
      type: 'string',
      array: true,
      describe: 'FROM=TO: rewrite source path prefixes before merging (repeatable)',
    }) as Argv<T & MergeFlags>;
}

function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  return existsSync(a) && existsSync(b) && realpathSync(a) === realpathSync(b);
}

/**
 * Runs `cov merge`.
 * @returns the warnings to print and a one-line summary for stderr
 * @throws CovError `E_USAGE` without inputs or output, or when the output is an input; the read
 *   and write errors of the store
 */
export function runMerge(
  flags: MergeFlags,
  toolVersion: string,
): { warnings: Diagnostic[]; summary: string } {
  const inputs = flags.databases ?? [];
  const output = flags['output-path'];
  if (inputs.length === 0) throw new CovError('E_USAGE', 'cov merge: give the databases to merge');
  if (output === undefined || output === '') {
    throw new CovError('E_USAGE', 'cov merge: give --output-path ALL.covdb (alias -o)');
  }
  for (const input of inputs) {
    if (sameFile(input, output)) {
      throw new CovError(
        'E_USAGE',
        `cov merge: --output-path ${output} is the input ${input}; inputs are never overwritten`,
      );
    }
  }
  const remap = (flags.remap ?? []).map(parseRemap);
  const warnings: Diagnostic[] = [];
  const decoded = inputs.map((path) => {
    const read = readDatabaseFile(path);
    warnings.push(...read.warnings);
    return { source: path, database: read.database };
  });
  const merged = mergeDatabases(decoded, {
    remap,
    toolVersion,
    argv: process.argv.slice(2),
    createdAt: new Date().toISOString(),
  });
  warnings.push(...merged.warnings);
  const sizeBytes = writeDatabaseFile(output, merged.database);
  const db = merged.database;
  const summary =
    `merged ${inputs.length} databases into ${output} (${sizeBytes} bytes): ` +
    `${db.objects.length} objects, ${db.profile.records.length} counter records` +
    (db.functions.length > 0 ? `, ${db.functions.length} function records` : '');
  return { warnings, summary };
}
