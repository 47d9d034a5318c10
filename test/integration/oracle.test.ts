/**
 * The oracle tests: every fixture crate is built with `-C instrument-coverage`, its tests are run,
 * and `cov report --lcov|--json` must print exactly what `llvm-cov-22 export` prints on the same
 * binaries and profiles (JSON: plus one leading `cov` key). Needs cargo and llvm-22; the
 * nightly-branch fixture also needs a nightly toolchain. Missing tools turn tests into skips whose
 * titles say why.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { execa } from 'execa';
import { formatCommand, type ReportFormat } from '../helpers/cov-cli.js';
import { buildFixture, type BuiltFixture } from '../helpers/fixture-build.js';
import { buildOptions, FIXTURES, type FixtureSpec } from '../helpers/fixture-catalog.js';
import { runOracle } from '../helpers/oracle.js';
import { checkReportMatches } from '../helpers/report-check.js';
import {
  LLVM_COV,
  LLVM_PROFDATA,
  missingReason,
  requireTool,
  requireToolchain,
  rustcVersion,
  toolSearchPath,
} from '../helpers/tools.js';

/** First build of a fixture compiles it and runs its tests; later runs reuse the cache. */
const BUILD_TIMEOUT_MS = 20 * 60_000;

/** The fixture whose object order is also tested reversed (its output depends on the order). */
const REVERSED_FIXTURE = 'workspace';

const llvmTools = [requireTool(LLVM_COV), requireTool(LLVM_PROFDATA)];
const llvmMissing = await missingReason(llvmTools);
const skipReasons = new Map<string, string | undefined>();
for (const spec of FIXTURES) {
  skipReasons.set(spec.name, await missingReason([requireToolchain(spec.toolchain), ...llvmTools]));
}

const loggedBuilds = new Set<string>();

function buildFor(t: ExecutionContext, spec: FixtureSpec): Promise<BuiltFixture> {
  t.timeout(BUILD_TIMEOUT_MS, `building fixture ${spec.name}`);
  return buildFixture(spec.name, buildOptions(spec)).then((build) => {
    // Tests of one fixture share its build; only the first to finish reports the build times.
    const fresh = !build.reused && !loggedBuilds.has(build.cacheDir);
    loggedBuilds.add(build.cacheDir);
    t.log(
      fresh
        ? `${spec.name}: built in ${build.buildMs} ms, tests ran in ${build.testMs} ms (${build.cacheDir})`
        : `${spec.name}: build ${build.cacheDir}`,
    );
    return build;
  });
}

function objectsFor(build: BuiltFixture, reversed: boolean): readonly string[] {
  return reversed ? [...build.binaries].reverse() : build.binaries;
}

/** `cov report` on a fixture against `llvm-cov-22 export`, byte for byte. */
const matchesLlvmCov = test.macro({
  async exec(t, spec: FixtureSpec, format: ReportFormat, reversed: boolean) {
    const build = await buildFor(t, spec);
    const objects = objectsFor(build, reversed);
    const oracle = await runOracle({
      binaries: objects,
      profraws: build.profraws,
      format,
      cacheDir: build.cacheDir,
    });
    if (oracle.warnings !== '') t.log(`llvm-cov warnings:\n${oracle.warnings.trim()}`);
    // The harness's own check: a broken build or export must not look like a CLI bug.
    t.true(
      looksLikeExport(format, oracle.text),
      `llvm-cov did not print a ${format} export: ${formatCommand(oracle.command)}`,
    );

    const { durationMs } = await checkReportMatches(t, {
      objects,
      profilesDir: build.profrawDir,
      format,
      outputPath: path.join(
        build.cacheDir,
        'ours',
        `${reversed ? 'reversed' : 'forward'}.${format}`,
      ),
      expectedPath: oracle.outputPath,
    });
    if (durationMs !== undefined) t.log(`cov report --${format}: ${durationMs} ms`);
  },
  title(provided, spec: FixtureSpec, format: ReportFormat, reversed: boolean) {
    const order = reversed ? ' (objects reversed)' : '';
    const base = `${spec.name}: cov report --${format} = llvm-cov export${order}`;
    return provided === undefined || provided === '' ? base : `${base} — ${provided}`;
  },
});

for (const spec of FIXTURES) {
  const reason = skipReasons.get(spec.name);
  const cases: Array<[ReportFormat, boolean]> = [
    ['lcov', false],
    ['json', false],
  ];
  if (spec.name === REVERSED_FIXTURE) cases.push(['lcov', true], ['json', true]);
  for (const [format, reversed] of cases) {
    if (reason === undefined) test(matchesLlvmCov, spec, format, reversed);
    else test.skip(`skipped: ${reason}`, matchesLlvmCov, spec, format, reversed);
  }
}

