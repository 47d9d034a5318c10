/**
 * An on-disk cache of image plans, so an unchanged test binary is not re-read on the next run:
 * one MessagePack file per plan, named by a hash of the binary's path, size, mtime and inode.
 */
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { decode, encode } from '@msgpack/msgpack';
import { CovError, type Diagnostic } from '../binary/index.js';
import type { BreakpointSite, SourceLine, Subprogram } from '../dwarf/index.js';
import type { ImagePlan } from './image-plan.js';
import {
  LINE_RULES_VERSION,
  type ImageLineIndex,
  type LineCoverageIndex,
} from './line-coverage.js';
import { readU32Array, readU64Array } from './helper-protocol.js';

/** Bump when the plan rules or this layout change, so old entries are not read. */
const PLAN_STORE_VERSION = 'plan/7';

/** The store key of `path` as it is now; `undefined` when it cannot be stat'ed. */
export function planKey(path: string): string | undefined {
  try {
    const s = statSync(path, { bigint: true });
    return createHash('sha256')
      .update([PLAN_STORE_VERSION, path, s.size, s.mtimeNs, s.ino, s.dev].join('\u0000'))
      .digest('hex')
      .slice(0, 32);
  } catch {
    return undefined;
  }
}

interface StoredPlan {
  path: string;
  entry: bigint;
  buildId?: Uint8Array;
  addresses: Uint8Array;
  files: string[];
  fileIndex: Uint8Array;
  lines: Uint8Array;
  /** Sites' `inlinedEntries`, flattened: per entry its site index, file index and line. */
  inlinedSite: Uint8Array;
  inlinedFileIndex: Uint8Array;
  inlinedLine: Uint8Array;
  /** Sites' `inlinedCalls`, flattened the same way. */
  callSite: Uint8Array;
  callFileIndex: Uint8Array;
  callLine: Uint8Array;
  /**
   * Subprograms as columns (tens of thousands of them in a test binary; one string per field
   * would make decoding slow): names and linkage names joined by NUL, per subprogram its flags
   * (`SUB_*`), decl file (index into `files`), decl line and number of ranges, then every range's
   * start and end.
   */
  subNames: string;
  subLinkageNames: string;
  subFlags: Uint8Array;
  subFileIndex: Uint8Array;
  subLines: Uint8Array;
  subRangeCounts: Uint8Array;
  subRanges: Uint8Array;
  warnings: Diagnostic[];
}

const SUB_LINKAGE_NAME = 1;
const SUB_FILE = 2;
const SUB_LINE = 4;

function u64Bytes(values: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setBigUint64(i * 8, v, true));
  return out;
}

function u32Bytes(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint32(i * 4, v, true));
  return out;
}

/** Serialises a plan (sites as packed columns with a file table). */
export function encodePlan(plan: ImagePlan): Uint8Array {
  const files: string[] = [];
  const fileIds = new Map<string, number>();
  const fileId = (file: string): number => {
    let id = fileIds.get(file);
    if (id === undefined) {
      id = files.length;
      files.push(file);
      fileIds.set(file, id);
    }
    return id;
  };
  const fileIndex = plan.sites.map((site) => fileId(site.file));
  const flatten = (lists: (site: BreakpointSite) => readonly SourceLine[] | undefined) => {
    const siteIndex: number[] = [];
    const fileIndex: number[] = [];
    const line: number[] = [];
    plan.sites.forEach((site, i) => {
      for (const entry of lists(site) ?? []) {
        siteIndex.push(i);
        fileIndex.push(fileId(entry.file));
        line.push(entry.line);
      }
    });
    return { site: u32Bytes(siteIndex), fileIndex: u32Bytes(fileIndex), line: u32Bytes(line) };
  };
  const inlined = flatten((site) => site.inlinedEntries);
  const calls = flatten((site) => site.inlinedCalls);
  const stored: StoredPlan = {
    path: plan.path,
    entry: plan.entry,
    ...(plan.buildId === undefined ? {} : { buildId: plan.buildId }),
    addresses: u64Bytes(plan.sites.map((s) => s.address)),
    files,
    fileIndex: u32Bytes(fileIndex),
    lines: u32Bytes(plan.sites.map((s) => s.line)),
    inlinedSite: inlined.site,
    inlinedFileIndex: inlined.fileIndex,
    inlinedLine: inlined.line,
    callSite: calls.site,
    callFileIndex: calls.fileIndex,
    callLine: calls.line,
    subNames: plan.subprograms.map((s) => s.name).join('\u0000'),
    subLinkageNames: plan.subprograms.map((s) => s.linkageName ?? '').join('\u0000'),
    subFlags: Uint8Array.from(
      plan.subprograms.map(
        (s) =>
          (s.linkageName === undefined ? 0 : SUB_LINKAGE_NAME) |
          (s.file === undefined ? 0 : SUB_FILE) |
          (s.line === undefined ? 0 : SUB_LINE),
      ),
    ),
    subFileIndex: u32Bytes(
      plan.subprograms.map((s) => (s.file === undefined ? 0 : fileId(s.file))),
    ),
    subLines: u32Bytes(plan.subprograms.map((s) => s.line ?? 0)),
    subRangeCounts: u32Bytes(plan.subprograms.map((s) => s.ranges.length)),
    subRanges: u64Bytes(plan.subprograms.flatMap((s) => s.ranges.flatMap((r) => [r.start, r.end]))),
    warnings: [...plan.warnings],
  };
  return encode(stored, { useBigInt64: true });
}

