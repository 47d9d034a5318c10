/** Failures to start a child process (program missing, bad working directory) as CovErrors. */
import { existsSync } from 'node:fs';
import { CovError, type CovErrorCode } from '../binary/index.js';

/** The subset of an execa result (with `reject: false`) that tells why a process did not start. */
export interface SpawnOutcome {
  readonly failed: boolean;
  readonly exitCode?: number | undefined;
  readonly signal?: string | undefined;
  readonly code?: string | undefined;
  readonly cause?: unknown;
  readonly originalMessage?: string | undefined;
}

/**
 * When `outcome` is a failure to *start* `program` (not a non-zero exit), returns the CovError to
 * throw: `code` (e.g. `E_TOOLCHAIN` for rustc/cargo) when the program is not found, `E_IO` when
 * `cwd` does not exist, `E_PROCESS` otherwise. Returns `undefined` when the process did run.
 *
 * @param hint appended to the not-found message, e.g. how to install Rust.
 */
export function spawnFailure(
  outcome: SpawnOutcome,
  program: string,
  options: { cwd?: string | undefined; notFoundCode: CovErrorCode; hint?: string },
): CovError | undefined {
  if (!outcome.failed || outcome.exitCode !== undefined || outcome.signal !== undefined) {
    return undefined;
  }
  const cause = outcome.cause ?? outcome.originalMessage;
  if (outcome.code === 'ENOENT' || outcome.code === 'EACCES') {
    // Node reports a missing working directory as ENOENT of the program; tell them apart.
    if (options.cwd !== undefined && !existsSync(options.cwd)) {
      return new CovError('E_IO', 'working directory does not exist', {
        source: options.cwd,
        cause,
      });
    }
    const what = outcome.code === 'ENOENT' ? 'not found' : 'not executable (permission denied)';
    const hint = options.hint === undefined ? '' : `; ${options.hint}`;
    return new CovError(options.notFoundCode, `\`${program}\` ${what}${hint}`, { cause });
  }
  const reason = outcome.originalMessage ?? outcome.code ?? 'unknown error';
  return new CovError('E_PROCESS', `could not start \`${program}\`: ${reason}`, { cause });
}
