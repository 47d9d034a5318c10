/**
 * `cov trace -- BIN ARGS…`: run any executable with line tables under the breakpoint engine.
 */
import type { CoverageSet } from '../model/index.js';
import type { TraceMode } from './helper-protocol.js';
import { buildLineCoverage } from './line-coverage.js';
import { jobImagesOf, planImages } from './plan-cache.js';
import { runUnderHelper, type TraceRunResult } from './run-helper.js';

/** Options of {@link traceProgram}. */
export interface TraceProgramOptions {
  readonly helper: string;
  /** The executable (must have `.debug_line`). */
  readonly program: string;
  readonly args: readonly string[];
  /** Complete environment of the program. */
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly mode: TraceMode;
  /** Count mode: traps per address after which its count stops (0 or undefined = none). */
  readonly countLimit?: number;
  readonly timeoutMs: number;
  /** Further executables to arm when the program runs them. */
  readonly alsoArm?: readonly string[];
  readonly stdoutToStderr?: boolean;
  readonly onProgress?: (message: string) => void;
}

/** What {@link traceProgram} produced. */
export interface TraceProgramResult {
  readonly set: CoverageSet;
  readonly run: TraceRunResult;
  readonly breakpoints: number;
}

/**
 * Plans the program (and `alsoArm`), runs it under the helper (stdin, stdout and stderr are the
 * program's own), and builds the line coverage.
 * @throws CovError as `planImage` (no line tables, not ELF) and `runUnderHelper` (cannot trace).
 */
export async function traceProgram(options: TraceProgramOptions): Promise<TraceProgramResult> {
  const { plans, warnings } = planImages([options.program, ...(options.alsoArm ?? [])]);
  const breakpoints = plans.reduce((n, plan) => n + plan.sites.length, 0);
  options.onProgress?.(`tracing ${options.program} (${options.mode}, ${breakpoints} breakpoints)`);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.env)) if (value !== undefined) env[key] = value;
  const run = await runUnderHelper({
    helper: options.helper,
    job: {
      path: plans[0]!.path,
      argv: [options.program, ...options.args],
      env,
      cwd: options.cwd,
      mode: options.mode,
      ...(options.countLimit === undefined ? {} : { countLimit: options.countLimit }),
      timeoutMs: options.timeoutMs,
      images: jobImagesOf(plans, options.mode),
    },
    stdout: options.stdoutToStderr === true ? 'stderr' : 'inherit',
  });
  const set = buildLineCoverage(
    plans.map((plan, i) => ({ plan, counts: run.counts[i]! })),
    { mode: options.mode, warnings: [...warnings, ...run.warnings] },
  );
  return { set, run, breakpoints };
}
