/**
 * The view model of one source file page: the file view's lines with counts and region marks,
 * branch annotations, macro expansions at their call sites, and the instantiations of generic
 * functions as sub-views, every number taken from the model (segments, line counts, summaries).
 *
 * One construction serves two ends: {@link buildFilePageModel} gives the model with a line model
 * per line (what the templates render), and {@link buildFilePageHtml} the same model with each
 * view's lines left as a description that {@link writeLinesHtml} writes straight into bytes, as
 * the built-in `lines` partial renders them, without building a line model or a string per line.
 */
import {
  BRANCH_STRIDE,
  CODE_STRIDE,
  F_COLUMN_END,
  F_COLUMN_START,
  F_FILE_ID,
  F_FOLDED,
  F_KIND,
  F_LINE_END,
  F_LINE_START,
  FOLDED_FALSE,
  FOLDED_TRUE,
  KIND_CODE,
  buildSegments,
  expansionView,
  fileView,
  forEachLineCount,
  functionView,
  lineCounts,
  instantiationGroups,
  mainFileId,
  summarizeGroup,
  type BranchRef,
  type CountedSpan,
  type CoverageSet,
  type ExpansionRef,
  type FileCoverageView,
  type FunctionRecord,
  type LineCount,
  type Segment,
} from '../../model/index.js';
import type { FileReport } from '../report-files.js';
import { formatCount } from '../text.js';
import { demangleSymbol } from './demangle.js';
import { highlightSource } from './highlight.js';
import type { HighlightedSource } from './highlighted-source.js';
import { HtmlWriter, escapeField, type HtmlOut } from './html-writer.js';
import { writeLineCode, type LineStop } from './line-markup.js';
import {
  EXPANSION_END,
  GROUP_END,
  INSTANTIATION_END,
  writeExpansionStart,
  writeGroupStart,
  writeInstantiationStart,
  writeRowEnd,
  rowStartHtml,
} from './lines-partial.js';
import { metricCells, metricHeaders, type MetricKey } from './metrics.js';
import type {
  BranchModel,
  ExpansionModel,
  FilePageModel,
  FunctionRowModel,
  HeaderModel,
  InstantiationGroupModel,
  InstantiationModel,
  LineModel,
} from './view-model.js';

const U64_MASK = (1n << 64n) - 1n;
/**
 * Source lines all instantiation sub-views of one page may show together; later sub-views show
 * their counts without source, so a file with many large generic functions stays a usable page.
 */
const MAX_INSTANTIATION_LINES = 20_000;
/**
 * Sub-views per instantiation group. Functions that a macro generates share one start location,
 * so llvm-cov groups them like instantiations (regex: 1,000 test functions at one line).
 */
const MAX_INSTANTIATIONS_SHOWN = 40;
/** Nested macro expansions deeper than this are not expanded further. */
const MAX_EXPANSION_DEPTH = 4;

/** Inputs of {@link buildFilePageModel}. */
export interface FilePageInput {
  readonly set: CoverageSet;
  readonly file: FileReport;
  readonly displayName: string;
  readonly header: HeaderModel;
  readonly metrics: readonly MetricKey[];
  /** Bytes of a source file, or undefined when it cannot be read (lines then show no text). */
  readonly readSource: (filename: string) => Uint8Array | undefined;
  /** Turns a file name into the name shown for it (relative to the report's common directory). */
  readonly displayNameOf: (filename: string) => string;
  /**
   * A source decoded and highlighted (default: {@link readSource}, highlighted on this thread);
   * the HTML report passes sources highlighted ahead on a worker thread.
   */
  readonly loadSource?: (filename: string) => HighlightedSource;
}

/** An expansion sub-view whose lines are `L`. */
export type ExpansionOf<L> = Omit<ExpansionModel, 'lines'> & { readonly lines: L };
/** An instantiation sub-view whose lines are `L`. */
type InstantiationOf<L> = Omit<InstantiationModel, 'lines'> & { readonly lines: L };
/** An instantiation group whose sub-views' lines are `L`. */
export type GroupOf<L> = Omit<InstantiationGroupModel, 'instantiations'> & {
  readonly instantiations: readonly InstantiationOf<L>[];
};
/** A page model whose views' lines are `L`. */
export type FilePageOf<L> = Omit<FilePageModel, 'lines'> & { readonly lines: L };

