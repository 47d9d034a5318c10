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

/** A function as the report knows it (the record is named by the first linkage name seen). */
interface FunctionInfo {
  readonly name: string;
  readonly file: string;
  readonly declLine: number;
}

/**
 * Bump when the rules of {@link indexLineCoverage} or {@link siteGroups} change: stored runner
 * jobs (which keep both, see `plan-store.ts`) carry this version in their key.
 */
export const LINE_RULES_VERSION = 'lines/2';

/**
 * What {@link buildLineCoverage} needs from the plans, computed once: every rule that does not
 * depend on hits is applied here, so a report is one pass over the hit sites
 * ({@link coverageFromIndex}). Line *slots* are the coverable (file, line) pairs.
 */
export interface LineCoverageIndex {
  /** The images' paths (the set's `objects`). */
  readonly objects: readonly string[];
  /** The plans' warnings. */
  readonly warnings: readonly Diagnostic[];
  readonly files: readonly string[];
  /** Per slot: index into `files`, and the 1-based line. */
  readonly slotFile: Uint32Array;
  readonly slotLine: Uint32Array;
  /** Per image, what a hit of a site (index into its plan's sites) counts for. */
  readonly images: readonly ImageLineIndex[];
  /** Per function (ids used by `entryFunction` and `recordFunction`): its record's name. */
  readonly functionNames: readonly string[];
  /**
   * Records in report order: the function id (−1 for a file's `<lines outside functions>`), the
   * file (index into `files`), the object index, and the slots it owns (sorted by line) as
   * `recordSlots[recordStart[r]..recordStart[r + 1]]`.
   */
  readonly recordFunction: Int32Array;
  readonly recordFile: Uint32Array;
  readonly recordObject: Uint32Array;
  readonly recordStart: Uint32Array;
  readonly recordSlots: Uint32Array;
  /**
   * Per slot: the function holding every one of its own sites (−1 when several, or a site outside
   * every function, or none), for the rule that drops lines which ran only inlined.
   */
  readonly slotSoleFunction: Int32Array;
  /** Per function: the slot of its declaration line when one exists, else −1. */
  readonly functionDeclSlot: Int32Array;
  /** Per slot: 1 when an inlined copy's entry stands for it (`inlinedEntries`). */
  readonly slotInlinedEntry: Uint8Array;
}

/** One image in a {@link LineCoverageIndex}. */
export interface ImageLineIndex {
  /** Per site: the slot of its own line. */
  readonly siteSlot: Uint32Array;
  /** Sites with inlined entries, once per further slot they stand for (`extraSlot`). */
  readonly extraSite: Uint32Array;
  readonly extraSlot: Uint32Array;
  /** Entry sites and the function each one enters. */
  readonly entrySite: Uint32Array;
  readonly entryFunction: Uint32Array;
}

/**
 * Applies the rules of {@link buildLineCoverage} that depend only on the plans: which lines are
 * coverable, which function owns each line, which sites are entries.
 * @returns the index; `objects` in plan order.
 */
