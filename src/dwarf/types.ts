/**
 * Shapes produced by the DWARF readers (`.debug_line` v2–v5, `.debug_info` v2–v5 minimal walk).
 * @see ../../../shared/spec/ptrace-engine.md "Breakpoints"
 */

/**
 * The DWARF sections of one object, already decompressed (see `readNamedSections` in `object/`).
 * Only `.debug_line` is required; without `.debug_info` relative paths of DWARF 2–4 line tables
 * stay relative (there is no comp dir to join them with).
 */
export interface DwarfSections {
  readonly debugLine: Uint8Array;
  readonly debugInfo?: Uint8Array;
  readonly debugAbbrev?: Uint8Array;
  readonly debugStr?: Uint8Array;
  readonly debugLineStr?: Uint8Array;
  readonly debugStrOffsets?: Uint8Array;
  readonly debugAddr?: Uint8Array;
  readonly debugRanges?: Uint8Array;
  readonly debugRnglists?: Uint8Array;
  readonly littleEndian: boolean;
  /** Address size of the object (ELF class); DWARF 5 line headers carry their own. */
  readonly addressBytes: 4 | 8;
}

/** One row of a line-number program's matrix, as `llvm-dwarfdump --debug-line` prints it. */
export interface LineRow {
  /** Virtual address (link-time, before any load bias). */
  address: bigint;
  /** Full path: comp dir + include dir + file name, joined per the DWARF version's rules. */
  file: string;
  /** 1-based source line; 0 = no source line (compiler-generated code). */
  line: number;
  /** 1-based column; 0 = unknown. */
  column: number;
  isStmt: boolean;
  /** The row ends a sequence: its address is one past the last instruction. */
  endSequence: boolean;
}

/** A half-open address range `[start, end)`. */
export interface AddressRange {
  start: bigint;
  end: bigint;
}

/** A source line: full path and 1-based line number. */
export interface SourceLine {
  file: string;
  line: number;
}

/** One address to arm with a breakpoint and the source line it stands for. */
export interface BreakpointSite {
  address: bigint;
  file: string;
  /** 1-based, never 0. */
  line: number;
  /**
   * Declarations (decl file and line) of the functions an inlined copy of which begins at this
   * address: reaching it means each of them was entered, so their declaration lines ran too, even
   * where the optimised line table gives those lines no row of their own.
   */
  inlinedEntries?: readonly SourceLine[];
}

/** A function with code, from a `DW_TAG_subprogram` DIE. */
export interface Subprogram {
  /** `DW_AT_name` (possibly via `DW_AT_specification`/`DW_AT_abstract_origin`). */
  name: string;
  /** `DW_AT_linkage_name` (or the older `DW_AT_MIPS_linkage_name`), mangled. */
  linkageName?: string;
  /** Code ranges, from low_pc/high_pc or `DW_AT_ranges`; never empty. */
  ranges: AddressRange[];
  /** Full path of `DW_AT_decl_file`, resolved through the CU's line table. */
  file?: string;
  /** `DW_AT_decl_line`, 1-based. */
  line?: number;
}

/**
 * One inlined copy of a function, from a `DW_TAG_inlined_subroutine` DIE: where its code starts and
 * the function it is a copy of (name and declaration through DW_AT_abstract_origin).
 */
export interface InlinedCall {
  /**
   * First address of the copy: DW_AT_entry_pc when given, else DW_AT_low_pc, else the lowest start
   * of its DW_AT_ranges. Always an instruction boundary.
   */
  entry: bigint;
  /** The inlined function's `DW_AT_name`. */
  name: string;
  /** The inlined function's `DW_AT_linkage_name`, mangled. */
  linkageName?: string;
  /** Full path of the inlined function's `DW_AT_decl_file`. */
  file?: string;
  /** The inlined function's `DW_AT_decl_line`, 1-based. */
  line?: number;
}
