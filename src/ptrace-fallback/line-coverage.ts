/**
 * Turns breakpoint hits into a {@link CoverageSet} that every renderer, gate and store reads like
 * instrumented coverage, with line metrics only: one synthesized function record per source
 * function, one code region per coverable line.
 */
import type { Diagnostic } from '../binary/index.js';
import type { BreakpointSite, Subprogram } from '../dwarf/index.js';
import {
  CODE_STRIDE,
  KIND_CODE,
  createCoverageSet,
  type CoverageSet,
  type FunctionRecord,
} from '../model/index.js';
import type { ImagePlan } from './image-plan.js';
import type { TraceMode } from './helper-protocol.js';

/**
 * End column of the one region that stands for a whole line: the largest column the LLVM coverage
 * mapping format can encode (bit 31 of a column marks gap regions), so the region covers every
 * character of any real line and renderers need no special case.
 */
export const LINE_REGION_END_COLUMN = 0x7fffffff;

/** Name of the record that holds a file's lines that no function of that file owns. */
export const UNATTRIBUTED_RECORD_NAME = '<lines outside functions>';

/** One image's plan and the hits gathered for it over every run. */
export interface ImageHits {
  readonly plan: ImagePlan;
  /** Per site (index into `plan.sites`): 1n/0n in one-shot mode, counts in count mode. */
  readonly counts: BigUint64Array;
}

/** Facts for the set's metadata. */
export interface LineCoverageOptions {
  readonly mode: TraceMode;
  readonly toolchain?: string;
  readonly createdAt?: string;
  readonly warnings?: readonly Diagnostic[];
}

interface FunctionAcc {
  readonly name: string;
  readonly file: string;
  readonly declLine: number;
  readonly objectIndex: number;
  entryCount: bigint;
}

interface LineAcc {
  count: bigint;
  /** Function keys with a site on this line whose home file is this file. */
  readonly owners: Set<string>;
  /** Keys of the functions holding the line's own sites ('' for a site outside every function). */
  readonly siteKeys: Set<string>;
  /** Whether an inlined copy's entry stands for the line. */
  inlinedEntry: boolean;
}

/**
 * Builds the coverage set. Rules:
 * - A line is coverable when it has a site in any image, or is the declaration line of a function
 *   an inlined copy of which begins at a site (`inlinedEntries`) — except a line that ran only
 *   inlined: not hit, all its sites in the out-of-line copies of one function that never ran
 *   while an inlined copy of it did (the optimised line table gave it no row where it ran; the
 *   engine cannot measure it, so it is not reported). Its count is, per image, the
 *   largest count of those sites (in one-shot mode 0 or 1); counts of several images are added
 *   (one-shot: 1 when any image hit it), as instrumented counts of several binaries are.
 * - Functions are subprograms keyed by (home file, name without generic arguments, declaration
 *   line), so the monomorphisations of a generic and the copies of one function in several test
 *   binaries (whose linkage names differ) make one record, named by the first linkage name seen.
 *   The home file is `DW_AT_decl_file`, else the file of the function's first site.
 * - Each line belongs to exactly one record, so file totals count it once: among the functions of
 *   that file with a site on it, the one declared last at or before the line (a closure wins over
 *   its enclosing function); lines no function of their own file claims (code inlined into other
 *   files' functions, or no `.debug_info`) go to one `<lines outside functions>` record per file.
 * - A record's execution count is the count of its entry site (the first site at or after its
 *   lowest address) summed over images; its regions are one {@link KIND_CODE} region per line,
 *   `[line, 1] → [line, LINE_REGION_END_COLUMN]`; no branches.
 *
 * @returns a set with `metadata.engine = 'ptrace'`, objects = the image paths.
 */
