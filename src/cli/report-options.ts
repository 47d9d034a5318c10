/**
 * Report flags shared by `cov report`, `cov test` and `cov run`, and the renderer dispatch.
 * A format flag takes an optional path (`--lcov out.lcov --json out.json`); without one it writes
 * to `--output-path` or stdout.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { CovError } from '../binary/index.js';
import { createFileFilter, type CoverageSet, type FileFilter } from '../model/index.js';
import {
  prepareReportFiles,
  renderJson,
  type ReportFiles,
  renderLcov,
  renderMissingLines,
  renderSummaryTable,
  renderText,
} from '../report/index.js';
import { withHtmlFlags, wantsHtml, writeHtmlFromFlags, type HtmlFlags } from './html-options.js';
import type { SourcePool } from '../report/html/index.js';
import { writeOutput } from './output.js';

/** Parsed report flags. */
export interface ReportFlags extends HtmlFlags {
  lcov?: string;
  json?: string;
  text?: string;
  'summary-only'?: boolean;
  'output-path'?: string;
  'ignore-filename-regex'?: string[];
  'default-ignore-filename-regex'?: boolean;
  'show-missing-lines'?: boolean;
  'skip-functions'?: boolean;
}

/** Adds the report flags to a yargs command. */
export function withReportFlags<T>(yargs: Argv<T>): Argv<T & ReportFlags> {
  return withHtmlFlags(yargs)
    .option('lcov', {
      type: 'string',
      describe: 'Export lcov (llvm-cov export -format=lcov); optional PATH',
      group: 'Report:',
    })
    .option('json', {
      type: 'string',
      describe: 'Export JSON (llvm-cov export schema + "cov" key); optional PATH',
      group: 'Report:',
    })
    .option('text', {
      type: 'string',
      describe: 'Annotated source (llvm-cov show shape); optional PATH',
      group: 'Report:',
    })
    .option('summary-only', {
      type: 'boolean',
      describe: 'Only totals and per-file summaries',
      group: 'Report:',
    })
    .option('output-path', {
      type: 'string',
      describe: 'Where a format flag without a PATH writes (default stdout)',
      group: 'Report:',
    })
    .option('ignore-filename-regex', {
      type: 'string',
      array: true,
      describe: 'Skip source files whose path matches (repeatable)',
      group: 'Report:',
    })
    .option('default-ignore-filename-regex', {
      type: 'boolean',
      default: true,
      describe:
        'Apply the default ignore list (tests/, examples/, benches/, registry, toolchains, target dir); --no-default-ignore-filename-regex keeps every file',
      group: 'Report:',
    })
    .option('show-missing-lines', {
      type: 'boolean',
      describe: 'List uncovered line ranges after the summary table',
      group: 'Report:',
    })
    .option('skip-functions', {
      type: 'boolean',
      describe: 'Omit per-function data (lcov FN/FNDA, JSON functions)',
      group: 'Report:',
    }) as Argv<T & ReportFlags>;
}

/** Context for the default ignore list. */
export interface ReportContext {
  readonly workspaceRoot?: string;
  readonly targetDir?: string;
  readonly covMetadata?: unknown;
  /** Sources the HTML report shows, read ahead ({@link startHtmlSources}). */
  readonly htmlSources?: SourcePool;
}

function readSourceFile(filename: string): string | undefined {
  try {
    return readFileSync(filename, 'utf8');
  } catch {
    return undefined;
  }
}

/** Outputs another option group adds to a run (see gate-options.ts). */
export interface ExtraOutputs {
  readonly requests: readonly { path: string | undefined; render: () => string }[];
  /**
   * Printed on stdout after the reports (`undefined`: not requested); it may follow the summary
   * table, no other format.
   */
  readonly stdoutTrailer: string | undefined;
}

/**
 * The file filter of a report: `--ignore-filename-regex` plus, unless turned off, the default
 * ignore list (cargo home, rustup home, the target dir, the workspace's tests/examples/benches).
 * @throws CovError `E_USAGE` when a regex does not compile
 */
export function reportFileFilter(
  flags: Pick<ReportFlags, 'ignore-filename-regex' | 'default-ignore-filename-regex'>,
  context: { readonly workspaceRoot?: string; readonly targetDir?: string },
): FileFilter {
  try {
    return createFileFilter({
      ignoreRegexes: flags['ignore-filename-regex'] ?? [],
      useDefaultIgnore: flags['default-ignore-filename-regex'] !== false,
      defaults: {
        cargoHome: process.env['CARGO_HOME'] ?? join(homedir(), '.cargo'),
        rustupHome: process.env['RUSTUP_HOME'] ?? join(homedir(), '.rustup'),
        ...(context.targetDir === undefined ? {} : { targetDir: context.targetDir }),
        workspaceRoot: context.workspaceRoot ?? process.cwd(),
      },
    });
  } catch (cause) {
    throw new CovError('E_USAGE', `--ignore-filename-regex: ${(cause as Error).message}`);
  }
}

/**
 * Renders and writes every requested output; the summary table when none is requested.
 * @param extra outputs of other option groups, computed from the same report
 * @throws CovError `E_USAGE` when two outputs would go to stdout or a regex does not compile
 */
export async function writeReports(
  set: CoverageSet,
  flags: ReportFlags,
  context: ReportContext,
  extra?: (report: ReportFiles) => ExtraOutputs,
): Promise<void> {
  const filter = reportFileFilter(flags, context);
  const report = prepareReportFiles(set, filter);
  const summaryOnly = flags['summary-only'] === true;
  const skipFunctions = flags['skip-functions'] === true;
  const requests: { path: string | undefined; render: () => string }[] = [];
  const target = (value: string): string | undefined =>
    value === '' ? flags['output-path'] : value;
  if (flags.lcov !== undefined) {
    requests.push({
      path: target(flags.lcov),
      render: () => renderLcov(set, report, { summaryOnly, skipFunctions }),
    });
  }
  if (flags.json !== undefined) {
    requests.push({
      path: target(flags.json),
      render: () =>
        renderJson(set, report, { summaryOnly, skipFunctions, covMetadata: context.covMetadata }),
    });
  }
  if (flags.text !== undefined) {
    requests.push({
      path: target(flags.text),
      render: () => renderText(set, report, readSourceFile),
    });
  }
  const added = extra?.(report);
  if (added !== undefined) requests.push(...added.requests);
  const defaultTable = requests.length === 0 && !wantsHtml(flags);
  if (defaultTable) {
    let table = renderSummaryTable(report, { engine: set.metadata.engine });
    if (flags['show-missing-lines'] === true) table += renderMissingLines(set, report);
    requests.push({ path: flags['output-path'], render: () => table });
  }
  const toStdout = requests.filter((r) => r.path === undefined || r.path === '-');
  if (
    toStdout.length > 1 ||
    (added?.stdoutTrailer !== undefined && toStdout.length > 0 && !defaultTable)
  ) {
    throw new CovError(
      'E_USAGE',
      'several formats would write to stdout: give each a path (e.g. --lcov out.lcov --json out.json)',
    );
  }
  for (const request of requests) await writeOutput(request.path, request.render());
  await writeHtmlFromFlags(set, report, flags, context.targetDir, context.htmlSources);
  if (added?.stdoutTrailer) await writeOutput(undefined, added.stdoutTrailer);
}
