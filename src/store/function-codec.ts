/**
 * Function records (type 4): finished `FunctionRecord`s with their counts — what the breakpoint
 * engine produces (one code region per coverable line), stored as they are.
 * @see ../../docs/covdb.md "Functions record"
 */
import {
  BRANCH_STRIDE,
  CODE_STRIDE,
  F_LINE_END,
  F_LINE_START,
  type FunctionRecord,
  type McdcRecord,
} from '../model/index.js';
import {
  RecordShapeError,
  bytesField,
  intField,
  stringsField,
  type Fields,
} from './record-fields.js';
import { bytesToU64s, u64sToBytes } from './u64-bytes.js';
import { VarintReader, VarintWriter } from './varint.js';

function writeRegions(out: VarintWriter, regions: Uint32Array, stride: number): void {
  out.writeUnsigned(regions.length / stride);
  let previousLine = 0;
  for (let o = 0; o < regions.length; o += stride) {
    for (let f = 0; f < stride; f++) {
      const value = regions[o + f]!;
      if (f === F_LINE_START) {
        out.writeSigned(value - previousLine);
        previousLine = value;
      } else if (f === F_LINE_END) {
        out.writeSigned(value - regions[o + F_LINE_START]!);
      } else {
        out.writeUnsigned(value);
      }
    }
  }
}

function readRegions(input: VarintReader, stride: number): Uint32Array {
  const count = input.readUnsigned();
  if (count > 0x10000000) throw new RecordShapeError(`region count ${count} is implausible`);
  const regions = new Uint32Array(count * stride);
  let previousLine = 0;
  for (let o = 0; o < regions.length; o += stride) {
    for (let f = 0; f < stride; f++) {
      if (f === F_LINE_START) {
        previousLine += input.readSigned();
        regions[o + f] = previousLine;
      } else if (f === F_LINE_END) {
        regions[o + f] = regions[o + F_LINE_START]! + input.readSigned();
      } else {
        regions[o + f] = input.readU32();
      }
    }
  }
  return regions;
}

/** The MessagePack map of a functions record. */
export function encodeFunctions(functions: readonly FunctionRecord[]): Fields {
  const fileIndex = new Map<string, number>();
  const files: string[] = [];
  const out = new VarintWriter();
  const counts: bigint[] = [];
  for (const record of functions) {
    out.writeUnsigned(record.objectIndex);
    out.writeUnsigned(record.filenames.length);
    for (const filename of record.filenames) {
      let index = fileIndex.get(filename);
      if (index === undefined) {
        index = files.length;
        files.push(filename);
        fileIndex.set(filename, index);
      }
      out.writeUnsigned(index);
    }
    writeRegions(out, record.regions, CODE_STRIDE);
    writeRegions(out, record.branches, BRANCH_STRIDE);
    counts.push(record.executionCount, ...record.regionCounts);
    counts.push(...record.branchTrueCounts, ...record.branchFalseCounts);
  }
  return {
    functionCount: functions.length,
    names: functions.map((f) => f.name),
    files,
    stream: out.finish(),
    counts: u64sToBytes(counts),
    mcdc: functions.map((f) => f.mcdcRecords),
  };
}

/**
 * Rebuilds the function records.
 * @throws RecordShapeError (or VarintError) when the map does not have the documented shape
 */
export function decodeFunctions(fields: Fields): FunctionRecord[] {
  const count = intField(fields, 'functionCount');
  const names = stringsField(fields, 'names');
  const files = stringsField(fields, 'files');
  const mcdc = fields['mcdc'];
  if (names.length !== count || !Array.isArray(mcdc) || mcdc.length !== count) {
    throw new RecordShapeError('names/mcdc do not match functionCount');
  }
  const counts = bytesToU64s(bytesField(fields, 'counts'));
  const input = new VarintReader(bytesField(fields, 'stream'));
  let c = 0;
  const take = (n: number): BigUint64Array => {
    if (c + n > counts.length) throw new RecordShapeError('counts end early');
    const slice = counts.slice(c, c + n);
    c += n;
    return slice;
  };
  const functions: FunctionRecord[] = [];
  for (let i = 0; i < count; i++) {
    const objectIndex = input.readUnsigned();
    const filenameCount = input.readUnsigned();
    const filenames: string[] = [];
    for (let k = 0; k < filenameCount; k++) {
      const filename = files[input.readUnsigned()];
      if (filename === undefined) throw new RecordShapeError('file index out of range');
      filenames.push(filename);
    }
    const regions = readRegions(input, CODE_STRIDE);
    const branches = readRegions(input, BRANCH_STRIDE);
    const executionCount = take(1)[0]!;
    const regionCounts = take(regions.length / CODE_STRIDE);
    const branchTrueCounts = take(branches.length / BRANCH_STRIDE);
    const branchFalseCounts = take(branches.length / BRANCH_STRIDE);
    functions.push({
      name: names[i]!,
      filenames,
      executionCount,
      regions,
      regionCounts,
      branches,
      branchTrueCounts,
      branchFalseCounts,
      mcdcRecords: mcdc[i] as McdcRecord[],
      objectIndex,
    });
  }
  if (!input.done || c !== counts.length) throw new RecordShapeError('trailing function data');
  return functions;
}
