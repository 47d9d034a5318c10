/**
 * The Rust toolchain cov drives: `rustc -vV` parsing, LLVM version, release channel, whether the
 * profiler runtime (`profiler_builtins`) that `-C instrument-coverage` links against is installed,
 * and which raw profile version that LLVM writes.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadExeca } from './load-execa.js';
import { CovError } from '../binary/index.js';
import { describeFsError } from './fs-errors.js';
import { spawnFailure } from './spawn-errors.js';

/** Release channel as it shows in rustc's `release:` line; `dev` is a locally built compiler. */
export type ReleaseChannel = 'stable' | 'beta' | 'nightly' | 'dev';

/** LLVM version that rustc was built with (`LLVM version: 22.1.2`). */
export interface LlvmVersion {
  /** Major version, e.g. `22`. */
  readonly major: number;
  /** The full version text, e.g. `22.1.2`. */
  readonly full: string;
}

/** `major.minor.patch` of rustc's `release:` line, pre-release suffix dropped. */
export interface RustcSemver {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/** What `rustc -vV` says, parsed. */
export interface RustcVersionInfo {
  /** The `release:` value, e.g. `1.95.0` or `1.97.0-nightly`. */
  readonly rustcVersion: string;
  readonly semver: RustcSemver;
  /** The `commit-hash:` value; `undefined` when rustc reports `unknown`. */
  readonly commitHash: string | undefined;
  /** The `commit-date:` value (`YYYY-MM-DD`); `undefined` when rustc reports `unknown`. */
  readonly commitDate: string | undefined;
  /** Host target triple, e.g. `x86_64-unknown-linux-gnu`. */
  readonly host: string;
  readonly channel: ReleaseChannel;
  /** `undefined` when rustc prints no `LLVM version:` line (a non-LLVM codegen backend). */
  readonly llvmVersion: LlvmVersion | undefined;
  /** The complete `rustc -vV` output. */
  readonly raw: string;
}

/** The toolchain found by {@link detectToolchain}. */
export interface ToolchainInfo extends RustcVersionInfo {
  /** The rustc program that was run (`$RUSTC` or `rustc`). */
  readonly rustc: string;
  /** `rustc --print sysroot`, e.g. `~/.rustup/toolchains/stable-x86_64-unknown-linux-gnu`. */
  readonly sysroot: string;
  /** `$RUSTUP_TOOLCHAIN` when set (rustup's proxy then picks that toolchain). */
  readonly rustupToolchain: string | undefined;
}

/** Where and with which environment to run rustc. */
export interface DetectToolchainOptions {
  /** Working directory; rustup resolves `rust-toolchain.toml` overrides from here. */
  readonly cwd?: string;
  /** Complete environment for rustc (default `process.env`); `RUSTC` and `RUSTUP_TOOLCHAIN` apply. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Result of {@link checkInstrumentationSupport}. */
export type InstrumentationSupport =
  | { readonly ok: true; readonly target: string; readonly profilerBuiltinsPath: string }
  | { readonly ok: false; readonly target: string; readonly reason: string };

const INSTALL_HINT = 'install Rust with rustup (https://rustup.rs) or set RUSTC to a rustc binary';

/**
 * Runs `rustc -vV` and `rustc --print sysroot` (rustc = `$RUSTC`, else `rustc` on `PATH`; the
 * environment is passed through, so `RUSTUP_TOOLCHAIN` and rustup overrides apply) and parses them.
 *
 * @throws CovError `E_TOOLCHAIN` when rustc is missing, fails, or prints something unparseable;
 *   `E_IO` when `cwd` does not exist.
 */
export async function detectToolchain(
  options: DetectToolchainOptions = {},
): Promise<ToolchainInfo> {
  const env = options.env ?? process.env;
  const rustc = nonEmpty(env['RUSTC']) ?? 'rustc';
  const [versionText, sysrootText] = await Promise.all([
    runRustc(rustc, ['-vV'], env, options.cwd),
    runRustc(rustc, ['--print', 'sysroot'], env, options.cwd),
  ]);
  const parsed = parseRustcVersionVerbose(versionText);
  const sysroot = sysrootText.trim();
  if (sysroot === '') {
    throw new CovError('E_TOOLCHAIN', `\`${rustc} --print sysroot\` printed nothing`);
  }
  return { ...parsed, rustc, sysroot, rustupToolchain: nonEmpty(env['RUSTUP_TOOLCHAIN']) };
}

async function runRustc(
  rustc: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string | undefined,
): Promise<string> {
  const execa = await loadExeca();
  const result = await execa(rustc, args, {
    env,
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    ...(cwd === undefined ? {} : { cwd }),
  });
  const notStarted = spawnFailure(result, rustc, {
    cwd,
    notFoundCode: 'E_TOOLCHAIN',
    hint: INSTALL_HINT,
  });
  if (notStarted !== undefined) throw notStarted;
  if (result.exitCode !== 0) {
    const stderr = result.stderr.trim();
    const how = result.signal === undefined ? `exit code ${result.exitCode}` : result.signal;
    throw new CovError(
      'E_TOOLCHAIN',
      `\`${rustc} ${args.join(' ')}\` failed (${how})${stderr === '' ? '' : `:\n${stderr}`}`,
    );
  }
  return result.stdout;
}

/**
 * Parses the output of `rustc -vV` (`release:`, `commit-hash:`, `commit-date:`, `host:`,
 * `LLVM version:` lines). The channel comes from the release suffix (`-nightly`, `-beta.N`, `-dev`).
 *
 * @throws CovError `E_TOOLCHAIN` when the `release:` or `host:` line is missing or malformed.
 */
export function parseRustcVersionVerbose(text: string): RustcVersionInfo {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const release = fields.get('release');
  const host = fields.get('host');
  if (release === undefined || host === undefined || host === '') {
    throw new CovError(
      'E_TOOLCHAIN',
      `unexpected \`rustc -vV\` output (no release or host line):\n${text.trim()}`,
    );
  }
  const match = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$/.exec(release);
  if (match === null) {
    throw new CovError('E_TOOLCHAIN', `unexpected rustc release \`${release}\` in \`rustc -vV\``);
  }
  const semver = { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
  return {
    rustcVersion: release,
    semver,
    commitHash: known(fields.get('commit-hash')),
    commitDate: known(fields.get('commit-date')),
    host,
    channel: channelOf(match[4]),
    llvmVersion: parseLlvmVersion(fields.get('LLVM version')),
    raw: text,
  };
}

function channelOf(preRelease: string | undefined): ReleaseChannel {
  if (preRelease === undefined) return 'stable';
  if (preRelease.startsWith('nightly')) return 'nightly';
  if (preRelease.startsWith('beta')) return 'beta';
  if (preRelease.startsWith('dev')) return 'dev';
  return 'stable';
}

function parseLlvmVersion(text: string | undefined): LlvmVersion | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d+)/.exec(text);
  return match === null ? undefined : { major: Number(match[1]), full: text };
}

function known(value: string | undefined): string | undefined {
  return value === undefined || value === '' || value === 'unknown' ? undefined : value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/**
 * True for the channels where unstable features work (`nightly`, locally built `dev`), i.e. where
 * `--cfg=coverage_nightly` is passed so crates can use `#[coverage(off)]` behind it.
 */
export function isNightlyChannel(channel: ReleaseChannel): boolean {
  return channel === 'nightly' || channel === 'dev';
}

/**
 * Checks that `-C instrument-coverage` can work for `target` (default: the host): rustc ≥ 1.60
 * (where the flag became stable), an LLVM backend, and the profiler runtime
 * `lib/rustlib/<target>/lib/libprofiler_builtins-*.rlib` inside the sysroot. Reads the sysroot
 * directory only; runs nothing.
 *
 * @returns `{ ok: true, profilerBuiltinsPath }` or `{ ok: false, reason }` with a plain-words reason.
 */
export function checkInstrumentationSupport(
  info: Pick<ToolchainInfo, 'semver' | 'rustcVersion' | 'llvmVersion' | 'sysroot' | 'host'>,
  target: string = info.host,
): InstrumentationSupport {
  if (info.semver.major === 1 && info.semver.minor < 60) {
    return {
      ok: false,
      target,
      reason: `rustc ${info.rustcVersion} is too old: -C instrument-coverage needs rustc 1.60 or newer`,
    };
  }
  if (info.llvmVersion === undefined) {
    return {
      ok: false,
      target,
      reason: `rustc ${info.rustcVersion} reports no LLVM version; instrument-coverage needs the LLVM backend`,
    };
  }
  const libDir = join(info.sysroot, 'lib', 'rustlib', target, 'lib');
  let names: string[];
  try {
    names = readdirSync(libDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? `the standard library for target ${target} is not installed in ${info.sysroot} (try \`rustup target add ${target}\`)`
        : `cannot read ${libDir}: ${describeFsError(error)}`;
    return { ok: false, target, reason };
  }
  const runtime = names
    .filter((name) => name.startsWith('libprofiler_builtins-') && name.endsWith('.rlib'))
    .sort()[0];
  if (runtime === undefined) {
    return {
      ok: false,
      target,
      reason:
        `this toolchain has no profiler runtime (libprofiler_builtins) for ${target} in ${libDir}; ` +
        'it was built without `profiler = true` (some distribution packages are) — use a rustup toolchain',
    };
  }
  return { ok: true, target, profilerBuiltinsPath: join(libDir, runtime) };
}

/**
 * The raw profile (`.profraw`) format version that the profiler runtime of LLVM `llvmMajor`
 * writes: 14–17 → 8, 18 → 9, 19–22 → 10, 23 → 11. Returns `undefined` outside 14–23 (older LLVM
 * predates rustc 1.60; newer is not known yet).
 *
 * @see llvm/include/llvm/ProfileData/InstrProfData.inc `INSTR_PROF_RAW_VERSION`
 */
export function expectedRawProfileVersion(llvmMajor: number): number | undefined {
  if (!Number.isInteger(llvmMajor)) return undefined;
  if (llvmMajor >= 14 && llvmMajor <= 17) return 8;
  if (llvmMajor === 18) return 9;
  if (llvmMajor >= 19 && llvmMajor <= 22) return 10;
  if (llvmMajor === 23) return 11;
  return undefined;
}
