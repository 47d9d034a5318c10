/**
 * The breakpoint (ptrace) engine against real programs: small Rust programs built here with rustc,
 * the `basics` fixture (agreement with instrumented line coverage) and the `ptrace-stress` fixture
 * (a CI-sized reliability run). Skips, with the reason, where ptrace cannot work: not Linux
 * x86_64/aarch64, no rustc/cargo, `kernel.yama.ptrace_scope = 3`, or a probe run that the kernel
 * refuses (seccomp, missing CAP_SYS_PTRACE in a container).
 */
import test from 'ava';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { CovError } from '../../src/binary/index.js';
import { fileView, lineCounts, type CoverageSet } from '../../src/model/index.js';
import {
  ensureHelper,
  planImage,
  runUnderHelper,
  traceProgram,
} from '../../src/ptrace-fallback/index.js';
import { COV_CLI_ENTRY, REPO_ROOT } from '../helpers/cov-cli.js';
import { hasTool } from '../helpers/tools.js';
import { ptraceSkipReason } from '../helpers/ptrace-skip.js';

/** tsx by URL, so the CLI runs from source in any working directory. */
const TSX = import.meta.resolve('tsx');
const work = mkdtempSync(join(tmpdir(), 'cov-ptrace-it-'));

const skip = await ptraceSkipReason();
test.after.always(() => rmSync(work, { recursive: true, force: true }));
const ptest = skip === undefined ? test : test.skip;
// a skipped test whose title carries the reason, so the run counts it as skipped and says why
if (skip !== undefined) test.skip(`ptrace engine skipped: ${skip}`, () => {});

/** Compiles `source` with rustc into the work dir; returns the executable's path. */
async function compile(name: string, source: string, flags: string[]): Promise<string> {
  const src = join(work, `${name}.rs`);
  const out = join(work, name);
  writeFileSync(src, source);
  await execa('rustc', ['--edition=2021', ...flags, '-o', out, src]);
  return out;
}

const LINE_FLAGS = ['-C', 'debuginfo=limited', '-C', 'link-dead-code', '-C', 'strip=none'];

/** Runs `program args…` in the work dir under the engine (60 s timeout unless `extra` says). */
async function trace(
  program: string,
  args: string[],
  mode: 'oneshot' | 'count',
  extra: { countLimit?: number; timeoutMs?: number } = {},
): ReturnType<typeof traceProgram> {
  return traceProgram({
    helper: await ensureHelper(),
    program,
    args,
    env: {},
    cwd: work,
    mode,
    timeoutMs: 60_000,
    ...extra,
  });
}

function linesOf(set: CoverageSet, file: string): Map<number, bigint> {
  const out = new Map<number, bigint>();
  for (const line of lineCounts(fileView(set, file).segments)) {
    if (line.mapped) out.set(line.line, line.count);
  }
  return out;
}

const PROGRAM = `#[inline(never)]
fn step(x: u64) -> u64 {
    x.wrapping_mul(3) ^ 5
}
#[inline(never)]
fn never(x: u64) -> u64 {
    x + 1
}
fn main() {
    let n: u64 = std::env::args().nth(1).unwrap().parse().unwrap();
    let mut acc = 0u64;
    for i in 0..n {
        acc = acc.wrapping_add(step(i));
    }
    if acc == 1 {
        println!("{}", never(acc));
    }
    if std::env::args().nth(2).as_deref() == Some("sleep") {
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
    std::process::exit(if acc % 2 == 0 { 0 } else { 4 });
}
`;

ptest('one-shot: called lines are hit once, uncalled ones are coverable and not hit', async (t) => {
  const program = await compile('oneshot', PROGRAM, LINE_FLAGS);
  const result = await trace(program, ['1000'], 'oneshot');
  const file = join(work, 'oneshot.rs');
  const lines = linesOf(result.set, file);
  t.is(lines.get(3), 1n); // step's body: 1000 calls, one trap
  t.is(lines.get(7), 0n); // never's body: coverable, not hit
  t.is(lines.get(13), 1n);
  t.false(lines.has(1)); // an attribute line has no code
  t.is(result.run.reason, 'exit');
  t.is(result.run.statistics.steps, 0);
  t.true(result.run.statistics.traps >= result.run.statistics.hits);
  t.is(result.set.metadata.engine, 'ptrace');
  t.true(result.set.functions.some((f) => f.name.includes('4step') && f.executionCount === 1n));
});

