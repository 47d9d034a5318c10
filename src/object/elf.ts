/**
 * ELF reader (ELFCLASS32/64, ELFDATA2LSB/MSB, generic ABI 4.1+ incl. extended section numbering
 * and SHF_COMPRESSED sections with ELFCOMPRESS_ZLIB/ELFCOMPRESS_ZSTD): section headers, section
 * data and the GNU build-id note.
 */
import {
  ByteReader,
  CovError,
  decompressZstd,
  formatOffset,
  inflateZlib,
  type ByteSource,
} from '../binary/index.js';
import type { FileRange, ParsedObject } from './parsed-object.js';
import { cString, readerAt, readRange } from './read-range.js';
import type { SectionInfo } from './types.js';

/** `e_type` of a relocatable object. */
export const ET_REL = 1;
/** `sh_type` of a note section. */
export const SHT_NOTE = 7;
/** `sh_type` of a section without file data (.bss). */
export const SHT_NOBITS = 8;
/** `sh_flags` bit: the data starts with an `Elf32_Chdr`/`Elf64_Chdr` and is compressed. */
export const SHF_COMPRESSED = 0x800;
/** `e_shstrndx` escape: the index is in `sh_link` of section header 0. */
export const SHN_XINDEX = 0xffff;
/** `e_phnum` escape: the count is in `sh_info` of section header 0. */
export const PN_XNUM = 0xffff;
/** `ch_type` of zlib-compressed section data. */
export const ELFCOMPRESS_ZLIB = 1;
/** `ch_type` of zstd-compressed section data. */
export const ELFCOMPRESS_ZSTD = 2;
/** Note type of the GNU build-id, in a note named `GNU`. */
export const NT_GNU_BUILD_ID = 3;

const EI_CLASS = 4;
const EI_DATA = 5;
const ELFCLASS32 = 1;
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const ELFDATA2MSB = 2;

/** Header field offsets and sizes that differ between the two classes. */
interface ElfClassLayout {
  readonly ehsize: number;
  readonly shentsize: number;
  readonly chdrsize: number;
  /** Offset of `e_shentsize` (the fields after it follow at +2, +4). */
  readonly shentsizeField: number;
}

const ELF32: ElfClassLayout = { ehsize: 52, shentsize: 40, chdrsize: 12, shentsizeField: 46 };
const ELF64: ElfClassLayout = { ehsize: 64, shentsize: 64, chdrsize: 24, shentsizeField: 58 };

/**
 * Reads the ELF header and section header table (and the section name string table).
 * Reads no other section data.
 * @returns sections in header order (index 0 is the null section), file offsets absolute, sizes
 *   in bytes; `headerRanges` = ELF header, program header table, section header table.
 * @throws CovError `E_MALFORMED` for an unknown class or byte order, a wrong `e_shentsize`, a
 *   section header table overlapping the ELF header, a bad `e_shstrndx` or name offset;
 *   `E_TRUNCATED` when the header, section header table or string table runs past the end of
 *   the file (byteOffset = where the read started).
 * @see ../../../shared/spec/formats.md §4.1
 */
