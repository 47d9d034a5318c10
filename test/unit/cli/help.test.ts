/**
 * `--help` of every command is a golden file (CONVENTIONS.md); README.md quotes the top-level one.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { buildParser } from '../../../src/cli/run-cli.js';
import { REPO_ROOT } from '../../helpers/cov-cli.js';
import { checkGolden } from '../../helpers/golden-file.js';

async function helpOf(args: string[]): Promise<string> {
  const parser = buildParser(args);
  let printed = '';
  const log = console.log;
  console.log = (...parts: unknown[]) => {
    printed += `${parts.map(String).join(' ')}\n`;
  };
  try {
    await parser.parseAsync();
  } finally {
    console.log = log;
  }
  return printed;
}

const COMMANDS = ['', 'test', 'run', 'report', 'show-env', 'clean', 'merge', 'compare', 'trace'];

for (const command of COMMANDS) {
  test(`cov ${command || '(top level)'} --help matches its golden file`, async (t) => {
    const args = command === '' ? ['--help'] : [command, '--help'];
    const help = await helpOf(args);
    if (command !== '' && help.includes('Unknown argument')) {
      t.fail(`cov ${command} is not a command`);
      return;
    }
    t.true(help.length > 0, 'help printed something');
    checkGolden(t, `cli/help-${command || 'top'}.txt`, help);
  });
}

test('README quotes the top-level --help verbatim', async (t) => {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const help = await helpOf(['--help']);
  t.true(readme.includes(help.trimEnd()), 'README.md must contain the output of `cov --help`');
});
