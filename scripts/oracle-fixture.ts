/**
 * Builds fixture crates (or reuses the cached builds) and prints where llvm-cov-22's lcov and JSON
 * exports of them are, plus the matching `cov report` command, for debugging oracle mismatches.
 *
 *   node --import tsx scripts/oracle-fixture.ts basics generics
 *   node --import tsx scripts/oracle-fixture.ts --all --reverse
 *
 * `--reverse` loads the objects in reverse order (llvm-cov's output depends on the order).
 * `--json-output` prints one JSON object per fixture instead of text.
 */
import { formatCommand, COV_CLI_ENTRY } from '../test/helpers/cov-cli.js';
import { buildFixture } from '../test/helpers/fixture-build.js';
import { buildOptions, FIXTURES, findFixture } from '../test/helpers/fixture-catalog.js';
import { runOracle } from '../test/helpers/oracle.js';
import {
  missingReason,
  requireTool,
  requireToolchain,
  LLVM_COV,
  LLVM_PROFDATA,
} from '../test/helpers/tools.js';

const args = process.argv.slice(2);
const flags = new Set(args.filter((arg) => arg.startsWith('--')));
const names = args.filter((arg) => !arg.startsWith('--'));
const unknownFlags = [...flags].filter(
  (f) => !['--all', '--reverse', '--json-output', '--help'].includes(f),
);

if (flags.has('--help') || unknownFlags.length > 0 || (names.length === 0 && !flags.has('--all'))) {
  const out = unknownFlags.length > 0 ? console.error : console.log;
  if (unknownFlags.length > 0) out(`unknown option(s): ${unknownFlags.join(' ')}`);
  out(
    'usage: node --import tsx scripts/oracle-fixture.ts [--reverse] [--json-output] (--all | NAME...)',
  );
  out(`fixtures: ${FIXTURES.map((f) => f.name).join(', ')}`);
  process.exit(flags.has('--help') ? 0 : 1);
}

const specs = flags.has('--all') ? FIXTURES : names.map(findFixture);
const missingLlvm = await missingReason([requireTool(LLVM_COV), requireTool(LLVM_PROFDATA)]);
if (missingLlvm !== undefined) {
  console.error(`cannot run the oracle: ${missingLlvm}`);
  process.exit(1);
}

let failed = false;
await Promise.all(
  specs.map(async (spec) => {
    const missing = await missingReason([requireToolchain(spec.toolchain)]);
    if (missing !== undefined) {
      console.error(`${spec.name}: skipped (${missing})`);
      return;
    }
    try {
      const started = performance.now();
      const build = await buildFixture(spec.name, buildOptions(spec));
      const objects = flags.has('--reverse') ? [...build.binaries].reverse() : build.binaries;
      const oracleInput = { binaries: objects, profraws: build.profraws, cacheDir: build.cacheDir };
      const lcov = await runOracle({ ...oracleInput, format: 'lcov' });
      const json = await runOracle({ ...oracleInput, format: 'json' });
      const covCommand = (format: string) =>
        formatCommand([
          'node',
          '--import',
          'tsx',
          COV_CLI_ENTRY,
          'report',
          `--${format}`,
          ...objects.flatMap((object) => ['--object', object]),
          '--profiles',
          build.profrawDir,
          '--no-default-ignore-filename-regex',
          '--output-path',
          `/tmp/${spec.name}.ours.${format}`,
        ]);
      const report = {
        name: spec.name,
        cacheDir: build.cacheDir,
        workDir: build.workDir,
        reused: build.reused,
        buildMs: build.buildMs,
        testMs: build.testMs,
        totalMs: Math.round(performance.now() - started),
        objects,
        profraws: build.profraws,
        lcov: lcov.outputPath,
        json: json.outputPath,
        profdata: lcov.profdataPath,
        warnings: lcov.warnings,
        llvmCovLcovCommand: formatCommand(lcov.command),
        covLcovCommand: covCommand('lcov'),
        covJsonCommand: covCommand('json'),
      };
      if (flags.has('--json-output')) {
        console.log(JSON.stringify(report));
        return;
      }
      console.log(
        [
          `== ${spec.name} (${build.reused ? 'cached build' : `built in ${build.buildMs} ms, tests ${build.testMs} ms`})`,
          `cache     ${build.cacheDir}`,
          `objects   ${objects.length}: ${objects.join(' ')}`,
          `profraws  ${build.profraws.length} in ${build.profrawDir}`,
          `lcov      ${lcov.outputPath}`,
          `json      ${json.outputPath}`,
          `profdata  ${lcov.profdataPath}`,
          ...(lcov.warnings === ''
            ? []
            : [`warnings  ${lcov.warnings.trim().replaceAll('\n', '\n          ')}`]),
          `llvm-cov  ${report.llvmCovLcovCommand}`,
          `cov       ${report.covLcovCommand}`,
        ].join('\n'),
      );
    } catch (error) {
      failed = true;
      console.error(`${spec.name}: ${(error as Error).message}`);
    }
  }),
);
process.exitCode = failed ? 1 : 0;
