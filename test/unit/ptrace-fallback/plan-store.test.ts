import test from 'ava';
import { linkSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  jobKey,
  loadStoredJob,
  storeJob,
  uniqueImagePaths,
} from '../../../src/ptrace-fallback/index.js';

const settings = {
  mode: 'oneshot',
  countLimit: 0,
  timeoutMs: 0,
  sessionDir: '/t/cov/ptrace-session',
};

test('jobKey depends on the plan keys, their order and every setting', (t) => {
  const key = jobKey(['a', 'b'], settings);
  t.is(jobKey(['a', 'b'], { ...settings }), key);
  t.not(jobKey(['b', 'a'], settings), key);
  t.not(jobKey(['a'], settings), key);
  t.not(jobKey(['a', 'b'], { ...settings, mode: 'count' }), key);
  t.not(jobKey(['a', 'b'], { ...settings, countLimit: 10 }), key);
  t.not(jobKey(['a', 'b'], { ...settings, timeoutMs: 1000 }), key);
  t.not(jobKey(['a', 'b'], { ...settings, sessionDir: '/u' }), key);
});

test('a stored job comes back; storing another replaces it; junk reads as absent', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cov-jobs-'));
  try {
    const job = {
      job: new Uint8Array([1, 2, 3]),
      index: new Uint8Array([4]),
      breakpoints: 7,
      images: 2,
    };
    t.is(loadStoredJob(dir, 'k1'), undefined);
    storeJob(dir, 'k1', job);
    const stored = loadStoredJob(dir, 'k1')!;
    t.deepEqual([...stored.job], [1, 2, 3]);
    t.deepEqual([...stored.index], [4]);
    t.deepEqual([stored.breakpoints, stored.images], [7, 2]);
    storeJob(dir, 'k2', { ...job, breakpoints: 8 });
    t.is(loadStoredJob(dir, 'k1'), undefined);
    t.is(loadStoredJob(dir, 'k2')!.breakpoints, 8);
    t.deepEqual(readdirSync(join(dir, 'jobs')), ['k2.msgpack']);
    writeFileSync(join(dir, 'jobs', 'k3.msgpack'), 'not msgpack');
    t.is(loadStoredJob(dir, 'k3'), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('uniqueImagePaths keeps the first path of each file (hard links are one file)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cov-unique-'));
  try {
    const a = join(dir, 'a-1234');
    const b = join(dir, 'b');
    writeFileSync(a, 'x');
    writeFileSync(b, 'y');
    linkSync(a, join(dir, 'a'));
    t.deepEqual(uniqueImagePaths([a, b, join(dir, 'a'), b, join(dir, 'missing')]), [
      a,
      b,
      join(dir, 'missing'),
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
