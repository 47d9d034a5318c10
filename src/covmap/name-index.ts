/**
 * NameRef → function name from `__llvm_prf_names` (`__DATA,__llvm_prf_names`, `.lprfn`), the
 * names encoding of LLVM ≥ 11 used with covmap Version2–Version7 (field values 1–6).
 * @see ../../../shared/spec/formats.md §1, §2.8, §5.1 step 1
 */
import { decodePrfNames, forEachPrfName, md5Low64 } from '../binary/index.js';

const encoder = new TextEncoder();
let encoded = new Uint8Array(1024);
const digest = new Uint32Array(2);

/**
 * Every name in a names section keyed by its NameRef (MD5-64 of the name's UTF-8 bytes).
 * @param prfNames the names section contents (zlib blobs or plain, zero padding allowed)
 * @param source label for errors
 * @param baseOffset absolute offset of `prfNames[0]` in `source` (default 0)
 * @returns NameRef → name; a name listed twice appears once
 * @throws CovError `E_TRUNCATED`/`E_MALFORMED` for a cut or corrupt names blob.
 * @see ../../../shared/spec/formats.md §2.8
 */
export function buildNameIndex(
  prfNames: Uint8Array,
  source: string,
  baseOffset = 0,
): Map<bigint, string> {
  const index = new Map<bigint, string>();
  for (const name of decodePrfNames(prfNames, source, baseOffset)) {
    hashName(name);
    index.set((BigInt(digest[1]!) << 32n) | BigInt(digest[0]!), name);
  }
  return index;
}

/**
 * Only the names whose NameRef is in `nameRefs` — cheaper than {@link buildNameIndex} when few
 * are wanted: no bigint per name, a lookup on the low 32 hash bits, and it stops hashing once all
 * are found. Use it to name just the records that survive selection and de-duplication.
 * @param prfNames the names section contents
 * @param source label for errors
 * @param nameRefs the NameRefs to resolve
 * @param baseOffset absolute offset of `prfNames[0]` in `source` (default 0)
 * @returns NameRef → name for those of `nameRefs` the section holds (missing ones are absent)
 * @throws CovError `E_TRUNCATED`/`E_MALFORMED` for a cut or corrupt names blob.
 * @see ../../../shared/spec/formats.md §2.8, §5.1 step 1
 */
export function resolveNames(
  prfNames: Uint8Array,
  source: string,
  nameRefs: Iterable<bigint>,
  baseOffset = 0,
): Map<bigint, string> {
  const wantedByLow = new Map<number, bigint[]>();
  let wanted = 0;
  for (const ref of nameRefs) {
    const low = Number(ref & 0xffffffffn);
    const list = wantedByLow.get(low);
    if (list === undefined) wantedByLow.set(low, [ref]);
    else if (!list.includes(ref)) list.push(ref);
    else continue;
    wanted++;
  }
  const found = new Map<bigint, string>();
  if (wanted === 0) return found;
  const decoder = new TextDecoder('utf-8');
  forEachPrfName(prfNames, source, baseOffset, (text, start, end) => {
    md5Low64(text, start, end, digest);
    const candidates = wantedByLow.get(digest[0]!);
    if (candidates === undefined) return true;
    const ref = (BigInt(digest[1]!) << 32n) | BigInt(digest[0]!);
    if (!candidates.includes(ref) || found.has(ref)) return true;
    found.set(ref, decoder.decode(text.subarray(start, end)));
    return found.size < wanted;
  });
  return found;
}

/** MD5-64 of the UTF-8 of `name` into `digest`. */
function hashName(name: string): void {
  if (name.length * 3 > encoded.length) encoded = new Uint8Array(name.length * 3 + 1024);
  const { written } = encoder.encodeInto(name, encoded);
  md5Low64(encoded, 0, written, digest);
}
