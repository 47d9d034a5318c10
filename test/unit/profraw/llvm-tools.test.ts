/**
 * Cross-checks against the real toolchain: profiles written by clang-14 (raw v8) and clang-22
 * (raw v10) programs, compared with `llvm-profdata-{14,22} show`, and `.profdata` files written by
 * `llvm-profdata merge` compared with our own reading and merging. Each test skips (with the reason
 * logged) when the tools are missing.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import test, { type ExecutionContext } from 'ava';
import {
  mergeProfiles,
  readProfdata,
  readProfile,
  readProfraw,
  type ProfileFile,
  type ProfileRecord,
} from '../../../src/profraw/index.js';
import { buildRawProfile, nameRefOf } from './profile-builder.js';

const run = promisify(execFile);

function findTool(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir !== '' && existsSync(candidate)) return candidate;
  }
  return undefined;
}

let workDir = '';
test.before(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'cov-profraw-'));
});
test.after.always(async () => {
  if (workDir !== '') await rm(workDir, { recursive: true, force: true });
});

/** Returns the tool paths, or logs why the test is skipped and returns undefined. */
function tools(t: ExecutionContext, ...names: string[]): string[] | undefined {
  const found = names.map(findTool);
  const missing = names.filter((_, i) => found[i] === undefined);
  if (missing.length > 0) {
    t.log(`skipped: ${missing.join(', ')} not installed`);
    t.pass();
    return undefined;
  }
  return found as string[];
}

const PROGRAM = `
static int classify(int x) { if (x > 2) return 1; return 0; }
int unused(int x) { return x * 2; }
int main(int argc, char **argv) {
  int s = 0;
  for (int i = 0; i < 5 + argc; i++) s += classify(i);
  return s > 100;
}
`;

const MCDC_PROGRAM = `
int f(int a, int b) { if (a && b) return 1; return 0; }
int main(int argc, char **argv) { return f(argc > 0, argc > 5) + f(argc > 3, 1); }
`;

const builds = new Map<string, Promise<string>>();

/** Compiles `source` once per (compiler, flags, source) into its own directory; returns the exe. */
function compile(compiler: string, source: string, flags: readonly string[]): Promise<string> {
  const key = JSON.stringify([compiler, source, flags]);
  let build = builds.get(key);
  if (build === undefined) {
    build = (async () => {
      const dir = join(workDir, `build${builds.size}`);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'x.c'), source);
      const exe = join(dir, 'x');
      const coverage = ['-fprofile-instr-generate', '-fcoverage-mapping'];
      await run(compiler, [...coverage, ...flags, 'x.c', '-o', exe], { cwd: dir });
      return exe;
    })();
    builds.set(key, build);
  }
  return build;
}

let runs = 0;

/** Runs `exe` with `args` and returns the path of the raw profile it wrote. */
async function runProgram(exe: string, args: readonly string[] = []): Promise<string> {
  const profile = join(workDir, `run${runs++}.profraw`);
  await run(exe, args, { env: { ...process.env, LLVM_PROFILE_FILE: profile } });
  return profile;
}

/** Compiles (shared between tests) and runs `source`; returns the raw profile path. */
async function compileAndRun(
  compiler: string,
  source: string,
  flags: readonly string[] = [],
  args: readonly string[] = [],
): Promise<string> {
  return runProgram(await compile(compiler, source, flags), args);
}

interface ShownFunction {
  name: string;
  hash: bigint;
  counts: bigint[];
}

/** Parses `llvm-profdata show --all-functions --counts`: name, Hash, Function count, Block counts. */
async function show(profdataTool: string, profile: string): Promise<ShownFunction[]> {
  const { stdout } = await run(profdataTool, ['show', '--all-functions', '--counts', profile]);
  const functions: ShownFunction[] = [];
  let current: ShownFunction | undefined;
  for (const line of stdout.split('\n')) {
    const name = /^ {2}(\S.*):$/.exec(line);
    if (name) {
      current = { name: name[1]!, hash: 0n, counts: [] };
      functions.push(current);
      continue;
    }
    if (current === undefined) continue;
    const hash = /^ {4}Hash: (0x[0-9a-f]+)$/.exec(line);
    if (hash) current.hash = BigInt(hash[1]!);
    const entry = /^ {4}Function count: (\d+)$/.exec(line);
    if (entry) current.counts.push(BigInt(entry[1]!));
    const blocks = /^ {4}Block counts: \[(.*)\]$/.exec(line);
    if (blocks && blocks[1] !== '') current.counts.push(...blocks[1]!.split(', ').map(BigInt));
  }
  return functions;
}

