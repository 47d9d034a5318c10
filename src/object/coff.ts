/**
 * COFF reader: plain objects (IMAGE_FILE_HEADER), bigobj objects (ANON_OBJECT_HEADER_BIGOBJ
 * version 2) and linked PE32/PE32+ images; section headers with long names (`/123` and `//BASE64`)
 * resolved through the string table.
 */
import { CovError, type ByteReader, type ByteSource } from '../binary/index.js';
import type { ParsedObject } from './parsed-object.js';
import { checkFileRange, fixedName, readerAt, readRange } from './read-range.js';
import type { SectionInfo } from './types.js';

/** `Machine` values whose objects LLVM reads with 8-byte addresses (AMD64, ARM64, ARM64EC, ARM64X). */
const MACHINES_64 = new Set([0x8664, 0xaa64, 0xa641, 0xa64e]);
/** Size of one `IMAGE_SECTION_HEADER`. */
const COFF_SECTION_SIZE = 40;
// Size of one symbol record: `IMAGE_SYMBOL` (18) or, in bigobj files, `IMAGE_SYMBOL_EX` (20).
const COFF_SYMBOL_SIZE = 18;
const COFF_BIGOBJ_SYMBOL_SIZE = 20;
/** `IMAGE_FILE_HEADER` and `ANON_OBJECT_HEADER_BIGOBJ` sizes. */
const FILE_HEADER_SIZE = 20;
const BIGOBJ_HEADER_SIZE = 56;
/** Long names are read from the string table in chunks of this many bytes. */
const NAME_CHUNK = 256;

/** Which COFF container {@link readCoffObject} reads. */
export type CoffKind = 'coff-object' | 'coff-bigobj' | 'pe';

interface CoffHeader {
  readonly machine: number;
  readonly sectionCount: number;
  readonly symbolTable: number;
  readonly symbolCount: number;
  readonly symbolSize: number;
  /** Absolute offset of the first section header. */
  readonly sectionTable: number;
}

/**
 * Reads the headers and section table of a COFF object or PE image; reads no section data (only
 * string-table entries for long names).
 * @returns sections in table order, `sizeBytes` = `SizeOfRawData` for objects and
 *   `min(VirtualSize, SizeOfRawData)` for images (as LLVM), `inFile` false when
 *   `PointerToRawData` is 0; `headerRanges` = every header up to the end of the section table.
 * @throws CovError `E_BAD_MAGIC` for an MZ file without a PE signature, `E_UNSUPPORTED_VERSION`
 *   for a bigobj header below version 2, `E_TRUNCATED` when a header, the section table or the
 *   string table runs past the end of the file, `E_MALFORMED` for a bad long name.
 * @see ../../../shared/spec/formats.md §4.1
 */
export function readCoffObject(source: ByteSource, kind: CoffKind): ParsedObject {
  const header = readHeader(source, kind);
  const tableBytes = header.sectionCount * COFF_SECTION_SIZE;
  const table = readerAt(
    source,
    header.sectionTable,
    tableBytes,
    true,
    `section table (${header.sectionCount} headers)`,
  );
  const strings = new StringTable(source, header);
  const sections: SectionInfo[] = [];
  for (let index = 0; index < header.sectionCount; index++) {
    const at = table.absoluteOffset;
    const rawName = table.take(8, 'Name');
    const virtualSize = table.u32('VirtualSize');
    table.skip(4, 'VirtualAddress');
    const sizeOfRawData = table.u32('SizeOfRawData');
    const pointerToRawData = table.u32('PointerToRawData');
    table.skip(4 + 4 + 2 + 2, 'relocation and line number fields');
    const characteristics = table.u32('Characteristics');
    sections.push({
      index,
      name: rawName[0] === 0x2f ? strings.lookup(rawName, index, at) : fixedName(rawName),
      fileOffset: pointerToRawData,
      sizeBytes: kind === 'pe' ? Math.min(virtualSize, sizeOfRawData) : sizeOfRawData,
      inFile: pointerToRawData !== 0,
      flags: characteristics,
    });
  }
  return {
    table: {
      format: 'coff',
      littleEndian: true,
      pointerBytes: MACHINES_64.has(header.machine) ? 8 : 4,
      relocatable: kind !== 'pe',
      sections,
    },
    headerRanges: [
      {
        start: 0,
        end: header.sectionTable + tableBytes,
        what: 'the COFF headers and section table',
      },
    ],
    peImage: kind === 'pe',
  };
}

