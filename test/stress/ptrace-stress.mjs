#!/usr/bin/env node
// Reliability run of the breakpoint (ptrace) engine, not part of `npm test`:
//   node test/stress/ptrace-stress.mjs [--runs N] [--count] [--timeout SECS] [--crate DIR]
//                                      [-- TEST ARGS…]   (given to both runs, e.g. a test filter)
// Copies test/fixtures/crates/ptrace-stress to a temporary directory, then N times runs
// `cov test --engine ptrace` and a plain `cargo test`, and compares the test results (every
// `test … ok/FAILED` line and every `test result:` line). Counts crashes (cov exiting 70, the
// helper failing, a test binary killed by a signal under the engine only), hangs (a run that
// outlives the timeout) and result mismatches; prints the figures and exits 1 when any is not 0.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const dashDash = process.argv.indexOf('--');
const args = process.argv.slice(2, dashDash === -1 ? undefined : dashDash);
const testArgs = dashDash === -1 ? [] : process.argv.slice(dashDash + 1);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1];
};
const runs = Number(option('--runs', '200'));
const hangSeconds = Number(option('--timeout', '180'));
const countMode = args.includes('--count');
const crateSource = resolve(option('--crate', join(repo, 'test/fixtures/crates/ptrace-stress')));
const tsx = import.meta.resolve('tsx');

function run(command, argv, options) {
  return new Promise((resolvePromise) => {
    const started = Date.now();
    const child = spawn(command, argv, {
      ...options,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, hangSeconds * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, output, hung, ms: Date.now() - started });
    });
  });
}

/** The comparable part of cargo test output: sorted `test x ... ok` lines and result lines. */
function testResults(output) {
  const tests = [];
  const results = [];
  for (const line of output.split('\n')) {
    const t = /^test (\S+) (?:- should panic )?\.\.\. (ok|FAILED|ignored)/.exec(line);
    if (t) tests.push(`${t[1]} ${t[2]}`);
    const r = /^test result: (\w+)\. (\d+) passed; (\d+) failed; (\d+) ignored/.exec(line);
    if (r) results.push(`${r[1]} ${r[2]}/${r[3]}/${r[4]}`);
  }
  return { tests: tests.sort().join('\n'), results: results.join(' | ') };
}

const work = mkdtempSync(join(tmpdir(), 'cov-ptrace-stress-'));
const crate = join(work, 'crate');
cpSync(crateSource, crate, { recursive: true, filter: (p) => !p.includes('/target') });
const cargoEnv = { ...process.env, CARGO_TARGET_DIR: join(work, 'plain-target') };
const covArgs = [
  `--import=${tsx}`,
  join(repo, 'src/cli/main.ts'),
  'test',
  '--engine',
  'ptrace',
  '--json',
  join(work, 'report.json'),
  ...(countMode ? ['--count'] : []),
  ...(testArgs.length > 0 ? ['--', ...testArgs] : []),
];

const figures = { runs: 0, crashes: 0, hangs: 0, mismatches: 0, covMs: [], cargoMs: [] };
const problems = [];
// warm both builds so timings measure runs, not compiles
await run('cargo', ['test', '--no-run', '-q'], { cwd: crate, env: cargoEnv });
await run(process.execPath, covArgs, { cwd: crate, env: process.env });
for (let i = 1; i <= runs; i++) {
  const plain = await run('cargo', ['test', ...(testArgs.length > 0 ? ['--', ...testArgs] : [])], {
    cwd: crate,
    env: cargoEnv,
  });
  const traced = await run(process.execPath, covArgs, { cwd: crate, env: process.env });
  figures.runs++;
  figures.cargoMs.push(plain.ms);
  figures.covMs.push(traced.ms);
  const expected = testResults(plain.output);
  const actual = testResults(traced.output);
  let verdict = 'ok';
  if (traced.hung) {
    figures.hangs++;
    verdict = 'HANG';
  } else if (
    traced.code === 70 ||
    traced.code === 1 ||
    traced.signal !== null ||
    /signal: \d+|cov-ptrace:|internal error/.test(traced.output)
  ) {
    figures.crashes++;
    verdict = 'CRASH';
  } else if (expected.tests !== actual.tests || expected.results !== actual.results) {
    figures.mismatches++;
    verdict = 'MISMATCH';
  }
  if (verdict !== 'ok') problems.push({ run: i, verdict, output: traced.output.slice(-3000) });
  process.stdout.write(
    `run ${i}/${runs}: ${verdict} (cov ${traced.ms} ms, cargo test ${plain.ms} ms; ${actual.results})\n`,
  );
}
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? 0;
for (const p of problems.slice(0, 5)) {
  process.stdout.write(`\n--- run ${p.run}: ${p.verdict} ---\n${p.output}\n`);
}
process.stdout.write(
  `\nptrace stress (${countMode ? 'count' : 'one-shot'} mode): ${figures.runs} runs, ` +
    `${figures.crashes} crashes, ${figures.hangs} hangs, ${figures.mismatches} result mismatches; ` +
    `median cov test ${median(figures.covMs)} ms, plain cargo test ${median(figures.cargoMs)} ms\n`,
);
rmSync(work, { recursive: true, force: true });
process.exitCode = figures.crashes + figures.hangs + figures.mismatches === 0 ? 0 : 1;