/**
 * Lines `firstLine..lastLine` of one view, with what hangs off them (sub-views' lines are `L`).
 * Counts are the line counts of the segments from `firstLine` on (llvm-cov's, spec §5.4).
 */
export interface LinesSpec<L> {
  /** The file the lines are shown from (its source is looked up when the lines are written). */
  readonly sourceName: string;
  /** The view's segments (those before `firstLine` give the colour carried into it). */
  readonly segments: readonly Segment[];
  readonly firstLine: number;
  readonly lastLine: number;
  /**
   * The lines go on to the source's last line when it is past `lastLine` (a page's own lines, whose
   * source is read only when they are written).
   */
  readonly toSourceEnd?: boolean;
  /** Prefix of the lines' anchors (`g0-i1-` in a sub-view, empty on the page). */
  readonly anchorPrefix: string;
  readonly extras: LineExtras<L>;
}

/**
 * The lines of a view as {@link writeLinesHtml} writes them (undefined: none). They name their
 * sources instead of holding them, so that they can be written where the sources are (the page
 * script, in the browser); an expansion's `macroName` is left empty and read from its call site's
 * source when written.
 */
export type HtmlLines = LinesSpec<HtmlLines> | undefined;

/** What a page holds for a view's lines: line models, or their description for the writer. */
interface LinesMaker<L> {
  readonly make: (context: PageContext<L>, spec: LinesSpec<L>) => L;
  /** The lines of a sub-view shown without source. */
  readonly none: L;
  /**
   * Whether sources are read while the page is built (line models hold the highlighted text);
   * otherwise whatever depends on a source is settled when the lines are written.
   */
  readonly readsSources: boolean;
}

/** Per-page state: decoded sources, id counters. */
interface PageContext<L> {
  readonly input: FilePageInput;
  readonly maker: LinesMaker<L>;
  readonly sources: Map<string, HighlightedSource>;
  nextId: number;
  /** Source lines that instantiation sub-views may still add to the page. */
  lineBudget: number;
}

function loadSource<L>(context: PageContext<L>, filename: string): HighlightedSource {
  let loaded = context.sources.get(filename);
  if (loaded === undefined) {
    const { input } = context;
    loaded =
      input.loadSource === undefined
        ? highlightSource(filename, input.readSource(filename))
        : input.loadSource(filename);
    context.sources.set(filename, loaded);
  }
  return loaded;
}

/** Count fields of a line model. */
type CountTexts = Pick<LineModel, 'status' | 'countText' | 'countTitle'>;

const UNMAPPED: CountTexts = { status: 'unmapped', countText: '', countTitle: '' };
const NO_STOPS: readonly LineStop[] = [];
const NO_BRANCHES: readonly BranchModel[] = [];
const NO_EXPANSIONS: readonly never[] = [];
const NO_GROUPS: readonly never[] = [];

function countTexts(line: LineCount | undefined): CountTexts {
  if (line === undefined || !line.mapped) return UNMAPPED;
  return {
    status: line.count === 0n ? 'uncovered' : 'covered',
    countText: formatCount(line.count),
    countTitle: line.count.toString(),
  };
}

interface BranchSum {
  readonly line: number;
  readonly column: number;
  trueCount: bigint;
  falseCount: bigint;
  trueFolded: boolean;
  falseFolded: boolean;
}

