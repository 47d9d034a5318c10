// Import direction of ARCHITECTURE.md: each folder may import only the folders listed for it.
const allowed = {
  binary: [],
  model: ['binary'],
  profraw: ['binary'],
  covmap: ['binary'],
  object: ['binary'],
  dwarf: ['binary'],
  report: ['model', 'binary'],
  gate: ['model', 'binary'],
  store: ['covmap', 'profraw', 'model', 'binary'],
  assemble: ['profraw', 'covmap', 'object', 'model', 'binary'],
  'llvm-bridge': ['model', 'binary'],
  'ptrace-fallback': ['llvm-bridge', 'object', 'dwarf', 'model', 'binary'],
  compare: ['model', 'report', 'binary'],
};
const forbidden = Object.entries(allowed).map(([from, to]) => ({
  name: `no-upward-from-${from}`,
  severity: 'error',
  from: { path: `^src/${from}/` },
  to: {
    path: '^src/([^/]+)/',
    pathNot: [`^src/${from}/`, ...to.map((t) => `^src/${t}/`)],
  },
}));
module.exports = {
  forbidden,
  options: { doNotFollow: { path: 'node_modules' }, tsConfig: { fileName: 'tsconfig.json' } },
};
