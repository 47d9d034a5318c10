/**
 * MD5-64 as LLVM uses it for NameRef, FilenamesRef and `.profdata` key hashes: the first 8 bytes of
 * the MD5 digest read as a little-endian u64 (spec/formats.md §1).
 */
import { createHash } from 'node:crypto';

/** MD5-64 of `bytes` (or the UTF-8 of a string) as an unsigned bigint. */
export function md5Hash64(input: Uint8Array | string): bigint {
  const digest = createHash('md5').update(input).digest();
  return digest.readBigUInt64LE(0);
}