/** Branches by line: one entry per start location, counts summed (u64) as llvm-cov's export does. */
function branchesByLine(refs: readonly BranchRef[]): Map<number, BranchModel[]> {
  const sums = new Map<string, BranchSum>();
  for (const { record, index } of refs) {
    const o = index * BRANCH_STRIDE;
    const folded = record.branches[o + F_FOLDED]!;
    const trueFolded = (folded & FOLDED_TRUE) !== 0;
    const falseFolded = (folded & FOLDED_FALSE) !== 0;
    if (trueFolded && falseFolded) continue;
    const line = record.branches[o + F_LINE_START]!;
    const column = record.branches[o + F_COLUMN_START]!;
    const key = `${line}:${column}`;
    const sum = sums.get(key);
    if (sum === undefined) {
      sums.set(key, {
        line,
        column,
        trueCount: record.branchTrueCounts[index]!,
        falseCount: record.branchFalseCounts[index]!,
        trueFolded,
        falseFolded,
      });
    } else {
      sum.trueCount = (sum.trueCount + record.branchTrueCounts[index]!) & U64_MASK;
      sum.falseCount = (sum.falseCount + record.branchFalseCounts[index]!) & U64_MASK;
      sum.trueFolded &&= trueFolded;
      sum.falseFolded &&= falseFolded;
    }
  }
  const byLine = new Map<number, BranchModel[]>();
  const ordered = [...sums.values()].sort((a, b) => a.line - b.line || a.column - b.column);
  for (const sum of ordered) {
    const side = (count: bigint, folded: boolean): [string, string] =>
      folded ? ['folded', 'folded'] : [formatCount(count), count === 0n ? 'uncovered' : 'covered'];
    const [trueText, trueStatus] = side(sum.trueCount, sum.trueFolded);
    const [falseText, falseStatus] = side(sum.falseCount, sum.falseFolded);
    const list = byLine.get(sum.line) ?? [];
    list.push({
      column: sum.column,
      trueText,
      trueStatus,
      falseText,
      falseStatus,
      title: `branch at ${sum.line}:${sum.column}: true ${sum.trueFolded ? 'folded' : sum.trueCount}, false ${sum.falseFolded ? 'folded' : sum.falseCount}`,
    });
    byLine.set(sum.line, list);
  }
  return byLine;
}

/** Everything hung off lines of one (sub-)view whose sub-views' lines are `L`. */
export interface LineExtras<L> {
  readonly branches: Map<number, BranchModel[]>;
  readonly expansions: Map<number, ExpansionOf<L>[]>;
  readonly expansionColumns: Map<number, number>;
  readonly stops: Map<number, LineStop[]>;
  readonly instantiations: Map<number, GroupOf<L>[]>;
}

function emptyExtras<L>(): LineExtras<L> {
  return {
    branches: new Map(),
    expansions: new Map(),
    expansionColumns: new Map(),
    stops: new Map(),
    instantiations: new Map(),
  };
}

function countsOf<L>(spec: LinesSpec<L>): readonly (LineCount | undefined)[] {
  const list: (LineCount | undefined)[] = [];
  forEachLineCount(spec.segments, spec.firstLine, (line) => {
    list[line.line] = line;
  });
  return list;
}

/** Index of the first segment on `firstLine` or later. */
function firstSegmentFrom(segments: readonly Segment[], firstLine: number): number {
  let next = 0;
  while (next < segments.length && segments[next]!.line < firstLine) next++;
  return next;
}

let codeWriter: HtmlWriter | undefined;

/**
 * Line models of a view: counts from the view's segments (llvm-cov's line counts), HTML from the
 * source with the segments' region marks.
 */
function buildLineModels(
  context: PageContext<readonly LineModel[]>,
  spec: LinesSpec<readonly LineModel[]>,
): LineModel[] {
  const { segments, firstLine, lastLine, anchorPrefix, extras } = spec;
  const source = loadSource(context, spec.sourceName);
  const byLine = countsOf(spec);
  let next = firstSegmentFrom(segments, firstLine);
  let wrapped = next > 0 ? segments[next - 1] : undefined;
  const lines: LineModel[] = [];
  for (let number = firstLine; number <= lastLine; number++) {
    const start = next;
    while (next < segments.length && segments[next]!.line === number) next++;
    codeWriter ??= new HtmlWriter();
    codeWriter.reset();
    writeLineCode(
      codeWriter,
      source,
      number - 1,
      segments,
      start,
      next,
      wrapped,
      extras.expansionColumns.get(number) ?? 0,
      extras.stops.get(number) ?? NO_STOPS,
    );
    const codeHtml = codeWriter.textFrom(0);
    if (next > start) wrapped = segments[next - 1];
    const branches = extras.branches.get(number) ?? NO_BRANCHES;
    const expansions = extras.expansions.get(number) ?? NO_EXPANSIONS;
    const instantiationGroups = extras.instantiations.get(number) ?? NO_GROUPS;
    const texts = countTexts(byLine[number]);
    lines.push({
      number,
      anchor: `${anchorPrefix}L${number}`,
      status: texts.status,
      countText: texts.countText,
      countTitle: texts.countTitle,
      codeHtml,
      branches,
      hasBranches: branches.length > 0,
      expansions,
      hasExpansions: expansions.length > 0,
      instantiationGroups,
      hasInstantiationGroups: instantiationGroups.length > 0,
    });
  }
  return lines;
}

