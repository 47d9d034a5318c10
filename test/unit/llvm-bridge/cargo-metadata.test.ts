import test from 'ava';
import { CovError } from '../../../src/binary/index.js';
import { cargoProgram, diagnosticsOf, parseCargoMetadata } from '../../../src/llvm-bridge/index.js';

// Trimmed from `cargo metadata --no-deps --format-version 1` (cargo 1.95).
const METADATA = {
  packages: [
    {
      name: 'bridge-smoke',
      version: '0.1.0',
      id: 'path+file:///tmp/bs#bridge-smoke@0.1.0',
      manifest_path: '/tmp/bs/Cargo.toml',
      targets: [],
    },
    {
      name: 'helper',
      version: '0.3.0',
      id: 'path+file:///tmp/bs/helper#0.3.0',
      manifest_path: '/tmp/bs/helper/Cargo.toml',
      targets: [],
    },
  ],
  workspace_members: ['path+file:///tmp/bs#bridge-smoke@0.1.0', 'path+file:///tmp/bs/helper#0.3.0'],
  resolve: null,
  target_directory: '/tmp/bs/target',
  version: 1,
  workspace_root: '/tmp/bs',
};

test('reads root, target dir, members and root package', (t) => {
  const workspace = parseCargoMetadata(JSON.stringify(METADATA));
  t.deepEqual(workspace, {
    workspaceRoot: '/tmp/bs',
    targetDir: '/tmp/bs/target',
    members: [
      {
        name: 'bridge-smoke',
        version: '0.1.0',
        id: 'path+file:///tmp/bs#bridge-smoke@0.1.0',
        manifestPath: '/tmp/bs/Cargo.toml',
      },
      {
        name: 'helper',
        version: '0.3.0',
        id: 'path+file:///tmp/bs/helper#0.3.0',
        manifestPath: '/tmp/bs/helper/Cargo.toml',
      },
    ],
    rootPackage: 'bridge-smoke',
  });
});

test('a virtual workspace has no root package', (t) => {
  const virtual = {
    ...METADATA,
    packages: METADATA.packages.slice(1),
    workspace_members: [METADATA.workspace_members[1]],
  };
  t.is(parseCargoMetadata(JSON.stringify(virtual)).rootPackage, undefined);
});

test('malformed metadata is E_MALFORMED', (t) => {
  t.is(t.throws(() => parseCargoMetadata('nope'), { instanceOf: CovError }).code, 'E_MALFORMED');
  t.is(t.throws(() => parseCargoMetadata('{}'), { instanceOf: CovError }).code, 'E_MALFORMED');
});

test('cargoProgram honours $CARGO', (t) => {
  t.is(cargoProgram({}), 'cargo');
  t.is(cargoProgram({ CARGO: '' }), 'cargo');
  t.is(cargoProgram({ CARGO: '/opt/rust/bin/cargo' }), '/opt/rust/bin/cargo');
});

test('diagnosticsOf drops cargo status lines and keeps rendered errors', (t) => {
  const stderr = [
    '   Compiling bridge-smoke v0.1.0 (/tmp/bs)',
    'error[E0308]: mismatched types',
    ' --> src/lib.rs:3:5',
    '  |',
    '3 |     "x"',
    '  |     ^^^ expected `u32`, found `&str`',
    '',
    'error: could not compile `bridge-smoke` (lib) due to 1 previous error',
  ].join('\n');
  t.is(diagnosticsOf(stderr), stderr.split('\n').slice(1).join('\n'));
});
