import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CovError } from '../../../src/binary/index.js';
import { openFileByteSource } from '../../../src/llvm-bridge/index.js';

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'cov-bytes-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('reads exactly the requested ranges', (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'bin');
  const bytes = Uint8Array.from({ length: 300_000 }, (_, i) => i % 251);
  writeFileSync(path, bytes);
  const source = openFileByteSource(path);
  t.teardown(() => source.close());
  t.is(source.name, path);
  t.is(source.sizeBytes, 300_000);
  t.deepEqual(source.read(0, 4), Uint8Array.from([0, 1, 2, 3]));
  t.deepEqual(source.read(250, 3), Uint8Array.from([250, 0, 1]));
  t.deepEqual(source.read(100_000, 150_000), bytes.subarray(100_000, 250_000));
  t.is(source.read(300_000, 0).length, 0);
});

test('a range past the end is E_TRUNCATED with the offset', (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'small');
  writeFileSync(path, Uint8Array.from([1, 2, 3]));
  const source = openFileByteSource(path);
  t.teardown(() => source.close());
  const error = t.throws(() => source.read(2, 4), { instanceOf: CovError });
  t.is(error.code, 'E_TRUNCATED');
  t.is(error.byteOffset, 2);
  t.is(error.source, path);
});

test('ENOENT is E_IO with a clear message naming the path', (t) => {
  const path = join(tempDir(t), 'missing-binary');
  const error = t.throws(() => openFileByteSource(path), { instanceOf: CovError });
  t.is(error.code, 'E_IO');
  t.is(error.message, `${path}: cannot open: no such file or directory`);
});

test('a directory is E_IO', (t) => {
  const dir = tempDir(t);
  const error = t.throws(() => openFileByteSource(dir), { instanceOf: CovError });
  t.is(error.code, 'E_IO');
  t.regex(error.message, /is a directory/);
});

test('reading after close is E_IO; closing twice is harmless', (t) => {
  const path = join(tempDir(t), 'f');
  writeFileSync(path, 'abc');
  const source = openFileByteSource(path);
  source.close();
  source.close();
  const error = t.throws(() => source.read(0, 1), { instanceOf: CovError });
  t.is(error.code, 'E_IO');
});
