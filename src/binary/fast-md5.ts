/**
 * MD5 (RFC 1321) over a byte range, returning only the first 8 digest bytes as two u32 words:
 * the NameRef of a function name without a bigint or a hash object per name. Used to index
 * `__llvm_prf_names`, where it measured about three times faster than `node:crypto` per name.
 * `md5Hash64` in `src/binary/` stays the reference; the tests compare the two.
 * @see ../../../shared/spec/formats.md §1 (NameRef = MD5 digest bytes 0–7 as little-endian u64)
 */

const SHIFTS = Int32Array.from([
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14,
  20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6,
  10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
]);
// RFC 1321 §3.4: T[i] = floor(2^32 · |sin(i + 1)|).
const SINES = Int32Array.from(
  { length: 64 },
  (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0,
);

const words = new Int32Array(16);
const tail = new Uint8Array(128);
const state = new Int32Array(4);

/**
 * MD5 of `bytes[start, end)`; writes digest bytes 0–3 as a little-endian u32 to `out[0]` and
 * bytes 4–7 to `out[1]`, so NameRef = `out[1] · 2^32 + out[0]`.
 */
export function md5Low64(bytes: Uint8Array, start: number, end: number, out: Uint32Array): void {
  state[0] = 0x67452301;
  state[1] = 0xefcdab89 | 0;
  state[2] = 0x98badcfe | 0;
  state[3] = 0x10325476;
  const length = end - start;
  let p = start;
  for (; p + 64 <= end; p += 64) {
    for (let i = 0; i < 16; i++) {
      const q = p + i * 4;
      words[i] = bytes[q]! | (bytes[q + 1]! << 8) | (bytes[q + 2]! << 16) | (bytes[q + 3]! << 24);
    }
    compress();
  }
  const rest = end - p;
  tail.fill(0);
  tail.set(bytes.subarray(p, end));
  tail[rest] = 0x80;
  const tailBytes = rest < 56 ? 64 : 128;
  const bitLengthLow = (length * 8) >>> 0;
  const bitLengthHigh = Math.floor(length / 0x20000000);
  writeU32(tailBytes - 8, bitLengthLow);
  writeU32(tailBytes - 4, bitLengthHigh);
  for (let q = 0; q < tailBytes; q += 64) {
    for (let i = 0; i < 16; i++) {
      const r = q + i * 4;
      words[i] = tail[r]! | (tail[r + 1]! << 8) | (tail[r + 2]! << 16) | (tail[r + 3]! << 24);
    }
    compress();
  }
  out[0] = state[0]!;
  out[1] = state[1]!;
}

function writeU32(offset: number, value: number): void {
  tail[offset] = value & 0xff;
  tail[offset + 1] = (value >>> 8) & 0xff;
  tail[offset + 2] = (value >>> 16) & 0xff;
  tail[offset + 3] = (value >>> 24) & 0xff;
}

function compress(): void {
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  for (let i = 0; i < 64; i++) {
    let f: number;
    let g: number;
    if (i < 16) {
      f = (b & c) | (~b & d);
      g = i;
    } else if (i < 32) {
      f = (d & b) | (~d & c);
      g = (5 * i + 1) & 15;
    } else if (i < 48) {
      f = b ^ c ^ d;
      g = (3 * i + 5) & 15;
    } else {
      f = c ^ (b | ~d);
      g = (7 * i) & 15;
    }
    const t = (a + f + SINES[i]! + words[g]!) | 0;
    const s = SHIFTS[i]!;
    a = d;
    d = c;
    c = b;
    b = (b + ((t << s) | (t >>> (32 - s)))) | 0;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
}
