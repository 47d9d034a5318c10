import test from 'ava';
import { bytesSource, CovError } from '../../../src/binary/index.js';
import { listSections, readCoverageSections } from '../../../src/object/index.js';
import { buildCoff, ByteWriter, counting } from './builders.js';

const covmap = counting(44);
const names = counting(22, 0x90);

const fails = (bytes: Uint8Array) => {
  try {
    readCoverageSections(bytesSource('bad.obj', bytes));
  } catch (error) {
    if (error instanceof CovError) return error;
    throw error;
  }
  throw new Error('expected a CovError');
};

test('COFF object: long names via the string table, covfun pieces padded to 8', (t) => {
  const a = counting(79, 0x10);
  const b = counting(37, 0x60);
  const built = buildCoff({
    sections: [
      { name: '.text', data: counting(16) },
      { name: '.lcovfun$M', data: a },
      { name: '.lcovfun$M', data: b },
      { name: '.lcovmap$M', data: covmap },
      { name: '.lprfn$M', data: names },
    ],
  });
  const got = readCoverageSections(bytesSource('a.obj', built.bytes));
  t.is(got.format, 'coff');
  t.is(got.pointerBytes, 8);
  t.true(got.littleEndian);
  const expected = new Uint8Array(80 + 40);
  expected.set(a, 0);
  expected.set(b, 80);
  t.deepEqual(got.covfun, {
    name: '.lcovfun$M',
    fileOffset: built.dataOffsets[1],
    bytes: expected,
    pieces: 2,
  });
  t.deepEqual(got.covmap, { name: '.lcovmap$M', fileOffset: built.dataOffsets[3], bytes: covmap });
  // An object's .lprfn keeps its first byte even though it is not NUL-prefixed.
  t.deepEqual(got.prfNames, { name: '.lprfn$M', fileOffset: built.dataOffsets[4], bytes: names });
  const table = listSections(bytesSource('a.obj', built.bytes));
  t.true(table.relocatable);
  t.deepEqual(
    table.sections.map((s) => s.name),
    ['.text', '.lcovfun$M', '.lcovfun$M', '.lcovmap$M', '.lprfn$M'],
  );
});

test('//BASE64 long names resolve too', (t) => {
  const built = buildCoff({
    base64Names: true,
    sections: [{ name: '.lcovmap$M', data: covmap }],
  });
  t.deepEqual(readCoverageSections(bytesSource('a.obj', built.bytes)).covmap?.bytes, covmap);
});

test('i386 COFF object has 4-byte addresses; 2-byte .lprfn marker sections are ignored', (t) => {
  const built = buildCoff({
    machine: 0x14c,
    sections: [
      { name: '.lprfn$A', data: Uint8Array.of(0, 0) },
      { name: '.lprfn$M', data: names },
    ],
  });
  const got = readCoverageSections(bytesSource('x.obj', built.bytes));
  t.is(got.pointerBytes, 4);
  t.is(got.prfNames?.name, '.lprfn$M');
});

test('linked PE image: VirtualSize bounds the data and .lprfn loses its leading NUL', (t) => {
  const lprfn = Uint8Array.from([0, ...names, 0]);
  const built = buildCoff({
    pe: true,
    sections: [
      { name: '.text', data: counting(16) },
      { name: '.lprfn', data: lprfn },
      { name: '.lcovmap', data: covmap },
    ],
  });
  const got = readCoverageSections(bytesSource('a.exe', built.bytes));
  t.deepEqual(got.prfNames, {
    name: '.lprfn',
    fileOffset: built.dataOffsets[1]! + 1,
    bytes: Uint8Array.from([...names, 0]),
  });
  t.deepEqual(got.covmap?.bytes, covmap);
  const table = listSections(bytesSource('a.exe', built.bytes));
  t.false(table.relocatable);
  t.is(table.sections[2]!.sizeBytes, covmap.length);
});

test('falls back to .lcovn when there is no .lprfn', (t) => {
  const built = buildCoff({ sections: [{ name: '.lcovn', data: names }] });
  t.deepEqual(readCoverageSections(bytesSource('c.obj', built.bytes)).prfNames?.bytes, names);
});

test('bigobj header is read (20-byte symbols before the string table)', (t) => {
  const sectionTable = 56;
  const data = sectionTable + 40;
  const stringTable = data + covmap.length;
  const w = new ByteWriter(true).u16(0).u16(0xffff).u16(2).u16(0x8664).u32(0);
  w.bytes([
    0xc7, 0xa1, 0xba, 0xd1, 0xee, 0xba, 0xa9, 0x4b, 0xaf, 0x20, 0xfa, 0xf6, 0x6a, 0xa4, 0xdc, 0xb8,
  ]);
  w.u32(0)
    .u32(0)
    .u32(0)
    .u32(0)
    .u32(1)
    .u32(stringTable - 20)
    .u32(1);
  w.ascii('/4', 8).u32(0).u32(0).u32(covmap.length).u32(data).u32(0).u32(0).u16(0).u16(0);
  w.u32(0x40000040).bytes(covmap);
  w.u32(4 + 11)
    .ascii('.lcovmap$M')
    .u8(0);
  const got = readCoverageSections(bytesSource('big.obj', w.finish()));
  t.deepEqual(got.covmap, { name: '.lcovmap$M', fileOffset: data, bytes: covmap });
});

test('MZ without a PE signature is E_BAD_MAGIC at e_lfanew', (t) => {
  const bytes = buildCoff({ pe: true, sections: [] }).bytes.slice();
  bytes[0x40] = 0x4e;
  const error = fails(bytes);
  t.is(error.code, 'E_BAD_MAGIC');
  t.is(error.byteOffset, 0x40);
});

test('section table past EOF is E_TRUNCATED at the table', (t) => {
  const built = buildCoff({ sections: [{ name: '.lcovmap$M', data: covmap }] });
  const error = fails(built.bytes.slice(0, 30));
  t.is(error.code, 'E_TRUNCATED');
  t.is(error.byteOffset, built.sectionTable);
});

test('a long name without a string table is E_MALFORMED at its header', (t) => {
  const built = buildCoff({ sections: [{ name: '.lcovmap$M', data: covmap }] });
  const bytes = built.bytes.slice();
  new DataView(bytes.buffer).setUint32(8, 0, true);
  const error = fails(bytes);
  t.is(error.code, 'E_MALFORMED');
  t.is(error.byteOffset, built.sectionTable);
});

test('a long name pointing outside the string table is E_MALFORMED', (t) => {
  const built = buildCoff({ sections: [{ name: '.lcovmap$M', data: covmap }] });
  const bytes = built.bytes.slice();
  bytes.set([0x2f, 0x39, 0x39, 0x39, 0, 0, 0, 0], built.sectionTable);
  const error = fails(bytes);
  t.is(error.code, 'E_MALFORMED');
  t.regex(error.message, /points outside the 15-byte string table/);
});

test('section data past EOF is E_TRUNCATED at PointerToRawData', (t) => {
  const built = buildCoff({
    sections: [
      { name: '.lcov', data: covmap },
      { name: '.lcovmap$M', data: covmap },
    ],
  });
  const bytes = built.bytes.slice();
  new DataView(bytes.buffer).setUint32(built.sectionTable + 40 + 20, bytes.length - 4, true);
  const error = fails(bytes);
  t.is(error.code, 'E_TRUNCATED');
  t.is(error.byteOffset, bytes.length - 4);
});
