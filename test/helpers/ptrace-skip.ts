/**
 * Why the breakpoint engine cannot run here (undefined when it can): not Linux x86_64, no
 * rustc/cargo, ptrace disabled, or a probe run of the helper fails.
 */
import { readFileSync } from 'node:fs';
import {
  ensureHelper,
  ptraceUnsupportedReason,
  runUnderHelper,
} from '../../src/ptrace-fallback/index.js';
import { hasTool } from './tools.js';

export async function ptraceSkipReason(): Promise<string | undefined> {
  const platform = ptraceUnsupportedReason();
  if (platform !== undefined) return platform;
  if (!(await hasTool('rustc')) || !(await hasTool('cargo'))) return 'rustc/cargo not found';
  try {
    if (readFileSync('/proc/sys/kernel/yama/ptrace_scope', 'utf8').trim() === '3') {
      return 'ptrace is disabled (kernel.yama.ptrace_scope = 3)';
    }
  } catch {
    // no Yama: nothing to check
  }
  try {
    const helper = await ensureHelper();
    await runUnderHelper({
      helper,
      job: {
        path: '/bin/true',
        argv: ['/bin/true'],
        env: {},
        mode: 'oneshot',
        timeoutMs: 10_000,
        images: [],
      },
      stdin: 'null',
    });
  } catch (error) {
    return `ptrace probe failed: ${(error as Error).message}`;
  }
  return undefined;
}
