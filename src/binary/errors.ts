/**
 * The one error type every layer of cov throws, with a stable machine-readable `code`.
 *
 * Library code throws `CovError` for input it cannot use and returns `Diagnostic`s for problems it
 * can work around; only `src/cli/` prints and chooses exit codes (ARCHITECTURE.md, exit codes).
 */

/** Stable error codes; scripts may match on them. */
export type CovErrorCode =
  | 'E_TRUNCATED'
  | 'E_BAD_MAGIC'
  | 'E_UNSUPPORTED_VERSION'
  | 'E_MALFORMED'
  | 'E_TOOLCHAIN'
  | 'E_PROCESS'
  | 'E_GATE'
  | 'E_USAGE'
  | 'E_IO';

/** Where in an input a problem was found: a file or section name and an absolute byte offset. */
export interface InputLocation {
  /** File path or section label, e.g. `default.profraw` or `main: __llvm_covfun`. */
  readonly source: string;
  /** Absolute byte offset within `source`, when known. */
  readonly byteOffset?: number;
}

/** Options accepted by {@link CovError}. */
export interface CovErrorOptions {
  readonly source?: string;
  readonly byteOffset?: number;
  readonly cause?: unknown;
}

/**
 * Typed error with a stable `code`, the input it concerns and the byte offset of the problem.
 * The message is formatted as `source: at 0xOFFSET: detail` so it can be shown to users as is.
 */
export class CovError extends Error {
  readonly code: CovErrorCode;
  readonly source: string | undefined;
  readonly byteOffset: number | undefined;
  readonly detail: string;

  constructor(code: CovErrorCode, detail: string, options: CovErrorOptions = {}) {
    super(formatMessage(detail, options.source, options.byteOffset), { cause: options.cause });
    this.name = 'CovError';
    this.code = code;
    this.detail = detail;
    this.source = options.source;
    this.byteOffset = options.byteOffset;
  }

  /** A copy of this error attributed to `source` (used when a parser learns which file it read). */
  withSource(source: string): CovError {
    if (this.source === source) return this;
    const options: CovErrorOptions =
      this.byteOffset === undefined
        ? { source, cause: this.cause }
        : { source, byteOffset: this.byteOffset, cause: this.cause };
    const inner = this.source === undefined ? this.detail : `${this.source}: ${this.detail}`;
    return new CovError(this.code, inner, options);
  }
}

function formatMessage(detail: string, source?: string, byteOffset?: number): string {
  const where = byteOffset === undefined ? '' : `at ${formatOffset(byteOffset)}: `;
  return source === undefined ? `${where}${detail}` : `${source}: ${where}${detail}`;
}

/** `0x1a4`-style offset as used in every message. */
export function formatOffset(byteOffset: number): string {
  return `0x${byteOffset.toString(16)}`;
}

/** Severity of a recoverable problem. */
export type DiagnosticSeverity = 'warning' | 'note';

/**
 * A recoverable problem (a skipped record, a hash mismatch, a half-written profile), returned by
 * library code in `warnings` arrays and printed by the CLI.
 */
export interface Diagnostic {
  readonly severity: DiagnosticSeverity;
  readonly code: string;
  readonly message: string;
  readonly source?: string;
  readonly byteOffset?: number;
}

/** Builds a warning diagnostic from a caught `CovError`, keeping its code, source and offset. */
export function diagnosticFromError(error: CovError, prefix = ''): Diagnostic {
  const base = { severity: 'warning' as const, code: error.code, message: prefix + error.message };
  if (error.source !== undefined && error.byteOffset !== undefined) {
    return { ...base, source: error.source, byteOffset: error.byteOffset };
  }
  if (error.source !== undefined) return { ...base, source: error.source };
  return base;
}
