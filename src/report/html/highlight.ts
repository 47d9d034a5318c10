/**
 * Rust syntax highlighting with highlight.js (core + the rust grammar only, on a private instance).
 * The whole file is highlighted once, so block comments and strings that span lines keep their
 * colour, and the result is cut into per-line runs of plain text, each with the stack of highlight
 * classes around it. The runs hold unescaped text: {@link renderLineHtml} escapes every character it
 * writes.
 *
 * The runs come straight from highlight.js's token stream through an emitter of our own, instead of
 * rendering highlight.js's HTML and parsing it back: same runs, without building and re-reading an
 * HTML string of the whole file. A run ends wherever highlight.js's HTML would have a tag (a scope
 * opened or closed), so the runs equal those of that HTML.
 *
 * highlight.js is loaded on first use, with `require` (a CommonJS package: importing it as ES
 * module costs a scan of its source): a report whose sources a worker highlights never loads it on
 * the main thread.
 */
import { createRequire } from 'node:module';
import type { HLJSApi, HLJSOptions, LanguageFn } from 'highlight.js';
import {
  ClassStackTable,
  packRuns,
  type HighlightedSource,
  type PackedHighlight,
} from './highlighted-source.js';
import { decodeSource, type SourceText } from './source-text.js';

/** A run of source text inside the same highlight spans (outermost class first). */
export interface TextRun {
  readonly text: string;
  readonly classes: readonly string[];
}

/** Whether a file gets Rust highlighting (by extension). */
export function isRustSource(filename: string): boolean {
  return filename.endsWith('.rs');
}

const CLASS_PREFIX = 'hljs-';
const cssClasses = new Map<string, string>();

/** The class attribute highlight.js's HTML renderer writes for a scope (`title.function` → `hljs-title function_`). */
function cssClassOf(scope: string): string {
  let css = cssClasses.get(scope);
  if (css === undefined) {
    if (scope.startsWith('language:')) css = scope.replace('language:', 'language-');
    else {
      const [first, ...rest] = scope.split('.');
      css = [`${CLASS_PREFIX}${first}`, ...rest.map((x, i) => `${x}${'_'.repeat(i + 1)}`)].join(
        ' ',
      );
    }
    cssClasses.set(scope, css);
  }
  return css;
}

/**
 * Collects highlight.js's token stream as runs: text with the classes of the scopes open around it.
 * Scopes without a name open no span in highlight.js's HTML and change no classes here.
 */
class RunEmitter {
  /** Runs in file order; texts may hold `\n`. */
  readonly runs: TextRun[] = [];
  /** Open scopes, `undefined` for unnamed ones. */
  private readonly scopes: (string | undefined)[] = [];
  /** Classes of the named open scopes, shared by the runs written under them. */
  private classes: readonly string[] = [];
  /** Text since the last tag (one run). */
  private pending = '';

  /** Ends the current run: highlight.js's HTML has a tag here. */
  private flush(): void {
    if (this.pending !== '') this.runs.push({ text: this.pending, classes: this.classes });
    this.pending = '';
  }

  addText(text: string): void {
    this.pending += text;
  }

  openNode(scope: string | undefined): void {
    this.scopes.push(scope);
    if (!scope) return;
    this.flush();
    this.classes = [...this.classes, cssClassOf(scope)];
  }

  closeNode(): void {
    if (this.scopes.length === 0 || !this.scopes.pop()) return;
    this.flush();
    this.classes = this.classes.slice(0, -1);
  }

  startScope(scope: string): void {
    this.openNode(scope);
  }

  endScope(): void {
    this.closeNode();
  }

  __addSublanguage(emitter: RunEmitter, name: string): void {
    if (name) this.openNode(`language:${name}`);
    this.flush();
    const outer = this.classes;
    for (const run of emitter.runs)
      this.runs.push({ text: run.text, classes: [...outer, ...run.classes] });
    if (name) this.closeNode();
  }

  finalize(): boolean {
    this.flush();
    return true;
  }

  toHTML(): string {
    return '';
  }
}

/** Class stacks of the sources this thread highlights (shared: stack ids stay small). */
const stacks = new ClassStackTable();

/**
 * Collects highlight.js's token stream as offsets instead of text: where in the source each span
 * tag falls and the class stack after it. The text between two tags is one run, as in
 * {@link RunEmitter}, without building the run's text.
 */
class OffsetEmitter {
  /** Source offset (UTF-16 units) of each tag, in order. */
  readonly tagAt: number[] = [];
  /** Class stack id after each tag. */
  readonly stackAfter: number[] = [];
  private offset = 0;
  /** Open scopes: the stack id around each (unnamed scopes repeat their parent's). */
  private readonly scopes: number[] = [];
  private stack = 0;

  addText(text: string): void {
    this.offset += text.length;
  }

  openNode(scope: string | undefined): void {
    this.scopes.push(this.stack);
    if (!scope) return;
    this.stack = stacks.child(this.stack, cssClassOf(scope));
    this.tag();
  }

  closeNode(): void {
    const outer = this.scopes.pop();
    if (outer === undefined || outer === this.stack) return;
    this.stack = outer;
    this.tag();
  }

  private tag(): void {
    this.tagAt.push(this.offset);
    this.stackAfter.push(this.stack);
  }

  startScope(scope: string): void {
    this.openNode(scope);
  }

  endScope(): void {
    this.closeNode();
  }

  __addSublanguage(): void {
    // the rust grammar has no sub-languages; highlight.js turns this into an unhighlighted result
    throw new Error('sub-languages are not supported');
  }

