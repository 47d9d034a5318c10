/**
 * Plain-text explanations of gate verdicts, as the CLI prints them on stderr: which gate, the
 * threshold, the measured value, the worst files.
 */
import { percent, type Ratio } from '../model/index.js';
import type { GateVerdict } from './thresholds.js';

/** `83.33% (10/12)`; `-` when nothing was measured. */
export function formatRatio(ratio: Ratio): string {
  return ratio.count === 0
    ? `- (0/0)`
    : `${percent(ratio).toFixed(2)}% (${ratio.covered}/${ratio.count})`;
}

/**
 * The percent with two decimals, or more when two would hide which side of the threshold it is on
 * (92.3077 against 92.31 shows as 92.308, not as 92.31).
 */
function formatAgainst(ratio: Ratio, threshold: number): string {
  if (ratio.count === 0) return formatRatio(ratio);
  const value = percent(ratio);
  let digits = 2;
  while (digits < 8 && value < threshold !== Number(value.toFixed(digits)) < threshold) digits++;
  return `${value.toFixed(digits)}% (${ratio.covered}/${ratio.count})`;
}

function formatThreshold(value: number): string {
  return String(value);
}

/** Singular noun of a metric (`region`), for caps. */
function noun(metric: GateVerdict['metric']): string {
  return metric.slice(0, -1).replace(/che$/, 'ch');
}

/** The one-line headline of a verdict (`--fail-under-regions 90: regions 83.33% (10/12) is below 90%`). */
export function describeVerdict(verdict: GateVerdict): string {
  const m = verdict.measured;
  const flag =
    verdict.gate === 'fail-on-decrease'
      ? '--fail-on-decrease'
      : `--${verdict.gate} ${formatThreshold(verdict.threshold)}`;
  switch (verdict.scope) {
    case 'total':
    case 'patch': {
      const what = verdict.scope === 'patch' ? `patch ${verdict.metric}` : verdict.metric;
      if (verdict.noData) return `${flag}: no ${what} measured`;
      const relation = verdict.passed ? 'reaches' : 'is below';
      return `${flag}: ${what} ${formatAgainst(m, verdict.threshold)} ${relation} ${formatThreshold(verdict.threshold)}%`;
    }
    case 'file':
      return verdict.passed
        ? `${flag}: every file reaches ${formatThreshold(verdict.threshold)}% ${verdict.metric}`
        : `${flag}: ${verdict.worstFiles.length} file(s) below ${formatThreshold(verdict.threshold)}% ${verdict.metric}`;
    case 'uncovered': {
      const missed = m.count - m.covered;
      const relation = verdict.passed ? 'within' : 'exceed';
      return `${flag}: ${missed} uncovered ${noun(verdict.metric)}${missed === 1 ? '' : 's'} ${relation} the cap of ${formatThreshold(verdict.threshold)}`;
    }
    case 'decrease':
    case 'file-decrease': {
      const before = `${verdict.threshold.toFixed(2)}%`;
      const now = formatRatio(m);
      if (verdict.passed) return `${flag}: ${verdict.metric} ${now}, baseline ${before}`;
      const files = verdict.worstFiles.length;
      const totalDropped = verdict.scope === 'decrease' || percent(m) < verdict.threshold;
      const parts = [];
      if (totalDropped && m.count > 0 && percent(m) < verdict.threshold)
        parts.push(`total ${verdict.metric} fell from ${before} to ${now}`);
      if (files > 0) parts.push(`${files} file(s) lost ${verdict.metric} coverage`);
      return `${flag}: ${parts.join('; ')}`;
    }
  }
}

/**
 * The verdict's headline plus, when it failed, its worst files (at most `limit`), one per line,
 * indented: `  src/lib.rs  75.00% (3/4)`.
 * @param nameOf display name of a filename (relative to the workspace root)
 */
export function explainVerdict(
  verdict: GateVerdict,
  nameOf: (filename: string) => string,
  limit = 10,
): string[] {
  const out = [describeVerdict(verdict)];
  if (verdict.passed || verdict.worstFiles.length === 0) return out;
  out.push(`  worst files (${verdict.metric}):`);
  const shown = verdict.worstFiles.slice(0, limit);
  const width = Math.max(...shown.map((f) => nameOf(f.filename).length));
  for (const file of shown) {
    const name = nameOf(file.filename).padEnd(width);
    const was = file.before === undefined ? '' : `, was ${formatRatio(file.before)}`;
    const missed = file.ratio.count - file.ratio.covered;
    out.push(`    ${name}  ${formatRatio(file.ratio)}, ${missed} uncovered${was}`);
  }
  if (verdict.worstFiles.length > limit) {
    out.push(`    … and ${verdict.worstFiles.length - limit} more`);
  }
  return out;
}
