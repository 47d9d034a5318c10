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
  type CargoWorkspace,
  type ShowEnvShell,
  type ToolchainInfo,
} from '../llvm-bridge/index.js';
import { cargoArgsOf, withCargoFlags, type CargoFlags } from './cargo-flags.js';
import { createProgress, printDiagnostics, printError } from './console.js';
import {
  gateOutputsUseStdout,
  prepareGate,
  withGateFlags,
  type GateFlags,
  type GatePlan,
} from './gate-options.js';
import { compareFrom, compareRun, compareSameRun, withCompareFlags } from './compare-command.js';
import { startHtmlSources, wantsHtml, type HtmlSources } from './html-options.js';
import { functionDatabase } from '../store/index.js';
import { loadCoverage } from './load.js';
import { runMerge, withMergeFlags, type MergeFlags } from './merge-command.js';
import {
  commandCargoPtrace,
  commandTrace,
  selectEngine,
  withEngineFlags,
  withPtraceFlags,
  type EngineFlags,
} from './ptrace-command.js';
import {
  reportFileFilter,
  withReportFlags,
  writeReports,
  type ReportFlags,
} from './report-options.js';
import {
  loadFromDatabases,
  loadWithDatabase,
  resolveSavePath,
  saveDatabase,
  withFromFlags,
  withSaveFlag,
  type StoreFlags,
} from './store-options.js';

/** Exit codes (ARCHITECTURE.md). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_TESTS_FAILED = 2;
export const EXIT_GATE_FAILED = 3;
export const EXIT_INTERNAL = 70;

const OBJECTS_FILE = 'cov-objects.json';
const EXIT_CODES_HELP = `Exit codes:
  0   success (warnings may have been printed)
  1   cov could not do its job: bad usage, unreadable or unsupported input, toolchain problem
  2   the tests (or the program) failed; the report was still written
  3   a coverage gate failed (thresholds, patch coverage, --fail-on-decrease)
  70  internal error (a bug in cov; --verbose shows the stack)`;
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

function readWorkspace(flags: CargoFlags): Promise<CargoWorkspace> {
  return readCargoMetadata({
    env: process.env,
    cwd: process.cwd(),
    manifestPath: flags['manifest-path'],
  });
}

function pathsOf(flags: CargoFlags, metadata: CargoWorkspace): Paths {
  const targetDir = resolve(flags['target-dir'] ?? join(metadata.targetDir, 'cov'));
  return {
    workspaceRoot: metadata.workspaceRoot,
    targetDir,
    profrawDir: join(targetDir, 'profraw'),
  };
}

async function resolvePaths(flags: CargoFlags): Promise<Paths> {
  return pathsOf(flags, await readWorkspace(flags));
}

function toolchainLabel(t: ToolchainInfo): string {
  return `rustc ${t.rustcVersion}${t.llvmVersion ? ` (LLVM ${t.llvmVersion.full})` : ''}`;
}

/** Where and how {@link reportFrom} loads and reports. */
interface ReportInputs {
  readonly objects: readonly string[];
  readonly profiles: readonly string[];
  readonly flags: ReportFlags & CommonFlags;
  readonly targetDir: string | undefined;
  readonly toolchain: string | undefined;
  readonly workspaceRoot: string | undefined;
  readonly gate: GatePlan;
  readonly save?: {
    readonly path: string | undefined;
    readonly exitStatus?: number;
    readonly rustcVerbose?: string;
  };
}

async function reportFrom(
  objects: readonly string[],
  profiles: readonly string[],
  flags: ReportFlags & CommonFlags,
  targetDir: string | undefined,
  toolchain: string | undefined,
  workspaceRoot: string | undefined,
  gate: GatePlan,
  save?: ReportInputs['save'],
): Promise<boolean> {
  const inputs: ReportInputs = {
    objects,
    profiles,
    flags,
    targetDir,
    toolchain,
    workspaceRoot,
    gate,
    ...(save === undefined ? {} : { save }),
  };
  const context = {
    ...(targetDir === undefined ? {} : { targetDir }),
    ...(workspaceRoot === undefined ? {} : { workspaceRoot }),
  };
  // the HTML report's sources are read and highlighted on a worker while coverage loads
  const sources = wantsHtml(flags)
    ? await startHtmlSources(flags, reportFileFilter(flags, context))
    : undefined;
  try {
    return await loadAndReport(inputs, sources);
  } finally {
    sources?.pool.close();
  }
}

