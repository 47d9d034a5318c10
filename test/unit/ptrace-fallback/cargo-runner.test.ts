import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode, encode } from '@msgpack/msgpack';
import {
  PTRACE_RUSTFLAGS,
  encodeRunnerJob,
  prepareRunnerSession,
  ptraceBuildEnv,
  ptraceUnsupportedReason,
  readRunnerEvents,
  sameRunBuildEnv,
} from '../../../src/ptrace-fallback/index.js';

test('ptraceBuildEnv keeps user rustflags, drops instrumentation, uses its own target dir', (t) => {
  const env = ptraceBuildEnv('/w/target/cov', {
    PATH: '/bin',
    RUSTFLAGS: '-C instrument-coverage --cfg=x -Cinstrument-coverage',
  });
  t.is(env['RUSTFLAGS'], ['--cfg=x', ...PTRACE_RUSTFLAGS].join(' '));
  t.is(env['CARGO_TARGET_DIR'], '/w/target/cov/ptrace');
  t.is(env['PATH'], '/bin');
});

test('ptraceBuildEnv switches to CARGO_ENCODED_RUSTFLAGS for flags with spaces', (t) => {
  const env = ptraceBuildEnv('/t', { CARGO_ENCODED_RUSTFLAGS: '--remap-path-prefix=/a b=/c' });
  t.is(env['RUSTFLAGS'], undefined);
  t.deepEqual(env['CARGO_ENCODED_RUSTFLAGS']!.split('\x1f'), [
    '--remap-path-prefix=/a b=/c',
    ...PTRACE_RUSTFLAGS,
  ]);
});

test('sameRunBuildEnv adds instrumentation and profiles to the breakpoint build, in its own dir', (t) => {
  const env = sameRunBuildEnv(
    '/w/target/cov',
    { PATH: '/bin', RUSTFLAGS: '--cfg=x -C instrument-coverage' },
    { channel: 'nightly', profrawDir: '/w/target/cov/same-run/profraw' },
  );
  t.is(
    env['RUSTFLAGS'],
    [
      '--cfg=x',
      ...PTRACE_RUSTFLAGS,
      '-C',
      'instrument-coverage',
      '--cfg=coverage',
      '--cfg=coverage_nightly',
    ].join(' '),
  );
  t.is(env['CARGO_TARGET_DIR'], '/w/target/cov/same-run');
  t.is(env['LLVM_PROFILE_FILE'], '/w/target/cov/same-run/profraw/cov-%p-%m.profraw');
  t.is(env['CARGO_INCREMENTAL'], '0');
  t.is(env['PATH'], '/bin');
  t.throws(() => sameRunBuildEnv('/t', {}, { channel: 'stable', profrawDir: '/a%b' }), {
    message: /must not contain '%'/,
  });
});

test('prepareRunnerSession writes the job and a cargo runner config', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cov-runner-'));
  try {
    const session = prepareRunnerSession(dir, '/opt/cov "x"/cov-ptrace', {
      mode: 'oneshot',
      timeoutMs: 10,
      images: [],
    });
    t.is(
      session.cargoConfig,
      `target.'cfg(all())'.runner=["/opt/cov \\"x\\"/cov-ptrace","--job",${JSON.stringify(session.jobFile)},"--events",${JSON.stringify(session.eventsDir)}]`,
    );
    t.deepEqual(decode(readFileSync(session.jobFile)), {
      mode: 'oneshot',
      timeoutMs: 10,
      images: [],
      groupStateFile: join(dir, 'groups.state'),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('prepareRunnerSession takes a job encoded beforehand (a stored one) as it is', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cov-runner-'));
  try {
    const bytes = encodeRunnerJob(dir, { mode: 'count', timeoutMs: 0, images: [] });
    writeFileSync(join(dir, 'groups.state'), 'stale');
    const session = prepareRunnerSession(dir, '/h', bytes);
    t.deepEqual(new Uint8Array(readFileSync(session.jobFile)), bytes);
    t.deepEqual(decode(bytes), {
      mode: 'count',
      timeoutMs: 0,
      images: [],
      groupStateFile: join(dir, 'groups.state'),
    });
    // a new session starts without the previous session's groups
    t.throws(() => readFileSync(join(dir, 'groups.state')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('readRunnerEvents merges event files and keeps the events before a cut', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cov-events-'));
  try {
    const hit = (i: number): Uint8Array =>
      encode({ t: 'hits', image: 0, idx: new Uint8Array([i, 0, 0, 0]) });
    writeFileSync(join(dir, 'events-1.msgpack'), hit(0));
    const cut = encode({ t: 'warning', message: 'x' }).slice(0, 4);
    writeFileSync(join(dir, 'events-2.msgpack'), Buffer.concat([hit(2), cut]));
    const collector = readRunnerEvents(dir, [3]);
    t.deepEqual([...collector.counts[0]!], [1n, 0n, 1n]);
    t.is(collector.warnings.length, 1);
    t.regex(collector.warnings[0]!.message, /ends mid-record/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ptraceUnsupportedReason names the platform', (t) => {
  t.is(ptraceUnsupportedReason('linux', 'x64'), undefined);
  t.is(ptraceUnsupportedReason('linux', 'arm64'), undefined);
  t.regex(ptraceUnsupportedReason('darwin', 'arm64')!, /not supported on this platform \(darwin\)/);
  t.regex(ptraceUnsupportedReason('linux', 'ia32')!, /linux\/ia32/);
});
