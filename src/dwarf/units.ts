/**
 * `.debug_info` unit headers (DWARF 2–5 §7.5.1) and the compile-unit DIE's attributes.
 */
import {
  CovError,
  diagnosticFromError,
  type ByteReader,
  type Diagnostic,
} from '../binary/index.js';
import { fixedDieSize, readAbbrevTable, findAbbrev, type AbbrevTable } from './abbrev.js';
import * as C from './constants.js';
import { readFormUnsigned, skipForm, type FormEncoding } from './forms.js';
import { readInitialLength } from './initial-length.js';
import { readFormString, type DwarfContext, type UnitBases } from './sections.js';

/** One unit of `.debug_info`, its header decoded. */
export interface UnitHeader extends FormEncoding {
  /** Offset of the unit's first byte (its unit_length) in `.debug_info`. */
  readonly unitOffset: number;
  /** Offset one past the unit's last byte. */
  readonly endOffset: number;
  /** Offset of the first DIE. */
  readonly dieOffset: number;
  /** DWARF 5 unit type; DW_UT_compile for DWARF 2–4. */
  readonly unitType: number;
  readonly abbrevOffset: number;
}

/** The attributes of a compile unit's DIE that cov uses. */
export interface CompileUnit {
  readonly header: UnitHeader;
  readonly abbrevs: AbbrevTable;
  /** The unit's root DIE tag (DW_TAG_compile_unit, partial_unit, skeleton_unit, type_unit…). */
  readonly tag: number;
  /** The root DIE has children (the walk starts at `childrenOffset`). */
  readonly hasChildren: boolean;
  name: string | undefined;
  compDir: string | undefined;
  /** Offset of the unit's line program in `.debug_line` (DW_AT_stmt_list). */
  stmtList: number | undefined;
  /** DW_AT_low_pc: base address for `.debug_ranges`/`DW_RLE_offset_pair` (0 when absent). */
  lowPc: bigint;
  /** DW_AT_ranges raw value and form (resolved by the range reader). */
  rangesValue: number | undefined;
  rangesForm: number | undefined;
  readonly bases: UnitBases;
  /** Offset just after the root DIE's attributes. */
  readonly childrenOffset: number;
}

/** Unit-header walk state shared by readers: decoded abbreviation tables by key. */
export type AbbrevCache = Map<string, AbbrevTable>;

/**
 * Walks `.debug_info`, decoding each unit's header and root DIE.
 * @returns the units read and warnings for units skipped (a bad header with a usable
 *   unit_length skips that unit; a bad unit_length stops the walk).
 */
export function readCompileUnits(
  context: DwarfContext,
  cache: AbbrevCache = new Map(),
): { units: CompileUnit[]; warnings: Diagnostic[] } {
  const units: CompileUnit[] = [];
  const warnings: Diagnostic[] = [];
  const info = context.sections.debugInfo;
  if (info === undefined) return { units, warnings };
  const r = context.cursor('.debug_info', info);
  while (r.remaining > 0) {
    const unitOffset = r.offset;
    let endOffset: number;
    let offsetBytes: 4 | 8;
    try {
      const length = readInitialLength(r, `unit at 0x${unitOffset.toString(16)}`);
      endOffset = r.offset + length.unitLength;
      offsetBytes = length.offsetBytes;
    } catch (error) {
      // Without a length there is no way to find the next unit.
      if (!(error instanceof CovError)) throw error;
      warnings.push(diagnosticFromError(error, 'stopped reading .debug_info: '));
      break;
    }
    try {
      const unit = readUnit(context, r, unitOffset, endOffset, offsetBytes, cache);
      if (unit !== undefined) units.push(unit);
    } catch (error) {
      if (!(error instanceof CovError)) throw error;
      warnings.push(diagnosticFromError(error, 'skipped a .debug_info unit: '));
    }
    r.seek(endOffset, 'next unit');
  }
  return { units, warnings };
}

