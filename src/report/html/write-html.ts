/**
 * Writes the HTML report: compiles the Handlebars templates once (`strict`, `knownHelpersOnly`),
 * copies the static assets beside the pages, renders the index and one page per source file, and
 * writes every file atomically (temporary file + rename). Pages that an earlier run wrote into the
 * same folder and that this run no longer produces are removed (only those listed in our own
 * manifest; nothing else in the folder is touched).
 *
 * With the built-in `file.hbs` and `partials/lines.hbs`, a file page is rendered by Handlebars
 * around a `<script type="application/json">` holding the page's source files (base64) and the
 * description of its lines ({@link PageData}); the page script (`client/page.ts`, copied beside the
 * pages as `assets/cov-page.js`) writes the source table from it in the browser, with the code the
 * built-in `lines` partial is checked against. Any other `file.hbs` or `lines.hbs` renders the full
 * view model here, from sources highlighted on a worker thread ahead of the page being built
 * ({@link startSourcePool}). A page shows the same rows on every path.
 */
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  rename as renameLater,
  rm as rmLater,
  writeFile as writeFileLater,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { CovError } from '../../binary/index.js';
import type { CoverageSet } from '../../model/index.js';
import type { ReportFiles } from '../report-files.js';
import { buildFilePageHtml, buildFilePageModel, type FilePageInput } from './file-page.js';
import type { HighlightedSource } from './highlighted-source.js';
import { HtmlWriter } from './html-writer.js';
import { buildIndexModel } from './index-page.js';
import { renderLinesPartial } from './lines-partial.js';
import { ASSETS_DIR, PAGES_DIR } from './page-paths.js';
import { PAGE_DATA_ID, linesToData, type PageData } from './page-data.js';
import { planHtmlReport } from './report-plan.js';
import { sourcesHere, startSourcePool, type SourcePool } from './source-pool.js';
import type { FilePageModel, IndexModel } from './view-model.js';

// required, not imported: importing a CommonJS package as ES module costs a scan of its source
const Handlebars = createRequire(import.meta.url)('handlebars') as typeof import('handlebars');

/** SHA-256 of the `partials/lines.hbs` text that the pieces of lines-partial.ts reproduce. */
export const LINES_PARTIAL_SHA256 =
  'df2977939ee61086ca9e12cdce5064356ddd1158ac9998481f71ce21d208d08a';

/** Whether `source` (a `lines.hbs` text) is the one the pieces of lines-partial.ts reproduce. */
export function isBuiltinLinesPartial(source: string): boolean {
  return createHash('sha256').update(source).digest('hex') === LINES_PARTIAL_SHA256;
}

/** Name of the manifest listing the pages a run wrote (used to remove stale pages). */
export const HTML_MANIFEST = 'cov-html.json';

/** Options of {@link writeHtmlReport}. */
export interface HtmlReportOptions {
  /** Folder the report goes to (created when missing). */
  readonly outputDir: string;
  /** A copy of `templates/html` to render with instead of the built-in templates. */
  readonly templateDir?: string;
  /** Source bytes of a file, or undefined when unreadable (default: read from disk). */
  readonly readSource?: (filename: string) => Uint8Array | undefined;
  /**
   * Sources read from disk and highlighted ahead, e.g. on a pool the caller started before loading
   * coverage (the caller closes it). Without it and without {@link readSource}, a pool of its own
   * is started for reports of several files (unless {@link highlightInWorker} is false).
   */
  readonly sources?: SourcePool;
  /** Highlight sources on a worker thread while pages are built (default true). */
  readonly highlightInWorker?: boolean;
  /** Called with `done` and `total` page counts while pages are written. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** What {@link writeHtmlReport} wrote. */
export interface HtmlReportResult {
  readonly indexPath: string;
  /** Number of source file pages. */
  readonly pageCount: number;
  /** Source files the worker thread read and highlighted (0 when none was used). */
  readonly highlightedInWorker: number;
}

/** Compiled templates of one template folder. */
export interface HtmlTemplates {
  readonly index: (model: IndexModel) => string;
  readonly file: (model: FilePageModel) => string;
  /**
   * `file.hbs` rendering {@link LINES_MARK} for the page's `{{> lines}}`, when `file.hbs` and
   * `partials/lines.hbs` are the built-in ones (then the page's lines may be written by code).
   */
  readonly fileSkeleton: ((model: FilePageModel) => string) | undefined;
  readonly assetsDir: string;
  /**
   * Another template of the folder by file name (e.g. `compare-index.hbs`), compiled on first use
   * with the same options and partials.
   * @throws CovError `E_IO` when missing, `E_USAGE` when it does not compile
   */
  readonly named: (name: string) => (model: object) => string;
}

/**
 * `path` (relative, e.g. `templates/html/index.hbs`) in the nearest of this module's folder and the
 * folders above it that has it: the repository or the installed package, from `src/`, `dist/src/`
 * or the bundle in `dist/cli/`. Undefined when none has it.
 */
function findAbove(path: string): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, path);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

