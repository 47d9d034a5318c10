/**
 * Line-number program headers of DWARF 2, 3, 4 and 5 (§6.2.4), 32- and 64-bit DWARF, including the
 * DWARF 5 directory/file entry formats, and the rules that turn a file entry into a full path.
 */
import type { ByteReader } from '../binary/index.js';
import * as C from './constants.js';
import { readFormUnsigned, skipCString, skipForm, type FormEncoding } from './forms.js';
import { readInitialLength } from './initial-length.js';
import { readFormString, type DwarfContext, type UnitBases } from './sections.js';

/** One `file_names` entry. */
export interface LineFileEntry {
  readonly path: string;
  /** Index into `directories` (DWARF 5) or 1-based include directory, 0 = comp dir (DWARF 2–4). */
  readonly dirIndex: number;
}

/** A decoded line-program header. */
export interface LineProgramHeader {
  /** Offset of the unit_length field in `.debug_line`. */
  readonly offset: number;
  /** Offset one past the program's last byte. */
  readonly endOffset: number;
  /** Offset of the first opcode. */
  readonly programOffset: number;
  readonly version: number;
  readonly offsetBytes: 4 | 8;
  /** DWARF 5: from the header; DWARF 2–4: the object's address size. */
  readonly addressBytes: 4 | 8;
  readonly minInstLength: number;
  readonly maxOpsPerInst: number;
  readonly defaultIsStmt: boolean;
  readonly lineBase: number;
  readonly lineRange: number;
  readonly opcodeBase: number;
  /** Operand counts of standard opcodes 1..opcodeBase-1, at index opcode-1. */
  readonly standardOpcodeLengths: Uint8Array;
  /** DWARF 5: all directories, [0] = compilation directory; DWARF 2–4: include_directories. */
  readonly directories: string[];
  /** DWARF 5: 0-based; DWARF 2–4: file 1 is `files[0]`. `DW_LNE_define_file` appends here. */
  readonly files: LineFileEntry[];
}

/** What the CU that owns a line table adds: its comp dir and string bases. */
export interface LineUnitInfo {
  readonly compDir: string | undefined;
  readonly bases: UnitBases;
}

/**
 * Reads the line-program header at the cursor (which is left at `programOffset`).
 * @throws CovError `E_UNSUPPORTED_VERSION` for a version outside 2–5 or an address size other
 *   than 4/8, `E_MALFORMED` for line_range 0, opcode_base 0 or a header that runs past its
 *   header_length, `E_TRUNCATED` when it runs past the unit.
 */
export function readLineProgramHeader(
  context: DwarfContext,
  section: ByteReader,
  unit: LineUnitInfo | undefined,
): LineProgramHeader {
  const offset = section.offset;
  const length = readInitialLength(section, `line table at 0x${offset.toString(16)}`);
  const endOffset = section.offset + length.unitLength;
  const r = section.sub(length.unitLength, 'line table');
  section.seek(offset, 'line table');
  const { offsetBytes } = length;
  const versionOffset = r.offset;
  const version = r.u16('line table version');
  if (version < 2 || version > 5) {
    throw r.error(
      'E_UNSUPPORTED_VERSION',
      `line table version ${version} (reads DWARF 2–5)`,
      versionOffset,
    );
  }
  let addressBytes = context.sections.addressBytes;
  if (version >= 5) {
    const sizeOffset = r.offset;
    const size = r.u8('address_size');
    const segmentSelectorSize = r.u8('segment_selector_size');
    if (size !== 4 && size !== 8) {
      throw r.error('E_UNSUPPORTED_VERSION', `address_size ${size} (reads 4 or 8)`, sizeOffset);
    }
    if (segmentSelectorSize !== 0) {
      throw r.error(
        'E_UNSUPPORTED_VERSION',
        `segment_selector_size ${segmentSelectorSize} (reads 0)`,
        sizeOffset + 1,
      );
    }
    addressBytes = size;
  }
  const headerLength = offsetBytes === 8 ? r.u64Number('header_length') : r.u32('header_length');
  const programRelative = r.offset + headerLength;
  if (programRelative > r.length) {
    throw r.error(
      'E_TRUNCATED',
      `header_length ${headerLength} runs past the ${length.unitLength}-byte line table`,
      r.offset - offsetBytes,
    );
  }
  const minInstLength = r.u8('minimum_instruction_length');
  const maxOpsOffset = r.offset;
  const maxOpsPerInst = version >= 4 ? r.u8('maximum_operations_per_instruction') : 1;
  if (maxOpsPerInst === 0) {
    throw r.error('E_MALFORMED', 'maximum_operations_per_instruction is 0', maxOpsOffset);
  }
  const defaultIsStmt = r.u8('default_is_stmt') !== 0;
  const lineBaseByte = r.u8('line_base');
  const lineBase = lineBaseByte >= 0x80 ? lineBaseByte - 0x100 : lineBaseByte;
  const lineRangeOffset = r.offset;
  const lineRange = r.u8('line_range');
  const opcodeBase = r.u8('opcode_base');
  if (opcodeBase === 0) {
    throw r.error('E_MALFORMED', 'opcode_base is 0', lineRangeOffset + 1);
  }
  if (lineRange === 0) {
    throw r.error(
      'E_MALFORMED',
      'line_range is 0 (special opcodes would divide by 0)',
      lineRangeOffset,
    );
  }
  const standardOpcodeLengths = r.take(opcodeBase - 1, 'standard_opcode_lengths').slice();
  if (r.offset > programRelative) {
    throw r.error(
      'E_MALFORMED',
      `header_length ${headerLength} ends inside the fixed header fields (which need ${r.offset - programRelative + headerLength} bytes)`,
      programRelative - headerLength - offsetBytes,
    );
  }

  // The tables must stay inside header_length.
  const tables = r.sub(programRelative - r.offset, 'directory and file tables');
  const encoding: FormEncoding = { version, offsetBytes, addressBytes };
  const directories: string[] = [];
  const files: LineFileEntry[] = [];
  if (version >= 5) {
    readEntryTable(context, tables, encoding, unit, directories, undefined, 'directory');
    readEntryTable(context, tables, encoding, unit, undefined, files, 'file name');
  } else {
    for (;;) {
      const dir = readCString(tables, 'include_directories entry');
      if (dir === '') break;
      directories.push(dir);
    }
    for (;;) {
      const path = readCString(tables, 'file_names entry');
      if (path === '') break;
      const dirIndex = tables.uleb('file_names directory index');
      tables.uleb('file_names modification time');
      tables.uleb('file_names length');
      files.push({ path, dirIndex });
    }
  }
  return {
    offset,
    endOffset,
    programOffset: r.baseOffset + programRelative,
    version,
    offsetBytes,
    addressBytes,
    minInstLength,
    maxOpsPerInst,
    defaultIsStmt,
    lineBase,
    lineRange,
    opcodeBase,
    standardOpcodeLengths,
    directories,
    files,
  };
}

