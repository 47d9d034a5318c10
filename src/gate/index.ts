/**
 * gate: CI verdicts from one report — thresholds, patch coverage from unified diffs, baselines and
 * the ratchet, configuration files. Pure functions; the CLI runs git and reads files.
 */
export { parseUnifiedDiff, type DiffFile, type DiffFileStatus } from './unified-diff.js';
export {
  computePatchCoverage,
  formatLineRanges,
  type LineRange,
  type PatchCoverage,
  type PatchFile,
  type PatchOptions,
} from './patch-coverage.js';
export {
  THRESHOLD_GATES,
  THRESHOLD_GATE_NAMES,
  WORST_FILE_COUNT,
  checkThresholds,
  evaluateThresholds,
  meetsPercent,
  metricsOf,
  type CoverageEngine,
  type FileRatio,
  type GateMetric,
  type GateVerdict,
  type SummarizedFiles,
  type ThresholdGate,
  type ThresholdScope,
  type Thresholds,
} from './thresholds.js';
export {
  BASELINE_FORMAT,
  BASELINE_VERSION,
  compareWithBaseline,
  evaluateDecrease,
  parseBaseline,
  renderBaseline,
  type Baseline,
  type BaselineComparison,
  type FileDelta,
  type MetricDelta,
  type MetricRatios,
} from './baseline.js';
export {
  CONFIG_KEYS,
  parseCargoManifestConfig,
  parseCovToml,
  readGateConfigTable,
  type CargoManifestConfig,
  type GateConfig,
} from './config.js';
export { describeVerdict, explainVerdict, formatRatio } from './verdict-text.js';
