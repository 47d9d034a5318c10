import test from 'ava';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CovError } from '../../../src/binary/index.js';
import {
  buildBin,
  buildTests,
  readCargoMetadata,
  runTests,
} from '../../../src/llvm-bridge/index.js';

const posix = process.platform === 'win32' ? test.skip : test;

const METADATA = JSON.stringify({
  packages: [],
  workspace_members: [],
  target_directory: '/w/target/cov',
  workspace_root: '/w',
});

function artifact(options: {
  pkg: string;
  target: string;
  kind: string;
  test: boolean;
  executable: string | null;
  fresh?: boolean;
}): string {
  return JSON.stringify({
    reason: 'compiler-artifact',
    package_id: `path+file:///w/${options.pkg}#${options.pkg}@1.2.3`,
    manifest_path: `/w/${options.pkg}/Cargo.toml`,
    target: { kind: [options.kind], name: options.target },
    profile: { test: options.test },
    filenames: [],
    executable: options.executable,
    fresh: options.fresh ?? false,
  });
}

const BUILD_OUTPUT = [
  artifact({ pkg: 'dep', target: 'dep', kind: 'lib', test: false, executable: null, fresh: true }),
  artifact({
    pkg: 'app',
    target: 'build-script-build',
    kind: 'custom-build',
    test: false,
    executable: '/w/t/build/app-1/build-script-build',
  }),
  artifact({ pkg: 'app', target: 'app', kind: 'lib', test: false, executable: null }),
  artifact({
    pkg: 'app',
    target: 'app',
    kind: 'lib',
    test: true,
    executable: '/w/t/debug/deps/app-aaaa',
  }),
  'plain text a build script printed',
  artifact({
    pkg: 'app',
    target: 'it',
    kind: 'test',
    test: true,
    executable: '/w/t/debug/deps/it-bbbb',
  }),
  artifact({ pkg: 'app', target: 'app', kind: 'bin', test: false, executable: '/w/t/debug/app' }),
  artifact({
    pkg: 'app',
    target: 'demo',
    kind: 'example',
    test: false,
    executable: '/w/t/debug/examples/demo',
  }),
  '{"reason":"build-finished","success":true}',
];

/**
 * A fake `cargo` (shell script, used through $CARGO) that records its arguments, answers
 * `metadata` with METADATA and prints BUILD_OUTPUT for other subcommands.
 */
function fakeCargo(
  t: { teardown(fn: () => void): void },
  exitCode = 0,
): { env: Record<string, string>; argsFile: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cov-fake-cargo-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const argsFile = join(dir, 'args');
  writeFileSync(join(dir, 'metadata.json'), METADATA);
  writeFileSync(join(dir, 'build.jsonl'), `${BUILD_OUTPUT.join('\n')}\n`);
  const script = join(dir, 'cargo');
  writeFileSync(
    script,
    `#!/bin/sh
printf '%s\\n' "$*" >> '${argsFile}'
if [ "$1" = metadata ]; then cat '${dir}/metadata.json'; exit 0; fi
cat '${dir}/build.jsonl'
echo '   Compiling app v1.2.3 (/w/app)' >&2
echo 'error: something broke' >&2
exit ${exitCode}
`,
  );
  chmodSync(script, 0o755);
  return { env: { PATH: process.env['PATH'] ?? '', CARGO: script }, argsFile, dir };
}

posix(
  'buildTests keeps test executables, reports progress once per compiled package',
  async (t) => {
    const { env, argsFile, dir } = fakeCargo(t);
    const progress: string[] = [];
    const result = await buildTests({
      env,
      cwd: dir,
      manifestPath: '/w/Cargo.toml',
      cargoArgs: ['-p', 'app'],
      onProgress: (message) => progress.push(message),
    });
    t.deepEqual(result.binaries, ['/w/t/debug/deps/app-aaaa', '/w/t/debug/deps/it-bbbb']);
    t.is(result.artifacts.length, 7);
    t.is(result.workspaceRoot, '/w');
    t.is(result.targetDir, '/w/target/cov');
    t.deepEqual(progress, ['Compiling app v1.2.3']);
    t.deepEqual(readFileSync(argsFile, 'utf8').trim().split('\n'), [
      'metadata --no-deps --format-version 1 --manifest-path /w/Cargo.toml',
      'test --no-run --message-format=json-render-diagnostics --manifest-path /w/Cargo.toml -p app',
    ]);
  },
);

posix('buildBin keeps bin and example executables, not build scripts or tests', async (t) => {
  const { env, dir } = fakeCargo(t);
  const result = await buildBin({ env, cwd: dir });
  t.deepEqual(result.binaries, ['/w/t/debug/app', '/w/t/debug/examples/demo']);
});

posix('a failed build is E_PROCESS with the diagnostics but not the status lines', async (t) => {
  const { env, dir } = fakeCargo(t, 101);
  const error = await t.throwsAsync(buildTests({ env, cwd: dir }), { instanceOf: CovError });
  t.is(error.code, 'E_PROCESS');
  t.is(
    error.message,
    '`cargo test --no-run --message-format=json-render-diagnostics` failed (exit code 101):\nerror: something broke',
  );
});

posix('runTests puts cargo args before -- and test args after it', async (t) => {
  const { env, argsFile, dir } = fakeCargo(t, 101);
  const result = await runTests({
    env,
    cwd: dir,
    cargoArgs: ['--no-fail-fast'],
    testArgs: ['--test-threads=1', 'filter'],
    stdio: 'pipe',
  });
  t.is(result.exitCode, 101);
  t.false(result.passed);
  await runTests({
    env,
    cwd: dir,
    cargoArgs: ['--', '--nocapture'],
    testArgs: ['x'],
    stdio: 'pipe',
  });
  await runTests({ env, cwd: dir, stdio: 'pipe' });
  t.deepEqual(readFileSync(argsFile, 'utf8').trim().split('\n'), [
    'test --no-fail-fast -- --test-threads=1 filter',
    'test -- --nocapture x',
    'test',
  ]);
});

test('--message-format in cargoArgs is E_USAGE', async (t) => {
  for (const flag of [['--message-format', 'json'], ['--message-format=short']]) {
    const error = await t.throwsAsync(buildTests({ env: {}, cwd: '.', cargoArgs: flag }), {
      instanceOf: CovError,
    });
    t.is(error.code, 'E_USAGE');
  }
});

test('a missing cargo is E_TOOLCHAIN', async (t) => {
  const env = { PATH: '', CARGO: join(tmpdir(), 'cov-no-such-dir', 'cargo') };
  const metadata = await t.throwsAsync(readCargoMetadata({ env, cwd: tmpdir() }), {
    instanceOf: CovError,
  });
  t.is(metadata.code, 'E_TOOLCHAIN');
  t.regex(metadata.message, /cargo` not found; install Rust/);
  const run = await t.throwsAsync(runTests({ env, cwd: tmpdir(), stdio: 'pipe' }), {
    instanceOf: CovError,
  });
  t.is(run.code, 'E_TOOLCHAIN');
});