/** Finds the built-in `templates/html` (beside `src/` in the repository and in the package). */
export function defaultTemplateDir(): string {
  const index = findAbove(join('templates', 'html', 'index.hbs'));
  if (index === undefined)
    throw new CovError('E_IO', 'cannot find the built-in templates/html folder');
  return dirname(index);
}

/** `skeleton` before and after its only `mark`; undefined unless `mark` is in it exactly once. */
function splitSkeleton(
  skeleton: string,
  mark: string,
): { readonly head: string; readonly tail: string } | undefined {
  const at = skeleton.indexOf(mark);
  if (at === -1 || skeleton.indexOf(mark, at + 1) !== -1) return undefined;
  return { head: skeleton.slice(0, at), tail: skeleton.slice(at + mark.length) };
}

function readTemplate(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new CovError('E_IO', `cannot read template ${path}: ${(cause as Error).message}`, {
      cause,
    });
  }
}

const compiled = new Map<string, HtmlTemplates>();

/** What the skeleton of a file page holds where its lines go (no page text holds a NUL). */
export const LINES_MARK = '\u0000cov-lines\u0000';

/** Fewer files than this are highlighted on the main thread (a worker costs its start-up). */
const MIN_FILES_FOR_WORKER = 8;

function isBuiltinFileTemplate(dir: string, source: string): boolean {
  try {
    const builtin = defaultTemplateDir();
    return resolve(builtin) === dir || readFileSync(join(builtin, 'file.hbs'), 'utf8') === source;
  } catch {
    return false;
  }
}

/**
 * Compiles `index.hbs`, `file.hbs` and `partials/*.hbs` of `templateDir` (once per folder and
 * process) in a Handlebars environment of their own, with no helpers beyond the built-in block
 * helpers. The built-in `lines` partial, unchanged, is rendered by its code equivalent
 * ({@link renderLinesPartial}; same bytes, several times faster).
 * @throws CovError `E_IO` when a template is missing, `E_USAGE` when one does not compile
 */
export function loadTemplates(templateDir: string): HtmlTemplates {
  const dir = resolve(templateDir);
  const cached = compiled.get(dir);
  if (cached !== undefined) return cached;
  const env = Handlebars.create();
  const options = { strict: true, knownHelpersOnly: true, preventIndent: true } as const;
  const compile = <T>(name: string): ((model: T) => string) => {
    const path = join(dir, name);
    try {
      return env.compile<T>(readTemplate(path), options);
    } catch (cause) {
      if (cause instanceof CovError) throw cause;
      throw new CovError('E_USAGE', `template ${path}: ${(cause as Error).message}`, { cause });
    }
  };
  // the skeleton environment: the same partials, but `lines` leaves a mark for the writer
  const skeletonEnv = Handlebars.create();
  let builtinLines = false;
  const partialsDir = join(dir, 'partials');
  if (existsSync(partialsDir)) {
    for (const entry of readdirSync(partialsDir).sort()) {
      if (!entry.endsWith('.hbs')) continue;
      const source = readTemplate(join(partialsDir, entry));
      const name = entry.slice(0, -'.hbs'.length);
      if (name === 'lines' && isBuiltinLinesPartial(source)) {
        builtinLines = true;
        env.registerPartial(name, renderLinesPartial as Handlebars.Template);
        skeletonEnv.registerPartial(name, (() => LINES_MARK) as Handlebars.Template);
      } else {
        const partial = env.compile(source, options);
        env.registerPartial(name, partial);
        skeletonEnv.registerPartial(name, partial);
      }
    }
  }
  const fileSource = readTemplate(join(dir, 'file.hbs'));
  const others = new Map<string, (model: object) => string>();
  const templates: HtmlTemplates = {
    index: compile<IndexModel>('index.hbs'),
    file: compile<FilePageModel>('file.hbs'),
    fileSkeleton:
      builtinLines && isBuiltinFileTemplate(dir, fileSource)
        ? skeletonEnv.compile<FilePageModel>(fileSource, options)
        : undefined,
    assetsDir: join(dir, 'assets'),
    named: (name) => {
      let template = others.get(name);
      if (template === undefined) {
        template = compile<object>(name);
        others.set(name, template);
      }
      return template;
    },
  };
  compiled.set(dir, templates);
  return templates;
}

