/**
 * Thin Mach-O reader (MH_MAGIC/MH_MAGIC_64, either byte order): LC_SEGMENT/LC_SEGMENT_64 section
 * headers and LC_UUID. A universal file's slice is read the same way, at its offset.
 */
import { CovError, formatOffset, type ByteReader, type ByteSource } from '../binary/index.js';
import type { ParsedObject } from './parsed-object.js';
import { fixedName, readerAt } from './read-range.js';
import type { SectionInfo } from './types.js';

/** `filetype` of a relocatable object. */
export const MH_OBJECT = 0x1;
/** 32-bit segment load command. */
export const LC_SEGMENT = 0x1;
/** 64-bit segment load command. */
export const LC_SEGMENT_64 = 0x19;
/** Load command holding the 128-bit image UUID. */
export const LC_UUID = 0x1b;
// Section types (`flags & SECTION_TYPE`) that occupy no file bytes.
const S_ZEROFILL = 0x1;
const S_GB_ZEROFILL = 0xc;
const S_THREAD_LOCAL_ZEROFILL = 0x12;
const SECTION_TYPE = 0xff;

/** Sizes that differ between 32- and 64-bit Mach-O. */
interface MachOLayout {
  readonly header: number;
  readonly segment: number;
  readonly section: number;
  readonly segmentCommand: number;
}
const MACHO32: MachOLayout = { header: 28, segment: 56, section: 68, segmentCommand: LC_SEGMENT };
const MACHO64: MachOLayout = {
  header: 32,
  segment: 72,
  section: 80,
  segmentCommand: LC_SEGMENT_64,
};

/** Where a thin Mach-O lives in the file: the whole file, or a universal file's slice. */
export interface MachOSlice {
  /** Absolute file offset of the Mach-O header, in bytes. */
  readonly offset: number;
  /** Slice size in bytes. */
  readonly size: number;
  /** Architecture name, for universal files only. */
  readonly arch?: string;
  /** Universal files only: bytes of the universal header and architecture table at offset 0. */
  readonly universalHeaderBytes?: number;
}

/**
 * Reads the Mach-O header and load commands of the slice; reads no section data.
 * @returns sections in load-command order, `fileOffset` absolute (slice offset added), `segment`
 *   set, `inFile` false for zerofill sections and segments without file bytes; `uuid` from
 *   LC_UUID; `headerRanges` = header plus load commands (and the universal header).
 * @throws CovError `E_BAD_MAGIC` when the slice does not start with a Mach-O magic,
 *   `E_TRUNCATED` when the header or load commands run past the slice or file,
 *   `E_MALFORMED` for a load command whose size is too small or overruns `sizeofcmds`, or a
 *   segment whose sections overrun its command.
 * @see ../../../shared/spec/formats.md §4.1
 */