  finalize(): boolean {
    return true;
  }

  toHTML(): string {
    return '';
  }
}

const require = createRequire(import.meta.url);
const instances = new Map<unknown, HLJSApi>();

/** highlight.js's core and its rust grammar. */
interface HighlightJs {
  readonly core: HLJSApi;
  readonly rust: LanguageFn;
}

/** Where highlight.js comes from: required on first use, unless {@link useHighlightJs} says. */
let highlightJs = (): HighlightJs => ({
  core: require('highlight.js/lib/core') as HLJSApi,
  rust: require('highlight.js/lib/languages/rust') as LanguageFn,
});

/** Highlights with `core` and `rust` (the page script, which has them bundled and no `require`). */
export function useHighlightJs(core: HLJSApi, rust: LanguageFn): void {
  highlightJs = () => ({ core, rust });
}

/** A highlight.js instance with the rust grammar whose token stream goes to `emitter`. */
function highlighter(emitter: typeof RunEmitter | typeof OffsetEmitter): HLJSApi {
  let instance = instances.get(emitter);
  if (instance === undefined) {
    const { core, rust } = highlightJs();
    instance = core.newInstance();
    instance.registerLanguage('rust', rust);
    // highlight.js calls openNode/closeNode besides the Emitter interface its types declare
    instance.configure({ __emitter: emitter as unknown as HLJSOptions['__emitter'] });
    instances.set(emitter, instance);
  }
  return instance;
}

/** The result of `highlight` with the emitter highlight.js ran. */
interface HighlightResult {
  readonly illegal: boolean;
  readonly errorRaised?: unknown;
  readonly _emitter: unknown;
}

/**
 * Decodes and highlights `bytes`, the content of `filename` (undefined when it could not be read:
 * then an unavailable source without lines). The runs equal those of {@link highlightLines} on the
 * decoded text, packed as {@link packHighlight} packs them.
 */
export function highlightSource(
  filename: string,
  bytes: Uint8Array | undefined,
): HighlightedSource {
  const text = decodeSource(bytes ?? new Uint8Array(0));
  return { available: bytes !== undefined, text, ...highlightText(text, isRustSource(filename)) };
}

/** The packed highlight of `text`: with `highlight`, highlight.js's runs; else one run a line. */
export function highlightText(text: SourceText, highlight: boolean): PackedHighlight {
  let tagAt: readonly number[] = [];
  let stackAfter: readonly number[] = [];
  // (an empty text has no runs either way: highlight.js need not be loaded for it)
  if (highlight && text.text !== '') {
    const result = highlighter(OffsetEmitter).highlight(text.text, {
      language: 'rust',
      ignoreIllegals: true,
    }) as HighlightResult;
    // highlight.js gives up on a file it cannot parse and returns it unhighlighted
    if (!result.illegal && result.errorRaised === undefined) {
      const emitter = result._emitter as OffsetEmitter;
      tagAt = emitter.tagAt;
      stackAfter = emitter.stackAfter;
    }
  }
  // lines as text.text.split('\n') gives them
  const lineCount = Math.max(1, text.lines.length);
  const runStart = new Uint32Array(lineCount + 1);
  const capacity = lineCount + tagAt.length + 1;
  const runLength = new Uint32Array(capacity);
  const runClass = new Uint32Array(capacity);
  let r = 0;
  let tag = 0;
  let stack = 0;
  let lineStart = 0;
  for (let l = 0; l < lineCount; l++) {
    runStart[l] = r;
    const lineEnd = lineStart + (text.lines[l]?.text.length ?? 0);
    let at = lineStart;
    while (at < lineEnd) {
      // tags at or before this point set the stack of the text that follows
      while (tag < tagAt.length && tagAt[tag]! <= at) stack = stackAfter[tag++]!;
      const end = tag < tagAt.length && tagAt[tag]! < lineEnd ? tagAt[tag]! : lineEnd;
      runLength[r] = end - at;
      runClass[r] = stack;
      r++;
      at = end;
    }
    lineStart = lineEnd + 1; // the '\n'
  }
  runStart[lineCount] = r;
  return packRuns(text, runStart, runLength, runClass, stacks);
}

function plainLines(text: string): TextRun[][] {
  return text.split('\n').map((line) => [{ text: line, classes: [] }]);
}

/**
 * Splits `text` into lines of runs. With `highlight`, the runs carry highlight.js classes; without,
 * each line is one unclassed run. Line count equals `text.split('\n').length`.
 */
export function highlightLines(text: string, highlight: boolean): TextRun[][] {
  if (!highlight) return plainLines(text);
  const result = highlighter(RunEmitter).highlight(text, {
    language: 'rust',
    ignoreIllegals: true,
  }) as {
    illegal: boolean;
    errorRaised?: unknown;
    _emitter: unknown;
  };
  // highlight.js gives up on a file it cannot parse and returns it unhighlighted
  if (result.illegal || result.errorRaised !== undefined) return plainLines(text);
  const lines: TextRun[][] = [[]];
  for (const run of (result._emitter as RunEmitter).runs) {
    if (run.text.indexOf('\n') === -1) {
      lines[lines.length - 1]!.push(run);
      continue;
    }
    const parts = run.text.split('\n');
    for (let i = 0; i < parts.length; i++) {
      if (i > 0) lines.push([]);
      const part = parts[i]!;
      if (part !== '') lines[lines.length - 1]!.push({ text: part, classes: run.classes });
    }
  }
  return lines;
}
