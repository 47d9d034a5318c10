/**
 * A source file in the form pages are written from: decoded lines, the highlight runs of each line
 * packed in typed arrays (lengths and class-stack ids, no object per run), and each whole line's
 * runs already written as HTML (one string for the file). Most lines of a page carry no region mark
 * and no stop, so their code cell is a slice of that string. The form holds no string per run and
 * is cheap to hand from the highlighting worker to the main thread.
 */
import { HtmlString, escapeHtml, type HtmlSink } from './html-writer.js';
import type { TextRun } from './highlight.js';
import type { SourceText } from './source-text.js';

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
  /** Line `l`'s runs as HTML are `plainHtml.slice(plainStart[l], plainStart[l + 1])`. */
  readonly plainHtml: string;
  readonly plainStart: Uint32Array;
}

/** The packed part of a {@link HighlightedSource} (what the worker sends with the file's bytes). */
export type PackedHighlight = Omit<HighlightedSource, 'available' | 'text'>;

/**
 * Writes the runs of line `index` that fall in `[from, to)` (UTF-16 offsets into `lineText`),
 * escaped, each inside its highlight spans.
 */
export function writeRuns(
  writer: HtmlSink,
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

/** Class stacks by id (id 0: no class), shared by every source a thread packs. */
export interface ClassStacks {
  readonly openTags: readonly string[];
  readonly depths: readonly number[];
}

/**
 * The class stacks a thread has met: each stack is its parent plus one class, so a scope opened
 * under a stack gives the same id every time.
 */
export class ClassStackTable implements ClassStacks {
  readonly openTags: string[] = [''];
  readonly depths: number[] = [0];
  readonly parents: number[] = [0];
  private readonly children = new Map<string, number>();

  /** The stack `parent` with class `css` inside it. */
  child(parent: number, css: string): number {
    const key = `${parent} ${css}`;
    let id = this.children.get(key);
    if (id === undefined) {
      id = this.openTags.length;
      this.openTags.push(`${this.openTags[parent]!}<span class="${escapeHtml(css)}">`);
      this.depths.push(this.depths[parent]! + 1);
      this.parents.push(parent);
      this.children.set(key, id);
    }
    return id;
  }

  /** The stack of `classes` (outermost first). */
  of(classes: readonly string[]): number {
    let id = 0;
    for (const css of classes) id = this.child(id, css);
    return id;
  }
}

/**
 * Completes a packed highlight from its runs (`runStart` has one entry per line and one more):
 * writes each line's plain HTML.
 */
export function packRuns(
  text: SourceText,
  runStart: Uint32Array,
  runLength: Uint32Array,
  runClass: Uint32Array,
  stacks: ClassStacks,
): PackedHighlight {
  const lineCount = runStart.length - 1;
  const writer = new HtmlString();
  const plainStart = new Uint32Array(lineCount + 1);
  const runsOnly = {
    runStart,
    runLength,
    runClass,
    openTags: stacks.openTags.slice(),
    depths: stacks.depths.slice(),
  };
  const packed = { ...runsOnly, plainHtml: '', plainStart };
  for (let l = 0; l < lineCount; l++) {
    plainStart[l] = writer.text.length;
    const lineText = text.lines[l]?.text ?? '';
    writeRuns(writer, packed, l, lineText, 0, lineText.length);
  }
  plainStart[lineCount] = writer.text.length;
  return { ...runsOnly, plainHtml: writer.text, plainStart };
}

/**
 * Packs highlight runs (one list per line, as {@link highlightLines} gives them) of `text`. A line
 * whose runs do not spell its text (which the highlighter never gives) is shown unhighlighted.
 */
export function packHighlight(
  text: SourceText,
  lines: readonly (readonly TextRun[])[],
  stacks = new ClassStackTable(),
): PackedHighlight {
  let runCount = 0;
  for (const line of lines) runCount += line.length + 1; // room for one plain run per line
  const runStart = new Uint32Array(lines.length + 1);
  const runLength = new Uint32Array(runCount);
  const runClass = new Uint32Array(runCount);
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
      runClass[r] = stacks.of(run.classes);
      r++;
    }
  });
  runStart[lines.length] = r;
  return packRuns(text, runStart, runLength, runClass, stacks);
}
