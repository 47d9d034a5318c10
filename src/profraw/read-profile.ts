/**
 * Entry point for any profile file: dispatches on the magic to the raw (`.profraw` v8–v11) or
 * indexed (`.profdata` v7–v13) reader.
 * @see ../../../shared/spec/formats.md §2.1, §3
 */
import {
  EXPECTED_INDEXED_MAGIC,
  EXPECTED_RAW_MAGICS,
  badMagicError,
  detectProfileMagic,
} from './profile-magic.js';
import { readProfdata } from './read-profdata.js';
import { readProfraw } from './read-profraw.js';
import type { ProfileFile } from './types.js';

/**
 * Reads a raw or indexed profile, whichever the first 8 bytes say: a raw magic (64- or 32-bit,
 * little- or big-endian) goes to {@link readProfraw}, the indexed magic to {@link readProfdata}.
 * The file name is not consulted.
 * @param bytes the whole file
 * @param source file label for messages
 * @returns the records, names and warnings of the file (see the two readers)
 * @throws CovError `E_BAD_MAGIC` naming the 8 bytes found and the magics expected,
 *   `E_TRUNCATED` for a file shorter than 8 bytes, and whatever the chosen reader throws
 * @see ../../../shared/spec/formats.md §2.1, §3
 */
export function readProfile(bytes: Uint8Array, source: string): ProfileFile {
  const magic = detectProfileMagic(bytes, 0);
  if (magic === undefined) {
    throw badMagicError(bytes, source, `${EXPECTED_RAW_MAGICS} or ${EXPECTED_INDEXED_MAGIC}`);
  }
  return magic.kind === 'raw' ? readProfraw(bytes, source) : readProfdata(bytes, source);
}
