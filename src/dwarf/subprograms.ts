/**
 * `.debug_info` walk (DWARF 2–5, 32/64-bit) for `DW_TAG_subprogram` DIEs with code: names (direct
 * or through DW_AT_specification / DW_AT_abstract_origin), low/high pc, DW_AT_ranges, decl file/line;
 * and for the `DW_TAG_inlined_subroutine` DIEs nested in them (entry address, inlined function).
 */
import { ByteReader, CovError, diagnosticFromError, type Diagnostic } from '../binary/index.js';
import { findAbbrev, type Abbrev } from './abbrev.js';
import * as C from './constants.js';
import { readFormUnsigned, skipForm } from './forms.js';
import { readLineProgramHeader, resolveFilePath, type LineProgramHeader } from './line-header.js';
import { readRangeList } from './ranges.js';
import { DwarfContext } from './sections.js';
import type { AddressRange, DwarfSections, InlinedCall, Subprogram } from './types.js';
import { readCompileUnits, readFormAddress, type CompileUnit } from './units.js';

/** How many specification/abstract_origin links are followed for a name. */
const MAX_REFERENCE_DEPTH = 8;

/** Attribute values of one subprogram DIE, reused across DIEs (no per-DIE allocation). */
interface DieScratch {
  nameForm: number;
  nameValue: number;
  linkageForm: number;
  linkageValue: number;
  lowPc: bigint | undefined;
  highPcForm: number;
  highPcAddress: bigint;
  highPcOffset: number;
  rangesForm: number;
  rangesValue: number;
  /** DW_AT_entry_pc: 0 when absent, else its form (address, or an offset from DW_AT_low_pc). */
  entryPcForm: number;
  entryPcAddress: bigint;
  entryPcOffset: number;
  declFile: number;
  declLine: number;
  /** DW_AT_call_file (a file index of the unit's line table), -1 when absent. */
  callFile: number;
  callLine: number;
  /** Absolute `.debug_info` offset of the DW_AT_specification or DW_AT_abstract_origin target. */
  reference: number;
  sibling: number;
}

function clearScratch(s: DieScratch): void {
  s.nameForm = 0;
  s.linkageForm = 0;
  s.lowPc = undefined;
  s.highPcForm = 0;
  s.rangesForm = 0;
  s.entryPcForm = 0;
  s.declFile = -1;
  s.declLine = 0;
  s.callFile = -1;
  s.callLine = 0;
  s.reference = -1;
  s.sibling = -1;
}

/** What {@link readSubprograms} gives. */
export interface SubprogramsRead {
  subprograms: Subprogram[];
  /**
   * Inlined copies of functions, in `.debug_info` order: `DW_TAG_inlined_subroutine` DIEs (at any
   * depth inside a subprogram) with code, under the same range rules as subprograms.
   */
  inlinedCalls: InlinedCall[];
  warnings: Diagnostic[];
}

/**
 * Lists the functions that have code: `DW_TAG_subprogram` DIEs with DW_AT_low_pc (+ DW_AT_high_pc,
 * as an address or an offset form) or DW_AT_ranges (`.debug_ranges`, `.debug_rnglists`,
 * DW_FORM_rnglistx). Declarations and DIEs without pc are omitted; so are ranges that start at the
 * tombstone address (all ones) and empty ranges. Ranges at address 0 (a linker's other tombstone
 * for dropped code) are kept: intersect with the executable segments to drop them.
 *
 * Names and decl file/line missing on the DIE are taken from its DW_AT_specification or
 * DW_AT_abstract_origin target (followed up to 8 links, within or across units). `file` is the
 * full path of DW_AT_decl_file through the owning unit's line table.
 *
 * Inlined copies (`DW_TAG_inlined_subroutine`) are listed too, each with its entry address
 * (DW_AT_entry_pc, as an address or, in DWARF 5, a constant offset from DW_AT_low_pc; else
 * DW_AT_low_pc; else the lowest start of DW_AT_ranges) and the name and decl file/line of the
 * function it copies, through DW_AT_abstract_origin.
 *
 * @returns subprograms in `.debug_info` order (ranges as `bigint` link-time addresses), inlined
 *   calls, and warnings: a unit whose DIEs are malformed is skipped (its subprograms dropped) with a warning
 *   naming `.debug_info` and the byte offset; a subprogram whose ranges cannot be read is dropped
 *   with a warning.
 * @see DWARF 5 §3.3 (subroutine entries), §2.17 (code addresses and ranges)
 */
