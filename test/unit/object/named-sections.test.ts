import { deflateSync } from 'node:zlib';
import test from 'ava';
import { bytesSource, CovError } from '../../../src/binary/index.js';
import { readNamedSections } from '../../../src/object/index.js';
import { buildElf, ByteWriter, compressedSection, counting } from './builders.js';

test('readNamedSections: plain, SHF_COMPRESSED zlib, GNU .zdebug_ (under the .debug_ name), absent names', (t) => {
  const line = counting(300);
  const info = counting(200, 7);
  const str = counting(50, 9);
  const zdebug = new ByteWriter(false)
    .ascii('ZLIB')
    .u64(str.length)
    .bytes(deflateSync(str))
    .finish();
  const elf = buildElf({
    is64: true,
    littleEndian: true,
    sections: [
      { name: '.debug_line', data: line },
      {
        name: '.debug_info',
        flags: 0x800,
        data: compressedSection(true, true, 1, info.length, deflateSync(info)),
      },
      { name: '.zdebug_str', data: zdebug },
    ],
  });
  const got = readNamedSections(bytesSource('a.out', elf.bytes), [
    '.debug_line',
    '.debug_info',
    '.debug_str',
    '.debug_addr',
  ]);
  t.deepEqual([...got.keys()], ['.debug_line', '.debug_info', '.debug_str']);
  t.deepEqual(got.get('.debug_line')!.bytes, line);
  t.is(got.get('.debug_line')!.fileOffset, elf.dataOffsets[0]!);
  t.deepEqual(got.get('.debug_info')!.bytes, info);
  t.is(got.get('.debug_info')!.compression, 'zlib');
  t.deepEqual(got.get('.debug_str')!.bytes, str);
  t.is(got.get('.debug_str')!.compression, 'zlib');
});

test('readNamedSections: a .zdebug_ section without the ZLIB magic → E_BAD_MAGIC at its offset', (t) => {
  const elf = buildElf({
    is64: true,
    littleEndian: true,
    sections: [{ name: '.zdebug_line', data: counting(20) }],
  });
  const error = t.throws(
    () => readNamedSections(bytesSource('a.out', elf.bytes), ['.debug_line']),
    { instanceOf: CovError },
  );
  t.is(error.code, 'E_BAD_MAGIC');
  t.is(error.byteOffset, elf.dataOffsets[0]!);
});
