/**
 * Reading, decoding and highlighting the report's sources on a worker thread, ahead of the pages
 * that show them, for templates whose rows are written here (a restyled `file.hbs` or `lines.hbs`;
 * the built-in file pages have the page script write them in the browser). Highlighting is the
 * largest cost of such a page that does not depend on coverage, so with `--template-dir` the CLI
 * starts the worker before it loads coverage and announces each source file as soon as the
 * coverage mapping names it ({@link SourcePool.prefetch}); by the time pages are built most sources
 * are ready. The worker sends each file's bytes and its packed highlight ({@link PackedHighlight}),
 * the typed arrays transferred rather than copied.
 *
 * The main thread stays synchronous: it takes replies with `receiveMessageOnPort`. Each file is
 * claimed through a shared array before it is highlighted: a file the worker has not started when
 * the main thread needs it is claimed and highlighted by the main thread; for a file the worker is
 * on, the main thread sleeps on a shared counter (`Atomics.wait`). Any failure of the worker (it
 * cannot start, or makes no progress for a long time) falls back to highlighting on the main
 * thread; the sources are the same either way ({@link highlightSource} runs on both threads).
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { rememberDemangled } from './demangle.js';
import { highlightSource } from './highlight.js';
import type { HighlightedSource, PackedHighlight } from './highlighted-source.js';
import { decodeSource } from './source-text.js';

/** A message to the worker: files `first`, `first + 1`, … to read and highlight, in this order. */
export interface SourceRequest {
  readonly first: number;
  readonly filenames: readonly string[];
}

/**
 * A message to the worker: the files (by index) in the order pages will show them; the worker
 * highlights those it has not started in this order, before the rest.
 */
export interface OrderRequest {
  readonly order: readonly number[];
}

/** A message to the worker: symbol names `first`, `first + 1`, … to demangle. */
export interface NamesRequest {
  readonly first: number;
  readonly names: readonly string[];
}

/** The worker's answer for file `index`. */
export type FileReply =
  | { readonly kind: 'file'; readonly index: number; readonly failed: true }
  | ({
      readonly kind: 'file';
      readonly index: number;
      readonly failed?: undefined;
      readonly bytes: Uint8Array;
    } & PackedHighlight);

/**
 * What the worker sends: a file's source; the readable forms of names `first`, `first + 1`, …
 * ({@link readSymbol}); or that it failed as a whole.
 */
export type SourceReply =
  | FileReply
  | { readonly kind: 'names'; readonly first: number; readonly readable: (string | null)[] }
  | { readonly kind: 'broken' };

/** Sources of one report, highlighted ahead on a worker thread where one can run. */
export interface SourcePool {
  /** Announces files the report may show, in page order (repeats are ignored). */
  readonly prefetch: (filenames: readonly string[]) => void;
  /**
   * Announces the order pages will take `filenames` in (those not announced yet are announced):
   * the worker highlights the ones it has not started in this order, ahead of other files. (Files
   * are announced as coverage loading finds them, object by object; pages go in name order.)
   */
  readonly pageOrder: (filenames: readonly string[]) => void;
  /**
   * Has the worker demangle `names` (symbols the pages will show, in page order), ahead of the
   * files it has still to highlight; their readable forms are handed to {@link rememberDemangled}
   * as they arrive (whenever the pool is asked for a source), so that this thread need not
   * demangle them.
   */
  readonly prefetchNames: (names: readonly string[]) => void;
  /**
   * The source of `filename` read from disk and highlighted: the worker's when it has it or is on
   * it, else highlighted on this thread. The worker gives each file once; asking again reads and
   * highlights it here.
   */
  readonly take: (filename: string) => HighlightedSource;
  /** Stops the worker (the pool then highlights on this thread). */
  readonly close: () => void;
  /** Files whose source came from the worker so far. */
  readonly fromWorker: () => number;
  /** Files the worker has answered so far (for tests and diagnostics). */
  readonly received: () => number;
  /** Names the worker has demangled so far (for tests and diagnostics). */
  readonly namesReceived: () => number;
}

/** Index in the shared signal array of the first file's claim. */
export const CLAIMS = 2;
/** Claim values: file read by the worker, or by the main thread. */
export const CLAIMED_BY_WORKER = 1;
export const CLAIMED_HERE = 2;
/** Files a pool can hand to its worker (later ones are read on the main thread). */
const CAPACITY = 1 << 16;
/** Names demangled by the worker per message. */
const NAMES_PER_REQUEST = 2000;
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

function readOrUndefined(filename: string): Uint8Array | undefined {
  try {
    return readFileSync(filename);
  } catch {
    return undefined;
  }
}

/** Reads and highlights `filename` on this thread. */
export function loadSourceHere(filename: string): HighlightedSource {
  return highlightSource(filename, readOrUndefined(filename));
}

/** A pool without a worker: every source is read and highlighted when taken. */
export function sourcesHere(): SourcePool {
  return {
    prefetch: () => {},
    pageOrder: () => {},
    prefetchNames: () => {},
    take: loadSourceHere,
    close: () => {},
    fromWorker: () => 0,
    received: () => 0,
    namesReceived: () => 0,
  };
}

