/**
 * Decompression for coverage data: zlib (RFC 1950) streams used by `__llvm_prf_names`, covmap
 * filename lists and `SHF_COMPRESSED` ELF sections, and zstd for `ELFCOMPRESS_ZSTD` sections.
 */
import { inflateSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { CovError } from './errors.js';

/**
 * Inflates a zlib stream that must produce exactly `expectedBytes` bytes.
 * @throws CovError `E_MALFORMED` when the stream is corrupt or has another length.
 */
export function inflateZlib(
  compressed: Uint8Array,
  expectedBytes: number,
  where: { source: string; byteOffset: number; what: string },
): Uint8Array {
  let out: Buffer;
  try {
    out = inflateSync(compressed, { maxOutputLength: Math.max(expectedBytes, 1) });
  } catch (cause) {
    throw new CovError('E_MALFORMED', `${where.what}: zlib data is corrupt (${String(cause)})`, {
      source: where.source,
      byteOffset: where.byteOffset,
      cause,
    });
  }
  if (out.length !== expectedBytes) {
    throw new CovError(
      'E_MALFORMED',
      `${where.what}: zlib data inflates to ${out.length} bytes, expected ${expectedBytes}`,
      { source: where.source, byteOffset: where.byteOffset },
    );
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/**
 * Decompresses a zstd frame that must produce exactly `expectedBytes` bytes.
 * @throws CovError `E_MALFORMED` when the frame is corrupt or has another length.
 */
export function decompressZstd(
  compressed: Uint8Array,
  expectedBytes: number,
  where: { source: string; byteOffset: number; what: string },
): Uint8Array {
  let out: Uint8Array;
  try {
    // No output buffer: fzstd 0.1 overruns a caller-supplied buffer on multi-frame input, which lld
    // writes for --compress-debug-sections=zstd (one frame per parallel shard).
    out = zstdDecompress(compressed);
  } catch (cause) {
    throw new CovError('E_MALFORMED', `${where.what}: zstd data is corrupt (${String(cause)})`, {
      source: where.source,
      byteOffset: where.byteOffset,
      cause,
    });
  }
  if (out.length !== expectedBytes) {
    throw new CovError(
      'E_MALFORMED',
      `${where.what}: zstd data decompresses to ${out.length} bytes, expected ${expectedBytes}`,
      { source: where.source, byteOffset: where.byteOffset },
    );
  }
  return out;
}
