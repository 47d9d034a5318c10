/**
 * `.debug_info` walk for `DW_TAG_subprogram` DIEs with code (DWARF 2–5).
 */
import { CovError, type Diagnostic } from '../binary/index.js';
import type { DwarfSections, Subprogram } from './types.js';

/**
 * Lists the functions with code.
 * @returns subprograms in section order; warnings for CUs that were skipped.
 */
export function readSubprograms(
  sections: DwarfSections,
  sourceName: string,
): { subprograms: Subprogram[]; warnings: Diagnostic[] } {
  void sections;
  throw new CovError('E_MALFORMED', 'readSubprograms: not implemented yet', { source: sourceName });
}
