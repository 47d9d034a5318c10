/**
 * Golden files under test/fixtures/golden: compared byte for byte, rewritten with UPDATE_GOLDEN=1
 * (review the diff before committing).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { REPO_ROOT } from './cov-cli.js';

/** Where golden files live. */
export const GOLDEN_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'golden');

/**
 * Asserts that `actual` equals the golden file `name` (relative to {@link GOLDEN_DIR}); with
 * `UPDATE_GOLDEN=1` writes it instead (and still passes).
 */
export function checkGolden(t: ExecutionContext, name: string, actual: string): void {
  const file = path.join(GOLDEN_DIR, name);
  if (process.env['UPDATE_GOLDEN'] === '1') {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
    t.log(`golden written: ${path.relative(REPO_ROOT, file)}`);
    t.pass();
    return;
  }
  if (!existsSync(file)) {
    t.fail(`golden ${path.relative(REPO_ROOT, file)} is missing: run with UPDATE_GOLDEN=1`);
    return;
  }
  t.is(actual, readFileSync(file, 'utf8'), `differs from ${path.relative(REPO_ROOT, file)}`);
}
