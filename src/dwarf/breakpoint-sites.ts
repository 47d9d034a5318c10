/**
 * Breakpoint-site selection from `.debug_line` rows (any DWARF version).
 */
import type { AddressRange, BreakpointSite, InlinedCall, LineRow, SourceLine } from './types.js';

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
  // Keys as numbers (exact below 2^53, which user-space addresses are); bigint keys hash slowly.
  const seen = new Set<number | bigint>();
  const sites: BreakpointSite[] = [];
  const keys: number[] = [];
  for (const row of rows) {
    if (!row.isStmt || row.endSequence || row.line === 0) continue;
    const address = row.address;
    const key = address <= MAX_SAFE ? Number(address) : address;
    if (seen.has(key) || !inRanges(ranges, address)) continue;
    seen.add(key);
    sites.push({ address, file: row.file, line: row.line });
    keys.push(typeof key === 'number' ? key : Number.POSITIVE_INFINITY);
  }
  const order = Array.from(sites.keys()).sort((a, b) => {
    const d = keys[a]! - keys[b]!;
    if (d !== 0 && !Number.isNaN(d)) return d;
    const x = sites[a]!.address;
    const y = sites[b]!.address;
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return order.map((i) => sites[i]!);
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Adds the entries of inlined copies to `sites` (sorted by address, one per address, as
 * {@link selectBreakpointSites} gives): each call with a known decl file and line whose entry lies
 * in `executable` puts that declaration in the `inlinedEntries` of the site at its entry address
 * (even when it is the row's own line: the entry marks the function as entered inline), or, when
 * no row put a site there, becomes a new site whose line is the (first) declaration line and
 * whose `inlinedEntries` list them all. The
 * entry of an inlined copy is an instruction boundary (where its code begins), so it can be armed.
 *
 * Why: an optimised build keeps no row for the first line of a function inlined into its callers
 * (its prologue is gone), so without this the line only has the never-run out-of-line copy's
 * address and reads as not executed although the function ran.
 * @returns a new array, sorted by address, one site per address; `sites` is not changed.
 */
export function addInlinedEntries(
  sites: readonly BreakpointSite[],
  calls: readonly InlinedCall[],
  executable: readonly AddressRange[],
): BreakpointSite[] {
  const ranges = [...executable].filter((r) => r.start < r.end).sort(compareStart);
  const byAddress = new Map<bigint, SourceLine[]>();
  for (const call of calls) {
    if (call.file === undefined || call.line === undefined || call.line === 0) continue;
    if (!inRanges(ranges, call.entry)) continue;
    let entries = byAddress.get(call.entry);
    if (entries === undefined) byAddress.set(call.entry, (entries = []));
    if (!entries.some((e) => e.line === call.line && e.file === call.file)) {
      entries.push({ file: call.file, line: call.line });
    }
  }
  if (byAddress.size === 0) return [...sites];
  const out: BreakpointSite[] = [];
  for (const site of sites) {
    const entries = byAddress.get(site.address);
    if (entries === undefined) {
      out.push(site);
      continue;
    }
    byAddress.delete(site.address);
    // kept even when it is the row's own line: the entry says an inlined copy began here
    out.push({ ...site, inlinedEntries: entries });
  }
  for (const [address, entries] of byAddress) {
    // no row here: the site stands for the (first) declaration, and still marks the entries
    out.push({ address, file: entries[0]!.file, line: entries[0]!.line, inlinedEntries: entries });
  }
  return out.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
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
