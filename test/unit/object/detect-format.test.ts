import test from 'ava';
import { bytesSource, CovError } from '../../../src/binary/index.js';
import { FORMATS_READ, listSections, readCoverageSections } from '../../../src/object/index.js';
import { ascii } from './builders.js';

const badMagic = test.macro({
  exec(t, bytes: Uint8Array, found: string) {
    for (const read of [readCoverageSections, listSections]) {
      const error = t.throws(() => read(bytesSource('notes.txt', bytes)), { instanceOf: CovError });
      t.is(error.code, 'E_BAD_MAGIC');
      t.is(error.byteOffset, 0);
      t.is(error.source, 'notes.txt');
      t.is(
        error.message,
        `notes.txt: at 0x0: not an object file cov can read: found ${found}; cov reads ${FORMATS_READ}`,
      );
    }
  },
  title: (title) => `E_BAD_MAGIC names the file, the bytes found and the formats read: ${title}`,
});

test('text file', badMagic, ascii('hello, world'), 'bytes 68 65 6c 6c 6f 2c 20 77');
test('empty file', badMagic, new Uint8Array(0), 'an empty file');
test('ar archive', badMagic, ascii('!<arch>\n/'), 'bytes 21 3c 61 72 63 68 3e 0a');
test(
  'Java class file (0xcafebabe, version 52)',
  badMagic,
  Uint8Array.of(0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52),
  'bytes ca fe ba be 00 00 00 34',
);
test('ELF magic alone is not enough', badMagic, Uint8Array.of(0x7f, 0x45, 0x4c), 'bytes 7f 45 4c');