function readUnit(
  context: DwarfContext,
  r: ByteReader,
  unitOffset: number,
  endOffset: number,
  offsetBytes: 4 | 8,
  cache: AbbrevCache,
): CompileUnit | undefined {
  const versionOffset = r.offset;
  const version = r.u16('unit version');
  if (version < 2 || version > 5) {
    throw r.error(
      'E_UNSUPPORTED_VERSION',
      `unit version ${version} (reads DWARF 2–5)`,
      versionOffset,
    );
  }
  let unitType: number = C.DW_UT_compile;
  let addressSize: number;
  let abbrevOffset: number;
  const readOffset = (what: string): number =>
    offsetBytes === 8 ? r.u64Number(what) : r.u32(what);
  if (version >= 5) {
    unitType = r.u8('unit_type');
    addressSize = r.u8('address_size');
    abbrevOffset = readOffset('debug_abbrev_offset');
    switch (unitType) {
      case C.DW_UT_skeleton:
      case C.DW_UT_split_compile:
        r.skip(8, 'dwo_id');
        break;
      case C.DW_UT_type:
      case C.DW_UT_split_type:
        r.skip(8 + offsetBytes, 'type_signature, type_offset');
        break;
      default:
        break;
    }
  } else {
    abbrevOffset = readOffset('debug_abbrev_offset');
    addressSize = r.u8('address_size');
  }
  if (addressSize !== 4 && addressSize !== 8) {
    throw r.error(
      'E_UNSUPPORTED_VERSION',
      `address_size ${addressSize} (reads 4 or 8)`,
      r.offset - 1,
    );
  }
  const header: UnitHeader = {
    unitOffset,
    endOffset,
    dieOffset: r.offset,
    unitType,
    abbrevOffset,
    version,
    offsetBytes,
    addressBytes: addressSize,
  };
  const abbrevs = loadAbbrevs(context, header, cache);
  // The root DIE is read within the unit's bounds.
  const unit = r.sub(endOffset - r.offset, 'unit DIEs');
  return readRootDie(context, unit, header, abbrevs);
}

function loadAbbrevs(context: DwarfContext, header: UnitHeader, cache: AbbrevCache): AbbrevTable {
  const key = `${header.abbrevOffset}:${header.version}:${header.offsetBytes}:${header.addressBytes}`;
  let table = cache.get(key);
  if (table !== undefined) return table;
  const bytes = context.sections.debugAbbrev;
  if (bytes === undefined) {
    throw new CovError('E_MALFORMED', 'the object has .debug_info but no .debug_abbrev', {
      source: `${context.sourceName}: .debug_abbrev`,
    });
  }
  const r = context.cursor('.debug_abbrev', bytes);
  r.seek(
    Math.min(header.abbrevOffset, bytes.length + 1),
    `abbreviation table at ${header.abbrevOffset}`,
  );
  table = readAbbrevTable(r);
  for (const abbrev of table.dense)
    if (abbrev !== undefined) abbrev.fixedSize = fixedDieSize(abbrev, header);
  for (const abbrev of table.sparse.values()) abbrev.fixedSize = fixedDieSize(abbrev, header);
  cache.set(key, table);
  return table;
}

