/**
 * The encoded filename list of one covmap entry, covmap Version1–Version7 (field values 0–6):
 * plain before Version4, optionally zlib-compressed from Version4, compilation directory first
 * from Version6.
 * @see ../../../shared/spec/formats.md §4.3
 */
import { ByteReader, CovError, formatOffset, inflateZlib } from '../binary/index.js';
import { CovMapVersion } from './covmap-version.js';
import { resolveFilename } from './filename-paths.js';

const utf8 = new TextDecoder('utf-8');

/**
 * Decodes one filenames blob (the `FilenamesSize` bytes after a covmap entry header).
 * @param blob the encoded blob exactly as stored
 * @param covmapVersion covmap `Version` field value of the section (0–6)
 * @param source section label for errors
 * @param baseOffset absolute offset of `blob[0]` in `source`
 * @param compilationDir replaces list entry 0 as the base for relative names (Version6+) when
 *   non-empty, like llvm-cov's `-compilation-dir`
 * @returns the filename list: for Version6+ entry 0 is the compilation directory as stored,
 *   later entries resolved (absolute verbatim, relative joined and dot-normalised); before
 *   Version6 every name as stored
 * @throws CovError `E_MALFORMED` for a zero count, a corrupt zlib stream or an overlong LEB128;
 *   `E_TRUNCATED` when a count or length runs past the blob. Errors inside compressed data name
 *   the offset of the compressed bytes.
 * @see ../../../shared/spec/formats.md §4.3
 */
export function decodeFilenamesBlob(
  blob: Uint8Array,
  covmapVersion: number,
  source: string,
  baseOffset: number,
  compilationDir?: string,
): string[] {
  const reader = new ByteReader(blob, { source, baseOffset });
  const countOffset = reader.offset;
  const count = reader.uleb('filenames: count');
  if (count === 0) throw reader.error('E_MALFORMED', 'filenames: count is zero', countOffset);
  if (count > reader.remaining) {
    throw reader.error(
      'E_TRUNCATED',
      `filenames: count ${count} exceeds the ${reader.remaining} bytes left`,
      countOffset,
    );
  }
  if (covmapVersion < CovMapVersion.Version4) return readNames(reader, count, covmapVersion);

  const uncompressedBytes = reader.uleb('filenames: uncompressed length');
  const compressedOffset = reader.offset;
  const compressedBytes = reader.uleb('filenames: compressed length');
  if (compressedBytes === 0) return readNames(reader, count, covmapVersion, compilationDir);
  if (compressedBytes > reader.remaining) {
    throw reader.error(
      'E_TRUNCATED',
      `filenames: compressed length ${compressedBytes} exceeds the ${reader.remaining} bytes left`,
      compressedOffset,
    );
  }
  const zlibOffset = reader.absoluteOffset;
  const inflated = inflateZlib(
    reader.take(compressedBytes, 'filenames: zlib data'),
    uncompressedBytes,
    {
      source,
      byteOffset: zlibOffset,
      what: 'filenames',
    },
  );
  try {
    return readNames(new ByteReader(inflated, { source }), count, covmapVersion, compilationDir);
  } catch (error) {
    if (!(error instanceof CovError)) throw error;
    // Offsets inside inflated data mean nothing in the section: point at the compressed bytes.
    throw new CovError(
      error.code,
      `${error.detail} (at ${formatOffset(error.byteOffset ?? 0)} of the inflated filenames)`,
      { source, byteOffset: zlibOffset, cause: error },
    );
  }
}

function readNames(
  reader: ByteReader,
  count: number,
  covmapVersion: number,
  compilationDir?: string,
): string[] {
  const names: string[] = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const lengthOffset = reader.offset;
    const length = reader.uleb('filenames: name length');
    if (length > reader.remaining) {
      throw reader.error(
        'E_TRUNCATED',
        `filenames: name ${i} needs ${length} bytes, ${reader.remaining} left`,
        lengthOffset,
      );
    }
    names[i] = utf8.decode(reader.take(length, 'filenames: name'));
  }
  if (covmapVersion >= CovMapVersion.Version6) {
    const base = compilationDir !== undefined && compilationDir !== '' ? compilationDir : names[0]!;
    for (let i = 1; i < count; i++) names[i] = resolveFilename(names[i]!, base);
  }
  return names;
}
