/**
 * LZ4 *block* compression (no frame header, no checksums; the record header carries the sizes and
 * the CRC) through lz4js, with the bounds checks lz4js's decoder leaves out.
 * @see https://github.com/lz4/lz4/blob/dev/doc/lz4_Block_format.md
 */
import lz4 from 'lz4js';

/** Hash table size lz4js expects (16-bit hashes). */
const HASH_TABLE_SIZE = 1 << 16;

/**
 * Compresses `bytes` into one LZ4 block.
 * @returns the block, or undefined when it would not be smaller than the input
 */
export function compressLz4Block(bytes: Uint8Array): Uint8Array | undefined {
  const bound = lz4.compressBound(bytes.length);
  const out = new Uint8Array(bound);
  const size = lz4.compressBlock(bytes, out, 0, bytes.length, new Uint32Array(HASH_TABLE_SIZE));
  if (size === 0 || size >= bytes.length) return undefined;
  return out.subarray(0, size);
}

/**
 * Decompresses one LZ4 block that must inflate to exactly `sizeBytes` bytes.
 * @returns the bytes, or undefined when the block is corrupt (wrong size, a match before the
 *   start of the output, a literal or match past the end of either buffer)
 */
export function decompressLz4Block(block: Uint8Array, sizeBytes: number): Uint8Array | undefined {
  const out = new Uint8Array(sizeBytes);
  let s = 0;
  let d = 0;
  const end = block.length;
  while (s < end) {
    const token = block[s++]!;
    let literals = token >>> 4;
    if (literals === 15) {
      let more: number;
      do {
        if (s >= end) return undefined;
        more = block[s++]!;
        literals += more;
      } while (more === 255);
    }
    if (s + literals > end || d + literals > sizeBytes) return undefined;
    if (literals > 32) {
      out.set(block.subarray(s, s + literals), d);
      s += literals;
      d += literals;
    } else {
      for (let n = s + literals; s < n;) out[d++] = block[s++]!;
    }
    if (s >= end) break;
    if (s + 2 > end) return undefined;
    const matchOffset = block[s]! | (block[s + 1]! << 8);
    s += 2;
    let matchLength = token & 15;
    if (matchLength === 15) {
      let more: number;
      do {
        if (s >= end) return undefined;
        more = block[s++]!;
        matchLength += more;
      } while (more === 255);
    }
    matchLength += 4;
    if (matchOffset === 0 || matchOffset > d || d + matchLength > sizeBytes) return undefined;
    if (matchOffset >= matchLength && matchLength > 32) {
      out.copyWithin(d, d - matchOffset, d - matchOffset + matchLength);
      d += matchLength;
    } else {
      // overlapping copies repeat the last bytes, so copy forward one byte at a time
      for (let i = d - matchOffset, n = i + matchLength; i < n;) out[d++] = out[i++]!;
    }
  }
  return d === sizeBytes ? out : undefined;
}
