import test from 'ava';
import { emptySummary } from '../../../src/model/index.js';
import { PTRACE_ENGINE_NOTE, renderSummaryTable } from '../../../src/report/index.js';

const summary = {
  ...emptySummary(),
  lines: { count: 4, covered: 3 },
  functions: { count: 2, covered: 1 },
};
const report = { files: [{ filename: '/w/src/lib.rs', summary }], totals: summary };

test('the ptrace engine table states the engine and shows only functions and lines', (t) => {
  const lines = renderSummaryTable(report, { engine: 'ptrace' }).split('\n');
  t.is(lines[0], PTRACE_ENGINE_NOTE);
  t.notRegex(lines[1]!, /Regions|Branches/);
  t.regex(lines[1]!, /Functions +Missed Functions +Executed +Lines +Missed Lines +Cover$/);
  t.regex(lines[3]!, /^\/w\/src\/lib\.rs +2 +1 +50\.00% +4 +1 +75\.00%$/);
});

test('the instrumented table is unchanged by the option', (t) => {
  t.is(renderSummaryTable(report, { engine: 'instrumented' }), renderSummaryTable(report));
  t.regex(renderSummaryTable(report).split('\n')[0]!, /^Filename +Regions/);
});
