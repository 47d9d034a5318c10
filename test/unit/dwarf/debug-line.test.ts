import test from 'ava';
import { readDebugLine, type LineRow } from '../../../src/dwarf/index.js';
import {
  abbrevTable,
  compileUnit,
  concat,
  cstr,
  entryTable,
  le,
  lineTable,
  op,
  sections,
  uleb,
} from './builders.js';

const DW_LNCT_path = 1;
const DW_LNCT_directory_index = 2;
const DW_LNCT_timestamp = 3;
const DW_LNCT_size = 4;
const DW_LNCT_MD5 = 5;

const row = (
  address: number | bigint,
  file: string,
  line: number,
  column: number,
  isStmt = true,
  endSequence = false,
): LineRow => ({ address: BigInt(address), file, line, column, isStmt, endSequence });

/**
 * Every standard opcode once, two sequences. Special opcode 62 = 13 + (2 - -5) + 14 * 3: address
 * +3, line +2; DW_LNS_const_add_pc adds (255 - 13) / 14 = 17; special 18 only emits a row.
 */
const programWith = (fileB: number, fileC: number): number[] => [
  ...op.setAddress(0x1000n),
  ...op.advanceLine(9),
  ...op.copy(),
  ...op.setColumn(5),
  62,
  ...op.constAddPc(),
  ...op.negateStmt(),
  18,
  ...op.fixedAdvancePc(0x100),
  ...op.negateStmt(),
  ...op.setFile(fileB),
  ...op.advanceLine(-2),
  ...op.copy(),
  ...op.advancePc(4),
  ...op.endSequence(),
  ...op.setAddress(0x2000n),
  ...op.setFile(fileC),
  ...op.copy(),
  ...op.advancePc(2),
  ...op.endSequence(),
];
const program = programWith(2, 3);

const expectedRows = (a: string, b: string, c: string): LineRow[] => [
  row(0x1000, a, 10, 0),
  row(0x1003, a, 12, 5),
  row(0x1014, a, 12, 5, false),
  row(0x1114, b, 10, 5),
  row(0x1118, b, 10, 5, true, true),
  row(0x2000, c, 1, 0),
  row(0x2002, c, 1, 0, true, true),
];

const v2to4 = (version: number, dwarf64 = false): Uint8Array =>
  lineTable({
    version,
    dwarf64,
    includeDirs: ['/inc', 'rel'],
    files: [
      ['a.rs', 0],
      ['b.rs', 1],
      ['c.rs', 2],
    ],
    program,
  });

const runsEveryStandardOpcode = test.macro({
  exec(t, version: number, dwarf64: boolean) {
    const { rows, warnings } = readDebugLine(sections(v2to4(version, dwarf64)), 'obj');
    t.deepEqual(warnings, []);
    // No .debug_info: no comp dir, so relative names stay relative.
    t.deepEqual(rows, expectedRows('a.rs', '/inc/b.rs', 'rel/c.rs'));
  },
  title: (_, version: number, dwarf64: boolean) =>
    `DWARF ${version} (${dwarf64 ? '64' : '32'}-bit) line program: every standard opcode`,
});
test(runsEveryStandardOpcode, 2, false);
test(runsEveryStandardOpcode, 3, false);
test(runsEveryStandardOpcode, 4, false);
test(runsEveryStandardOpcode, 4, true);

/** A CU with DW_AT_name, DW_AT_comp_dir (DW_FORM_string) and DW_AT_stmt_list (sec_offset). */
function cuWithCompDir(
  version: number,
  compDir: string,
  stmtList: number,
): Partial<Parameters<typeof sections>[1]> {
  const stmtForm = version >= 4 ? 0x17 : 0x06;
  const abbrev = abbrevTable([
    {
      code: 1,
      tag: 0x11,
      children: false,
      attributes: [
        [0x03, 0x08],
        [0x1b, 0x08],
        [0x10, stmtForm],
      ],
    },
  ]);
  const dies = [...uleb(1), ...cstr('a.rs'), ...cstr(compDir), ...le(stmtList, 4)];
  return {
    debugInfo: compileUnit({ version, dies }),
    debugAbbrev: Uint8Array.from(abbrev),
  };
}

test('DWARF 2–4 relative paths are joined with the DW_AT_comp_dir of the CU whose stmt_list names the table', (t) => {
  for (const version of [2, 3, 4]) {
    const table = v2to4(version);
    // Two tables: the CU points at the second one only.
    const line = concat(table, table);
    const { rows, warnings } = readDebugLine(
      sections(line, cuWithCompDir(version, '/work', table.length)),
      'obj',
    );
    t.deepEqual(warnings, []);
    t.deepEqual(rows, [
      ...expectedRows('a.rs', '/inc/b.rs', 'rel/c.rs'),
      ...expectedRows('/work/a.rs', '/inc/b.rs', '/work/rel/c.rs'),
    ]);
  }
});

