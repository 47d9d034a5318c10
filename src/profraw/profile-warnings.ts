/**
 * Codes of the recoverable problems the profile readers and the merge return as `warnings`.
 * Parse problems reuse the `CovError` codes; merge conflicts have their own.
 */
import { CovError, diagnosticFromError, type Diagnostic } from '../binary/index.js';

/**
 * Diagnostic codes used in `ProfileFile.warnings` and `ProfileCounts.warnings`:
 * - `E_MALFORMED`: a record was skipped (bad counter/bitmap/uniform offset, `NumCounters` 0, a
 *   corrupt names blob or `.profdata` item) — the rest of the file was read;
 * - `E_TRUNCATED`: a profile is cut short (a killed process left it half-written); records whose
 *   counters lie fully inside the file were kept;
 * - `E_BAD_MAGIC` / `E_UNSUPPORTED_VERSION`: bytes after a complete profile are not a profile of the
 *   same magic and version; reading stopped there;
 * - `W_CORRELATED_PROFILE`: a profile written for debug-info/binary correlation (bit 59) holds no
 *   data records, so its counters cannot be attributed;
 * - `W_COUNT_MISMATCH`, `W_BITMAP_MISMATCH`: two records with one (NameRef, FuncHash) disagree on
 *   the number of counters (later record ignored) or bitmap bytes (later bitmap ignored);
 * - `W_COUNTER_OVERFLOW`: a merged count reached 2^64−3 and was clamped there.
 */
export const ProfileWarningCode = {
  Malformed: 'E_MALFORMED',
  Truncated: 'E_TRUNCATED',
  BadMagic: 'E_BAD_MAGIC',
  UnsupportedVersion: 'E_UNSUPPORTED_VERSION',
  CorrelatedProfile: 'W_CORRELATED_PROFILE',
  CountMismatch: 'W_COUNT_MISMATCH',
  BitmapMismatch: 'W_BITMAP_MISMATCH',
  CounterOverflow: 'W_COUNTER_OVERFLOW',
} as const;

/** One of the {@link ProfileWarningCode} values. */
export type ProfileWarningCode = (typeof ProfileWarningCode)[keyof typeof ProfileWarningCode];

/** A warning located in `source` at `byteOffset`, formatted like a `CovError` message. */
export function locatedWarning(
  code: ProfileWarningCode,
  detail: string,
  source: string,
  byteOffset: number,
): Diagnostic {
  const error = new CovError('E_MALFORMED', detail, { source, byteOffset });
  return { ...diagnosticFromError(error), code };
}

/**
 * A caught parse error turned into a warning that keeps its code, source and offset, with
 * `context` (what was given up) put in front of the detail: `src: at 0x40: context detail`.
 */
export function warningFromError(error: CovError, context: string): Diagnostic {
  const relabelled = new CovError(error.code, `${context}${error.detail}`, {
    ...(error.source === undefined ? {} : { source: error.source }),
    ...(error.byteOffset === undefined ? {} : { byteOffset: error.byteOffset }),
  });
  return diagnosticFromError(relabelled);
}

/** `0x…` spelling of a 64-bit value (NameRef, FuncHash), zero-padded to 16 digits. */
export function formatHex64(value: bigint): string {
  return `0x${value.toString(16).padStart(16, '0')}`;
}
