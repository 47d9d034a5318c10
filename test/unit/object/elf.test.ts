import { execFileSync } from 'node:child_process';
import { deflateSync } from 'node:zlib';
import test from 'ava';
import { bytesSource, CovError } from '../../../src/binary/index.js';
import { listSections, readCoverageSections } from '../../../src/object/index.js';
import {
  buildElf,
  ByteWriter,
  compressedSection,
  counting,
  countingSource,
  gnuBuildIdNote,
  type ElfSpec,
} from './builders.js';

const covmap = counting(0x30);
const covfun = counting(0x1a9, 0x40);
const names = counting(0x50, 0x90);
const buildId = counting(20, 0xe0);

/** The three coverage sections plus a build-id note, as a linked rustc binary has them. */
const linkedSpec = (is64: boolean, littleEndian: boolean): ElfSpec => ({
  is64,
  littleEndian,
  sections: [
    { name: '.note.gnu.build-id', type: 7, flags: 2, data: gnuBuildIdNote(littleEndian, buildId) },
    { name: '.text', flags: 6, data: counting(16) },
    { name: '__llvm_prf_names', flags: 2, data: names },
    { name: '.bss', type: 8, flags: 3, size: 0x1000 },
    { name: '__llvm_covfun', data: covfun },
    { name: '__llvm_covmap', data: covmap },
  ],
});

const readsLinked = test.macro({
  exec(t, is64: boolean, littleEndian: boolean) {
    const elf = buildElf(linkedSpec(is64, littleEndian));
    const got = readCoverageSections(bytesSource('main', elf.bytes));
    t.is(got.format, 'elf');
    t.is(got.littleEndian, littleEndian);
    t.is(got.pointerBytes, is64 ? 8 : 4);
    t.deepEqual(got.covmap, {
      name: '__llvm_covmap',
      fileOffset: elf.dataOffsets[5],
      bytes: covmap,
    });
    t.deepEqual(got.covfun, {
      name: '__llvm_covfun',
      fileOffset: elf.dataOffsets[4],
      bytes: covfun,
    });
    t.deepEqual(got.prfNames, {
      name: '__llvm_prf_names',
      fileOffset: elf.dataOffsets[2],
      bytes: names,
    });
    t.deepEqual(got.buildId, buildId);
  },
  title: (_, is64: boolean, littleEndian: boolean) =>
    `reads covmap, covfun, names and build-id from ELF${is64 ? 64 : 32} ${littleEndian ? 'LE' : 'BE'}`,
});
test(readsLinked, true, true);
test(readsLinked, true, false);
test(readsLinked, false, true);
test(readsLinked, false, false);

test('listSections gives names, offsets, sizes, flags and types from headers only', (t) => {
  const elf = buildElf(linkedSpec(true, true));
  const source = countingSource('main', elf.bytes);
  const table = listSections(source);
  t.like(table, { format: 'elf', littleEndian: true, pointerBytes: 8, relocatable: false });
  t.deepEqual(
    table.sections.map((s) => [
      s.index,
      s.name,
      s.fileOffset,
      s.sizeBytes,
      s.flags,
      s.type,
      s.inFile,
    ]),
    [
      [0, '', 0, 0, 0, 0, true],
      [1, '.note.gnu.build-id', elf.dataOffsets[0], 36, 2, 7, true],
      [2, '.text', elf.dataOffsets[1], 16, 6, 1, true],
      [3, '__llvm_prf_names', elf.dataOffsets[2], 0x50, 2, 1, true],
      [4, '.bss', elf.dataOffsets[3], 0x1000, 3, 8, false],
      [5, '__llvm_covfun', elf.dataOffsets[4], 0x1a9, 0, 1, true],
      [6, '__llvm_covmap', elf.dataOffsets[5], 0x30, 0, 1, true],
      [7, '.shstrtab', table.sections[7]!.fileOffset, table.sections[7]!.sizeBytes, 0, 3, true],
    ],
  );
  // Every read lies in the ELF header, the section header table or .shstrtab.
  const shstrtab = table.sections[7]!;
  const allowed = [
    [0, 64],
    [elf.shoff, elf.shoff + 8 * elf.shentsize],
    [shstrtab.fileOffset, shstrtab.fileOffset + shstrtab.sizeBytes],
  ];
  for (const [offset, length] of source.reads) {
    t.true(
      allowed.some(([start, end]) => offset >= start! && offset + length <= end!),
      `read of ${length} bytes at ${offset}`,
    );
  }
});