const lineStr = concat(
  cstr('/comp'),
  cstr('sub'),
  cstr('main.rs'),
  cstr('x.rs'),
  cstr('/abs/y.rs'),
);
const at = (text: string): number => {
  const bytes = Array.from(lineStr);
  const needle = cstr(text);
  for (let i = 0; i < bytes.length; i++) {
    if (needle.every((b, j) => bytes[i + j] === b)) return i;
  }
  throw new Error(text);
};

const v5Tables = (dwarf64: boolean): number[] => {
  const off = (text: string): number[] => le(at(text), dwarf64 ? 8 : 4);
  return [
    ...entryTable([[DW_LNCT_path, 0x1f]], [off('/comp'), off('sub')]),
    ...entryTable(
      [
        [DW_LNCT_path, 0x1f],
        [DW_LNCT_directory_index, 0x0f],
        [DW_LNCT_MD5, 0x1e],
      ],
      [
        [...off('main.rs'), 0, ...new Array<number>(16).fill(0xaa)],
        [...off('x.rs'), 1, ...new Array<number>(16).fill(0xbb)],
        [...off('/abs/y.rs'), 0, ...new Array<number>(16).fill(0xcc)],
      ],
    ),
  ];
};

const v5 = (dwarf64: boolean): Uint8Array =>
  lineTable({
    version: 5,
    dwarf64,
    v5Tables: v5Tables(dwarf64),
    program: [...op.setFile(0), ...programWith(1, 3)],
  });

test('DWARF 5 directory/file entry formats with DW_FORM_line_strp, udata and data16 (MD5), 32- and 64-bit', (t) => {
  for (const dwarf64 of [false, true]) {
    const { rows, warnings } = readDebugLine(
      sections(v5(dwarf64), { debugLineStr: lineStr }),
      'obj',
    );
    t.deepEqual(warnings, []);
    // DWARF 5 numbers files from 0. x.rs is in dir 1 ("sub", relative: under directory 0); file 3 does not exist.
    t.deepEqual(rows, expectedRows('/comp/main.rs', '/comp/sub/x.rs', '<file 3>'));
  }
});

test('DWARF 5 string forms: DW_FORM_string, strp, strx1 through .debug_str_offsets; data1/data2 indices; vendor block content skipped', (t) => {
  const str = concat(cstr('lib.rs'), cstr('/src'));
  // .debug_str_offsets v5 contribution: header (unit_length, version, padding) then offsets.
  const strOffsets = concat(le(12, 4), le(5, 2), le(0, 2), le(0, 4), le(7, 4));
  const first = lineTable({
    version: 5,
    v5Tables: [
      ...entryTable([[DW_LNCT_path, 0x0e]], [le(7, 4)]), // "/src" via strp
      ...entryTable(
        [
          [DW_LNCT_path, 0x08],
          [DW_LNCT_directory_index, 0x0b],
          [DW_LNCT_timestamp, 0x06],
          [DW_LNCT_size, 0x0f],
          [0x2001, 0x09],
        ],
        [[...cstr('main.rs'), 0, ...le(123, 4), ...uleb(4000), ...uleb(3), 1, 2, 3]],
      ),
    ],
    program: [...op.setFile(0), ...op.setAddress(0x10n), ...op.copy(), ...op.endSequence()],
  });
  const second = lineTable({
    version: 5,
    v5Tables: [
      ...entryTable([[DW_LNCT_path, 0x0e]], [le(7, 4)]),
      ...entryTable(
        [
          [DW_LNCT_path, 0x25],
          [DW_LNCT_directory_index, 0x05],
        ],
        [[0, ...le(0, 2)]],
      ),
    ],
    program: [...op.setFile(0), ...op.setAddress(0x20n), ...op.copy(), ...op.endSequence()],
  });
  const { rows, warnings } = readDebugLine(
    sections(concat(first, second), { debugStr: str, debugStrOffsets: strOffsets }),
    'obj',
  );
  t.deepEqual(warnings, []);
  t.deepEqual(
    rows.map((r) => [r.address, r.file]),
    [
      [0x10n, '/src/main.rs'],
      [0x10n, '/src/main.rs'],
      [0x20n, '/src/lib.rs'],
      [0x20n, '/src/lib.rs'],
    ],
  );
});

