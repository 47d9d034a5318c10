/**
 * The cargo side of the breakpoint engine: the build environment (line tables, no
 * instrumentation, a target directory of its own) and running cargo's test binaries through the
 * helper in runner mode (`target.runner`), so cargo itself gives every test binary the
 * environment, working directory, arguments and order that plain `cargo test` gives it.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMulti } from '@msgpack/msgpack';
import { CovError } from '../binary/index.js';
import {
  applyVars,
  coverageRustflags,
  encodeRustflags,
  llvmProfileFile,
  rustflagsFromEnv,
  type ReleaseChannel,
} from '../llvm-bridge/index.js';
import { EventCollector } from './event-collector.js';
import { encodeJob, type HelperEvent, type RunnerJob } from './helper-protocol.js';

/**
 * rustc flags of a breakpoint-engine build: limited debug info, every function kept (without
 * `link-dead-code` uncalled functions have no line rows, so their lines would not count as
 * coverable), symbols and debug info kept in the executable.
 *
 * `debuginfo=limited` rather than `line-tables-only`: with line tables only, rustc emits no
 * `DW_TAG_subprogram` for the crate's own (non-inlined) functions, so hits could not be attributed
 * to functions; `limited` adds those DIEs (names, linkage names, decl file/line) but no types or
 * variables, and measured a <1% larger test binary on the `basics` fixture.
 * @see ../../../shared/spec/ptrace-engine.md "Breakpoints"
 */
export const PTRACE_RUSTFLAGS: readonly string[] = [
  '-C',
  'debuginfo=limited',
  '-C',
  'link-dead-code',
  '-C',
  'strip=none',
  '-C',
  'split-debuginfo=off',
];

/** Flags that must not reach a breakpoint-engine build (instrumentation from `cov show-env`). */
const INSTRUMENTATION_FLAGS = new Set(['instrument-coverage', '-Cinstrument-coverage']);

/**
 * The environment for `cargo build`/`cargo test` of the breakpoint engine: the base environment's
 * rustflags without `-C instrument-coverage`, then {@link PTRACE_RUSTFLAGS};
 * `CARGO_TARGET_DIR=<covTargetDir>/ptrace`, so the instrumented build in `<covTargetDir>` stays
 * valid.
 * @returns a complete environment (strings only).
 */
export function ptraceBuildEnv(
  covTargetDir: string,
  baseEnv: NodeJS.ProcessEnv,
): Record<string, string> {
  const rustflags = encodeRustflags(ptraceRustflags(baseEnv));
  return applyVars(baseEnv, {
    set: { ...rustflags.set, CARGO_TARGET_DIR: ptraceTargetDir(covTargetDir) },
    unset: rustflags.unset,
  });
}

/** The base environment's rustflags without instrumentation, then {@link PTRACE_RUSTFLAGS}. */
function ptraceRustflags(baseEnv: NodeJS.ProcessEnv): string[] {
  const base = rustflagsFromEnv(baseEnv);
  const kept: string[] = [];
  for (let i = 0; i < base.length; i++) {
    const flag = base[i]!;
    if (flag === '-C' && INSTRUMENTATION_FLAGS.has(base[i + 1] ?? '')) {
      i++;
      continue;
    }
    if (INSTRUMENTATION_FLAGS.has(flag)) continue;
    kept.push(flag);
  }
  return [...kept, ...PTRACE_RUSTFLAGS];
}

/** Instrumentation of a same-run build ({@link sameRunBuildEnv}). */
export interface SameRunInstrumentation {
  /** Release channel of the toolchain (`--cfg=coverage_nightly` on nightly). */
  readonly channel: ReleaseChannel;
  /** Where the traced processes write their `.profraw` files. */
  readonly profrawDir: string;
}

/**
 * The environment of a build whose test run feeds both engines at once (`cov compare
 * --same-run`): the breakpoint engine's flags ({@link ptraceBuildEnv}) plus cov's instrumentation
 * flags, `LLVM_PROFILE_FILE` into `instrumentation.profrawDir`, `CARGO_INCREMENTAL=0` and
 * `CARGO_TARGET_DIR=<covTargetDir>/same-run` (neither other build is disturbed).
 * @returns a complete environment (strings only)
 * @throws CovError `E_USAGE` when the profile directory contains `%` ({@link llvmProfileFile})
 */