/** Inverse of {@link encodePlan}. */
export function decodePlan(bytes: Uint8Array): ImagePlan {
  const stored = decode(bytes, { useBigInt64: true }) as StoredPlan;
  const addresses = readU64Array(stored.addresses);
  const fileIndex = readU32Array(stored.fileIndex);
  const lines = readU32Array(stored.lines);
  const unflatten = (
    siteBytes: Uint8Array,
    fileBytes: Uint8Array,
    lineBytes: Uint8Array,
  ): Map<number, SourceLine[]> => {
    const bySite = new Map<number, SourceLine[]>();
    const siteIndex = readU32Array(siteBytes);
    const fileIndex = readU32Array(fileBytes);
    const line = readU32Array(lineBytes);
    for (let k = 0; k < siteIndex.length; k++) {
      let list = bySite.get(siteIndex[k]!);
      if (list === undefined) bySite.set(siteIndex[k]!, (list = []));
      list.push({ file: stored.files[fileIndex[k]!]!, line: line[k]! });
    }
    return bySite;
  };
  const entries = unflatten(stored.inlinedSite, stored.inlinedFileIndex, stored.inlinedLine);
  const calls = unflatten(stored.callSite, stored.callFileIndex, stored.callLine);
  const sites: BreakpointSite[] = [];
  for (let i = 0; i < addresses.length; i++) {
    const site: BreakpointSite = {
      address: addresses[i]!,
      file: stored.files[fileIndex[i]!]!,
      line: lines[i]!,
    };
    const inlined = entries.get(i);
    if (inlined !== undefined) site.inlinedEntries = inlined;
    const callLines = calls.get(i);
    if (callLines !== undefined) site.inlinedCalls = callLines;
    sites.push(site);
  }
  const names = stored.subNames.split('\u0000');
  const linkageNames = stored.subLinkageNames.split('\u0000');
  const subFileIndex = readU32Array(stored.subFileIndex);
  const subLines = readU32Array(stored.subLines);
  const rangeCounts = readU32Array(stored.subRangeCounts);
  const flat = readU64Array(stored.subRanges);
  const subprograms: Subprogram[] = [];
  let next = 0;
  for (let k = 0; k < stored.subFlags.length; k++) {
    const flags = stored.subFlags[k]!;
    const ranges = [];
    for (let r = 0; r < rangeCounts[k]!; r++, next += 2) {
      ranges.push({ start: flat[next]!, end: flat[next + 1]! });
    }
    const subprogram: Subprogram = { name: names[k]!, ranges };
    if ((flags & SUB_LINKAGE_NAME) !== 0) subprogram.linkageName = linkageNames[k]!;
    if ((flags & SUB_FILE) !== 0) subprogram.file = stored.files[subFileIndex[k]!]!;
    if ((flags & SUB_LINE) !== 0) subprogram.line = subLines[k]!;
    subprograms.push(subprogram);
  }
  return {
    path: stored.path,
    entry: BigInt(stored.entry),
    ...(stored.buildId === undefined ? {} : { buildId: stored.buildId }),
    sites,
    subprograms,
    warnings: stored.warnings,
  };
}

