import test from 'ava';
import { bytesSource, CovError } from '../../../src/binary/index.js';
import { listSections, machOArchName, readCoverageSections } from '../../../src/object/index.js';
import { buildMachO, buildUniversal, counting, type MachOSpec } from './builders.js';

const covmap = counting(0x2c);
const covfun = counting(0x9d, 0x40);
const names = counting(0x16, 0x90);
const uuid = counting(16, 0xa0);

const spec = (is64: boolean, littleEndian: boolean, extra: Partial<MachOSpec> = {}): MachOSpec => ({
  is64,
  littleEndian,
  sections: [
    { segname: '__TEXT', sectname: '__text', data: counting(12) },
    { segname: '__DATA', sectname: '__llvm_prf_names', data: names },
    { segname: '__DATA', sectname: '__common', data: new Uint8Array(32), flags: 1 },
    { segname: '__LLVM_COV', sectname: '__llvm_covfun', data: covfun },
    { segname: '__LLVM_COV', sectname: '__llvm_covmap', data: covmap },
  ],
  uuid,
  ...extra,
});

const fails = (bytes: Uint8Array, options = {}) => {
  try {
    readCoverageSections(bytesSource('bad.macho', bytes), options);
  } catch (error) {
    if (error instanceof CovError) return error;
    throw error;
  }
  throw new Error('expected a CovError');
};

const readsMachO = test.macro({
  exec(t, is64: boolean, littleEndian: boolean) {
    const built = buildMachO(spec(is64, littleEndian));
    const got = readCoverageSections(bytesSource('a.out', built.bytes));
    t.is(got.format, 'macho');
    t.is(got.littleEndian, littleEndian);
    t.is(got.pointerBytes, is64 ? 8 : 4);
    t.deepEqual(got.covmap, {
      name: '__LLVM_COV,__llvm_covmap',
      fileOffset: built.dataOffsets[4],
      bytes: covmap,
    });
    t.deepEqual(got.covfun, {
      name: '__LLVM_COV,__llvm_covfun',
      fileOffset: built.dataOffsets[3],
      bytes: covfun,
    });
    // `__llvm_prf_names` fills all 16 bytes of sectname: no NUL terminator.
    t.deepEqual(got.prfNames, {
      name: '__DATA,__llvm_prf_names',
      fileOffset: built.dataOffsets[1],
      bytes: names,
    });
    t.deepEqual(got.buildId, uuid);
    t.is(got.arch, undefined);
  },
  title: (_, is64: boolean, littleEndian: boolean) =>
    `reads a ${is64 ? 64 : 32}-bit ${littleEndian ? 'little' : 'big'}-endian Mach-O`,
});
test(readsMachO, true, true);
test(readsMachO, true, false);
test(readsMachO, false, true);
test(readsMachO, false, false);

test('listSections: segments, zerofill and MH_OBJECT', (t) => {
  const built = buildMachO(spec(true, true, { filetype: 1 }));
  const table = listSections(bytesSource('a.o', built.bytes));
  t.true(table.relocatable);
  t.deepEqual(
    table.sections.map((s) => [s.segment, s.name, s.inFile]),
    [
      ['__TEXT', '__text', true],
      ['__DATA', '__llvm_prf_names', true],
      ['__DATA', '__common', false],
      ['__LLVM_COV', '__llvm_covfun', true],
      ['__LLVM_COV', '__llvm_covmap', true],
    ],
  );
  t.is(table.sections[1]!.fileOffset, built.dataOffsets[1]!);
  t.is(table.sections[1]!.sizeBytes, names.length);
});

const arm64Slice = () =>
  buildMachO({
    ...spec(true, true),
    cputype: 0x0100000c,
    cpusubtype: 0,
    sections: [{ segname: '__LLVM_COV', sectname: '__llvm_covmap', data: counting(8, 0x64) }],
  });
const i386Slice = () =>
  buildMachO({
    ...spec(false, true),
    cputype: 7,
    sections: [{ segname: '__LLVM_COV', sectname: '__llvm_covmap', data: counting(8, 0x32) }],
  });

test('universal file: the first x86_64/arm64 slice by default, offsets absolute', (t) => {
  const arm = arm64Slice();
  const fat = buildUniversal([
    { cputype: 7, cpusubtype: 3, bytes: i386Slice().bytes },
    { cputype: 0x0100000c, cpusubtype: 0, bytes: arm.bytes },
  ]);
  const got = readCoverageSections(bytesSource('fat', fat.bytes));
  t.is(got.arch, 'arm64');
  t.deepEqual(got.covmap?.bytes, counting(8, 0x64));
  t.is(got.covmap?.fileOffset, fat.offsets[1]! + arm.dataOffsets[0]!);
});

