/**
 * CI flags of `cov test`, `cov run` and `cov report`: gates (thresholds, patch coverage, the
 * baseline ratchet), the CI formats (Cobertura, Codecov, Markdown, GitHub annotations) and the
 * configuration file they may come from. {@link prepareGate} validates everything and reads the
 * diff, config and baseline before any build; {@link GatePlan.outputs} renders the CI formats with
 * the other reports; {@link GatePlan.finish} prints the verdicts after the reports are written.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { CovError } from '../binary/index.js';
import {
  THRESHOLD_GATES,
  THRESHOLD_GATE_NAMES,
  checkThresholds,
  compareWithBaseline,
  evaluateDecrease,
  evaluateThresholds,
  explainVerdict,
  describeVerdict,
  formatLineRanges,
  formatRatio,
  parseBaseline,
  parseCargoManifestConfig,
  parseCovToml,
  parseUnifiedDiff,
  renderBaseline,
  computePatchCoverage,
  type Baseline,
  type BaselineComparison,
  type DiffFile,
  type GateConfig,
  type GateVerdict,
  type PatchCoverage,
  type Thresholds,
} from '../gate/index.js';
import type { CoverageSet } from '../model/index.js';
import {
  formatDelta,
  relativeToRoot,
  renderCobertura,
  renderCodecov,
  renderGithubAnnotations,
  renderMarkdown,
  type ReportFiles,
} from '../report/index.js';
import { colors, printError } from './console.js';
import { findRepositoryRoot, readGitDiff } from './git-diff.js';
import { writeFileAtomic } from './output.js';

/** Parsed gate and CI-format flags (names as on the command line). */
export type GateFlags = Thresholds & {
  'diff-base'?: string;
  'diff-file'?: string;
  baseline?: string;
  'save-baseline'?: string;
  'fail-on-decrease'?: boolean;
  'per-file'?: boolean;
  cobertura?: string;
  codecov?: string;
  markdown?: string;
  annotations?: string;
  'output-path'?: string;
};

const GROUP = 'Gates (exit code 3 when one fails):';
const FORMATS = 'CI formats:';

/** Adds the gate and CI-format flags to a yargs command. */
export function withGateFlags<T>(yargs: Argv<T>): Argv<T & GateFlags> {
  let y = yargs;
  for (const gate of THRESHOLD_GATE_NAMES) {
    const { scope, metric } = THRESHOLD_GATES[gate];
    const describe =
      scope === 'uncovered'
        ? `Fail when more than N ${metric} are uncovered`
        : scope === 'file'
          ? `Fail when any file's ${metric} coverage is below N percent`
          : scope === 'patch'
            ? `Fail when the changed lines' ${metric} coverage is below N percent`
            : `Fail when total ${metric} coverage is below N percent`;
    y = y.option(gate, { type: 'number', describe, group: GROUP, requiresArg: true }) as Argv<T>;
  }
  return y
    .option('diff-base', {
      type: 'string',
      describe:
        'Patch coverage of the changes since the merge base of REF and HEAD (git diff, renames followed; working tree included)',
      group: GROUP,
      requiresArg: true,
    })
    .option('diff-file', {
      type: 'string',
      describe: 'Patch coverage of a unified diff file (paths relative to the repository root)',
      group: GROUP,
      requiresArg: true,
    })
    .option('baseline', {
      type: 'string',
      describe: 'Compare with a baseline written by --save-baseline: deltas per metric and file',
      group: GROUP,
      requiresArg: true,
    })
    .option('save-baseline', {
      type: 'string',
      describe: 'Write this run’s summary as a baseline JSON file',
      group: GROUP,
      requiresArg: true,
    })
    .option('fail-on-decrease', {
      type: 'boolean',
      describe: 'Fail when a total coverage metric dropped below the --baseline',
      group: GROUP,
    })
    .option('per-file', {
      type: 'boolean',
      describe: 'With --fail-on-decrease: also fail when any file’s coverage dropped',
      group: GROUP,
    })
    .option('cobertura', {
      type: 'string',
      describe: 'Cobertura XML (coverage-04 DTD); optional PATH',
      group: FORMATS,
    })
    .option('codecov', {
      type: 'string',
      describe: 'Codecov JSON with partial lines from regions; optional PATH',
      group: FORMATS,
    })
    .option('markdown', {
      type: 'string',
      describe: 'Markdown summary (for $GITHUB_STEP_SUMMARY); optional PATH',
      group: FORMATS,
    })
    .option('annotations', {
      type: 'string',
      choices: ['github'],
      describe: 'Print ::warning commands for uncovered changed lines on stdout (needs a diff)',
      group: FORMATS,
    }) as Argv<T & GateFlags>;
}