test('readCoverageSections reads only headers and the needed sections', (t) => {
  const spec = linkedSpec(true, true);
  const elf = buildElf({
    ...spec,
    sections: [...spec.sections, { name: '.debug_info', data: new Uint8Array(4096) }],
  });
  const source = countingSource('main', elf.bytes);
  readCoverageSections(source);
  t.false(source.reads.some(([offset]) => offset === elf.dataOffsets[6]));
  t.false(source.reads.some(([offset]) => offset === elf.dataOffsets[1]));
});

test('absent sections leave fields absent', (t) => {
  const elf = buildElf({
    is64: true,
    littleEndian: true,
    sections: [{ name: '.text', data: counting(4) }],
  });
  const got = readCoverageSections(bytesSource('plain', elf.bytes));
  t.deepEqual(got, { format: 'elf', littleEndian: true, pointerBytes: 8 });
});

test('falls back to __llvm_covnames when __llvm_prf_names is absent', (t) => {
  const elf = buildElf({
    is64: true,
    littleEndian: true,
    sections: [
      { name: '__llvm_covnames', data: names },
      { name: '__llvm_covmap', data: covmap },
    ],
  });
  const got = readCoverageSections(bytesSource('corr', elf.bytes));
  t.is(got.prfNames?.name, '__llvm_covnames');
  t.deepEqual(got.prfNames?.bytes, names);
});

test('SHT_NOBITS coverage section reads as 0 bytes', (t) => {
  const elf = buildElf({
    is64: true,
    littleEndian: true,
    sections: [{ name: '__llvm_covmap', type: 8, size: 64 }],
  });
  t.deepEqual(
    readCoverageSections(bytesSource('stripped', elf.bytes)).covmap?.bytes,
    new Uint8Array(0),
  );
});

test('relocatable object: covfun pieces are concatenated, each padded to 8', (t) => {
  const a = counting(79);
  const b = counting(37, 0x80);
  const c = counting(40, 0xc0);
  const elf = buildElf({
    is64: true,
    littleEndian: true,
    type: 1,
    sections: [
      { name: '__llvm_covfun', flags: 0x200, data: a },
      { name: '.group', type: 17, data: new Uint8Array(8) },
      { name: '__llvm_covfun', flags: 0x200, data: b },
      { name: '__llvm_covfun', flags: 0x200, data: c },
      { name: '__llvm_covmap', data: covmap },
    ],
  });
  const got = readCoverageSections(bytesSource('a.o', elf.bytes));
  const expected = new Uint8Array(80 + 40 + 40);
  expected.set(a, 0);
  expected.set(b, 80);
  expected.set(c, 120);
  t.deepEqual(got.covfun, {
    name: '__llvm_covfun',
    fileOffset: elf.dataOffsets[0],
    bytes: expected,
    pieces: 3,
  });
  t.true(listSections(bytesSource('a.o', elf.bytes)).relocatable);
});

test('extended numbering: e_shnum 0 and e_shstrndx SHN_XINDEX read from section header 0', (t) => {
  const spec = linkedSpec(true, false);
  const elf = buildElf({ ...spec, extendedNumbering: true });
  const got = readCoverageSections(bytesSource('big', elf.bytes));
  t.deepEqual(got.covmap?.bytes, covmap);
  t.is(listSections(bytesSource('big', elf.bytes)).sections.length, spec.sections.length + 2);
});

