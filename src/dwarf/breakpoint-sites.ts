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
 * {@link selectBreakpointSites} gives). The entry of an inlined copy, and the start of each of its
 * other address ranges, is an instruction boundary of the copy, so it can be armed; reaching any
 * of them proves two lines ran:
 * - the inlined function's declaration (`file`:`line`), listed in the site's `inlinedEntries`
 *   (even when it is the row's own line: the entry marks the function as entered inline);
 * - the call that was inlined (`callFile`:`callLine`), listed in the site's `inlinedCalls`.
 * Only known, `wanted` lines of calls whose entry lies in `executable` are added: to the site at
 * the entry address, or, when no row put a site there, to a new site whose line is the first
 * declaration (else the first call line).
 *
 * Why: an optimised build keeps no row for the first line of a function inlined into its callers
 * (its prologue is gone), nor for a line whose code is all inlined calls (an intrinsic wrapper's
 * body), so without this such lines only have the never-run out-of-line copy's address and read
 * as not executed although they ran.
 * @param wanted which files' lines to add (full paths); default all
 * @returns a new array, sorted by address, one site per address; `sites` is not changed.
 */
export function addInlinedEntries(
  sites: readonly BreakpointSite[],
  calls: readonly InlinedCall[],
  executable: readonly AddressRange[],
  wanted: (file: string) => boolean = () => true,
): BreakpointSite[] {
  const ranges = [...executable].filter((r) => r.start < r.end).sort(compareStart);
  const declared = new Map<bigint, SourceLine[]>();
  const called = new Map<bigint, SourceLine[]>();
  const add = (
    into: Map<bigint, SourceLine[]>,
    entry: bigint,
    file: string | undefined,
    line: number | undefined,
  ): void => {
    if (file === undefined || line === undefined || line === 0 || !wanted(file)) return;
    let lines = into.get(entry);
    if (lines === undefined) into.set(entry, (lines = []));
    if (!lines.some((e) => e.line === line && e.file === file)) lines.push({ file, line });
  };
  for (const call of calls) {
    for (const start of call.otherStarts === undefined
      ? [call.entry]
      : [call.entry, ...call.otherStarts]) {
      if (!inRanges(ranges, start)) continue;
      add(declared, start, call.file, call.line);
      add(called, start, call.callFile, call.callLine);
    }
  }
  if (declared.size === 0 && called.size === 0) return [...sites];
  const withLines = (site: BreakpointSite, address: bigint): BreakpointSite => {
    const entries = declared.get(address);
    const callLines = called.get(address);
    declared.delete(address);
    called.delete(address);
    const out = { ...site };
    if (entries !== undefined) out.inlinedEntries = entries;
    if (callLines !== undefined) out.inlinedCalls = callLines;
    return out;
  };
  const out: BreakpointSite[] = [];
  for (const site of sites) {
    out.push(
      declared.has(site.address) || called.has(site.address) ? withLines(site, site.address) : site,
    );
  }
  // no row at these entries: the site stands for the first declaration (else call line)
  for (const address of new Set([...declared.keys(), ...called.keys()])) {
    const first = (declared.get(address) ?? called.get(address))![0]!;
    out.push(withLines({ address, file: first.file, line: first.line }, address));
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