function readRootDie(
  context: DwarfContext,
  r: ByteReader,
  header: UnitHeader,
  abbrevs: AbbrevTable,
): CompileUnit | undefined {
  const codeOffset = r.offset;
  const code = r.uleb('root DIE abbreviation code');
  if (code === 0) return undefined;
  const abbrev = findAbbrev(abbrevs, code);
  if (abbrev === undefined) {
    throw r.error(
      'E_MALFORMED',
      `root DIE uses abbreviation code ${code}, which the table at ${header.abbrevOffset} lacks`,
      codeOffset,
    );
  }
  // DWARF 5 defaults: just past the contribution headers of .debug_str_offsets/.debug_addr/.debug_rnglists.
  const bases: UnitBases = {
    strOffsetsBase: header.offsetBytes === 8 ? 16 : 8,
    addrBase: header.offsetBytes === 8 ? 16 : 8,
    rnglistsBase: undefined,
  };
  // Base attributes come first because strx forms depend on str_offsets_base; find them in a pre-pass.
  const start = r.offset;
  for (let i = 0; i < abbrev.attributes.length; i++) {
    const attribute = abbrev.attributes[i]!;
    const form = abbrev.forms[i]!;
    if (attribute === C.DW_AT_str_offsets_base)
      bases.strOffsetsBase = readFormUnsigned(r, form, header, 'DW_AT_str_offsets_base');
    else if (attribute === C.DW_AT_addr_base || attribute === C.DW_AT_GNU_addr_base)
      bases.addrBase = readFormUnsigned(r, form, header, 'DW_AT_addr_base');
    else if (attribute === C.DW_AT_rnglists_base || attribute === C.DW_AT_GNU_ranges_base)
      bases.rnglistsBase = readFormUnsigned(r, form, header, 'DW_AT_rnglists_base');
    else skipForm(r, form, header, `attribute 0x${attribute.toString(16)}`);
  }
  r.seek(start, 'root DIE attributes');
  const unit: CompileUnit = {
    header,
    abbrevs,
    tag: abbrev.tag,
    hasChildren: abbrev.hasChildren,
    name: undefined,
    compDir: undefined,
    stmtList: undefined,
    lowPc: 0n,
    rangesValue: undefined,
    rangesForm: undefined,
    bases,
    childrenOffset: 0,
  };
  for (let i = 0; i < abbrev.attributes.length; i++) {
    const attribute = abbrev.attributes[i]!;
    const form = abbrev.forms[i]!;
    switch (attribute) {
      case C.DW_AT_name:
        unit.name =
          readFormString(context, r, form, header, bases, 'DW_AT_name') ?? skipped(r, form, header);
        break;
      case C.DW_AT_comp_dir:
        unit.compDir =
          readFormString(context, r, form, header, bases, 'DW_AT_comp_dir') ??
          skipped(r, form, header);
        break;
      case C.DW_AT_stmt_list:
        unit.stmtList = readFormUnsigned(r, form, header, 'DW_AT_stmt_list');
        break;
      case C.DW_AT_low_pc:
        unit.lowPc = readFormAddress(context, r, form, header, bases, 'DW_AT_low_pc');
        break;
      case C.DW_AT_ranges:
        unit.rangesForm = form;
        unit.rangesValue = readFormUnsigned(r, form, header, 'DW_AT_ranges');
        break;
      default:
        skipForm(r, form, header, `attribute 0x${attribute.toString(16)}`);
    }
  }
  return { ...unit, childrenOffset: r.absoluteOffset };
}

function skipped(r: ByteReader, form: number, encoding: FormEncoding): undefined {
  skipForm(r, form, encoding, 'string attribute');
  return undefined;
}

/**
 * Reads an address-valued attribute (`DW_FORM_addr`, `addrx`, `addrx1-4`, `GNU_addr_index`).
 * @throws CovError `E_MALFORMED` for other forms or a bad `.debug_addr` index.
 */
export function readFormAddress(
  context: DwarfContext,
  r: ByteReader,
  form: number,
  encoding: FormEncoding,
  bases: UnitBases,
  what: string,
): bigint {
  if (form === C.DW_FORM_addr) return r.uptr(encoding.addressBytes, what);
  switch (form) {
    case C.DW_FORM_addrx:
    case C.DW_FORM_addrx1:
    case C.DW_FORM_addrx2:
    case C.DW_FORM_addrx3:
    case C.DW_FORM_addrx4:
    case C.DW_FORM_GNU_addr_index:
      return context.indexedAddress(
        readFormUnsigned(r, form, encoding, what),
        bases.addrBase,
        encoding.addressBytes,
      );
    default:
      throw r.error('E_MALFORMED', `${what}: form 0x${form.toString(16)} is not an address form`);
  }
}
