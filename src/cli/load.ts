/**
 * Loading inputs for a report: profiles (files or directories) merged, objects opened lazily,
 * everything joined into a `CoverageSet`. Unreadable profiles are skipped with a warning naming them.
 */
import { readFileSync } from 'node:fs';
import { assembleCoverage } from '../assemble/index.js';
import { CovError, diagnosticFromError, type Diagnostic } from '../binary/index.js';
import { listProfiles, openFileByteSource } from '../llvm-bridge/index.js';
import type { CoverageSet } from '../model/index.js';
import { mergeProfiles, readProfile, type ProfileFile } from '../profraw/index.js';

/** What to load. */
export interface LoadOptions {
  readonly objects: readonly string[];
  readonly profiles: readonly string[];
  readonly toolchain?: string;
  /** Called with the source files each object's mapping names, as soon as it is read. */
  readonly onFilenames?: (filenames: readonly string[]) => void;
}

/** Profiles read from files or directories, with the files that could not be read. */
export interface ReadProfiles {
  /** Every profile path found, in the order read. */
  readonly paths: readonly string[];
  readonly files: readonly ProfileFile[];
  /** One per unreadable profile (skipped). */
  readonly warnings: readonly Diagnostic[];
}

/**
 * Lists and reads profiles (files, or directories of `.profraw`/`.profdata`).
 * @throws CovError `E_USAGE` when no profile is found, `E_MALFORMED` when none is usable
 */
export async function readProfileFiles(profiles: readonly string[]): Promise<ReadProfiles> {
  const listed = await listProfiles(profiles);
  const paths = [...listed.profraw, ...listed.profdata];
  if (paths.length === 0) {
    throw new CovError(
      'E_USAGE',
      `no .profraw or .profdata file found in ${profiles.join(', ') || '(none given)'}`,
    );
  }
  const warnings: Diagnostic[] = [];
  const files: ProfileFile[] = [];
  for (const path of paths) {
    try {
      files.push(readProfile(readFileSync(path), path));
    } catch (error) {
      if (!(error instanceof CovError)) throw error;
      warnings.push(diagnosticFromError(error.withSource(path), 'profile skipped: '));
    }
  }
  if (files.length === 0) {
    const first = warnings[0];
    throw new CovError('E_MALFORMED', `no usable profile: ${first?.message ?? 'all unreadable'}`);
  }
  return { paths, files, warnings };
}

/**
 * Reads and merges every profile, then loads every object in order.
 * @throws CovError `E_USAGE` when no object or no profile is given, `E_IO` for unreadable paths,
 *   `E_MALFORMED`… when every profile is unusable or an object cannot be read.
 */
export async function loadCoverage(options: LoadOptions): Promise<CoverageSet> {
  if (options.objects.length === 0) {
    throw new CovError('E_USAGE', 'no object given: pass --object BIN (an instrumented binary)');
  }
  const { paths, files, warnings } = await readProfileFiles(options.profiles);
  const profile = mergeProfiles(files);
  const sources = options.objects.map((path) => openFileByteSource(path));
  try {
    const set = assembleCoverage({
      objects: sources,
      profile,
      ...(options.onFilenames === undefined ? {} : { onFilenames: options.onFilenames }),
      metadata: {
        engine: 'instrumented',
        objects: options.objects,
        profiles: paths,
        ...(options.toolchain === undefined ? {} : { toolchain: options.toolchain }),
        createdAt: new Date().toISOString(),
      },
    });
    return { ...set, warnings: [...warnings, ...set.warnings] };
  } finally {
    for (const source of sources) source.close();
  }
}