function render<T>(template: (model: T) => string, model: T, what: string): string {
  try {
    return template(model);
  } catch (cause) {
    throw new CovError('E_USAGE', `template ${what}: ${(cause as Error).message}`, { cause });
  }
}

/** Writes `path` atomically; `madeDirs` remembers the folders this report already made. */
function writeAtomic(path: string, content: string | Uint8Array, madeDirs?: Set<string>): void {
  const temp = `${path}.cov-tmp-${process.pid}`;
  try {
    const dir = dirname(path);
    if (madeDirs?.has(dir) !== true) {
      mkdirSync(dir, { recursive: true });
      madeDirs?.add(dir);
    }
    writeFileSync(temp, content);
    renameSync(temp, path);
  } catch (cause) {
    rmSync(temp, { force: true });
    throw new CovError('E_IO', `cannot write ${path}: ${(cause as Error).message}`, { cause });
  }
}

/** Pages written at most at once by {@link BackgroundWrites}. */
const MAX_WRITES_IN_FLIGHT = 16;

/**
 * Atomic writes done on libuv's threads while the next pages are built, a bounded number at a
 * time; the first failure is thrown by {@link finish}.
 */
class BackgroundWrites {
  private readonly inFlight = new Set<Promise<void>>();
  private failure: CovError | undefined;

  constructor(private readonly madeDirs: Set<string>) {}

  /**
   * Starts writing `content` (not changed afterwards) to `path`; waits while too many run.
   * @throws CovError `E_IO` when an earlier write failed
   */
  async add(path: string, content: Uint8Array): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    const dir = dirname(path);
    if (!this.madeDirs.has(dir)) {
      try {
        mkdirSync(dir, { recursive: true });
      } catch (cause) {
        this.fail(path, cause);
        return;
      }
      this.madeDirs.add(dir);
    }
    const temp = `${path}.cov-tmp-${process.pid}`;
    // callbacks rather than fs/promises: no file handle object per page
    const write = new Promise<void>((done) => {
      const failed = (cause: Error): void => {
        this.fail(path, cause);
        rmLater(temp, { force: true }, () => done());
      };
      writeFileLater(temp, content, (error) => {
        if (error !== null) failed(error);
        else renameLater(temp, path, (renamed) => (renamed === null ? done() : failed(renamed)));
      });
    }).finally(() => this.inFlight.delete(write));
    this.inFlight.add(write);
    if (this.inFlight.size >= MAX_WRITES_IN_FLIGHT) await Promise.race(this.inFlight);
  }

  /** Waits for every write (they never reject: failures are kept for {@link finish}). */
  async settle(): Promise<void> {
    await Promise.all(this.inFlight);
  }

  /** Waits for every write. @throws CovError `E_IO` for the first that failed */
  async finish(): Promise<void> {
    await this.settle();
    if (this.failure !== undefined) throw this.failure;
  }

  private fail(path: string, cause: unknown): void {
    this.failure ??= new CovError('E_IO', `cannot write ${path}: ${(cause as Error).message}`, {
      cause,
    });
  }
}

function readSourceFromDisk(filename: string): Uint8Array | undefined {
  try {
    return readFileSync(filename);
  } catch {
    return undefined;
  }
}

/** File name of the file page script in the assets folder. */
export const PAGE_SCRIPT = 'cov-page.js';

/**
 * Finds the built file page script (`dist/html-client/cov-page.js`, made by `npm run build` from
 * src/report/html/client/page.ts).
 * @throws CovError `E_IO` when it was not built
 */
export function pageScriptPath(): string {
  const path = findAbove(join('dist', 'html-client', PAGE_SCRIPT));
  if (path !== undefined) return path;
  throw new CovError(
    'E_IO',
    `cannot find the HTML report's page script dist/html-client/${PAGE_SCRIPT} (run npm run build)`,
  );
}

function copyAssets(from: string, to: string, extra: readonly string[] = []): string[] {
  const written: string[] = [];
  const entries = existsSync(from)
    ? readdirSync(from)
        .sort()
        .map((e) => join(from, e))
    : [];
  for (const source of [...entries, ...extra]) {
    const entry = basename(source);
    if (!statSync(source).isFile()) continue;
    const target = join(to, entry);
    const temp = `${target}.cov-tmp-${process.pid}`;
    try {
      mkdirSync(to, { recursive: true });
      copyFileSync(source, temp);
      renameSync(temp, target);
    } catch (cause) {
      rmSync(temp, { force: true });
      throw new CovError('E_IO', `cannot copy ${source}: ${(cause as Error).message}`, { cause });
    }
    written.push(`${ASSETS_DIR}/${entry}`);
  }
  return written;
}

