/**
 * The internal result of the ELF, Mach-O and COFF header readers: the public section table plus
 * what the coverage reader needs to validate and read section data.
 */
import type { SectionTable } from './types.js';

/** A half-open range of absolute file offsets, in bytes, and what occupies it. */
export interface FileRange {
  readonly start: number;
  readonly end: number;
  readonly what: string;
}

/** An object file whose headers and section table have been read (no section data yet). */
export interface ParsedObject {
  readonly table: SectionTable;
  /** Headers and tables; the data of a section that is read must not overlap them. */
  readonly headerRanges: readonly FileRange[];
  /** A linked PE image (`.lprfn` then starts with the runtime's NUL byte). */
  readonly peImage: boolean;
  /** Mach-O `LC_UUID`, when present. */
  readonly uuid?: Uint8Array;
}
