import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CovError } from '../../../src/binary/index.js';
import { runProgram } from '../../../src/llvm-bridge/index.js';

const posix = process.platform === 'win32' ? test.skip : test;
const env = { PATH: process.env['PATH'] ?? '', GREETING: 'hi' };

posix('returns a non-zero exit code instead of throwing, with captured output', async (t) => {
  const result = await runProgram(
    '/bin/sh',
    ['-c', 'echo "$GREETING $1"; echo oops >&2; exit 3', 'sh', 'there'],
    env,
    {
      stdio: 'pipe',
    },
  );
  t.deepEqual(result, {
    exitCode: 3,
    signal: undefined,
    passed: false,
    stdout: 'hi there\n',
    stderr: 'oops\n',
  });
});

posix('env is the complete environment', async (t) => {
  const result = await runProgram(
    '/bin/sh',
    ['-c', 'echo "[$HOME]"'],
    { PATH: env.PATH },
    { stdio: 'pipe' },
  );
  t.is(result.stdout, '[]\n');
  t.true(result.passed);
});

posix('a signal is reported by name', async (t) => {
  const result = await runProgram('/bin/sh', ['-c', 'kill -SEGV $$'], env, { stdio: 'pipe' });
  t.is(result.exitCode, undefined);
  t.is(result.signal, 'SIGSEGV');
  t.false(result.passed);
});

posix('a missing program or working directory is E_IO', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cov-run-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const missing = await t.throwsAsync(runProgram(join(dir, 'nope'), [], env), {
    instanceOf: CovError,
  });
  t.is(missing.code, 'E_IO');
  t.regex(missing.message, /not found/);
  const badCwd = await t.throwsAsync(
    runProgram('/bin/sh', ['-c', 'true'], env, { cwd: join(dir, 'gone') }),
    {
      instanceOf: CovError,
    },
  );
  t.is(badCwd.code, 'E_IO');
  t.regex(badCwd.message, /working directory does not exist/);
});