function previousPages(outputDir: string): string[] {
  try {
    const manifest = JSON.parse(readFileSync(join(outputDir, HTML_MANIFEST), 'utf8')) as {
      pages?: unknown;
    };
    return Array.isArray(manifest.pages)
      ? manifest.pages.filter(
          (p): p is string =>
            typeof p === 'string' && p.startsWith(`${PAGES_DIR}/`) && !p.includes('..'),
        )
      : [];
  } catch {
    return [];
  }
}

/** One page for {@link writeHtmlPages}. */
export interface HtmlPage {
  /** `index.html`, or a page path from {@link pagePathOf} (`files/….html`). */
  readonly path: string;
  /** Template file name in the template folder, e.g. `compare-file.hbs`. */
  readonly template: string;
  /** The template's view model (plain data; `*Html` fields hold escaped markup). */
  readonly model: object;
}

/** Options of {@link writeHtmlPages}. */
export interface HtmlPagesOptions {
  /** Folder the pages go to (created when missing). */
  readonly outputDir: string;
  /** A copy of `templates/html` to render with instead of the built-in templates. */
  readonly templateDir?: string;
}

const PAGE_PATH = new RegExp(`^${PAGES_DIR}/[A-Za-z0-9_-][A-Za-z0-9._-]*\\.html$`);

/**
 * Renders `pages` with the templates they name into `options.outputDir`, beside a copy of the
 * assets: the same compile options, atomic writes, manifest and stale-page removal as
 * {@link writeHtmlReport}. `index.html` is written last.
 * @returns the index path (empty when no page is `index.html`) and the number of other pages
 * @throws CovError `E_USAGE` for a page path outside `index.html` / `files/*.html` or a template
 *   that does not compile or render, `E_IO` when a file cannot be read or written
 */
export function writeHtmlPages(
  pages: readonly HtmlPage[],
  options: HtmlPagesOptions,
): HtmlReportResult {
  for (const page of pages) {
    if (page.path !== 'index.html' && (!PAGE_PATH.test(page.path) || page.path.includes('..'))) {
      throw new CovError('E_USAGE', `HTML page path ${JSON.stringify(page.path)} is not allowed`);
    }
  }
  const outputDir = resolve(options.outputDir);
  const templates = loadTemplates(options.templateDir ?? defaultTemplateDir());
  const stale = new Set(previousPages(outputDir));
  mkdirSync(outputDir, { recursive: true });
  copyAssets(templates.assetsDir, join(outputDir, ASSETS_DIR));
  const written: string[] = [];
  const ordered = [
    ...pages.filter((p) => p.path !== 'index.html'),
    ...pages.filter((p) => p.path === 'index.html'),
  ];
  let indexPath = '';
  for (const page of ordered) {
    const html = render(
      templates.named(page.template),
      page.model,
      `${page.template} (${page.path})`,
    );
    const target = join(outputDir, page.path);
    writeAtomic(target, html);
    if (page.path === 'index.html') indexPath = target;
    else {
      written.push(page.path);
      stale.delete(page.path);
    }
  }
  for (const page of stale) rmSync(join(outputDir, page), { force: true });
  writeAtomic(join(outputDir, HTML_MANIFEST), `${JSON.stringify({ pages: written }, null, 2)}\n`);
  return { indexPath, pageCount: written.length, highlightedInWorker: 0 };
}

/**
 * Writes the report of `report` (files of `set`) into `options.outputDir`. Pages are written on
 * libuv's threads while the next ones are built; the index and the manifest once every page is.
 * @returns the index path and the number of file pages
 * @throws CovError `E_IO` when a file cannot be written or a template read, `E_USAGE` when a
 *   template does not compile or render (e.g. refers to a field the view model lacks)
 */
