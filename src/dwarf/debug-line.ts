/**
 * `.debug_line` reader: line-number programs of DWARF 2, 3, 4 and 5, 32- and 64-bit DWARF.
 */
import { CovError, type Diagnostic } from '../binary/index.js';
import type { DwarfSections, LineRow } from './types.js';

/**
 * Runs every line-number program in `.debug_line`.
 * @returns rows in section order; warnings for programs that were skipped.
 */
export function readDebugLine(
  sections: DwarfSections,
  sourceName: string,
): { rows: LineRow[]; warnings: Diagnostic[] } {
  void sections;
  throw new CovError('E_MALFORMED', 'readDebugLine: not implemented yet', { source: sourceName });
}