/**
 * Writes the lines of `spec` (undefined: none) as the built-in `lines` partial renders their line
 * models, sub-views included, with the sources `sourceOf` gives for their file names.
 */
export function writeLinesHtml(
  w: HtmlOut,
  spec: HtmlLines,
  sourceOf: (filename: string) => HighlightedSource,
): void {
  if (spec === undefined) return;
  const { segments, firstLine, extras } = spec;
  const source = sourceOf(spec.sourceName);
  const lastLine =
    spec.toSourceEnd === true ? Math.max(source.text.lines.length, spec.lastLine) : spec.lastLine;
  const anchor = escapeField(spec.anchorPrefix);
  const byLine = countsOf(spec);
  let next = firstSegmentFrom(segments, firstLine);
  let wrapped = next > 0 ? segments[next - 1] : undefined;
  // most views have few extras, many none: look lines up only in maps that hold something
  const { expansionColumns, stops, branches: branchMap, expansions, instantiations } = extras;
  const anyColumns = expansionColumns.size > 0;
  const anyStops = stops.size > 0;
  const anyBranches = branchMap.size > 0;
  const anyExpansions = expansions.size > 0;
  const anyInstantiations = instantiations.size > 0;
  for (let number = firstLine; number <= lastLine; number++) {
    const start = next;
    while (next < segments.length && segments[next]!.line === number) next++;
    const count = byLine[number];
    // status words and count digits need no escaping
    if (count === undefined || !count.mapped) {
      w.raw(rowStartHtml(anchor, number, 'unmapped', '', ''));
    } else {
      const title = count.count.toString();
      const text = count.count < 1000n ? title : formatCount(count.count);
      w.raw(
        rowStartHtml(anchor, number, count.count === 0n ? 'uncovered' : 'covered', title, text),
      );
    }
    writeLineCode(
      w,
      source,
      number - 1,
      segments,
      start,
      next,
      wrapped,
      (anyColumns && expansionColumns.get(number)) || 0,
      (anyStops && stops.get(number)) || NO_STOPS,
    );
    if (next > start) wrapped = segments[next - 1];
    const branches = anyBranches ? branchMap.get(number) : undefined;
    writeRowEnd(w, branches !== undefined && branches.length > 0, branches ?? NO_BRANCHES);
    if (anyExpansions) {
      for (const expansion of expansions.get(number) ?? NO_EXPANSIONS) {
        const macroName = macroNameAt(source, number, expansion.column);
        writeExpansionStart(w, { ...expansion, macroName });
        writeLinesHtml(w, expansion.lines, sourceOf);
        w.raw(EXPANSION_END);
      }
    }
    if (anyInstantiations) {
      for (const group of instantiations.get(number) ?? NO_GROUPS) {
        writeGroupStart(w, group);
        for (const instantiation of group.instantiations) {
          writeInstantiationStart(w, instantiation);
          if (!instantiation.hasLines) continue;
          writeLinesHtml(w, instantiation.lines, sourceOf);
          w.raw(INSTANTIATION_END);
        }
        w.raw(GROUP_END);
      }
    }
  }
}

const MODEL_LINES: LinesMaker<readonly LineModel[]> = {
  make: buildLineModels,
  none: [],
  readsSources: true,
};
const HTML_LINES: LinesMaker<HtmlLines> = {
  make: (_context, spec) => spec,
  none: undefined,
  readsSources: false,
};

function regionStart(record: FunctionRecord, regionIndex: number): [number, number] {
  const o = regionIndex * CODE_STRIDE;
  return [record.regions[o + F_LINE_START]!, record.regions[o + F_COLUMN_START]!];
}

/** Spans of one file id of a record (the input of an expansion view's segments). */
function spansOfFileId(record: FunctionRecord, fileId: number, into: CountedSpan[]): void {
  const r = record.regions;
  for (let i = 0, o = 0; o < r.length; i++, o += CODE_STRIDE) {
    if (r[o + F_FILE_ID] !== fileId) continue;
    into.push({
      lineStart: r[o + F_LINE_START]!,
      columnStart: r[o + F_COLUMN_START]!,
      lineEnd: r[o + F_LINE_END]!,
      columnEnd: r[o + F_COLUMN_END]!,
      kind: r[o + F_KIND]!,
      count: record.regionCounts[i]!,
    });
  }
}

