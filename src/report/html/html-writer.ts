/**
 * A growable UTF-8 byte buffer that HTML is written into: text escaped the way our markup escapes
 * it ({@link escapeHtml}) or the way Handlebars' `{{ }}` escapes a value, encoded from UTF-16 on
 * the way in. Writing a page piece by piece into bytes builds no string per piece, so the many small
 * strings of concatenation (and the garbage collection they cost) stay out of the report's largest
 * job.
 */

const SPECIAL = /[&<>"']/;

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  if (!SPECIAL.test(text)) return text;
  return text.replace(/[&<>"']/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      default:
        return '&#39;';
    }
  });
}

/** How {@link HtmlWriter} treats a character below 0x80: as itself, or as an entity. */
type EscapeTable = readonly (string | undefined)[];

function escapeTable(entities: Readonly<Record<string, string>>): EscapeTable {
  const table: (string | undefined)[] = [];
  for (let c = 0; c < 0x80; c++) table.push(entities[String.fromCharCode(c)]);
  return table;
}

/** The characters {@link escapeHtml} replaces. */
const CODE_ESCAPES = escapeTable({
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
});

/** The characters Handlebars' `escapeExpression` replaces (handlebars/lib/handlebars/utils.js). */
const FIELD_ESCAPES = escapeTable({
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
  '`': '&#x60;',
  '=': '&#x3D;',
});

const NO_ESCAPES: EscapeTable = escapeTable({});

/** Bytes written per UTF-16 unit at most (an entity such as `&#x3D;`). */
const MAX_BYTES_PER_UNIT = 6;

/** A byte buffer HTML is appended to. */
export class HtmlWriter {
  /** The bytes; `buffer[0, length)` is what was written. */
  buffer: Buffer;
  length = 0;

  constructor(initialBytes = 1 << 16) {
    this.buffer = Buffer.allocUnsafeSlow(initialBytes);
  }

  /** Makes room for `bytes` more bytes. */
  reserve(bytes: number): void {
    const needed = this.length + bytes;
    if (needed <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < needed) size *= 2;
    const grown = Buffer.allocUnsafeSlow(size);
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }

  /** Forgets what was written (the buffer is kept for the next use). */
  reset(): void {
    this.length = 0;
  }

  /** Markup of our own, written as it is. */
  raw(text: string): void {
    this.put(text, 0, text.length, NO_ESCAPES);
  }

  /** `text[from, to)` (UTF-16 offsets) escaped as {@link escapeHtml} escapes it. */
  code(text: string, from = 0, to = text.length): void {
    this.put(text, from, to, CODE_ESCAPES);
  }

  /** A value as Handlebars prints `{{value}}`: a string escaped, a number as `String(n)`. */
  field(value: string | number): void {
    const text = typeof value === 'string' ? value : String(value);
    this.put(text, 0, text.length, FIELD_ESCAPES);
  }

  /** A non-negative integer in decimal (as `String(n)`). */
  int(value: number): void {
    if (value < 10) {
      this.reserve(1);
      this.buffer[this.length++] = 0x30 + value;
    } else this.raw(String(value));
  }

  /** Bytes `source[from, to)`, copied. */
  bytes(source: Uint8Array, from: number, to: number): void {
    const count = to - from;
    if (count <= 0) return;
    this.reserve(count);
    const out = this.buffer;
    let at = this.length;
    if (count < 48) {
      for (let i = from; i < to; i++) out[at++] = source[i]!;
    } else {
      out.set(source.subarray(from, to), at);
    }
    this.length += count;
  }

  /** What was written from byte `start` on, as a string. */
  textFrom(start: number): string {
    return this.buffer.toString('utf8', start, this.length);
  }

  /** A copy of what was written, in a buffer of its own. */
  toBytes(): Uint8Array {
    const copy = new Uint8Array(this.length);
    copy.set(this.buffer.subarray(0, this.length));
    return copy;
  }

  private put(text: string, from: number, to: number, escapes: EscapeTable): void {
    this.reserve((to - from) * MAX_BYTES_PER_UNIT);
    const out = this.buffer;
    let at = this.length;
    for (let i = from; i < to; i++) {
      let c = text.charCodeAt(i);
      if (c < 0x80) {
        const entity = escapes[c];
        if (entity === undefined) out[at++] = c;
        else for (let k = 0; k < entity.length; k++) out[at++] = entity.charCodeAt(k);
        continue;
      }
      if (c < 0x800) {
        out[at++] = 0xc0 | (c >> 6);
        out[at++] = 0x80 | (c & 0x3f);
        continue;
      }
      if (c >= 0xd800 && c <= 0xdfff) {
        const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff && i + 1 < to) {
          const point = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          i++;
          out[at++] = 0xf0 | (point >> 18);
          out[at++] = 0x80 | ((point >> 12) & 0x3f);
          out[at++] = 0x80 | ((point >> 6) & 0x3f);
          out[at++] = 0x80 | (point & 0x3f);
          continue;
        }
        c = 0xfffd; // a lone surrogate, as Buffer.from(text) writes it
      }
      out[at++] = 0xe0 | (c >> 12);
      out[at++] = 0x80 | ((c >> 6) & 0x3f);
      out[at++] = 0x80 | (c & 0x3f);
    }
    this.length = at;
  }
}
