#!/usr/bin/env node
/**
 * `cov` command line: the single place that prints errors and chooses exit codes
 * (ARCHITECTURE.md: 0 ok, 1 cov could not do its job, 2 tests failed, 3 gate failed, 70 bug).
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCli } from './run-cli.js';

const isMain = (() => {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();

if (isMain) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`cov: internal error: ${String(error)}\n`);
      process.exitCode = 70;
    },
  );
}
