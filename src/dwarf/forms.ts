/**
 * Attribute forms of DWARF 2–5 (DWARF 5 §7.5.6): their sizes, skipping and reading them as
 * unsigned values. Shared by the `.debug_info` walk and DWARF 5 line-table headers.
 */
import type { ByteReader } from '../binary/index.js';
import * as C from './constants.js';
import { readSleb, skipLeb } from './leb.js';

/** Encoding facts of one unit that decide the size of its forms. */
export interface FormEncoding {
  /** Unit (or line table) version, 2–5. */
  readonly version: number;
  /** 4 for 32-bit DWARF, 8 for 64-bit DWARF. */
  readonly offsetBytes: 4 | 8;
  readonly addressBytes: 4 | 8;
}

/**
 * Size in bytes of a value of `form`, or -1 when it varies (LEB128, strings, blocks, indirect).
 * `DW_FORM_implicit_const` and `DW_FORM_flag_present` are 0. Unknown forms are -2.
 */
export function fixedFormSize(form: number, encoding: FormEncoding): number {
  switch (form) {
    case C.DW_FORM_flag_present:
    case C.DW_FORM_implicit_const:
      return 0;
    case C.DW_FORM_data1:
    case C.DW_FORM_ref1:
    case C.DW_FORM_flag:
    case C.DW_FORM_strx1:
    case C.DW_FORM_addrx1:
      return 1;
    case C.DW_FORM_data2:
    case C.DW_FORM_ref2:
    case C.DW_FORM_strx2:
    case C.DW_FORM_addrx2:
      return 2;
    case C.DW_FORM_strx3:
    case C.DW_FORM_addrx3:
      return 3;
    case C.DW_FORM_data4:
    case C.DW_FORM_ref4:
    case C.DW_FORM_ref_sup4:
    case C.DW_FORM_strx4:
    case C.DW_FORM_addrx4:
      return 4;
    case C.DW_FORM_data8:
    case C.DW_FORM_ref8:
    case C.DW_FORM_ref_sig8:
    case C.DW_FORM_ref_sup8:
      return 8;
    case C.DW_FORM_data16:
      return 16;
    case C.DW_FORM_addr:
      return encoding.addressBytes;
    case C.DW_FORM_ref_addr:
      // DWARF 2 sized DW_FORM_ref_addr like an address; DWARF 3+ like an offset.
      return encoding.version <= 2 ? encoding.addressBytes : encoding.offsetBytes;
    case C.DW_FORM_strp:
    case C.DW_FORM_line_strp:
    case C.DW_FORM_sec_offset:
    case C.DW_FORM_strp_sup:
    case C.DW_FORM_GNU_ref_alt:
    case C.DW_FORM_GNU_strp_alt:
      return encoding.offsetBytes;
    case C.DW_FORM_udata:
    case C.DW_FORM_sdata:
    case C.DW_FORM_ref_udata:
    case C.DW_FORM_strx:
    case C.DW_FORM_addrx:
    case C.DW_FORM_loclistx:
    case C.DW_FORM_rnglistx:
    case C.DW_FORM_GNU_addr_index:
    case C.DW_FORM_GNU_str_index:
    case C.DW_FORM_string:
    case C.DW_FORM_block:
    case C.DW_FORM_block1:
    case C.DW_FORM_block2:
    case C.DW_FORM_block4:
    case C.DW_FORM_exprloc:
    case C.DW_FORM_indirect:
      return -1;
    default:
      return -2;
  }
}

/**
 * Moves past one value of `form`.
 * @throws CovError `E_TRUNCATED` when the value runs past the data, `E_MALFORMED` for an unknown
 *   form or a string without its NUL.
 */
