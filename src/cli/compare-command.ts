/**
 * `cov compare`: instrumented and breakpoint coverage of the same tests, line by line — run both
 * engines, or read two earlier results (`--from A B`: coverage databases or `--json` outputs).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { CovError } from '../binary/index.js';
import {
  compareEngines,
  readJsonExport,
  recordStartsLine,
  renderComparisonJson,
  renderComparisonText,
  type EngineComparison,
} from '../compare/index.js';
import {
  CODE_STRIDE,
  F_COLUMN_END,
  F_COLUMN_START,
  F_FILE_ID,
  F_KIND,
  F_LINE_END,
  F_LINE_START,
  type CoverageSet,
} from '../model/index.js';
import { clearOwnProfiles, readCargoMetadata } from '../llvm-bridge/index.js';
import {
  ensureHelper,
  loadStoredPlan,
  planImage,
  planKey,
  ptraceTargetDir,
  ptraceUnsupportedReason,
  sameRunTargetDir,
  traceCargo,
  type ImagePlan,
} from '../ptrace-fallback/index.js';
import { cargoArgsOf, type CargoFlags } from './cargo-flags.js';
import { createProgress, printDiagnostics } from './console.js';
import { openInBrowser } from './html-options.js';
import { loadCoverage } from './load.js';
import { selectEngine } from './ptrace-command.js';
import { writeOutput } from './output.js';
import { reportFileFilter } from './report-options.js';
import { loadFromDatabases } from './store-options.js';

/** Flags of `cov compare` besides the cargo flags. */
export interface CompareFlags {
  from?: string[];
  json?: string;
  'output-path'?: string;
  explain?: string[];
  html?: string;
  'output-dir'?: string;
  open?: boolean;
  'template-dir'?: string;
  'ignore-filename-regex'?: string[];
  'default-ignore-filename-regex'?: boolean;
  'same-run'?: boolean;
  verbose?: boolean;
  quiet?: boolean;
}

/** Adds the compare flags. */
export function withCompareFlags<T>(yargs: Argv<T>): Argv<T & CompareFlags> {
  return yargs
    .option('from', {
      type: 'string',
      array: true,
      describe:
        'Compare two earlier results instead of running: two .covdb databases or two `--json` outputs (one per engine)',
      group: 'Compare:',
    })
    .option('json', {
      type: 'string',
      describe:
        'Write the comparison as JSON (agreement, count per category, lines); optional PATH',
      group: 'Compare:',
    })
    .option('output-path', {
      type: 'string',
      describe: 'Where the text (or a --json without PATH) goes (default stdout)',
      group: 'Compare:',
    })
    .option('html', {
      type: 'string',
      describe:
        'Write an HTML view of the comparison; optional DIR (default --output-dir, else target/cov/compare-html; with --from give one)',
      group: 'Compare:',
    })
    .option('output-dir', {
      type: 'string',
      describe: 'Directory of the --html view',
      group: 'Compare:',
    })
    .option('open', {
      type: 'boolean',
      describe: 'Open the --html view in a browser (implies --html)',
      group: 'Compare:',
    })
    .option('template-dir', {
      type: 'string',
      describe: 'Render the --html view with a copy of templates/html instead of the built-in one',
      group: 'Compare:',
    })
    .option('same-run', {
      type: 'boolean',
      describe:
        'Run the tests once, instrumented and under the breakpoint engine together, so both engines see the same execution (no run-to-run timing differences); the breakpoint engine then reads the instrumented binaries',
      group: 'Compare:',
    })
    .option('explain', {
      type: 'string',
      array: true,
      describe: 'FILE:LINE — show what each engine saw on that line (repeatable)',
      group: 'Compare:',
    })
    .option('ignore-filename-regex', {
      type: 'string',
      array: true,
      describe: 'Skip source files whose path matches (repeatable)',
      group: 'Compare:',
    })
    .option('default-ignore-filename-regex', {
      type: 'boolean',
      default: true,
      describe: 'Apply the default ignore list (as the reports do)',
      group: 'Compare:',
    }) as Argv<T & CompareFlags>;
}

