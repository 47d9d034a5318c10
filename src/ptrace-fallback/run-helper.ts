/**
 * Runs one program under the native helper and collects what it reports: hit flags (one-shot) or
 * counts (count mode) per image address, process events, warnings and the final statistics.
 * Ctrl-C (SIGINT) and SIGTERM are forwarded to the helper, which kills the traced process group
 * and still reports what was gathered.
 */
import { spawn } from 'node:child_process';
import { fstatSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { decodeMultiStream } from '@msgpack/msgpack';
import { CovError, type Diagnostic } from '../binary/index.js';
import { EventCollector, type TraceRunOutcome } from './event-collector.js';
import { encodeJob, type HelperEvent, type TraceJob } from './helper-protocol.js';

/** Options of {@link runUnderHelper}. */
export interface RunUnderHelperOptions {
  /** Path of the helper executable (see `ensureHelper`). */
  readonly helper: string;
  /** The job; `stdinFd` is set here. */
  readonly job: Omit<TraceJob, 'stdinFd'>;
  /** Where the program's stdout goes: cov's stdout (default) or cov's stderr. */
  readonly stdout?: 'inherit' | 'stderr';
  /** Give the program cov's stdin (default) or /dev/null. */
  readonly stdin?: 'inherit' | 'null';
  /** Sees every event as it arrives (progress, tests). */
  readonly onEvent?: (event: HelperEvent) => void;
}

/** What one traced run produced. */
export interface TraceRunResult extends TraceRunOutcome {
  /** Per job image, per address index: 1n/0n in one-shot mode, hit counts in count mode. */
  readonly counts: BigUint64Array[];
  /** Helper warnings (code `W_PTRACE`), in order. */
  readonly warnings: Diagnostic[];
  /** Programs that traced processes exec'd and the helper detached (not workspace binaries). */
  readonly detachedExecs: string[];
}

function stdinIsOpen(): boolean {
  try {
    fstatSync(0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Spawns the helper with stdio `[job pipe, stdout, stderr, event pipe, (cov's stdin)]`, writes the
 * job, decodes events until the helper exits.
 *
 * @returns the run's result; a failing or killed program is a normal result.
 * @throws CovError `E_PROCESS` when the helper reports that the program could not be started or
 *   traced (the message carries the helper's reason and advice, e.g. about `ptrace_scope` or a
 *   container's seccomp profile), or when the helper itself crashes or reports nothing.
 */
export async function runUnderHelper(options: RunUnderHelperOptions): Promise<TraceRunResult> {
  const passStdin = options.stdin !== 'null' && stdinIsOpen();
  const job: TraceJob = { ...options.job, ...(passStdin ? { stdinFd: 4 } : {}) };
  const stdio: (number | 'pipe' | 'inherit' | 'ignore')[] = [
    'pipe',
    options.stdout === 'stderr' ? 2 : 'inherit',
    'inherit',
    'pipe',
  ];
  if (passStdin) stdio.push(0);
  const child = spawn(options.helper, [], { stdio, env: {} });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  const onSigint = (): void => forward('SIGINT');
  const onSigterm = (): void => forward('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  try {
    child.stdin!.on('error', () => {}); // a helper that died early is reported below
    child.stdin!.end(encodeJob(job));
    const collector = new EventCollector(options.job.images.map((i) => i.addresses.length));
    const events = child.stdio[3] as Readable;
    const decoding = (async () => {
      for await (const raw of decodeMultiStream(events)) {
        const event = raw as HelperEvent;
        options.onEvent?.(event);
        collector.add(event);
      }
    })();
    const outcome = await Promise.race([
      Promise.all([decoding, exited]).then(([, status]) => status),
      spawnError.then((error) => {
        throw new CovError(
          'E_PROCESS',
          `cannot start the ptrace helper ${options.helper}: ${error.message}`,
          { cause: error },
        );
      }),
    ]);
    const failure = collector.failureError();
    if (failure !== undefined) throw failure;
    const done = collector.outcomes[0];
    if (done === undefined) {
      const how =
        outcome.signal !== null ? `was killed by ${outcome.signal}` : `exited with ${outcome.code}`;
      throw new CovError(
        'E_PROCESS',
        `the ptrace helper ${how} without reporting a result (a bug in cov's helper; please report it)`,
      );
    }
    return {
      ...done,
      counts: collector.counts,
      warnings: collector.warnings,
      detachedExecs: collector.detachedExecs,
    };
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
}