function readHeader(source: ByteSource, kind: CoffKind): CoffHeader {
  switch (kind) {
    case 'coff-object':
      return readFileHeader(source, 0);
    case 'coff-bigobj': {
      const r = readerAt(source, 0, BIGOBJ_HEADER_SIZE, true, 'bigobj header');
      r.skip(4, 'Sig1, Sig2');
      const version = r.u16('Version');
      if (version < 2) {
        throw r.error('E_UNSUPPORTED_VERSION', `bigobj header version ${version} (reads 2)`, 4);
      }
      const machine = r.u16('Machine');
      r.skip(4 + 16 + 4 + 4 + 4 + 4, 'TimeDateStamp .. MetaDataOffset');
      const sectionCount = r.u32('NumberOfSections');
      const symbolTable = r.u32('PointerToSymbolTable');
      const symbolCount = r.u32('NumberOfSymbols');
      return {
        machine,
        sectionCount,
        symbolTable,
        symbolCount,
        symbolSize: COFF_BIGOBJ_SYMBOL_SIZE,
        sectionTable: BIGOBJ_HEADER_SIZE,
      };
    }
    case 'pe': {
      const dos = readerAt(source, 0, 0x40, true, 'DOS header');
      dos.seek(0x3c, 'e_lfanew');
      const peOffset = dos.u32('e_lfanew');
      const signature = readRange(source, peOffset, 4, 'PE signature');
      if (!(
        signature[0] === 0x50 &&
        signature[1] === 0x45 &&
        signature[2] === 0 &&
        signature[3] === 0
      )) {
        throw new CovError(
          'E_BAD_MAGIC',
          'MZ file without a PE signature (a DOS executable is not an object file)',
          { source: source.name, byteOffset: peOffset },
        );
      }
      return readFileHeader(source, peOffset + 4);
    }
  }
}

function readFileHeader(source: ByteSource, at: number): CoffHeader {
  const r = readerAt(source, at, FILE_HEADER_SIZE, true, 'COFF file header');
  const machine = r.u16('Machine');
  const sectionCount = r.u16('NumberOfSections');
  r.skip(4, 'TimeDateStamp');
  const symbolTable = r.u32('PointerToSymbolTable');
  const symbolCount = r.u32('NumberOfSymbols');
  const optionalHeaderSize = r.u16('SizeOfOptionalHeader');
  return {
    machine,
    sectionCount,
    symbolTable,
    symbolCount,
    symbolSize: COFF_SYMBOL_SIZE,
    sectionTable: at + FILE_HEADER_SIZE + optionalHeaderSize,
  };
}

/** The COFF string table after the symbol table, read lazily, only for the names asked. */
class StringTable {
  private readonly source: ByteSource;
  private readonly header: CoffHeader;
  private start = -1;
  private size = 0;

  constructor(source: ByteSource, header: CoffHeader) {
    this.source = source;
    this.header = header;
  }

  /** Resolves a `/decimal` or `//base64` name field of section `index` (header at `at`). */
  lookup(rawName: Uint8Array, index: number, at: number): string {
    const field = fixedName(rawName);
    const offset = field.startsWith('//')
      ? decodeBase64Offset(field.slice(2))
      : decimal(field.slice(1));
    const fail = (why: string): CovError =>
      new CovError(
        'E_MALFORMED',
        `section header ${index}: long name ${JSON.stringify(field)} ${why}`,
        {
          source: this.source.name,
          byteOffset: at,
        },
      );
    if (offset === undefined) throw fail('is not a string table offset');
    this.load(fail);
    if (offset < 4 || offset >= this.size) {
      throw fail(`points outside the ${this.size}-byte string table`);
    }
    let name = '';
    for (let pos = offset; pos < this.size; pos += NAME_CHUNK) {
      const length = Math.min(NAME_CHUNK, this.size - pos);
      const chunk = readRange(this.source, this.start + pos, length, 'string table');
      const end = chunk.indexOf(0);
      name += fixedName(chunk);
      if (end >= 0) return name;
    }
    throw fail('is not NUL-terminated inside the string table');
  }

  private load(fail: (why: string) => CovError): void {
    if (this.start >= 0) return;
    const { symbolTable, symbolCount, symbolSize } = this.header;
    if (symbolTable === 0) throw fail('needs a string table, but PointerToSymbolTable is 0');
    const start = symbolTable + symbolCount * symbolSize;
    const sizeReader: ByteReader = readerAt(this.source, start, 4, true, 'string table size');
    const size = sizeReader.u32('string table size');
    checkFileRange(this.source, start, size, 'string table');
    this.start = start;
    this.size = size;
  }
}

function decimal(text: string): number | undefined {
  return /^[0-9]{1,7}$/.test(text) ? Number(text) : undefined;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** `//` names: the offset in base 64, most significant digit first, up to 6 digits. */
function decodeBase64Offset(text: string): number | undefined {
  if (text.length === 0 || text.length > 6) return undefined;
  let value = 0;
  for (const ch of text) {
    const digit = BASE64.indexOf(ch);
    if (digit < 0) return undefined;
    value = value * 64 + digit;
  }
  return value;
}