export function sameRunBuildEnv(
  covTargetDir: string,
  baseEnv: NodeJS.ProcessEnv,
  instrumentation: SameRunInstrumentation,
): Record<string, string> {
  const rustflags = encodeRustflags([
    ...ptraceRustflags(baseEnv),
    ...coverageRustflags(instrumentation.channel),
  ]);
  return applyVars(baseEnv, {
    set: {
      ...rustflags.set,
      CARGO_TARGET_DIR: sameRunTargetDir(covTargetDir),
      LLVM_PROFILE_FILE: llvmProfileFile(instrumentation.profrawDir),
      CARGO_INCREMENTAL: '0',
    },
    unset: rustflags.unset,
  });
}

/** `<covTargetDir>/same-run`: where the builds of `cov compare --same-run` go. */
export function sameRunTargetDir(covTargetDir: string): string {
  return join(covTargetDir, 'same-run');
}

/** `<covTargetDir>/ptrace`: where breakpoint-engine builds go. */
export function ptraceTargetDir(covTargetDir: string): string {
  return join(covTargetDir, 'ptrace');
}

/** Files of one runner session. */
export interface RunnerSession {
  /** The job file every runner invocation reads. */
  readonly jobFile: string;
  /** Where each runner invocation writes `events-<pid>.msgpack`. */
  readonly eventsDir: string;
  /** `--config` value for cargo: `target.'cfg(all())'.runner = [helper, --job, …, --events, …]`. */
  readonly cargoConfig: string;
}

/** The one-shot group state file of the session in `sessionDir`. */
function groupStateFileOf(sessionDir: string): string {
  return join(sessionDir, 'groups.state');
}

/**
 * The job file contents of a runner session in `sessionDir`: `job` plus the session's group
 * state file (so the bytes can be cached and reused for the same session directory).
 * @returns MessagePack bytes for {@link prepareRunnerSession}.
 */
export function encodeRunnerJob(sessionDir: string, job: RunnerJob): Uint8Array {
  return encodeJob({ ...job, groupStateFile: groupStateFileOf(sessionDir) });
}

/**
 * Writes the job file, an empty events directory and (in one-shot mode, through the helper) a
 * group state file shared by the runs under `sessionDir` (cov's own directory, cleared first), and
 * returns the cargo `--config` value that makes the helper cargo's runner.
 * @param job the job, or its bytes from {@link encodeRunnerJob} with the same `sessionDir`.
 * @throws CovError `E_IO` when the files cannot be written.
 */
export function prepareRunnerSession(
  sessionDir: string,
  helper: string,
  job: RunnerJob | Uint8Array,
): RunnerSession {
  const jobFile = join(sessionDir, 'job.msgpack');
  const eventsDir = join(sessionDir, 'events');
  try {
    rmSync(eventsDir, { recursive: true, force: true });
    rmSync(groupStateFileOf(sessionDir), { force: true });
    mkdirSync(eventsDir, { recursive: true });
    writeFileSync(jobFile, job instanceof Uint8Array ? job : encodeRunnerJob(sessionDir, job));
  } catch (cause) {
    throw new CovError('E_IO', `cannot write the ptrace job into ${sessionDir}`, { cause });
  }
  // JSON strings are valid TOML basic strings
  const runner = [helper, '--job', jobFile, '--events', eventsDir].map((s) => JSON.stringify(s));
  return { jobFile, eventsDir, cargoConfig: `target.'cfg(all())'.runner=[${runner.join(',')}]` };
}

/**
 * Reads every event file of a session into one collector (one `done` per traced program). A file
 * cut short (a runner killed mid-write) keeps the events before the cut.
 * @returns the collector; its `outcomes` are in file-name order.
 */
export function readRunnerEvents(eventsDir: string, imageSizes: readonly number[]): EventCollector {
  const collector = new EventCollector(imageSizes);
  let names: string[];
  try {
    names = readdirSync(eventsDir).filter((n) => n.endsWith('.msgpack'));
  } catch {
    return collector;
  }
  for (const name of names.sort()) {
    const bytes = readFileSync(join(eventsDir, name));
    try {
      for (const event of decodeMulti(bytes)) collector.add(event as HelperEvent);
    } catch {
      collector.warnings.push({
        severity: 'warning',
        code: 'W_PTRACE',
        message: `${name}: event file ends mid-record (a runner was killed); kept what was written`,
        source: join(eventsDir, name),
      });
    }
  }
  return collector;
}
