/**
 * CI gates end to end on a git repository made here: a tiny crate committed once, then a second
 * commit that adds a covered function (`double`) and a function with a branch no test takes
 * (`clamp_small`'s `return 100;`, and a `-100` on a line that otherwise ran). `cov test --diff-base HEAD~1` must report exactly the coverable
 * changed lines, gates must pass and fail at thresholds just around the measured values with exit
 * codes 0 and 3, the Cobertura must validate against the coverage-04 DTD, and the Markdown must
 * match its golden file.
 */
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { parseUnifiedDiff } from '../../src/gate/index.js';
import { COV_CLI_ENTRY, REPO_ROOT, covCliMissing } from '../helpers/cov-cli.js';
import { checkGolden } from '../helpers/golden-file.js';
import { missingReason, requireTool, requireToolchain, toolSearchPath } from '../helpers/tools.js';

const missing =
  covCliMissing() ??
  (await missingReason([requireToolchain('stable'), requireTool('git'), requireTool('xmllint')]));

const MANIFEST = `[package]
name = "gate-fixture"
version = "0.1.0"
edition = "2021"

[dependencies]
`;

const LIB_V1 = `pub fn add(a: i32, b: i32) -> i32 {
    a + b
}

#[cfg(test)]
mod tests {
    #[test]
    fn adds() {
        assert_eq!(super::add(2, 3), 5);
    }
}
`;

const LIB_V2 = `pub fn add(a: i32, b: i32) -> i32 {
    a + b
}

pub fn double(x: i32) -> i32 {
    x * 2
}

pub fn clamp_small(x: i32) -> i32 {
    if x > 100 {
        return 100;
    }
    let y = if x < -100 { -100 } else { x };
    y
}

#[cfg(test)]
mod tests {
    #[test]
    fn adds() {
        assert_eq!(super::add(2, 3), 5);
    }

    #[test]
    fn doubles_and_clamps() {
        assert_eq!(super::double(4), 8);
        assert_eq!(super::clamp_small(5), 5);
    }
}
`;

/** Fixed identity and dates: the commits (and the merge base in the Markdown) get stable hashes. */
const GIT_ENV = {
  GIT_AUTHOR_NAME: 'cov',
  GIT_AUTHOR_EMAIL: 'cov@example.com',
  GIT_COMMITTER_NAME: 'cov',
  GIT_COMMITTER_EMAIL: 'cov@example.com',
  GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
};

interface Run {
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

let repo = '';
let first: Run;

async function git(...args: string[]): Promise<void> {
  await execa('git', args, { cwd: repo, env: GIT_ENV });
}

/** Runs our CLI from source in the fixture repository. */
async function cov(...args: string[]): Promise<Run> {
  const result = await execa(
    process.execPath,
    [
      '--import',
      path.join(REPO_ROOT, 'node_modules/tsx/dist/esm/index.mjs'),
      COV_CLI_ENTRY,
      ...args,
    ],
    {
      cwd: repo,
      env: { NO_COLOR: '1', PATH: toolSearchPath(), ...GIT_ENV },
      reject: false,
      timeout: 10 * 60_000,
    },
  );
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}

const out = (name: string): string => path.join(repo, 'out', name);

test.before(async () => {
  if (missing !== undefined) return;
  repo = mkdtempSync(path.join(os.tmpdir(), 'cov-gate-'));
  mkdirSync(path.join(repo, 'src'));
  writeFileSync(path.join(repo, 'Cargo.toml'), MANIFEST);
  writeFileSync(path.join(repo, '.gitignore'), 'target/\nout/\nCargo.lock\n');
  writeFileSync(path.join(repo, 'src/lib.rs'), LIB_V1);
  await git('init', '-q', '-b', 'main');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'add');
  writeFileSync(path.join(repo, 'src/lib.rs'), LIB_V2);
  await git('commit', '-q', '-a', '-m', 'double and clamp_small');
  first = await cov(
    'test',
    '--diff-base',
    'HEAD~1',
    '--lcov',
    out('lcov.info'),
    '--json',
    out('cov.json'),
    '--markdown',
    out('summary.md'),
    '--cobertura',
    out('cobertura.xml'),
    '--codecov',
    out('codecov.json'),
    '--annotations',
    'github',
    '--save-baseline',
    out('baseline.json'),
  );
});

test.after.always(() => {
  if (repo !== '' && process.env['COV_KEEP_TMP'] !== '1')
    rmSync(repo, { recursive: true, force: true });
});

