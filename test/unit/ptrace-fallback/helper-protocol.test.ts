import test from 'ava';
import { decode } from '@msgpack/msgpack';
import {
  EventCollector,
  encodeJob,
  readU32Array,
  readU64Array,
  signalName,
  type HelperEvent,
} from '../../../src/ptrace-fallback/index.js';

test('encodeJob packs addresses as little-endian u64 and keeps the fields the helper reads', (t) => {
  const bytes = encodeJob({
    path: '/bin/prog',
    argv: ['/bin/prog', '-x'],
    env: { A: '1' },
    cwd: '/w',
    mode: 'count',
    timeoutMs: 1500,
    images: [{ path: '/bin/prog', entry: 0x1040n, addresses: [0x1100n, 0xffff_ffff_0000n] }],
  });
  const job = decode(bytes, { useBigInt64: true }) as Record<string, unknown>;
  t.is(job['path'], '/bin/prog');
  t.deepEqual(job['argv'], ['/bin/prog', '-x']);
  t.deepEqual(job['env'], { A: '1' });
  t.is(job['mode'], 'count');
  t.is(job['timeoutMs'], 1500); // small ints decode as numbers even with useBigInt64
  const image = (job['images'] as Record<string, unknown>[])[0]!;
  t.is(image['entry'], 0x1040n);
  const blob = image['addresses'] as Uint8Array;
  t.deepEqual([...blob.slice(0, 8)], [0x00, 0x11, 0, 0, 0, 0, 0, 0]);
  t.deepEqual([...readU64Array(blob)], [0x1100n, 0xffff_ffff_0000n]);
});

test('a runner job has no program fields', (t) => {
  const job = decode(encodeJob({ mode: 'oneshot', timeoutMs: 0, images: [] })) as object;
  t.deepEqual(Object.keys(job).sort(), ['images', 'mode', 'timeoutMs']);
});

test('readU32Array reads little-endian values at any byte offset', (t) => {
  const backing = new Uint8Array([9, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
  t.deepEqual([...readU32Array(backing.subarray(1))], [1, 0xffffffff]);
});

function u32s(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  values.forEach((v, i) => new DataView(out.buffer).setUint32(i * 4, v, true));
  return out;
}

const DONE = {
  t: 'done',
  reason: 'exit',
  exitCode: 0,
  armed: 3,
  hits: 2,
  traps: 2,
  threads: 0,
  processes: 1,
  execs: 1,
  signals: 0,
  steps: 0,
  elapsedMs: 5,
  armMs: 0,
  approximate: false,
} as const;

test('EventCollector: hits OR, counts add, outcomes per done, out-of-range indices ignored', (t) => {
  const collector = new EventCollector([3, 2]);
  const events: HelperEvent[] = [
    { t: 'hits', image: 0, idx: u32s([0, 2, 7]) },
    { t: 'hits', image: 0, idx: u32s([0]) },
    { t: 'counts', image: 1, idx: u32s([1]), n: new Uint8Array([5, 0, 0, 0, 0, 0, 0, 0]) },
    { t: 'counts', image: 1, idx: u32s([1]), n: new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0]) },
    { t: 'exec', pid: 3, path: '/usr/bin/true', image: -1 },
    { t: 'warning', message: 'cannot restore' },
    DONE,
    { ...DONE, exitCode: -1, signal: 9, reason: 'timeout' },
  ];
  for (const event of events) collector.add(event);
  t.deepEqual([...collector.counts[0]!], [1n, 0n, 1n]);
  t.deepEqual([...collector.counts[1]!], [0n, 7n]);
  t.deepEqual(collector.detachedExecs, ['/usr/bin/true']);
  t.is(collector.warnings[0]!.message, 'cannot restore');
  t.is(collector.outcomes.length, 2);
  t.true(collector.outcomes[0]!.passed);
  t.deepEqual(
    [collector.outcomes[1]!.reason, collector.outcomes[1]!.signal, collector.outcomes[1]!.passed],
    ['timeout', 'SIGKILL', false],
  );
  t.is(collector.failureError(), undefined);
});

test('EventCollector: an error event becomes an E_PROCESS error with the advice', (t) => {
  const collector = new EventCollector([]);
  collector.add({
    t: 'error',
    message: 'cannot trace /bin/x: PTRACE_TRACEME failed: Operation not permitted',
    errno: 1,
    code: 'EPERM',
    advice: 'run the container with --cap-add=SYS_PTRACE',
  });
  const error = collector.failureError()!;
  t.is(error.code, 'E_PROCESS');
  t.regex(error.message, /Operation not permitted \(EPERM\)\n {2}hint: run the container/);
});

test('signalName', (t) => {
  t.is(signalName(11), 'SIGSEGV');
  t.is(signalName(250), 'signal 250');
});
