/**
 * Reads a `cov … --json` output (llvm-cov export schema 3.x plus cov's `"cov"` key) back into a
 * `CoverageSet`, so `cov compare` can take two earlier results instead of running anything.
 */
import { CovError } from '../binary/index.js';
import {
  KIND_BRANCH,
  KIND_MCDC_BRANCH,
  createCoverageSet,
  type CoverageSet,
  type FunctionRecord,
} from '../model/index.js';

interface ExportFunction {
  readonly name?: unknown;
  readonly filenames?: unknown;
  readonly regions?: unknown;
  readonly branches?: unknown;
  readonly count?: unknown;
}

function toCount(value: unknown): bigint {
  // JSON numbers above 2^53 lose precision in JSON.parse; compare needs zero vs non-zero only
  return typeof value === 'number' && value > 0 ? BigInt(Math.round(value)) : 0n;
}

function readFunction(fn: ExportFunction, source: string, index: number): FunctionRecord {
  const where = `${source}: data[0].functions[${index}]`;
  if (
    typeof fn.name !== 'string' ||
    !Array.isArray(fn.filenames) ||
    !Array.isArray(fn.regions) ||
    fn.regions.length === 0
  ) {
    throw new CovError('E_MALFORMED', `${where}: expected {name, filenames, regions[…]}`, {
      source,
    });
  }
  const regions: number[] = [];
  const counts: bigint[] = [];
  for (const region of fn.regions as unknown[]) {
    if (
      !Array.isArray(region) ||
      region.length < 8 ||
      !region.every((v) => typeof v === 'number')
    ) {
      throw new CovError('E_MALFORMED', `${where}: a region is not 8 numbers`, { source });
    }
    const [ls, cs, le, ce, count, fileId, expandedFileId, kind] = region as number[];
    regions.push(kind!, fileId!, expandedFileId!, ls!, cs!, le!, ce!);
    counts.push(toCount(count));
  }
  const branches: number[] = [];
  const trueCounts: bigint[] = [];
  const falseCounts: bigint[] = [];
  for (const branch of Array.isArray(fn.branches) ? (fn.branches as unknown[]) : []) {
    if (!Array.isArray(branch) || branch.length < 9) continue;
    const [ls, cs, le, ce, t, f, fileId, expandedFileId, kind] = branch as number[];
    if (kind !== KIND_BRANCH && kind !== KIND_MCDC_BRANCH) continue;
    branches.push(kind, fileId!, expandedFileId!, ls!, cs!, le!, ce!, 0);
    trueCounts.push(toCount(t));
    falseCounts.push(toCount(f));
  }
  return {
    name: fn.name,
    filenames: (fn.filenames as unknown[]).map(String),
    // the export's `count` is the function's execution count (for instrumented coverage also its
    // first region's; for the breakpoint engine the out-of-line entry's, which may differ)
    executionCount: typeof fn.count === 'number' ? toCount(fn.count) : counts[0]!,
    regions: Uint32Array.from(regions),
    regionCounts: BigUint64Array.from(counts),
    branches: Uint32Array.from(branches),
    branchTrueCounts: BigUint64Array.from(trueCounts),
    branchFalseCounts: BigUint64Array.from(falseCounts),
    mcdcRecords: [],
    objectIndex: 0,
  };
}

/**
 * Parses a JSON export written by `cov --json` (or `llvm-cov export`, then taken as instrumented).
 * @param text the file's text
 * @param source the file name, for errors
 * @returns a set with one record per exported function; `metadata.engine` and `objects` from the
 *   `"cov"` key
 * @throws CovError `E_MALFORMED` when the text is not an export with per-function data (written
 *   without `--skip-functions` / `--summary-only`)
 */
export function readJsonExport(text: string, source: string): CoverageSet {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CovError('E_MALFORMED', `${source}: not JSON: ${(error as Error).message}`, {
      source,
    });
  }
  const root = parsed as {
    type?: unknown;
    data?: { functions?: unknown }[];
    cov?: { engine?: unknown; toolchain?: unknown; objects?: unknown };
  };
  const functions = root.data?.[0]?.functions;
  if (root.type !== 'llvm.coverage.json.export' || !Array.isArray(functions)) {
    throw new CovError(
      'E_MALFORMED',
      `${source}: not a coverage JSON export with per-function data (write it with --json, without --summary-only or --skip-functions)`,
      { source },
    );
  }
  const records = (functions as ExportFunction[]).map((fn, i) => readFunction(fn, source, i));
  const engine = root.cov?.engine === 'ptrace' ? 'ptrace' : 'instrumented';
  return createCoverageSet(records, [], {
    engine,
    objects: Array.isArray(root.cov?.objects)
      ? root.cov.objects.filter((o): o is string => typeof o === 'string')
      : [],
    profiles: [source],
    ...(typeof root.cov?.toolchain === 'string' ? { toolchain: root.cov.toolchain } : {}),
  });
}
