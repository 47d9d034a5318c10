/**
 * ELF image facts for a loader-aware tool (ELFCLASS32/64, ELFDATA2LSB/MSB): entry point, type,
 * executable PT_LOAD segments and the GNU build-id.
 */
import { CovError, formatOffset, type ByteReader, type ByteSource } from '../binary/index.js';
import { NT_GNU_BUILD_ID, PN_XNUM, readElfObject, readGnuBuildId } from './elf.js';
import { readerAt } from './read-range.js';
import { detectObjectKind } from './detect-format.js';

/** `p_type` of a loadable segment. */
export const PT_LOAD = 1;
/** `p_type` of a segment of notes. */
export const PT_NOTE = 4;
/** `p_flags` bit: the segment is executable. */
export const PF_X = 1;
/** `e_type` of an executable (fixed addresses). */
export const ET_EXEC = 2;
/** `e_type` of a shared object, which includes position-independent executables. */
export const ET_DYN = 3;

/** A half-open range of link-time virtual addresses `[start, end)`. */
export interface ElfSegmentRange {
  start: bigint;
  end: bigint;
}

/** What a breakpoint tracer needs to know about an ELF image. */
export interface ElfImageInfo {
  /** `e_entry`, link-time virtual address. Load bias = run-time `AT_ENTRY` − `entry`. */
  entry: bigint;
  /** `e_type`: ET_EXEC → `exec`, ET_DYN (PIE, shared objects) → `dyn`, anything else → `other`. */
  type: 'exec' | 'dyn' | 'other';
  littleEndian: boolean;
  addressBytes: 4 | 8;
  /** PT_LOAD segments with PF_X: `[p_vaddr, p_vaddr + p_memsz)`, in program-header order. */
  executableSegments: ElfSegmentRange[];
  /** GNU build-id descriptor (usually 20 bytes), when there is a `.note.gnu.build-id` section. */
  buildId?: Uint8Array;
}

/**
 * Reads the ELF header, program headers and build-id note of `source`.
 * @throws CovError `E_BAD_MAGIC` when `source` is not ELF (byteOffset 0), `E_MALFORMED` for a bad
 *   class/byte order or a wrong `e_phentsize`, `E_TRUNCATED` when the headers run past the end of
 *   the file.
 */
export function readElfImageInfo(source: ByteSource): ElfImageInfo {
  if (detectObjectKind(source) !== 'elf') {
    throw new CovError('E_BAD_MAGIC', 'not an ELF file (expected 7f 45 4c 46)', {
      source: source.name,
      byteOffset: 0,
    });
  }
  const parsed = readElfObject(source);
  const { littleEndian, pointerBytes } = parsed.table;
  const is64 = pointerBytes === 8;
  const header = readerAt(source, 0, is64 ? 64 : 52, littleEndian, 'ELF header');
  header.seek(16, 'e_type');
  const eType = header.u16('e_type');
  header.skip(2 + 4, 'e_machine, e_version');
  const entry = header.uptr(pointerBytes, 'e_entry');
  const phoff = is64 ? header.u64Number('e_phoff') : header.u32('e_phoff');
  const shoff = is64 ? header.u64Number('e_shoff') : header.u32('e_shoff');
  header.skip(4 + 2, 'e_flags, e_ehsize');
  const phentsizeOffset = header.offset;
  const phentsize = header.u16('e_phentsize');
  let phnum = header.u16('e_phnum');
  if (phnum === PN_XNUM && shoff !== 0) {
    const sh0 = readerAt(source, shoff, is64 ? 64 : 40, littleEndian, 'section header 0');
    sh0.seek(is64 ? 44 : 28, 'sh_info');
    phnum = sh0.u32('sh_info');
  }
  const executableSegments: ElfSegmentRange[] = [];
  const noteSegments: ProgramHeader[] = [];
  if (phoff !== 0 && phnum > 0) {
    const expected = is64 ? 56 : 32;
    if (phentsize !== expected) {
      throw header.error(
        'E_MALFORMED',
        `e_phentsize is ${phentsize}, expected ${expected} for ELF${is64 ? 64 : 32}`,
        phentsizeOffset,
      );
    }
    const table = readerAt(
      source,
      phoff,
      phnum * phentsize,
      littleEndian,
      `program header table at ${formatOffset(phoff)} (${phnum} headers of ${phentsize} bytes)`,
    );
    for (let i = 0; i < phnum; i++) {
      const segment = readProgramHeader(table, is64);
      if (segment.type === PT_NOTE && segment.filesz > 0) noteSegments.push(segment);
      if (segment.type === PT_LOAD && (segment.flags & PF_X) !== 0 && segment.memsz > 0n) {
        executableSegments.push({ start: segment.vaddr, end: segment.vaddr + segment.memsz });
      }
    }
  }
  // Stripped section headers leave the PT_NOTE segments to find the build-id in.
  const buildId =
    readGnuBuildId(source, parsed) ?? readBuildIdFromNotes(source, littleEndian, noteSegments);
  const type = eType === ET_EXEC ? 'exec' : eType === ET_DYN ? 'dyn' : 'other';
  const info: ElfImageInfo = {
    entry,
    type,
    littleEndian,
    addressBytes: pointerBytes,
    executableSegments,
  };
  if (buildId !== undefined) info.buildId = buildId;
  return info;
}

interface ProgramHeader {
  readonly type: number;
  readonly flags: number;
  readonly offset: number;
  readonly vaddr: bigint;
  readonly filesz: number;
  readonly memsz: bigint;
}

function readProgramHeader(r: ByteReader, is64: boolean): ProgramHeader {
  if (is64) {
    const type = r.u32('p_type');
    const flags = r.u32('p_flags');
    const offset = r.u64Number('p_offset');
    const vaddr = r.u64('p_vaddr');
    r.skip(8, 'p_paddr');
    const filesz = r.u64Number('p_filesz');
    const memsz = r.u64('p_memsz');
    r.skip(8, 'p_align');
    return { type, flags, offset, vaddr, filesz, memsz };
  }
  const type = r.u32('p_type');
  const offset = r.u32('p_offset');
  const vaddr = BigInt(r.u32('p_vaddr'));
  r.skip(4, 'p_paddr');
  const filesz = r.u32('p_filesz');
  const memsz = BigInt(r.u32('p_memsz'));
  const flags = r.u32('p_flags');
  r.skip(4, 'p_align');
  return { type, flags, offset, vaddr, filesz, memsz };
}

/** The `NT_GNU_BUILD_ID` descriptor from PT_NOTE segments, for images without section headers. */
function readBuildIdFromNotes(
  source: ByteSource,
  littleEndian: boolean,
  segments: readonly ProgramHeader[],
): Uint8Array | undefined {
  for (const segment of segments) {
    const r = readerAt(source, segment.offset, segment.filesz, littleEndian, 'PT_NOTE segment');
    while (r.remaining >= 12) {
      const namesz = r.u32('note namesz');
      const descsz = r.u32('note descsz');
      const type = r.u32('note type');
      const name = r.take(namesz, 'note name');
      r.align(4);
      const desc = r.take(descsz, 'note descriptor');
      r.align(4);
      const isGnu = namesz === 4 && name[0] === 0x47 && name[1] === 0x4e && name[2] === 0x55;
      if (isGnu && type === NT_GNU_BUILD_ID) return desc.slice();
    }
  }
  return undefined;
}
