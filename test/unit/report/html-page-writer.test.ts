/**
 * The page writer (built-in `file.hbs` and `lines.hbs`: the source table written by code) against
 * Handlebars rendering the same templates, on a hand-built coverage set that uses every part of a
 * page: macro expansions (nested, across files), instantiation groups with and without source
 * lines, branches (folded and counted), gap and skipped regions, uncovered-region stops,
 * non-ASCII source, a hostile file name and hostile source text, an unreadable source.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import {
  createCoverageSet,
  KIND_CODE,
  KIND_EXPANSION,
  KIND_GAP,
  KIND_SKIPPED,
  type FunctionRecord,
} from '../../../src/model/index.js';
import { CovError } from '../../../src/binary/index.js';
import {
  defaultTemplateDir,
  loadTemplates,
  planHtmlReport,
  writeHtmlReport,
} from '../../../src/report/html/index.js';
import { prepareReportFiles } from '../../../src/report/index.js';
import { readTree, restyledTemplates, withPageLines } from '../../helpers/html-tree.js';
import { rawRecord } from '../../helpers/synthetic-set.js';

const ROOT = '/work/crate';
const LIB = `${ROOT}/src/lib.rs`;
const MACROS = `${ROOT}/src/macros.rs`;
const HOSTILE = `${ROOT}/evil/<script>alert(1)</script>{{x}}'"=\`.rs`;
const MISSING = `${ROOT}/src/gone.rs`;

const SOURCES = new Map<string, Buffer>([
  [
    LIB,
    Buffer.from(
      [
        '// é — a library <with> "markup" & \'quotes\'', // 1
        'pub fn run(x: u32) -> u32 {', // 2
        '    let y = twice!(x); /* é */', // 3
        '    if x > 3 && y < 10 { y } else { 0 }', // 4
        '}', // 5
        '', // 6
        'fn generic<T: Copy>(t: T) -> T {', // 7
        '    let u = t;', // 8
        '    u', // 9
        '}', // 10
        '#[cfg(never)]', // 11
        'fn skipped() {}', // 12
      ].join('\r\n') + '\r\n',
    ),
  ],
  [
    MACROS,
    Buffer.from(
      [
        'macro_rules! twice {', // 1
        '    ($e:expr) => { inner!($e) + inner!($e) };', // 2
        '}', // 3
        'macro_rules! inner { ($e:expr) => { $e * 1 }; }', // 4
      ].join('\n'),
    ),
  ],
  [
    HOSTILE,
    Buffer.concat([
      Buffer.from('fn evil() { let s = "</td><script>alert(\'x\')</script>"; }\n'),
      Buffer.from([0xff, 0xfe, 0x3c, 0x62, 0x3e, 0x0a]),
      Buffer.from('// {{constructor}} ` = &amp; 😀\n'),
    ]),
  ],
]);

function coverage(engine: 'instrumented' | 'ptrace'): ReturnType<typeof createCoverageSet> {
  const run = rawRecord(
    '_RNvCs1234_5crate3run',
    [LIB, MACROS, MACROS],
    [
      [KIND_CODE, 0, 0, 2, 1, 5, 2, 4n],
      [KIND_EXPANSION, 0, 1, 3, 13, 3, 22, 4n],
      [KIND_CODE, 0, 0, 4, 26, 4, 31, 1n],
      [KIND_GAP, 0, 0, 4, 31, 4, 37, 0n],
      [KIND_CODE, 0, 0, 4, 37, 4, 40, 0n],
      [KIND_CODE, 1, 0, 2, 20, 2, 45, 4n],
      [KIND_EXPANSION, 1, 2, 2, 20, 2, 29, 4n],
      [KIND_CODE, 2, 0, 4, 37, 4, 43, 0n],
    ],
    [
      [0, 4, 8, 4, 13, 3n, 1n, 0],
      [0, 4, 17, 4, 23, 0n, 0n, 2],
      [0, 4, 8, 4, 13, 1n, 0n, 0],
    ],
  );
  const instance = (name: string, count: bigint): FunctionRecord =>
    rawRecord(
      name,
      [LIB],
      [
        [KIND_CODE, 0, 0, 7, 1, 10, 2, count],
        [KIND_CODE, 0, 0, 8, 5, 8, 15, count === 0n ? 0n : count + 1n],
      ],
    );
  return createCoverageSet(
    [
      run,
      instance('generic::<u8>', 3n),
      instance('generic::<char>', 0n),
      instance('generic::<&str>', 1234567n),
      rawRecord('skipped', [LIB], [[KIND_SKIPPED, 0, 0, 11, 1, 12, 16, 0n]]),
      rawRecord(
        'evil',
        [HOSTILE],
        [
          [KIND_CODE, 0, 0, 1, 1, 1, 60, 0n],
          [KIND_CODE, 0, 0, 1, 12, 1, 20, 2n],
        ],
      ),
      rawRecord('gone', [MISSING], [[KIND_CODE, 0, 0, 1, 1, 3, 2, 0n]]),
    ],
    [],
    {
      engine,
      objects: [],
      profiles: [],
      createdAt: '2026-01-02T03:04:05.000Z',
      ...(engine === 'instrumented' ? { toolchain: `rustc 1.95 <&"'=\`>` } : {}),
    },
  );
}

