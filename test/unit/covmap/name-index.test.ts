import test from 'ava';
import { decodePrfNames, md5Hash64 } from '../../../src/binary/index.js';
import { buildNameIndex, resolveNames } from '../../../src/covmap/index.js';
import { md5Low64 } from '../../../src/binary/index.js';
import { Bytes, prfNamesBlob } from './bytes.js';

test('fast MD5-64 equals md5Hash64 around every block boundary', (t) => {
  const digest = new Uint32Array(2);
  const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 0xff);
  for (let length = 0; length <= 260; length++) {
    // Odd start offsets too: names sit anywhere in a buffer.
    const start = length % 3;
    md5Low64(bytes, start, start + length, digest);
    const fast = (BigInt(digest[1]!) << 32n) | BigInt(digest[0]!);
    if (fast !== md5Hash64(bytes.subarray(start, start + length))) t.fail(`length ${length}`);
  }
  t.pass();
});

const NAMES = [
  '_RNvCs32gj3y4fnmh_4main8classify',
  '_RNvCs32gj3y4fnmh_4main4main',
  '_RINvCs32gj3y4fnmh_4main5totalpEB2_',
  'm.c:unused_inline',
  'ünïcödé_ƒn',
  'x'.repeat(700),
];

function namesSection(): Uint8Array {
  return new Bytes()
    .bytes(prfNamesBlob(NAMES.slice(0, 3), true))
    .zeros(5)
    .bytes(prfNamesBlob(NAMES.slice(3), false))
    .build();
}

test('buildNameIndex keys every name by its NameRef', (t) => {
  const index = buildNameIndex(namesSection(), 'names');
  const expected = new Map(
    decodePrfNames(namesSection(), 'names').map((name) => [md5Hash64(name), name]),
  );
  t.deepEqual(index, expected);
  t.is(index.size, NAMES.length);
  // spec/formats.md §1
  t.is(index.get(0x4ba699ee837533fcn), '_RNvCs32gj3y4fnmh_4main8classify');
});

test('resolveNames returns only the wanted names that exist', (t) => {
  const wanted = [
    md5Hash64(NAMES[4]!),
    md5Hash64(NAMES[1]!),
    md5Hash64('not there'),
    md5Hash64(NAMES[1]!),
  ];
  const found = resolveNames(namesSection(), 'names', wanted);
  t.deepEqual(
    found,
    new Map([
      [md5Hash64(NAMES[1]!), NAMES[1]!],
      [md5Hash64(NAMES[4]!), NAMES[4]!],
    ]),
  );
  t.is(resolveNames(namesSection(), 'names', []).size, 0);
});

test('resolveNames tells apart refs that share their low 32 bits', (t) => {
  const real = md5Hash64(NAMES[0]!);
  const twin = real ^ (1n << 40n);
  const found = resolveNames(namesSection(), 'names', new Set([twin, real]));
  t.deepEqual([...found], [[real, NAMES[0]!]]);
});