/** The macro name written at an expansion's call site (`name!`), or empty. */
function macroNameAt(source: HighlightedSource, line: number, column: number): string {
  const sourceLine = source.text.lines[line - 1];
  if (sourceLine === undefined || sourceLine.bytes !== undefined) return '';
  const match = /^[A-Za-z_][A-Za-z0-9_:]*!/.exec(sourceLine.text.slice(column - 1));
  return match?.[0] ?? '';
}

/**
 * Expansion sub-views at their call sites. Expansions of several records (instantiations) at the
 * same call site are shown once, their regions joined the way a file view joins them (segments).
 */
function addExpansions<L>(
  context: PageContext<L>,
  callSite: string,
  refs: readonly ExpansionRef[],
  extras: LineExtras<L>,
  depth: number,
): void {
  const bySite = new Map<string, ExpansionRef[]>();
  for (const ref of refs) {
    const [line, column] = regionStart(ref.record, ref.regionIndex);
    const target = ref.record.filenames[ref.expandedFileId] ?? '';
    const key = `${line}:${column}:${target}`;
    const list = bySite.get(key) ?? [];
    list.push(ref);
    bySite.set(key, list);
  }
  for (const group of bySite.values()) {
    const first = group[0]!;
    const [line, column] = regionStart(first.record, first.regionIndex);
    if (!extras.expansionColumns.has(line)) extras.expansionColumns.set(line, column);
    const target = first.record.filenames[first.expandedFileId] ?? '';
    const spans: CountedSpan[] = [];
    const branches: BranchRef[] = [];
    const nested: ExpansionRef[] = [];
    for (const ref of group) {
      spansOfFileId(ref.record, ref.expandedFileId, spans);
      const view = expansionView(ref);
      branches.push(...view.branches);
      nested.push(...view.expansions);
    }
    const segments = buildSegments(spans);
    if (segments.length === 0) continue;
    let firstLine = Infinity;
    let lastLine = 0;
    for (const span of spans) {
      firstLine = Math.min(firstLine, span.lineStart);
      lastLine = Math.max(lastLine, span.lineEnd);
    }
    const id = `e${context.nextId++}`;
    const inner = emptyExtras<L>();
    for (const [l, list] of branchesByLine(branches)) inner.branches.set(l, list);
    if (depth + 1 < MAX_EXPANSION_DEPTH) addExpansions(context, target, nested, inner, depth + 1);
    const list = extras.expansions.get(line) ?? [];
    list.push({
      id,
      macroName: context.maker.readsSources
        ? macroNameAt(loadSource(context, callSite), line, column)
        : '',
      column,
      origin: `${context.input.displayNameOf(target)}:${firstLine}`,
      lines: context.maker.make(context, {
        sourceName: target,
        segments,
        firstLine,
        lastLine,
        anchorPrefix: `${id}-`,
        extras: inner,
      }),
    });
    extras.expansions.set(line, list);
  }
}

/**
 * Navigation stops of a file: the start of each uncovered code region of the file view (identical
 * spans joined, count 0 in every copy), leaving out those inside an earlier stop's region, so `n`
 * walks uncovered blocks rather than every nested region of an unexecuted function. Each stop is a
 * region that a summary counted as missed.
 * @param spans the file view's regions, sorted (identical ones adjacent, code first among them)
 */
function regionStops(spans: readonly CountedSpan[]): { line: number; column: number }[] {
  const stops: { line: number; column: number }[] = [];
  let lastLineEnd = 0;
  let lastColumnEnd = 0;
  let i = 0;
  while (i < spans.length) {
    const span = spans[i]!;
    let uncovered = span.kind === KIND_CODE;
    let j = i + 1;
    for (; j < spans.length; j++) {
      const next = spans[j]!;
      if (
        next.kind !== span.kind ||
        next.lineStart !== span.lineStart ||
        next.columnStart !== span.columnStart ||
        next.lineEnd !== span.lineEnd ||
        next.columnEnd !== span.columnEnd
      ) {
        break;
      }
    }
    for (let k = i; uncovered && k < j; k++) uncovered = spans[k]!.count === 0n;
    i = j;
    if (!uncovered) continue;
    const inside =
      stops.length > 0 &&
      (span.lineEnd < lastLineEnd ||
        (span.lineEnd === lastLineEnd && span.columnEnd <= lastColumnEnd));
    if (inside) continue;
    stops.push({ line: span.lineStart, column: span.columnStart });
    lastLineEnd = span.lineEnd;
    lastColumnEnd = span.columnEnd;
  }
  return stops;
}

