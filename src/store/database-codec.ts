/**
 * Encoding and decoding whole coverage databases (`.covdb` format version 1): MessagePack maps in
 * the framed records of record-frame.ts.
 * @see ../../docs/covdb.md
 */
import { DecodeError, decode, encode } from '@msgpack/msgpack';
import { formatOffset, type Diagnostic } from '../binary/index.js';
import { decodeFunctions, encodeFunctions } from './function-codec.js';
import { decodeObject, encodeObject } from './object-codec.js';
import { decodeProfile, encodeProfile } from './profile-codec.js';
import {
  RecordShapeError,
  asFields,
  intField,
  optionalString,
  stringField,
  stringsField,
  type Fields,
} from './record-fields.js';
import { frameRecords, readRecords, type RawRecord } from './record-frame.js';
import type { CoverageDatabase, DatabaseMetadata, StoredObject, StoredProfile } from './types.js';
import { VarintError } from './varint.js';

/** Record types (the byte at offset 4 of a record header). */
export const RecordType = {
  Metadata: 1,
  Profile: 2,
  Object: 3,
  Functions: 4,
  End: 255,
} as const;

const KNOWN_TYPES: ReadonlySet<number> = new Set(Object.values(RecordType));

function encodeMetadata(metadata: DatabaseMetadata): Fields {
  const fields: Fields = {
    toolVersion: metadata.toolVersion,
    engine: metadata.engine,
    createdAt: metadata.createdAt,
    argv: [...metadata.argv],
    objects: [...metadata.objects],
    profiles: [...metadata.profiles],
  };
  if (metadata.exitStatus !== undefined) fields['exitStatus'] = metadata.exitStatus;
  if (metadata.toolchain !== undefined) fields['toolchain'] = metadata.toolchain;
  if (metadata.rustcVerbose !== undefined) fields['rustcVerbose'] = metadata.rustcVerbose;
  if (metadata.workspaceRoot !== undefined) fields['workspaceRoot'] = metadata.workspaceRoot;
  if (metadata.targetDir !== undefined) fields['targetDir'] = metadata.targetDir;
  if (metadata.shards !== undefined) fields['shards'] = metadata.shards.map(encodeMetadata);
  return fields;
}

function decodeMetadata(fields: Fields): DatabaseMetadata {
  const engine = stringField(fields, 'engine');
  if (engine !== 'instrumented' && engine !== 'ptrace') {
    throw new RecordShapeError(`unknown engine ${engine}`);
  }
  const exitStatus = fields['exitStatus'];
  const toolchain = optionalString(fields, 'toolchain');
  const rustcVerbose = optionalString(fields, 'rustcVerbose');
  const workspaceRoot = optionalString(fields, 'workspaceRoot');
  const targetDir = optionalString(fields, 'targetDir');
  const shards = fields['shards'];
  return {
    toolVersion: stringField(fields, 'toolVersion'),
    engine,
    createdAt: stringField(fields, 'createdAt'),
    argv: stringsField(fields, 'argv'),
    objects: stringsField(fields, 'objects'),
    profiles: stringsField(fields, 'profiles'),
    ...(typeof exitStatus === 'number' ? { exitStatus } : {}),
    ...(toolchain === undefined ? {} : { toolchain }),
    ...(rustcVerbose === undefined ? {} : { rustcVerbose }),
    ...(workspaceRoot === undefined ? {} : { workspaceRoot }),
    ...(targetDir === undefined ? {} : { targetDir }),
    ...(Array.isArray(shards)
      ? { shards: shards.map((s, i) => decodeMetadata(asFields(s, `shards[${i}]`))) }
      : {}),
  };
}

/**
 * Encodes one object record's payload (also used to key objects by content).
 * @returns the MessagePack bytes of the object map
 */
export function encodeObjectPayload(object: StoredObject): Uint8Array {
  return encode(encodeObject(object));
}

/**
 * An object in its stored form: encoded once and read back with mappings decoded lazily, so a
 * database being built holds a few MB per object instead of every decoded mapping, and a report
 * built from it takes exactly the path `--from` takes.
 * @returns the object as {@link decodeDatabase} would return it
 */
export function compactObject(object: StoredObject): StoredObject {
  return decodeObject(asFields(decode(encodeObjectPayload(object)), 'object payload'));
}

/**
 * Encodes a database: metadata, profile, one record per object, the function records (when
 * any), and the end record.
 * @returns the file image (header and records)
 * @see ../../docs/covdb.md
 */
