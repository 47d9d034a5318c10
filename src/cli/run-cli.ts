/**
 * Command definitions (yargs) and the error → exit-code mapping.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import yargs, { type Argv } from 'yargs';
import { CovError } from '../binary/index.js';
import {
  buildBin,
  buildTests,
  clearOwnProfiles,
  detectToolchain,
  instrumentationEnv,
  instrumentationVars,
  readCargoMetadata,
  renderShowEnv,
  runProgram,
  runTests,
  type ShowEnvShell,
  type ToolchainInfo,
} from '../llvm-bridge/index.js';
import { cargoArgsOf, withCargoFlags, type CargoFlags } from './cargo-flags.js';
import { createProgress, printDiagnostics, printError } from './console.js';
import { loadCoverage } from './load.js';
import {
  commandCargoPtrace,
  commandTrace,
  selectEngine,
  withEngineFlags,
  withPtraceFlags,
  type EngineFlags,
} from './ptrace-command.js';
import { withReportFlags, writeReports, type ReportFlags } from './report-options.js';

/** Exit codes (ARCHITECTURE.md). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_TESTS_FAILED = 2;
export const EXIT_GATE_FAILED = 3;
export const EXIT_INTERNAL = 70;

const OBJECTS_FILE = 'cov-objects.json';
const VERSION = '0.1.0';

interface CommonFlags {
  verbose?: boolean;
  quiet?: boolean;
}

interface Paths {
  readonly workspaceRoot: string;
  readonly targetDir: string;
  readonly profrawDir: string;
}

async function resolvePaths(flags: CargoFlags): Promise<Paths> {
  const cwd = process.cwd();
  const metadata = await readCargoMetadata({
    env: process.env,
    cwd,
    manifestPath: flags['manifest-path'],
  });
  const targetDir = resolve(flags['target-dir'] ?? join(metadata.targetDir, 'cov'));
  return {
    workspaceRoot: metadata.workspaceRoot,
    targetDir,
    profrawDir: join(targetDir, 'profraw'),
  };
}

function toolchainLabel(t: ToolchainInfo): string {
  return `rustc ${t.rustcVersion}${t.llvmVersion ? ` (LLVM ${t.llvmVersion.full})` : ''}`;
}

async function reportFrom(
  objects: readonly string[],
  profiles: readonly string[],
  flags: ReportFlags & CommonFlags,
  targetDir: string | undefined,
  toolchain: string | undefined,
  workspaceRoot?: string,
): Promise<void> {
  const set = await loadCoverage({
    objects,
    profiles,
    ...(toolchain === undefined ? {} : { toolchain }),
  });
  printDiagnostics(set.warnings, flags.verbose === true);
  await writeReports(set, flags, {
    ...(targetDir === undefined ? {} : { targetDir }),
    ...(workspaceRoot === undefined ? {} : { workspaceRoot }),
    covMetadata: {
      version: VERSION,
      engine: set.metadata.engine,
      objects: set.metadata.objects,
      ...(toolchain === undefined ? {} : { toolchain }),
    },
  });
}

async function commandTest(
  argv: ReportFlags & CargoFlags & CommonFlags & EngineFlags & { '--'?: (string | number)[] },
  mode: 'test' | 'run',
): Promise<number> {
  const engine = await selectEngine(argv.engine);
  if (engine.engine === 'ptrace') {
    return commandCargoPtrace(argv, mode, { toolchain: engine.toolchain, version: VERSION });
  }
  const progress = createProgress(argv.quiet === true);
  const toolchain = engine.toolchain;
  const paths = await resolvePaths(argv);
  const removed = await clearOwnProfiles(paths.profrawDir);
  if (removed > 0) progress(`removed ${removed} stale profiles from ${paths.profrawDir}`);
  mkdirSync(paths.profrawDir, { recursive: true });
  const env = instrumentationEnv({
    targetDir: paths.targetDir,
    profrawDir: paths.profrawDir,
    baseEnv: process.env,
    channel: toolchain.channel,
  });
  const cargoArgs = cargoArgsOf(argv);
  const extra = (argv['--'] ?? []).map(String);
  const location = {
    env,
    cwd: process.cwd(),
    manifestPath: argv['manifest-path'],
  };
  progress(`building with ${toolchainLabel(toolchain)} and -C instrument-coverage`);
  const toStdout =
    argv.lcov === '' ||
    argv.json === '' ||
    argv.text === '' ||
    (argv.lcov ?? argv.json ?? argv.text) === undefined;
  let passed: boolean;
  let objects: string[];
  if (mode === 'test') {
    const build = await buildTests({
      ...location,
      cargoArgs,
      onProgress: progress,
      stderr: 'inherit',
    });
    objects = build.binaries;
    progress(`running ${objects.length} test binaries`);
    const result = await runTests({
      ...location,
      cargoArgs,
      testArgs: extra,
      stdoutToStderr: toStdout,
    });
    passed = result.passed;
  } else {
    const build = await buildBin({
      ...location,
      cargoArgs,
      onProgress: progress,
      stderr: 'inherit',
    });
    objects = build.binaries;
    const program = objects[0];
    if (program === undefined) throw new CovError('E_USAGE', 'cargo built no binary to run');
    const result = await runProgram(program, extra, env, { stdoutToStderr: toStdout });
    passed = result.passed;
  }
  writeFileSync(join(paths.targetDir, OBJECTS_FILE), JSON.stringify(objects, null, 2));
  await reportFrom(
    objects,
    [paths.profrawDir],
    argv,
    paths.targetDir,
    toolchainLabel(toolchain),
    paths.workspaceRoot,
  );
  if (!passed) {
    printError(
      mode === 'test'
        ? 'tests failed (the report was still written)'
        : 'the program failed (the report was still written)',
    );
    return EXIT_TESTS_FAILED;
  }
  return EXIT_OK;
}

async function commandReport(
  argv: ReportFlags & CargoFlags & CommonFlags & { object?: string[]; profiles?: string[] },
): Promise<number> {
  let objects = argv.object ?? [];
  let profiles = argv.profiles ?? [];
  let targetDir: string | undefined;
  let workspaceRoot: string | undefined;
  if (objects.length === 0 || profiles.length === 0) {
    const paths = await resolvePaths(argv);
    targetDir = paths.targetDir;
    workspaceRoot = paths.workspaceRoot;
    if (profiles.length === 0) profiles = [paths.profrawDir];
    if (objects.length === 0) {
      try {
        objects = JSON.parse(readFileSync(join(paths.targetDir, OBJECTS_FILE), 'utf8')) as string[];
      } catch {
        throw new CovError(
          'E_USAGE',
          `no objects: pass --object BIN, or run \`cov test\` first (it records them in ${join(paths.targetDir, OBJECTS_FILE)})`,
        );
      }
    }
  }
  await reportFrom(objects, profiles, argv, targetDir, undefined, workspaceRoot);
  return EXIT_OK;
}

async function commandShowEnv(
  argv: CargoFlags & { 'export-prefix'?: boolean; shell?: string },
): Promise<number> {
  const toolchain = await detectToolchain({ cwd: process.cwd() });
  const paths = await resolvePaths(argv);
  const vars = instrumentationVars({
    targetDir: paths.targetDir,
    profrawDir: paths.profrawDir,
    baseEnv: process.env,
    channel: toolchain.channel,
  });
  const shell = (argv.shell ??
    (argv['export-prefix'] === true ? 'export-prefix' : 'sh')) as ShowEnvShell;
  process.stdout.write(renderShowEnv(vars.set, { shell, unset: vars.unset }));
  return EXIT_OK;
}

async function commandClean(argv: CargoFlags & { 'profraw-only'?: boolean }): Promise<number> {
  const paths = await resolvePaths(argv);
  if (argv['profraw-only'] === true) {
    const removed = await clearOwnProfiles(paths.profrawDir);
    process.stderr.write(`removed ${removed} profiles from ${paths.profrawDir}\n`);
  } else {
    rmSync(paths.targetDir, { recursive: true, force: true });
    process.stderr.write(`removed ${paths.targetDir}\n`);
  }
  return EXIT_OK;
}

function exitCodeFor(error: unknown, verbose: boolean): number {
  if (error instanceof CovError) {
    printError(error.message);
    if (verbose && error.stack) process.stderr.write(`${error.stack}\n`);
    return error.code === 'E_GATE' ? EXIT_GATE_FAILED : EXIT_FAILURE;
  }
  process.stderr.write(
    `cov: internal error (a bug in cov; please report it): ${error instanceof Error ? error.message : String(error)}\n`,
  );
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return EXIT_INTERNAL;
}

/** Builds the yargs parser (exported for the `--help` golden test). */
export function buildParser(args: readonly string[]): Argv {
  const common = <T>(y: Argv<T>): Argv<T & CommonFlags> =>
    y
      .option('verbose', {
        alias: 'v',
        type: 'boolean',
        describe: 'More detail; stack traces on internal errors',
      })
      .option('quiet', { alias: 'q', type: 'boolean', describe: 'No progress output' }) as Argv<
      T & CommonFlags
    >;
  return yargs([...args])
    .scriptName('cov')
    .usage(
      '$0 <command> [options]\n\nRust source-based code coverage, exact to llvm-cov, without llvm-tools.',
    )
    .parserConfiguration({ 'populate--': true })
    .command('test', 'Build and run the tests with instrumentation, then report', (y) =>
      common(withEngineFlags(withReportFlags(withCargoFlags(y)))).usage(
        '$0 test [options] [-- <test args>]',
      ),
    )
    .command('run', 'Build and run a binary with instrumentation, then report', (y) =>
      common(withEngineFlags(withReportFlags(withCargoFlags(y)))).usage(
        '$0 run [options] [-- <program args>]',
      ),
    )
    .command(
      'trace',
      'Run any program with line tables under the breakpoint (ptrace) engine, then report',
      (y) => common(withPtraceFlags(withReportFlags(y))).usage('$0 trace [options] -- BIN [ARGS…]'),
    )
    .command('report', 'Report from existing profiles and binaries', (y) =>
      common(withReportFlags(withCargoFlags(y)))
        .option('object', {
          type: 'string',
          array: true,
          describe: 'Instrumented binary (repeatable; load order matters)',
          group: 'Input:',
        })
        .option('profiles', {
          type: 'string',
          array: true,
          describe: '.profraw, .profdata or a directory of them (repeatable)',
          group: 'Input:',
        }),
    )
    .command('show-env', 'Print the environment that instruments any other build', (y) =>
      withCargoFlags(y)
        .option('export-prefix', { type: 'boolean', describe: 'Prefix lines with `export `' })
        .option('shell', {
          type: 'string',
          choices: ['sh', 'fish', 'pwsh'],
          describe: 'Quoting style',
        }),
    )
    .command('clean', "Remove cov's target dir (or only its profiles)", (y) =>
      withCargoFlags(y).option('profraw-only', {
        type: 'boolean',
        describe: 'Remove only the .profraw files cov wrote',
      }),
    )
    .demandCommand(1, 'give a command: test, run, trace, report, show-env or clean')
    .strictCommands()
    .strictOptions()
    .version(VERSION)
    .help()
    .wrap(100)
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new CovError('E_USAGE', message);
    });
}

/**
 * Runs the CLI with `args` (without `node` and the script path).
 * @returns the process exit code
 */
export async function runCli(args: readonly string[]): Promise<number> {
  const verbose = args.includes('--verbose') || args.includes('-v');
  try {
    const argv = (await buildParser(args).parseAsync()) as Record<string, unknown> & {
      _: (string | number)[];
    };
    if (argv['help'] === true || argv['version'] === true) return EXIT_OK;
    const command = String(argv._[0]);
    switch (command) {
      case 'test':
        return await commandTest(argv as never, 'test');
      case 'run':
        return await commandTest(argv as never, 'run');
      case 'trace':
        return await commandTrace(argv as never, VERSION);
      case 'report':
        return await commandReport(argv as never);
      case 'show-env':
        return await commandShowEnv(argv as never);
      case 'clean':
        return await commandClean(argv as never);
      default:
        throw new CovError('E_USAGE', `unknown command ${command}`);
    }
  } catch (error) {
    return exitCodeFor(error, verbose);
  }
}
