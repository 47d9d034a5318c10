/**
 * A Markdown summary for `$GITHUB_STEP_SUMMARY` or a pull-request comment: totals (with deltas
 * against a baseline), patch coverage with every uncovered changed line, the files with the lowest
 * coverage, per-file changes against the baseline, and the gate results. Every number comes from
 * the report's summaries and the gate's results; nothing is recounted here.
 */
import { percent, type CoverageSummary, type Ratio } from '../model/index.js';
import type { ReportFiles } from './report-files.js';

type Metric = 'regions' | 'functions' | 'lines' | 'branches';

/** One metric's change against a baseline. */
export interface MarkdownDelta {
  readonly metric: Metric;
  readonly before: Ratio;
  readonly after: Ratio;
  readonly deltaPercent: number;
}

/** What the summary shows besides the report. */
export interface MarkdownInput {
  /** Maps a filename to the name shown (relative to the workspace root). */
  readonly nameOf: (filename: string) => string;
  /** Regions and branches are not measured (ptrace engine): their rows and columns are omitted. */
  readonly lineOnly?: boolean;
  readonly patch?: {
    /** How the diff was taken, shown in the heading (`since \`origin/main\``). */
    readonly label: string;
    readonly lines: Ratio;
    readonly regions: Ratio | undefined;
    readonly files: readonly {
      readonly path: string;
      readonly lines: Ratio;
      readonly regions: Ratio | undefined;
      readonly uncoveredRanges: readonly { readonly start: number; readonly end: number }[];
    }[];
  };
  readonly baseline?: {
    readonly totals: readonly MarkdownDelta[];
    readonly files: readonly {
      readonly filename: string;
      readonly metrics: readonly MarkdownDelta[];
    }[];
  };
  /** Gate headlines in evaluation order. */
  readonly gates?: readonly { readonly passed: boolean; readonly text: string }[];
  /** How many of the lowest-covered files to list (default 10). */
  readonly worstFileCount?: number;
}

const LABELS: Record<Metric, string> = {
  regions: 'Regions',
  functions: 'Functions',
  lines: 'Lines',
  branches: 'Branches',
};

function cover(ratio: Ratio): string {
  return ratio.count === 0 ? '-' : `${percent(ratio).toFixed(2)}%`;
}

function coverWithCounts(ratio: Ratio): string {
  return ratio.count === 0 ? '-' : `${cover(ratio)} (${ratio.covered}/${ratio.count})`;
}

/** Signed percentage points with two decimals (`+1.25`, `-0.50`, `0.00`). */
export function formatDelta(points: number): string {
  const text = points.toFixed(2);
  if (text === '0.00' || text === '-0.00') return '0.00';
  return points > 0 ? `+${text}` : text;
}

/** Inline code that survives backticks and pipes in the text. */
function code(text: string): string {
  const escaped = text.replaceAll('|', '\\|');
  return escaped.includes('`') ? `\`\` ${escaped} \`\`` : `\`${escaped}\``;
}

function ranges(list: readonly { start: number; end: number }[]): string {
  return list.map((r) => (r.start === r.end ? String(r.start) : `${r.start}-${r.end}`)).join(', ');
}

function metricsShown(totals: CoverageSummary, lineOnly: boolean): Metric[] {
  const metrics: Metric[] = lineOnly ? ['functions', 'lines'] : ['regions', 'functions', 'lines'];
  if (!lineOnly && totals.branches.count > 0) metrics.push('branches');
  return metrics;
}

/**
 * Renders the summary.
 * @returns Markdown text ending with a newline
 */