/** Whether one of the CI formats writes to stdout (so test output must go to stderr). */
export function gateOutputsUseStdout(flags: GateFlags): boolean {
  if (flags.annotations !== undefined) return true;
  return [flags.cobertura, flags.codecov, flags.markdown].some(
    (value) => value === '-' || (value === '' && flags['output-path'] === undefined),
  );
}

/** A config file found for a workspace, and where. */
export interface FoundConfig {
  readonly config: GateConfig;
  /** File and table, for messages (`/ws/Cargo.toml [workspace.metadata.cov]`). */
  readonly where: string;
  readonly directory: string;
}

/**
 * Finds the gate configuration of the workspace at `root`: `cov.toml`, or the
 * `[workspace.metadata.cov]` / `[package.metadata.cov]` table of `Cargo.toml`.
 * @throws CovError `E_USAGE` when more than one of them holds settings, or for an unknown key;
 *   `E_MALFORMED` for invalid TOML; `E_IO` for an unreadable file
 */
export function loadGateConfig(root: string): FoundConfig | undefined {
  const found: FoundConfig[] = [];
  const read = (path: string): string | undefined => {
    if (!existsSync(path)) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch (cause) {
      throw new CovError('E_IO', `cannot read ${path}: ${(cause as Error).message}`, { cause });
    }
  };
  const covToml = join(root, 'cov.toml');
  const covText = read(covToml);
  if (covText !== undefined) {
    found.push({ config: parseCovToml(covText, covToml), where: covToml, directory: root });
  }
  const manifest = join(root, 'Cargo.toml');
  const manifestText = read(manifest);
  if (manifestText !== undefined) {
    const tables = parseCargoManifestConfig(manifestText, manifest);
    for (const section of ['workspace', 'package'] as const) {
      const config = tables[section];
      if (config !== undefined) {
        found.push({ config, where: `${manifest} [${section}.metadata.cov]`, directory: root });
      }
    }
  }
  if (found.length > 1) {
    throw new CovError(
      'E_USAGE',
      `cov settings in ${found.map((f) => f.where).join(' and ')}: keep them in one place`,
    );
  }
  return found[0];
}

interface Settings {
  readonly thresholds: Thresholds;
  readonly diffBase: string | undefined;
  readonly diffFile: string | undefined;
  readonly baseline: string | undefined;
  readonly failOnDecrease: boolean;
  readonly perFile: boolean;
}

function mergeSettings(flags: GateFlags, found: FoundConfig | undefined): Settings {
  const config = found?.config;
  const thresholds: Thresholds = { ...config?.thresholds };
  for (const gate of THRESHOLD_GATE_NAMES) {
    const value = flags[gate];
    if (value !== undefined) thresholds[gate] = value;
  }
  const diffFile = flags['diff-file'];
  // a --diff-file on the command line replaces a diff-base from the config
  const diffBase =
    flags['diff-base'] ?? (diffFile === undefined ? config?.['diff-base'] : undefined);
  const configBaseline =
    config?.baseline === undefined ? undefined : resolve(found!.directory, config.baseline);
  return {
    thresholds,
    diffBase,
    diffFile,
    baseline: flags.baseline ?? configBaseline,
    failOnDecrease: flags['fail-on-decrease'] ?? config?.['fail-on-decrease'] ?? false,
    perFile: flags['per-file'] ?? config?.['per-file'] ?? false,
  };
}

/** Where things are. */
export interface GateContext {
  /** Workspace root (or the current directory for `cov report` without cargo). */
  readonly root: string;
  readonly quiet: boolean;
  readonly version: string;
}

