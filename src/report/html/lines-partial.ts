/**
 * The built-in `partials/lines.hbs` written out as code. The source table of a page is most of its
 * bytes (every line, and the lines of every expansion and instantiation sub-view); rendering it
 * through Handlebars' runtime (a context frame and a few property lookups per field) took longer
 * than building the page model, and left a deep concatenation of small strings that writing the
 * page had to flatten. This renderer writes the same bytes into one array joined once.
 *
 * It is used only for a `lines.hbs` whose text is exactly the one it was written from
 * ({@link LINES_PARTIAL_SHA256}); any other text, such as a restyled copy given by
 * `--template-dir`, is rendered by Handlebars as before. Editing the built-in partial therefore
 * falls back to Handlebars until this file is updated to match (a unit test says so).
 */
import { createHash } from 'node:crypto';
import Handlebars from 'handlebars';
import type { ExpansionModel, InstantiationGroupModel, LineModel } from './view-model.js';

/** SHA-256 of the `partials/lines.hbs` text that {@link renderLinesPartial} reproduces. */
export const LINES_PARTIAL_SHA256 =
  'df2977939ee61086ca9e12cdce5064356ddd1158ac9998481f71ce21d208d08a';

/** Whether `source` (a `lines.hbs` text) is the one {@link renderLinesPartial} reproduces. */
export function isBuiltinLinesPartial(source: string): boolean {
  return createHash('sha256').update(source).digest('hex') === LINES_PARTIAL_SHA256;
}

/** What Handlebars prints for `{{text}}` (for a number it prints `String(number)`). */
const escape = Handlebars.escapeExpression;

function writeLines(lines: readonly LineModel[], out: string[]): void {
  for (const line of lines) {
    const anchor = escape(line.anchor);
    out.push(
      '<tr id="',
      anchor,
      '" class="line ',
      escape(line.status),
      '"><td class="num"><a href="#',
      anchor,
      '">',
      String(line.number),
      '</a></td><td class="count" title="',
      escape(line.countTitle),
      '">',
      escape(line.countText),
      '</td><td class="code">',
      line.codeHtml,
    );
    if (line.hasBranches) {
      out.push('<span class="branches">');
      for (const branch of line.branches) {
        out.push(
          '<span class="branch" title="',
          escape(branch.title),
          '"><span class="col">',
          String(branch.column),
          '</span><span class="side ',
          escape(branch.trueStatus),
          '">T ',
          escape(branch.trueText),
          '</span><span class="side ',
          escape(branch.falseStatus),
          '">F ',
          escape(branch.falseText),
          '</span></span>',
        );
      }
      out.push('</span>');
    }
    out.push('</td></tr>\n');
    for (const expansion of line.expansions) writeExpansion(expansion, out);
    for (const group of line.instantiationGroups) writeGroup(group, out);
  }
}

function writeExpansion(expansion: ExpansionModel, out: string[]): void {
  out.push(
    '<tr class="sub"><td colspan="3"><details class="expansion" id="',
    escape(expansion.id),
    '"><summary><span class="kind">macro</span> <code>',
    escape(expansion.macroName),
    '</code> expanded at column ',
    String(expansion.column),
    ' <span class="origin">from ',
    escape(expansion.origin),
    '</span></summary><table class="source">',
  );
  writeLines(expansion.lines, out);
  out.push('</table></details></td></tr>\n');
}

function writeGroup(group: InstantiationGroupModel, out: string[]): void {
  out.push(
    '<tr class="sub"><td colspan="3"><details class="instantiations" id="',
    escape(group.id),
    '"><summary><span class="kind">generic</span> <code>',
    escape(group.name),
    '</code> — ',
    String(group.count),
    ' instantiations',
  );
  if (group.hasMore) out.push(' (', String(group.moreCount), ' not shown)');
  out.push(', ', String(group.executedCount), ' shown executed</summary>\n');
  for (const instantiation of group.instantiations) {
    out.push(
      '<details class="instantiation" id="',
      escape(instantiation.id),
      '"><summary><code class="fn">',
      escape(instantiation.name),
      '</code> <span class="exec ',
      instantiation.isExecuted ? 'covered' : 'uncovered',
      '">called ',
      escape(instantiation.executionCountText),
      '×</span><span class="mini">',
    );
    for (const cell of instantiation.cells) {
      const label = escape(cell.label);
      out.push(
        '<span class="mini-cell level-',
        escape(cell.level),
        '" title="',
        label,
        ': ',
        String(cell.covered),
        '/',
        String(cell.count),
        '">',
        label,
        ' ',
        escape(cell.percentText),
        '</span>',
      );
    }
    out.push('</span></summary>');
    if (instantiation.hasLines) {
      out.push('<table class="source">');
      writeLines(instantiation.lines, out);
      out.push('</table>');
    } else {
      out.push(
        '<p class="note">Source lines left out: this page already shows many instantiations.</p>',
      );
    }
    out.push('</details>');
  }
  out.push('\n</details></td></tr>\n');
}

/**
 * Renders `{{> lines}}` for a context holding `lines` (a page, an expansion or an instantiation),
 * byte for byte as Handlebars renders the built-in partial.
 */
export function renderLinesPartial(context: { readonly lines: readonly LineModel[] }): string {
  const out: string[] = [];
  writeLines(context.lines, out);
  return out.join('');
}
