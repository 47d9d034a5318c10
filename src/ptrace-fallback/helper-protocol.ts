/**
 * The MessagePack protocol between cov and its native ptrace helper (`native/cov-ptrace.c`, whose
 * header comment is the reference): one job map in on stdin, event maps out on fd 3.
 */
import { encode } from '@msgpack/msgpack';

/** Breakpoint mode: `oneshot` (each address traps once, then is restored for good) or `count`. */
export type TraceMode = 'oneshot' | 'count';

/** One executable the helper may arm (when a traced process runs it). */
export interface JobImage {
  /** Absolute path; matched by inode, path or GNU build id after an exec. */
  readonly path: string;
  readonly buildId?: Uint8Array;
  /** ELF `e_entry` (link-time); load bias = run-time `AT_ENTRY` − `entry`. */
  readonly entry: bigint;
  /** Link-time addresses to arm, strictly ascending. */
  readonly addresses: readonly bigint[];
  /**
   * One-shot only: a group id per address; when one address of a group traps, the helper restores
   * the others at once (they stand for the same line of the same function).
   */
  readonly groups?: Uint32Array;
}

/** Job settings shared by both helper modes. */
export interface JobSettings {
  readonly mode: TraceMode;
  /**
   * Count mode: traps per address after which it is restored for good (its count stops there);
   * 0 or undefined = none.
   */
  readonly countLimit?: number;
  /** 0 = none. */
  readonly timeoutMs: number;
  /** How long traced descendants may outlive the program before they are killed. */
  readonly lingerMs?: number;
  readonly images: readonly JobImage[];
  /**
   * One-shot: a file (created when missing) where successive runs share which groups were hit,
   * so a line found in one test binary is not armed in the next.
   */
  readonly groupStateFile?: string;
}

/**
 * The job file of runner mode (`cov-ptrace --job FILE --events DIR PROGRAM ARGS…`, the form cargo
 * runs as `target.runner`): the program, arguments, environment and working directory are the
 * runner's own.
 */
export type RunnerJob = JobSettings;

/** The job the helper runs. */
export interface TraceJob extends JobSettings {
  /** Program to execve. */
  readonly path: string;
  /** argv including argv[0]. */
  readonly argv: readonly string[];
  /** Complete environment. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** The helper's fd to give the program as stdin (absent = /dev/null). */
  readonly stdinFd?: number;
}

/** Statistics of the `done` event. */
export interface TraceStatistics {
  /** Breakpoints written (summed over processes). */
  readonly armed: number;
  /** Distinct addresses hit. */
  readonly hits: number;
  /** Traps taken (≥ hits: several threads or processes may trap on one address). */
  readonly traps: number;
  /** Threads created (besides each process's first). */
  readonly threads: number;
  /** Processes traced, the program included. */
  readonly processes: number;
  readonly execs: number;
  /** Signals re-injected into tracees. */
  readonly signals: number;
  /** Count mode: single steps over restored instructions. */
  readonly steps: number;
  readonly elapsedMs: number;
  /** Time spent writing breakpoints. */
  readonly armMs: number;
  /** Count mode: several threads shared armed memory, so counts are lower bounds. */
  readonly approximate: boolean;
  /**
   * Count mode: addresses that reached the job's `countLimit` (their counts stop there: lower
   * bounds). 0 from helpers that predate the field.
   */
  readonly saturated: number;
}

/** Events as decoded (field names as the helper writes them). */
export type HelperEvent =
  | { readonly t: 'spawn'; readonly pid: number }
  | { readonly t: 'exec'; readonly pid: number; readonly path: string; readonly image: number }
  | {
      readonly t: 'fork';
      readonly pid: number;
      readonly child: number;
      readonly kind: 'fork' | 'vfork' | 'clone';
    }
  | { readonly t: 'signal'; readonly pid: number; readonly sig: number }
  | { readonly t: 'hits'; readonly image: number; readonly idx: Uint8Array }
  | {
      readonly t: 'counts';
      readonly image: number;
      readonly idx: Uint8Array;
      readonly n: Uint8Array;
    }
  | { readonly t: 'warning'; readonly message: string; readonly pid?: number }
  | {
      readonly t: 'error';
      readonly message: string;
      readonly errno?: number;
      readonly code?: string;
      readonly advice?: string;
    }
  | { readonly t: 'exit'; readonly pid: number; readonly code?: number; readonly signal?: number }
  | ({
      readonly t: 'done';
      readonly reason: 'exit' | 'timeout' | 'interrupt' | 'error';
      readonly exitCode?: number;
      readonly signal?: number;
      /** Absent from helpers that predate it. */
      readonly saturated?: number;
    } & Omit<TraceStatistics, 'saturated'>);

/**
 * Encodes a job: addresses become one packed little-endian u64 blob per image.
 * @returns the MessagePack bytes to write to the helper's stdin.
 */
export function encodeJob(job: TraceJob | RunnerJob): Uint8Array {
  const images = job.images.map((image) => {
    const blob = new Uint8Array(image.addresses.length * 8);
    const view = new DataView(blob.buffer);
    image.addresses.forEach((address, i) => view.setBigUint64(i * 8, address, true));
    return {
      path: image.path,
      ...(image.buildId === undefined ? {} : { buildId: image.buildId }),
      entry: image.entry,
      addresses: blob,
      ...(image.groups === undefined ? {} : { groups: u32Blob(image.groups) }),
    };
  });
  const program =
    'path' in job
      ? {
          path: job.path,
          argv: job.argv,
          env: job.env,
          ...(job.cwd === undefined ? {} : { cwd: job.cwd }),
          ...(job.stdinFd === undefined ? {} : { stdinFd: job.stdinFd }),
        }
      : {};
  return encode(
    {
      ...program,
      mode: job.mode,
      ...(job.countLimit === undefined || job.countLimit === 0
        ? {}
        : { countLimit: job.countLimit }),
      timeoutMs: job.timeoutMs,
      ...(job.lingerMs === undefined ? {} : { lingerMs: job.lingerMs }),
      ...(job.groupStateFile === undefined ? {} : { groupStateFile: job.groupStateFile }),
      images,
    },
    { useBigInt64: true },
  );
}

function u32Blob(values: Uint32Array): Uint8Array {
  const blob = new Uint8Array(values.length * 4);
  const view = new DataView(blob.buffer);
  values.forEach((v, i) => view.setUint32(i * 4, v, true));
  return blob;
}

/** Reads a packed little-endian u32 array (the `idx` blobs). */
export function readU32Array(bytes: Uint8Array): Uint32Array {
  const out = new Uint32Array(bytes.length >>> 2);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getUint32(i * 4, true);
  return out;
}

/** Reads a packed little-endian u64 array (the `n` blobs). */
export function readU64Array(bytes: Uint8Array): BigUint64Array {
  const out = new BigUint64Array(bytes.length >>> 3);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getBigUint64(i * 8, true);
  return out;
}
