export { assembleCoverage, readObjectMapping, type AssembleInput } from './assemble-coverage.js';
export { CounterEvaluator, maxCounterId } from './evaluate.js';
export {
  createLoadState,
  loadObjectRecords,
  type LoadState,
  type ObjectMapping,
} from './load-records.js';
