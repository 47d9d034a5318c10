/**
 * Metric cells of the HTML report: which metrics a report shows (only those the data has; line
 * and function coverage only for the breakpoint engine) and each cell's numbers, taken from the
 * model's summaries (never recounted).
 */
import {
  percent,
  type CoverageMetadata,
  type CoverageSummary,
  type Ratio,
} from '../../model/index.js';

/** The metrics a report can show, in column order (llvm-cov report's order). */
export type MetricKey = 'regions' | 'functions' | 'lines' | 'branches' | 'mcdc';

const LABELS: Record<MetricKey, string> = {
  regions: 'Regions',
  functions: 'Functions',
  lines: 'Lines',
  branches: 'Branches',
  mcdc: 'MC/DC',
};

/** Coverage level of a percentage: low below 50 %, medium below 80 %, high from 80 %. */
export type CoverageLevel = 'low' | 'medium' | 'high' | 'none';

/** Percent thresholds of {@link CoverageLevel}. */
export const LEVEL_MEDIUM_PERCENT = 50;
export const LEVEL_HIGH_PERCENT = 80;

/** One metric of one row (file, directory, function or total). */
export interface MetricCell {
  readonly key: MetricKey;
  readonly label: string;
  /** Whether this row has any of the metric (count > 0); otherwise the cell shows a dash. */
  readonly hasData: boolean;
  readonly covered: number;
  readonly count: number;
  readonly missed: number;
  /** `91.03%` (two decimals, as llvm-cov prints), or `–` without data. */
  readonly percentText: string;
  /** Sort key: the percentage, or -1 without data. */
  readonly sortValue: number;
  readonly level: CoverageLevel;
  /** Bar width in whole percent (0–100), floored so that 99.9 % never draws a full bar. */
  readonly bar: number;
}

/** Metrics shown by a report on `totals` produced by `engine`. */
export function selectMetrics(
  totals: CoverageSummary,
  engine: CoverageMetadata['engine'],
): MetricKey[] {
  const candidates: MetricKey[] =
    engine === 'ptrace'
      ? ['functions', 'lines']
      : ['regions', 'functions', 'lines', 'branches', 'mcdc'];
  return candidates.filter((key) => totals[key].count > 0);
}

/** Level of a percentage. */
export function levelOf(ratio: Ratio): CoverageLevel {
  if (ratio.count === 0) return 'none';
  const value = percent(ratio);
  if (value >= LEVEL_HIGH_PERCENT) return 'high';
  return value >= LEVEL_MEDIUM_PERCENT ? 'medium' : 'low';
}

/** One cell from a ratio. */
export function metricCell(key: MetricKey, ratio: Ratio): MetricCell {
  const hasData = ratio.count > 0;
  const value = percent(ratio);
  return {
    key,
    label: LABELS[key],
    hasData,
    covered: ratio.covered,
    count: ratio.count,
    missed: ratio.count - ratio.covered,
    percentText: hasData ? `${value.toFixed(2)}%` : '–',
    sortValue: hasData ? value : -1,
    level: levelOf(ratio),
    bar: hasData ? Math.floor(value) : 0,
  };
}

/** Cells of `keys` for a summary-like object. */
export function metricCells(
  keys: readonly MetricKey[],
  summary: Readonly<Record<MetricKey, Ratio>>,
): MetricCell[] {
  return keys.map((key) => metricCell(key, summary[key]));
}

/** Column headers for `keys`. */
export function metricHeaders(keys: readonly MetricKey[]): { key: MetricKey; label: string }[] {
  return keys.map((key) => ({ key, label: LABELS[key] }));
}
