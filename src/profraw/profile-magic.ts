/**
 * Recognising the first 8 bytes of a profile: raw (64- or 32-bit, either byte order) or indexed.
 * @see ../../../shared/spec/formats.md §2.1, §3
 */
import { CovError } from '../binary/index.js';
import {
  INSTR_PROF_INDEX_MAGIC,
  INSTR_PROF_RAW_MAGIC_32,
  INSTR_PROF_RAW_MAGIC_64,
} from './instr-prof-constants.js';

/** What a raw magic says: pointer width of the target and byte order of every integer. */
export interface RawMagic {
  readonly pointerBytes: 4 | 8;
  readonly littleEndian: boolean;
}

/** Kind of profile named by a magic number. */
export type ProfileMagic = ({ readonly kind: 'raw' } & RawMagic) | { readonly kind: 'indexed' };

function readU64(bytes: Uint8Array, offset: number, littleEndian: boolean): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset + offset, 8).getBigUint64(0, littleEndian);
}

/**
 * Classifies the 8 bytes at `byteOffset`: a raw magic read little-endian (LE file) or only after
 * byte-swapping (big-endian file), or the indexed magic (always little-endian).
 * @returns undefined when fewer than 8 bytes remain or they are no profile magic
 * @see ../../../shared/spec/formats.md §2.1, §3
 */
export function detectProfileMagic(bytes: Uint8Array, byteOffset = 0): ProfileMagic | undefined {
  if (byteOffset < 0 || byteOffset + 8 > bytes.length) return undefined;
  const le = readU64(bytes, byteOffset, true);
  if (le === INSTR_PROF_RAW_MAGIC_64) return { kind: 'raw', pointerBytes: 8, littleEndian: true };
  if (le === INSTR_PROF_RAW_MAGIC_32) return { kind: 'raw', pointerBytes: 4, littleEndian: true };
  if (le === INSTR_PROF_INDEX_MAGIC) return { kind: 'indexed' };
  const be = readU64(bytes, byteOffset, false);
  if (be === INSTR_PROF_RAW_MAGIC_64) return { kind: 'raw', pointerBytes: 8, littleEndian: false };
  if (be === INSTR_PROF_RAW_MAGIC_32) return { kind: 'raw', pointerBytes: 4, littleEndian: false };
  return undefined;
}

/** Space-separated hex of `bytes` (`81 72 66 6f …`). */
export function formatBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** The raw magics, spelled as on-disk bytes, for error messages. */
export const EXPECTED_RAW_MAGICS =
  'a raw profile (81 72 66 6f 72 70 6c ff: 64-bit little-endian; 81 52 66 6f 72 70 6c ff: ' +
  '32-bit little-endian; ff 6c 70 72 6f 66 72 81 / ff 6c 70 72 6f 66 52 81: big-endian)';
/** The indexed magic, spelled as on-disk bytes, for error messages. */
export const EXPECTED_INDEXED_MAGIC = 'an indexed profile (ff 6c 70 72 6f 66 69 81)';

/**
 * The `E_BAD_MAGIC` error for a file whose first 8 bytes are no accepted magic, naming the bytes
 * found and what was expected (`expected` is a phrase such as {@link EXPECTED_RAW_MAGICS}).
 * A file shorter than 8 bytes gets `E_TRUNCATED` instead.
 */
export function badMagicError(bytes: Uint8Array, source: string, expected: string): CovError {
  if (bytes.length < 8) {
    return new CovError(
      'E_TRUNCATED',
      `profile magic: needs 8 bytes, ${bytes.length} left (the file is too short to be a profile)`,
      { source, byteOffset: 0 },
    );
  }
  const found = formatBytes(bytes.subarray(0, 8));
  return new CovError('E_BAD_MAGIC', `not a profile: magic bytes ${found}, expected ${expected}`, {
    source,
    byteOffset: 0,
  });
}