export function readElfObject(source: ByteSource): ParsedObject {
  const ident = readerAt(source, 0, 16, true, 'ELF identification');
  ident.seek(EI_CLASS, 'EI_CLASS');
  const elfClass = ident.u8('EI_CLASS');
  const elfData = ident.u8('EI_DATA');
  if (elfClass !== ELFCLASS32 && elfClass !== ELFCLASS64) {
    throw ident.error(
      'E_MALFORMED',
      `EI_CLASS ${elfClass} is neither ELFCLASS32 nor ELFCLASS64`,
      EI_CLASS,
    );
  }
  if (elfData !== ELFDATA2LSB && elfData !== ELFDATA2MSB) {
    throw ident.error(
      'E_MALFORMED',
      `EI_DATA ${elfData} is neither ELFDATA2LSB nor ELFDATA2MSB`,
      EI_DATA,
    );
  }
  const is64 = elfClass === ELFCLASS64;
  const littleEndian = elfData === ELFDATA2LSB;
  const layout = is64 ? ELF64 : ELF32;
  const word = (r: ByteReader, what: string): number => (is64 ? r.u64Number(what) : r.u32(what));

  const header = readerAt(source, 0, layout.ehsize, littleEndian, 'ELF header');
  header.seek(16, 'e_type');
  const eType = header.u16('e_type');
  header.skip(2 + 4, 'e_machine, e_version');
  header.skip(is64 ? 8 : 4, 'e_entry');
  const phoff = word(header, 'e_phoff');
  const shoff = word(header, 'e_shoff');
  header.skip(4 + 2, 'e_flags, e_ehsize');
  const phentsize = header.u16('e_phentsize');
  let phnum = header.u16('e_phnum');
  const shentsize = header.u16('e_shentsize');
  let shnum = header.u16('e_shnum');
  let shstrndx = header.u16('e_shstrndx');

  const headerRanges: FileRange[] = [{ start: 0, end: layout.ehsize, what: 'the ELF header' }];
  const table = {
    format: 'elf' as const,
    littleEndian,
    pointerBytes: is64 ? (8 as const) : (4 as const),
    relocatable: eType === ET_REL,
  };
  if (shoff === 0) {
    addProgramHeaders(headerRanges, phoff, phnum, phentsize);
    return { table: { ...table, sections: [] }, headerRanges, peImage: false };
  }
  if (shentsize !== layout.shentsize) {
    throw header.error(
      'E_MALFORMED',
      `e_shentsize is ${shentsize}, expected ${layout.shentsize} for ELF${is64 ? 64 : 32}`,
      layout.shentsizeField,
    );
  }
  if (shoff < layout.ehsize) {
    throw new CovError(
      'E_MALFORMED',
      `section header table at ${formatOffset(shoff)} overlaps the ELF header (${layout.ehsize} bytes)`,
      { source: source.name, byteOffset: shoff },
    );
  }

  // Extended numbering: the real counts live in section header 0 when they do not fit 16 bits.
  if (shnum === 0 || shstrndx === SHN_XINDEX || phnum === PN_XNUM) {
    const first = readSectionHeader(
      readerAt(source, shoff, shentsize, littleEndian, 'section header 0'),
      is64,
    );
    if (shnum === 0) shnum = first.size;
    if (shstrndx === SHN_XINDEX) shstrndx = first.link;
    if (phnum === PN_XNUM) phnum = first.info;
  }
  addProgramHeaders(headerRanges, phoff, phnum, phentsize);
  if (shnum === 0) return { table: { ...table, sections: [] }, headerRanges, peImage: false };

  const tableBytes = shnum * shentsize;
  const headers = readerAt(
    source,
    shoff,
    tableBytes,
    littleEndian,
    `section header table (${shnum} headers of ${shentsize} bytes)`,
  );
  headerRanges.push({ start: shoff, end: shoff + tableBytes, what: 'the section header table' });
  const raw: RawElfSection[] = [];
  for (let i = 0; i < shnum; i++) raw.push(readSectionHeader(headers, is64));

  const names = readNames(source, raw, shstrndx, layout, shoff);
  const sections: SectionInfo[] = raw.map((s, index) => {
    const name = names === undefined ? '' : sectionName(source, names, s, index, shoff, shentsize);
    return {
      index,
      name,
      fileOffset: s.offset,
      sizeBytes: s.size,
      inFile: s.type !== SHT_NOBITS,
      flags: s.flags,
      type: s.type,
    };
  });
  return { table: { ...table, sections }, headerRanges, peImage: false };
}

interface RawElfSection {
  readonly nameOffset: number;
  readonly type: number;
  readonly flags: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
}

function readSectionHeader(r: ByteReader, is64: boolean): RawElfSection {
  const nameOffset = r.u32('sh_name');
  const type = r.u32('sh_type');
  // sh_flags: every defined bit is in the low 32 bits.
  const flags = is64 ? Number(r.u64('sh_flags') & 0xffffffffn) : r.u32('sh_flags');
  if (is64) r.skip(8, 'sh_addr');
  else r.skip(4, 'sh_addr');
  const offset = is64 ? r.u64Number('sh_offset') : r.u32('sh_offset');
  const size = is64 ? r.u64Number('sh_size') : r.u32('sh_size');
  const link = r.u32('sh_link');
  const info = r.u32('sh_info');
  r.skip(is64 ? 16 : 8, 'sh_addralign, sh_entsize');
  return { nameOffset, type, flags, offset, size, link, info };
}

function addProgramHeaders(
  ranges: FileRange[],
  phoff: number,
  phnum: number,
  phentsize: number,
): void {
  if (phoff !== 0 && phnum > 0 && phentsize > 0) {
    ranges.push({ start: phoff, end: phoff + phnum * phentsize, what: 'the program header table' });
  }
}

function readNames(
  source: ByteSource,
  raw: readonly RawElfSection[],
  shstrndx: number,
  layout: ElfClassLayout,
  shoff: number,
): Uint8Array | undefined {
  if (shstrndx === 0) return undefined;
  const strtab = raw[shstrndx];
  if (strtab === undefined) {
    throw new CovError(
      'E_MALFORMED',
      `e_shstrndx ${shstrndx} is not below the section count ${raw.length}`,
      { source: source.name, byteOffset: layout.shentsizeField + 4 },
    );
  }
  if (strtab.type === SHT_NOBITS || (strtab.flags & SHF_COMPRESSED) !== 0) {
    throw new CovError(
      'E_MALFORMED',
      `section name string table (section ${shstrndx}) has no plain file data`,
      { source: source.name, byteOffset: shoff + shstrndx * layout.shentsize },
    );
  }
  return readRange(
    source,
    strtab.offset,
    strtab.size,
    `section name string table (section ${shstrndx})`,
  );
}