/**
 * What each fixture is for, checked on llvm-cov's own output, so a toolchain change that stops a
 * fixture from exercising its feature fails here rather than silently weakening the oracle tests.
 * Each check returns the problems it found.
 */
const FEATURES: Record<string, (build: BuiltFixture, lcov: LcovFiles) => Promise<string[]>> = {
  async basics(build, lcov) {
    const lib = fileEndingWith(lcov, '/src/lib.rs');
    const closureLine = await lineOf(build, 'src/lib.rs', 'let total: i32 = [1, 2, 3]');
    return [
      ...expect(fnda(lib, 'never_called') === 0, 'never_called has FNDA:0'),
      ...expect(
        lib.fn.some((f) => f.line === closureLine && f.name.includes('closures0')),
        `a closure FN on line ${closureLine}, the line of its caller`,
      ),
      ...expect(
        (fnda(lib, 'division_by_zero_panics') ?? 0) > 0,
        'the #[should_panic] test ran (FNDA > 0)',
      ),
      ...expect(fileEndingWith(lcov, '/src/shapes.rs').fn.length >= 8, 'shapes.rs methods'),
    ];
  },
  async generics(_build, lcov) {
    const lib = fileEndingWith(lcov, '/src/lib.rs');
    const perLine = countBy(lib.fn.map((f) => f.line));
    return [
      ...expect(Math.max(...perLine.values()) >= 3, 'one start line with >= 3 FN lines'),
      ...expect(fnda(lib, 'never_instantiated') === 0, 'never_instantiated has FNDA:0'),
    ];
  },
  async macros(build, lcov) {
    const lib = fileEndingWith(lcov, '/src/lib.rs');
    const macroFnLine = await lineOf(build, 'src/lib.rs', 'pub fn $name(x: i64)');
    const names = lib.fn.filter((f) => f.line === macroFnLine).map((f) => f.name);
    return expect(
      ['double', 'triple', 'unused_scaler'].every((n) => names.some((name) => name.endsWith(n))),
      `three macro-defined fns share FN line ${macroFnLine}`,
    );
  },
  async 'async-threads'(_build, lcov) {
    const workers = fileEndingWith(lcov, '/src/workers.rs');
    const executor = fileEndingWith(lcov, '/src/executor.rs');
    return [
      ...expect((fnda(workers, '4step') ?? 0) > 1000, 'step called from the four threads'),
      ...expect(fnda(executor, 'never_awaited') === 0, 'never_awaited has FNDA:0'),
      ...expect((fnda(executor, 'block_on') ?? 0) > 0, 'block_on ran'),
    ];
  },
  async workspace(build, lcov) {
    const coreLib = fileEndingWith(lcov, '/core-lib/src/lib.rs');
    const parseItem = coreLib.fn.filter((f) => f.name.includes('parse_item'));
    const reversed = await runOracle({
      binaries: objectsFor(build, true),
      profraws: build.profraws,
      format: 'lcov',
      cacheDir: build.cacheDir,
    });
    return [
      ...expect(build.binaries.length >= 5, 'several test binaries and the bin'),
      ...expect(parseItem.length >= 2, 'parse_item as rlib code and as unit-test-harness code'),
      ...expect(reversed.text !== lcov.text, 'output depends on the object order'),
    ];
  },
  async harness(build, lcov) {
    const bin = fileEndingWith(lcov, '/src/bin/harness-cli.rs');
    return [
      ...expect(build.binBinaries.length === 1, 'the bin is one of the objects'),
      ...expect(
        build.profraws.length > build.testBinaries.length,
        'the bin run as a subprocess wrote its own profraw',
      ),
      ...expect(
        bin.fnda.some((f) => f.count >= 3),
        'harness-cli main ran 3 times',
      ),
    ];
  },
  async 'nightly-branch'(_build, lcov) {
    const lib = fileEndingWith(lcov, '/src/lib.rs');
    return [
      ...expect(lib.brda.length >= 20, 'BRDA lines'),
      ...expect(
        lib.brda.some((b) => b.endsWith(',0')),
        'a branch side never taken',
      ),
      ...expect(
        Math.max(...countBy(lib.brda.map((b) => Number(b.split(',')[0]))).values()) >= 6,
        'a line with several conditions (|| and &&)',
      ),
      ...expect(!lcov.text.includes('debug_dump'), '#[coverage(off)] fn is not reported'),
    ];
  },
  async 'nightly-condition'(_build, lcov) {
    const lib = fileEndingWith(lcov, '/src/lib.rs');
    return [
      ...expect(lib.brda.length >= 20, 'BRDA lines'),
      ...expect(
        Math.max(...countBy(lib.brda.map((b) => Number(b.split(',')[0]))).values()) >= 6,
        'a line with several conditions (|| and &&)',
      ),
    ];
  },
};

