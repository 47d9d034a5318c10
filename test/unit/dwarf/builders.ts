/**
 * Hand-built DWARF sections for the DWARF reader tests: line tables (v2–v5, 32/64-bit), compile
 * units with abbreviation tables, range lists. Byte layouts follow DWARF 5 §6.2.4, §7.5.
 */
import { ByteWriter } from '../object/builders.js';
import type { DwarfSections } from '../../../src/dwarf/index.js';

export { ByteWriter };

/** Unsigned LEB128 bytes. */
export function uleb(value: number | bigint): number[] {
  let v = BigInt(value);
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return out;
}

/** Signed LEB128 bytes. */
export function sleb(value: number): number[] {
  let v = BigInt(value);
  const out: number[] = [];
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    const done = (v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** NUL-terminated ASCII. */
export function cstr(text: string): number[] {
  return [...Array.from(text, (c) => c.charCodeAt(0)), 0];
}

/** Line-program opcodes, as bytes. */
export const op = {
  extended: (sub: number, operands: number[]): number[] => [
    0,
    ...uleb(operands.length + 1),
    sub,
    ...operands,
  ],
  setAddress: (address: bigint, bytes: 4 | 8 = 8, littleEndian = true): number[] => {
    const w = new ByteWriter(littleEndian);
    if (bytes === 8) w.u64(address);
    else w.u32(Number(address));
    return op.extended(0x02, [...w.finish()]);
  },
  endSequence: (): number[] => op.extended(0x01, []),
  copy: (): number[] => [0x01],
  advancePc: (n: number): number[] => [0x02, ...uleb(n)],
  advanceLine: (n: number): number[] => [0x03, ...sleb(n)],
  setFile: (n: number): number[] => [0x04, ...uleb(n)],
  setColumn: (n: number): number[] => [0x05, ...uleb(n)],
  negateStmt: (): number[] => [0x06],
  constAddPc: (): number[] => [0x08],
  fixedAdvancePc: (n: number): number[] => [0x09, n & 0xff, n >> 8],
};

/** Options of a hand-built line table. */
export interface LineTableSpec {
  readonly version: number;
  readonly dwarf64?: boolean;
  readonly addressBytes?: 4 | 8;
  readonly minInstLength?: number;
  readonly maxOpsPerInst?: number;
  readonly defaultIsStmt?: boolean;
  readonly lineBase?: number;
  readonly lineRange?: number;
  readonly opcodeBase?: number;
  readonly standardOpcodeLengths?: readonly number[];
  /** DWARF 2–4. */
  readonly includeDirs?: readonly string[];
  /** DWARF 2–4: name and directory index. */
  readonly files?: ReadonlyArray<readonly [string, number]>;
  /** DWARF 5: the raw directory and file tables (format counts, formats, counts, entries). */
  readonly v5Tables?: readonly number[];
  readonly program: readonly number[];
}

const STANDARD_LENGTHS = [0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1];

/** One line table (unit_length through the program). */
export function lineTable(spec: LineTableSpec): Uint8Array {
  const dwarf64 = spec.dwarf64 ?? false;
  const opcodeBase = spec.opcodeBase ?? 13;
  const lengths = spec.standardOpcodeLengths ?? STANDARD_LENGTHS.slice(0, opcodeBase - 1);
  const afterHeaderLength = new ByteWriter();
  afterHeaderLength.u8(spec.minInstLength ?? 1);
  if (spec.version >= 4) afterHeaderLength.u8(spec.maxOpsPerInst ?? 1);
  afterHeaderLength.u8((spec.defaultIsStmt ?? true) ? 1 : 0);
  afterHeaderLength.u8((spec.lineBase ?? -5) & 0xff);
  afterHeaderLength.u8(spec.lineRange ?? 14);
  afterHeaderLength.u8(opcodeBase);
  afterHeaderLength.bytes(lengths);
  if (spec.version >= 5) {
    afterHeaderLength.bytes(spec.v5Tables ?? [0, 0, 0, 0]);
  } else {
    for (const dir of spec.includeDirs ?? []) afterHeaderLength.bytes(cstr(dir));
    afterHeaderLength.u8(0);
    for (const [name, dir] of spec.files ?? []) {
      afterHeaderLength.bytes([...cstr(name), ...uleb(dir), 0, 0]);
    }
    afterHeaderLength.u8(0);
  }
  const header = afterHeaderLength.finish();
  const body = new ByteWriter();
  body.u16(spec.version);
  if (spec.version >= 5) body.u8(spec.addressBytes ?? 8).u8(0);
  if (dwarf64) body.u64(header.length);
  else body.u32(header.length);
  body.bytes(header).bytes(spec.program);
  const bodyBytes = body.finish();
  const out = new ByteWriter();
  if (dwarf64) out.u32(0xffffffff).u64(bodyBytes.length);
  else out.u32(bodyBytes.length);
  return out.bytes(bodyBytes).finish();
}

/** A DWARF 5 entry table: formats (content type, form) then entries of raw value bytes. */
export function entryTable(
  formats: ReadonlyArray<readonly [number, number]>,
  entries: readonly (readonly number[])[],
): number[] {
  return [
    formats.length,
    ...formats.flatMap(([type, form]) => [...uleb(type), ...uleb(form)]),
    ...uleb(entries.length),
    ...entries.flat(),
  ];
}

/** Concatenates byte arrays. */
export function concat(...parts: ReadonlyArray<Uint8Array | readonly number[]>): Uint8Array {
  const w = new ByteWriter();
  for (const p of parts) w.bytes(p);
  return w.finish();
}

/** An abbreviation: code, tag, children flag, (attribute, form[, implicit const]) list. */
export interface AbbrevSpec {
  readonly code: number;
  readonly tag: number;
  readonly children: boolean;
  readonly attributes: ReadonlyArray<readonly [number, number] | readonly [number, number, number]>;
}

/** A `.debug_abbrev` table. */
export function abbrevTable(abbrevs: readonly AbbrevSpec[]): number[] {
  const out: number[] = [];
  for (const a of abbrevs) {
    out.push(...uleb(a.code), ...uleb(a.tag), a.children ? 1 : 0);
    for (const [attribute, form, value] of a.attributes) {
      out.push(...uleb(attribute), ...uleb(form));
      if (form === 0x21) out.push(...sleb(value ?? 0));
    }
    out.push(0, 0);
  }
  out.push(0);
  return out;
}

/** A `.debug_info` compile unit around `dies` (bytes after the header). */
export function compileUnit(options: {
  version: number;
  dwarf64?: boolean;
  addressBytes?: 4 | 8;
  abbrevOffset?: number;
  dies: readonly number[];
}): Uint8Array {
  const { version } = options;
  const dwarf64 = options.dwarf64 ?? false;
  const body = new ByteWriter();
  body.u16(version);
  const abbrevOffset = options.abbrevOffset ?? 0;
  const offset = (w: ByteWriter): ByteWriter =>
    dwarf64 ? w.u64(abbrevOffset) : w.u32(abbrevOffset);
  if (version >= 5) {
    body.u8(0x01).u8(options.addressBytes ?? 8);
    offset(body);
  } else {
    offset(body);
    body.u8(options.addressBytes ?? 8);
  }
  body.bytes(options.dies);
  const bodyBytes = body.finish();
  const out = new ByteWriter();
  if (dwarf64) out.u32(0xffffffff).u64(bodyBytes.length);
  else out.u32(bodyBytes.length);
  return out.bytes(bodyBytes).finish();
}

/** Little-endian bytes of `value` in `size` bytes. */
export function le(value: number | bigint, size: number): number[] {
  const out: number[] = [];
  let v = BigInt(value);
  for (let i = 0; i < size; i++) {
    out.push(Number(v & 0xffn));
    v >>= 8n;
  }
  return out;
}

/** Sections with only `.debug_line` (and whatever is given). */
export function sections(debugLine: Uint8Array, more: Partial<DwarfSections> = {}): DwarfSections {
  return { debugLine, littleEndian: true, addressBytes: 8, ...more };
}