// 48 monomorphised copies of `mix`, called from 4 threads at once: one-shot groups span the copies,
// so a trap in one copy restores the other copies' bytes (queued and written in shared spans by the
// helper) while threads run through them. The program checks its own arithmetic against a
// non-generic copy and exits 3 on a mismatch; a wrongly restored byte crashes it or changes a sum.
const GENERIC_PROGRAM = `use std::sync::atomic::{AtomicU64, Ordering};
static TOTAL: AtomicU64 = AtomicU64::new(0);
#[inline(never)]
fn mix<const K: u64>(x: u64) -> u64 {
    let w = x.wrapping_mul(K | 1);
    w ^ (w >> 29)
}
#[inline(never)]
fn reference(k: u64, x: u64) -> u64 {
    let w = x.wrapping_mul(k | 1);
    w ^ (w >> 29)
}
macro_rules! all {
    ($x:expr; $($k:literal)*) => { 0u64 $(.wrapping_add(mix::<$k>($x)))* };
}
fn round(x: u64) -> u64 {
    all!(x; 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48)
}
fn main() {
    let workers: Vec<_> = (0..4u64)
        .map(|t| std::thread::spawn(move || {
            for i in 0..200u64 {
                TOTAL.fetch_add(round(t * 1000 + i), Ordering::Relaxed);
            }
        }))
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let mut expected = 0u64;
    for t in 0..4u64 {
        for i in 0..200u64 {
            for k in 1..=48u64 {
                expected = expected.wrapping_add(reference(k, t * 1000 + i));
            }
        }
    }
    std::process::exit(if TOTAL.load(Ordering::Relaxed) == expected { 0 } else { 3 });
}
`;

ptest('one-shot groups: copies of a generic function are restored under threads', async (t) => {
  const program = await compile('generic', GENERIC_PROGRAM, LINE_FLAGS);
  for (let run = 0; run < 5; run++) {
    const result = await trace(program, [], 'oneshot');
    t.is(result.run.reason, 'exit');
    t.is(result.run.exitCode, 0, `run ${run}: the program's own check failed`);
    const lines = linesOf(result.set, join(work, 'generic.rs'));
    t.is(lines.get(5), 1n);
    t.is(lines.get(6), 1n);
    const { armed, hits } = result.run.statistics;
    // every copy trapping on its own would hit well over half of the traps (48 copies of mix)
    t.true(hits < armed / 2, `run ${run}: ${hits} of ${armed} addresses trapped`);
  }
});

ptest('count mode counts a single-threaded loop exactly', async (t) => {
  const program = await compile('count', PROGRAM, LINE_FLAGS);
  const result = await trace(program, ['1000'], 'count');
  const lines = linesOf(result.set, join(work, 'count.rs'));
  t.is(lines.get(3), 1000n);
  t.is(lines.get(7), 0n);
  t.is(lines.get(10), 1n);
  t.false(result.run.statistics.approximate);
  t.is(result.set.functions.find((f) => f.name.includes('4step'))!.executionCount, 1000n);
});

ptest('count mode stops counting an address at the count limit and says so', async (t) => {
  const program = await compile('limited', PROGRAM, LINE_FLAGS);
  const result = await trace(program, ['1000'], 'count', { countLimit: 10 });
  const lines = linesOf(result.set, join(work, 'limited.rs'));
  t.is(lines.get(3), 10n); // 1000 calls, counted up to the limit
  t.is(lines.get(10), 1n); // below the limit: exact
  t.true(result.run.statistics.saturated > 0);
  // each saturated address trapped exactly `countLimit` times (single thread, no re-arm after)
  t.true(result.run.statistics.traps < 200);
  t.is(result.run.reason, 'exit');
});

test('--count-limit without --count, or not a whole number, is a usage error', async (t) => {
  for (const args of [
    ['--count-limit', '5'],
    ['--count', '--count-limit', '-1'],
    ['--count', '--count-limit', '2.5'],
  ]) {
    const result = await execa(
      process.execPath,
      ['--import', TSX, COV_CLI_ENTRY, 'trace', ...args, '--', '/bin/true'],
      { cwd: work, reject: false, env: { NO_COLOR: '1' } },
    );
    t.is(result.exitCode, 1, args.join(' '));
    t.regex(result.stderr, /--count-limit (needs --count|takes a whole number)/, args.join(' '));
  }
});

