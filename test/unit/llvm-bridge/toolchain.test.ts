import test from 'ava';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CovError } from '../../../src/binary/index.js';
import {
  checkInstrumentationSupport,
  detectToolchain,
  expectedRawProfileVersion,
  parseRustcVersionVerbose,
} from '../../../src/llvm-bridge/index.js';

// Captured from `rustc -vV` (rustup stable and nightly, 2026).
const STABLE = `rustc 1.95.0 (59807616e 2026-04-14)
binary: rustc
commit-hash: 59807616e1fa2540724bfbac14d7976d7e4a3860
commit-date: 2026-04-14
host: x86_64-unknown-linux-gnu
release: 1.95.0
LLVM version: 22.1.2
`;
const NIGHTLY = `rustc 1.97.0-nightly (e50aa6fba 2026-05-19)
binary: rustc
commit-hash: e50aa6fba4e63ab34c72bf9acfd2c307c1155d1a
commit-date: 2026-05-19
host: x86_64-unknown-linux-gnu
release: 1.97.0-nightly
LLVM version: 22.1.4
`;

test('parses stable rustc -vV', (t) => {
  const info = parseRustcVersionVerbose(STABLE);
  t.like(info, {
    rustcVersion: '1.95.0',
    semver: { major: 1, minor: 95, patch: 0 },
    commitHash: '59807616e1fa2540724bfbac14d7976d7e4a3860',
    commitDate: '2026-04-14',
    host: 'x86_64-unknown-linux-gnu',
    channel: 'stable',
    llvmVersion: { major: 22, full: '22.1.2' },
    raw: STABLE,
  });
});

test('parses nightly rustc -vV', (t) => {
  const info = parseRustcVersionVerbose(NIGHTLY);
  t.is(info.channel, 'nightly');
  t.is(info.rustcVersion, '1.97.0-nightly');
  t.deepEqual(info.semver, { major: 1, minor: 97, patch: 0 });
  t.deepEqual(info.llvmVersion, { major: 22, full: '22.1.4' });
  t.is(info.commitDate, '2026-05-19');
});

test('parses beta, a local dev build with unknown commit, CRLF, and no LLVM line', (t) => {
  const beta = parseRustcVersionVerbose(
    STABLE.replace('release: 1.95.0', 'release: 1.96.0-beta.3').replaceAll('\n', '\r\n'),
  );
  t.is(beta.channel, 'beta');
  t.is(beta.host, 'x86_64-unknown-linux-gnu');
  const dev = parseRustcVersionVerbose(
    'rustc 1.90.0-dev\nbinary: rustc\ncommit-hash: unknown\ncommit-date: unknown\nhost: aarch64-apple-darwin\nrelease: 1.90.0-dev\n',
  );
  t.is(dev.channel, 'dev');
  t.is(dev.commitHash, undefined);
  t.is(dev.commitDate, undefined);
  t.is(dev.llvmVersion, undefined);
});

test('unparseable rustc -vV is E_TOOLCHAIN', (t) => {
  const noRelease = t.throws(() => parseRustcVersionVerbose('rustc ???\nhost: x\n'), {
    instanceOf: CovError,
  });
  t.is(noRelease.code, 'E_TOOLCHAIN');
  const badRelease = t.throws(
    () => parseRustcVersionVerbose('host: x86_64-unknown-linux-gnu\nrelease: one.two\n'),
    { instanceOf: CovError },
  );
  t.is(badRelease.code, 'E_TOOLCHAIN');
  t.regex(badRelease.message, /one\.two/);
});

const rawVersion = test.macro({
  exec(t, llvmMajor: number, expected: number | undefined) {
    t.is(expectedRawProfileVersion(llvmMajor), expected);
  },
  title: (_title, llvmMajor: number, expected: number | undefined) =>
    `LLVM ${llvmMajor} writes raw profile version ${String(expected)}`,
});
for (const [major, version] of [
  [13, undefined],
  [14, 8],
  [17, 8],
  [18, 9],
  [19, 10],
  [22, 10],
  [23, 11],
  [24, undefined],
] as const) {
  test(rawVersion, major, version);
}