export function encodeDatabase(database: CoverageDatabase): Uint8Array {
  const records: RawRecord[] = [
    { type: RecordType.Metadata, payload: encode(encodeMetadata(database.metadata)) },
    { type: RecordType.Profile, payload: encode(encodeProfile(database.profile)) },
  ];
  for (const object of database.objects) {
    records.push({ type: RecordType.Object, payload: encodeObjectPayload(object) });
  }
  if (database.functions.length > 0) {
    records.push({
      type: RecordType.Functions,
      payload: encode(encodeFunctions(database.functions)),
    });
  }
  records.push({ type: RecordType.End, payload: encode({ recordCount: records.length }) });
  return frameRecords(records);
}

/** Result of {@link decodeDatabase}. */
export interface DecodedDatabase {
  readonly database: CoverageDatabase;
  /** Skipped or damaged records, a missing end record, unknown record types. */
  readonly warnings: Diagnostic[];
}

/**
 * Decodes a database file image. Damaged records are skipped with a warning and the others load.
 * @param bytes the file's bytes
 * @param source file path for messages
 * @throws CovError `E_BAD_MAGIC`, `E_TRUNCATED` (shorter than the file header) or
 *   `E_UNSUPPORTED_VERSION` (from {@link readRecords}); nothing else is fatal
 */
export function decodeDatabase(bytes: Uint8Array, source: string): DecodedDatabase {
  const { records, warnings } = readRecords(bytes, source);
  let metadata: DatabaseMetadata | undefined;
  const profileRecords: StoredProfile['records'][number][] = [];
  const profileWarnings: Diagnostic[] = [];
  const objects: StoredObject[] = [];
  const functions: CoverageDatabase['functions'][number][] = [];
  let sawEnd = false;
  const warn = (index: number, byteOffset: number, message: string): void => {
    warnings.push({
      severity: 'warning',
      code: 'W_DATABASE_RECORD',
      message: `${source}: at ${formatOffset(byteOffset)}: record ${index}: ${message}`,
      source,
      byteOffset,
    });
  };
  for (const record of records) {
    if (sawEnd) {
      warn(record.index, record.byteOffset, 'record after the end record ignored');
      continue;
    }
    if (!KNOWN_TYPES.has(record.type)) {
      warn(
        record.index,
        record.byteOffset,
        `unknown record type ${record.type} skipped (written by a newer cov?)`,
      );
      continue;
    }
    try {
      const fields = asFields(decode(record.payload), 'record payload');
      switch (record.type) {
        case RecordType.Metadata:
          metadata = decodeMetadata(fields);
          break;
        case RecordType.Profile: {
          const profile = decodeProfile(fields);
          profileRecords.push(...profile.records);
          profileWarnings.push(...profile.warnings);
          break;
        }
        case RecordType.Object:
          objects.push(decodeObject(fields));
          break;
        case RecordType.Functions:
          functions.push(...decodeFunctions(fields));
          break;
        case RecordType.End: {
          sawEnd = true;
          const expected = intField(fields, 'recordCount');
          if (expected !== record.index) {
            warn(
              record.index,
              record.byteOffset,
              `the end record counts ${expected} records before it, ${record.index} are present or damaged`,
            );
          }
          break;
        }
        default:
          throw new RecordShapeError(`record type ${record.type} has no decoder`);
      }
    } catch (error) {
      // the payload passed its CRC, so only a writer bug or a newer layout gets here
      const shapeProblem =
        error instanceof RecordShapeError ||
        error instanceof VarintError ||
        error instanceof DecodeError ||
        error instanceof RangeError;
      if (!shapeProblem) throw error;
      warn(record.index, record.byteOffset, `malformed content (${error.message}); record skipped`);
    }
  }
  if (!sawEnd) {
    warnings.push({
      severity: 'warning',
      code: 'W_DATABASE_RECORD',
      message: `${source}: no end record: the file was cut short or damaged at the end; ${records.length} intact records loaded`,
      source,
    });
  }
  if (metadata === undefined) {
    warnings.push({
      severity: 'warning',
      code: 'W_DATABASE_RECORD',
      message: `${source}: the metadata record is missing or damaged; tool version, toolchain and object list unknown`,
      source,
    });
  }
  const database: CoverageDatabase = {
    metadata: metadata ?? {
      toolVersion: 'unknown',
      engine: functions.length > 0 && objects.length === 0 ? 'ptrace' : 'instrumented',
      createdAt: '',
      argv: [],
      objects: objects.map((o) => o.path),
      profiles: [],
    },
    profile: { records: profileRecords, warnings: profileWarnings },
    objects,
    functions,
  };
  return { database, warnings };
}
