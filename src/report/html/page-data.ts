/**
 * A file page's source table as data for the page script ({@link PageData}): the description of
 * its lines ({@link HtmlLines}) as JSON (segments as number triples, counts as numbers or decimal
 * strings, the extras' maps as entry lists), with the sources they show. The lines name their
 * sources instead of holding them, so the page script highlights them in the browser.
 */
import type { Segment } from '../../model/index.js';
import type { ExpansionOf, GroupOf, HtmlLines, LineExtras } from './file-page.js';
import type { LineStop } from './line-markup.js';
import type { BranchModel } from './view-model.js';

const HAS_COUNT = 1;
const REGION_ENTRY = 2;
const GAP = 4;

/** `extras` with the lines of its sub-views mapped by `map`. */
function mapExtras<A, B>(extras: LineExtras<A>, map: (lines: A) => B): LineExtras<B> {
  const expansions = new Map<number, ExpansionOf<B>[]>();
  for (const [line, list] of extras.expansions) {
    expansions.set(
      line,
      list.map((e) => ({ ...e, lines: map(e.lines) })),
    );
  }
  const instantiations = new Map<number, GroupOf<B>[]>();
  for (const [line, list] of extras.instantiations) {
    instantiations.set(
      line,
      list.map((g) => ({
        ...g,
        instantiations: g.instantiations.map((i) => ({ ...i, lines: map(i.lines) })),
      })),
    );
  }
  return { ...extras, expansions, instantiations };
}

/**
 * The lines of a view as JSON data for the page script: segments as (line, column, flags)
 * triples, counts as numbers (decimal strings above 2^53), the maps of the view's extras as
 * entry lists.
 */
export interface LinesData {
  readonly sourceName: string;
  readonly firstLine: number;
  readonly lastLine: number;
  readonly toSourceEnd: boolean;
  readonly anchorPrefix: string;
  readonly seg: readonly number[];
  readonly counts: readonly (number | string)[];
  readonly branches: readonly [number, readonly BranchModel[]][];
  readonly columns: readonly [number, number][];
  readonly stops: readonly [number, readonly LineStop[]][];
  readonly expansions: readonly [number, readonly ExpansionOf<LinesData | null>[]][];
  readonly instantiations: readonly [number, readonly GroupOf<LinesData | null>[]][];
}

/** Element id of the page's {@link PageData} (a `<script type="application/json">`). */
export const PAGE_DATA_ID = 'cov-data';

/** What the page script renders a page's source table from. */
export interface PageData {
  /** Every source the lines show, by file name: its bytes in base64, or null when unreadable. */
  readonly sources: Readonly<Record<string, string | null>>;
  readonly lines: LinesData | null;
}

const SAFE_COUNT = BigInt(Number.MAX_SAFE_INTEGER);

/** `lines` as {@link LinesData}; the file names of the sources they show are added to `names`. */
export function linesToData(lines: HtmlLines, names: Set<string>): LinesData | null {
  if (lines === undefined) return null;
  names.add(lines.sourceName);
  const seg: number[] = [];
  const counts: (number | string)[] = [];
  for (const s of lines.segments) {
    seg.push(
      s.line,
      s.col,
      (s.hasCount ? HAS_COUNT : 0) | (s.isRegionEntry ? REGION_ENTRY : 0) | (s.isGap ? GAP : 0),
    );
    counts.push(s.count <= SAFE_COUNT ? Number(s.count) : s.count.toString());
  }
  const { extras } = lines;
  const inner = mapExtras(extras, (sub: HtmlLines) => linesToData(sub, names));
  return {
    sourceName: lines.sourceName,
    firstLine: lines.firstLine,
    lastLine: lines.lastLine,
    toSourceEnd: lines.toSourceEnd === true,
    anchorPrefix: lines.anchorPrefix,
    seg,
    counts,
    branches: [...extras.branches],
    columns: [...extras.expansionColumns],
    stops: [...extras.stops],
    expansions: [...inner.expansions],
    instantiations: [...inner.instantiations],
  };
}

/** The lines {@link linesToData} described. */
export function linesFromData(data: LinesData | null): HtmlLines {
  if (data === null) return undefined;
  const segments: Segment[] = [];
  for (let i = 0; i < data.counts.length; i++) {
    const f = data.seg[3 * i + 2]!;
    segments.push({
      line: data.seg[3 * i]!,
      col: data.seg[3 * i + 1]!,
      count: BigInt(data.counts[i]!),
      hasCount: (f & HAS_COUNT) !== 0,
      isRegionEntry: (f & REGION_ENTRY) !== 0,
      isGap: (f & GAP) !== 0,
    });
  }
  const packed: LineExtras<LinesData | null> = {
    branches: new Map(data.branches.map(([l, list]) => [l, [...list]])),
    expansionColumns: new Map(data.columns),
    stops: new Map(data.stops.map(([l, list]) => [l, [...list]])),
    expansions: new Map(data.expansions.map(([l, list]) => [l, [...list]])),
    instantiations: new Map(data.instantiations.map(([l, list]) => [l, [...list]])),
  };
  return {
    sourceName: data.sourceName,
    segments,
    firstLine: data.firstLine,
    lastLine: data.lastLine,
    ...(data.toSourceEnd ? { toSourceEnd: true } : {}),
    anchorPrefix: data.anchorPrefix,
    extras: mapExtras(packed, linesFromData),
  };
}