export function buildLineCoverage(
  images: readonly ImageHits[],
  options: LineCoverageOptions,
): CoverageSet {
  const functions = new Map<string, FunctionAcc>();
  const lines = new Map<string, Map<number, LineAcc>>();
  const oneShot = options.mode === 'oneshot';
  /** `file\0line` of the declarations of functions an inlined copy of which was entered. */
  const enteredInline = new Set<string>();

  images.forEach(({ plan, counts }, objectIndex) => {
    const owners = attributeSites(plan);
    const imageLineMax = new Map<string, Map<number, bigint>>();
    const noteLine = (file: string, line: number, count: bigint): void => {
      let perFile = imageLineMax.get(file);
      if (perFile === undefined) imageLineMax.set(file, (perFile = new Map()));
      const before = perFile.get(line);
      if (before === undefined || count > before) perFile.set(line, count);
    };
    plan.sites.forEach((site, i) => {
      const count = counts[i] ?? 0n;
      noteLine(site.file, site.line, count);
      // an inlined copy's entry: the inlined function's declaration line ran (owned by its own
      // out-of-line copy's record when it has one, never by the caller)
      for (const entry of site.inlinedEntries ?? []) {
        noteLine(entry.file, entry.line, count);
        lineAcc(lines, entry.file, entry.line).inlinedEntry = true;
        if (count !== 0n) enteredInline.add(`${entry.file}\u0000${entry.line}`);
      }
      const owner = owners.siteOwner[i];
      lineAcc(lines, site.file, site.line).siteKeys.add(
        owner === undefined ? '' : owners.keys[owner]!,
      );
      if (owner === undefined) return;
      const key = owners.keys[owner]!;
      const fn = owners.functions[owner]!;
      if (!functions.has(key)) functions.set(key, { ...fn, objectIndex, entryCount: 0n });
      if (owners.isEntry[i] === 1) {
        // one entry site per instance: monomorphisations add up (one-shot: any of them)
        const acc = functions.get(key)!;
        acc.entryCount = oneShot
          ? acc.entryCount !== 0n || count !== 0n
            ? 1n
            : 0n
          : acc.entryCount + count;
      }
      if (fn.file === site.file) lineAcc(lines, site.file, site.line).owners.add(key);
    });
    for (const [file, perFile] of imageLineMax) {
      for (const [line, count] of perFile) {
        const acc = lineAcc(lines, file, line);
        acc.count = oneShot ? (acc.count !== 0n || count !== 0n ? 1n : 0n) : acc.count + count;
      }
    }
  });

  // a line that only an inlined copy's entry stands for belongs to the function declared there
  const declaredAt = new Map<string, string>();
  for (const [key, fn] of functions) {
    const at = `${fn.file}\u0000${fn.declLine}`;
    const before = declaredAt.get(at);
    if (before === undefined || key < before) declaredAt.set(at, key);
  }
  const owned = new Map<string, { file: string; lines: number[] }>();
  for (const [file, perFile] of lines) {
    for (const [line, acc] of perFile) {
      if (ranOnlyInlined(file, acc, functions, enteredInline)) continue;
      const key =
        chooseOwner(acc.owners, line, functions) ??
        (acc.inlinedEntry ? declaredAt.get(`${file}\u0000${line}`) : undefined) ??
        unattributedKey(file);
      let entry = owned.get(key);
      if (entry === undefined) owned.set(key, (entry = { file, lines: [] }));
      entry.lines.push(line);
    }
  }

  const records: FunctionRecord[] = [];
  for (const [key, { file, lines: ownedLines }] of owned) {
    ownedLines.sort((a, b) => a - b);
    const regions = new Uint32Array(ownedLines.length * CODE_STRIDE);
    const regionCounts = new BigUint64Array(ownedLines.length);
    ownedLines.forEach((line, i) => {
      regions.set([KIND_CODE, 0, 0, line, 1, line, LINE_REGION_END_COLUMN], i * CODE_STRIDE);
      regionCounts[i] = lines.get(file)!.get(line)!.count;
    });
    const fn = functions.get(key);
    records.push({
      name: fn?.name ?? UNATTRIBUTED_RECORD_NAME,
      filenames: [file],
      executionCount: fn?.entryCount ?? regionCounts.reduce((a, b) => (b > a ? b : a), 0n),
      regions,
      regionCounts,
      branches: new Uint32Array(0),
      branchTrueCounts: new BigUint64Array(0),
      branchFalseCounts: new BigUint64Array(0),
      mcdcRecords: [],
      objectIndex: fn?.objectIndex ?? 0,
    });
  }
  records.sort(
    (a, b) =>
      a.objectIndex - b.objectIndex ||
      compareText(a.filenames[0]!, b.filenames[0]!) ||
      a.regions[3]! - b.regions[3]!,
  );
  return createCoverageSet(records, options.warnings ?? [], {
    engine: 'ptrace',
    objects: images.map((image) => image.plan.path),
    profiles: [],
    ...(options.toolchain === undefined ? {} : { toolchain: options.toolchain }),
    ...(options.createdAt === undefined ? {} : { createdAt: options.createdAt }),
  });
}

