/**
 * The coverage database (`.covdb`): profile counters and decoded mappings (or finished function
 * records for the breakpoint engine) in MessagePack records with lz4 and CRC-32, and the merge of
 * several databases. See docs/covdb.md.
 */
export { crc32 } from './crc32.js';
export {
  RecordType,
  compactObject,
  decodeDatabase,
  encodeDatabase,
  encodeObjectPayload,
  type DecodedDatabase,
} from './database-codec.js';
export { readDatabaseFile, writeDatabaseFile } from './database-file.js';
export {
  functionDatabase,
  mergeDatabases,
  objectKey,
  profileCountsOf,
  type MergeInput,
  type MergeOptions,
  type MergeResult,
} from './merge-databases.js';
export {
  COVDB_FORMAT_VERSION,
  COVDB_MAGIC,
  FILE_HEADER_BYTES,
  RECORD_HEADER_BYTES,
  frameRecords,
  readRecords,
  type RawRecord,
  type ReadRecord,
} from './record-frame.js';
export { parseRemap, remapDatabase, remapPath, type PathRemap } from './remap.js';
export type { CoverageDatabase, DatabaseMetadata, StoredObject, StoredProfile } from './types.js';
