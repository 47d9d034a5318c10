/**
 * `.debug_line` reader: runs the line-number programs (DWARF 2, 3, 4, 5; 32- and 64-bit DWARF;
 * VLIW op_index) and returns the rows of their matrices.
 */
import {
  CovError,
  diagnosticFromError,
  type ByteReader,
  type Diagnostic,
} from '../binary/index.js';
import * as C from './constants.js';
import { readSleb } from './leb.js';
import {
  readLineProgramHeader,
  resolveFilePath,
  type LineProgramHeader,
  type LineUnitInfo,
} from './line-header.js';
import { DwarfContext } from './sections.js';
import type { DwarfSections, LineRow } from './types.js';
import { readCompileUnits } from './units.js';

const TWO_POW_64 = 1n << 64n;
const utf8 = new TextDecoder('utf-8');

/**
 * Runs every line-number program in `.debug_line`, in section order.
 *
 * Paths are made absolute where the data allows: DWARF 5 from the table's own directories;
 * DWARF 2–4 with the DW_AT_comp_dir of the compile unit whose DW_AT_stmt_list points at the table
 * (read from `.debug_info` when present; otherwise relative include dirs stay relative). A file
 * index with no entry gives the file `<file N>`.
 *
 * Sequences that start at the tombstone address (all ones for the address size — lld's marker for
 * code it dropped) give no rows, as in llvm-dwarfdump. Sequences at address 0 are kept (a caller
 * filters them with {@link selectBreakpointSites}).
 *
 * @returns rows (addresses are link-time virtual addresses, `bigint`; lines and columns 1-based,
 *   0 = none) and warnings: a program whose header or opcodes are malformed is skipped whole (its
 *   rows dropped) with a warning naming `.debug_line` and the byte offset; a unit_length that
 *   cannot be read stops the walk with a warning.
 * @throws never for malformed data (see warnings); only for bugs.
 * @see DWARF 5 §6.2 (line number information); LLVM DWARFDebugLine.cpp
 */
export function readDebugLine(
  sections: DwarfSections,
  sourceName: string,
): { rows: LineRow[]; warnings: Diagnostic[] } {
  const context = new DwarfContext(sections, sourceName);
  const { units, warnings } = readCompileUnits(context);
  const unitsByStmtList = new Map<number, LineUnitInfo>();
  for (const unit of units) {
    if (unit.stmtList !== undefined && !unitsByStmtList.has(unit.stmtList)) {
      unitsByStmtList.set(unit.stmtList, { compDir: unit.compDir, bases: unit.bases });
    }
  }
  const rows: LineRow[] = [];
  const r = context.cursor('.debug_line', sections.debugLine);
  while (r.remaining > 0) {
    const offset = r.offset;
    let header: LineProgramHeader;
    try {
      header = readLineProgramHeader(context, r, unitsByStmtList.get(offset));
    } catch (error) {
      if (!(error instanceof CovError)) throw error;
      warnings.push(diagnosticFromError(error, 'skipped a line table: '));
      if (!skipUnit(r, offset)) break;
      continue;
    }
    const before = rows.length;
    try {
      runLineProgram(r, header, unitsByStmtList.get(offset)?.compDir, rows);
    } catch (error) {
      if (!(error instanceof CovError)) throw error;
      rows.length = before;
      warnings.push(diagnosticFromError(error, 'skipped a line table: '));
    }
    r.seek(header.endOffset, 'next line table');
  }
  return { rows, warnings };
}

/** After a bad header: moves to the next unit if its unit_length can be read. */
function skipUnit(r: ByteReader, offset: number): boolean {
  try {
    r.seek(offset, 'line table');
    const first = r.u32('unit_length');
    const length = first === 0xffffffff ? r.u64Number('unit_length') : first;
    if (first >= 0xfffffff0 && first !== 0xffffffff) return false;
    if (length > r.remaining) return false;
    r.seek(r.offset + length, 'next line table');
    return true;
  } catch {
    return false;
  }
}

/** Mutable state machine registers (DWARF 5 §6.2.2). */
interface Registers {
  address: bigint;
  opIndex: number;
  file: number;
  line: number;
  column: number;
  isStmt: boolean;
}

/**
 * Executes one program, appending rows to `out`.
 * @throws CovError `E_TRUNCATED` for opcodes that run past the unit, `E_MALFORMED` for an
 *   extended opcode whose operands overrun its length or a zero-length extended opcode.
 */
