/**
 * Address range lists: `.debug_ranges` (DWARF 2–4) and `.debug_rnglists` (DWARF 5, all DW_RLE_*
 * entry kinds, DW_FORM_rnglistx through the offsets table).
 */
import { CovError, type ByteReader } from '../binary/index.js';
import * as C from './constants.js';
import type { DwarfContext } from './sections.js';
import type { AddressRange } from './types.js';
import type { CompileUnit } from './units.js';

/**
 * The ranges of a `DW_AT_ranges` attribute of a DIE in `unit`.
 * @param value the attribute's value: a section offset, or for `DW_FORM_rnglistx` an index.
 * @param base the base address for offset entries (the CU's DW_AT_low_pc).
 * @returns non-empty ranges in list order (empty `[x, x)` entries dropped).
 * @throws CovError `E_MALFORMED`/`E_TRUNCATED` naming the range section and offset.
 */
export function readRangeList(
  context: DwarfContext,
  unit: CompileUnit,
  form: number,
  value: number,
  base: bigint,
): AddressRange[] {
  const { header } = unit;
  if (header.version < 5) return readDebugRanges(context, value, header.addressBytes, base);
  const bytes = context.sections.debugRnglists;
  if (bytes === undefined) {
    throw new CovError(
      'E_MALFORMED',
      `DW_AT_ranges ${value} but the object has no .debug_rnglists`,
      {
        source: `${context.sourceName}: .debug_rnglists`,
      },
    );
  }
  const r = context.reader('.debug_rnglists', bytes)!;
  let offset = value;
  if (form === C.DW_FORM_rnglistx) {
    // Offsets table entries are relative to rnglists_base (default: just past the first header).
    const listBase = unit.bases.rnglistsBase ?? (header.offsetBytes === 8 ? 20 : 12);
    r.seek(
      Math.min(listBase + value * header.offsetBytes, r.length + 1),
      `DW_FORM_rnglistx ${value}`,
    );
    const entry =
      header.offsetBytes === 8
        ? r.u64Number('rnglist offset entry')
        : r.u32('rnglist offset entry');
    offset = listBase + entry;
  }
  r.seek(Math.min(offset, r.length + 1), `range list at ${offset}`);
  return readRnglist(context, r, unit, base);
}

function readDebugRanges(
  context: DwarfContext,
  offset: number,
  addressBytes: 4 | 8,
  base: bigint,
): AddressRange[] {
  const bytes = context.sections.debugRanges;
  if (bytes === undefined) {
    throw new CovError(
      'E_MALFORMED',
      `DW_AT_ranges ${offset} but the object has no .debug_ranges`,
      {
        source: `${context.sourceName}: .debug_ranges`,
      },
    );
  }
  const r = context.reader('.debug_ranges', bytes)!;
  r.seek(Math.min(offset, r.length + 1), `range list at ${offset}`);
  const maxAddress = addressBytes === 8 ? (1n << 64n) - 1n : 0xffffffffn;
  const out: AddressRange[] = [];
  for (;;) {
    const start = r.uptr(addressBytes, 'range list entry start');
    const end = r.uptr(addressBytes, 'range list entry end');
    if (start === 0n && end === 0n) return out;
    if (start === maxAddress) {
      base = end;
      continue;
    }
    if (end > start) out.push({ start: base + start, end: base + end });
  }
}

function readRnglist(
  context: DwarfContext,
  r: ByteReader,
  unit: CompileUnit,
  base: bigint,
): AddressRange[] {
  const { addressBytes } = unit.header;
  const addr = (index: number): bigint =>
    context.indexedAddress(index, unit.bases.addrBase, addressBytes);
  const out: AddressRange[] = [];
  const push = (start: bigint, end: bigint): void => {
    if (end > start) out.push({ start, end });
  };
  for (;;) {
    const kindOffset = r.offset;
    const kind = r.u8('DW_RLE entry kind');
    switch (kind) {
      case C.DW_RLE_end_of_list:
        return out;
      case C.DW_RLE_base_addressx:
        base = addr(r.uleb('DW_RLE_base_addressx index'));
        break;
      case C.DW_RLE_startx_endx: {
        const start = addr(r.uleb('DW_RLE_startx_endx start index'));
        push(start, addr(r.uleb('DW_RLE_startx_endx end index')));
        break;
      }
      case C.DW_RLE_startx_length: {
        const start = addr(r.uleb('DW_RLE_startx_length index'));
        push(start, start + BigInt(r.uleb('DW_RLE_startx_length length')));
        break;
      }
      case C.DW_RLE_offset_pair: {
        const start = BigInt(r.uleb('DW_RLE_offset_pair start'));
        const end = BigInt(r.uleb('DW_RLE_offset_pair end'));
        push(base + start, base + end);
        break;
      }
      case C.DW_RLE_base_address:
        base = r.uptr(addressBytes, 'DW_RLE_base_address');
        break;
      case C.DW_RLE_start_end: {
        const start = r.uptr(addressBytes, 'DW_RLE_start_end start');
        push(start, r.uptr(addressBytes, 'DW_RLE_start_end end'));
        break;
      }
      case C.DW_RLE_start_length: {
        const start = r.uptr(addressBytes, 'DW_RLE_start_length start');
        push(start, start + BigInt(r.uleb('DW_RLE_start_length length')));
        break;
      }
      default:
        throw r.error(
          'E_MALFORMED',
          `unknown range list entry kind 0x${kind.toString(16)}`,
          kindOffset,
        );
    }
  }
}
