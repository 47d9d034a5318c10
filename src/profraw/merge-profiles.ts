/**
 * Merging the records of several profile files the way `llvm-profdata merge -sparse` does, so raw
 * profiles can be used without writing a `.profdata` first.
 * @see ../../../shared/spec/formats.md §2.12
 */
import type { Diagnostic } from '../binary/index.js';
import { addCountsSaturating, isAllZero } from './counter-arrays.js';
import { formatHex64, ProfileWarningCode } from './profile-warnings.js';
import type { ProfileCounts, ProfileFile, ProfileRecord } from './types.js';

/** One (NameRef, FuncHash) key being merged; arrays are copied before the first change. */
interface MergeSlot {
  readonly funcHash: bigint;
  counts: BigUint64Array;
  bitmap: Uint8Array;
  owned: boolean;
  readonly firstSource: string;
}

/**
 * Merges the records of `files` (in the given order) into counts keyed by NameRef (spec §2.12):
 *
 * - records with the same (NameRef, FuncHash) are added element-wise; a sum above 2^64−3 is
 *   clamped there (LLVM reserves the top two values; `W_COUNTER_OVERFLOW`), and bitmap bytes are
 *   OR-ed;
 * - a later record whose number of counters differs from the first one with its key is ignored
 *   (`W_COUNT_MISMATCH` naming both files); a differing number of bitmap bytes keeps the counts
 *   merge but ignores the later bitmap (`W_BITMAP_MISMATCH`), as LLVM's record merge does;
 * - records with different FuncHashes under one NameRef stay apart, in first-seen order, and
 *   NameRefs appear in first-seen order;
 * - finally a NameRef is dropped only when every record under it has all counts zero and all bitmap
 *   bytes zero (`-sparse`); an all-zero record next to a non-zero one under the same name stays;
 * - `legacyMcdcBitmap` is set when every file predates the MC/DC test-vector bitmap layout.
 *
 * With `{ sparse: false }` the last step is left out and every NameRef is kept (a coverage
 * database stores that, so merging databases later drops exactly what merging all profiles at
 * once would).
 *
 * Inputs are not modified. A record seen once keeps sharing its `counts`/`bitmap` arrays with its
 * input file, so treat the result as read-only. `warnings` holds the merge's own warnings only;
 * each file's reader warnings stay in that file's `warnings`.
 * @see ../../../shared/spec/formats.md §2.12, §6 item 11
 */
export function mergeProfiles(
  files: readonly (Pick<ProfileFile, 'source' | 'records'> &
    Partial<Pick<ProfileFile, 'format' | 'versions'>>)[],
  options: { readonly sparse?: boolean } = {},
): ProfileCounts {
  const slotsByName = new Map<bigint, MergeSlot[]>();
  const warnings: Diagnostic[] = [];
  for (const file of files) {
    for (const record of file.records) {
      let slots = slotsByName.get(record.nameRef);
      if (slots === undefined) {
        slots = [];
        slotsByName.set(record.nameRef, slots);
      }
      let slot: MergeSlot | undefined;
      for (const candidate of slots) {
        if (candidate.funcHash === record.funcHash) {
          slot = candidate;
          break;
        }
      }
      if (slot === undefined) {
        slots.push({
          funcHash: record.funcHash,
          counts: record.counts,
          bitmap: record.bitmap,
          owned: false,
          firstSource: file.source,
        });
        continue;
      }
      mergeInto(slot, record, file.source, warnings);
    }
  }
  const byNameRef = new Map<bigint, ProfileRecord[]>();
  for (const [nameRef, slots] of slotsByName) {
    if (
      options.sparse !== false &&
      slots.every((slot) => isAllZero(slot.counts) && isAllZero(slot.bitmap))
    ) {
      continue;
    }
    byNameRef.set(
      nameRef,
      slots.map((slot) => ({
        nameRef,
        funcHash: slot.funcHash,
        counts: slot.counts,
        bitmap: slot.bitmap,
      })),
    );
  }
  return { byNameRef, warnings, legacyMcdcBitmap: files.length > 0 && files.every(isLegacyMcdc) };
}

/** Indexed v11 and raw v9 number MC/DC bitmap bits by condition bitmask (spec §5.8). */
function isLegacyMcdc(file: Partial<Pick<ProfileFile, 'format' | 'versions'>>): boolean {
  const newLayoutFrom = file.format === 'profdata' ? 12 : 10;
  const versions = file.versions ?? [];
  return versions.length > 0 && versions.every((version) => version < newLayoutFrom);
}

function mergeInto(
  slot: MergeSlot,
  record: ProfileRecord,
  source: string,
  warnings: Diagnostic[],
): void {
  if (slot.counts.length !== record.counts.length) {
    warnings.push({
      severity: 'warning',
      code: ProfileWarningCode.CountMismatch,
      message:
        `${source}: count mismatch for ${describeKey(record)}: ${record.counts.length} counters here, ` +
        `${slot.counts.length} in ${slot.firstSource} (seen first); the record from ${source} is ignored`,
      source,
    });
    return;
  }
  if (!slot.owned) {
    slot.counts = slot.counts.slice();
    slot.bitmap = slot.bitmap.slice();
    slot.owned = true;
  }
  if (addCountsSaturating(slot.counts, record.counts)) {
    warnings.push({
      severity: 'warning',
      code: ProfileWarningCode.CounterOverflow,
      message: `${source}: counter overflow for ${describeKey(record)}: merged counts clamped at 2^64-3`,
      source,
    });
  }
  if (slot.bitmap.length !== record.bitmap.length) {
    warnings.push({
      severity: 'warning',
      code: ProfileWarningCode.BitmapMismatch,
      message:
        `${source}: bitmap mismatch for ${describeKey(record)}: ${record.bitmap.length} bitmap bytes here, ` +
        `${slot.bitmap.length} in ${slot.firstSource} (seen first); counts merged, bitmap from ` +
        `${source} ignored`,
      source,
    });
    return;
  }
  for (let i = 0; i < slot.bitmap.length; i++) slot.bitmap[i]! |= record.bitmap[i]!;
}

function describeKey(record: ProfileRecord): string {
  return `NameRef ${formatHex64(record.nameRef)}, FuncHash ${formatHex64(record.funcHash)}`;
}
