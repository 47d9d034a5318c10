/**
 * `CoverageSet`: every loaded function record plus the indexes every view needs. One set computes
 * every number any output shows (ARCHITECTURE.md, "one model, many views").
 */
import type { Diagnostic } from '../binary/index.js';
import type { FunctionRecord } from './function-record.js';

/** Facts about how the set was produced (shown in reports, stored in databases). */
export interface CoverageMetadata {
  readonly engine: 'instrumented' | 'ptrace';
  readonly objects: readonly string[];
  readonly profiles: readonly string[];
  readonly toolchain?: string;
  readonly createdAt?: string;
}

/** Loaded coverage: function records in load order and the files they cover. */
export interface CoverageSet {
  /** Records in load order (object order, then covfun order) after llvm-cov's selection rules. */
  readonly functions: readonly FunctionRecord[];
  /** Sorted (byte order) union of every record's filenames. */
  readonly files: readonly string[];
  /** File → indices into `functions` of records whose filename list contains it, ascending. */
  readonly recordsByFile: ReadonlyMap<string, readonly number[]>;
  readonly warnings: readonly Diagnostic[];
  readonly metadata: CoverageMetadata;
}

/** Compares strings by their UTF-8 bytes (memcmp order, as llvm-cov sorts filenames). */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  // UTF-16 order equals UTF-8 byte order except around surrogates; use bytes only when needed
  if (isBasic(a) && isBasic(b)) return a < b ? -1 : 1;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function isBasic(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0xd800) return false;
  return true;
}

/** Builds the file index of a set of records. */
export function createCoverageSet(
  functions: readonly FunctionRecord[],
  warnings: readonly Diagnostic[],
  metadata: CoverageMetadata,
): CoverageSet {
  const recordsByFile = new Map<string, number[]>();
  functions.forEach((record, index) => {
    for (const filename of record.filenames) {
      let list = recordsByFile.get(filename);
      if (list === undefined) {
        list = [];
        recordsByFile.set(filename, list);
      }
      if (list[list.length - 1] !== index) list.push(index);
    }
  });
  const files = [...recordsByFile.keys()].sort(compareUtf8);
  return { functions, files, recordsByFile, warnings, metadata };
}
