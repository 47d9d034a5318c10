/**
 * Annotated source in the shape of `llvm-cov show` (text): per file a header, then each line with
 * its number, its count (blank when unmapped) and the source text.
 */
import { fileView, forEachLineCount, type CoverageSet } from '../model/index.js';
import type { ReportFiles } from './report-files.js';
import { PTRACE_ENGINE_NOTE } from './summary-table.js';

/** Formats a count as llvm-cov show does: exact below 1000, else k/M/G/T/P/E with 2 decimals. */
export function formatCount(count: bigint): string {
  if (count < 1000n) return count.toString();
  const units = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
  let unit = 0;
  let value = Number(count);
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(2)}${units[unit]}`;
}

/**
 * Renders every reported file; `readSource` returns its text or undefined when unreadable (the
 * lines are then shown without source).
 */
export function renderText(
  set: CoverageSet,
  report: ReportFiles,
  readSource: (filename: string) => string | undefined,
): string {
  const out: string[] = set.metadata.engine === 'ptrace' ? [PTRACE_ENGINE_NOTE, ''] : [];
  for (const { filename } of report.files) {
    const source = readSource(filename);
    const sourceLines = source === undefined ? [] : source.split(/\r?\n/);
    if (sourceLines.length > 0 && sourceLines[sourceLines.length - 1] === '') sourceLines.pop();
    const counts = new Map<number, bigint>();
    let lastLine = sourceLines.length;
    forEachLineCount(fileView(set, filename).segments, 1, (l) => {
      if (l.mapped) counts.set(l.line, l.count);
      lastLine = Math.max(lastLine, l.line);
    });
    const numberWidth = Math.max(5, String(lastLine).length);
    out.push(`${filename}:`);
    for (let line = 1; line <= lastLine; line++) {
      const count = counts.get(line);
      const countText = count === undefined ? '' : formatCount(count);
      out.push(
        `${String(line).padStart(numberWidth)}|${countText.padStart(7)}|${sourceLines[line - 1] ?? ''}`,
      );
    }
    out.push('');
  }
  return out.join('\n');
}
