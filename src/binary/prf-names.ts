/**
 * The PGO names encoding shared by `__llvm_prf_names`, raw-profile names and vtable names
 * (spec/formats.md §2.8): blobs of ULEB uncompressed length, ULEB compressed length, then zlib or
 * raw bytes holding names joined by 0x01; zero padding between blobs. Reads every LLVM version ≥ 11.
 */
import { ByteReader } from './byte-reader.js';
import { inflateZlib } from './compression.js';

/**
 * Calls `visit(text, start, end)` for each name in a names blob sequence, in order, with the name's
 * UTF-8 bytes at `text[start..end)` (no string is made, so callers can hash bytes and decode only
 * the names they want). The walk stops early when `visit` returns `false`.
 * @param bytes the section or raw-profile names area (without trailing alignment padding is fine)
 * @param source label for errors
 * @param baseOffset absolute offset of `bytes[0]` in `source`
 * @throws CovError `E_TRUNCATED`/`E_MALFORMED` on a cut or corrupt blob.
 */
export function forEachPrfName(
  bytes: Uint8Array,
  source: string,
  baseOffset: number,
  visit: (text: Uint8Array, start: number, end: number) => boolean | void,
): void {
  const reader = new ByteReader(bytes, { source, baseOffset });
  while (reader.remaining > 0) {
    if (reader.bytes[reader.offset] === 0) {
      reader.offset++;
      continue;
    }
    const blobOffset = reader.offset;
    const uncompressedBytes = reader.uleb('names blob: uncompressed length');
    const compressedBytes = reader.uleb('names blob: compressed length');
    let text: Uint8Array;
    if (compressedBytes > 0) {
      const start = reader.absoluteOffset;
      text = inflateZlib(reader.take(compressedBytes, 'names blob: zlib data'), uncompressedBytes, {
        source,
        byteOffset: start,
        what: `names blob at ${blobOffset}`,
      });
    } else {
      text = reader.take(uncompressedBytes, 'names blob: names');
    }
    let start = 0;
    for (let i = text.indexOf(0x01); ; i = text.indexOf(0x01, start)) {
      const end = i === -1 ? text.length : i;
      if (end > start && visit(text, start, end) === false) return;
      if (i === -1) break;
      start = i + 1;
    }
  }
}

/**
 * Splits a names blob sequence into the names it holds, in order.
 * @param bytes the section or raw-profile names area (without trailing alignment padding is fine)
 * @param source label for errors
 * @param baseOffset absolute offset of `bytes[0]` in `source`
 * @throws CovError `E_TRUNCATED`/`E_MALFORMED` on a cut or corrupt blob.
 */
export function decodePrfNames(bytes: Uint8Array, source: string, baseOffset = 0): string[] {
  const names: string[] = [];
  const decoder = new TextDecoder('utf-8');
  forEachPrfName(bytes, source, baseOffset, (text, start, end) => {
    names.push(decoder.decode(text.subarray(start, end)));
  });
  return names;
}
