/**
 * Parses `llvm-dwarfdump --debug-line` output (LLVM 14–22) into tables and rows, so tests can
 * compare cov's DWARF reader with LLVM's.
 */

/** One file_names entry as printed. */
export interface DumpFile {
  readonly name: string;
  readonly dirIndex: number;
}

/** One line table as printed. */
export interface DumpLineTable {
  readonly offset: number;
  readonly version: number;
  /** include_directories by printed index. */
  readonly directories: Map<number, string>;
  /** file_names by printed index. */
  readonly files: Map<number, DumpFile>;
  readonly rows: DumpRow[];
}

/** One row of the printed matrix. */
export interface DumpRow {
  readonly address: bigint;
  readonly line: number;
  readonly column: number;
  readonly file: number;
  readonly isStmt: boolean;
  readonly endSequence: boolean;
}

/** Splits the dump into its line tables. */
export function parseDebugLineDump(text: string): DumpLineTable[] {
  const tables: DumpLineTable[] = [];
  let current: DumpLineTable | undefined;
  let pendingFile: { index: number; name?: string } | undefined;
  for (const line of text.split('\n')) {
    const header = /^debug_line\[0x([0-9a-f]+)\]/.exec(line);
    if (header !== null) {
      current = {
        offset: Number.parseInt(header[1]!, 16),
        version: 0,
        directories: new Map(),
        files: new Map(),
        rows: [],
      };
      tables.push(current);
      continue;
    }
    if (current === undefined) continue;
    const version = /^\s+version: (\d+)/.exec(line);
    if (version !== null) {
      (current as { version: number }).version = Number(version[1]);
      continue;
    }
    const dir = /^include_directories\[\s*(\d+)\] = "(.*)"$/.exec(line);
    if (dir !== null) {
      current.directories.set(Number(dir[1]), unescape(dir[2]!));
      continue;
    }
    const file = /^file_names\[\s*(\d+)\]:/.exec(line);
    if (file !== null) {
      pendingFile = { index: Number(file[1]) };
      continue;
    }
    const name = /^\s+name: "(.*)"$/.exec(line);
    if (name !== null && pendingFile !== undefined) {
      pendingFile.name = unescape(name[1]!);
      continue;
    }
    const dirIndex = /^\s+dir_index: (\d+)/.exec(line);
    if (dirIndex !== null && pendingFile?.name !== undefined) {
      current.files.set(pendingFile.index, {
        name: pendingFile.name,
        dirIndex: Number(dirIndex[1]),
      });
      pendingFile = undefined;
      continue;
    }
    const row =
      /^0x([0-9a-f]{16}|[0-9a-f]{8})\s+(\d+)\s+(\d+)\s+(\d+)\s+\d+\s+\d+\s+(?:\d+\s+)?(.*)$/.exec(
        line,
      );
    if (row !== null) {
      const flags = row[5]!.trim().split(/\s+/);
      current.rows.push({
        address: BigInt(`0x${row[1]!}`),
        line: Number(row[2]),
        column: Number(row[3]),
        file: Number(row[4]),
        isStmt: flags.includes('is_stmt'),
        endSequence: flags.includes('end_sequence'),
      });
    }
  }
  return tables;
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}
