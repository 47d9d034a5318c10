/**
 * cov's library API (re-exports only): read profiles and coverage mappings, assemble a
 * `CoverageSet`, render llvm-cov-identical lcov/JSON.
 */
export { CovError, type CovErrorCode, type Diagnostic, type ByteSource } from './binary/index.js';
export { readProfile, readProfraw, readProfdata, mergeProfiles } from './profraw/index.js';
export type { ProfileCounts, ProfileFile, ProfileRecord } from './profraw/index.js';
export { readCoverageSections } from './object/index.js';
export { readCoverageMapping, decodeMapping } from './covmap/index.js';
export { assembleCoverage, type AssembleInput } from './assemble/index.js';
export {
  createFileFilter,
  fileView,
  functionView,
  lineCounts,
  summarizeFile,
  summarizeFunction,
  type CoverageSet,
  type CoverageSummary,
  type FunctionRecord,
  type Segment,
} from './model/index.js';
export {
  prepareReportFiles,
  renderJson,
  renderLcov,
  renderSummaryTable,
  renderText,
} from './report/index.js';
export { openFileByteSource } from './llvm-bridge/index.js';