ptest('a timeout kills the program and still reports what ran', async (t) => {
  const program = await compile('sleeper', PROGRAM, LINE_FLAGS);
  const started = Date.now();
  const result = await trace(program, ['10', 'sleep'], 'oneshot', { timeoutMs: 700 });
  t.true(Date.now() - started < 20_000);
  t.is(result.run.reason, 'timeout');
  t.is(result.run.signal, 'SIGKILL');
  t.false(result.run.passed);
  const lines = linesOf(result.set, join(work, 'sleeper.rs'));
  t.is(lines.get(3), 1n);
  t.is(lines.get(21), 0n); // after the sleep
});

ptest('a binary without debug info is refused with advice', async (t) => {
  const program = await compile('nodebug', PROGRAM, ['-C', 'debuginfo=0', '-C', 'strip=debuginfo']);
  const error = t.throws(() => planImage(program), { instanceOf: CovError });
  t.is(error?.code, 'E_USAGE');
  t.regex(error?.message ?? '', /has no line tables \(\.debug_line\); build it with line tables/);
});

ptest('a program that cannot be executed is a clear error', async (t) => {
  const error = await t.throwsAsync(
    runUnderHelper({
      helper: await ensureHelper(),
      job: {
        path: join(work, 'does-not-exist'),
        argv: ['x'],
        env: {},
        mode: 'oneshot',
        timeoutMs: 0,
        images: [],
      },
      stdin: 'null',
    }),
    { instanceOf: CovError },
  );
  t.regex(
    error?.message ?? '',
    /cannot execute .*does-not-exist: No such file or directory \(ENOENT\)/,
  );
});

ptest('cov trace reports a failing program with exit code 2 and labels the engine', async (t) => {
  const program = await compile('cli', PROGRAM, LINE_FLAGS);
  const out = join(work, 'cli.json');
  const result = await execa(
    process.execPath,
    ['--import', TSX, COV_CLI_ENTRY, 'trace', '--json', out, '-q', '--', program, '1'],
    { cwd: REPO_ROOT, reject: false, env: { NO_COLOR: '1' } },
  );
  t.is(result.exitCode, 2, result.stderr);
  t.regex(result.stderr, /the program exited with code 4/);
  const json = JSON.parse(readFileSync(out, 'utf8')) as {
    cov: { engine: string; metrics: string[]; ptrace: { hits: number } };
    data: { totals: { lines: { count: number; covered: number } } }[];
  };
  t.is(json.cov.engine, 'ptrace');
  t.deepEqual(json.cov.metrics, ['lines', 'functions']);
  t.true(json.cov.ptrace.hits > 0);
  t.true(json.data[0]!.totals.lines.covered > 0);
});

function lcovLines(text: string): Map<string, boolean> {
  const out = new Map<string, boolean>();
  let file = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('SF:')) file = line.slice(3);
    else if (line.startsWith('DA:')) {
      const [n, count] = line.slice(3).split(',');
      out.set(`${file}:${n}`, BigInt(count!) > 0n);
    }
  }
  return out;
}

ptest('basics: engine lines agree with instrumented line coverage', async (t) => {
  const crate = join(work, 'basics');
  cpSync(join(REPO_ROOT, 'test/fixtures/crates/basics'), crate, { recursive: true });
  const cov = (engine: string, out: string) =>
    execa(
      process.execPath,
      ['--import', TSX, COV_CLI_ENTRY, 'test', '--engine', engine, '--lcov', out, '-q'],
      { cwd: crate, reject: false, env: { NO_COLOR: '1' }, preferLocal: false },
    );
  const ptraceOut = join(work, 'basics-ptrace.lcov');
  const instrumentedOut = join(work, 'basics-instrumented.lcov');
  const traced = await cov('ptrace', ptraceOut);
  t.is(traced.exitCode, 0, traced.stderr);
  const instrumented = await cov('instrumented', instrumentedOut);
  if (instrumented.exitCode !== 0) {
    t.log(`instrumented run unavailable: ${instrumented.stderr.split('\n').slice(-3).join(' ')}`);
    t.pass();
    return;
  }
  const a = lcovLines(readFileSync(ptraceOut, 'utf8'));
  const b = lcovLines(readFileSync(instrumentedOut, 'utf8'));
  let both = 0;
  let agree = 0;
  for (const [key, hit] of a) {
    if (!b.has(key)) continue;
    both++;
    if (b.get(key) === hit) agree++;
  }
  const percent = (100 * agree) / both;
  t.log(`basics: ${agree}/${both} lines coverable in both agree (${percent.toFixed(2)}%)`);
  t.true(both > 100);
  t.true(percent >= 98);
});

