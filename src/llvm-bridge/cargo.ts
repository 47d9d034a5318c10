/**
 * Driving cargo: build the instrumented test binaries (and say where they are), run the tests,
 * build the binaries `cov run` executes. The environment comes from {@link instrumentationEnv}.
 */
import { loadExeca } from './load-execa.js';
import { CovError } from '../binary/index.js';
import { parseCargoMessageLine, progressMessage, type CargoArtifact } from './cargo-messages.js';
import {
  CARGO_INSTALL_HINT,
  cargoProgram,
  readCargoMetadata,
  type CargoLocationOptions,
  type CargoWorkspace,
} from './cargo-metadata.js';
import { runProcess, type RunResult, type RunStdioOptions } from './run-process.js';
import { spawnFailure } from './spawn-errors.js';

/** Options shared by cargo builds. */
export interface CargoBuildOptions extends CargoLocationOptions {
  /** Extra cargo arguments (`-p foo`, `--features x`, `--release`, …); not `--message-format`. */
  readonly cargoArgs?: readonly string[];
  /**
   * Called with `Compiling <package> v<version>` once per package that cargo actually compiles
   * (not for up-to-date ones). The CLI decides whether and how to show it.
   */
  readonly onProgress?: (message: string) => void;
  /**
   * `pipe` (default): cargo's stderr (warnings, rendered errors) is captured, returned in
   * {@link BuildResult.stderr} and put into the error on failure. `inherit`: shown live instead.
   */
  readonly stderr?: 'pipe' | 'inherit';
  /**
   * The workspace as the caller already read it, with the target directory this build uses: no
   * `cargo metadata` is run then.
   */
  readonly workspace?: CargoWorkspace;
}

/** Outcome of a successful build. */
export interface BuildResult {
  /** Absolute paths of the executables built, in cargo's order, without duplicates. */
  readonly binaries: string[];
  /** Every `compiler-artifact` message of the build, for callers that need more than paths. */
  readonly artifacts: CargoArtifact[];
  readonly workspaceRoot: string;
  /** The target directory cargo used (from `cargo metadata` with the same environment). */
  readonly targetDir: string;
  /** Captured stderr (warnings) with `stderr: 'pipe'`; empty with `inherit`. */
  readonly stderr: string;
}

/**
 * Builds the test binaries without running them: `cargo test --no-run
 * --message-format=json-render-diagnostics [--manifest-path …] <cargoArgs>`, keeping artifacts
 * with `profile.test` and an executable (unit tests of lib/bins, `tests/*.rs`, benches built as
 * tests). Runs `cargo metadata` first for the workspace root and target directory (unless
 * `options.workspace` gives them).
 *
 * @throws CovError `E_PROCESS` when the build fails, with cargo's rendered diagnostics in the
 *   message (when stderr is piped); `E_TOOLCHAIN` when cargo is missing; `E_USAGE` when
 *   `cargoArgs` sets `--message-format`.
 */
export async function buildTests(options: CargoBuildOptions): Promise<BuildResult> {
  return build(['test', '--no-run'], options, (artifact) => artifact.test);
}

/**
 * Builds the program(s) for `cov run`: `cargo build --message-format=json-render-diagnostics
 * <cargoArgs>`, keeping non-test executables (`bin` and `example` targets; build scripts are
 * excluded). Pass `--bin name` / `--example name` in `cargoArgs` to pick one.
 *
 * @throws CovError as {@link buildTests}.
 */
export async function buildBin(options: CargoBuildOptions): Promise<BuildResult> {
  return build(
    ['build'],
    options,
    (artifact) => !artifact.test && !artifact.targetKinds.includes('custom-build'),
  );
}