async function loadAndReport(
  inputs: ReportInputs,
  sources: HtmlSources | undefined,
): Promise<boolean> {
  const { objects, profiles, flags, targetDir, toolchain, workspaceRoot, gate, save } = inputs;
  let set;
  if (save?.path === undefined) {
    set = await loadCoverage({
      objects,
      profiles,
      ...(toolchain === undefined ? {} : { toolchain }),
      ...(sources === undefined ? {} : { onFilenames: sources.announce }),
    });
  } else {
    const loaded = await loadWithDatabase({
      objects,
      profiles,
      metadata: {
        toolVersion: VERSION,
        argv: process.argv.slice(2),
        ...(save.exitStatus === undefined ? {} : { exitStatus: save.exitStatus }),
        ...(save.rustcVerbose === undefined ? {} : { rustcVerbose: save.rustcVerbose }),
        ...(toolchain === undefined ? {} : { toolchain }),
        ...(workspaceRoot === undefined ? {} : { workspaceRoot }),
        ...(targetDir === undefined ? {} : { targetDir }),
      },
    });
    set = loaded.set;
    const sizeBytes = saveDatabase(save.path, loaded.database);
    if (flags.quiet !== true)
      process.stderr.write(`coverage database: ${save.path} (${sizeBytes} bytes)\n`);
  }
  printDiagnostics(set.warnings, flags.verbose === true);
  await writeReports(
    set,
    flags,
    {
      ...(targetDir === undefined ? {} : { targetDir }),
      ...(workspaceRoot === undefined ? {} : { workspaceRoot }),
      covMetadata: {
        version: VERSION,
        engine: set.metadata.engine,
        objects: set.metadata.objects,
        ...(toolchain === undefined ? {} : { toolchain }),
      },
      ...(sources === undefined ? {} : { htmlSources: sources.pool }),
    },
    (report) => gate.outputs(set, report),
  );
  return gate.finish();
}

async function commandTest(
  argv: ReportFlags &
    GateFlags &
    CargoFlags &
    CommonFlags &
    StoreFlags &
    EngineFlags & { '--'?: (string | number)[] },
  mode: 'test' | 'run',
): Promise<number> {
  // `cargo metadata` runs while the toolchain is probed
  const reading = readWorkspace(argv);
  reading.catch(() => undefined); // awaited below, after the engine choice and its errors
  const engine = await selectEngine(argv.engine);
  const workspace = await reading;
  const paths = pathsOf(argv, workspace);
  if (engine.engine === 'ptrace') {
    const gate = await prepareGate(argv, {
      root: paths.workspaceRoot,
      quiet: argv.quiet === true,
      version: VERSION,
    });
    const savePath = resolveSavePath(argv, paths.targetDir, true);
    return commandCargoPtrace(
      argv,
      mode,
      { toolchain: engine.toolchain, version: VERSION, workspace },
      {
        outputs: (set, report) => gate.outputs(set, report),
        finish: (set, exitStatus) => {
          if (savePath !== undefined) {
            const sizeBytes = saveDatabase(
              savePath,
              functionDatabase(set.functions, {
                toolVersion: VERSION,
                createdAt: new Date().toISOString(),
                argv: process.argv.slice(2),
                exitStatus,
                objects: set.metadata.objects,
                profiles: [],
                workspaceRoot: paths.workspaceRoot,
                targetDir: paths.targetDir,
                ...(set.metadata.toolchain === undefined
                  ? {}
                  : { toolchain: set.metadata.toolchain }),
              }),
            );
            if (argv.quiet !== true) {
              process.stderr.write(`coverage database: ${savePath} (${sizeBytes} bytes)\n`);
            }
          }
          return gate.finish();
        },
      },
    );
  }
  const progress = createProgress(argv.quiet === true);
  const toolchain = engine.toolchain;
  const gate = await prepareGate(argv, {
    root: paths.workspaceRoot,
    quiet: argv.quiet === true,
    version: VERSION,
  });
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
    ((argv.lcov ?? argv.json ?? argv.text) === undefined && !wantsHtml(argv)) ||
    gateOutputsUseStdout(argv);
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
  const gatesPassed = await reportFrom(
    objects,
    [paths.profrawDir],
    argv,
    paths.targetDir,
    toolchainLabel(toolchain),
    paths.workspaceRoot,
    gate,
    {
      path: resolveSavePath(argv, paths.targetDir, true),
      exitStatus: passed ? EXIT_OK : EXIT_TESTS_FAILED,
      rustcVerbose: toolchain.raw,
    },
  );
  if (!passed) {
    printError(
      mode === 'test'
        ? 'tests failed (the report was still written)'
        : 'the program failed (the report was still written)',
    );
    return EXIT_TESTS_FAILED;
  }
  return gatesPassed ? EXIT_OK : EXIT_GATE_FAILED;
}

async function commandReport(
  argv: ReportFlags &
    GateFlags &
    CargoFlags &
    CommonFlags &
    StoreFlags & { object?: string[]; profiles?: string[] },
): Promise<number> {
  if (argv.from !== undefined && argv.from.length > 0) return commandReportFrom(argv, argv.from);
  if ((argv.remap ?? []).length > 0)
    throw new CovError('E_USAGE', '--remap applies to --from databases');
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
  if (argv.save === '' && targetDir === undefined) {
    const paths = await resolvePaths(argv);
    targetDir = paths.targetDir;
    workspaceRoot = paths.workspaceRoot;
  }
  const gate = await prepareGate(argv, {
    root: workspaceRoot ?? process.cwd(),
    quiet: argv.quiet === true,
    version: VERSION,
  });
  const passed = await reportFrom(
    objects,
    profiles,
    argv,
    targetDir,
    undefined,
    workspaceRoot,
    gate,
    {
      path: resolveSavePath(argv, targetDir, false),
    },
  );
  return passed ? EXIT_OK : EXIT_GATE_FAILED;
}

