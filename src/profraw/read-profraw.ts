/**
 * Reader of raw instrumentation profiles (`.profraw`) versions 8, 9, 10 and 11 (LLVM 14–23), 32- and
 * 64-bit, either byte order, one or several module profiles per file.
 * @see ../../../shared/spec/formats.md §2, §6, §7
 */
import {
  ByteReader,
  CovError,
  decodePrfNames,
  formatOffset,
  type Diagnostic,
} from '../binary/index.js';
import { convertSingleByteCounters, copyU64Counters } from './counter-arrays.js';
import {
  RAW_PROFILE_VERSIONS,
  VARIANT_MASKS_ALL,
  VARIANT_MASK_BYTE_COVERAGE,
  VARIANT_MASK_DBG_CORRELATE,
  VARIANT_MASK_TEMPORAL_PROF,
  type RawProfileVersion,
} from './instr-prof-constants.js';
import {
  EXPECTED_INDEXED_MAGIC,
  EXPECTED_RAW_MAGICS,
  badMagicError,
  detectProfileMagic,
  formatBytes,
  type RawMagic,
} from './profile-magic.js';
import {
  formatHex64,
  locatedWarning,
  ProfileWarningCode,
  warningFromError,
} from './profile-warnings.js';
import { rawProfileLayout, type RawHeaderField, type RawProfileLayout } from './raw-layout.js';
import type { ProfileFile, ProfileRecord, RawProfileHeader } from './types.js';
import { skipValueProfData } from './value-prof-data.js';

/** Per-profile cap on "record skipped" warnings; the rest are summarised in one more warning. */
const MAX_RECORD_WARNINGS = 20;
/** Header sizes above 2^48 bytes cannot be real and would make offset sums inexact. */
const MAX_SECTION_BYTES = 2 ** 48;
const EMPTY_BITMAP = new Uint8Array(0);

/** Everything collected while walking the profiles of one file. */
interface RawReadState {
  readonly bytes: Uint8Array;
  readonly source: string;
  readonly magic: RawMagic;
  readonly records: ProfileRecord[];
  readonly names: string[];
  readonly warnings: Diagnostic[];
  readonly headers: RawProfileHeader[];
}

/**
 * Reads every module profile in a raw `.profraw` file.
 *
 * Returns one {@link ProfileRecord} per usable data record, in file order (profiles one after the
 * other), with counts as exact u64 values (single-byte counters converted, 0x00 ⇒ 1, else 0;
 * temporal timestamps and v11 uniform counters left out) and MC/DC bitmap bytes; `names` holds the
 * decoded names sections, `rawHeaders` one entry per profile.
 *
 * Fatal (thrown) only when nothing of the file can be trusted: a bad magic, an unsupported
 * version, or a first header that is cut short or inconsistent. Everything else is a warning and
 * reading goes on:
 * - a record with `NumCounters` 0, or whose counter, bitmap or uniform-counter offset points outside
 *   its section, is skipped and named (file, offset, index, NameRef, FuncHash);
 * - a profile cut short (a process killed while writing it) keeps the records whose data record,
 *   counters and bitmap bytes lie completely inside the file; one `E_TRUNCATED` warning says how
 *   many were lost, and reading stops there;
 * - bytes after a complete profile that are not another profile of the same magic and version
 *   (or a later header that is cut short) end the file with a warning; earlier profiles are kept.
 *
 * @param bytes the whole file
 * @param source file label for messages
 * @throws CovError `E_BAD_MAGIC` (first 8 bytes are no raw magic), `E_UNSUPPORTED_VERSION`
 *   (version other than 8, 9, 10, 11; the message names both), `E_TRUNCATED` (the first header is
 *   incomplete, at its offset), `E_MALFORMED` (the first header holds impossible sizes)
 * @see ../../../shared/spec/formats.md §2 (v8–v10), §7 (v11)
 */