/** The file view of `filename` with its region stops instead of its regions. */
function fileViewWithStops(
  set: CoverageSet,
  filename: string,
): Omit<FileCoverageView, 'spans'> & { readonly regionStops: { line: number; column: number }[] } {
  const { spans, ...view } = fileView(set, filename);
  return { ...view, regionStops: set.metadata.engine === 'ptrace' ? [] : regionStops(spans) };
}

/** Stops of the breakpoint engine: the first line of each run of uncovered lines. */
function lineStops(counts: readonly LineCount[]): { line: number; column: number }[] {
  const stops: { line: number; column: number }[] = [];
  let previousUncovered = false;
  for (const line of counts) {
    const uncovered = line.mapped && line.count === 0n;
    if (uncovered && !previousUncovered) stops.push({ line: line.line, column: 1 });
    if (line.mapped) previousUncovered = uncovered;
  }
  return stops;
}

/** First line and last line of a record's main-file code regions. */
function extentOf(record: FunctionRecord): [number, number] {
  const main = mainFileId(record);
  let first = Infinity;
  let last = 0;
  const r = record.regions;
  for (let o = 0; o < r.length; o += CODE_STRIDE) {
    if (r[o + F_FILE_ID] !== main) continue;
    first = Math.min(first, r[o + F_LINE_START]!);
    last = Math.max(last, r[o + F_LINE_END]!);
  }
  return [first, last];
}

const readableNames = new WeakMap<FunctionRecord, string>();

/** The demangled name of a record (memoised: groups of macro-made functions hold thousands). */
function readableName(record: FunctionRecord): string {
  let name = readableNames.get(record);
  if (name === undefined) {
    name = demangleSymbol(record.name);
    readableNames.set(record, name);
  }
  return name;
}

/** Spans of a record's main file id (the input of its function view's segments). */
function mainSpans(record: FunctionRecord, into: CountedSpan[]): void {
  const main = mainFileId(record);
  if (main !== undefined) spansOfFileId(record, main, into);
}

/**
 * Instantiation sub-views of a group. Records with the same readable name (the same generic
 * arguments, e.g. one function compiled into several test binaries) form one sub-view: their
 * regions joined as a file view joins them, their summary the group maximum (the model's
 * `summarizeGroup`). Without source lines when the page's line budget is spent.
 */
function buildInstantiations<L>(
  context: PageContext<L>,
  sourceName: string,
  records: readonly FunctionRecord[],
  firstLine: number,
  lastLine: number,
  groupId: string,
): InstantiationOf<L>[] {
  const byName = new Map<string, FunctionRecord[]>();
  for (const record of records) {
    const name = readableName(record);
    const list = byName.get(name) ?? [];
    list.push(record);
    byName.set(name, list);
  }
  if (byName.size < 2) return [];
  const metrics = context.input.metrics.filter((key) => key !== 'functions');
  return [...byName].slice(0, MAX_INSTANTIATIONS_SHOWN).map(([name, members], i) => {
    const id = `${groupId}-i${i}`;
    const first = members[0]!;
    const summary = summarizeGroup({ line: firstLine, column: 0, records: members });
    const extras = emptyExtras<L>();
    const branches: BranchRef[] = [];
    const spans: CountedSpan[] = [];
    for (const record of members) {
      if (record.branches.length > 0) branches.push(...functionView(record).branches);
      mainSpans(record, spans);
    }
    for (const [l, list] of branchesByLine(branches)) extras.branches.set(l, list);
    const lineCount = lastLine - firstLine + 1;
    const withSource = context.lineBudget >= lineCount;
    if (withSource) context.lineBudget -= lineCount;
    return {
      id,
      name,
      mangledName: first.name,
      executionCountText: formatCount(summary.executionCount),
      isExecuted: summary.executionCount !== 0n,
      cells: metricCells(metrics, { ...summary, functions: { count: 0, covered: 0 } }),
      hasLines: withSource,
      lines: withSource
        ? context.maker.make(context, {
            sourceName,
            segments: buildSegments(spans),
            firstLine,
            lastLine,
            anchorPrefix: `${id}-`,
            extras,
          })
        : context.maker.none,
    };
  });
}

