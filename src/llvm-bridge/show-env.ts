/**
 * `cov show-env`: the instrumentation variables as shell code, so a user can build and run with
 * their own commands (`eval "$(cov show-env --export-prefix)"`, then `cargo test`).
 */
import { CovError } from '../binary/index.js';

/**
 * Output dialect: `sh` prints `KEY="value"` lines (cargo-llvm-cov's default shape), `export-prefix`
 * prints `export KEY="value"`, `fish` prints `set -gx KEY 'value'`, `pwsh` prints
 * `$env:KEY = 'value'`.
 */
export type ShowEnvShell = 'sh' | 'export-prefix' | 'fish' | 'pwsh';

/** Options of {@link renderShowEnv}. */
export interface RenderShowEnvOptions {
  readonly shell: ShowEnvShell;
  /** Variables to remove (`unset KEY`, `set -e KEY`, `Remove-Item Env:KEY`), printed first. */
  readonly unset?: readonly string[];
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Renders `env` as one line per variable in the given shell's syntax, each value quoted so the
 * shell reads it back byte for byte; the text ends with a newline (empty string for no variables).
 *
 * @throws CovError `E_USAGE` for a variable name that is not `[A-Za-z_][A-Za-z0-9_]*`.
 */
export function renderShowEnv(
  env: Readonly<Record<string, string>>,
  options: RenderShowEnvOptions,
): string {
  const lines: string[] = [];
  for (const key of options.unset ?? []) lines.push(renderUnset(checkName(key), options.shell));
  for (const [key, value] of Object.entries(env)) {
    lines.push(renderSet(checkName(key), value, options.shell));
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function checkName(key: string): string {
  if (!VARIABLE_NAME.test(key)) {
    throw new CovError('E_USAGE', `cannot print environment variable with name \`${key}\``);
  }
  return key;
}

function renderSet(key: string, value: string, shell: ShowEnvShell): string {
  switch (shell) {
    case 'sh':
      return `${key}=${quotePosix(value)}`;
    case 'export-prefix':
      return `export ${key}=${quotePosix(value)}`;
    case 'fish':
      return `set -gx ${key} ${quoteFish(value)}`;
    case 'pwsh':
      return `$env:${key} = ${quotePwsh(value)}`;
  }
}

function renderUnset(key: string, shell: ShowEnvShell): string {
  switch (shell) {
    case 'sh':
    case 'export-prefix':
      return `unset ${key}`;
    case 'fish':
      return `set -e ${key}`;
    case 'pwsh':
      return `Remove-Item Env:${key} -ErrorAction SilentlyContinue`;
  }
}

/**
 * POSIX double-quoted string: inside `"…"` only `$`, `` ` ``, `"` and `\` are special (and `\`
 * before them escapes them), so those four get a backslash.
 */
export function quotePosix(value: string): string {
  return `"${value.replace(/[$`"\\]/g, (ch) => `\\${ch}`)}"`;
}

/** fish single-quoted string: only `\` and `'` are special inside `'…'`. */
export function quoteFish(value: string): string {
  return `'${value.replace(/[\\']/g, (ch) => `\\${ch}`)}'`;
}

/**
 * PowerShell single-quoted (verbatim) string: a quote is written twice. PowerShell also treats the
 * typographic quotes U+2018–U+201B as single quotes, so they are doubled too.
 */
export function quotePwsh(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201a\u201b]/g, (ch) => ch + ch)}'`;
}
