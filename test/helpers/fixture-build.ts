/**
 * Builds a fixture crate from `test/fixtures/crates/<name>` with `-C instrument-coverage`, runs its
 * tests so they write `.profraw` files, and caches the result under
 * `os.tmpdir()/cov-fixture-cache/<name>-<toolchain>-<hash>` (hash of the sources, flags and
 * `rustc -vV`), so later runs only check that the files are still there.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { createLimiter, envConcurrency } from './limit.js';
import { rustcVersion, toolchainEnv, type Toolchain } from './tools.js';

export { hasTool, skipUnless } from './tools.js';
export type { Toolchain } from './tools.js';

/** Where the fixture crates live in the repository. */
export const FIXTURE_CRATES_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../fixtures/crates',
);

/** Root of the build cache (override with `COV_FIXTURE_CACHE`). */
export const FIXTURE_CACHE_DIR =
  process.env['COV_FIXTURE_CACHE'] ?? path.join(os.tmpdir(), 'cov-fixture-cache');

/** Bump when the build recipe changes, so old cache entries are not reused. */
const RECIPE_VERSION = 'fixture-build/1';

/** Files and folders of a crate that are build output, not source. */
const IGNORED_NAMES = new Set(['target', 'Cargo.lock', '.git']);

export interface BuildFixtureOptions {
  /** `stable` (default) or `nightly` (selected through rustup). */
  readonly toolchain?: Toolchain;
  /** Added after `-C instrument-coverage`, e.g. `['-Zcoverage-options=branch']`. */
  readonly extraRustflags?: readonly string[];
  /** Crate folder under `test/fixtures/crates/` when it differs from the fixture's name. */
  readonly crate?: string;
}

/** A built and executed fixture. All paths are absolute. */
export interface BuiltFixture {
  readonly name: string;
  readonly toolchain: Toolchain;
  /** Everything in RUSTFLAGS, in order. */
  readonly rustflags: readonly string[];
  /** Test executables and bin executables of the build, sorted by path (byte order). */
  readonly binaries: readonly string[];
  /** The test harness executables among `binaries` (cargo profile `test`). */
  readonly testBinaries: readonly string[];
  /** The `[[bin]]` executables among `binaries`. */
  readonly binBinaries: readonly string[];
  /** Folder holding the profiles written by the test run (`%p-%m.profraw`). */
  readonly profrawDir: string;
  /** The `.profraw` files in `profrawDir`, sorted. */
  readonly profraws: readonly string[];
  /** The copy of the crate that was built; coverage mappings point at its sources. */
  readonly workDir: string;
  /** This build's cache entry: holds `workDir`, `target/`, `profraw/`, `logs/`, `oracle/`. */
  readonly cacheDir: string;
  /** `CARGO_TARGET_DIR` of the build. */
  readonly targetDir: string;
  /** Whether an earlier build was reused. */
  readonly reused: boolean;
  /** Milliseconds the original `cargo test --no-run` and `cargo test` took. */
  readonly buildMs: number;
  readonly testMs: number;
}

interface Manifest {
  readonly recipe: string;
  readonly name: string;
  readonly toolchain: Toolchain;
  readonly rustflags: readonly string[];
  readonly testBinaries: readonly string[];
  readonly binBinaries: readonly string[];
  readonly profraws: readonly string[];
  readonly buildMs: number;
  readonly testMs: number;
}

const buildLimiter = createLimiter(envConcurrency('COV_FIXTURE_JOBS', 2));
const inFlight = new Map<string, Promise<BuiltFixture>>();

/**
 * Builds fixture `name` (or reuses the cached build) and returns its binaries and profiles.
 * At most two builds run at once in a process (`COV_FIXTURE_JOBS`); a lock directory keeps two
 * processes from building the same cache entry together.
 *
 * @throws Error when the toolchain is missing, the fixture does not exist, the build fails, a test
 *   fails, or no profile was written; the message names the log file.
 */
