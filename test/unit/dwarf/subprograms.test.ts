import test from 'ava';
import { readSubprograms } from '../../../src/dwarf/index.js';
import {
  abbrevTable,
  compileUnit,
  concat,
  cstr,
  le,
  lineTable,
  sections,
  sleb,
  uleb,
} from './builders.js';

// DWARF 5 table 7.5/7.6 values used below.
const TAG = { compile_unit: 0x11, subprogram: 0x2e, variable: 0x34, namespace: 0x39 };
const AT = {
  sibling: 0x01,
  location: 0x02,
  name: 0x03,
  stmt_list: 0x10,
  low_pc: 0x11,
  high_pc: 0x12,
  comp_dir: 0x1b,
  const_value: 0x1c,
  declaration: 0x3c,
  decl_file: 0x3a,
  decl_line: 0x3b,
  external: 0x3f,
  specification: 0x47,
  type: 0x49,
  ranges: 0x55,
  linkage_name: 0x6e,
  str_offsets_base: 0x72,
  addr_base: 0x73,
  rnglists_base: 0x74,
};
const FORM = {
  addr: 0x01,
  block1: 0x0a,
  data1: 0x0b,
  data2: 0x05,
  data4: 0x06,
  data16: 0x1e,
  exprloc: 0x18,
  flag: 0x0c,
  flag_present: 0x19,
  implicit_const: 0x21,
  indirect: 0x16,
  ref4: 0x13,
  ref_sig8: 0x20,
  rnglistx: 0x23,
  sdata: 0x0d,
  sec_offset: 0x17,
  string: 0x08,
  strp: 0x0e,
  strx1: 0x25,
  addrx: 0x1b,
  udata: 0x0f,
};

/** DWARF 4 unit: a function, a declaration + its definition, ranges, a namespace, skipped forms. */
function dwarf4Unit(): {
  info: Uint8Array;
  abbrev: Uint8Array;
  ranges: Uint8Array;
  line: Uint8Array;
  str: Uint8Array;
} {
  const abbrev = abbrevTable([
    {
      code: 1,
      tag: TAG.compile_unit,
      children: true,
      attributes: [
        [AT.name, FORM.string],
        [AT.comp_dir, FORM.string],
        [AT.stmt_list, FORM.sec_offset],
        [AT.low_pc, FORM.addr],
      ],
    },
    {
      code: 2,
      tag: TAG.subprogram,
      children: false,
      attributes: [
        [AT.name, FORM.strp],
        [AT.linkage_name, FORM.string],
        [AT.low_pc, FORM.addr],
        [AT.high_pc, FORM.data4],
        [AT.decl_file, FORM.data1],
        [AT.decl_line, FORM.data1],
      ],
    },
    {
      code: 3,
      tag: TAG.subprogram,
      children: false,
      attributes: [
        [AT.name, FORM.string],
        [AT.declaration, FORM.flag_present],
      ],
    },
    {
      code: 4,
      tag: TAG.subprogram,
      children: false,
      attributes: [
        [AT.specification, FORM.ref4],
        [AT.low_pc, FORM.addr],
        [AT.high_pc, FORM.addr],
      ],
    },
    {
      code: 5,
      tag: TAG.subprogram,
      children: true,
      attributes: [
        [AT.name, FORM.string],
        [AT.ranges, FORM.sec_offset],
      ],
    },
    {
      code: 6,
      tag: TAG.variable,
      children: false,
      attributes: [
        [AT.location, FORM.exprloc],
        [AT.const_value, FORM.block1],
        [0x2100, FORM.data16],
        [0x2101, FORM.sdata],
        [AT.type, FORM.ref_sig8],
        [0x2102, FORM.indirect],
        [AT.external, FORM.flag],
        [0x2103, FORM.implicit_const, -7],
      ],
    },
    { code: 7, tag: TAG.namespace, children: true, attributes: [[AT.name, FORM.string]] },
  ]);
  const str = concat(cstr('f'), cstr('g'));
  // CU header is 11 bytes (4 + 2 + 4 + 1); DIE offsets below are unit-relative.
  const dies: number[] = [];
  dies.push(...uleb(1), ...cstr('a.rs'), ...cstr('/work'), ...le(0, 4), ...le(0x10000, 8));
  dies.push(...uleb(2), ...le(0, 4), ...cstr('_ZN1f'), ...le(0x1000, 8), ...le(0x10, 4), 1, 7);
  const declOffset = 11 + dies.length;
  dies.push(...uleb(3), ...cstr('decl'));
  dies.push(...uleb(4), ...le(declOffset, 4), ...le(0x2000, 8), ...le(0x2040, 8));
  dies.push(...uleb(5), ...cstr('ranged'), ...le(0, 4));
  dies.push(
    ...uleb(6),
    ...uleb(3),
    0x91,
    0x7f,
    0x00,
    2,
    0xaa,
    0xbb,
    ...new Array<number>(16).fill(1),
    ...sleb(-300),
    ...le(0x1234, 8),
    ...uleb(FORM.udata),
    ...uleb(99999),
    1,
  );
  dies.push(0); // end of children of "ranged"
  dies.push(...uleb(7), ...cstr('ns'));
  dies.push(...uleb(2), ...le(2, 4), ...cstr('_ZN2ns1g'), ...le(0x3000, 8), ...le(0x8, 4), 1, 9);
  dies.push(0, 0); // end of ns, end of CU
  // .debug_ranges: (0x10, 0x20) from the CU base, base selection to 0x50000, (0, 8), empty, end.
  const ranges = concat(
    le(0x10, 8),
    le(0x20, 8),
    le(0xffffffffffffffffn, 8),
    le(0x50000, 8),
    le(0, 8),
    le(8, 8),
    le(5, 8),
    le(5, 8),
    le(0, 8),
    le(0, 8),
  );
  const line = lineTable({ version: 4, files: [['a.rs', 0]], program: [] });
  return {
    info: compileUnit({ version: 4, dies }),
    abbrev: Uint8Array.from(abbrev),
    ranges,
    line,
    str,
  };
}