export function readSubprograms(
  sections: DwarfSections,
  sourceName: string,
  options: ReadSubprogramsOptions = {},
): SubprogramsRead {
  const context = new DwarfContext(sections, sourceName);
  const { units, warnings } = readCompileUnits(context);
  const subprograms: Subprogram[] = [];
  const inlinedCalls: InlinedCall[] = [];
  const info = sections.debugInfo;
  if (info === undefined) return { subprograms, inlinedCalls, warnings };
  const walker = new SubprogramWalker(context, info, units, warnings, options.inlinedFrom);
  for (const unit of units) {
    const before = subprograms.length;
    const inlinedBefore = inlinedCalls.length;
    try {
      walker.walkUnit(unit, subprograms, inlinedCalls);
    } catch (error) {
      if (!(error instanceof CovError)) throw error;
      subprograms.length = before;
      inlinedCalls.length = inlinedBefore;
      warnings.push(diagnosticFromError(error, 'skipped the subprograms of a .debug_info unit: '));
    }
  }
  return { subprograms, inlinedCalls, warnings };
}

/** Options of {@link readSubprograms}. */
export interface ReadSubprogramsOptions {
  /**
   * Which inlined calls to list: those it accepts the decl file of the inlined function of, or the
   * call file (full paths, undefined when unknown); default all. Rejected ones cost no range-list
   * read.
   */
  inlinedFrom?: (file: string | undefined) => boolean;
}

/** Name and declaration of a function as found through a reference chain. */
interface ResolvedOrigin {
  name: string;
  linkageName?: string;
  file?: string;
  line?: number;
}

class SubprogramWalker {
  private readonly lineHeaders = new Map<number, LineProgramHeader | null>();
  /** Resolved file paths per unit line table (by DW_AT_stmt_list) and file index; null: none. */
  private readonly filePaths = new Map<number, (string | null | undefined)[]>();
  /** Origins of DIEs that say nothing of their own, by reference target (inlined copies share them). */
  private readonly origins = new Map<number, ResolvedOrigin>();
  private readonly scratch: DieScratch = {
    nameForm: 0,
    nameValue: 0,
    linkageForm: 0,
    linkageValue: 0,
    lowPc: undefined,
    highPcForm: 0,
    highPcAddress: 0n,
    highPcOffset: 0,
    rangesForm: 0,
    rangesValue: 0,
    entryPcForm: 0,
    entryPcAddress: 0n,
    entryPcOffset: 0,
    declFile: -1,
    declLine: 0,
    callFile: -1,
    callLine: 0,
    reference: -1,
    sibling: -1,
  };

  constructor(
    private readonly context: DwarfContext,
    private readonly info: Uint8Array,
    private readonly units: readonly CompileUnit[],
    private readonly warnings: Diagnostic[],
    private readonly wantInlined: ((file: string | undefined) => boolean) | undefined,
  ) {}

  walkUnit(unit: CompileUnit, out: Subprogram[], inlined: InlinedCall[]): void {
    if (!unit.hasChildren) return;
    const { header } = unit;
    const r = this.context.cursor('.debug_info', this.info.subarray(0, header.endOffset));
    r.offset = unit.childrenOffset;
    let depth = 1;
    const s = this.scratch;
    while (depth > 0 && r.remaining > 0) {
      const dieOffset = r.offset;
      const code = r.uleb('DIE abbreviation code');
      if (code === 0) {
        depth--;
        continue;
      }
      const abbrev = findAbbrev(unit.abbrevs, code);
      if (abbrev === undefined) {
        throw r.error(
          'E_MALFORMED',
          `DIE uses abbreviation code ${code}, which the table at ${header.abbrevOffset} lacks`,
          dieOffset,
        );
      }
      const isInlined = abbrev.tag === C.DW_TAG_inlined_subroutine;
      if (abbrev.tag !== C.DW_TAG_subprogram && !isInlined) {
        if (abbrev.fixedSize >= 0) r.skip(abbrev.fixedSize, 'DIE attributes');
        else skipAttributes(r, abbrev, unit);
        if (abbrev.hasChildren) depth++;
        continue;
      }
      clearScratch(s);
      this.readAttributes(r, abbrev, unit, s, true);
      if (s.lowPc !== undefined || s.rangesForm !== 0) {
        if (isInlined) {
          const call = this.makeInlinedCall(unit, s, dieOffset, this.wantInlined);
          if (call !== undefined) inlined.push(call);
        } else {
          const subprogram = this.makeSubprogram(unit, s, dieOffset);
          if (subprogram !== undefined) out.push(subprogram);
        }
      }
      // children hold the inlined calls (and, in some languages, nested functions): walk them
      if (abbrev.hasChildren) depth++;
    }
  }