const zlibCases = test.macro({
  exec(t, is64: boolean, littleEndian: boolean) {
    const data = compressedSection(is64, littleEndian, 1, covfun.length, deflateSync(covfun));
    const elf = buildElf({
      is64,
      littleEndian,
      sections: [{ name: '__llvm_covfun', flags: 0x800, data }],
    });
    const got = readCoverageSections(bytesSource('z', elf.bytes));
    t.deepEqual(got.covfun, {
      name: '__llvm_covfun',
      fileOffset: elf.dataOffsets[0],
      bytes: covfun,
      compression: 'zlib',
    });
  },
  title: (_, is64: boolean, littleEndian: boolean) =>
    `SHF_COMPRESSED zlib section, Elf${is64 ? 64 : 32}_Chdr ${littleEndian ? 'LE' : 'BE'}`,
});
test(zlibCases, true, true);
test(zlibCases, false, false);

test('SHF_COMPRESSED zstd section (frame built with the zstd CLI)', (t) => {
  let frame: Buffer;
  try {
    frame = execFileSync('zstd', ['-q', '-c', '-19'], { input: covmap });
  } catch (error) {
    t.log(`zstd CLI not available (${String(error)}); skipped`);
    t.pass();
    return;
  }
  const data = compressedSection(true, true, 2, covmap.length, frame);
  const elf = buildElf({
    is64: true,
    littleEndian: true,
    sections: [{ name: '__llvm_covmap', flags: 0x800, data }],
  });
  const got = readCoverageSections(bytesSource('zs', elf.bytes));
  t.is(got.covmap?.compression, 'zstd');
  t.deepEqual(got.covmap?.bytes, covmap);
});

// ---- errors --------------------------------------------------------------------------------

const fails = (bytes: Uint8Array, read: typeof readCoverageSections = readCoverageSections) => {
  try {
    read(bytesSource('bad.elf', bytes));
  } catch (error) {
    if (error instanceof CovError) return error;
    throw error;
  }
  throw new Error('expected a CovError');
};

test('ELF header cut short is E_TRUNCATED at 0', (t) => {
  const elf = buildElf(linkedSpec(true, true));
  const error = fails(elf.bytes.slice(0, 40));
  t.is(error.code, 'E_TRUNCATED');
  t.is(error.byteOffset, 0);
  t.is(error.source, 'bad.elf');
  t.regex(error.message, /ELF header: needs 64 bytes/);
});

test('section header table past EOF is E_TRUNCATED at e_shoff', (t) => {
  const elf = buildElf(linkedSpec(true, true));
  const error = fails(elf.bytes.slice(0, elf.shoff + 100));
  t.is(error.code, 'E_TRUNCATED');
  t.is(error.byteOffset, elf.shoff);
  t.regex(error.message, /section header table \(8 headers of 64 bytes\)/);
});