test('DWARF 4: low/high pc (offset and address forms), DW_AT_specification names, .debug_ranges, every skipped form', (t) => {
  const u = dwarf4Unit();
  const { subprograms, warnings } = readSubprograms(
    sections(u.line, {
      debugInfo: u.info,
      debugAbbrev: u.abbrev,
      debugRanges: u.ranges,
      debugStr: u.str,
    }),
    'obj',
  );
  t.deepEqual(warnings, []);
  t.deepEqual(subprograms, [
    {
      name: 'f',
      linkageName: '_ZN1f',
      ranges: [{ start: 0x1000n, end: 0x1010n }],
      file: '/work/a.rs',
      line: 7,
    },
    { name: 'decl', ranges: [{ start: 0x2000n, end: 0x2040n }] },
    {
      name: 'ranged',
      ranges: [
        { start: 0x10010n, end: 0x10020n },
        { start: 0x50000n, end: 0x50008n },
      ],
    },
    {
      name: 'g',
      linkageName: '_ZN2ns1g',
      ranges: [{ start: 0x3000n, end: 0x3008n }],
      file: '/work/a.rs',
      line: 9,
    },
  ]);
});

test('DWARF 5: strx1 names before DW_AT_str_offsets_base, addrx low_pc, rnglistx with every DW_RLE kind', (t) => {
  const abbrev = abbrevTable([
    {
      code: 1,
      tag: TAG.compile_unit,
      children: true,
      attributes: [
        [AT.name, FORM.strx1],
        [AT.str_offsets_base, FORM.sec_offset],
        [AT.addr_base, FORM.sec_offset],
        [AT.rnglists_base, FORM.sec_offset],
      ],
    },
    {
      code: 2,
      tag: TAG.subprogram,
      children: false,
      attributes: [
        [AT.name, FORM.strx1],
        [AT.low_pc, FORM.addrx],
        [AT.high_pc, FORM.data4],
        [AT.decl_line, FORM.implicit_const, 12],
      ],
    },
    {
      code: 3,
      tag: TAG.subprogram,
      children: false,
      attributes: [
        [AT.name, FORM.string],
        [AT.ranges, FORM.rnglistx],
      ],
    },
  ]);
  const str = concat(cstr('cu'), cstr('h'));
  const strOffsets = concat(le(12, 4), le(5, 2), le(0, 2), le(0, 4), le(3, 4));
  const addr = concat(
    le(36, 4),
    le(5, 2),
    [8, 0],
    le(0x4000, 8),
    le(0x5000, 8),
    le(0x5100, 8),
    le(0x3000, 8),
  );
  const list = [
    0x01,
    ...uleb(0), // DW_RLE_base_addressx → 0x4000
    0x04,
    ...uleb(0x10),
    ...uleb(0x20), // DW_RLE_offset_pair
    0x02,
    ...uleb(1),
    ...uleb(2), // DW_RLE_startx_endx
    0x03,
    ...uleb(1),
    ...uleb(0x10), // DW_RLE_startx_length
    0x05,
    ...le(0x6000, 8), // DW_RLE_base_address
    0x04,
    ...uleb(0),
    ...uleb(4),
    0x06,
    ...le(0x7000, 8),
    ...le(0x7008, 8), // DW_RLE_start_end
    0x07,
    ...le(0x8000, 8),
    ...uleb(2), // DW_RLE_start_length
    0x00,
  ];
  const rnglistsBody = [...le(5, 2), 8, 0, ...le(1, 4), ...le(4, 4), ...list];
  const rnglists = concat(le(rnglistsBody.length, 4), rnglistsBody);
  const dies = [
    ...uleb(1),
    0,
    ...le(8, 4),
    ...le(8, 4),
    ...le(12, 4),
    ...uleb(2),
    1,
    ...uleb(3),
    ...le(0x30, 4),
    ...uleb(3),
    ...cstr('r'),
    ...uleb(0),
    0,
  ];
  const { subprograms, warnings } = readSubprograms(
    sections(new Uint8Array(0), {
      debugInfo: compileUnit({ version: 5, dies }),
      debugAbbrev: Uint8Array.from(abbrev),
      debugStr: str,
      debugStrOffsets: strOffsets,
      debugAddr: addr,
      debugRnglists: rnglists,
    }),
    'obj',
  );
  t.deepEqual(warnings, []);
  t.deepEqual(subprograms, [
    { name: 'h', ranges: [{ start: 0x3000n, end: 0x3030n }], line: 12 },
    {
      name: 'r',
      ranges: [
        { start: 0x4010n, end: 0x4020n },
        { start: 0x5000n, end: 0x5100n },
        { start: 0x5000n, end: 0x5010n },
        { start: 0x6000n, end: 0x6004n },
        { start: 0x7000n, end: 0x7008n },
        { start: 0x8000n, end: 0x8002n },
      ],
    },
  ]);
});

