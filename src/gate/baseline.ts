/**
 * Baselines (`--save-baseline FILE`, `--baseline FILE`): a JSON summary of an earlier run, the
 * per-metric and per-file deltas against it, and the ratchet (`--fail-on-decrease [--per-file]`).
 *
 * File format, version 1 (written by {@link renderBaseline}, read by {@link parseBaseline}):
 * `{"format": "cov-baseline", "version": 1, "engine": "instrumented",
 *   "totals": {"regions": {"covered": 10, "count": 12}, …},
 *   "files": {"src/lib.rs": {"regions": {…}, …}, …}}` — file names relative to the workspace root
 * (absolute when outside it), so a baseline from another checkout still matches.
 */
import { CovError } from '../binary/index.js';
import { percent, type Ratio } from '../model/index.js';
import {
  metricsOf,
  type CoverageEngine,
  type GateMetric,
  type GateVerdict,
  type SummarizedFiles,
} from './thresholds.js';

/** The `format` field of a baseline file. */
export const BASELINE_FORMAT = 'cov-baseline';
/** The version this reader and writer understand. */
export const BASELINE_VERSION = 1;

/** Ratios per metric; a metric the engine does not measure is absent. */
export type MetricRatios = Partial<Record<GateMetric, Ratio>>;

/** A parsed baseline. */
export interface Baseline {
  readonly engine: CoverageEngine;
  readonly totals: MetricRatios;
  /** Relative file name → ratios. */
  readonly files: ReadonlyMap<string, MetricRatios>;
}

/** Change of one metric between the baseline and now. */
export interface MetricDelta {
  readonly metric: GateMetric;
  readonly before: Ratio;
  readonly after: Ratio;
  /** After percent − before percent (percentage points). */
  readonly deltaPercent: number;
  /** The covered share dropped (exact comparison; only when both counts are non-zero). */
  readonly decreased: boolean;
}

/** Deltas of one file present in both runs. */
export interface FileDelta {
  /** Relative name (as in the baseline). */
  readonly name: string;
  /** The current report's filename. */
  readonly filename: string;
  readonly metrics: readonly MetricDelta[];
}

/** A run compared with a baseline. */
export interface BaselineComparison {
  readonly totals: readonly MetricDelta[];
  /** Files present in both, in the current report's order. */
  readonly files: readonly FileDelta[];
}

function ratiosOf(
  summary: SummarizedFiles['totals'],
  metrics: readonly GateMetric[],
): MetricRatios {
  const out: MetricRatios = {};
  for (const metric of metrics) {
    out[metric] = { covered: summary[metric].covered, count: summary[metric].count };
  }
  return out;
}

/**
 * Renders the baseline of a report as JSON text (ends with a newline).
 * @param nameOf maps a report filename to the name stored (relative to the workspace root)
 */
export function renderBaseline(
  report: SummarizedFiles,
  engine: CoverageEngine,
  nameOf: (filename: string) => string,
): string {
  const metrics = metricsOf(engine);
  const files: Record<string, MetricRatios> = {};
  for (const file of report.files) files[nameOf(file.filename)] = ratiosOf(file.summary, metrics);
  const body = {
    format: BASELINE_FORMAT,
    version: BASELINE_VERSION,
    engine,
    totals: ratiosOf(report.totals, metrics),
    files,
  };
  return JSON.stringify(body, null, 2) + '\n';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readRatios(value: unknown, where: string, source: string): MetricRatios {
  if (!isRecord(value))
    throw new CovError('E_MALFORMED', `${where}: expected an object`, { source });
  const out: MetricRatios = {};
  for (const [key, ratio] of Object.entries(value)) {
    if (!['regions', 'lines', 'functions', 'branches'].includes(key)) {
      throw new CovError('E_MALFORMED', `${where}: unknown metric "${key}"`, { source });
    }
    const covered = isRecord(ratio) ? ratio['covered'] : undefined;
    const count = isRecord(ratio) ? ratio['count'] : undefined;
    if (
      !Number.isSafeInteger(covered) ||
      !Number.isSafeInteger(count) ||
      (covered as number) < 0 ||
      (covered as number) > (count as number)
    ) {
      throw new CovError(
        'E_MALFORMED',
        `${where}.${key}: expected {"covered": n, "count": m} with 0 ≤ n ≤ m`,
        { source },
      );
    }
    out[key as GateMetric] = { covered: covered as number, count: count as number };
  }
  return out;
}

/**
 * Parses a baseline file.
 * @param source the file's path, for messages
 * @throws CovError `E_MALFORMED` for invalid JSON or fields (naming the field),
 *   `E_UNSUPPORTED_VERSION` for another format version
 */
export function parseBaseline(text: string, source: string): Baseline {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new CovError('E_MALFORMED', `not JSON: ${(cause as Error).message}`, { source, cause });
  }
  if (!isRecord(json) || json['format'] !== BASELINE_FORMAT) {
    throw new CovError(
      'E_MALFORMED',
      `not a cov baseline (expected "format": "${BASELINE_FORMAT}"; write one with --save-baseline)`,
      { source },
    );
  }
  if (json['version'] !== BASELINE_VERSION) {
    throw new CovError(
      'E_UNSUPPORTED_VERSION',
      `baseline version ${JSON.stringify(json['version'])}; this cov reads version ${BASELINE_VERSION}`,
      { source },
    );
  }
  const engine = json['engine'];
  if (engine !== 'instrumented' && engine !== 'ptrace') {
    throw new CovError('E_MALFORMED', `engine: expected "instrumented" or "ptrace"`, { source });
  }
  const totals = readRatios(json['totals'], 'totals', source);
  const filesJson = json['files'];
  if (!isRecord(filesJson)) {
    throw new CovError('E_MALFORMED', 'files: expected an object', { source });
  }
  const files = new Map<string, MetricRatios>();
  for (const [name, ratios] of Object.entries(filesJson)) {
    files.set(name, readRatios(ratios, `files["${name}"]`, source));
  }
  return { engine, totals, files };
}

