/**
 * One object's coverage mapping, covmap Version1–Version7 (field values 0–6): covmap filename
 * tables, covfun (or pre-Version4 covmap) records, LLVM's per-object record selection and the
 * names of the selected records.
 * @see ../../../shared/spec/formats.md §4, §5.1 items 1 and 6
 */
import type { Diagnostic } from '../binary/index.js';
import { readCovfunSection } from './covfun-section.js';
import { readCovmapSection } from './covmap-section.js';
import { CovMapVersion } from './covmap-version.js';
import { resolveNames } from './name-index.js';
import { selectRecords } from './record-selection.js';
import type { CoverageMappingData, CovfunRecord } from './types.js';
import { covmapWarning } from './warnings.js';

/** Section contents of one object (already decompressed), and where they sit in it. */
export interface CoverageMappingSections {
  /** `__llvm_covmap` / `__LLVM_COV,__llvm_covmap` / `.lcovmap`. */
  readonly covmap?: Uint8Array;
  /** `__llvm_covfun` / `__LLVM_COV,__llvm_covfun` / `.lcovfun` (Version4+). */
  readonly covfun?: Uint8Array;
  /** `__llvm_prf_names` / `__DATA,__llvm_prf_names` / `.lprfn` (linked PE: leading NUL skipped). */
  readonly prfNames?: Uint8Array;
  /**
   * File offsets of the sections: when given, messages name `source` and absolute offsets, and
   * record `byteOffset`s are file offsets; otherwise offsets are section-relative and messages
   * name `source (__llvm_covmap)` etc.
   */
  readonly covmapOffset?: number;
  readonly covfunOffset?: number;
  readonly prfNamesOffset?: number;
  /** Load address of the names section; only Version1 records (NamePtr) need it. */
  readonly prfNamesAddress?: bigint;
}

/** Options for {@link readCoverageMapping}. */
export interface ReadCoverageMappingOptions {
  /** Byte order of the target. */
  readonly littleEndian: boolean;
  /** Target pointer size (Version1 NamePtr width). */
  readonly pointerBytes: 4 | 8;
  /** llvm-cov's `-compilation-dir`: base for relative filenames (Version6+). */
  readonly compilationDir?: string;
  /**
   * Resolve the names of the selected records into `names` (default true). Pass false when
   * names are resolved later for fewer records (e.g. after cross-object de-duplication) with
   * `resolveNames`.
   */
  readonly resolveNames?: boolean;
}

/**
 * Reads one object: the covmap version (first entry) and filename tables, the function records
 * (covfun for Version4+, the covmap entries' own records before), drops records whose
 * FilenamesRef is invalid (two lists) or unknown, applies the per-NameRef selection of §4.6 and,
 * unless told not to, resolves the selected records' names.
 * @param sections section contents; a missing covmap gives an empty result with a warning
 * @param source object path or label for messages
 * @returns {@link CoverageMappingData}: `records` in section order after selection (mappings not
 *   decoded — use `decodeMapping` with `version`), `filenameTables` without invalid refs,
 *   `names` for the selected records, `warnings` for everything skipped
 * @throws CovError from {@link readCovmapSection} (unsupported version, truncated or malformed
 *   covmap) and for a corrupt names section; covfun problems are warnings.
 * @see ../../../shared/spec/formats.md §4.2–§4.6, §5.1 item 1 (LLVM 22 `loadBinaryFormat`)
 */
