/**
 * Codecov's JSON coverage format: `{"coverage": {"<file>": {"<line>": hits | "covered/total"}}}`.
 *
 * Lines are the lcov `DA` lines with their counts. A covered line on which some counted region has
 * a zero count (an untaken `else`, a closure never called) is partial: `"covered/total"` counts the
 * counted, non-gap segments in effect on the line (`LineCount.segmentsOnLine`). Hits are exact
 * integers, so counts above 2^53 − 1 are written as that value (JSON numbers are doubles).
 *
 * @see https://docs.codecov.com/docs/codecov-custom-coverage-format
 */
import { fileView, forEachLineCount, type CoverageSet } from '../model/index.js';
import { quoteJson } from './json.js';
import type { ReportFiles } from './report-files.js';

/** Options of {@link renderCodecov}. */
export interface CodecovOptions {
  /** Maps a filename to the name written (relative to the repository root). */
  readonly nameOf: (filename: string) => string;
  /** No partial lines (line-only engines, where regions are not measured). */
  readonly lineOnly?: boolean;
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Renders the Codecov JSON of the report's files.
 * @returns JSON text ending with a newline
 */
export function renderCodecov(
  set: CoverageSet,
  report: ReportFiles,
  options: CodecovOptions,
): string {
  const files: string[] = [];
  for (const { filename } of report.files) {
    const lines: string[] = [];
    forEachLineCount(fileView(set, filename).segments, 1, (line) => {
      if (!line.mapped) return;
      let value: string;
      if (line.count !== 0n && options.lineOnly !== true && line.uncoveredSegmentsOnLine > 0) {
        const total = line.segmentsOnLine;
        value = `"${total - line.uncoveredSegmentsOnLine}/${total}"`;
      } else {
        value = String(line.count > MAX_EXACT ? MAX_EXACT : line.count);
      }
      lines.push(`"${line.line}":${value}`);
    });
    files.push(`${quoteJson(options.nameOf(filename))}:{${lines.join(',')}}`);
  }
  return `{"coverage":{${files.join(',')}}}\n`;
}
