/**
 * The HTML report's fast paths give what the plain paths give: the code-rendered `lines` partial
 * the bytes Handlebars renders from `templates/html/partials/lines.hbs`, the highlight.js emitter
 * the runs of highlight.js's own HTML, packed runs the HTML of the runs, and the source worker the
 * sources the main thread highlights.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import Handlebars from 'handlebars';
import hljs from 'highlight.js/lib/core';
import rust from 'highlight.js/lib/languages/rust';
import {
  highlightLines,
  highlightSource,
  highlightText,
  type TextRun,
} from '../../../src/report/html/highlight.js';
import {
  packHighlight,
  type HighlightedSource,
  type PackedHighlight,
} from '../../../src/report/html/highlighted-source.js';
import { escapeHtml, HtmlWriter } from '../../../src/report/html/html-writer.js';
import { renderLinesPartial } from '../../../src/report/html/lines-partial.js';
import { isBuiltinLinesPartial } from '../../../src/report/html/write-html.js';
import { readSymbol } from '../../../src/report/html/demangle.js';
import { startSourcePool, type SourcePool } from '../../../src/report/html/source-pool.js';
import { decodeSource } from '../../../src/report/html/source-text.js';
import type { MetricCell } from '../../../src/report/html/metrics.js';
import type { LineModel } from '../../../src/report/html/view-model.js';

const TEMPLATES = path.resolve(import.meta.dirname, '../../../templates/html');
const LINES_HBS = path.join(TEMPLATES, 'partials/lines.hbs');

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

/** Each line's runs as HTML, written the plain way: escaped text inside its class spans. */
function runsHtml(runs: readonly TextRun[]): string {
  return runs
    .map((run) =>
      run.classes.reduceRight(
        (html, css) => `<span class="${escapeHtml(css)}">${html}</span>`,
        escapeHtml(run.text),
      ),
    )
    .join('');
}

function plainLines(source: HighlightedSource): string[] {
  return Array.from({ length: source.plainStart.length - 1 }, (_, l) =>
    source.plainHtml.slice(source.plainStart[l], source.plainStart[l + 1]),
  );
}

test('packed runs write each line as the runs spell it', (t) => {
  const text = decodeSource(Buffer.from(`${RUST}\n// é ü 😀 <&>`));
  const runs = highlightLines(text.text, true);
  const packed = packHighlight(text, runs);
  t.deepEqual(plainLines({ available: true, text, ...packed }), runs.map(runsHtml));
  const plain = decodeSource(Buffer.from('a\n\nb <'));
  t.deepEqual(
    plainLines({
      available: true,
      text: plain,
      ...packHighlight(plain, highlightLines(plain.text, false)),
    }),
    ['a', '', 'b &lt;'],
  );
});

/**
 * Each line's runs as (length, opening tags) pairs: what a packed highlight says of them (runs of
 * no text, which write nothing, left out).
 */
function packedRuns(source: PackedHighlight): [number, string][][] {
  return Array.from({ length: source.runStart.length - 1 }, (_, l) => {
    const runs: [number, string][] = [];
    for (let r = source.runStart[l]!; r < source.runStart[l + 1]!; r++) {
      if (source.runLength[r]! > 0) {
        runs.push([source.runLength[r]!, source.openTags[source.runClass[r]!]!]);
      }
    }
    return runs;
  });
}

const FIXTURE_SOURCES = path.resolve(import.meta.dirname, '../../fixtures/crates');

function rustFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return rustFiles(full);
    return entry.name.endsWith('.rs') ? [full] : [];
  });
}

test('highlighting by offsets gives the runs of highlightLines, packed', (t) => {
  const texts = [
    RUST,
    `${RUST}\n`,
    '',
    '\n\n',
    'fn a() {}\r\n/* open\r\n comment */ let x = "é😀\\"";\r\n',
    'no highlighting </ here',
    ...rustFiles(FIXTURE_SOURCES).map((file) => readFileSync(file, 'utf8')),
  ];
  t.true(texts.length > 20);
  for (const raw of texts) {
    const text = decodeSource(Buffer.from(raw));
    for (const highlight of [true, false]) {
      const fused = highlightText(text, highlight);
      const plain = packHighlight(text, highlightLines(text.text, highlight));
      t.deepEqual(packedRuns(fused), packedRuns(plain));
      t.is(fused.plainHtml, plain.plainHtml);
      t.deepEqual(fused.plainStart, plain.plainStart);
    }
  }
});

test('the HTML writer escapes as escapeHtml and Handlebars do, and encodes UTF-8 as Buffer does', (t) => {
  const text = `${HOSTILE} é 😀 \ud800 x\udc00`;
  const writer = new HtmlWriter(4);
  writer.code(text);
  writer.raw('|');
  writer.field(text);
  writer.raw('|');
  writer.field(1234);
  writer.int(7);
  writer.int(1234567);
  t.deepEqual(
    Buffer.from(writer.buffer.subarray(0, writer.length)),
    Buffer.from(`${escapeHtml(text)}|${Handlebars.escapeExpression(text)}|123471234567`),
  );
});

