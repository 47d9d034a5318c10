/**
 * Text and JSON renderings of an {@link EngineComparison}: the agreement table per file and in
 * total, each disagreement category with its explanation.
 */
import {
  LINE_CATEGORIES,
  agreementPercent,
  type CategoryCounts,
  type EngineComparison,
} from './compare-engines.js';

const SHORT: Readonly<Record<string, string>> = {
  'both-covered': 'Both',
  'both-uncovered': 'Neither',
  'instrumented-only-covered': 'InstrOnly',
  'breakpoint-only-covered': 'BpOnly',
  'no-address-unexecuted': 'NoAddr',
  'no-address-executed': 'NoCode',
  'no-address-inlined': 'Inlined',
  'no-region-generated': 'Generated',
  'no-region-macro': 'Macro',
  'no-region-in-function': 'NoRegion',
  unexplained: 'Unexpl',
};

function agreementText(counts: CategoryCounts): string {
  const { comparable, agreement } = agreementPercent(counts);
  return comparable === 0 ? '-' : `${agreement.toFixed(2)}%`;
}

/**
 * The comparison as a table: one row per file (paths relative to the common prefix) and a TOTAL
 * row, columns = categories, then the agreement percent; a legend explains each category that occurs.
 */
export function renderComparisonText(comparison: EngineComparison): string {
  const names = comparison.files.map((f) => f.filename);
  const prefix = commonDirectoryPrefix(names);
  const header = ['Filename', ...LINE_CATEGORIES.map((c) => SHORT[c]!), 'Agreement'];
  const rows = comparison.files.map((f) => [
    f.filename.slice(prefix.length),
    ...LINE_CATEGORIES.map((c) => String(f.counts[c])),
    agreementText(f.counts),
  ]);
  rows.push([
    'TOTAL',
    ...LINE_CATEGORIES.map((c) => String(comparison.totals[c])),
    agreementText(comparison.totals),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ');
  let out = `${line(header)}\n${'-'.repeat(widths.reduce((a, b) => a + b + 2, -2))}\n`;
  for (const row of rows.slice(0, -1)) out += `${line(row)}\n`;
  out += `${'-'.repeat(widths.reduce((a, b) => a + b + 2, -2))}\n${line(rows[rows.length - 1]!)}\n\n`;
  out += `Agreement on ${comparison.comparable} lines coverable in both engines: ${agreementText(comparison.totals)}\n`;
  for (const category of LINE_CATEGORIES) {
    const count = comparison.totals[category];
    if (count === 0 && category !== 'unexplained') continue;
    out += `  ${SHORT[category]!.padEnd(9)} ${String(count).padStart(7)}  ${category}: ${comparison.explanations[category]}\n`;
  }
  return out;
}

function commonDirectoryPrefix(names: readonly string[]): string {
  if (names.length < 2) return '';
  let prefix = names[0]!;
  for (const name of names) {
    while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
  }
  return prefix.slice(0, prefix.lastIndexOf('/') + 1);
}

/**
 * The comparison as JSON: `{agreement, comparable, categories: {name: count}, explanations, files:
 * [{filename, agreement, categories, lines: [{line, category, instrumented, breakpoint}]}]}`;
 * counts of lines are numbers, execution counts decimal strings (u64).
 */
export function renderComparisonJson(comparison: EngineComparison, withLines = true): string {
  return JSON.stringify({
    agreement: comparison.agreement,
    comparable: comparison.comparable,
    categories: comparison.totals,
    ...(comparison.sameRun ? { sameRun: true } : {}),
    explanations: comparison.explanations,
    files: comparison.files.map((f) => ({
      filename: f.filename,
      agreement: agreementPercent(f.counts).agreement,
      categories: f.counts,
      ...(withLines
        ? {
            lines: f.lines.map((l) => ({
              line: l.line,
              category: l.category,
              instrumented: l.instrumented.coverable ? l.instrumented.count.toString() : null,
              breakpoint: l.breakpoint.coverable ? l.breakpoint.count.toString() : null,
            })),
          }
        : {}),
    })),
  });
}
