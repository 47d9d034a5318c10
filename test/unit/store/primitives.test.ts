import test from 'ava';
import { crc32 } from '../../../src/store/crc32.js';
import { compressLz4Block, decompressLz4Block } from '../../../src/store/lz4-block.js';
import { VarintError, VarintReader, VarintWriter } from '../../../src/store/varint.js';
import { bytesToU64s, u64sToBytes } from '../../../src/store/u64-bytes.js';
import { decodeDatabase, encodeDatabase } from '../../../src/store/database-codec.js';
import { functionDatabase } from '../../../src/store/index.js';

test('crc32 gives the IEEE check value 0xCBF43926 for "123456789"', (t) => {
  t.is(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  t.is(crc32(new Uint8Array(0)), 0);
});

test('lz4 blocks round-trip and a damaged block is refused, never over-read', (t) => {
  const input = new Uint8Array(5000);
  for (let i = 0; i < input.length; i++) input[i] = (i % 97) & (i >> 6);
  const block = compressLz4Block(input);
  if (block === undefined) {
    t.fail('repetitive input did not compress');
    return;
  }
  t.true(block.length < input.length);
  t.deepEqual(decompressLz4Block(block, input.length), input);
  t.is(decompressLz4Block(block, input.length + 1), undefined, 'wrong size');
  t.is(decompressLz4Block(block.subarray(0, block.length - 3), input.length), undefined);
  // a match offset pointing before the start of the output
  t.is(decompressLz4Block(Uint8Array.of(0x10, 0x41, 0x09, 0x00), 10), undefined);
});

test('incompressible input is left uncompressed', (t) => {
  const random = new Uint8Array(300);
  let x = 12345;
  for (let i = 0; i < random.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    random[i] = x >>> 24;
  }
  t.is(compressLz4Block(random), undefined);
});

test('varints round-trip unsigned, signed and u32 values; overlong and short streams throw', (t) => {
  const writer = new VarintWriter();
  const unsigned = [0, 1, 127, 128, 0xffffffff, 2 ** 52];
  const signed = [0, -1, 1, -0xffffffff, 0xffffffff];
  for (const v of unsigned) writer.writeUnsigned(v);
  for (const v of signed) writer.writeSigned(v);
  const reader = new VarintReader(writer.finish());
  t.deepEqual(
    unsigned.map(() => reader.readUnsigned()),
    unsigned,
  );
  t.deepEqual(
    signed.map(() => reader.readSigned()),
    signed,
  );
  t.true(reader.done);
  t.throws(() => reader.readUnsigned(), { instanceOf: VarintError, message: /ends at byte/ });
  t.throws(() => new VarintReader(new Uint8Array(9).fill(0x80)).readUnsigned(), {
    instanceOf: VarintError,
    message: /overlong/,
  });
  const big = new VarintWriter();
  big.writeUnsigned(2 ** 32);
  t.throws(() => new VarintReader(big.finish()).readU32(), { instanceOf: VarintError });
});

test('u64 blobs inside a larger Node Buffer decode to just their own words', (t) => {
  // msgpack hands back bin fields as Buffer views into the file; Buffer#slice shares memory
  const file = Buffer.alloc(64, 0xff);
  file.writeBigUInt64LE(7n, 8);
  t.deepEqual([...bytesToU64s(file.subarray(8, 16))], [7n]);
  t.is(bytesToU64s(file.subarray(16, 16)).length, 0);
  t.deepEqual([...bytesToU64s(u64sToBytes([1n, 2n ** 64n - 1n]))], [1n, 2n ** 64n - 1n]);
});

test('a breakpoint-engine database (empty profile record) reads back without warnings', (t) => {
  const db = functionDatabase([], {
    toolVersion: 't',
    createdAt: '2026-01-01T00:00:00Z',
    argv: [],
    objects: [],
    profiles: [],
  });
  // read from a Buffer, as readDatabaseFile does, so small records are views into it
  const decoded = decodeDatabase(Buffer.from(encodeDatabase(db)), 'x.covdb');
  t.deepEqual(decoded.warnings, []);
  t.is(decoded.database.metadata.engine, 'ptrace');
});