export function readMachOObject(source: ByteSource, slice: MachOSlice): ParsedObject {
  const probe = readerAt(source, slice.offset, 4, true, 'Mach-O magic');
  const magicLe = probe.view.getUint32(0, true);
  const magicBe = probe.view.getUint32(0, false);
  let littleEndian: boolean;
  let is64: boolean;
  if (magicLe === 0xfeedface || magicLe === 0xfeedfacf) {
    littleEndian = true;
    is64 = magicLe === 0xfeedfacf;
  } else if (magicBe === 0xfeedface || magicBe === 0xfeedfacf) {
    littleEndian = false;
    is64 = magicBe === 0xfeedfacf;
  } else {
    throw new CovError(
      'E_BAD_MAGIC',
      `${slice.arch ?? 'universal'} slice is not a thin Mach-O file (magic 0x${magicBe.toString(16).padStart(8, '0')}; archives inside universal files are not read)`,
      { source: source.name, byteOffset: slice.offset },
    );
  }
  const layout = is64 ? MACHO64 : MACHO32;
  const sliceEnd = slice.offset + slice.size;
  checkInSlice(source, slice.offset, layout.header, sliceEnd, 'Mach-O header');
  const header = readerAt(source, slice.offset, layout.header, littleEndian, 'Mach-O header');
  header.skip(4 + 4 + 4, 'magic, cputype, cpusubtype');
  const filetype = header.u32('filetype');
  const ncmds = header.u32('ncmds');
  const sizeofcmds = header.u32('sizeofcmds');

  const commandsOffset = slice.offset + layout.header;
  checkInSlice(source, commandsOffset, sizeofcmds, sliceEnd, `load commands (${ncmds})`);
  const commands = readerAt(
    source,
    commandsOffset,
    sizeofcmds,
    littleEndian,
    `load commands (${ncmds}, ${sizeofcmds} bytes)`,
  );
  const sections: SectionInfo[] = [];
  let uuid: Uint8Array | undefined;
  for (let i = 0; i < ncmds; i++) {
    const start = commands.offset;
    if (commands.remaining < 8) {
      throw commands.error(
        'E_MALFORMED',
        `load command ${i} of ${ncmds} starts past sizeofcmds (${sizeofcmds} bytes)`,
      );
    }
    const cmd = commands.u32('cmd');
    const cmdsize = commands.u32('cmdsize');
    if (cmdsize < 8 || cmdsize > commands.remaining + 8) {
      throw commands.error(
        'E_MALFORMED',
        `load command ${i} (cmd 0x${cmd.toString(16)}): cmdsize ${cmdsize} is below 8 or overruns sizeofcmds`,
        start,
      );
    }
    commands.seek(start, 'load command');
    const body = commands.sub(cmdsize, `load command ${i}`);
    body.skip(8, 'cmd, cmdsize');
    if (cmd === layout.segmentCommand) {
      readSegment(body, is64, layout, slice.offset, sections, i);
    } else if (cmd === LC_UUID) {
      uuid = body.take(16, 'LC_UUID uuid').slice();
    }
  }
  const table = {
    format: 'macho' as const,
    littleEndian,
    pointerBytes: is64 ? (8 as const) : (4 as const),
    relocatable: filetype === MH_OBJECT,
    ...(slice.arch === undefined ? {} : { arch: slice.arch }),
    sections,
  };
  const headerRanges = [
    {
      start: slice.offset,
      end: commandsOffset + sizeofcmds,
      what: 'the Mach-O header and load commands',
    },
  ];
  if (slice.universalHeaderBytes !== undefined) {
    headerRanges.push({
      start: 0,
      end: slice.universalHeaderBytes,
      what: 'the universal header and architecture table',
    });
  }
  return uuid === undefined
    ? { table, headerRanges, peImage: false }
    : { table, headerRanges, peImage: false, uuid };
}

function readSegment(
  body: ByteReader,
  is64: boolean,
  layout: MachOLayout,
  sliceOffset: number,
  sections: SectionInfo[],
  commandIndex: number,
): void {
  const segname = fixedName(body.take(16, 'segname'));
  body.skip(is64 ? 16 : 8, 'vmaddr, vmsize');
  body.skip(is64 ? 8 : 4, 'fileoff');
  // A segment without file bytes (dSYM companions keep only the headers) has no section data.
  const filesize = is64 ? body.u64Number('filesize') : body.u32('filesize');
  body.skip(8, 'maxprot, initprot');
  const nsects = body.u32('nsects');
  body.skip(4, 'flags');
  if (nsects * layout.section > body.remaining) {
    throw body.error(
      'E_MALFORMED',
      `load command ${commandIndex} (segment ${segname}): ${nsects} sections of ${layout.section} bytes overrun cmdsize ${body.length}`,
      0,
    );
  }
  for (let j = 0; j < nsects; j++) {
    const sectname = fixedName(body.take(16, 'sectname'));
    const sectSegname = fixedName(body.take(16, 'section segname'));
    body.skip(is64 ? 8 : 4, 'addr');
    const size = is64 ? body.u64Number('size') : body.u32('size');
    const offset = body.u32('offset');
    body.skip(4 * 3, 'align, reloff, nreloc');
    const flags = body.u32('flags');
    body.skip(is64 ? 12 : 8, 'reserved');
    const type = flags & SECTION_TYPE;
    const zerofill =
      type === S_ZEROFILL || type === S_GB_ZEROFILL || type === S_THREAD_LOCAL_ZEROFILL;
    sections.push({
      index: sections.length,
      name: sectname,
      segment: sectSegname,
      fileOffset: sliceOffset + offset,
      sizeBytes: size,
      inFile: !zerofill && filesize > 0,
      flags,
    });
  }
}

function checkInSlice(
  source: ByteSource,
  offset: number,
  length: number,
  sliceEnd: number,
  what: string,
): void {
  if (offset + length > sliceEnd && sliceEnd < source.sizeBytes) {
    throw new CovError(
      'E_TRUNCATED',
      `${what}: needs ${length} bytes at ${formatOffset(offset)}, past the end of the slice at ${formatOffset(sliceEnd)}`,
      { source: source.name, byteOffset: offset },
    );
  }
}
