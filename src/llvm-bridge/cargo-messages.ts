/**
 * Cargo's machine-readable build messages (`--message-format=json…`, one JSON object per stdout
 * line): artifacts, build result, compiler diagnostics.
 * @see https://doc.rust-lang.org/cargo/reference/external-tools.html#json-messages
 */

/** A `compiler-artifact` message: one compiled target of one package. */
export interface CargoArtifact {
  /** Package id as cargo prints it (`path+file:///w/crate#name@0.1.0` or `name 0.1.0 (…)`). */
  readonly packageId: string;
  /** Package name and version decoded from `packageId` (target name as fallback). */
  readonly packageName: string;
  readonly packageVersion: string | undefined;
  readonly manifestPath: string | undefined;
  /** Target name (`bridge_smoke`, `it`, …) and kinds (`lib`, `bin`, `test`, `example`, `custom-build`). */
  readonly targetName: string;
  readonly targetKinds: readonly string[];
  /** `profile.test`: the artifact is a test harness (`cargo test` / `--tests`). */
  readonly test: boolean;
  /** Path of the executable, when the artifact is one. */
  readonly executable: string | undefined;
  readonly filenames: readonly string[];
  /** True when cargo reused a previous build instead of compiling. */
  readonly fresh: boolean;
}

/** The messages cov acts on; anything else is `other`. */
export type CargoMessage =
  | { readonly reason: 'compiler-artifact'; readonly artifact: CargoArtifact }
  | { readonly reason: 'compiler-message'; readonly rendered: string | undefined }
  | { readonly reason: 'build-finished'; readonly success: boolean }
  | { readonly reason: 'other'; readonly type: string };

/**
 * Parses one stdout line of cargo's JSON output. Returns `undefined` for lines that are not a cargo
 * JSON message (build scripts and test harnesses may print plain text on the same stream).
 */
export function parseCargoMessageLine(line: string): CargoMessage | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || typeof value['reason'] !== 'string') return undefined;
  switch (value['reason']) {
    case 'compiler-artifact': {
      const artifact = readArtifact(value);
      return artifact === undefined
        ? { reason: 'other', type: 'compiler-artifact' }
        : { reason: 'compiler-artifact', artifact };
    }
    case 'compiler-message': {
      const message = value['message'];
      const rendered =
        isRecord(message) && typeof message['rendered'] === 'string'
          ? message['rendered']
          : undefined;
      return { reason: 'compiler-message', rendered };
    }
    case 'build-finished':
      return { reason: 'build-finished', success: value['success'] === true };
    default:
      return { reason: 'other', type: value['reason'] };
  }
}

function readArtifact(value: Record<string, unknown>): CargoArtifact | undefined {
  const target = value['target'];
  const profile = value['profile'];
  const packageId = value['package_id'];
  if (!isRecord(target) || typeof packageId !== 'string' || typeof target['name'] !== 'string') {
    return undefined;
  }
  const parsedId = parsePackageId(packageId);
  return {
    packageId,
    packageName: parsedId?.name ?? target['name'],
    packageVersion: parsedId?.version,
    manifestPath: typeof value['manifest_path'] === 'string' ? value['manifest_path'] : undefined,
    targetName: target['name'],
    targetKinds: stringArray(target['kind']),
    test: isRecord(profile) && profile['test'] === true,
    executable: typeof value['executable'] === 'string' ? value['executable'] : undefined,
    filenames: stringArray(value['filenames']),
    fresh: value['fresh'] === true,
  };
}

/**
 * Decodes a cargo package id into name and version. Reads both spellings: the package id spec of
 * cargo ≥ 1.77 (`<source-url>#<name>@<version>`, or `<source-url>#<version>` when the name is the
 * URL's last path segment) and the older `<name> <version> (<source-url>)`.
 *
 * @returns `undefined` when `id` matches neither form.
 * @see https://doc.rust-lang.org/cargo/reference/pkgid-spec.html
 */
export function parsePackageId(
  id: string,
): { name: string; version: string | undefined } | undefined {
  const legacy = /^(\S+) (\S+) \(.*\)$/.exec(id);
  if (legacy !== null) return { name: legacy[1] ?? '', version: legacy[2] };
  const hash = id.lastIndexOf('#');
  if (hash < 0) return undefined;
  const fragment = id.slice(hash + 1);
  const at = fragment.indexOf('@');
  if (at > 0) return { name: fragment.slice(0, at), version: fragment.slice(at + 1) };
  const url = id.slice(0, hash).replace(/[?].*$/, '');
  const lastSegment = url.replace(/\/+$/, '').split('/').pop();
  if (/^\d/.test(fragment)) {
    return lastSegment === undefined || lastSegment === ''
      ? undefined
      : { name: decodeURIComponent(lastSegment), version: fragment };
  }
  return fragment === '' ? undefined : { name: fragment, version: undefined };
}

/** `Compiling <name> v<version>` for an artifact, the words cargo itself prints for a package. */
export function progressMessage(artifact: CargoArtifact): string {
  const version = artifact.packageVersion === undefined ? '' : ` v${artifact.packageVersion}`;
  return `Compiling ${artifact.packageName}${version}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string')
    : [];
}