function sectionName(
  source: ByteSource,
  names: Uint8Array,
  s: RawElfSection,
  index: number,
  shoff: number,
  shentsize: number,
): string {
  const name = s.nameOffset < names.length ? cString(names, s.nameOffset) : undefined;
  if (name === undefined) {
    throw new CovError(
      'E_MALFORMED',
      `section header ${index}: sh_name ${s.nameOffset} is not a string in the ${names.length}-byte section name table`,
      { source: source.name, byteOffset: shoff + index * shentsize },
    );
  }
  return name;
}

/** Bytes of one ELF section, decompressed, and how they were stored. */
export interface ElfSectionData {
  readonly bytes: Uint8Array;
  readonly compression?: 'zlib' | 'zstd';
}

/**
 * Reads one section's data; SHF_COMPRESSED data is decompressed (`ch_size` bytes result).
 * SHT_NOBITS sections give 0 bytes.
 * @throws CovError `E_TRUNCATED` when the data lies past the end of the file (byteOffset = section
 *   offset), `E_UNSUPPORTED_VERSION` for an unknown `ch_type`, `E_MALFORMED` for corrupt
 *   compressed data.
 */
export function readElfSectionData(
  source: ByteSource,
  parsed: ParsedObject,
  section: SectionInfo,
): ElfSectionData {
  if (!section.inFile) return { bytes: new Uint8Array(0) };
  const what = `section ${section.name} (#${section.index})`;
  const raw = readRange(source, section.fileOffset, section.sizeBytes, what);
  if ((section.flags & SHF_COMPRESSED) === 0) return { bytes: raw };

  const is64 = parsed.table.pointerBytes === 8;
  const r = new ByteReader(raw, {
    source: source.name,
    littleEndian: parsed.table.littleEndian,
    baseOffset: section.fileOffset,
  });
  const chType = r.u32(`${what}: ch_type`);
  if (is64) r.skip(4, `${what}: ch_reserved`);
  const chSize = is64 ? r.u64Number(`${what}: ch_size`) : r.u32(`${what}: ch_size`);
  r.skip(is64 ? 8 : 4, `${what}: ch_addralign`);
  const where = { source: source.name, byteOffset: r.absoluteOffset, what };
  const compressed = raw.subarray(r.offset);
  switch (chType) {
    case ELFCOMPRESS_ZLIB:
      return { bytes: inflateZlib(compressed, chSize, where), compression: 'zlib' };
    case ELFCOMPRESS_ZSTD:
      return { bytes: decompressZstd(compressed, chSize, where), compression: 'zstd' };
    default:
      throw r.error(
        'E_UNSUPPORTED_VERSION',
        `${what}: compression type ch_type ${chType} is not supported (reads ELFCOMPRESS_ZLIB = 1, ELFCOMPRESS_ZSTD = 2)`,
        0,
      );
  }
}

/**
 * The GNU build-id: the descriptor of the `NT_GNU_BUILD_ID` note named `GNU` in section
 * `.note.gnu.build-id`.
 * @returns a copy of the id bytes (usually 20), or `undefined` when there is no such note.
 * @throws CovError `E_TRUNCATED`/`E_MALFORMED` when that section is cut off or its notes overrun it.
 */
export function readGnuBuildId(source: ByteSource, parsed: ParsedObject): Uint8Array | undefined {
  const section = parsed.table.sections.find(
    (s) => s.name === '.note.gnu.build-id' && s.type === SHT_NOTE && s.inFile,
  );
  if (section === undefined) return undefined;
  const r = readerAt(
    source,
    section.fileOffset,
    section.sizeBytes,
    parsed.table.littleEndian,
    'section .note.gnu.build-id',
  );
  while (r.remaining >= 12) {
    const namesz = r.u32('note namesz');
    const descsz = r.u32('note descsz');
    const type = r.u32('note type');
    const name = r.take(namesz, 'note name');
    r.align(4);
    const desc = r.take(descsz, 'note descriptor');
    r.align(4);
    const isGnu = namesz === 4 && name[0] === 0x47 && name[1] === 0x4e && name[2] === 0x55;
    if (isGnu && type === NT_GNU_BUILD_ID) return desc.slice();
  }
  return undefined;
}
