/**
 * Byte layouts of raw profile versions 8, 9, 10 and 11: header field order and the C layout of the
 * per-function data record and the vtable record, for 4- and 8-byte pointers.
 * @see ../../../shared/spec/formats.md §2.3, §2.6, §2.9, §7.1, §7.2
 */
import type { RawProfileVersion } from './instr-prof-constants.js';

/** Names of raw header fields as LLVM spells them (`INSTR_PROF_RAW_HEADER`). */
export type RawHeaderField =
  | 'Magic'
  | 'Version'
  | 'BinaryIdsSize'
  | 'NumData'
  | 'PaddingBytesBeforeCounters'
  | 'NumCounters'
  | 'PaddingBytesAfterCounters'
  | 'NumBitmapBytes'
  | 'PaddingBytesAfterBitmapBytes'
  | 'NumUniformCounters'
  | 'PaddingBytesAfterUniformCounters'
  | 'UniformCountersDelta'
  | 'NamesSize'
  | 'CountersDelta'
  | 'BitmapDelta'
  | 'NamesDelta'
  | 'NumVTables'
  | 'VNamesSize'
  | 'ValueKindLast';

const HEADER_FIELDS: Readonly<Record<RawProfileVersion, readonly RawHeaderField[]>> = {
  8: [
    'Magic',
    'Version',
    'BinaryIdsSize',
    'NumData',
    'PaddingBytesBeforeCounters',
    'NumCounters',
    'PaddingBytesAfterCounters',
    'NamesSize',
    'CountersDelta',
    'NamesDelta',
    'ValueKindLast',
  ],
  9: [
    'Magic',
    'Version',
    'BinaryIdsSize',
    'NumData',
    'PaddingBytesBeforeCounters',
    'NumCounters',
    'PaddingBytesAfterCounters',
    'NumBitmapBytes',
    'PaddingBytesAfterBitmapBytes',
    'NamesSize',
    'CountersDelta',
    'BitmapDelta',
    'NamesDelta',
    'ValueKindLast',
  ],
  10: [
    'Magic',
    'Version',
    'BinaryIdsSize',
    'NumData',
    'PaddingBytesBeforeCounters',
    'NumCounters',
    'PaddingBytesAfterCounters',
    'NumBitmapBytes',
    'PaddingBytesAfterBitmapBytes',
    'NamesSize',
    'CountersDelta',
    'BitmapDelta',
    'NamesDelta',
    'NumVTables',
    'VNamesSize',
    'ValueKindLast',
  ],
  11: [
    'Magic',
    'Version',
    'BinaryIdsSize',
    'NumData',
    'PaddingBytesBeforeCounters',
    'NumCounters',
    'PaddingBytesAfterCounters',
    'NumBitmapBytes',
    'PaddingBytesAfterBitmapBytes',
    'NumUniformCounters',
    'PaddingBytesAfterUniformCounters',
    'UniformCountersDelta',
    'NamesSize',
    'CountersDelta',
    'BitmapDelta',
    'NamesDelta',
    'NumVTables',
    'VNamesSize',
    'ValueKindLast',
  ],
};

/**
 * Byte offsets of the fields of one `__llvm_prf_data` record; `-1` marks a field the version does
 * not have. Pointer-sized fields (`counterPtr`, `uniformCounterPtr`, `bitmapPtr`) are 4 or 8 bytes.
 */
export interface DataRecordLayout {
  readonly sizeBytes: number;
  readonly nameRef: number;
  readonly funcHash: number;
  readonly counterPtr: number;
  readonly uniformCounterPtr: number;
  readonly bitmapPtr: number;
  /** u32 */
  readonly numCounters: number;
  /** First of `numValueKinds` u16 entries. */
  readonly numValueSites: number;
  /** 2 before v10 (indirect call, memop size), 3 from v10 (plus vtable target). */
  readonly numValueKinds: number;
  /** u32 */
  readonly numBitmapBytes: number;
}

