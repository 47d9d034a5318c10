#!/usr/bin/env node
// Coverage database (.covdb) on a ../shared/corpus crate dir (binaries.txt + profraw/): its size
// against the binaries and profiles it replaces, and `cov report --from DB --lcov` against the full
// `cov report --lcov` (binaries + profiles), medians of N rounds in one run; also the cost of
// `--save` and checks that both lcov outputs are identical.
// usage: node bench/covdb.mjs [--rounds N] CRATE_DIR...   (uses dist/ when built, else tsx)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
let rounds = 3;
if (args[0] === '--rounds') {
  rounds = Number(args[1]);
  args.splice(0, 2);
}
const dist = resolve(import.meta.dirname, '../dist/cli/main.js');
const cov = existsSync(dist)
  ? ['node', dist]
  : ['node', '--import', 'tsx', resolve(import.meta.dirname, '../src/cli/main.ts')];
const work = mkdtempSync(join(tmpdir(), 'cov-bench-covdb-'));

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
const sizeOf = (files) => files.reduce((sum, f) => sum + statSync(f).size, 0);
const mb = (bytes) => `${(bytes / 1e6).toFixed(2)} MB`;

console.log(`cov: ${cov.join(' ')}; ${rounds} rounds`);
for (const dir of args) {
  const binaries = readFileSync(join(dir, 'binaries.txt'), 'utf8').trim().split('\n');
  const profraws = readdirSync(join(dir, 'profraw')).map((f) => join(dir, 'profraw', f));
  const inputs = [...binaries.flatMap((b) => ['--object', b]), '--profiles', join(dir, 'profraw')];
  const db = join(work, 'cov.covdb');
  const common = ['--lcov', '--no-default-ignore-filename-regex', '--output-path'];
  const full = [];
  const save = [];
  const from = [];
  for (let i = 0; i < rounds; i++) {
    full.push(measure([...cov, 'report', ...inputs, ...common, join(work, 'full.lcov')]));
    save.push(
      measure([...cov, 'report', ...inputs, '--save', db, ...common, join(work, 'save.lcov')]),
    );
    from.push(measure([...cov, 'report', '--from', db, ...common, join(work, 'from.lcov')]));
  }
  const same =
    readFileSync(join(work, 'full.lcov')).equals(readFileSync(join(work, 'from.lcov'))) &&
    readFileSync(join(work, 'full.lcov')).equals(readFileSync(join(work, 'save.lcov')));
  const binBytes = sizeOf(binaries);
  const profBytes = sizeOf(profraws);
  const dbBytes = statSync(db).size;
  const t = (runs) => median(runs.map((r) => r.seconds));
  const rss = (runs) => median(runs.map((r) => r.rssMiB)).toFixed(0);
  console.log(`\n${dir}: ${binaries.length} binaries, ${profraws.length} profiles`);
  console.log(
    `  size: database ${mb(dbBytes)} vs binaries ${mb(binBytes)} + profiles ${mb(profBytes)} ` +
      `(${((binBytes + profBytes) / dbBytes).toFixed(0)}x smaller; ${(dbBytes / profBytes).toFixed(2)}x the profiles alone)`,
  );
  console.log(`  cov report --lcov (binaries + profiles): ${t(full)} s, ${rss(full)} MiB`);
  console.log(`  cov report --lcov --save DB:             ${t(save)} s, ${rss(save)} MiB`);
  console.log(`  cov report --from DB --lcov:             ${t(from)} s, ${rss(from)} MiB`);
  console.log(`  --from / full: ${(t(from) / t(full)).toFixed(2)}; lcov identical: ${same}`);
  if (!same) process.exitCode = 1;
}
