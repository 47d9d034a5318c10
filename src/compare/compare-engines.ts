/**
 * Line-by-line agreement between instrumented coverage (regions → line counts, spec/formats.md §5.4)
 * and breakpoint coverage (DWARF line-table addresses hit under ptrace, spec/ptrace-engine.md), with
 * every disagreement put in a named category.
 */
import {
  CODE_STRIDE,
  F_EXPANDED_FILE_ID,
  F_FILE_ID,
  F_KIND,
  F_LINE_END,
  F_LINE_START,
  KIND_EXPANSION,
  compareUtf8,
  fileView,
  forEachLineCount,
  type CoverageSet,
  type FunctionRecord,
} from '../model/index.js';

/**
 * Where a line falls. Agreement: `both-covered`, `both-uncovered`. Disagreement on a line both
 * engines can measure: `instrumented-only-covered`, `breakpoint-only-covered`, `no-address-inlined`
 * (the line's addresses are all in copies of its function that never ran, while it ran inlined
 * where the optimised line table gives it no row). Lines only one
 * engine can measure, by cause: `no-address-unexecuted` (regions but no line-table address, and no
 * instantiation ran: a generic never monomorphised or a function rustc did not codegen),
 * `no-address-executed` (regions that ran but no address: a line without instructions of its own,
 * or inlined), `no-region-generated` (an address in compiler-generated code rustc does not
 * instrument: `#[derive]` impls, `#[test]` registration, the test harness `main`), `no-region-macro` (an address inside a macro invocation or definition),
 * `no-region-in-function` (an address inside a function rustc instruments, on a line no region
 * maps: declarations, closing braces, drop glue), `unexplained` (none of these).
 */
export type LineCategory =
  | 'both-covered'
  | 'both-uncovered'
  | 'instrumented-only-covered'
  | 'breakpoint-only-covered'
  | 'no-address-unexecuted'
  | 'no-address-executed'
  | 'no-address-inlined'
  | 'no-region-generated'
  | 'no-region-macro'
  | 'no-region-in-function'
  | 'unexplained';

/** Every category in report order. */
export const LINE_CATEGORIES: readonly LineCategory[] = [
  'both-covered',
  'both-uncovered',
  'instrumented-only-covered',
  'breakpoint-only-covered',
  'no-address-unexecuted',
  'no-address-executed',
  'no-address-inlined',
  'no-region-generated',
  'no-region-macro',
  'no-region-in-function',
  'unexplained',
];

/** One-line explanation of each category, printed beside its count. */
export const CATEGORY_EXPLANATIONS: Readonly<Record<LineCategory, string>> = {
  'both-covered': 'both engines saw the line run',
  'both-uncovered': 'neither engine saw the line run',
  'instrumented-only-covered':
    'a region counted the line but its breakpoint address was not hit (the line is covered by a region that starts on an earlier line, its code runs from another line’s address, or the two runs took different paths: thread timing, random test inputs)',
  'breakpoint-only-covered':
    'the breakpoint was hit but the line’s regions count 0 (code rustc attributes to this line outside the counted region, e.g. unwinding or drop glue, or the two runs took different paths: thread timing, random test inputs)',
  'no-address-unexecuted':
    'regions but no line-table address, and no instantiation ran: a generic never monomorphised or a function not code-generated',
  'no-address-executed':
    'regions in a function that ran, but no line-table address: the line has no instructions of its own (closing braces, `break`/`continue`, struct literal fields), they were merged into another line, or (optimised builds) it ran only in inlined copies, where it has no row, so the breakpoint engine does not report it',
  'no-address-inlined':
    'regions that ran, but the function holding the line was never entered out of line and no address of the line was hit: it ran inlined into its callers, where the (optimised) line table gives the line no row of its own (closing braces, code merged into other lines)',
  'no-region-generated':
    'an address but no region: compiler-generated code rustc does not instrument (`#[derive]` impls, enum variant constructors and drop glue on a type’s fields and variants, `#[test]` registration, the test harness `main`)',
  'no-region-macro': 'an address but no region: code expanded from a macro at this line',
  'no-region-in-function':
    'an address inside an instrumented function on a line no region maps (declarations, closing braces, drop glue)',
  unexplained: 'an address but no region, outside every instrumented function',
};

/** What two separate runs add to the explanation of a disagreement on a line both measure. */
const TWO_RUNS_CLAUSE = ', or the two runs took different paths: thread timing, random test inputs';

/**
 * The explanations of a same-run comparison (`cov compare --same-run`): both engines measured one
 * execution, so a disagreement cannot come from the runs taking different paths.
 */