/** DWARF 5 entry formats + entries (§6.2.4.1), for the directory or the file name table. */
function readEntryTable(
  context: DwarfContext,
  r: ByteReader,
  encoding: FormEncoding,
  unit: LineUnitInfo | undefined,
  directories: string[] | undefined,
  files: LineFileEntry[] | undefined,
  what: string,
): void {
  const formatCount = r.u8(`${what}_entry_format_count`);
  const contentTypes: number[] = [];
  const forms: number[] = [];
  for (let i = 0; i < formatCount; i++) {
    contentTypes.push(r.uleb(`${what} entry format content type`));
    forms.push(r.uleb(`${what} entry format form`));
  }
  const count = r.uleb(`${what}s_count`);
  const bases = unit?.bases ?? defaultBases(encoding.offsetBytes);
  for (let entry = 0; entry < count; entry++) {
    let path = '';
    let dirIndex = 0;
    for (let i = 0; i < formatCount; i++) {
      const type = contentTypes[i]!;
      const form = forms[i]!;
      const label = `${what} ${entry}`;
      if (type === C.DW_LNCT_path) {
        const value = readFormString(context, r, form, encoding, bases, `${label} DW_LNCT_path`);
        if (value === undefined) {
          throw r.error(
            'E_MALFORMED',
            `${label}: DW_LNCT_path has non-string form 0x${form.toString(16)}`,
          );
        }
        path = value;
      } else if (type === C.DW_LNCT_directory_index) {
        dirIndex = readFormUnsigned(r, form, encoding, `${label} DW_LNCT_directory_index`);
      } else {
        // DW_LNCT_timestamp, DW_LNCT_size, DW_LNCT_MD5 and vendor types.
        skipForm(r, form, encoding, `${label} content type 0x${type.toString(16)}`);
      }
    }
    if (directories !== undefined) directories.push(path);
    else files?.push({ path, dirIndex });
  }
}

function defaultBases(offsetBytes: 4 | 8): UnitBases {
  return { strOffsetsBase: offsetBytes === 8 ? 16 : 8, addrBase: 8, rnglistsBase: undefined };
}

const utf8 = new TextDecoder('utf-8');

function readCString(r: ByteReader, what: string): string {
  const start = r.offset;
  skipCString(r, what);
  return utf8.decode(r.bytes.subarray(start, r.offset - 1));
}

/**
 * Full path of file entry `fileIndex` (DWARF 5: 0-based; DWARF 2–4: 1-based) as llvm-dwarfdump
 * builds an absolute path: absolute names stay; otherwise the entry's directory, and when that is
 * still relative, the comp dir (DW_AT_comp_dir of the owning CU; DWARF 5: else directory 0) before it.
 * @returns the path, or `undefined` when the index names no entry.
 */
export function resolveFilePath(
  header: LineProgramHeader,
  fileIndex: number,
  compDir: string | undefined,
): string | undefined {
  const v5 = header.version >= 5;
  const entry = header.files[v5 ? fileIndex : fileIndex - 1];
  if (entry === undefined || (!v5 && fileIndex === 0)) return undefined;
  if (isAbsolutePath(entry.path)) return entry.path;
  let dir: string | undefined;
  if (v5) {
    dir = header.directories[entry.dirIndex];
    compDir ??= header.directories[0];
    if (entry.dirIndex === 0) compDir = undefined;
  } else {
    dir = entry.dirIndex === 0 ? undefined : header.directories[entry.dirIndex - 1];
  }
  let path = dir === undefined || dir === '' ? entry.path : joinPath(dir, entry.path);
  if (compDir !== undefined && compDir !== '' && !isAbsolutePath(path))
    path = joinPath(compDir, path);
  return path;
}

/** POSIX or Windows absolute path (`/x`, `\x`, `C:\x`, `C:/x`). */
export function isAbsolutePath(path: string): boolean {
  const c = path.charCodeAt(0);
  if (c === 0x2f || c === 0x5c) return true;
  return path.length >= 3 && path[1] === ':' && (path[2] === '\\' || path[2] === '/');
}

/** Joins with the separator the directory already uses (`\` for `C:\…`), never doubling it. */
export function joinPath(dir: string, name: string): string {
  const sep = /^[A-Za-z]:\\/.test(dir) || (dir.includes('\\') && !dir.includes('/')) ? '\\' : '/';
  const last = dir[dir.length - 1];
  return last === '/' || last === '\\' ? dir + name : dir + sep + name;
}
