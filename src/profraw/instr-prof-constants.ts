/**
 * Magic numbers, version numbers and variant bits of raw (v8–v11) and indexed (v7–v13) profiles,
 * spelled as in LLVM's `InstrProfData.inc` so they can be grepped against it.
 * @see ../../../shared/spec/formats.md §2.1, §2.2, §3
 */

/** Raw profile magic of 64-bit targets, `"\xfflprofr\x81"` read as a u64 (spec §2.1). */
export const INSTR_PROF_RAW_MAGIC_64 = 0xff6c70726f667281n;

/** Raw profile magic of 32-bit targets, `"\xfflprofR\x81"` read as a u64 (spec §2.1). */
export const INSTR_PROF_RAW_MAGIC_32 = 0xff6c70726f665281n;

/** Indexed profile magic, `"\xfflprofi\x81"` read as a little-endian u64 (spec §3). */
export const INSTR_PROF_INDEX_MAGIC = 0x8169666f72706cffn;

/** Raw profile versions cov reads (low 32 bits of the version word; spec §2.3, §7). */
export const RAW_PROFILE_VERSIONS = [8, 9, 10, 11] as const;

/** A raw profile version cov reads. */
export type RawProfileVersion = (typeof RAW_PROFILE_VERSIONS)[number];

/** Oldest indexed profile version cov reads: 7, written by llvm-profdata 14 (spec §0, §3). */
export const INDEXED_PROFILE_MIN_VERSION = 7;
/** Newest indexed profile version cov reads: 13, written by llvm-profdata 22; v14 is unknown (§7.5). */
export const INDEXED_PROFILE_MAX_VERSION = 13;

/** Mask of the format version in the version word; the high 32 bits are variant flags (spec §2.2). */
export const VARIANT_MASKS_ALL = 0xffffffff00000000n;
/** Bit 57: context-sensitive IR records (and, in `.profdata`, a second summary). */
export const VARIANT_MASK_CSIR_PROF = 1n << 57n;
/** Bit 59: debug-info / binary correlation; data and names are not in the profile. */
export const VARIANT_MASK_DBG_CORRELATE = 1n << 59n;
/** Bit 60: single-byte coverage counters (byte 0x00 means covered). */
export const VARIANT_MASK_BYTE_COVERAGE = 1n << 60n;
/** Bit 63: temporal profile; the first counter slot of each function is a u64 timestamp. */
export const VARIANT_MASK_TEMPORAL_PROF = 1n << 63n;

/**
 * Largest count a merge may produce: LLVM reserves 2^64−1 and 2^64−2 as pseudo counts and clamps
 * merged counts at 2^64−3 (`getInstrMaxCountValue`, spec §2.12).
 */
export const INSTR_PROF_MAX_COUNT_VALUE = 0xfffffffffffffffdn;
