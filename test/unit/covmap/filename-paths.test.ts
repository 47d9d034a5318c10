import test from 'ava';
import {
  isAbsoluteFilename,
  removeDots,
  resolveFilename,
  type PathStyle,
} from '../../../src/covmap/index.js';

// LLVM's sys::path::remove_dots(path, /*remove_dot_dot=*/true), spec/formats.md §4.3.
const dots = test.macro({
  exec(t, style: PathStyle, input: string, expected: string) {
    t.is(removeDots(input, style), expected);
  },
  title: (_title, style: PathStyle, input: string, expected: string) =>
    `removeDots ${style} ${JSON.stringify(input)} → ${JSON.stringify(expected)}`,
});
test(dots, 'posix', '/a/./b/../c', '/a/c');
test(dots, 'posix', '/../a', '/a');
test(dots, 'posix', 'a/../../b', '../b');
test(dots, 'posix', '../a/./b/..', '../a');
test(dots, 'posix', './', '');
test(dots, 'posix', '/a//b/', '/a/b');
test(dots, 'posix', '/', '/');
test(dots, 'posix', '///a', '/a');
test(dots, 'posix', '//net/a/../..', '//net/');
test(dots, 'posix', 'a\\..\\b', 'a\\..\\b');
test(dots, 'windows', 'C:\\a\\..\\..\\b', 'C:\\b');
test(dots, 'windows', 'C:/a/./b/', 'C:\\a\\b');
test(dots, 'windows', '\\\\srv\\share\\..\\x', '\\\\srv\\x');
test(dots, 'windows', 'a/../../b', '..\\b');

const absolute = test.macro({
  exec(t, name: string, expected: boolean) {
    t.is(isAbsoluteFilename(name), expected);
  },
  title: (_title, name: string, expected: boolean) =>
    `${JSON.stringify(name)} is ${expected ? '' : 'not '}absolute`,
});
test(absolute, '/tmp/x.rs', true);
test(absolute, '//server/share/x', true);
test(absolute, 'C:\\x.rs', true);
test(absolute, 'c:/x.rs', true);
test(absolute, '\\\\server\\share\\x', true);
test(absolute, 'C:x.rs', false);
test(absolute, '\\x.rs', false);
test(absolute, 'src/x.rs', false);
test(absolute, '../x.rs', false);
test(absolute, '', false);

test('resolveFilename: absolute verbatim, relative joined and normalised', (t) => {
  t.is(
    resolveFilename('/tmp/cov3/sub/../sub/./main.rs', '/ignored'),
    '/tmp/cov3/sub/../sub/./main.rs',
  );
  t.is(resolveFilename('../d/a.cpp', '/tmp/cpp/d'), '/tmp/cpp/d/a.cpp');
  t.is(resolveFilename('src/./main.rs', '/w/'), '/w/src/main.rs');
  t.is(resolveFilename('a/./b.rs', ''), 'a/b.rs');
  t.is(resolveFilename('..\\lib.rs', 'C:\\work\\crate'), 'C:\\work\\lib.rs');
});
