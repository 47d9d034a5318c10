/**
 * Profile records (type 2): the merged (not `-sparse`) counters per (NameRef, FuncHash), counts as
 * exact little-endian u64 words.
 * @see ../../docs/covdb.md "Profile record"
 */
import type { ProfileRecord } from '../profraw/index.js';
import {
  RecordShapeError,
  bytesField,
  diagnosticsField,
  encodeDiagnostics,
  intField,
  type Fields,
} from './record-fields.js';
import type { StoredProfile } from './types.js';
import { bytesToU64s, u64sToBytes } from './u64-bytes.js';
import { VarintReader, VarintWriter } from './varint.js';

/** The MessagePack map of a profile record. */
export function encodeProfile(profile: StoredProfile): Fields {
  const lengths = new VarintWriter();
  let totalCounts = 0;
  let totalBitmap = 0;
  for (const record of profile.records) {
    lengths.writeUnsigned(record.counts.length);
    lengths.writeUnsigned(record.bitmap.length);
    totalCounts += record.counts.length;
    totalBitmap += record.bitmap.length;
  }
  const counts = new BigUint64Array(totalCounts);
  const bitmaps = new Uint8Array(totalBitmap);
  let c = 0;
  let b = 0;
  for (const record of profile.records) {
    counts.set(record.counts, c);
    c += record.counts.length;
    bitmaps.set(record.bitmap, b);
    b += record.bitmap.length;
  }
  return {
    recordCount: profile.records.length,
    nameRefs: u64sToBytes(profile.records.map((r) => r.nameRef)),
    funcHashes: u64sToBytes(profile.records.map((r) => r.funcHash)),
    lengths: lengths.finish(),
    counts: u64sToBytes(counts),
    bitmaps,
    warnings: encodeDiagnostics(profile.warnings),
  };
}

/**
 * Rebuilds the profile from its record map.
 * @throws RecordShapeError (or VarintError) when the map does not have the documented shape
 */
export function decodeProfile(fields: Fields): StoredProfile {
  const count = intField(fields, 'recordCount');
  const nameRefs = bytesToU64s(bytesField(fields, 'nameRefs'));
  const funcHashes = bytesToU64s(bytesField(fields, 'funcHashes'));
  if (nameRefs.length !== count || funcHashes.length !== count) {
    throw new RecordShapeError('nameRefs/funcHashes do not match recordCount');
  }
  const counts = bytesToU64s(bytesField(fields, 'counts'));
  const bitmaps = bytesField(fields, 'bitmaps');
  const lengths = new VarintReader(bytesField(fields, 'lengths'));
  const records: ProfileRecord[] = [];
  let c = 0;
  let b = 0;
  for (let i = 0; i < count; i++) {
    const numCounts = lengths.readUnsigned();
    const numBitmap = lengths.readUnsigned();
    if (c + numCounts > counts.length || b + numBitmap > bitmaps.length) {
      throw new RecordShapeError(`record ${i} runs past the counts or bitmaps`);
    }
    records.push({
      nameRef: nameRefs[i]!,
      funcHash: funcHashes[i]!,
      counts: counts.subarray(c, c + numCounts),
      bitmap: bitmaps.slice(b, b + numBitmap),
    });
    c += numCounts;
    b += numBitmap;
  }
  if (c !== counts.length || b !== bitmaps.length || !lengths.done) {
    throw new RecordShapeError('counts or bitmaps hold more than the records use');
  }
  return { records, warnings: diagnosticsField(fields, 'warnings') };
}
