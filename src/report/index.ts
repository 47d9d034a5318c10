export { prepareReportFiles, type FileReport, type ReportFiles } from './report-files.js';
export { renderLcov, type LcovOptions } from './lcov.js';
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
