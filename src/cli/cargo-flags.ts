/**
 * Cargo's selection flags, accepted by `cov test` / `cov run` and passed through unchanged.
 */
import type { Argv } from 'yargs';

/** Parsed cargo flags. */
export interface CargoFlags {
  package?: string[];
  workspace?: boolean;
  exclude?: string[];
  features?: string[];
  'all-features'?: boolean;
  'no-default-features'?: boolean;
  release?: boolean;
  profile?: string;
  target?: string;
  'manifest-path'?: string;
  'target-dir'?: string;
  /** `--no-fail-fast` (yargs reads it as the negation of `--fail-fast`). */
  'fail-fast'?: boolean;
  test?: string[];
  lib?: boolean;
  bin?: string[];
  tests?: boolean;
}

/** Adds cargo's flags to a command. */
export function withCargoFlags<T>(yargs: Argv<T>): Argv<T & CargoFlags> {
  const g = 'Cargo:';
  return yargs
    .option('package', {
      alias: 'p',
      type: 'string',
      array: true,
      group: g,
      describe: 'Package(s) to test',
    })
    .option('workspace', { type: 'boolean', group: g, describe: 'All workspace members' })
    .option('exclude', { type: 'string', array: true, group: g, describe: 'Exclude packages' })
    .option('features', {
      alias: 'F',
      type: 'string',
      array: true,
      group: g,
      describe: 'Features to activate',
    })
    .option('all-features', { type: 'boolean', group: g })
    .option('no-default-features', { type: 'boolean', group: g })
    .option('release', { alias: 'r', type: 'boolean', group: g })
    .option('profile', { type: 'string', group: g })
    .option('target', { type: 'string', group: g, describe: 'Target triple' })
    .option('manifest-path', { type: 'string', group: g })
    .option('target-dir', {
      type: 'string',
      group: g,
      describe: "cov's target dir (default <workspace>/target/cov)",
    })
    .option('fail-fast', {
      type: 'boolean',
      group: g,
      describe: 'Stop at the first failing test binary (--no-fail-fast runs them all)',
    })
    .option('lib', { type: 'boolean', group: g })
    .option('bin', { type: 'string', array: true, group: g })
    .option('test', { type: 'string', array: true, group: g })
    .option('tests', { type: 'boolean', group: g }) as Argv<T & CargoFlags>;
}

/** The cargo arguments equivalent to the parsed flags (`--target-dir` is handled by cov). */
export function cargoArgsOf(flags: CargoFlags): string[] {
  const args: string[] = [];
  for (const p of flags.package ?? []) args.push('--package', p);
  if (flags.workspace === true) args.push('--workspace');
  for (const e of flags.exclude ?? []) args.push('--exclude', e);
  if ((flags.features ?? []).length > 0) args.push('--features', flags.features!.join(','));
  if (flags['all-features'] === true) args.push('--all-features');
  if (flags['no-default-features'] === true) args.push('--no-default-features');
  if (flags.release === true) args.push('--release');
  if (flags.profile !== undefined) args.push('--profile', flags.profile);
  if (flags.target !== undefined) args.push('--target', flags.target);
  if (flags['fail-fast'] === false) args.push('--no-fail-fast');
  if (flags.lib === true) args.push('--lib');
  for (const b of flags.bin ?? []) args.push('--bin', b);
  for (const t of flags.test ?? []) args.push('--test', t);
  if (flags.tests === true) args.push('--tests');
  return args;
}
