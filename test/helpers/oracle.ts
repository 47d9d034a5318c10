/**
 * The oracle: `llvm-profdata-22 merge -sparse` then `llvm-cov-22 export` on the same binaries and
 * profiles that `cov` reads. Outputs are cached on disk, keyed by the inputs' paths, sizes and
 * mtimes plus the arguments.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { LLVM_COV, LLVM_PROFDATA, toolSearchPath } from './tools.js';

/** `lcov` → `-format=lcov`; `json` → `-format=text` (llvm-cov's JSON export). */
export type OracleFormat = 'lcov' | 'json';

export interface OracleOptions {
  /** Objects in load order: the first is positional, the others follow as `-object`. */
  readonly binaries: readonly string[];
  /** Raw profiles to merge (or already-indexed `.profdata` files; llvm-profdata takes both). */
  readonly profraws: readonly string[];
  readonly format: OracleFormat;
  /** Extra `llvm-cov export` arguments, placed before the objects. */
  readonly extraArgs?: readonly string[];
  /**
   * Folder for cached outputs; `oracle/` is created inside it. Defaults to a folder under
   * `os.tmpdir()/cov-oracle-cache`. Fixture tests pass the fixture's cache entry, so the outputs
   * sit beside the build.
   */
  readonly cacheDir?: string;
}

export interface OracleResult {
  /** The export exactly as llvm-cov wrote it (no trailing newline is added or removed). */
  readonly text: string;
  /** File holding `text`. */
  readonly outputPath: string;
  /** The merged profile used. */
  readonly profdataPath: string;
  /** What llvm-profdata and llvm-cov printed on stderr (warnings such as mismatched data). */
  readonly warnings: string;
  /** The `llvm-cov-22 export …` argument vector, for error messages and reproduction. */
  readonly command: readonly string[];
  /** Whether the output came from the cache. */
  readonly cached: boolean;
}

/** Bump when the way outputs are produced changes. */
const ORACLE_RECIPE = 'oracle/1';

/**
 * Runs (or reuses) `llvm-cov-22 export` and returns its output text.
 * @throws Error when either LLVM tool exits non-zero (stderr in the message).
 */
export async function llvmCovExport(options: OracleOptions): Promise<string> {
  return (await runOracle(options)).text;
}

/**
 * Runs (or reuses) the merge and the export; returns the output with paths and warnings.
 * @throws Error when there is no binary or profile, or a tool exits non-zero.
 */
export async function runOracle(options: OracleOptions): Promise<OracleResult> {
  const [first, ...others] = options.binaries;
  if (first === undefined) throw new Error('llvm-cov export needs at least one binary');
  if (options.profraws.length === 0) throw new Error('llvm-cov export needs at least one profile');

  const profileKey = await fingerprint({ recipe: ORACLE_RECIPE }, options.profraws);
  const exportKey = await fingerprint(
    {
      recipe: ORACLE_RECIPE,
      profileKey,
      format: options.format,
      extraArgs: options.extraArgs ?? [],
    },
    options.binaries,
  );
  const oracleDir = path.join(
    options.cacheDir ?? path.join(os.tmpdir(), 'cov-oracle-cache', profileKey.slice(0, 16)),
    'oracle',
  );
  await mkdir(oracleDir, { recursive: true });
  const env = { PATH: toolSearchPath() };

  const profdataPath = path.join(oracleDir, `${profileKey.slice(0, 16)}.profdata`);
  const mergeWarningsPath = `${profdataPath}.stderr`;
  await once(profdataPath, async () => {
    if (existsSync(profdataPath)) return;
    const partial = temporaryName(profdataPath);
    const merge = await execa(
      LLVM_PROFDATA,
      ['merge', '-sparse', '-o', partial, ...options.profraws],
      { env, reject: false },
    );
    if (merge.exitCode !== 0) {
      await rm(partial, { force: true });
      throw new Error(`${LLVM_PROFDATA} merge failed (exit ${merge.exitCode}):\n${merge.stderr}`);
    }
    await writeFile(mergeWarningsPath, merge.stderr);
    await rename(partial, profdataPath);
  });

  const extension = options.format === 'lcov' ? 'lcov' : 'json';
  const outputPath = path.join(oracleDir, `${exportKey.slice(0, 16)}.${extension}`);
  const exportWarningsPath = `${outputPath}.stderr`;
  const command = [
    LLVM_COV,
    'export',
    `-format=${options.format === 'lcov' ? 'lcov' : 'text'}`,
    ...(options.extraArgs ?? []),
    '-instr-profile',
    profdataPath,
    first,
    ...others.flatMap((binary) => ['-object', binary]),
  ];

  let cached = true;
  await once(outputPath, async () => {
    if (existsSync(outputPath)) return;
    cached = false;
    const partial = temporaryName(outputPath);
    const result = await execa(command[0]!, command.slice(1), {
      env,
      reject: false,
      stdout: { file: partial },
    });
    if (result.exitCode !== 0) {
      await rm(partial, { force: true });
      throw new Error(
        `${LLVM_COV} export failed (exit ${result.exitCode}):\n${command.join(' ')}\n${result.stderr}`,
      );
    }
    await writeFile(exportWarningsPath, result.stderr);
    await rename(partial, outputPath);
  });

  const warnings = [
    await readFile(mergeWarningsPath, 'utf8').catch(() => ''),
    await readFile(exportWarningsPath, 'utf8').catch(() => ''),
  ]
    .filter((text) => text.trim() !== '')
    .join('\n');
  return {
    text: await readFile(outputPath, 'utf8'),
    outputPath,
    profdataPath,
    warnings,
    command,
    cached,
  };
}

const running = new Map<string, Promise<void>>();

/**
 * Runs `produce` for `target` once per process at a time: concurrent tests asking for the same
 * merge or export share one run. (Across processes, unique temporary names plus an atomic rename
 * make a duplicate run harmless.)
 */
function once(target: string, produce: () => Promise<void>): Promise<void> {
  let pending = running.get(target);
  if (pending === undefined) {
    pending = produce().finally(() => running.delete(target));
    running.set(target, pending);
  }
  return pending;
}

function temporaryName(target: string): string {
  return `${target}.${process.pid}-${Math.random().toString(36).slice(2, 8)}.tmp`;
}

/** SHA-256 over `seed` and each file's path, size and mtime (in the given order). */
async function fingerprint(seed: object, files: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(seed));
  for (const file of files) {
    const info = await stat(file);
    hash.update(`\0${path.resolve(file)}\0${info.size}\0${info.mtimeMs}`);
  }
  return hash.digest('hex');
}