test('extended opcodes: DW_LNE_define_file adds a file, set_discriminator and unknown ops are skipped by length', (t) => {
  const table = lineTable({
    version: 4,
    files: [['a.rs', 0]],
    program: [
      ...op.setAddress(0x40n),
      ...op.extended(0x03, [...cstr('/x/new.rs'), 0, 0, 0]),
      ...op.extended(0x04, uleb(300)),
      ...op.extended(0x80, [1, 2, 3, 4, 5]),
      ...op.setFile(2),
      ...op.copy(),
      ...op.extended(0x01, []),
    ],
  });
  const { rows, warnings } = readDebugLine(sections(table), 'obj');
  t.deepEqual(warnings, []);
  t.deepEqual(rows, [row(0x40, '/x/new.rs', 1, 0), row(0x40, '/x/new.rs', 1, 0, true, true)]);
});

test('unknown standard opcodes are skipped using standard_opcode_lengths; opcodes at or above opcode_base are special', (t) => {
  // opcode_base 14: opcode 13 is an unknown standard opcode with 2 ULEB operands.
  const wide = lineTable({
    version: 4,
    files: [['a.rs', 0]],
    opcodeBase: 14,
    standardOpcodeLengths: [0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1, 2],
    program: [...op.setAddress(0x10n), 13, 0x80, 0x01, 0x05, ...op.copy(), ...op.endSequence()],
  });
  // opcode_base 10 (DWARF 2 style): opcode 10 is special: adjusted 0 → address +0, line −5.
  const narrow = lineTable({
    version: 2,
    files: [['a.rs', 0]],
    opcodeBase: 10,
    program: [...op.setAddress(0x20n), ...op.advanceLine(9), 10, ...op.endSequence()],
  });
  const { rows, warnings } = readDebugLine(sections(concat(wide, narrow)), 'obj');
  t.deepEqual(warnings, []);
  t.deepEqual(rows, [
    row(0x10, 'a.rs', 1, 0),
    row(0x10, 'a.rs', 1, 0, true, true),
    row(0x20, 'a.rs', 5, 0),
    row(0x20, 'a.rs', 5, 0, true, true),
  ]);
});

test('VLIW: maximum_operations_per_instruction > 1 advances op_index and the address by min_inst_length', (t) => {
  // max_ops 3, min_inst 4. advance 4 → +4 bytes, op 1; advance 2 → +4, op 0;
  // special 88 = 13 + 5 + 14 * 5: advance 5 → +4, op 2, line +0.
  const table = lineTable({
    version: 4,
    files: [['a.rs', 0]],
    maxOpsPerInst: 3,
    minInstLength: 4,
    program: [
      ...op.setAddress(0x100n),
      ...op.advancePc(4),
      ...op.copy(),
      ...op.advancePc(2),
      ...op.copy(),
      88,
      ...op.endSequence(),
    ],
  });
  const { rows } = readDebugLine(sections(table), 'obj');
  t.deepEqual(
    rows.map((r) => r.address),
    [0x104n, 0x108n, 0x10cn, 0x10cn],
  );
});

test('sequences at the tombstone address (all ones) give no rows; address 0 sequences stay', (t) => {
  const table = lineTable({
    version: 4,
    files: [['a.rs', 0]],
    program: [
      ...op.setAddress(0xffffffffffffffffn),
      ...op.copy(),
      ...op.advancePc(8),
      ...op.endSequence(),
      ...op.setAddress(0n),
      ...op.copy(),
      ...op.endSequence(),
    ],
  });
  const { rows } = readDebugLine(sections(table), 'obj');
  t.deepEqual(rows, [row(0, 'a.rs', 1, 0), row(0, 'a.rs', 1, 0, true, true)]);
});

test('4-byte addresses: DW_LNE_set_address with a 4-byte operand', (t) => {
  const table = lineTable({
    version: 4,
    files: [['a.rs', 0]],
    program: [...op.setAddress(0x8000n, 4), ...op.copy(), ...op.endSequence()],
  });
  const { rows } = readDebugLine(sections(table, { addressBytes: 4 }), 'obj');
  t.deepEqual(
    rows.map((r) => r.address),
    [0x8000n, 0x8000n],
  );
});

// ---- malformed input: a bad table is skipped with a warning, the others survive ----

const good = lineTable({
  version: 4,
  files: [['ok.rs', 0]],
  program: [...op.setAddress(0x500n), ...op.copy(), ...op.endSequence()],
});
const goodRows = [row(0x500, 'ok.rs', 1, 0), row(0x500, 'ok.rs', 1, 0, true, true)];

