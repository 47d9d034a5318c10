/**
 * Instrumented-vs-breakpoint comparison (`cov compare`).
 */
export {
  CATEGORY_EXPLANATIONS,
  LINE_CATEGORIES,
  SAME_RUN_EXPLANATIONS,
  agreementPercent,
  compareEngines,
  emptyCategoryCounts,
  recordStartsLine,
  type CategoryCounts,
  type ComparedLine,
  type CompareOptions,
  type EngineComparison,
  type EngineLine,
  type FileComparison,
  type LineCategory,
} from './compare-engines.js';
export { renderComparisonJson, renderComparisonText } from './render-comparison.js';
export { readJsonExport } from './read-json-export.js';
