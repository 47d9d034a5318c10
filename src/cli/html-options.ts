/**
 * The HTML report flags (`--html [DIR]`, `--output-dir DIR`, `--open`, `--template-dir DIR`) and
 * writing the report with progress on stderr. Wired into every reporting command by
 * report-options.ts.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { CovError } from '../binary/index.js';
import type { CoverageSet } from '../model/index.js';
import type { ReportFiles } from '../report/index.js';
import type { SourcePool } from '../report/html/index.js';
import { colors, createProgress } from './console.js';

/** Parsed HTML flags. */
export interface HtmlFlags {
  html?: string;
  'output-dir'?: string;
  open?: boolean;
  'template-dir'?: string;
  quiet?: boolean;
  verbose?: boolean;
}

/** Adds the HTML flags to a yargs command. */
export function withHtmlFlags<T>(yargs: Argv<T>): Argv<T & HtmlFlags> {
  return yargs
    .option('html', {
      type: 'string',
      describe: 'HTML report; optional DIR (default --output-dir, else target/cov/html)',
      group: 'Report:',
    })
    .option('output-dir', {
      type: 'string',
      describe: 'Directory of the HTML report (as cargo-llvm-cov)',
      group: 'Report:',
    })
    .option('open', {
      type: 'boolean',
      describe: 'Open the HTML report in a browser (implies --html)',
      group: 'Report:',
    })
    .option('template-dir', {
      type: 'string',
      describe: 'Render HTML with a copy of templates/html instead of the built-in one',
      group: 'Report:',
    }) as Argv<T & HtmlFlags>;
}

/** Whether the flags ask for an HTML report. */
export function wantsHtml(flags: HtmlFlags): boolean {
  return flags.html !== undefined || flags.open === true;
}

/**
 * Where the HTML report goes: `--html DIR`, else `--output-dir`, else `<targetDir>/html`.
 * @throws CovError `E_USAGE` when none is known (`cov report` given every input explicitly)
 */
export function htmlOutputDir(flags: HtmlFlags, targetDir: string | undefined): string {
  if (flags.html !== undefined && flags.html !== '') return flags.html;
  if (flags['output-dir'] !== undefined && flags['output-dir'] !== '') return flags['output-dir'];
  if (targetDir !== undefined) return join(targetDir, 'html');
  throw new CovError(
    'E_USAGE',
    '--html: no target dir to default to; give a directory (--html DIR or --output-dir DIR)',
  );
}

/** Opens `path` with the desktop's opener (xdg-open, or open on macOS); a failure only warns. */
export function openInBrowser(path: string): void {
  const command = process.platform === 'darwin' ? 'open' : 'xdg-open';
  const warn = (reason: string): void => {
    process.stderr.write(`${colors.yellow('warning')}: cannot open ${path}: ${reason}\n`);
  };
  try {
    const child = spawn(command, [path], { stdio: 'ignore', detached: true });
    child.on('error', (error) => warn(`${command}: ${error.message}`));
    child.unref();
  } catch (error) {
    warn((error as Error).message);
  }
}

/** The HTML report's sources being read ahead, and where to announce file names. */
export interface HtmlSources {
  readonly pool: SourcePool;
  readonly announce: (filenames: readonly string[]) => void;
}

/**
 * Starts reading and highlighting the sources of the HTML report on a worker thread, when the
 * HTML report is asked for: announce file names to it as coverage loading finds them (only those
 * `filter` keeps are read), pass it to {@link writeHtmlFromFlags}, close it when done.
 * @returns undefined when no HTML report is asked for, or when its templates are the built-in ones
 */
export async function startHtmlSources(
  flags: HtmlFlags,
  filter: (filename: string) => boolean,
): Promise<HtmlSources | undefined> {
  if (!wantsHtml(flags)) return undefined;
  // the built-in file pages have their lines written by the page script, in the browser: only a
  // restyled template folder may need sources read and highlighted here
  if (flags['template-dir'] === undefined) return undefined;
  const { startSourcePool } = await import('../report/html/index.js');
  const pool = startSourcePool();
  return {
    pool,
    // in the pages' (byte) order
    announce: (filenames) => pool.prefetch(filenames.filter(filter).sort()),
  };
}

/**
 * Writes the HTML report when asked; prints progress for big reports and where it went.
 * @throws CovError `E_USAGE` for a missing directory or a broken template, `E_IO` when a file
 *   cannot be written
 */
export async function writeHtmlFromFlags(
  set: CoverageSet,
  report: ReportFiles,
  flags: HtmlFlags,
  targetDir: string | undefined,
  sources?: SourcePool,
): Promise<void> {
  if (!wantsHtml(flags)) return;
  const { writeHtmlReport } = await import('../report/html/index.js');
  const outputDir = htmlOutputDir(flags, targetDir);
  const progress = createProgress(flags.quiet === true);
  const step = Math.max(50, Math.ceil(report.files.length / 10));
  const result = await writeHtmlReport(set, report, {
    outputDir,
    ...(flags['template-dir'] === undefined ? {} : { templateDir: flags['template-dir'] }),
    ...(sources === undefined ? {} : { sources }),
    onProgress: (done, total) => {
      if (total >= 100 && (done % step === 0 || done === total)) {
        progress(`html: ${done}/${total} files`);
      }
    },
  });
  if (flags.verbose === true) {
    // (with the built-in templates, sources are highlighted by the page script, in the browser)
    const worker =
      result.highlightedInWorker > 0
        ? `; ${result.highlightedInWorker} source files highlighted in a worker thread`
        : '';
    process.stderr.write(`html: ${result.pageCount} pages${worker}\n`);
  }
  if (flags.quiet !== true) process.stderr.write(`html report: ${result.indexPath}\n`);
  if (flags.open === true) openInBrowser(result.indexPath);
}
