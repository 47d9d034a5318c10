import test from 'ava';
import { CovError } from '../../../src/binary/index.js';
import { detectProfileMagic, readProfile } from '../../../src/profraw/index.js';
import { buildProfdata, buildRawProfile, hexBytes } from './profile-builder.js';

const functions = [{ name: 'f', funcHash: 1n, counters: [4n] }];

const dispatch = test.macro((t, bytes: Uint8Array, format: 'profraw' | 'profdata') => {
  const file = readProfile(bytes, 'any');
  t.is(file.format, format);
  t.deepEqual([...(file.records[0]?.counts ?? [])], [4n]);
});
test('raw 64-bit LE', dispatch, buildRawProfile({ version: 10, functions }), 'profraw');
test(
  'raw 32-bit LE',
  dispatch,
  buildRawProfile({ version: 10, pointerBytes: 4, functions }),
  'profraw',
);
test(
  'raw 64-bit BE',
  dispatch,
  buildRawProfile({ version: 10, littleEndian: false, functions }),
  'profraw',
);
test(
  'raw 32-bit BE',
  dispatch,
  buildRawProfile({ version: 9, pointerBytes: 4, littleEndian: false, functions }),
  'profraw',
);
test(
  'indexed',
  dispatch,
  buildProfdata({
    version: 13,
    functions: [{ name: 'f', records: [{ funcHash: 1n, counts: [4] }] }],
  }).bytes,
  'profdata',
);

test('magic detection (spec §2.1, §3)', (t) => {
  t.deepEqual(detectProfileMagic(hexBytes('8172666f72706cff')), {
    kind: 'raw',
    pointerBytes: 8,
    littleEndian: true,
  });
  t.deepEqual(detectProfileMagic(hexBytes('8152666f72706cff')), {
    kind: 'raw',
    pointerBytes: 4,
    littleEndian: true,
  });
  t.deepEqual(detectProfileMagic(hexBytes('ff6c70726f667281')), {
    kind: 'raw',
    pointerBytes: 8,
    littleEndian: false,
  });
  t.deepEqual(detectProfileMagic(hexBytes('ff6c70726f665281')), {
    kind: 'raw',
    pointerBytes: 4,
    littleEndian: false,
  });
  t.deepEqual(detectProfileMagic(hexBytes('ff6c70726f666981')), { kind: 'indexed' });
  t.is(detectProfileMagic(hexBytes('8169666f72706cff')), undefined); // indexed is never byte-swapped
  t.is(detectProfileMagic(hexBytes('8172666f72706c')), undefined);
});

test('unknown magic: E_BAD_MAGIC naming the 8 bytes found and every expected magic', (t) => {
  const error = t.throws(() => readProfile(Buffer.from('GIF89a..........'), 'pic.profraw'), {
    instanceOf: CovError,
  });
  t.is(error.code, 'E_BAD_MAGIC');
  t.is(error.byteOffset, 0);
  t.is(error.source, 'pic.profraw');
  t.true(error.message.includes('magic bytes 47 49 46 38 39 61 2e 2e'), error.message);
  for (const expected of [
    '81 72 66 6f 72 70 6c ff',
    '81 52 66 6f 72 70 6c ff',
    'ff 6c 70 72 6f 66 69 81',
  ]) {
    t.true(error.message.includes(expected), expected);
  }
});

test('a file shorter than a magic is E_TRUNCATED', (t) => {
  const error = t.throws(() => readProfile(new Uint8Array(3), 'empty.profraw'), {
    instanceOf: CovError,
  });
  t.is(error.code, 'E_TRUNCATED');
  t.is(error.byteOffset, 0);
});