export function readCoverageMapping(
  sections: CoverageMappingSections,
  source: string,
  opts: ReadCoverageMappingOptions,
): CoverageMappingData {
  const warnings: Diagnostic[] = [];
  const empty = (detail: string): CoverageMappingData => {
    warnings.push(covmapWarning('W_NO_COVERAGE', detail, source));
    return { version: -1, filenameTables: new Map(), records: [], warnings };
  };
  if (sections.covmap === undefined || sections.covmap.length === 0) {
    return empty('no __llvm_covmap data; no coverage records');
  }

  const covmapLabel = label(source, '__llvm_covmap', sections.covmapOffset);
  const covmap = readCovmapSection(sections.covmap, covmapLabel, {
    littleEndian: opts.littleEndian,
    pointerBytes: opts.pointerBytes,
    baseOffset: sections.covmapOffset ?? 0,
    ...(opts.compilationDir === undefined ? {} : { compilationDir: opts.compilationDir }),
    ...(sections.prfNames === undefined || sections.prfNamesAddress === undefined
      ? {}
      : { names: { address: sections.prfNamesAddress, bytes: sections.prfNames } }),
  });
  warnings.push(...covmap.warnings);
  if (covmap.version < 0) return empty('__llvm_covmap has no entries; no coverage records');

  let records: readonly CovfunRecord[];
  const covfunLabel = label(source, '__llvm_covfun', sections.covfunOffset);
  if (covmap.version >= CovMapVersion.Version4) {
    if (sections.covfun === undefined) {
      warnings.push(
        covmapWarning(
          'W_NO_COVERAGE',
          'covmap Version4+ but no __llvm_covfun section; no coverage records',
          source,
        ),
      );
      records = [];
    } else {
      const covfun = readCovfunSection(sections.covfun, covfunLabel, {
        littleEndian: opts.littleEndian,
        baseOffset: sections.covfunOffset ?? 0,
      });
      warnings.push(...covfun.warnings);
      records = covfun.records;
    }
  } else {
    records = covmap.legacyRecords;
  }

  const recordsLabel = covmap.version >= CovMapVersion.Version4 ? covfunLabel : covmapLabel;
  const usable = dropUnresolvableRecords(
    records,
    covmap.filenameTables,
    covmap.invalidFilenamesRefs,
    recordsLabel,
    warnings,
  );
  const selected = selectRecords(usable, { source: recordsLabel, warnings });

  if (opts.resolveNames === false) {
    return {
      version: covmap.version,
      filenameTables: covmap.filenameTables,
      records: selected,
      warnings,
    };
  }
  const names = nameSelectedRecords(selected, covmap.version, sections, source, warnings);
  return {
    version: covmap.version,
    filenameTables: covmap.filenameTables,
    records: selected,
    names,
    warnings,
  };
}

function label(source: string, section: string, offset: number | undefined): string {
  return offset === undefined ? `${source} (${section})` : source;
}

// LLVM skips records of an invalid ref before selection (they never claim their NameRef) and
// fails the whole object on an unknown ref; cov skips those records with a warning.
function dropUnresolvableRecords(
  records: readonly CovfunRecord[],
  tables: ReadonlyMap<bigint, readonly string[]>,
  invalid: ReadonlySet<bigint>,
  source: string,
  warnings: Diagnostic[],
): CovfunRecord[] {
  const usable: CovfunRecord[] = [];
  const dropped = new Map<bigint, { count: number; firstOffset: number }>();
  for (const record of records) {
    if (tables.has(record.filenamesRef)) {
      usable.push(record);
      continue;
    }
    const entry = dropped.get(record.filenamesRef);
    if (entry === undefined)
      dropped.set(record.filenamesRef, { count: 1, firstOffset: record.byteOffset });
    else entry.count++;
  }
  for (const [ref, { count, firstOffset }] of dropped) {
    const why = invalid.has(ref) ? 'is ambiguous (two filename lists)' : 'matches no covmap entry';
    warnings.push(
      covmapWarning(
        'E_MALFORMED',
        `${count} record(s) skipped: FilenamesRef 0x${ref.toString(16)} ${why}`,
        source,
        firstOffset,
      ),
    );
  }
  return usable;
}

function nameSelectedRecords(
  selected: readonly CovfunRecord[],
  version: number,
  sections: CoverageMappingSections,
  source: string,
  warnings: Diagnostic[],
): Map<bigint, string> {
  const names = new Map<bigint, string>();
  const wanted = new Set<bigint>();
  for (const record of selected) {
    if (record.name !== undefined) names.set(record.nameRef, record.name);
    else if (version !== CovMapVersion.Version1) wanted.add(record.nameRef);
  }
  if (wanted.size === 0) return names;
  if (sections.prfNames === undefined) {
    warnings.push(
      covmapWarning(
        'W_NAMES_MISSING',
        `no __llvm_prf_names section; ${wanted.size} function name(s) unknown`,
        source,
      ),
    );
    return names;
  }
  const namesLabel = label(source, '__llvm_prf_names', sections.prfNamesOffset);
  const found = resolveNames(sections.prfNames, namesLabel, wanted, sections.prfNamesOffset ?? 0);
  for (const [ref, name] of found) names.set(ref, name);
  if (found.size < wanted.size) {
    warnings.push(
      covmapWarning(
        'W_NAMES_MISSING',
        `${wanted.size - found.size} selected record(s) have a NameRef that __llvm_prf_names does not hold`,
        namesLabel,
      ),
    );
  }
  return names;
}