/**
 * Starts the worker of a source pool; without one (it cannot be created) the pool reads and
 * highlights each source on this thread when it is taken.
 */
export function startSourcePool(): SourcePool {
  const { port1, port2 } = new MessageChannel();
  // [0] counts replies, [1] is set when the worker could not start, [CLAIMS + i] says who reads
  // file i (0 nobody yet, CLAIMED_BY_WORKER, CLAIMED_HERE)
  const signal = new Int32Array(new SharedArrayBuffer(4 * (CLAIMS + CAPACITY)));
  let worker: Worker;
  try {
    // the worker module sits beside this one: .ts when run from source, .js when built
    const self = fileURLToPath(import.meta.url);
    const fromSource = extname(self) === '.ts';
    const url = new URL(`./source-worker${extname(self)}`, import.meta.url).href;
    // run from source (tests, through tsx), the worker registers tsx's loader itself
    const tsx = fromSource ? import.meta.resolve('tsx/esm/api') : undefined;
    worker = new Worker(WORKER_BOOTSTRAP, {
      eval: true,
      workerData: { port: port2, signal, url, tsx },
      transferList: [port2],
    });
  } catch {
    port1.close();
    return sourcesHere();
  }
  worker.unref();
  worker.on('error', () => {}); // a failed worker shows as missing replies: we fall back
  /** Announced files' indices (-1 once taken). */
  const indexOf = new Map<string, number>();
  let announced = 0;
  const replies = new Map<number, FileReply>();
  /** Names sent to be demangled, by their index in the requests. */
  const sentNames: string[] = [];
  let closed = false;
  let broken = false;
  let answered = 0;
  let receivedCount = 0;
  let namesCount = 0;

  /** Moves the replies that arrived into `replies`; true when there were any. */
  const drain = (): boolean => {
    let any = false;
    for (let m = receiveMessageOnPort(port1); m !== undefined; m = receiveMessageOnPort(port1)) {
      const next = m.message as SourceReply;
      any = true;
      if (next.kind === 'broken') broken = true;
      else if (next.kind === 'names') {
        next.readable.forEach((name, i) => rememberDemangled(sentNames[next.first + i]!, name));
        namesCount += next.readable.length;
      } else {
        replies.set(next.index, next);
        receivedCount++;
      }
    }
    return any;
  };

  /** The worker's reply for file `index`, or undefined when this thread is to read it. */
  const reply = (index: number): FileReply | undefined => {
    for (;;) {
      const found = replies.get(index);
      if (found !== undefined) {
        replies.delete(index);
        return found;
      }
      if (broken || closed) return undefined;
      const seen = Atomics.load(signal, 0);
      if (drain()) continue;
      // not started by the worker (still starting up, or busy with earlier files): do it here
      if (Atomics.compareExchange(signal, CLAIMS + index, 0, CLAIMED_HERE) === 0) return undefined;
      if (Atomics.load(signal, 1) === 1) broken = true;
      else if (Atomics.wait(signal, 0, seen, WORKER_PATIENCE_MS) === 'timed-out') broken = true;
    }
  };

  const prefetch = (filenames: readonly string[]): void => {
    if (closed || broken) return;
    const first = announced;
    const added: string[] = [];
    for (const filename of filenames) {
      if (indexOf.has(filename) || announced >= CAPACITY) continue;
      indexOf.set(filename, announced++);
      added.push(filename);
    }
    if (added.length > 0) port1.postMessage({ first, filenames: added } satisfies SourceRequest);
  };

  return {
    prefetch,
    pageOrder: (filenames) => {
      prefetch(filenames);
      if (closed || broken) return;
      const order: number[] = [];
      for (const filename of filenames) {
        const index = indexOf.get(filename);
        if (index !== undefined && index !== -1) order.push(index);
      }
      if (order.length > 0) port1.postMessage({ order } satisfies OrderRequest);
    },
    prefetchNames: (names) => {
      if (closed || broken) return;
      // in pieces, so that the first pages' names come back first
      for (let start = 0; start < names.length; start += NAMES_PER_REQUEST) {
        const piece = names.slice(start, start + NAMES_PER_REQUEST);
        port1.postMessage({ first: sentNames.length, names: piece } satisfies NamesRequest);
        sentNames.push(...piece);
      }
    },
    take: (filename) => {
      drain(); // demangled names too
      const index = indexOf.get(filename);
      if (index === undefined) return loadSourceHere(filename);
      indexOf.set(filename, -1);
      if (index === -1) return loadSourceHere(filename);
      const found = reply(index);
      if (found === undefined || found.failed === true) return loadSourceHere(filename);
      answered++;
      const { bytes } = found;
      return {
        available: true,
        // as a Buffer, as read on this thread
        text: decodeSource(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
        runStart: found.runStart,
        runLength: found.runLength,
        runClass: found.runClass,
        openTags: found.openTags,
        depths: found.depths,
        plainHtml: found.plainHtml,
        plainStart: found.plainStart,
      };
    },
    fromWorker: () => answered,
    received: () => {
      drain();
      return receivedCount;
    },
    namesReceived: () => {
      drain();
      return namesCount;
    },
    close: () => {
      if (closed) return;
      closed = true;
      port1.close();
      void worker.terminate();
    },
  };
}