test('section data past EOF is E_TRUNCATED at the section offset', (t) => {
  const elf = buildElf(linkedSpec(false, true));
  const bytes = elf.bytes.slice();
  // Section 6 (__llvm_covmap): point sh_offset near the end so its data runs past EOF.
  const header = elf.shoff + 6 * elf.shentsize;
  const offset = bytes.length - 8;
  new DataView(bytes.buffer).setUint32(header + 16, offset, true);
  const error = fails(bytes);
  t.is(error.code, 'E_TRUNCATED');
  t.is(error.byteOffset, offset);
  t.regex(error.message, /section __llvm_covmap \(#6\): needs 48 bytes/);
});

test('section header table overlapping the ELF header is E_MALFORMED', (t) => {
  const elf = buildElf(linkedSpec(true, true));
  const bytes = elf.bytes.slice();
  new DataView(bytes.buffer).setBigUint64(0x28, 0x20n, true);
  const error = fails(bytes);
  t.is(error.code, 'E_MALFORMED');
  t.is(error.byteOffset, 0x20);
});

test('coverage section overlapping the section header table is E_MALFORMED', (t) => {
  const elf = buildElf(linkedSpec(true, true));
  const bytes = elf.bytes.slice();
  const header = elf.shoff + 5 * elf.shentsize;
  new DataView(bytes.buffer).setBigUint64(header + 24, BigInt(elf.shoff + 8), true);
  const error = fails(bytes);
  t.is(error.code, 'E_MALFORMED');
  t.is(error.byteOffset, elf.shoff + 8);
  t.regex(error.message, /overlaps the section header table/);
});

test('two coverage sections overlapping each other is E_MALFORMED', (t) => {
  const elf = buildElf(linkedSpec(true, true));
  const bytes = elf.bytes.slice();
  const covmapHeader = elf.shoff + 6 * elf.shentsize;
  new DataView(bytes.buffer).setBigUint64(covmapHeader + 24, BigInt(elf.dataOffsets[4]! + 8), true);
  const error = fails(bytes);
  t.is(error.code, 'E_MALFORMED');
  t.is(error.byteOffset, elf.dataOffsets[4]! + 8);
});

test('wrong e_shentsize is E_MALFORMED at the field', (t) => {
  const elf = buildElf(linkedSpec(true, true));
  const bytes = elf.bytes.slice();
  new DataView(bytes.buffer).setUint16(58, 40, true);
  const error = fails(bytes);
  t.is(error.code, 'E_MALFORMED');
  t.is(error.byteOffset, 58);
});

test('e_shstrndx out of range is E_MALFORMED', (t) => {
  const elf = buildElf(linkedSpec(false, false));
  const bytes = elf.bytes.slice();
  new DataView(bytes.buffer).setUint16(50, 99, false);
  const error = fails(bytes);
  t.is(error.code, 'E_MALFORMED');
  t.is(error.byteOffset, 50);
});

test('unknown EI_CLASS is E_MALFORMED at byte 4', (t) => {
  const bytes = buildElf(linkedSpec(true, true)).bytes.slice();
  bytes[4] = 3;
  const error = fails(bytes);
  t.is(error.code, 'E_MALFORMED');
  t.is(error.byteOffset, 4);
});

test('unknown ch_type is E_UNSUPPORTED_VERSION at the section', (t) => {
  const data = compressedSection(true, true, 7, 4, new Uint8Array(8));
  const elf = buildElf({
    is64: true,
    littleEndian: true,
    sections: [{ name: '__llvm_covmap', flags: 0x800, data }],
  });
  const error = fails(elf.bytes);
  t.is(error.code, 'E_UNSUPPORTED_VERSION');
  t.is(error.byteOffset, elf.dataOffsets[0]);
});

test('corrupt zlib data is E_MALFORMED after the Chdr', (t) => {
  const data = compressedSection(true, true, 1, 48, Uint8Array.of(0x78, 0x9c, 0xff, 0xff, 0xff));
  const elf = buildElf({
    is64: true,
    littleEndian: true,
    sections: [{ name: '__llvm_covmap', flags: 0x800, data }],
  });
  const error = fails(elf.bytes);
  t.is(error.code, 'E_MALFORMED');
  t.is(error.byteOffset, elf.dataOffsets[0]! + 24);
});

test('two covmap sections is E_MALFORMED (LLVM reads exactly one)', (t) => {
  const elf = buildElf({
    is64: true,
    littleEndian: true,
    sections: [
      { name: '__llvm_covmap', data: covmap },
      { name: '__llvm_covmap', data: covmap },
    ],
  });
  const error = fails(elf.bytes);
  t.is(error.code, 'E_MALFORMED');
  t.is(error.byteOffset, elf.dataOffsets[1]);
});

test('a build-id note that overruns its section is E_TRUNCATED', (t) => {
  const note = new ByteWriter(true).u32(4).u32(64).u32(3).ascii('GNU').u8(0).bytes(counting(8));
  const elf = buildElf({
    is64: true,
    littleEndian: true,
    sections: [{ name: '.note.gnu.build-id', type: 7, data: note.finish() }],
  });
  const error = fails(elf.bytes);
  t.is(error.code, 'E_TRUNCATED');
  t.is(error.byteOffset, elf.dataOffsets[0]! + 16);
});

test('an e_entry above 2^53 (kernel-style address) is not a size and is ignored', (t) => {
  const elf = buildElf(linkedSpec(true, true));
  const bytes = elf.bytes.slice();
  new DataView(bytes.buffer).setBigUint64(24, 0xffffffff81000000n, true);
  t.deepEqual(readCoverageSections(bytesSource('vmlinux', bytes)).covmap?.bytes, covmap);
});