function recordFor(
  records: readonly ProfileRecord[],
  fn: ShownFunction,
): ProfileRecord | undefined {
  return records.find((r) => r.nameRef === nameRefOf(fn.name) && r.funcHash === fn.hash);
}

/** Every function `show` lists is a record of ours with the same counts, and nothing else is. */
function assertMatchesShow(t: ExecutionContext, file: ProfileFile, shown: ShownFunction[]): void {
  t.true(shown.length > 0);
  t.is(file.records.length, shown.length);
  for (const fn of shown) {
    const record = recordFor(file.records, fn);
    t.truthy(record, `no record for ${fn.name} ${fn.hash.toString(16)}`);
    t.deepEqual([...(record?.counts ?? [])], fn.counts, fn.name);
  }
  t.deepEqual([...file.names].sort(), shown.map((fn) => fn.name).sort());
}

test('clang-14 raw v8 matches llvm-profdata-14 show', async (t) => {
  const found = tools(t, 'clang-14', 'llvm-profdata-14');
  if (!found) return;
  const [clang, profdata] = found as [string, string];
  const profile = await compileAndRun(clang, PROGRAM);
  const file = readProfraw(await readFile(profile), profile);
  t.deepEqual(file.versions, [8]);
  t.deepEqual(file.warnings, []);
  assertMatchesShow(t, file, await show(profdata, profile));
});

test('clang-14 → llvm-profdata-14 merge (indexed v7) reads like the raw profile', async (t) => {
  const found = tools(t, 'clang-14', 'llvm-profdata-14');
  if (!found) return;
  const [clang, profdata] = found as [string, string];
  const profile = await compileAndRun(clang, PROGRAM, [], ['a']);
  const indexedPath = `${profile}.profdata`;
  await run(profdata, ['merge', '-o', indexedPath, profile]);
  const indexed = readProfdata(await readFile(indexedPath), indexedPath);
  t.deepEqual(indexed.versions, [7]);
  t.deepEqual(indexed.warnings, []);
  assertMatchesShow(t, indexed, await show(profdata, profile));
});

test('clang-22 raw v10 matches llvm-profdata-22 show', async (t) => {
  const found = tools(t, 'clang-22', 'llvm-profdata-22');
  if (!found) return;
  const [clang, profdata] = found as [string, string];
  const profile = await compileAndRun(clang, PROGRAM);
  const file = readProfile(await readFile(profile), profile);
  t.deepEqual(file.versions, [10]);
  t.deepEqual(file.warnings, []);
  assertMatchesShow(t, file, await show(profdata, profile));
});

test('clang-22 single-byte counters match llvm-profdata-22 show', async (t) => {
  const found = tools(t, 'clang-22', 'llvm-profdata-22');
  if (!found) return;
  const [clang, profdata] = found as [string, string];
  const profile = await compileAndRun(clang, PROGRAM, ['-mllvm', '-enable-single-byte-coverage']);
  const file = readProfraw(await readFile(profile), profile);
  t.is(file.rawHeaders?.[0]?.singleByteCounters, true);
  assertMatchesShow(t, file, await show(profdata, profile));
});

test('clang-22 MC/DC bitmap bytes match llvm-profdata-22 merge --text', async (t) => {
  const found = tools(t, 'clang-22', 'llvm-profdata-22');
  if (!found) return;
  const [clang, profdata] = found as [string, string];
  const profile = await compileAndRun(clang, MCDC_PROGRAM, ['-fcoverage-mcdc']);
  const file = readProfraw(await readFile(profile), profile);
  assertMatchesShow(t, file, await show(profdata, profile));
  const { stdout } = await run(profdata, ['merge', '--text', '-o', '-', profile]);
  // "f\n# Func Hash:\n…\n# Bitmap Byte Values:\n0x3\n" — one hex value per bitmap byte.
  const text = /^f\n[\s\S]*?# Bitmap Byte Values:\n((?:0x[0-9a-f]+\n)+)/m.exec(stdout);
  t.truthy(text, stdout);
  const expected = (text?.[1] ?? '')
    .trim()
    .split('\n')
    .map((v) => Number.parseInt(v, 16));
  const f = file.records.find((r) => r.nameRef === nameRefOf('f'));
  t.deepEqual([...(f?.bitmap ?? [])], expected);
  t.true(expected.length > 0);
});

