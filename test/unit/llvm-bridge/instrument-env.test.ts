import test from 'ava';
import { join } from 'node:path';
import { CovError } from '../../../src/binary/index.js';
import {
  coverageRustflags,
  encodeRustflags,
  instrumentationEnv,
  instrumentationVars,
  llvmProfileFile,
  rustflagsFromEnv,
} from '../../../src/llvm-bridge/index.js';

const dirs = { targetDir: '/w/target/cov', profrawDir: '/w/target/cov/profraw' };

test('instrumentationVars on a clean environment (stable)', (t) => {
  const vars = instrumentationVars({ ...dirs, baseEnv: {} });
  t.deepEqual(vars, {
    set: {
      RUSTFLAGS: '-C instrument-coverage --cfg=coverage',
      CARGO_TARGET_DIR: '/w/target/cov',
      LLVM_PROFILE_FILE: join('/w/target/cov/profraw', 'cov-%p-%m.profraw'),
      CARGO_INCREMENTAL: '0',
    },
    unset: [],
  });
});

test('nightly and dev add --cfg=coverage_nightly; beta does not', (t) => {
  t.deepEqual(coverageRustflags('nightly'), [
    '-C',
    'instrument-coverage',
    '--cfg=coverage',
    '--cfg=coverage_nightly',
  ]);
  t.true(coverageRustflags('dev').includes('--cfg=coverage_nightly'));
  t.false(coverageRustflags('beta').includes('--cfg=coverage_nightly'));
  t.false(coverageRustflags().includes('--cfg=coverage_nightly'));
});

test('appends to the user RUSTFLAGS, keeping their flags first', (t) => {
  const vars = instrumentationVars({
    ...dirs,
    baseEnv: { RUSTFLAGS: '  -C target-cpu=native   -Dwarnings ' },
    profileName: 'my-crate',
    extraRustflags: ['--remap-path-prefix=/w/='],
  });
  t.is(
    vars.set['RUSTFLAGS'],
    '-C target-cpu=native -Dwarnings -C instrument-coverage --cfg=coverage --remap-path-prefix=/w/=',
  );
  t.is(vars.set['LLVM_PROFILE_FILE'], join('/w/target/cov/profraw', 'my-crate-%p-%m.profraw'));
  t.deepEqual(vars.unset, []);
});

test('CARGO_ENCODED_RUSTFLAGS wins over RUSTFLAGS and is replaced by RUSTFLAGS when possible', (t) => {
  const baseEnv = { CARGO_ENCODED_RUSTFLAGS: '-C\x1fopt-level=1', RUSTFLAGS: '-Dwarnings' };
  const vars = instrumentationVars({ ...dirs, baseEnv });
  t.is(vars.set['RUSTFLAGS'], '-C opt-level=1 -C instrument-coverage --cfg=coverage');
  t.deepEqual(vars.unset, ['CARGO_ENCODED_RUSTFLAGS']);
  const env = instrumentationEnv({ ...dirs, baseEnv: { ...baseEnv, PATH: '/bin' } });
  t.false('CARGO_ENCODED_RUSTFLAGS' in env);
  t.is(env['PATH'], '/bin');
});

test('a flag with a space forces CARGO_ENCODED_RUSTFLAGS and removes RUSTFLAGS', (t) => {
  const baseEnv = {
    CARGO_ENCODED_RUSTFLAGS: '--remap-path-prefix=/my dir/=\x1f-Dwarnings',
    RUSTFLAGS: '-Cignored',
  };
  const vars = instrumentationVars({ ...dirs, baseEnv });
  t.is(
    vars.set['CARGO_ENCODED_RUSTFLAGS'],
    [
      '--remap-path-prefix=/my dir/=',
      '-Dwarnings',
      '-C',
      'instrument-coverage',
      '--cfg=coverage',
    ].join('\x1f'),
  );
  t.false('RUSTFLAGS' in vars.set);
  t.deepEqual(vars.unset, ['RUSTFLAGS']);
  const env = instrumentationEnv({ ...dirs, baseEnv });
  t.false('RUSTFLAGS' in env);
});

test('rustflagsFromEnv follows cargo precedence', (t) => {
  t.deepEqual(rustflagsFromEnv({}), []);
  t.deepEqual(rustflagsFromEnv({ RUSTFLAGS: '' }), []);
  t.deepEqual(rustflagsFromEnv({ RUSTFLAGS: '-Ca  -Cb' }), ['-Ca', '-Cb']);
  // Set but empty still wins over RUSTFLAGS, as in cargo.
  t.deepEqual(rustflagsFromEnv({ CARGO_ENCODED_RUSTFLAGS: '', RUSTFLAGS: '-Ca' }), []);
  t.deepEqual(rustflagsFromEnv({ CARGO_ENCODED_RUSTFLAGS: 'a b\x1fc' }), ['a b', 'c']);
  t.deepEqual(rustflagsFromEnv({ CARGO_BUILD_RUSTFLAGS: '-Cbuild' }), ['-Cbuild']);
  t.deepEqual(rustflagsFromEnv({ CARGO_BUILD_RUSTFLAGS: '-Cbuild', RUSTFLAGS: '-Cenv' }), [
    '-Cenv',
  ]);
});

test('encodeRustflags picks the variable by whitespace', (t) => {
  t.deepEqual(encodeRustflags(['-Ca', '-Cb']), {
    set: { RUSTFLAGS: '-Ca -Cb' },
    unset: ['CARGO_ENCODED_RUSTFLAGS'],
  });
  t.deepEqual(encodeRustflags(['-Ca', 'x\ty']), {
    set: { CARGO_ENCODED_RUSTFLAGS: '-Ca\x1fx\ty' },
    unset: ['RUSTFLAGS'],
  });
});

test('instrumentationEnv keeps the rest of the environment and overrides our keys', (t) => {
  const env = instrumentationEnv({
    ...dirs,
    baseEnv: {
      HOME: '/home/u',
      CARGO_TARGET_DIR: '/elsewhere',
      CARGO_INCREMENTAL: '1',
      GONE: undefined,
    },
    channel: 'nightly',
  });
  t.is(env['HOME'], '/home/u');
  t.is(env['CARGO_TARGET_DIR'], '/w/target/cov');
  t.is(env['CARGO_INCREMENTAL'], '0');
  t.is(env['RUSTFLAGS'], '-C instrument-coverage --cfg=coverage --cfg=coverage_nightly');
  t.false('GONE' in env);
});

test("llvmProfileFile rejects '%' in the directory and bad names", (t) => {
  t.is(llvmProfileFile('/p'), join('/p', 'cov-%p-%m.profraw'));
  const percent = t.throws(() => llvmProfileFile('/tmp/100%/p'), { instanceOf: CovError });
  t.is(percent.code, 'E_USAGE');
  t.is(t.throws(() => llvmProfileFile('/p', 'a/b'), { instanceOf: CovError }).code, 'E_USAGE');
  t.is(t.throws(() => llvmProfileFile('/p', ''), { instanceOf: CovError }).code, 'E_USAGE');
});
