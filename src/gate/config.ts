/**
 * Gate configuration from `cov.toml` (TOML 1.0, every top-level key is a setting) or from
 * `[workspace.metadata.cov]` / `[package.metadata.cov]` in Cargo.toml. Keys are spelled like the
 * flags (`fail-under-regions = 80`); flags override them.
 */
import { parse, TomlError } from 'smol-toml';
import { CovError } from '../binary/index.js';
import { THRESHOLD_GATE_NAMES, THRESHOLD_GATES, type Thresholds } from './thresholds.js';

/** Settings a config file may hold. */
export interface GateConfig {
  readonly thresholds: Thresholds;
  readonly 'fail-on-decrease'?: boolean;
  readonly 'per-file'?: boolean;
  readonly 'diff-base'?: string;
  /** As written; relative paths are relative to the config file's directory. */
  readonly baseline?: string;
}

const BOOLEAN_KEYS = ['fail-on-decrease', 'per-file'] as const;
const STRING_KEYS = ['diff-base', 'baseline'] as const;

/** Every key a config may hold, in the order the error message lists them. */
export const CONFIG_KEYS: readonly string[] = [
  ...THRESHOLD_GATE_NAMES,
  ...BOOLEAN_KEYS,
  ...STRING_KEYS,
];

function parseToml(text: string, source: string): Record<string, unknown> {
  try {
    return parse(text) as Record<string, unknown>;
  } catch (cause) {
    if (cause instanceof TomlError) {
      throw new CovError(
        'E_MALFORMED',
        `line ${cause.line}, column ${cause.column}: ${cause.message.split('\n')[0]}`,
        { source, cause },
      );
    }
    throw cause;
  }
}

function isTable(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)
  );
}

/**
 * Reads one settings table.
 * @param where the table as the user wrote it (`cov.toml`, `[workspace.metadata.cov]`)
 * @throws CovError `E_USAGE` naming the key, the table and the file for an unknown key or a value
 *   of the wrong type
 */
export function readGateConfigTable(
  table: Record<string, unknown>,
  where: string,
  source: string,
): GateConfig {
  const thresholds: Thresholds = {};
  const config: {
    thresholds: Thresholds;
    'fail-on-decrease'?: boolean;
    'per-file'?: boolean;
    'diff-base'?: string;
    baseline?: string;
  } = { thresholds };
  for (const [key, value] of Object.entries(table)) {
    const wrongType = (expected: string): CovError =>
      new CovError(
        'E_USAGE',
        `${where}: "${key}" must be ${expected}, found ${JSON.stringify(value)}`,
        {
          source,
        },
      );
    if ((THRESHOLD_GATE_NAMES as readonly string[]).includes(key)) {
      const gate = key as keyof typeof THRESHOLD_GATES;
      if (typeof value !== 'number') {
        throw wrongType(THRESHOLD_GATES[gate].scope === 'uncovered' ? 'a count' : 'a percent');
      }
      thresholds[gate] = value;
    } else if ((BOOLEAN_KEYS as readonly string[]).includes(key)) {
      if (typeof value !== 'boolean') throw wrongType('true or false');
      config[key as (typeof BOOLEAN_KEYS)[number]] = value;
    } else if ((STRING_KEYS as readonly string[]).includes(key)) {
      if (typeof value !== 'string' || value === '') throw wrongType('a non-empty string');
      config[key as (typeof STRING_KEYS)[number]] = value;
    } else {
      throw new CovError(
        'E_USAGE',
        `${where}: unknown key "${key}" (known keys: ${CONFIG_KEYS.join(', ')})`,
        { source },
      );
    }
  }
  return config;
}

/**
 * Parses `cov.toml`.
 * @throws CovError `E_MALFORMED` for invalid TOML (line and column), `E_USAGE` for an unknown key
 */
export function parseCovToml(text: string, source: string): GateConfig {
  return readGateConfigTable(parseToml(text, source), 'cov.toml', source);
}

/** Settings found in a Cargo.toml, by table. */
export interface CargoManifestConfig {
  readonly workspace?: GateConfig;
  readonly package?: GateConfig;
}

/**
 * Reads `[workspace.metadata.cov]` and `[package.metadata.cov]` of a Cargo.toml; either may be
 * absent.
 * @throws CovError `E_MALFORMED` for invalid TOML or a `metadata.cov` that is not a table,
 *   `E_USAGE` for an unknown key
 */
export function parseCargoManifestConfig(text: string, source: string): CargoManifestConfig {
  const manifest = parseToml(text, source);
  const out: { workspace?: GateConfig; package?: GateConfig } = {};
  for (const section of ['workspace', 'package'] as const) {
    const parent = manifest[section];
    const metadata = isTable(parent) ? parent['metadata'] : undefined;
    const cov = isTable(metadata) ? metadata['cov'] : undefined;
    if (cov === undefined) continue;
    const where = `[${section}.metadata.cov]`;
    if (!isTable(cov)) throw new CovError('E_MALFORMED', `${where} must be a table`, { source });
    out[section] = readGateConfigTable(cov, where, source);
  }
  return out;
}
