/**
 * Shapes produced by the object-file readers (ELF32/64 LE/BE, Mach-O, COFF/PE).
 * @see ../../../shared/spec/formats.md §4.1
 */

/** Object container formats cov reads. */
export type ObjectFormat = 'elf' | 'macho' | 'coff';

/** Section contents needed for coverage, already decompressed (SHF_COMPRESSED). */
export interface CoverageSections {
  readonly format: ObjectFormat;
  readonly littleEndian: boolean;
  readonly pointerBytes: 4 | 8;
  /** `__llvm_covmap` (ELF), `__LLVM_COV,__llvm_covmap` (Mach-O), `.lcovmap` (COFF); absent if none. */
  readonly covmap?: SectionBytes;
  readonly covfun?: SectionBytes;
  /** `__llvm_prf_names` (falls back to `__llvm_covnames`); for linked PE the leading NUL is skipped. */
  readonly prfNames?: SectionBytes;
  /** GNU build-id (ELF note), Mach-O LC_UUID, when present. */
  readonly buildId?: Uint8Array;
}

/** One section's bytes and where they came from (for error messages). */
export interface SectionBytes {
  readonly name: string;
  /** File offset of the section (of its compressed form for SHF_COMPRESSED). */
  readonly fileOffset: number;
  readonly bytes: Uint8Array;
  /** Present when the section was stored compressed. */
  readonly compression?: 'zlib' | 'zstd';
  /** Several same-named sections (relocatable objects) concatenated, each padded to 8. */
  readonly pieces?: number;
}