export async function buildFixture(
  name: string,
  options: BuildFixtureOptions = {},
): Promise<BuiltFixture> {
  const toolchain = options.toolchain ?? 'stable';
  const rustflags = ['-C', 'instrument-coverage', ...(options.extraRustflags ?? [])];
  const sourceDir = path.join(FIXTURE_CRATES_DIR, options.crate ?? name);
  if (!existsSync(path.join(sourceDir, 'Cargo.toml'))) {
    throw new Error(`fixture ${name}: no Cargo.toml in ${sourceDir}`);
  }
  const version = await rustcVersion(toolchain);
  if (version === undefined)
    throw new Error(`fixture ${name}: toolchain ${toolchain} not installed`);

  const sources = await listSourceFiles(sourceDir);
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ recipe: RECIPE_VERSION, toolchain, rustflags, version }));
  for (const relative of sources) {
    hash.update(`\0${relative}\0`);
    hash.update(await readFile(path.join(sourceDir, relative)));
  }
  const cacheDir = path.join(
    FIXTURE_CACHE_DIR,
    `${name}-${toolchain}-${hash.digest('hex').slice(0, 16)}`,
  );

  let pending = inFlight.get(cacheDir);
  if (pending === undefined) {
    pending = (async () => {
      const cached = await readManifest(cacheDir);
      if (cached !== undefined) return toBuiltFixture(cacheDir, cached, true);
      return buildLimiter.run(() =>
        withLockDir(`${cacheDir}.lock`, async () => {
          const raced = await readManifest(cacheDir);
          if (raced !== undefined) return toBuiltFixture(cacheDir, raced, true);
          const manifest = await buildAndRun({
            name,
            toolchain,
            rustflags,
            sourceDir,
            sources,
            cacheDir,
          });
          return toBuiltFixture(cacheDir, manifest, false);
        }),
      );
    })();
    inFlight.set(cacheDir, pending);
  }
  return pending;
}

interface BuildJob {
  readonly name: string;
  readonly toolchain: Toolchain;
  readonly rustflags: readonly string[];
  readonly sourceDir: string;
  readonly sources: readonly string[];
  readonly cacheDir: string;
}

