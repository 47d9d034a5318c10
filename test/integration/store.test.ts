/**
 * Coverage databases end to end: for every fixture, `cov report --from DB` prints exactly what
 * `cov report` prints from the binaries and profiles (lcov and JSON, byte for byte) and what
 * llvm-cov-22 prints; the databases of two test shards merged with `cov merge` report exactly what
 * all tests at once report, and what llvm-cov-22 reports on the merged profiles. Needs cargo and
 * llvm-22 (the nightly-branch fixture also nightly); missing tools turn tests into skips whose
 * titles say why.
 */
import { copyFile, cp, mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { execa } from 'execa';
import { decodeDatabase } from '../../src/store/index.js';
import { COV_CLI_ENTRY, REPO_ROOT, formatCommand } from '../helpers/cov-cli.js';
import { FIXTURE_CRATES_DIR, buildFixture, type BuiltFixture } from '../helpers/fixture-build.js';
import {
  buildOptions,
  FIXTURES,
  findFixture,
  type FixtureSpec,
} from '../helpers/fixture-catalog.js';
import { runOracle } from '../helpers/oracle.js';
import { compareCovJson, compareLcov } from '../helpers/output-diff.js';
import {
  LLVM_COV,
  LLVM_PROFDATA,
  missingReason,
  requireTool,
  requireToolchain,
  toolchainEnv,
} from '../helpers/tools.js';

const BUILD_TIMEOUT_MS = 20 * 60_000;
const OUT_DIR = path.join(os.tmpdir(), 'cov-store-test');
const llvmTools = [requireTool(LLVM_COV), requireTool(LLVM_PROFDATA)];
const skipReasons = new Map<string, string | undefined>();
for (const spec of FIXTURES) {
  skipReasons.set(spec.name, await missingReason([requireToolchain(spec.toolchain), ...llvmTools]));
}

interface CovRun {
  readonly exitCode: number | undefined;
  readonly stderr: string;
  readonly command: readonly string[];
}

async function runCov(
  args: readonly string[],
  cwd = REPO_ROOT,
  env: Record<string, string> = {},
): Promise<CovRun> {
  // tsx resolved here, so the CLI also runs with a crate directory as its cwd
  const command = [
    process.execPath,
    '--import',
    import.meta.resolve('tsx'),
    COV_CLI_ENTRY,
    ...args,
  ];
  const result = await execa(command[0]!, command.slice(1), {
    cwd,
    env: { NO_COLOR: '1', ...env },
    reject: false,
    timeout: 10 * 60_000,
  });
  return { exitCode: result.exitCode, stderr: result.stderr, command };
}

async function mustRun(
  t: ExecutionContext,
  args: readonly string[],
  cwd = REPO_ROOT,
  env: Record<string, string> = {},
): Promise<void> {
  const run = await runCov(args, cwd, env);
  if (run.exitCode !== 0) {
    throw new Error(
      `cov exited ${String(run.exitCode)}: ${formatCommand(run.command)}\n${run.stderr.slice(-3000)}`,
    );
  }
  t.log(`ok: cov ${args.slice(0, 2).join(' ')} …`);
}

function objectArgs(binaries: readonly string[]): string[] {
  return binaries.flatMap((binary) => ['--object', binary]);
}

const REPORT_FLAGS = ['--no-default-ignore-filename-regex'];

async function same(
  t: ExecutionContext,
  kind: 'lcov' | 'json',
  oursPath: string,
  expectedPath: string,
): Promise<void> {
  const ours = await readFile(oursPath);
  const expected = await readFile(expectedPath);
  const difference = kind === 'lcov' ? compareLcov(ours, expected) : compareCovJson(ours, expected);
  t.is(difference, undefined, `${oursPath} vs ${expectedPath}`);
}

const fromEqualsDirect = test.macro({
  async exec(t, spec: FixtureSpec) {
    t.timeout(BUILD_TIMEOUT_MS);
    const build = await buildFixture(spec.name, buildOptions(spec));
    const dir = path.join(OUT_DIR, spec.name);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const db = path.join(dir, 'cov.covdb');
    const inputs = [...objectArgs(build.binaries), '--profiles', build.profrawDir];
    const out = (name: string): string => path.join(dir, name);
    // direct path (binaries decoded on demand), the saving path, and the database alone
    await mustRun(t, [
      'report',
      ...inputs,
      ...REPORT_FLAGS,
      '--lcov',
      out('direct.lcov'),
      '--json',
      out('direct.json'),
    ]);
    await mustRun(t, [
      'report',
      ...inputs,
      ...REPORT_FLAGS,
      '--save',
      db,
      '--lcov',
      out('saving.lcov'),
      '--json',
      out('saving.json'),
    ]);
    await mustRun(t, [
      'report',
      '--from',
      db,
      ...REPORT_FLAGS,
      '--lcov',
      out('from.lcov'),
      '--json',
      out('from.json'),
    ]);
    for (const name of ['saving.lcov', 'from.lcov']) {
      t.deepEqual(await readFile(out(name)), await readFile(out('direct.lcov')), name);
    }
    for (const name of ['saving.json', 'from.json']) {
      t.deepEqual(await readFile(out(name)), await readFile(out('direct.json')), name);
    }
    for (const format of ['lcov', 'json'] as const) {
      const oracle = await runOracle({
        binaries: build.binaries,
        profraws: build.profraws,
        format,
        cacheDir: build.cacheDir,
      });
      await same(t, format, out(`from.${format}`), oracle.outputPath);
    }
    const sizes = await Promise.all(
      [db, ...build.binaries].map(async (file) => (await stat(file)).size),
    );
    t.log(
      `${spec.name}: database ${sizes[0]} bytes; binaries ${sizes.slice(1).reduce((a, b) => a + b, 0)} bytes`,
    );
  },
  title: (_provided, spec: FixtureSpec) =>
    `${spec.name}: cov report --from DB = cov report on binaries + profiles = llvm-cov (lcov, json)`,
});

for (const spec of FIXTURES) {
  const reason = skipReasons.get(spec.name);
  if (reason === undefined) test(fromEqualsDirect, spec);
  else test.skip(`skipped: ${reason}`, fromEqualsDirect, spec);
}

/** Test names of a libtest binary. */
async function listTests(binary: string, cwd: string): Promise<string[]> {
  const { stdout } = await execa(binary, ['--list', '--format', 'terse'], {
    cwd,
    env: { LLVM_PROFILE_FILE: path.join(os.tmpdir(), 'cov-store-list-%p.profraw') },
  });
  return stdout
    .split('\n')
    .filter((line) => line.endsWith(': test'))
    .map((line) => line.slice(0, -': test'.length));
}

/**
 * Runs every test binary of `build` twice over: tests at even positions into `dirs[0]`, odd ones
 * into `dirs[1]` (a binary with no test in a shard does not run in it, as in sharded CI).
 * @returns how many tests each shard ran
 */
async function runShards(build: BuiltFixture, dirs: readonly [string, string]): Promise<number[]> {
  const ran = [0, 0];
  for (const binary of build.testBinaries) {
    const names = await listTests(binary, build.workDir);
    for (const shard of [0, 1] as const) {
      const mine = names.filter((_name, i) => i % 2 === shard);
      if (mine.length === 0) continue;
      await execa(binary, ['--exact', '--test-threads', '1', ...mine], {
        cwd: build.workDir,
        env: { LLVM_PROFILE_FILE: path.join(dirs[shard], '%p-%m.profraw') },
      });
      ran[shard]! += mine.length;
    }
  }
  return ran;
}

async function listProfraws(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.profraw')).map((f) => path.join(dir, f));
}

const shardMerge = test.macro({
  async exec(t, name: string) {
    t.timeout(BUILD_TIMEOUT_MS);
    const spec = findFixture(name);
    const build = await buildFixture(spec.name, buildOptions(spec));
    const dir = path.join(OUT_DIR, `shards-${name}`);
    await rm(dir, { recursive: true, force: true });
    const shardDirs = [path.join(dir, 'a'), path.join(dir, 'b')] as const;
    const allDir = path.join(dir, 'all');
    for (const d of [...shardDirs, allDir]) await mkdir(d, { recursive: true });
    const ran = await runShards(build, shardDirs);
    t.log(`${name}: shard a ran ${ran[0]} tests, shard b ran ${ran[1]}`);
    t.true(ran[0]! > 0 && ran[1]! > 0, 'both shards ran tests');
    const profraws = [...(await listProfraws(shardDirs[0])), ...(await listProfraws(shardDirs[1]))];
    for (const file of profraws) await copyFile(file, path.join(allDir, path.basename(file)));
    const objects = objectArgs(build.binaries);
    const out = (file: string): string => path.join(dir, file);

    for (const [i, shardDir] of shardDirs.entries()) {
      await mustRun(t, [
        'report',
        ...objects,
        '--profiles',
        shardDir,
        '--save',
        out(`${i}.covdb`),
        '--summary-only',
        '--output-path',
        out(`${i}.txt`),
      ]);
    }
    await mustRun(t, ['merge', out('0.covdb'), out('1.covdb'), '-o', out('merged.covdb')]);
    await mustRun(t, [
      'report',
      '--from',
      out('merged.covdb'),
      ...REPORT_FLAGS,
      '--lcov',
      out('merged.lcov'),
    ]);
    await mustRun(t, [
      'report',
      '--from',
      out('0.covdb'),
      out('1.covdb'),
      ...REPORT_FLAGS,
      '--lcov',
      out('from-two.lcov'),
    ]);
    await mustRun(t, [
      'report',
      ...objects,
      '--profiles',
      allDir,
      ...REPORT_FLAGS,
      '--lcov',
      out('all.lcov'),
    ]);
    await mustRun(t, [
      'report',
      '--from',
      out('0.covdb'),
      ...REPORT_FLAGS,
      '--lcov',
      out('shard0.lcov'),
    ]);

    const merged = await readFile(out('merged.lcov'));
    t.deepEqual(merged, await readFile(out('all.lcov')), 'merged databases = all profiles at once');
    t.deepEqual(await readFile(out('from-two.lcov')), merged, '--from A B = --from merge(A, B)');
    t.notDeepEqual(await readFile(out('shard0.lcov')), merged, 'a shard alone differs');
    const oracle = await runOracle({
      binaries: build.binaries,
      profraws,
      format: 'lcov',
      cacheDir: dir,
    });
    await same(t, 'lcov', out('merged.lcov'), oracle.outputPath);

    // the database holds every object once although both shards stored them all
    const mergedDb = decodeDatabase(await readFile(out('merged.covdb')), 'merged.covdb');
    t.deepEqual(mergedDb.warnings, []);
    t.is(mergedDb.database.objects.length, new Set(build.binaries).size);
    t.is(mergedDb.database.metadata.shards?.length, 2);

    // never overwrite an input
    const before = await readFile(out('0.covdb'));
    const refused = await runCov(['merge', out('0.covdb'), out('1.covdb'), '-o', out('0.covdb')]);
    t.is(refused.exitCode, 1);
    t.regex(refused.stderr, /inputs are never overwritten/);
    t.deepEqual(await readFile(out('0.covdb')), before);
  },
  title: (_provided, name: string) =>
    `${name}: cov merge of two test shards = all tests at once = llvm-cov on the merged profiles`,
});

for (const name of ['basics', 'workspace']) {
  const reason = skipReasons.get(name);
  if (reason === undefined) test(shardMerge, name);
  else test.skip(`skipped: ${reason}`, shardMerge, name);
}

const realDatabaseDamage = test.macro({
  async exec(t, name: string) {
    t.timeout(BUILD_TIMEOUT_MS);
    const spec = findFixture(name);
    const build = await buildFixture(spec.name, buildOptions(spec));
    const dir = path.join(OUT_DIR, `damage-${name}`);
    await rm(dir, { recursive: true, force: true });
    const db = path.join(dir, 'cov.covdb');
    await mustRun(t, [
      'report',
      ...objectArgs(build.binaries),
      '--profiles',
      build.profrawDir,
      '--save',
      db,
      '--summary-only',
      '--output-path',
      path.join(dir, 'summary.txt'),
    ]);
    const bytes = new Uint8Array(await readFile(db));
    const intact = decodeDatabase(bytes, 'cov.covdb');
    t.deepEqual(intact.warnings, []);
    const objects = intact.database.objects.length;
    const counters = intact.database.profile.records.length;
    let fatal = 0;
    for (let i = 0; i < bytes.length; i++) {
      const damaged = bytes.slice();
      damaged[i]! ^= 0x01;
      let decoded;
      try {
        decoded = decodeDatabase(damaged, 'cov.covdb');
      } catch (error) {
        if (i >= 12) throw error;
        fatal++;
        continue;
      }
      if (i < 12 || decoded.warnings.length === 0) {
        t.fail(`flipping bit 0 of byte ${i} went unnoticed`);
        return;
      }
      // at most one record is lost: one object, or the profile, or the metadata
      const lostObjects = objects - decoded.database.objects.length;
      const kept = decoded.database.profile.records.length;
      const lostProfile = kept === counters ? 0 : 1;
      if (lostObjects + lostProfile > 1 || (kept !== counters && kept !== 0)) {
        t.fail(`byte ${i}: lost ${lostObjects} objects and ${lostProfile} profile records`);
        return;
      }
    }
    t.is(fatal, 12);
    t.log(`${name}: all ${bytes.length} single-bit flips of a ${objects}-object database detected`);
  },
  title: (_provided, name: string) =>
    `${name}: every single-byte corruption of its real database is detected and loses at most one record`,
});

for (const name of ['workspace']) {
  const reason = skipReasons.get(name);
  if (reason === undefined) test(realDatabaseDamage, name);
  else test.skip(`skipped: ${reason}`, realDatabaseDamage, name);
}

const covTestShards = test.macro({
  async exec(t) {
    t.timeout(BUILD_TIMEOUT_MS);
    const dir = path.join(OUT_DIR, 'cov-test-basics');
    await rm(dir, { recursive: true, force: true });
    const crate = path.join(dir, 'basics');
    await cp(path.join(FIXTURE_CRATES_DIR, 'basics'), crate, { recursive: true });
    const env = await toolchainEnv('stable');
    const out = (file: string): string => path.join(dir, file);
    // two shards by test filter, then everything; all share target/cov, so one build
    await mustRun(
      t,
      ['test', '-q', '--save', out('a.covdb'), '--lcov', out('a.lcov'), '--', 'shapes'],
      crate,
      env,
    );
    await mustRun(
      t,
      ['test', '-q', '--save', out('b.covdb'), '--lcov', out('b.lcov'), '--', '--skip', 'shapes'],
      crate,
      env,
    );
    await mustRun(t, ['test', '-q', '--lcov', out('all.lcov')], crate, env);
    const defaultDb = path.join(crate, 'target', 'cov', 'cov.covdb');
    await mustRun(t, ['report', '--from', defaultDb, '--lcov', out('default.lcov')]);
    await mustRun(t, ['merge', out('a.covdb'), out('b.covdb'), '-o', out('merged.covdb')]);
    await mustRun(t, ['report', '--from', out('merged.covdb'), '--lcov', out('merged.lcov')]);
    const all = await readFile(out('all.lcov'));
    t.deepEqual(await readFile(out('default.lcov')), all, 'cov test wrote target/cov/cov.covdb');
    t.deepEqual(await readFile(out('merged.lcov')), all, 'merged shards = all tests');
    t.notDeepEqual(await readFile(out('a.lcov')), all);
    t.notDeepEqual(await readFile(out('b.lcov')), all);
    const meta = decodeDatabase(await readFile(out('a.covdb')), 'a.covdb').database.metadata;
    t.is(meta.exitStatus, 0);
    t.regex(meta.rustcVerbose ?? '', /^rustc .*\nLLVM version: /ms);
    t.is(meta.workspaceRoot, crate);
    t.deepEqual(meta.argv.slice(-2), ['--', 'shapes']);
  },
  title: () =>
    'cov test writes target/cov/cov.covdb; two `cov test -- <filter>` shards merged = all tests',
});

const stableReason = skipReasons.get('basics');
if (stableReason === undefined) test(covTestShards);
else test.skip(`skipped: ${stableReason}`, covTestShards);
