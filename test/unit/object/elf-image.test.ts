import test from 'ava';
import { bytesSource, CovError } from '../../../src/binary/index.js';
import { readElfImageInfo } from '../../../src/object/index.js';
import { buildElf, ByteWriter, counting, gnuBuildIdNote } from './builders.js';

interface Segment {
  type: number;
  flags: number;
  vaddr: number;
  memsz: number;
  /** p_offset and p_filesz (default 0); -1 offset = the build-id note section's data. */
  offset?: number;
  filesz?: number;
}

/** An ELF from {@link buildElf} with `entry`, `type` and a program header table appended. */
function elfWithSegments(
  is64: boolean,
  littleEndian: boolean,
  eType: number,
  entry: number,
  segments: Segment[],
  stripSectionHeaders = false,
): Uint8Array {
  const elf = buildElf({
    is64,
    littleEndian,
    type: eType,
    sections: [
      {
        name: '.note.gnu.build-id',
        type: 7,
        flags: 2,
        data: gnuBuildIdNote(littleEndian, counting(20, 0x40)),
      },
    ],
  });
  const w = new ByteWriter(littleEndian).bytes(elf.bytes).align(8);
  const phoff = w.length;
  for (const segment of segments) {
    const offset = segment.offset === -1 ? elf.dataOffsets[0]! : (segment.offset ?? 0);
    const s = { ...segment, offset, filesz: segment.filesz ?? 0 };
    if (is64)
      w.u32(s.type)
        .u32(s.flags)
        .u64(s.offset)
        .u64(s.vaddr)
        .u64(s.vaddr)
        .u64(s.filesz)
        .u64(s.memsz)
        .u64(0x1000);
    else
      w.u32(s.type)
        .u32(s.offset)
        .u32(s.vaddr)
        .u32(s.vaddr)
        .u32(s.filesz)
        .u32(s.memsz)
        .u32(s.flags)
        .u32(0x1000);
  }
  const out = w.finish();
  const view = new DataView(out.buffer);
  if (is64) {
    view.setBigUint64(24, BigInt(entry), littleEndian);
    view.setBigUint64(32, BigInt(phoff), littleEndian);
    view.setUint16(54, 56, littleEndian);
    view.setUint16(56, segments.length, littleEndian);
    if (stripSectionHeaders) view.setBigUint64(40, 0n, littleEndian);
  } else {
    view.setUint32(24, entry, littleEndian);
    view.setUint32(28, phoff, littleEndian);
    view.setUint16(42, 32, littleEndian);
    view.setUint16(44, segments.length, littleEndian);
    if (stripSectionHeaders) view.setUint32(32, 0, littleEndian);
  }
  return out;
}

const segments: Segment[] = [
  { type: 6, flags: 4, vaddr: 0x40, memsz: 0x2a0 }, // PT_PHDR
  { type: 1, flags: 4, vaddr: 0, memsz: 0x1000 }, // PT_LOAD r--
  { type: 1, flags: 5, vaddr: 0x1000, memsz: 0x5432 }, // PT_LOAD r-x
  { type: 1, flags: 6, vaddr: 0x7000, memsz: 0x100 }, // PT_LOAD rw-
  { type: 0x6474e551, flags: 7, vaddr: 0, memsz: 0 }, // PT_GNU_STACK rwx, not PT_LOAD
];

const readsImage = test.macro({
  exec(
    t,
    is64: boolean,
    littleEndian: boolean,
    eType: number,
    expectedType: 'exec' | 'dyn' | 'other',
  ) {
    const bytes = elfWithSegments(is64, littleEndian, eType, 0x1230, segments);
    const info = readElfImageInfo(bytesSource('a.out', bytes));
    t.is(info.entry, 0x1230n);
    t.is(info.type, expectedType);
    t.is(info.littleEndian, littleEndian);
    t.is(info.addressBytes, is64 ? 8 : 4);
    t.deepEqual(info.executableSegments, [{ start: 0x1000n, end: 0x6432n }]);
    t.deepEqual(info.buildId, counting(20, 0x40));
  },
  title: (_, is64: boolean, littleEndian: boolean, eType: number) =>
    `readElfImageInfo: ELF${is64 ? 64 : 32} ${littleEndian ? 'LE' : 'BE'} e_type ${eType}`,
});
test(readsImage, true, true, 3, 'dyn');
test(readsImage, true, false, 2, 'exec');
test(readsImage, false, true, 2, 'exec');
test(readsImage, false, false, 1, 'other');

test('readElfImageInfo: not ELF → E_BAD_MAGIC; wrong e_phentsize → E_MALFORMED; table past the end → E_TRUNCATED', (t) => {
  const notElf = t.throws(() => readElfImageInfo(bytesSource('x', new Uint8Array(64))), {
    instanceOf: CovError,
  });
  t.is(notElf.code, 'E_BAD_MAGIC');
  const bytes = elfWithSegments(true, true, 3, 0, segments);
  const badSize = bytes.slice();
  new DataView(badSize.buffer).setUint16(54, 40, true);
  const malformed = t.throws(() => readElfImageInfo(bytesSource('x', badSize)), {
    instanceOf: CovError,
  });
  t.is(malformed.code, 'E_MALFORMED');
  t.is(malformed.byteOffset, 54);
  const cut = bytes.subarray(0, bytes.length - 10);
  const truncated = t.throws(() => readElfImageInfo(bytesSource('x', cut)), {
    instanceOf: CovError,
  });
  t.is(truncated.code, 'E_TRUNCATED');
});

test('readElfImageInfo: without section headers the build-id comes from a PT_NOTE segment', (t) => {
  for (const is64 of [true, false]) {
    const note = gnuBuildIdNote(true, counting(20, 0x40));
    const withNote: Segment[] = [
      ...segments,
      { type: 4, flags: 4, vaddr: 0x300, memsz: note.length, offset: -1, filesz: note.length },
    ];
    const stripped = elfWithSegments(is64, true, 3, 0x1230, withNote, true);
    const info = readElfImageInfo(bytesSource('stripped', stripped));
    t.deepEqual(info.buildId, counting(20, 0x40));
    t.deepEqual(info.executableSegments, [{ start: 0x1000n, end: 0x6432n }]);
  }
});
