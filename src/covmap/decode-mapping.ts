/**
 * One function's coverage mapping (all ULEB128): file-id mapping, expressions, regions per file id.
 * Reads the encoding of covmap Version1–Version7 (field values 0–6): gap regions from Version3,
 * branch regions from Version5, MC/DC regions in Version7.
 * @see ../../../shared/spec/formats.md §4.5
 */
import { ByteReader } from '../binary/index.js';
import { CovMapVersion } from './covmap-version.js';
import { UINT_MAX, readIntMax, readSize } from './leb-limits.js';
import {
  REGION_STRIDE,
  RegionKind,
  R_COLUMN_END,
  R_COLUMN_START,
  R_COUNTER,
  R_EXPANDED_FILE_ID,
  R_FALSE_COUNTER,
  R_FILE_ID,
  R_KIND,
  R_LINE_END,
  R_LINE_START,
  R_P0,
  R_P1,
  R_P2,
  type FunctionMapping,
} from './types.js';

/** MC/DC condition ids and counts are read with `readIntMax(…, INT16_MAX)`. */
const INT16_MAX = 0x7fff;
const GAP_BIT = 0x80000000;

/** Pseudo-counter region kinds (header >> 3 when the tag and expansion bit are 0). */
const KIND_CODE = 0;
const KIND_SKIPPED = 2;
const KIND_BRANCH = 4;
const KIND_MCDC_DECISION = 5;
const KIND_MCDC_BRANCH = 6;

// Regions of one mapping are collected here, then copied out at their exact length.
let scratch: Uint32Array = new Uint32Array(REGION_STRIDE * 256);

/**
 * Decodes one mapping blob.
 * @param bytes the mapping bytes of a covfun (or pre-Version4) record
 * @param source section label for errors
 * @param baseOffset absolute offset of `bytes[0]` in `source`
 * @param covmapVersion the section's covmap `Version` field value (0–6)
 * @returns the file-id → filename-index table, the expressions with their kinds (taken from the
 *   tags of referencing counters, the last reference winning as in LLVM; unreferenced ⇒
 *   subtract), and `REGION_STRIDE` u32 fields per region (lines and columns 1-based, end column
 *   exclusive, gap bit cleared, whole-line regions 1…0xffffffff). Every stored expression counter
 *   has the tag of its expression's final kind (2 subtract, 3 add). Expansion regions carry the
 *   counter of the first region of the file they expand (iterated for nested expansions).
 *   Filename indices are not checked against the TU's list here — the caller has the list.
 * @throws CovError `E_MALFORMED` (with the offset of the offending value) for an encoded counter
 *   ≥ 0xffffffff, an expression index ≥ NumExprs, an expanded file id ≥ NumFileIds, an unknown
 *   region kind or one the covmap version does not have (branch before Version5, MC/DC before
 *   Version7), an MC/DC condition id of 0, a start column > 0xffffffff, a start after the end,
 *   an overlong LEB128; `E_TRUNCATED` when a count exceeds the bytes left or the data ends early.
 * @see ../../../shared/spec/formats.md §4.5 (LLVM 22 `RawCoverageMappingReader::read`)
 */
