/**
 * The built-in `file.hbs` (with its `head`, `header` and `cells` partials) written out as code:
 * the parts of a file page before and after its source table. Used, like the code-written
 * `lines` partial, only for templates whose text is exactly the one this was written from
 * ({@link FRAME_TEMPLATES_SHA256}); any other text is rendered by Handlebars. Editing a built-in
 * template therefore falls back to Handlebars until this file is updated to match (a unit test
 * says so).
 */
import { createHash } from 'node:crypto';
import { escapeField as e } from './html-writer.js';
import type { MetricCell } from './metrics.js';
import type { FilePageModel, FunctionRowModel, HeaderModel } from './view-model.js';

/** SHA-256 of the template texts this file reproduces, by path in the template folder. */
export const FRAME_TEMPLATES_SHA256: Readonly<Record<string, string>> = {
  'file.hbs': '250b4764f54b984103cf3b9d1b0bb9513431c27c8369359f3934028df25cad99',
  'partials/head.hbs': '4568e135215d5b43b024da719293d939ee5df40961cfab6bf3633756e529c94f',
  'partials/header.hbs': 'a98057594f272da7d576ba2a99e2fda0dec772c2f64f6b01839b86725909031d',
  'partials/cells.hbs': '7c4f17955ca0e677687883a5fa517b40dead18e929c0e8723a6d2d1db43181f3',
};

/** Whether `source`, the text of template `name`, is the one this file reproduces. */
export function isBuiltinFrameTemplate(name: string, source: string): boolean {
  const expected = FRAME_TEMPLATES_SHA256[name];
  return expected !== undefined && createHash('sha256').update(source).digest('hex') === expected;
}

function head(model: Pick<FilePageModel, 'title' | 'header'>): string {
  const assets = e(model.header.assetsPath);
  return `<meta charset='utf-8' />
<meta name='viewport' content='width=device-width, initial-scale=1' />
<meta
  http-equiv='Content-Security-Policy'
  content="default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:"
/>
<meta name='generator' content='cov' />
<title>${e(model.title)}</title>
<link rel='stylesheet' href='${assets}cov.css' />
<script src='${assets}cov.js'></script>`;
}

function header(h: HeaderModel): string {
  const toolchain = h.hasToolchain ? `<div><dt>toolchain</dt><dd>${e(h.toolchain)}</dd></div>` : '';
  const created = h.hasCreatedAt
    ? `<div><dt>created</dt><dd><time
            datetime='${e(h.createdAt)}'
          >${e(h.createdAt)}</time></dd></div>`
    : '';
  return `<header class='topbar'>
  <a class='brand' href='${e(h.indexHref)}'><span class='logo'>cov</span> coverage report</a>
  <dl class='facts'>
    ${toolchain}
    ${created}
    <div><dt>engine</dt><dd>${e(h.engineLabel)}</dd></div>
  </dl>
  <button
    type='button'
    class='theme-toggle'
    id='theme-toggle'
    title='Switch light/dark theme'
    aria-label='Switch light/dark theme'
  >◐</button>
</header>`;
}

function cells(list: readonly MetricCell[]): string {
  let out = '';
  for (const c of list) {
    out += `<td class='metric level-${e(c.level)}' data-value='${e(String(c.sortValue))}'>`;
    out += c.hasData
      ? `<span
        class='pct'
      >${e(c.percentText)}</span><span class='bar' aria-hidden='true'><span
          class='fill w-${e(String(c.bar))}'
        ></span></span><span class='ratio'>${e(String(c.covered))}/${e(String(c.count))}</span>`
      : `<span
        class='none'
      >–</span>`;
    out += '</td>';
  }
  return out;
}

function card(c: MetricCell): string {
  const body = c.hasData
    ? `<div class="big">${e(c.percentText)}</div><div class="bar" aria-hidden="true"><span class="fill w-${e(String(c.bar))}"></span></div><div class="sub">${e(String(c.covered))} of ${e(String(c.count))} covered · ${e(String(c.missed))} missed</div>`
    : '<div class="big none">–</div><div class="sub">none in this file</div>';
  return `    <div class="card level-${e(c.level)}"><div class="label">${e(c.label)}</div>${body}</div>\n`;
}

function functionRow(f: FunctionRowModel): string {
  const never = f.isExecuted ? '' : ' <span class="tag">never called</span>';
  const instantiations = f.hasInstantiations
    ? ` <span class="tag">${e(String(f.instantiationCount))} instantiations</span>`
    : '';
  return `<tr class="row"><td class="name"><a href="${e(f.href)}"><code>${e(f.name)}</code></a>${never}${instantiations}</td><td class="metric">${e(String(f.line))}</td><td class="metric">${e(f.executionCountText)}</td>${cells(f.cells)}</tr>`;
}

/**
 * The page of `model` before and after its source table (`{{> lines}}`), as the built-in
 * templates render them.
 */
export function fileFrameHtml(model: Omit<FilePageModel, 'lines'>): readonly [string, string] {
  let before = `<!doctype html>
<html lang="en">
<head>
${head(model)}</head>
<body class="file-page">
${header(model.header)}<main>
  <nav class="crumbs"><a href="${e(model.header.indexHref)}">All files</a> <span class="sep">/</span> <span class="here">${e(model.displayName)}</span></nav>
  <h1 class="filename" title="${e(model.filename)}">${e(model.displayName)}</h1>
`;
  if (model.hasMetrics) {
    before += '  <div class="cards compact">\n';
    for (const c of model.cells) before += card(c);
    before += '  </div>\n';
  }
  const stops = e(String(model.stopCount));
  before += `  <div class="toolbar nav">
    <button type="button" id="prev-stop" title="Previous uncovered (p or k)">↑ prev</button>
    <button type="button" id="next-stop" title="Next uncovered (n or j)">↓ next uncovered</button>
    <span class="count" id="stop-status" data-count="${stops}">${stops} uncovered</span>
    <span class="legend"><span class="key covered">covered</span><span class="key uncovered">not covered</span><span class="key region-key">uncovered region</span><kbd>n</kbd>/<kbd>p</kbd> or <kbd>j</kbd>/<kbd>k</kbd> jump</span>
  </div>
`;
  if (model.hasFunctions) {
    let metrics = '';
    for (const m of model.functionMetrics) metrics += `<th class="metric">${e(m.label)}</th>`;
    let rows = '';
    for (const f of model.functions) rows += functionRow(f);
    before += `  <details class="functions"><summary>Functions (${model.functions.length})</summary>
    <table class="report fn-table"><thead><tr><th class="name">Function</th><th class="metric">Line</th><th class="metric">Calls</th>${metrics}</tr></thead><tbody>
    ${rows}
    </tbody></table>
  </details>
`;
  }
  before += `  ${model.sourceAvailable ? '' : '<p class="warning">The source file could not be read; lines are shown without text.</p>'}
  <table class="source main" id="source">
    <tbody>
`;
  return [
    before,
    `    </tbody>
  </table>
</main>
</body>
</html>
`,
  ];
}