ptest('ptrace-stress: 10 runs, no crash, no hang, results equal to plain cargo test', async (t) => {
  const result = await execa(
    process.execPath,
    [join(REPO_ROOT, 'test/stress/ptrace-stress.mjs'), '--runs', '10'],
    { cwd: REPO_ROOT, reject: false, env: { NO_COLOR: '1' } },
  );
  const summary = result.stdout.split('\n').find((l) => l.startsWith('ptrace stress'));
  t.log(summary);
  t.is(result.exitCode, 0, result.stdout.slice(-4000));
  t.regex(summary ?? '', /10 runs, 0 crashes, 0 hangs, 0 result mismatches/);
});

ptest(
  'ptrace-stress in count mode: 2 runs (thread pool within the count limit), no crash, no hang, same results',
  async (t) => {
    const result = await execa(
      process.execPath,
      [
        join(REPO_ROOT, 'test/stress/ptrace-stress.mjs'),
        '--runs',
        '2',
        '--count',
        '--timeout',
        '120',
      ],
      { cwd: REPO_ROOT, reject: false, env: { NO_COLOR: '1' } },
    );
    const summary = result.stdout.split('\n').find((l) => l.startsWith('ptrace stress'));
    t.log(summary);
    t.is(result.exitCode, 0, result.stdout.slice(-4000));
    t.regex(summary ?? '', /count mode\): 2 runs, 0 crashes, 0 hangs, 0 result mismatches/);
  },
);

ptest('a refused ptrace gives the reason and what to do, never a hang', async (t) => {
  if (!(await hasTool('strace'))) {
    t.log('skipped: strace (used to inject EPERM into ptrace) not found');
    t.pass();
    return;
  }
  // strace's fault injection makes every ptrace call of the helper fail with EPERM, as a
  // container's seccomp profile would
  const wrapper = join(work, 'eperm-helper.sh');
  writeFileSync(
    wrapper,
    `#!/bin/sh\nexec strace -f -qq -o /dev/null -e trace=ptrace -e inject=ptrace:error=EPERM ${JSON.stringify(await ensureHelper())}\n`,
    { mode: 0o755 },
  );
  const error = await t.throwsAsync(
    runUnderHelper({
      helper: wrapper,
      job: {
        path: '/bin/true',
        argv: ['/bin/true'],
        env: {},
        mode: 'oneshot',
        timeoutMs: 0,
        images: [],
      },
      stdin: 'null',
    }),
    { instanceOf: CovError },
  );
  t.is(error?.code, 'E_PROCESS');
  t.regex(
    error?.message ?? '',
    /PTRACE_TRACEME failed: Operation not permitted \(EPERM\)\n {2}hint: /,
  );
  t.regex(error?.message ?? '', /CAP_SYS_PTRACE|ptrace_scope/);
});

