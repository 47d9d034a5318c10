/**
 * Finds and reads the coverage sections (covmap, covfun, prf_names or covnames) of an ELF, Mach-O
 * or COFF/PE file, as LLVM's `BinaryCoverageReader` (LLVM 11–22) locates them.
 */
import { CovError, formatOffset, type ByteSource } from '../binary/index.js';
import { readElfSectionData, readGnuBuildId } from './elf.js';
import type { ParsedObject } from './parsed-object.js';
import { checkFileRange, readRange } from './read-range.js';
import { readParsedObject } from './section-table.js';
import type {
  CoverageSections,
  ObjectFormat,
  ObjectReadOptions,
  SectionBytes,
  SectionInfo,
} from './types.js';

// Section names in LLVM's spelling (InstrProfData.inc); COFF names match on the part before `$`.
/** ELF and Mach-O section of per-TU coverage headers and filenames. */
export const INSTR_PROF_COVMAP_COMMON = '__llvm_covmap';
/** COFF object section of per-TU coverage headers (`.lcovmap` once linked). */
export const INSTR_PROF_COVMAP_COFF = '.lcovmap$M';
/** ELF and Mach-O section of per-function coverage records. */
export const INSTR_PROF_COVFUN_COMMON = '__llvm_covfun';
/** COFF object section of per-function coverage records (`.lcovfun` once linked). */
export const INSTR_PROF_COVFUN_COFF = '.lcovfun$M';
/** ELF and Mach-O section of PGO function names. */
export const INSTR_PROF_NAME_COMMON = '__llvm_prf_names';
/** COFF object section of PGO function names (`.lprfn` once linked). */
export const INSTR_PROF_NAME_COFF = '.lprfn$M';
/** Names section of binary-correlation builds, read when there is no names section. */
export const INSTR_PROF_COVNAME_COMMON = '__llvm_covnames';
/** COFF spelling of {@link INSTR_PROF_COVNAME_COMMON}. */
export const INSTR_PROF_COVNAME_COFF = '.lcovn';

/** covfun pieces are padded to this many bytes when concatenated (LLVM's `RecordAlignment`). */
const COVFUN_PIECE_ALIGNMENT = 8;

interface SectionNames {
  readonly common: string;
  readonly coff: string;
}
const COVMAP: SectionNames = { common: INSTR_PROF_COVMAP_COMMON, coff: INSTR_PROF_COVMAP_COFF };
const COVFUN: SectionNames = { common: INSTR_PROF_COVFUN_COMMON, coff: INSTR_PROF_COVFUN_COFF };
const NAMES: SectionNames = { common: INSTR_PROF_NAME_COMMON, coff: INSTR_PROF_NAME_COFF };
const COVNAMES: SectionNames = { common: INSTR_PROF_COVNAME_COMMON, coff: INSTR_PROF_COVNAME_COFF };

/**
 * Reads the coverage sections of an object file or linked binary, touching only the headers, the
 * section tables and those sections (never the whole file).
 *
 * - covmap: the one `__llvm_covmap` / `.lcovmap`; covfun: every `__llvm_covfun` / `.lcovfun`
 *   section, concatenated in table order with each piece zero-padded to 8 bytes when there are
 *   several (relocatable objects have one per function; `pieces` is then set). A single section is
 *   returned as stored.
 * - prfNames: the one `__llvm_prf_names` / `.lprfn` (COFF sections of exactly 2 bytes, the runtime's
 *   empty markers, are ignored), else `__llvm_covnames` / `.lcovn`. In a linked PE image a
 *   leading NUL byte is skipped and `fileOffset` moves past it.
 * - ELF SHF_COMPRESSED sections are decompressed (zlib, zstd); `compression` says which.
 * - buildId: the ELF `.note.gnu.build-id` descriptor or the Mach-O LC_UUID.
 * - Mach-O sections match on the section name alone (as LLVM); `name` is `segment,section`.
 *   Universal files: the slice chosen by `options.arch`, else the first x86_64/arm64 slice, else
 *   the first (`arch` names it).
 * A section that is absent leaves its field absent.
 * @returns sizes in bytes, offsets absolute in the file.
 * @throws CovError `E_BAD_MAGIC` for a file that is not ELF, Mach-O or COFF/PE, naming the bytes
 *   found and the formats read; `E_TRUNCATED` when a header, table or needed section lies past the
 *   end of the file; `E_MALFORMED` for inconsistent headers, a needed section overlapping a header
 *   table or another needed section, more than one covmap or names section, or corrupt compressed
 *   data; `E_UNSUPPORTED_VERSION` for an unknown ELF compression type; `E_USAGE` when
 *   `options.arch` names no slice. Errors carry source = `source.name`, the byte offset and what
 *   was being read.
 * @see ../../../shared/spec/formats.md §4.1
 */
