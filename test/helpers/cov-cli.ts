/**
 * Runs our CLI from source (`node --import tsx src/cli/main.ts report …`) the way a user would, so
 * the oracle tests cover argument parsing, file handling and output writing too.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { createLimiter, envConcurrency } from './limit.js';

/** The repository root (where package.json is). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The CLI entry point, run through tsx. `COV_CLI_ENTRY` overrides it, e.g. to test a build
 * (`dist/cli/main.js`, the bundled bin).
 */
export const COV_CLI_ENTRY = path.resolve(
  REPO_ROOT,
  process.env['COV_CLI_ENTRY'] ?? path.join('src', 'cli', 'main.ts'),
);

export type ReportFormat = 'lcov' | 'json';

export interface CovReportOptions {
  /** Objects in load order; each becomes one `--object`. */
  readonly objects: readonly string[];
  /** Folder of `.profraw` files, passed as `--profiles`. */
  readonly profilesDir: string;
  readonly format: ReportFormat;
  /** Where the report is written (`--output-path`). */
  readonly outputPath: string;
  /** Appended after the standard arguments. */
  readonly extraArgs?: readonly string[];
  /** Kill the CLI after this many milliseconds (default 10 minutes). */
  readonly timeoutMs?: number;
}

export interface CovReportResult {
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time of the CLI process in milliseconds. */
  readonly durationMs: number;
  /** The full argument vector (first element: node), for messages. */
  readonly command: readonly string[];
  readonly timedOut: boolean;
}

const cliLimiter = createLimiter(envConcurrency('COV_CLI_JOBS', 2));

/** Why the CLI cannot be run, or `undefined` when its entry point exists. */
export function covCliMissing(): string | undefined {
  return existsSync(COV_CLI_ENTRY)
    ? undefined
    : `CLI missing: ${path.relative(REPO_ROOT, COV_CLI_ENTRY)} does not exist`;
}

/**
 * Runs `cov report --lcov|--json --object … --profiles DIR --no-default-ignore-filename-regex
 * --output-path FILE` (at most two at a time, `COV_CLI_JOBS`). Never throws for a non-zero exit:
 * the caller asserts on `exitCode` and shows `stderr`.
 */
export async function runCovReport(options: CovReportOptions): Promise<CovReportResult> {
  const args = [
    '--import',
    'tsx',
    COV_CLI_ENTRY,
    'report',
    `--${options.format}`,
    ...options.objects.flatMap((object) => ['--object', object]),
    '--profiles',
    options.profilesDir,
    '--no-default-ignore-filename-regex',
    '--output-path',
    options.outputPath,
    ...(options.extraArgs ?? []),
  ];
  return cliLimiter.run(async () => {
    const started = performance.now();
    const result = await execa(process.execPath, args, {
      cwd: REPO_ROOT,
      env: { NO_COLOR: '1' },
      reject: false,
      timeout: options.timeoutMs ?? 10 * 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return {
      exitCode: result.exitCode,
      stdout: result.stdout,
      stderr: result.stderr,
      durationMs: Math.round(performance.now() - started),
      command: [process.execPath, ...args],
      timedOut: result.timedOut,
    };
  });
}

/** One-line shell rendering of an argument vector, for copy-paste from a failure message. */
export function formatCommand(command: readonly string[]): string {
  return command
    .map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`))
    .join(' ');
}