/**
 * The stored plan of `path` under `key`, or `undefined` when there is none or it is unreadable
 * (a corrupt entry is treated as absent).
 */
export function loadStoredPlan(dir: string, key: string): ImagePlan | undefined {
  try {
    return decodePlan(readFileSync(join(dir, `${key}.msgpack`)));
  } catch {
    return undefined;
  }
}

/** Stores a plan (temp file + rename); failures are ignored: the store is only a cache. */
export function storePlan(dir: string, key: string, plan: ImagePlan): void {
  const target = join(dir, `${key}.msgpack`);
  const temporary = `${target}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(temporary, encodePlan(plan));
    renameSync(temporary, target);
  } catch {
    rmSync(temporary, { force: true });
  }
}

/** Removes stored plans whose key is not in `keep` (binaries that were rebuilt or removed). */
export function pruneStoredPlans(dir: string, keep: ReadonlySet<string>): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (name.endsWith('.msgpack') && !keep.has(name.slice(0, -'.msgpack'.length))) {
      rmSync(join(dir, name), { force: true });
    }
  }
}

/** Bump when the stored job's layout changes (rule changes bump `LINE_RULES_VERSION`). */
const JOB_STORE_VERSION = 'job/3';

/**
 * A runner job as stored: its bytes, the line index its hits are read with (so the plans need not
 * be read at all), and what the progress line says about it.
 */
export interface StoredJob {
  /** The job file's bytes (see `encodeRunnerJob`). */
  readonly job: Uint8Array;
  /** {@link encodeLineIndex} of the plans' index. */
  readonly index: Uint8Array;
  /** Sites over all images. */
  readonly breakpoints: number;
  readonly images: number;
}

/**
 * The store key of the runner job for these plan keys (in image order) and settings: a job (its
 * addresses and one-shot groups, the slow part to compute) depends on nothing else.
 */
export function jobKey(
  planKeys: readonly string[],
  settings: {
    readonly mode: string;
    readonly countLimit: number;
    readonly timeoutMs: number;
    readonly sessionDir: string;
  },
): string {
  return createHash('sha256')
    .update(
      [
        JOB_STORE_VERSION,
        LINE_RULES_VERSION,
        settings.mode,
        settings.countLimit,
        settings.timeoutMs,
        settings.sessionDir,
        ...planKeys,
      ].join('\u0000'),
    )
    .digest('hex')
    .slice(0, 32);
}

/** The job stored under `key` in `<dir>/jobs`, or `undefined` (absent or unreadable). */
export function loadStoredJob(dir: string, key: string): StoredJob | undefined {
  try {
    const stored = decode(readFileSync(join(dir, 'jobs', `${key}.msgpack`))) as StoredJob;
    if (
      !(stored.job instanceof Uint8Array) ||
      !(stored.index instanceof Uint8Array) ||
      typeof stored.breakpoints !== 'number'
    ) {
      return undefined;
    }
    return stored;
  } catch {
    return undefined;
  }
}

/**
 * Stores a job under `key` in `<dir>/jobs` (temp file + rename), removing the other stored jobs
 * (one per plan set would pile up as binaries are rebuilt); failures are ignored: a cache.
 */
export function storeJob(dir: string, key: string, job: StoredJob): void {
  const jobsDir = join(dir, 'jobs');
  const target = join(jobsDir, `${key}.msgpack`);
  const temporary = `${target}.${process.pid}.tmp`;
  try {
    mkdirSync(jobsDir, { recursive: true });
    for (const name of readdirSync(jobsDir)) {
      if (name.endsWith('.msgpack') && name !== `${key}.msgpack`) {
        rmSync(join(jobsDir, name), { force: true });
      }
    }
    writeFileSync(temporary, encode(job));
    renameSync(temporary, target);
  } catch {
    rmSync(temporary, { force: true });
  }
}

interface StoredLineIndex {
  objects: string[];
  warnings: Diagnostic[];
  files: string[];
  slotFile: Uint8Array;
  slotLine: Uint8Array;
  images: {
    siteSlot: Uint8Array;
    extraSite: Uint8Array;
    extraSlot: Uint8Array;
    entrySite: Uint8Array;
    entryFunction: Uint8Array;
  }[];
  /** Joined by NUL. */
  functionNames: string;
  functionCount: number;
  /** Function id + 1 (0: the file's unattributed lines). */
  recordFunction: Uint8Array;
  recordFile: Uint8Array;
  recordObject: Uint8Array;
  recordStart: Uint8Array;
  recordSlots: Uint8Array;
  /** Per slot: function id + 1 (0: none or several). */
  slotSoleFunction: Uint8Array;
  /** Per function: declaration slot + 1 (0: none). */
  functionDeclSlot: Uint8Array;
  /** One byte per slot. */
  slotInlinedEntry: Uint8Array;
}

function u32ArrayBytes(values: Uint32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setUint32(i * 4, values[i]!, true);
  return out;
}

/** Serialises a {@link LineCoverageIndex} (integer columns as little-endian u32 blobs). */
export function encodeLineIndex(index: LineCoverageIndex): Uint8Array {
  const stored: StoredLineIndex = {
    objects: [...index.objects],
    warnings: [...index.warnings],
    files: [...index.files],
    slotFile: u32ArrayBytes(index.slotFile),
    slotLine: u32ArrayBytes(index.slotLine),
    images: index.images.map((image) => ({
      siteSlot: u32ArrayBytes(image.siteSlot),
      extraSite: u32ArrayBytes(image.extraSite),
      extraSlot: u32ArrayBytes(image.extraSlot),
      entrySite: u32ArrayBytes(image.entrySite),
      entryFunction: u32ArrayBytes(image.entryFunction),
    })),
    functionNames: index.functionNames.join('\u0000'),
    functionCount: index.functionNames.length,
    recordFunction: u32ArrayBytes(Uint32Array.from(index.recordFunction, (fn) => fn + 1)),
    recordFile: u32ArrayBytes(index.recordFile),
    recordObject: u32ArrayBytes(index.recordObject),
    recordStart: u32ArrayBytes(index.recordStart),
    recordSlots: u32ArrayBytes(index.recordSlots),
    slotSoleFunction: u32ArrayBytes(Uint32Array.from(index.slotSoleFunction, (fn) => fn + 1)),
    functionDeclSlot: u32ArrayBytes(Uint32Array.from(index.functionDeclSlot, (slot) => slot + 1)),
    slotInlinedEntry: Uint8Array.from(index.slotInlinedEntry),
  };
  return encode(stored);
}

/**
 * Inverse of {@link encodeLineIndex}.
 * @throws CovError `E_MALFORMED` when the bytes are not such an index (a damaged cache entry).
 */
export function decodeLineIndex(bytes: Uint8Array): LineCoverageIndex {
  const stored = decode(bytes) as StoredLineIndex;
  if (
    typeof stored !== 'object' ||
    stored === null ||
    !Array.isArray(stored.images) ||
    typeof stored.functionNames !== 'string'
  ) {
    throw new CovError('E_MALFORMED', 'not a stored line index');
  }
  const images: ImageLineIndex[] = stored.images.map((image) => ({
    siteSlot: readU32Array(image.siteSlot),
    extraSite: readU32Array(image.extraSite),
    extraSlot: readU32Array(image.extraSlot),
    entrySite: readU32Array(image.entrySite),
    entryFunction: readU32Array(image.entryFunction),
  }));
  return {
    objects: stored.objects,
    warnings: stored.warnings,
    files: stored.files,
    slotFile: readU32Array(stored.slotFile),
    slotLine: readU32Array(stored.slotLine),
    images,
    functionNames: stored.functionCount === 0 ? [] : stored.functionNames.split('\u0000'),
    recordFunction: Int32Array.from(readU32Array(stored.recordFunction), (fn) => fn - 1),
    recordFile: readU32Array(stored.recordFile),
    recordObject: readU32Array(stored.recordObject),
    recordStart: readU32Array(stored.recordStart),
    recordSlots: readU32Array(stored.recordSlots),
    slotSoleFunction: Int32Array.from(readU32Array(stored.slotSoleFunction), (fn) => fn - 1),
    functionDeclSlot: Int32Array.from(readU32Array(stored.functionDeclSlot), (slot) => slot - 1),
    slotInlinedEntry: Uint8Array.from(stored.slotInlinedEntry),
  };
}
