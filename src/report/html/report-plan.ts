/**
 * What every page of one HTML report shares: the metrics shown, the common directory, display names
 * and page paths of files, and the header facts (toolchain, creation time, engine).
 */
import type { CoverageSet } from '../../model/index.js';
import type { ReportFiles } from '../report-files.js';
import { selectMetrics, type MetricKey } from './metrics.js';
import { ASSETS_DIR, commonDirectoryLength, pagePathOf } from './page-paths.js';
import type { HeaderModel } from './view-model.js';

/** Shared facts of one report. */
export interface HtmlReportPlan {
  readonly metrics: readonly MetricKey[];
  /** Common directory of every file (ends in `/`), or empty. */
  readonly rootName: string;
  /** Path of a file relative to `rootName`. */
  readonly displayNameOf: (filename: string) => string;
  /** Page path of a file relative to the report root (`files/….html`). */
  readonly pagePathOf: (filename: string) => string;
  /** Header of a page at `depth` folders below the report root (0 = index, 1 = file pages). */
  readonly headerAt: (depth: number) => HeaderModel;
}

/** Plans the report of `report` (files of `set`). */
export function planHtmlReport(set: CoverageSet, report: ReportFiles): HtmlReportPlan {
  const names = report.files.map((f) => f.filename);
  const prefix = commonDirectoryLength(names);
  const rootName = names.length === 0 ? '' : names[0]!.slice(0, prefix);
  const displayNameOf = (filename: string): string =>
    filename.startsWith(rootName) && filename.length > prefix ? filename.slice(prefix) : filename;
  const pages = new Map<string, string>();
  const metadata = set.metadata;
  const isBreakpointEngine = metadata.engine === 'ptrace';
  return {
    metrics: selectMetrics(report.totals, metadata.engine),
    rootName,
    displayNameOf,
    pagePathOf: (filename) => {
      let page = pages.get(filename);
      if (page === undefined) {
        page = pagePathOf(filename, displayNameOf(filename));
        pages.set(filename, page);
      }
      return page;
    },
    headerAt: (depth) => {
      const up = '../'.repeat(depth);
      return {
        toolchain: metadata.toolchain ?? '',
        hasToolchain: metadata.toolchain !== undefined,
        createdAt: metadata.createdAt ?? '',
        hasCreatedAt: metadata.createdAt !== undefined,
        engineLabel: isBreakpointEngine
          ? 'breakpoint (line coverage)'
          : 'instrumented (-C instrument-coverage)',
        isBreakpointEngine,
        assetsPath: `${up}${ASSETS_DIR}/`,
        indexHref: `${up}index.html`,
      };
    },
  };
}