export function indexLineCoverage(plans: readonly ImagePlan[]): LineCoverageIndex {
  const files: string[] = [];
  const fileIds = new Map<string, number>();
  const fileIdOf = (file: string): number => {
    let id = fileIds.get(file);
    if (id === undefined) {
      fileIds.set(file, (id = files.length));
      files.push(file);
    }
    return id;
  };
  const slotIds = new Map<number, number>();
  const slotFile: number[] = [];
  const slotLine: number[] = [];
  // −2: no own site yet; −1: sites of several functions (or outside every function)
  const slotSole: number[] = [];
  const slotEntry: number[] = [];
  // function ids with a site on the slot whose home file is the slot's file
  const slotOwners: (Set<number> | undefined)[] = [];
  const slotOf = (fileId: number, line: number): number => {
    // line numbers are u32 and file ids far below 2^21: an exact integer key
    const key = fileId * 0x1_0000_0000 + line;
    let slot = slotIds.get(key);
    if (slot === undefined) {
      slotIds.set(key, (slot = slotFile.length));
      slotFile.push(fileId);
      slotLine.push(line);
      slotOwners.push(undefined);
      slotSole.push(-2);
      slotEntry.push(0);
    }
    return slot;
  };
  const functionIds = new Map<string, number>();
  const functionKeys: string[] = [];
  const functions: (FunctionInfo & { readonly objectIndex: number })[] = [];
  const warnings: Diagnostic[] = [];

  const images = plans.map((plan, objectIndex): ImageLineIndex => {
    warnings.push(...plan.warnings);
    const owners = attributeSites(plan);
    const functionOfOwner = new Int32Array(owners.keys.length).fill(-1);
    const sites = plan.sites;
    const siteSlot = new Uint32Array(sites.length);
    const extraSite: number[] = [];
    const extraSlot: number[] = [];
    const entrySite: number[] = [];
    const entryFunction: number[] = [];
    let lastFile: string | undefined;
    let lastFileId = 0;
    let lastOwnedFunction = -1;
    let lastOwnedSlot = -1;
    for (let i = 0; i < sites.length; i++) {
      const site = sites[i]!;
      if (site.file !== lastFile) {
        lastFile = site.file;
        lastFileId = fileIdOf(site.file);
      }
      const slot = slotOf(lastFileId, site.line);
      siteSlot[i] = slot;
      // an inlined copy's entry: the inlined function's declaration line ran (owned by its own
      // out-of-line copy's record when it has one, never by the caller)
      for (const entry of site.inlinedEntries ?? []) {
        const extra = slotOf(fileIdOf(entry.file), entry.line);
        extraSite.push(i);
        extraSlot.push(extra);
        slotEntry[extra] = 1;
      }
      const owner = owners.siteOwner[i];
      if (owner === undefined) {
        slotSole[slot] = -1;
        continue;
      }
      let id = functionOfOwner[owner]!;
      if (id < 0) {
        const key = owners.keys[owner]!;
        let known = functionIds.get(key);
        if (known === undefined) {
          functionIds.set(key, (known = functions.length));
          functionKeys.push(key);
          functions.push({ ...owners.functions[owner]!, objectIndex });
        }
        functionOfOwner[owner] = id = known;
      }
      const sole = slotSole[slot]!;
      slotSole[slot] = sole === -2 || sole === id ? id : -1;
      if (owners.isEntry[i] === 1) {
        entrySite.push(i);
        entryFunction.push(id);
      }
      if (
        owners.functions[owner]!.file === site.file &&
        (id !== lastOwnedFunction || slot !== lastOwnedSlot)
      ) {
        (slotOwners[slot] ??= new Set()).add(id);
        lastOwnedFunction = id;
        lastOwnedSlot = slot;
      }
    }
    return {
      siteSlot,
      extraSite: Uint32Array.from(extraSite),
      extraSlot: Uint32Array.from(extraSlot),
      entrySite: Uint32Array.from(entrySite),
      entryFunction: Uint32Array.from(entryFunction),
    };
  });

  // the function declared on a slot (the smaller key when several are)
  const declaredAt = new Map<number, number>();
  const functionDeclSlot = new Int32Array(functions.length).fill(-1);
  functions.forEach((fn, id) => {
    const slot = slotIds.get(fileIdOf(fn.file) * 0x1_0000_0000 + fn.declLine);
    if (slot === undefined) return;
    functionDeclSlot[id] = slot;
    const before = declaredAt.get(slot);
    if (before === undefined || functionKeys[id]! < functionKeys[before]!) declaredAt.set(slot, id);
  });
  // each slot to one record: a function of its file, else (a line only an inlined copy's entry
  // stands for) the function declared there, else its file's unattributed record
  const records = new Map<string, { fn: number; file: number; slots: number[] }>();
  for (let slot = 0; slot < slotFile.length; slot++) {
    const candidates = slotOwners[slot];
    const fn =
      candidates !== undefined
        ? chooseOwner(candidates, slotLine[slot]!, functions, functionKeys)
        : slotEntry[slot] === 1
          ? (declaredAt.get(slot) ?? -1)
          : -1;
    const key = fn >= 0 ? `f${fn}` : `u${slotFile[slot]}`;
    let record = records.get(key);
    if (record === undefined) records.set(key, (record = { fn, file: slotFile[slot]!, slots: [] }));
    record.slots.push(slot);
  }
  const ordered = [...records.values()];
  for (const record of ordered) record.slots.sort((a, b) => slotLine[a]! - slotLine[b]!);
  const objectOf = (record: { fn: number }): number =>
    record.fn >= 0 ? functions[record.fn]!.objectIndex : 0;
  ordered.sort(
    (a, b) =>
      objectOf(a) - objectOf(b) ||
      compareText(files[a.file]!, files[b.file]!) ||
      slotLine[a.slots[0]!]! - slotLine[b.slots[0]!]!,
  );
  const recordStart = new Uint32Array(ordered.length + 1);
  ordered.forEach((record, r) => (recordStart[r + 1] = recordStart[r]! + record.slots.length));
  return {
    objects: plans.map((plan) => plan.path),
    warnings,
    files,
    slotFile: Uint32Array.from(slotFile),
    slotLine: Uint32Array.from(slotLine),
    images,
    functionNames: functions.map((fn) => fn.name),
    recordFunction: Int32Array.from(ordered.map((record) => record.fn)),
    recordFile: Uint32Array.from(ordered.map((record) => record.file)),
    recordObject: Uint32Array.from(ordered.map(objectOf)),
    recordStart,
    recordSlots: Uint32Array.from(ordered.flatMap((record) => record.slots)),
    slotSoleFunction: Int32Array.from(slotSole, (v) => (v < 0 ? -1 : v)),
    functionDeclSlot,
    slotInlinedEntry: Uint8Array.from(slotEntry),
  };
}

