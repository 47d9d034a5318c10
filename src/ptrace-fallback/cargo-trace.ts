/**
 * `cov test --engine ptrace` / `cov run --engine ptrace`: build with line tables, then let cargo
 * run the test binaries (or the program) with the helper as its runner, and turn the hits into a
 * line-coverage {@link CoverageSet}.
 */
import { join } from 'node:path';
import {
  buildBin,
  buildTests,
  cargoProgram,
  runProgram,
  runTests,
  type BuildResult,
  type CargoWorkspace,
  type RunResult,
} from '../llvm-bridge/index.js';
import { CovError } from '../binary/index.js';
import type { CoverageSet } from '../model/index.js';
import {
  PTRACE_RUSTFLAGS,
  encodeRunnerJob,
  ptraceBuildEnv,
  ptraceTargetDir,
  prepareRunnerSession,
  readRunnerEvents,
  sameRunBuildEnv,
  sameRunTargetDir,
  type SameRunInstrumentation,
} from './cargo-runner.js';
import { addStatistics, type TraceRunOutcome } from './event-collector.js';
import type { TraceMode, TraceStatistics } from './helper-protocol.js';
import { coverageFromIndex, indexLineCoverage, type LineCoverageIndex } from './line-coverage.js';
import { jobImagesOf, planImages, uniqueImagePaths } from './plan-cache.js';
import {
  decodeLineIndex,
  encodeLineIndex,
  jobKey,
  loadStoredJob,
  planKey,
  storeJob,
} from './plan-store.js';

/** Options of {@link traceCargo}. */
export interface CargoTraceOptions {
  /** `test`: `cargo test` (every test binary); `run`: `cargo run` (one program). */
  readonly command: 'test' | 'run';
  /** Path of the helper (see `ensureHelper`). */
  readonly helper: string;
  /** cov's own target directory (`<target>/cov`); the build goes to its `ptrace/` subdir. */
  readonly covTargetDir: string;
  /** The environment to start from (usually `process.env`). */
  readonly baseEnv: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly manifestPath?: string | undefined;
  /** Cargo arguments (`-p x`, `--features y`, …). */
  readonly cargoArgs?: readonly string[];
  /** Arguments after `--` (test harness arguments, or the program's). */
  readonly programArgs?: readonly string[];
  readonly mode: TraceMode;
  /** Count mode: traps per address after which its count stops (0 or undefined = none). */
  readonly countLimit?: number;
  /** Per traced program; 0 = none. */
  readonly timeoutMs: number;
  /** Send the programs' stdout to stderr (when a report goes to stdout). */
  readonly stdoutToStderr?: boolean;
  readonly onProgress?: (message: string) => void;
  readonly toolchain?: string;
  /**
   * The workspace as `cargo metadata` showed it to the caller (with the base environment): saves
   * the build its own `cargo metadata` run.
   */
  readonly workspace?: CargoWorkspace;
  /**
   * Build instrumented as well (`cov compare --same-run`): the traced processes then also write
   * profiles, so one execution feeds both engines. The build goes to `<covTargetDir>/same-run`
   * ({@link sameRunBuildEnv}) instead of `<covTargetDir>/ptrace`.
   */
  readonly instrumentation?: SameRunInstrumentation;
}

/** What {@link traceCargo} produced. */
export interface CargoTraceResult {
  readonly set: CoverageSet;
  /** Cargo's own verdict: every test binary (or the program) passed. */
  readonly passed: boolean;
  readonly cargo: RunResult;
  /** One per traced program, in no particular order. */
  readonly outcomes: readonly TraceRunOutcome[];
  readonly statistics: TraceStatistics;
  /** The executables that were planned (test binaries or the program, then other bins). */
  readonly binaries: readonly string[];
  /** Sites planned over all binaries. */
  readonly breakpoints: number;
  /** Where the plans and the job of this build are stored. */
  readonly planStoreDir: string;
}

/**
 * Builds, runs and collects. The build uses {@link ptraceBuildEnv}; every executable of the build
 * (test binaries and the workspace's bins, which tests may spawn, each group sorted by path) is
 * armed when a traced process runs it. Plans are kept in `<covTargetDir>/ptrace/plans`, and for
 * the whole set of executables the runner job and the line index (`plan-store.ts`): a re-run of
 * unchanged binaries reads neither DWARF nor plans.
 *
 * @throws CovError `E_PROCESS` when the build fails or the helper cannot trace (its reason and
 *   advice in the message), `E_TOOLCHAIN` when cargo is missing, `E_USAGE` when a built binary has
 *   no line tables.
 */