export function readProfraw(bytes: Uint8Array, source: string): ProfileFile {
  const magic = detectProfileMagic(bytes, 0);
  if (magic === undefined || magic.kind !== 'raw') {
    const expected =
      magic?.kind === 'indexed'
        ? `${EXPECTED_RAW_MAGICS}; this is ${EXPECTED_INDEXED_MAGIC}, read it with readProfdata`
        : EXPECTED_RAW_MAGICS;
    throw badMagicError(bytes, source, expected);
  }
  const state: RawReadState = {
    bytes,
    source,
    magic,
    records: [],
    names: [],
    warnings: [],
    headers: [],
  };
  let headerOffset = 0;
  for (;;) {
    let end: number | undefined;
    try {
      end = readModuleProfile(state, headerOffset);
    } catch (error) {
      if (state.headers.length === 0 || !(error instanceof CovError)) throw error;
      state.warnings.push(
        warningFromError(error, `profile at ${formatOffset(headerOffset)} ignored: `),
      );
      break;
    }
    if (end === undefined) break;
    const next = findNextHeader(state, end);
    if (next === undefined) break;
    headerOffset = next;
  }
  const versions = [...new Set(state.headers.map((header) => header.version))];
  return {
    source,
    format: 'profraw',
    versions,
    records: state.records,
    names: state.names,
    warnings: state.warnings,
    rawHeaders: state.headers,
  };
}

/**
 * Position of the next profile after a complete one ending at `from` (§2.11): skip 0x00 padding;
 * the header must be 8-aligned and carry the same magic. Returns undefined at the end of the file
 * or, with a warning, when the remaining bytes are not a profile.
 */
function findNextHeader(state: RawReadState, from: number): number | undefined {
  const { bytes, source, magic } = state;
  let offset = from;
  while (offset < bytes.length && bytes[offset] === 0) offset++;
  if (offset >= bytes.length) return undefined;
  if (offset % 8 !== 0) {
    state.warnings.push(
      locatedWarning(
        ProfileWarningCode.Malformed,
        `${bytes.length - offset} bytes after the last profile are not a profile: a next header ` +
          `would have to start 8-aligned; ignored`,
        source,
        offset,
      ),
    );
    return undefined;
  }
  const next = detectProfileMagic(bytes, offset);
  if (
    next?.kind !== 'raw' ||
    next.pointerBytes !== magic.pointerBytes ||
    next.littleEndian !== magic.littleEndian
  ) {
    const found = formatBytes(bytes.subarray(offset, Math.min(offset + 8, bytes.length)));
    state.warnings.push(
      locatedWarning(
        ProfileWarningCode.BadMagic,
        `${bytes.length - offset} bytes after the last profile are not a profile of the same ` +
          `kind (found ${found}, expected the magic of the first profile); ignored`,
        source,
        offset,
      ),
    );
    return undefined;
  }
  return offset;
}

function isRawVersion(version: number): version is RawProfileVersion {
  return (RAW_PROFILE_VERSIONS as readonly number[]).includes(version);
}

function unsupportedVersionDetail(version: number): string {
  const hint =
    version > 11
      ? ' (written by an LLVM newer than 23)'
      : version < 8
        ? ' (written by LLVM 13 or older)'
        : '';
  return `raw profile version ${version} is not supported${hint}; cov reads raw profile versions ${RAW_PROFILE_VERSIONS.join(', ')}`;
}

type HeaderValues = Record<RawHeaderField, bigint>;

