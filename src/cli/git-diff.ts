/**
 * The git side of patch coverage: the repository root and the diff of the working tree against the
 * merge base of a ref and HEAD.
 */
import { loadExeca } from '../llvm-bridge/index.js';
import { CovError } from '../binary/index.js';

async function git(
  args: readonly string[],
  cwd: string,
): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  try {
    const execa = await loadExeca();
    const result = await execa('git', args, {
      cwd,
      reject: false,
      stripFinalNewline: false,
      maxBuffer: 512 * 1024 * 1024,
      env: { LC_ALL: 'C' },
    });
    if (result.failed && result.exitCode === undefined) {
      const cause = result.cause as NodeJS.ErrnoException | undefined;
      if (cause?.code === 'ENOENT') {
        throw new CovError('E_TOOLCHAIN', 'git not found on PATH (needed for --diff-base)');
      }
      throw new CovError('E_PROCESS', `git ${args[0]} could not run: ${result.shortMessage}`);
    }
    return { ok: result.exitCode === 0, stdout: result.stdout, stderr: result.stderr.trim() };
  } catch (error) {
    if (error instanceof CovError) throw error;
    throw new CovError('E_PROCESS', `git ${args[0]} could not run: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** The top-level directory of the git work tree holding `cwd`, or `undefined` outside one. */
export async function findRepositoryRoot(cwd: string): Promise<string | undefined> {
  try {
    const result = await git(['rev-parse', '--show-toplevel'], cwd);
    return result.ok ? result.stdout.trim() : undefined;
  } catch {
    return undefined;
  }
}

/** A diff taken by git, with the root its paths are relative to. */
export interface GitDiff {
  readonly text: string;
  readonly repositoryRoot: string;
  /** The commit the diff starts from (merge base of the ref and HEAD). */
  readonly baseCommit: string;
}

/**
 * Diffs the working tree (committed, staged and unstaged changes; not untracked files) against the
 * merge base of `ref` and HEAD — the changes a branch made since it left `ref` — with renames
 * followed (`-M`), no context lines, and fixed `a/`/`b/` prefixes whatever the user's git config.
 * @throws CovError `E_USAGE` outside a git repository or for a ref git cannot resolve (with git's
 *   message), `E_TOOLCHAIN` when git is missing
 */
export async function readGitDiff(cwd: string, ref: string): Promise<GitDiff> {
  const root = await git(['rev-parse', '--show-toplevel'], cwd);
  if (!root.ok) {
    throw new CovError(
      'E_USAGE',
      `--diff-base ${ref}: ${cwd} is not in a git repository (${root.stderr})`,
    );
  }
  const repositoryRoot = root.stdout.trim();
  const base = await git(['merge-base', ref, 'HEAD'], repositoryRoot);
  if (!base.ok) {
    throw new CovError(
      'E_USAGE',
      `--diff-base ${ref}: git finds no merge base of ${ref} and HEAD${base.stderr === '' ? '' : ` (${base.stderr})`}`,
    );
  }
  const baseCommit = base.stdout.trim();
  const diff = await git(
    [
      '-c',
      'core.quotePath=true',
      'diff',
      '--unified=0',
      '-M',
      '--no-color',
      '--no-ext-diff',
      '--no-textconv',
      '--src-prefix=a/',
      '--dst-prefix=b/',
      baseCommit,
      '--',
    ],
    repositoryRoot,
  );
  if (!diff.ok) throw new CovError('E_PROCESS', `git diff ${baseCommit} failed: ${diff.stderr}`);
  return { text: diff.stdout, repositoryRoot, baseCommit };
}
