/**
 * How covmap filename lists (Version6+, field value ≥ 5) turn stored names into paths: absolute
 * names verbatim, relative names joined onto the compilation directory with `.`/`..` removed
 * lexically — the rules of LLVM's `sys::path::append` + `remove_dots(…, true)`.
 * @see ../../../shared/spec/formats.md §4.3
 */

/** Path syntax used to join and normalise one name. */
export type PathStyle = 'posix' | 'windows';

/**
 * Whether a stored filename is absolute and therefore used verbatim: POSIX `/…` (including
 * `//server/…`), Windows drive paths `C:\…` / `C:/…`, and UNC paths `\\server\…`.
 * @see ../../../shared/spec/formats.md §4.3 (Version6+)
 */
export function isAbsoluteFilename(name: string): boolean {
  if (name.startsWith('/') || name.startsWith('\\\\')) return true;
  return hasDriveLetter(name) && name.length >= 3 && (name[2] === '\\' || name[2] === '/');
}

/**
 * The style a compilation directory is written in: `windows` when it starts with a drive letter
 * or `\\`, else `posix`. A Windows-built binary read on Linux thus still gets `\` joins.
 */
export function pathStyleOf(path: string): PathStyle {
  return hasDriveLetter(path) || path.startsWith('\\\\') ? 'windows' : 'posix';
}

/**
 * Resolves one stored filename (Version6+ list entries 1…N−1): absolute names are returned
 * unchanged (no dot removal); relative names are joined onto `baseDir` (the `-compilation-dir`
 * option if given, else list entry 0) and normalised with {@link removeDots}.
 * @param name the stored name (UTF-8 decoded)
 * @param baseDir directory to join relative names onto; `''` leaves them relative
 * @returns the path llvm-cov would show for this name
 * @see ../../../shared/spec/formats.md §4.3
 */
export function resolveFilename(name: string, baseDir: string): string {
  if (isAbsoluteFilename(name)) return name;
  const style = pathStyleOf(baseDir === '' ? name : baseDir);
  return removeDots(joinPath(baseDir, name, style), style);
}

/**
 * `base` + separator + `name` (no separator added when `base` is empty or already ends in one),
 * like LLVM's `sys::path::append`.
 */
export function joinPath(base: string, name: string, style: PathStyle): string {
  if (base === '') return name;
  const last = base[base.length - 1]!;
  return isSeparator(last, style) ? base + name : base + preferredSeparator(style) + name;
}

/**
 * Lexical normalisation as LLVM's `sys::path::remove_dots(path, /*remove_dot_dot=*\/ true)`:
 * drops empty and `.` components, lets `..` remove the previous component (never the root; a
 * leading `..` of a relative path stays), rewrites separators to the preferred one and drops a
 * trailing separator. The root (`/`, `//net/`, `C:\`) is kept.
 * @returns the normalised path; `''` when nothing is left of a relative path
 */
export function removeDots(path: string, style: PathStyle): string {
  const sep = preferredSeparator(style);
  let index = 0;
  let rootName = '';
  if (style === 'windows' && hasDriveLetter(path)) {
    rootName = path.slice(0, 2);
    index = 2;
  } else if (
    path.length > 2 &&
    isSeparator(path[0]!, style) &&
    path[1] === path[0] &&
    !isSeparator(path[2]!, style)
  ) {
    // Network root name (`//net`, `\\server`), which LLVM recognises in both styles.
    index = 2;
    while (index < path.length && !isSeparator(path[index]!, style)) index++;
    rootName = sep + sep + path.slice(2, index);
  }
  let root = rootName;
  if (index < path.length && isSeparator(path[index]!, style)) {
    root += sep;
    index++;
  }
  const absolute = root !== '';
  const components: string[] = [];
  let start = index;
  for (let i = index; i <= path.length; i++) {
    if (i < path.length && !isSeparator(path[i]!, style)) continue;
    const component = path.slice(start, i);
    start = i + 1;
    if (component === '' || component === '.') continue;
    if (component === '..') {
      if (components.length > 0 && components[components.length - 1] !== '..') components.pop();
      else if (!absolute) components.push(component);
      continue;
    }
    components.push(component);
  }
  return root + components.join(sep);
}

function hasDriveLetter(path: string): boolean {
  if (path.length < 2 || path[1] !== ':') return false;
  const code = path.charCodeAt(0) | 0x20;
  return code >= 0x61 && code <= 0x7a;
}

function isSeparator(char: string, style: PathStyle): boolean {
  return char === '/' || (style === 'windows' && char === '\\');
}

function preferredSeparator(style: PathStyle): string {
  return style === 'windows' ? '\\' : '/';
}