for (const engine of ['instrumented', 'ptrace'] as const) {
  test(`${engine}: the page writer writes the bytes Handlebars renders from the templates`, async (t) => {
    const root = mkdtempSync(path.join(tmpdir(), 'cov-page-writer-'));
    try {
      const set = coverage(engine);
      const report = prepareReportFiles(set, () => true);
      // built-in or header.hbs changed: the page frame by Handlebars around the lines by code;
      // lines.hbs changed: all by Handlebars; file.hbs changed: line models and the
      // code-rendered lines partial
      const templateDirs = {
        writer: defaultTemplateDir(),
        skeleton: restyledTemplates(root, 'partials/header.hbs'),
        handlebars: restyledTemplates(root, 'partials/lines.hbs'),
        lineModels: restyledTemplates(root, 'file.hbs'),
      };
      t.truthy(loadTemplates(templateDirs.writer).fileSkeleton);
      t.truthy(loadTemplates(templateDirs.skeleton).fileSkeleton);
      t.is(loadTemplates(templateDirs.handlebars).fileSkeleton, undefined);
      t.is(loadTemplates(templateDirs.lineModels).fileSkeleton, undefined);
      const trees: Map<string, Buffer>[] = [];
      for (const [name, templateDir] of Object.entries(templateDirs)) {
        const outputDir = path.join(root, name);
        await writeHtmlReport(set, report, {
          outputDir,
          templateDir,
          readSource: (filename) => SOURCES.get(filename),
        });
        trees.push(readTree(outputDir));
      }
      const [written, ...others] = trees;
      // the built-in file page carries data, no rows, and nothing that can end its script early
      const lib = [...written!].find(([file]) => file.startsWith('files'))![1].toString();
      t.false(lib.includes('<tr id="L1"'));
      t.false(lib.includes('<script>alert'));
      t.true(written!.has(path.join('assets', 'cov-page.js')));
      const writer = withPageLines(written!);
      others[0] = withPageLines(others[0]!); // header.hbs restyled: data too
      for (const other of others) {
        t.deepEqual([...other.keys()].sort(), [...writer!.keys()].sort());
        for (const [file, bytes] of writer!) t.true(bytes.equals(other.get(file)!), file);
      }
      const pages = [...writer!.values()].map((b) => b.toString()).join('');
      t.false(pages.includes('<script>alert'));
      t.true(pages.includes('&lt;script&gt;alert'));
      t.true(pages.includes('<span class="stop"'));
      if (engine === 'instrumented') {
        t.true(pages.includes('<details class="expansion"'));
        t.true(pages.includes('<span class="branches">'));
        t.true(pages.includes('<span class="region expansion">'));
        t.true(pages.includes('<span class="region uncovered">'));
      }
      t.true(pages.includes('<details class="instantiation"'));
      t.true(pages.includes('The source file could not be read'));
      t.true(pages.includes('never called'));
      if (engine === 'instrumented') t.true(pages.includes('<dt>toolchain</dt>'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
}

test('a page that cannot be written fails the report with E_IO naming it, and leaves no temporary file', async (t) => {
  const root = mkdtempSync(path.join(tmpdir(), 'cov-page-writer-'));
  try {
    const set = coverage('instrumented');
    const report = prepareReportFiles(set, () => true);
    const page = planHtmlReport(set, report).pagePathOf(LIB);
    // a folder where the page goes: the rename onto it fails
    mkdirSync(path.join(root, page), { recursive: true });
    const error = await t.throwsAsync(
      writeHtmlReport(set, report, {
        outputDir: root,
        readSource: (filename) => SOURCES.get(filename),
      }),
    );
    t.true(error instanceof CovError);
    t.is((error as CovError).code, 'E_IO');
    t.true(error!.message.includes(page));
    t.deepEqual(
      readdirSync(path.join(root, 'files')).filter((name) => name.includes('.cov-tmp-')),
      [],
    );
    t.false(existsSync(path.join(root, 'index.html')));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
