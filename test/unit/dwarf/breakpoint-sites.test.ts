import test from 'ava';
import {
  addInlinedEntries,
  selectBreakpointSites,
  type LineRow,
} from '../../../src/dwarf/index.js';

const row = (address: bigint, line: number, extra: Partial<LineRow> = {}): LineRow => ({
  address,
  file: '/src/a.rs',
  line,
  column: 1,
  isStmt: true,
  endSequence: false,
  ...extra,
});

test('keeps is_stmt rows with a line inside an executable segment, one per address, sorted', (t) => {
  const rows: LineRow[] = [
    row(0x1010n, 5),
    row(0x1000n, 3),
    row(0x1000n, 4), // same address: the first row wins
    row(0x1004n, 6, { isStmt: false }),
    row(0x1008n, 0), // line 0: compiler-generated
    row(0x100cn, 7, { endSequence: true }),
    row(0n, 9), // tombstoned (address 0) sequence of a dropped function
    row(0xffffffffffffffffn, 9),
    row(0x2000n, 8), // end of the first segment is exclusive
    row(0x3000n, 10, { file: '/src/b.rs' }),
  ];
  const sites = selectBreakpointSites(rows, [
    { start: 0x3000n, end: 0x3100n },
    { start: 0x1000n, end: 0x2000n },
  ]);
  t.deepEqual(sites, [
    { address: 0x1000n, file: '/src/a.rs', line: 3 },
    { address: 0x1010n, file: '/src/a.rs', line: 5 },
    { address: 0x3000n, file: '/src/b.rs', line: 10 },
  ]);
});

test('no executable segments: no sites', (t) => {
  t.deepEqual(selectBreakpointSites([row(0x1000n, 1)], []), []);
});

test('overlapping segments are handled', (t) => {
  const sites = selectBreakpointSites(
    [row(0x1500n, 1), row(0x2500n, 2)],
    [
      { start: 0x1000n, end: 0x3000n },
      { start: 0x1400n, end: 0x1600n },
    ],
  );
  t.is(sites.length, 2);
});

test('addInlinedEntries: an inlined copy adds its function’s declaration to the site at its entry, or a new site', (t) => {
  const exec = [{ start: 0x1000n, end: 0x2000n }];
  const sites = selectBreakpointSites([row(0x1000n, 5), row(0x1010n, 6), row(0x1020n, 7)], exec);
  const withEntries = addInlinedEntries(
    sites,
    [
      // a copy of `helper` (declared at /src/b.rs:3) starting where line 6's row is
      { entry: 0x1010n, name: 'helper', file: '/src/b.rs', line: 3 },
      // the same function copied again at the same place: one entry
      { entry: 0x1010n, name: 'helper', file: '/src/b.rs', line: 3 },
      // a copy starting where no row is: a site of its own, standing for the declaration line
      { entry: 0x1018n, name: 'inner', file: '/src/a.rs', line: 40 },
      // a declaration that is the row's own line is kept: a copy begins there
      { entry: 0x1020n, name: 'same', file: '/src/a.rs', line: 7 },
      // unknown declaration, entry outside the executable segment: ignored
      { entry: 0x1000n, name: 'anonymous' },
      { entry: 0x3000n, name: 'dropped', file: '/src/b.rs', line: 9 },
    ],
    exec,
  );
  t.deepEqual(withEntries, [
    { address: 0x1000n, file: '/src/a.rs', line: 5 },
    {
      address: 0x1010n,
      file: '/src/a.rs',
      line: 6,
      inlinedEntries: [{ file: '/src/b.rs', line: 3 }],
    },
    {
      address: 0x1018n,
      file: '/src/a.rs',
      line: 40,
      inlinedEntries: [{ file: '/src/a.rs', line: 40 }],
    },
    {
      address: 0x1020n,
      file: '/src/a.rs',
      line: 7,
      inlinedEntries: [{ file: '/src/a.rs', line: 7 }],
    },
  ]);
  // the input is not changed
  t.is(sites.length, 3);
  t.is(sites[1]!.inlinedEntries, undefined);
});
