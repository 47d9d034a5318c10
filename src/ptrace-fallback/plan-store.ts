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
import type { Diagnostic } from '../binary/index.js';
import type { BreakpointSite, SourceLine, Subprogram } from '../dwarf/index.js';
import type { ImagePlan } from './image-plan.js';
import { readU32Array, readU64Array } from './helper-protocol.js';

/** Bump when the plan rules or this layout change, so old entries are not read. */
const PLAN_STORE_VERSION = 'plan/5';

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
  subprograms: {
    name: string;
    linkageName?: string;
    file?: string;
    line?: number;
    ranges: Uint8Array;
  }[];
  warnings: Diagnostic[];
}

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
  const inlinedSite: number[] = [];
  const inlinedFileIndex: number[] = [];
  const inlinedLine: number[] = [];
  plan.sites.forEach((site, i) => {
    for (const entry of site.inlinedEntries ?? []) {
      inlinedSite.push(i);
      inlinedFileIndex.push(fileId(entry.file));
      inlinedLine.push(entry.line);
    }
  });
  const stored: StoredPlan = {
    path: plan.path,
    entry: plan.entry,
    ...(plan.buildId === undefined ? {} : { buildId: plan.buildId }),
    addresses: u64Bytes(plan.sites.map((s) => s.address)),
    files,
    fileIndex: u32Bytes(fileIndex),
    lines: u32Bytes(plan.sites.map((s) => s.line)),
    inlinedSite: u32Bytes(inlinedSite),
    inlinedFileIndex: u32Bytes(inlinedFileIndex),
    inlinedLine: u32Bytes(inlinedLine),
    subprograms: plan.subprograms.map((s) => ({
      name: s.name,
      ...(s.linkageName === undefined ? {} : { linkageName: s.linkageName }),
      ...(s.file === undefined ? {} : { file: s.file }),
      ...(s.line === undefined ? {} : { line: s.line }),
      ranges: u64Bytes(s.ranges.flatMap((r) => [r.start, r.end])),
    })),
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
  const entries = new Map<number, SourceLine[]>();
  const inlinedSite = readU32Array(stored.inlinedSite);
  const inlinedFileIndex = readU32Array(stored.inlinedFileIndex);
  const inlinedLine = readU32Array(stored.inlinedLine);
  for (let k = 0; k < inlinedSite.length; k++) {
    let list = entries.get(inlinedSite[k]!);
    if (list === undefined) entries.set(inlinedSite[k]!, (list = []));
    list.push({ file: stored.files[inlinedFileIndex[k]!]!, line: inlinedLine[k]! });
  }
  const sites: BreakpointSite[] = [];
  for (let i = 0; i < addresses.length; i++) {
    const site: BreakpointSite = {
      address: addresses[i]!,
      file: stored.files[fileIndex[i]!]!,
      line: lines[i]!,
    };
    const inlined = entries.get(i);
    if (inlined !== undefined) site.inlinedEntries = inlined;
    sites.push(site);
  }
  const subprograms: Subprogram[] = stored.subprograms.map((s) => {
    const flat = readU64Array(s.ranges);
    const ranges = [];
    for (let i = 0; i + 1 < flat.length; i += 2)
      ranges.push({ start: flat[i]!, end: flat[i + 1]! });
    return {
      name: s.name,
      ranges,
      ...(s.linkageName === undefined ? {} : { linkageName: s.linkageName }),
      ...(s.file === undefined ? {} : { file: s.file }),
      ...(s.line === undefined ? {} : { line: s.line }),
    };
  });
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
