/**
 * A growable UTF-8 byte buffer that HTML is written into: text escaped the way our markup escapes
 * it ({@link escapeHtml}) or the way Handlebars' `{{ }}` escapes a value. Small pieces are joined
 * into a short string that is encoded into the buffer a few kilobytes at a time (by Node's encoder,
 * not a loop per character). A page is thus never one long string of many small pieces: what it
 * builds dies young, which keeps the garbage collector's work small on the report's largest job.
 */

const SPECIAL = /[&<>"']/;
/** The characters Handlebars' `escapeExpression` replaces (handlebars/lib/handlebars/utils.js). */
const FIELD_SPECIAL = /[&<>"'`=]/;
const FIELD_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
  '`': '&#x60;',
  '=': '&#x3D;',
};

/** A string as Handlebars prints `{{value}}` (escapeExpression). */
export function escapeField(text: string): string {
  if (!FIELD_SPECIAL.test(text)) return text;
  return text.replace(/[&<>"'`=]/g, (c) => FIELD_ENTITIES[c]!);
}

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

/** Where HTML text goes: a {@link HtmlWriter}, or an {@link HtmlString}. */
export interface HtmlSink {
  /** Markup of our own, written as it is. */
  raw(text: string): void;
  /** `text[from, to)` (UTF-16 offsets) escaped as {@link escapeHtml} escapes it. */
  code(text: string, from?: number, to?: number): void;
}

/** Where a page's lines are written: a {@link HtmlWriter} (bytes) or a {@link HtmlString}. */
export interface HtmlOut extends HtmlSink {
  /** Markup of our own `text[from, to)` (UTF-16 offsets), written as it is. */
  rawRange(text: string, from: number, to: number): void;
  /** A value as Handlebars prints `{{value}}`: a string escaped, a number as `String(n)`. */
  field(value: string | number): void;
  /** A non-negative integer in decimal (as `String(n)`). */
  int(value: number): void;
}

/** HTML written into a string (what the page script writes a page's lines into, in the browser). */
export class HtmlString implements HtmlOut {
  text = '';

  raw(text: string): void {
    this.text += text;
  }

  rawRange(text: string, from: number, to: number): void {
    if (to > from) this.text += text.slice(from, to);
  }

  code(text: string, from = 0, to = text.length): void {
    this.text += escapeHtml(from === 0 && to === text.length ? text : text.slice(from, to));
  }

  field(value: string | number): void {
    this.text += typeof value === 'string' ? escapeField(value) : String(value);
  }

  int(value: number): void {
    this.text += String(value);
  }
}

/** Pending text is encoded once it is this long (UTF-16 units). */
const FLUSH_UNITS = 4096;

/** A byte buffer HTML is appended to. */
export class HtmlWriter implements HtmlOut {
  /** The bytes; `buffer[0, length)` is what was written (after {@link flush}). */
  private buf: Buffer;
  private used = 0;
  /** Text written but not yet encoded into {@link buf}. */
  private pending = '';

  constructor(initialBytes = 1 << 16) {
    this.buf = Buffer.allocUnsafeSlow(initialBytes);
  }

  /** Bytes written so far. */
  get length(): number {
    this.flush();
    return this.used;
  }

  /** The buffer holding what was written in its first {@link length} bytes. */
  get buffer(): Buffer {
    this.flush();
    return this.buf;
  }

  /** Forgets what was written (the buffer is kept for the next use). */
  reset(): void {
    this.pending = '';
    this.used = 0;
  }

  /** Markup of our own, written as it is. */
  raw(text: string): void {
    this.pending += text;
    if (this.pending.length >= FLUSH_UNITS) this.flush();
  }

  /** Markup of our own `text[from, to)` (UTF-16 offsets), written as it is. */
  rawRange(text: string, from: number, to: number): void {
    if (to > from) this.raw(text.slice(from, to));
  }

  /** `text[from, to)` (UTF-16 offsets) escaped as {@link escapeHtml} escapes it. */
  code(text: string, from = 0, to = text.length): void {
    this.raw(escapeHtml(from === 0 && to === text.length ? text : text.slice(from, to)));
  }

  /** A value as Handlebars prints `{{value}}`: a string escaped, a number as `String(n)`. */
  field(value: string | number): void {
    this.raw(typeof value === 'string' ? escapeField(value) : String(value));
  }

  /** A non-negative integer in decimal (as `String(n)`). */
  int(value: number): void {
    this.raw(String(value));
  }

  /** What was written from byte `start` on, as a string. */
  textFrom(start: number): string {
    this.flush();
    return this.buf.toString('utf8', start, this.used);
  }

  /** A copy of what was written, in a buffer of its own. */
  toBytes(): Uint8Array {
    this.flush();
    const copy = new Uint8Array(this.used);
    copy.set(this.buf.subarray(0, this.used));
    return copy;
  }

  /** Encodes the pending text into the buffer (lone surrogates as U+FFFD, as Buffer.from does). */
  private flush(): void {
    const text = this.pending;
    if (text === '') return;
    this.pending = '';
    this.reserve(text.length * 3);
    this.used += this.buf.write(text, this.used, 'utf8');
  }

  private reserve(bytes: number): void {
    const needed = this.used + bytes;
    if (needed <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < needed) size *= 2;
    const grown = Buffer.allocUnsafeSlow(size);
    this.buf.copy(grown, 0, 0, this.used);
    this.buf = grown;
  }
}
