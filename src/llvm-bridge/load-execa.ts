/**
 * execa, loaded on first use: it costs ~80 ms of module loading, which `cov report` (no child
 * processes) should not pay.
 */
import type { execa as ExecaFunction } from 'execa';

let loaded: typeof ExecaFunction | undefined;

/** Returns execa's `execa` function, importing the module the first time. */
export async function loadExeca(): Promise<typeof ExecaFunction> {
  loaded ??= (await import('execa')).execa;
  return loaded;
}
