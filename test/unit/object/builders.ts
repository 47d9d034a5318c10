/**
 * Hand-built ELF, Mach-O and COFF/PE files for the object reader tests: the smallest byte layouts
 * that the format specifications allow, with every offset returned so tests can assert on them.
 */
import { bytesSource, type ByteSource } from '../../../src/binary/index.js';

/** Growable byte buffer with fixed byte order. */
export class ByteWriter {
  private buffer = new Uint8Array(256);
  private view = new DataView(this.buffer.buffer);
  length = 0;

  constructor(readonly littleEndian = true) {}

  private reserve(bytes: number): number {
    const at = this.length;
    while (this.length + bytes > this.buffer.length) {
      const bigger = new Uint8Array(this.buffer.length * 2);
      bigger.set(this.buffer);
      this.buffer = bigger;
      this.view = new DataView(bigger.buffer);
    }
    this.length += bytes;
    return at;
  }

  u8(value: number): this {
    const at = this.reserve(1);
    this.view.setUint8(at, value);
    return this;
  }
  u16(value: number): this {
    const at = this.reserve(2);
    this.view.setUint16(at, value, this.littleEndian);
    return this;
  }
  u32(value: number): this {
    const at = this.reserve(4);
    this.view.setUint32(at, value, this.littleEndian);
    return this;
  }
  u64(value: number | bigint): this {
    const at = this.reserve(8);
    this.view.setBigUint64(at, BigInt(value), this.littleEndian);
    return this;
  }
  /** Pointer-sized word. */
  word(is64: boolean, value: number): this {
    return is64 ? this.u64(value) : this.u32(value);
  }
  bytes(data: Uint8Array | readonly number[]): this {
    const at = this.reserve(data.length);
    this.buffer.set(data, at);
    return this;
  }
  /** `text` as ASCII, NUL-padded (or cut) to `size` bytes when given. */
  ascii(text: string, size = text.length): this {
    const out = new Uint8Array(size);
    for (let i = 0; i < Math.min(size, text.length); i++) out[i] = text.charCodeAt(i);
    return this.bytes(out);
  }
  zeros(count: number): this {
    this.reserve(count);
    return this;
  }
  align(alignment: number): this {
    const rem = this.length % alignment;
    return rem === 0 ? this : this.zeros(alignment - rem);
  }
  /** Overwrites a u32 at `at` (patching offsets known only later). */
  patch32(at: number, value: number): this {
    this.view.setUint32(at, value, this.littleEndian);
    return this;
  }
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

export const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** `n` bytes 1, 2, 3, … (recognisable section contents). */
export const counting = (n: number, start = 1): Uint8Array =>
  Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);