const exercisesItsFeatures = test.macro({
  async exec(t, spec: FixtureSpec) {
    const check = FEATURES[spec.name];
    if (check === undefined) {
      t.fail(`no feature check for fixture ${spec.name}`);
      return;
    }
    const build = await buildFor(t, spec);
    const oracle = await runOracle({
      binaries: build.binaries,
      profraws: build.profraws,
      format: 'lcov',
      cacheDir: build.cacheDir,
    });
    t.deepEqual(
      await check(build, parseLcov(oracle.text)),
      [],
      `llvm-cov lcov: ${oracle.outputPath}`,
    );
  },
  title: (provided, spec: FixtureSpec) =>
    `${spec.name}: fixture exercises ${spec.about}${provided ? ` — ${provided}` : ''}`,
});

for (const spec of FIXTURES) {
  const reason = skipReasons.get(spec.name);
  if (reason === undefined) test(exercisesItsFeatures, spec);
  else test.skip(`skipped: ${reason}`, exercisesItsFeatures, spec);
}

test('oracle tools are LLVM 22 and the toolchains are reported', async (t) => {
  for (const toolchain of ['stable', 'nightly'] as const) {
    const version = await rustcVersion(toolchain);
    t.log(`rustc ${toolchain}: ${version?.split('\n')[0] ?? 'not available'}`);
  }
  if (llvmMissing !== undefined) {
    t.log(`oracle tests skipped: ${llvmMissing}`);
    t.pass();
    return;
  }
  for (const tool of [LLVM_COV, LLVM_PROFDATA]) {
    const { stdout } = await execa(tool, ['--version'], { env: { PATH: toolSearchPath() } });
    t.log(`${tool}: ${stdout.split('\n')[0] ?? ''}`);
    t.regex(stdout, /LLVM version 22\./, `${tool} must be LLVM 22: the oracle is llvm-cov 22`);
  }
});

/** The parts of an lcov export the feature checks look at, per `SF:` record. */
interface LcovFile {
  readonly fn: Array<{ line: number; name: string }>;
  readonly fnda: Array<{ count: number; name: string }>;
  readonly brda: string[];
}
interface LcovFiles {
  readonly text: string;
  readonly files: Map<string, LcovFile>;
}

function parseLcov(text: string): LcovFiles {
  const files = new Map<string, LcovFile>();
  let current: LcovFile | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('SF:')) {
      current = { fn: [], fnda: [], brda: [] };
      files.set(line.slice(3), current);
    } else if (current !== undefined && line.startsWith('FN:')) {
      const [at, name] = splitOnce(line.slice(3));
      current.fn.push({ line: Number(at), name });
    } else if (current !== undefined && line.startsWith('FNDA:')) {
      const [count, name] = splitOnce(line.slice(5));
      current.fnda.push({ count: Number(count), name });
    } else if (current !== undefined && line.startsWith('BRDA:')) {
      current.brda.push(line.slice(5));
    }
  }
  return { text, files };
}

function splitOnce(text: string): [string, string] {
  const comma = text.indexOf(',');
  return [text.slice(0, comma), text.slice(comma + 1)];
}

function fileEndingWith(lcov: LcovFiles, suffix: string): LcovFile {
  for (const [name, file] of lcov.files) if (name.endsWith(suffix)) return file;
  return { fn: [], fnda: [], brda: [] };
}

/** FNDA count of the first function whose (mangled) name contains `part`. */
function fnda(file: LcovFile, part: string): number | undefined {
  return file.fnda.find((f) => f.name.includes(part))?.count;
}

function countBy(values: readonly number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/** 1-based line of the first line containing `needle` in a fixture source file. */
async function lineOf(build: BuiltFixture, file: string, needle: string): Promise<number> {
  const lines = (await readFile(path.join(build.workDir, file), 'utf8')).split('\n');
  return lines.findIndex((line) => line.includes(needle)) + 1;
}

/** Whether `text` is a non-empty llvm-cov export of the given format. */
function looksLikeExport(format: ReportFormat, text: string): boolean {
  switch (format) {
    case 'lcov':
      return text.startsWith('SF:') && text.endsWith('end_of_record\n');
    case 'json':
      try {
        const parsed = JSON.parse(text) as { type?: unknown; data?: unknown };
        return parsed.type === 'llvm.coverage.json.export' && Array.isArray(parsed.data);
      } catch {
        return false;
      }
  }
}

function expect(ok: boolean, what: string): string[] {
  return ok ? [] : [`missing: ${what}`];
}
