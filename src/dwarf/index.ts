/**
 * DWARF readers for the breakpoint engine: `.debug_line` v2–v5 rows, breakpoint-site selection
 * and a minimal `.debug_info` walk for subprograms.
 * @see ../../../shared/spec/ptrace-engine.md "Breakpoints"
 */
export { selectBreakpointSites } from './breakpoint-sites.js';
export { readDebugLine } from './debug-line.js';
export { readSubprograms } from './subprograms.js';
export type { AddressRange, BreakpointSite, DwarfSections, LineRow, Subprogram } from './types.js';
