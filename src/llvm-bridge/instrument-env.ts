/**
 * The environment that makes cargo build instrumented binaries into cov's own target directory and
 * makes those binaries write their profiles into cov's profraw directory.
 *
 * Flags follow cargo-llvm-cov's choices: `-C instrument-coverage --cfg=coverage`, plus
 * `--cfg=coverage_nightly` on nightly, appended to the user's own rustflags; `LLVM_PROFILE_FILE`
 * uses `%p` (one file per process) and `%m` (merge pool per binary signature).
 * @see https://doc.rust-lang.org/rustc/instrument-coverage.html
 * @see https://doc.rust-lang.org/cargo/reference/environment-variables.html (CARGO_ENCODED_RUSTFLAGS)
 */
import { join } from 'node:path';
import { CovError } from '../binary/index.js';
import { isNightlyChannel, type ReleaseChannel } from './toolchain.js';

/** Separator of `CARGO_ENCODED_RUSTFLAGS` (ASCII unit separator). */
export const CARGO_ENCODED_FLAGS_SEPARATOR = '\x1f';

/** Inputs to {@link instrumentationVars} / {@link instrumentationEnv}. */
export interface InstrumentationEnvOptions {
  /** cov's own target directory (default chosen by the caller: `<workspace>/target/cov`). */
  readonly targetDir: string;
  /** Where instrumented processes write `.profraw` files (`<targetDir>/profraw` by default). */
  readonly profrawDir: string;
  /** The environment to start from (usually `process.env`); its rustflags are kept. */
  readonly baseEnv: NodeJS.ProcessEnv;
  /** Release channel of the toolchain; `--cfg=coverage_nightly` only on nightly/dev. Default stable. */
  readonly channel?: ReleaseChannel;
  /** File name stem of the profiles, e.g. the root package name. Default `cov`. */
  readonly profileName?: string;
  /** Extra rustc flags appended after cov's own (e.g. `--remap-path-prefix=…`). */
  readonly extraRustflags?: readonly string[];
}

/** What to change in an environment: variables to set and variables to remove. */
export interface InstrumentationVars {
  /** Variables to set, in a stable order (rustflags, target dir, profile file, incremental). */
  readonly set: Readonly<Record<string, string>>;
  /**
   * Variables that must be absent: the other rustflags variable, when the base environment has it
   * (cargo would otherwise prefer `CARGO_ENCODED_RUSTFLAGS` over our `RUSTFLAGS`).
   */
  readonly unset: readonly string[];
}

/**
 * The user's rustflags from the environment, split into single flags, with cargo's precedence:
 * `CARGO_ENCODED_RUSTFLAGS` (split on `\x1f`; set-but-empty means no flags) wins over `RUSTFLAGS`
 * (split on spaces), which wins over `CARGO_BUILD_RUSTFLAGS` (the environment form of
 * `build.rustflags`). Rustflags in `.cargo/config.toml` files and `CARGO_TARGET_<triple>_RUSTFLAGS`
 * are not read; setting `RUSTFLAGS` makes cargo ignore them.
 */
export function rustflagsFromEnv(env: NodeJS.ProcessEnv): string[] {
  const encoded = env['CARGO_ENCODED_RUSTFLAGS'];
  if (encoded !== undefined) {
    return encoded === '' ? [] : encoded.split(CARGO_ENCODED_FLAGS_SEPARATOR);
  }
  return splitSpaced(env['RUSTFLAGS'] ?? env['CARGO_BUILD_RUSTFLAGS'] ?? '');
}

function splitSpaced(flags: string): string[] {
  return flags
    .split(' ')
    .map((flag) => flag.trim())
    .filter((flag) => flag !== '');
}

/**
 * cov's rustc flags: `-C instrument-coverage --cfg=coverage`, and `--cfg=coverage_nightly` on a
 * nightly (or locally built) compiler, as separate argv entries.
 */
export function coverageRustflags(channel: ReleaseChannel = 'stable'): string[] {
  const flags = ['-C', 'instrument-coverage', '--cfg=coverage'];
  if (isNightlyChannel(channel)) flags.push('--cfg=coverage_nightly');
  return flags;
}

