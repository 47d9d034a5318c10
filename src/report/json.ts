/**
 * JSON export in llvm-cov's schema ("llvm.coverage.json.export", version 3.1.0), byte-identical to
 * `llvm-cov-22 export -format=text` for `data`, `type` and `version`, plus a top-level `cov` key
 * (spec/formats.md §5.7). Keys are sorted at every level; one line, no trailing newline.
 */
import {
  BRANCH_STRIDE,
  CODE_STRIDE,
  F_FOLDED,
  FOLDED_FALSE,
  FOLDED_TRUE,
  expansionView,
  fileView,
  percent,
  type CoverageSet,
  type CoverageSummary,
  type ExpansionRef,
  type FunctionRecord,
  type McdcRecord,
  type Ratio,
  type BranchRef,
} from '../model/index.js';
import type { ReportFiles } from './report-files.js';

/** Export schema version written by llvm-cov 22. */
export const LLVM_COVERAGE_EXPORT_JSON_VERSION = '3.1.0';
export const LLVM_COVERAGE_EXPORT_JSON_TYPE = 'llvm.coverage.json.export';

/** Options matching llvm-cov export's flags. */
export interface JsonOptions {
  readonly summaryOnly?: boolean;
  readonly skipFunctions?: boolean;
  readonly skipExpansions?: boolean;
  /** Value of the extra top-level `cov` key (tool metadata); omitted when undefined. */
  readonly covMetadata?: unknown;
}

const INT64_MAX = (1n << 63n) - 1n;

function clampCount(value: bigint): string {
  return (value > INT64_MAX ? INT64_MAX : value).toString();
}

/** Formats a double as C's `%.17g` does (llvm::json number output). */
export function formatDouble(value: number): string {
  if (value === 0) return '0';
  if (Number.isInteger(value) && Math.abs(value) < 1e17) return String(value);
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  if (exponent < -4 || exponent >= 17) {
    const [mantissa, exp] = value.toExponential(16).split('e') as [string, string];
    const trimmed = mantissa.includes('.')
      ? mantissa.replace(/0+$/, '').replace(/\.$/, '')
      : mantissa;
    const sign = exp.startsWith('-') ? '-' : '+';
    const digits = exp.replace(/^[-+]/, '').padStart(2, '0');
    return `${trimmed}e${sign}${digits}`;
  }
  const fixed = value.toPrecision(17);
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

/** JSON string literal escaped as llvm::json does. */
export function quoteJson(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x7f) out += '\\u007f';
    else if (c >= 0x20) out += text[i];
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else out += '\\u' + c.toString(16).padStart(4, '0');
  }
  return out + '"';
}

function ratioJson(ratio: Ratio, withNotCovered: boolean): string {
  const notCovered = withNotCovered ? `,"notcovered":${ratio.count - ratio.covered}` : '';
  return `{"count":${ratio.count},"covered":${ratio.covered}${notCovered},"percent":${formatDouble(percent(ratio))}}`;
}

function summaryJson(s: CoverageSummary): string {
  return (
    `{"branches":${ratioJson(s.branches, true)},"functions":${ratioJson(s.functions, false)},` +
    `"instantiations":${ratioJson(s.instantiations, false)},"lines":${ratioJson(s.lines, false)},` +
    `"mcdc":${ratioJson(s.mcdc, true)},"regions":${ratioJson(s.regions, true)}}`
  );
}

function regionJson(record: FunctionRecord, index: number): string {
  const r = record.regions;
  const o = index * CODE_STRIDE;
  return `[${r[o + 3]},${r[o + 4]},${r[o + 5]},${r[o + 6]},${clampCount(record.regionCounts[index]!)},${r[o + 1]},${r[o + 2]},${r[o]}]`;
}

function branchJson({ record, index }: BranchRef): string {
  const b = record.branches;
  const o = index * BRANCH_STRIDE;
  return (
    `[${b[o + 3]},${b[o + 4]},${b[o + 5]},${b[o + 6]},${clampCount(record.branchTrueCounts[index]!)},` +
    `${clampCount(record.branchFalseCounts[index]!)},${b[o + 1]},${b[o + 2]},${b[o]}]`
  );
}

function notDoublyFolded({ record, index }: BranchRef): boolean {
  const folded = record.branches[index * BRANCH_STRIDE + F_FOLDED]!;
  return (folded & FOLDED_TRUE) === 0 || (folded & FOLDED_FALSE) === 0;
}

