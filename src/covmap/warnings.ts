/**
 * Warning codes the coverage-mapping readers return (never print) for problems they work around.
 * @see ../../../shared/CONVENTIONS.md (typed errors, warnings)
 */
import { formatOffset, type Diagnostic } from '../binary/index.js';

/**
 * Codes of covmap warnings:
 * - `E_TRUNCATED`: a covfun record runs past its section (it and later records are dropped);
 * - `E_MALFORMED`: a FilenamesRef with two different lists, a record whose FilenamesRef is
 *   unknown or invalid (record dropped), a mapping prefix that could not be read while choosing
 *   between duplicate records;
 * - `W_VERSION_MIXED`: a covmap entry whose version differs from the first entry's;
 * - `W_NO_COVERAGE`: no covmap entry or no covfun section, so no records;
 * - `W_NAMES_MISSING`: no names section, or NameRefs / Version1 NamePtrs it does not resolve.
 */
export type CovmapWarningCode =
  'E_TRUNCATED' | 'E_MALFORMED' | 'W_VERSION_MIXED' | 'W_NO_COVERAGE' | 'W_NAMES_MISSING';

/** A `warning` diagnostic formatted like a `CovError` message (`source: at 0x…: detail`). */
export function covmapWarning(
  code: CovmapWarningCode,
  detail: string,
  source: string,
  byteOffset?: number,
): Diagnostic {
  if (byteOffset === undefined) {
    return { severity: 'warning', code, message: `${source}: ${detail}`, source };
  }
  return {
    severity: 'warning',
    code,
    message: `${source}: at ${formatOffset(byteOffset)}: ${detail}`,
    source,
    byteOffset,
  };
}
