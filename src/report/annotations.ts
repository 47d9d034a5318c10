/**
 * GitHub Actions workflow commands (`::warning file=…,line=…,endLine=…::message`) for uncovered
 * changed lines, so a pull request shows them inline.
 *
 * @see https://docs.github.com/actions/reference/workflow-commands-for-github-actions
 */

/** A changed file's uncovered line ranges, named relative to the repository root. */
export interface AnnotatedFile {
  readonly path: string;
  readonly uncoveredRanges: readonly { readonly start: number; readonly end: number }[];
}

/** Escapes a workflow-command message (`%`, CR, LF). */
export function escapeCommandData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

/** Escapes a workflow-command property value (the message escapes plus `:` and `,`). */
export function escapeCommandProperty(text: string): string {
  return escapeCommandData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

/**
 * One `::warning` line per uncovered range, in file then line order.
 * @returns the commands, each ending with a newline; empty when nothing is uncovered
 */
export function renderGithubAnnotations(files: readonly AnnotatedFile[]): string {
  let out = '';
  for (const file of files) {
    for (const { start, end } of file.uncoveredRanges) {
      const what = start === end ? `Changed line ${start} is` : `Changed lines ${start}-${end} are`;
      out +=
        `::warning file=${escapeCommandProperty(file.path)},line=${start},endLine=${end},` +
        `title=${escapeCommandProperty('Uncovered change')}::${escapeCommandData(`${what} not covered by tests`)}\n`;
    }
  }
  return out;
}
