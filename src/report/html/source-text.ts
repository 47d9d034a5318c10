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
 */
export function decodeSource(bytes: Uint8Array): SourceText {
  const lines: SourceLine[] = [];
  const texts: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    let stop = end;
    if (stop > start && bytes[stop - 1] === 0x0d) stop--;
    const lineBytes = bytes.subarray(start, stop);
    const text = decoder.decode(lineBytes);
    texts.push(text);
    lines.push({ text, bytes: isAscii(lineBytes) ? undefined : lineBytes });
    start = end + 1;
  }
  // Decoding line by line equals decoding the whole file: 0x0A never sits inside a UTF-8 sequence.
  return { text: texts.join('\n'), lines };
}

function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return false;
  return true;
}

/**
 * Offset in `line.text` (UTF-16 units) of the 1-based byte column `column`, clamped to the line.
 */
export function columnOffset(line: SourceLine, column: number): number {
  const byteIndex = Math.max(0, column - 1);
  if (line.bytes === undefined) return Math.min(byteIndex, line.text.length);
  if (byteIndex >= line.bytes.length) return line.text.length;
  return decoder.decode(line.bytes.subarray(0, byteIndex)).length;
}