function deltaOf(metric: GateMetric, before: Ratio, after: Ratio): MetricDelta {
  return {
    metric,
    before,
    after,
    deltaPercent: percent(after) - percent(before),
    // exact: after.covered/after.count < before.covered/before.count
    decreased:
      before.count > 0 &&
      after.count > 0 &&
      after.covered * before.count < before.covered * after.count,
  };
}

function deltasOf(
  before: MetricRatios,
  after: SummarizedFiles['totals'],
  metrics: readonly GateMetric[],
): MetricDelta[] {
  const out: MetricDelta[] = [];
  for (const metric of metrics) {
    const old = before[metric];
    // a metric nothing measured in either run (branches on stable Rust) has no delta
    if (old === undefined || (old.count === 0 && after[metric].count === 0)) continue;
    out.push(deltaOf(metric, old, after[metric]));
  }
  return out;
}

/**
 * Compares a report with a baseline: every metric both engines measure, in totals and in each file
 * present in both (matched by relative name). A file only in one of them has no delta.
 */
export function compareWithBaseline(
  baseline: Baseline,
  report: SummarizedFiles,
  engine: CoverageEngine,
  nameOf: (filename: string) => string,
): BaselineComparison {
  const current = metricsOf(engine);
  const metrics = metricsOf(baseline.engine).filter((m) => current.includes(m));
  const files: FileDelta[] = [];
  for (const file of report.files) {
    const name = nameOf(file.filename);
    const before = baseline.files.get(name);
    if (before === undefined) continue;
    files.push({ name, filename: file.filename, metrics: deltasOf(before, file.summary, metrics) });
  }
  return { totals: deltasOf(baseline.totals, report.totals, metrics), files };
}

/**
 * The ratchet: one verdict per compared metric, failing when the total's covered share dropped
 * or, with `perFile`, when any file's did (those files are the verdict's `worstFiles`, largest drop
 * first). `threshold` is the baseline percent.
 */
export function evaluateDecrease(comparison: BaselineComparison, perFile: boolean): GateVerdict[] {
  return comparison.totals.map((total) => {
    const dropped: { filename: string; ratio: Ratio; before: Ratio; delta: number }[] = [];
    if (perFile) {
      for (const file of comparison.files) {
        const delta = file.metrics.find((m) => m.metric === total.metric);
        if (delta?.decreased === true) {
          dropped.push({
            filename: file.filename,
            ratio: delta.after,
            before: delta.before,
            delta: delta.deltaPercent,
          });
        }
      }
      dropped.sort((a, b) => a.delta - b.delta);
    }
    return {
      gate: 'fail-on-decrease',
      metric: total.metric,
      scope: perFile ? 'file-decrease' : 'decrease',
      threshold: percent(total.before),
      measured: total.after,
      passed: !total.decreased && dropped.length === 0,
      noData: total.after.count === 0,
      worstFiles: dropped.map(({ filename, ratio, before }) => ({ filename, ratio, before })),
    };
  });
}