/** Reads one `--from` input: a coverage database or a JSON export. */
function readResult(path: string, version: string): CoverageSet {
  let head: Buffer;
  try {
    head = readFileSync(path);
  } catch (error) {
    throw new CovError('E_IO', `${path}: cannot read: ${(error as Error).message}`, {
      source: path,
    });
  }
  const firstByte = head.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
  if (firstByte === 0x7b /* { */) return readJsonExport(head.toString('utf8'), path);
  return loadFromDatabases([path], [], version).set;
}

/** Where `--json` goes: its PATH, else `--output-path`, else stdout (undefined or `-`). */
function jsonPathOf(flags: CompareFlags): string | undefined {
  return flags.json === '' ? flags['output-path'] : flags.json;
}

/** Whether the JSON comparison is written to stdout. */
function jsonGoesToStdout(flags: CompareFlags): boolean {
  if (flags.json === undefined) return false;
  const path = jsonPathOf(flags);
  return path === undefined || path === '-';
}

/** Orders two sets as (instrumented, breakpoint) by their engine. */
export function pairByEngine(
  a: CoverageSet,
  b: CoverageSet,
  names: readonly [string, string],
): { instrumented: CoverageSet; breakpoint: CoverageSet } {
  if (a.metadata.engine === 'instrumented' && b.metadata.engine === 'ptrace') {
    return { instrumented: a, breakpoint: b };
  }
  if (a.metadata.engine === 'ptrace' && b.metadata.engine === 'instrumented') {
    return { instrumented: b, breakpoint: a };
  }
  throw new CovError(
    'E_USAGE',
    `--from needs one instrumented and one breakpoint result; ${names[0]} is ${a.metadata.engine}, ${names[1]} is ${b.metadata.engine}`,
  );
}

function readSource(filename: string): string | undefined {
  try {
    return readFileSync(filename, 'utf8');
  } catch {
    return undefined;
  }
}

const KIND_NAMES = ['code', 'expansion', 'skipped', 'gap'];

/**
 * Breakpoint addresses of one source line in the traced executables: sites whose row is the line,
 * and inlined copies' entries that stand for it (`inlinedEntries`, `inlinedCalls`). Plans come from
 * the plan store `storeDir` when an entry for the unchanged binary is there, else are read from the
 * binary; binaries that no longer exist or cannot be read are skipped.
 * @returns one line of text per address, e.g. `0x60ab4 in lib-1a2b (entry of an inlined copy)`
 */
export function lineAddresses(
  objects: readonly string[],
  file: string,
  line: number,
  storeDir: string | undefined,
): string[] {
  const out: string[] = [];
  for (const object of objects) {
    if (!existsSync(object)) continue;
    let plan: ImagePlan | undefined;
    const key = storeDir === undefined ? undefined : planKey(object);
    if (key !== undefined) plan = loadStoredPlan(storeDir!, key);
    try {
      plan ??= planImage(object);
    } catch {
      continue;
    }
    for (const site of plan.sites) {
      const own = site.file === file && site.line === line;
      const matches = (e: { file: string; line: number }): boolean =>
        e.file === file && e.line === line;
      const entered = site.inlinedEntries?.some(matches) === true;
      const called = site.inlinedCalls?.some(matches) === true;
      if (!own && !entered && !called) continue;
      const where = `0x${site.address.toString(16)} in ${basename(object)}`;
      const row = `its row is line ${site.line}`;
      out.push(
        own
          ? where
          : entered
            ? `${where} (entry of an inlined copy; ${row})`
            : `${where} (entry of a call inlined on this line; ${row})`,
      );
    }
  }
  return out;
}

