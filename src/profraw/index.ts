/**
 * Profile readers: raw `.profraw` (v8–v11) and indexed `.profdata` (v7–v13), and the
 * `llvm-profdata merge -sparse`-equivalent merge of their counters.
 * @see ../../../shared/spec/formats.md §2, §3, §7
 */
export {
  INDEXED_PROFILE_MAX_VERSION,
  INDEXED_PROFILE_MIN_VERSION,
  INSTR_PROF_INDEX_MAGIC,
  INSTR_PROF_MAX_COUNT_VALUE,
  INSTR_PROF_RAW_MAGIC_32,
  INSTR_PROF_RAW_MAGIC_64,
  RAW_PROFILE_VERSIONS,
  type RawProfileVersion,
} from './instr-prof-constants.js';
export { mergeProfiles } from './merge-profiles.js';
export { detectProfileMagic, type ProfileMagic, type RawMagic } from './profile-magic.js';
export { ProfileWarningCode } from './profile-warnings.js';
export { rawProfileLayout, type DataRecordLayout, type RawProfileLayout } from './raw-layout.js';
export { readProfdata } from './read-profdata.js';
export { readProfile } from './read-profile.js';
export { readProfraw } from './read-profraw.js';
export type { ProfileCounts, ProfileFile, ProfileRecord, RawProfileHeader } from './types.js';
