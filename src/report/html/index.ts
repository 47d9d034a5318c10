export { buildFilePageModel, type FilePageInput } from './file-page.js';
export { buildIndexModel, type IndexInput } from './index-page.js';
export { demangleSymbol, type DemangleOptions } from './demangle.js';
export { selectMetrics, type MetricCell, type MetricKey } from './metrics.js';
export { commonDirectoryLength, pagePathOf, ASSETS_DIR, PAGES_DIR } from './page-paths.js';
export { planHtmlReport, type HtmlReportPlan } from './report-plan.js';
export {
  defaultTemplateDir,
  loadTemplates,
  writeHtmlReport,
  HTML_MANIFEST,
  type HtmlReportOptions,
  type HtmlReportResult,
  type HtmlTemplates,
} from './write-html.js';
export type * from './view-model.js';
