import test from 'ava';
import { CovError } from '../../../src/binary/index.js';
import { parseCargoManifestConfig, parseCovToml } from '../../../src/gate/index.js';

test('cov.toml: thresholds and settings spelled like the flags', (t) => {
  const config = parseCovToml(
    [
      'fail-under-regions = 80',
      'fail-under-lines = 75.5',
      'fail-uncovered-functions = 3',
      'fail-under-patch-lines = 90',
      'fail-on-decrease = true',
      'per-file = true',
      'diff-base = "origin/main"',
      'baseline = "ci/baseline.json"',
    ].join('\n'),
    '/ws/cov.toml',
  );
  t.deepEqual(config, {
    thresholds: {
      'fail-under-regions': 80,
      'fail-under-lines': 75.5,
      'fail-uncovered-functions': 3,
      'fail-under-patch-lines': 90,
    },
    'fail-on-decrease': true,
    'per-file': true,
    'diff-base': 'origin/main',
    baseline: 'ci/baseline.json',
  });
});

test('an unknown key is a usage error naming the key and the file', (t) => {
  const error = t.throws(() => parseCovToml('fail-under-region = 80\n', '/ws/cov.toml'), {
    instanceOf: CovError,
  });
  t.is(error.code, 'E_USAGE');
  t.regex(
    error.message,
    /^\/ws\/cov\.toml: cov\.toml: unknown key "fail-under-region" \(known keys: fail-under-regions,/,
  );
});

test('a value of the wrong type names key and expectation', (t) => {
  t.throws(() => parseCovToml('fail-under-lines = "80"\n', 'c.toml'), {
    message: /"fail-under-lines" must be a percent, found "80"/,
  });
  t.throws(() => parseCovToml('per-file = 1\n', 'c.toml'), {
    message: /"per-file" must be true or false/,
  });
  t.throws(() => parseCovToml('[fail-under-lines]\n', 'c.toml'), { message: /must be a percent/ });
});

test('invalid TOML is E_MALFORMED with line and column', (t) => {
  const error = t.throws(() => parseCovToml('fail-under-lines = \n', 'c.toml'), {
    instanceOf: CovError,
  });
  t.is(error.code, 'E_MALFORMED');
  t.regex(error.message, /^c\.toml: line 1, column \d+: /);
});

test('Cargo.toml: [workspace.metadata.cov] and [package.metadata.cov]', (t) => {
  const manifest = [
    '[package]',
    'name = "x"',
    '[package.metadata.cov]',
    'fail-under-lines = 70',
    '[workspace.metadata.cov]',
    'fail-under-regions = 60',
    '[workspace.metadata.other-tool]',
    'anything = 1',
  ].join('\n');
  t.deepEqual(parseCargoManifestConfig(manifest, 'Cargo.toml'), {
    workspace: { thresholds: { 'fail-under-regions': 60 } },
    package: { thresholds: { 'fail-under-lines': 70 } },
  });
  t.deepEqual(parseCargoManifestConfig('[package]\nname = "x"\n', 'Cargo.toml'), {});
  t.throws(
    () => parseCargoManifestConfig('[package.metadata.cov]\nfail-under = 1\n', '/ws/Cargo.toml'),
    { message: /^\/ws\/Cargo\.toml: \[package\.metadata\.cov\]: unknown key "fail-under"/ },
  );
});
