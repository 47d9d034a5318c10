/**
 * Highlighting the report's sources on a worker thread while the main thread builds and writes
 * pages. Highlighting is the largest single cost of a page; the worker takes the files in page
 * order and runs ahead, so a page's runs are usually ready when the page is built. The main thread
 * stays synchronous: it takes replies with `receiveMessageOnPort`. Each file is claimed through a
 * shared array before it is highlighted: a file the worker has not started when the main thread
 * needs it (the worker still starting, or behind) is claimed and highlighted by the main thread;
 * for a file the worker is on, the main thread sleeps on a shared counter (`Atomics.wait`).
 *
 * The runs are the same as {@link highlightLines} gives on the main thread: the worker runs that very
 * function on the text it decoded, and a reply is used only when that text equals the main thread's.
 * Any failure (the worker cannot start, a file cannot be read, no progress for a long time) falls
 * back to highlighting on the main thread.
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { highlightLines, isRustSource, type TextRun } from './highlight.js';

/** What the worker is given. */
export interface HighlightRequest {
  /** Files in the order the pages are built. */
  readonly filenames: readonly string[];
}

/** Runs of a file packed for transfer: per line its run count, then (length, class id) per run. */
export interface PackedRuns {
  readonly runs: Uint32Array;
  /** Class stacks by id. */
  readonly classes: readonly (readonly string[])[];
}

/** The worker's answer for file `index` (`-1`: the worker failed). */
export type HighlightReply =
  | { readonly index: number; readonly failed: true }
  | ({
      readonly index: number;
      readonly failed?: undefined;
      readonly text: string;
      /** Each line's runs as HTML (`renderRunsHtml`). */
      readonly lineHtml: readonly string[];
    } & PackedRuns);

/** A highlighted source: runs by line, and lines' run HTML where already written. */
export interface HighlightedSource {
  readonly runs: TextRun[][];
  /** `renderRunsHtml` of lines, by 0-based line (a cache: holes are written on demand). */
  readonly plainHtml: (string | undefined)[];
}

/** Highlights the sources of one report. */
export interface Highlighter {
  /** Runs of `filename`, whose decoded text is `text` (as {@link highlightLines}). */
  readonly highlight: (filename: string, text: string) => HighlightedSource;
  /** Stops the worker. */
  readonly close: () => void;
  /** Files whose runs came from the worker so far. */
  readonly fromWorker: () => number;
  /** Replies the worker has sent so far (for tests and diagnostics). */
  readonly received: () => number;
}

/** Index in the shared signal array of the first file's claim. */
export const CLAIMS = 2;
/** Claim values: file highlighted by the worker, or by the main thread. */
export const CLAIMED_BY_WORKER = 1;
export const CLAIMED_HERE = 2;

/** Fewer files than this are highlighted on the main thread (a worker costs its start-up). */
const MIN_FILES_FOR_WORKER = 8;
/** Milliseconds without any reply after which the worker is given up. */
const WORKER_PATIENCE_MS = 20_000;

/**
 * Script of the worker (CommonJS, evaluated): loads the worker module, and raises the failure flag
 * when it cannot, so that the main thread stops waiting at once.
 */