function mcdcJson(m: McdcRecord): string {
  const d = m.decision;
  const vectors = m.testVectors
    .map(
      (v) =>
        `{"conditions":[${v.conditions.map((c) => (c === null ? 'null' : String(c))).join(',')}],` +
        `"executed":${v.executed},"result":${v.result}}`,
    )
    .join(',');
  return `[${d[0]},${d[1]},${d[2]},${d[3]},${m.trueDecisions},${m.falseDecisions},${d[4]},${d[5]},5,[${m.conditionsCovered.join(',')}],[${vectors}]]`;
}

function allRegionsJson(record: FunctionRecord): string {
  const n = record.regions.length / CODE_STRIDE;
  const parts: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) parts[i] = regionJson(record, i);
  return `[${parts.join(',')}]`;
}

function nestedBranches(expansions: readonly ExpansionRef[], out: BranchRef[]): void {
  for (const expansion of expansions) {
    const view = expansionView(expansion);
    nestedBranches(view.expansions, out);
    for (const b of view.branches) out.push(b);
  }
}

function expansionJson(expansion: ExpansionRef): string {
  const record = expansion.record;
  const branches: BranchRef[] = [];
  nestedBranches([expansion], branches);
  return (
    `{"branches":[${branches.filter(notDoublyFolded).map(branchJson).join(',')}],` +
    `"filenames":[${record.filenames.map(quoteJson).join(',')}],` +
    `"source_region":${regionJson(record, expansion.regionIndex)},` +
    `"target_regions":${allRegionsJson(record)}}`
  );
}

function fileJson(
  set: CoverageSet,
  filename: string,
  summary: CoverageSummary,
  options: JsonOptions,
): string {
  let out = '{';
  if (options.summaryOnly !== true) {
    const view = fileView(set, filename);
    out += `"branches":[${view.branches.map(branchJson).join(',')}],`;
    if (options.skipExpansions !== true) {
      out += `"expansions":[${view.expansions.map(expansionJson).join(',')}],`;
    }
    out += `"filename":${quoteJson(filename)},`;
    const mcdc: string[] = [];
    for (const index of set.recordsByFile.get(filename) ?? []) {
      const record = set.functions[index]!;
      for (const m of record.mcdcRecords) {
        if (record.filenames[m.decision[4]] === filename) mcdc.push(mcdcJson(m));
      }
    }
    out += `"mcdc_records":[${mcdc.join(',')}],`;
    const segments = view.segments.map(
      (s) =>
        `[${s.line},${s.col},${clampCount(s.count)},${s.hasCount},${s.isRegionEntry},${s.isGap}]`,
    );
    out += `"segments":[${segments.join(',')}],`;
  } else {
    out += `"filename":${quoteJson(filename)},`;
  }
  return out + `"summary":${summaryJson(summary)}}`;
}

function functionJson(record: FunctionRecord): string {
  const branches: BranchRef[] = [];
  for (let i = 0; i < record.branches.length / BRANCH_STRIDE; i++)
    branches.push({ record, index: i });
  return (
    `{"branches":[${branches.filter(notDoublyFolded).map(branchJson).join(',')}],` +
    `"count":${clampCount(record.executionCount)},` +
    `"filenames":[${record.filenames.map(quoteJson).join(',')}],` +
    `"mcdc_records":[${record.mcdcRecords.map(mcdcJson).join(',')}],` +
    `"name":${quoteJson(record.name)},"regions":${allRegionsJson(record)}}`
  );
}

/**
 * Renders the export JSON (one line, no trailing newline). `functions` lists every loaded record in
 * load order, as llvm-cov does, whatever the file filter.
 */
export function renderJson(
  set: CoverageSet,
  report: ReportFiles,
  options: JsonOptions = {},
): string {
  const files = report.files.map((f) => fileJson(set, f.filename, f.summary, options)).join(',');
  let data = `{"files":[${files}]`;
  if (options.summaryOnly !== true && options.skipFunctions !== true) {
    data += `,"functions":[${set.functions.map(functionJson).join(',')}]`;
  }
  data += `,"totals":${summaryJson(report.totals)}}`;
  const cov =
    options.covMetadata === undefined ? '' : `"cov":${JSON.stringify(options.covMetadata)},`;
  return (
    `{${cov}"data":[${data}],"type":"${LLVM_COVERAGE_EXPORT_JSON_TYPE}",` +
    `"version":"${LLVM_COVERAGE_EXPORT_JSON_VERSION}"}`
  );
}
