/**
 * Hand-built coverage sets for renderer and gate unit tests: records from a compact region list,
 * so each test states exactly which regions exist and how often they ran.
 */
import {
  BRANCH_STRIDE,
  CODE_STRIDE,
  KIND_CODE,
  createCoverageSet,
  type CoverageSet,
  type FunctionRecord,
} from '../../src/model/index.js';

/** A code-like region: [lineStart, columnStart, lineEnd, columnEnd, count, kind = code, fileId = 0]. */
export type RegionSpec = readonly [number, number, number, number, number, number?, number?];

/** A branch region: [lineStart, columnStart, lineEnd, columnEnd, trueCount, falseCount, fileId = 0]. */
export type BranchSpec = readonly [number, number, number, number, number, number, number?];

/** One function record of a synthetic set. */
export interface RecordSpec {
  readonly name: string;
  readonly filenames: readonly string[];
  readonly regions: readonly RegionSpec[];
  readonly branches?: readonly BranchSpec[];
}

/** Builds a record; its execution count is the first region's count. */
export function makeRecord(spec: RecordSpec): FunctionRecord {
  const regions = new Uint32Array(spec.regions.length * CODE_STRIDE);
  const regionCounts = new BigUint64Array(spec.regions.length);
  spec.regions.forEach(([ls, cs, le, ce, count, kind = KIND_CODE, fileId = 0], i) => {
    regions.set([kind, fileId, 0, ls, cs, le, ce], i * CODE_STRIDE);
    regionCounts[i] = BigInt(count);
  });
  const branchList = spec.branches ?? [];
  const branches = new Uint32Array(branchList.length * BRANCH_STRIDE);
  const trueCounts = new BigUint64Array(branchList.length);
  const falseCounts = new BigUint64Array(branchList.length);
  branchList.forEach(([ls, cs, le, ce, t, f, fileId = 0], i) => {
    branches.set([4, fileId, 0, ls, cs, le, ce, 0], i * BRANCH_STRIDE);
    trueCounts[i] = BigInt(t);
    falseCounts[i] = BigInt(f);
  });
  return {
    name: spec.name,
    filenames: spec.filenames,
    executionCount: regionCounts[0] ?? 0n,
    regions,
    regionCounts,
    branches,
    branchTrueCounts: trueCounts,
    branchFalseCounts: falseCounts,
    mcdcRecords: [],
    objectIndex: 0,
  };
}

/** A region in the record's own layout: [kind, fileId, expandedFileId, lineStart, colStart, lineEnd, colEnd, count]. */
export type RawRegion = [number, number, number, number, number, number, number, bigint];
/** A branch region: [fileId, lineStart, colStart, lineEnd, colEnd, trueCount, falseCount, folded]. */
export type RawBranch = [number, number, number, number, number, bigint, bigint, number];

/**
 * Builds a record from regions in its own layout (expansions and folded branch sides included);
 * its execution count is the first region's count.
 */
export function rawRecord(
  name: string,
  filenames: string[],
  regions: RawRegion[],
  branches: RawBranch[] = [],
): FunctionRecord {
  return {
    name,
    filenames,
    executionCount: regions[0]![7],
    regions: Uint32Array.from(regions.flatMap((r) => r.slice(0, 7) as number[])),
    regionCounts: BigUint64Array.from(regions.map((r) => r[7])),
    branches: Uint32Array.from(
      branches.flatMap(([f, ls, cs, le, ce, , , folded]) => [4, f, 0, ls, cs, le, ce, folded]),
    ),
    branchTrueCounts: BigUint64Array.from(branches.map((b) => b[5])),
    branchFalseCounts: BigUint64Array.from(branches.map((b) => b[6])),
    mcdcRecords: [],
    objectIndex: 0,
  };
}

/** A set of records loaded from one object. */
export function makeSet(
  specs: readonly RecordSpec[],
  engine: 'instrumented' | 'ptrace' = 'instrumented',
): CoverageSet {
  return createCoverageSet(specs.map(makeRecord), [], {
    engine,
    objects: ['synthetic'],
    profiles: [],
  });
}
