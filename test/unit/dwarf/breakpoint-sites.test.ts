import test from 'ava';
import { selectBreakpointSites, type LineRow } from '../../../src/dwarf/index.js';

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