async function buildAndRun(job: BuildJob): Promise<Manifest> {
  const { cacheDir } = job;
  const workDir = path.join(cacheDir, 'crate');
  const targetDir = path.join(cacheDir, 'target');
  const profrawDir = path.join(cacheDir, 'profraw');
  const logDir = path.join(cacheDir, 'logs');

  // A half-finished earlier attempt: keep target/ (cargo reuses it), redo everything else.
  for (const stale of [workDir, profrawDir, logDir, path.join(cacheDir, 'oracle')]) {
    await rm(stale, { recursive: true, force: true });
  }
  await mkdir(logDir, { recursive: true });
  for (const relative of job.sources) {
    const destination = path.join(workDir, relative);
    await mkdir(path.dirname(destination), { recursive: true });
    await copyFile(path.join(job.sourceDir, relative), destination);
  }

  const env = await cargoEnv(job.toolchain, job.rustflags, targetDir);
  const cargoArgs = ['test', '--workspace', '--tests', '--offline'];

  const buildStarted = performance.now();
  const build = await execa(
    'cargo',
    [...cargoArgs, '--no-run', '--message-format=json-render-diagnostics'],
    { cwd: workDir, env, extendEnv: false, reject: false, maxBuffer: 256 * 1024 * 1024 },
  );
  const buildMs = Math.round(performance.now() - buildStarted);
  const buildLog = path.join(logDir, 'build.log');
  await writeFile(buildLog, build.stderr);
  if (build.exitCode !== 0) {
    throw new Error(
      `fixture ${job.name}: cargo build failed (exit ${build.exitCode}); log ${buildLog}\n${tail(build.stderr)}`,
    );
  }

  const testBinaries = new Set<string>();
  const binBinaries = new Set<string>();
  for (const line of build.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const message = JSON.parse(line) as CargoMessage;
    if (message.reason !== 'compiler-artifact' || typeof message.executable !== 'string') continue;
    if (message.profile?.test === true) testBinaries.add(message.executable);
    else if (message.target?.kind?.includes('bin') === true) binBinaries.add(message.executable);
  }
  if (testBinaries.size === 0) {
    throw new Error(`fixture ${job.name}: cargo reported no test executable; log ${buildLog}`);
  }

  await mkdir(profrawDir, { recursive: true });
  const testStarted = performance.now();
  const run = await execa('cargo', cargoArgs, {
    cwd: workDir,
    env: { ...env, LLVM_PROFILE_FILE: path.join(profrawDir, '%p-%m.profraw') },
    extendEnv: false,
    reject: false,
    all: true,
    maxBuffer: 256 * 1024 * 1024,
  });
  const testMs = Math.round(performance.now() - testStarted);
  const testLog = path.join(logDir, 'test.log');
  await writeFile(testLog, run.all ?? '');
  if (run.exitCode !== 0) {
    throw new Error(
      `fixture ${job.name}: cargo test failed (exit ${run.exitCode}); log ${testLog}\n${tail(run.all ?? '')}`,
    );
  }

  const profraws = (await readdir(profrawDir))
    .filter((file) => file.endsWith('.profraw'))
    .sort()
    .map((file) => path.join(profrawDir, file));
  if (profraws.length === 0) {
    throw new Error(`fixture ${job.name}: the tests wrote no .profraw into ${profrawDir}`);
  }

  const manifest: Manifest = {
    recipe: RECIPE_VERSION,
    name: job.name,
    toolchain: job.toolchain,
    rustflags: job.rustflags,
    testBinaries: [...testBinaries].sort(),
    binBinaries: [...binBinaries].sort(),
    profraws,
    buildMs,
    testMs,
  };
  const manifestPath = path.join(cacheDir, 'manifest.json');
  await writeFile(`${manifestPath}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(`${manifestPath}.tmp`, manifestPath);
  return manifest;
}

/** The subset of cargo's `--message-format=json` records that we read. */
interface CargoMessage {
  readonly reason?: string;
  readonly executable?: string | null;
  readonly profile?: { readonly test?: boolean };
  readonly target?: { readonly kind?: readonly string[] };
}

/** Environment for cargo: inherited, minus anything that would change the flags or paths. */
async function cargoEnv(
  toolchain: Toolchain,
  rustflags: readonly string[],
  targetDir: string,
): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined) env[key] = value;
  }
  for (const key of [
    'CARGO_ENCODED_RUSTFLAGS',
    'CARGO_BUILD_RUSTFLAGS',
    'CARGO_BUILD_TARGET',
    'CARGO_BUILD_TARGET_DIR',
    'LLVM_PROFILE_FILE',
    'RUSTDOCFLAGS',
  ]) {
    delete env[key];
  }
  return {
    ...env,
    ...(await toolchainEnv(toolchain)),
    RUSTFLAGS: rustflags.join(' '),
    CARGO_TARGET_DIR: targetDir,
    CARGO_INCREMENTAL: '0',
    CARGO_TERM_COLOR: 'never',
  };
}

async function readManifest(cacheDir: string): Promise<Manifest | undefined> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(path.join(cacheDir, 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
  if (manifest.recipe !== RECIPE_VERSION) return undefined;
  const needed = [...manifest.testBinaries, ...manifest.binBinaries, ...manifest.profraws];
  return needed.length > 0 && needed.every((file) => existsSync(file)) ? manifest : undefined;
}

function toBuiltFixture(cacheDir: string, manifest: Manifest, reused: boolean): BuiltFixture {
  return {
    name: manifest.name,
    toolchain: manifest.toolchain,
    rustflags: manifest.rustflags,
    binaries: [...manifest.testBinaries, ...manifest.binBinaries].sort(),
    testBinaries: manifest.testBinaries,
    binBinaries: manifest.binBinaries,
    profrawDir: path.join(cacheDir, 'profraw'),
    profraws: manifest.profraws,
    workDir: path.join(cacheDir, 'crate'),
    cacheDir,
    targetDir: path.join(cacheDir, 'target'),
    reused,
    buildMs: manifest.buildMs,
    testMs: manifest.testMs,
  };
}

/** Relative paths of a crate's source files (build output excluded), sorted. */
async function listSourceFiles(root: string, relative = ''): Promise<string[]> {
  const files: string[] = [];
  const entries = await readdir(path.join(root, relative), { withFileTypes: true });
  for (const entry of entries) {
    if (IGNORED_NAMES.has(entry.name)) continue;
    const child = path.join(relative, entry.name);
    if (entry.isDirectory()) files.push(...(await listSourceFiles(root, child)));
    else if (entry.isFile()) files.push(child);
  }
  return files.sort();
}

/**
 * Runs `task` while holding a lock directory (mkdir is atomic). A lock whose owner process is gone,
 * or that never got an owner within a minute, is taken over.
 */
async function withLockDir<T>(lockDir: string, task: () => Promise<T>): Promise<T> {
  await mkdir(path.dirname(lockDir), { recursive: true });
  const ownerFile = path.join(lockDir, 'pid');
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number.parseInt(await readFile(ownerFile, 'utf8').catch(() => ''), 10);
    const createdMs = (await stat(lockDir).catch(() => undefined))?.mtimeMs ?? Date.now();
    const abandoned = Number.isInteger(owner)
      ? !isProcessAlive(owner)
      : Date.now() - createdMs > 60_000;
    if (abandoned) {
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for lock ${lockDir}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await writeFile(ownerFile, String(process.pid));
  try {
    return await task();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The last `lines` lines of a log, for error messages. */
function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