  /** Reads the attributes of interest of one DIE into `s`; skips the rest. */
  private readAttributes(
    r: ByteReader,
    abbrev: Abbrev,
    unit: CompileUnit,
    s: DieScratch,
    withPc: boolean,
  ): void {
    const { header } = unit;
    const { attributes, forms } = abbrev;
    for (let i = 0; i < attributes.length; i++) {
      const attribute = attributes[i]!;
      let form = forms[i]!;
      if (form === C.DW_FORM_indirect) form = r.uleb('DW_FORM_indirect form');
      switch (attribute) {
        case C.DW_AT_name:
          s.nameForm = form;
          s.nameValue = stringHandle(r, form, header);
          break;
        case C.DW_AT_linkage_name:
        case C.DW_AT_MIPS_linkage_name:
          s.linkageForm = form;
          s.linkageValue = stringHandle(r, form, header);
          break;
        case C.DW_AT_low_pc:
          if (withPc)
            s.lowPc = readFormAddress(this.context, r, form, header, unit.bases, 'DW_AT_low_pc');
          else skipForm(r, form, header, 'DW_AT_low_pc');
          break;
        case C.DW_AT_high_pc:
          if (!withPc) skipForm(r, form, header, 'DW_AT_high_pc');
          else {
            const pc = this.readPc(r, form, abbrev.implicitConsts[i], unit, 'DW_AT_high_pc');
            s.highPcForm = form;
            if (typeof pc === 'bigint') s.highPcAddress = pc;
            else s.highPcOffset = pc;
          }
          break;
        case C.DW_AT_ranges:
          if (withPc) {
            s.rangesForm = form;
            s.rangesValue = readFormUnsigned(r, form, header, 'DW_AT_ranges');
          } else skipForm(r, form, header, 'DW_AT_ranges');
          break;
        case C.DW_AT_entry_pc:
          if (!withPc) skipForm(r, form, header, 'DW_AT_entry_pc');
          else {
            const pc = this.readPc(r, form, abbrev.implicitConsts[i], unit, 'DW_AT_entry_pc');
            s.entryPcForm = form;
            if (typeof pc === 'bigint') s.entryPcAddress = pc;
            else s.entryPcOffset = pc;
          }
          break;
        case C.DW_AT_decl_file:
          s.declFile = constant(r, form, abbrev.implicitConsts[i], header, 'DW_AT_decl_file');
          break;
        case C.DW_AT_decl_line:
          s.declLine = constant(r, form, abbrev.implicitConsts[i], header, 'DW_AT_decl_line');
          break;
        case C.DW_AT_call_file:
          s.callFile = constant(r, form, abbrev.implicitConsts[i], header, 'DW_AT_call_file');
          break;
        case C.DW_AT_call_line:
          s.callLine = constant(r, form, abbrev.implicitConsts[i], header, 'DW_AT_call_line');
          break;
        case C.DW_AT_specification:
        case C.DW_AT_abstract_origin:
          s.reference = referenceTarget(r, form, unit);
          break;
        case C.DW_AT_sibling:
          s.sibling = referenceTarget(r, form, unit);
          break;
        default:
          skipForm(r, form, header, `attribute 0x${attribute.toString(16)}`);
      }
    }
  }