test('unknown version: E_UNSUPPORTED_VERSION at the version field, next table read', (t) => {
  const bad = v2to4(4);
  bad[4] = 6;
  const { rows, warnings } = readDebugLine(sections(concat(bad, good)), 'obj');
  t.deepEqual(rows, goodRows);
  t.is(warnings.length, 1);
  t.is(warnings[0]!.code, 'E_UNSUPPORTED_VERSION');
  t.is(warnings[0]!.source, 'obj: .debug_line');
  t.is(warnings[0]!.byteOffset, 4);
  t.regex(warnings[0]!.message, /line table version 6 \(reads DWARF 2–5\)/);
});

test('unit_length past the end of the section: E_TRUNCATED at offset 0, nothing read', (t) => {
  const bad = good.slice(0, good.length - 3);
  const { rows, warnings } = readDebugLine(sections(concat(good, bad)), 'obj');
  t.deepEqual(rows, goodRows);
  t.is(warnings[0]!.code, 'E_TRUNCATED');
  t.is(warnings[0]!.byteOffset, good.length);
  t.regex(warnings[0]!.message, /unit_length says \d+ bytes, \d+ left/);
});

test('reserved unit_length 0xfffffff0: E_MALFORMED and the walk stops', (t) => {
  const { rows, warnings } = readDebugLine(sections(concat(good, le(0xfffffff0, 4), good)), 'obj');
  t.deepEqual(rows, goodRows);
  t.is(warnings[0]!.code, 'E_MALFORMED');
  t.is(warnings[0]!.byteOffset, good.length);
});

test('a program that ends inside an operand: E_TRUNCATED, its rows dropped, next table read', (t) => {
  const bad = lineTable({
    version: 4,
    files: [['a.rs', 0]],
    program: [...op.setAddress(0x10n), ...op.copy(), 0x03, 0x80],
  });
  const { rows, warnings } = readDebugLine(sections(concat(bad, good)), 'obj');
  t.deepEqual(rows, goodRows);
  t.is(warnings[0]!.code, 'E_TRUNCATED');
  t.is(warnings[0]!.byteOffset, bad.length - 1);
  t.regex(warnings[0]!.message, /DW_LNS_advance_line operand: LEB128 runs past the end/);
});

test('extended opcode whose operands overrun its length: E_MALFORMED naming the opcode', (t) => {
  const bad = lineTable({
    version: 4,
    files: [['a.rs', 0]],
    // DW_LNE_set_discriminator with length 2 but a 2-byte ULEB operand (needs length 3).
    program: [...op.setAddress(0x10n), 0, 2, 0x04, 0x80, 0x01, ...op.endSequence()],
  });
  const { rows, warnings } = readDebugLine(sections(concat(bad, good)), 'obj');
  t.deepEqual(rows, goodRows);
  t.is(warnings[0]!.code, 'E_MALFORMED');
  t.regex(warnings[0]!.message, /extended opcode 0x4: operands take 4 bytes, its length says 2/);
});

test('line_range 0: E_MALFORMED at the line_range field', (t) => {
  const bad = lineTable({ version: 3, lineRange: 0, program: [] });
  const { warnings } = readDebugLine(sections(bad), 'obj');
  t.is(warnings[0]!.code, 'E_MALFORMED');
  // unit_length 4 + version 2 + header_length 4 + min_inst 1 + default_is_stmt 1 + line_base 1.
  t.is(warnings[0]!.byteOffset, 13);
});

test('DW_LNCT_path with a non-string form: E_MALFORMED', (t) => {
  const bad = lineTable({
    version: 5,
    v5Tables: [...entryTable([[DW_LNCT_path, 0x0b]], [[1]]), ...entryTable([], [])],
    program: [],
  });
  const { warnings } = readDebugLine(sections(bad), 'obj');
  t.is(warnings[0]!.code, 'E_MALFORMED');
  t.regex(warnings[0]!.message, /DW_LNCT_path has non-string form 0xb/);
});

test('header_length shorter than the fixed header fields: E_MALFORMED at header_length', (t) => {
  const bad = lineTable({ version: 4, files: [['a.rs', 0]], program: [] });
  // header_length (after unit_length 4 + version 2) set to 3: ends inside standard_opcode_lengths.
  new DataView(bad.buffer).setUint32(6, 3, true);
  const { warnings } = readDebugLine(sections(concat(bad, good)), 'obj');
  t.is(warnings.length, 1);
  t.is(warnings[0]!.code, 'E_MALFORMED');
  t.is(warnings[0]!.byteOffset, 6);
  t.regex(warnings[0]!.message, /header_length 3 ends inside the fixed header fields/);
});