export async function writeHtmlReport(
  set: CoverageSet,
  report: ReportFiles,
  options: HtmlReportOptions,
): Promise<HtmlReportResult> {
  const outputDir = resolve(options.outputDir);
  const templates = loadTemplates(options.templateDir ?? defaultTemplateDir());
  const plan = planHtmlReport(set, report);
  const readSource = options.readSource ?? readSourceFromDisk;
  const stale = new Set(previousPages(outputDir));
  mkdirSync(outputDir, { recursive: true });
  // the built-in file page's lines are written by the page script
  const pageScriptLines = templates.fileSkeleton !== undefined;
  const pageScript = pageScriptLines ? [pageScriptPath()] : [];
  copyAssets(templates.assetsDir, join(outputDir, ASSETS_DIR), pageScript);

  const pages: string[] = [];
  const madeDirs = new Set<string>();
  const total = report.files.length;
  // sources are read and highlighted here only for templates whose lines the page script does not
  // write (a restyled `file.hbs` or `lines.hbs`)
  let pool: SourcePool | undefined = pageScriptLines ? undefined : options.sources;
  let ownPool = false;
  let highlightedInWorker = 0;
  if (!pageScriptLines && pool === undefined && options.readSource === undefined) {
    ownPool = true;
    pool =
      options.highlightInWorker !== false && total >= MIN_FILES_FOR_WORKER
        ? startSourcePool()
        : sourcesHere();
  }
  if (pool !== undefined) {
    pool.pageOrder(report.files.map((f) => f.filename));
    // the functions' names, demangled by the worker while the first pages are built
    const names = new Set<string>();
    for (const file of report.files) {
      for (const index of set.recordsByFile.get(file.filename) ?? []) {
        names.add(set.functions[index]!.name);
      }
    }
    pool.prefetchNames([...names]);
  }
  const writer = new HtmlWriter(1 << 22);
  const writes = new BackgroundWrites(madeDirs);
  try {
    // sources shown by other pages' expansions, kept for the pages that show them again
    const shared = new Map<string, HighlightedSource>();
    for (const [i, file] of report.files.entries()) {
      const takeSource = (filename: string): HighlightedSource => {
        let source = shared.get(filename);
        if (source === undefined) {
          source = pool!.take(filename);
          if (filename !== file.filename) shared.set(filename, source);
        }
        return source;
      };
      const input: FilePageInput = {
        set,
        file,
        displayName: plan.displayNameOf(file.filename),
        header: plan.headerAt(1),
        metrics: plan.metrics,
        readSource,
        displayNameOf: plan.displayNameOf,
        ...(pool === undefined ? {} : { loadSource: takeSource }),
      };
      const page = plan.pagePathOf(file.filename);
      const what = `file.hbs (${page})`;
      let content: Uint8Array | undefined;
      if (pageScriptLines) {
        // the page script renders the source table from the page's data (see client/page.ts)
        const model = buildFilePageHtml(input);
        const names = new Set<string>();
        const lines = linesToData(model.lines, names);
        const sources: Record<string, string | null> = {};
        for (const name of names) {
          const bytes = readSource(name);
          sources[name] = bytes === undefined ? null : Buffer.from(bytes).toString('base64');
        }
        const sourceAvailable = sources[file.filename] !== null;
        const skeleton = render(
          templates.fileSkeleton,
          { ...model, sourceAvailable, lines: [] },
          what,
        );
        const parts = splitSkeleton(skeleton, LINES_MARK);
        if (parts !== undefined) {
          const data: PageData = { sources, lines };
          writer.reset();
          writer.raw(parts.head);
          writer.raw(`<script type="application/json" id="${PAGE_DATA_ID}">`);
          // no `<` inside: the script element cannot be ended early
          writer.raw(JSON.stringify(data).replace(/</g, '\\u003c'));
          writer.raw('</script>');
          writer.raw(parts.tail);
          content = writer.toBytes();
        }
      }
      content ??= Buffer.from(render(templates.file, buildFilePageModel(input), what));
      await writes.add(join(outputDir, page), content);
      pages.push(page);
      stale.delete(page);
      options.onProgress?.(i + 1, total);
    }
    highlightedInWorker = pool?.fromWorker() ?? 0;
  } finally {
    if (ownPool) pool?.close();
    await writes.settle();
  }
  await writes.finish();

  const index = buildIndexModel({
    report,
    header: plan.headerAt(0),
    metrics: plan.metrics,
    rootName: plan.rootName,
    displayNameOf: plan.displayNameOf,
    hrefOf: plan.pagePathOf,
  });
  const indexPath = join(outputDir, 'index.html');
  writeAtomic(indexPath, render(templates.index, index, 'index.hbs'));
  for (const page of stale) rmSync(join(outputDir, page), { force: true });
  writeAtomic(join(outputDir, HTML_MANIFEST), `${JSON.stringify({ pages }, null, 2)}\n`);
  return { indexPath, pageCount: pages.length, highlightedInWorker };
}
