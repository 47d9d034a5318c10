/**
 * Cobertura XML (coverage-04 DTD), the format GitHub's and GitLab's coverage views read.
 *
 * One `<package>` per directory (relative to the source root), one `<class>` per source file with
 * its line hits (the lcov `DA` counts) and, on lines with branch regions, `branch="true"` and
 * `condition-coverage` counted from the branch pairs lcov lists (`BRDA`). Rates and the covered /
 * valid totals come from the model's summaries, like every other output; a rate with nothing to
 * measure is 0 (llvm-cov's percent convention). `<methods>` is left empty: names are mangled and
 * no reader we target uses it. `complexity` is 0 (not computed).
 *
 * @see http://cobertura.sourceforge.net/xml/coverage-04.dtd (test/fixtures/cobertura/coverage-04.dtd)
 */
import {
  addSummaries,
  fileView,
  forEachLineCount,
  type CoverageSet,
  type CoverageSummary,
  type Ratio,
} from '../model/index.js';
import { forEachBranchPair } from './lcov.js';
import type { ReportFiles } from './report-files.js';

/** Options of {@link renderCobertura}. */
export interface CoberturaOptions {
  /** Directory file names are made relative to, written as the one `<source>`. */
  readonly sourceRoot: string;
  /** `timestamp` attribute: seconds since the epoch (injected by tests for stable goldens). */
  readonly timestamp: number;
  /** `version` attribute: the producing tool's version. */
  readonly version: string;
  /** Leave out branch data (line-only engines): branch rates 0, no `branch="true"` lines. */
  readonly lineOnly?: boolean;
}

/** Escapes text for an XML attribute or element. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => {
    switch (c) {
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '&':
        return '&amp;';
      case '"':
        return '&quot;';
      default:
        return '&apos;';
    }
  });
}

/** A rate in [0, 1] with at most 4 decimals (`0.8333`); 0 when nothing is measured. */
export function formatRate(ratio: Ratio): string {
  if (ratio.count === 0) return '0';
  return String(Math.round((ratio.covered / ratio.count) * 10_000) / 10_000);
}

/** `filename` relative to `root` when inside it; otherwise unchanged. */
export function relativeToRoot(root: string, filename: string): string {
  const prefix = root.endsWith('/') ? root : `${root}/`;
  return filename.startsWith(prefix) ? filename.slice(prefix.length) : filename;
}

function dirnameOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? (slash === 0 ? '/' : '.') : path.slice(0, slash);
}

function rates(summary: CoverageSummary, lineOnly: boolean): string {
  const branch = lineOnly ? '0' : formatRate(summary.branches);
  return `line-rate="${formatRate(summary.lines)}" branch-rate="${branch}"`;
}

function renderLines(set: CoverageSet, filename: string, lineOnly: boolean, out: string[]): void {
  const view = fileView(set, filename);
  const branchesByLine = new Map<number, Ratio>();
  if (!lineOnly) {
    forEachBranchPair(view, true, (line, trueCount, falseCount) => {
      const ratio = branchesByLine.get(line) ?? { count: 0, covered: 0 };
      ratio.count += 2;
      if (trueCount !== 0n) ratio.covered++;
      if (falseCount !== 0n) ratio.covered++;
      branchesByLine.set(line, ratio);
    });
  }
  forEachLineCount(view.segments, 1, (line) => {
    if (!line.mapped) return;
    const branches = branchesByLine.get(line.line);
    if (branches === undefined) {
      out.push(`            <line number="${line.line}" hits="${line.count}" branch="false"/>`);
      return;
    }
    const share = Math.floor((branches.covered * 100) / branches.count);
    out.push(
      `            <line number="${line.line}" hits="${line.count}" branch="true" condition-coverage="${share}% (${branches.covered}/${branches.count})"/>`,
    );
  });
}

/**
 * Renders the Cobertura document of the report's files.
 * @returns the XML text (UTF-8, ends with a newline)
 */
export function renderCobertura(
  set: CoverageSet,
  report: ReportFiles,
  options: CoberturaOptions,
): string {
  const lineOnly = options.lineOnly === true;
  const t = report.totals;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd">',
    `<coverage ${rates(t, lineOnly)} lines-covered="${t.lines.covered}" lines-valid="${t.lines.count}" ` +
      `branches-covered="${lineOnly ? 0 : t.branches.covered}" branches-valid="${lineOnly ? 0 : t.branches.count}" ` +
      `complexity="0" version="${escapeXml(options.version)}" timestamp="${options.timestamp}">`,
    '  <sources>',
    `    <source>${escapeXml(options.sourceRoot)}</source>`,
    '  </sources>',
    '  <packages>',
  ];
  const packages = new Map<
    string,
    { name: string; filename: string; summary: CoverageSummary }[]
  >();
  for (const file of report.files) {
    const name = relativeToRoot(options.sourceRoot, file.filename);
    const dir = dirnameOf(name);
    const list = packages.get(dir) ?? [];
    list.push({ name, filename: file.filename, summary: file.summary });
    packages.set(dir, list);
  }
  for (const [dir, files] of packages) {
    const total = addSummaries(files.map((f) => f.summary));
    out.push(
      `    <package name="${escapeXml(dir)}" ${rates(total, lineOnly)} complexity="0">`,
      '      <classes>',
    );
    for (const f of files) {
      out.push(
        `        <class name="${escapeXml(f.name)}" filename="${escapeXml(f.name)}" ${rates(f.summary, lineOnly)} complexity="0">`,
        '          <methods/>',
        '          <lines>',
      );
      renderLines(set, f.filename, lineOnly, out);
      out.push('          </lines>', '        </class>');
    }
    out.push('      </classes>', '    </package>');
  }
  out.push('  </packages>', '</coverage>');
  return out.join('\n') + '\n';
}
