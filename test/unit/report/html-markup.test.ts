/**
 * Pieces of the HTML report that need no toolchain: source decoding, byte columns, region marks
 * as llvm-cov's HTML paints them, escaping, page names of hostile paths, symbol demangling.
 */
import test from 'ava';
import type { Segment } from '../../../src/model/index.js';
import { demangleSymbol } from '../../../src/report/html/demangle.js';
import { highlightLines } from '../../../src/report/html/highlight.js';
import { renderLineHtml } from '../../../src/report/html/line-markup.js';
import { pagePathOf } from '../../../src/report/html/page-paths.js';
import { columnOffset, decodeSource } from '../../../src/report/html/source-text.js';

const seg = (col: number, count: bigint, entry = true, gap = false): Segment => ({
  line: 1,
  col,
  count,
  hasCount: true,
  isRegionEntry: entry,
  isGap: gap,
});

/**
 * The definition decodeSource must meet: split the bytes at 0x0A (a final one starts no line),
 * drop a 0x0D before it (or at the end), decode each line on its own (invalid sequences replaced),
 * keep a line's bytes when one of them is 0x80 or above, and join the texts with `\n`.
 */
function decodeByLines(bytes: Uint8Array): {
  text: string;
  lines: [string, number[] | undefined][];
} {
  const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  const lines: [string, number[] | undefined][] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    const stop = end > start && bytes[end - 1] === 0x0d ? end - 1 : end;
    const line = bytes.subarray(start, stop);
    lines.push([decoder.decode(line), line.some((b) => b >= 0x80) ? [...line] : undefined]);
    start = end + 1;
  }
  return { text: lines.map(([text]) => text).join('\n'), lines };
}

test('decodeSource meets its line-by-line definition on random bytes', (t) => {
  // bytes drawn mostly from line ends, ASCII and pieces of (possibly cut) UTF-8 sequences
  const alphabet = [
    0x0a, 0x0a, 0x0d, 0x61, 0x62, 0x20, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0xff,
    0xef, 0xbb, 0xbf,
  ];
  let seed = 12345;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let round = 0; round < 2000; round++) {
    const bytes = Uint8Array.from({ length: next(24) }, () => alphabet[next(alphabet.length)]!);
    const got = decodeSource(bytes);
    const want = decodeByLines(bytes);
    const label = `bytes ${[...bytes].map((b) => b.toString(16)).join(' ')}`;
    t.is(got.text, want.text, label);
    t.deepEqual(
      got.lines.map((l) => [l.text, l.bytes === undefined ? undefined : [...l.bytes]]),
      want.lines,
      label,
    );
  }
});

test('invalid UTF-8 decodes to replacement characters; CRLF is stripped', (t) => {
  const source = decodeSource(Uint8Array.from([0x61, 0xff, 0x62, 0x0d, 0x0a, 0x63]));
  t.deepEqual(
    source.lines.map((l) => l.text),
    ['a\uFFFDb', 'c'],
  );
  t.is(source.text, 'a\uFFFDb\nc');
});

test('byte columns map to UTF-16 offsets on non-ASCII lines', (t) => {
  const line = decodeSource(new TextEncoder().encode('let é = "ü";')).lines[0]!;
  // "let " is 4 bytes, "é" 2 bytes: byte column 7 (1-based) is the space after é
  t.is(columnOffset(line, 7), 5);
  t.is(columnOffset(line, 1), 0);
  t.is(columnOffset(line, 999), line.text.length);
});

test('a partly run `a && b` marks only the missed part, as llvm-cov does', (t) => {
  const text = 'if a && b {';
  const source = decodeSource(new TextEncoder().encode(text)).lines[0]!;
  const html = renderLineHtml({
    source,
    runs: [{ text, classes: [] }],
    segments: [seg(4, 5n), seg(9, 0n), seg(10, 5n, false)],
    wrapped: undefined,
    expansionColumn: 0,
    stops: [{ line: 1, column: 9, id: 'stop-0' }],
  });
  t.is(
    html,
    'if a &amp;&amp; <span class="stop" id="stop-0" tabindex="-1" data-line="1" data-col="9"></span><span class="region uncovered">b</span> {',
  );
});

test('a gap segment is red only right after red; the wrapped count paints the line start', (t) => {
  const text = '    x; }';
  const source = decodeSource(new TextEncoder().encode(text)).lines[0]!;
  const html = renderLineHtml({
    source,
    runs: [{ text, classes: [] }],
    segments: [seg(7, 0n, false, true)],
    wrapped: seg(1, 0n),
    expansionColumn: 0,
    stops: [],
  });
  t.is(
    html,
    '<span class="region uncovered">    x;</span><span class="region uncovered"> }</span>',
  );
});

test('source text with markup is escaped inside highlight spans', (t) => {
  const runs = highlightLines('let s = "<script>{{x}}\'";', true)[0]!;
  const text = runs.map((r) => r.text).join('');
  const source = decodeSource(new TextEncoder().encode(text)).lines[0]!;
  const html = renderLineHtml({
    source,
    runs,
    segments: [],
    wrapped: undefined,
    expansionColumn: 0,
    stops: [],
  });
  t.false(html.includes('<script'));
  t.true(html.includes('&lt;script&gt;{{x}}&#39;'));
  t.true(html.includes('<span class="hljs-string">'));
});

test('a block comment keeps its class on every line it spans', (t) => {
  const lines = highlightLines('/* one\ntwo */ fn f() {}', true);
  t.deepEqual(lines[1]![0], { text: 'two */', classes: ['hljs-comment'] });
});

test('hostile file names become safe, distinct page names', (t) => {
  const names = [
    'src/<script>alert(1)</script>.rs',
    'src/{{x}}\'".rs',
    '../../etc/passwd',
    'a/b.rs',
    'a_b.rs',
  ];
  const pages = names.map((n) => pagePathOf(n, n));
  for (const page of pages) t.regex(page, /^files\/[A-Za-z0-9._-]+-[0-9a-f]{16}\.html$/);
  t.is(new Set(pages).size, pages.length);
  t.false(pages.some((p) => p.slice('files/'.length).includes('..')));
});

test('demangles Rust v0 and legacy symbols; leaves others', (t) => {
  t.is(demangleSymbol('_RINvCs9YSNfYNoHod_8generics7largestcEB2_'), 'generics::largest::<char>');
  t.is(
    demangleSymbol('_RNvMs_Cs9YSNfYNoHod_8genericsINtB4_5StackpE3new', { withGenericArgs: false }),
    '<generics::Stack<…>>::new',
  );
  t.is(
    demangleSymbol('_RNCNCNvNtCsVT3srMPlrQ_3nfa6fowlers_19match_repetition_5900B7_'),
    'nfa::fowler::match_repetition_59::{closure#0}::{closure#0}',
  );
  t.is(
    demangleSymbol('_ZN4core3fmt5write17h0123456789abcdefE', { withHash: false }),
    'core::fmt::write',
  );
  t.is(demangleSymbol('main'), 'main');
  t.is(demangleSymbol('_RNvBz_3bad'), '_RNvBz_3bad');
});