/** What each engine saw on one line: regions with counts; breakpoint hits and owning functions. */
export function explainLine(
  comparison: EngineComparison,
  instrumented: CoverageSet,
  breakpoint: CoverageSet,
  target: string,
  addressesOf?: (file: string, line: number) => string[],
): string {
  const match = /^(.*):(\d+)$/.exec(target);
  if (match === null) throw new CovError('E_USAGE', `--explain ${target}: expected FILE:LINE`);
  const [, file, lineText] = match;
  const line = Number(lineText);
  const candidates = comparison.files.filter(
    (f) => f.filename === file || f.filename.endsWith(`/${file!}`),
  );
  if (candidates.length !== 1) {
    throw new CovError(
      'E_USAGE',
      candidates.length === 0
        ? `--explain ${target}: no compared file matches ${file}`
        : `--explain ${target}: ${candidates.length} files match; give more of the path`,
    );
  }
  const compared = candidates[0]!;
  const entry = compared.lines.find((l) => l.line === line);
  let out = `${compared.filename}:${line}: ${entry?.category ?? 'not coverable in either engine'}\n`;
  out += '  instrumented: ';
  out += entry?.instrumented.coverable
    ? `line count ${entry.instrumented.count}\n`
    : 'no region maps the line\n';
  for (const index of instrumented.recordsByFile.get(compared.filename) ?? []) {
    const record = instrumented.functions[index]!;
    const r = record.regions;
    for (let i = 0, o = 0; o < r.length; i++, o += CODE_STRIDE) {
      if (record.filenames[r[o + F_FILE_ID]!] !== compared.filename) continue;
      if (r[o + F_LINE_START]! > line || r[o + F_LINE_END]! < line) continue;
      out += `    ${KIND_NAMES[r[o + F_KIND]!] ?? 'region'} ${r[o + F_LINE_START]}:${r[o + F_COLUMN_START]}–${r[o + F_LINE_END]}:${r[o + F_COLUMN_END]} count ${record.regionCounts[i]} in ${record.name}\n`;
    }
  }
  out += '  breakpoint:   ';
  out += entry?.breakpoint.coverable
    ? `${entry.breakpoint.count} hit(s) at the line's address(es)\n`
    : 'no line-table address for the line\n';
  for (const index of breakpoint.recordsByFile.get(compared.filename) ?? []) {
    const record = breakpoint.functions[index]!;
    if (recordStartsLine(record, compared.filename, line)) {
      const entered =
        record.executionCount === 0n ? 'never entered out of line' : 'entered out of line';
      out += `    in function ${record.name} (${entered})\n`;
    }
  }
  if (entry?.breakpoint.coverable === true && addressesOf !== undefined) {
    const addresses = addressesOf(compared.filename, line);
    if (addresses.length > 0) {
      out += `    addresses (hits are kept per line, not per address):\n`;
      for (const address of addresses) out += `      ${address}\n`;
    }
  }
  return out;
}

/**
 * Compares two sets and writes the outputs the flags ask for.
 * @returns the comparison (for callers that print more)
 */
export async function writeComparison(
  instrumented: CoverageSet,
  breakpoint: CoverageSet,
  flags: CompareFlags,
  context: {
    workspaceRoot?: string;
    targetDir?: string;
    htmlDir?: string;
    /** Stored plans of the breakpoint run (default `<targetDir>/ptrace/plans`). */
    planStoreDir?: string;
    /** Both sets come from one execution (`--same-run`). */
    sameRun?: boolean;
  },
): Promise<EngineComparison> {
  const comparison = compareEngines(instrumented, breakpoint, {
    filter: reportFileFilter(flags, context),
    readSource,
    sameRun: context.sameRun === true,
  });
  const planStoreDir =
    context.planStoreDir ??
    (context.targetDir === undefined
      ? undefined
      : join(ptraceTargetDir(context.targetDir), 'plans'));
  const explained = (flags.explain ?? []).map((target) =>
    explainLine(comparison, instrumented, breakpoint, target, (file, line) =>
      lineAddresses(breakpoint.metadata.objects, file, line, planStoreDir),
    ),
  );
  const text =
    renderComparisonText(comparison) + (explained.length > 0 ? `\n${explained.join('\n')}` : '');
  if (flags.json !== undefined) {
    const jsonPath = jsonPathOf(flags);
    await writeOutput(jsonPath, renderComparisonJson(comparison));
    const jsonOnStdout = jsonGoesToStdout(flags);
    if (!jsonOnStdout) await writeOutput(flags['output-path'], text);
    else if (flags.quiet !== true) process.stderr.write(text);
  } else {
    await writeOutput(flags['output-path'], text);
  }
  if (flags.html !== undefined || flags.open === true) {
    const indexPath = await writeComparisonHtml(comparison, instrumented, flags, context.htmlDir);
    if (flags.quiet !== true) process.stderr.write(`compare html: ${indexPath}\n`);
    if (flags.open === true) openInBrowser(indexPath);
  }
  return comparison;
}