/**
 * One-shot groups of the plans' sites: sites with the same (file, line, inlined entries, owning
 * function) get the same id, in every plan (ids dense from 0), so the helper can restore a whole group at its first
 * trap and not arm it again in later processes or binaries — the report only needs to know that
 * the line ran in that function.
 * @returns per plan, one group id per site.
 */
export function siteGroups(plans: readonly ImagePlan[]): Uint32Array[] {
  const ids = new Map<string, number>();
  return plans.map((plan) => {
    const owners = attributeSites(plan);
    const groups = new Uint32Array(plan.sites.length);
    plan.sites.forEach((site, i) => {
      const owner = owners.siteOwner[i];
      const inlined = (site.inlinedEntries ?? [])
        .map((e) => `${e.file}\u0000${e.line}`)
        .join('\u0000');
      const key = `${site.file}\u0000${site.line}\u0000${inlined}\u0001${owner === undefined ? '' : owners.keys[owner]}`;
      let id = ids.get(key);
      if (id === undefined) ids.set(key, (id = ids.size));
      groups[i] = id;
    });
    return groups;
  });
}

/**
 * Whether a line cannot be measured: not hit, all its sites in the out-of-line copies of one
 * function of its own file, which never ran, while an inlined copy of that function did (its entry
 * was hit). Where the function ran (inlined) the optimised line table gave the line no row (a
 * closing brace, code merged into other lines), so 0 hits would be wrong and any count a guess.
 */
