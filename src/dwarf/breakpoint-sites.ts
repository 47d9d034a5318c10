/**
 * Breakpoint-site selection from `.debug_line` rows (any DWARF version).
 */
import type { AddressRange, BreakpointSite, LineRow } from './types.js';

/**
 * Picks the addresses to arm: rows with `is_stmt`, line ≠ 0, not `DW_LNE_end_sequence`, whose
 * address lies inside one of `executable` (PT_LOAD segments with PF_X). Rows outside — above all
 * the tombstoned sequences (address 0 or -1) of functions the linker dropped — are not armed:
 * an `int3` there corrupts data such as the in-memory ELF header.
 * @returns one site per address (the first row in `rows` order wins), sorted by address.
 * @see ../../../shared/spec/ptrace-engine.md "Breakpoints" (address selection)
 */
export function selectBreakpointSites(
  rows: readonly LineRow[],
  executable: readonly AddressRange[],
): BreakpointSite[] {
  const ranges = [...executable].filter((r) => r.start < r.end).sort(compareStart);
  const byAddress = new Map<bigint, BreakpointSite>();
  for (const row of rows) {
    if (!row.isStmt || row.endSequence || row.line === 0) continue;
    if (byAddress.has(row.address) || !inRanges(ranges, row.address)) continue;
    byAddress.set(row.address, { address: row.address, file: row.file, line: row.line });
  }
  return [...byAddress.values()].sort((a, b) =>
    a.address < b.address ? -1 : a.address > b.address ? 1 : 0,
  );
}

function compareStart(a: AddressRange, b: AddressRange): number {
  return a.start < b.start ? -1 : a.start > b.start ? 1 : 0;
}

/** Binary search over ranges sorted by start (they may overlap; checks the candidates before). */
function inRanges(sorted: readonly AddressRange[], address: bigint): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]!.start <= address) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo - 1; i >= 0; i--) {
    if (address < sorted[i]!.end) return true;
  }
  return false;
}
