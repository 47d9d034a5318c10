/**
 * MC/DC records of one function, as llvm-cov 22 builds them from the coverage mapping's MC/DC
 * decision and MC/DC branch regions (covmap Version7) and the profile's bitmap bytes (raw v9–v11,
 * indexed v11–v13): decisions collect their conditions, test vectors are numbered the way LLVM's
 * `TVIdxBuilder` numbers them, the executed ones are read from the bitmap, and a condition is
 * covered when an independence pair of executed vectors shows it.
 * @see ../../../shared/spec/formats.md §5.8, §2.7 (bitmap bytes), §3 (indexed v11/v12)
 * @see llvm/lib/ProfileData/Coverage/CoverageMapping.cpp (MCDCDecisionRecorder,
 *   MCDCRecordProcessor, mcdc::TVIdxBuilder, MCDCRecord::findIndependencePairs)
 */
import {
  R_COLUMN_END,
  R_COLUMN_START,
  R_COUNTER,
  R_EXPANDED_FILE_ID,
  R_FALSE_COUNTER,
  R_FILE_ID,
  R_KIND,
  R_LINE_END,
  R_LINE_START,
  R_P0,
  R_P1,
  R_P2,
  REGION_STRIDE,
  RegionKind,
} from '../covmap/index.js';
import type { McdcRecord } from '../model/index.js';

/** Bits per bitmap byte (LLVM's `CHAR_BIT`). */
const CHAR_BIT = 8;
/** LLVM's `TVIdxBuilder::HardMaxTVs` (INT_MAX): more test vectors than this is an overflow. */
const HARD_MAX_TVS = 0x7fffffff;
/** Condition states of a test vector, as LLVM's `MCDCRecord::CondState`. */
const DONT_CARE = -1;
const FALSE = 0;
const TRUE = 1;

/** How executed test vectors are laid out in a function's bitmap. */
export type McdcBitmapLayout =
  /**
   * Indexed profile ≥ v12 / raw ≥ v10 (LLVM 19+): test vector t of a decision is bit
   * `BitmapIdx − NumTestVectors + t`.
   */
  | 'test-vector-index'
  /**
   * Indexed v11 / raw v9 (LLVM 18): bit `BitmapIdx × 8 + m`, m = bitmask of the conditions that
   * were true (bit i = condition id i).
   */
  | 'condition-bitmask';

/** One MC/DC decision region being filled with its conditions (LLVM's `DecisionRecord`). */
interface PendingDecision {
  /** Offset of the decision region in the mapping's region array. */
  readonly offset: number;
  readonly fileId: number;
  readonly start: readonly [number, number];
  readonly end: readonly [number, number];
  readonly bitmapIdx: number;
  readonly numConditions: number;
  /** Region offsets of its MC/DC branches; condition id 0 is kept first. */
  readonly branches: number[];
  readonly conditionIds: Set<number>;
  /** File ids of expansions that start inside the decision (and, recursively, inside those). */
  readonly expandedFileIds: Set<number>;
}

/**
 * MC/DC records of one function in llvm-cov's order (a decision is emitted when its last
 * condition is seen, in stored region order).
 *
 * @param regions decoded mapping regions, `REGION_STRIDE` fields each (covmap/types.ts); MC/DC
 *   branch params are stored +1 (0 = none), decision params are (BitmapIdx, NumConditions)
 * @param bitmap the function's profile bitmap bytes (bit i = byte i>>3, bit i&7); empty or short
 *   for a function without profile data, whose unread bits count as not executed
 * @param layout how the profile version numbers the bitmap bits ({@link McdcBitmapLayout})
 * @returns one record per completed decision; a decision whose conditions never all appear yields
 *   none, as in llvm-cov
 */
export function buildMcdcRecords(
  regions: Uint32Array,
  bitmap: Uint8Array,
  layout: McdcBitmapLayout,
): McdcRecord[] {
  const pending: PendingDecision[] = [];
  const records: McdcRecord[] = [];
  for (let o = 0; o < regions.length; o += REGION_STRIDE) {
    const kind = regions[o + R_KIND]!;
    if (kind === RegionKind.MCDCDecision) {
      pending.push({
        offset: o,
        fileId: regions[o + R_FILE_ID]!,
        start: [regions[o + R_LINE_START]!, regions[o + R_COLUMN_START]!],
        end: [regions[o + R_LINE_END]!, regions[o + R_COLUMN_END]!],
        bitmapIdx: regions[o + R_P0]!,
        numConditions: regions[o + R_P1]!,
        branches: [],
        conditionIds: new Set(),
        expandedFileIds: new Set(),
      });
    } else if (kind === RegionKind.Expansion) {
      // only the first decision that contains the expansion takes it (LLVM's any_of)
      for (const decision of pending) {
        if (dominates(decision, regions, o)) {
          decision.expandedFileIds.add(regions[o + R_EXPANDED_FILE_ID]!);
          break;
        }
      }
    } else if (kind === RegionKind.MCDCBranch) {
      const id = regions[o + R_P0]! - 1;
      for (let d = 0; d < pending.length; d++) {
        const decision = pending[d]!;
        if (decision.conditionIds.has(id) || id >= decision.numConditions) continue;
        if (!dominates(decision, regions, o)) continue;
        if (id === 0) decision.branches.unshift(o);
        else decision.branches.push(o);
        decision.conditionIds.add(id);
        if (decision.branches.length === decision.numConditions) {
          pending.splice(d, 1);
          records.push(evaluateDecision(decision, regions, bitmap, layout));
        }
        break;
      }
    }
  }
  return records;
}

