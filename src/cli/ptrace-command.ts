/**
 * The breakpoint (ptrace) engine in the CLI: the `--engine` choice of `cov test`/`cov run` (with
 * the automatic fallback when instrumentation is unavailable), their ptrace path, and `cov trace`.
 */
import { resolve, join } from 'node:path';
import type { Argv } from 'yargs';
import { CovError } from '../binary/index.js';
import {
  checkInstrumentationSupport,
  detectToolchain,
  readCargoMetadata,
  type CargoWorkspace,
  type ToolchainInfo,
} from '../llvm-bridge/index.js';
import {
  ensureHelper,
  ptraceUnsupportedReason,
  traceCargo,
  traceProgram,
  type TraceMode,
  type TraceStatistics,
} from '../ptrace-fallback/index.js';
import type { CoverageSet } from '../model/index.js';
import { cargoArgsOf, type CargoFlags } from './cargo-flags.js';
import { colors, createProgress, printDiagnostics, printError } from './console.js';
import type { ReportFiles } from '../report/index.js';
import { writeReports, type ExtraOutputs, type ReportFlags } from './report-options.js';

/** Exit codes (ARCHITECTURE.md); the same values as run-cli.ts. */
const EXIT_OK = 0;
const EXIT_TESTS_FAILED = 2;
const EXIT_GATE_FAILED = 3;

/** `--engine` values. */
export type EngineChoice = 'auto' | 'instrumented' | 'ptrace';

/** Flags of the breakpoint engine. */
export interface PtraceFlags {
  count?: boolean;
  'count-limit'?: number;
  timeout?: number;
}

/** Flags of `cov test`/`cov run` that choose the engine. */
export interface EngineFlags extends PtraceFlags {
  engine?: EngineChoice;
}

interface CommonFlags {
  verbose?: boolean;
  quiet?: boolean;
}

/** Adds `--count` and `--timeout` (breakpoint engine options). */
export function withPtraceFlags<T>(yargs: Argv<T>): Argv<T & PtraceFlags> {
  return yargs
    .option('count', {
      type: 'boolean',
      describe:
        'Breakpoint engine: count hits (re-arm after each; slower, approximate with threads) instead of one-shot',
      group: 'Breakpoint engine:',
    })
    .option('count-limit', {
      type: 'number',
      describe: `With --count: stop counting a line's address after N hits, so hot loops do not make the run crawl (0 = no limit; default ${DEFAULT_COUNT_LIMIT})`,
      group: 'Breakpoint engine:',
    })
    .option('timeout', {
      type: 'number',
      describe:
        'Breakpoint engine: kill a traced program (and its process group) after SECS seconds; the report is still written',
      group: 'Breakpoint engine:',
    }) as Argv<T & PtraceFlags>;
}

/** Adds `--engine` plus {@link withPtraceFlags}. */
export function withEngineFlags<T>(yargs: Argv<T>): Argv<T & EngineFlags> {
  return withPtraceFlags(yargs).option('engine', {
    type: 'string',
    choices: ['auto', 'instrumented', 'ptrace'],
    default: 'auto',
    describe:
      'instrumented (-C instrument-coverage), ptrace (breakpoints; line coverage only, Linux), or auto: instrumented, else ptrace',
    group: 'Breakpoint engine:',
  }) as Argv<T & EngineFlags>;
}

/** The engine to use and what decided it. */
export type EngineSelection =
  | { readonly engine: 'instrumented'; readonly toolchain: ToolchainInfo }
  | { readonly engine: 'ptrace'; readonly toolchain: ToolchainInfo | undefined };

/**
 * Chooses the engine. `auto` uses instrumentation when {@link checkInstrumentationSupport} says it
 * works, else the breakpoint engine, printing why; `instrumented` fails when it does not work.
 * @throws CovError `E_TOOLCHAIN` when the requested engine (or, for `auto`, neither) can run here.
 */
export async function selectEngine(choice: EngineChoice | undefined): Promise<EngineSelection> {
  const requested = choice ?? 'auto';
  if (requested === 'ptrace') {
    const unsupported = ptraceUnsupportedReason();
    if (unsupported !== undefined) throw new CovError('E_TOOLCHAIN', unsupported);
    let toolchain: ToolchainInfo | undefined;
    try {
      toolchain = await detectToolchain({ cwd: process.cwd() });
    } catch {
      toolchain = undefined; // cargo reports a missing toolchain when it builds
    }
    return { engine: 'ptrace', toolchain };
  }
  const toolchain = await detectToolchain({ cwd: process.cwd() });
  const support = checkInstrumentationSupport(toolchain);
  if (support.ok) return { engine: 'instrumented', toolchain };
  if (requested === 'instrumented') {
    throw new CovError('E_TOOLCHAIN', `instrumentation is unavailable: ${support.reason}`);
  }
  const unsupported = ptraceUnsupportedReason();
  if (unsupported !== undefined) {
    throw new CovError(
      'E_TOOLCHAIN',
      `instrumentation is unavailable (${support.reason}), and ${unsupported}`,
    );
  }
  process.stderr.write(
    `${colors.yellow('note')}: instrumentation is unavailable: ${support.reason}\n` +
      `${colors.yellow('note')}: using the breakpoint (ptrace) engine instead (line coverage only; --engine instrumented makes this an error)\n`,
  );
  return { engine: 'ptrace', toolchain };
}

