/**
 * The assertion shared by the oracle and corpus tests: run `cov report`, then compare its output
 * file byte for byte with an expected llvm-cov export.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { covCliMissing, formatCommand, runCovReport, type ReportFormat } from './cov-cli.js';
import { compareCovJson, compareLcov } from './output-diff.js';

export interface ReportCheck {
  /** Objects in load order. */
  readonly objects: readonly string[];
  readonly profilesDir: string;
  readonly format: ReportFormat;
  /** Where our report goes; any old file there is removed first. */
  readonly outputPath: string;
  /** llvm-cov's export for the same inputs. */
  readonly expectedPath: string;
}

export interface ReportCheckResult {
  /** Whether our output matched. */
  readonly matched: boolean;
  /** Wall time of `cov report`, or `undefined` when it did not run. */
  readonly durationMs: number | undefined;
}

/**
 * Runs `cov report --lcov|--json` and asserts (with `t.pass`/`t.fail`) that it exits 0 and that
 * its output equals the expected export: byte for byte for lcov, and after removing the leading
 * `cov` key for JSON. Failure messages hold the first difference, both file paths and the command.
 */
export async function checkReportMatches(
  t: ExecutionContext,
  check: ReportCheck,
): Promise<ReportCheckResult> {
  const missing = covCliMissing();
  if (missing !== undefined) {
    t.fail(missing);
    return { matched: false, durationMs: undefined };
  }

  await mkdir(path.dirname(check.outputPath), { recursive: true });
  await rm(check.outputPath, { force: true });
  const run = await runCovReport({
    objects: check.objects,
    profilesDir: check.profilesDir,
    format: check.format,
    outputPath: check.outputPath,
  });
  const rerun = `rerun:    ${formatCommand(run.command)}`;
  if (run.exitCode !== 0) {
    const stderr = run.stderr.trimEnd().split('\n').slice(-30).join('\n');
    t.fail(
      [
        `cov exited with ${run.timedOut ? 'a timeout' : String(run.exitCode)}`,
        rerun,
        `stderr (last 30 lines):\n${stderr}`,
      ].join('\n'),
    );
    return { matched: false, durationMs: run.durationMs };
  }

  const ours = await readFile(check.outputPath).catch(() => undefined);
  if (ours === undefined) {
    t.fail(`cov exited 0 but did not write ${check.outputPath}\n${rerun}`);
    return { matched: false, durationMs: run.durationMs };
  }
  const expected = await readFile(check.expectedPath);
  const difference =
    check.format === 'lcov' ? compareLcov(ours, expected) : compareCovJson(ours, expected);
  if (difference !== undefined) {
    t.fail(
      [difference, `ours:     ${check.outputPath}`, `llvm-cov: ${check.expectedPath}`, rerun].join(
        '\n',
      ),
    );
    return { matched: false, durationMs: run.durationMs };
  }
  t.pass();
  return { matched: true, durationMs: run.durationMs };
}
