/**
 * The one place formats meet: object sections → coverage mapping, profiles → merged counts, and
 * both → `CoverageSet` (spec/formats.md §5.1, §5.1a). Objects load in the order given; that order
 * changes llvm-cov's output and so ours. The same join runs on mappings read from binaries and on
 * mappings a coverage database kept.
 */
import { CovError, type ByteSource, type Diagnostic } from '../binary/index.js';
import {
  decodeMapping,
  decodeRecords,
  readCoverageMapping,
  readFileIdPrefix,
  type CoverageMappingData,
  type CovfunRecord,
  type DecodedCoverageMapping,
  type DecodedFunctionRecord,
} from '../covmap/index.js';
import { createCoverageSet, type CoverageMetadata, type CoverageSet } from '../model/index.js';
import { readCoverageSections } from '../object/index.js';
import type { ProfileCounts } from '../profraw/index.js';
import {
  createLoadState,
  loadObjectRecords,
  type LoadState,
  type MappingRecord,
  type ObjectMapping,
} from './load-records.js';

/** Inputs of {@link assembleCoverage}. */
export interface AssembleInput {
  /** Instrumented binaries in load order. */
  readonly objects: readonly ByteSource[];
  /** Merged profile counters of every profile. */
  readonly profile: ProfileCounts;
  readonly metadata: CoverageMetadata;
  /**
   * Called with the source file names each object's coverage mapping names, as soon as the
   * object's mapping is read (before its records are loaded), e.g. to start reading sources.
   */
  readonly onFilenames?: (filenames: readonly string[]) => void;
}

/** One object's mapping with every selected record decoded, plus what reading it reported. */
export interface DecodedObject extends DecodedCoverageMapping {
  /** Object path as given when it was read. */
  readonly path: string;
  /** Warnings of reading the object (no coverage sections, skipped covfun records, …). */
  readonly warnings: readonly Diagnostic[];
}

/** Inputs of {@link assembleDecodedCoverage}. */
export interface AssembleDecodedInput {
  /** Decoded objects in load order. */
  readonly objects: readonly DecodedObject[];
  /** Merged profile counters (`-sparse` rules applied). */
  readonly profile: ProfileCounts;
  readonly metadata: CoverageMetadata;
}

function readSections(source: ByteSource, warnings: Diagnostic[]): CoverageMappingData | undefined {
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
  return mapping;
}

/**
 * Reads one object's coverage mapping; mappings are decoded when the loader asks.
 * @returns undefined (with a warning) when the object has no coverage sections.
 * @throws CovError for an unreadable object (bad magic, truncated section table, corrupt covmap).
 */
export function readObjectMapping(
  source: ByteSource,
  warnings: Diagnostic[],
): ObjectMapping<CovfunRecord> | undefined {
  const mapping = readSections(source, warnings);
  if (mapping === undefined) return undefined;
  return {
    path: source.name,
    version: mapping.version,
    filenameTables: mapping.filenameTables,
    records: mapping.records,
    names: mapping.names ?? new Map<bigint, string>(),
    fileIds: (record) => readFileIdPrefix(record.mappingBytes),
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
 * Reads one object and decodes every selected record, for a coverage database.
 * @returns the decoded object; an object without coverage sections gives version −1, no records
 *   and the warning saying so
 * @throws CovError for an unreadable object (attributed to `source.name`)
 */
export function readDecodedObject(source: ByteSource): DecodedObject {
  const warnings: Diagnostic[] = [];
  let mapping: CoverageMappingData | undefined;
  try {
    mapping = readSections(source, warnings);
  } catch (error) {
    if (error instanceof CovError) throw error.withSource(source.name);
    throw error;
  }
  if (mapping === undefined) {
    return {
      path: source.name,
      version: -1,
      filenameTables: new Map(),
      names: new Map(),
      records: [],
      warnings,
    };
  }
  return {
    path: source.name,
    version: mapping.version,
    filenameTables: mapping.filenameTables,
    names: mapping.names ?? new Map<bigint, string>(),
    records: decodeRecords(mapping.records, mapping.version, source.name),
    warnings,
  };
}

/** The loader's view of a decoded object: nothing left to decode. */
export function decodedObjectMapping(object: DecodedObject): ObjectMapping<DecodedFunctionRecord> {
  return {
    path: object.path,
    version: object.version,
    filenameTables: object.filenameTables,
    records: object.records,
    names: object.names,
    fileIds: (record) => record.fileIds,
    decode: (record) => {
      if (record.mapping === undefined) throw new Error(record.error ?? 'mapping not decoded');
      return record.mapping;
    },
  };
}

function loadObject<R extends MappingRecord>(
  object: ObjectMapping<R>,
  objectIndex: number,
  profile: ProfileCounts,
  state: LoadState,
): void {
  const mismatched = loadObjectRecords(object, objectIndex, profile, state);
  if (mismatched > 0) {
    state.warnings.push({
      severity: 'warning',
      code: 'W_MISMATCHED_DATA',
      message: `${object.path}: ${mismatched} functions have mismatched data`,
      source: object.path,
    });
  }
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
    let object: ObjectMapping<CovfunRecord> | undefined;
    try {
      object = readObjectMapping(source, state.warnings);
    } catch (error) {
      if (error instanceof CovError) throw error.withSource(source.name);
      throw error;
    }
    if (object === undefined) return;
    if (input.onFilenames !== undefined) {
      const names = new Set<string>();
      for (const table of object.filenameTables.values()) for (const name of table) names.add(name);
      input.onFilenames([...names]);
    }
    loadObject(object, objectIndex, input.profile, state);
  });
  return createCoverageSet(state.functions, state.warnings, input.metadata);
}

/**
 * Loads already-decoded objects in order against one merged profile — the same selection,
 * de-duplication and warnings as {@link assembleCoverage} on the binaries they came from.
 * @returns the coverage set; each object's stored read warnings come first, then its load warnings
 */
export function assembleDecodedCoverage(input: AssembleDecodedInput): CoverageSet {
  const state = createLoadState();
  state.warnings.push(...input.profile.warnings);
  input.objects.forEach((object, objectIndex) => {
    state.warnings.push(...object.warnings);
    loadObject(decodedObjectMapping(object), objectIndex, input.profile, state);
  });
  return createCoverageSet(state.functions, state.warnings, input.metadata);
}