export function renderMarkdown(report: ReportFiles, input: MarkdownInput): string {
  const lineOnly = input.lineOnly === true;
  const metrics = metricsShown(report.totals, lineOnly);
  const deltas = new Map(input.baseline?.totals.map((d) => [d.metric, d]));
  const withDelta = input.baseline !== undefined;
  const out: string[] = ['## Coverage', ''];
  out.push(withDelta ? '| | Covered | Total | Cover | Δ |' : '| | Covered | Total | Cover |');
  out.push(withDelta ? '|:--|--:|--:|--:|--:|' : '|:--|--:|--:|--:|');
  for (const metric of metrics) {
    const ratio = report.totals[metric];
    const cells = [LABELS[metric], String(ratio.covered), String(ratio.count), cover(ratio)];
    if (withDelta) {
      const delta = deltas.get(metric);
      cells.push(delta === undefined ? '-' : formatDelta(delta.deltaPercent));
    }
    out.push(`| ${cells.join(' | ')} |`);
  }

  if (input.patch !== undefined) {
    const patch = input.patch;
    out.push('', `### Patch coverage (${patch.label})`, '');
    out.push('| | Covered | Total | Cover |', '|:--|--:|--:|--:|');
    const rows: [string, Ratio | undefined][] = [
      ['Lines', patch.lines],
      ['Regions', lineOnly ? undefined : patch.regions],
    ];
    for (const [label, ratio] of rows) {
      if (ratio === undefined) continue;
      out.push(`| ${label} | ${ratio.covered} | ${ratio.count} | ${cover(ratio)} |`);
    }
    const uncovered = patch.files.filter((f) => f.uncoveredRanges.length > 0);
    if (patch.lines.count === 0) {
      out.push('', 'No coverable line changed.');
    } else if (uncovered.length === 0) {
      out.push('', 'Every coverable changed line is covered.');
    } else {
      out.push('', 'Uncovered changed lines:', '');
      for (const f of uncovered) out.push(`- ${code(f.path)}: ${ranges(f.uncoveredRanges)}`);
    }
  }

  const worstCount = input.worstFileCount ?? 10;
  const primary: Metric = lineOnly ? 'lines' : 'regions';
  const worst = report.files
    .filter((f) => f.summary[primary].covered < f.summary[primary].count)
    .slice()
    .sort(
      (a, b) =>
        percent(a.summary[primary]) - percent(b.summary[primary]) ||
        b.summary[primary].count -
          b.summary[primary].covered -
          (a.summary[primary].count - a.summary[primary].covered),
    )
    .slice(0, worstCount);
  if (worst.length > 0) {
    out.push('', `### Lowest ${LABELS[primary].toLowerCase()} coverage`, '');
    out.push(`| File | ${metrics.map((m) => LABELS[m]).join(' | ')} |`);
    out.push(`|:--|${metrics.map(() => '--:').join('|')}|`);
    for (const f of worst) {
      const cells = metrics.map((m) => coverWithCounts(f.summary[m]));
      out.push(`| ${code(input.nameOf(f.filename))} | ${cells.join(' | ')} |`);
    }
  }

  const changed = (input.baseline?.files ?? []).filter((f) =>
    f.metrics.some((d) => d.before.covered !== d.after.covered || d.before.count !== d.after.count),
  );
  if (changed.length > 0) {
    const shown = metrics.filter((m) => input.baseline!.totals.some((d) => d.metric === m));
    out.push('', '### Changes against the baseline', '');
    out.push(`| File | ${shown.map((m) => LABELS[m]).join(' | ')} |`);
    out.push(`|:--|${shown.map(() => '--:').join('|')}|`);
    for (const f of changed) {
      const cells = shown.map((m) => {
        const d = f.metrics.find((x) => x.metric === m);
        return d === undefined
          ? '-'
          : `${cover(d.before)} → ${cover(d.after)} (${formatDelta(d.deltaPercent)})`;
      });
      out.push(`| ${code(input.nameOf(f.filename))} | ${cells.join(' | ')} |`);
    }
  }

  if (input.gates !== undefined && input.gates.length > 0) {
    out.push('', '### Gates', '');
    for (const gate of input.gates) {
      out.push(`- ${gate.passed ? '✅ passed' : '❌ failed'}: ${gate.text}`);
    }
  }
  return out.join('\n') + '\n';
}
