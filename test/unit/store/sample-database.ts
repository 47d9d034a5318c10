/**
 * A small hand-built coverage database for the store tests: two objects (every region kind, an
 * expression, a whole-line region, a record whose mapping failed to decode, a Version1-style
 * record name), a profile with counts at the top of the u64 range, and breakpoint-engine records.
 */
import { REGION_STRIDE, RegionKind, type FunctionMapping } from '../../../src/covmap/index.js';
import type { FunctionRecord } from '../../../src/model/index.js';
import type { CoverageDatabase, StoredObject } from '../../../src/store/index.js';

type Region = [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];

/** A mapping from region rows (kind, fileId, expandedFileId, lines/columns, counters, p0–p2). */
export function mapping(
  fileIds: number[],
  regions: Region[],
  expressions: number[] = [],
  isAdd: number[] = [],
): FunctionMapping {
  const flat = new Uint32Array(regions.length * REGION_STRIDE);
  regions.forEach((row, i) => flat.set(row, i * REGION_STRIDE));
  return {
    fileIdToFilenameIndex: Uint32Array.from(fileIds),
    expressions: Uint32Array.from(expressions),
    expressionIsAdd: Uint8Array.from(isAdd),
    regions: flat,
    regionCount: regions.length,
  };
}

const WHOLE_LINE = 0xffffffff;

/** Object 1: code, gap, skipped, expansion, branch, MC/DC regions; one undecodable record. */
export function sampleObject(path = '/work/target/debug/deps/t1-abc'): StoredObject {
  const main = mapping(
    [1, 2],
    [
      [RegionKind.Code, 0, 0, 10, 5, 14, 2, 1 * 4 + 1, 0, 0, 0, 0],
      [RegionKind.Gap, 0, 0, 11, 9, 12, 1, 0 * 4 + 2, 0, 0, 0, 0],
      [RegionKind.Skipped, 0, 0, 3, 1, 3, WHOLE_LINE, 0, 0, 0, 0, 0],
      [RegionKind.Expansion, 0, 1, 12, 5, 12, 11, 1 * 4 + 1, 0, 0, 0, 0],
      [RegionKind.Branch, 0, 0, 13, 8, 13, 20, 2 * 4 + 1, 0 * 4 + 2, 0, 0, 0],
      [RegionKind.MCDCDecision, 0, 0, 13, 8, 13, 30, 0, 0, 4, 2, 0],
      [RegionKind.MCDCBranch, 0, 0, 13, 8, 13, 12, 1 * 4 + 1, 0, 1, 2, 0],
      // a code region with a non-zero field its kind does not normally carry: stored in full
      [RegionKind.Code, 1, 7, 2, 1, 2, 40, 1 * 4 + 1, 3, 0, 0, 9],
    ],
    [1 * 4 + 1, 2 * 4 + 1],
    [0],
  );
  return {
    path,
    version: 6,
    filenameTables: new Map([
      [0x1111_2222_3333_4444n, ['/work', '/work/src/lib.rs', '/work/src/macros.rs']],
      [0xfedc_ba98_7654_3210n, ['/work', '/work/src/other.rs']],
    ]),
    names: new Map([
      [0xaaaa_0000_0000_0001n, '_RNvCs1_4demo4main'],
      [0xaaaa_0000_0000_0002n, '_RNvCs1_4demo6helper'],
      [0xaaaa_0000_0000_0003n, '_RNvCs1_4demo6broken'],
    ]),
    records: [
      {
        nameRef: 0xaaaa_0000_0000_0001n,
        funcHash: 0x1234_5678_9abc_def0n,
        filenamesRef: 0x1111_2222_3333_4444n,
        byteOffset: 0x4000,
        fileIds: Uint32Array.of(1, 2),
        mapping: main,
      },
      {
        nameRef: 0xaaaa_0000_0000_0002n,
        funcHash: 0n,
        filenamesRef: 0xfedc_ba98_7654_3210n,
        byteOffset: 0x4080,
        name: 'v1-style name',
        fileIds: Uint32Array.of(1),
        mapping: mapping([1], [[RegionKind.Code, 0, 0, 1, 1, 2, 2, 0, 0, 0, 0, 0]]),
      },
      {
        nameRef: 0xaaaa_0000_0000_0003n,
        funcHash: 7n,
        filenamesRef: 0xfedc_ba98_7654_3210n,
        byteOffset: 0x4010,
        fileIds: Uint32Array.of(1, 5),
        mapping: undefined,
        error: '/work/t1: at 0x402c: region: expanded file id 9 is out of range (2 file ids)',
      },
      {
        nameRef: 0xaaaa_0000_0000_0004n,
        funcHash: 8n,
        // a ref no table holds (kept exactly, even though readers drop such records)
        filenamesRef: 0x9999n,
        byteOffset: 0x4100,
        fileIds: undefined,
        mapping: undefined,
        error: 'truncated',
      },
    ],
    warnings: [
      {
        severity: 'warning',
        code: 'E_MALFORMED',
        message: 'covfun: 1 record skipped',
        source: path,
        byteOffset: 12,
      },
    ],
  };
}

