/**
 * The view models the HTML templates render: plain JSON-able objects (counts as text), built from a
 * `CoverageSet` and its `ReportFiles` by {@link buildIndexModel} and {@link buildFilePageModel}.
 * Fields named `*Html` hold markup our code produced from escaped text; templates print them with
 * `{{{ }}}`, everything else with `{{ }}` (escaped by Handlebars).
 */
import type { MetricCell, MetricKey } from './metrics.js';

/** Facts shown in every page header. */
export interface HeaderModel {
  readonly toolchain: string;
  readonly hasToolchain: boolean;
  /** ISO 8601 creation time of the coverage data. */
  readonly createdAt: string;
  readonly hasCreatedAt: boolean;
  /** `instrumented (-C instrument-coverage)` or `breakpoint (line coverage)`. */
  readonly engineLabel: string;
  readonly isBreakpointEngine: boolean;
  /** Relative path from the page to the assets folder, ending in `/`. */
  readonly assetsPath: string;
  /** Relative link from the page to the index page. */
  readonly indexHref: string;
}

/** A column header of a metric. */
export interface MetricHeader {
  readonly key: MetricKey;
  readonly label: string;
}

/** A row of the index tables (a directory or a file). */
export interface IndexRow {
  readonly id: string;
  /** Id of the parent directory row; empty at the top. */
  readonly parentId: string;
  readonly depth: number;
  readonly isDirectory: boolean;
  /** Name within its parent (tree) or path relative to the common directory (flat). */
  readonly name: string;
  /** Path relative to the common directory (what the name filter matches). */
  readonly path: string;
  /** Link to the file page (files only; empty for directories). */
  readonly href: string;
  /** Level of the row's line coverage (or its first metric's), for the level filter. */
  readonly level: string;
  readonly cells: readonly MetricCell[];
}

/** The index page. */
export interface IndexModel {
  readonly header: HeaderModel;
  readonly title: string;
  /** Common directory of every file (shown above the table). */
  readonly rootName: string;
  readonly metrics: readonly MetricHeader[];
  readonly hasMetrics: boolean;
  readonly totals: readonly MetricCell[];
  readonly fileCount: number;
  readonly treeRows: readonly IndexRow[];
  readonly flatRows: readonly IndexRow[];
  readonly hasFiles: boolean;
  readonly levelMediumPercent: number;
  readonly levelHighPercent: number;
}

/** A branch (true/false sides) starting on a line. */
export interface BranchModel {
  readonly column: number;
  readonly trueText: string;
  readonly falseText: string;
  /** `covered`, `uncovered` or `folded`. */
  readonly trueStatus: string;
  readonly falseStatus: string;
  /** Exact counts, for the tooltip. */
  readonly title: string;
}

/** A macro expansion shown at its call site. */
export interface ExpansionModel {
  readonly id: string;
  /** `name!` as written at the call site, or empty. */
  readonly macroName: string;
  readonly column: number;
  /** Where the expanded code comes from, e.g. `src/lib.rs:12`. */
  readonly origin: string;
  readonly lines: readonly LineModel[];
}

/** One instantiation of a generic function. */
export interface InstantiationModel {
  readonly id: string;
  readonly name: string;
  readonly mangledName: string;
  readonly executionCountText: string;
  readonly isExecuted: boolean;
  readonly cells: readonly MetricCell[];
  /** False when the page's line budget left this sub-view without source lines. */
  readonly hasLines: boolean;
  readonly lines: readonly LineModel[];
}

/** The instantiations of one function, shown after its last line. */
export interface InstantiationGroupModel {
  readonly id: string;
  readonly name: string;
  /** Distinct instantiations (by readable name). */
  readonly count: number;
  /** Executed ones among those shown. */
  readonly executedCount: number;
  /** Instantiations left out of the sub-views (the page shows at most 40 per function). */
  readonly moreCount: number;
  readonly hasMore: boolean;
  readonly instantiations: readonly InstantiationModel[];
}

/** One source line with its count and what hangs off it. */
export interface LineModel {
  readonly number: number;
  /** Element id (`L12`; sub-views prefix their own id). */
  readonly anchor: string;
  /** `covered`, `uncovered` or `unmapped`. */
  readonly status: string;
  /** Count as llvm-cov show prints it (`1.23k`), empty when unmapped. */
  readonly countText: string;
  /** Exact count, empty when unmapped. */
  readonly countTitle: string;
  /** The highlighted line with region marks. */
  readonly codeHtml: string;
  readonly branches: readonly BranchModel[];
  readonly hasBranches: boolean;
  readonly expansions: readonly ExpansionModel[];
  readonly hasExpansions: boolean;
  readonly instantiationGroups: readonly InstantiationGroupModel[];
  readonly hasInstantiationGroups: boolean;
}

/** A function (instantiation group) of a file, for the file page's function table. */
export interface FunctionRowModel {
  readonly name: string;
  readonly line: number;
  readonly href: string;
  readonly executionCountText: string;
  readonly isExecuted: boolean;
  readonly instantiationCount: number;
  readonly hasInstantiations: boolean;
  readonly cells: readonly MetricCell[];
}

/** A source file page. */
export interface FilePageModel {
  readonly header: HeaderModel;
  readonly title: string;
  /** The file's path as reported (full path). */
  readonly filename: string;
  /** Path relative to the report's common directory. */
  readonly displayName: string;
  readonly metrics: readonly MetricHeader[];
  readonly hasMetrics: boolean;
  readonly cells: readonly MetricCell[];
  readonly sourceAvailable: boolean;
  readonly lines: readonly LineModel[];
  readonly functions: readonly FunctionRowModel[];
  /** Metric columns of the function table (all but functions). */
  readonly functionMetrics: readonly MetricHeader[];
  readonly hasFunctions: boolean;
  /** Number of navigation stops (uncovered regions, or uncovered line runs). */
  readonly stopCount: number;
}
