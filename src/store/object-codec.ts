/**
 * Object records (type 3): one object's filename tables, names and selected function records
 * with their decoded mappings. Mappings are one LEB128 stream with line numbers delta-encoded,
 * so the region tables lz4 sees are mostly one-byte values.
 * @see ../../docs/covdb.md "Object record"
 */
import {
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
  type DecodedFunctionRecord,
  type FunctionMapping,
} from '../covmap/index.js';
import {
  RecordShapeError,
  bytesField,
  diagnosticsField,
  encodeDiagnostics,
  intField,
  stringField,
  stringsField,
  type Fields,
} from './record-fields.js';
import type { StoredObject } from './types.js';
import { bytesToU64s, u64sToBytes } from './u64-bytes.js';
import { VarintError, VarintReader, VarintWriter } from './varint.js';

/** Function flags in the stream. */
const HAS_MAPPING = 1;
const HAS_FILE_IDS = 2;
/** The lenient file-id prefix equals the mapping's file-id table (always, when decoding worked). */
const FILE_IDS_FROM_MAPPING = 4;
const HAS_NAME = 8;
/** Region kind flag: every field is stored (some field the kind normally lacks is non-zero). */
const ALL_FIELDS = 8;

function hasExpandedFileId(kind: number): boolean {
  return kind === RegionKind.Expansion;
}
function hasFalseCounter(kind: number): boolean {
  return kind === RegionKind.Branch || kind === RegionKind.MCDCBranch;
}
function hasMcdcParameters(kind: number): boolean {
  return kind === RegionKind.MCDCDecision || kind === RegionKind.MCDCBranch;
}

