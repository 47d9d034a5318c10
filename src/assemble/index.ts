export {
  assembleCoverage,
  assembleDecodedCoverage,
  decodedObjectMapping,
  readDecodedObject,
  readObjectMapping,
  type AssembleDecodedInput,
  type AssembleInput,
  type DecodedObject,
} from './assemble-coverage.js';
export { CounterEvaluator, maxCounterId } from './evaluate.js';
export {
  createLoadState,
  loadObjectRecords,
  type LoadState,
  type MappingRecord,
  type ObjectMapping,
} from './load-records.js';