/** Everything about one raw version and pointer width that fixes where bytes are. */
export interface RawProfileLayout {
  readonly version: RawProfileVersion;
  readonly pointerBytes: 4 | 8;
  /** Header fields in stored order; every field is a u64, also in 32-bit profiles. */
  readonly headerFields: readonly RawHeaderField[];
  readonly headerBytes: number;
  readonly dataRecord: DataRecordLayout;
  /** Size of one vtable record (v10+; 0 before): u64 hash, pointer, u32 size, aligned to 8. */
  readonly vtableRecordBytes: number;
}

interface CField {
  readonly name: string;
  readonly bytes: number;
  readonly count?: number;
}

/** Lays out C fields with natural alignment; the struct is `alignas(8)` (spec §2.6, §7.2). */
function layoutStruct(fields: readonly CField[]): { offsets: Map<string, number>; size: number } {
  const offsets = new Map<string, number>();
  let offset = 0;
  for (const field of fields) {
    offset = alignUp(offset, field.bytes);
    offsets.set(field.name, offset);
    offset += field.bytes * (field.count ?? 1);
  }
  return { offsets, size: alignUp(offset, 8) };
}

function alignUp(value: number, alignment: number): number {
  return Math.ceil(value / alignment) * alignment;
}

function dataRecordLayout(version: RawProfileVersion, pointerBytes: 4 | 8): DataRecordLayout {
  const numValueKinds = version >= 10 ? 3 : 2;
  const fields: CField[] = [
    { name: 'NameRef', bytes: 8 },
    { name: 'FuncHash', bytes: 8 },
    { name: 'CounterPtr', bytes: pointerBytes },
  ];
  if (version >= 11) fields.push({ name: 'UniformCounterPtr', bytes: pointerBytes });
  if (version >= 9) fields.push({ name: 'BitmapPtr', bytes: pointerBytes });
  fields.push(
    { name: 'FunctionPointer', bytes: pointerBytes },
    { name: 'Values', bytes: pointerBytes },
    { name: 'NumCounters', bytes: 4 },
    { name: 'NumValueSites', bytes: 2, count: numValueKinds },
  );
  if (version >= 11) fields.push({ name: 'OffloadDeviceWaveSize', bytes: 2 });
  if (version >= 9) fields.push({ name: 'NumBitmapBytes', bytes: 4 });
  const { offsets, size } = layoutStruct(fields);
  const at = (name: string): number => offsets.get(name) ?? -1;
  return {
    sizeBytes: size,
    nameRef: at('NameRef'),
    funcHash: at('FuncHash'),
    counterPtr: at('CounterPtr'),
    uniformCounterPtr: at('UniformCounterPtr'),
    bitmapPtr: at('BitmapPtr'),
    numCounters: at('NumCounters'),
    numValueSites: at('NumValueSites'),
    numValueKinds,
    numBitmapBytes: at('NumBitmapBytes'),
  };
}

/**
 * The layout of raw profile `version` for `pointerBytes`-byte pointers.
 * Record sizes: 48/64/64/72 bytes (64-bit v8/v9/v10/v11), 40/48/48/56 (32-bit); headers
 * 88/112/128/152 bytes.
 * @see ../../../shared/spec/formats.md §2.3, §2.6, §7.1, §7.2
 */
export function rawProfileLayout(
  version: RawProfileVersion,
  pointerBytes: 4 | 8,
): RawProfileLayout {
  const headerFields = HEADER_FIELDS[version];
  const vtable =
    version >= 10
      ? layoutStruct([
          { name: 'VTableNameHash', bytes: 8 },
          { name: 'VTablePointer', bytes: pointerBytes },
          { name: 'VTableSize', bytes: 4 },
        ]).size
      : 0;
  return {
    version,
    pointerBytes,
    headerFields,
    headerBytes: headerFields.length * 8,
    dataRecord: dataRecordLayout(version, pointerBytes),
    vtableRecordBytes: vtable,
  };
}
