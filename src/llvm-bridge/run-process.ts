/**
 * Running a program to completion (tests, the traced or instrumented program) and reporting how it
 * ended; a non-zero exit is a result, not an exception.
 */
import { loadExeca } from './load-execa.js';
import type { CovErrorCode } from '../binary/index.js';
import { spawnFailure } from './spawn-errors.js';

/** Where the child's output goes. */
export interface RunStdioOptions {
  /**
   * `inherit` (default): the child shares cov's terminal; `pipe`: output is captured and returned
   * in {@link RunResult.stdout} / {@link RunResult.stderr} (stdin is then closed).
   */
  readonly stdio?: 'inherit' | 'pipe';
  /**
   * With `stdio: 'inherit'`, send the child's stdout to cov's stderr, keeping cov's stdout free
   * for a report written there (as cargo-llvm-cov does).
   */
  readonly stdoutToStderr?: boolean;
}

/** How a finished process ended. */
export interface RunResult {
  /** Exit code; `undefined` when a signal ended the process. */
  readonly exitCode: number | undefined;
  /** Name of the signal that ended the process (`SIGSEGV`, …), else `undefined`. */
  readonly signal: string | undefined;
  /** True exactly when `exitCode === 0`. */
  readonly passed: boolean;
  /** Captured output with `stdio: 'pipe'`; `undefined` with `inherit`. */
  readonly stdout: string | undefined;
  readonly stderr: string | undefined;
}

/** Options of {@link runProcess}. */
export interface RunProcessOptions extends RunStdioOptions {
  /** Complete environment of the child (nothing from `process.env` is added). */
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string | undefined;
  /** Error code when the program cannot be found (`E_TOOLCHAIN` for cargo, `E_IO` for a path). */
  readonly notFoundCode: CovErrorCode;
  /** Appended to the not-found message. */
  readonly notFoundHint?: string;
}

/**
 * Runs `program args` to completion.
 *
 * @returns the exit code or signal; a failing program is a normal result.
 * @throws CovError `notFoundCode` when `program` cannot be found, `E_IO` when `cwd` does not exist,
 *   `E_PROCESS` when it cannot be started for another reason.
 */
export async function runProcess(
  program: string,
  args: readonly string[],
  options: RunProcessOptions,
): Promise<RunResult> {
  const pipe = options.stdio === 'pipe';
  const execa = await loadExeca();
  const result = await execa(program, args, {
    env: options.env,
    extendEnv: false,
    reject: false,
    stdin: pipe ? 'ignore' : 'inherit',
    stdout: pipe ? 'pipe' : options.stdoutToStderr === true ? 2 : 'inherit',
    stderr: pipe ? 'pipe' : 'inherit',
    stripFinalNewline: false,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  const notStarted = spawnFailure(result, program, {
    cwd: options.cwd,
    notFoundCode: options.notFoundCode,
    ...(options.notFoundHint === undefined ? {} : { hint: options.notFoundHint }),
  });
  if (notStarted !== undefined) throw notStarted;
  return {
    exitCode: result.exitCode,
    signal: result.signal,
    passed: result.exitCode === 0,
    stdout: pipe && typeof result.stdout === 'string' ? result.stdout : undefined,
    stderr: pipe && typeof result.stderr === 'string' ? result.stderr : undefined,
  };
}

/** Options of {@link runProgram}. */
export interface RunProgramOptions extends RunStdioOptions {
  readonly cwd?: string;
}

/**
 * Runs a built program (`cov run`: the instrumented binary) with `env` as its complete
 * environment — typically {@link instrumentationEnv}'s result, so `LLVM_PROFILE_FILE` applies.
 *
 * @returns how it ended; a non-zero exit code is returned, not thrown.
 * @throws CovError `E_IO` when `path` does not exist or is not executable, or `cwd` is missing.
 */
export async function runProgram(
  path: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  options: RunProgramOptions = {},
): Promise<RunResult> {
  return runProcess(path, args, { ...options, env, notFoundCode: 'E_IO' });
}
