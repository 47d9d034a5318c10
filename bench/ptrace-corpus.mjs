#!/usr/bin/env node
// Breakpoint engine on corpus crates: `cov test --engine ptrace --tests` against plain
// `cargo test --tests`, both with their builds done beforehand (so the times compare running,
// not compiling). The commands run alternately, round after round, and the table shows medians.
// Prints, per crate, wall times and their ratio, pass/fail counts of both, the engine's
// breakpoints, hits and traps, and cov's fixed cost (its wall time minus the time its helpers
// traced, i.e. node, cargo's own work, planning and the report).
//   node bench/ptrace-corpus.mjs [--corpus /tmp/corpus] [--rounds 3] [--count]
//                                [--baseline path/to/other/cli/main.js] crate…
// --baseline adds a third command, another cov build (e.g. main's dist), run in the same rounds,
// so before/after numbers come from one run on the same machine load.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const valued = new Set(['--corpus', '--rounds', '--baseline']);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1];
};
const corpus = option('--corpus', '/tmp/corpus');
const rounds = Number(option('--rounds', '3'));
const baseline = option('--baseline', undefined);
const countMode = args.includes('--count');
const crates = args.filter((a, i) => !a.startsWith('--') && !valued.has(args[i - 1]));
const tsx = import.meta.resolve('tsx');
// COV_CLI, else the compiled CLI when `npm run build` made one (what users run), else the
// sources through tsx
const built = process.env.COV_CLI ?? join(repo, 'dist/cli/main.js');
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

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const seconds = (ms) => (ms / 1000).toFixed(2);

function readReport(json) {
  try {
    const report = JSON.parse(readFileSync(json, 'utf8'));
    const lines = report.data[0].totals.lines;
    return { stats: report.cov.ptrace, lines: `${lines.covered}/${lines.count}` };
  } catch {
    return { stats: {}, lines: '-' };
  }
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
  const covCommand = (cli, name) => {
    const json = join(work, `${crate}-${name}.json`);
    return {
      json,
      argv: [
        ...cli,
        'test',
        '--engine',
        'ptrace',
        '--manifest-path',
        manifest,
        '--target-dir',
        join(work, crate, name),
        '--tests',
        '--json',
        json,
        ...(countMode ? ['--count'] : []),
      ],
    };
  };
  const commands = [{ name: 'cov', ...covCommand(entry, 'cov') }];
  if (baseline !== undefined) commands.push({ name: 'base', ...covCommand([baseline], 'base') });
  await run('cargo', [...cargoArgs, '--no-run'], env);
  for (const c of commands) await run(process.execPath, c.argv, covEnv); // builds, plans
  const times = { plain: [], cov: [], base: [], fixed: [], baseFixed: [] };
  const last = {};
  for (let round = 0; round < rounds; round++) {
    last.plain = await run('cargo', cargoArgs, env);
    times.plain.push(last.plain.ms);
    for (const c of commands) {
      const r = await run(process.execPath, c.argv, covEnv);
      last[c.name] = { ...r, ...readReport(c.json) };
      times[c.name].push(r.ms);
      times[c.name === 'cov' ? 'fixed' : 'baseFixed'].push(
        r.ms - (last[c.name].stats.elapsedMs ?? 0),
      );
    }
  }
  const cov = last.cov;
  const row = {
    crate,
    rounds,
    plainS: seconds(median(times.plain)),
    ptraceS: seconds(median(times.cov)),
    ratio: (median(times.cov) / median(times.plain)).toFixed(2),
    fixedS: seconds(median(times.fixed)),
    tracedS: seconds(cov.stats.elapsedMs ?? 0),
    plainResults: results(last.plain.output),
    ptraceResults: results(cov.output),
    exit: `${last.plain.code}/${cov.code}`,
    breakpoints: cov.stats.breakpoints,
    armed: cov.stats.armed,
    hits: cov.stats.hits,
    traps: cov.stats.traps,
    processes: cov.stats.processes,
    threads: cov.stats.threads,
    lines: cov.lines,
    ...(baseline === undefined
      ? {}
      : {
          baseS: seconds(median(times.base)),
          baseRatio: (median(times.base) / median(times.plain)).toFixed(2),
          baseFixedS: seconds(median(times.baseFixed)),
          baseResults: results(last.base.output),
          baseTraps: last.base.stats.traps,
          baseLines: last.base.lines,
        }),
  };
  rows.push(row);
  console.log(JSON.stringify(row));
}
const withBase = baseline !== undefined;
console.log(
  `\n| crate | cargo test s | cov ptrace s | ratio |${withBase ? ' baseline s | baseline ratio |' : ''} cov fixed s | traced s (sum) | passed/failed cargo | passed/failed ptrace | breakpoints | hits (traps) | lines covered |`,
);
console.log(`|---|---|---|---|${withBase ? '---|---|' : ''}---|---|---|---|---|---|---|`);
for (const r of rows) {
  console.log(
    `| ${r.crate} | ${r.plainS} | ${r.ptraceS} | ${r.ratio} |${withBase ? ` ${r.baseS} | ${r.baseRatio} |` : ''} ${r.fixedS} | ${r.tracedS} | ${r.plainResults} | ${r.ptraceResults} | ${r.breakpoints} | ${r.hits} (${r.traps}) | ${r.lines} |`,
  );
}
console.log(`\nmedians of ${rounds} rounds; commands alternate within each round`);