function fakeSysroot(t: { teardown(fn: () => void): void }): string {
  const root = mkdtempSync(join(tmpdir(), 'cov-sysroot-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

const stable = parseRustcVersionVerbose(STABLE);

test('instrumentation supported when libprofiler_builtins is in the sysroot', (t) => {
  const sysroot = fakeSysroot(t);
  const libDir = join(sysroot, 'lib', 'rustlib', 'x86_64-unknown-linux-gnu', 'lib');
  mkdirSync(libDir, { recursive: true });
  writeFileSync(join(libDir, 'libstd-abc.rlib'), '');
  writeFileSync(join(libDir, 'libprofiler_builtins-0123.rlib'), '');
  const support = checkInstrumentationSupport({ ...stable, sysroot });
  t.deepEqual(support, {
    ok: true,
    target: 'x86_64-unknown-linux-gnu',
    profilerBuiltinsPath: join(libDir, 'libprofiler_builtins-0123.rlib'),
  });
});

test('instrumentation unsupported without profiler runtime, target or LLVM', (t) => {
  const sysroot = fakeSysroot(t);
  const libDir = join(sysroot, 'lib', 'rustlib', 'x86_64-unknown-linux-gnu', 'lib');
  mkdirSync(libDir, { recursive: true });
  writeFileSync(join(libDir, 'libstd-abc.rlib'), '');
  writeFileSync(join(libDir, 'libprofiler_builtins-0123.rmeta'), '');

  const noRuntime = checkInstrumentationSupport({ ...stable, sysroot });
  t.false(noRuntime.ok);
  if (!noRuntime.ok) t.regex(noRuntime.reason, /profiler runtime/);

  const noTarget = checkInstrumentationSupport({ ...stable, sysroot }, 'wasm32-unknown-unknown');
  t.false(noTarget.ok);
  if (!noTarget.ok) t.regex(noTarget.reason, /rustup target add wasm32-unknown-unknown/);

  const noLlvm = checkInstrumentationSupport({ ...stable, sysroot, llvmVersion: undefined });
  t.false(noLlvm.ok);
  if (!noLlvm.ok) t.regex(noLlvm.reason, /LLVM/);

  const old = checkInstrumentationSupport({
    ...stable,
    sysroot,
    rustcVersion: '1.59.0',
    semver: { major: 1, minor: 59, patch: 0 },
  });
  t.false(old.ok);
  if (!old.ok) t.regex(old.reason, /1\.60/);
});

const posix = process.platform === 'win32' ? test.skip : test;

posix('detectToolchain runs $RUSTC and passes RUSTUP_TOOLCHAIN through', async (t) => {
  const dir = fakeSysroot(t);
  const rustc = join(dir, 'fake-rustc');
  // Prints the captured stable text for -vV and echoes RUSTUP_TOOLCHAIN into the sysroot path.
  writeFileSync(
    rustc,
    `#!/bin/sh\nif [ "$1" = "-vV" ]; then cat <<'EOT'\n${STABLE}EOT\nelse echo "/sysroots/$RUSTUP_TOOLCHAIN"; fi\n`,
  );
  chmodSync(rustc, 0o755);
  const info = await detectToolchain({
    env: { PATH: process.env['PATH'] ?? '', RUSTC: rustc, RUSTUP_TOOLCHAIN: 'nightly-2026-05-19' },
  });
  t.is(info.rustc, rustc);
  t.is(info.rustcVersion, '1.95.0');
  t.is(info.sysroot, '/sysroots/nightly-2026-05-19');
  t.is(info.rustupToolchain, 'nightly-2026-05-19');
});

posix(
  'detectToolchain: missing or failing rustc is E_TOOLCHAIN with a plain message',
  async (t) => {
    const dir = fakeSysroot(t);
    const missing = await t.throwsAsync(
      detectToolchain({ env: { PATH: dir, RUSTC: join(dir, 'no-such-rustc') } }),
      { instanceOf: CovError },
    );
    t.is(missing.code, 'E_TOOLCHAIN');
    t.regex(missing.message, /no-such-rustc` not found; install Rust/);

    const failing = join(dir, 'failing-rustc');
    writeFileSync(
      failing,
      '#!/bin/sh\necho "error: toolchain \'x\' is not installed" >&2\nexit 1\n',
    );
    chmodSync(failing, 0o755);
    const failed = await t.throwsAsync(detectToolchain({ env: { PATH: dir, RUSTC: failing } }), {
      instanceOf: CovError,
    });
    t.is(failed.code, 'E_TOOLCHAIN');
    t.regex(failed.message, /exit code 1/);
    t.regex(failed.message, /toolchain 'x' is not installed/);
  },
);
