import test from 'ava';
import { execa } from 'execa';
import { CovError } from '../../../src/binary/index.js';
import { quoteFish, quotePosix, quotePwsh, renderShowEnv } from '../../../src/llvm-bridge/index.js';

const env = { RUSTFLAGS: '-C instrument-coverage --cfg=coverage', CARGO_INCREMENTAL: '0' };

test('sh prints KEY="value" lines', (t) => {
  t.is(
    renderShowEnv(env, { shell: 'sh' }),
    'RUSTFLAGS="-C instrument-coverage --cfg=coverage"\nCARGO_INCREMENTAL="0"\n',
  );
});

test('export-prefix prints export lines and unsets first', (t) => {
  t.is(
    renderShowEnv(env, { shell: 'export-prefix', unset: ['CARGO_ENCODED_RUSTFLAGS'] }),
    'unset CARGO_ENCODED_RUSTFLAGS\n' +
      'export RUSTFLAGS="-C instrument-coverage --cfg=coverage"\n' +
      'export CARGO_INCREMENTAL="0"\n',
  );
});

test('fish and pwsh syntax', (t) => {
  t.is(
    renderShowEnv({ A: "it's" }, { shell: 'fish', unset: ['B'] }),
    "set -e B\nset -gx A 'it\\'s'\n",
  );
  t.is(
    renderShowEnv({ A: "it's" }, { shell: 'pwsh', unset: ['B'] }),
    "Remove-Item Env:B -ErrorAction SilentlyContinue\n$env:A = 'it''s'\n",
  );
  t.is(renderShowEnv({}, { shell: 'sh' }), '');
});

const quoting = test.macro({
  exec(t, value: string, posix: string, fish: string, pwsh: string) {
    t.is(quotePosix(value), posix);
    t.is(quoteFish(value), fish);
    t.is(quotePwsh(value), pwsh);
  },
  title: (title) => `quoting: ${title ?? ''}`,
});
test('plain', quoting, '/a/b', '"/a/b"', "'/a/b'", "'/a/b'");
test(
  'dollar, backtick, quote, backslash',
  quoting,
  '$HOME `x` "q" \\n',
  '"\\$HOME \\`x\\` \\"q\\" \\\\n"',
  '\'$HOME `x` "q" \\\\n\'',
  '\'$HOME `x` "q" \\n\'',
);
test('single quotes', quoting, "a'b", '"a\'b"', "'a\\'b'", "'a''b'");
test(
  'typographic quote in pwsh',
  quoting,
  'a\u2019b',
  '"a\u2019b"',
  "'a\u2019b'",
  "'a\u2019\u2019b'",
);

test('invalid variable names are E_USAGE', (t) => {
  const error = t.throws(() => renderShowEnv({ 'A-B': 'x' }, { shell: 'sh' }), {
    instanceOf: CovError,
  });
  t.is(error.code, 'E_USAGE');
});

const posix = process.platform === 'win32' ? test.skip : test;
posix('sh reads the export-prefix output back byte for byte', async (t) => {
  const tricky = {
    A: 'spaces and $dollar `tick` "dq" \'sq\' back\\slash !bang',
    B: 'multi\nline',
    C: '-C\x1finstrument-coverage',
    D: '',
  };
  const script = `${renderShowEnv(tricky, { shell: 'export-prefix' })}
sh -c 'printf "%s\\0%s\\0%s\\0%s" "$A" "$B" "$C" "$D"'`;
  const { stdout } = await execa('sh', ['-c', script], { stripFinalNewline: false });
  t.deepEqual(stdout.split('\0'), [tricky.A, tricky.B, tricky.C, tricky.D]);
});