export function runLineProgram(
  section: ByteReader,
  header: LineProgramHeader,
  compDir: string | undefined,
  out: LineRow[],
): void {
  const program = subRange(section, header.programOffset, header.endOffset);
  const paths: (string | undefined)[] = [];
  const pathOf = (index: number): string => {
    let path = paths[index];
    if (path === undefined) {
      path = resolveFilePath(header, index, compDir) ?? `<file ${index}>`;
      paths[index] = path;
    }
    return path;
  };
  const { minInstLength, maxOpsPerInst, lineBase, lineRange, opcodeBase } = header;
  const addressMask = header.addressBytes === 8 ? TWO_POW_64 - 1n : (1n << 32n) - 1n;
  const regs: Registers = {
    address: 0n,
    opIndex: 0,
    file: 1,
    line: 1,
    column: 0,
    isStmt: header.defaultIsStmt,
  };
  let tombstoned = false;
  const reset = (): void => {
    regs.address = 0n;
    regs.opIndex = 0;
    regs.file = 1;
    regs.line = 1;
    regs.column = 0;
    regs.isStmt = header.defaultIsStmt;
    tombstoned = false;
  };
  const emit = (endSequence: boolean): void => {
    if (tombstoned) return;
    out.push({
      address: regs.address,
      file: pathOf(regs.file),
      line: regs.line,
      column: regs.column,
      isStmt: regs.isStmt,
      endSequence,
    });
  };
  // "operation advance" (§6.2.5.1): address and op_index move together.
  const advance = (operationAdvance: number): void => {
    if (maxOpsPerInst === 1) {
      regs.address += BigInt(minInstLength * operationAdvance);
    } else {
      const total = regs.opIndex + operationAdvance;
      regs.address += BigInt(minInstLength * Math.floor(total / maxOpsPerInst));
      regs.opIndex = total % maxOpsPerInst;
    }
    if (regs.address > addressMask) regs.address &= addressMask;
  };

  while (program.remaining > 0) {
    const opcode = program.u8('opcode');
    if (opcode >= opcodeBase) {
      const adjusted = opcode - opcodeBase;
      advance(Math.floor(adjusted / lineRange));
      regs.line += lineBase + (adjusted % lineRange);
      emit(false);
      continue;
    }
    switch (opcode) {
      case 0: {
        const lengthOffset = program.offset;
        const length = program.uleb('extended opcode length');
        if (length === 0) {
          throw program.error('E_MALFORMED', 'extended opcode with length 0', lengthOffset);
        }
        const end = program.offset + length;
        program.need(length, 'extended opcode');
        const subOpcode = program.u8('extended opcode');
        switch (subOpcode) {
          case C.DW_LNE_end_sequence:
            emit(true);
            reset();
            break;
          case C.DW_LNE_set_address: {
            const size = length - 1;
            let address: bigint;
            if (size === 8) address = program.u64('DW_LNE_set_address operand');
            else if (size === 4) address = BigInt(program.u32('DW_LNE_set_address operand'));
            else {
              throw program.error(
                'E_MALFORMED',
                `DW_LNE_set_address operand of ${size} bytes (expected ${header.addressBytes})`,
                lengthOffset,
              );
            }
            regs.address = address;
            regs.opIndex = 0;
            tombstoned = address === (size === 8 ? TWO_POW_64 - 1n : 0xffffffffn);
            break;
          }
          case C.DW_LNE_define_file: {
            const start = program.offset;
            const nul = program.bytes.indexOf(0, start);
            if (nul < 0 || nul >= end) {
              throw program.error(
                'E_MALFORMED',
                'DW_LNE_define_file: file name has no NUL inside the opcode',
                start,
              );
            }
            const path = utf8.decode(program.bytes.subarray(start, nul));
            program.offset = nul + 1;
            const dirIndex = program.uleb('DW_LNE_define_file directory index');
            program.uleb('DW_LNE_define_file modification time');
            program.uleb('DW_LNE_define_file length');
            header.files.push({ path, dirIndex });
            break;
          }
          case C.DW_LNE_set_discriminator:
            program.uleb('DW_LNE_set_discriminator operand');
            break;
          default:
            // Unknown and vendor (DW_LNE_lo_user..hi_user) opcodes: skipped by their length.
            break;
        }
        if (program.offset > end) {
          throw program.error(
            'E_MALFORMED',
            `extended opcode 0x${subOpcode.toString(16)}: operands take ${program.offset - lengthOffset} bytes, its length says ${length}`,
            lengthOffset,
          );
        }
        program.offset = end;
        break;
      }
      case C.DW_LNS_copy:
        emit(false);
        break;
      case C.DW_LNS_advance_pc:
        advance(program.uleb('DW_LNS_advance_pc operand'));
        break;
      case C.DW_LNS_advance_line:
        regs.line += readSleb(program, 'DW_LNS_advance_line operand');
        break;
      case C.DW_LNS_set_file:
        regs.file = program.uleb('DW_LNS_set_file operand');
        break;
      case C.DW_LNS_set_column:
        regs.column = program.uleb('DW_LNS_set_column operand');
        break;
      case C.DW_LNS_negate_stmt:
        regs.isStmt = !regs.isStmt;
        break;
      case C.DW_LNS_set_basic_block:
      case C.DW_LNS_set_prologue_end:
      case C.DW_LNS_set_epilogue_begin:
        break;
      case C.DW_LNS_const_add_pc:
        advance(Math.floor((255 - opcodeBase) / lineRange));
        break;
      case C.DW_LNS_fixed_advance_pc:
        regs.address += BigInt(program.u16('DW_LNS_fixed_advance_pc operand'));
        regs.opIndex = 0;
        if (regs.address > addressMask) regs.address &= addressMask;
        break;
      case C.DW_LNS_set_isa:
        program.uleb('DW_LNS_set_isa operand');
        break;
      default: {
        // An opcode below opcode_base the reader does not know: skip its ULEB operands.
        const operands = header.standardOpcodeLengths[opcode - 1] ?? 0;
        for (let i = 0; i < operands; i++) program.uleb(`standard opcode ${opcode} operand`);
      }
    }
  }
}

/** A cursor over `[start, end)` of `section` whose errors report section offsets. */
function subRange(section: ByteReader, start: number, end: number): ByteReader {
  const saved = section.offset;
  section.seek(start, 'line program');
  const sub = section.sub(end - start, 'line program');
  section.offset = saved;
  return sub;
}
