/**
 * Finding or building the native helper (`native/cov-ptrace.c`): a development build in
 * `build/native/`, else a copy compiled once into the user's cache directory, keyed by the hash of
 * the C source, with the first C compiler found on `PATH` (`cc`, `gcc`, `clang`). No install
 * script is involved: npm is moving to blocking dependency install scripts by default.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CovError } from '../binary/index.js';

/** Path of the C source inside the package, relative to the package root. */
export const HELPER_SOURCE_PATH = 'src/ptrace-fallback/native/cov-ptrace.c';
/** Where `npm run build:native` puts the helper, relative to the package root. */
export const HELPER_DEV_BUILD_PATH = 'build/native/cov-ptrace';
const COMPILERS = ['cc', 'gcc', 'clang'];

/**
 * Whether the breakpoint engine can run on this platform: Linux on x86_64 or aarch64.
 * @returns `undefined` when supported, else the reason in plain words.
 */
export function ptraceUnsupportedReason(
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): string | undefined {
  if (platform !== 'linux') {
    return `the breakpoint (ptrace) engine is not supported on this platform (${platform}); it needs Linux`;
  }
  if (arch !== 'x64' && arch !== 'arm64') {
    return `the breakpoint (ptrace) engine is not supported on this platform (linux/${arch}); it needs x86_64 or aarch64`;
  }
  return undefined;
}

/** The package root: the nearest ancestor of this module holding cov's package.json. */
export function findPackageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown };
        if (parsed.name === 'cov') return dir;
      } catch {
        // not ours; keep looking upwards
      }
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new CovError('E_IO', `cannot find cov's package root above ${from}`);
    }
    dir = parent;
  }
}

/** Options of {@link ensureHelper}. */
export interface EnsureHelperOptions {
  /** Environment for finding the compiler and the cache directory (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /** Package root (default: found from this module). */
  readonly packageRoot?: string;
  /** Called once when the helper has to be compiled. */
  readonly onProgress?: (message: string) => void;
}

/** The cache directory: `$XDG_CACHE_HOME/cov`, else `~/.cache/cov`. */
export function cacheDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env['XDG_CACHE_HOME'];
  return join(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.cache'), 'cov');
}

/**
 * Returns the path of a runnable helper: `$COV_PTRACE_HELPER` when set; the development build
 * when it is at least as new as the source; else `<cache>/ptrace-helper-<sha256[0,16]>-<arch>/
 * cov-ptrace`, compiled on first use (`cc -O2 -o … cov-ptrace.c`, written under a temporary name
 * and renamed, so concurrent runs never see half a file).
 *
 * @throws CovError `E_TOOLCHAIN` on an unsupported platform, when no C compiler is on `PATH` or the
 *   compile fails (with the compiler's output); `E_IO` when the C source is missing.
 */
export async function ensureHelper(options: EnsureHelperOptions = {}): Promise<string> {
  const unsupported = ptraceUnsupportedReason();
  if (unsupported !== undefined) throw new CovError('E_TOOLCHAIN', unsupported);
  const env = options.env ?? process.env;
  const override = env['COV_PTRACE_HELPER'];
  if (override !== undefined && override !== '') {
    if (!existsSync(override)) {
      throw new CovError('E_IO', `COV_PTRACE_HELPER points at ${override}, which does not exist`);
    }
    return override;
  }
  const root = options.packageRoot ?? findPackageRoot();
  const sourcePath = join(root, HELPER_SOURCE_PATH);
  let source: Buffer;
  try {
    source = readFileSync(sourcePath);
  } catch (cause) {
    throw new CovError('E_IO', `cannot read the ptrace helper source ${sourcePath}`, { cause });
  }
  const devBuild = join(root, HELPER_DEV_BUILD_PATH);
  if (existsSync(devBuild) && statSync(devBuild).mtimeMs >= statSync(sourcePath).mtimeMs) {
    return devBuild;
  }
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const dir = join(cacheDirectory(env), `ptrace-helper-${hash}-${process.arch}`);
  const target = join(dir, 'cov-ptrace');
  if (existsSync(target)) return target;
  const compiler = findCompiler(env);
  if (compiler === undefined) {
    throw new CovError(
      'E_TOOLCHAIN',
      `no C compiler (${COMPILERS.join(', ')}) on PATH to build the ptrace helper; install one (e.g. \`apt install gcc\`) or run \`npm run build:native\``,
    );
  }
  options.onProgress?.(`compiling the ptrace helper with ${compiler} into ${dir}`);
  mkdirSync(dir, { recursive: true });
  const temporary = `${target}.${process.pid}.tmp`;
  // loaded here, on the rare run that compiles: every cov command imports this module
  const { execa } = await import('execa');
  const result = await execa(compiler, ['-O2', '-Wall', '-Wextra', '-o', temporary, sourcePath], {
    env,
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    all: true,
  });
  if (result.exitCode !== 0) {
    rmSync(temporary, { force: true });
    throw new CovError(
      'E_TOOLCHAIN',
      `compiling the ptrace helper failed (\`${compiler} -O2 -o … ${sourcePath}\`, ${result.failed && result.exitCode === undefined ? String(result.message) : `exit code ${result.exitCode}`}):\n${String(result.all ?? '').trim()}`,
    );
  }
  renameSync(temporary, target);
  return target;
}

function findCompiler(env: NodeJS.ProcessEnv): string | undefined {
  const dirs = (env['PATH'] ?? '').split(delimiter).filter((d) => d !== '');
  for (const name of COMPILERS) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      try {
        if (statSync(candidate).isFile()) return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}