export function decodeMapping(
  bytes: Uint8Array,
  source: string,
  baseOffset: number,
  covmapVersion: number,
): FunctionMapping {
  const reader = new ByteReader(bytes, { source, baseOffset });

  const numFileIds = readSize(reader, 'mapping: NumFileIds');
  const fileIdToFilenameIndex = new Uint32Array(numFileIds);
  for (let i = 0; i < numFileIds; i++) {
    fileIdToFilenameIndex[i] = readIntMax(reader, UINT_MAX, 'mapping: filename index');
  }

  const numExprs = readSize(reader, 'mapping: NumExprs');
  const expressions = new Uint32Array(numExprs * 2);
  const expressionIsAdd = new Uint8Array(numExprs);
  for (let i = 0; i < numExprs * 2; i++) {
    expressions[i] = readCounter(reader, expressionIsAdd, 'mapping: expression operand');
  }

  let regions: Uint32Array = scratch;
  let regionCount = 0;
  let hasExpansion = false;
  for (let fileId = 0; fileId < numFileIds; fileId++) {
    const numRegions = readSize(reader, 'mapping: NumRegions');
    if ((regionCount + numRegions) * REGION_STRIDE > regions.length) {
      regions = growScratch(
        (regionCount + numRegions) * REGION_STRIDE,
        regionCount * REGION_STRIDE,
      );
    }
    let lineStart = 0;
    for (let k = 0; k < numRegions; k++) {
      const regionOffset = reader.offset;
      const header = readIntMax(reader, UINT_MAX, 'region: header');
      let kind: RegionKind = RegionKind.Code;
      let counter = 0;
      let falseCounter = 0;
      let expandedFileId = 0;
      let p0 = 0;
      let p1 = 0;
      let p2 = 0;
      if ((header & 3) !== 0) {
        counter = checkCounter(reader, header, expressionIsAdd, regionOffset);
      } else if ((header & 4) !== 0) {
        kind = RegionKind.Expansion;
        hasExpansion = true;
        expandedFileId = header >>> 3;
        if (expandedFileId >= numFileIds) {
          throw reader.error(
            'E_MALFORMED',
            `region: expanded file id ${expandedFileId} is out of range (${numFileIds} file ids)`,
            regionOffset,
          );
        }
      } else {
        const pseudoKind = header >>> 3;
        switch (pseudoKind) {
          case KIND_CODE:
            break;
          case KIND_SKIPPED:
            kind = RegionKind.Skipped;
            break;
          case KIND_BRANCH:
            requireVersion(reader, covmapVersion, CovMapVersion.Version5, 'branch', regionOffset);
            kind = RegionKind.Branch;
            counter = readCounter(reader, expressionIsAdd, 'branch region: true counter');
            falseCounter = readCounter(reader, expressionIsAdd, 'branch region: false counter');
            break;
          case KIND_MCDC_DECISION:
            requireVersion(
              reader,
              covmapVersion,
              CovMapVersion.Version7,
              'MC/DC decision',
              regionOffset,
            );
            kind = RegionKind.MCDCDecision;
            p0 = readIntMax(reader, UINT_MAX, 'MC/DC decision: BitmapIdx');
            p1 = readIntMax(reader, INT16_MAX, 'MC/DC decision: NumConditions');
            break;
          case KIND_MCDC_BRANCH: {
            requireVersion(
              reader,
              covmapVersion,
              CovMapVersion.Version7,
              'MC/DC branch',
              regionOffset,
            );
            kind = RegionKind.MCDCBranch;
            counter = readCounter(reader, expressionIsAdd, 'MC/DC branch: true counter');
            falseCounter = readCounter(reader, expressionIsAdd, 'MC/DC branch: false counter');
            const idOffset = reader.offset;
            p0 = readIntMax(reader, INT16_MAX, 'MC/DC branch: ID');
            p1 = readIntMax(reader, INT16_MAX, 'MC/DC branch: TrueNextID');
            p2 = readIntMax(reader, INT16_MAX, 'MC/DC branch: FalseNextID');
            if (p0 === 0)
              throw reader.error(
                'E_MALFORMED',
                'MC/DC branch: condition ID is 0 (stored +1)',
                idOffset,
              );
            break;
          }
          default:
            throw reader.error(
              'E_MALFORMED',
              `region: unknown region kind ${pseudoKind} (header ${header})`,
              regionOffset,
            );
        }
      }

      const lineDelta = readIntMax(reader, UINT_MAX, 'region: DeltaLineStart');
      const columnStartOffset = reader.offset;
      let columnStart = reader.uleb('region: ColumnStart');
      if (columnStart > UINT_MAX) {
        throw reader.error(
          'E_MALFORMED',
          `region: ColumnStart ${columnStart} is too big`,
          columnStartOffset,
        );
      }
      const numLines = readIntMax(reader, UINT_MAX, 'region: NumLines');
      let columnEnd = readIntMax(reader, UINT_MAX, 'region: ColumnEnd');
      // LLVM keeps lines in `unsigned`, so sums wrap modulo 2^32.
      lineStart = (lineStart + lineDelta) >>> 0;
      const lineEnd = (lineStart + numLines) >>> 0;
      if (covmapVersion >= CovMapVersion.Version3 && columnEnd >= GAP_BIT) {
        kind = RegionKind.Gap;
        columnEnd -= GAP_BIT;
        falseCounter = expandedFileId = p0 = p1 = p2 = 0;
      }
      if (columnStart === 0 && columnEnd === 0) {
        columnStart = 1;
        columnEnd = UINT_MAX;
      }
      if (lineStart > lineEnd || (lineStart === lineEnd && columnStart > columnEnd)) {
        throw reader.error(
          'E_MALFORMED',
          `region: start ${lineStart}:${columnStart} is after end ${lineEnd}:${columnEnd}`,
          regionOffset,
        );
      }

      const base = regionCount * REGION_STRIDE;
      regions[base + R_KIND] = kind;
      regions[base + R_FILE_ID] = fileId;
      regions[base + R_EXPANDED_FILE_ID] = expandedFileId;
      regions[base + R_LINE_START] = lineStart;
      regions[base + R_COLUMN_START] = columnStart;
      regions[base + R_LINE_END] = lineEnd;
      regions[base + R_COLUMN_END] = columnEnd;
      regions[base + R_COUNTER] = counter;
      regions[base + R_FALSE_COUNTER] = falseCounter;
      regions[base + R_P0] = p0;
      regions[base + R_P1] = p1;
      regions[base + R_P2] = p2;
      regionCount++;
    }
  }

  const out = regions.slice(0, regionCount * REGION_STRIDE);
  if (numExprs > 0) normaliseExpressionTags(expressions, out, regionCount, expressionIsAdd);
  if (hasExpansion) propagateExpansionCounters(out, regionCount, numFileIds);
  return { fileIdToFilenameIndex, expressions, expressionIsAdd, regions: out, regionCount };
}

