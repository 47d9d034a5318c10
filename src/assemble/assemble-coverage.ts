/**
 * The one place formats meet: object sections → coverage mapping, profiles → merged counts, and
 * both → `CoverageSet` (spec/formats.md §5.1, §5.1a). Objects load in the order given; that order
 * changes llvm-cov's output and so ours.
 */
import { CovError, type ByteSource, type Diagnostic } from '../binary/index.js';
import { decodeMapping, readCoverageMapping } from '../covmap/index.js';
import { createCoverageSet, type CoverageMetadata, type CoverageSet } from '../model/index.js';
import { readCoverageSections } from '../object/index.js';
import type { ProfileCounts } from '../profraw/index.js';
import { createLoadState, loadObjectRecords, type ObjectMapping } from './load-records.js';

/** Inputs of {@link assembleCoverage}. */
export interface AssembleInput {
  /** Instrumented binaries in load order. */
  readonly objects: readonly ByteSource[];
  /** Merged profile counters of every profile. */
  readonly profile: ProfileCounts;
  readonly metadata: CoverageMetadata;
}

/**
 * Reads one object's coverage mapping.
 * @returns undefined (with a warning) when the object has no coverage sections.
 * @throws CovError for an unreadable object (bad magic, truncated section table, corrupt covmap).
 */
export function readObjectMapping(
  source: ByteSource,
  warnings: Diagnostic[],
): ObjectMapping | undefined {
  const sections = readCoverageSections(source);
  if (sections.covmap === undefined) {
    warnings.push({
      severity: 'warning',
      code: 'W_NO_COVERAGE',
      message: `${source.name}: no __llvm_covmap section (not built with -C instrument-coverage?); skipped`,
      source: source.name,
    });
    return undefined;
  }
  const mapping = readCoverageMapping(
    {
      covmap: sections.covmap.bytes,
      covmapOffset: sections.covmap.fileOffset,
      ...(sections.covfun === undefined
        ? {}
        : { covfun: sections.covfun.bytes, covfunOffset: sections.covfun.fileOffset }),
      ...(sections.prfNames === undefined
        ? {}
        : { prfNames: sections.prfNames.bytes, prfNamesOffset: sections.prfNames.fileOffset }),
    },
    source.name,
    { littleEndian: sections.littleEndian, pointerBytes: sections.pointerBytes },
  );
  warnings.push(...mapping.warnings);
  const names = mapping.names ?? new Map<bigint, string>();
  return {
    path: source.name,
    version: mapping.version,
    filenameTables: mapping.filenameTables,
    records: mapping.records,
    names,
    decode: (record) =>
      decodeMapping(
        record.mappingBytes,
        source.name,
        record.mappingByteOffset ?? record.byteOffset,
        mapping.version,
      ),
  };
}

/**
 * Loads every object in order against one merged profile.
 * @returns the coverage set; warnings name every skipped object, record and mismatched function.
 * @throws CovError when an object cannot be read at all
 */
export function assembleCoverage(input: AssembleInput): CoverageSet {
  const state = createLoadState();
  state.warnings.push(...input.profile.warnings);
  input.objects.forEach((source, objectIndex) => {
    let object: ObjectMapping | undefined;
    try {
      object = readObjectMapping(source, state.warnings);
    } catch (error) {
      if (error instanceof CovError) throw error.withSource(source.name);
      throw error;
    }
    if (object === undefined) return;
    const mismatched = loadObjectRecords(object, objectIndex, input.profile, state);
    if (mismatched > 0) {
      state.warnings.push({
        severity: 'warning',
        code: 'W_MISMATCHED_DATA',
        message: `${source.name}: ${mismatched} functions have mismatched data`,
        source: source.name,
      });
    }
  });
  return createCoverageSet(state.functions, state.warnings, input.metadata);
}