  /**
   * A DW_AT_high_pc or DW_AT_entry_pc value: an address (address forms) or an offset from
   * DW_AT_low_pc (constant forms; DWARF 4+).
   */
  private readPc(
    r: ByteReader,
    form: number,
    implicitConst: number | undefined,
    unit: CompileUnit,
    what: string,
  ): bigint | number {
    return isAddressForm(form)
      ? readFormAddress(this.context, r, form, unit.header, unit.bases, what)
      : constant(r, form, implicitConst, unit.header, what);
  }

  private makeSubprogram(
    unit: CompileUnit,
    s: DieScratch,
    dieOffset: number,
  ): Subprogram | undefined {
    const ranges = this.readRanges(unit, s, dieOffset);
    if (ranges === undefined) return undefined;
    return { ...this.originOf(unit, s), ranges };
  }

  /** The inlined call of the DIE in `s`, unless `wanted` rejects its function's decl file. */
  private makeInlinedCall(
    unit: CompileUnit,
    s: DieScratch,
    dieOffset: number,
    wanted: ((file: string | undefined) => boolean) | undefined,
  ): InlinedCall | undefined {
    const origin = this.originOf(unit, s);
    const callFile = s.callFile >= 0 ? this.resolveDeclFile(unit, s.callFile) : undefined;
    if (wanted !== undefined && !wanted(origin.file) && !wanted(callFile)) return undefined;
    const ranges = this.readRanges(unit, s, dieOffset);
    if (ranges === undefined) return undefined;
    const call = inlinedCall(origin, ranges, s);
    if (callFile !== undefined && s.callLine > 0) {
      call.callFile = callFile;
      call.callLine = s.callLine;
    }
    return call;
  }

  /** Name and declaration of the DIE in `s`; shared (cached) for DIEs that only refer. */
  private originOf(unit: CompileUnit, s: DieScratch): ResolvedOrigin {
    if (s.nameForm === 0 && s.linkageForm === 0 && s.declFile < 0 && s.reference >= 0) {
      // a DIE that says nothing of itself (an inlined copy, a concrete out-of-line instance)
      let origin = this.origins.get(s.reference);
      if (origin === undefined) {
        origin = this.resolveOrigin(unit, s);
        this.origins.set(s.reference, origin);
      }
      return origin;
    }
    return this.resolveOrigin(unit, s);
  }

  /** Non-empty, non-tombstone code ranges of the DIE in `s`, or undefined (none, or unreadable). */
  private readRanges(
    unit: CompileUnit,
    s: DieScratch,
    dieOffset: number,
  ): AddressRange[] | undefined {
    let ranges: AddressRange[];
    const tombstone = unit.header.addressBytes === 8 ? (1n << 64n) - 1n : 0xffffffffn;
    if (s.lowPc !== undefined && s.rangesForm === 0) {
      if (s.highPcForm === 0) return undefined;
      const end = isAddressForm(s.highPcForm) ? s.highPcAddress : s.lowPc + BigInt(s.highPcOffset);
      ranges = [{ start: s.lowPc, end }];
    } else {
      try {
        ranges = readRangeList(this.context, unit, s.rangesForm, s.rangesValue, unit.lowPc);
      } catch (error) {
        if (!(error instanceof CovError)) throw error;
        this.warnings.push(
          diagnosticFromError(
            error,
            `DIE at 0x${dieOffset.toString(16)} of .debug_info: ranges skipped: `,
          ),
        );
        return undefined;
      }
    }
    ranges = ranges.filter((range) => range.end > range.start && range.start !== tombstone);
    return ranges.length === 0 ? undefined : ranges;
  }

