/**
 * The worked example of spec/formats.md §4.7 (rustc 1.95, `/tmp/cov1/main`) as bytes.
 */
import { Bytes, hex } from './bytes.js';

/** The 48-byte `__llvm_covmap` (one TU, zlib filenames). */
export const WORKED_COVMAP = hex(`
  00000000 1f000000 00000000 06000000
  02 1c 1c 78dae3d42fc92dd04fce2f331484b3f4731333f3f48a8a01803f0952
  00`);

// spec/formats.md §4.7: the `classify` record at 0x128 and the unused record at 0x170 of rustc
// 1.95's `/tmp/cov1/main`. The unused record's last three regions are elided in the spec and
// filled in here.
export const CLASSIFY_RECORD = hex(`
  fc337583ee99a64b 26000000 a18ebd81ca118ee6 4ed12c48c2e87d95
  01 01 | 02 01 07 05 09 | 06 | 01 11 01 00 24 | 01 01 0b 00 10 | 02 01 0e 00 14 | 09 01 0e 00 13 | 05 01 0e 00 15 | 01 02 01 00 02
  00 00 00 00 00 00`);
export const UNUSED_RECORD = hex(`
  b91cae79b394f42e 1d000000 0000000000000000 4ed12c48c2e87d95
  01 01 00 05 | 00 0c 01 00 19 | 00 01 08 00 0d | 00 01 0c 00 12 | 00 01 05 00 10 | 00 02 01 00 02`);

/** The two records at their offsets in a 0x1a9-byte section (zero headers before them are padding). */
export function workedCovfun(): Uint8Array {
  return new Bytes().zeros(0x128).bytes(CLASSIFY_RECORD, UNUSED_RECORD).build();
}
