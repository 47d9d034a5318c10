/**
 * `cov compare` on the compare-categories fixture: every line whose category the fixture was
 * written to produce lands in it, nothing is unexplained, and `--from` two earlier `--json`
 * results gives the same comparison as running both engines.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { COV_CLI_ENTRY, REPO_ROOT } from '../helpers/cov-cli.js';
import { ptraceSkipReason } from '../helpers/ptrace-skip.js';

const TSX = import.meta.resolve('tsx');
const skip = await ptraceSkipReason();
const work = mkdtempSync(join(tmpdir(), 'cov-compare-it-'));
const crate = join(work, 'crate');
cpSync(join(REPO_ROOT, 'test/fixtures/crates/compare-categories'), crate, { recursive: true });
test.after.always(() => rmSync(work, { recursive: true, force: true }));

interface ComparisonJson {
  agreement: number;
  categories: Record<string, number>;
  files: { filename: string; lines: { line: number; category: string }[] }[];
}

async function cov(args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const result = await execa('node', ['--import', TSX, COV_CLI_ENTRY, ...args], {
    cwd: crate,
    reject: false,
    env: { NO_COLOR: '1' },
  });
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}

const source = readFileSync(join(crate, 'src/lib.rs'), 'utf8').split('\n');
/** 1-based line of the first source line containing `text`, plus `offset`. */
function lineOf(text: string, offset = 0): number {
  const index = source.findIndex((l) => l.includes(text));
  if (index < 0) throw new Error(`fixture has no line containing ${text}`);
  return index + 1 + offset;
}

// Each line, and the category the fixture was written to put it in (see compare-engines.ts).
const EXPECTED: [string, number, string][] = [
  ['a + b', 0, 'both-covered'],
  ['x * 3', 0, 'both-uncovered'],
  ['value.clone()', 0, 'no-address-unexecuted'],
  ['break;', 0, 'no-address-executed'],
  ['#[derive(Debug, Clone, PartialEq)]', 0, 'no-region-generated'],
  ['$e * 2', 0, 'no-region-macro'],
  ['checked_div(1, 0);', 1, 'instrumented-only-covered'],
  ['panic!("expected");', 1, 'no-region-in-function'],
];

function checkCategories(t: import('ava').ExecutionContext, json: ComparisonJson): void {
  const lib = json.files.find((f) => f.filename.endsWith('/src/lib.rs'));
  if (lib === undefined) {
    t.fail('no src/lib.rs in the comparison');
    return;
  }
  const byLine = new Map(lib.lines.map((l) => [l.line, l.category]));
  for (const [text, offset, category] of EXPECTED) {
    t.is(byLine.get(lineOf(text, offset)), category, `${text} (+${offset})`);
  }
  t.is(json.categories['unexplained'], 0, 'every line has a named category');
}

const stest = skip === undefined ? test.serial : test.serial.skip;
if (skip !== undefined) test('cov compare (skipped)', (t) => t.log(`skipped: ${skip}`) ?? t.pass());

let fromRun: ComparisonJson | undefined;

stest('cov compare runs both engines and puts each fixture line in its category', async (t) => {
  t.timeout(600_000);
  const out = join(work, 'compare.json');
  const run = await cov(['compare', '--quiet', '--json', out]);
  t.is(run.exitCode, 0, run.stderr.slice(-2000));
  fromRun = JSON.parse(readFileSync(out, 'utf8')) as ComparisonJson;
  checkCategories(t, fromRun);
  t.true(fromRun.agreement >= 90, `agreement ${fromRun.agreement}`);
});

stest('cov compare --from two --json results (or two databases) equals the run', async (t) => {
  t.timeout(600_000);
  const a = join(work, 'instrumented.json');
  const b = join(work, 'ptrace.json');
  for (const [engine, out] of [
    ['instrumented', a],
    ['ptrace', b],
  ] as const) {
    const run = await cov([
      'test',
      '--quiet',
      '--engine',
      engine,
      '--save',
      join(work, `${engine}.covdb`),
      '--no-default-ignore-filename-regex',
      '--json',
      out,
    ]);
    t.is(run.exitCode, 0, run.stderr.slice(-2000));
  }
  const out = join(work, 'from.json');
  // given in the other order: cov pairs them by the engine recorded in each file
  const compared = await cov(['compare', '--from', b, a, '--json', out]);
  t.is(compared.exitCode, 0, compared.stderr);
  const json = JSON.parse(readFileSync(out, 'utf8')) as ComparisonJson;
  checkCategories(t, json);
  if (fromRun !== undefined) t.deepEqual(json.categories, fromRun.categories);
  t.regex(compared.stdout + compared.stderr, /Agreement on \d+ lines coverable in both engines/);
  // the same from the two coverage databases the runs saved
  const fromDb = join(work, 'from-db.json');
  const viaDb = await cov([
    'compare',
    '--from',
    join(work, 'instrumented.covdb'),
    join(work, 'ptrace.covdb'),
    '--json',
    fromDb,
  ]);
  t.is(viaDb.exitCode, 0, viaDb.stderr);
  t.notRegex(viaDb.stderr, /warning/);
  t.deepEqual(
    (JSON.parse(readFileSync(fromDb, 'utf8')) as ComparisonJson).categories,
    json.categories,
  );
});

stest('--explain names the regions and the breakpoint result of one line', async (t) => {
  const a = join(work, 'instrumented.json');
  const b = join(work, 'ptrace.json');
  const run = await cov(['compare', '--from', a, b, '--explain', `src/lib.rs:${lineOf('break;')}`]);
  t.is(run.exitCode, 0, run.stderr);
  t.regex(run.stdout, /no-address-executed/);
  t.regex(run.stdout, /code \d+:\d+–\d+:\d+ count 1 in /);
  t.regex(run.stdout, /no line-table address for the line/);
});

stest('--from refuses two results of the same engine', async (t) => {
  const a = join(work, 'instrumented.json');
  const run = await cov(['compare', '--from', a, a]);
  t.is(run.exitCode, 1);
  t.regex(run.stderr, /one instrumented and one breakpoint result/);
});
