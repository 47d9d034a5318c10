import test from 'ava';
import { CovError } from '../../../src/binary/index.js';
import { parseUnifiedDiff } from '../../../src/gate/index.js';

test('git diff --unified=0: added and modified lines, deletions add nothing', (t) => {
  const diff = [
    'diff --git a/src/lib.rs b/src/lib.rs',
    'index 1111111..2222222 100644',
    '--- a/src/lib.rs',
    '+++ b/src/lib.rs',
    '@@ -3 +3 @@ fn a() {',
    '-    old();',
    '+    new();',
    '@@ -10,2 +9,0 @@',
    '-    gone();',
    '-    gone_too();',
    '@@ -20,0 +20,3 @@',
    '+fn added() {',
    '+    body();',
    '+}',
  ].join('\n');
  t.deepEqual(parseUnifiedDiff(diff, 'x.diff'), [
    {
      oldPath: 'src/lib.rs',
      newPath: 'src/lib.rs',
      status: 'modified',
      binary: false,
      addedLines: [3, 20, 21, 22],
    },
  ]);
});

test('context lines advance the new-side line number but are not changes', (t) => {
  const diff = [
    '--- a/x.rs\t2024-01-01 00:00:00',
    '+++ b/x.rs\t2024-01-02 00:00:00',
    '@@ -1,4 +1,5 @@',
    ' fn f() {',
    '-    a();',
    '+    b();',
    '+    c();',
    ' }',
    '',
    '\\ No newline at end of file',
  ].join('\n');
  const [file] = parseUnifiedDiff(diff, 'plain.diff');
  // plain `diff -u` keeps paths as written (the prefix is part of them) and drops the timestamp
  t.is(file?.newPath, 'b/x.rs');
  t.deepEqual(file?.addedLines, [2, 3]);
});

test('renames report the new path and only the changed lines', (t) => {
  const diff = [
    'diff --git a/src/old.rs b/src/new.rs',
    'similarity index 90%',
    'rename from src/old.rs',
    'rename to src/new.rs',
    'index 1111111..2222222 100644',
    '--- a/src/old.rs',
    '+++ b/src/new.rs',
    '@@ -7 +7,2 @@',
    '-x',
    '+y',
    '+z',
    'diff --git a/src/moved.rs b/src/elsewhere/moved.rs',
    'similarity index 100%',
    'rename from src/moved.rs',
    'rename to src/elsewhere/moved.rs',
  ].join('\n');
  const files = parseUnifiedDiff(diff, 'r.diff');
  t.deepEqual(
    files.map((f) => [f.status, f.oldPath, f.newPath, f.addedLines]),
    [
      ['renamed', 'src/old.rs', 'src/new.rs', [7, 8]],
      ['renamed', 'src/moved.rs', 'src/elsewhere/moved.rs', []],
    ],
  );
});

test('new, deleted and binary files', (t) => {
  const diff = [
    'diff --git a/src/new.rs b/src/new.rs',
    'new file mode 100644',
    'index 0000000..1111111',
    '--- /dev/null',
    '+++ b/src/new.rs',
    '@@ -0,0 +1,2 @@',
    '+fn a() {}',
    '+fn b() {}',
    'diff --git a/src/dead.rs b/src/dead.rs',
    'deleted file mode 100644',
    'index 1111111..0000000',
    '--- a/src/dead.rs',
    '+++ /dev/null',
    '@@ -1 +0,0 @@',
    '-fn dead() {}',
    'diff --git a/logo.png b/logo.png',
    'index 1111111..2222222 100644',
    'Binary files a/logo.png and b/logo.png differ',
    'diff --git a/icon.bin b/icon.bin',
    'new file mode 100644',
    'index 0000000..3333333',
    'GIT binary patch',
    'literal 4',
    'LcmZQzWMT#Y01f~L',
    '',
    'literal 0',
    'HcmV?d00001',
    '',
  ].join('\n');
  const files = parseUnifiedDiff(diff, 'n.diff');
  t.deepEqual(
    files.map((f) => [f.status, f.oldPath, f.newPath, f.binary, f.addedLines]),
    [
      ['added', undefined, 'src/new.rs', false, [1, 2]],
      ['deleted', 'src/dead.rs', undefined, false, []],
      ['modified', 'logo.png', 'logo.png', true, []],
      ['added', undefined, 'icon.bin', true, []],
    ],
  );
});

test('quoted paths with escapes, mnemonic prefixes, CRLF', (t) => {
  const diff = [
    'diff --git "i/src/t\\303\\251st \\"q\\".rs" "w/src/t\\303\\251st \\"q\\".rs"',
    '--- "i/src/t\\303\\251st \\"q\\".rs"',
    '+++ "w/src/t\\303\\251st \\"q\\".rs"',
    '@@ -1 +1 @@',
    '-a',
    '+b',
  ].join('\r\n');
  const [file] = parseUnifiedDiff(diff, 'q.diff');
  t.is(file?.newPath, 'src/tést "q".rs');
  t.deepEqual(file?.addedLines, [1]);
});

test('hunk with fewer lines than its header is an error naming the line', (t) => {
  const diff = ['--- a/x', '+++ b/x', '@@ -1,2 +1,2 @@', '-a', '+b'].join('\n');
  const error = t.throws(() => parseUnifiedDiff(diff, 'short.diff'), { instanceOf: CovError });
  t.is(error.code, 'E_MALFORMED');
  t.regex(error.message, /^short\.diff: line 3: hunk ends early/);
});

test('hunk with more lines than its header, or junk inside a hunk, is an error', (t) => {
  const extra = ['--- a/x', '+++ b/x', '@@ -1 +1 @@', '-a', '+b', '+c'].join('\n');
  t.throws(() => parseUnifiedDiff(extra, 'e.diff'), {
    message: /line 6: .\+. line after the hunk starting at line 3/,
  });
  const junk = ['--- a/x', '+++ b/x', '@@ -1 +1 @@', '*a'].join('\n');
  t.throws(() => parseUnifiedDiff(junk, 'j.diff'), { message: /line 4: expected a hunk line/ });
  const orphan = ['@@ -1 +1 @@', '-a', '+b'].join('\n');
  t.throws(() => parseUnifiedDiff(orphan, 'o.diff'), { message: /line 1: hunk before any file/ });
});

test('an empty diff has no files; a preamble is ignored', (t) => {
  t.deepEqual(parseUnifiedDiff('', 'empty.diff'), []);
  t.deepEqual(parseUnifiedDiff('commit abc\nAuthor: x\n\n    message\n', 'log.diff'), []);
});
