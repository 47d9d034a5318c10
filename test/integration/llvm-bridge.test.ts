/**
 * llvm-bridge against a real cargo: builds test/fixtures/crates/bridge-smoke with instrumentation
 * (in a temp copy with a temp target dir, so the repository stays clean), runs its tests and
 * program, and checks the binaries and profiles that come out. Skips when cargo is missing or the
 * toolchain has no profiler runtime.
 */
import test from 'ava';
import { cpSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { CovError } from '../../src/binary/index.js';
import {
  buildBin,
  buildTests,
  checkInstrumentationSupport,
  clearOwnProfiles,
  detectToolchain,
  expectedRawProfileVersion,
  instrumentationEnv,
  kindByMagic8,
  listProfiles,
  openFileByteSource,
  runProgram,
  runTests,
  type ToolchainInfo,
} from '../../src/llvm-bridge/index.js';

const FIXTURE = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'fixtures',
  'crates',
  'bridge-smoke',
);

/** Why the tests cannot run here, or undefined when they can. */
async function skipReason(): Promise<string | undefined> {
  const cargo = await execa('cargo', ['--version'], { reject: false });
  if (cargo.exitCode !== 0) return 'cargo is not installed (needs a Rust toolchain via rustup)';
  try {
    const support = checkInstrumentationSupport(await detectToolchain());
    return support.ok ? undefined : support.reason;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

const reason = await skipReason();

// a skipped test whose title carries the reason, so the run counts it as skipped and says why
if (reason !== undefined) test.skip(`llvm-bridge integration skipped: ${reason}`, () => {});

const integration = reason === undefined ? test.serial : test.skip;

interface Setup {
  readonly root: string;
  readonly crateDir: string;
  readonly targetDir: string;
  readonly profrawDir: string;
  readonly env: Record<string, string>;
  readonly toolchain: ToolchainInfo;
}

/** A temp copy of the fixture crate and the instrumented environment for it. */
async function setUp(t: { teardown(fn: () => void): void }, name: string): Promise<Setup> {
  const root = realpathSync(mkdtempSync(join(tmpdir(), `cov-bridge-${name}-`)));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const crateDir = join(root, 'bridge-smoke');
  cpSync(FIXTURE, crateDir, { recursive: true });
  const targetDir = join(crateDir, 'target', 'cov');
  const profrawDir = join(targetDir, 'profraw');
  const baseEnv: NodeJS.ProcessEnv = { ...process.env, CARGO_NET_OFFLINE: 'true' };
  delete baseEnv['BRIDGE_SMOKE_FAIL'];
  const toolchain = await detectToolchain({ cwd: crateDir, env: baseEnv });
  const env = instrumentationEnv({
    targetDir,
    profrawDir,
    baseEnv,
    channel: toolchain.channel,
    profileName: 'bridge-smoke',
  });
  return { root, crateDir, targetDir, profrawDir, env, toolchain };
}

const PROFRAW_NAME = /^bridge-smoke-\d+-\d+_\d+\.profraw$/;

integration(
  'builds instrumented tests, runs them, writes profiles; failures are results',
  async (t) => {
    const setup = await setUp(t, 'tests');
    const { crateDir, targetDir, profrawDir, env } = setup;

    const progress: string[] = [];
    const build = await buildTests({ env, cwd: crateDir, onProgress: (m) => progress.push(m) });
    t.is(build.workspaceRoot, crateDir);
    t.is(build.targetDir, targetDir);
    t.deepEqual(progress, ['Compiling bridge-smoke v0.1.0']);
    t.is(build.binaries.length, 2, build.binaries.join('\n'));
    t.deepEqual(build.binaries.map((path) => basename(path).replace(/-[0-9a-f]+$/, '')).sort(), [
      'bridge_smoke',
      'it',
    ]);
    for (const binary of build.binaries) {
      t.true(binary.startsWith(targetDir), binary);
      // Instrumented binaries carry the coverage mapping sections; read through the file source.
      const source = openFileByteSource(binary);
      try {
        const bytes = Buffer.from(source.read(0, source.sizeBytes));
        t.true(bytes.includes('__llvm_covfun'), `${binary} has no __llvm_covfun`);
        t.true(bytes.includes('__llvm_prf_cnts'), `${binary} has no __llvm_prf_cnts`);
      } finally {
        source.close();
      }
    }

    const passing = await runTests({ env, cwd: crateDir, stdio: 'pipe' });
    t.true(passing.passed, passing.stderr);
    t.is(passing.exitCode, 0);
    const profiles = await listProfiles([profrawDir]);
    t.deepEqual(profiles.profdata, []);
    // One process per test binary; rustdoc runs nothing instrumented here.
    t.is(profiles.profraw.length, 2, profiles.profraw.join('\n'));
    for (const file of profiles.profraw) {
      t.regex(basename(file), PROFRAW_NAME);
      t.is(kindByMagic8(readFileSync(file).subarray(0, 8)), 'profraw');
      // The raw version word follows the magic (little-endian u64 on this host).
      const version = Number(readFileSync(file).readBigUInt64LE(8) & 0xffn);
      const expected = expectedRawProfileVersion(setup.toolchain.llvmVersion?.major ?? 0);
      t.is(version, expected ?? -1, `LLVM ${setup.toolchain.llvmVersion?.full ?? '?'}`);
    }

    t.is(await clearOwnProfiles(profrawDir), 2);
    t.deepEqual(await listProfiles([profrawDir]), { profraw: [], profdata: [] });

    const failEnv = { ...env, BRIDGE_SMOKE_FAIL: '1' };
    const failing = await runTests({
      env: failEnv,
      cwd: crateDir,
      cargoArgs: ['--lib'],
      stdio: 'pipe',
    });
    t.false(failing.passed);
    t.not(failing.exitCode, 0);
    t.is(failing.signal, undefined);
    t.regex(`${failing.stdout ?? ''}${failing.stderr ?? ''}`, /BRIDGE_SMOKE_FAIL is set/);
    t.is(
      (await listProfiles([profrawDir])).profraw.length,
      1,
      'a failing test run still writes its profile',
    );

    // Arguments after `--` reach the harness: filtering to `adds` skips the failing test.
    const filtered = await runTests({
      env: failEnv,
      cwd: crateDir,
      cargoArgs: ['--lib'],
      testArgs: ['tests::adds', '--exact'],
      stdio: 'pipe',
    });
    t.true(filtered.passed, filtered.stdout);
    t.regex(filtered.stdout ?? '', /1 passed/);
  },
);

integration('builds and runs the binary for cov run', async (t) => {
  const { crateDir, targetDir, profrawDir, env } = await setUp(t, 'bin');
  const build = await buildBin({ env, cwd: crateDir, cargoArgs: ['--bin', 'bridge-smoke'] });
  t.deepEqual(build.binaries, [
    join(targetDir, 'debug', process.platform === 'win32' ? 'bridge-smoke.exe' : 'bridge-smoke'),
  ]);
  const [binary] = build.binaries;
  if (binary === undefined) return;

  const run = await runProgram(binary, ['5', '-2', 'x'], env, { stdio: 'pipe' });
  t.is(run.exitCode, 3);
  t.is(run.stdout, '5 positive\n-2 negative\n');
  const profiles = await listProfiles([profrawDir]);
  t.is(profiles.profraw.length, 1);
  t.regex(basename(profiles.profraw[0] ?? ''), PROFRAW_NAME);
});

integration('a compile error is E_PROCESS carrying the rendered diagnostics', async (t) => {
  const { crateDir, env } = await setUp(t, 'broken');
  const lib = join(crateDir, 'src', 'lib.rs');
  writeFileSync(lib, readFileSync(lib, 'utf8').replace('    a + b\n', '    "not a number"\n'));
  const error = await t.throwsAsync(buildTests({ env, cwd: crateDir }), { instanceOf: CovError });
  t.is(error.code, 'E_PROCESS');
  t.regex(error.message, /cargo test --no-run/);
  t.regex(error.message, /error\[E0308\]: mismatched types/);
  t.regex(error.message, /src[/\\]lib\.rs:5/);
  t.notRegex(error.message, /^\s+Compiling /m);
});