async function commandReportFrom(
  argv: ReportFlags &
    GateFlags &
    CommonFlags &
    StoreFlags & { object?: string[]; profiles?: string[] },
  from: readonly string[],
): Promise<number> {
  if ((argv.object ?? []).length > 0 || (argv.profiles ?? []).length > 0) {
    throw new CovError('E_USAGE', '--from replaces --object and --profiles; give one or the other');
  }
  const savePath = resolveSavePath(argv, undefined, false);
  const { set, database } = loadFromDatabases(from, argv.remap ?? [], VERSION);
  printDiagnostics(set.warnings, argv.verbose === true);
  if (savePath !== undefined) saveDatabase(savePath, database);
  const md = database.metadata;
  const gate = await prepareGate(argv, {
    root: md.workspaceRoot ?? process.cwd(),
    quiet: argv.quiet === true,
    version: VERSION,
  });
  await writeReports(
    set,
    argv,
    {
      ...(md.targetDir === undefined ? {} : { targetDir: md.targetDir }),
      ...(md.workspaceRoot === undefined ? {} : { workspaceRoot: md.workspaceRoot }),
      covMetadata: {
        version: VERSION,
        engine: md.engine,
        objects: md.objects,
        ...(md.toolchain === undefined ? {} : { toolchain: md.toolchain }),
      },
    },
    (report) => gate.outputs(set, report),
  );
  return gate.finish() ? EXIT_OK : EXIT_GATE_FAILED;
}

function commandMerge(argv: MergeFlags): number {
  const { warnings, summary } = runMerge(argv, VERSION);
  printDiagnostics(warnings, argv.verbose === true);
  if (argv.quiet !== true) process.stderr.write(`${summary}\n`);
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
  const parser = yargs([...args])
    .scriptName('cov')
    .usage(
      '$0 <command> [options]\n\nRust source-based code coverage, exact to llvm-cov, without llvm-tools.',
    )
    .parserConfiguration({ 'populate--': true })
    .command(
      'test',
      'Build and run the tests with coverage (instrumented, or the breakpoint engine), then report',
      (y) =>
        common(
          withEngineFlags(withGateFlags(withSaveFlag(withReportFlags(withCargoFlags(y)), true))),
        ).usage('$0 test [options] [-- <test args>]'),
    )
    .command('run', 'Build and run a binary with coverage, then report', (y) =>
      common(
        withEngineFlags(withGateFlags(withSaveFlag(withReportFlags(withCargoFlags(y)), true))),
      ).usage('$0 run [options] [-- <program args>]'),
    )
    .command(
      'trace',
      'Run any program with line tables under the breakpoint (ptrace) engine, then report',
      (y) => common(withPtraceFlags(withReportFlags(y))).usage('$0 trace [options] -- BIN [ARGS…]'),
    )
    .command('report', 'Report from existing profiles and binaries, or from databases', (y) =>
      common(withGateFlags(withFromFlags(withSaveFlag(withReportFlags(withCargoFlags(y)), false))))
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
    .command('merge <databases..>', 'Merge coverage databases (test shards) into one', (y) =>
      common(withMergeFlags(y)),
    )
    .command(
      'compare',
      'Run the tests under both engines (or read two results) and compare line coverage',
      (y) =>
        common(withCompareFlags(withCargoFlags(y))).usage(
          '$0 compare [options] [-- <test args>]\n$0 compare --from A B [options]',
        ),
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
    .epilogue(EXIT_CODES_HELP)
    .demandCommand(1, 'give a command: test, run, trace, report, merge, compare, show-env or clean')
    .strictCommands()
    .strictOptions()
    .version(VERSION)
    .help()
    .wrap(100)
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new CovError('E_USAGE', message);
    });
  skipHelpCache(parser);
  return parser;
}

/**
 * yargs renders the whole help text of the command it runs, every time, only to keep it for a
 * later `showHelp()` (command.js, `cacheHelpMessage`); cov never calls that after a command ran,
 * and rendering `cov test`'s options costs 50–100 ms of every run. `--help` is not affected: it is
 * answered before any command runs. Internal API, hence the guards: without it nothing changes.
 */
function skipHelpCache(parser: Argv): void {
  const internal = parser as unknown as {
    getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } };
  };
  const usage = internal.getInternalMethods?.().getUsageInstance?.();
  if (usage !== undefined && typeof usage.cacheHelpMessage === 'function') {
    usage.cacheHelpMessage = () => {};
  }
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
      case 'merge':
        return commandMerge(argv as never);
      case 'compare': {
        const flags = argv as never as Parameters<typeof compareRun>[0];
        if ((flags.from ?? []).length > 0) {
          await compareFrom(flags, VERSION);
          return EXIT_OK;
        }
        if (flags['same-run'] === true) return await compareSameRun(flags);
        return await compareRun(flags, (inner) => runCli(inner));
      }
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
