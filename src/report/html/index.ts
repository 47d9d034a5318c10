export { buildFilePageModel, type FilePageInput } from './file-page.js';
export { buildIndexModel, type IndexInput } from './index-page.js';
export { demangleSymbol, type DemangleOptions } from './demangle.js';
export { selectMetrics, type MetricCell, type MetricKey } from './metrics.js';
export { commonDirectoryLength, pagePathOf, ASSETS_DIR, PAGES_DIR } from './page-paths.js';
export { planHtmlReport, type HtmlReportPlan } from './report-plan.js';
export {
  defaultTemplateDir,
  loadTemplates,
  writeHtmlPages,
  writeHtmlReport,
  HTML_MANIFEST,
  type HtmlPage,
  type HtmlPagesOptions,
  type HtmlReportOptions,
  type HtmlReportResult,
  type HtmlTemplates,
} from './write-html.js';
export { renderSourceHtml, type SourceHtml } from './source-html.js';
export { sourcesHere, startSourcePool, type SourcePool } from './source-pool.js';
export { escapeHtml } from './line-markup.js';
export type * from './view-model.js';
