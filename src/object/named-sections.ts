/**
 * Reads sections by name, decompressed: ELF SHF_COMPRESSED (ELFCOMPRESS_ZLIB, ELFCOMPRESS_ZSTD)
 * and GNU `.zdebug_*` ("ZLIB" + 8-byte big-endian size + zlib stream); Mach-O and COFF as stored.
 */
import { ByteReader, CovError, inflateZlib, type ByteSource } from '../binary/index.js';
import { readElfSectionData } from './elf.js';
import type { ParsedObject } from './parsed-object.js';
import { readRange } from './read-range.js';
import { readParsedObject } from './section-table.js';
import type { ObjectReadOptions, SectionBytes, SectionInfo } from './types.js';

/**
 * Reads the sections named in `names` (exact names, e.g. `.debug_line`; Mach-O: the section name
 * alone, e.g. `__debug_line`). For an ELF name `.debug_X` that is absent, a GNU-compressed
 * `.zdebug_X` is read instead and returned under the requested name. When several sections share a
 * name (relocatable objects), the first in table order is read. Reads only headers, tables and the
 * requested sections.
 * @returns a map from each requested name that was found to its bytes (decompressed; offsets
 *   absolute in the file; `compression` set when it was stored compressed). Absent names are
 *   absent from the map.
 * @throws CovError `E_BAD_MAGIC` for a file that is not ELF/Mach-O/COFF, `E_TRUNCATED` when a
 *   header or a requested section lies past the end of the file, `E_MALFORMED` for inconsistent
 *   headers or corrupt compressed data, `E_UNSUPPORTED_VERSION` for an unknown ELF `ch_type`.
 */
export function readNamedSections(
  source: ByteSource,
  names: readonly string[],
  options: ObjectReadOptions = {},
): Map<string, SectionBytes> {
  const parsed = readParsedObject(source, options);
  const byName = new Map<string, SectionInfo>();
  for (const section of parsed.table.sections) {
    if (!byName.has(section.name)) byName.set(section.name, section);
  }
  const out = new Map<string, SectionBytes>();
  for (const name of names) {
    const section = byName.get(name);
    if (section !== undefined) {
      out.set(name, readPlain(source, parsed, section));
      continue;
    }
    if (parsed.table.format === 'elf' && name.startsWith('.debug_')) {
      const zsection = byName.get(`.z${name.slice(1)}`);
      if (zsection !== undefined) out.set(name, readZdebug(source, zsection, name));
    }
  }
  return out;
}

function readPlain(source: ByteSource, parsed: ParsedObject, section: SectionInfo): SectionBytes {
  const name = section.segment === undefined ? section.name : `${section.segment},${section.name}`;
  if (parsed.table.format === 'elf') {
    const data = readElfSectionData(source, parsed, section);
    const base = { name, fileOffset: section.fileOffset, bytes: data.bytes };
    return data.compression === undefined ? base : { ...base, compression: data.compression };
  }
  const bytes = section.inFile
    ? readRange(source, section.fileOffset, section.sizeBytes, `section ${name}`)
    : new Uint8Array(0);
  return { name, fileOffset: section.fileOffset, bytes };
}

/** GNU `.zdebug_*`: the 4 bytes "ZLIB", the uncompressed size as a big-endian u64, a zlib stream. */
function readZdebug(source: ByteSource, section: SectionInfo, requested: string): SectionBytes {
  const what = `section ${section.name} (#${section.index})`;
  const raw = section.inFile
    ? readRange(source, section.fileOffset, section.sizeBytes, what)
    : new Uint8Array(0);
  const r = new ByteReader(raw, {
    source: source.name,
    littleEndian: false,
    baseOffset: section.fileOffset,
  });
  const magic = r.take(4, `${what}: "ZLIB" magic`);
  if (magic[0] !== 0x5a || magic[1] !== 0x4c || magic[2] !== 0x49 || magic[3] !== 0x42) {
    throw new CovError('E_BAD_MAGIC', `${what}: expected the "ZLIB" magic of a .zdebug section`, {
      source: source.name,
      byteOffset: section.fileOffset,
    });
  }
  const size = r.u64Number(`${what}: uncompressed size`);
  const bytes = inflateZlib(raw.subarray(r.offset), size, {
    source: source.name,
    byteOffset: r.absoluteOffset,
    what,
  });
  return { name: requested, fileOffset: section.fileOffset, bytes, compression: 'zlib' };
}
