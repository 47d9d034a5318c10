/**
 * Shapes produced by the coverage-mapping readers (`__llvm_covmap` v1–v7 field values 0–6,
 * `__llvm_covfun`, the mapping encoding).
 * @see ../../../shared/spec/formats.md §4
 */
import type { Diagnostic } from '../binary/index.js';

/** JSON region kind numbers (spec §4.5 item 5). */
export const RegionKind = {
  Code: 0,
  Expansion: 1,
  Skipped: 2,
  Gap: 3,
  Branch: 4,
  MCDCDecision: 5,
  MCDCBranch: 6,
} as const;
export type RegionKind = (typeof RegionKind)[keyof typeof RegionKind];

/**
 * Decoded regions, `REGION_STRIDE` u32 fields per region, in stored order (grouped by file id):
 * kind, fileId, expandedFileId (expansion only, else 0), lineStart, columnStart, lineEnd,
 * columnEnd (exclusive, gap bit cleared; whole-line regions get 1 and 0xffffffff), counter,
 * falseCounter (branch kinds only, else 0), p0, p1, p2.
 * Counters are kept encoded (tag = v & 3: 0 zero, 1 counter #(v>>>2), 2 subtract-expr, 3 add-expr).
 * p0/p1/p2: MC/DC decision → BitmapIdx, NumConditions, 0; MC/DC branch → ID, TrueNextID, FalseNextID
 * as stored (+1; 0 means none); others 0.
 */
export const REGION_STRIDE = 12;
export const R_KIND = 0;
export const R_FILE_ID = 1;
export const R_EXPANDED_FILE_ID = 2;
export const R_LINE_START = 3;
export const R_COLUMN_START = 4;
export const R_LINE_END = 5;
export const R_COLUMN_END = 6;
export const R_COUNTER = 7;
export const R_FALSE_COUNTER = 8;
export const R_P0 = 9;
export const R_P1 = 10;
export const R_P2 = 11;

/** One function's decoded mapping (spec §4.5). */
export interface FunctionMapping {
  /** Local file id → index into the TU filename list (entry 0 = compilation dir from v6 on). */
  readonly fileIdToFilenameIndex: Uint32Array;
  /** Expressions as pairs of encoded counters: [lhs0, rhs0, lhs1, rhs1, …]. */
  readonly expressions: Uint32Array;
  /** Kind of each expression: 0 subtract (default), 1 add — taken from referencing counter tags. */
  readonly expressionIsAdd: Uint8Array;
  /** `REGION_STRIDE` fields per region. */
  readonly regions: Uint32Array;
  readonly regionCount: number;
}

/** A `__llvm_covfun` record (or pre-v4 covmap function record) before its mapping is decoded. */
export interface CovfunRecord {
  readonly nameRef: bigint;
  readonly funcHash: bigint;
  /** MD5-64 of the encoded filenames blob of its TU (v ≥ 4); for v < 4 the owning entry's ref. */
  readonly filenamesRef: bigint;
  /** Encoded mapping bytes (a view into the section). */
  readonly mappingBytes: Uint8Array;
  /** Absolute byte offset of the record header within its section. */
  readonly byteOffset: number;
  /**
   * Absolute byte offset of `mappingBytes[0]` within its section (covfun: `byteOffset + 28`;
   * pre-v4: inside the entry's mapping area). Set by the readers in this folder.
   */
  readonly mappingByteOffset?: number;
  /** Only for covmap Version1 records: the name read from the names section. */
  readonly name?: string;
  /**
   * Only for covmap Version1 records: the stored NamePtr (target address of the name). LLVM keys
   * its per-object record selection on this value in Version1, so {@link selectRecords} does too.
   */
  readonly namePtr?: bigint;
}

/** Everything read from one object's coverage sections. */
export interface CoverageMappingData {
  /** Covmap field value of the first entry (0 = Version1 … 6 = Version7); −1 if there is no covmap entry. */
  readonly version: number;
  /** FilenamesRef → resolved filename list (entry 0 = compilation dir for v ≥ 6); ambiguous refs absent. */
  readonly filenameTables: Map<bigint, readonly string[]>;
  /** Records after the per-object selection rule (spec §4.6), in section order. */
  readonly records: readonly CovfunRecord[];
  /**
   * NameRef → function name (from `__llvm_prf_names`) for the selected records, when names were
   * resolved (the default); absent when the caller asked to resolve names later.
   */
  readonly names?: ReadonlyMap<bigint, string>;
  readonly warnings: readonly Diagnostic[];
}
