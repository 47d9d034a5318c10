/**
 * A source file in the form pages are written from: decoded lines, the highlight runs of each line
 * packed in typed arrays (lengths and class-stack ids, no object per run), and each whole line's
 * runs already written as HTML bytes. Most lines of a page carry no region mark and no stop, so
 * their code cell is a copy of those bytes. The form holds no string per run and can be handed
 * from the highlighting worker to the main thread without copying.
 */
import { HtmlWriter, escapeHtml } from './html-writer.js';
import { highlightLines, isRustSource, type TextRun } from './highlight.js';
import { decodeSource, type SourceText } from './source-text.js';

/** A decoded, highlighted source file. Line `l` is 0-based here. */
export interface HighlightedSource {
  /** False when the file could not be read (then it has no lines). */
  readonly available: boolean;
  readonly text: SourceText;
  /** Runs of line `l` are `runStart[l]` up to `runStart[l + 1]`; later lines have none. */
  readonly runStart: Uint32Array;
  /** Length of each run in UTF-16 units of its line's text (runs cover the line in order). */
  readonly runLength: Uint32Array;
  /** Class stack of each run: an index into {@link openTags} and {@link depths}. */
  readonly runClass: Uint32Array;
  /** The `<span class="…">` tags each class stack opens, outermost first ('' for none). */
  readonly openTags: readonly string[];
  /** The number of spans each class stack opens. */
  readonly depths: readonly number[];
  /** Line `l`'s runs as HTML are the bytes `plainHtml[plainStart[l], plainStart[l + 1])`. */
  readonly plainHtml: Uint8Array;
  readonly plainStart: Uint32Array;
}

/** The packed part of a {@link HighlightedSource} (what the worker sends with the file's bytes). */
export type PackedHighlight = Omit<HighlightedSource, 'available' | 'text'>;

/**
 * Writes the runs of line `index` that fall in `[from, to)` (UTF-16 offsets into `lineText`),
 * escaped, each inside its highlight spans.
 */
export function writeRuns(
  writer: HtmlWriter,
  source: PackedHighlight,
  index: number,
  lineText: string,
  from: number,
  to: number,
): void {
  if (index + 1 >= source.runStart.length) return;
  const last = source.runStart[index + 1]!;
  let offset = 0;
  for (let r = source.runStart[index]!; r < last; r++) {
    const end = offset + source.runLength[r]!;
    if (end > from && offset < to) {
      const id = source.runClass[r]!;
      const depth = source.depths[id]!;
      if (depth > 0) writer.raw(source.openTags[id]!);
      writer.code(lineText, offset > from ? offset : from, end < to ? end : to);
      for (let d = 0; d < depth; d++) writer.raw('</span>');
    }
    offset = end;
    if (offset >= to) break;
  }
}

/**
 * Packs highlight runs (one list per line, as {@link highlightLines} gives them) of `text`. A line
 * whose runs do not spell its text (which the highlighter never gives) is shown unhighlighted.
 */
export function packHighlight(
  text: SourceText,
  lines: readonly (readonly TextRun[])[],
): PackedHighlight {
  let runCount = 0;
  for (const line of lines) runCount += line.length + 1; // room for one plain run per line
  const runStart = new Uint32Array(lines.length + 1);
  const runLength = new Uint32Array(runCount);
  const runClass = new Uint32Array(runCount);
  const openTags: string[] = [''];
  const depths: number[] = [0];
  const byStack = new Map<readonly string[], number>();
  const byKey = new Map<string, number>([['', 0]]);
  const classOf = (classes: readonly string[]): number => {
    let id = byStack.get(classes);
    if (id !== undefined) return id;
    const key = classes.join('\n');
    id = byKey.get(key);
    if (id === undefined) {
      id = openTags.length;
      let open = '';
      for (const css of classes) open += `<span class="${escapeHtml(css)}">`;
      openTags.push(open);
      depths.push(classes.length);
      byKey.set(key, id);
    }
    byStack.set(classes, id);
    return id;
  };
  let r = 0;
  lines.forEach((line, l) => {
    runStart[l] = r;
    const lineText = text.lines[l]?.text ?? '';
    let spelled = true;
    let offset = 0;
    for (const run of line) {
      spelled &&= lineText.startsWith(run.text, offset);
      offset += run.text.length;
    }
    if (!spelled || offset !== lineText.length) {
      // one plain run over the text (a line without text has no run)
      if (lineText.length > 0) runLength[r++] = lineText.length;
      return;
    }
    for (const run of line) {
      runLength[r] = run.text.length;
      runClass[r] = run.classes.length === 0 ? 0 : classOf(run.classes);
      r++;
    }
  });
  runStart[lines.length] = r;
  const writer = new HtmlWriter(Math.max(1024, text.text.length * 2));
  const plainStart = new Uint32Array(lines.length + 1);
  const packed = { runStart, runLength, runClass, openTags, depths };
  const runsOnly = { ...packed, plainHtml: EMPTY, plainStart };
  for (let l = 0; l < lines.length; l++) {
    plainStart[l] = writer.length;
    const lineText = text.lines[l]?.text ?? '';
    writeRuns(writer, runsOnly, l, lineText, 0, lineText.length);
  }
  plainStart[lines.length] = writer.length;
  return { ...packed, plainHtml: writer.toBytes(), plainStart };
}

const EMPTY = new Uint8Array(0);

/**
 * Decodes and highlights `bytes`, the content of `filename` (undefined when it could not be read:
 * then an unavailable source without lines), on this thread.
 */
export function highlightSource(
  filename: string,
  bytes: Uint8Array | undefined,
): HighlightedSource {
  const text = decodeSource(bytes ?? EMPTY);
  return {
    available: bytes !== undefined,
    text,
    ...packHighlight(text, highlightLines(text.text, isRustSource(filename))),
  };
}