/** Reads the header at `base`, every field a u64 in the profile's byte order (0 when absent). */
function readHeaderFields(
  reader: ByteReader,
  layout: RawProfileLayout,
  base: number,
): HeaderValues {
  const values: HeaderValues = {
    Magic: 0n,
    Version: 0n,
    BinaryIdsSize: 0n,
    NumData: 0n,
    PaddingBytesBeforeCounters: 0n,
    NumCounters: 0n,
    PaddingBytesAfterCounters: 0n,
    NumBitmapBytes: 0n,
    PaddingBytesAfterBitmapBytes: 0n,
    NumUniformCounters: 0n,
    PaddingBytesAfterUniformCounters: 0n,
    UniformCountersDelta: 0n,
    NamesSize: 0n,
    CountersDelta: 0n,
    BitmapDelta: 0n,
    NamesDelta: 0n,
    NumVTables: 0n,
    VNamesSize: 0n,
    ValueKindLast: 0n,
  };
  reader.offset = base;
  reader.need(layout.headerBytes, `raw profile v${layout.version} header`);
  for (const field of layout.headerFields) values[field] = reader.u64(`header ${field}`);
  return values;
}

/** pad8(n) = (8 − n mod 8) mod 8 (§2.4). */
function pad8(byteCount: number): number {
  return (8 - (byteCount % 8)) % 8;
}

/**
 * Reads the module profile whose header is at `base` into `state`.
 * @returns the offset just past its value-profile data, or undefined when nothing can follow
 *   (the profile is cut short or its value data is corrupt; a warning was added)
 * @throws CovError for an unusable header (the caller decides whether that is fatal)
 */