function sameIds(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function writeMapping(out: VarintWriter, mapping: FunctionMapping, withFileIds: boolean): void {
  if (withFileIds) {
    out.writeUnsigned(mapping.fileIdToFilenameIndex.length);
    for (const index of mapping.fileIdToFilenameIndex) out.writeUnsigned(index);
  }
  const numExprs = mapping.expressionIsAdd.length;
  out.writeUnsigned(numExprs);
  for (let i = 0; i < numExprs * 2; i++) out.writeUnsigned(mapping.expressions[i]!);
  for (let i = 0; i < numExprs; i++) out.writeUnsigned(mapping.expressionIsAdd[i]!);
  out.writeUnsigned(mapping.regionCount);
  const r = mapping.regions;
  let previousLine = 0;
  for (let o = 0; o < mapping.regionCount * REGION_STRIDE; o += REGION_STRIDE) {
    const kind = r[o + R_KIND]!;
    const complete =
      (!hasExpandedFileId(kind) && r[o + R_EXPANDED_FILE_ID] !== 0) ||
      (!hasFalseCounter(kind) && r[o + R_FALSE_COUNTER] !== 0) ||
      (!hasMcdcParameters(kind) && (r[o + R_P0] !== 0 || r[o + R_P1] !== 0 || r[o + R_P2] !== 0));
    out.writeUnsigned(kind * 16 + (complete ? ALL_FIELDS : 0));
    out.writeUnsigned(r[o + R_FILE_ID]!);
    if (complete || hasExpandedFileId(kind)) out.writeUnsigned(r[o + R_EXPANDED_FILE_ID]!);
    const lineStart = r[o + R_LINE_START]!;
    out.writeSigned(lineStart - previousLine);
    previousLine = lineStart;
    out.writeUnsigned(r[o + R_COLUMN_START]!);
    out.writeSigned(r[o + R_LINE_END]! - lineStart);
    // whole-line regions end at column 0xffffffff: store end + 1 (mod 2^32) so that is one byte
    out.writeUnsigned((r[o + R_COLUMN_END]! + 1) % 0x100000000);
    out.writeUnsigned(r[o + R_COUNTER]!);
    if (complete || hasFalseCounter(kind)) out.writeUnsigned(r[o + R_FALSE_COUNTER]!);
    if (complete || hasMcdcParameters(kind)) {
      out.writeUnsigned(r[o + R_P0]!);
      out.writeUnsigned(r[o + R_P1]!);
      out.writeUnsigned(r[o + R_P2]!);
    }
  }
}

function readU32s(input: VarintReader, count: number): Uint32Array {
  const values = new Uint32Array(count);
  for (let i = 0; i < count; i++) values[i] = input.readU32();
  return values;
}

function checkedCount(input: VarintReader, what: string): number {
  const count = input.readUnsigned();
  // every counted item takes at least one byte of the stream
  if (count > 0x10000000) throw new RecordShapeError(`${what} count ${count} is implausible`);
  return count;
}

function readMapping(input: VarintReader, fileIds: Uint32Array | undefined): FunctionMapping {
  const fileIdToFilenameIndex = fileIds ?? readU32s(input, checkedCount(input, 'file id'));
  const numExprs = checkedCount(input, 'expression');
  const expressions = readU32s(input, numExprs * 2);
  const expressionIsAdd = new Uint8Array(numExprs);
  for (let i = 0; i < numExprs; i++) expressionIsAdd[i] = input.readUnsigned() === 1 ? 1 : 0;
  const regionCount = checkedCount(input, 'region');
  const regions = new Uint32Array(regionCount * REGION_STRIDE);
  let previousLine = 0;
  for (let o = 0; o < regions.length; o += REGION_STRIDE) {
    const head = input.readUnsigned();
    const kind = Math.floor(head / 16);
    const complete = (head & ALL_FIELDS) !== 0;
    if (kind > RegionKind.MCDCBranch) throw new RecordShapeError(`region kind ${kind}`);
    regions[o + R_KIND] = kind;
    regions[o + R_FILE_ID] = input.readU32();
    if (complete || hasExpandedFileId(kind)) regions[o + R_EXPANDED_FILE_ID] = input.readU32();
    const lineStart = previousLine + input.readSigned();
    previousLine = lineStart;
    regions[o + R_LINE_START] = lineStart;
    regions[o + R_COLUMN_START] = input.readU32();
    regions[o + R_LINE_END] = lineStart + input.readSigned();
    regions[o + R_COLUMN_END] = (input.readU32() + 0xffffffff) % 0x100000000;
    regions[o + R_COUNTER] = input.readU32();
    if (complete || hasFalseCounter(kind)) regions[o + R_FALSE_COUNTER] = input.readU32();
    if (complete || hasMcdcParameters(kind)) {
      regions[o + R_P0] = input.readU32();
      regions[o + R_P1] = input.readU32();
      regions[o + R_P2] = input.readU32();
    }
  }
  return { fileIdToFilenameIndex, expressions, expressionIsAdd, regions, regionCount };
}

/**
 * A record whose mapping is decoded when first read (then kept): a report needs only the copies
 * that win de-duplication, so most duplicates across objects are never decoded.
 */
class LazyRecord implements DecodedFunctionRecord {
  readonly nameRef: bigint;
  readonly funcHash: bigint;
  readonly filenamesRef: bigint;
  readonly byteOffset: number;
  readonly name?: string;
  readonly fileIds: Uint32Array | undefined;
  #decoded: FunctionMapping | undefined;
  readonly #bytes: Uint8Array;
  readonly #sharedFileIds: Uint32Array | undefined;

  constructor(
    base: Omit<DecodedFunctionRecord, 'mapping'>,
    bytes: Uint8Array,
    sharedFileIds: Uint32Array | undefined,
  ) {
    this.nameRef = base.nameRef;
    this.funcHash = base.funcHash;
    this.filenamesRef = base.filenamesRef;
    this.byteOffset = base.byteOffset;
    if (base.name !== undefined) this.name = base.name;
    this.fileIds = base.fileIds;
    this.#bytes = bytes;
    this.#sharedFileIds = sharedFileIds;
  }

  /** The stored mapping bytes, for writing the record again without decoding it. */
  storedMapping(): { readonly bytes: Uint8Array; readonly fileIdsShared: boolean } {
    return { bytes: this.#bytes, fileIdsShared: this.#sharedFileIds !== undefined };
  }

  get mapping(): FunctionMapping {
    if (this.#decoded === undefined) {
      const input = new VarintReader(this.#bytes);
      this.#decoded = readMapping(input, this.#sharedFileIds);
      if (!input.done) throw new RecordShapeError('mapping has bytes after its last region');
    }
    return this.#decoded;
  }
}

/**
 * A record's mapping, or why there is none; a stored mapping that turns out unreadable when
 * decoded lazily (damage the CRCs missed) becomes a failed record instead of stopping a merge.
 */
function readStoredMapping(record: DecodedFunctionRecord): {
  mapping: FunctionMapping | undefined;
  error: string | undefined;
} {
  try {
    return { mapping: record.mapping, error: record.error };
  } catch (error) {
    if (!(error instanceof RecordShapeError || error instanceof VarintError)) throw error;
    return { mapping: undefined, error: `stored mapping unreadable: ${error.message}` };
  }
}

/**
 * The MessagePack map of an object record.
 * @see ../../docs/covdb.md "Object record"
 */
export function encodeObject(object: StoredObject): Fields {
  const tableRefs = [...object.filenameTables.keys()];
  const tableIndex = new Map(tableRefs.map((ref, i) => [ref, i]));
  const extraRefs: bigint[] = [];
  const out = new VarintWriter();
  const scratch = new VarintWriter();
  const recordNames: string[] = [];
  const errors: string[] = [];
  let previousOffset = 0;
  for (const record of object.records) {
    let refIndex = tableIndex.get(record.filenamesRef);
    if (refIndex === undefined) {
      refIndex = tableRefs.length + extraRefs.length;
      tableIndex.set(record.filenamesRef, refIndex);
      extraRefs.push(record.filenamesRef);
    }
    const fileIds = record.fileIds;
    if (record instanceof LazyRecord) {
      // still encoded as read: copy the bytes, decoding nothing (merges, re-saves)
      const stored = record.storedMapping();
      out.writeUnsigned(
        HAS_MAPPING |
          (fileIds === undefined ? 0 : HAS_FILE_IDS) |
          (stored.fileIdsShared ? FILE_IDS_FROM_MAPPING : 0) |
          (record.name === undefined ? 0 : HAS_NAME),
      );
      out.writeSigned(record.byteOffset - previousOffset);
      previousOffset = record.byteOffset;
      out.writeUnsigned(refIndex);
      if (record.name !== undefined) recordNames.push(record.name);
      if (fileIds !== undefined) {
        out.writeUnsigned(fileIds.length);
        for (const id of fileIds) out.writeUnsigned(id);
      }
      out.writeUnsigned(stored.bytes.length);
      out.writeBytes(stored.bytes);
      continue;
    }
    const { mapping, error } = readStoredMapping(record);
    const fromMapping =
      mapping !== undefined &&
      fileIds !== undefined &&
      sameIds(fileIds, mapping.fileIdToFilenameIndex);
    const flags =
      (mapping === undefined ? 0 : HAS_MAPPING) |
      (fileIds === undefined ? 0 : HAS_FILE_IDS) |
      (fromMapping ? FILE_IDS_FROM_MAPPING : 0) |
      (record.name === undefined ? 0 : HAS_NAME);
    out.writeUnsigned(flags);
    out.writeSigned(record.byteOffset - previousOffset);
    previousOffset = record.byteOffset;
    out.writeUnsigned(refIndex);
    if (record.name !== undefined) recordNames.push(record.name);
    if (mapping === undefined) errors.push(error ?? '');
    if (fileIds !== undefined) {
      out.writeUnsigned(fileIds.length);
      for (const id of fileIds) out.writeUnsigned(id);
    }
    if (mapping !== undefined) {
      // length-prefixed, so a reader can skip mappings it never needs (duplicates across objects)
      scratch.reset();
      writeMapping(scratch, mapping, !fromMapping);
      out.writeUnsigned(scratch.view().length);
      out.writeBytes(scratch.view());
    }
  }
  return {
    path: object.path,
    version: object.version,
    tableRefs: u64sToBytes([...tableRefs, ...extraRefs]),
    tableCount: tableRefs.length,
    tables: [...object.filenameTables.values()],
    nameRefs: u64sToBytes([...object.names.keys()]),
    names: [...object.names.values()],
    warnings: encodeDiagnostics(object.warnings),
    functionCount: object.records.length,
    functionNameRefs: u64sToBytes(object.records.map((r) => r.nameRef)),
    functionHashes: u64sToBytes(object.records.map((r) => r.funcHash)),
    functionStream: out.finish(),
    errors,
    recordNames,
  };
}

/**
 * Rebuilds an object from its record map; mappings are decoded lazily, on first access (a
 * mapping damaged in a way the CRC missed then throws RecordShapeError or VarintError there).
 * @throws RecordShapeError (or VarintError) when the map does not have the documented shape
 */
export function decodeObject(fields: Fields): StoredObject {
  const refs = bytesToU64s(bytesField(fields, 'tableRefs'));
  const tableCount = intField(fields, 'tableCount');
  const tablesValue = fields['tables'];
  if (
    !Array.isArray(tablesValue) ||
    tablesValue.length !== tableCount ||
    tableCount > refs.length
  ) {
    throw new RecordShapeError('field tables does not match tableCount');
  }
  const filenameTables = new Map<bigint, readonly string[]>();
  tablesValue.forEach((table, i) => {
    if (!Array.isArray(table) || !table.every((f) => typeof f === 'string')) {
      throw new RecordShapeError(`filename table ${i} is not a list of strings`);
    }
    filenameTables.set(refs[i]!, table as string[]);
  });
  const nameRefs = bytesToU64s(bytesField(fields, 'nameRefs'));
  const nameList = stringsField(fields, 'names');
  if (nameList.length !== nameRefs.length) throw new RecordShapeError('names and nameRefs differ');
  const names = new Map<bigint, string>();
  nameRefs.forEach((ref, i) => names.set(ref, nameList[i]!));
  const count = intField(fields, 'functionCount');
  const functionNameRefs = bytesToU64s(bytesField(fields, 'functionNameRefs'));
  const functionHashes = bytesToU64s(bytesField(fields, 'functionHashes'));
  if (functionNameRefs.length !== count || functionHashes.length !== count) {
    throw new RecordShapeError('functionNameRefs/functionHashes do not match functionCount');
  }
  const errors = stringsField(fields, 'errors');
  const recordNames = stringsField(fields, 'recordNames');
  const input = new VarintReader(bytesField(fields, 'functionStream'));
  const records: DecodedFunctionRecord[] = [];
  let previousOffset = 0;
  let errorIndex = 0;
  let nameIndex = 0;
  for (let i = 0; i < count; i++) {
    const flags = input.readUnsigned();
    const byteOffset = previousOffset + input.readSigned();
    previousOffset = byteOffset;
    const refIndex = input.readUnsigned();
    const filenamesRef = refs[refIndex];
    if (filenamesRef === undefined) throw new RecordShapeError(`filenames ref index ${refIndex}`);
    let name: string | undefined;
    if ((flags & HAS_NAME) !== 0) {
      name = recordNames[nameIndex++];
      if (name === undefined) throw new RecordShapeError('fewer recordNames than records use');
    }
    const fileIds =
      (flags & HAS_FILE_IDS) !== 0 ? readU32s(input, checkedCount(input, 'file id')) : undefined;
    const base = {
      nameRef: functionNameRefs[i]!,
      funcHash: functionHashes[i]!,
      filenamesRef,
      byteOffset,
      ...(name === undefined ? {} : { name }),
      fileIds,
    };
    if ((flags & HAS_MAPPING) !== 0) {
      const length = input.readUnsigned();
      const start = input.offset;
      if (start + length > input.bytes.length) {
        throw new RecordShapeError(`function ${i}: mapping runs past the stream`);
      }
      input.offset += length;
      const shared = (flags & FILE_IDS_FROM_MAPPING) !== 0 ? fileIds : undefined;
      records.push(new LazyRecord(base, input.bytes.subarray(start, start + length), shared));
    } else {
      const error = errors[errorIndex++];
      if (error === undefined) throw new RecordShapeError('fewer errors than undecoded records');
      records.push({ ...base, mapping: undefined, error });
    }
  }
  if (!input.done) throw new RecordShapeError('functionStream has bytes after the last function');
  return {
    path: stringField(fields, 'path'),
    version: intField(fields, 'version'),
    filenameTables,
    names,
    records,
    warnings: diagnosticsField(fields, 'warnings'),
  };
}