export const SAME_RUN_EXPLANATIONS: Readonly<Record<LineCategory, string>> = Object.fromEntries(
  LINE_CATEGORIES.map((c) => [c, CATEGORY_EXPLANATIONS[c].replace(TWO_RUNS_CLAUSE, '')]),
) as Record<LineCategory, string>;

/** What one engine knows of one line. */
export interface EngineLine {
  readonly coverable: boolean;
  readonly count: bigint;
}

/** One compared line. */
export interface ComparedLine {
  readonly line: number;
  readonly category: LineCategory;
  readonly instrumented: EngineLine;
  readonly breakpoint: EngineLine;
}

/** Per-category line counts. */
export type CategoryCounts = Record<LineCategory, number>;

/** Comparison of one file. */
export interface FileComparison {
  readonly filename: string;
  readonly counts: CategoryCounts;
  /** Lines either engine can measure, ascending. */
  readonly lines: readonly ComparedLine[];
}

/** Comparison of two coverage sets. */
export interface EngineComparison {
  readonly files: readonly FileComparison[];
  readonly totals: CategoryCounts;
  /** Lines coverable in both engines. */
  readonly comparable: number;
  /** Percent of `comparable` lines on which the engines agree (100 when there are none). */
  readonly agreement: number;
  /** Both engines measured one execution ({@link CompareOptions.sameRun}). */
  readonly sameRun: boolean;
  /** The explanation of each category ({@link CATEGORY_EXPLANATIONS} or {@link SAME_RUN_EXPLANATIONS}). */
  readonly explanations: Readonly<Record<LineCategory, string>>;
}

/** Options of {@link compareEngines}. */
export interface CompareOptions {
  /** Keeps a file when it returns true (default: every file). */
  readonly filter?: (filename: string) => boolean;
  /** Source text of a file, to recognise `#[test]` lines; undefined when unreadable. */
  readonly readSource?: (filename: string) => string | undefined;
  /** Both sets come from one execution (the explanations then leave out run-to-run differences). */
  readonly sameRun?: boolean;
}

/** A zeroed count per category. */
export function emptyCategoryCounts(): CategoryCounts {
  const counts = {} as CategoryCounts;
  for (const category of LINE_CATEGORIES) counts[category] = 0;
  return counts;
}

/**
 * Agreement percent over lines coverable in both engines (a region, and a breakpoint address):
 * the disagreements are `instrumented-only-covered`, `breakpoint-only-covered` and
 * `no-address-inlined` (whose addresses are real but were never reached where the code ran).
 */
export function agreementPercent(counts: CategoryCounts): {
  comparable: number;
  agreement: number;
} {
  const agree = counts['both-covered'] + counts['both-uncovered'];
  const comparable =
    agree +
    counts['instrumented-only-covered'] +
    counts['breakpoint-only-covered'] +
    counts['no-address-inlined'];
  return { comparable, agreement: comparable === 0 ? 100 : (agree / comparable) * 100 };
}

function lineMap(set: CoverageSet, filename: string): Map<number, bigint> {
  const out = new Map<number, bigint>();
  if (!set.recordsByFile.has(filename)) return out;
  forEachLineCount(fileView(set, filename).segments, 1, (line) => {
    if (line.mapped) out.set(line.line, line.count);
  });
  return out;
}

/** Facts about an instrumented file used to explain lines only one engine measures. */
interface InstrumentedFacts {
  /** Lines inside an expansion region (macro call sites) or an expanded file id in this file. */
  readonly macroLines: Set<number>;
  /** Line spans [first, last] of each record's regions in this file. */
  readonly functionSpans: { first: number; last: number; executed: boolean }[];
}

