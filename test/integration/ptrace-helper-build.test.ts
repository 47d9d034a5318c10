/**
 * The ptrace helper's C source builds warning-free (-Wall -Wextra -Werror) for this host and, with
 * Debian's cross compiler, for aarch64 — the BRK path (BP_SIZE 4, PC not rewound, registers by
 * PTRACE_GETREGSET) that no x86_64 build compiles. Running it needs an aarch64 Linux machine;
 * this only proves it compiles and links. Skips, with the reason, where a compiler is missing.
 */
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { HELPER_SOURCE_PATH } from '../../src/ptrace-fallback/index.js';
import { REPO_ROOT } from '../helpers/cov-cli.js';
import { missingReason, requireTool } from '../helpers/tools.js';

const source = join(REPO_ROOT, HELPER_SOURCE_PATH);
const FLAGS = ['-O2', '-Wall', '-Wextra', '-Werror'];
/** ELF `e_machine` values. */
const EM_X86_64 = 62;
const EM_AARCH64 = 183;

function machineOf(path: string): number {
  const header = readFileSync(path);
  return header.readUInt16LE(18);
}

const CROSS = 'aarch64-linux-gnu-gcc';
const host = process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64');
const ccMissing = host ? await missingReason([requireTool('cc')]) : 'not Linux x86_64/aarch64';
const crossMissing =
  process.platform === 'linux'
    ? await missingReason([requireTool(CROSS)])
    : `needs Linux and ${CROSS}`;
// tests are declared after every await (ava's rule)
const work = mkdtempSync(join(tmpdir(), 'cov-helper-build-'));
test.after.always(() => rmSync(work, { recursive: true, force: true }));

(ccMissing === undefined ? test : test.skip)(
  `helper builds with ${FLAGS.join(' ')} for this host${ccMissing === undefined ? '' : ` (skipped: ${ccMissing})`}`,
  async (t) => {
    const out = join(work, 'cov-ptrace-host');
    await execa('cc', [...FLAGS, '-o', out, source]);
    t.is(machineOf(out), process.arch === 'x64' ? EM_X86_64 : EM_AARCH64);
  },
);

(crossMissing === undefined ? test : test.skip)(
  `helper builds with ${FLAGS.join(' ')} for aarch64 (BRK breakpoints)${crossMissing === undefined ? '' : ` (skipped: ${crossMissing}; Debian: apt-get install gcc-aarch64-linux-gnu)`}`,
  async (t) => {
    const out = join(work, 'cov-ptrace-aarch64');
    const result = await execa(CROSS, [...FLAGS, '-o', out, source], { all: true });
    t.is(result.all, ''); // not even a note
    t.is(machineOf(out), EM_AARCH64);
  },
);
