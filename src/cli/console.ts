/**
 * Everything cov prints besides reports: warnings, errors, progress. Colour follows NO_COLOR,
 * FORCE_COLOR and whether stderr is a TTY (picocolors); progress only on a TTY.
 */
import pc from 'picocolors';
import type { Diagnostic } from '../binary/index.js';

const colors = pc.createColors(
  process.env['NO_COLOR'] === undefined &&
    (process.env['FORCE_COLOR'] !== undefined || process.stderr.isTTY === true),
);

/** Prints one line to stderr. */
export function printError(message: string): void {
  process.stderr.write(`${colors.red(colors.bold('error'))}: ${message}\n`);
}

/** Prints diagnostics, grouping long runs of the same code after the first few. */
export function printDiagnostics(diagnostics: readonly Diagnostic[], verbose: boolean): void {
  const byCode = new Map<string, Diagnostic[]>();
  for (const d of diagnostics) {
    const list = byCode.get(d.code) ?? [];
    list.push(d);
    byCode.set(d.code, list);
  }
  const limit = verbose ? Infinity : 5;
  for (const [code, list] of byCode) {
    for (const d of list.slice(0, limit)) {
      process.stderr.write(`${colors.yellow('warning')}: ${d.message}\n`);
    }
    if (list.length > limit) {
      process.stderr.write(
        `${colors.yellow('warning')}: … and ${list.length - limit} more ${code} warnings (--verbose lists them)\n`,
      );
    }
  }
}

/** A progress line on stderr when it is a TTY and not quiet; nothing otherwise. */
export function createProgress(quiet: boolean): (message: string) => void {
  if (quiet || process.stderr.isTTY !== true) return () => {};
  return (message) => process.stderr.write(`${colors.dim(colors.cyan('cov'))} ${message}\n`);
}

export { colors };
