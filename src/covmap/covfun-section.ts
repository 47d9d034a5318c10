/**
 * `__llvm_covfun` (`__LLVM_COV,__llvm_covfun`, `.lcovfun`): function records with inline mapping
 * data, covmap Version4–Version7 (field values 3–6).
 * @see ../../../shared/spec/formats.md §4.4
 */
import { ByteReader, type Diagnostic } from '../binary/index.js';
import type { CovfunRecord } from './types.js';
import { covmapWarning } from './warnings.js';

/** Packed record header: u64 NameRef, u32 DataSize, u64 FuncHash, u64 FilenamesRef. */
export const COVFUN_HEADER_BYTES = 28;

/** Options for {@link readCovfunSection}. */
export interface ReadCovfunOptions {
  /** Byte order of the target. */
  readonly littleEndian: boolean;
  /** Absolute offset of `bytes[0]` in `source`, for offsets and messages (default 0). */
  readonly baseOffset?: number;
}

/** Records read from one covfun section. */
export interface CovfunSection {
  /** Records in section order; `mappingBytes` are views into `bytes`. */
  readonly records: CovfunRecord[];
  readonly warnings: Diagnostic[];
}

/**
 * Splits a covfun section into records: a 28-byte header then DataSize bytes of mapping; the next
 * record starts at the next multiple of 8 from the section start. Reading stops when fewer than
 * 28 bytes remain (the last record is not padded). Zero bytes where a record would start are
 * padding (an all-zero header, or zeros between concatenated sections): a zero NameRef makes the
 * reader skip those 8 bytes and go on.
 * @param bytes the section contents (several relocatable-object sections concatenated, each
 *   padded to 8, work the same)
 * @param source section label (e.g. `main: __llvm_covfun`)
 * @returns records and warnings. A record whose mapping runs past the section is reported as an
 *   `E_TRUNCATED` warning at its header offset; it and anything after it are dropped, earlier
 *   records are kept. Never throws for section contents.
 * @see ../../../shared/spec/formats.md §4.4
 */
export function readCovfunSection(
  bytes: Uint8Array,
  source: string,
  opts: ReadCovfunOptions,
): CovfunSection {
  const reader = new ByteReader(bytes, {
    source,
    littleEndian: opts.littleEndian,
    baseOffset: opts.baseOffset ?? 0,
  });
  const records: CovfunRecord[] = [];
  const warnings: Diagnostic[] = [];
  while (reader.remaining >= COVFUN_HEADER_BYTES) {
    const headerOffset = reader.offset;
    const nameRef = reader.u64('covfun record: NameRef');
    // Records start 8-aligned and a NameRef is an MD5 (never 0 in practice), so 8 zero bytes
    // where a record would start are padding; skipping 8 at a time finds the next record.
    if (nameRef === 0n) continue;
    const dataSize = reader.u32('covfun record: DataSize');
    const funcHash = reader.u64('covfun record: FuncHash');
    const filenamesRef = reader.u64('covfun record: FilenamesRef');
    if (dataSize > reader.remaining) {
      warnings.push(
        covmapWarning(
          'E_TRUNCATED',
          `covfun record ${records.length} (NameRef 0x${nameRef.toString(16)}) needs ${dataSize} ` +
            `mapping bytes, ${reader.remaining} left; it and the rest of the section are skipped`,
          source,
          reader.baseOffset + headerOffset,
        ),
      );
      break;
    }
    const mappingByteOffset = reader.absoluteOffset;
    const mappingBytes = reader.take(dataSize, 'covfun record: mapping data');
    records.push({
      nameRef,
      funcHash,
      filenamesRef,
      mappingBytes,
      byteOffset: reader.baseOffset + headerOffset,
      mappingByteOffset,
    });
    reader.align(8);
  }
  return { records, warnings };
}
