/**
 * Coverage-mapping readers: `__llvm_covmap` (covmap Version1–Version7, field values 0–6),
 * `__llvm_covfun`, the mapping encoding, record selection and function names.
 * @see ../../../shared/spec/formats.md §4
 */
export {
  readCovfunSection,
  COVFUN_HEADER_BYTES,
  type CovfunSection,
  type ReadCovfunOptions,
} from './covfun-section.js';
export { readCovmapSection, type CovmapSection, type ReadCovmapOptions } from './covmap-section.js';
export { CovMapVersion, checkCovmapVersion } from './covmap-version.js';
export { decodeMapping } from './decode-mapping.js';
export {
  decodeRecords,
  readFileIdPrefix,
  type DecodedCoverageMapping,
  type DecodedFunctionRecord,
} from './decoded-records.js';
export {
  isAbsoluteFilename,
  joinPath,
  pathStyleOf,
  removeDots,
  resolveFilename,
  type PathStyle,
} from './filename-paths.js';
export {
  addFilenameTable,
  createFilenameTables,
  type FilenameTables,
  type FilenameTableUpdate,
} from './filename-table.js';
export { decodeFilenamesBlob } from './filenames-blob.js';
export { buildNameIndex, resolveNames } from './name-index.js';
export {
  readCoverageMapping,
  type CoverageMappingSections,
  type ReadCoverageMappingOptions,
} from './read-coverage-mapping.js';
export {
  isDummyMappingBytes,
  isDummyRecord,
  selectRecords,
  type SelectRecordsOptions,
} from './record-selection.js';
export {
  REGION_STRIDE,
  RegionKind,
  R_COLUMN_END,
  R_COLUMN_START,
  R_COUNTER,
  R_EXPANDED_FILE_ID,
  R_FALSE_COUNTER,
  R_FILE_ID,
  R_KIND,
  R_LINE_END,
  R_LINE_START,
  R_P0,
  R_P1,
  R_P2,
  type CoverageMappingData,
  type CovfunRecord,
  type FunctionMapping,
} from './types.js';
export type { CovmapWarningCode } from './warnings.js';