function modeOf(flags: PtraceFlags): TraceMode {
  return flags.count === true ? 'count' : 'oneshot';
}

/** Default `--count-limit`: enough to tell hot lines from cold ones, bounded in cost. */
export const DEFAULT_COUNT_LIMIT = 10_000;

function countLimitOf(flags: PtraceFlags): number | undefined {
  const limit = flags['count-limit'];
  if (flags.count !== true) {
    if (limit !== undefined) throw new CovError('E_USAGE', '--count-limit needs --count');
    return undefined;
  }
  if (limit === undefined) return DEFAULT_COUNT_LIMIT;
  if (!Number.isInteger(limit) || limit < 0) {
    throw new CovError('E_USAGE', `--count-limit takes a whole number ≥ 0, not ${limit}`);
  }
  return limit;
}

function timeoutMsOf(flags: PtraceFlags): number {
  const seconds = flags.timeout;
  if (seconds === undefined) return 0;
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new CovError('E_USAGE', `--timeout takes a positive number of seconds, not ${seconds}`);
  }
  return Math.ceil(seconds * 1000);
}

function reportGoesToStdout(flags: ReportFlags): boolean {
  return (
    flags.lcov === '' ||
    flags.json === '' ||
    flags.text === '' ||
    (flags.lcov ?? flags.json ?? flags.text) === undefined
  );
}

function statisticsLine(s: TraceStatistics, breakpoints: number): string {
  let approximate = s.approximate
    ? '\nnote: counts are approximate (lower bounds): other threads ran while a breakpoint was being stepped over'
    : '';
  if (s.saturated > 0) {
    approximate += `\nnote: ${s.saturated} addresses reached --count-limit; their counts stop there (lower bounds)`;
  }
  return (
    `breakpoint engine: ${breakpoints} breakpoints planned, ${s.armed} armed, ${s.hits} hit ` +
    `(${s.traps} traps); ${s.processes} processes, ${s.threads} threads, ${s.signals} signals passed on; ` +
    `${s.elapsedMs} ms traced${approximate}`
  );
}

/**
 * What `cov test`/`cov run` add around the breakpoint engine's reports: gate outputs and verdict,
 * and the coverage database.
 */
export interface PtraceHooks {
  readonly outputs?: (set: CoverageSet, report: ReportFiles) => ExtraOutputs;
  /** Called after the reports are written; false when a gate failed. */
  readonly finish?: (set: CoverageSet, exitStatus: number) => boolean;
}

async function writePtraceReports(
  set: CoverageSet,
  flags: ReportFlags & CommonFlags,
  context: {
    hooks?: PtraceHooks;
    version: string;
    mode: TraceMode;
    statistics: TraceStatistics;
    breakpoints: number;
    targetDir?: string;
    workspaceRoot?: string;
    toolchain?: string;
  },
): Promise<void> {
  printDiagnostics(set.warnings, flags.verbose === true);
  const outputs = context.hooks?.outputs;
  await writeReports(
    set,
    flags,
    {
      ...(context.targetDir === undefined ? {} : { targetDir: context.targetDir }),
      ...(context.workspaceRoot === undefined ? {} : { workspaceRoot: context.workspaceRoot }),
      covMetadata: {
        version: context.version,
        engine: 'ptrace',
        metrics: ['lines', 'functions'],
        mode: context.mode,
        approximate: context.statistics.approximate || context.statistics.saturated > 0,
        objects: set.metadata.objects,
        ...(context.toolchain === undefined ? {} : { toolchain: context.toolchain }),
        ptrace: { breakpoints: context.breakpoints, ...context.statistics },
      },
    },
    outputs === undefined ? undefined : (report) => outputs(set, report),
  );
}

/**
 * `cov test --engine ptrace` and `cov run --engine ptrace`.
 * @returns the exit code: 0, or 2 when tests failed or a program was killed (timeout, Ctrl-C).
 */
