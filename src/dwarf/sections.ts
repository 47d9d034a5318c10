/**
 * Access to the shared DWARF string and address tables (`.debug_str`, `.debug_line_str`,
 * `.debug_str_offsets`, `.debug_addr`), with errors naming the section and byte offset.
 */
import { ByteReader, CovError } from '../binary/index.js';
import * as C from './constants.js';
import type { FormEncoding } from './forms.js';
import type { DwarfSections } from './types.js';

const utf8 = new TextDecoder('utf-8');

/** Readers over the sections of one object, labelled `<object>: <section>` for errors. */
export class DwarfContext {
  readonly sections: DwarfSections;
  readonly sourceName: string;
  private readonly readers = new Map<string, ByteReader>();

  constructor(sections: DwarfSections, sourceName: string) {
    this.sections = sections;
    this.sourceName = sourceName;
  }

  /** A cursor over section `name` (e.g. `.debug_str`), or `undefined` when the object lacks it. */
  reader(name: string, bytes: Uint8Array | undefined): ByteReader | undefined {
    if (bytes === undefined) return undefined;
    let r = this.readers.get(name);
    if (r === undefined) {
      r = new ByteReader(bytes, {
        source: `${this.sourceName}: ${name}`,
        littleEndian: this.sections.littleEndian,
      });
      this.readers.set(name, r);
    }
    return r;
  }

  /** A fresh cursor (its own offset) over section `name`. */
  cursor(name: string, bytes: Uint8Array): ByteReader {
    return new ByteReader(bytes, {
      source: `${this.sourceName}: ${name}`,
      littleEndian: this.sections.littleEndian,
    });
  }

  /**
   * The NUL-terminated string at `byteOffset` of `.debug_str` (`table` = 'str') or
   * `.debug_line_str` ('line_str').
   * @throws CovError `E_MALFORMED` when the section is missing, the offset is outside it or no NUL
   *   follows; byteOffset = the offset within that section.
   */
  stringAt(table: 'str' | 'line_str', byteOffset: number): string {
    const name = table === 'str' ? '.debug_str' : '.debug_line_str';
    const bytes = table === 'str' ? this.sections.debugStr : this.sections.debugLineStr;
    const source = `${this.sourceName}: ${name}`;
    if (bytes === undefined) {
      throw new CovError(
        'E_MALFORMED',
        `string at offset ${byteOffset} of ${name}, which the object does not have`,
        { source },
      );
    }
    const end = byteOffset < bytes.length ? bytes.indexOf(0, byteOffset) : -1;
    if (end < 0) {
      throw new CovError(
        'E_MALFORMED',
        `no NUL-terminated string at offset ${byteOffset} of the ${bytes.length}-byte section`,
        { source, byteOffset },
      );
    }
    return utf8.decode(bytes.subarray(byteOffset, end));
  }

  /**
   * String number `index` of a unit's `.debug_str_offsets` contribution starting at `base`.
   * @throws CovError `E_MALFORMED`/`E_TRUNCATED` naming `.debug_str_offsets` and the entry offset.
   */
  indexedString(index: number, base: number, offsetBytes: 4 | 8): string {
    const r = this.reader('.debug_str_offsets', this.sections.debugStrOffsets);
    if (r === undefined) {
      throw new CovError(
        'E_MALFORMED',
        `string index ${index} but the object has no .debug_str_offsets`,
        { source: `${this.sourceName}: .debug_str_offsets` },
      );
    }
    r.seek(
      Math.min(base + index * offsetBytes, r.length + 1),
      `string offset entry ${index} (base ${base})`,
    );
    const offset =
      offsetBytes === 8
        ? r.u64Number(`string offset entry ${index}`)
        : r.u32(`string offset entry ${index}`);
    return this.stringAt('str', offset);
  }

  /**
   * Address number `index` of a unit's `.debug_addr` contribution starting at `base`.
   * @throws CovError `E_MALFORMED`/`E_TRUNCATED` naming `.debug_addr` and the entry offset.
   */
  indexedAddress(index: number, base: number, addressBytes: 4 | 8): bigint {
    const r = this.reader('.debug_addr', this.sections.debugAddr);
    if (r === undefined) {
      throw new CovError(
        'E_MALFORMED',
        `address index ${index} but the object has no .debug_addr`,
        { source: `${this.sourceName}: .debug_addr` },
      );
    }
    r.seek(
      Math.min(base + index * addressBytes, r.length + 1),
      `address entry ${index} (base ${base})`,
    );
    return r.uptr(addressBytes, `address entry ${index}`);
  }
}

/** Where a unit's string and address indices point (DWARF 5 defaults when unset). */
export interface UnitBases {
  strOffsetsBase: number;
  addrBase: number;
  rnglistsBase: number | undefined;
}

/**
 * Reads a string-valued attribute of form `form` at the cursor (`DW_FORM_string`, `strp`,
 * `line_strp`, `strx`, `strx1-4`, `GNU_str_index`).
 * @returns the string, or `undefined` for a form that is not a string form (the value is skipped by
 *   the caller in that case; this function then consumes nothing).
 */
export function readFormString(
  context: DwarfContext,
  r: ByteReader,
  form: number,
  encoding: FormEncoding,
  bases: UnitBases,
  what: string,
): string | undefined {
  switch (form) {
    case C.DW_FORM_string: {
      const start = r.offset;
      const end = r.bytes.indexOf(0, start);
      if (end < 0)
        throw r.error(
          'E_TRUNCATED',
          `${what}: string has no terminating NUL before the end of the data`,
        );
      r.offset = end + 1;
      return utf8.decode(r.bytes.subarray(start, end));
    }
    case C.DW_FORM_strp:
      return context.stringAt('str', encoding.offsetBytes === 8 ? r.u64Number(what) : r.u32(what));
    case C.DW_FORM_line_strp:
      return context.stringAt(
        'line_str',
        encoding.offsetBytes === 8 ? r.u64Number(what) : r.u32(what),
      );
    case C.DW_FORM_strx:
    case C.DW_FORM_GNU_str_index:
      return context.indexedString(r.uleb(what), bases.strOffsetsBase, encoding.offsetBytes);
    case C.DW_FORM_strx1:
      return context.indexedString(r.u8(what), bases.strOffsetsBase, encoding.offsetBytes);
    case C.DW_FORM_strx2:
      return context.indexedString(r.u16(what), bases.strOffsetsBase, encoding.offsetBytes);
    case C.DW_FORM_strx3: {
      const a = r.u8(what);
      const b = r.u8(what);
      const c = r.u8(what);
      const index = r.littleEndian ? a | (b << 8) | (c << 16) : (a << 16) | (b << 8) | c;
      return context.indexedString(index, bases.strOffsetsBase, encoding.offsetBytes);
    }
    case C.DW_FORM_strx4:
      return context.indexedString(r.u32(what), bases.strOffsetsBase, encoding.offsetBytes);
    default:
      return undefined;
  }
}