function readModuleProfile(state: RawReadState, base: number): number | undefined {
  const { bytes, source, magic } = state;
  const fileEnd = bytes.length;
  const reader = new ByteReader(bytes, { source, littleEndian: magic.littleEndian });
  reader.offset = base + 8;
  const versionWord = reader.u64('raw profile header: Version');
  const version = Number(versionWord & 0xffffffffn);
  if (!isRawVersion(version)) {
    throw reader.error('E_UNSUPPORTED_VERSION', unsupportedVersionDetail(version), base + 8);
  }
  const firstVersion = state.headers[0]?.version;
  if (firstVersion !== undefined && version !== firstVersion) {
    throw reader.error(
      'E_UNSUPPORTED_VERSION',
      `raw profile version ${version} follows a version ${firstVersion} profile in the same file; ` +
        `LLVM requires one version per file`,
      base + 8,
    );
  }
  const layout = rawProfileLayout(version, magic.pointerBytes);
  const h = readHeaderFields(reader, layout, base);
  const fieldOffset = (field: RawHeaderField): number =>
    base + 8 * layout.headerFields.indexOf(field);
  const size = (field: RawHeaderField, unitBytes = 1): number => {
    const value = h[field] * BigInt(unitBytes);
    if (value > BigInt(MAX_SECTION_BYTES)) {
      throw reader.error(
        'E_MALFORMED',
        `header ${field} = ${h[field]} is impossibly large (corrupt header)`,
        fieldOffset(field),
      );
    }
    return Number(value);
  };

  const singleByte = (versionWord & VARIANT_MASK_BYTE_COVERAGE) !== 0n;
  const temporal = (versionWord & VARIANT_MASK_TEMPORAL_PROF) !== 0n;
  const correlated = (versionWord & VARIANT_MASK_DBG_CORRELATE) !== 0n;
  const counterBytes = singleByte ? 1 : 8;
  const rec = layout.dataRecord;

  const binaryIdsSize = size('BinaryIdsSize');
  if (binaryIdsSize % 8 !== 0) {
    throw reader.error(
      'E_MALFORMED',
      `header BinaryIdsSize ${binaryIdsSize} is not a multiple of 8`,
      fieldOffset('BinaryIdsSize'),
    );
  }
  const numData = size('NumData');
  const countersSize = size('NumCounters', counterBytes);
  const bitmapSize = size('NumBitmapBytes');
  const uniformSize = size('NumUniformCounters', 8);
  const namesSize = size('NamesSize');
  const vtablesSize = size('NumVTables', layout.vtableRecordBytes);
  const vnamesSize = size('VNamesSize');

  // Section offsets, absolute in the file (§2.4, §7.3).
  const binaryIdsStart = base + layout.headerBytes;
  const dataStart = binaryIdsStart + binaryIdsSize;
  const countersStart =
    dataStart + size('NumData', rec.sizeBytes) + size('PaddingBytesBeforeCounters');
  const bitmapStart = countersStart + countersSize + size('PaddingBytesAfterCounters');
  const uniformStart = bitmapStart + bitmapSize + size('PaddingBytesAfterBitmapBytes');
  const namesStart = uniformStart + uniformSize + size('PaddingBytesAfterUniformCounters');
  const namesEnd = namesStart + namesSize;
  const vtablesStart = namesEnd + pad8(namesSize);
  const vnamesStart = vtablesStart + vtablesSize + pad8(vtablesSize);
  const valueDataStart = vnamesStart + vnamesSize + pad8(vnamesSize);
  const truncated = valueDataStart > fileEnd;

  const binaryIds =
    dataStart <= fileEnd ? readBinaryIds(state, reader, binaryIdsStart, dataStart) : [];
  state.headers.push({
    version,
    variantFlags: versionWord & VARIANT_MASKS_ALL,
    pointerBytes: magic.pointerBytes,
    littleEndian: magic.littleEndian,
    singleByteCounters: singleByte,
    byteOffset: base,
    temporalProfile: temporal,
    numData,
    binaryIds,
  });
  const where = `profile at ${formatOffset(base)}`;

  if (correlated) {
    state.warnings.push(
      locatedWarning(
        ProfileWarningCode.CorrelatedProfile,
        `${where} was written for debug-info/binary correlation (version flag bit 59): its ` +
          `counters cannot be attributed without the binary; ignored`,
        source,
        base + 8,
      ),
    );
  }

  // Running deltas: LLVM lowers each by the record size after every record (§2.7, §7.4).
  const pointerBits = magic.pointerBytes * 8;
  const recordBytes = BigInt(rec.sizeBytes);
  let countersDelta = BigInt.asUintN(pointerBits, h.CountersDelta);
  let bitmapDelta = BigInt.asUintN(pointerBits, h.BitmapDelta);
  let uniformDelta = BigInt.asUintN(pointerBits, h.UniformCountersDelta);
  const timestampSlots = temporal ? (singleByte ? 8 : 1) : 0;

  let recordWarnings = 0;
  let lostToTruncation = 0;
  let kept = 0;
  let valueBlobs = 0;
  const skip = (
    index: number,
    recordOffset: number,
    nameRef: bigint,
    funcHash: bigint,
    detail: string,
  ): void => {
    recordWarnings++;
    if (recordWarnings > MAX_RECORD_WARNINGS) return;
    const record = `NameRef ${formatHex64(nameRef)}, FuncHash ${formatHex64(funcHash)}`;
    state.warnings.push(
      locatedWarning(
        ProfileWarningCode.Malformed,
        `data record ${index} (${record}) of the ${where}: ${detail}; record skipped`,
        source,
        recordOffset,
      ),
    );
  };
  // u64 counters are copied once per profile; records get views into the copy (no per-record
  // buffer). Only the part of the section that is inside the file is copied.
  let sectionCounts: BigUint64Array | undefined;
  const sectionCountsAvailable = Math.floor(
    Math.max(0, Math.min(countersSize, fileEnd - countersStart)) / 8,
  );

  const recordsToRead = correlated ? 0 : numData;
  for (
    let index = 0;
    index < recordsToRead;
    index++, countersDelta -= recordBytes, bitmapDelta -= recordBytes, uniformDelta -= recordBytes
  ) {
    const recordOffset = dataStart + index * rec.sizeBytes;
    if (recordOffset + rec.sizeBytes > fileEnd) {
      lostToTruncation += recordsToRead - index;
      break;
    }
    reader.offset = recordOffset + rec.nameRef;
    const nameRef = reader.u64('data record NameRef');
    const funcHash = reader.u64('data record FuncHash');
    reader.offset = recordOffset + rec.counterPtr;
    const counterPtr = reader.uptr(magic.pointerBytes, 'data record CounterPtr');
    reader.offset = recordOffset + rec.numCounters;
    const numCounters = reader.u32('data record NumCounters');
    for (let kind = 0; kind < rec.numValueKinds; kind++) {
      if (reader.u16('data record NumValueSites') !== 0) {
        valueBlobs++;
        break;
      }
    }
    let numBitmapBytes = 0;
    if (rec.numBitmapBytes >= 0) {
      reader.offset = recordOffset + rec.numBitmapBytes;
      numBitmapBytes = reader.u32('data record NumBitmapBytes');
    }

    if (numCounters === 0) {
      skip(index, recordOffset, nameRef, funcHash, 'NumCounters is 0');
      continue;
    }
    const counterOffset = checkedOffset(
      BigInt.asIntN(pointerBits, counterPtr - countersDelta),
      countersSize,
      numCounters,
      counterBytes,
      'counter',
    );
    if (typeof counterOffset === 'string') {
      skip(index, recordOffset, nameRef, funcHash, counterOffset);
      continue;
    }
    if (numCounters < timestampSlots) {
      skip(
        index,
        recordOffset,
        nameRef,
        funcHash,
        `temporal timestamp needs ${timestampSlots} counter slots, the function has ${numCounters}`,
      );
      continue;
    }
    let bitmapOffset = 0;
    if (numBitmapBytes > 0) {
      reader.offset = recordOffset + rec.bitmapPtr;
      const bitmapPtr = reader.uptr(magic.pointerBytes, 'data record BitmapPtr');
      const checked = checkedOffset(
        BigInt.asIntN(pointerBits, bitmapPtr - bitmapDelta),
        bitmapSize,
        numBitmapBytes,
        1,
        'bitmap',
      );
      if (typeof checked === 'string') {
        skip(index, recordOffset, nameRef, funcHash, checked);
        continue;
      }
      bitmapOffset = checked;
    }
    if (uniformSize > 0 && rec.uniformCounterPtr >= 0) {
      // v11 GPU uniform counters: located and validated as LLVM does, never returned (§7.4).
      reader.offset = recordOffset + rec.uniformCounterPtr;
      const uniformPtr = reader.uptr(magic.pointerBytes, 'data record UniformCounterPtr');
      const checked = checkedOffset(
        BigInt.asIntN(pointerBits, uniformPtr - uniformDelta),
        uniformSize,
        numCounters,
        8,
        'uniform counter',
      );
      if (typeof checked === 'string') {
        skip(index, recordOffset, nameRef, funcHash, checked);
        continue;
      }
    }
    const countersAt = countersStart + counterOffset;
    const bitmapAt = bitmapStart + bitmapOffset;
    if (
      countersAt + numCounters * counterBytes > fileEnd ||
      (numBitmapBytes > 0 && bitmapAt + numBitmapBytes > fileEnd)
    ) {
      lostToTruncation++;
      continue;
    }
    const valuesAt = countersAt + timestampSlots * counterBytes;
    const numValues = numCounters - timestampSlots;
    let counts: BigUint64Array;
    if (singleByte) {
      counts = convertSingleByteCounters(bytes, valuesAt, numValues);
    } else if (counterOffset % 8 === 0) {
      sectionCounts ??= copyU64Counters(
        bytes,
        countersStart,
        sectionCountsAvailable,
        magic.littleEndian,
      );
      const first = counterOffset / 8 + timestampSlots;
      counts = sectionCounts.subarray(first, first + numValues);
    } else {
      counts = copyU64Counters(bytes, valuesAt, numValues, magic.littleEndian);
    }
    const bitmap =
      numBitmapBytes === 0 ? EMPTY_BITMAP : bytes.slice(bitmapAt, bitmapAt + numBitmapBytes);
    state.records.push({ nameRef, funcHash, counts, bitmap });
    kept++;
  }
  if (recordWarnings > MAX_RECORD_WARNINGS) {
    state.warnings.push(
      locatedWarning(
        ProfileWarningCode.Malformed,
        `${recordWarnings - MAX_RECORD_WARNINGS} more data records of the ${where} skipped ` +
          `(only the first ${MAX_RECORD_WARNINGS} are listed)`,
        source,
        dataStart,
      ),
    );
  }

  const namesPresent = namesEnd <= fileEnd;
  if (namesPresent && namesSize > 0) {
    try {
      state.names.push(...decodePrfNames(bytes.subarray(namesStart, namesEnd), source, namesStart));
    } catch (error) {
      if (!(error instanceof CovError)) throw error;
      state.warnings.push(warningFromError(error, `names of the ${where} ignored: `));
    }
  }

  if (truncated) {
    const lost =
      lostToTruncation > 0
        ? `${lostToTruncation} skipped because their data, counters or bitmap bytes lie past the end`
        : 'none lost';
    state.warnings.push(
      locatedWarning(
        ProfileWarningCode.Truncated,
        `${where} (raw v${version}) is cut short: its header describes sections up to ` +
          `${formatOffset(valueDataStart)} but the file ends at ${formatOffset(fileEnd)} (a process ` +
          `killed while writing it, or a corrupt header); kept ${kept} of ${recordsToRead} data ` +
          `records, ${lost}${namesPresent ? '' : '; names section missing'}`,
        source,
        fileEnd,
      ),
    );
    return undefined;
  }

  reader.offset = valueDataStart;
  for (let blob = 0; blob < valueBlobs; blob++) {
    try {
      skipValueProfData(reader, `value-profile data ${blob} of the ${where}`);
    } catch (error) {
      if (!(error instanceof CovError)) throw error;
      state.warnings.push(
        warningFromError(error, 'counters kept, but nothing after this point can be read: '),
      );
      return undefined;
    }
  }
  return reader.offset;
}

