/**
 * Allocation-light helpers over counter arrays: bulk copy of u64 counters in either byte order,
 * single-byte counter conversion, saturating element-wise add and zero tests.
 * @see ../../../shared/spec/formats.md §2.7, §2.12
 */

/** True when this machine stores integers little-endian (what `BigUint64Array` uses). */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const EMPTY_COUNTS = new BigUint64Array(0);

/**
 * Copies `count` u64 values stored at `bytes[byteOffset…]` in the given byte order into a new
 * `BigUint64Array`: one memcpy, plus an in-place byte swap when the order differs from the host's.
 * The caller has checked that the bytes exist.
 */
export function copyU64Counters(
  bytes: Uint8Array,
  byteOffset: number,
  count: number,
  littleEndian: boolean,
): BigUint64Array {
  if (count === 0) return EMPTY_COUNTS;
  const out = new BigUint64Array(count);
  const outBytes = new Uint8Array(out.buffer);
  outBytes.set(bytes.subarray(byteOffset, byteOffset + count * 8));
  if (littleEndian !== HOST_LITTLE_ENDIAN) {
    for (let i = 0; i < outBytes.length; i += 8) {
      for (let lo = i, hi = i + 7; lo < hi; lo++, hi--) {
        const tmp = outBytes[lo]!;
        outBytes[lo] = outBytes[hi]!;
        outBytes[hi] = tmp;
      }
    }
  }
  return out;
}

/**
 * Converts `count` single-byte coverage counters at `bytes[byteOffset…]`: byte 0x00 means covered
 * (count 1), any other value (the initial 0xff) means 0 (spec §2.7).
 */
export function convertSingleByteCounters(
  bytes: Uint8Array,
  byteOffset: number,
  count: number,
): BigUint64Array {
  if (count === 0) return EMPTY_COUNTS;
  const out = new BigUint64Array(count);
  for (let i = 0; i < count; i++) {
    if (bytes[byteOffset + i] === 0) out[i] = 1n;
  }
  return out;
}

const LO = HOST_LITTLE_ENDIAN ? 0 : 1;
const HI = 1 - LO;
const U32_MAX = 0xffffffff;
/** Low word of 2^64−3, the saturation value (high word is all ones). */
const MAX_COUNT_LO = 0xfffffffd;

/**
 * `target[i] = min(target[i] + addend[i], 2^64−3)` for every i, as LLVM's record merge does
 * (spec §2.12). Works on 32-bit halves so no bigint is allocated. Arrays must have equal length.
 * @returns true when at least one element was clamped
 */
export function addCountsSaturating(target: BigUint64Array, addend: BigUint64Array): boolean {
  const t = new Uint32Array(target.buffer, target.byteOffset, target.length * 2);
  const a = new Uint32Array(addend.buffer, addend.byteOffset, addend.length * 2);
  let clamped = false;
  for (let i = 0; i < t.length; i += 2) {
    let lo = t[i + LO]! + a[i + LO]!;
    let hi = t[i + HI]! + a[i + HI]!;
    if (lo > U32_MAX) {
      lo -= U32_MAX + 1;
      hi += 1;
    }
    if (hi > U32_MAX || (hi === U32_MAX && lo > MAX_COUNT_LO)) {
      hi = U32_MAX;
      lo = MAX_COUNT_LO;
      clamped = true;
    }
    t[i + LO] = lo;
    t[i + HI] = hi;
  }
  return clamped;
}

/** True when every element of `values` is zero (no bigint allocated). */
export function isAllZero(values: BigUint64Array | Uint8Array): boolean {
  const words =
    values instanceof BigUint64Array
      ? new Uint32Array(values.buffer, values.byteOffset, values.length * 2)
      : values;
  for (let i = 0; i < words.length; i++) {
    if (words[i] !== 0) return false;
  }
  return true;
}
