/**
 * Workspace facts from `cargo metadata --no-deps --format-version 1`: workspace root, target
 * directory (after `CARGO_TARGET_DIR` and config), member packages.
 * @see https://doc.rust-lang.org/cargo/commands/cargo-metadata.html
 */
import { join } from 'node:path';
import { loadExeca } from './load-execa.js';
import { CovError } from '../binary/index.js';
import { spawnFailure } from './spawn-errors.js';

/** A workspace member package. */
export interface CargoPackage {
  readonly name: string;
  readonly version: string;
  readonly id: string;
  readonly manifestPath: string;
}

/** What cov needs to know about a cargo workspace. */
export interface CargoWorkspace {
  /** Absolute path of the workspace root directory. */
  readonly workspaceRoot: string;
  /** Absolute path of the target directory cargo will use with the given environment. */
  readonly targetDir: string;
  readonly members: readonly CargoPackage[];
  /** Name of the package whose manifest is the workspace root's `Cargo.toml` (none in a virtual workspace). */
  readonly rootPackage: string | undefined;
}

/** Where and how to run cargo. */
export interface CargoLocationOptions {
  /** `--manifest-path`; by default cargo searches from `cwd` upwards. */
  readonly manifestPath?: string | undefined;
  /** Complete environment for cargo (`CARGO` picks the cargo program, default `cargo`). */
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** Hint shown when cargo cannot be found. */
export const CARGO_INSTALL_HINT = 'install Rust with rustup (https://rustup.rs) or set CARGO';

/** The cargo program: `$CARGO` (set by cargo for its subprocesses) or `cargo`. */
export function cargoProgram(env: NodeJS.ProcessEnv): string {
  const fromEnv = env['CARGO'];
  return fromEnv === undefined || fromEnv === '' ? 'cargo' : fromEnv;
}

/**
 * Runs `cargo metadata --no-deps --format-version 1` and reads the workspace root, target
 * directory and members. Needs no network (`--no-deps` skips resolution).
 *
 * @throws CovError `E_TOOLCHAIN` when cargo is missing, `E_PROCESS` with cargo's message when it
 *   fails (no `Cargo.toml`, bad manifest), `E_MALFORMED` for output it cannot read.
 */
export async function readCargoMetadata(options: CargoLocationOptions): Promise<CargoWorkspace> {
  const cargo = cargoProgram(options.env);
  const args = ['metadata', '--no-deps', '--format-version', '1'];
  if (options.manifestPath !== undefined) args.push('--manifest-path', options.manifestPath);
  const execa = await loadExeca();
  const result = await execa(cargo, args, {
    env: options.env,
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    cwd: options.cwd,
  });
  const notStarted = spawnFailure(result, cargo, {
    cwd: options.cwd,
    notFoundCode: 'E_TOOLCHAIN',
    hint: CARGO_INSTALL_HINT,
  });
  if (notStarted !== undefined) throw notStarted;
  if (result.exitCode !== 0) {
    throw new CovError('E_PROCESS', `\`cargo ${args.join(' ')}\` failed:\n${result.stderr.trim()}`);
  }
  return parseCargoMetadata(result.stdout);
}

/**
 * Reads the fields cov uses from `cargo metadata --format-version 1` JSON text.
 *
 * @throws CovError `E_MALFORMED` when the text is not such JSON.
 */
export function parseCargoMetadata(text: string): CargoWorkspace {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CovError('E_MALFORMED', 'cargo metadata printed invalid JSON', {
      source: 'cargo metadata',
      cause: error,
    });
  }
  const data = value as {
    workspace_root?: unknown;
    target_directory?: unknown;
    workspace_members?: unknown;
    packages?: unknown;
  };
  if (typeof data.workspace_root !== 'string' || typeof data.target_directory !== 'string') {
    throw new CovError('E_MALFORMED', 'no workspace_root or target_directory', {
      source: 'cargo metadata',
    });
  }
  const memberIds = new Set(
    Array.isArray(data.workspace_members)
      ? data.workspace_members.filter((id) => typeof id === 'string')
      : [],
  );
  const members: CargoPackage[] = [];
  for (const item of Array.isArray(data.packages) ? data.packages : []) {
    const pkg = item as {
      name?: unknown;
      version?: unknown;
      id?: unknown;
      manifest_path?: unknown;
    };
    if (
      typeof pkg.name === 'string' &&
      typeof pkg.version === 'string' &&
      typeof pkg.id === 'string' &&
      typeof pkg.manifest_path === 'string' &&
      memberIds.has(pkg.id)
    ) {
      members.push({
        name: pkg.name,
        version: pkg.version,
        id: pkg.id,
        manifestPath: pkg.manifest_path,
      });
    }
  }
  const rootManifest = join(data.workspace_root, 'Cargo.toml');
  return {
    workspaceRoot: data.workspace_root,
    targetDir: data.target_directory,
    members,
    rootPackage: members.find((pkg) => pkg.manifestPath === rootManifest)?.name,
  };
}
