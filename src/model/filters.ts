/**
 * Which source files a report keeps: `--ignore-filename-regex` plus, unless
 * `--no-default-ignore-filename-regex`, the same default ignore list as cargo-llvm-cov (rustc's own
 * sources, `tests/`, `examples/`, `benches/`, the cargo registry and git checkouts, rustup
 * toolchains, the target dir, vendored sources) and Debian's `/usr/share/cargo/registry`.
 */

/** Where the default ignore list points; absent entries are simply left out. */
export interface DefaultIgnoreContext {
  /** Workspace root: `tests/`, `examples/` and `benches/` are ignored directly under it. */
  readonly workspaceRoot?: string;
  readonly targetDir?: string;
  readonly cargoHome?: string;
  readonly rustupHome?: string;
  readonly vendorDirs?: readonly string[];
}

/** rustc's remapped std sources (`/rustc/<commit hash>/library/...`). */
const RUSTC_SOURCES = String.raw`(^|/)rustc/[0-9a-f]+/`;
/** Test, example and bench directories of the workspace (anywhere when the root is unknown). */
const TARGET_DIRS = String.raw`(tests|examples|benches)/`;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function pathPrefixPattern(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return `^${escapeRegex(trimmed)}/`;
}

/** Regex sources of the default ignore list (POSIX ERE subset that JavaScript reads the same way). */
export function defaultIgnorePatterns(context: DefaultIgnoreContext): string[] {
  const patterns = [RUSTC_SOURCES];
  patterns.push(
    context.workspaceRoot === undefined
      ? `(^|/)${TARGET_DIRS}`
      : `^${escapeRegex(context.workspaceRoot.replace(/\/+$/, ''))}/${TARGET_DIRS}`,
  );
  if (context.cargoHome !== undefined) {
    patterns.push(pathPrefixPattern(`${context.cargoHome}/registry`));
    patterns.push(pathPrefixPattern(`${context.cargoHome}/git`));
  }
  patterns.push(pathPrefixPattern('/usr/share/cargo/registry'));
  if (context.rustupHome !== undefined) {
    patterns.push(pathPrefixPattern(`${context.rustupHome}/toolchains`));
  }
  if (context.targetDir !== undefined) patterns.push(pathPrefixPattern(context.targetDir));
  for (const vendor of context.vendorDirs ?? []) patterns.push(pathPrefixPattern(vendor));
  return patterns;
}

/** A predicate telling whether a source file is kept in reports. */
export type FileFilter = (filename: string) => boolean;

/**
 * Builds the file filter: a file is dropped when any ignore regex matches anywhere in its path.
 * @throws SyntaxError when a user regex does not compile (the CLI reports it as bad usage).
 */
export function createFileFilter(options: {
  readonly ignoreRegexes: readonly string[];
  readonly useDefaultIgnore: boolean;
  readonly defaults?: DefaultIgnoreContext;
}): FileFilter {
  const sources = [...options.ignoreRegexes];
  if (options.useDefaultIgnore) sources.push(...defaultIgnorePatterns(options.defaults ?? {}));
  if (sources.length === 0) return () => true;
  const combined = new RegExp(sources.map((s) => `(?:${s})`).join('|'));
  return (filename) => !combined.test(filename);
}
