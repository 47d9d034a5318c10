/**
 * Where each report page goes and how files are named on screen. Page names are built from a
 * whitelist of characters plus a hash of the full path, so hostile names (`<script>`, quotes, `{{`,
 * `..`, NUL, very long paths) become harmless, unique file names in one flat folder.
 */
import { md5Hash64 } from '../../binary/index.js';

/** Folder (relative to the report root) holding the per-file pages. */
export const PAGES_DIR = 'files';
/** Folder (relative to the report root) holding CSS and JS. */
export const ASSETS_DIR = 'assets';

const MAX_STEM_LENGTH = 80;

/**
 * Page path (relative to the report root, `/`-separated) for source file `filename` shown as
 * `displayName`: `files/<safe display name>-<16 hex digits of MD5-64(filename)>.html`.
 */
export function pagePathOf(filename: string, displayName: string): string {
  let stem = displayName
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/\.{2,}/g, '_')
    .replace(/^[._]+/, '');
  if (stem.length > MAX_STEM_LENGTH) stem = stem.slice(stem.length - MAX_STEM_LENGTH);
  const hash = md5Hash64(filename).toString(16).padStart(16, '0');
  return `${PAGES_DIR}/${stem === '' ? 'file' : stem}-${hash}.html`;
}

/** Length of the directory prefix (ending in `/`) shared by every name; 0 when none. */
export function commonDirectoryLength(names: readonly string[]): number {
  if (names.length === 0) return 0;
  let prefix = names[0]!;
  for (const name of names) {
    let i = 0;
    while (i < prefix.length && i < name.length && prefix[i] === name[i]) i++;
    prefix = prefix.slice(0, i);
  }
  return prefix.lastIndexOf('/') + 1;
}