async function build(
  subcommand: readonly string[],
  options: CargoBuildOptions,
  keep: (artifact: CargoArtifact) => boolean,
): Promise<BuildResult> {
  const cargoArgs = options.cargoArgs ?? [];
  if (cargoArgs.some((arg) => arg === '--message-format' || arg.startsWith('--message-format='))) {
    throw new CovError(
      'E_USAGE',
      'cov sets --message-format itself; remove it from the cargo arguments',
    );
  }
  const workspace = options.workspace ?? (await readCargoMetadata(options));
  const cargo = cargoProgram(options.env);
  const args = [...subcommand, '--message-format=json-render-diagnostics'];
  if (options.manifestPath !== undefined) args.push('--manifest-path', options.manifestPath);
  args.push(...cargoArgs);

  const inheritStderr = options.stderr === 'inherit';
  const execa = await loadExeca();
  const subprocess = execa(cargo, args, {
    env: options.env,
    extendEnv: false,
    reject: false,
    cwd: options.cwd,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: inheritStderr ? 'inherit' : 'pipe',
    buffer: { stdout: false },
  });

  const artifacts: CargoArtifact[] = [];
  const rendered: string[] = [];
  const announced = new Set<string>();
  for await (const line of subprocess.iterable({ from: 'stdout' })) {
    const message = parseCargoMessageLine(line);
    if (message?.reason === 'compiler-artifact') {
      const { artifact } = message;
      artifacts.push(artifact);
      if (!artifact.fresh && !announced.has(artifact.packageId)) {
        announced.add(artifact.packageId);
        options.onProgress?.(progressMessage(artifact));
      }
    } else if (message?.reason === 'compiler-message' && message.rendered !== undefined) {
      rendered.push(message.rendered);
    }
  }
  const result = await subprocess;
  const notStarted = spawnFailure(result, cargo, {
    cwd: options.cwd,
    notFoundCode: 'E_TOOLCHAIN',
    hint: CARGO_INSTALL_HINT,
  });
  if (notStarted !== undefined) throw notStarted;

  const stderr = typeof result.stderr === 'string' ? result.stderr : '';
  if (result.exitCode !== 0) {
    const how = result.signal === undefined ? `exit code ${result.exitCode}` : result.signal;
    const diagnostics = [...rendered, diagnosticsOf(stderr)].join('\n').trim();
    const details = inheritStderr
      ? ' (see cargo output above)'
      : diagnostics === ''
        ? ''
        : `:\n${diagnostics}`;
    throw new CovError('E_PROCESS', `\`cargo ${args.join(' ')}\` failed (${how})${details}`);
  }

  const binaries: string[] = [];
  for (const artifact of artifacts) {
    if (
      artifact.executable !== undefined &&
      keep(artifact) &&
      !binaries.includes(artifact.executable)
    ) {
      binaries.push(artifact.executable);
    }
  }
  return {
    binaries,
    artifacts,
    workspaceRoot: workspace.workspaceRoot,
    targetDir: workspace.targetDir,
    stderr,
  };
}

/** Cargo's progress lines (`   Compiling x v1`) say nothing about why a build failed. */
const CARGO_STATUS_LINE =
  /^\s+(Compiling|Checking|Fresh|Finished|Running|Locking|Adding|Updating|Downloading|Downloaded|Blocking|Building)\s/;

/** `stderr` without cargo's status lines: the rendered warnings and errors. */
export function diagnosticsOf(stderr: string): string {
  return stderr
    .split(/\r?\n/)
    .filter((line) => !CARGO_STATUS_LINE.test(line))
    .join('\n')
    .trim();
}

/** Options of {@link runTests}. */
export interface RunTestsOptions extends CargoLocationOptions, RunStdioOptions {
  /** Cargo arguments (`-p foo`, `--no-fail-fast`, …), placed before `--`. */
  readonly cargoArgs?: readonly string[];
  /** Arguments for the test harness (`--test-threads=1`, a filter, …), placed after `--`. */
  readonly testArgs?: readonly string[];
}

/**
 * Runs `cargo test [--manifest-path …] <cargoArgs> -- <testArgs>` with `env` (instrumented, so each
 * test process writes a `.profraw` into the profraw directory). Call {@link buildTests} first with
 * the same environment and arguments: the build is then up to date, so a non-zero exit code means
 * tests failed rather than the build.
 *
 * @returns exit code / signal; failing tests are a normal result (`passed: false`), not a throw.
 * @throws CovError `E_TOOLCHAIN` when cargo is missing, `E_IO` when `cwd` does not exist.
 */
export async function runTests(options: RunTestsOptions): Promise<RunResult> {
  const cargoArgs = options.cargoArgs ?? [];
  const testArgs = options.testArgs ?? [];
  const args = ['test'];
  if (options.manifestPath !== undefined) args.push('--manifest-path', options.manifestPath);
  args.push(...cargoArgs);
  if (testArgs.length > 0) {
    // cargoArgs may already hold the `--`; a second one would reach the harness as an argument.
    if (!cargoArgs.includes('--')) args.push('--');
    args.push(...testArgs);
  }
  return runProcess(cargoProgram(options.env), args, {
    env: options.env,
    cwd: options.cwd,
    notFoundCode: 'E_TOOLCHAIN',
    notFoundHint: CARGO_INSTALL_HINT,
    ...(options.stdio === undefined ? {} : { stdio: options.stdio }),
    ...(options.stdoutToStderr === undefined ? {} : { stdoutToStderr: options.stdoutToStderr }),
  });
}
