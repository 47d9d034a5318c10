/**
 * Running rustc, cargo and built programs with `node:child_process` directly: execa costs ~100 ms
 * of module loading, paid by every cov command that starts a process (the breakpoint engine's
 * whole fixed cost is a few hundred ms). Only what cov needs: a complete environment, stdio each
 * inherited, ignored or captured (as UTF-8 text, or line by line), and an outcome that never
 * throws, in the shape {@link spawnFailure} reads.
 */
import { spawn, type StdioOptions } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { SpawnOutcome } from './spawn-errors.js';

/** Options of {@link runChild}. */
export interface RunChildOptions {
  /** The child's complete environment (nothing from `process.env` is added). */
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string | undefined;
  /** Default `ignore`. */
  readonly stdin?: 'ignore' | 'inherit';
  /** `pipe` (default) captures it; `stderr` sends it to cov's stderr. */
  readonly stdout?: 'pipe' | 'inherit' | 'stderr';
  /** `pipe` (default) captures it. */
  readonly stderr?: 'pipe' | 'inherit';
  /** With `stdout: 'pipe'`: each line as it arrives (without its end); not kept in the outcome. */
  readonly onStdoutLine?: (line: string) => void;
  /** Remove one final newline from captured output (default true, as execa does). */
  readonly stripFinalNewline?: boolean;
}

/** How the child ended. */
export interface ChildOutcome extends SpawnOutcome {
  /** Exit code; `undefined` when a signal ended it or it never started. */
  readonly exitCode: number | undefined;
  /** Name of the signal that ended it (`SIGSEGV`). */
  readonly signal: string | undefined;
  /** True unless it exited with 0. */
  readonly failed: boolean;
  /** Captured stdout/stderr (`''` when not captured). */
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `program args` to completion. Never rejects: a program that cannot be started comes back
 * with `failed`, no exit code and the spawn error's `code` (`ENOENT`, …), `cause` and message.
 */
export function runChild(
  program: string,
  args: readonly string[],
  options: RunChildOptions,
): Promise<ChildOutcome> {
  const stdoutMode = options.stdout ?? 'pipe';
  const stderrMode = options.stderr ?? 'pipe';
  const stdio: StdioOptions = [
    options.stdin ?? 'ignore',
    stdoutMode === 'stderr' ? 2 : stdoutMode,
    stderrMode,
  ];
  return new Promise((resolve) => {
    let startError: NodeJS.ErrnoException | undefined;
    let stdout = '';
    let stderr = '';
    let child;
    try {
      child = spawn(program, [...args], {
        env: options.env,
        stdio,
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      });
    } catch (error) {
      // invalid arguments (a NUL in an argument, …) throw synchronously
      resolve(startFailure(error as NodeJS.ErrnoException));
      return;
    }
    const collect = (stream: Readable | null, add: (text: string) => void): void => {
      if (stream === null) return;
      stream.setEncoding('utf8');
      stream.on('data', add);
    };
    if (stdoutMode === 'pipe' && child.stdout !== null) {
      if (options.onStdoutLine !== undefined) {
        const onLine = options.onStdoutLine;
        createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', onLine);
      } else {
        collect(child.stdout, (text) => (stdout += text));
      }
    }
    if (stderrMode === 'pipe') collect(child.stderr, (text) => (stderr += text));
    child.once('error', (error: NodeJS.ErrnoException) => {
      startError ??= error;
    });
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      if (startError !== undefined && child.pid === undefined) {
        resolve(startFailure(startError));
        return;
      }
      const strip = options.stripFinalNewline !== false;
      resolve({
        exitCode: code ?? undefined,
        signal: signal ?? undefined,
        failed: code !== 0,
        stdout: strip ? withoutFinalNewline(stdout) : stdout,
        stderr: strip ? withoutFinalNewline(stderr) : stderr,
      });
    });
  });
}

function startFailure(cause: NodeJS.ErrnoException): ChildOutcome {
  return {
    exitCode: undefined,
    signal: undefined,
    failed: true,
    ...(cause.code === undefined ? {} : { code: cause.code }),
    cause,
    originalMessage: cause.message,
    stdout: '',
    stderr: '',
  };
}

function withoutFinalNewline(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2);
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}