/**
 * Builds the page model of `input.file`.
 * @returns the model; `sourceAvailable` is false when the source could not be read
 */
export function buildFilePageModel(input: FilePageInput): FilePageModel {
  return buildPage(input, MODEL_LINES);
}

/**
 * Builds the page model of `input.file` with each view's lines described for
 * {@link writeLinesHtml} instead of as line models: the page's own lines are `lines`.
 */
export function buildFilePageHtml(input: FilePageInput): FilePageOf<HtmlLines> {
  return buildPage(input, HTML_LINES);
}

function buildPage<L>(input: FilePageInput, maker: LinesMaker<L>): FilePageOf<L> {
  const { set, file } = input;
  const filename = file.filename;
  const context: PageContext<L> = {
    input,
    maker,
    sources: new Map(),
    nextId: 0,
    lineBudget: MAX_INSTANTIATION_LINES,
  };
  // the view's regions are let go once the stops are found (a file's regions can be many)
  const view = fileViewWithStops(set, filename);
  // line counts run from line 1 to the last segment's line (forEachLineCount)
  const countedLast = view.segments[view.segments.length - 1]?.line ?? 0;
  const source = maker.readsSources ? loadSource(context, filename) : undefined;
  const lastLine =
    source === undefined ? countedLast : Math.max(source.text.lines.length, countedLast);

  const extras = emptyExtras<L>();
  for (const [line, list] of branchesByLine(view.branches)) extras.branches.set(line, list);
  addExpansions(context, filename, view.expansions, extras, 0);

  const stops =
    set.metadata.engine === 'ptrace' ? lineStops(lineCounts(view.segments, 1)) : view.regionStops;
  stops.forEach((stop, i) => {
    const list = extras.stops.get(stop.line) ?? [];
    list.push({ line: stop.line, column: stop.column, id: `stop-${i}` });
    extras.stops.set(stop.line, list);
  });

  const functions: FunctionRowModel[] = [];
  const rowMetrics = input.metrics.filter((key) => key !== 'functions');
  instantiationGroups(set, filename).forEach((group, g) => {
    const summary = summarizeGroup(group);
    const first = group.records[0]!;
    functions.push({
      name: demangleSymbol(first.name, { withHash: false }),
      line: group.line,
      href: `#L${group.line}`,
      executionCountText: formatCount(summary.executionCount),
      isExecuted: summary.executionCount !== 0n,
      instantiationCount: group.records.length,
      hasInstantiations: group.records.length > 1,
      cells: metricCells(rowMetrics, { ...summary, functions: { count: 0, covered: 0 } }),
    });
    if (group.records.length < 2) return;
    let firstLine = group.line;
    let endLine = group.line;
    for (const record of group.records) {
      const [a, b] = extentOf(record);
      firstLine = Math.min(firstLine, a);
      endLine = Math.max(endLine, b);
    }
    const id = `g${g}`;
    const instantiations = buildInstantiations(
      context,
      filename,
      group.records,
      firstLine,
      endLine,
      id,
    );
    if (instantiations.length === 0) return;
    const distinctNames = new Set(group.records.map(readableName)).size;
    const list = extras.instantiations.get(endLine) ?? [];
    list.push({
      id,
      name: demangleSymbol(first.name, { withHash: false, withGenericArgs: false }),
      count: distinctNames,
      executedCount: instantiations.filter((i) => i.isExecuted).length,
      moreCount: distinctNames - instantiations.length,
      hasMore: distinctNames > instantiations.length,
      instantiations,
    });
    extras.instantiations.set(endLine, list);
  });

  return {
    header: input.header,
    title: `${input.displayName} — coverage`,
    filename,
    displayName: input.displayName,
    metrics: metricHeaders(input.metrics),
    hasMetrics: input.metrics.length > 0,
    cells: metricCells(input.metrics, file.summary),
    // no source read yet: the report sets it from the source it reads (write-html.ts)
    sourceAvailable: source?.available ?? true,
    lines: maker.make(context, {
      sourceName: filename,
      segments: view.segments,
      firstLine: 1,
      lastLine,
      ...(source === undefined ? { toSourceEnd: true } : {}),
      anchorPrefix: '',
      extras,
    }),
    functions,
    functionMetrics: metricHeaders(rowMetrics),
    hasFunctions: functions.length > 0,
    stopCount: stops.length,
  };
}
