/**
 * Unified diffs (`git diff` output, with or without `--unified=0`, and plain `diff -u`): which lines
 * of which new-side files a change added or modified.
 */
import { CovError } from '../binary/index.js';

/** How a file changed. */
export type DiffFileStatus = 'added' | 'deleted' | 'modified' | 'renamed' | 'copied';

/** One file of a diff. Paths are as the diff spells them, prefix (`a/`, `b/`) removed. */
export interface DiffFile {
  /** Path before the change; `undefined` for an added file. */
  readonly oldPath: string | undefined;
  /** Path after the change; `undefined` for a deleted file. */
  readonly newPath: string | undefined;
  readonly status: DiffFileStatus;
  /** A binary change (`Binary files … differ`, `GIT binary patch`): no lines. */
  readonly binary: boolean;
  /** 1-based line numbers in the new file of every `+` line, ascending, no duplicates. */
  readonly addedLines: readonly number[];
}

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

interface FileBuilder {
  oldPath: string | undefined;
  newPath: string | undefined;
  status: DiffFileStatus;
  binary: boolean;
  addedLines: number[];
  /** From a `diff --git` header: paths carry a prefix (`a/`, `b/`) to strip. */
  readonly git: boolean;
  /** The `---`/`+++` pair was read. */
  headersRead: boolean;
}

/**
 * Decodes a path as git prints it: C-quoted (`"a/t\303\251st"`) when it holds special characters,
 * and followed by a tab and a timestamp in plain `diff -u` headers.
 */
function decodePath(raw: string, lineNumber: number, source: string): string {
  if (!raw.startsWith('"')) {
    const tab = raw.indexOf('\t');
    return tab === -1 ? raw.trimEnd() : raw.slice(0, tab);
  }
  const bytes: number[] = [];
  let i = 1;
  for (; i < raw.length && raw[i] !== '"'; i++) {
    const c = raw[i]!;
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const next = raw[++i];
    const simple: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, '\\': 92, a: 7, b: 8 };
    if (next !== undefined && /[0-7]/.test(next)) {
      bytes.push(parseInt(raw.slice(i, i + 3), 8));
      i += 2;
    } else if (next !== undefined && simple[next] !== undefined) {
      bytes.push(simple[next]);
    } else {
      throw new CovError('E_MALFORMED', `line ${lineNumber}: bad escape in quoted path ${raw}`, {
        source,
      });
    }
  }
  if (i >= raw.length) {
    throw new CovError('E_MALFORMED', `line ${lineNumber}: unterminated quoted path ${raw}`, {
      source,
    });
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Drops the `a/`-style first component of a git path (any prefix: `a/`, `i/`, `w/`, `c/`…). */
function stripGitPrefix(path: string): string {
  const slash = path.indexOf('/');
  return slash === -1 ? path : path.slice(slash + 1);
}

/** `---`/`+++` path: `/dev/null` is no file; git paths lose their prefix. */
function headerPath(
  raw: string,
  git: boolean,
  lineNumber: number,
  source: string,
): string | undefined {
  const path = decodePath(raw, lineNumber, source);
  if (path === '/dev/null') return undefined;
  return git ? stripGitPrefix(path) : path;
}

/** Splits `diff --git a/x b/y` into its two paths (only reliable when neither holds ` b/`). */
function gitHeaderPaths(rest: string): [string, string] | undefined {
  if (rest.startsWith('"')) {
    const close = rest.indexOf('" ', 1);
    if (close === -1) return undefined;
    return [rest.slice(0, close + 1), rest.slice(close + 2)];
  }
  const middle = rest.indexOf(' b/');
  if (middle !== -1) return [rest.slice(0, middle), rest.slice(middle + 1)];
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest[half] === ' ')
    return [rest.slice(0, half), rest.slice(half + 1)];
  return undefined;
}

/**
 * Parses a unified diff.
 *
 * Counts `+` lines only: context lines did not change and `-` lines no longer exist, so neither
 * can be covered by the new code. A file that only lost lines has no added lines. Renames and
 * copies (`rename from`/`rename to`, `-M`/`-C`) report the new path; mode-only changes and binary
 * files have no lines. `\ No newline at end of file` markers are skipped.
 *
 * @param text the diff; git's default `a/`/`b/` (or mnemonic) prefixes are stripped from git diffs
 *   (those with `diff --git` headers); plain `diff -u` paths are kept as written.
 * @param source name of the diff in error messages (a file path or `git diff REF`)
 * @returns the files in diff order
 * @throws CovError `E_MALFORMED` naming `source` and the 1-based line for a hunk whose line counts
 *   do not match its header, a hunk outside a file, or a malformed quoted path
 */
