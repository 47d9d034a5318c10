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
  commonPrefixLength,
  renderMissingLines,
  renderSummaryTable,
  uncoveredLineRanges,
} from './summary-table.js';
export { formatCount, renderText } from './text.js';
export {
  buildFilePageModel,
  buildIndexModel,
  defaultTemplateDir,
  demangleSymbol,
  planHtmlReport,
  writeHtmlReport,
  type FilePageModel,
  type HtmlReportOptions,
  type HtmlReportResult,
  type IndexModel,
} from './html/index.js';
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