/**
 * Encodes `flags` for cargo: as `RUSTFLAGS` (space-separated) when no flag contains whitespace —
 * the form every tool understands and a person can read — otherwise as `CARGO_ENCODED_RUSTFLAGS`.
 * The other variable is listed in `unset`, since cargo prefers the encoded one when both exist.
 */
export function encodeRustflags(flags: readonly string[]): InstrumentationVars {
  if (flags.every((flag) => !/\s/.test(flag))) {
    return { set: { RUSTFLAGS: flags.join(' ') }, unset: ['CARGO_ENCODED_RUSTFLAGS'] };
  }
  return {
    set: { CARGO_ENCODED_RUSTFLAGS: flags.join(CARGO_ENCODED_FLAGS_SEPARATOR) },
    unset: ['RUSTFLAGS'],
  };
}

/**
 * `LLVM_PROFILE_FILE` value: `<profrawDir>/<profileName>-%p-%m.profraw`. `%p` gives each process its
 * own file; `%m` lets processes of one binary merge into a pool instead of overwriting.
 *
 * @throws CovError `E_USAGE` when `profrawDir` or `profileName` contains `%`, which the LLVM runtime
 *   would read as a pattern (it has no escape for it).
 */
export function llvmProfileFile(profrawDir: string, profileName = 'cov'): string {
  if (profrawDir.includes('%')) {
    throw new CovError(
      'E_USAGE',
      `profile directory must not contain '%' (LLVM_PROFILE_FILE reads it as a pattern)`,
      {
        source: profrawDir,
      },
    );
  }
  if (profileName.includes('%') || /[/\\]/.test(profileName) || profileName === '') {
    throw new CovError(
      'E_USAGE',
      `invalid profile name \`${profileName}\`: no '%', '/' or '\\' allowed`,
    );
  }
  return join(profrawDir, `${profileName}-%p-%m.profraw`);
}

/**
 * The variables cov sets and removes for an instrumented build and run, without the rest of the
 * environment (what `cov show-env` prints):
 * `RUSTFLAGS` (or `CARGO_ENCODED_RUSTFLAGS`) = user flags + {@link coverageRustflags} + extras,
 * `CARGO_TARGET_DIR`, `LLVM_PROFILE_FILE` ({@link llvmProfileFile}), `CARGO_INCREMENTAL=0`.
 *
 * @throws CovError `E_USAGE` from {@link llvmProfileFile}.
 */
export function instrumentationVars(options: InstrumentationEnvOptions): InstrumentationVars {
  const flags = [
    ...rustflagsFromEnv(options.baseEnv),
    ...coverageRustflags(options.channel),
    ...(options.extraRustflags ?? []),
  ];
  const rustflags = encodeRustflags(flags);
  return {
    set: {
      ...rustflags.set,
      CARGO_TARGET_DIR: options.targetDir,
      LLVM_PROFILE_FILE: llvmProfileFile(options.profrawDir, options.profileName),
      // Incremental builds are slower with instrumentation and gain nothing in cov's own target dir.
      CARGO_INCREMENTAL: '0',
    },
    // Only variables that exist need removing; keeps `show-env` output free of no-op lines.
    unset: rustflags.unset.filter((key) => options.baseEnv[key] !== undefined),
  };
}

/**
 * The complete environment for cargo and the instrumented binaries: `baseEnv` (entries with
 * `undefined` values dropped) minus {@link InstrumentationVars.unset} plus
 * {@link InstrumentationVars.set}. Pass it to children as their whole environment.
 *
 * @throws CovError `E_USAGE` from {@link llvmProfileFile}.
 */
export function instrumentationEnv(options: InstrumentationEnvOptions): Record<string, string> {
  const vars = instrumentationVars(options);
  return applyVars(options.baseEnv, vars);
}

/** `env` without `vars.unset` and with `vars.set` applied; `undefined` entries are dropped. */
export function applyVars(
  env: NodeJS.ProcessEnv,
  vars: InstrumentationVars,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && !vars.unset.includes(key)) result[key] = value;
  }
  return Object.assign(result, vars.set);
}
