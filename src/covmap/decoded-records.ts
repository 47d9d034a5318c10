/**
 * One object's selected function records with every mapping already decoded — the form the
 * coverage database stores, so a report can be rebuilt without the object (covmap Version1–7).
 * @see ../../../shared/spec/formats.md §4.5, §4.6
 */
import { CovError } from '../binary/index.js';
import { decodeMapping } from './decode-mapping.js';
import type { CovfunRecord, FunctionMapping } from './types.js';

/** A selected function record with its mapping decoded (or the reason it could not be). */
export interface DecodedFunctionRecord {
  readonly nameRef: bigint;
  readonly funcHash: bigint;
  readonly filenamesRef: bigint;
  /** Absolute byte offset of the record in its object (for messages). */
  readonly byteOffset: number;
  /** Only for covmap Version1 records: the name stored with the record. */
  readonly name?: string;
  /**
   * The file-id → filename-index prefix of the mapping as {@link readFileIdPrefix} reads it, or
   * undefined when that prefix is unreadable.
   */
  readonly fileIds: Uint32Array | undefined;
  /** The decoded mapping; undefined when decoding failed (then `error` holds the message). */
  readonly mapping: FunctionMapping | undefined;
  /** Message of the `CovError` that decoding threw. */
  readonly error?: string;
}

/** One object's coverage mapping with decoded records. */
export interface DecodedCoverageMapping {
  /** Covmap field value (0 = Version1 … 6 = Version7); −1 when the object has no covmap. */
  readonly version: number;
  /** FilenamesRef → resolved filename list (entry 0 = compilation dir for v ≥ 6). */
  readonly filenameTables: ReadonlyMap<bigint, readonly string[]>;
  /** NameRef → PGO name of the selected records. */
  readonly names: ReadonlyMap<bigint, string>;
  /** Selected records in section order. */
  readonly records: readonly DecodedFunctionRecord[];
}

/**
 * Reads only the file-id mapping at the start of a mapping blob (NumFileIds, then one filename
 * index each), leniently: at most 10 bytes per ULEB128, no overlong check — the loader uses it to
 * drop duplicate copies before decoding them.
 * @returns the filename indices, or undefined when the bytes end first
 * @see ../../../shared/spec/formats.md §4.5 item 1
 */
export function readFileIdPrefix(bytes: Uint8Array): Uint32Array | undefined {
  let offset = 0;
  const readUleb = (): number | undefined => {
    let result = 0;
    let multiplier = 1;
    for (let i = 0; i < 10 && offset < bytes.length; i++) {
      const byte = bytes[offset++]!;
      result += (byte & 0x7f) * multiplier;
      if ((byte & 0x80) === 0) return result;
      multiplier *= 128;
    }
    return undefined;
  };
  const count = readUleb();
  if (count === undefined || count > bytes.length) return undefined;
  const fileIds = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const index = readUleb();
    // an index past u32 can name no filename; keep it unmatchable rather than wrapped
    if (index === undefined) return undefined;
    fileIds[i] = index > 0xffffffff ? 0xffffffff : index;
  }
  return fileIds;
}

/**
 * Decodes every record (selection already applied).
 * @param records selected records of one object, in section order
 * @param version the object's covmap field value
 * @param source object path for messages
 * @returns one entry per record, in order; a record whose mapping is malformed keeps the
 *   `CovError` message in `error` instead of throwing
 */
export function decodeRecords(
  records: readonly CovfunRecord[],
  version: number,
  source: string,
): DecodedFunctionRecord[] {
  return records.map((record) => {
    const base = {
      nameRef: record.nameRef,
      funcHash: record.funcHash,
      filenamesRef: record.filenamesRef,
      byteOffset: record.byteOffset,
      ...(record.name === undefined ? {} : { name: record.name }),
      fileIds: readFileIdPrefix(record.mappingBytes),
    };
    try {
      const mapping = decodeMapping(
        record.mappingBytes,
        source,
        record.mappingByteOffset ?? record.byteOffset,
        version,
      );
      return { ...base, mapping };
    } catch (error) {
      if (!(error instanceof CovError)) throw error;
      return { ...base, mapping: undefined, error: error.message };
    }
  });
}