  /** Name, linkage name and declaration of the DIE in `s`, following its reference chain. */
  private resolveOrigin(unit: CompileUnit, s: DieScratch): ResolvedOrigin {
    // Copy what the DIE itself says before following references (which reuse nothing of `s`).
    let nameForm = s.nameForm;
    let nameValue = s.nameValue;
    let linkageForm = s.linkageForm;
    let linkageValue = s.linkageValue;
    let declFile = s.declFile;
    let declLine = s.declLine;
    let nameUnit = unit;
    let linkageUnit = unit;
    let fileUnit = unit;
    let reference = s.reference;
    for (let depth = 0; depth < MAX_REFERENCE_DEPTH && reference >= 0; depth++) {
      if (nameForm !== 0 && linkageForm !== 0 && declFile >= 0) break;
      const target = this.readReferencedDie(reference);
      if (target === undefined) break;
      const t = target.scratch;
      if (nameForm === 0 && t.nameForm !== 0) {
        nameForm = t.nameForm;
        nameValue = t.nameValue;
        nameUnit = target.unit;
      }
      if (linkageForm === 0 && t.linkageForm !== 0) {
        linkageForm = t.linkageForm;
        linkageValue = t.linkageValue;
        linkageUnit = target.unit;
      }
      if (declFile < 0 && t.declFile >= 0) {
        declFile = t.declFile;
        declLine = t.declLine;
        fileUnit = target.unit;
      }
      reference = t.reference;
    }
    const origin: ResolvedOrigin = {
      name: nameForm === 0 ? '' : this.resolveString(nameUnit, nameForm, nameValue),
    };
    if (linkageForm !== 0)
      origin.linkageName = this.resolveString(linkageUnit, linkageForm, linkageValue);
    if (declFile >= 0) {
      const file = this.resolveDeclFile(fileUnit, declFile);
      if (file !== undefined) origin.file = file;
    }
    if (declLine > 0) origin.line = declLine;
    return origin;
  }

  private readReferencedDie(
    offset: number,
  ): { unit: CompileUnit; scratch: DieScratch } | undefined {
    const unit = this.unitAt(offset);
    if (unit === undefined) return undefined;
    const r = this.context.cursor('.debug_info', this.info.subarray(0, unit.header.endOffset));
    r.seek(offset, 'referenced DIE');
    const code = r.uleb('referenced DIE abbreviation code');
    const abbrev = findAbbrev(unit.abbrevs, code);
    if (abbrev === undefined) {
      throw r.error('E_MALFORMED', `referenced DIE uses unknown abbreviation code ${code}`, offset);
    }
    const scratch: DieScratch = { ...this.scratch };
    clearScratch(scratch);
    this.readAttributes(r, abbrev, unit, scratch, false);
    return { unit, scratch };
  }

  private unitAt(offset: number): CompileUnit | undefined {
    let lo = 0;
    let hi = this.units.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.units[mid]!.header.unitOffset <= offset) lo = mid + 1;
      else hi = mid;
    }
    const unit = this.units[lo - 1];
    return unit !== undefined && offset < unit.header.endOffset ? unit : undefined;
  }

  private resolveString(unit: CompileUnit, form: number, value: number): string {
    const { header } = unit;
    if (form === C.DW_FORM_string) {
      const end = this.info.indexOf(0, value);
      return utf8.decode(this.info.subarray(value, end < 0 ? value : end));
    }
    if (form === C.DW_FORM_strp) return this.context.stringAt('str', value);
    if (form === C.DW_FORM_line_strp) return this.context.stringAt('line_str', value);
    if (isStrxForm(form)) {
      return this.context.indexedString(value, unit.bases.strOffsetsBase, header.offsetBytes);
    }
    return '';
  }

  private resolveDeclFile(unit: CompileUnit, fileIndex: number): string | undefined {
    if (unit.stmtList === undefined) return undefined;
    let lineHeader = this.lineHeaders.get(unit.stmtList);
    if (lineHeader === undefined) {
      try {
        const r = this.context.cursor('.debug_line', this.context.sections.debugLine);
        r.seek(Math.min(unit.stmtList, r.length + 1), 'DW_AT_stmt_list');
        lineHeader = readLineProgramHeader(this.context, r, {
          compDir: unit.compDir,
          bases: unit.bases,
        });
      } catch (error) {
        if (!(error instanceof CovError)) throw error;
        this.warnings.push(diagnosticFromError(error, 'decl files of a unit unresolved: '));
        lineHeader = null;
      }
      this.lineHeaders.set(unit.stmtList, lineHeader);
    }
    if (lineHeader === null) return undefined;
    // every inlined DIE names a call file: resolve each index of a unit once
    let paths = this.filePaths.get(unit.stmtList);
    if (paths === undefined) this.filePaths.set(unit.stmtList, (paths = []));
    let path = paths[fileIndex];
    if (path === undefined) {
      path = resolveFilePath(lineHeader, fileIndex, unit.compDir) ?? null;
      paths[fileIndex] = path;
    }
    return path ?? undefined;
  }
}

const utf8 = new TextDecoder('utf-8');