/** Whether region `o` lies inside the decision's range in its file, or in one of its expansions. */
function dominates(decision: PendingDecision, regions: Uint32Array, o: number): boolean {
  const fileId = regions[o + R_FILE_ID]!;
  if (fileId === decision.fileId) {
    const startLine = regions[o + R_LINE_START]!;
    const startColumn = regions[o + R_COLUMN_START]!;
    const endLine = regions[o + R_LINE_END]!;
    const endColumn = regions[o + R_COLUMN_END]!;
    const [dsl, dsc] = decision.start;
    const [del, dec] = decision.end;
    const startsInside = startLine > dsl || (startLine === dsl && startColumn >= dsc);
    const endsInside = endLine < del || (endLine === del && endColumn <= dec);
    if (startsInside && endsInside) return true;
  }
  return decision.expandedFileIds.has(fileId);
}

/** An executed test vector: condition states by condition id, and the decision's outcome. */
interface TestVector {
  readonly states: Int8Array;
  readonly result: number;
  /** Test vector index (TVIdxBuilder numbering). */
  readonly index: number;
}

/**
 * LLVM's `MCDCRecordProcessor::processMCDCRecord` plus `MCDCRecord::findIndependencePairs`.
 */
function evaluateDecision(
  decision: PendingDecision,
  regions: Uint32Array,
  bitmap: Uint8Array,
  layout: McdcBitmapLayout,
): McdcRecord {
  const n = decision.numConditions;
  // nextIds[id] = [false next, true next]; −1 ends the decision
  const nextIds: [number, number][] = new Array<[number, number]>(n);
  const positionToId: number[] = [];
  const conditionsFolded: boolean[] = [];
  for (const o of decision.branches) {
    const id = regions[o + R_P0]! - 1;
    nextIds[id] = [regions[o + R_P2]! - 1, regions[o + R_P1]! - 1];
    positionToId.push(id);
    // a condition is folded when either of its counters is the zero counter (tag 0)
    conditionsFolded.push(
      (regions[o + R_COUNTER]! & 3) === 0 || (regions[o + R_FALSE_COUNTER]! & 3) === 0,
    );
  }
  const executed = findExecutedTestVectors(nextIds, decision.bitmapIdx, bitmap, layout);
  const covered = findIndependencePairs(executed);
  const d = regions.subarray(decision.offset, decision.offset + REGION_STRIDE);
  let trueDecisions = 0;
  let falseDecisions = 0;
  for (const vector of executed) {
    if (vector.result === TRUE) trueDecisions++;
    else falseDecisions++;
  }
  return {
    decision: [
      d[R_LINE_START]!,
      d[R_COLUMN_START]!,
      d[R_LINE_END]!,
      d[R_COLUMN_END]!,
      d[R_FILE_ID]!,
      d[R_EXPANDED_FILE_ID]!,
    ],
    trueDecisions,
    falseDecisions,
    conditionsCovered: positionToId.map((id) => covered.has(id)),
    conditionsFolded,
    testVectors: executed.map((vector) => ({
      conditions: positionToId.map((id) => stateValue(vector.states[id]!)),
      executed: true,
      result: vector.result === TRUE,
    })),
  };
}

function stateValue(state: number): boolean | null {
  return state === DONT_CARE ? null : state === TRUE;
}

/**
 * Test vector indices of LLVM's `mcdc::TVIdxBuilder` (offset 0): each node's width is the number
 * of paths reaching it (breadth-first over the condition graph); the decision-ending edges, sorted
 * by width descending then discovery order, get consecutive index ranges; an inner edge's index is
 * the width its target had accumulated before it.
 * @returns per condition id [index on false, index on true], and the number of test vectors
 *   (undefined when the graph is malformed or has more than 2^31−1 vectors)
 */
