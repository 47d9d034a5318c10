/**
 * Mach-O universal ("fat") files (FAT_MAGIC, FAT_MAGIC_64; always big-endian): choosing the slice
 * whose coverage is read.
 */
import { CovError, type ByteSource } from '../binary/index.js';
import type { MachOSlice } from './macho.js';
import { readerAt } from './read-range.js';

/** Universal header magic with 32-bit `fat_arch` entries. */
export const FAT_MAGIC = 0xcafebabe;
/** Universal header magic with 64-bit `fat_arch_64` entries. */
export const FAT_MAGIC_64 = 0xcafebabf;
// `cputype` values (mach/machine.h).
const CPU_TYPE_X86 = 7;
const CPU_TYPE_X86_64 = 0x01000007;
const CPU_TYPE_ARM = 12;
const CPU_TYPE_ARM64 = 0x0100000c;
const CPU_TYPE_ARM64_32 = 0x0200000c;
const CPU_TYPE_POWERPC = 18;
const CPU_TYPE_POWERPC64 = 0x01000012;
const CPU_SUBTYPE_MASK = 0xff000000;

const ARM_SUBTYPES: ReadonlyMap<number, string> = new Map([
  [6, 'armv6'],
  [9, 'armv7'],
  [11, 'armv7s'],
  [12, 'armv7k'],
  [14, 'armv6m'],
  [15, 'armv7m'],
  [16, 'armv7em'],
]);

/**
 * The architecture name LLVM tools use for a `cputype`/`cpusubtype` pair (`x86_64`, `x86_64h`,
 * `arm64`, `arm64e`, `arm64_32`, `i386`, `armv7`, `ppc`, `ppc64`); `cputype-N` for others.
 */
export function machOArchName(cputype: number, cpusubtype: number): string {
  const subtype = (cpusubtype & ~CPU_SUBTYPE_MASK) >>> 0;
  switch (cputype) {
    case CPU_TYPE_X86:
      return 'i386';
    case CPU_TYPE_X86_64:
      return subtype === 8 ? 'x86_64h' : 'x86_64';
    case CPU_TYPE_ARM64:
      return subtype === 2 ? 'arm64e' : 'arm64';
    case CPU_TYPE_ARM64_32:
      return 'arm64_32';
    case CPU_TYPE_ARM:
      return ARM_SUBTYPES.get(subtype) ?? 'arm';
    case CPU_TYPE_POWERPC:
      return 'ppc';
    case CPU_TYPE_POWERPC64:
      return 'ppc64';
    default:
      return `cputype-${cputype}`;
  }
}

/**
 * Picks a slice of a universal file: the one named `arch` when given, else the first x86_64 or
 * arm64 slice (any subtype), else the first slice. (llvm-cov instead requires `-arch` for universal
 * files; cov picks a default so a single-platform user needs no flag.)
 * @returns the slice's absolute offset and size in bytes, its architecture name and the size of
 *   the universal header plus architecture table.
 * @throws CovError `E_TRUNCATED` when the architecture table or the chosen slice runs past the end
 *   of the file, `E_MALFORMED` for a file without slices, `E_USAGE` when no slice matches `arch`.
 * @see ../../../shared/spec/formats.md §4.1
 */
export function selectUniversalSlice(source: ByteSource, arch?: string): MachOSlice {
  const header = readerAt(source, 0, 8, false, 'universal header');
  const magic = header.u32('magic');
  const count = header.u32('nfat_arch');
  const is64 = magic === FAT_MAGIC_64;
  const entrySize = is64 ? 32 : 20;
  if (count === 0) {
    throw header.error('E_MALFORMED', 'universal file has no slices (nfat_arch is 0)', 4);
  }
  const table = readerAt(
    source,
    8,
    count * entrySize,
    false,
    `universal architecture table (${count} entries)`,
  );
  type Slice = MachOSlice & { readonly arch: string };
  const slices: Slice[] = [];
  let preferred: Slice | undefined;
  for (let i = 0; i < count; i++) {
    const cputype = table.u32('cputype');
    const cpusubtype = table.u32('cpusubtype');
    const offset = is64 ? table.u64Number('offset') : table.u32('offset');
    const size = is64 ? table.u64Number('size') : table.u32('size');
    table.skip(is64 ? 8 : 4, 'align');
    const universalHeaderBytes = 8 + count * entrySize;
    const slice = { offset, size, arch: machOArchName(cputype, cpusubtype), universalHeaderBytes };
    slices.push(slice);
    if (preferred === undefined && (cputype === CPU_TYPE_X86_64 || cputype === CPU_TYPE_ARM64)) {
      preferred = slice;
    }
  }
  let chosen: Slice | undefined;
  if (arch !== undefined) {
    chosen = slices.find((s) => s.arch === arch);
    if (chosen === undefined) {
      throw new CovError(
        'E_USAGE',
        `universal file has no ${arch} slice (it has ${slices.map((s) => s.arch).join(', ')})`,
        { source: source.name, byteOffset: 8 },
      );
    }
  } else {
    chosen = preferred ?? slices[0]!;
  }
  if (chosen.offset + chosen.size > source.sizeBytes) {
    throw new CovError(
      'E_TRUNCATED',
      `${chosen.arch} slice: needs ${chosen.size} bytes at offset ${chosen.offset}, but the file has ${source.sizeBytes} bytes`,
      { source: source.name, byteOffset: chosen.offset },
    );
  }
  return chosen;
}
