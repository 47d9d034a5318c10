/**
 * View models of the `cov compare --html` pages: an index (agreement, totals per category with
 * their explanations, one row per file) and one page per file (the highlighted source with, per
 * line, the instrumented count, the breakpoint count and the line's category). Pure: sources are
 * read through the given callback; the pages are rendered by `writeHtmlPages` of the HTML report
 * with `templates/html/compare-index.hbs` and `compare-file.hbs`.
 *
 * Not re-exported from `src/compare/index.ts`: it loads the report's highlighter, which the text
 * and JSON outputs should not pay for (the CLI imports this module on demand).
 */
import {
  ASSETS_DIR,
  commonDirectoryLength,
  pagePathOf,
  renderSourceHtml,
  type HeaderModel,
  type HtmlPage,
} from '../report/html/index.js';
import { formatCount } from '../report/index.js';
import type { CoverageSet } from '../model/index.js';
import {
  LINE_CATEGORIES,
  agreementPercent,
  type CategoryCounts,
  type ComparedLine,
  type EngineComparison,
  type EngineLine,
  type FileComparison,
  type LineCategory,
} from './compare-engines.js';

/** Template of the index page. */
export const COMPARE_INDEX_TEMPLATE = 'compare-index.hbs';
/** Template of a file page. */
export const COMPARE_FILE_TEMPLATE = 'compare-file.hbs';

/** Agreement at or above this percent is shown as high (the breakpoint engine's target). */
export const AGREEMENT_HIGH_PERCENT = 98;
/** Agreement at or above this percent (and below high) is shown as medium. */
export const AGREEMENT_MEDIUM_PERCENT = 90;

/** How a category reads: agreement, a disagreement on a line both engines measure, one engine only. */
export type CategoryKind = 'agree' | 'disagree' | 'one-engine' | 'unexplained';

/** One category with its line count. */
export interface CategoryCountModel {
  readonly category: LineCategory;
  readonly kind: CategoryKind;
  readonly count: number;
  readonly isZero: boolean;
  readonly explanation: string;
  /** `data-sort` key of the category's column in the index's file table (its cell index − 1). */
  readonly sortKey: number;
}

/** One row of the index's file table. */
export interface CompareFileRow {
  readonly name: string;
  readonly path: string;
  readonly href: string;
  /** Agreement percent with one decimal and `%`, or `–` when no line is coverable in both. */
  readonly agreementText: string;
  /** The agreement percent for sorting (unrounded); -1 when no line is coverable in both. */
  readonly agreementValue: number;
  readonly level: 'high' | 'medium' | 'low' | 'none';
  readonly comparable: number;
  /** One cell per category, in {@link LINE_CATEGORIES} order. */
  readonly counts: readonly CategoryCountModel[];
}

/** The index page. */
export interface CompareIndexModel {
  readonly title: string;
  readonly header: HeaderModel;
  readonly rootName: string;
  readonly agreementText: string;
  readonly level: CompareFileRow['level'];
  readonly comparable: number;
  readonly agreeing: number;
  readonly highPercent: number;
  readonly mediumPercent: number;
  /** Every category with its total and explanation. */
  readonly categories: readonly CategoryCountModel[];
  readonly hasFiles: boolean;
  readonly fileCount: number;
  readonly files: readonly CompareFileRow[];
}

/** One source line of a file page. */
export interface CompareLineModel {
  readonly number: number;
  readonly anchor: string;
  /** Our markup around escaped, highlighted source text (empty when the source is unreadable). */
  readonly codeHtml: string;
  /** Instrumented line count, or empty when no region maps the line. */
  readonly instrumentedText: string;
  readonly instrumentedTitle: string;
  readonly instrumentedStatus: 'covered' | 'uncovered' | 'none';
  /** Breakpoint hits, or empty when the line has no line-table address. */
  readonly breakpointText: string;
  readonly breakpointTitle: string;
  readonly breakpointStatus: 'covered' | 'uncovered' | 'none';
  readonly hasCategory: boolean;
  /** The line's category, or empty when neither engine can measure it. */
  readonly category: string;
  readonly kind: CategoryKind | 'none';
  readonly explanation: string;
}

