export { ByteReader, type ByteReaderOptions } from './byte-reader.js';
export { bytesSource, checkRange, type ByteSource } from './byte-source.js';
export { decompressZstd, inflateZlib } from './compression.js';
export {
  CovError,
  diagnosticFromError,
  formatOffset,
  type CovErrorCode,
  type CovErrorOptions,
  type Diagnostic,
  type DiagnosticSeverity,
  type InputLocation,
} from './errors.js';
export { md5Hash64 } from './md5.js';
export { decodePrfNames, forEachPrfName } from './prf-names.js';
export { md5Low64 } from './fast-md5.js';
