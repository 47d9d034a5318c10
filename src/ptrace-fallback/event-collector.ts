/**
 * Folds the helper's events (see `helper-protocol.ts`) into hit counts per image and one result
 * per traced run; used for the live event pipe and for the event files of runner mode.
 */
import { CovError, type Diagnostic } from '../binary/index.js';
import { constants as osConstants } from 'node:os';
import {
  readU32Array,
  readU64Array,
  type HelperEvent,
  type TraceStatistics,
} from './helper-protocol.js';

/** How one traced program ended. */
export interface TraceRunOutcome {
  /** The program exited, or the timeout or an interrupt killed it. */
  readonly reason: 'exit' | 'timeout' | 'interrupt';
  /** Exit code; `undefined` when a signal ended the program. */
  readonly exitCode: number | undefined;
  /** Name of the signal that ended the program (`SIGKILL` after a timeout), else `undefined`. */
  readonly signal: string | undefined;
  /** True exactly when the program exited with code 0 (and was not killed). */
  readonly passed: boolean;
  readonly statistics: TraceStatistics;
}

const SIGNAL_NAMES = new Map<number, string>(
  Object.entries(osConstants.signals).map(([name, number]) => [number, name]),
);

/** Name of signal number `n` (`SIGKILL`), or `signal n` when unknown. */
export function signalName(n: number): string {
  return SIGNAL_NAMES.get(n) ?? `signal ${n}`;
}

/** Accumulates events; one collector may see several runs (one per `done`). */
export class EventCollector {
  /** Per image, per address index: 1n/0n (one-shot, OR over runs) or counts (summed over runs). */
  readonly counts: BigUint64Array[];
  readonly warnings: Diagnostic[] = [];
  /** Programs that traced processes exec'd and the helper detached (not workspace binaries). */
  readonly detachedExecs: string[] = [];
  readonly outcomes: TraceRunOutcome[] = [];
  /** The first `error` event: the program could not be started or traced. */
  failure: Extract<HelperEvent, { t: 'error' }> | undefined;

  constructor(imageSizes: readonly number[]) {
    this.counts = imageSizes.map((n) => new BigUint64Array(n));
  }

  /** Applies one decoded event. */
  add(event: HelperEvent): void {
    switch (event.t) {
      case 'hits': {
        const target = this.counts[event.image];
        if (target === undefined) return;
        for (const index of readU32Array(event.idx)) {
          if (index < target.length) target[index] = 1n;
        }
        return;
      }
      case 'counts': {
        const target = this.counts[event.image];
        if (target === undefined) return;
        const values = readU64Array(event.n);
        readU32Array(event.idx).forEach((index, i) => {
          if (index < target.length) target[index] = target[index]! + values[i]!;
        });
        return;
      }
      case 'warning':
        this.warnings.push({ severity: 'warning', code: 'W_PTRACE', message: event.message });
        return;
      case 'error':
        this.failure ??= event;
        return;
      case 'exec':
        if (event.image < 0 && !this.detachedExecs.includes(event.path)) {
          this.detachedExecs.push(event.path);
        }
        return;
      case 'done':
        if (event.reason === 'error') return;
        this.outcomes.push({
          reason: event.reason,
          exitCode: event.signal === undefined ? event.exitCode : undefined,
          signal: event.signal === undefined ? undefined : signalName(event.signal),
          passed: event.reason === 'exit' && event.signal === undefined && event.exitCode === 0,
          statistics: { ...event, saturated: event.saturated ?? 0 },
        });
        return;
      case 'spawn':
      case 'fork':
      case 'signal':
      case 'exit':
        return;
    }
  }

  /**
   * The helper's first error as a CovError, when there was one.
   * @returns `E_PROCESS` with the helper's message, errno name and advice.
   */
  failureError(): CovError | undefined {
    const failure = this.failure;
    if (failure === undefined) return undefined;
    const why = failure.code === undefined ? '' : ` (${failure.code})`;
    const hint = failure.advice === undefined ? '' : `\n  hint: ${failure.advice}`;
    return new CovError('E_PROCESS', `${failure.message}${why}${hint}`);
  }
}

/** Sum of the statistics of several runs (`approximate` when any run was). */
export function addStatistics(list: readonly TraceStatistics[]): TraceStatistics {
  const total = {
    armed: 0,
    hits: 0,
    traps: 0,
    threads: 0,
    processes: 0,
    execs: 0,
    signals: 0,
    steps: 0,
    elapsedMs: 0,
    armMs: 0,
    approximate: false,
    saturated: 0,
  };
  for (const s of list) {
    total.armed += s.armed;
    total.hits += s.hits;
    total.traps += s.traps;
    total.threads += s.threads;
    total.processes += s.processes;
    total.execs += s.execs;
    total.signals += s.signals;
    total.steps += s.steps;
    total.elapsedMs += s.elapsedMs;
    total.armMs += s.armMs;
    total.approximate ||= s.approximate;
    total.saturated += s.saturated;
  }
  return total;
}