const WORKER_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  await import(workerData.url);
})().catch(() => {
  Atomics.store(workerData.signal, 1, 1);
  Atomics.add(workerData.signal, 0, 1);
  Atomics.notify(workerData.signal, 0);
});
`;

/** Packs the runs of {@link highlightLines} (class arrays shared between runs stay shared). */
export function packRuns(lines: readonly (readonly TextRun[])[]): PackedRuns {
  let size = 0;
  for (const line of lines) size += 1 + 2 * line.length;
  const runs = new Uint32Array(size);
  const ids = new Map<readonly string[], number>();
  const classes: (readonly string[])[] = [];
  let o = 0;
  for (const line of lines) {
    runs[o++] = line.length;
    for (const run of line) {
      let id = ids.get(run.classes);
      if (id === undefined) {
        id = classes.length;
        classes.push(run.classes);
        ids.set(run.classes, id);
      }
      runs[o++] = run.text.length;
      runs[o++] = id;
    }
  }
  return { runs, classes };
}

/** Rebuilds the runs of `text` from {@link packRuns}; undefined when they do not fit the text. */
export function unpackRuns(text: string, packed: PackedRuns): TextRun[][] | undefined {
  const { runs, classes } = packed;
  const lines: TextRun[][] = [];
  let o = 0;
  let offset = 0;
  while (o < runs.length) {
    const count = runs[o++]!;
    const line: TextRun[] = [];
    for (let i = 0; i < count; i++) {
      const length = runs[o++]!;
      const runClasses = classes[runs[o++]!];
      if (runClasses === undefined || offset + length > text.length) return undefined;
      line.push({ text: text.slice(offset, offset + length), classes: runClasses });
      offset += length;
    }
    lines.push(line);
    offset++; // the '\n' between lines
  }
  return offset === text.length + 1 ? lines : undefined;
}

function highlightHere(filename: string, text: string): HighlightedSource {
  return { runs: highlightLines(text, isRustSource(filename)), plainHtml: [] };
}

/**
 * Starts highlighting the Rust files of `filenames` (read from disk, in this order) on a worker
 * thread, or returns a highlighter working on the main thread when there are few files or no
 * worker can start. Each file's runs are taken once; asking again highlights on the main thread.
 */
export function startHighlighter(filenames: readonly string[]): Highlighter {
  const here: Highlighter = {
    highlight: highlightHere,
    close: () => {},
    fromWorker: () => 0,
    received: () => 0,
  };
  const rustFiles = filenames.filter(isRustSource);
  if (rustFiles.length < MIN_FILES_FOR_WORKER) return here;
  const { port1, port2 } = new MessageChannel();
  // [0] counts replies, [1] is set when the worker could not start, [CLAIMS + i] says who
  // highlights file i (0 nobody yet, CLAIMED_BY_WORKER, CLAIMED_HERE)
  const signal = new Int32Array(new SharedArrayBuffer(4 * (CLAIMS + rustFiles.length)));
  let worker: Worker;
  try {
    // the worker module sits beside this one: .ts when run from source, .js when built
    const self = fileURLToPath(import.meta.url);
    const fromSource = extname(self) === '.ts';
    const url = new URL(`./highlight-worker${extname(self)}`, import.meta.url).href;
    // run from source (tests, through tsx), the worker registers tsx's loader itself
    const tsx = fromSource ? import.meta.resolve('tsx/esm/api') : undefined;
    worker = new Worker(WORKER_BOOTSTRAP, {
      eval: true,
      workerData: { filenames: rustFiles, port: port2, signal, url, tsx },
      transferList: [port2],
    });
  } catch {
    port1.close();
    return here;
  }
  worker.unref();
  worker.on('error', () => {}); // a failed worker shows as missing replies: we fall back
  const indexOf = new Map(rustFiles.map((f, i) => [f, i]));
  const replies = new Map<number, HighlightReply>();
  let broken = false;
  let answered = 0;
  let receivedCount = 0;

  /** Moves the replies that arrived into `replies`; true when there were any. */
  const drain = (): boolean => {
    let any = false;
    for (let m = receiveMessageOnPort(port1); m !== undefined; m = receiveMessageOnPort(port1)) {
      const next = m.message as HighlightReply;
      any = true;
      if (next.index === -1) broken = true;
      else {
        replies.set(next.index, next);
        receivedCount++;
      }
    }
    return any;
  };

  /** The worker's reply for file `index`, or undefined when this thread is to highlight it. */
  const take = (index: number): HighlightReply | undefined => {
    for (;;) {
      const reply = replies.get(index);
      if (reply !== undefined) {
        replies.delete(index);
        return reply;
      }
      if (broken) return undefined;
      const seen = Atomics.load(signal, 0);
      if (drain()) continue;
      // not started by the worker (still starting up, or busy with earlier files): do it here
      if (Atomics.compareExchange(signal, CLAIMS + index, 0, CLAIMED_HERE) === 0) return undefined;
      if (Atomics.load(signal, 1) === 1) broken = true;
      else if (Atomics.wait(signal, 0, seen, WORKER_PATIENCE_MS) === 'timed-out') broken = true;
    }
  };

  return {
    highlight: (filename, text) => {
      const index = indexOf.get(filename);
      if (index === undefined) return highlightHere(filename, text);
      indexOf.delete(filename);
      const reply = take(index);
      if (reply === undefined || reply.failed === true || reply.text !== text) {
        return highlightHere(filename, text);
      }
      const runs = unpackRuns(text, reply);
      if (runs === undefined || reply.lineHtml.length !== runs.length) {
        return highlightHere(filename, text);
      }
      answered++;
      return { runs, plainHtml: reply.lineHtml.slice() };
    },
    fromWorker: () => answered,
    received: () => {
      drain();
      return receivedCount;
    },
    close: () => {
      port1.close();
      void worker.terminate();
    },
  };
}