// serial: the tests share one repository, and one of them writes cov.toml into it
const it = missing === undefined ? test.serial : test.serial.skip;
const skipNote = missing === undefined ? '' : ` (skipped: ${missing})`;

/** Changed lines of src/lib.rs (from git) that the lcov export lists, with their counts. */
async function expectedPatchLines(): Promise<Map<number, bigint>> {
  const diff = await execa('git', ['diff', '--unified=0', 'HEAD~1'], { cwd: repo, env: GIT_ENV });
  const changed = new Set(parseUnifiedDiff(diff.stdout, 'git diff')[0]!.addedLines);
  const lines = new Map<number, bigint>();
  for (const match of readFileSync(out('lcov.info'), 'utf8').matchAll(/^DA:(\d+),(\d+)$/gm)) {
    const line = Number(match[1]);
    if (changed.has(line)) lines.set(line, BigInt(match[2]!));
  }
  return lines;
}

it(`cov test reports patch coverage of exactly the changed coverable lines${skipNote}`, async (t) => {
  t.is(first.exitCode, 0, first.stderr);
  const expected = await expectedPatchLines();
  const uncovered = [...expected].filter(([, count]) => count === 0n).map(([line]) => line);
  const covered = [...expected].filter(([, count]) => count !== 0n).length;
  // the coverable lines of double, clamp_small and the new test; only `return 100;` never ran
  t.deepEqual(uncovered, [11]);
  t.deepEqual([...expected.keys()], [5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 25, 26, 27, 28]);
  t.regex(
    first.stderr,
    new RegExp(
      `lines ${((covered / expected.size) * 100).toFixed(2)}% \\(${covered}/${expected.size}\\)`,
    ),
  );
  t.regex(first.stderr, /uncovered changed lines:\n {2}src\/lib\.rs: 11\n/);
  t.is(
    first.stdout,
    '::warning file=src/lib.rs,line=11,endLine=11,title=Uncovered change::Changed line 11 is not covered by tests',
  );
});

it(`the Markdown summary matches its golden file${skipNote}`, (t) => {
  checkGolden(t, 'gate/summary.md', readFileSync(out('summary.md'), 'utf8'));
});

it(`the Cobertura validates against the coverage-04 DTD${skipNote}`, async (t) => {
  const dtd = path.join(REPO_ROOT, 'test/fixtures/cobertura/coverage-04.dtd');
  const result = await execa(
    'xmllint',
    ['--noout', '--nonet', '--dtdvalid', dtd, out('cobertura.xml')],
    {
      reject: false,
    },
  );
  t.is(result.exitCode, 0, result.stderr);
  const xml = readFileSync(out('cobertura.xml'), 'utf8');
  t.true(xml.includes(`<source>${repo}</source>`));
  t.regex(xml, /<class name="src\/lib\.rs" filename="src\/lib\.rs" line-rate="0\.95"/);
  t.regex(xml, /<line number="11" hits="0" branch="false"\/>/);
});

it(`the Codecov JSON has the lcov lines, partial where a region never ran${skipNote}`, (t) => {
  const codecov = JSON.parse(readFileSync(out('codecov.json'), 'utf8')) as {
    coverage: Record<string, Record<string, number | string>>;
  };
  const lines = codecov.coverage['src/lib.rs']!;
  t.is(lines['11'], 0);
  t.is(lines['6'], 1);
  t.is(lines['10'], 1);
  // `let y = if x < -100 { -100 } else { x };` ran, its `-100` did not
  t.regex(String(lines['13']), /^[1-9]\d*\/\d+$/);
  const lcovLines = [...readFileSync(out('lcov.info'), 'utf8').matchAll(/^DA:(\d+),/gm)].map(
    (m) => m[1],
  );
  t.deepEqual(Object.keys(lines), lcovLines);
});

interface Totals {
  data: [{ totals: Record<'regions' | 'lines' | 'functions', { count: number; covered: number }> }];
}

function totals(): Totals['data'][0]['totals'] {
  return (JSON.parse(readFileSync(out('cov.json'), 'utf8')) as Totals).data[0].totals;
}

/** Threshold just below and just above `covered / count` (two decimals, as users write them). */
function around(covered: number, count: number): [string, string] {
  const value = (covered / count) * 100;
  return [
    (Math.floor(value * 100) / 100).toFixed(2),
    (Math.floor(value * 100 + 1) / 100).toFixed(2),
  ];
}