/**
 * Where `--html` goes: `--html DIR`, else `--output-dir`, else `defaultDir`.
 * @throws CovError `E_USAGE` when none is given (`--from` has no target dir to default to)
 */
export function compareHtmlDir(flags: CompareFlags, defaultDir: string | undefined): string {
  if (flags.html !== undefined && flags.html !== '') return flags.html;
  if (flags['output-dir'] !== undefined && flags['output-dir'] !== '') return flags['output-dir'];
  if (defaultDir !== undefined) return defaultDir;
  throw new CovError(
    'E_USAGE',
    '--html: no target dir to default to with --from; give a directory (--html DIR or --output-dir DIR)',
  );
}

/** Writes the HTML view; resolves to the index path. */
async function writeComparisonHtml(
  comparison: EngineComparison,
  instrumented: CoverageSet,
  flags: CompareFlags,
  defaultDir: string | undefined,
): Promise<string> {
  const outputDir = compareHtmlDir(flags, defaultDir);
  // on demand: handlebars and highlight.js are not loaded for text and JSON outputs
  const { buildComparePages } = await import('../compare/compare-html.js');
  const { writeHtmlPages } = await import('../report/html/index.js');
  const pages = buildComparePages({
    comparison,
    readSource: readSourceBytes,
    metadata: instrumented.metadata,
  });
  return writeHtmlPages(pages, {
    outputDir,
    ...(flags['template-dir'] === undefined ? {} : { templateDir: flags['template-dir'] }),
  }).indexPath;
}

function readSourceBytes(filename: string): Uint8Array | undefined {
  try {
    return readFileSync(filename);
  } catch {
    return undefined;
  }
}

/** `cov compare --from A B`. */
export async function compareFrom(flags: CompareFlags, version: string): Promise<void> {
  const from = flags.from ?? [];
  if (from.length !== 2) {
    throw new CovError('E_USAGE', `--from takes exactly two results (got ${from.length})`);
  }
  if (flags['same-run'] === true) {
    throw new CovError('E_USAGE', '--same-run runs the tests; it does not go with --from');
  }
  const a = readResult(from[0]!, version);
  const b = readResult(from[1]!, version);
  const { instrumented, breakpoint } = pairByEngine(a, b, [from[0]!, from[1]!]);
  if (flags.html !== undefined || flags.open === true) compareHtmlDir(flags, undefined); // fail before comparing
  await writeComparison(instrumented, breakpoint, flags, {});
}

/**
 * Where a run's comparison looks and writes: cov's target dir (`--target-dir`, else
 * `<cargo target>/cov`, as `cov test` uses it) and the `--html` default beside its other reports.
 */
function runContext(
  flags: CargoFlags,
  metadata: { readonly workspaceRoot: string; readonly targetDir: string },
): { workspaceRoot: string; targetDir: string; htmlDir: string } {
  const targetDir = resolve(flags['target-dir'] ?? join(metadata.targetDir, 'cov'));
  return {
    workspaceRoot: metadata.workspaceRoot,
    targetDir,
    htmlDir: join(targetDir, 'compare-html'),
  };
}

/** Runs one `cov test` (or `cov run`) in-process; resolves to its exit code. */
export type RunCov = (args: readonly string[]) => Promise<number>;

/**
 * `cov compare [cargo flags] [-- test args]`: runs the tests under each engine (through `runCov`,
 * each writing a JSON export to a temporary folder that is removed afterwards), then compares.
 * @returns 0, or 2 when the tests failed under either engine (the comparison is still printed)
 */
