/**
 * Object-file identification by magic bytes: ELF, thin and universal Mach-O, COFF objects (plain
 * and bigobj) and PE images, following LLVM's `identify_magic`.
 */
import { CovError, type ByteSource } from '../binary/index.js';
import { hexBytes } from './read-range.js';

/** The container kinds {@link detectObjectKind} tells apart. */
export type ObjectKind = 'elf' | 'macho' | 'macho-fat' | 'coff-object' | 'coff-bigobj' | 'pe';

/** Formats named in the bad-magic message, so users see what cov reads. */
export const FORMATS_READ =
  'ELF (32/64-bit, little/big-endian), Mach-O (32/64-bit, either byte order, universal), ' +
  'COFF objects (incl. bigobj) and PE images';

/** COFF `Machine` values of the objects LLVM identifies (i386, ARMNT, AMD64, ARM64, ARM64EC, ARM64X). */
const COFF_MACHINES = new Set([0x14c, 0x1c4, 0x8664, 0xaa64, 0xa641, 0xa64e]);

/** `COFF::BigObjMagic`, the ClassID GUID of an `ANON_OBJECT_HEADER_BIGOBJ`. */
export const BigObjMagic = Uint8Array.from([
  0xc7, 0xa1, 0xba, 0xd1, 0xee, 0xba, 0xa9, 0x4b, 0xaf, 0x20, 0xfa, 0xf6, 0x6a, 0xa4, 0xdc, 0xb8,
]);

/** Java class files share 0xcafebabe; LLVM treats fewer than 43 slices as a universal binary. */
const MAX_FAT_ARCHES = 43;

/**
 * Identifies the container of `source` from its first bytes (reads at most 64).
 * @throws CovError `E_BAD_MAGIC` (byteOffset 0) naming the file, the bytes found and
 *   {@link FORMATS_READ}.
 * @see ../../../shared/spec/formats.md §4.1
 */
export function detectObjectKind(source: ByteSource): ObjectKind {
  const head = source.read(0, Math.min(64, source.sizeBytes));
  const b = (i: number): number => head[i] ?? -1;
  if (b(0) === 0x7f && b(1) === 0x45 && b(2) === 0x4c && b(3) === 0x46) return 'elf';
  const le32 = b(0) | (b(1) << 8) | (b(2) << 16) | (b(3) << 24);
  const be32 = ((b(0) << 24) | (b(1) << 16) | (b(2) << 8) | b(3)) >>> 0;
  if (head.length >= 4) {
    const magic = le32 >>> 0;
    if (magic === 0xfeedface || magic === 0xfeedfacf) return 'macho';
    if (be32 === 0xfeedface || be32 === 0xfeedfacf) return 'macho';
    if ((be32 === 0xcafebabe || be32 === 0xcafebabf) && head.length >= 8) {
      const count = ((b(4) << 24) | (b(5) << 16) | (b(6) << 8) | b(7)) >>> 0;
      if (count < MAX_FAT_ARCHES) return 'macho-fat';
    }
  }
  if (b(0) === 0x4d && b(1) === 0x5a) return 'pe';
  if (b(0) === 0 && b(1) === 0 && b(2) === 0xff && b(3) === 0xff && head.length >= 28) {
    if (BigObjMagic.every((v, i) => head[12 + i] === v)) return 'coff-bigobj';
  }
  if (head.length >= 20 && COFF_MACHINES.has(b(0) | (b(1) << 8))) return 'coff-object';
  const found = head.length === 0 ? 'an empty file' : `bytes ${hexBytes(head)}`;
  throw new CovError(
    'E_BAD_MAGIC',
    `not an object file cov can read: found ${found}; cov reads ${FORMATS_READ}`,
    { source: source.name, byteOffset: 0 },
  );
}
