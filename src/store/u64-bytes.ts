/**
 * Exact u64 arrays as little-endian 8-byte blobs (never through a float), for database records.
 */

const HOST_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Packs u64 values as consecutive little-endian 8-byte words. */
export function u64sToBytes(values: ArrayLike<bigint>): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setBigUint64(i * 8, values[i]!, true);
  return out;
}

/**
 * Unpacks little-endian 8-byte words into an aligned array of its own.
 * @throws RangeError when the length is not a multiple of 8
 */
export function bytesToU64s(bytes: Uint8Array): BigUint64Array {
  if (bytes.length % 8 !== 0) throw new RangeError(`u64 blob of ${bytes.length} bytes`);
  // copy into a fresh buffer: a Node Buffer's slice() is a view into a larger (pooled) buffer
  if (HOST_LITTLE_ENDIAN) return new BigUint64Array(new Uint8Array(bytes).buffer);
  const out = new BigUint64Array(bytes.length / 8);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getBigUint64(i * 8, true);
  return out;
}