/** The validated gate work of one run. */
export interface GatePlan {
  /**
   * Evaluates the gates and returns the CI-format outputs to write with the other reports and the
   * text (GitHub annotations) to print on stdout after them.
   * @throws CovError `E_USAGE` when a gate needs a metric this set's engine does not measure
   */
  outputs(set: CoverageSet, report: ReportFiles): GateOutputs;
  /**
   * After the reports are written: prints patch coverage, deltas and verdicts on stderr and writes
   * `--save-baseline`.
   * @returns whether every gate passed
   */
  finish(): boolean;
}

/** Outputs the CI formats add to a run. */
export interface GateOutputs {
  readonly requests: readonly { path: string | undefined; render: () => string }[];
  /** Printed on stdout after the reports (GitHub annotations); `undefined` when not requested. */
  readonly stdoutTrailer: string | undefined;
}

function readDiffFile(path: string): DiffFile[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new CovError('E_IO', `--diff-file: cannot read ${path}: ${(cause as Error).message}`, {
      cause,
    });
  }
  return parseUnifiedDiff(text, path);
}

function readBaselineFile(path: string): Baseline {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new CovError('E_IO', `--baseline: cannot read ${path}: ${(cause as Error).message}`, {
      cause,
    });
  }
  return parseBaseline(text, path);
}

/**
 * Reads the config, checks the flags, takes the diff and reads the baseline — everything that can
 * fail for a usage reason, before any build or test run.
 * @throws CovError `E_USAGE` for conflicting or incomplete flags, and the errors of the config,
 *   diff and baseline readers
 */
