/**
 * The breakpoint plan of one executable: its ELF facts (entry point, build id, executable
 * segments), the addresses to arm with the source line each stands for, and its subprograms for
 * attributing lines to functions.
 */
import { realpathSync } from 'node:fs';
import { CovError, diagnosticFromError, type Diagnostic } from '../binary/index.js';
import {
  addInlinedEntries,
  readDebugLine,
  readSubprograms,
  selectBreakpointSites,
  type BreakpointSite,
  type DwarfSections,
  type Subprogram,
} from '../dwarf/index.js';
import { openFileByteSource } from '../llvm-bridge/index.js';
import { readElfImageInfo, readNamedSections } from '../object/index.js';

/** Everything the engine needs to know about one executable. */
export interface ImagePlan {
  /** Real path (symlinks resolved). */
  readonly path: string;
  /** ELF `e_entry`, link-time. */
  readonly entry: bigint;
  readonly buildId?: Uint8Array;
  /** Sites to arm, sorted by address, one per address. */
  readonly sites: readonly BreakpointSite[];
  /**
   * Functions with at least one site (so no standard-library function whose code was dropped from
   * the plan); empty when `.debug_info` is missing or unreadable (with a warning).
   */
  readonly subprograms: readonly Subprogram[];
  readonly warnings: readonly Diagnostic[];
}

const DWARF_SECTIONS = {
  debugLine: '.debug_line',
  debugInfo: '.debug_info',
  debugAbbrev: '.debug_abbrev',
  debugStr: '.debug_str',
  debugLineStr: '.debug_line_str',
  debugStrOffsets: '.debug_str_offsets',
  debugAddr: '.debug_addr',
  debugRanges: '.debug_ranges',
  debugRnglists: '.debug_rnglists',
} as const;

/**
 * Sources of the standard library as rustc records them (remapped to `/rustc/<commit hash>/`, and
 * its vendored dependencies to `/rust/deps/`): never user code and never instrumented, so not
 * armed — fewer traps in hot std code.
 */
export const RUSTC_REMAPPED_SOURCE = /^\/rustc\/[0-9a-f]{40}\/|^\/rust\/deps\//;

/** Advice for binaries without usable line tables. */
export const LINE_TABLES_HINT =
  'build it with line tables: RUSTFLAGS="-C debuginfo=line-tables-only -C strip=none" (or -g for C/C++), and not stripped';

/**
 * Reads `path` (an ELF executable) and plans its breakpoints: `.debug_line` rows selected by
 * {@link selectBreakpointSites} against the executable PT_LOAD segments, without the standard
 * library's sources ({@link RUSTC_REMAPPED_SOURCE}), plus the entries of inlined copies of user
 * functions ({@link addInlinedEntries}); subprograms from `.debug_info` (missing or unreadable
 * debug info gives a warning, no subprograms and no inlined entries).
 *
 * @throws CovError `E_UNSUPPORTED_VERSION` when `path` is not an ELF file; `E_USAGE` when it has no
 *   `.debug_line` (not built with debug info, or stripped) or no line row inside its executable
 *   segments; `E_IO` when it cannot be read; parse errors of the ELF headers as thrown by `object/`.
 */
export function planImage(path: string): ImagePlan {
  const realPath = realpathSafe(path);
  const source = openFileByteSource(realPath);
  try {
    let info;
    try {
      info = readElfImageInfo(source);
    } catch (error) {
      if (error instanceof CovError && error.code === 'E_BAD_MAGIC') {
        throw new CovError(
          'E_UNSUPPORTED_VERSION',
          'not an ELF executable: the breakpoint engine traces Linux ELF programs only',
          { source: path },
        );
      }
      throw error;
    }
    const bytes = readNamedSections(source, Object.values(DWARF_SECTIONS));
    const debugLine = bytes.get(DWARF_SECTIONS.debugLine)?.bytes;
    if (debugLine === undefined || debugLine.length === 0) {
      throw new CovError('E_USAGE', `has no line tables (.debug_line); ${LINE_TABLES_HINT}`, {
        source: path,
      });
    }
    const sections: { -readonly [K in keyof DwarfSections]: DwarfSections[K] } = {
      debugLine,
      littleEndian: info.littleEndian,
      addressBytes: info.addressBytes,
    };
    for (const [key, name] of Object.entries(DWARF_SECTIONS) as [
      keyof typeof DWARF_SECTIONS,
      string,
    ][]) {
      const section = bytes.get(name);
      if (key !== 'debugLine' && section !== undefined) sections[key] = section.bytes;
    }
    const warnings: Diagnostic[] = [];
    const lines = readDebugLine(sections, path);
    warnings.push(...lines.warnings);
    // most rows of a Rust test binary are the standard library's: drop them before selecting
    const notStd = new Map<string, boolean>();
    const rows = lines.rows.filter((row) => {
      let keep = notStd.get(row.file);
      if (keep === undefined) notStd.set(row.file, (keep = !RUSTC_REMAPPED_SOURCE.test(row.file)));
      return keep;
    });
    let sites = selectBreakpointSites(rows, info.executableSegments);
    if (sites.length === 0) {
      throw new CovError(
        'E_USAGE',
        `has line tables but no line row inside its executable segments; ${LINE_TABLES_HINT}`,
        { source: path },
      );
    }
    let subprograms: Subprogram[] = [];
    if (sections.debugInfo !== undefined && sections.debugAbbrev !== undefined) {
      try {
        const read = readSubprograms(sections, path, { inlinedFrom: isUserSource });
        sites = addInlinedEntries(sites, read.inlinedCalls, info.executableSegments);
        const armed = sites;
        subprograms = read.subprograms.filter((subprogram) => containsSite(subprogram, armed));
        warnings.push(...read.warnings);
      } catch (error) {
        if (!(error instanceof CovError)) throw error;
        warnings.push(
          diagnosticFromError(error, 'functions unknown (lines are reported per file): '),
        );
      }
    }
    return {
      path: realPath,
      entry: info.entry,
      ...(info.buildId === undefined ? {} : { buildId: info.buildId }),
      sites,
      subprograms,
      warnings,
    };
  } finally {
    source.close();
  }
}

/** Whether a decl file is user code (known, and not the standard library's remapped sources). */
function isUserSource(file: string | undefined): boolean {
  return file !== undefined && !RUSTC_REMAPPED_SOURCE.test(file);
}

/** Whether a range of `subprogram` holds a site (the others can attribute nothing). */
function containsSite(subprogram: Subprogram, sites: readonly BreakpointSite[]): boolean {
  for (const range of subprogram.ranges) {
    let lo = 0;
    let hi = sites.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sites[mid]!.address < range.start) lo = mid + 1;
      else hi = mid;
    }
    if (lo < sites.length && sites[lo]!.address < range.end) return true;
  }
  return false;
}

function realpathSafe(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path; // openFileByteSource reports the missing file with its own message
  }
}
