#!/usr/bin/env node
// Times `cov report --html` against our own `cov report --lcov` and against `llvm-cov-22 show
// -format=html` (after `llvm-profdata-22 merge -sparse`) on the same inputs (a ../shared/corpus
// crate dir: binaries.txt + profraw/), several rounds, and prints medians and ratios.
// Runs the built CLI (dist/, `npm run build`) unless COV_CLI points elsewhere.
// usage: node bench/html-vs-lcov.mjs [--rounds N] CRATE_DIR...
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
let rounds = 5;
if (args[0] === '--rounds') {
  rounds = Number(args[1]);
  args.splice(0, 2);
}
const cli = resolve(process.env.COV_CLI ?? join(import.meta.dirname, '../dist/src/cli/main.js'));
const node = cli.endsWith('.ts') ? ['node', '--import', 'tsx'] : ['node'];
const work = mkdtempSync(join(tmpdir(), 'cov-bench-html-'));

function seconds(argv) {
  const started = process.hrtime.bigint();
  try {
    execFileSync(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    throw new Error(`${argv.join(' ')} failed: ${error.stderr ?? error}`);
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
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
  for (let i = 0; i < rounds; i++) {
    rmSync(join(work, 'cov-html'), { recursive: true, force: true });
    html.push(seconds([...node, cli, 'report', ...covInput, '--html', join(work, 'cov-html')]));
    lcov.push(seconds([...node, cli, 'report', ...covInput, '--lcov', join(work, 'cov.lcov')]));
    rmSync(join(work, 'llvm-html'), { recursive: true, force: true });
    const merge = seconds([
      'llvm-profdata-22',
      'merge',
      '-sparse',
      ...profraws,
      '-o',
      join(work, 'm.profdata'),
    ]);
    const show = seconds([
      'llvm-cov-22',
      'show',
      '-format=html',
      `-output-dir=${join(work, 'llvm-html')}`,
      `-instr-profile=${join(work, 'm.profdata')}`,
      binaries[0],
      ...binaries.slice(1).flatMap((b) => ['-object', b]),
    ]);
    llvm.push(merge + show);
  }
  const h = median(html);
  const l = median(lcov);
  const v = median(llvm);
  const pages = readdirSync(join(work, 'cov-html', 'files')).length;
  console.log(
    `${dir}: cov --html ${h.toFixed(2)} s (${pages} pages) | cov --lcov ${l.toFixed(2)} s | ` +
      `llvm merge+show -format=html ${v.toFixed(2)} s | html/lcov ${(h / l).toFixed(2)}x (target ≤ 1.5x) | ` +
      `html/llvm ${(h / v).toFixed(2)}x | medians of ${rounds}`,
  );
}
rmSync(work, { recursive: true, force: true });
