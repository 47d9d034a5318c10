/**
 * Real crates: for each crate built by `build-debian-crates.sh` (see the corpus README), `cov
 * report` on its binaries and profraw files must equal the `oracle.lcov` (and, with
 * `COV_CORPUS_JSON=1`, `oracle.json`) that llvm-cov-22 produced from the same inputs.
 *
 * `COV_CORPUS_DIR` picks the corpus (default `/tmp/corpus`); a clone without one skips with the
 * reason in the title. Crates run one at a time so the logged times are comparable.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import type { ReportFormat } from '../helpers/cov-cli.js';
import { checkReportMatches } from '../helpers/report-check.js';
import { skipUnless } from '../helpers/tools.js';

const CORPUS_DIR = process.env['COV_CORPUS_DIR'] ?? '/tmp/corpus';
const WITH_JSON = process.env['COV_CORPUS_JSON'] === '1';
const OUTPUT_DIR = path.join(os.tmpdir(), 'cov-corpus-test');
/** tokio (115 binaries, 3 GB) takes llvm-cov ~10 s; leave room for a slow first version of ours. */
const CRATE_TIMEOUT_MS = 15 * 60_000;

/** One crate folder of the corpus. */
interface CorpusCrate {
  readonly name: string;
  readonly dir: string;
}

/** Crate folders that hold binaries.txt, profraw/ and oracle.lcov, sorted by name. */
function listCrates(corpusDir: string): CorpusCrate[] {
  return readdirSync(corpusDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => ({ name: entry.name, dir: path.join(corpusDir, entry.name) }))
    .filter(
      (crate) =>
        existsSync(path.join(crate.dir, 'binaries.txt')) &&
        existsSync(path.join(crate.dir, 'oracle.lcov')) &&
        statSync(path.join(crate.dir, 'profraw'), { throwIfNoEntry: false })?.isDirectory() ===
          true,
    )
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The objects in binaries.txt order (the order llvm-cov was given). */
function readBinaries(crate: CorpusCrate): string[] {
  return readFileSync(path.join(crate.dir, 'binaries.txt'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/**
 * Seconds llvm-profdata merge + llvm-cov export took for this crate, from `info.txt`
 * (`merge: wall=0:00.02 …`, `export-lcov: wall=…`), for the log; `undefined` if not recorded.
 */
function llvmSeconds(crate: CorpusCrate, format: ReportFormat): number | undefined {
  let info: string;
  try {
    info = readFileSync(path.join(crate.dir, 'info.txt'), 'utf8');
  } catch {
    return undefined;
  }
  const wall = (label: string) => {
    const match = new RegExp(`^${label}: wall=([\\d:.]+)`, 'm').exec(info);
    if (match === null) return undefined;
    return match[1]!.split(':').reduce((total, part) => total * 60 + Number(part), 0);
  };
  const merge = wall('merge');
  const exported = wall(format === 'lcov' ? 'export-lcov' : 'export-json');
  return merge === undefined || exported === undefined ? undefined : merge + exported;
}

const corpusMissing = existsSync(CORPUS_DIR)
  ? undefined
  : `${CORPUS_DIR} does not exist (build it with build-debian-crates.sh, or set COV_CORPUS_DIR)`;
const crates = corpusMissing === undefined ? listCrates(CORPUS_DIR) : [];

const matchesOracle = test.macro({
  async exec(t, crate: CorpusCrate, format: ReportFormat) {
    t.timeout(CRATE_TIMEOUT_MS, `cov report on corpus crate ${crate.name}`);
    const objects = readBinaries(crate);
    const absent = objects.filter((object) => !existsSync(object));
    const stale =
      absent.length === 0
        ? undefined
        : `${absent.length} of ${objects.length} binaries in binaries.txt are gone (e.g. ${absent[0]}); rebuild the corpus`;
    if (!skipUnless(t, stale)) return;
    const outputPath = path.join(OUTPUT_DIR, `${crate.name}.${format}`);
    const { matched, durationMs } = await checkReportMatches(t, {
      objects,
      profilesDir: path.join(crate.dir, 'profraw'),
      format,
      outputPath,
      expectedPath: path.join(crate.dir, format === 'lcov' ? 'oracle.lcov' : 'oracle.json'),
    });
    if (durationMs !== undefined) {
      const llvm = llvmSeconds(crate, format);
      const comparison =
        llvm === undefined
          ? ''
          : `; llvm-profdata merge + llvm-cov export when the corpus was built (info.txt): ${Math.round(llvm * 1000)} ms`;
      t.log(
        `${crate.name}: ${objects.length} objects, cov report --${format}: ${durationMs} ms${comparison}`,
      );
    }
    // Corpus outputs are large: keep ours only when it is needed to debug a mismatch.
    if (matched) await rm(outputPath, { force: true });
  },
  title: (provided, crate: CorpusCrate, format: ReportFormat) =>
    `corpus ${crate.name}: cov report --${format} = oracle.${format === 'lcov' ? 'lcov' : 'json'}${provided ? ` — ${provided}` : ''}`,
});

if (corpusMissing !== undefined) {
  test.skip(`corpus: skipped, ${corpusMissing}`, () => {});
} else if (crates.length === 0) {
  test.skip(`corpus: skipped, no crate in ${CORPUS_DIR} has binaries.txt, profraw/ and oracle.lcov`, () => {});
} else {
  for (const crate of crates) {
    test.serial(matchesOracle, crate, 'lcov');
    if (!WITH_JSON) continue;
    if (existsSync(path.join(crate.dir, 'oracle.json'))) test.serial(matchesOracle, crate, 'json');
    else test.skip(`skipped: no oracle.json`, matchesOracle, crate, 'json');
  }
}