test('clang-22 executable + shared library write two profiles into one file', async (t) => {
  const found = tools(t, 'clang-22', 'llvm-profdata-22');
  if (!found) return;
  const [clang, profdata] = found as [string, string];
  const dir = join(workDir, 'so');
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'lib.c'),
    'int lib_twice(int x) { if (x > 1) return 2 * x; return x; }\n',
  );
  await writeFile(
    join(dir, 'main.c'),
    'int lib_twice(int);\nint main(int c, char **v) { return lib_twice(c) > 100; }\n',
  );
  const cov = ['-fprofile-instr-generate', '-fcoverage-mapping'];
  await run(clang, [...cov, '-shared', '-fPIC', 'lib.c', '-o', 'libtw.so'], { cwd: dir });
  await run(clang, [...cov, 'main.c', '-L.', '-ltw', `-Wl,-rpath,${dir}`, '-o', 'app'], {
    cwd: dir,
  });
  const profile = join(dir, 'app.profraw');
  await run(join(dir, 'app'), [], {
    cwd: dir,
    env: { ...process.env, LLVM_PROFILE_FILE: profile },
  });
  const file = readProfraw(await readFile(profile), profile);
  t.deepEqual(file.warnings, []);
  t.is(file.rawHeaders?.length, 2);
  t.is((file.rawHeaders?.[1]?.byteOffset ?? 1) % 8, 0);
  assertMatchesShow(t, file, await show(profdata, profile));
});

test('llvm-profdata-22 merge -sparse of several raw files equals mergeProfiles', async (t) => {
  const found = tools(t, 'clang-22', 'llvm-profdata-22');
  if (!found) return;
  const [clang, profdata] = found as [string, string];
  const exe = await compile(clang, PROGRAM, []);
  const [one, two] = await Promise.all([runProgram(exe), runProgram(exe, ['a', 'b', 'c'])]);
  const merged = join(workDir, 'merged.profdata');
  await run(profdata, ['merge', '-sparse', '-o', merged, one, two]);
  const indexed = readProfdata(await readFile(merged), merged);
  t.deepEqual(indexed.versions, [13]);
  const ours = mergeProfiles([
    readProfraw(await readFile(one), one),
    readProfraw(await readFile(two), two),
  ]);
  const theirs = mergeProfiles([indexed]);
  t.deepEqual(ours.warnings, []);
  t.deepEqual(toPlain(ours.byNameRef), toPlain(theirs.byNameRef));
  // `unused` never ran: all zero, so -sparse dropped its name, and so did we.
  t.false(ours.byNameRef.has(nameRefOf('unused')));
  t.true(ours.byNameRef.has(nameRefOf('x.c:classify')));
});

test('llvm-profdata-22 merge of a hand-built raw v10 profile gives the same counts', async (t) => {
  const found = tools(t, 'llvm-profdata-22');
  if (!found) return;
  const [profdata] = found as [string];
  const raw = buildRawProfile({
    version: 10,
    functions: [
      { name: 'alpha', funcHash: 0x11n, counters: [3n, 0n] },
      { name: 'beta', funcHash: 0x22n, counters: [0n] },
      { name: 'gamma', funcHash: 0x33n, counters: [1n, 2n, 0xfedcba98n] },
      { name: 'gamma', funcHash: 0x44n, counters: [0n, 0n] },
    ],
  });
  const rawPath = join(workDir, 'built.profraw');
  const indexedPath = join(workDir, 'built.profdata');
  await writeFile(rawPath, raw);
  await run(profdata, ['merge', '-o', indexedPath, rawPath]);
  const indexed = readProfdata(await readFile(indexedPath), indexedPath);
  t.deepEqual(indexed.warnings, []);
  t.deepEqual(indexed.versions, [13]);
  const ours = readProfraw(raw, rawPath);
  const key = (r: ProfileRecord): string => `${r.nameRef}/${r.funcHash}`;
  const plain = (file: ProfileFile): [string, bigint[]][] =>
    file.records
      .map((r): [string, bigint[]] => [key(r), [...r.counts]])
      .sort(([a], [b]) => a.localeCompare(b));
  t.deepEqual(plain(indexed), plain(ours));
  t.deepEqual([...indexed.names].sort(), ['alpha', 'beta', 'gamma']);
});

function toPlain(map: Map<bigint, ProfileRecord[]>): [string, [string, bigint[], number[]][]][] {
  return [...map]
    .map(([nameRef, records]): [string, [string, bigint[], number[]][]] => [
      nameRef.toString(16),
      records
        .map((r): [string, bigint[], number[]] => [
          r.funcHash.toString(16),
          [...r.counts],
          [...r.bitmap],
        ])
        .sort(([a], [b]) => a.localeCompare(b)),
    ])
    .sort(([a], [b]) => a.localeCompare(b));
}
