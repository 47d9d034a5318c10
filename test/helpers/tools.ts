/**
 * Finding the external tools the integration tests need (cargo, rustup toolchains, llvm-22) and
 * reporting clearly when one is missing.
 */
import { constants as fsConstants } from 'node:fs';
import { access } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { execa } from 'execa';

/** The LLVM tools whose output is the oracle (Debian package `llvm-22`). */
export const LLVM_COV = 'llvm-cov-22';
export const LLVM_PROFDATA = 'llvm-profdata-22';

export type Toolchain = 'stable' | 'nightly';

/**
 * PATH for child processes: the inherited PATH plus cargo's bin directory, because rustup installs
 * into `~/.cargo/bin` and a non-login shell (or CI step) may not have it on PATH.
 */
export function toolSearchPath(): string {
  const cargoBin = path.join(process.env['CARGO_HOME'] ?? path.join(os.homedir(), '.cargo'), 'bin');
  const entries = (process.env['PATH'] ?? '').split(path.delimiter).filter((e) => e !== '');
  if (!entries.includes(cargoBin)) entries.push(cargoBin);
  return entries.join(path.delimiter);
}

const resolved = new Map<string, Promise<string | undefined>>();

/** Absolute path of an executable found on {@link toolSearchPath}, or `undefined`. */
export function resolveTool(command: string): Promise<string | undefined> {
  let found = resolved.get(command);
  if (found === undefined) {
    found = (async () => {
      for (const dir of toolSearchPath().split(path.delimiter)) {
        const candidate = path.join(dir, command);
        try {
          await access(candidate, fsConstants.X_OK);
          return candidate;
        } catch {
          // not in this directory
        }
      }
      return undefined;
    })();
    resolved.set(command, found);
  }
  return found;
}

/** Whether `command` is an executable on {@link toolSearchPath}. */
export async function hasTool(command: string): Promise<boolean> {
  return (await resolveTool(command)) !== undefined;
}

/**
 * Environment for cargo/rustc with the wanted toolchain. With rustup, `RUSTUP_TOOLCHAIN` selects
 * it (and beats any `rust-toolchain` file); without rustup only the default toolchain exists.
 */
export async function toolchainEnv(toolchain: Toolchain): Promise<Record<string, string>> {
  const env: Record<string, string> = { PATH: toolSearchPath() };
  if (await hasTool('rustup')) env['RUSTUP_TOOLCHAIN'] = toolchain;
  return env;
}

const rustcVersions = new Map<Toolchain, Promise<string | undefined>>();

/**
 * `rustc -vV` of the toolchain, or `undefined` when it is not installed. Without rustup, asking for
 * nightly succeeds only if the default rustc is a nightly (or dev) build.
 */
export function rustcVersion(toolchain: Toolchain): Promise<string | undefined> {
  let version = rustcVersions.get(toolchain);
  if (version === undefined) {
    version = (async () => {
      if (!(await hasTool('cargo')) || !(await hasTool('rustc'))) return undefined;
      const result = await execa('rustc', ['-vV'], {
        env: await toolchainEnv(toolchain),
        reject: false,
      });
      if (result.exitCode !== 0) return undefined;
      const isNightly = /-(nightly|dev)\b/.test(result.stdout);
      if (toolchain === 'nightly' && !isNightly) return undefined;
      return result.stdout;
    })();
    rustcVersions.set(toolchain, version);
  }
  return version;
}

/** One tool the tests need, and why. */
export interface Requirement {
  /** Human-readable name used in the skip reason, e.g. `cargo (stable)`. */
  readonly what: string;
  /** Resolves to `true` when available. */
  readonly check: () => Promise<boolean>;
}

/** Requirement: an executable on PATH (or in ~/.cargo/bin). */
export function requireTool(command: string): Requirement {
  return { what: command, check: () => hasTool(command) };
}

/** Requirement: cargo + rustc of the given toolchain (`cargo +nightly` for nightly). */
export function requireToolchain(toolchain: Toolchain): Requirement {
  return {
    what: toolchain === 'stable' ? 'cargo' : 'cargo +nightly',
    check: async () => (await rustcVersion(toolchain)) !== undefined,
  };
}

/**
 * Why the requirements are not met, as one sentence, or `undefined` when all are met.
 * Used at module load (with top-level await) to pick `test` or `test.skip`.
 */
export async function missingReason(
  requirements: readonly Requirement[],
): Promise<string | undefined> {
  const missing: string[] = [];
  for (const requirement of requirements) {
    if (!(await requirement.check())) missing.push(requirement.what);
  }
  return missing.length === 0 ? undefined : `not installed: ${missing.join(', ')}`;
}

/**
 * For conditions only known while a test runs: when `reason` is defined, logs it with `t.log`,
 * records a passing assertion (ava cannot turn a running test into a skipped one) and returns
 * `false`, so the caller returns early. Statically known conditions should use `test.skip` with
 * the reason in the title instead, so the skip shows in CI's summary.
 */
export function skipUnless(t: ExecutionContext, reason: string | undefined): boolean {
  if (reason === undefined) return true;
  t.log(`skipped: ${reason}`);
  t.pass();
  return false;
}