function instrumentedFacts(set: CoverageSet, filename: string): InstrumentedFacts {
  const macroLines = new Set<number>();
  const functionSpans: InstrumentedFacts['functionSpans'] = [];
  for (const index of set.recordsByFile.get(filename) ?? []) {
    const record = set.functions[index]!;
    const expandedIds = new Set<number>();
    const r = record.regions;
    for (let o = 0; o < r.length; o += CODE_STRIDE) {
      if (r[o + F_KIND] === KIND_EXPANSION) expandedIds.add(r[o + F_EXPANDED_FILE_ID]!);
    }
    let first = Infinity;
    let last = -Infinity;
    // expanded file ids in this file (macro bodies): their whole line range counts as macro lines
    const macroRanges = new Map<number, [number, number]>();
    for (let o = 0; o < r.length; o += CODE_STRIDE) {
      const fileId = r[o + F_FILE_ID]!;
      if (record.filenames[fileId] !== filename) continue;
      const start = r[o + F_LINE_START]!;
      const end = r[o + F_LINE_END]!;
      if (expandedIds.has(fileId)) {
        const range = macroRanges.get(fileId);
        if (range === undefined) macroRanges.set(fileId, [start, end]);
        else macroRanges.set(fileId, [Math.min(range[0], start), Math.max(range[1], end)]);
        continue;
      }
      if (r[o + F_KIND] === KIND_EXPANSION) {
        for (let line = start; line <= end; line++) macroLines.add(line);
      }
      first = Math.min(first, start);
      last = Math.max(last, end);
    }
    for (const [start, end] of macroRanges.values()) {
      for (let line = start; line <= end; line++) macroLines.add(line);
    }
    if (first <= last) functionSpans.push({ first, last, executed: record.executionCount !== 0n });
  }
  return { macroLines, functionSpans };
}

const ATTRIBUTE_LINE = /^\s*#\[/;
/** Trait impls that `#[derive]` writes (legacy `core..fmt..Debug`, v0 `4core3fmt5Debug`, plain). */
const DERIVED_IMPL =
  /core(::|\.\.|\d+)(fmt(::|\.\.|\d+)Debug|cmp(::|\.\.|\d+)(PartialEq|Eq|PartialOrd|Ord)|clone(::|\.\.|\d+)Clone|hash(::|\.\.|\d+)Hash|default(::|\.\.|\d+)Default)/;
/**
 * The test harness's generated `crate::main` (legacy mangling, or v0 as instrumented builds
 * mangle) or a test module's glue.
 */
const HARNESS_FUNCTION =
  /^_ZN\d+[A-Za-z0-9_]+4main17h[0-9a-f]{16}E$|^_RNvCs[0-9A-Za-z]*_\d+[A-Za-z0-9_]+4main$|(^|::)tests?::/;

/** Whether `record` has a region in `filename` that starts on `line` (1-based). */
export function recordStartsLine(record: FunctionRecord, filename: string, line: number): boolean {
  const r = record.regions;
  for (let o = 0; o < r.length; o += CODE_STRIDE) {
    if (r[o + F_LINE_START] === line && record.filenames[r[o + F_FILE_ID]!] === filename) {
      return true;
    }
  }
  return false;
}

/** Names of the breakpoint-engine functions that own `line` of `filename`. */
function owningFunctions(set: CoverageSet, filename: string, line: number): string[] {
  const names: string[] = [];
  for (const index of set.recordsByFile.get(filename) ?? []) {
    const record = set.functions[index]!;
    if (recordStartsLine(record, filename, line)) names.push(record.name);
  }
  return names;
}

/**
 * True when the line has breakpoint-engine owners and none of them was entered out of line (the
 * record's execution count is its out-of-line entry site's; lines of an inlined copy can still
 * have hits, credited by their own rows in the callers).
 */
function onlyInUnenteredCopies(set: CoverageSet, filename: string, line: number): boolean {
  let owners = 0;
  for (const index of set.recordsByFile.get(filename) ?? []) {
    const record = set.functions[index]!;
    if (!recordStartsLine(record, filename, line)) continue;
    owners++;
    if (record.executionCount !== 0n) return false;
  }
  return owners > 0;
}

/** Drop glue (`core::ptr::drop_in_place::<T>`), which rustc generates per type. */
const DROP_GLUE = /drop_in_place/;

/** True for the item line right under a `#[derive(…)]` (attributes and doc comments between). */
function isDerivedItemLine(text: readonly string[], line: number): boolean {
  for (let i = line - 2; i >= 0; i--) {
    const previous = text[i]!.trim();
    if (/^#\[derive\(/.test(previous)) return true;
    if (previous.startsWith('#[') || previous.startsWith('///') || previous.startsWith('//')) {
      continue;
    }
    return false;
  }
  return false;
}

/** A `struct`, `enum` or `union` item opening a brace block. */
const TYPE_ITEM = /^\s*(pub(\([^)]*\))?\s+)?(struct|enum|union)\s+[A-Za-z_]/;

/**
 * True for a field or variant line: the innermost brace block holding the line is opened by a
 * `struct`/`enum`/`union` item. rustc maps no region there (a type definition is not code); what
 * has an address on such a line is generated from its spans (derived impls, constructors, glue).
 */
