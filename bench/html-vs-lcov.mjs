#!/usr/bin/env node
// Times `cov report --html` against our own `cov report --lcov` and against `llvm-cov-22 show
// -format=html` (after `llvm-profdata-22 merge -sparse`) on the same inputs (a ../shared/corpus
// crate dir: binaries.txt + profraw/), several rounds, and prints medians and ratios.
// Wall time is what the target is about; CPU time (user+sys of the child processes, from
// /proc/self/stat on Linux) is printed beside it because on a shared machine it is the steadier
// number. --no-llvm skips the llvm-cov runs.
// Runs the built CLI (dist/, `npm run build`) unless COV_CLI points elsewhere.
// usage: node bench/html-vs-lcov.mjs [--rounds N] [--no-llvm] CRATE_DIR...
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
let rounds = 5;
let withLlvm = true;
for (;;) {
  if (args[0] === '--rounds') {
    rounds = Number(args[1]);
    args.splice(0, 2);
  } else if (args[0] === '--no-llvm') {
    withLlvm = false;
    args.splice(0, 1);
  } else break;
}
const cli = resolve(process.env.COV_CLI ?? join(import.meta.dirname, '../dist/src/cli/main.js'));
const node = cli.endsWith('.ts') ? ['node', '--import', 'tsx'] : ['node'];
const work = mkdtempSync(join(tmpdir(), 'cov-bench-html-'));

/** CPU seconds (user+sys) of the children waited for so far, or NaN off Linux. */
function childrenCpu() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); cutime and cstime are fields 16 and 17, in clock ticks
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return NaN;
  }
}

/** Runs argv; returns [wall seconds, CPU seconds]. */
function measure(argv) {
  const started = process.hrtime.bigint();
  const cpu = childrenCpu();
  try {
    execFileSync(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    throw new Error(`${argv.join(' ')} failed: ${error.stderr ?? error}`);
  }
  return [Number(process.hrtime.bigint() - started) / 1e9, childrenCpu() - cpu];
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const dir of args) {
  const binaries = readFileSync(join(dir, 'binaries.txt'), 'utf8').trim().split('\n');
  const profraws = readdirSync(join(dir, 'profraw')).map((f) => join(dir, 'profraw', f));
  const covInput = [
    ...binaries.flatMap((b) => ['--object', b]),
    '--profiles',
    join(dir, 'profraw'),
    '--no-default-ignore-filename-regex',
    '--quiet',
  ];
  const html = [];
  const lcov = [];
  const llvm = [];
  const ratios = [];
  for (let i = 0; i < rounds; i++) {
    rmSync(join(work, 'cov-html'), { recursive: true, force: true });
    const h = measure([...node, cli, 'report', ...covInput, '--html', join(work, 'cov-html')]);
    const l = measure([...node, cli, 'report', ...covInput, '--lcov', join(work, 'cov.lcov')]);
    html.push(h);
    lcov.push(l);
    ratios.push(h[0] / l[0]);
    if (!withLlvm) continue;
    rmSync(join(work, 'llvm-html'), { recursive: true, force: true });
    const merge = measure([
      'llvm-profdata-22',
      'merge',
      '-sparse',
      ...profraws,
      '-o',
      join(work, 'm.profdata'),
    ]);
    const show = measure([
      'llvm-cov-22',
      'show',
      '-format=html',
      `-output-dir=${join(work, 'llvm-html')}`,
      `-instr-profile=${join(work, 'm.profdata')}`,
      binaries[0],
      ...binaries.slice(1).flatMap((b) => ['-object', b]),
    ]);
    llvm.push([merge[0] + show[0], merge[1] + show[1]]);
  }
  const wall = (xs) => median(xs.map((x) => x[0]));
  const cpu = (xs) => median(xs.map((x) => x[1]));
  const pages = readdirSync(join(work, 'cov-html', 'files')).length;
  const hw = wall(html);
  const lw = wall(lcov);
  const line = [
    `${dir}: medians of ${rounds} rounds (wall s / cpu s)`,
    `  cov --html ${hw.toFixed(2)} / ${cpu(html).toFixed(2)} (${pages} pages)`,
    `  cov --lcov ${lw.toFixed(2)} / ${cpu(lcov).toFixed(2)}`,
    `  html/lcov wall ${(hw / lw).toFixed(2)}x (median of per-round ratios ${median(ratios).toFixed(2)}x), ` +
      `cpu ${(cpu(html) / cpu(lcov)).toFixed(2)}x (target ≤ 1.5x)`,
  ];
  if (withLlvm) {
    const vw = wall(llvm);
    line.push(
      `  llvm-profdata merge + llvm-cov show -format=html ${vw.toFixed(2)} / ${cpu(llvm).toFixed(2)}`,
      `  html/llvm wall ${(hw / vw).toFixed(2)}x, cpu ${(cpu(html) / cpu(llvm)).toFixed(2)}x`,
    );
  }
  console.log(line.join('\n'));
}
rmSync(work, { recursive: true, force: true });
