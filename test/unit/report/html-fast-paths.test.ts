/**
 * The HTML report's fast paths give what the plain paths give: the code-rendered `lines` partial
 * the bytes Handlebars renders from `templates/html/partials/lines.hbs`, the highlight.js emitter
 * the runs of highlight.js's own HTML, packed runs (from the highlighting worker) the runs packed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import Handlebars from 'handlebars';
import hljs from 'highlight.js/lib/core';
import rust from 'highlight.js/lib/languages/rust';
import { highlightLines, type TextRun } from '../../../src/report/html/highlight.js';
import { packRuns, startHighlighter, unpackRuns } from '../../../src/report/html/highlight-pool.js';
import {
  isBuiltinLinesPartial,
  renderLinesPartial,
} from '../../../src/report/html/lines-partial.js';
import { renderRunsHtml } from '../../../src/report/html/line-markup.js';
import type { MetricCell } from '../../../src/report/html/metrics.js';
import type { LineModel } from '../../../src/report/html/view-model.js';

const LINES_HBS = path.resolve(import.meta.dirname, '../../../templates/html/partials/lines.hbs');

const HOSTILE = `<script>alert("x")</script> {{x}} ' \` = & —`;

function line(number: number, extra: Partial<LineModel> = {}): LineModel {
  return {
    number,
    anchor: `L${number}`,
    status: 'covered',
    countText: '1.23k',
    countTitle: '1234',
    codeHtml: '<span class="hljs-keyword">fn</span> f() {}',
    branches: [],
    hasBranches: false,
    expansions: [],
    hasExpansions: false,
    instantiationGroups: [],
    hasInstantiationGroups: false,
    ...extra,
  };
}

const cell: MetricCell = {
  key: 'lines',
  label: 'Lines',
  hasData: true,
  covered: 0,
  count: 3,
  missed: 3,
  percentText: '0.00%',
  sortValue: 0,
  level: 'low',
  bar: 0,
};

/** A page's lines using every field and branch of the partial, with hostile text in each string. */
const lines: LineModel[] = [
  line(1, { status: 'unmapped', countText: '', countTitle: '' }),
  line(2, {
    branches: [
      {
        column: 0,
        trueText: '0',
        falseText: HOSTILE,
        trueStatus: 'uncovered',
        falseStatus: 'folded',
        title: HOSTILE,
      },
      {
        column: 12,
        trueText: '1',
        falseText: '2',
        trueStatus: 'covered',
        falseStatus: 'covered',
        title: 'b',
      },
    ],
    hasBranches: true,
    expansions: [
      {
        id: 'e0',
        macroName: HOSTILE,
        column: 5,
        origin: HOSTILE,
        lines: [line(7, { anchor: 'e0-L7' })],
      },
    ],
    hasExpansions: true,
  }),
  line(3, {
    anchor: HOSTILE,
    instantiationGroups: [
      {
        id: 'g0',
        name: HOSTILE,
        count: 0,
        executedCount: 0,
        moreCount: 3,
        hasMore: true,
        instantiations: [
          {
            id: 'g0-i0',
            name: HOSTILE,
            mangledName: '_R',
            executionCountText: '0',
            isExecuted: false,
            cells: [cell, { ...cell, label: HOSTILE, covered: 2, level: 'high' }],
            hasLines: true,
            lines: [line(3, { anchor: 'g0-i0-L3' })],
          },
          {
            id: 'g0-i1',
            name: 'b',
            mangledName: '_R',
            executionCountText: '5',
            isExecuted: true,
            cells: [],
            hasLines: false,
            lines: [],
          },
        ],
      },
      {
        id: 'g1',
        name: 'c',
        count: 2,
        executedCount: 1,
        moreCount: 0,
        hasMore: false,
        instantiations: [],
      },
    ],
    hasInstantiationGroups: true,
  }),
];

test('the built-in lines partial is the one rendered by code (update lines-partial.ts with it)', (t) => {
  t.true(isBuiltinLinesPartial(readFileSync(LINES_HBS, 'utf8')));
  t.false(isBuiltinLinesPartial(`${readFileSync(LINES_HBS, 'utf8')} `));
});

test('the code-rendered lines partial writes the bytes Handlebars writes', (t) => {
  const env = Handlebars.create();
  const options = { strict: true, knownHelpersOnly: true, preventIndent: true } as const;
  const partial = env.compile(readFileSync(LINES_HBS, 'utf8'), options);
  env.registerPartial('lines', partial);
  const expected = partial({ lines });
  t.is(renderLinesPartial({ lines }), expected);
  t.false(expected.includes('<script>'));
  t.true(expected.includes('&lt;script&gt;'));
  t.is(renderLinesPartial({ lines: [] }), '');
});

