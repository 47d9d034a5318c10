import test from 'ava';
import { ByteReader, CovError, md5Hash64 } from '../../../src/binary/index.js';

const reader = (bytes: number[], littleEndian = true) =>
  new ByteReader(Uint8Array.from(bytes), { source: 'test.bin', littleEndian, baseOffset: 0x100 });

test('reads LE and BE integers', (t) => {
  t.is(reader([1, 2, 3, 4]).u32('x'), 0x04030201);
  t.is(reader([1, 2, 3, 4], false).u32('x'), 0x01020304);
  t.is(reader([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).u64('x'), 2n ** 64n - 1n);
});

test('truncated read names source, absolute offset and need', (t) => {
  const r = reader([1, 2, 3]);
  r.u8('first');
  const error = t.throws(() => r.u32('data record 3'), { instanceOf: CovError });
  t.is(error.code, 'E_TRUNCATED');
  t.is(error.byteOffset, 0x101);
  t.is(error.message, 'test.bin: at 0x101: data record 3: needs 4 bytes, 2 left');
});

const uleb = test.macro((t, bytes: number[], expected: number) => {
  t.is(reader(bytes).uleb('v'), expected);
});
test('uleb 0', uleb, [0], 0);
test('uleb 127', uleb, [0x7f], 127);
test('uleb 624485', uleb, [0xe5, 0x8e, 0x26], 624485);
test('uleb gap column (bit 31)', uleb, [0x93, 0x80, 0x80, 0x80, 0x08], 0x80000013);

test('overlong uleb is E_MALFORMED at its start', (t) => {
  const error = t.throws(() => reader(Array(11).fill(0x80)).uleb('v'), { instanceOf: CovError });
  t.is(error.code, 'E_MALFORMED');
  t.is(error.byteOffset, 0x100);
});

test('uleb cut off is E_TRUNCATED', (t) => {
  const error = t.throws(() => reader([0x80, 0x80]).uleb('v'), { instanceOf: CovError });
  t.is(error.code, 'E_TRUNCATED');
});

test('md5-64 matches the spec example NameRef', (t) => {
  // spec/formats.md §1: MD5("_RNvCs32gj3y4fnmh_4main8classify") → NameRef 0x4ba699ee837533fc
  t.is(md5Hash64('_RNvCs32gj3y4fnmh_4main8classify'), 0x4ba699ee837533fcn);
});