export function parseUnifiedDiff(text: string, source: string): DiffFile[] {
  const files: DiffFile[] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let file: FileBuilder | undefined;
  let oldLeft = 0;
  let newLeft = 0;
  let newLine = 0;
  let hunkStart = 0;

  const finish = (): void => {
    if (file === undefined) return;
    if (oldLeft > 0 || newLeft > 0) {
      throw new CovError(
        'E_MALFORMED',
        `line ${hunkStart}: hunk ends early (${oldLeft} old and ${newLeft} new lines missing)`,
        { source },
      );
    }
    const added = [...new Set(file.addedLines)].sort((a, b) => a - b);
    files.push({
      oldPath: file.oldPath,
      newPath: file.newPath,
      status: file.status,
      binary: file.binary,
      addedLines: added,
    });
    file = undefined;
  };

  const startFile = (git: boolean): FileBuilder => {
    finish();
    file = {
      oldPath: undefined,
      newPath: undefined,
      status: 'modified',
      binary: false,
      addedLines: [],
      git,
      headersRead: false,
    };
    hunkStart = 0;
    return file;
  };

  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.replace(/\r$/, '');
    const lineNumber = index + 1;
    if (oldLeft > 0 || newLeft > 0) {
      const marker = line[0];
      if (marker === '\\') continue;
      if (marker === '+') {
        file!.addedLines.push(newLine++);
        newLeft--;
      } else if (marker === '-') {
        oldLeft--;
      } else if (marker === ' ' || line === '') {
        // an empty line is a context line whose leading space an editor or mailer trimmed
        newLine++;
        oldLeft--;
        newLeft--;
      } else {
        throw new CovError(
          'E_MALFORMED',
          `line ${lineNumber}: expected a hunk line (' ', '+', '-' or '\\'), found ${JSON.stringify(line.slice(0, 40))}`,
          { source },
        );
      }
      if (oldLeft < 0 || newLeft < 0) {
        throw new CovError(
          'E_MALFORMED',
          `line ${lineNumber}: hunk starting at line ${hunkStart} has more lines than its header says`,
          { source },
        );
      }
      continue;
    }
    if (line.startsWith('diff --git ')) {
      const current = startFile(true);
      const paths = gitHeaderPaths(line.slice('diff --git '.length));
      if (paths !== undefined) {
        current.oldPath = stripGitPrefix(decodePath(paths[0], lineNumber, source));
        current.newPath = stripGitPrefix(decodePath(paths[1], lineNumber, source));
      }
      continue;
    }
    if (line.startsWith('--- ')) {
      const next = lines[index + 1];
      // a plain `diff -u` file starts at its `---`/`+++` pair; in a git diff they follow the header
      const current = file !== undefined && file.git && !file.headersRead ? file : startFile(false);
      current.headersRead = true;
      if (next === undefined || !next.startsWith('+++ ')) {
        throw new CovError('E_MALFORMED', `line ${lineNumber}: '---' without a '+++' line`, {
          source,
        });
      }
      current.oldPath = headerPath(line.slice(4), current.git, lineNumber, source);
      current.newPath = headerPath(next.slice(4), current.git, lineNumber + 1, source);
      if (current.oldPath === undefined) current.status = 'added';
      else if (current.newPath === undefined) current.status = 'deleted';
      index++;
      continue;
    }
    const hunk = HUNK_HEADER.exec(line);
    if (hunk !== null) {
      if (file === undefined) {
        throw new CovError('E_MALFORMED', `line ${lineNumber}: hunk before any file header`, {
          source,
        });
      }
      oldLeft = hunk[2] === undefined ? 1 : Number(hunk[2]);
      newLeft = hunk[4] === undefined ? 1 : Number(hunk[4]);
      newLine = Number(hunk[3]);
      hunkStart = lineNumber;
      continue;
    }
    if (file === undefined) continue; // preamble (commit message, `index` lines of other tools)
    if (hunkStart > 0 && (line.startsWith('+') || line.startsWith('-'))) {
      throw new CovError(
        'E_MALFORMED',
        `line ${lineNumber}: '${line[0]}' line after the hunk starting at line ${hunkStart} ended: its header counts more lines than it has`,
        { source },
      );
    }
    if (line.startsWith('new file mode')) {
      file.status = 'added';
      file.oldPath = undefined;
    } else if (line.startsWith('deleted file mode')) {
      file.status = 'deleted';
      file.newPath = undefined;
    } else if (line.startsWith('rename from ')) {
      file.status = 'renamed';
      file.oldPath = decodePath(line.slice('rename from '.length), lineNumber, source);
    } else if (line.startsWith('rename to ')) {
      file.status = 'renamed';
      file.newPath = decodePath(line.slice('rename to '.length), lineNumber, source);
    } else if (line.startsWith('copy from ')) {
      file.status = 'copied';
      file.oldPath = decodePath(line.slice('copy from '.length), lineNumber, source);
    } else if (line.startsWith('copy to ')) {
      file.status = 'copied';
      file.newPath = decodePath(line.slice('copy to '.length), lineNumber, source);
    } else if (file.git && (line.startsWith('Binary files ') || line === 'GIT binary patch')) {
      file.binary = true;
      // skip the base85 body of a binary patch up to the next file
      while (index + 1 < lines.length && !lines[index + 1]!.startsWith('diff --git ')) index++;
    }
  }
  if (oldLeft > 0 || newLeft > 0) {
    throw new CovError(
      'E_MALFORMED',
      `line ${hunkStart}: hunk ends early (${oldLeft} old and ${newLeft} new lines missing)`,
      { source },
    );
  }
  finish();
  return files;
}
