/**
 * Per-object record selection among records with the same NameRef, and clang's "dummy" records
 * for functions seen but not used in a TU. Applies to every covmap version (Version1 keys on
 * NamePtr).
 * @see ../../../shared/spec/formats.md §4.6
 */
import { ByteReader, CovError, type Diagnostic } from '../binary/index.js';
import { UINT_MAX, readIntMax, readSize } from './leb-limits.js';
import { RegionKind, R_COUNTER, R_KIND, type CovfunRecord, type FunctionMapping } from './types.js';
import { covmapWarning } from './warnings.js';

/**
 * Whether a decoded mapping is a dummy: exactly one file id, no expressions, exactly one region
 * whose header tag is the zero counter (a zero-count code or gap region, or any pseudo-counter
 * region such as expansion or skipped — LLVM looks only at the header's tag).
 * @param funcHash when given, a non-zero hash makes the answer `false` (dummies have hash 0)
 * @see ../../../shared/spec/formats.md §4.6 (LLVM 22 `RawCoverageMappingDummyChecker`)
 */
export function isDummyRecord(mapping: FunctionMapping, funcHash?: bigint): boolean {
  if (funcHash !== undefined && funcHash !== 0n) return false;
  if (mapping.fileIdToFilenameIndex.length !== 1) return false;
  if (mapping.expressions.length !== 0 || mapping.regionCount !== 1) return false;
  const kind = mapping.regions[R_KIND];
  if (kind === RegionKind.Code || kind === RegionKind.Gap) return mapping.regions[R_COUNTER] === 0;
  return true;
}

/**
 * The dummy test on undecoded mapping bytes, reading only the prefix LLVM reads: NumFileIds = 1,
 * one filename index, NumExprs = 0, NumRegions = 1, then a region header whose tag (low 2 bits)
 * is 0. Does not check FuncHash.
 * @param bytes mapping bytes of one record
 * @param source label for errors
 * @param baseOffset absolute offset of `bytes[0]`
 * @throws CovError `E_TRUNCATED`/`E_MALFORMED` when that prefix cannot be read.
 * @see ../../../shared/spec/formats.md §4.6
 */
export function isDummyMappingBytes(bytes: Uint8Array, source: string, baseOffset = 0): boolean {
  const reader = new ByteReader(bytes, { source, baseOffset });
  if (readSize(reader, 'mapping: NumFileIds') !== 1) return false;
  readIntMax(reader, UINT_MAX, 'mapping: filename index');
  if (readSize(reader, 'mapping: NumExprs') !== 0) return false;
  if (readSize(reader, 'mapping: NumRegions') !== 1) return false;
  return (readIntMax(reader, UINT_MAX, 'region: header') & 3) === 0;
}

/** Options for {@link selectRecords}. */
export interface SelectRecordsOptions {
  /** Label for warnings about unreadable mapping prefixes. */
  readonly source?: string;
  /** Receives a warning for each record whose dummy test could not be read. */
  readonly warnings?: Diagnostic[];
}

/**
 * LLVM's per-object selection: for each NameRef (NamePtr for Version1 records) keep the first
 * record in order; a later record with that key replaces it only if the kept one is a dummy
 * (FuncHash 0 and {@link isDummyMappingBytes}) and the new one is not, and then takes over the
 * kept one's position. Mappings are looked at only when a key repeats, and each at most once.
 * A record whose mapping prefix cannot be read counts as not a dummy (warning when `warnings` is
 * given); decoding it later reports the problem.
 * @param records records of one object in section order
 * @returns the selected records in order (a new array; records are not copied)
 * @see ../../../shared/spec/formats.md §4.6 (LLVM 22 `insertFunctionRecordIfNeeded`)
 */
export function selectRecords(
  records: readonly CovfunRecord[],
  options: SelectRecordsOptions = {},
): CovfunRecord[] {
  // Keyed on the low 32 bits (a number Map key measured about twice as fast as a bigint key),
  // with slots sharing them chained through `nextSlot`.
  const firstSlotByLow = new Map<number, number>();
  const nextSlot: number[] = [];
  const selected: CovfunRecord[] = [];
  // Per selected slot: undefined = not yet tested, else whether it is a dummy.
  const dummy: (boolean | undefined)[] = [];
  const isDummy = (record: CovfunRecord): boolean => {
    if (record.funcHash !== 0n) return false;
    try {
      return isDummyMappingBytes(
        record.mappingBytes,
        options.source ?? '',
        record.mappingByteOffset ?? record.byteOffset,
      );
    } catch (error) {
      if (!(error instanceof CovError)) throw error;
      options.warnings?.push(
        covmapWarning(
          'E_MALFORMED',
          `record NameRef 0x${record.nameRef.toString(16)}: unreadable mapping while choosing between duplicates (${error.detail})`,
          options.source ?? '',
          record.byteOffset,
        ),
      );
      return false;
    }
  };
  for (const record of records) {
    const key = record.namePtr ?? record.nameRef;
    const low = Number(BigInt.asUintN(32, key));
    let slot = firstSlotByLow.get(low);
    while (slot !== undefined && (selected[slot]!.namePtr ?? selected[slot]!.nameRef) !== key) {
      slot = nextSlot[slot];
    }
    if (slot === undefined) {
      const head = firstSlotByLow.get(low);
      if (head !== undefined) nextSlot[selected.length] = head;
      firstSlotByLow.set(low, selected.length);
      selected.push(record);
      dummy.push(undefined);
      continue;
    }
    let keptIsDummy = dummy[slot];
    if (keptIsDummy === undefined) {
      keptIsDummy = isDummy(selected[slot]!);
      dummy[slot] = keptIsDummy;
    }
    if (!keptIsDummy || isDummy(record)) continue;
    selected[slot] = record;
    dummy[slot] = false;
  }
  return selected;
}
