/**
 * The files a report covers and their summaries, computed once and shared by every renderer.
 */
import {
  addSummaries,
  summarizeFile,
  type CoverageSet,
  type CoverageSummary,
  type FileFilter,
} from '../model/index.js';

/** One reported file with its summary. */
export interface FileReport {
  readonly filename: string;
  readonly summary: CoverageSummary;
}

/** Files kept by `filter`, in llvm-cov's (byte) order, with summaries and totals. */
export interface ReportFiles {
  readonly files: readonly FileReport[];
  readonly totals: CoverageSummary;
}

/** Selects and summarises the files of `set` kept by `filter`. */
export function prepareReportFiles(set: CoverageSet, filter: FileFilter): ReportFiles {
  const files = set.files
    .filter((filename) => filter(filename))
    .map((filename) => ({ filename, summary: summarizeFile(set, filename) }));
  return { files, totals: addSummaries(files.map((f) => f.summary)) };
}
