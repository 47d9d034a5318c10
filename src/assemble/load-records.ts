/**
 * Joins one object's coverage mapping with the merged profile counts into llvm-cov's function
 * records (spec/formats.md §5.1 and §5.1a): profile lookup by (NameRef, FuncHash) with the hash
 * mismatch / unknown-function rules, expression evaluation, the single-zero-region skip and the
 * (filename list, name) de-duplication across objects.
 */
import type { Diagnostic } from '../binary/index.js';
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
  REGION_STRIDE,
  RegionKind,
  type FunctionMapping,
} from '../covmap/index.js';
import {
  BRANCH_STRIDE,
  CODE_STRIDE,
  FOLDED_FALSE,
  FOLDED_TRUE,
  type FunctionRecord,
} from '../model/index.js';
import type { ProfileCounts, ProfileRecord } from '../profraw/index.js';
import { CounterEvaluator, CounterOutOfRange, maxCounterId } from './evaluate.js';
import { buildMcdcRecords, type McdcBitmapLayout } from './mcdc.js';

/** Bit 60 of a FuncHash: context-sensitive flag; llvm-cov compares it to tell mismatch from unknown. */
const CS_HASH_BIT = 1n << 60n;

/** What the loader reads of a function record before its mapping (covfun or database record). */
export interface MappingRecord {
  readonly nameRef: bigint;
  readonly funcHash: bigint;
  readonly filenamesRef: bigint;
  /** Absolute byte offset of the record in its object (for messages). */
  readonly byteOffset: number;
  /** Only for covmap Version1 records: the name stored with the record. */
  readonly name?: string;
}

/**
 * One object's inputs, as the loader needs them — read from a binary (mappings decoded on
 * demand) or from a coverage database (already decoded); the join is the same either way.
 */
export interface ObjectMapping<R extends MappingRecord = MappingRecord> {
  /** Object path (for diagnostics). */
  readonly path: string;
  readonly version: number;
  readonly filenameTables: ReadonlyMap<bigint, readonly string[]>;
  readonly records: readonly R[];
  /** NameRef → PGO name. */
  readonly names: ReadonlyMap<bigint, string>;
  /**
   * The record's file-id → filename-index list, read cheaply (so duplicate copies are dropped
   * before decoding); undefined when unreadable.
   */
  readonly fileIds: (record: R) => ArrayLike<number> | undefined;
  /** Decodes a record's mapping (may throw; the message becomes a warning). */
  readonly decode: (record: R) => FunctionMapping;
}

/** State shared across the objects of one load (the claimed (filenames, name) keys). */
export interface LoadState {
  /** Name → claimed filename lists, each as its interned filename numbers joined by ','. */
  readonly claimed: Map<string, Set<string>>;
  /** Filename → small number, so claim keys stay short (names and paths are long). */
  readonly filenameNumbers: Map<string, number>;
  readonly functions: FunctionRecord[];
  readonly warnings: Diagnostic[];
}

/** Fresh state for loading objects in order. */
export function createLoadState(): LoadState {
  return { claimed: new Map(), filenameNumbers: new Map(), functions: [], warnings: [] };
}

function fileIdFilenames(
  fileIds: ArrayLike<number> | undefined,
  table: readonly string[],
): string[] | undefined {
  if (fileIds === undefined) return undefined;
  const filenames: string[] = [];
  for (let i = 0; i < fileIds.length; i++) {
    const index = fileIds[i]!;
    if (index >= table.length) return undefined;
    filenames.push(table[index]!);
  }
  return filenames;
}

type Lookup = { kind: 'found'; record: ProfileRecord } | { kind: 'mismatch' } | { kind: 'unknown' };

function lookupProfile(profile: ProfileCounts, nameRef: bigint, funcHash: bigint): Lookup {
  const candidates = profile.byNameRef.get(nameRef);
  if (candidates === undefined) return { kind: 'unknown' };
  let sameCsBit = false;
  for (const candidate of candidates) {
    if (candidate.funcHash === funcHash) return { kind: 'found', record: candidate };
    if ((candidate.funcHash & CS_HASH_BIT) === (funcHash & CS_HASH_BIT)) sameCsBit = true;
  }
  return sameCsBit ? { kind: 'mismatch' } : { kind: 'unknown' };
}

