/**
 * Reader of indexed instrumentation profiles (`.profdata`) versions 7 to 13 (llvm-profdata 14–22),
 * always little-endian.
 * @see ../../../shared/spec/formats.md §3
 */
import { ByteReader, CovError, md5Hash64, type Diagnostic } from '../binary/index.js';
import { copyU64Counters } from './counter-arrays.js';
import {
  INDEXED_PROFILE_MAX_VERSION,
  INDEXED_PROFILE_MIN_VERSION,
  VARIANT_MASK_CSIR_PROF,
} from './instr-prof-constants.js';
import { EXPECTED_INDEXED_MAGIC, badMagicError, detectProfileMagic } from './profile-magic.js';
import {
  formatHex64,
  locatedWarning,
  ProfileWarningCode,
  warningFromError,
} from './profile-warnings.js';
import type { ProfileFile, ProfileRecord } from './types.js';
import { skipValueProfData } from './value-prof-data.js';

const EMPTY_BITMAP = new Uint8Array(0);
const utf8 = new TextDecoder('utf-8');

/**
 * Reads every function record of an indexed `.profdata` file.
 *
 * Returns one {@link ProfileRecord} per (name, FuncHash) record in bucket order; `nameRef` is the
 * MD5-64 of the key (the PGO function name), `counts` exact u64 values, `bitmap` the MC/DC bitmap
 * bytes (v11+, stored one per u64; earlier versions have none). `names` lists the keys in the same
 * order. Summaries, value-profile data, memprof, binary ids, vtable names and temporal traces are
 * skipped.
 *
 * The function table is walked through its bucket offsets, so a corrupt item only loses its own
 * bucket (`E_MALFORMED`/`E_TRUNCATED` warning naming offset and cause); an item whose records
 * cannot all be decoded contributes none of them, as in LLVM.
 *
 * @param bytes the whole file
 * @param source file label for messages
 * @throws CovError `E_BAD_MAGIC` (not `ff 6c 70 72 6f 66 69 81`), `E_UNSUPPORTED_VERSION`
 *   (version outside 7–13; the message names it), `E_MALFORMED` (hash type other than MD5, a
 *   bucket count that is not a power of two), `E_TRUNCATED` (header, summary or bucket array
 *   past the end of the file)
 * @see ../../../shared/spec/formats.md §3
 */
export function readProfdata(bytes: Uint8Array, source: string): ProfileFile {
  const magic = detectProfileMagic(bytes, 0);
  if (magic?.kind !== 'indexed') {
    const expected =
      magic?.kind === 'raw'
        ? `${EXPECTED_INDEXED_MAGIC}; this is a raw profile, read it with readProfraw`
        : EXPECTED_INDEXED_MAGIC;
    throw badMagicError(bytes, source, expected);
  }
  const reader = new ByteReader(bytes, { source, littleEndian: true });
  reader.offset = 8;
  const versionWord = reader.u64('indexed header: Version');
  const version = Number(versionWord & 0xffffffffn);
  if (version < INDEXED_PROFILE_MIN_VERSION || version > INDEXED_PROFILE_MAX_VERSION) {
    const hint =
      version > INDEXED_PROFILE_MAX_VERSION ? ' (written by llvm-profdata 23 or newer)' : '';
    throw reader.error(
      'E_UNSUPPORTED_VERSION',
      `indexed profile version ${version} is not supported${hint}; cov reads indexed profile ` +
        `versions ${INDEXED_PROFILE_MIN_VERSION} to ${INDEXED_PROFILE_MAX_VERSION}`,
      8,
    );
  }
  reader.u64('indexed header: Unused');
  const hashTypeOffset = reader.offset;
  const hashType = reader.u64('indexed header: HashType');
  if (hashType !== 0n) {
    throw reader.error('E_MALFORMED', `hash type ${hashType} is not MD5 (0)`, hashTypeOffset);
  }
  const hashOffset = reader.u64Number('indexed header: HashOffset');
  if (version >= 8) reader.u64('indexed header: MemProfOffset');
  if (version >= 9) reader.u64('indexed header: BinaryIdOffset');
  if (version >= 10) reader.u64('indexed header: TemporalProfTracesOffset');
  if (version >= 12) reader.u64('indexed header: VTableNamesOffset');

  skipSummary(reader, 'profile summary');
  if ((versionWord & VARIANT_MASK_CSIR_PROF) !== 0n)
    skipSummary(reader, 'context-sensitive summary');
  const payloadStart = reader.offset;

  if (hashOffset < payloadStart || hashOffset + 16 > bytes.length) {
    const code = hashOffset < payloadStart ? 'E_MALFORMED' : 'E_TRUNCATED';
    throw reader.error(
      code,
      `HashOffset 0x${hashOffset.toString(16)} does not leave room for the hash table in the ` +
        `${bytes.length}-byte file (payload starts at 0x${payloadStart.toString(16)})`,
      code === 'E_TRUNCATED' ? bytes.length : 32,
    );
  }
  reader.offset = hashOffset;
  const numBuckets = reader.u64Number('hash table: NumBuckets');
  const numEntries = reader.u64Number('hash table: NumEntries');
  if (numBuckets === 0 || (numBuckets & (numBuckets - 1)) !== 0) {
    throw reader.error(
      'E_MALFORMED',
      `hash table: NumBuckets ${numBuckets} is not a power of two`,
      hashOffset,
    );
  }
  reader.need(numBuckets * 8, `hash table: ${numBuckets} bucket offsets`);
  const bucketsAt = reader.offset;

  const records: ProfileRecord[] = [];
  const names: string[] = [];
  const warnings: Diagnostic[] = [];
  let items = 0;
  for (let bucket = 0; bucket < numBuckets; bucket++) {
    reader.offset = bucketsAt + bucket * 8;
    const bucketOffset = reader.u64Number('hash table: bucket offset');
    if (bucketOffset === 0) continue;
    if (bucketOffset < payloadStart || bucketOffset >= hashOffset) {
      warnings.push(
        locatedWarning(
          ProfileWarningCode.Malformed,
          `bucket ${bucket} offset 0x${bucketOffset.toString(16)} is outside the function table ` +
            `payload [0x${payloadStart.toString(16)}, 0x${hashOffset.toString(16)}); bucket ignored`,
          source,
          bucketsAt + bucket * 8,
        ),
      );
      continue;
    }
    items += readBucket(reader, bucketOffset, version, { records, names, warnings });
  }
  if (items !== numEntries) {
    warnings.push(
      locatedWarning(
        ProfileWarningCode.Malformed,
        `hash table announces ${numEntries} entries, ${items} were read`,
        source,
        hashOffset,
      ),
    );
  }
  return { source, format: 'profdata', versions: [version], records, names, warnings };
}

