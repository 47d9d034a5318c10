/**
 * ptrace-fallback: the breakpoint engine — DWARF line tables → breakpoint plan → native helper →
 * line hits → a line-coverage CoverageSet.
 * @see ../../../shared/spec/ptrace-engine.md
 */
export {
  PTRACE_RUSTFLAGS,
  encodeRunnerJob,
  prepareRunnerSession,
  ptraceBuildEnv,
  ptraceTargetDir,
  readRunnerEvents,
  sameRunBuildEnv,
  sameRunTargetDir,
  type RunnerSession,
  type SameRunInstrumentation,
} from './cargo-runner.js';
export { traceCargo, type CargoTraceOptions, type CargoTraceResult } from './cargo-trace.js';
export {
  EventCollector,
  addStatistics,
  signalName,
  type TraceRunOutcome,
} from './event-collector.js';
export {
  HELPER_DEV_BUILD_PATH,
  HELPER_SOURCE_PATH,
  cacheDirectory,
  ensureHelper,
  findPackageRoot,
  ptraceUnsupportedReason,
  type EnsureHelperOptions,
} from './helper-binary.js';
export {
  encodeJob,
  readU32Array,
  readU64Array,
  type HelperEvent,
  type JobImage,
  type JobSettings,
  type RunnerJob,
  type TraceJob,
  type TraceMode,
  type TraceStatistics,
} from './helper-protocol.js';
export {
  LINE_TABLES_HINT,
  RUSTC_REMAPPED_SOURCE,
  planImage,
  type ImagePlan,
} from './image-plan.js';
export {
  LINE_REGION_END_COLUMN,
  LINE_RULES_VERSION,
  UNATTRIBUTED_RECORD_NAME,
  buildLineCoverage,
  coverageFromIndex,
  indexLineCoverage,
  siteGroups,
  type ImageHits,
  type ImageLineIndex,
  type LineCoverageIndex,
  type LineCoverageOptions,
} from './line-coverage.js';
export { jobImagesOf, planImages, uniqueImagePaths } from './plan-cache.js';
export {
  decodeLineIndex,
  decodePlan,
  encodeLineIndex,
  encodePlan,
  jobKey,
  loadStoredJob,
  loadStoredPlan,
  planKey,
  pruneStoredPlans,
  storeJob,
  storePlan,
  type StoredJob,
} from './plan-store.js';
export { runUnderHelper, type RunUnderHelperOptions, type TraceRunResult } from './run-helper.js';
export {
  traceProgram,
  type TraceProgramOptions,
  type TraceProgramResult,
} from './trace-program.js';