/** A file page. */
export interface CompareFileModel {
  readonly title: string;
  readonly header: HeaderModel;
  readonly filename: string;
  readonly displayName: string;
  readonly agreementText: string;
  readonly level: CompareFileRow['level'];
  readonly comparable: number;
  /** Categories with at least one line in this file. */
  readonly categories: readonly CategoryCountModel[];
  readonly sourceAvailable: boolean;
  /** Lines where the engines disagree or nothing explains the difference (navigation stops). */
  readonly stopCount: number;
  readonly lines: readonly CompareLineModel[];
}

/** Input of {@link buildComparePages}. */
export interface ComparePagesInput {
  readonly comparison: EngineComparison;
  /** Source bytes of a file, or undefined when unreadable. */
  readonly readSource: (filename: string) => Uint8Array | undefined;
  /** Metadata shown in the header (toolchain, creation time): the instrumented set's. */
  readonly metadata?: CoverageSet['metadata'];
}

/** Kind of a category. */
export function categoryKind(category: LineCategory): CategoryKind {
  switch (category) {
    case 'both-covered':
    case 'both-uncovered':
      return 'agree';
    case 'instrumented-only-covered':
    case 'breakpoint-only-covered':
    case 'no-address-inlined':
      return 'disagree';
    case 'unexplained':
      return 'unexplained';
    default:
      return 'one-engine';
  }
}

function categoryCounts(
  counts: CategoryCounts,
  keepZero: boolean,
  explanations: Readonly<Record<LineCategory, string>>,
): CategoryCountModel[] {
  return LINE_CATEGORIES.filter((c) => keepZero || counts[c] > 0).map((category) => ({
    category,
    kind: categoryKind(category),
    count: counts[category],
    isZero: counts[category] === 0,
    explanation: explanations[category],
    // after the name, agreement and comparable cells
    sortKey: LINE_CATEGORIES.indexOf(category) + 2,
  }));
}

function agreementOf(counts: CategoryCounts): {
  agreementText: string;
  level: CompareFileRow['level'];
  comparable: number;
} {
  const { comparable, agreement } = agreementPercent(counts);
  if (comparable === 0) return { agreementText: '–', level: 'none', comparable };
  // floor to one decimal, so 99.96 % of lines never reads as 100.0 %
  const text = `${(Math.floor(agreement * 10) / 10).toFixed(1)}%`;
  const level =
    agreement >= AGREEMENT_HIGH_PERCENT
      ? 'high'
      : agreement >= AGREEMENT_MEDIUM_PERCENT
        ? 'medium'
        : 'low';
  return { agreementText: text, level, comparable };
}

function engineCell(
  engine: EngineLine | undefined,
  what: string,
): { text: string; title: string; status: 'covered' | 'uncovered' | 'none' } {
  if (engine === undefined || !engine.coverable) {
    return { text: '', title: `not coverable (${what})`, status: 'none' };
  }
  return {
    text: formatCount(engine.count),
    title: engine.count.toString(),
    status: engine.count === 0n ? 'uncovered' : 'covered',
  };
}

function header(
  metadata: CoverageSet['metadata'] | undefined,
  depth: number,
  sameRun: boolean,
): HeaderModel {
  const up = '../'.repeat(depth);
  return {
    toolchain: metadata?.toolchain ?? '',
    hasToolchain: metadata?.toolchain !== undefined,
    createdAt: metadata?.createdAt ?? '',
    hasCreatedAt: metadata?.createdAt !== undefined,
    engineLabel: sameRun ? 'instrumented vs breakpoint, one run' : 'instrumented vs breakpoint',
    isBreakpointEngine: false,
    assetsPath: `${up}${ASSETS_DIR}/`,
    indexHref: `${up}index.html`,
  };
}

