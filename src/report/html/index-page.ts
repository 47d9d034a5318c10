/**
 * The view model of the index page: totals, and the files as a flat list and as a folder tree whose
 * folder rows sum their files' summaries (the model's `addSummaries`, as the totals do).
 */
import { addSummaries, type CoverageSummary } from '../../model/index.js';
import type { FileReport, ReportFiles } from '../report-files.js';
import {
  LEVEL_HIGH_PERCENT,
  LEVEL_MEDIUM_PERCENT,
  levelOf,
  metricCells,
  metricHeaders,
  type MetricKey,
} from './metrics.js';
import type { HeaderModel, IndexModel, IndexRow } from './view-model.js';

/** Inputs of {@link buildIndexModel}. */
export interface IndexInput {
  readonly report: ReportFiles;
  readonly header: HeaderModel;
  readonly metrics: readonly MetricKey[];
  /** Common directory of the files (a prefix ending in `/`, or empty). */
  readonly rootName: string;
  /** Name shown for a file (path relative to `rootName`). */
  readonly displayNameOf: (filename: string) => string;
  /** Link from the index to a file's page. */
  readonly hrefOf: (filename: string) => string;
}

interface DirectoryNode {
  readonly name: string;
  readonly path: string;
  readonly directories: Map<string, DirectoryNode>;
  readonly files: { name: string; file: FileReport }[];
}

function newDirectory(name: string, path: string): DirectoryNode {
  return { name, path, directories: new Map(), files: [] };
}

function summariesUnder(node: DirectoryNode): CoverageSummary[] {
  const out = node.files.map((f) => f.file.summary);
  for (const child of node.directories.values()) out.push(...summariesUnder(child));
  return out;
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Level of a row: its line coverage (or its first metric's when it has no lines). */
function rowLevel(summary: CoverageSummary, metrics: readonly MetricKey[]): string {
  const key = metrics.includes('lines') ? 'lines' : metrics[0];
  return key === undefined ? 'none' : levelOf(summary[key]);
}

/** Builds the index page model. */
export function buildIndexModel(input: IndexInput): IndexModel {
  const { report, metrics } = input;
  const root = newDirectory('', '');
  for (const file of report.files) {
    const parts = input.displayNameOf(file.filename).split('/');
    const base = parts.pop()!;
    let node = root;
    let path = '';
    for (const part of parts) {
      path = path === '' ? part : `${path}/${part}`;
      let child = node.directories.get(part);
      if (child === undefined) {
        child = newDirectory(part, path);
        node.directories.set(part, child);
      }
      node = child;
    }
    node.files.push({ name: base, file });
  }

  const treeRows: IndexRow[] = [];
  let nextId = 0;
  const visit = (node: DirectoryNode, parentId: string, depth: number): void => {
    const directories = [...node.directories.values()].sort((a, b) => compareNames(a.name, b.name));
    for (let directory of directories) {
      // fold chains of single-child folders into one row (`src/a/b`)
      let name = directory.name;
      while (directory.files.length === 0 && directory.directories.size === 1) {
        directory = [...directory.directories.values()][0]!;
        name = `${name}/${directory.name}`;
      }
      const summary = addSummaries(summariesUnder(directory));
      const id = `d${nextId++}`;
      treeRows.push({
        id,
        parentId,
        depth,
        isDirectory: true,
        name: `${name}/`,
        path: `${directory.path}/`,
        href: '',
        level: rowLevel(summary, metrics),
        cells: metricCells(metrics, summary),
      });
      visit(directory, id, depth + 1);
    }
    const files = [...node.files].sort((a, b) => compareNames(a.name, b.name));
    for (const { name, file } of files) {
      treeRows.push({
        id: `f${nextId++}`,
        parentId,
        depth,
        isDirectory: false,
        name,
        path: input.displayNameOf(file.filename),
        href: input.hrefOf(file.filename),
        level: rowLevel(file.summary, metrics),
        cells: metricCells(metrics, file.summary),
      });
    }
  };
  visit(root, '', 0);

  const flatRows: IndexRow[] = report.files.map((file, i) => {
    const path = input.displayNameOf(file.filename);
    return {
      id: `r${i}`,
      parentId: '',
      depth: 0,
      isDirectory: false,
      name: path,
      path,
      href: input.hrefOf(file.filename),
      level: rowLevel(file.summary, metrics),
      cells: metricCells(metrics, file.summary),
    };
  });

  return {
    header: input.header,
    title: 'Coverage report',
    rootName: input.rootName,
    metrics: metricHeaders(metrics),
    hasMetrics: metrics.length > 0,
    totals: metricCells(metrics, report.totals),
    fileCount: report.files.length,
    treeRows,
    flatRows,
    hasFiles: report.files.length > 0,
    levelMediumPercent: LEVEL_MEDIUM_PERCENT,
    levelHighPercent: LEVEL_HIGH_PERCENT,
  };
}
