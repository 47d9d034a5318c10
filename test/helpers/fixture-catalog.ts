/**
 * The fixture crates under `test/fixtures/crates/` that the oracle tests build, and how to build
 * each one.
 */
import type { BuildFixtureOptions } from './fixture-build.js';
import type { Toolchain } from './tools.js';

export interface FixtureSpec {
  /** Fixture name (the crate folder under `test/fixtures/crates/` unless `crate` says otherwise). */
  readonly name: string;
  /** Crate folder, when one crate is built several ways. */
  readonly crate?: string;
  readonly toolchain: Toolchain;
  /** RUSTFLAGS after `-C instrument-coverage`. */
  readonly extraRustflags: readonly string[];
  /** What the crate exercises, one line. */
  readonly about: string;
}

export const FIXTURES: readonly FixtureSpec[] = [
  {
    name: 'basics',
    toolchain: 'stable',
    extraRustflags: [],
    about: 'if/else, match guards, loops, ?, closures, should_panic, unused fn, const fn, traits',
  },
  {
    name: 'generics',
    toolchain: 'stable',
    extraRustflags: [],
    about: 'instantiations of one generic with different counts; a generic never instantiated',
  },
  {
    name: 'macros',
    toolchain: 'stable',
    extraRustflags: [],
    about: 'macro_rules! in expression, statement and item position; nested macros',
  },
  {
    name: 'async-threads',
    toolchain: 'stable',
    extraRustflags: [],
    about: 'async fns on a hand-written block_on; four threads racing on non-atomic counters',
  },
  {
    name: 'workspace',
    toolchain: 'stable',
    extraRustflags: [],
    about: 'two-crate workspace: an rlib linked into several test binaries, a bin never run',
  },
  {
    name: 'harness',
    toolchain: 'stable',
    extraRustflags: [],
    about: 'unit + integration tests; the instrumented bin runs as a subprocess (own profraw)',
  },
  {
    name: 'nightly-branch',
    toolchain: 'nightly',
    extraRustflags: ['-Zcoverage-options=branch'],
    about: 'branch regions (BRDA) for if, &&, ||, while, match guards; #[coverage(off)]',
  },
  {
    name: 'nightly-condition',
    crate: 'nightly-branch',
    toolchain: 'nightly',
    extraRustflags: ['-Zcoverage-options=condition'],
    about: 'condition coverage: a branch region for each operand of && and ||',
  },
];

/** The build options of a fixture, for `buildFixture(spec.name, buildOptions(spec))`. */
export function buildOptions(spec: FixtureSpec): BuildFixtureOptions {
  return {
    toolchain: spec.toolchain,
    extraRustflags: spec.extraRustflags,
    ...(spec.crate === undefined ? {} : { crate: spec.crate }),
  };
}

/** Looks a fixture up by name. @throws Error naming the known fixtures when there is none. */
export function findFixture(name: string): FixtureSpec {
  const spec = FIXTURES.find((fixture) => fixture.name === name);
  if (spec === undefined) {
    throw new Error(`unknown fixture ${name}; known: ${FIXTURES.map((f) => f.name).join(', ')}`);
  }
  return spec;
}
