import test from 'ava';
import {
  parseCargoMessageLine,
  parsePackageId,
  progressMessage,
} from '../../../src/llvm-bridge/index.js';

// Captured from `cargo test --no-run --message-format=json-render-diagnostics` (cargo 1.95).
const UNIT_TEST = `{"reason":"compiler-artifact","package_id":"path+file:///tmp/bs#bridge-smoke@0.1.0","manifest_path":"/tmp/bs/Cargo.toml","target":{"kind":["lib"],"crate_types":["lib"],"name":"bridge_smoke","src_path":"/tmp/bs/src/lib.rs","edition":"2021","doc":true,"doctest":true,"test":true},"profile":{"opt_level":"0","debuginfo":2,"debug_assertions":true,"overflow_checks":true,"test":true},"features":[],"filenames":["/tmp/bs-t/debug/deps/bridge_smoke-339878c13ed8b5b6"],"executable":"/tmp/bs-t/debug/deps/bridge_smoke-339878c13ed8b5b6","fresh":false}`;
const LIB = `{"reason":"compiler-artifact","package_id":"path+file:///tmp/bs#bridge-smoke@0.1.0","manifest_path":"/tmp/bs/Cargo.toml","target":{"kind":["lib"],"crate_types":["lib"],"name":"bridge_smoke","src_path":"/tmp/bs/src/lib.rs","edition":"2021","doc":true,"doctest":true,"test":true},"profile":{"opt_level":"0","debuginfo":2,"debug_assertions":true,"overflow_checks":true,"test":false},"features":[],"filenames":["/tmp/bs-t/debug/deps/libbridge_smoke-7faf04c8cf7699a5.rlib","/tmp/bs-t/debug/deps/libbridge_smoke-7faf04c8cf7699a5.rmeta"],"executable":null,"fresh":true}`;

test('compiler-artifact of a test harness', (t) => {
  const message = parseCargoMessageLine(UNIT_TEST);
  t.like(message, {
    reason: 'compiler-artifact',
    artifact: {
      packageId: 'path+file:///tmp/bs#bridge-smoke@0.1.0',
      packageName: 'bridge-smoke',
      packageVersion: '0.1.0',
      manifestPath: '/tmp/bs/Cargo.toml',
      targetName: 'bridge_smoke',
      targetKinds: ['lib'],
      test: true,
      executable: '/tmp/bs-t/debug/deps/bridge_smoke-339878c13ed8b5b6',
      fresh: false,
    },
  });
  if (message?.reason === 'compiler-artifact') {
    t.is(progressMessage(message.artifact), 'Compiling bridge-smoke v0.1.0');
  }
});

test('compiler-artifact of a library has no executable', (t) => {
  t.like(parseCargoMessageLine(LIB), {
    artifact: { test: false, executable: undefined, fresh: true },
  });
});

test('other messages and non-JSON lines', (t) => {
  t.deepEqual(parseCargoMessageLine('{"reason":"build-finished","success":false}'), {
    reason: 'build-finished',
    success: false,
  });
  t.deepEqual(
    parseCargoMessageLine(
      '{"reason":"compiler-message","message":{"rendered":"error[E0308]: mismatched types"}}',
    ),
    { reason: 'compiler-message', rendered: 'error[E0308]: mismatched types' },
  );
  t.deepEqual(parseCargoMessageLine('{"reason":"build-script-executed"}'), {
    reason: 'other',
    type: 'build-script-executed',
  });
  t.is(parseCargoMessageLine('warning: printed by a build script'), undefined);
  t.is(parseCargoMessageLine('{not json'), undefined);
  t.is(parseCargoMessageLine('[1,2]'), undefined);
});

const packageId = test.macro({
  exec(t, id: string, expected: ReturnType<typeof parsePackageId>) {
    t.deepEqual(parsePackageId(id), expected);
  },
  title: (_title, id: string) => `package id ${id}`,
});
test(packageId, 'path+file:///w/crates/foo#bar@0.2.0', { name: 'bar', version: '0.2.0' });
test(packageId, 'path+file:///w/crates/foo#0.2.0', { name: 'foo', version: '0.2.0' });
test(packageId, 'registry+https://github.com/rust-lang/crates.io-index#serde@1.0.219', {
  name: 'serde',
  version: '1.0.219',
});
test(packageId, 'git+https://github.com/o/repo?branch=main#tool@0.1.0-alpha.1+build', {
  name: 'tool',
  version: '0.1.0-alpha.1+build',
});
test(packageId, 'bridge-smoke 0.1.0 (path+file:///tmp/bs)', {
  name: 'bridge-smoke',
  version: '0.1.0',
});
test(packageId, 'nonsense', undefined);
