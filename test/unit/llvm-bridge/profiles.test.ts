import test from 'ava';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CovError } from '../../../src/binary/index.js';
import { clearOwnProfiles, kindByMagic8, listProfiles } from '../../../src/llvm-bridge/index.js';

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'cov-profiles-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// "\xfflprofr\x81" as a little-endian u64 (INSTR_PROF_RAW_MAGIC_64) and the indexed magic.
const RAW_MAGIC_LE = Uint8Array.from([0x81, 0x72, 0x66, 0x6f, 0x72, 0x70, 0x6c, 0xff]);
const INDEXED_MAGIC = Uint8Array.from([0xff, 0x6c, 0x70, 0x72, 0x6f, 0x66, 0x69, 0x81]);

test('lists a directory non-recursively, sorted by name, split by kind', async (t) => {
  const dir = tempDir(t);
  for (const name of [
    'b-2.profraw',
    'a-1.profraw',
    'merged.profdata',
    'notes.txt',
    'c.profraw.bak',
  ]) {
    writeFileSync(join(dir, name), '');
  }
  mkdirSync(join(dir, 'nested'));
  writeFileSync(join(dir, 'nested', 'deep.profraw'), '');
  mkdirSync(join(dir, 'dir.profraw'));
  const list = await listProfiles([dir]);
  t.deepEqual(list, {
    profraw: [join(dir, 'a-1.profraw'), join(dir, 'b-2.profraw')],
    profdata: [join(dir, 'merged.profdata')],
  });
});

test('mixes files and directories and lists a file passed twice once', async (t) => {
  const dir = tempDir(t);
  const sub = join(dir, 'sub');
  mkdirSync(sub);
  writeFileSync(join(sub, 'x.profraw'), '');
  writeFileSync(join(dir, 'z.profraw'), '');
  writeFileSync(join(dir, 'y.profdata'), '');
  const list = await listProfiles([
    join(dir, 'z.profraw'),
    sub,
    join(dir, 'y.profdata'),
    join(sub, 'x.profraw'),
  ]);
  t.deepEqual(list, {
    profraw: [join(sub, 'x.profraw'), join(dir, 'z.profraw')].sort(),
    profdata: [join(dir, 'y.profdata')],
  });
});

test('an explicitly passed file with another name is classified by magic', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'default.prof.raw'), RAW_MAGIC_LE);
  writeFileSync(join(dir, 'coverage.idx'), INDEXED_MAGIC);
  writeFileSync(join(dir, 'readme.md'), 'hello world');
  const list = await listProfiles([join(dir, 'default.prof.raw'), join(dir, 'coverage.idx')]);
  t.deepEqual(list, {
    profraw: [join(dir, 'default.prof.raw')],
    profdata: [join(dir, 'coverage.idx')],
  });
  const error = await t.throwsAsync(listProfiles([join(dir, 'readme.md')]), {
    instanceOf: CovError,
  });
  t.is(error.code, 'E_USAGE');
  t.is(error.source, join(dir, 'readme.md'));
});

test('kindByMagic8 reads both byte orders and the 32-bit raw flavour', (t) => {
  t.is(kindByMagic8(RAW_MAGIC_LE), 'profraw');
  t.is(kindByMagic8(Uint8Array.from(RAW_MAGIC_LE).reverse()), 'profraw');
  t.is(kindByMagic8(Uint8Array.from([0x81, 0x52, 0x66, 0x6f, 0x72, 0x70, 0x6c, 0xff])), 'profraw');
  t.is(kindByMagic8(INDEXED_MAGIC), 'profdata');
  t.is(kindByMagic8(RAW_MAGIC_LE.subarray(0, 7)), undefined);
  t.is(kindByMagic8(new Uint8Array(8)), undefined);
});

test('a missing path is E_IO naming it', async (t) => {
  const dir = tempDir(t);
  const missing = join(dir, 'nope');
  const error = await t.throwsAsync(listProfiles([missing]), { instanceOf: CovError });
  t.is(error.code, 'E_IO');
  t.is(error.source, missing);
  t.regex(error.message, /no such file or directory/);
});

test('an empty directory lists nothing', async (t) => {
  t.deepEqual(await listProfiles([tempDir(t)]), { profraw: [], profdata: [] });
});

test('clearOwnProfiles deletes only *.profraw directly in the directory', async (t) => {
  const root = tempDir(t);
  const own = join(root, 'profraw');
  mkdirSync(join(own, 'nested'), { recursive: true });
  for (const name of ['a.profraw', 'b-1-2.profraw', 'keep.profdata', 'keep.txt', 'x.profraw.bak']) {
    writeFileSync(join(own, name), '');
  }
  writeFileSync(join(own, 'nested', 'deep.profraw'), '');
  mkdirSync(join(own, 'dir.profraw'));
  // A link into a user's directory: the link goes, the user's file stays.
  writeFileSync(join(root, 'users.profraw'), '');
  if (process.platform !== 'win32')
    symlinkSync(join(root, 'users.profraw'), join(own, 'link.profraw'));

  const expected = process.platform === 'win32' ? 2 : 3;
  t.is(await clearOwnProfiles(own), expected);
  t.deepEqual(readdirSync(own).sort(), [
    'dir.profraw',
    'keep.profdata',
    'keep.txt',
    'nested',
    'x.profraw.bak',
  ]);
  t.true(existsSync(join(own, 'nested', 'deep.profraw')));
  t.true(existsSync(join(root, 'users.profraw')));
  t.is(await clearOwnProfiles(own), 0);
});

test('clearOwnProfiles on a missing directory is 0', async (t) => {
  t.is(await clearOwnProfiles(join(tempDir(t), 'never-created')), 0);
});