function buildLines(
  file: FileComparison,
  bytes: Uint8Array | undefined,
  explanations: Readonly<Record<LineCategory, string>>,
): {
  available: boolean;
  lines: CompareLineModel[];
  stops: number;
} {
  const byLine = new Map<number, ComparedLine>(file.lines.map((l) => [l.line, l]));
  const stopLines = new Set(
    file.lines
      .filter((l) => {
        const kind = categoryKind(l.category);
        return kind === 'disagree' || kind === 'unexplained';
      })
      .map((l) => l.line),
  );
  const source = renderSourceHtml(file.filename, bytes, stopLines);
  const lastCompared = file.lines.length === 0 ? 0 : file.lines[file.lines.length - 1]!.line;
  const count = Math.max(source.lines.length, lastCompared);
  const lines: CompareLineModel[] = [];
  for (let number = 1; number <= count; number++) {
    const compared = byLine.get(number);
    const instrumented = engineCell(compared?.instrumented, 'no region maps the line');
    const breakpoint = engineCell(compared?.breakpoint, 'no line-table address');
    lines.push({
      number,
      anchor: `L${number}`,
      codeHtml: source.lines[number - 1] ?? '',
      instrumentedText: instrumented.text,
      instrumentedTitle: `instrumented: ${instrumented.title}`,
      instrumentedStatus: instrumented.status,
      breakpointText: breakpoint.text,
      breakpointTitle: `breakpoint: ${breakpoint.title}`,
      breakpointStatus: breakpoint.status,
      hasCategory: compared !== undefined,
      category: compared?.category ?? '',
      kind: compared === undefined ? 'none' : categoryKind(compared.category),
      explanation: compared === undefined ? '' : explanations[compared.category],
    });
  }
  return { available: source.available, lines, stops: stopLines.size };
}

/**
 * Builds every page of the comparison view: one file page per compared file (page paths as the
 * HTML report names them) and the index.
 * @returns pages for `writeHtmlPages`, the index last
 */
export function buildComparePages(input: ComparePagesInput): HtmlPage[] {
  const { comparison } = input;
  const names = comparison.files.map((f) => f.filename);
  const prefix = commonDirectoryLength(names);
  const rootName = names.length === 0 ? '' : names[0]!.slice(0, prefix);
  const displayNameOf = (filename: string): string =>
    filename.startsWith(rootName) && filename.length > prefix ? filename.slice(prefix) : filename;

  const pages: HtmlPage[] = [];
  const rows: CompareFileRow[] = [];
  for (const file of comparison.files) {
    const displayName = displayNameOf(file.filename);
    const path = pagePathOf(file.filename, displayName);
    const agreement = agreementOf(file.counts);
    const built = buildLines(file, input.readSource(file.filename), comparison.explanations);
    const model: CompareFileModel = {
      title: `${displayName} — cov compare`,
      header: header(input.metadata, 1, comparison.sameRun),
      filename: file.filename,
      displayName,
      ...agreement,
      categories: categoryCounts(file.counts, false, comparison.explanations),
      sourceAvailable: built.available,
      stopCount: built.stops,
      lines: built.lines,
    };
    pages.push({ path, template: COMPARE_FILE_TEMPLATE, model });
    const { comparable, agreement: percent } = agreementPercent(file.counts);
    rows.push({
      name: displayName,
      path: displayName,
      href: path,
      ...agreement,
      agreementValue: comparable === 0 ? -1 : percent,
      counts: categoryCounts(file.counts, true, comparison.explanations),
    });
  }
  const totals = agreementOf(comparison.totals);
  const index: CompareIndexModel = {
    title: 'cov compare — instrumented vs breakpoint',
    header: header(input.metadata, 0, comparison.sameRun),
    rootName,
    ...totals,
    agreeing: comparison.totals['both-covered'] + comparison.totals['both-uncovered'],
    highPercent: AGREEMENT_HIGH_PERCENT,
    mediumPercent: AGREEMENT_MEDIUM_PERCENT,
    categories: categoryCounts(comparison.totals, true, comparison.explanations),
    hasFiles: rows.length > 0,
    fileCount: rows.length,
    files: rows,
  };
  pages.push({ path: 'index.html', template: COMPARE_INDEX_TEMPLATE, model: index });
  return pages;
}
