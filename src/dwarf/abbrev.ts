/**
 * `.debug_abbrev` tables (DWARF 2–5 §7.5.3), decoded once per table offset into flat arrays.
 */
import type { ByteReader } from '../binary/index.js';
import * as C from './constants.js';
import { fixedFormSize, type FormEncoding } from './forms.js';
import { readSleb } from './leb.js';

/** One abbreviation declaration. */
export interface Abbrev {
  readonly code: number;
  readonly tag: number;
  readonly hasChildren: boolean;
  /** Attribute names, in DIE order. */
  readonly attributes: Uint32Array;
  /** Forms, parallel to `attributes`. */
  readonly forms: Uint32Array;
  /** `DW_FORM_implicit_const` values, parallel to `attributes` (0 for other forms). */
  readonly implicitConsts: Float64Array;
  /**
   * Total size in bytes of the attribute values when every form has a fixed size for the unit's
   * encoding (so the DIE can be skipped in one step), else -1. Filled by {@link fixedDieSize}.
   */
  fixedSize: number;
}

/** An abbreviation table: codes 1..n in an array (the usual case), others in a map. */
export interface AbbrevTable {
  readonly dense: (Abbrev | undefined)[];
  readonly sparse: Map<number, Abbrev>;
}

/** Looks up `code` in `table`. */
export function findAbbrev(table: AbbrevTable, code: number): Abbrev | undefined {
  return code < table.dense.length ? table.dense[code] : table.sparse.get(code);
}

/**
 * Decodes the abbreviation table at the cursor (up to its terminating 0 code).
 * @throws CovError `E_TRUNCATED` when it runs past `.debug_abbrev`, `E_MALFORMED` for a duplicate
 *   code or an attribute list without its 0,0 terminator.
 */
export function readAbbrevTable(r: ByteReader): AbbrevTable {
  const dense: (Abbrev | undefined)[] = [];
  const sparse = new Map<number, Abbrev>();
  const attributes: number[] = [];
  const forms: number[] = [];
  const consts: number[] = [];
  for (;;) {
    const start = r.offset;
    const code = r.uleb('abbreviation code');
    if (code === 0) break;
    const tag = r.uleb('abbreviation tag');
    const hasChildren = r.u8('DW_CHILDREN') !== 0;
    attributes.length = 0;
    forms.length = 0;
    consts.length = 0;
    for (;;) {
      const attribute = r.uleb('attribute name');
      const form = r.uleb('attribute form');
      if (attribute === 0 && form === 0) break;
      attributes.push(attribute);
      forms.push(form);
      consts.push(
        form === C.DW_FORM_implicit_const ? readSleb(r, 'DW_FORM_implicit_const value') : 0,
      );
    }
    const abbrev: Abbrev = {
      code,
      tag,
      hasChildren,
      attributes: Uint32Array.from(attributes),
      forms: Uint32Array.from(forms),
      implicitConsts: Float64Array.from(consts),
      fixedSize: -1,
    };
    if (findAbbrev({ dense, sparse }, code) !== undefined) {
      throw r.error(
        'E_MALFORMED',
        `abbreviation code ${code} is declared twice in one table`,
        start,
      );
    }
    if (code < 1 << 16) dense[code] = abbrev;
    else sparse.set(code, abbrev);
  }
  return { dense, sparse };
}

/** Size in bytes of a DIE's attribute values when all its forms are fixed-size, else -1. */
export function fixedDieSize(abbrev: Abbrev, encoding: FormEncoding): number {
  let total = 0;
  for (let i = 0; i < abbrev.forms.length; i++) {
    const size = fixedFormSize(abbrev.forms[i]!, encoding);
    if (size < 0) return -1;
    total += size;
  }
  return total;
}
