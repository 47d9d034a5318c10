/**
 * llvm-bridge: the toolchain side of cov — rustc/LLVM detection, the instrumentation environment,
 * cargo builds and test runs, profile discovery, and file-backed byte sources for the parsers.
 */
export { openFileByteSource, type FileByteSource } from './file-byte-source.js';
export {
  checkInstrumentationSupport,
  detectToolchain,
  expectedRawProfileVersion,
  isNightlyChannel,
  parseRustcVersionVerbose,
  type DetectToolchainOptions,
  type InstrumentationSupport,
  type LlvmVersion,
  type ReleaseChannel,
  type RustcSemver,
  type RustcVersionInfo,
  type ToolchainInfo,
} from './toolchain.js';
export {
  CARGO_ENCODED_FLAGS_SEPARATOR,
  applyVars,
  coverageRustflags,
  encodeRustflags,
  instrumentationEnv,
  instrumentationVars,
  llvmProfileFile,
  rustflagsFromEnv,
  type InstrumentationEnvOptions,
  type InstrumentationVars,
} from './instrument-env.js';
export {
  quoteFish,
  quotePosix,
  quotePwsh,
  renderShowEnv,
  type RenderShowEnvOptions,
  type ShowEnvShell,
} from './show-env.js';
export {
  buildBin,
  buildTests,
  diagnosticsOf,
  runTests,
  type BuildResult,
  type CargoBuildOptions,
  type RunTestsOptions,
} from './cargo.js';
export {
  cargoProgram,
  parseCargoMetadata,
  readCargoMetadata,
  type CargoLocationOptions,
  type CargoPackage,
  type CargoWorkspace,
} from './cargo-metadata.js';
export {
  parseCargoMessageLine,
  parsePackageId,
  progressMessage,
  type CargoArtifact,
  type CargoMessage,
} from './cargo-messages.js';
export {
  runProgram,
  type RunProgramOptions,
  type RunResult,
  type RunStdioOptions,
} from './run-process.js';
export {
  PROFDATA_EXTENSION,
  PROFRAW_EXTENSION,
  clearOwnProfiles,
  kindByExtension,
  kindByMagic8,
  listProfiles,
  type ProfileKind,
  type ProfileList,
} from './profiles.js';
export { loadExeca } from './load-execa.js';
