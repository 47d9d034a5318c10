#!/usr/bin/env node
// Breakpoint engine on corpus crates: `cov test --engine ptrace --tests` against plain
// `cargo test --tests`, both with their builds done beforehand (so the times
// compare running, not compiling). Prints, per crate, wall times and their ratio, pass/fail
// counts of both, and the engine's breakpoints and hits.
//   node bench/ptrace-corpus.mjs [--corpus /tmp/corpus] [--count] crate…
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const corpusIndex = args.indexOf('--corpus');
const corpus = corpusIndex === -1 ? '/tmp/corpus' : args[corpusIndex + 1];
const countMode = args.includes('--count');
const crates = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--corpus');
const tsx = import.meta.resolve('tsx');
// the compiled CLI when `npm run build` made one (what users run), else the sources through tsx
const built = join(repo, 'dist/src/cli/main.js');
const entry = existsSync(built) ? [built] : [`--import=${tsx}`, join(repo, 'src/cli/main.ts')];
const work = '/tmp/cov-ptrace-corpus';
mkdirSync(work, { recursive: true });

function run(command, argv, env) {
  return new Promise((done) => {
    const started = performance.now();
    const child = spawn(command, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => done({ code, output, ms: performance.now() - started }));
  });
}

function results(output) {
  let passed = 0;
  let failed = 0;
  for (const m of output.matchAll(/^test result: \w+\. (\d+) passed; (\d+) failed/gm)) {
    passed += Number(m[1]);
    failed += Number(m[2]);
  }
  return `${passed}/${failed}`;
}

const rows = [];
for (const crate of crates) {
  const manifest = join(corpus, crate, 'src/Cargo.toml');
  const env = {
    ...process.env,
    CARGO_HOME: join(corpus, 'cargo-home'),
    CARGO_TARGET_DIR: join(work, crate, 'plain'),
    NO_COLOR: '1',
  };
  const cargoArgs = ['test', '--manifest-path', manifest, '--tests'];
  const covEnv = { ...env };
  delete covEnv.CARGO_TARGET_DIR;
  const json = join(work, `${crate}.json`);
  const covArgs = [
    ...entry,
    'test',
    '--engine',
    'ptrace',
    '--manifest-path',
    manifest,
    '--target-dir',
    join(work, crate, 'cov'),
    '--tests',
    '--json',
    json,
    ...(countMode ? ['--count'] : []),
  ];
  await run('cargo', [...cargoArgs, '--no-run'], env);
  await run(process.execPath, covArgs, covEnv); // builds
  const plain = await run('cargo', cargoArgs, env);
  const traced = await run(process.execPath, covArgs, covEnv);
  let stats = {};
  let totals = {};
  try {
    const report = JSON.parse(readFileSync(json, 'utf8'));
    stats = report.cov.ptrace;
    totals = report.data[0].totals.lines;
  } catch {
    // no report: the row shows the exit code
  }
  rows.push({
    crate,
    plainS: (plain.ms / 1000).toFixed(2),
    ptraceS: (traced.ms / 1000).toFixed(2),
    ratio: (traced.ms / plain.ms).toFixed(2),
    tracedS: ((stats.elapsedMs ?? 0) / 1000).toFixed(2),
    plainResults: results(plain.output),
    ptraceResults: results(traced.output),
    exit: `${plain.code}/${traced.code}`,
    breakpoints: stats.breakpoints,
    armed: stats.armed,
    hits: stats.hits,
    traps: stats.traps,
    processes: stats.processes,
    threads: stats.threads,
    lines: totals.count === undefined ? '-' : `${totals.covered}/${totals.count}`,
  });
  console.log(JSON.stringify(rows[rows.length - 1]));
}
console.log(
  '\n| crate | cargo test s | cov ptrace s | ratio | traced s (sum) | passed/failed cargo | passed/failed ptrace | breakpoints | hits (traps) | lines covered |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.crate} | ${r.plainS} | ${r.ptraceS} | ${r.ratio} | ${r.tracedS} | ${r.plainResults} | ${r.ptraceResults} | ${r.breakpoints} | ${r.hits} (${r.traps}) | ${r.lines} |`,
  );
}