/**
 * Loads the selected records of one object into `state`, in covfun order.
 * @returns the number of records dropped for a hash mismatch in this object (llvm-cov's
 *   "N functions have mismatched data"); each is also named in `state.warnings`.
 */
export function loadObjectRecords<R extends MappingRecord>(
  object: ObjectMapping<R>,
  objectIndex: number,
  profile: ProfileCounts,
  state: LoadState,
): number {
  let mismatched = 0;
  for (const record of object.records) {
    const table = object.filenameTables.get(record.filenamesRef);
    const name = object.names.get(record.nameRef) ?? record.name ?? '';
    if (table === undefined) {
      state.warnings.push({
        severity: 'warning',
        code: 'E_MALFORMED',
        message: `${object.path}: function ${name || hex(record.nameRef)} at ${hex(record.byteOffset)} refers to an unknown or ambiguous filename table ${hex(record.filenamesRef)}; skipped`,
        source: object.path,
        byteOffset: record.byteOffset,
      });
      continue;
    }
    const lookup = lookupProfile(profile, record.nameRef, record.funcHash);
    if (lookup.kind === 'mismatch') {
      mismatched++;
      state.warnings.push({
        severity: 'warning',
        code: 'W_HASH_MISMATCH',
        message: `${object.path}: ${name}: profile data has another FuncHash than the coverage mapping (${hex(record.funcHash)}); function dropped, as llvm-cov does`,
        source: object.path,
      });
      continue;
    }
    const files = fileIdFilenames(object.fileIds(record), table);
    // a copy already loaded under the same key wins whatever this one holds: skip decoding it
    if (files !== undefined && isClaimed(state, displayName(name, files), files)) {
      continue;
    }
    let mapping: FunctionMapping;
    try {
      mapping = object.decode(record);
    } catch (error) {
      state.warnings.push({
        severity: 'warning',
        code: 'E_MALFORMED',
        message: `${object.path}: function ${name} skipped: ${(error as Error).message}`,
        source: object.path,
        byteOffset: record.byteOffset,
      });
      continue;
    }
    const filenames: string[] = [];
    let badFile = false;
    for (const index of mapping.fileIdToFilenameIndex) {
      const filename = table[index];
      if (filename === undefined) badFile = true;
      else filenames.push(filename);
    }
    if (badFile) {
      state.warnings.push({
        severity: 'warning',
        code: 'E_MALFORMED',
        message: `${object.path}: function ${name} at ${hex(record.byteOffset)}: file id maps past the ${table.length}-entry filename table; skipped`,
        source: object.path,
        byteOffset: record.byteOffset,
      });
      continue;
    }
    const shownName = displayName(name, filenames);
    const layout = profile.legacyMcdcBitmap === true ? 'condition-bitmask' : 'test-vector-index';
    const built = buildRecord(shownName, filenames, mapping, lookup, objectIndex, layout);
    if (built === undefined) continue;
    if (!claim(state, shownName, filenames)) continue;
    state.functions.push(built);
  }
  return mismatched;
}

/** clang prefixes local functions with `<file>:`; llvm-cov strips it when it names Filenames[0]. */
function displayName(name: string, filenames: readonly string[]): string {
  const first = filenames[0];
  if (first !== undefined && name.length > first.length && name.startsWith(first)) {
    const separator = name[first.length];
    if (separator === ':' || separator === ';') return name.slice(first.length + 1);
  }
  return name;
}

function filenamesKey(state: LoadState, filenames: readonly string[]): string {
  let key = '';
  for (let i = 0; i < filenames.length; i++) {
    const filename = filenames[i]!;
    let number = state.filenameNumbers.get(filename);
    if (number === undefined) {
      number = state.filenameNumbers.size;
      state.filenameNumbers.set(filename, number);
    }
    key += i === 0 ? `${number}` : `,${number}`;
  }
  return key;
}

function isClaimed(state: LoadState, name: string, filenames: readonly string[]): boolean {
  return state.claimed.get(name)?.has(filenamesKey(state, filenames)) === true;
}