/** Skips one profile summary (v4+): u64 NumSummaryFields, u64 NumCutoffEntries, fields, entries. */
function skipSummary(reader: ByteReader, what: string): void {
  const numFields = reader.u64Number(`${what}: NumSummaryFields`);
  const numCutoffs = reader.u64Number(`${what}: NumCutoffEntries`);
  reader.skip((numFields + 3 * numCutoffs) * 8, `${what}: fields and cutoff entries`);
}

interface IndexedOutput {
  readonly records: ProfileRecord[];
  readonly names: string[];
  readonly warnings: Diagnostic[];
}

/**
 * Reads the bucket at `bucketOffset` (u16 item count, then items) into `out`.
 * @returns the number of items read
 */
function readBucket(
  reader: ByteReader,
  bucketOffset: number,
  version: number,
  out: IndexedOutput,
): number {
  let read = 0;
  try {
    reader.offset = bucketOffset;
    const count = reader.u16('bucket: item count');
    for (let item = 0; item < count; item++) {
      const itemOffset = reader.offset;
      const keyHash = reader.u64('item: KeyHash');
      const keyLen = reader.u64Number('item: KeyLen');
      const dataLen = reader.u64Number('item: DataLen');
      const key = reader.take(keyLen, 'item: key');
      const data = reader.sub(dataLen, 'item: data');
      read++;
      const name = utf8.decode(key);
      const nameRef = md5Hash64(key);
      if (nameRef !== keyHash) {
        out.warnings.push(
          locatedWarning(
            ProfileWarningCode.Malformed,
            `item "${name}": stored key hash ${formatHex64(keyHash)} is not its MD5-64 ` +
              `${formatHex64(nameRef)}; using the MD5-64`,
            reader.source,
            itemOffset,
          ),
        );
      }
      try {
        out.records.push(...readItemRecords(data, version, nameRef));
        out.names.push(name);
      } catch (error) {
        if (!(error instanceof CovError)) throw error;
        out.warnings.push(warningFromError(error, `records of "${name}" ignored: `));
      }
    }
  } catch (error) {
    if (!(error instanceof CovError)) throw error;
    out.warnings.push(warningFromError(error, 'rest of the bucket ignored: '));
  }
  return read;
}

/**
 * Decodes the item data of one name: records of u64 FuncHash, u64 NumCounts, counts, (v11+) u64
 * NumBitmapBytes and one u64 per bitmap byte, then a ValueProfData blob, until the data ends.
 * @throws CovError when a record runs past the item
 */
function readItemRecords(data: ByteReader, version: number, nameRef: bigint): ProfileRecord[] {
  const records: ProfileRecord[] = [];
  while (data.remaining > 0) {
    const funcHash = data.u64('record: FuncHash');
    const numCounts = data.u64Number('record: NumCounts');
    data.need(numCounts * 8, `record: ${numCounts} counts`);
    const counts = copyU64Counters(data.bytes, data.offset, numCounts, true);
    data.offset += numCounts * 8;
    let bitmap = EMPTY_BITMAP;
    if (version >= 11) {
      const numBitmapBytes = data.u64Number('record: NumBitmapBytes');
      data.need(numBitmapBytes * 8, `record: ${numBitmapBytes} bitmap bytes`);
      if (numBitmapBytes > 0) {
        bitmap = new Uint8Array(numBitmapBytes);
        // One byte value per little-endian u64: its low byte (§3, §6 item 10).
        for (let i = 0; i < numBitmapBytes; i++) bitmap[i] = data.bytes[data.offset + i * 8]!;
        data.offset += numBitmapBytes * 8;
      }
    }
    skipValueProfData(data, 'record');
    records.push({ nameRef, funcHash, counts, bitmap });
  }
  return records;
}