/** Object 2: many similar functions, so its record is large enough to be compressed. */
export function bigObject(path = '/work/target/debug/deps/t2-def'): StoredObject {
  const records = [];
  for (let i = 0; i < 60; i++) {
    records.push({
      nameRef: 0xbbbb_0000_0000_0000n + BigInt(i),
      funcHash: 0x5555n + BigInt(i),
      filenamesRef: 0x1111_2222_3333_4444n,
      byteOffset: 0x8000 + i * 64,
      fileIds: Uint32Array.of(1),
      mapping: mapping(
        [1],
        [
          [RegionKind.Code, 0, 0, 20 + i * 5, 1, 24 + i * 5, 2, 1 * 4 + 1, 0, 0, 0, 0],
          [RegionKind.Code, 0, 0, 21 + i * 5, 9, 22 + i * 5, 10, 0 * 4 + 3, 0, 0, 0, 0],
        ],
        [1 * 4 + 1, 0],
        [1],
      ),
    });
  }
  return {
    path,
    version: 6,
    filenameTables: new Map([[0x1111_2222_3333_4444n, ['/work', '/work/src/lib.rs']]]),
    names: new Map(records.map((r, i) => [r.nameRef, `_RNvCs1_4demo5func${i}`])),
    records,
    warnings: [],
  };
}

/** A breakpoint-engine record: one code region per line. */
export function lineRecord(name: string, lines: number[], counts: bigint[]): FunctionRecord {
  const regions = new Uint32Array(lines.length * 7);
  lines.forEach((line, i) => regions.set([0, 0, 0, line, 1, line, WHOLE_LINE], i * 7));
  return {
    name,
    filenames: ['/work/src/lib.rs'],
    executionCount: counts[0] ?? 0n,
    regions,
    regionCounts: BigUint64Array.from(counts),
    branches: new Uint32Array(0),
    branchTrueCounts: new BigUint64Array(0),
    branchFalseCounts: new BigUint64Array(0),
    mcdcRecords: [],
    objectIndex: 0,
  };
}

/** The whole sample database. */
export function sampleDatabase(): CoverageDatabase {
  return {
    metadata: {
      toolVersion: '0.1.0',
      engine: 'instrumented',
      createdAt: '2026-01-02T03:04:05.000Z',
      argv: ['test', '--lcov'],
      exitStatus: 2,
      toolchain: 'rustc 1.95.0 (LLVM 22.1.2)',
      rustcVerbose: 'rustc 1.95.0 (59807616e 2026-04-14)\nbinary: rustc\nLLVM version: 22.1.2\n',
      objects: ['/work/target/debug/deps/t1-abc', '/work/target/debug/deps/t2-def'],
      profiles: ['/work/target/cov/profraw/1.profraw'],
      workspaceRoot: '/work',
      targetDir: '/work/target/cov',
    },
    profile: {
      records: [
        {
          nameRef: 0xaaaa_0000_0000_0001n,
          funcHash: 0x1234_5678_9abc_def0n,
          counts: BigUint64Array.of(5n, 2n ** 64n - 3n, 0n),
          bitmap: Uint8Array.of(0x0f),
        },
        {
          nameRef: 0xaaaa_0000_0000_0002n,
          funcHash: 0n,
          counts: BigUint64Array.of(0n),
          bitmap: new Uint8Array(0),
        },
      ],
      warnings: [
        { severity: 'warning', code: 'W_COUNT_MISMATCH', message: 'b.profraw: count mismatch' },
      ],
    },
    objects: [sampleObject(), bigObject()],
    functions: [lineRecord('ptrace_fn', [3, 4, 9], [1n, 0n, 2n ** 63n])],
  };
}
