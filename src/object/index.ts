/**
 * Object-file readers: the coverage sections and section tables of ELF (32/64-bit, LE/BE),
 * Mach-O (32/64-bit, either byte order, universal) and COFF objects / PE images.
 * @see ../../../shared/spec/formats.md §4.1
 */
export {
  INSTR_PROF_COVFUN_COFF,
  INSTR_PROF_COVFUN_COMMON,
  INSTR_PROF_COVMAP_COFF,
  INSTR_PROF_COVMAP_COMMON,
  INSTR_PROF_COVNAME_COFF,
  INSTR_PROF_COVNAME_COMMON,
  INSTR_PROF_NAME_COFF,
  INSTR_PROF_NAME_COMMON,
  readCoverageSections,
} from './coverage-sections.js';
export { FORMATS_READ } from './detect-format.js';
export {
  ET_DYN,
  ET_EXEC,
  PF_X,
  PT_LOAD,
  PT_NOTE,
  readElfImageInfo,
  type ElfImageInfo,
  type ElfSegmentRange,
} from './elf-image.js';
export { readNamedSections } from './named-sections.js';
export { machOArchName } from './macho-universal.js';
export { listSections } from './section-table.js';
export type {
  CoverageSections,
  ObjectFormat,
  ObjectReadOptions,
  SectionBytes,
  SectionInfo,
  SectionTable,
} from './types.js';
