/**
 * Rust syntax highlighting with highlight.js (core + the rust grammar only). The whole file is
 * highlighted once, so block comments and strings that span lines keep their colour, and the result
 * is cut into per-line runs of plain text, each with the stack of highlight classes around it. The
 * runs hold unescaped text: {@link renderLineHtml} escapes every character it writes.
 */
import hljs from 'highlight.js/lib/core';
import rust from 'highlight.js/lib/languages/rust';

hljs.registerLanguage('rust', rust);

/** A run of source text inside the same highlight spans (outermost class first). */
export interface TextRun {
  readonly text: string;
  readonly classes: readonly string[];
}

/** Whether a file gets Rust highlighting (by extension). */
export function isRustSource(filename: string): boolean {
  return filename.endsWith('.rs');
}

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#x27;': "'",
  '&#39;': "'",
};

function unescapeHtml(text: string): string {
  return text.indexOf('&') === -1
    ? text
    : text.replace(/&(?:amp|lt|gt|quot|#x27|#39);/g, (m) => ENTITIES[m] ?? m);
}

/**
 * Splits `text` into lines of runs. With `highlight`, the runs carry highlight.js classes; without,
 * each line is one unclassed run. Line count equals `text.split('\n').length`.
 */
export function highlightLines(text: string, highlight: boolean): TextRun[][] {
  if (!highlight) return text.split('\n').map((line) => [{ text: line, classes: [] }]);
  const html = hljs.highlight(text, { language: 'rust', ignoreIllegals: true }).value;
  const lines: TextRun[][] = [[]];
  const stack: string[] = [];
  const tag = /<span class="([^"]*)">|<\/span>/g;
  let last = 0;
  const pushText = (escaped: string): void => {
    if (escaped === '') return;
    const parts = unescapeHtml(escaped).split('\n');
    parts.forEach((part, i) => {
      if (i > 0) lines.push([]);
      if (part !== '') lines[lines.length - 1]!.push({ text: part, classes: stack.slice() });
    });
  };
  for (let match = tag.exec(html); match !== null; match = tag.exec(html)) {
    pushText(html.slice(last, match.index));
    last = tag.lastIndex;
    if (match[1] === undefined) stack.pop();
    else stack.push(match[1]);
  }
  pushText(html.slice(last));
  return lines;
}