/** Runs as the first HTML report read them: highlight.js's HTML parsed back into runs. */
function runsFromHtml(text: string): TextRun[][] {
  const stock = hljs.newInstance();
  stock.registerLanguage('rust', rust);
  const html = stock.highlight(text, { language: 'rust', ignoreIllegals: true }).value;
  const entities: Record<string, string> = {
    '&amp;': '&',
    '&lt;': '<',
    '&gt;': '>',
    '&quot;': '"',
    '&#x27;': "'",
  };
  const lines: TextRun[][] = [[]];
  const stack: string[] = [];
  const pushText = (escaped: string): void => {
    const parts = escaped.replace(/&(?:amp|lt|gt|quot|#x27);/g, (m) => entities[m]!).split('\n');
    parts.forEach((part, i) => {
      if (i > 0) lines.push([]);
      if (part !== '') lines[lines.length - 1]!.push({ text: part, classes: stack.slice() });
    });
  };
  const tag = /<span class="([^"]*)">|<\/span>/g;
  let last = 0;
  for (let match = tag.exec(html); match !== null; match = tag.exec(html)) {
    pushText(html.slice(last, match.index));
    last = tag.lastIndex;
    if (match[1] === undefined) stack.pop();
    else stack.push(match[1]);
  }
  pushText(html.slice(last));
  return lines;
}

const RUST = [
  '//! doc <b>&</b>',
  '#[derive(Debug)]',
  'pub struct S<T: Clone> { x: T }',
  "impl<'a, T> Tr for S<T> where T: 'a {",
  '    /// a doc comment',
  '    fn f(&self, y: u64) -> Option<&str> {',
  '        let s = r#"raw "string" {{x}}"#; /* block',
  "           comment */ let c = 'x';",
  '        if y > 0x1f_u64 && y < 1e3 as u64 { println!("{} {y:?}", s); }',
  '        match self.x { _ => None::<&str> }',
  '    }',
  '}',
  '',
].join('\n');

test('the highlight emitter gives the runs of highlight.js HTML', (t) => {
  t.deepEqual(
    JSON.parse(JSON.stringify(highlightLines(RUST, true))),
    JSON.parse(JSON.stringify(runsFromHtml(RUST))),
  );
});

test('packed runs unpack to the same runs, and only onto the text they came from', (t) => {
  const runs = highlightLines(RUST, true);
  const packed = packRuns(runs);
  t.deepEqual(unpackRuns(RUST, packed), runs);
  t.is(unpackRuns(`${RUST}x`, packed), undefined);
  t.is(unpackRuns(RUST.slice(1), packed), undefined);
  const plain = highlightLines('a\n\nb', false);
  t.deepEqual(unpackRuns('a\n\nb', packRuns(plain)), plain);
});

test('the highlighting worker gives the runs of the main thread; unreadable files fall back', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cov-html-worker-'));
  try {
    const files = Array.from({ length: 9 }, (_, i) => path.join(dir, `f${i}.rs`));
    // as the report passes them: decoded, without the final line end
    const texts = files.map((_, i) => `${RUST}// file ${i}\n`.repeat(i + 1).slice(0, -1));
    files.slice(1).forEach((file, i) => writeFileSync(file, texts[i + 1]!));
    const highlighter = startHighlighter([...files, path.join(dir, 'notes.txt')]);
    try {
      // let the worker answer every file first (else this thread takes those it gets to first)
      for (let waited = 0; highlighter.received() < 9 && waited < 60_000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      files.forEach((file, i) => {
        const highlighted = highlighter.highlight(file, texts[i]!);
        const runs = highlightLines(texts[i]!, true);
        t.deepEqual(highlighted.runs, runs, file);
        const lines = texts[i]!.split('\n');
        highlighted.plainHtml.forEach((html, l) => {
          t.is(html, renderRunsHtml(runs[l]!, lines[l]!.length));
        });
      });
      // a text other than the file's (changed since the worker read it) is highlighted here
      t.deepEqual(
        highlighter.highlight(files[1]!, 'fn x() {}').runs,
        highlightLines('fn x() {}', true),
      );
      // f0.rs was never written: the eight others came from the worker
      t.is(highlighter.fromWorker(), 8);
    } finally {
      highlighter.close();
    }
    // asked at once, this thread claims what the worker has not started; the runs are the same
    const eager = startHighlighter(files);
    try {
      files.forEach((file, i) => {
        t.deepEqual(eager.highlight(file, texts[i]!).runs, highlightLines(texts[i]!, true), file);
      });
    } finally {
      eager.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
