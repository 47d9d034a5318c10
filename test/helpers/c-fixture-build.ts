/**
 * Builds a C or C++ fixture from `test/fixtures/c/<dir>` with clang's coverage instrumentation,
 * runs the program once per argument list (one `.profraw` each), and caches the result under
 * `os.tmpdir()/cov-fixture-cache/c-<name>-<hash>` (hash of the sources, flags, runs and
 * `clang --version`). Coverage mappings point at the sources in the repository.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { FIXTURE_CACHE_DIR } from './fixture-build.js';
import { toolSearchPath } from './tools.js';

/** Where the C fixtures live in the repository. */
export const C_FIXTURES_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../fixtures/c',
);

/** Bump when the recipe changes, so old cache entries are not reused. */
const RECIPE_VERSION = 'c-fixture-build/1';

export interface CFixtureSpec {
  /** Cache name, e.g. `mcdc-decisions`. */
  readonly name: string;
  /** Compiler command, e.g. `clang-22` or `clang++-22`. */
  readonly compiler: string;
  /** Source files relative to {@link C_FIXTURES_DIR}; the first one's folder is the include dir. */
  readonly sources: readonly string[];
  /** Every file whose content should invalidate the cache (headers), relative to the same dir. */
  readonly inputs?: readonly string[];
  /** Compiler flags, e.g. `['-fprofile-instr-generate', '-fcoverage-mapping']`. */
  readonly flags: readonly string[];
  /** One run per entry: the program's arguments. */
  readonly runs: readonly (readonly string[])[];
}

/** A built and executed C fixture; all paths absolute. */
export interface BuiltCFixture {
  readonly binary: string;
  /** Folder holding exactly the profiles of the runs. */
  readonly profrawDir: string;
  /** `run-<i>.profraw` for run i, in run order. */
  readonly profraws: readonly string[];
  /** This build's cache entry (also the place for oracle outputs). */
  readonly cacheDir: string;
  readonly reused: boolean;
}

const inFlight = new Map<string, Promise<BuiltCFixture>>();

/**
 * Builds and runs the fixture (or reuses the cached build).
 * @throws Error when the compiler fails, a run exits non-zero or writes no profile; the message
 *   holds the command and its stderr.
 */
export function buildCFixture(spec: CFixtureSpec): Promise<BuiltCFixture> {
  let pending = inFlight.get(spec.name);
  if (pending === undefined) {
    pending = build(spec);
    inFlight.set(spec.name, pending);
  }
  return pending;
}

async function build(spec: CFixtureSpec): Promise<BuiltCFixture> {
  const env = { PATH: toolSearchPath() };
  const version = await execa(spec.compiler, ['--version'], { env });
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ recipe: RECIPE_VERSION, spec, version: version.stdout }));
  for (const file of [...spec.sources, ...(spec.inputs ?? [])]) {
    hash.update(`\0${file}\0`);
    hash.update(await readFile(path.join(C_FIXTURES_DIR, file)));
  }
  const cacheDir = path.join(
    FIXTURE_CACHE_DIR,
    `c-${spec.name}-${hash.digest('hex').slice(0, 16)}`,
  );
  const binary = path.join(cacheDir, spec.name);
  const profrawDir = path.join(cacheDir, 'profraw');
  const profraws = spec.runs.map((_, i) => path.join(profrawDir, `run-${i}.profraw`));
  if (existsSync(binary) && profraws.every((file) => existsSync(file))) {
    return { binary, profrawDir, profraws, cacheDir, reused: true };
  }

  // build in a private folder, then move it into place in one rename
  const staging = `${cacheDir}.${process.pid}-${Math.random().toString(36).slice(2, 8)}.tmp`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(path.join(staging, 'profraw'), { recursive: true });
  const stagedBinary = path.join(staging, spec.name);
  const sources = spec.sources.map((file) => path.join(C_FIXTURES_DIR, file));
  const compile = [...spec.flags, ...sources, '-o', stagedBinary];
  const compiled = await execa(spec.compiler, compile, { env, reject: false });
  if (compiled.exitCode !== 0) {
    await rm(staging, { recursive: true, force: true });
    throw new Error(`${spec.compiler} ${compile.join(' ')} failed:\n${compiled.stderr}`);
  }
  for (const [i, args] of spec.runs.entries()) {
    const profile = path.join(staging, 'profraw', `run-${i}.profraw`);
    const run = await execa(stagedBinary, args, {
      env: { ...env, LLVM_PROFILE_FILE: profile },
      reject: false,
    });
    if (run.exitCode !== 0 || !existsSync(profile)) {
      await rm(staging, { recursive: true, force: true });
      throw new Error(
        `${stagedBinary} ${args.join(' ')} exited ${run.exitCode} (profile written: ` +
          `${existsSync(profile)}):\n${run.stderr}`,
      );
    }
  }
  await rm(cacheDir, { recursive: true, force: true });
  await rename(staging, cacheDir);
  const written = (await readdir(profrawDir)).length;
  if (written !== profraws.length) {
    throw new Error(`${profrawDir}: expected ${profraws.length} profiles, found ${written}`);
  }
  return { binary, profrawDir, profraws, cacheDir, reused: false };
}