/**
 * Builds the coverage set. Rules:
 * - A line is coverable when it has a site in any image, or is the declaration line of a function
 *   an inlined copy of which begins at a site (`inlinedEntries`) — except a line that ran only
 *   inlined: not hit, all its own sites in the out-of-line copies of the one function that owns
 *   it, which never ran while an inlined copy of it did (the optimised line table gave it no row
 *   where it ran; the engine cannot measure it, so it is not reported). Its count is, per image,
 *   the largest count of those sites (in one-shot mode 0 or 1); counts of several images are added
 *   (one-shot: 1 when any image hit it), as instrumented counts of several binaries are.
 * - Functions are subprograms keyed by (home file, name without generic arguments, declaration
 *   line), so the monomorphisations of a generic and the copies of one function in several test
 *   binaries (whose linkage names differ) make one record, named by the first linkage name seen.
 *   The home file is `DW_AT_decl_file`, else the file of the function's first site.
 * - Each line belongs to exactly one record, so file totals count it once: among the functions of
 *   that file with a site on it, the one declared last at or before the line (a closure wins over
 *   its enclosing function); a line only an inlined copy's entry stands for belongs to the function
 *   declared on it; lines no function of their own file claims (code inlined into other files'
 *   functions, or no `.debug_info`) go to one `<lines outside functions>` record per file.
 * - A record's execution count is the count of its entry site (the first site at or after its
 *   lowest address) summed over images; its regions are one {@link KIND_CODE} region per line,
 *   `[line, 1] → [line, LINE_REGION_END_COLUMN]`; no branches.
 *
 * The rules that need no hits are {@link indexLineCoverage}'s, the rest {@link coverageFromIndex}'s.
 * @returns a set with `metadata.engine = 'ptrace'`, objects = the image paths.
 */
export function buildLineCoverage(
  images: readonly ImageHits[],
  options: LineCoverageOptions,
): CoverageSet {
  const index = indexLineCoverage(images.map((image) => image.plan));
  return coverageFromIndex(
    { ...index, warnings: [] },
    images.map((image) => image.counts),
    options,
  );
}

/**
 * The coverage set of `counts` (per image of the index, per site: 1n/0n in one-shot mode, counts
 * in count mode) under the rules of {@link buildLineCoverage}; work is proportional to the sites
 * hit, not to all sites. Warnings: the index's, then `options.warnings`.
 */