/**
 * Runs `check` with a pool whose worker has 40 large Rust files announced (enough that it is still
 * highlighting them while the check runs), then stops the pool and removes the files.
 */
async function withBusyWorker(
  check: (pool: SourcePool, files: string[]) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cov-html-busy-'));
  try {
    const files = Array.from({ length: 40 }, (_, i) => path.join(dir, `big${i}.rs`));
    for (const file of files) writeFileSync(file, RUST.repeat(400));
    const pool = startSourcePool();
    try {
      pool.prefetch(files);
      await check(pool, files);
    } finally {
      pool.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Polls until `done` or a minute has passed. */
async function until(done: () => boolean): Promise<void> {
  for (let waited = 0; !done() && waited < 60_000; waited += 5) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('the source worker demangles names ahead of the files it has still to highlight', async (t) => {
  await withBusyWorker(async (pool, files) => {
    const names = Array.from(
      { length: 50 },
      (_, i) => `_ZN5crate${String(i).length + 1}f${i}17h0123456789abcdefE`,
    );
    pool.prefetchNames(names);
    await until(() => pool.namesReceived() >= names.length);
    t.is(pool.namesReceived(), names.length);
    t.true(pool.received() < files.length, `${pool.received()} files answered first`);
    t.is(readSymbol(names[7]!), 'crate::f7::h0123456789abcdef');
  });
});

test('the source worker follows the pages order once it is given', async (t) => {
  await withBusyWorker(async (pool, files) => {
    // announced as loading finds them, shown in the other order
    pool.pageOrder([...files].reverse());
    await until(() => pool.received() >= 3);
    // the first page's file is the worker's, not read here (which it is when still queued)
    const last = files[files.length - 1]!;
    t.deepEqual(shown(pool.take(last)), shown(highlightSource(last, readFileSync(last))));
    t.is(pool.fromWorker(), 1);
    t.true(pool.received() < files.length);
  });
});

/** What a highlighted source shows, whatever ids its thread gave its class stacks. */
function shown(source: HighlightedSource): unknown {
  return {
    available: source.available,
    text: source.text,
    runs: packedRuns(source),
    plainHtml: source.plainHtml,
    plainStart: source.plainStart,
  };
}

test('the source worker gives the sources of the main thread; unreadable files fall back', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cov-html-worker-'));
  try {
    const files = Array.from({ length: 9 }, (_, i) => path.join(dir, `f${i}.rs`));
    const texts = files.map((_, i) => `${RUST}// file ${i} é\n`.repeat(i + 1));
    files.slice(1).forEach((file, i) => writeFileSync(file, texts[i + 1]!));
    writeFileSync(path.join(dir, 'notes.txt'), '<not rust>\n');
    const pool = startSourcePool();
    try {
      pool.prefetch(files.slice(0, 5));
      pool.prefetch([...files.slice(3), path.join(dir, 'notes.txt')]);
      // let the worker answer every file first (else this thread takes those it gets to first)
      for (let waited = 0; pool.received() < 10 && waited < 60_000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      for (const file of [...files, path.join(dir, 'notes.txt')]) {
        const bytes = (() => {
          try {
            return readFileSync(file);
          } catch {
            return undefined;
          }
        })();
        t.deepEqual(shown(pool.take(file)), shown(highlightSource(file, bytes)), file);
      }
      // names the worker demangles come back in order, as this thread reads them
      const names = [
        '_RNvCs1234_5crate3run',
        '_RINvNtCs1234_5crate5inner7genericmEB4_',
        '_ZN5crate3run17h0123456789abcdefE',
        'not_mangled',
        '_Rbroken',
      ];
      pool.prefetchNames([...names, ...names.map((n) => `${n}x`)]);
      for (let waited = 0; pool.namesReceived() < 10 && waited < 60_000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      t.is(pool.namesReceived(), 10);
      t.deepEqual(
        names.map((n) => readSymbol(n)),
        ['crate::run', 'crate::inner::generic::<u32>', 'crate::run::h0123456789abcdef', null, null],
      );
      // asked again, a file is read and highlighted here
      t.deepEqual(
        shown(pool.take(files[1]!)),
        shown(highlightSource(files[1]!, readFileSync(files[1]!))),
      );
      // f0.rs was never written: the eight others and notes.txt came from the worker
      t.is(pool.fromWorker(), 9);
      if (process.platform === 'linux') {
        // the worker runs at a lower priority (nice 10), this thread at the process's
        const nices = readdirSync('/proc/self/task').map((tid) => {
          const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
          // field 19 (nice) counts from the state, field 3, after the command's ')'
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
        });
        t.true(nices.includes(10), `thread nice values ${nices.join(',')}`);
        t.is(getPriority(), 0);
      }
    } finally {
      pool.close();
    }
    // asked at once, this thread claims what the worker has not started; the sources are the same
    const eager = startSourcePool();
    try {
      eager.prefetch(files);
      for (const file of files.slice(1)) {
        t.deepEqual(
          shown(eager.take(file)),
          shown(highlightSource(file, readFileSync(file))),
          file,
        );
      }
    } finally {
      eager.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
