import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChild } from '../../../src/llvm-bridge/index.js';

const posix = process.platform === 'win32' ? test.skip : test;
const env = { PATH: process.env['PATH'] ?? '' };

posix('captures stdout and stderr as text, without the final newline by default', async (t) => {
  const result = await runChild('/bin/sh', ['-c', 'echo "a é"; echo b >&2; exit 3'], { env });
  t.like(result, { exitCode: 3, signal: undefined, failed: true, stdout: 'a é', stderr: 'b' });
  const kept = await runChild('/bin/sh', ['-c', 'echo a'], { env, stripFinalNewline: false });
  t.like(kept, { exitCode: 0, failed: false, stdout: 'a\n' });
});

posix('hands stdout over line by line, the last line without its newline too', async (t) => {
  const lines: string[] = [];
  const result = await runChild('/bin/sh', ['-c', 'printf "x\\ny\\n\\nz"'], {
    env,
    onStdoutLine: (line) => lines.push(line),
  });
  t.deepEqual(lines, ['x', 'y', '', 'z']);
  t.is(result.stdout, '');
});

posix('the environment is exactly the one given; stdin is closed by default', async (t) => {
  const result = await runChild('/bin/sh', ['-c', 'echo "[$HOME][$X]"; cat'], {
    env: { ...env, X: 'y' },
  });
  t.is(result.stdout, '[][y]');
  t.is(result.exitCode, 0);
});

posix('a signal is reported by name, with no exit code', async (t) => {
  const result = await runChild('/bin/sh', ['-c', 'kill -TERM $$'], { env });
  t.like(result, { exitCode: undefined, signal: 'SIGTERM', failed: true });
});

posix('a program that cannot start is an outcome with its errno code, never a throw', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cov-child-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const missing = await runChild(join(dir, 'nope'), [], { env });
  t.like(missing, { exitCode: undefined, signal: undefined, failed: true, code: 'ENOENT' });
  t.regex(missing.originalMessage!, /ENOENT/);
  const badCwd = await runChild('/bin/sh', ['-c', 'true'], { env, cwd: join(dir, 'gone') });
  t.like(badCwd, { exitCode: undefined, failed: true, code: 'ENOENT' });
  const badArg = await runChild('/bin/sh', ['a\u0000b'], { env });
  t.like(badArg, { exitCode: undefined, failed: true });
});