/** The {@link InlinedCall} of an inlined-subroutine DIE read into `s`, with its checked ranges. */
function inlinedCall(
  origin: ResolvedOrigin,
  ranges: readonly AddressRange[],
  s: DieScratch,
): InlinedCall {
  let entry: bigint | undefined;
  if (s.entryPcForm !== 0) {
    if (isAddressForm(s.entryPcForm)) entry = s.entryPcAddress;
    else if (s.lowPc !== undefined) entry = s.lowPc + BigInt(s.entryPcOffset);
  }
  if (entry === undefined) entry = s.lowPc;
  if (entry === undefined || !inRanges(ranges, entry)) {
    entry = ranges[0]!.start;
    for (const range of ranges) if (range.start < entry) entry = range.start;
  }
  const call: InlinedCall = { entry, name: origin.name };
  if (ranges.length > 1) {
    const starts = [...new Set(ranges.map((r) => r.start))].filter((start) => start !== entry);
    if (starts.length > 0) call.otherStarts = starts.sort((a, b) => (a < b ? -1 : 1));
  }
  if (origin.linkageName !== undefined) call.linkageName = origin.linkageName;
  if (origin.file !== undefined) call.file = origin.file;
  if (origin.line !== undefined) call.line = origin.line;
  return call;
}

function inRanges(ranges: readonly AddressRange[], address: bigint): boolean {
  for (const range of ranges) if (range.start <= address && address < range.end) return true;
  return false;
}

/** An unsigned constant attribute (DW_FORM_implicit_const: the value in the abbreviation). */
function constant(
  r: ByteReader,
  form: number,
  implicitConst: number | undefined,
  header: CompileUnit['header'],
  what: string,
): number {
  return form === C.DW_FORM_implicit_const
    ? implicitConst!
    : readFormUnsigned(r, form, header, what);
}

function skipAttributes(r: ByteReader, abbrev: Abbrev, unit: CompileUnit): void {
  const { forms } = abbrev;
  for (let i = 0; i < forms.length; i++) skipForm(r, forms[i]!, unit.header, 'DIE attribute');
}

function isAddressForm(form: number): boolean {
  return (
    form === C.DW_FORM_addr ||
    form === C.DW_FORM_addrx ||
    form === C.DW_FORM_addrx1 ||
    form === C.DW_FORM_addrx2 ||
    form === C.DW_FORM_addrx3 ||
    form === C.DW_FORM_addrx4 ||
    form === C.DW_FORM_GNU_addr_index
  );
}

function isStrxForm(form: number): boolean {
  return (
    form === C.DW_FORM_strx ||
    form === C.DW_FORM_strx1 ||
    form === C.DW_FORM_strx2 ||
    form === C.DW_FORM_strx3 ||
    form === C.DW_FORM_strx4 ||
    form === C.DW_FORM_GNU_str_index
  );
}

/**
 * Reads a string attribute's value without decoding it: the `.debug_info` position for
 * DW_FORM_string, else the section offset or index. Non-string forms are skipped and give 0.
 */
function stringHandle(r: ByteReader, form: number, header: CompileUnit['header']): number {
  if (form === C.DW_FORM_string) {
    const position = r.offset;
    skipForm(r, form, header, 'string');
    return position;
  }
  if (form === C.DW_FORM_strp || form === C.DW_FORM_line_strp || isStrxForm(form)) {
    return readFormUnsigned(r, form, header, 'string attribute');
  }
  skipForm(r, form, header, 'string attribute');
  return 0;
}

/** Absolute `.debug_info` offset of a reference attribute's target, or -1 (ref_sig8, alt refs). */
function referenceTarget(r: ByteReader, form: number, unit: CompileUnit): number {
  switch (form) {
    case C.DW_FORM_ref1:
    case C.DW_FORM_ref2:
    case C.DW_FORM_ref4:
    case C.DW_FORM_ref8:
    case C.DW_FORM_ref_udata:
      return unit.header.unitOffset + readFormUnsigned(r, form, unit.header, 'reference');
    case C.DW_FORM_ref_addr:
      return readFormUnsigned(r, form, unit.header, 'reference');
    default:
      skipForm(r, form, unit.header, 'reference');
      return -1;
  }
}