test('64-bit DWARF unit: 8-byte offsets for strp and sec_offset', (t) => {
  const abbrev = abbrevTable([
    {
      code: 1,
      tag: TAG.compile_unit,
      children: true,
      attributes: [[AT.stmt_list, FORM.sec_offset]],
    },
    {
      code: 2,
      tag: TAG.subprogram,
      children: false,
      attributes: [
        [AT.name, FORM.strp],
        [AT.low_pc, FORM.addr],
        [AT.high_pc, FORM.data4],
      ],
    },
  ]);
  const dies = [...uleb(1), ...le(0, 8), ...uleb(2), ...le(2, 8), ...le(0x900, 8), ...le(4, 4), 0];
  const { subprograms, warnings } = readSubprograms(
    sections(new Uint8Array(0), {
      debugInfo: compileUnit({ version: 4, dwarf64: true, dies }),
      debugAbbrev: Uint8Array.from(abbrev),
      debugStr: concat(cstr('x'), cstr('k')),
    }),
    'obj',
  );
  t.deepEqual(warnings, []);
  t.deepEqual(subprograms, [{ name: 'k', ranges: [{ start: 0x900n, end: 0x904n }] }]);
});

test('a unit with an unknown abbreviation code is skipped with E_MALFORMED; the next unit survives', (t) => {
  const u = dwarf4Unit();
  const bad = compileUnit({
    version: 4,
    dies: [...uleb(1), ...cstr('b.rs'), ...cstr('/w'), ...le(0, 4), ...le(0, 8), ...uleb(42)],
  });
  const { subprograms, warnings } = readSubprograms(
    sections(u.line, {
      debugInfo: concat(bad, u.info),
      debugAbbrev: u.abbrev,
      debugRanges: u.ranges,
      debugStr: u.str,
    }),
    'obj',
  );
  t.is(subprograms.length, 4);
  t.is(warnings.length, 1);
  t.is(warnings[0]!.code, 'E_MALFORMED');
  t.is(warnings[0]!.source, 'obj: .debug_info');
  t.is(warnings[0]!.byteOffset, bad.length - 1);
  t.regex(warnings[0]!.message, /abbreviation code 42/);
});

test('unit version 6: E_UNSUPPORTED_VERSION at the version field', (t) => {
  const u = dwarf4Unit();
  const info = u.info.slice();
  info[4] = 6;
  const { subprograms, warnings } = readSubprograms(
    sections(u.line, { debugInfo: info, debugAbbrev: u.abbrev }),
    'obj',
  );
  t.deepEqual(subprograms, []);
  t.is(warnings[0]!.code, 'E_UNSUPPORTED_VERSION');
  t.is(warnings[0]!.byteOffset, 4);
});

test('a unit truncated inside a DIE: E_TRUNCATED naming the offset', (t) => {
  const u = dwarf4Unit();
  // Claim the unit is 20 bytes long: the root DIE's low_pc runs past it.
  const info = concat(le(20, 4), u.info.subarray(4, 24));
  const { warnings } = readSubprograms(
    sections(u.line, { debugInfo: info, debugAbbrev: u.abbrev }),
    'obj',
  );
  t.is(warnings[0]!.code, 'E_TRUNCATED');
  t.regex(warnings[0]!.message, /needs \d+ bytes, \d+ left/);
});
