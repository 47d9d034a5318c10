/**
 * Covmap header `Version` field values (covmap Version1–Version7, field values 0–6) and the
 * features each one introduced.
 * @see ../../../shared/spec/formats.md §4.2
 */
import { CovError } from '../binary/index.js';

/**
 * Stored `Version` field values, spelled as LLVM's `CovMapVersion` enum. The field value is one
 * less than the version number: field 6 is Version7.
 */
export const CovMapVersion = {
  Version1: 0,
  Version2: 1,
  Version3: 2,
  Version4: 3,
  Version5: 4,
  Version6: 5,
  Version7: 6,
  CurrentVersion: 6,
} as const;

/**
 * Throws unless `fieldValue` is a covmap `Version` field this reader understands (0–6).
 * @param fieldValue the u32 `Version` field as stored
 * @param source section label for the error
 * @param byteOffset absolute offset of the `Version` field
 * @throws CovError `E_UNSUPPORTED_VERSION` naming the value and the supported range.
 * @see ../../../shared/spec/formats.md §4.2 (field values 0–6 = Version1–Version7)
 */
export function checkCovmapVersion(fieldValue: number, source: string, byteOffset: number): void {
  if (fieldValue > CovMapVersion.CurrentVersion) {
    throw new CovError(
      'E_UNSUPPORTED_VERSION',
      `covmap version field ${fieldValue} (Version${fieldValue + 1}) is not supported; ` +
        `supported: 0–${CovMapVersion.CurrentVersion} (Version1–Version${CovMapVersion.CurrentVersion + 1})`,
      { source, byteOffset },
    );
  }
}
