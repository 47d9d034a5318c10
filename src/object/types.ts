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
  /** Mach-O universal (fat) files only: the architecture of the slice that was read, e.g. `arm64`. */
  readonly arch?: string;
}

/** One section's bytes and where they came from (for error messages). */
export interface SectionBytes {
  readonly name: string;
  /**
   * File offset of the section (of its compressed form for SHF_COMPRESSED; of the first piece when
   * several were concatenated; one past the skipped NUL for a linked PE `.lprfn`).
   */
  readonly fileOffset: number;
  readonly bytes: Uint8Array;
  /** Present when the section was stored compressed. */
  readonly compression?: 'zlib' | 'zstd';
  /** Several same-named sections (relocatable objects) concatenated, each padded to 8. */
  readonly pieces?: number;
}

/** One entry of an object's section table, as {@link SectionTable} lists it. */
export interface SectionInfo {
  /** 0-based position in the section header table (Mach-O: across all segments, in order). */
  readonly index: number;
  /** Full section name: ELF and COFF as stored (COFF long names resolved), Mach-O `sectname`. */
  readonly name: string;
  /** Mach-O `segname` of the section; absent for ELF and COFF. */
  readonly segment?: string;
  /** Absolute file offset of the section's data, in bytes (includes a fat Mach-O slice's offset). */
  readonly fileOffset: number;
  /**
   * Size in bytes as stored in the file: ELF `sh_size` (the compressed size for SHF_COMPRESSED),
   * Mach-O `size`, COFF `SizeOfRawData` (linked PE: `min(VirtualSize, SizeOfRawData)`).
   */
  readonly sizeBytes: number;
  /** False for sections that occupy no file bytes (ELF SHT_NOBITS, Mach-O zerofill, COFF bss). */
  readonly inFile: boolean;
  /**
   * Raw flags: ELF `sh_flags` (low 32 bits), Mach-O `flags` (type and attributes), COFF
   * `Characteristics`.
   */
  readonly flags: number;
  /** ELF `sh_type`; absent for Mach-O and COFF. */
  readonly type?: number;
}

/** An object file's layout: what {@link SectionInfo}s it has and how its data is encoded. */
export interface SectionTable {
  readonly format: ObjectFormat;
  readonly littleEndian: boolean;
  /** Address size as LLVM reads coverage with it (ELF class, Mach-O 64-bit header, COFF machine). */
  readonly pointerBytes: 4 | 8;
  /** Relocatable object (ELF ET_REL, Mach-O MH_OBJECT, COFF object) rather than a linked image. */
  readonly relocatable: boolean;
  /** Mach-O universal (fat) files only: the architecture of the slice described, e.g. `x86_64`. */
  readonly arch?: string;
  readonly sections: readonly SectionInfo[];
}

/** Options for reading objects. */
export interface ObjectReadOptions {
  /**
   * Mach-O universal (fat) files: the slice to read, by architecture name (`x86_64`, `x86_64h`,
   * `arm64`, `arm64e`, `arm64_32`, `i386`, `armv7`, `ppc`, `ppc64`, …). Default: the first x86_64
   * or arm64 slice, else the first slice. Ignored for other files.
   */
  readonly arch?: string;
}