function ranOnlyInlined(
  file: string,
  acc: LineAcc,
  functions: ReadonlyMap<string, FunctionAcc>,
  enteredInline: ReadonlySet<string>,
): boolean {
  if (acc.count !== 0n || acc.inlinedEntry || acc.siteKeys.size !== 1) return false;
  const [key] = acc.siteKeys;
  const fn = key === undefined || key === '' ? undefined : functions.get(key);
  return (
    fn !== undefined &&
    fn.file === file &&
    fn.entryCount === 0n &&
    enteredInline.has(`${fn.file}\u0000${fn.declLine}`)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function unattributedKey(file: string): string {
  return `\u0000unattributed\u0000${file}`;
}

function lineAcc(lines: Map<string, Map<number, LineAcc>>, file: string, line: number): LineAcc {
  let perFile = lines.get(file);
  if (perFile === undefined) lines.set(file, (perFile = new Map()));
  let acc = perFile.get(line);
  if (acc === undefined) {
    perFile.set(
      line,
      (acc = { count: 0n, owners: new Set(), siteKeys: new Set(), inlinedEntry: false }),
    );
  }
  return acc;
}

/** The owner of a line: declared last at or before it; else the one declared first. */
function chooseOwner(
  keys: ReadonlySet<string>,
  line: number,
  functions: ReadonlyMap<string, FunctionAcc>,
): string | undefined {
  let best: string | undefined;
  let bestLine = -1;
  let earliest: string | undefined;
  let earliestLine = Infinity;
  for (const key of keys) {
    const declLine = functions.get(key)!.declLine;
    if (declLine <= line && (declLine > bestLine || (declLine === bestLine && key < best!))) {
      best = key;
      bestLine = declLine;
    }
    if (declLine < earliestLine || (declLine === earliestLine && key < earliest!)) {
      earliest = key;
      earliestLine = declLine;
    }
  }
  return best ?? earliest;
}

interface SiteAttribution {
  /** Per site: index into `keys`/`functions` of the subprogram containing it, or undefined. */
  readonly siteOwner: (number | undefined)[];
  /** Per site: 1 when it is its subprogram's entry site. */
  readonly isEntry: Uint8Array;
  readonly keys: string[];
  readonly functions: Omit<FunctionAcc, 'objectIndex' | 'entryCount'>[];
}

/** Maps each site of `plan` to the subprogram whose ranges contain its address. */
function attributeSites(plan: ImagePlan): SiteAttribution {
  const sites = plan.sites;
  const siteOwner: (number | undefined)[] = new Array<number | undefined>(sites.length);
  const isEntry = new Uint8Array(sites.length);
  const keys: string[] = [];
  const functions: Omit<FunctionAcc, 'objectIndex' | 'entryCount'>[] = [];
  const ranges: { start: bigint; end: bigint; owner: number }[] = [];
  plan.subprograms.forEach((subprogram, owner) => {
    for (const range of subprogram.ranges) {
      if (range.start < range.end) ranges.push({ start: range.start, end: range.end, owner });
    }
  });
  ranges.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const subprogramIndex = new Map<number, number>();
  // sites are sorted by address: one merge pass over both sorted lists
  let r = 0;
  for (let i = 0; i < sites.length; i++) {
    const address = sites[i]!.address;
    while (r < ranges.length && ranges[r]!.end <= address) r++;
    const range = ranges[r];
    if (range === undefined || range.start > address) continue;
    let index = subprogramIndex.get(range.owner);
    if (index === undefined) {
      const subprogram = plan.subprograms[range.owner]!;
      const first = firstSiteAt(sites, lowestStart(subprogram), i);
      const fn = describeFunction(subprogram, sites[first] ?? sites[i]!);
      index = keys.length;
      keys.push(`${fn.file}\u0000${baseName(subprogram.name)}\u0000${fn.declLine}`);
      functions.push(fn);
      subprogramIndex.set(range.owner, index);
      if (first < sites.length) isEntry[first] = 1;
    }
    siteOwner[i] = index;
  }
  return { siteOwner, isEntry, keys, functions };
}

/**
 * A function's name without generic arguments (`fmt<i32>` → `fmt`): the key part that is the same
 * for every monomorphisation and in every binary (linkage names differ between the unit-test
 * build of a crate and the library build its integration tests link).
 */
function baseName(name: string): string {
  const open = name.indexOf('<');
  return open > 0 ? name.slice(0, open) : name;
}

function lowestStart(subprogram: Subprogram): bigint {
  let low = subprogram.ranges[0]!.start;
  for (const range of subprogram.ranges) if (range.start < low) low = range.start;
  return low;
}

/** Index of the first site with address ≥ `address` (searching back from `hint`). */
function firstSiteAt(sites: readonly BreakpointSite[], address: bigint, hint: number): number {
  let lo = 0;
  let hi = Math.min(sites.length, hint + 1);
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sites[mid]!.address < address) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function describeFunction(
  subprogram: Subprogram,
  entrySite: BreakpointSite,
): Omit<FunctionAcc, 'objectIndex' | 'entryCount'> {
  return {
    name: subprogram.linkageName ?? subprogram.name,
    file: subprogram.file ?? entrySite.file,
    declLine: subprogram.line ?? entrySite.line,
  };
}