export async function prepareGate(flags: GateFlags, context: GateContext): Promise<GatePlan> {
  const found = loadGateConfig(context.root);
  const settings = mergeSettings(flags, found);
  if (flags['diff-base'] !== undefined && flags['diff-file'] !== undefined) {
    throw new CovError('E_USAGE', '--diff-base and --diff-file both give a diff: pass one');
  }
  const hasDiff = settings.diffBase !== undefined || settings.diffFile !== undefined;
  checkThresholds(settings.thresholds, { hasDiff });
  if (settings.failOnDecrease && settings.baseline === undefined) {
    throw new CovError('E_USAGE', '--fail-on-decrease needs --baseline FILE');
  }
  if (settings.perFile && !settings.failOnDecrease) {
    throw new CovError('E_USAGE', '--per-file needs --fail-on-decrease');
  }
  if (flags.annotations !== undefined && !hasDiff) {
    throw new CovError(
      'E_USAGE',
      '--annotations needs a diff: pass --diff-base REF or --diff-file FILE',
    );
  }

  let diff: DiffFile[] | undefined;
  let diffRoot = context.root;
  let diffLabel = '';
  let repositoryRoot: string | undefined;
  if (settings.diffBase !== undefined) {
    const taken = await readGitDiff(context.root, settings.diffBase);
    diff = parseUnifiedDiff(taken.text, `git diff ${taken.baseCommit}`);
    diffRoot = repositoryRoot = taken.repositoryRoot;
    diffLabel = `since \`${settings.diffBase}\`, merge base ${taken.baseCommit.slice(0, 12)}`;
  } else if (settings.diffFile !== undefined) {
    diff = readDiffFile(settings.diffFile);
    repositoryRoot = await findRepositoryRoot(context.root);
    diffRoot = repositoryRoot ?? context.root;
    diffLabel = `of \`${settings.diffFile}\``;
  } else if (flags.codecov !== undefined) {
    repositoryRoot = await findRepositoryRoot(context.root);
  }
  const baseline =
    settings.baseline === undefined ? undefined : readBaselineFile(settings.baseline);

  const nameOf = (filename: string): string => relativeToRoot(context.root, filename);
  const repoNameOf = (filename: string): string =>
    relativeToRoot(repositoryRoot ?? context.root, filename);
  const target = (value: string): string | undefined =>
    value === '' ? flags['output-path'] : value;

  let state:
    | {
        set: CoverageSet;
        report: ReportFiles;
        patch: PatchCoverage | undefined;
        comparison: BaselineComparison | undefined;
        verdicts: GateVerdict[];
      }
    | undefined;

  return {
    outputs(set, report) {
      const engine = set.metadata.engine;
      const lineOnly = engine === 'ptrace';
      checkThresholds(settings.thresholds, { engine, hasDiff });
      let patch: PatchCoverage | undefined;
      if (diff !== undefined) {
        const byPath = new Map(report.files.map((f) => [posix.normalize(f.filename), f.filename]));
        patch = computePatchCoverage(set, diff, {
          resolveFile: (path) => byPath.get(posix.normalize(posix.join(diffRoot, path))),
          regions: !lineOnly,
        });
      }
      const comparison =
        baseline === undefined ? undefined : compareWithBaseline(baseline, report, engine, nameOf);
      const verdicts = evaluateThresholds(report, settings.thresholds, patch);
      if (settings.failOnDecrease && comparison !== undefined) {
        verdicts.push(...evaluateDecrease(comparison, settings.perFile));
      }
      state = { set, report, patch, comparison, verdicts };
      const requests: { path: string | undefined; render: () => string }[] = [];
      if (flags.cobertura !== undefined) {
        requests.push({
          path: target(flags.cobertura),
          render: () =>
            renderCobertura(set, report, {
              sourceRoot: context.root,
              timestamp: Math.floor(Date.now() / 1000),
              version: `cov ${context.version}`,
              lineOnly,
            }),
        });
      }
      if (flags.codecov !== undefined) {
        requests.push({
          path: target(flags.codecov),
          render: () => renderCodecov(set, report, { nameOf: repoNameOf, lineOnly }),
        });
      }
      if (flags.markdown !== undefined) {
        requests.push({
          path: target(flags.markdown),
          render: () =>
            renderMarkdown(report, {
              nameOf,
              lineOnly,
              ...(patch === undefined ? {} : { patch: { ...patch, label: diffLabel } }),
              ...(comparison === undefined ? {} : { baseline: comparison }),
              gates: verdicts.map((v) => ({ passed: v.passed, text: describeVerdict(v) })),
            }),
        });
      }
      const stdoutTrailer =
        flags.annotations === 'github' && patch !== undefined
          ? renderGithubAnnotations(patch.files)
          : undefined;
      return { requests, stdoutTrailer };
    },

    finish() {
      if (state === undefined) return true;
      const { report, patch, comparison, verdicts } = state;
      const info = (line: string): void => {
        if (!context.quiet) process.stderr.write(`${line}\n`);
      };
      if (patch !== undefined) {
        const regions =
          patch.regions === undefined ? '' : `, regions ${formatRatio(patch.regions)}`;
        info(
          `patch coverage ${diffLabel.replaceAll('`', '')}: lines ${formatRatio(patch.lines)}${regions}`,
        );
        const uncovered = patch.files.filter((f) => f.uncoveredLines.length > 0);
        if (uncovered.length > 0) {
          info('uncovered changed lines:');
          for (const f of uncovered) info(`  ${f.path}: ${formatLineRanges(f.uncoveredRanges)}`);
        }
        const sources = patch.unmatchedPaths.filter((p) => p.endsWith('.rs'));
        if (sources.length > 0) {
          info(
            `note: changed Rust files with no coverage data (not built, or filtered out): ${sources.join(', ')}`,
          );
        }
      }
      if (comparison !== undefined) {
        const totals = comparison.totals
          .map((d) => `${d.metric} ${formatRatio(d.after)} (${formatDelta(d.deltaPercent)})`)
          .join(', ');
        info(`against the baseline: ${totals}`);
        for (const file of comparison.files) {
          const moved = file.metrics.filter(
            (d) => d.before.covered !== d.after.covered || d.before.count !== d.after.count,
          );
          if (moved.length === 0) continue;
          info(
            `  ${file.name}: ${moved.map((d) => `${d.metric} ${formatRatio(d.before)} → ${formatRatio(d.after)}`).join(', ')}`,
          );
        }
      }
      const save = flags['save-baseline'];
      if (save !== undefined) {
        writeFileAtomic(save, renderBaseline(report, state.set.metadata.engine, nameOf));
        info(`baseline written to ${save}`);
      }
      let passed = true;
      for (const verdict of verdicts) {
        const lines = explainVerdict(verdict, nameOf);
        if (verdict.passed) {
          info(`${colors.green('gate ok')}: ${lines[0]}`);
          if (verdict.noData) {
            info(`note: --${verdict.gate}: nothing to measure, so the gate passes`);
          }
          continue;
        }
        passed = false;
        printError(`coverage gate failed: ${lines[0]}`);
        for (const line of lines.slice(1)) process.stderr.write(`${line}\n`);
      }
      return passed;
    },
  };
}
