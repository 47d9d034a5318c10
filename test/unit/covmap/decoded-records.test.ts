import test from 'ava';
import {
  decodeMapping,
  decodeRecords,
  readFileIdPrefix,
  type CovfunRecord,
} from '../../../src/covmap/index.js';
import { uleb } from './bytes.js';

// spec §4.5: NumFileIds, filename indices, NumExprs, expressions, then per file NumRegions + regions
const GOOD = Uint8Array.from([
  ...uleb(2), // two file ids
  ...uleb(1),
  ...uleb(3), // → filename indices 1 and 3
  ...uleb(0), // no expressions
  ...uleb(1), // file 0: one region
  ...uleb((1 << 2) | 1), // counter #1
  ...uleb(4), // line delta
  ...uleb(5), // column start
  ...uleb(2), // line length
  ...uleb(9), // column end
  ...uleb(0), // file 1: no regions
]);

function record(bytes: Uint8Array, byteOffset: number): CovfunRecord {
  return {
    nameRef: 1n,
    funcHash: 2n,
    filenamesRef: 3n,
    mappingBytes: bytes,
    byteOffset,
    mappingByteOffset: byteOffset + 28,
  };
}

test('readFileIdPrefix reads only the file-id list, leniently', (t) => {
  t.deepEqual(readFileIdPrefix(GOOD), Uint32Array.of(1, 3));
  t.is(readFileIdPrefix(Uint8Array.of(2, 1)), undefined, 'ends inside the list');
  t.is(readFileIdPrefix(Uint8Array.of(0xff, 0xff, 0xff, 0x7f)), undefined, 'count > bytes');
  t.deepEqual(
    readFileIdPrefix(Uint8Array.of(1, 0x80, 0x00)),
    Uint32Array.of(0),
    'overlong is fine',
  );
});

test('decodeRecords keeps decoded mappings and the message of a mapping that fails', (t) => {
  const broken = Uint8Array.from([...GOOD.subarray(0, 6)]);
  const [ok, bad] = decodeRecords([record(GOOD, 0x100), record(broken, 0x200)], 6, 'bin');
  t.deepEqual(ok?.mapping, decodeMapping(GOOD, 'bin', 0x100 + 28, 6));
  t.deepEqual(ok?.fileIds, Uint32Array.of(1, 3));
  t.is(bad?.mapping, undefined);
  t.deepEqual(bad?.fileIds, Uint32Array.of(1, 3));
  t.regex(bad?.error ?? '', /^bin: at 0x/);
});
