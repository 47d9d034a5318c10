/**
 * Threshold gates on a report's totals, on every file, as absolute caps, and on patch coverage:
 * pure functions from summaries to verdicts (ARCHITECTURE.md: exit code 3 when one fails).
 */
import { CovError } from '../binary/index.js';
import { percent, type CoverageSummary, type Ratio } from '../model/index.js';
import type { PatchCoverage } from './patch-coverage.js';

/** A summary metric a gate can look at. */
export type GateMetric = 'regions' | 'lines' | 'functions' | 'branches';

/** What a threshold gate compares. */
export type ThresholdScope = 'total' | 'file' | 'uncovered' | 'patch';

/** Every threshold gate, by its flag (and config key) name. */
export const THRESHOLD_GATES = {
  'fail-under-regions': { scope: 'total', metric: 'regions' },
  'fail-under-lines': { scope: 'total', metric: 'lines' },
  'fail-under-functions': { scope: 'total', metric: 'functions' },
  'fail-under-branches': { scope: 'total', metric: 'branches' },
  'fail-under-file-regions': { scope: 'file', metric: 'regions' },
  'fail-under-file-lines': { scope: 'file', metric: 'lines' },
  'fail-uncovered-regions': { scope: 'uncovered', metric: 'regions' },
  'fail-uncovered-lines': { scope: 'uncovered', metric: 'lines' },
  'fail-uncovered-functions': { scope: 'uncovered', metric: 'functions' },
  'fail-under-patch-regions': { scope: 'patch', metric: 'regions' },
  'fail-under-patch-lines': { scope: 'patch', metric: 'lines' },
} as const satisfies Record<string, { scope: ThresholdScope; metric: GateMetric }>;

/** Name of a threshold gate (`fail-under-regions`, …). */
export type ThresholdGate = keyof typeof THRESHOLD_GATES;

/** The gate names in a stable order (flags, config keys, verdict order). */
export const THRESHOLD_GATE_NAMES = Object.keys(THRESHOLD_GATES) as ThresholdGate[];

/**
 * Thresholds by gate name: a percent (0–100) for `fail-under-*`, a count of uncovered items for
 * `fail-uncovered-*`.
 */
export type Thresholds = Partial<Record<ThresholdGate, number>>;

/** The engine that produced a set; decides which metrics exist. */
export type CoverageEngine = 'instrumented' | 'ptrace';

/** Metrics an engine measures: the breakpoint engine sees lines and functions, not regions. */
export function metricsOf(engine: CoverageEngine): readonly GateMetric[] {
  return engine === 'ptrace'
    ? ['lines', 'functions']
    : ['regions', 'lines', 'functions', 'branches'];
}

/** A file and its ratio for the metric a verdict is about. */
export interface FileRatio {
  /** Filename as the verdict's input names it. */
  readonly filename: string;
  readonly ratio: Ratio;
  /** The baseline's ratio (decrease verdicts only). */
  readonly before?: Ratio;
}

/** The result of one gate. */
export interface GateVerdict {
  /** Gate (flag) name: a threshold gate or `fail-on-decrease`. */
  readonly gate: ThresholdGate | 'fail-on-decrease';
  readonly metric: GateMetric;
  readonly scope: ThresholdScope | 'decrease' | 'file-decrease';
  /** Percent (0–100) for `fail-under-*`, the cap for `fail-uncovered-*`, the baseline percent for decreases. */
  readonly threshold: number;
  /** Measured total (for file gates, the total over all files; the failing files are in `worstFiles`). */
  readonly measured: Ratio;
  readonly passed: boolean;
  /** Nothing of this metric was measured (no branches, no coverable changed line): passes. */
  readonly noData: boolean;
  /** Worst files first: lowest percent (or most uncovered for caps); for file gates, the failing ones. */
  readonly worstFiles: readonly FileRatio[];
}

/** Files and totals with their summaries (the shape `prepareReportFiles` returns). */
export interface SummarizedFiles {
  readonly files: readonly { readonly filename: string; readonly summary: CoverageSummary }[];
  readonly totals: CoverageSummary;
}

/** How many worst files a total or patch verdict lists. */
export const WORST_FILE_COUNT = 5;

/** Whether `ratio` reaches `thresholdPercent` (compared without rounding the percent). */
export function meetsPercent(ratio: Ratio, thresholdPercent: number): boolean {
  return ratio.covered * 100 >= thresholdPercent * ratio.count;
}

function uncovered(ratio: Ratio): number {
  return ratio.count - ratio.covered;
}