function growScratch(neededFields: number, keepFields: number): Uint32Array {
  let size = scratch.length;
  while (size < neededFields) size *= 2;
  const grown = new Uint32Array(size);
  grown.set(scratch.subarray(0, keepFields));
  scratch = grown;
  return grown;
}

function readCounter(reader: ByteReader, expressionIsAdd: Uint8Array, what: string): number {
  const offset = reader.offset;
  return checkCounter(reader, readIntMax(reader, UINT_MAX, what), expressionIsAdd, offset);
}

/** Validates an encoded counter and records the kind its tag gives an expression. */
function checkCounter(
  reader: ByteReader,
  encoded: number,
  expressionIsAdd: Uint8Array,
  offset: number,
): number {
  const tag = encoded & 3;
  if (tag >= 2) {
    const index = encoded >>> 2;
    if (index >= expressionIsAdd.length) {
      throw reader.error(
        'E_MALFORMED',
        `counter: expression index ${index} is out of range (${expressionIsAdd.length} expressions)`,
        offset,
      );
    }
    expressionIsAdd[index] = tag - 2;
  }
  return encoded;
}

function requireVersion(
  reader: ByteReader,
  covmapVersion: number,
  minimum: number,
  what: string,
  offset: number,
): void {
  if (covmapVersion < minimum) {
    throw reader.error(
      'E_MALFORMED',
      `region: ${what} regions need covmap Version${minimum + 1}+ (field ≥ ${minimum}); this section is field ${covmapVersion}`,
      offset,
    );
  }
}

// An expression referenced with both tags takes the kind of the last reference; rewrite every
// stored reference so tag and kind agree.
function normaliseExpressionTags(
  expressions: Uint32Array,
  regions: Uint32Array,
  regionCount: number,
  expressionIsAdd: Uint8Array,
): void {
  for (let i = 0; i < expressions.length; i++) {
    expressions[i] = retag(expressions[i]!, expressionIsAdd);
  }
  for (let r = 0; r < regionCount; r++) {
    const base = r * REGION_STRIDE;
    regions[base + R_COUNTER] = retag(regions[base + R_COUNTER]!, expressionIsAdd);
    regions[base + R_FALSE_COUNTER] = retag(regions[base + R_FALSE_COUNTER]!, expressionIsAdd);
  }
}

function retag(counter: number, expressionIsAdd: Uint8Array): number {
  if ((counter & 3) < 2) return counter;
  return ((counter & ~3) | (2 + expressionIsAdd[counter >>> 2]!)) >>> 0;
}

// LLVM's loop: an expansion region takes the counter of the first region of the file id it
// expands; repeat until nothing changes so nested expansions settle.
function propagateExpansionCounters(
  regions: Uint32Array,
  regionCount: number,
  numFileIds: number,
): void {
  const slot = new Int32Array(numFileIds);
  // Bound the passes: LLVM would loop forever on a cyclic malformed mapping.
  for (let pass = 0; pass <= regionCount; pass++) {
    slot.fill(-1);
    for (let r = 0; r < regionCount; r++) {
      const base = r * REGION_STRIDE;
      if (regions[base + R_KIND] === RegionKind.Expansion)
        slot[regions[base + R_EXPANDED_FILE_ID]!] = r;
    }
    let changed = false;
    for (let r = 0; r < regionCount; r++) {
      const base = r * REGION_STRIDE;
      const fileId = regions[base + R_FILE_ID]!;
      const expansion = slot[fileId]!;
      if (expansion < 0) continue;
      const target = expansion * REGION_STRIDE + R_COUNTER;
      if (regions[target] !== regions[base + R_COUNTER]) {
        regions[target] = regions[base + R_COUNTER]!;
        changed = true;
      }
      slot[fileId] = -1;
    }
    if (!changed) return;
  }
}