export function coverageFromIndex(
  index: LineCoverageIndex,
  counts: readonly BigUint64Array[],
  options: LineCoverageOptions,
): CoverageSet {
  const oneShot = options.mode === 'oneshot';
  const slotCount = new Array<bigint>(index.slotLine.length).fill(0n);
  const functionCount = new Array<bigint>(index.functionNames.length).fill(0n);
  // declaration slots of functions an inlined copy of which was entered
  const enteredInline = new Set<number>();
  index.images.forEach((image, i) => {
    const siteCounts = counts[i] ?? new BigUint64Array(0);
    const sites = Math.min(siteCounts.length, image.siteSlot.length);
    const countOf = (site: number): bigint => (site < sites ? siteCounts[site]! : 0n);
    // the largest count per slot in this image (zero counts change nothing)
    const imageMax = new Map<number, bigint>();
    const note = (slot: number, count: bigint): void => {
      const before = imageMax.get(slot);
      if (before === undefined || count > before) imageMax.set(slot, count);
    };
    // scanned as 32-bit words: reading each bigint would allocate one per site
    const words = new Uint32Array(siteCounts.buffer, siteCounts.byteOffset, sites * 2);
    for (let site = 0; site < sites; site++) {
      if (words[2 * site] !== 0 || words[2 * site + 1] !== 0) {
        note(image.siteSlot[site]!, siteCounts[site]!);
      }
    }
    image.extraSite.forEach((site, k) => {
      const count = countOf(site);
      if (count === 0n) return;
      note(image.extraSlot[k]!, count);
      enteredInline.add(image.extraSlot[k]!);
    });
    image.entrySite.forEach((site, k) => {
      const count = countOf(site);
      if (count === 0n) return;
      // one entry site per instance: monomorphisations add up (one-shot: any of them)
      const fn = image.entryFunction[k]!;
      functionCount[fn] = oneShot ? 1n : functionCount[fn]! + count;
    });
    for (const [slot, count] of imageMax) {
      slotCount[slot] = oneShot ? 1n : slotCount[slot]! + count;
    }
  });

  const records: FunctionRecord[] = [];
  for (let r = 0; r + 1 < index.recordStart.length; r++) {
    const start = index.recordStart[r]!;
    const fn = index.recordFunction[r]!;
    // a function whose out-of-line copies never ran but an inlined copy did: its lines with no
    // hit and no site outside those copies cannot be measured (see buildLineCoverage)
    const inlinedOnly =
      fn >= 0 &&
      functionCount[fn] === 0n &&
      index.functionDeclSlot[fn]! >= 0 &&
      enteredInline.has(index.functionDeclSlot[fn]!);
    const slots: number[] = [];
    for (let i = start; i < index.recordStart[r + 1]!; i++) {
      const slot = index.recordSlots[i]!;
      const unmeasurable =
        inlinedOnly &&
        slotCount[slot] === 0n &&
        index.slotInlinedEntry[slot] === 0 &&
        index.slotSoleFunction[slot] === fn;
      if (!unmeasurable) slots.push(slot);
    }
    if (slots.length === 0) continue;
    const length = slots.length;
    const regions = new Uint32Array(length * CODE_STRIDE);
    const regionCounts = new BigUint64Array(length);
    let largest = 0n;
    for (let i = 0; i < length; i++) {
      const slot = slots[i]!;
      const line = index.slotLine[slot]!;
      regions.set([KIND_CODE, 0, 0, line, 1, line, LINE_REGION_END_COLUMN], i * CODE_STRIDE);
      const count = slotCount[slot]!;
      regionCounts[i] = count;
      if (count > largest) largest = count;
    }
    records.push({
      name: fn >= 0 ? index.functionNames[fn]! : UNATTRIBUTED_RECORD_NAME,
      filenames: [index.files[index.recordFile[r]!]!],
      executionCount: fn >= 0 ? functionCount[fn]! : largest,
      regions,
      regionCounts,
      branches: new Uint32Array(0),
      branchTrueCounts: new BigUint64Array(0),
      branchFalseCounts: new BigUint64Array(0),
      mcdcRecords: [],
      objectIndex: index.recordObject[r]!,
    });
  }
  return createCoverageSet(records, [...index.warnings, ...(options.warnings ?? [])], {
    engine: 'ptrace',
    objects: [...index.objects],
    profiles: [],
    ...(options.toolchain === undefined ? {} : { toolchain: options.toolchain }),
    ...(options.createdAt === undefined ? {} : { createdAt: options.createdAt }),
  });
}

