/**
 * The summary table in the shape of `llvm-cov report` (as cargo-llvm-cov prints it by default):
 * one row per file with functions, names relative to the files' common directory, then TOTAL.
 */
import {
  fileView,
  forEachLineCount,
  percent,
  type CoverageSet,
  type CoverageSummary,
  type Ratio,
} from '../model/index.js';
import type { ReportFiles } from './report-files.js';

const HEADERS = [
  'Regions',
  'Missed Regions',
  'Cover',
  'Functions',
  'Missed Functions',
  'Executed',
  'Lines',
  'Missed Lines',
  'Cover',
  'Branches',
  'Missed Branches',
  'Cover',
];
const WIDTHS = [12, 18, 10, 12, 18, 10, 12, 18, 10, 12, 18, 10];
const MIN_NAME_WIDTH = 25;

/** Length of the directory prefix shared by every name (llvm-cov strips it in `report`). */
export function commonPrefixLength(names: readonly string[]): number {
  if (names.length === 0) return 0;
  let prefix = names[0]!;
  for (const name of names) {
    let i = 0;
    while (i < prefix.length && i < name.length && prefix[i] === name[i]) i++;
    prefix = prefix.slice(0, i);
  }
  // like llvm-cov, a single file keeps its full path
  if (names.length === 1) return 0;
  const slash = prefix.lastIndexOf('/');
  return slash + 1;
}

function cover(ratio: Ratio): string {
  return ratio.count === 0 ? '-' : `${percent(ratio).toFixed(2)}%`;
}

function cells(s: CoverageSummary): string[] {
  return [
    String(s.regions.count),
    String(s.regions.count - s.regions.covered),
    cover(s.regions),
    String(s.functions.count),
    String(s.functions.count - s.functions.covered),
    cover(s.functions),
    String(s.lines.count),
    String(s.lines.count - s.lines.covered),
    cover(s.lines),
    String(s.branches.count),
    String(s.branches.count - s.branches.covered),
    cover(s.branches),
  ];
}

/** Options of {@link renderSummaryTable}. */
export interface SummaryTableOptions {
  /**
   * `ptrace`: the data came from the breakpoint engine, which measures lines only: a note line
   * first, and only the Functions and Lines columns (its regions are one per line, and it has no
   * branches).
   */
  readonly engine?: 'instrumented' | 'ptrace';
}

/** First line of every text report from the breakpoint engine. */
export const PTRACE_ENGINE_NOTE =
  'Line coverage from the breakpoint (ptrace) engine: regions and branches are not measured.';

/** Column indices of the Functions and Lines groups in {@link HEADERS}. */
const LINE_ONLY_COLUMNS = [3, 4, 5, 6, 7, 8];

/** Renders the table (ends with a newline). */
export function renderSummaryTable(report: ReportFiles, options: SummaryTableOptions = {}): string {
  const lineOnly = options.engine === 'ptrace';
  const pick = (values: string[]): string[] =>
    lineOnly ? LINE_ONLY_COLUMNS.map((i) => values[i]!) : values;
  const widths = pick(WIDTHS.map(String)).map(Number);
  const line = (name: string, nameWidth: number, values: string[]): string =>
    name.padEnd(nameWidth) +
    pick(values)
      .map((v, i) => v.padStart(widths[i]!))
      .join('');
  const prefix = commonPrefixLength(report.files.map((f) => f.filename));
  const withFunctions = report.files.filter((f) => f.summary.functions.count > 0);
  const empty = report.files.filter((f) => f.summary.functions.count === 0);
  const names = withFunctions.map((f) => f.filename.slice(prefix));
  const nameWidth = Math.max(MIN_NAME_WIDTH, ...names.map((n) => n.length));
  const header = line('Filename', nameWidth, HEADERS);
  const divider = '-'.repeat(header.length);
  const out = lineOnly ? [PTRACE_ENGINE_NOTE, header, divider] : [header, divider];
  withFunctions.forEach((f, i) => out.push(line(names[i]!, nameWidth, cells(f.summary))));
  if (empty.length > 0) {
    out.push('', 'Files which contain no functions:');
    for (const f of empty) out.push(line(f.filename.slice(prefix), nameWidth, cells(f.summary)));
  }
  out.push(divider, line('TOTAL', nameWidth, cells(report.totals)));
  return out.join('\n') + '\n';
}

/** Uncovered lines per file as ranges (`3, 7-9`), for `--show-missing-lines`. */
export function uncoveredLineRanges(set: CoverageSet, filename: string): string[] {
  const ranges: string[] = [];
  let start = -1;
  let end = -1;
  const flush = (): void => {
    if (start > 0) ranges.push(start === end ? String(start) : `${start}-${end}`);
    start = -1;
  };
  forEachLineCount(fileView(set, filename).segments, 1, (line) => {
    if (!line.mapped) return;
    if (line.count === 0n) {
      if (start > 0 && line.line === end + 1) end = line.line;
      else {
        flush();
        start = end = line.line;
      }
    } else flush();
  });
  flush();
  return ranges;
}

/** The `Uncovered Lines:` section cargo-llvm-cov prints with `--show-missing-lines`. */
export function renderMissingLines(set: CoverageSet, report: ReportFiles): string {
  const out = ['', 'Uncovered Lines:'];
  for (const { filename } of report.files) {
    const ranges = uncoveredLineRanges(set, filename);
    if (ranges.length > 0) out.push(`${filename}: ${ranges.join(', ')}`);
  }
  return out.join('\n') + '\n';
}
