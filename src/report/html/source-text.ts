/**
 * Source text for the HTML report: bytes decoded as UTF-8 with replacement (invalid bytes render as
 * U+FFFD, never as markup), split into lines, and LLVM's 1-based *byte* columns mapped to offsets in
 * the decoded line.
 */

/** One decoded source line. */
export interface SourceLine {
  /** Decoded text without the line terminator (`\n`, and a `\r` before it). */
  readonly text: string;
  /** The line's bytes when it holds non-ASCII bytes (columns then need mapping), else undefined. */
  readonly bytes: Uint8Array | undefined;
}

/** A decoded source file. */
export interface SourceText {
  /** The whole decoded text (`\n` line ends kept) — what the highlighter reads. */
  readonly text: string;
  readonly lines: readonly SourceLine[];
}

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/**
 * Decodes `bytes` (UTF-8, invalid sequences replaced) and splits them at `\n`. A final line
 * terminator does not start another line.
 *
 * The whole file is decoded at once and the text split: decoding line by line gives the same lines,
 * since 0x0A never sits inside a UTF-8 sequence (a sequence cut by it is replaced either way). A
 * line is ASCII exactly when its text is (every byte from 0x80 up decodes to a character from
 * U+0080 up), so only non-ASCII lines are looked up in the bytes.
 */
export function decodeSource(bytes: Uint8Array): SourceText {
  const whole = decoder.decode(bytes);
  const parts = whole.split('\n');
  // a final terminator ends the last line rather than starting an empty one
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  const lines: SourceLine[] = new Array<SourceLine>(parts.length);
  const ascii = !NON_ASCII.test(whole);
  let start = 0;
  for (let l = 0; l < parts.length; l++) {
    const part = parts[l]!;
    const text = part.endsWith('\r') ? part.slice(0, -1) : part;
    if (ascii || !NON_ASCII.test(part)) {
      lines[l] = { text, bytes: undefined };
      start += part.length + 1;
      continue;
    }
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    const stop = end > start && bytes[end - 1] === 0x0d ? end - 1 : end;
    lines[l] = { text, bytes: bytes.subarray(start, stop) };
    start = end + 1;
  }
  // the lines joined again; without a `\r` that is the decoded text less its final terminator
  const text = whole.includes('\r')
    ? lines.map((line) => line.text).join('\n')
    : whole.endsWith('\n')
      ? whole.slice(0, -1)
      : whole;
  return { text, lines };
}

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Offset in `line.text` (UTF-16 units) of the 1-based byte column `column`, clamped to the line.
 */
export function columnOffset(line: SourceLine, column: number): number {
  const byteIndex = Math.max(0, column - 1);
  if (line.bytes === undefined) return Math.min(byteIndex, line.text.length);
  if (byteIndex >= line.bytes.length) return line.text.length;
  return decoder.decode(line.bytes.subarray(0, byteIndex)).length;
}
