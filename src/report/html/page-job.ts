/**
 * A file page handed to another thread to be written: the page's HTML around its source table
 * (rendered by Handlebars on the main thread) and the description of its lines ({@link HtmlLines}),
 * whose segments travel packed in typed arrays (transferred, not copied) rather than as one object
 * per segment. The thread that writes the page holds the highlighted sources; the page names them.
 *
 * {@link writePageBytes} is the one way a page with the built-in templates becomes bytes, on the
 * main thread and on the source worker alike, so the pages are the same bytes either way.
 */
import type { Segment } from '../../model/index.js';
import {
  writeLinesHtml,
  type ExpansionOf,
  type GroupOf,
  type HtmlLines,
  type LineExtras,
  type LinesSpec,
} from './file-page.js';
import type { HighlightedSource } from './highlighted-source.js';
import type { HtmlWriter } from './html-writer.js';

/** Segments packed by {@link packLines}: `pos` holds line and column of segment `i` at `2i`, `2i + 1`. */
export interface PackedSegments {
  readonly pos: Uint32Array;
  /** u64 counts. */
  readonly counts: BigUint64Array;
  /** Bit 0: hasCount, bit 1: isRegionEntry, bit 2: isGap. */
  readonly flags: Uint8Array;
}

/** {@link HtmlLines} with every view's segments packed. */
export type PackedLines = LinesSpec<PackedLines, PackedSegments> | undefined;

/** A page for the source worker to write. */
export interface PageJob {
  /** The page's file (absolute path); written atomically. */
  readonly path: string;
  /** The source file the page shows. */
  readonly filename: string;
  /** The page's HTML before and after its source table. */
  readonly head: string;
  readonly tail: string;
  readonly lines: PackedLines;
}

const HAS_COUNT = 1;
const REGION_ENTRY = 2;
const GAP = 4;

function packSegments(segments: readonly Segment[], transfer: ArrayBuffer[]): PackedSegments {
  const pos = new Uint32Array(segments.length * 2);
  const counts = new BigUint64Array(segments.length);
  const flags = new Uint8Array(segments.length);
  segments.forEach((s, i) => {
    pos[2 * i] = s.line;
    pos[2 * i + 1] = s.col;
    counts[i] = s.count;
    flags[i] =
      (s.hasCount ? HAS_COUNT : 0) | (s.isRegionEntry ? REGION_ENTRY : 0) | (s.isGap ? GAP : 0);
  });
  transfer.push(pos.buffer, counts.buffer, flags.buffer);
  return { pos, counts, flags };
}

function unpackSegments(packed: PackedSegments): Segment[] {
  const { pos, counts, flags } = packed;
  const segments: Segment[] = new Array<Segment>(flags.length);
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i]!;
    segments[i] = {
      line: pos[2 * i]!,
      col: pos[2 * i + 1]!,
      count: counts[i]!,
      hasCount: (f & HAS_COUNT) !== 0,
      isRegionEntry: (f & REGION_ENTRY) !== 0,
      isGap: (f & GAP) !== 0,
    };
  }
  return segments;
}

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
 * `lines` with every view's segments packed; the typed arrays' buffers are added to `transfer`.
 */
export function packLines(lines: HtmlLines, transfer: ArrayBuffer[]): PackedLines {
  if (lines === undefined) return undefined;
  return {
    ...lines,
    segments: packSegments(lines.segments, transfer),
    extras: mapExtras(lines.extras, (inner: HtmlLines) => packLines(inner, transfer)),
  };
}

/** The lines {@link packLines} packed. */
export function unpackLines(lines: PackedLines): HtmlLines {
  if (lines === undefined) return undefined;
  return {
    ...lines,
    segments: unpackSegments(lines.segments),
    extras: mapExtras(lines.extras, unpackLines),
  };
}

/** The marked place in a page skeleton where the source table goes (see `LINES_MARK`). */
export function splitSkeleton(
  skeleton: string,
  mark: string,
): { readonly head: string; readonly tail: string } | undefined {
  const at = skeleton.indexOf(mark);
  if (at === -1 || skeleton.indexOf(mark, at + 1) !== -1) return undefined;
  return { head: skeleton.slice(0, at), tail: skeleton.slice(at + mark.length) };
}

/** The bytes of a page: `head`, the page's source table written from `lines`, `tail`. */
export function writePageBytes(
  writer: HtmlWriter,
  head: string,
  lines: HtmlLines,
  tail: string,
  sourceOf: (filename: string) => HighlightedSource,
): Uint8Array {
  writer.reset();
  writer.raw(head);
  writeLinesHtml(writer, lines, sourceOf);
  writer.raw(tail);
  return writer.toBytes();
}
