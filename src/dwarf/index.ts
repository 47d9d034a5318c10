/**
 * DWARF readers for the breakpoint engine: `.debug_line` v2–v5 rows, breakpoint-site selection
 * and a minimal `.debug_info` walk for subprograms.
 * @see ../../../shared/spec/ptrace-engine.md "Breakpoints"
 */
export { addInlinedEntries, selectBreakpointSites } from './breakpoint-sites.js';
export { readDebugLine } from './debug-line.js';
export {
  readSubprograms,
  type ReadSubprogramsOptions,
  type SubprogramsRead,
} from './subprograms.js';
export type {
  AddressRange,
  BreakpointSite,
  DwarfSections,
  InlinedCall,
  LineRow,
  SourceLine,
  Subprogram,
} from './types.js';
