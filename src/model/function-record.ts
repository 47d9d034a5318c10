/**
 * A function record as llvm-cov keeps it after joining counts to the mapping (spec/formats.md §5.1
 * step 6): name, per-file-id filenames, counted code-like regions, counted branch regions, MC/DC.
 * Regions live in flat typed arrays (one record can have thousands of regions; tokio has 1 M).
 */

/** Fields per code-like region in {@link FunctionRecord.regions}. */
export const CODE_STRIDE = 7;
/** Fields per branch region in {@link FunctionRecord.branches}. */
export const BRANCH_STRIDE = 8;
/** Field offsets shared by both strides. */
export const F_KIND = 0;
export const F_FILE_ID = 1;
export const F_EXPANDED_FILE_ID = 2;
export const F_LINE_START = 3;
export const F_COLUMN_START = 4;
export const F_LINE_END = 5;
export const F_COLUMN_END = 6;
/** Branch only: bit 0 = true counter is the zero counter, bit 1 = false counter is. */
export const F_FOLDED = 7;
export const FOLDED_TRUE = 1;
export const FOLDED_FALSE = 2;

/** Region kinds as llvm-cov numbers them in JSON (spec §4.5 item 5). */
export const KIND_CODE = 0;
export const KIND_EXPANSION = 1;
export const KIND_SKIPPED = 2;
export const KIND_GAP = 3;
export const KIND_BRANCH = 4;
export const KIND_MCDC_DECISION = 5;
export const KIND_MCDC_BRANCH = 6;

/**
 * One MC/DC decision with its evaluated test vectors (clang only), carried into JSON; built by
 * assemble/mcdc.ts. Per-condition arrays are in llvm-cov's condition order: condition id 0 first,
 * then the others in stored region order.
 */
export interface McdcRecord {
  /** Decision region: [lineStart, columnStart, lineEnd, columnEnd, fileId, expandedFileId]. */
  readonly decision: readonly [number, number, number, number, number, number];
  /** Executed test vectors whose outcome is true (not a count of evaluations). */
  readonly trueDecisions: number;
  /** Executed test vectors whose outcome is false. */
  readonly falseDecisions: number;
  /** Per condition: whether an independence pair covers it. */
  readonly conditionsCovered: readonly boolean[];
  /** Per condition: folded (either branch counter is the zero counter); not counted in summaries. */
  readonly conditionsFolded: readonly boolean[];
  /**
   * Executed test vectors, outcome false first then true, each group by test vector index:
   * condition values (true/false/null = don't care), executed (always true), result.
   */
  readonly testVectors: readonly {
    readonly conditions: readonly (boolean | null)[];
    readonly executed: boolean;
    readonly result: boolean;
  }[];
}

/**
 * One loaded function record (one instantiation).
 * Lines and columns are 1-based, end columns exclusive; counts are u64 (`bigint`, wrapped modulo
 * 2^64 as llvm-cov's int64 arithmetic does).
 */
export interface FunctionRecord {
  /** PGO name (mangled Rust symbol). */
  readonly name: string;
  /** Resolved filename per local file id. */
  readonly filenames: readonly string[];
  /** Count of the first code-like region in stored order. */
  readonly executionCount: bigint;
  /** Code-like regions (code, expansion, skipped, gap) in stored order, `CODE_STRIDE` each. */
  readonly regions: Uint32Array;
  readonly regionCounts: BigUint64Array;
  /** Branch and MC/DC branch regions in stored order, `BRANCH_STRIDE` each. */
  readonly branches: Uint32Array;
  readonly branchTrueCounts: BigUint64Array;
  readonly branchFalseCounts: BigUint64Array;
  readonly mcdcRecords: readonly McdcRecord[];
  /** Index of the object (binary) it was loaded from, in load order. */
  readonly objectIndex: number;
}

/** Number of code-like regions in `record`. */
export function regionCount(record: FunctionRecord): number {
  return record.regions.length / CODE_STRIDE;
}

/** Number of branch regions in `record`. */
export function branchCount(record: FunctionRecord): number {
  return record.branches.length / BRANCH_STRIDE;
}

/**
 * Main file id: the smallest file id that no expansion region targets (spec §5.2), or undefined.
 */
export function mainFileId(record: FunctionRecord): number | undefined {
  const fileCount = record.filenames.length;
  const expanded = new Uint8Array(fileCount);
  const regions = record.regions;
  for (let i = 0; i < regions.length; i += CODE_STRIDE) {
    if (regions[i + F_KIND] === KIND_EXPANSION) {
      const target = regions[i + F_EXPANDED_FILE_ID]!;
      if (target < fileCount) expanded[target] = 1;
    }
  }
  const found = expanded.indexOf(0);
  return found === -1 ? undefined : found;
}
