/**
 * MC/DC end to end: C and C++ fixtures built with clang-22 `-fcoverage-mcdc`, run several times,
 * and `cov report --json|--lcov` compared byte for byte with `llvm-cov-22 export` (JSON after
 * removing our leading `cov` key) — from the raw profiles and from llvm-profdata-22's `.profdata`.
 * The fixture holds decisions of 2–6 conditions mixing `&&` and `||`, a constant-folded
 * condition, decisions in macros of the same file and of a header, a nested decision clang
 * refuses, template instantiations and a function never called. Needs clang-22/clang++-22 and
 * llvm-22; skips saying which is missing.
 */
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import {
  buildCFixture,
  type BuiltCFixture,
  type CFixtureSpec,
} from '../helpers/c-fixture-build.js';
import type { ReportFormat } from '../helpers/cov-cli.js';
import { runOracle } from '../helpers/oracle.js';
import { checkReportMatches } from '../helpers/report-check.js';
import { LLVM_COV, LLVM_PROFDATA, missingReason, requireTool } from '../helpers/tools.js';

const MCDC_FLAGS = [
  '-fprofile-instr-generate',
  '-fcoverage-mapping',
  '-fcoverage-mcdc',
  '-O0',
  // `nested` holds a decision inside a call argument on purpose; clang warns that it skips it
  '-Wno-pgo-coverage',
];

const DECISIONS: CFixtureSpec = {
  name: 'mcdc-decisions',
  compiler: 'clang-22',
  sources: ['mcdc/decisions.c'],
  inputs: ['mcdc/checks.h'],
  flags: MCDC_FLAGS,
  // bit patterns feeding the conditions; four runs, four profiles merged
  runs: [['0'], ['5'], ['11'], ['22']],
};

const TEMPLATES: CFixtureSpec = {
  name: 'mcdc-templates',
  compiler: 'clang++-22',
  sources: ['mcdc/templates.cpp'],
  flags: MCDC_FLAGS,
  runs: [['3'], ['12']],
};

const llvmTools = [requireTool(LLVM_COV), requireTool(LLVM_PROFDATA)];
const skipC = await missingReason([requireTool('clang-22'), ...llvmTools]);
const skipCxx = await missingReason([requireTool('clang++-22'), ...llvmTools]);

/** Minimal view of llvm-cov's JSON export, for the fixture checks. */
interface ExportJson {
  readonly data: readonly {
    readonly files: readonly {
      readonly filename: string;
      readonly mcdc_records: readonly unknown[][];
      readonly summary: { readonly mcdc: { readonly count: number; readonly covered: number } };
    }[];
    readonly functions: readonly {
      readonly name: string;
      readonly count: number;
      readonly mcdc_records: readonly unknown[][];
    }[];
    readonly totals: { readonly mcdc: { readonly count: number; readonly covered: number } };
  }[];
}

/** `cov report` on the built fixture against llvm-cov-22; `fromProfdata` feeds the merged file. */
async function compareWithLlvmCov(
  t: ExecutionContext,
  built: BuiltCFixture,
  format: ReportFormat,
  fromProfdata: boolean,
): Promise<string> {
  const oracle = await runOracle({
    binaries: [built.binary],
    profraws: built.profraws,
    format,
    cacheDir: built.cacheDir,
  });
  if (oracle.warnings !== '') t.log(`llvm-cov warnings:\n${oracle.warnings.trim()}`);
  const suffix = fromProfdata ? 'profdata' : 'profraw';
  await checkReportMatches(t, {
    objects: [built.binary],
    profilesDir: fromProfdata ? oracle.profdataPath : built.profrawDir,
    format,
    outputPath: path.join(built.cacheDir, 'cov', `${suffix}.${format}`),
    expectedPath: oracle.outputPath,
  });
  return oracle.text;
}

const matches = test.macro({
  async exec(t, spec: CFixtureSpec, format: ReportFormat, fromProfdata: boolean) {
    t.timeout(5 * 60_000);
    const built = await buildCFixture(spec);
    await compareWithLlvmCov(t, built, format, fromProfdata);
  },
  title: (skipped = '', spec: CFixtureSpec, format: ReportFormat, fromProfdata: boolean) =>
    `${spec.name}: cov report --${format} from ${fromProfdata ? '.profdata' : 'raw profiles'} ` +
    `equals llvm-cov-22 export${skipped}`,
});

const cTest = skipC === undefined ? test : test.skip;
const cxxTest = skipCxx === undefined ? test : test.skip;
const cReason = skipC === undefined ? '' : ` (skipped: ${skipC})`;
const cxxReason = skipCxx === undefined ? '' : ` (skipped: ${skipCxx})`;

for (const format of ['json', 'lcov'] as const) {
  for (const fromProfdata of [false, true]) {
    cTest(`${cReason}`, matches, DECISIONS, format, fromProfdata);
    cxxTest(`${cxxReason}`, matches, TEMPLATES, format, fromProfdata);
  }
}

cTest(`mcdc-decisions: the fixture exercises what it claims${cReason}`, async (t) => {
  t.timeout(5 * 60_000);
  const built = await buildCFixture(DECISIONS);
  const oracle = await runOracle({
    binaries: [built.binary],
    profraws: built.profraws,
    format: 'json',
    cacheDir: built.cacheDir,
  });
  const data = (JSON.parse(oracle.text) as ExportJson).data[0]!;
  const byName = new Map(data.functions.map((f) => [f.name, f]));
  const conditions = (name: string): number[] =>
    byName.get(name)!.mcdc_records.map((m) => (m[9] as unknown[]).length);
  t.deepEqual(conditions('two'), [2]);
  t.deepEqual(conditions('three'), [3]);
  t.deepEqual(conditions('four'), [4]);
  t.deepEqual(conditions('five'), [5]);
  t.deepEqual(conditions('six'), [6]);
  // `a && ALWAYS`: two conditions, one folded, so one counted in the summary
  t.deepEqual(conditions('folded'), [2]);
  // macro of the same file (decision in file id 1) and of checks.h (file id 2)
  t.deepEqual(byName.get('in_macro')!.mcdc_records[0]!.slice(6, 8), [1, 0]);
  t.deepEqual(
    byName.get('in_header_macros')!.mcdc_records.map((m) => m[6]),
    [0, 2],
  );
  t.is(byName.get('never_called')!.count, 0);
  t.is((byName.get('never_called')!.mcdc_records[0]![10] as unknown[]).length, 0);
  const header = data.files.find((f) => f.filename.endsWith('checks.h'))!;
  t.is(header.mcdc_records.length, 1, 'the header macro decision is listed under checks.h');
  t.deepEqual(header.summary.mcdc, { ...header.summary.mcdc, count: 0, covered: 0 });
  // by hand: two…six 2+3+4+5+6, folded 1 (its constant is not counted), in_macro 0 (decision
  // not in the function's main file), in_header_macros 3 (`IN_RANGE(…) || c`; the COUNT_IF_ANY
  // decision sits in checks.h), nested 3×2 (line 61; clang skips line 59), never_called 2.
  // Covered: 2+3+4+1+3, folded 1, in_header_macros 1, nested 2+1+1, never_called 0.
  t.is(data.totals.mcdc.count, 32);
  t.is(data.totals.mcdc.covered, 19);
});