/** Files ordered worst first: lowest percent, then most uncovered, then by name. */
function byPercent(a: FileRatio, b: FileRatio): number {
  return (
    percent(a.ratio) - percent(b.ratio) ||
    uncovered(b.ratio) - uncovered(a.ratio) ||
    (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0)
  );
}

function byUncovered(a: FileRatio, b: FileRatio): number {
  return uncovered(b.ratio) - uncovered(a.ratio) || byPercent(a, b);
}

/**
 * Checks that the gates can be evaluated: thresholds are finite and in range, the engine measures
 * their metric, and patch gates have a diff.
 * @throws CovError `E_USAGE` naming the flag (`--fail-under-regions needs instrumented coverage …`)
 */
export function checkThresholds(
  thresholds: Thresholds,
  context: { readonly engine?: CoverageEngine; readonly hasDiff: boolean },
): void {
  for (const gate of THRESHOLD_GATE_NAMES) {
    const value = thresholds[gate];
    if (value === undefined) continue;
    const { scope, metric } = THRESHOLD_GATES[gate];
    if (!Number.isFinite(value) || value < 0 || (scope !== 'uncovered' && value > 100)) {
      throw new CovError(
        'E_USAGE',
        `--${gate} ${value}: expected ${scope === 'uncovered' ? 'a count ≥ 0' : 'a percent between 0 and 100'}`,
      );
    }
    if (scope === 'uncovered' && !Number.isInteger(value)) {
      throw new CovError('E_USAGE', `--${gate} ${value}: expected a whole number of ${metric}`);
    }
    if (context.engine !== undefined && !metricsOf(context.engine).includes(metric)) {
      throw new CovError(
        'E_USAGE',
        `--${gate} needs instrumented coverage: the ${context.engine} engine measures ${metricsOf(context.engine).join(' and ')} only`,
      );
    }
    if (scope === 'patch' && !context.hasDiff) {
      throw new CovError(
        'E_USAGE',
        `--${gate} needs a diff: pass --diff-base REF or --diff-file FILE`,
      );
    }
  }
}

/**
 * Evaluates every threshold gate that has a value, in {@link THRESHOLD_GATE_NAMES} order.
 *
 * `fail-under-*` fails when covered ÷ count × 100 is below the threshold; a metric with nothing to
 * measure (count 0) passes with `noData`. `fail-under-file-*` applies that to each file with
 * something to measure. `fail-uncovered-*` fails when count − covered exceeds the cap.
 *
 * @throws CovError `E_USAGE` from {@link checkThresholds}
 */
export function evaluateThresholds(
  report: SummarizedFiles,
  thresholds: Thresholds,
  patch?: PatchCoverage,
): GateVerdict[] {
  checkThresholds(thresholds, { hasDiff: patch !== undefined });
  const verdicts: GateVerdict[] = [];
  for (const gate of THRESHOLD_GATE_NAMES) {
    const threshold = thresholds[gate];
    if (threshold === undefined) continue;
    const { scope, metric } = THRESHOLD_GATES[gate];
    const fileRatios: FileRatio[] =
      scope === 'patch'
        ? patch!.files.map((f) => ({
            filename: f.filename,
            ratio: (metric === 'regions' ? f.regions : f.lines) ?? { count: 0, covered: 0 },
          }))
        : report.files.map((f) => ({ filename: f.filename, ratio: f.summary[metric] }));
    const measured =
      scope === 'patch'
        ? ((metric === 'regions' ? patch!.regions : patch!.lines) ?? { count: 0, covered: 0 })
        : report.totals[metric];
    const withData = fileRatios.filter((f) => f.ratio.count > 0);
    let passed: boolean;
    let worstFiles: FileRatio[];
    switch (scope) {
      case 'total':
      case 'patch':
        passed = meetsPercent(measured, threshold);
        worstFiles = withData
          .filter((f) => f.ratio.covered < f.ratio.count)
          .sort(byPercent)
          .slice(0, WORST_FILE_COUNT);
        break;
      case 'file':
        worstFiles = withData.filter((f) => !meetsPercent(f.ratio, threshold)).sort(byPercent);
        passed = worstFiles.length === 0;
        break;
      case 'uncovered':
        passed = uncovered(measured) <= threshold;
        worstFiles = withData
          .filter((f) => f.ratio.covered < f.ratio.count)
          .sort(byUncovered)
          .slice(0, WORST_FILE_COUNT);
        break;
    }
    verdicts.push({
      gate,
      metric,
      scope,
      threshold,
      measured,
      passed,
      noData: measured.count === 0,
      worstFiles,
    });
  }
  return verdicts;
}