/**
 * Validates a byte offset into a section as LLVM's raw reader does (§2.7): not negative, inside the
 * section, and `count` entries of `entryBytes` fit. Returns the offset, or the reason it is bad.
 */
function checkedOffset(
  offset: bigint,
  sectionBytes: number,
  count: number,
  entryBytes: number,
  what: 'counter' | 'bitmap' | 'uniform counter',
): number | string {
  if (offset < 0n) return `${what} offset ${offset} is negative`;
  if (offset >= BigInt(sectionBytes)) {
    return `${what} offset ${offset} is greater than the maximum ${what} offset ${sectionBytes - 1}`;
  }
  const start = Number(offset);
  const room = Math.floor((sectionBytes - start) / entryBytes);
  if (count > room) {
    const plural = what === 'bitmap' ? 'bitmap bytes' : `${what}s`;
    return `number of ${plural} ${count} is greater than the maximum number of ${plural} ${room}`;
  }
  return start;
}

/**
 * Binary IDs between `start` and `end` (§2.5): u64 length, bytes, zero padding to 8. Problems are
 * warnings (the IDs are informational); the IDs read before the problem are kept.
 */
function readBinaryIds(
  state: RawReadState,
  reader: ByteReader,
  start: number,
  end: number,
): string[] {
  const ids: string[] = [];
  let offset = start;
  while (offset < end) {
    const problem = (detail: string): string[] => {
      state.warnings.push(
        locatedWarning(
          ProfileWarningCode.Malformed,
          `binary id: ${detail}; rest ignored`,
          state.source,
          offset,
        ),
      );
      return ids;
    };
    if (end - offset < 8) return problem('no room for the u64 length');
    reader.offset = offset;
    const length = reader.u64('binary id length');
    if (length === 0n) return problem('length is 0');
    if (length > BigInt(end - offset - 8)) {
      return problem(`length ${length} runs past the binary id section`);
    }
    const byteLength = Number(length);
    ids.push(hex(state.bytes.subarray(offset + 8, offset + 8 + byteLength)));
    offset += 8 + byteLength + pad8(byteLength);
  }
  return ids;
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}