/** A {@link ByteSource} over `bytes` that records every read, to prove what a parser touched. */
export function countingSource(
  name: string,
  bytes: Uint8Array,
): ByteSource & { reads: Array<[number, number]>; bytesRead: () => number } {
  const inner = bytesSource(name, bytes);
  const reads: Array<[number, number]> = [];
  return {
    name,
    sizeBytes: inner.sizeBytes,
    reads,
    bytesRead: () => reads.reduce((sum, [, length]) => sum + length, 0),
    read(byteOffset: number, length: number): Uint8Array {
      reads.push([byteOffset, length]);
      return inner.read(byteOffset, length);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// ELF

export interface ElfSectionSpec {
  readonly name: string;
  /** sh_type, default SHT_PROGBITS (1). */
  readonly type?: number;
  readonly flags?: number;
  readonly data?: Uint8Array;
  /** sh_size for SHT_NOBITS sections. */
  readonly size?: number;
}

export interface ElfSpec {
  readonly is64: boolean;
  readonly littleEndian: boolean;
  /** e_type, default ET_EXEC (2). */
  readonly type?: number;
  readonly sections: readonly ElfSectionSpec[];
  /** Put the section count and string table index in section header 0 (SHN_XINDEX escape). */
  readonly extendedNumbering?: boolean;
}

export interface BuiltElf {
  readonly bytes: Uint8Array;
  /** File offset of each spec section's data, in spec order. */
  readonly dataOffsets: readonly number[];
  /** e_shoff; section header i (0 = null section, i = spec section i-1) is at shoff + i*shentsize. */
  readonly shoff: number;
  readonly shentsize: number;
  readonly ehsize: number;
}

/**
 * ELF file: header, section data (8-aligned), `.shstrtab`, then the section header table
 * (null section, the spec's sections, `.shstrtab` last).
 */
export function buildElf(spec: ElfSpec): BuiltElf {
  const { is64, littleEndian } = spec;
  const ehsize = is64 ? 64 : 52;
  const shentsize = is64 ? 64 : 40;
  const w = new ByteWriter(littleEndian);
  w.zeros(ehsize);
  const names = new ByteWriter(littleEndian).u8(0);
  const nameOffsets: number[] = [];
  for (const s of [...spec.sections.map((s) => s.name), '.shstrtab']) {
    nameOffsets.push(names.length);
    names.ascii(s).u8(0);
  }
  const dataOffsets: number[] = [];
  for (const s of spec.sections) {
    w.align(8);
    dataOffsets.push(w.length);
    if (s.data !== undefined && s.type !== 8) w.bytes(s.data);
  }
  const strtabOffset = w.length;
  const strtab = names.finish();
  w.bytes(strtab).align(8);
  const shoff = w.length;
  const count = spec.sections.length + 2;
  const strndx = count - 1;
  const header = (
    name: number,
    type: number,
    flags: number,
    offset: number,
    size: number,
    link = 0,
  ): void => {
    w.u32(name).u32(type).word(is64, flags).word(is64, 0).word(is64, offset).word(is64, size);
    w.u32(link).u32(0).word(is64, 1).word(is64, 0);
  };
  if (spec.extendedNumbering) header(0, 0, 0, 0, count, strndx);
  else header(0, 0, 0, 0, 0);
  spec.sections.forEach((s, i) => {
    const size = s.type === 8 ? (s.size ?? 0) : (s.data?.length ?? 0);
    header(nameOffsets[i]!, s.type ?? 1, s.flags ?? 0, dataOffsets[i]!, size);
  });
  header(nameOffsets[spec.sections.length]!, 3, 0, strtabOffset, strtab.length);
  const out = w.finish();
  const h = new ByteWriter(littleEndian);
  h.bytes([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, littleEndian ? 1 : 2, 1, 0]).zeros(8);
  h.u16(spec.type ?? 2)
    .u16(is64 ? 62 : 3)
    .u32(1);
  h.word(is64, 0).word(is64, 0).word(is64, shoff);
  h.u32(0).u16(ehsize).u16(0).u16(0).u16(shentsize);
  h.u16(spec.extendedNumbering ? 0 : count).u16(spec.extendedNumbering ? 0xffff : strndx);
  out.set(h.finish(), 0);
  return { bytes: out, dataOffsets, shoff, shentsize, ehsize };
}

/** SHF_COMPRESSED section data: an Elf32_Chdr/Elf64_Chdr then the compressed stream. */
export function compressedSection(
  is64: boolean,
  littleEndian: boolean,
  chType: number,
  uncompressedSize: number,
  stream: Uint8Array,
): Uint8Array {
  const w = new ByteWriter(littleEndian);
  if (is64) w.u32(chType).u32(0).u64(uncompressedSize).u64(1);
  else w.u32(chType).u32(uncompressedSize).u32(1);
  return w.bytes(stream).finish();
}

/** `.note.gnu.build-id` contents holding `id`. */
export function gnuBuildIdNote(littleEndian: boolean, id: Uint8Array): Uint8Array {
  const w = new ByteWriter(littleEndian).u32(4).u32(id.length).u32(3).ascii('GNU').u8(0);
  return w.bytes(id).align(4).finish();
}

// ---------------------------------------------------------------------------------------------
// Mach-O

export interface MachOSectionSpec {
  readonly segname: string;
  readonly sectname: string;
  readonly data: Uint8Array;
  /** Section flags; type S_ZEROFILL (1) stores no data. */
  readonly flags?: number;
}

export interface MachOSpec {
  readonly is64: boolean;
  readonly littleEndian: boolean;
  /** filetype, default MH_EXECUTE (2). */
  readonly filetype?: number;
  readonly cputype?: number;
  readonly cpusubtype?: number;
  /** All sections go in one segment command, named after the first section's segment. */
  readonly sections: readonly MachOSectionSpec[];
  readonly uuid?: Uint8Array;
}

export interface BuiltMachO {
  readonly bytes: Uint8Array;
  readonly dataOffsets: readonly number[];
  /** Offset of the first load command. */
  readonly commandsOffset: number;
}

/** Thin Mach-O: header, one segment command (all sections), optional LC_UUID, then data. */
export function buildMachO(spec: MachOSpec): BuiltMachO {
  const { is64, littleEndian } = spec;
  const headerSize = is64 ? 32 : 28;
  const segmentSize = (is64 ? 72 : 56) + spec.sections.length * (is64 ? 80 : 68);
  const uuidSize = spec.uuid === undefined ? 0 : 24;
  const sizeofcmds = segmentSize + uuidSize;
  let dataAt = headerSize + sizeofcmds;
  const dataOffsets = spec.sections.map((s) => {
    dataAt = Math.ceil(dataAt / 8) * 8;
    const at = dataAt;
    if (((s.flags ?? 0) & 0xff) !== 1) dataAt += s.data.length;
    return at;
  });
  const w = new ByteWriter(littleEndian);
  w.u32(is64 ? 0xfeedfacf : 0xfeedface)
    .u32(spec.cputype ?? (is64 ? 0x01000007 : 7))
    .u32(spec.cpusubtype ?? 3)
    .u32(spec.filetype ?? 2)
    .u32(spec.uuid === undefined ? 1 : 2)
    .u32(sizeofcmds)
    .u32(0);
  if (is64) w.u32(0);
  w.u32(is64 ? 0x19 : 0x1)
    .u32(segmentSize)
    .ascii(spec.sections[0]?.segname ?? '', 16);
  w.word(is64, 0).word(is64, 0).word(is64, 0).word(is64, dataAt);
  w.u32(7).u32(7).u32(spec.sections.length).u32(0);
  spec.sections.forEach((s, i) => {
    w.ascii(s.sectname, 16).ascii(s.segname, 16).word(is64, 0).word(is64, s.data.length);
    w.u32(dataOffsets[i]!)
      .u32(3)
      .u32(0)
      .u32(0)
      .u32(s.flags ?? 0)
      .u32(0)
      .u32(0);
    if (is64) w.u32(0);
  });
  if (spec.uuid !== undefined) w.u32(0x1b).u32(24).bytes(spec.uuid);
  spec.sections.forEach((s, i) => {
    if (((s.flags ?? 0) & 0xff) === 1) return;
    w.zeros(dataOffsets[i]! - w.length).bytes(s.data);
  });
  return { bytes: w.finish(), dataOffsets, commandsOffset: headerSize };
}

/** Universal file (FAT_MAGIC, 32-bit entries) holding `slices`, each 16-aligned. */
export function buildUniversal(
  slices: ReadonlyArray<{ cputype: number; cpusubtype: number; bytes: Uint8Array }>,
): { bytes: Uint8Array; offsets: number[] } {
  const w = new ByteWriter(false).u32(0xcafebabe).u32(slices.length);
  let at = 8 + slices.length * 20;
  const offsets = slices.map((s) => {
    at = Math.ceil(at / 16) * 16;
    const offset = at;
    at += s.bytes.length;
    return offset;
  });
  slices.forEach((s, i) =>
    w.u32(s.cputype).u32(s.cpusubtype).u32(offsets[i]!).u32(s.bytes.length).u32(4),
  );
  slices.forEach((s, i) => w.zeros(offsets[i]! - w.length).bytes(s.bytes));
  return { bytes: w.finish(), offsets };
}

// ---------------------------------------------------------------------------------------------
// COFF / PE

export interface CoffSectionSpec {
  readonly name: string;
  readonly data: Uint8Array;
  readonly characteristics?: number;
}

export interface CoffSpec {
  /** Machine, default IMAGE_FILE_MACHINE_AMD64. */
  readonly machine?: number;
  readonly sections: readonly CoffSectionSpec[];
  /** Linked PE32+ image instead of an object: MZ stub, PE signature, optional header. */
  readonly pe?: boolean;
  /** Write names longer than 8 bytes as `//BASE64` instead of `/decimal`. */
  readonly base64Names?: boolean;
}

export interface BuiltCoff {
  readonly bytes: Uint8Array;
  readonly dataOffsets: readonly number[];
  /** Offset of the first section header. */
  readonly sectionTable: number;
}

const FILE_ALIGNMENT = 512;

/**
 * COFF object or PE image; long names go into the string table after an empty symbol table. PE
 * section data is padded to 512 bytes (SizeOfRawData) with VirtualSize = the real size.
 */
export function buildCoff(spec: CoffSpec): BuiltCoff {
  const pe = spec.pe ?? false;
  const peOffset = 0x40;
  const fileHeaderAt = pe ? peOffset + 4 : 0;
  const optionalSize = pe ? 240 : 0;
  const sectionTable = fileHeaderAt + 20 + optionalSize;
  let at = sectionTable + spec.sections.length * 40;
  const dataOffsets = spec.sections.map((s) => {
    at = pe ? Math.ceil(at / FILE_ALIGNMENT) * FILE_ALIGNMENT : at;
    const offset = at;
    at += pe ? Math.ceil(s.data.length / FILE_ALIGNMENT) * FILE_ALIGNMENT : s.data.length;
    return offset;
  });
  const symbolTable = at;
  const strings = new ByteWriter(true).u32(0);
  const w = new ByteWriter(true);
  if (pe) {
    w.ascii('MZ').zeros(0x3a).u32(peOffset).ascii('PE').u16(0);
  }
  w.u16(spec.machine ?? 0x8664)
    .u16(spec.sections.length)
    .u32(0)
    .u32(symbolTable)
    .u32(0)
    .u16(optionalSize)
    .u16(0);
  if (pe) w.u16(0x20b).zeros(optionalSize - 2);
  spec.sections.forEach((s, i) => {
    if (s.name.length > 8) {
      const offset = strings.length;
      strings.ascii(s.name).u8(0);
      w.ascii(spec.base64Names ? `//${base64Offset(offset)}` : `/${offset}`, 8);
    } else {
      w.ascii(s.name, 8);
    }
    const raw = pe ? Math.ceil(s.data.length / FILE_ALIGNMENT) * FILE_ALIGNMENT : s.data.length;
    w.u32(pe ? s.data.length : 0)
      .u32(0)
      .u32(raw)
      .u32(s.data.length === 0 ? 0 : dataOffsets[i]!);
    w.u32(0)
      .u32(0)
      .u16(0)
      .u16(0)
      .u32(s.characteristics ?? 0x40000040);
  });
  spec.sections.forEach((s, i) => {
    w.zeros(dataOffsets[i]! - w.length).bytes(s.data);
  });
  w.zeros(symbolTable - w.length);
  const stringTable = strings.patch32(0, strings.length).finish();
  w.bytes(stringTable);
  return { bytes: w.finish(), dataOffsets, sectionTable };
}

function base64Offset(value: number): string {
  const digits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let out = '';
  for (let i = 0; i < 6; i++) {
    out = digits[value % 64]! + out;
    value = Math.floor(value / 64);
  }
  return out;
}