function isInTypeDefinition(text: readonly string[], line: number): boolean {
  let depth = 0;
  for (let i = line - 2; i >= 0 && i >= line - 400; i--) {
    const t = text[i]!;
    for (let k = t.length - 1; k >= 0; k--) {
      const ch = t[k];
      if (ch === '}') depth++;
      else if (ch === '{') {
        if (depth === 0) return opensTypeItem(text, i);
        depth--;
      }
    }
  }
  return false;
}

/**
 * Whether the item whose block opens on line index `i` is a type definition: that line or, for a
 * header over several lines (generics, a `where` clause, the brace alone), the line it starts on.
 */
function opensTypeItem(text: readonly string[], i: number): boolean {
  for (let k = i; k >= 0 && k >= i - 12; k--) {
    const t = text[k]!;
    if (TYPE_ITEM.test(t)) return true;
    const trimmed = t.trim();
    // the line before a header ends another item or statement
    if (k < i && (trimmed.endsWith(';') || trimmed.endsWith('}') || trimmed.endsWith('{'))) {
      return false;
    }
  }
  return false;
}

function isGeneratedLine(
  text: readonly string[] | undefined,
  line: number,
  breakpointSet: CoverageSet,
  filename: string,
): boolean {
  if (text !== undefined) {
    if (ATTRIBUTE_LINE.test(text[line - 1] ?? '')) return true;
    if (TYPE_ITEM.test(text[line - 1] ?? '') || isInTypeDefinition(text, line)) return true;
    if (isDerivedItemLine(text, line)) return true;
  }
  return owningFunctions(breakpointSet, filename, line).some(
    (name) => DERIVED_IMPL.test(name) || HARNESS_FUNCTION.test(name) || DROP_GLUE.test(name),
  );
}

/** Source-text facts of one file, read on first need. */
interface SourceFacts {
  /** Text of a 1-based line; undefined when the source is unreadable. */
  line(line: number): string | undefined;
  /** Whether a line lies inside a `macro_rules!` definition or a macro invocation. */
  inMacroDefinition(line: number): boolean;
  /** Whether a line is generated code (attribute line, derived impl, harness glue). */
  generated(line: number): boolean;
  /** Whether every breakpoint-engine function holding the line was never entered out of line. */
  onlyInUnenteredCopies(line: number): boolean;
}

/**
 * Lines of `macro_rules!` definitions and of macro invocations that open a line (`thread_local!(…)`
 * over several lines), by bracket matching from the opening line.
 */
function macroLinesOf(text: readonly string[]): Set<number> {
  const lines = new Set<number>();
  for (let i = 0; i < text.length; i++) {
    if (!/\bmacro_rules!/.test(text[i]!) && !MACRO_INVOCATION.test(text[i]!)) continue;
    const state: BracketState = { depth: 0, opened: false, inString: false };
    for (let j = i; j < text.length; j++) {
      lines.add(j + 1);
      countBrackets(text[j]!, state);
      if (state.opened && state.depth <= 0) {
        i = j;
        break;
      }
    }
  }
  return lines;
}

/** Bracket depth while scanning source lines; a string literal may span lines. */
interface BracketState {
  depth: number;
  opened: boolean;
  inString: boolean;
}

/**
 * Adds one line's brackets to `state`, skipping those inside string literals (with escapes), char
 * literals (`'{'`, `'\\''`) and `//` comments; lifetimes (`'a`) are not char literals.
 */
function countBrackets(line: string, state: BracketState): void {
  for (let k = 0; k < line.length; k++) {
    const ch = line[k]!;
    if (state.inString) {
      if (ch === '\\') k++;
      else if (ch === '"') state.inString = false;
      continue;
    }
    if (ch === '"') state.inString = true;
    else if (ch === '/' && line[k + 1] === '/') return;
    else if (ch === "'") {
      // a char literal: 'x' or an escape '\n', '\u{…}', '\''
      const close = line[k + 1] === '\\' ? line.indexOf("'", k + 3) : k + 2;
      if (close > k && line[close] === "'") k = close;
    } else if (ch === '{' || ch === '(' || ch === '[') {
      state.depth++;
      state.opened = true;
    } else if (ch === '}' || ch === ')' || ch === ']') {
      state.depth--;
    }
  }
}