export async function compareRun(
  flags: CompareFlags & CargoFlags & { '--'?: (string | number)[] },
  runCov: RunCov,
): Promise<number> {
  const temp = mkdtempSync(join(tmpdir(), 'cov-compare-'));
  try {
    const common = [
      ...cargoArgsOf(flags),
      ...(flags['manifest-path'] === undefined ? [] : ['--manifest-path', flags['manifest-path']]),
      ...(flags['target-dir'] === undefined ? [] : ['--target-dir', flags['target-dir']]),
      '--no-save',
      '--no-default-ignore-filename-regex',
      ...(flags.quiet === true ? ['--quiet'] : []),
    ];
    const testArgs = (flags['--'] ?? []).map(String);
    const results: string[] = [];
    let failed = false;
    for (const engine of ['instrumented', 'ptrace'] as const) {
      const out = join(temp, `${engine}.json`);
      if (flags.quiet !== true)
        process.stderr.write(`cov compare: running the tests (${engine})\n`);
      const code = await runCov([
        'test',
        '--engine',
        engine,
        '--json',
        out,
        ...common,
        '--',
        ...testArgs,
      ]);
      if (code === 2) failed = true;
      else if (code !== 0) {
        throw new CovError('E_PROCESS', `the ${engine} run failed (exit ${code}); see above`);
      }
      results.push(out);
    }
    const instrumented = readJsonExport(readFileSync(results[0]!, 'utf8'), results[0]!);
    const breakpoint = readJsonExport(readFileSync(results[1]!, 'utf8'), results[1]!);
    const metadata = await readCargoMetadata({
      env: process.env,
      cwd: process.cwd(),
      manifestPath: flags['manifest-path'],
    });
    await writeComparison(instrumented, breakpoint, flags, runContext(flags, metadata));
    return failed ? 2 : 0;
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/**
 * `cov compare --same-run [cargo flags] [-- test args]`: one build that is both instrumented and
 * ready for breakpoints (`<target>/cov/same-run`), one run of its tests under the breakpoint engine
 * (one-shot) whose processes also write profiles; the profiles give the instrumented side, the hits
 * the breakpoint side, of the same execution. Lines that differ then differ in what the engines
 * measure, not in what ran (thread timing, random hashing).
 * @returns 0, or 2 when the tests failed (the comparison is still printed)
 * @throws CovError `E_TOOLCHAIN` when the toolchain cannot instrument or ptrace is unavailable,
 *   `E_PROCESS` when the build fails, and as {@link loadCoverage}
 */
export async function compareSameRun(
  flags: CompareFlags & CargoFlags & { '--'?: (string | number)[] },
): Promise<number> {
  const progress = createProgress(flags.quiet === true);
  const unsupported = ptraceUnsupportedReason();
  if (unsupported !== undefined) throw new CovError('E_TOOLCHAIN', unsupported);
  const engine = await selectEngine('instrumented');
  if (engine.engine !== 'instrumented') throw new CovError('E_TOOLCHAIN', 'cannot instrument');
  const metadata = await readCargoMetadata({
    env: process.env,
    cwd: process.cwd(),
    manifestPath: flags['manifest-path'],
  });
  const context = runContext(flags, metadata);
  const targetDir = context.targetDir;
  const profrawDir = join(sameRunTargetDir(targetDir), 'profraw');
  // only the profiles an earlier same run wrote into cov's own folder
  const removed = await clearOwnProfiles(profrawDir);
  if (removed > 0) progress(`removed ${removed} stale profiles from ${profrawDir}`);
  mkdirSync(profrawDir, { recursive: true });
  const helper = await ensureHelper({ onProgress: progress });
  const toolchain = `rustc ${engine.toolchain.rustcVersion}`;
  const result = await traceCargo({
    command: 'test',
    helper,
    covTargetDir: targetDir,
    baseEnv: process.env,
    cwd: process.cwd(),
    manifestPath: flags['manifest-path'],
    cargoArgs: cargoArgsOf(flags),
    programArgs: (flags['--'] ?? []).map(String),
    mode: 'oneshot',
    timeoutMs: 0,
    // the tests' output must not run into a JSON comparison on stdout
    stdoutToStderr: jsonGoesToStdout(flags),
    onProgress: progress,
    workspace: metadata,
    toolchain,
    instrumentation: { channel: engine.toolchain.channel, profrawDir },
  });
  progress(`reading the profiles of ${result.binaries.length} executables`);
  const instrumented = await loadCoverage({
    objects: result.binaries,
    profiles: [profrawDir],
    toolchain,
  });
  printDiagnostics([...instrumented.warnings, ...result.set.warnings], flags.verbose === true);
  await writeComparison(instrumented, result.set, flags, {
    ...context,
    planStoreDir: result.planStoreDir,
    sameRun: true,
  });
  return result.passed && result.outcomes.every((o) => o.reason === 'exit') ? 0 : 2;
}
