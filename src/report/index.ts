export { prepareReportFiles, type FileReport, type ReportFiles } from './report-files.js';
export { forEachBranchPair, renderLcov, type LcovOptions } from './lcov.js';
export {
  formatDouble,
  quoteJson,
  renderJson,
  LLVM_COVERAGE_EXPORT_JSON_TYPE,
  LLVM_COVERAGE_EXPORT_JSON_VERSION,
  type JsonOptions,
} from './json.js';
export {
  PTRACE_ENGINE_NOTE,
  commonPrefixLength,
  renderMissingLines,
  renderSummaryTable,
  uncoveredLineRanges,
  type SummaryTableOptions,
} from './summary-table.js';
export { formatCount, renderText } from './text.js';
// The HTML report (src/report/html/) is imported on demand: handlebars and highlight.js cost
// ~0.2 s of module loading that other outputs should not pay.
export {
  escapeXml,
  formatRate,
  relativeToRoot,
  renderCobertura,
  type CoberturaOptions,
} from './cobertura.js';
export { renderCodecov, type CodecovOptions } from './codecov.js';
export { formatDelta, renderMarkdown, type MarkdownDelta, type MarkdownInput } from './markdown.js';
export {
  escapeCommandData,
  escapeCommandProperty,
  renderGithubAnnotations,
  type AnnotatedFile,
} from './annotations.js';