test('universal file: options.arch picks the slice; an unknown one is E_USAGE', (t) => {
  const fat = buildUniversal([
    { cputype: 0x0100000c, cpusubtype: 0, bytes: arm64Slice().bytes },
    { cputype: 7, cpusubtype: 3, bytes: i386Slice().bytes },
  ]);
  const got = readCoverageSections(bytesSource('fat', fat.bytes), { arch: 'i386' });
  t.is(got.arch, 'i386');
  t.is(got.pointerBytes, 4);
  t.deepEqual(got.covmap?.bytes, counting(8, 0x32));
  const error = fails(fat.bytes, { arch: 'ppc' });
  t.is(error.code, 'E_USAGE');
  t.regex(error.message, /no ppc slice \(it has arm64, i386\)/);
});

test('universal file without a preferred architecture reads the first slice', (t) => {
  const fat = buildUniversal([{ cputype: 7, cpusubtype: 3, bytes: i386Slice().bytes }]);
  t.is(readCoverageSections(bytesSource('fat', fat.bytes)).arch, 'i386');
});

test('universal slice past EOF is E_TRUNCATED at the slice offset', (t) => {
  const fat = buildUniversal([{ cputype: 0x01000007, cpusubtype: 3, bytes: arm64Slice().bytes }]);
  const error = fails(fat.bytes.slice(0, fat.bytes.length - 4));
  t.is(error.code, 'E_TRUNCATED');
  t.is(error.byteOffset, fat.offsets[0]);
});

test('a universal slice that is not Mach-O is E_BAD_MAGIC at the slice', (t) => {
  const fat = buildUniversal([{ cputype: 0x01000007, cpusubtype: 3, bytes: counting(64) }]);
  const error = fails(fat.bytes);
  t.is(error.code, 'E_BAD_MAGIC');
  t.is(error.byteOffset, fat.offsets[0]);
});

test('arch names follow the LLVM tools', (t) => {
  t.is(machOArchName(0x01000007, 3), 'x86_64');
  t.is(machOArchName(0x01000007, 8), 'x86_64h');
  t.is(machOArchName(0x0100000c, 0x80000002), 'arm64e');
  t.is(machOArchName(12, 9), 'armv7');
  t.is(machOArchName(99, 0), 'cputype-99');
});

test('load commands past EOF are E_TRUNCATED after the header', (t) => {
  const built = buildMachO(spec(true, true));
  const error = fails(built.bytes.slice(0, 100));
  t.is(error.code, 'E_TRUNCATED');
  t.is(error.byteOffset, 32);
  t.regex(error.message, /load commands/);
});

test('a cmdsize overrunning sizeofcmds is E_MALFORMED at the command', (t) => {
  const built = buildMachO(spec(false, false));
  const bytes = built.bytes.slice();
  new DataView(bytes.buffer).setUint32(built.commandsOffset + 4, 0x10000, false);
  const error = fails(bytes);
  t.is(error.code, 'E_MALFORMED');
  t.is(error.byteOffset, built.commandsOffset);
});

test('ncmds beyond sizeofcmds is E_MALFORMED', (t) => {
  const built = buildMachO(spec(true, true));
  const bytes = built.bytes.slice();
  new DataView(bytes.buffer).setUint32(16, 3, true);
  const error = fails(bytes);
  t.is(error.code, 'E_MALFORMED');
  t.regex(error.message, /load command 2 of 3/);
});

test('nsects overrunning the segment command is E_MALFORMED', (t) => {
  const built = buildMachO(spec(true, true));
  const bytes = built.bytes.slice();
  new DataView(bytes.buffer).setUint32(built.commandsOffset + 64, 50, true);
  const error = fails(bytes);
  t.is(error.code, 'E_MALFORMED');
  t.is(error.byteOffset, built.commandsOffset);
});

test('a section at offset 0 overlaps the header: E_MALFORMED', (t) => {
  const built = buildMachO(spec(true, true));
  const bytes = built.bytes.slice();
  // Section 4 (__llvm_covmap): offset field at 72 + 4*80 + 48 into the commands.
  new DataView(bytes.buffer).setUint32(built.commandsOffset + 72 + 4 * 80 + 48, 0, true);
  const error = fails(bytes);
  t.is(error.code, 'E_MALFORMED');
  t.is(error.byteOffset, 0);
  t.regex(error.message, /overlaps the Mach-O header and load commands/);
});

test('sections of a segment without file bytes (dSYM companion) are not in the file', (t) => {
  const built = buildMachO(spec(true, true, { filetype: 0xa }));
  const bytes = built.bytes.slice();
  // segment_command_64.filesize is at +48 in the command.
  new DataView(bytes.buffer).setBigUint64(built.commandsOffset + 48, 0n, true);
  const table = listSections(bytesSource('a.dSYM', bytes));
  t.true(table.sections.every((s) => !s.inFile));
  t.deepEqual(readCoverageSections(bytesSource('a.dSYM', bytes)).covmap?.bytes, new Uint8Array(0));
});
