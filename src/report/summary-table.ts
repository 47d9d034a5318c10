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

function row(name: string, nameWidth: number, values: string[]): string {
  return name.padEnd(nameWidth) + values.map((v, i) => v.padStart(WIDTHS[i]!)).join('');
}

/** Renders the table (ends with a newline). */
export function renderSummaryTable(report: ReportFiles): string {
  const prefix = commonPrefixLength(report.files.map((f) => f.filename));
  const withFunctions = report.files.filter((f) => f.summary.functions.count > 0);
  const empty = report.files.filter((f) => f.summary.functions.count === 0);
  const names = withFunctions.map((f) => f.filename.slice(prefix));
  const nameWidth = Math.max(MIN_NAME_WIDTH, ...names.map((n) => n.length));
  const header = row('Filename', nameWidth, HEADERS);
  const divider = '-'.repeat(header.length);
  const out = [header, divider];
  withFunctions.forEach((f, i) => out.push(row(names[i]!, nameWidth, cells(f.summary))));
  if (empty.length > 0) {
    out.push('', 'Files which contain no functions:');
    for (const f of empty) out.push(row(f.filename.slice(prefix), nameWidth, cells(f.summary)));
  }
  out.push(divider, row('TOTAL', nameWidth, cells(report.totals)));
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
