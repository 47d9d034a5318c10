/** Node `fs` failures turned into `E_IO` CovErrors with plain-words reasons. */
import { CovError } from '../binary/index.js';

/**
 * Plain-words reason for common `fs` error codes (`ENOENT` → `no such file or directory`); falls
 * back to the error's own message.
 */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory, not a file';
    case 'ENOTDIR':
      return 'a component of the path is not a directory';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/**
 * An `E_IO` CovError for `path`, worded `path: <action>: <reason>`, keeping the `fs` error as
 * `cause`.
 */
export function fsError(path: string, action: string, error: unknown): CovError {
  return new CovError('E_IO', `${action}: ${describeFsError(error)}`, {
    source: path,
    cause: error,
  });
}
