/**
 * The built-in `partials/lines.hbs` written out as code, piece by piece into an {@link HtmlWriter}.
 * The source table of a page is most of its bytes (every line, and the lines of every expansion and
 * instantiation sub-view); rendering it through Handlebars' runtime (a context frame and a few
 * property lookups per field, then a deep concatenation of small strings) was the larger part of
 * writing a report. The pieces here write the same bytes: {@link renderLinesPartial} from line
 * models, and {@link writeLinesHtml} from a page's lines without line models (on the page script,
 * in the browser).
 *
 * They are used only for a `lines.hbs` whose text is exactly the one they were written from
 * (`LINES_PARTIAL_SHA256` in write-html.ts); any other text, such as a restyled copy given by
 * `--template-dir`, is rendered by Handlebars. Editing the built-in partial therefore falls back to
 * Handlebars until this file is updated to match (a unit test says so).
 */
import { HtmlWriter, type HtmlOut } from './html-writer.js';
import type {
  BranchModel,
  ExpansionModel,
  InstantiationGroupModel,
  InstantiationModel,
  LineModel,
} from './view-model.js';

/**
 * A line's row up to its code: `<tr id=…>…<td class="code">`. The anchor is `anchorHead` followed,
 * when `anchorLine` is not negative, by `L` and that number.
 */
export function writeRowStart(
  w: HtmlOut,
  anchorHead: string,
  anchorLine: number,
  number: number,
  status: string,
  countTitle: string,
  countText: string,
): void {
  w.raw('<tr id="');
  writeAnchor(w, anchorHead, anchorLine);
  w.raw('" class="line ');
  w.field(status);
  w.raw('"><td class="num"><a href="#');
  writeAnchor(w, anchorHead, anchorLine);
  w.raw('">');
  w.int(number);
  w.raw('</a></td><td class="count" title="');
  w.field(countTitle);
  w.raw('">');
  w.field(countText);
  w.raw('</td><td class="code">');
}

/**
 * {@link writeRowStart} as one string, for anchors `anchor` + `L` + `number` where `anchor` is
 * already escaped and `status`, `countTitle` and `countText` need no escaping (a status word and
 * count digits).
 */
export function rowStartHtml(
  anchor: string,
  number: number,
  status: string,
  countTitle: string,
  countText: string,
): string {
  return `<tr id="${anchor}L${number}" class="line ${status}"><td class="num"><a href="#${anchor}L${number}">${number}</a></td><td class="count" title="${countTitle}">${countText}</td><td class="code">`;
}

function writeAnchor(w: HtmlOut, head: string, line: number): void {
  w.field(head);
  if (line >= 0) {
    w.raw('L');
    w.int(line);
  }
}

/** The rest of a line's row after its code: the branch marks, then the end of the row. */
export function writeRowEnd(
  w: HtmlOut,
  hasBranches: boolean,
  branches: readonly BranchModel[],
): void {
  if (hasBranches) {
    w.raw('<span class="branches">');
    for (const branch of branches) {
      w.raw('<span class="branch" title="');
      w.field(branch.title);
      w.raw('"><span class="col">');
      w.field(branch.column);
      w.raw('</span><span class="side ');
      w.field(branch.trueStatus);
      w.raw('">T ');
      w.field(branch.trueText);
      w.raw('</span><span class="side ');
      w.field(branch.falseStatus);
      w.raw('">F ');
      w.field(branch.falseText);
      w.raw('</span></span>');
    }
    w.raw('</span>');
  }
  w.raw('</td></tr>\n');
}

/** An expansion's row up to its lines. */
export function writeExpansionStart(w: HtmlOut, expansion: Omit<ExpansionModel, 'lines'>): void {
  w.raw('<tr class="sub"><td colspan="3"><details class="expansion" id="');
  w.field(expansion.id);
  w.raw('"><summary><span class="kind">macro</span> <code>');
  w.field(expansion.macroName);
  w.raw('</code> expanded at column ');
  w.field(expansion.column);
  w.raw(' <span class="origin">from ');
  w.field(expansion.origin);
  w.raw('</span></summary><table class="source">');
}

/** What follows an expansion's lines. */
export const EXPANSION_END = '</table></details></td></tr>\n';

/** An instantiation group's row up to its first instantiation. */
export function writeGroupStart(
  w: HtmlOut,
  group: Omit<InstantiationGroupModel, 'instantiations'>,
): void {
  w.raw('<tr class="sub"><td colspan="3"><details class="instantiations" id="');
  w.field(group.id);
  w.raw('"><summary><span class="kind">generic</span> <code>');
  w.field(group.name);
  w.raw('</code> — ');
  w.field(group.count);
  w.raw(' instantiations');
  if (group.hasMore) {
    w.raw(' (');
    w.field(group.moreCount);
    w.raw(' not shown)');
  }
  w.raw(', ');
  w.field(group.executedCount);
  w.raw(' shown executed</summary>\n');
}

/** What follows a group's last instantiation. */
export const GROUP_END = '\n</details></td></tr>\n';

/** An instantiation up to its lines; with `hasLines` false, the whole instantiation. */
export function writeInstantiationStart(
  w: HtmlOut,
  instantiation: Omit<InstantiationModel, 'lines'>,
): void {
  w.raw('<details class="instantiation" id="');
  w.field(instantiation.id);
  w.raw('"><summary><code class="fn">');
  w.field(instantiation.name);
  w.raw('</code> <span class="exec ');
  w.raw(instantiation.isExecuted ? 'covered' : 'uncovered');
  w.raw('">called ');
  w.field(instantiation.executionCountText);
  w.raw('×</span><span class="mini">');
  for (const cell of instantiation.cells) {
    w.raw('<span class="mini-cell level-');
    w.field(cell.level);
    w.raw('" title="');
    w.field(cell.label);
    w.raw(': ');
    w.field(cell.covered);
    w.raw('/');
    w.field(cell.count);
    w.raw('">');
    w.field(cell.label);
    w.raw(' ');
    w.field(cell.percentText);
    w.raw('</span>');
  }
  w.raw('</span></summary>');
  if (instantiation.hasLines) w.raw('<table class="source">');
  else {
    w.raw(
      '<p class="note">Source lines left out: this page already shows many instantiations.</p></details>',
    );
  }
}

/** What follows the lines of an instantiation that has lines. */
export const INSTANTIATION_END = '</table></details>';

function writeLineModels(w: HtmlOut, lines: readonly LineModel[]): void {
  for (const line of lines) {
    writeRowStart(w, line.anchor, -1, line.number, line.status, line.countTitle, line.countText);
    w.raw(line.codeHtml);
    writeRowEnd(w, line.hasBranches, line.branches);
    for (const expansion of line.expansions) {
      writeExpansionStart(w, expansion);
      writeLineModels(w, expansion.lines);
      w.raw(EXPANSION_END);
    }
    for (const group of line.instantiationGroups) {
      writeGroupStart(w, group);
      for (const instantiation of group.instantiations) {
        writeInstantiationStart(w, instantiation);
        if (!instantiation.hasLines) continue;
        writeLineModels(w, instantiation.lines);
        w.raw(INSTANTIATION_END);
      }
      w.raw(GROUP_END);
    }
  }
}

let scratch: HtmlWriter | undefined;

/**
 * Renders `{{> lines}}` for a context holding `lines` (a page, an expansion or an instantiation),
 * byte for byte as Handlebars renders the built-in partial.
 */
export function renderLinesPartial(context: { readonly lines: readonly LineModel[] }): string {
  scratch ??= new HtmlWriter();
  scratch.reset();
  writeLineModels(scratch, context.lines);
  return scratch.textFrom(0);
}