export async function traceCargo(options: CargoTraceOptions): Promise<CargoTraceResult> {
  const instrumentation = options.instrumentation;
  const env =
    instrumentation === undefined
      ? ptraceBuildEnv(options.covTargetDir, options.baseEnv)
      : sameRunBuildEnv(options.covTargetDir, options.baseEnv, instrumentation);
  const buildDir =
    instrumentation === undefined
      ? ptraceTargetDir(options.covTargetDir)
      : sameRunTargetDir(options.covTargetDir);
  const location = {
    env,
    cwd: options.cwd,
    manifestPath: options.manifestPath,
    cargoArgs: options.cargoArgs ?? [],
  };
  options.onProgress?.(
    instrumentation === undefined
      ? `building with debug info for the breakpoint engine (${PTRACE_RUSTFLAGS.join(' ')}), no instrumentation`
      : `building with debug info for the breakpoint engine (${PTRACE_RUSTFLAGS.join(' ')}) and -C instrument-coverage`,
  );
  const buildOptions = {
    ...location,
    stderr: 'inherit' as const,
    ...progressOf(options),
    ...(options.workspace === undefined
      ? {}
      : {
          workspace: {
            ...options.workspace,
            targetDir: buildDir,
          },
        }),
  };
  const build: BuildResult =
    options.command === 'test' ? await buildTests(buildOptions) : await buildBin(buildOptions);
  const bins = build.artifacts
    .filter((a) => a.executable !== undefined && a.targetKinds.includes('bin') && !a.test)
    .map((a) => a.executable!);
  // cargo lists fresh artifacts in no fixed order: sorted, the job (and its stored key) and the
  // report's object order are the same from run to run
  const binaries = uniqueImagePaths([...sortedPaths(build.binaries), ...sortedPaths(bins)]);
  const storeDir = join(buildDir, 'plans');
  const sessionDir = join(options.covTargetDir, 'ptrace-session');
  // A job stored for exactly these binaries (unchanged since) and settings, with the line index
  // its hits are read with, lets the tests start at once and spares reading the plans at all.
  const planKeys = binaries.map(planKey);
  const storedJobKey = planKeys.every((key) => key !== undefined)
    ? jobKey(planKeys, {
        mode: options.mode,
        countLimit: options.countLimit ?? 0,
        timeoutMs: options.timeoutMs,
        sessionDir,
      })
    : undefined;
  const stored = storedJobKey === undefined ? undefined : loadStoredJob(storeDir, storedJobKey);
  let index: LineCoverageIndex | undefined;
  try {
    index = stored === undefined ? undefined : decodeLineIndex(stored.index);
  } catch {
    index = undefined; // a damaged entry: plan again
  }
  let job = index === undefined ? undefined : stored;
  if (job === undefined || index === undefined) {
    options.onProgress?.(`reading the line tables of ${binaries.length} executables`);
    const { plans } = planImages(binaries, { storeDir });
    index = indexLineCoverage(plans);
    job = {
      job: encodeRunnerJob(sessionDir, {
        mode: options.mode,
        ...(options.countLimit === undefined ? {} : { countLimit: options.countLimit }),
        timeoutMs: options.timeoutMs,
        images: jobImagesOf(plans, options.mode),
      }),
      index: encodeLineIndex(index),
      breakpoints: plans.reduce((n, plan) => n + plan.sites.length, 0),
      images: plans.length,
    };
    if (storedJobKey !== undefined) storeJob(storeDir, storedJobKey, job);
  }
  const session = prepareRunnerSession(sessionDir, options.helper, job.job);
  options.onProgress?.(
    `running under the breakpoint engine (${options.mode}, ${job.breakpoints} breakpoints in ${job.images} executables)`,
  );
  const cargoArgs = [...location.cargoArgs, '--config', session.cargoConfig];
  const cargo = await ignoringInterrupts(() =>
    options.command === 'test'
      ? runTests({
          ...location,
          cargoArgs,
          testArgs: options.programArgs ?? [],
          stdoutToStderr: options.stdoutToStderr === true,
        })
      : runProgram(
          cargoProgram(env),
          [
            'run',
            ...(options.manifestPath === undefined
              ? []
              : ['--manifest-path', options.manifestPath]),
            ...cargoArgs,
            ...((options.programArgs ?? []).length > 0 ? ['--', ...options.programArgs!] : []),
          ],
          env,
          { cwd: options.cwd, stdoutToStderr: options.stdoutToStderr === true },
        ),
  );
  const collector = readRunnerEvents(
    session.eventsDir,
    index.images.map((image) => image.siteSlot.length),
  );
  const failure = collector.failureError();
  if (failure !== undefined) throw failure;
  if (collector.outcomes.length === 0 && job.images > 0) {
    // cargo ran the tests, but never through cov's runner: another runner took precedence
    throw new CovError(
      'E_USAGE',
      'cargo ran the tests without cov’s breakpoint runner, so nothing was traced: a runner configured for the target (target.<triple>.runner in .cargo/config.toml, or CARGO_TARGET_<TRIPLE>_RUNNER) takes precedence over cov’s; remove it for this run, or use --engine instrumented',
    );
  }
  const set = coverageFromIndex(index, collector.counts, {
    mode: options.mode,
    warnings: collector.warnings,
    ...(options.toolchain === undefined ? {} : { toolchain: options.toolchain }),
  });
  return {
    set,
    passed: cargo.passed,
    cargo,
    outcomes: collector.outcomes,
    statistics: addStatistics(collector.outcomes.map((o) => o.statistics)),
    binaries: [...index.objects],
    breakpoints: job.breakpoints,
    planStoreDir: storeDir,
  };
}

function sortedPaths(paths: readonly string[]): string[] {
  return [...paths].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function progressOf(options: CargoTraceOptions): { onProgress?: (message: string) => void } {
  return options.onProgress === undefined ? {} : { onProgress: options.onProgress };
}

/**
 * Runs `work` with SIGINT/SIGTERM ignored by cov itself: Ctrl-C reaches cargo and the runners
 * (same process group), the runners kill their programs and write what they gathered, and cov
 * then reports it.
 */
async function ignoringInterrupts<T>(work: () => Promise<T>): Promise<T> {
  const ignore = (): void => {};
  process.on('SIGINT', ignore);
  process.on('SIGTERM', ignore);
  try {
    return await work();
  } finally {
    process.off('SIGINT', ignore);
    process.off('SIGTERM', ignore);
  }
}
