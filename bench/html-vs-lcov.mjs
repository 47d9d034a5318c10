#!/usr/bin/env node
// Times `cov report --html` against our own `cov report --lcov` and against `llvm-cov-22 show
// -format=html` (after `llvm-profdata-22 merge -sparse`) on the same inputs (a ../shared/corpus
// crate dir: binaries.txt + profraw/), several rounds, and prints medians and ratios.
// Wall time is what the target is about; CPU time (user+sys of the child processes, from
// /proc/self/stat on Linux; every thread) is printed beside it because
// on a shared machine it is the steadier number, and peak RSS (GNU time, when /usr/bin/time is
// there). --no-llvm skips the llvm-cov runs.
// Runs the built CLI (dist/, `npm run build`) unless COV_CLI points elsewhere; with COV_CLI_BASE
// (another build's main.js) its --html and --lcov run in the same rounds too, for a before/after.
// usage: node bench/html-vs-lcov.mjs [--rounds N] [--no-llvm] CRATE_DIR...
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
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
const cli = resolve(process.env.COV_CLI ?? join(import.meta.dirname, '../dist/cli/main.js'));
const nodeFor = (main) => (main.endsWith('.ts') ? ['node', '--import', 'tsx'] : ['node']);
const node = nodeFor(cli);
const base = process.env.COV_CLI_BASE ? resolve(process.env.COV_CLI_BASE) : undefined;
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

const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const rssFile = join(work, 'rss.txt');

/** Runs argv; returns [wall seconds, CPU seconds, peak RSS in MB (NaN when unknown)]. */
function measure(argv) {
  const command = GNU_TIME === undefined ? argv : [GNU_TIME, '-f', '%M', '-o', rssFile, ...argv];
  const started = process.hrtime.bigint();
  const cpu = childrenCpu();
  try {
    execFileSync(command[0], command.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    throw new Error(`${argv.join(' ')} failed: ${error.stderr ?? error}`);
  }
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  let rss = NaN;
  if (GNU_TIME !== undefined)
    rss = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024;
  return [wall, childrenCpu() - cpu, rss];
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
  const baseHtml = [];
  const baseLcov = [];
  for (let i = 0; i < rounds; i++) {
    if (base !== undefined) {
      rmSync(join(work, 'base-html'), { recursive: true, force: true });
      baseHtml.push(
        measure([...nodeFor(base), base, 'report', ...covInput, '--html', join(work, 'base-html')]),
      );
      baseLcov.push(
        measure([...nodeFor(base), base, 'report', ...covInput, '--lcov', join(work, 'b.lcov')]),
      );
    }
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
    llvm.push([merge[0] + show[0], merge[1] + show[1], Math.max(merge[2], show[2])]);
  }
  const wall = (xs) => median(xs.map((x) => x[0]));
  const cpu = (xs) => median(xs.map((x) => x[1]));
  const rss = (xs) => median(xs.map((x) => x[2])).toFixed(0);
  const pages = readdirSync(join(work, 'cov-html', 'files')).length;
  const hw = wall(html);
  const lw = wall(lcov);
  const line = [
    `${dir}: medians of ${rounds} rounds (wall s / cpu s / peak RSS MB)`,
    `  cov --html ${hw.toFixed(2)} / ${cpu(html).toFixed(2)} / ${rss(html)} (${pages} pages)`,
    `  cov --lcov ${lw.toFixed(2)} / ${cpu(lcov).toFixed(2)} / ${rss(lcov)}`,
    `  html/lcov wall ${(hw / lw).toFixed(2)}x (per-round ratios: median ${median(ratios).toFixed(2)}x, ` +
      `range ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}x), ` +
      `cpu ${(cpu(html) / cpu(lcov)).toFixed(2)}x (target ≤ 1.5x)`,
  ];
  if (base !== undefined) {
    const bw = wall(baseHtml);
    const blw = wall(baseLcov);
    line.push(
      `  base (${base}): --html ${bw.toFixed(2)} / ${cpu(baseHtml).toFixed(2)} / ${rss(baseHtml)}, ` +
        `--lcov ${blw.toFixed(2)} / ${cpu(baseLcov).toFixed(2)} / ${rss(baseLcov)}, ` +
        `html/lcov wall ${(bw / blw).toFixed(2)}x, cpu ${(cpu(baseHtml) / cpu(baseLcov)).toFixed(2)}x`,
    );
  }
  if (withLlvm) {
    const vw = wall(llvm);
    line.push(
      `  llvm-profdata merge + llvm-cov show -format=html ${vw.toFixed(2)} / ${cpu(llvm).toFixed(2)} / ${rss(llvm)}`,
      `  html/llvm wall ${(hw / vw).toFixed(2)}x, cpu ${(cpu(html) / cpu(llvm)).toFixed(2)}x`,
    );
  }
  console.log(line.join('\n'));
}
rmSync(work, { recursive: true, force: true });