export async function commandCargoPtrace(
  argv: ReportFlags & CargoFlags & CommonFlags & PtraceFlags & { '--'?: (string | number)[] },
  command: 'test' | 'run',
  selection: {
    toolchain: ToolchainInfo | undefined;
    version: string;
    /** The workspace when the caller has read it already (else `cargo metadata` runs here). */
    workspace?: CargoWorkspace;
  },
  hooks: PtraceHooks = {},
): Promise<number> {
  const progress = createProgress(argv.quiet === true);
  const mode = modeOf(argv);
  const countLimit = countLimitOf(argv);
  const timeoutMs = timeoutMsOf(argv);
  const metadata =
    selection.workspace ??
    (await readCargoMetadata({
      env: process.env,
      cwd: process.cwd(),
      manifestPath: argv['manifest-path'],
    }));
  const targetDir = resolve(argv['target-dir'] ?? join(metadata.targetDir, 'cov'));
  const helper = await ensureHelper({ onProgress: progress });
  const toolchain =
    selection.toolchain === undefined ? undefined : `rustc ${selection.toolchain.rustcVersion}`;
  const result = await traceCargo({
    command,
    helper,
    covTargetDir: targetDir,
    baseEnv: process.env,
    cwd: process.cwd(),
    manifestPath: argv['manifest-path'],
    cargoArgs: cargoArgsOf(argv),
    programArgs: (argv['--'] ?? []).map(String),
    mode,
    ...(countLimit === undefined ? {} : { countLimit }),
    timeoutMs,
    stdoutToStderr: reportGoesToStdout(argv),
    onProgress: progress,
    workspace: metadata,
    ...(toolchain === undefined ? {} : { toolchain }),
  });
  if (argv.quiet !== true) {
    process.stderr.write(`${statisticsLine(result.statistics, result.breakpoints)}\n`);
  }
  await writePtraceReports(result.set, argv, {
    hooks,
    version: selection.version,
    mode,
    statistics: result.statistics,
    breakpoints: result.breakpoints,
    targetDir,
    workspaceRoot: metadata.workspaceRoot,
    ...(toolchain === undefined ? {} : { toolchain }),
  });
  const killed = result.outcomes.filter((o) => o.reason !== 'exit');
  const failedRun = killed.length > 0 || !result.passed;
  const gatesPassed = hooks.finish?.(result.set, failedRun ? EXIT_TESTS_FAILED : EXIT_OK) ?? true;
  if (killed.some((o) => o.reason === 'interrupt')) {
    printError('interrupted (the report covers what ran)');
    return EXIT_TESTS_FAILED;
  }
  if (killed.length > 0) {
    printError(
      `${killed.length} program(s) timed out after ${argv.timeout} s and were killed (the report covers what ran)`,
    );
    return EXIT_TESTS_FAILED;
  }
  if (!result.passed) {
    printError(
      command === 'test'
        ? 'tests failed (the report was still written)'
        : 'the program failed (the report was still written)',
    );
    return EXIT_TESTS_FAILED;
  }
  return gatesPassed ? EXIT_OK : EXIT_GATE_FAILED;
}

/**
 * `cov trace [report flags] -- BIN [ARGS…]`: any executable with line tables.
 * @returns 0, or 2 when the program failed, was killed by a signal, timed out or was interrupted.
 */
export async function commandTrace(
  argv: ReportFlags & CommonFlags & PtraceFlags & { '--'?: (string | number)[] },
  version: string,
): Promise<number> {
  const [program, ...args] = (argv['--'] ?? []).map(String);
  if (program === undefined) {
    throw new CovError('E_USAGE', 'give the program to trace after `--`: cov trace -- BIN [ARGS…]');
  }
  const progress = createProgress(argv.quiet === true);
  const mode = modeOf(argv);
  const countLimit = countLimitOf(argv);
  const timeoutMs = timeoutMsOf(argv);
  const helper = await ensureHelper({ onProgress: progress });
  const result = await traceProgram({
    helper,
    program: resolve(program),
    args,
    env: process.env,
    cwd: process.cwd(),
    mode,
    ...(countLimit === undefined ? {} : { countLimit }),
    timeoutMs,
    stdoutToStderr: reportGoesToStdout(argv),
    onProgress: progress,
  });
  if (argv.quiet !== true) {
    process.stderr.write(`${statisticsLine(result.run.statistics, result.breakpoints)}\n`);
  }
  await writePtraceReports(result.set, argv, {
    version,
    mode,
    statistics: result.run.statistics,
    breakpoints: result.breakpoints,
  });
  const run = result.run;
  if (run.reason === 'interrupt') {
    printError('interrupted (the report covers what ran)');
    return EXIT_TESTS_FAILED;
  }
  if (run.reason === 'timeout') {
    printError(`timed out after ${argv.timeout} s; killed (the report covers what ran)`);
    return EXIT_TESTS_FAILED;
  }
  if (!run.passed) {
    printError(
      `the program ${run.signal === undefined ? `exited with code ${run.exitCode}` : `was killed by ${run.signal}`} (the report was still written)`,
    );
    return EXIT_TESTS_FAILED;
  }
  return EXIT_OK;
}
