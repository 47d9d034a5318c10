import test from 'ava';
import { readCovfunSection } from '../../../src/covmap/index.js';
import { Bytes, covfunRecord, hex } from './bytes.js';
import { workedCovfun } from './worked-example.js';

test('spec §4.7: classify at 0x128, the unused record at 0x170, last record unpadded', (t) => {
  const section = workedCovfun();
  t.is(section.length, 0x1a9);
  const { records, warnings } = readCovfunSection(section, 'main: __llvm_covfun', {
    littleEndian: true,
  });
  t.deepEqual(warnings, []);
  t.is(records.length, 2);
  const [classify, unused] = records;
  t.is(classify!.nameRef, 0x4ba699ee837533fcn);
  t.is(classify!.funcHash, 0xe68e11ca81bd8ea1n);
  t.is(classify!.filenamesRef, 0x957de8c2482cd14en);
  t.is(classify!.byteOffset, 0x128);
  t.is(classify!.mappingByteOffset, 0x128 + 28);
  t.is(classify!.mappingBytes.length, 38);
  t.deepEqual(Array.from(classify!.mappingBytes.subarray(0, 7)), [1, 1, 2, 1, 7, 5, 9]);
  t.is(unused!.nameRef, 0x2ef494b379ae1cb9n);
  t.is(unused!.funcHash, 0n);
  t.is(unused!.byteOffset, 0x170);
  t.is(unused!.mappingBytes.length, 0x1d);
});

test('byteOffset includes baseOffset; alignment stays relative to the section start', (t) => {
  const { records } = readCovfunSection(workedCovfun(), 'covfun', {
    littleEndian: true,
    baseOffset: 0x3003,
  });
  t.deepEqual(
    records.map((r) => r.byteOffset),
    [0x3003 + 0x128, 0x3003 + 0x170],
  );
});

test('big-endian headers', (t) => {
  const out = new Bytes(false);
  covfunRecord(out, {
    nameRef: 0x0102030405060708n,
    funcHash: 0x1112131415161718n,
    filenamesRef: 0xa1a2a3a4a5a6a7a8n,
    mapping: hex('01 00 00 00'),
  });
  const { records } = readCovfunSection(out.build(), 'covfun', { littleEndian: false });
  t.deepEqual(
    records.map((r) => [r.nameRef, r.funcHash, r.filenamesRef, Array.from(r.mappingBytes)]),
    [[0x0102030405060708n, 0x1112131415161718n, 0xa1a2a3a4a5a6a7a8n, [1, 0, 0, 0]]],
  );
});

test('fewer than 28 bytes left ends the section; zero padding between records is skipped', (t) => {
  const out = new Bytes();
  covfunRecord(out, { nameRef: 1n, funcHash: 2n, filenamesRef: 3n, mapping: hex('01 00 00 00') });
  out.zeros(40);
  covfunRecord(out, {
    nameRef: 4n,
    funcHash: 5n,
    filenamesRef: 6n,
    mapping: hex('01 00 00 00 00'),
  });
  out.bytes(new Array<number>(27).fill(0xee));
  const { records, warnings } = readCovfunSection(out.build(), 'covfun', { littleEndian: true });
  t.deepEqual(
    records.map((r) => [r.nameRef, r.byteOffset]),
    [
      [1n, 0],
      [4n, 72],
    ],
  );
  t.deepEqual(warnings, []);
});

test('a record whose DataSize runs past the section: warning at its offset, earlier records kept', (t) => {
  const out = new Bytes();
  covfunRecord(out, { nameRef: 1n, funcHash: 2n, filenamesRef: 3n, mapping: hex('01 00 00 00') });
  covfunRecord(out, { nameRef: 4n, funcHash: 5n, filenamesRef: 6n, mapping: hex('01 00 00 00') });
  const cut = out.length;
  out.u64(7n).u32(100).u64(8n).u64(9n).bytes(1, 0, 0, 0);
  const { records, warnings } = readCovfunSection(out.build(), 'main: __llvm_covfun', {
    littleEndian: true,
    baseOffset: 0x500,
  });
  t.deepEqual(
    records.map((r) => r.nameRef),
    [1n, 4n],
  );
  t.is(warnings.length, 1);
  const [warning] = warnings;
  t.is(warning!.code, 'E_TRUNCATED');
  t.is(warning!.source, 'main: __llvm_covfun');
  t.is(warning!.byteOffset, 0x500 + cut);
  t.true(
    warning!.message.startsWith(
      `main: __llvm_covfun: at 0x${(0x500 + cut).toString(16)}: covfun record 2`,
    ),
  );
});