ptest('Ctrl-C (SIGINT) stops the program and still writes the report', async (t) => {
  const program = await compile('interrupted', PROGRAM, LINE_FLAGS);
  const out = join(work, 'interrupted.json');
  const cli = execa(
    process.execPath,
    ['--import', TSX, COV_CLI_ENTRY, 'trace', '--json', out, '--', program, '10', 'sleep'],
    { cwd: REPO_ROOT, reject: false, env: { NO_COLOR: '1' }, buffer: true },
  );
  // wait until the program is in its sleep (past the traced loop), then interrupt cov only
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const ps = await execa('pgrep', ['-f', `^${program} 10 sleep$`], { reject: false });
    if (ps.stdout.trim() !== '') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 500));
  cli.kill('SIGINT');
  const result = await cli;
  t.is(result.exitCode, 2, result.stderr);
  t.regex(result.stderr, /interrupted \(the report covers what ran\)/);
  const json = JSON.parse(readFileSync(out, 'utf8')) as {
    data: { files: { filename: string; summary: { lines: { covered: number } } }[] }[];
  };
  t.true(json.data[0]!.files[0]!.summary.lines.covered > 0);
  const left = await execa('pgrep', ['-f', `^${program} 10 sleep$`], { reject: false });
  t.is(left.stdout.trim(), '', 'the traced program was killed');
});

ptest(
  '--engine auto falls back to the breakpoint engine without profiler_builtins, saying why',
  async (t) => {
    // a rustc whose `--print sysroot` names a sysroot without the profiler runtime; every other
    // invocation (cargo's builds) goes to the real rustc
    const host = /host: (\S+)/.exec((await execa('rustc', ['-vV'])).stdout)![1]!;
    const fakeSysroot = join(work, 'fake-sysroot');
    mkdirSync(join(fakeSysroot, 'lib/rustlib', host, 'lib'), { recursive: true });
    const wrapper = join(work, 'rustc-without-profiler.sh');
    const realRustc =
      (await execa('rustup', ['which', 'rustc'], { reject: false })).stdout.trim() || 'rustc';
    writeFileSync(
      wrapper,
      `#!/bin/sh\nif [ "$1" = "--print" ] && [ "$2" = "sysroot" ] && [ $# -eq 2 ]; then echo ${JSON.stringify(fakeSysroot)}; exit 0; fi\nexec ${JSON.stringify(realRustc)} "$@"\n`,
      { mode: 0o755 },
    );
    const crate = join(work, 'basics-auto');
    cpSync(join(REPO_ROOT, 'test/fixtures/crates/basics'), crate, { recursive: true });
    const out = join(work, 'auto.json');
    const result = await execa(
      process.execPath,
      ['--import', TSX, COV_CLI_ENTRY, 'test', '--json', out],
      { cwd: crate, reject: false, env: { NO_COLOR: '1', RUSTC: wrapper } },
    );
    t.is(result.exitCode, 0, result.stderr);
    t.regex(
      result.stderr,
      /instrumentation is unavailable: this toolchain has no profiler runtime \(libprofiler_builtins\)/,
    );
    t.regex(result.stderr, /using the breakpoint \(ptrace\) engine instead/);
    const json = JSON.parse(readFileSync(out, 'utf8')) as { cov: { engine: string } };
    t.is(json.cov.engine, 'ptrace');
    const refused = await execa(
      process.execPath,
      ['--import', TSX, COV_CLI_ENTRY, 'test', '--engine', 'instrumented'],
      { cwd: crate, reject: false, env: { NO_COLOR: '1', RUSTC: wrapper } },
    );
    t.is(refused.exitCode, 1);
    t.regex(refused.stderr, /instrumentation is unavailable/);
  },
);

ptest(
  'a runner of the user’s that takes precedence over cov’s is a clear error, not 0% coverage',
  async (t) => {
    const host = /host: (\S+)/.exec((await execa('rustc', ['-vV'])).stdout)![1]!;
    const crate = join(work, 'basics-own-runner');
    cpSync(join(REPO_ROOT, 'test/fixtures/crates/basics'), crate, { recursive: true });
    mkdirSync(join(crate, '.cargo'), { recursive: true });
    // `env` runs the test binary as is: the tests pass, but not under cov's helper
    writeFileSync(join(crate, '.cargo/config.toml'), `[target.${host}]\nrunner = "env"\n`);
    const result = await execa(
      process.execPath,
      ['--import', TSX, COV_CLI_ENTRY, 'test', '--engine', 'ptrace', '--no-save'],
      { cwd: crate, reject: false, env: { NO_COLOR: '1' } },
    );
    t.is(result.exitCode, 1, result.stderr.slice(-2000));
    t.regex(
      result.stderr,
      /cargo ran the tests without cov’s breakpoint runner, so nothing was traced/,
    );
    t.regex(result.stderr, /target\.<triple>\.runner/);
  },
);
