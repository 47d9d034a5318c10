/**
 * `__llvm_covmap` (`__LLVM_COV,__llvm_covmap`, `.lcovmap`): per-TU entries, covmap Version1–Version7
 * (field values 0–6). Before Version4 the entries also carry the function records and their
 * mapping data.
 * @see ../../../shared/spec/formats.md §4.2, §4.3
 */
import { ByteReader, md5Hash64, type Diagnostic } from '../binary/index.js';
import { CovMapVersion, checkCovmapVersion } from './covmap-version.js';
import { addFilenameTable, createFilenameTables } from './filename-table.js';
import { decodeFilenamesBlob } from './filenames-blob.js';
import type { CovfunRecord } from './types.js';
import { covmapWarning } from './warnings.js';

/** Options for {@link readCovmapSection}. */
export interface ReadCovmapOptions {
  /** Byte order of the target (header u32s, pre-Version4 record fields). */
  readonly littleEndian: boolean;
  /** Target pointer size; only Version1 records (NamePtr) depend on it. */
  readonly pointerBytes: 4 | 8;
  /** llvm-cov's `-compilation-dir`: base for relative names instead of list entry 0 (Version6+). */
  readonly compilationDir?: string;
  /** Absolute offset of `bytes[0]` in `source`, for error offsets (default 0). */
  readonly baseOffset?: number;
  /**
   * The names section and its load address, used only to read Version1 names (NamePtr −
   * address). Without it Version1 records keep their NamePtr as `nameRef` and a warning is given.
   */
  readonly names?: { readonly address: bigint; readonly bytes: Uint8Array };
}

/** What one `__llvm_covmap` section holds. */
export interface CovmapSection {
  /** `Version` field of the first entry (0 = Version1 … 6 = Version7); −1 for an empty section. */
  readonly version: number;
  /** FilenamesRef (MD5-64 of the stored blob) → filename list; invalid refs are absent. */
  readonly filenameTables: Map<bigint, string[]>;
  /** FilenamesRefs seen with two different lists (LLVM skips their functions). */
  readonly invalidFilenamesRefs: ReadonlySet<bigint>;
  /**
   * Version1–Version3 only: the function records of every entry in section order, each with its
   * mapping bytes and its entry's FilenamesRef; `byteOffset` is the record's absolute offset.
   */
  readonly legacyRecords: CovfunRecord[];
  readonly warnings: Diagnostic[];
}

const utf8 = new TextDecoder('utf-8');

/**
 * Reads every entry of a covmap section: 4×u32 header (NRecords, FilenamesSize, CoverageSize,
 * Version), pre-Version4 function records, the filenames blob, pre-Version4 mapping data, padding
 * to 8 bytes (relative to the section start). The first entry's version applies to the whole
 * section. Trailing all-zero bytes are treated as padding.
 * @param bytes the section contents
 * @param source section label for errors and warnings (e.g. `main: __llvm_covmap`)
 * @returns version, filename tables and (before Version4) the function records
 * @throws CovError `E_UNSUPPORTED_VERSION` when the first entry's field is above 6;
 *   `E_TRUNCATED` when a header, record array, filenames blob or mapping area runs past the
 *   section; `E_MALFORMED` for a bad filenames blob, or NRecords/CoverageSize ≠ 0 from Version4.
 * @see ../../../shared/spec/formats.md §4.2, §4.3 (LLVM 22 `readCoverageHeader`)
 */