it(`total gates pass just below and fail just above the measured value${skipNote}`, async (t) => {
  const { regions, lines } = totals();
  const [regionsBelow, regionsAbove] = around(regions.covered, regions.count);
  const [linesBelow, linesAbove] = around(lines.covered, lines.count);
  const pass = await cov(
    'report',
    '--fail-under-regions',
    regionsBelow,
    '--fail-under-lines',
    linesBelow,
  );
  t.is(pass.exitCode, 0, pass.stderr);
  const fail = await cov(
    'report',
    '--fail-under-regions',
    regionsAbove,
    '--fail-under-lines',
    linesBelow,
  );
  t.is(fail.exitCode, 3, fail.stderr);
  t.regex(
    fail.stderr,
    new RegExp(
      `--fail-under-regions ${regionsAbove}: regions [\\d.]+% \\(${regions.covered}/${regions.count}\\) is below ${regionsAbove}%\\n {2}worst files \\(regions\\):\\n {4}src/lib\\.rs`,
    ),
  );
  const linesFail = await cov(
    'report',
    '--fail-under-lines',
    linesAbove,
    '--fail-uncovered-lines',
    '1',
  );
  t.is(linesFail.exitCode, 3);
  t.regex(linesFail.stderr, /coverage gate failed: --fail-under-lines/);
  t.notRegex(linesFail.stderr, /coverage gate failed: --fail-uncovered-lines/);
  const cap = await cov(
    'report',
    '--fail-uncovered-regions',
    String(regions.count - regions.covered - 1),
  );
  t.is(cap.exitCode, 3);
});

it(`patch gates pass and fail around the patch coverage${skipNote}`, async (t) => {
  const expected = await expectedPatchLines();
  const covered = [...expected.values()].filter((c) => c !== 0n).length;
  const [below, above] = around(covered, expected.size);
  const pass = await cov('report', '--diff-base', 'HEAD~1', '--fail-under-patch-lines', below);
  t.is(pass.exitCode, 0, pass.stderr);
  const fail = await cov('report', '--diff-base', 'HEAD~1', '--fail-under-patch-lines', above);
  t.is(fail.exitCode, 3, fail.stderr);
  t.regex(
    fail.stderr,
    new RegExp(
      `--fail-under-patch-lines ${above}: patch lines [\\d.]+% \\(${covered}/${expected.size}\\) is below ${above}%`,
    ),
  );
  // the same diff from a file gives the same verdict
  const diffFile = out('change.diff');
  const diff = await execa('git', ['diff', '-M', 'HEAD~1'], { cwd: repo, env: GIT_ENV });
  writeFileSync(diffFile, diff.stdout + '\n');
  const fromFile = await cov('report', '--diff-file', diffFile, '--fail-under-patch-lines', above);
  t.is(fromFile.exitCode, 3, fromFile.stderr);
  const noDiff = await cov('report', '--fail-under-patch-lines', '10');
  t.is(noDiff.exitCode, 1);
  t.regex(noDiff.stderr, /--fail-under-patch-lines needs a diff/);
});

it(`the baseline ratchet passes unchanged and fails on a drop${skipNote}`, async (t) => {
  const same = await cov(
    'report',
    '--baseline',
    out('baseline.json'),
    '--fail-on-decrease',
    '--per-file',
  );
  t.is(same.exitCode, 0, same.stderr);
  t.regex(same.stderr, /against the baseline: regions [\d.]+% \(\d+\/\d+\) \(0\.00\)/);
  const better = JSON.parse(readFileSync(out('baseline.json'), 'utf8')) as {
    totals: Record<string, { covered: number; count: number }>;
  };
  better.totals['regions']!.covered = better.totals['regions']!.count;
  writeFileSync(out('better.json'), JSON.stringify(better));
  const dropped = await cov('report', '--baseline', out('better.json'), '--fail-on-decrease');
  t.is(dropped.exitCode, 3, dropped.stderr);
  t.regex(dropped.stderr, /--fail-on-decrease: total regions fell from 100\.00% to/);
});

it(`thresholds come from cov.toml, flags override them, unknown keys fail${skipNote}`, async (t) => {
  const config = path.join(repo, 'cov.toml');
  try {
    writeFileSync(config, 'fail-under-lines = 100\n');
    const fromConfig = await cov('report');
    t.is(fromConfig.exitCode, 3, fromConfig.stderr);
    const overridden = await cov('report', '--fail-under-lines', '50');
    t.is(overridden.exitCode, 0, overridden.stderr);
    writeFileSync(config, 'fail-under-line = 100\n');
    const unknown = await cov('report');
    t.is(unknown.exitCode, 1);
    t.regex(unknown.stderr, new RegExp(`${config}: cov\\.toml: unknown key "fail-under-line"`));
  } finally {
    rmSync(config, { force: true });
  }
});
