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
 */
import type { HLJSOptions } from 'highlight.js';
import hljsCore from 'highlight.js/lib/core';
import rust from 'highlight.js/lib/languages/rust';

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

const hljs = hljsCore.newInstance();
hljs.registerLanguage('rust', rust);
// highlight.js calls openNode/closeNode besides the Emitter interface its types declare
hljs.configure({ __emitter: RunEmitter as unknown as HLJSOptions['__emitter'] });

function plainLines(text: string): TextRun[][] {
  return text.split('\n').map((line) => [{ text: line, classes: [] }]);
}

/**
 * Splits `text` into lines of runs. With `highlight`, the runs carry highlight.js classes; without,
 * each line is one unclassed run. Line count equals `text.split('\n').length`.
 */
export function highlightLines(text: string, highlight: boolean): TextRun[][] {
  if (!highlight) return plainLines(text);
  const result = hljs.highlight(text, { language: 'rust', ignoreIllegals: true }) as {
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
