import test from 'ava';
import { CovError, decompressZstd } from '../../../src/binary/index.js';

/**
 * One zstd frame holding `data` in a single raw block (RFC 8878 §3.1.1): magic, frame header
 * descriptor 0x20 (Single_Segment_flag, 1-byte Frame_Content_Size), the size, then a block
 * header (Last_Block = 1, Block_Type = Raw_Block, Block_Size) and the bytes.
 */
function rawFrame(data: readonly number[]): number[] {
  const blockHeader = 1 | (data.length << 3);
  return [
    0x28,
    0xb5,
    0x2f,
    0xfd,
    0x20,
    data.length,
    blockHeader & 0xff,
    (blockHeader >> 8) & 0xff,
    (blockHeader >> 16) & 0xff,
    ...data,
  ];
}

const where = { source: 'obj', byteOffset: 0x40, what: 'section .debug_info' };

test('decompressZstd: several frames concatenated (lld writes one per shard) decompress to their concatenation', (t) => {
  const a = [1, 2, 3, 4, 5];
  const b = [9, 8, 7];
  const out = decompressZstd(Uint8Array.from([...rawFrame(a), ...rawFrame(b)]), 8, where);
  t.deepEqual([...out], [...a, ...b]);
});

test('decompressZstd: a size other than expected is E_MALFORMED naming the section', (t) => {
  const error = t.throws(() => decompressZstd(Uint8Array.from(rawFrame([1, 2])), 3, where), {
    instanceOf: CovError,
  });
  t.is(error.code, 'E_MALFORMED');
  t.is(error.byteOffset, 0x40);
  t.regex(error.message, /section \.debug_info: zstd data decompresses to 2 bytes, expected 3/);
});
