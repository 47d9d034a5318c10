/**
 * Section tables of ELF, Mach-O (thin and universal) and COFF/PE files, read from headers only.
 */
import type { ByteSource } from '../binary/index.js';
import { readCoffObject } from './coff.js';
import { detectObjectKind } from './detect-format.js';
import { readElfObject } from './elf.js';
import { readMachOObject } from './macho.js';
import { selectUniversalSlice } from './macho-universal.js';
import type { ParsedObject } from './parsed-object.js';
import type { ObjectReadOptions, SectionTable } from './types.js';

/**
 * Identifies `source` by magic and reads its headers and section table (no section data).
 * @throws CovError as {@link listSections}.
 */
export function readParsedObject(
  source: ByteSource,
  options: ObjectReadOptions = {},
): ParsedObject {
  const kind = detectObjectKind(source);
  switch (kind) {
    case 'elf':
      return readElfObject(source);
    case 'macho':
      return readMachOObject(source, { offset: 0, size: source.sizeBytes });
    case 'macho-fat':
      return readMachOObject(source, selectUniversalSlice(source, options.arch));
    case 'coff-object':
    case 'coff-bigobj':
    case 'pe':
      return readCoffObject(source, kind);
  }
}

/**
 * Lists an object file's sections for diagnostics. Reads only the headers, the section header
 * table and (ELF) the section name string table / (COFF) the long names used; cheap on any size
 * of file. Section data ranges are not validated here.
 * @returns the format, byte order, address size, whether it is a relocatable object, and every
 *   section with its name, absolute file offset, size in bytes and raw flags.
 * @throws CovError `E_BAD_MAGIC` for a file that is not ELF, Mach-O or COFF/PE (naming the bytes
 *   found), `E_TRUNCATED` when a header or table runs past the end of the file, `E_MALFORMED` for
 *   inconsistent headers, `E_USAGE` when `options.arch` names no slice of a universal file. Each
 *   carries source = `source.name` and the byte offset of the problem.
 * @see ../../../shared/spec/formats.md §4.1
 */
export function listSections(source: ByteSource, options: ObjectReadOptions = {}): SectionTable {
  return readParsedObject(source, options).table;
}