/** Claims (name, filenames) for the first record that has it; false when already claimed. */
function claim(state: LoadState, name: string, filenames: readonly string[]): boolean {
  const key = filenamesKey(state, filenames);
  let keys = state.claimed.get(name);
  if (keys === undefined) {
    keys = new Set();
    state.claimed.set(name, keys);
  } else if (keys.has(key)) {
    return false;
  }
  keys.add(key);
  return true;
}

function hex(value: bigint | number): string {
  return `0x${value.toString(16)}`;
}

function buildRecord(
  name: string,
  filenames: string[],
  mapping: FunctionMapping,
  lookup: Lookup,
  objectIndex: number,
  mcdcLayout: McdcBitmapLayout,
): FunctionRecord | undefined {
  // decodeMapping has already given expansion regions the counter of their expanded file's first region
  const regions = mapping.regions;
  const total = mapping.regionCount;
  let counts: BigUint64Array;
  if (lookup.kind === 'found') {
    counts = lookup.record.counts;
  } else {
    let max = 0;
    for (let o = 0; o < regions.length; o += REGION_STRIDE) {
      max = Math.max(max, maxCounterId(regions[o + R_COUNTER]!, mapping.expressions));
    }
    counts = new BigUint64Array(max + 1);
  }
  // a function whose only region is the zero counter while it did run is skipped (§5.1 step 4)
  if (total === 1 && regions[R_COUNTER] === 0 && counts.length > 0 && counts[0]! > 0n) {
    return undefined;
  }
  const evaluator = new CounterEvaluator(counts, mapping.expressions, mapping.expressionIsAdd);
  let codeCount = 0;
  let branchCount = 0;
  for (let o = 0; o < regions.length; o += REGION_STRIDE) {
    const kind = regions[o + R_KIND]!;
    if (kind === RegionKind.Branch || kind === RegionKind.MCDCBranch) branchCount++;
    else if (kind !== RegionKind.MCDCDecision) codeCount++;
  }
  const code = new Uint32Array(codeCount * CODE_STRIDE);
  const codeCounts = new BigUint64Array(codeCount);
  const branches = new Uint32Array(branchCount * BRANCH_STRIDE);
  const trueCounts = new BigUint64Array(branchCount);
  const falseCounts = new BigUint64Array(branchCount);
  let c = 0;
  let b = 0;
  try {
    for (let o = 0; o < regions.length; o += REGION_STRIDE) {
      const kind = regions[o + R_KIND]!;
      if (kind === RegionKind.MCDCDecision) continue;
      const counter = regions[o + R_COUNTER]!;
      const falseCounter = regions[o + R_FALSE_COUNTER]!;
      const value = evaluator.evaluate(counter);
      const falseValue = evaluator.evaluate(falseCounter);
      const isBranch = kind === RegionKind.Branch || kind === RegionKind.MCDCBranch;
      const target = isBranch ? branches : code;
      const base = isBranch ? b * BRANCH_STRIDE : c * CODE_STRIDE;
      target[base] = kind;
      target[base + 1] = regions[o + R_FILE_ID]!;
      target[base + 2] = regions[o + R_EXPANDED_FILE_ID]!;
      target[base + 3] = regions[o + R_LINE_START]!;
      target[base + 4] = regions[o + R_COLUMN_START]!;
      target[base + 5] = regions[o + R_LINE_END]!;
      target[base + 6] = regions[o + R_COLUMN_END]!;
      if (isBranch) {
        target[base + 7] =
          (counter === 0 ? FOLDED_TRUE : 0) | (falseCounter === 0 ? FOLDED_FALSE : 0);
        trueCounts[b] = value;
        falseCounts[b] = falseValue;
        b++;
      } else {
        codeCounts[c] = value;
        c++;
      }
    }
  } catch (error) {
    if (error instanceof CounterOutOfRange) return undefined;
    throw error;
  }
  return {
    name,
    filenames,
    executionCount: codeCount > 0 ? codeCounts[0]! : 0n,
    regions: code,
    regionCounts: codeCounts,
    branches,
    branchTrueCounts: trueCounts,
    branchFalseCounts: falseCounts,
    mcdcRecords: buildMcdcRecords(
      regions,
      lookup.kind === 'found' ? lookup.record.bitmap : new Uint8Array(0),
      mcdcLayout,
    ),
    objectIndex,
  };
}
