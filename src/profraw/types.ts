/**
 * Shapes produced by the profile readers (raw `.profraw` v8–v11, indexed `.profdata` v7–v13).
 * @see ../../../shared/spec/formats.md §2, §3
 */
import type { Diagnostic } from '../binary/index.js';

/** Counters of one function record, keyed by (NameRef, FuncHash). */
export interface ProfileRecord {
  /** MD5-64 of the PGO function name (spec §1). */
  readonly nameRef: bigint;
  readonly funcHash: bigint;
  /**
   * One exact u64 per counter; single-byte counters already converted (0x00 ⇒ 1, else 0); a
   * temporal profile's timestamp slot and v11 uniform counters are not included. May be a view
   * into a buffer shared with other records of the same profile: treat as read-only.
   */
  readonly counts: BigUint64Array;
  /** MC/DC bitmap bytes (one value per byte), empty when the function has none. */
  readonly bitmap: Uint8Array;
}

/** Header facts of one raw profile (one module's dump) inside a `.profraw` file. */
export interface RawProfileHeader {
  /** Low 32 bits of the version word: 8, 9, 10 or 11. */
  readonly version: number;
  /** High 32 bits of the version word, as a bigint shifted back into place (bits 32–63). */
  readonly variantFlags: bigint;
  readonly pointerBytes: 4 | 8;
  readonly littleEndian: boolean;
  readonly singleByteCounters: boolean;
  /** Absolute byte offset of the header within the file. */
  readonly byteOffset: number;
  /** Bit 63: the first counter slot of every function holds a u64 timestamp (skipped). */
  readonly temporalProfile: boolean;
  /** Data records announced by the header (`NumData`), including any that were skipped. */
  readonly numData: number;
  /** Binary IDs (GNU build-ids) in stored order, as lowercase hex (spec §2.5). */
  readonly binaryIds: readonly string[];
}

/** What one `.profraw` or `.profdata` file yields. */
export interface ProfileFile {
  readonly source: string;
  readonly format: 'profraw' | 'profdata';
  /** Raw version(s) seen (profraw) or the indexed version (profdata). */
  readonly versions: readonly number[];
  readonly records: readonly ProfileRecord[];
  /** PGO names present in the file (raw names section, or profdata keys). */
  readonly names: readonly string[];
  /** Records skipped or partial profiles, each naming file, offset and cause. */
  readonly warnings: readonly Diagnostic[];
  /** `.profraw` only: one header per module profile found in the file, in file order. */
  readonly rawHeaders?: readonly RawProfileHeader[];
}

/**
 * Profile counters of many files merged as `llvm-profdata merge -sparse` does (spec §2.12):
 * element-wise saturating add of equal keys, bitmap bytes OR-ed, a NameRef dropped only when every
 * record under it is all zero.
 */
export interface ProfileCounts {
  /** NameRef → records under that name, one per distinct FuncHash, in first-seen order. */
  readonly byNameRef: Map<bigint, ProfileRecord[]>;
  /** The merge's own warnings (count/bitmap mismatch, overflow); file warnings stay per file. */
  readonly warnings: readonly Diagnostic[];
  /**
   * True when every merged file predates the MC/DC test-vector bitmap layout (indexed < v12, raw
   * < v10: LLVM 18), whose bitmap bits are indexed by the bitmask of true conditions instead
   * (spec §5.8). Absent or false: the current layout.
   */
  readonly legacyMcdcBitmap?: boolean;
}