export function skipForm(r: ByteReader, form: number, encoding: FormEncoding, what: string): void {
  const size = fixedFormSize(form, encoding);
  if (size >= 0) {
    r.skip(size, what);
    return;
  }
  switch (form) {
    case C.DW_FORM_udata:
    case C.DW_FORM_sdata:
    case C.DW_FORM_ref_udata:
    case C.DW_FORM_strx:
    case C.DW_FORM_addrx:
    case C.DW_FORM_loclistx:
    case C.DW_FORM_rnglistx:
    case C.DW_FORM_GNU_addr_index:
    case C.DW_FORM_GNU_str_index:
      skipLeb(r, what);
      return;
    case C.DW_FORM_string:
      skipCString(r, what);
      return;
    case C.DW_FORM_block:
    case C.DW_FORM_exprloc:
      r.skip(r.uleb(what), what);
      return;
    case C.DW_FORM_block1:
      r.skip(r.u8(what), what);
      return;
    case C.DW_FORM_block2:
      r.skip(r.u16(what), what);
      return;
    case C.DW_FORM_block4:
      r.skip(r.u32(what), what);
      return;
    case C.DW_FORM_indirect: {
      const actual = r.uleb(what);
      if (actual === C.DW_FORM_indirect || actual === C.DW_FORM_implicit_const) {
        throw r.error(
          'E_MALFORMED',
          `${what}: DW_FORM_indirect names form 0x${actual.toString(16)}`,
        );
      }
      skipForm(r, actual, encoding, what);
      return;
    }
    default:
      throw unknownForm(r, form, what);
  }
}

/**
 * Reads a value of a constant, reference, offset or index form as an unsigned number
 * (`DW_FORM_data1/2/4/8`, `udata`, `sdata` when ≥ 0, `ref*`, `sec_offset`, `strp`, `line_strp`,
 * `strx*`, `addrx*`, `rnglistx`, `loclistx`, `flag`, `flag_present`). `DW_FORM_indirect` is followed.
 * @throws CovError `E_MALFORMED` for any other form or a value ≥ 2^53, `E_TRUNCATED` when the
 *   value runs past the data.
 */
export function readFormUnsigned(
  r: ByteReader,
  form: number,
  encoding: FormEncoding,
  what: string,
): number {
  switch (form) {
    case C.DW_FORM_data1:
    case C.DW_FORM_ref1:
    case C.DW_FORM_flag:
    case C.DW_FORM_strx1:
    case C.DW_FORM_addrx1:
      return r.u8(what);
    case C.DW_FORM_data2:
    case C.DW_FORM_ref2:
    case C.DW_FORM_strx2:
    case C.DW_FORM_addrx2:
      return r.u16(what);
    case C.DW_FORM_strx3:
    case C.DW_FORM_addrx3: {
      const a = r.u8(what);
      const b = r.u8(what);
      const c = r.u8(what);
      return r.littleEndian ? a | (b << 8) | (c << 16) : (a << 16) | (b << 8) | c;
    }
    case C.DW_FORM_data4:
    case C.DW_FORM_ref4:
    case C.DW_FORM_strx4:
    case C.DW_FORM_addrx4:
      return r.u32(what);
    case C.DW_FORM_data8:
    case C.DW_FORM_ref8:
      return r.u64Number(what);
    case C.DW_FORM_sec_offset:
    case C.DW_FORM_strp:
    case C.DW_FORM_line_strp:
      return encoding.offsetBytes === 8 ? r.u64Number(what) : r.u32(what);
    case C.DW_FORM_ref_addr:
      return fixedFormSize(form, encoding) === 8 ? r.u64Number(what) : r.u32(what);
    case C.DW_FORM_udata:
    case C.DW_FORM_ref_udata:
    case C.DW_FORM_strx:
    case C.DW_FORM_addrx:
    case C.DW_FORM_rnglistx:
    case C.DW_FORM_loclistx:
    case C.DW_FORM_GNU_addr_index:
    case C.DW_FORM_GNU_str_index:
      return r.uleb(what);
    case C.DW_FORM_sdata: {
      const start = r.offset;
      const value = readSleb(r, what);
      if (value < 0) throw r.error('E_MALFORMED', `${what}: negative value ${value}`, start);
      return value;
    }
    case C.DW_FORM_flag_present:
      return 1;
    case C.DW_FORM_indirect:
      return readFormUnsigned(r, r.uleb(what), encoding, what);
    default: {
      const size = fixedFormSize(form, encoding);
      if (size === -2) throw unknownForm(r, form, what);
      throw r.error('E_MALFORMED', `${what}: form 0x${form.toString(16)} is not an unsigned value`);
    }
  }
}

/** Moves past a NUL-terminated string. */
export function skipCString(r: ByteReader, what: string): void {
  const end = r.bytes.indexOf(0, r.offset);
  if (end < 0) {
    throw r.error(
      'E_TRUNCATED',
      `${what}: string has no terminating NUL before the end of the data`,
    );
  }
  r.offset = end + 1;
}

function unknownForm(r: ByteReader, form: number, what: string): Error {
  return r.error('E_MALFORMED', `${what}: unknown attribute form 0x${form.toString(16)}`);
}