export function readCoverageSections(
  source: ByteSource,
  options: ObjectReadOptions = {},
): CoverageSections {
  const parsed = readParsedObject(source, options);
  const { table } = parsed;
  const find = (names: SectionNames): SectionInfo[] =>
    table.sections.filter((s) => matchesName(table.format, s, names));
  const covmapSections = find(COVMAP);
  const covfunSections = find(COVFUN);
  let nameSections = find(NAMES).filter((s) => !(table.format === 'coff' && s.sizeBytes === 2));
  if (nameSections.length === 0) nameSections = find(COVNAMES);
  checkSectionLayout(source, parsed, [...covmapSections, ...covfunSections, ...nameSections]);

  const covmap = readOnly(source, parsed, covmapSections);
  const covfun = readConcatenated(source, parsed, covfunSections);
  let prfNames = readOnly(source, parsed, nameSections);
  if (prfNames !== undefined && parsed.peImage && prfNames.bytes[0] === 0) {
    prfNames = {
      ...prfNames,
      fileOffset: prfNames.fileOffset + 1,
      bytes: prfNames.bytes.subarray(1),
    };
  }
  const buildId = table.format === 'elf' ? readGnuBuildId(source, parsed) : parsed.uuid;
  return {
    format: table.format,
    littleEndian: table.littleEndian,
    pointerBytes: table.pointerBytes,
    ...(covmap === undefined ? {} : { covmap }),
    ...(covfun === undefined ? {} : { covfun }),
    ...(prfNames === undefined ? {} : { prfNames }),
    ...(buildId === undefined ? {} : { buildId }),
    ...(table.arch === undefined ? {} : { arch: table.arch }),
  };
}

function matchesName(format: ObjectFormat, section: SectionInfo, names: SectionNames): boolean {
  if (format === 'coff') return beforeDollar(section.name) === beforeDollar(names.coff);
  return section.name === names.common;
}

function beforeDollar(name: string): string {
  const dollar = name.indexOf('$');
  return dollar < 0 ? name : name.slice(0, dollar);
}

function displayName(section: SectionInfo): string {
  return section.segment === undefined ? section.name : `${section.segment},${section.name}`;
}

function describe(section: SectionInfo): string {
  return `section ${displayName(section)} (#${section.index})`;
}

/**
 * Every section about to be read must lie inside the file, clear of the header tables and of the
 * other sections read.
 */
function checkSectionLayout(
  source: ByteSource,
  parsed: ParsedObject,
  sections: readonly SectionInfo[],
): void {
  const stored = sections.filter((s) => s.inFile && s.sizeBytes > 0);
  for (const s of stored) {
    checkFileRange(source, s.fileOffset, s.sizeBytes, describe(s));
    const end = s.fileOffset + s.sizeBytes;
    for (const range of parsed.headerRanges) {
      if (s.fileOffset < range.end && range.start < end) {
        throw new CovError(
          'E_MALFORMED',
          `${describe(s)}: data ${formatOffset(s.fileOffset)}..${formatOffset(end)} overlaps ${range.what} (${formatOffset(range.start)}..${formatOffset(range.end)})`,
          { source: source.name, byteOffset: s.fileOffset },
        );
      }
    }
  }
  const byOffset = [...stored].sort((a, b) => a.fileOffset - b.fileOffset);
  for (let i = 1; i < byOffset.length; i++) {
    const previous = byOffset[i - 1]!;
    const current = byOffset[i]!;
    if (current.fileOffset < previous.fileOffset + previous.sizeBytes) {
      throw new CovError(
        'E_MALFORMED',
        `${describe(current)} at ${formatOffset(current.fileOffset)} overlaps ${describe(previous)} (${formatOffset(previous.fileOffset)}..${formatOffset(previous.fileOffset + previous.sizeBytes)})`,
        { source: source.name, byteOffset: current.fileOffset },
      );
    }
  }
}

interface SectionData {
  readonly bytes: Uint8Array;
  readonly compression?: 'zlib' | 'zstd';
}

function readData(source: ByteSource, parsed: ParsedObject, section: SectionInfo): SectionData {
  if (parsed.table.format === 'elf') return readElfSectionData(source, parsed, section);
  if (!section.inFile) return { bytes: new Uint8Array(0) };
  return { bytes: readRange(source, section.fileOffset, section.sizeBytes, describe(section)) };
}

function toSectionBytes(section: SectionInfo, data: SectionData): SectionBytes {
  const base = { name: displayName(section), fileOffset: section.fileOffset, bytes: data.bytes };
  return data.compression === undefined ? base : { ...base, compression: data.compression };
}

/** The one section of a kind LLVM requires to be unique (covmap, names). */
function readOnly(
  source: ByteSource,
  parsed: ParsedObject,
  sections: readonly SectionInfo[],
): SectionBytes | undefined {
  const [first, second] = sections;
  if (first === undefined) return undefined;
  if (second !== undefined) {
    throw new CovError(
      'E_MALFORMED',
      `${sections.length} sections named ${displayName(first)} (#${sections.map((s) => s.index).join(', #')}); LLVM reads exactly one`,
      { source: source.name, byteOffset: second.fileOffset },
    );
  }
  return toSectionBytes(first, readData(source, parsed, first));
}

function readConcatenated(
  source: ByteSource,
  parsed: ParsedObject,
  sections: readonly SectionInfo[],
): SectionBytes | undefined {
  const [first] = sections;
  if (first === undefined) return undefined;
  if (sections.length === 1) return toSectionBytes(first, readData(source, parsed, first));
  const pieces = sections.map((s) => readData(source, parsed, s));
  const padded = (length: number): number =>
    Math.ceil(length / COVFUN_PIECE_ALIGNMENT) * COVFUN_PIECE_ALIGNMENT;
  const bytes = new Uint8Array(pieces.reduce((sum, p) => sum + padded(p.bytes.length), 0));
  let offset = 0;
  for (const piece of pieces) {
    bytes.set(piece.bytes, offset);
    offset += padded(piece.bytes.length);
  }
  const compression = pieces.find((p) => p.compression !== undefined)?.compression;
  const merged = toSectionBytes(
    first,
    compression === undefined ? { bytes } : { bytes, compression },
  );
  return { ...merged, pieces: pieces.length };
}
