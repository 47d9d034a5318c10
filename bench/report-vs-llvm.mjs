#!/usr/bin/env node
// Times `cov report --lcov` against `llvm-profdata-22 merge -sparse` + `llvm-cov-22 export
// -format=lcov` on the same inputs (a ../shared/corpus crate dir: binaries.txt + profraw/), in one
// run, several rounds, and prints medians, the ratio and both peak RSS figures.
// usage: node bench/report-vs-llvm.mjs [--rounds N] CRATE_DIR...
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
let rounds = 5;
if (args[0] === '--rounds') {
  rounds = Number(args[1]);
  args.splice(0, 2);
}
const cli = resolve(import.meta.dirname, '../dist/cli/main.js');
const work = mkdtempSync(join(tmpdir(), 'cov-bench-'));

function measure(argv) {
  try {
    execFileSync('/usr/bin/time', ['-f', 'TIME %e %M', '-o', join(work, 't'), ...argv], {
      stdio: ['ignore', 'ignore', 'ignore'],
    });
  } catch (error) {
    throw new Error(`${argv.join(' ')} failed: ${error}`);
  }
  const [, seconds, kb] = readFileSync(join(work, 't'), 'utf8').trim().split(/\s+/).slice(-3);
  return { seconds: Number(seconds), rssMiB: Number(kb) / 1024 };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const dir of args) {
  const binaries = readFileSync(join(dir, 'binaries.txt'), 'utf8').trim().split('\n');
  const profraws = readdirSync(join(dir, 'profraw')).map((f) => join(dir, 'profraw', f));
  const objectArgs = binaries.flatMap((b) => ['--object', b]);
  const cov = [];
  const llvm = [];
  for (let i = 0; i < rounds; i++) {
    cov.push(
      measure([
        'node',
        cli,
        'report',
        '--lcov',
        '--no-default-ignore-filename-regex',
        ...objectArgs,
        '--profiles',
        join(dir, 'profraw'),
        '--output-path',
        join(work, 'cov.lcov'),
      ]),
    );
    const merge = measure([
      'llvm-profdata-22',
      'merge',
      '-sparse',
      ...profraws,
      '-o',
      join(work, 'm.profdata'),
    ]);
    const exp = measure([
      'sh',
      '-c',
      `llvm-cov-22 export -format=lcov -instr-profile=${join(work, 'm.profdata')} ${binaries[0]} ${binaries
        .slice(1)
        .map((b) => `-object ${b}`)
        .join(' ')} > ${join(work, 'llvm.lcov')}`,
    ]);
    llvm.push({ seconds: merge.seconds + exp.seconds, rssMiB: Math.max(merge.rssMiB, exp.rssMiB) });
  }
  const same =
    readFileSync(join(work, 'cov.lcov'), 'utf8') === readFileSync(join(work, 'llvm.lcov'), 'utf8');
  const c = median(cov.map((r) => r.seconds));
  const l = median(llvm.map((r) => r.seconds));
  console.log(
    `${dir}: cov ${c.toFixed(2)} s (peak ${median(cov.map((r) => r.rssMiB)).toFixed(0)} MiB) | ` +
      `llvm merge+export ${l.toFixed(2)} s (peak ${median(llvm.map((r) => r.rssMiB)).toFixed(0)} MiB) | ` +
      `ratio cov/llvm ${(c / l).toFixed(2)}x | medians of ${rounds} | lcov identical: ${same}`,
  );
}