const CLOSING_BRACE = /^\s*\}\s*$/;
/** A macro invocation opening a line (`thread_local! {`, `lazy_static! {`, `my_macro!(`). */
const MACRO_INVOCATION =
  /^\s*(pub(\([^)]*\))?\s+)?[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*!\s*[{([]/;

function categorize(
  line: number,
  inst: EngineLine,
  bp: EngineLine,
  facts: InstrumentedFacts,
  source: SourceFacts,
): LineCategory {
  if (inst.coverable && bp.coverable) {
    const a = inst.count !== 0n;
    const b = bp.count !== 0n;
    if (a && b) return 'both-covered';
    if (!a && !b) return 'both-uncovered';
    if (a && source.onlyInUnenteredCopies(line)) return 'no-address-inlined';
    return a ? 'instrumented-only-covered' : 'breakpoint-only-covered';
  }
  const owners = facts.functionSpans.filter((s) => s.first <= line && line <= s.last);
  if (inst.coverable) {
    return owners.some((s) => s.executed) ? 'no-address-executed' : 'no-address-unexecuted';
  }
  if (source.generated(line)) return 'no-region-generated';
  if (facts.macroLines.has(line) || source.inMacroDefinition(line)) return 'no-region-macro';
  if (owners.length > 0) return 'no-region-in-function';
  // the closing brace after a diverging call (`panic!`, `loop {}`): unreachable, so no region;
  // other closing braces may stand between it and the function's last region
  const text = source.line(line);
  if (text !== undefined && CLOSING_BRACE.test(text)) {
    let previous = line - 1;
    while (previous > 0 && previous > line - 8 && CLOSING_BRACE.test(source.line(previous) ?? '')) {
      if (facts.functionSpans.some((s) => s.last === previous)) break;
      previous--;
    }
    if (facts.functionSpans.some((s) => s.last === previous)) return 'no-region-in-function';
  }
  return 'unexplained';
}

/**
 * Compares instrumented and breakpoint coverage line by line.
 * @param instrumented a set with `metadata.engine === 'instrumented'`
 * @param breakpoint a set with `metadata.engine === 'ptrace'` (one code region per coverable line);
 *   its files that are not Rust sources (`.rs`) and that the instrumented set does not map are left
 *   out (C linked in, the profiler runtime of an instrumented build: rustc instruments only Rust)
 * @returns per-file and total category counts (lines, 1-based) and the agreement percent
 */
export function compareEngines(
  instrumented: CoverageSet,
  breakpoint: CoverageSet,
  options: CompareOptions = {},
): EngineComparison {
  const keep = options.filter ?? (() => true);
  // rustc instruments only Rust: other sources with line tables (C linked in by -sys crates, the
  // profiler runtime in instrumented builds) are left out unless the instrumented side maps them
  const instrumentedFiles = new Set(instrumented.files);
  const names = new Set(
    [
      ...instrumented.files,
      ...breakpoint.files.filter((f) => f.endsWith('.rs') || instrumentedFiles.has(f)),
    ].filter(keep),
  );
  const files: FileComparison[] = [];
  const totals = emptyCategoryCounts();
  for (const filename of [...names].sort(compareUtf8)) {
    const inst = lineMap(instrumented, filename);
    const bp = lineMap(breakpoint, filename);
    const facts = instrumentedFacts(instrumented, filename);
    let text: string[] | undefined;
    let macroLines: Set<number> | undefined;
    const readText = (): string[] | undefined => {
      if (macroLines === undefined) {
        text = options.readSource?.(filename)?.split('\n');
        macroLines = text === undefined ? new Set() : macroLinesOf(text);
      }
      return text;
    };
    const source: SourceFacts = {
      line: (line) => readText()?.[line - 1],
      inMacroDefinition: (line) => {
        readText();
        return macroLines!.has(line);
      },
      generated: (line) => isGeneratedLine(readText(), line, breakpoint, filename),
      onlyInUnenteredCopies: (line) => onlyInUnenteredCopies(breakpoint, filename, line),
    };
    const lineNumbers = [...new Set([...inst.keys(), ...bp.keys()])].sort((a, b) => a - b);
    const counts = emptyCategoryCounts();
    const lines: ComparedLine[] = [];
    for (const line of lineNumbers) {
      const i = inst.get(line);
      const b = bp.get(line);
      const instLine = { coverable: i !== undefined, count: i ?? 0n };
      const bpLine = { coverable: b !== undefined, count: b ?? 0n };
      const category = categorize(line, instLine, bpLine, facts, source);
      counts[category]++;
      totals[category]++;
      lines.push({ line, category, instrumented: instLine, breakpoint: bpLine });
    }
    files.push({ filename, counts, lines });
  }
  const sameRun = options.sameRun === true;
  return {
    files,
    totals,
    ...agreementPercent(totals),
    sameRun,
    explanations: sameRun ? SAME_RUN_EXPLANATIONS : CATEGORY_EXPLANATIONS,
  };
}
