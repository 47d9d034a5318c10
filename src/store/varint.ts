/**
 * The integer streams inside database records: unsigned LEB128 (7 bits per byte, low group first)
 * for values up to 2^53, zig-zag for signed deltas (0, −1, 1, −2 … ↦ 0, 1, 2, 3 …). Small numbers
 * take one byte, which is what lets lz4 find repeats in region tables.
 */

/** Appends LEB128 values to a growing buffer. */
export class VarintWriter {
  private bytes = new Uint8Array(4096);
  private length = 0;

  /** Appends a non-negative integer below 2^53. */
  writeUnsigned(value: number): void {
    if (this.length + 8 > this.bytes.length) this.grow(8);
    let v = value;
    while (v >= 0x80) {
      this.bytes[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.bytes[this.length++] = v;
  }

  /** Appends a signed integer (|value| below 2^52) zig-zag encoded. */
  writeSigned(value: number): void {
    this.writeUnsigned(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  /** Appends raw bytes. */
  writeBytes(bytes: Uint8Array): void {
    if (this.length + bytes.length > this.bytes.length) this.grow(bytes.length);
    this.bytes.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** Forgets what was written (the buffer is kept for reuse). */
  reset(): void {
    this.length = 0;
  }

  /** The bytes written so far, without copying (valid until the next write or reset). */
  view(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }

  /** The bytes written so far (a copy). */
  finish(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }

  private grow(extra: number): void {
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }
}

/** Thrown by {@link VarintReader} when a stream ends early or holds an overlong value. */
export class VarintError extends Error {}

/** Reads the values of a {@link VarintWriter} stream back. */
export class VarintReader {
  offset = 0;
  constructor(readonly bytes: Uint8Array) {}

  /** @throws VarintError at the end of the stream or for a value of 2^53 or more */
  readUnsigned(): number {
    let result = 0;
    let multiplier = 1;
    for (;;) {
      if (this.offset >= this.bytes.length) {
        throw new VarintError(`integer stream ends at byte ${this.offset}`);
      }
      const byte = this.bytes[this.offset++]!;
      result += (byte & 0x7f) * multiplier;
      if ((byte & 0x80) === 0) return result;
      multiplier *= 0x80;
      if (multiplier > 2 ** 49) {
        throw new VarintError(`overlong integer at byte ${this.offset}`);
      }
    }
  }

  /** Reads an unsigned value that must fit in 32 bits. @throws VarintError otherwise */
  readU32(): number {
    const value = this.readUnsigned();
    if (value > 0xffffffff) throw new VarintError(`value ${value} at byte ${this.offset} > 2^32-1`);
    return value;
  }

  /** @throws VarintError as {@link readUnsigned} */
  readSigned(): number {
    const z = this.readUnsigned();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  /** Whether every byte was read. */
  get done(): boolean {
    return this.offset === this.bytes.length;
  }
}