export function buildTestVectorIndices(
  nextIds: readonly (readonly [number, number])[],
): { indices: [number, number][]; numTestVectors: number } | undefined {
  const n = nextIds.length;
  if (n === 0) return undefined;
  const inCount = new Array<number>(n).fill(0);
  const width = new Array<number>(n).fill(0);
  for (let id = 0; id < n; id++) {
    const next = nextIds[id];
    if (next === undefined) return undefined;
    for (const target of next) {
      if (target >= n || target === 0) return undefined;
      if (target >= 0) inCount[target]!++;
    }
  }
  const indices: [number, number][] = Array.from({ length: n }, () => [0, 0]);
  const ends: { width: number; ord: number; id: number; cond: number }[] = [];
  width[0] = 1;
  const queue: number[] = [0];
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head]!;
    for (let cond = 0; cond < 2; cond++) {
      const target = nextIds[id]![cond]!;
      if (target < 0) {
        ends.push({ width: width[id]!, ord: ends.length, id, cond });
        continue;
      }
      indices[id]![cond] = width[target]!;
      const grown = width[target]! + width[id]!;
      if (grown > HARD_MAX_TVS) return undefined;
      width[target] = grown;
      if (--inCount[target]! === 0) queue.push(target);
    }
  }
  ends.sort((a, b) => b.width - a.width || a.ord - b.ord);
  let current = 0;
  for (const end of ends) {
    indices[end.id]![end.cond] = current;
    current += end.width;
    if (current > HARD_MAX_TVS) return undefined;
  }
  return { indices, numTestVectors: current };
}

/**
 * Walks every path of the condition graph (false before true, depth first) and keeps those whose
 * bitmap bit is set: vectors with outcome false first, then those with outcome true, each group
 * ordered by test vector index (as llvm-cov 22 lists them; checked against its JSON).
 */
function findExecutedTestVectors(
  nextIds: readonly [number, number][],
  bitmapIdx: number,
  bitmap: Uint8Array,
  layout: McdcBitmapLayout,
): TestVector[] {
  const built = buildTestVectorIndices(nextIds);
  if (built === undefined) return [];
  const { indices, numTestVectors } = built;
  const n = nextIds.length;
  const states = new Int8Array(n).fill(DONT_CARE);
  const byResult: [TestVector[], TestVector[]] = [[], []];
  const visit = (id: number, tvIdx: number, trueMask: bigint): void => {
    for (let cond = FALSE; cond <= TRUE; cond++) {
      states[id] = cond;
      const mask = cond === TRUE ? trueMask | (1n << BigInt(id)) : trueMask;
      const next = nextIds[id]![cond]!;
      const nextTvIdx = tvIdx + indices[id]![cond]!;
      if (next >= 0) {
        visit(next, nextTvIdx, mask);
        continue;
      }
      const bit =
        layout === 'condition-bitmask'
          ? BigInt(bitmapIdx) * BigInt(CHAR_BIT) + BigInt.asUintN(64, mask)
          : BigInt(bitmapIdx - numTestVectors + nextTvIdx);
      if (!bitmapBit(bitmap, bit)) continue;
      byResult[cond]!.push({ states: states.slice(), result: cond, index: nextTvIdx });
    }
    states[id] = DONT_CARE;
  };
  visit(0, 0, 0n);
  const byIndex = (a: TestVector, b: TestVector): number => a.index - b.index;
  return [...byResult[FALSE].sort(byIndex), ...byResult[TRUE].sort(byIndex)];
}

/** Bit `bit` of the bitmap (little-endian within each byte); bits outside it read as 0. */
function bitmapBit(bitmap: Uint8Array, bit: bigint): boolean {
  if (bit < 0n || bit >= BigInt(bitmap.length) * BigInt(CHAR_BIT)) return false;
  const index = Number(bit);
  return ((bitmap[index >>> 3]! >>> (index & 7)) & 1) === 1;
}

/**
 * Condition ids with an independence pair: an executed true-outcome vector and an executed
 * false-outcome vector whose conditions differ in exactly that one condition, ignoring conditions
 * that either leaves as don't-care.
 */
function findIndependencePairs(vectors: readonly TestVector[]): Set<number> {
  const covered = new Set<number>();
  let firstTrue = vectors.findIndex((v) => v.result === TRUE);
  if (firstTrue === -1) firstTrue = vectors.length;
  for (let i = firstTrue; i < vectors.length; i++) {
    const a = vectors[i]!.states;
    for (let j = 0; j < firstTrue; j++) {
      const b = vectors[j]!.states;
      let differing = -1;
      let count = 0;
      for (let c = 0; c < a.length && count < 2; c++) {
        if (a[c] !== DONT_CARE && b[c] !== DONT_CARE && a[c] !== b[c]) {
          differing = c;
          count++;
        }
      }
      if (count === 1) covered.add(differing);
    }
  }
  return covered;
}