export function readCovmapSection(
  bytes: Uint8Array,
  source: string,
  opts: ReadCovmapOptions,
): CovmapSection {
  const reader = new ByteReader(bytes, {
    source,
    littleEndian: opts.littleEndian,
    baseOffset: opts.baseOffset ?? 0,
  });
  const state = createFilenameTables();
  const legacyRecords: CovfunRecord[] = [];
  const warnings: Diagnostic[] = [];
  const legacy: LegacyContext = {
    opts,
    source,
    warnings,
    unresolvedNames: 0,
    noNamesWarned: false,
  };
  let version = -1;
  let mixedWarned = false;

  while (reader.remaining > 0) {
    if (isZeroFrom(bytes, reader.offset)) break;
    const entryStart = reader.offset;
    const nRecords = reader.u32('covmap entry: NRecords');
    const filenamesSize = reader.u32('covmap entry: FilenamesSize');
    const coverageSize = reader.u32('covmap entry: CoverageSize');
    const versionOffset = reader.absoluteOffset;
    const entryVersion = reader.u32('covmap entry: Version');
    if (version < 0) {
      checkCovmapVersion(entryVersion, source, versionOffset);
      version = entryVersion;
    } else if (entryVersion !== version && !mixedWarned) {
      mixedWarned = true;
      warnings.push(
        covmapWarning(
          'W_VERSION_MIXED',
          `covmap entry has version field ${entryVersion}, the first entry ${version}; reading it as ${version}`,
          source,
          versionOffset,
        ),
      );
    }

    let records: ByteReader | undefined;
    if (version < CovMapVersion.Version4) {
      const recordBytes = version === CovMapVersion.Version1 ? opts.pointerBytes + 16 : 20;
      records = reader.sub(nRecords * recordBytes, 'covmap entry: function records');
    } else if (nRecords !== 0) {
      throw reader.error(
        'E_MALFORMED',
        `covmap entry: NRecords is ${nRecords}, must be 0 from Version4 on`,
        entryStart,
      );
    }

    const filenamesOffset = reader.absoluteOffset;
    const blob = reader.take(filenamesSize, 'covmap entry: filenames');
    const filenames = decodeFilenamesBlob(
      blob,
      version,
      source,
      filenamesOffset,
      opts.compilationDir,
    );
    const filenamesRef = md5Hash64(blob);
    if (addFilenameTable(state, filenamesRef, filenames) === 'invalidated') {
      warnings.push(
        covmapWarning(
          'E_MALFORMED',
          `FilenamesRef 0x${filenamesRef.toString(16)} names two different filename lists; ` +
            'functions using it are skipped',
          source,
          filenamesOffset,
        ),
      );
    }

    if (records !== undefined) {
      const mapping = reader.sub(coverageSize, 'covmap entry: mapping data');
      readLegacyRecords(records, mapping, nRecords, version, filenamesRef, legacy, legacyRecords);
    } else if (coverageSize !== 0) {
      throw reader.error(
        'E_MALFORMED',
        `covmap entry: CoverageSize is ${coverageSize}, must be 0 from Version4 on`,
        entryStart + 8,
      );
    }
    reader.align(8);
  }

  if (legacy.unresolvedNames > 0) {
    warnings.push(
      covmapWarning(
        'W_NAMES_MISSING',
        `${legacy.unresolvedNames} Version1 record(s) have a NamePtr outside the names section; ` +
          'their nameRef is the NamePtr',
        source,
      ),
    );
  }
  return {
    version,
    filenameTables: state.tables,
    invalidFilenamesRefs: state.invalid,
    legacyRecords,
    warnings,
  };
}

interface LegacyContext {
  readonly opts: ReadCovmapOptions;
  readonly source: string;
  readonly warnings: Diagnostic[];
  unresolvedNames: number;
  noNamesWarned: boolean;
}

// Version1: {intptr NamePtr, u32 NameSize, u32 DataSize, u64 FuncHash}; Version2/3: {u64 NameRef,
// u32 DataSize, u64 FuncHash}; packed. Mapping blobs follow back to back in record order.
function readLegacyRecords(
  records: ByteReader,
  mapping: ByteReader,
  count: number,
  version: number,
  filenamesRef: bigint,
  context: LegacyContext,
  out: CovfunRecord[],
): void {
  for (let i = 0; i < count; i++) {
    const byteOffset = records.absoluteOffset;
    if (version === CovMapVersion.Version1) {
      const namePtr = records.uptr(context.opts.pointerBytes, 'function record: NamePtr');
      const nameSize = records.u32('function record: NameSize');
      const dataSize = records.u32('function record: DataSize');
      const funcHash = records.u64('function record: FuncHash');
      const mappingByteOffset = mapping.absoluteOffset;
      const mappingBytes = mapping.take(dataSize, `function record ${i}: mapping data`);
      const nameBytes = lookUpVersion1Name(namePtr, nameSize, byteOffset, context);
      const common = {
        funcHash,
        filenamesRef,
        mappingBytes,
        byteOffset,
        mappingByteOffset,
        namePtr,
      };
      if (nameBytes === undefined) {
        out.push({ nameRef: namePtr, ...common });
      } else {
        out.push({ nameRef: md5Hash64(nameBytes), name: utf8.decode(nameBytes), ...common });
      }
    } else {
      const nameRef = records.u64('function record: NameRef');
      const dataSize = records.u32('function record: DataSize');
      const funcHash = records.u64('function record: FuncHash');
      const mappingByteOffset = mapping.absoluteOffset;
      const mappingBytes = mapping.take(dataSize, `function record ${i}: mapping data`);
      out.push({ nameRef, funcHash, filenamesRef, mappingBytes, byteOffset, mappingByteOffset });
    }
  }
}

function lookUpVersion1Name(
  namePtr: bigint,
  nameSize: number,
  recordOffset: number,
  context: LegacyContext,
): Uint8Array | undefined {
  const names = context.opts.names;
  if (names === undefined) {
    if (!context.noNamesWarned) {
      context.noNamesWarned = true;
      context.warnings.push(
        covmapWarning(
          'W_NAMES_MISSING',
          'Version1 records name functions by address and no names section was given; ' +
            'their nameRef is the NamePtr',
          context.source,
          recordOffset,
        ),
      );
    }
    return undefined;
  }
  const offset = namePtr - names.address;
  if (offset < 0n || offset + BigInt(nameSize) > BigInt(names.bytes.length)) {
    context.unresolvedNames++;
    return undefined;
  }
  const start = Number(offset);
  return names.bytes.subarray(start, start + nameSize);
}

function isZeroFrom(bytes: Uint8Array, offset: number): boolean {
  for (let i = offset; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}