/**
 * One-shot groups of the plans' sites (ids dense from 0, shared by all the plans), so the helper
 * can restore a whole group at its first trap and not arm it again in later processes or binaries.
 * What {@link buildLineCoverage} reads from the hits decides the grouping:
 * - the lines a site stands for (its own line and its `inlinedEntries`) only need one hit of any
 *   site standing for the same lines, whatever function it is in (which function owns a line is
 *   decided from the plans, not from hits): every site that is not a function's entry site is
 *   grouped by (file, line, inlined entries), across functions and plans;
 * - a function's execution count needs a hit of one of its entry sites: entry sites are grouped by
 *   (file, line, inlined entries, function key), so the monomorphisations and copies of one
 *   function share a group and no other function's trap can restore them.
 * @returns per plan, one group id per site.
 */
export function siteGroups(plans: readonly ImagePlan[]): Uint32Array[] {
  const fileIds = new Map<string, number>();
  const lineGroups = new Map<number, number>();
  const otherGroups = new Map<string, number>();
  let next = 0;
  const fileIdOf = (file: string): number => {
    let id = fileIds.get(file);
    if (id === undefined) fileIds.set(file, (id = fileIds.size));
    return id;
  };
  return plans.map((plan) => {
    const owners = attributeSites(plan);
    const groups = new Uint32Array(plan.sites.length);
    plan.sites.forEach((site, i) => {
      const fileId = fileIdOf(site.file);
      const owner = owners.siteOwner[i];
      const entry = owners.isEntry[i] === 1 && owner !== undefined;
      let id: number | undefined;
      if (!entry && site.inlinedEntries === undefined && fileId < 0x20_0000) {
        // the common case, keyed without building a string: exact below 2^53
        const key = fileId * 0x1_0000_0000 + site.line;
        id = lineGroups.get(key);
        if (id === undefined) lineGroups.set(key, (id = next++));
      } else {
        const inlined = (site.inlinedEntries ?? [])
          .map((e) => `${fileIdOf(e.file)}:${e.line}`)
          .join(',');
        const key = `${fileId}:${site.line}:${inlined}:${entry ? owners.keys[owner] : ''}`;
        id = otherGroups.get(key);
        if (id === undefined) otherGroups.set(key, (id = next++));
      }
      groups[i] = id;
    });
    return groups;
  });
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The owner of a line among `candidates` (function ids): declared last at or before it; else the
 * one declared first; ties go to the smaller function key.
 */
function chooseOwner(
  candidates: ReadonlySet<number>,
  line: number,
  functions: readonly FunctionInfo[],
  keys: readonly string[],
): number {
  let best = -1;
  let bestLine = -1;
  let earliest = -1;
  let earliestLine = Infinity;
  for (const id of candidates) {
    const declLine = functions[id]!.declLine;
    if (
      declLine <= line &&
      (declLine > bestLine || (declLine === bestLine && keys[id]! < keys[best]!))
    ) {
      best = id;
      bestLine = declLine;
    }
    if (declLine < earliestLine || (declLine === earliestLine && keys[id]! < keys[earliest]!)) {
      earliest = id;
      earliestLine = declLine;
    }
  }
  return best >= 0 ? best : earliest;
}

interface SiteAttribution {
  /** Per site: index into `keys`/`functions` of the subprogram containing it, or undefined. */
  readonly siteOwner: (number | undefined)[];
  /** Per site: 1 when it is its subprogram's entry site. */
  readonly isEntry: Uint8Array;
  readonly keys: string[];
  readonly functions: FunctionInfo[];
}

/** Maps each site of `plan` to the subprogram whose ranges contain its address. */
function attributeSites(plan: ImagePlan): SiteAttribution {
  const sites = plan.sites;
  const siteOwner: (number | undefined)[] = new Array<number | undefined>(sites.length);
  const isEntry = new Uint8Array(sites.length);
  const keys: string[] = [];
  const functions: FunctionInfo[] = [];
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

function describeFunction(subprogram: Subprogram, entrySite: BreakpointSite): FunctionInfo {
  return {
    name: subprogram.linkageName ?? subprogram.name,
    file: subprogram.file ?? entrySite.file,
    declLine: subprogram.line ?? entrySite.line,
  };
}
