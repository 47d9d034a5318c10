import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { writeFileAtomic } from '../../../src/cli/output.js';

test('a regular file is replaced atomically and keeps no temporary file', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cov-output-'));
  const file = path.join(dir, 'out.lcov');
  writeFileSync(file, 'old');
  writeFileAtomic(file, 'new');
  t.is(readFileSync(file, 'utf8'), 'new');
  t.deepEqual(execFileSync('ls', [dir], { encoding: 'utf8' }).trim().split('\n'), ['out.lcov']);
});

test('a FIFO (like /dev/null, a device) is written in place, not renamed over', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cov-output-'));
  const fifo = path.join(dir, 'pipe');
  execFileSync('mkfifo', [fifo]);
  // a reader in another process, started before the (blocking) write opens the FIFO
  const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'inherit'] });
  const received = new Promise<string>((resolve, reject) => {
    let text = '';
    reader.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    reader.on('close', () => resolve(text));
    reader.on('error', reject);
  });
  await new Promise((resolve) => reader.on('spawn', resolve));
  writeFileAtomic(fifo, 'report text');
  t.is(await received, 'report text');
  t.true(statSync(fifo).isFIFO(), 'the FIFO is still a FIFO');
});
