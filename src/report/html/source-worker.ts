/**
 * Worker thread of {@link startSourcePool}: reads, decodes and highlights the files the main thread
 * announces, in the order announced (in the pages' order once that is given), skipping those the
 * main thread claimed, and sends each file's bytes and packed highlight back (the typed arrays
 * transferred, not copied); demangles the symbol names it is given, ahead of the files still
 * queued. After each message it bumps `signal[0]` and wakes the main thread, which waits on it
 * synchronously.
 */
import { readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { workerData, type MessagePort } from 'node:worker_threads';
import type { NamesRequest, OrderRequest, SourceReply, SourceRequest } from './source-pool.js';

/** Nice value of this thread (Linux): below the main thread's, which waits for nothing it does. */
const WORKER_NICE = 10;

const { port, signal } = workerData as { readonly port: MessagePort; readonly signal: Int32Array };

function post(reply: SourceReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(reply, transfer);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

/** The buffer under `bytes` when they span all of it (so it can be transferred), else a copy. */
function ownBuffer(bytes: Uint8Array): Uint8Array {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes;
  return bytes.slice();
}

try {
  // Background work: on Linux the nice value is per thread, so this lowers only this thread's,
  // and the main thread's garbage-collector helpers get the other core when they need it.
  if (process.platform === 'linux') {
    try {
      setPriority(WORKER_NICE);
    } catch {
      // not allowed: run at the process's priority
    }
  }
  // loaded here, not statically, so that a failure to load still reaches the main thread
  const { CLAIMS, CLAIMED_BY_WORKER } = await import('./source-pool.js');
  const { highlightText, isRustSource } = await import('./highlight.js');
  const { decodeSource } = await import('./source-text.js');
  const { readSymbol } = await import('./demangle.js');
  /** Files (index and name) to read and highlight, in order. */
  let queue: [number, string][] = [];
  /** Announced files by index. */
  const filenames: string[] = [];
  /**
   * Names to demangle: served before the files still queued, since the main thread needs them as
   * soon as it builds pages, while the files are highlighted well ahead of it.
   */
  const names: NamesRequest[] = [];
  let next = 0;
  let scheduled = false;
  const work = (): void => {
    scheduled = false;
    const request = names.shift();
    if (request !== undefined) {
      post({
        kind: 'names',
        first: request.first,
        readable: request.names.map((n) => readSymbol(n)),
      });
      schedule();
      return;
    }
    const item = queue[next++];
    if (item === undefined) return;
    const [index, filename] = item;
    // the main thread reads the files it needed before this thread got to them
    if (Atomics.compareExchange(signal, CLAIMS + index, 0, CLAIMED_BY_WORKER) === 0) {
      let bytes: Uint8Array | undefined;
      try {
        bytes = ownBuffer(readFileSync(filename));
      } catch {
        post({ kind: 'file', index, failed: true });
      }
      if (bytes !== undefined) {
        const text = decodeSource(bytes);
        const packed = highlightText(text, isRustSource(filename));
        post({ kind: 'file', index, bytes, ...packed }, [
          bytes.buffer as ArrayBuffer,
          packed.runStart.buffer as ArrayBuffer,
          packed.runLength.buffer as ArrayBuffer,
          packed.runClass.buffer as ArrayBuffer,
          packed.plainStart.buffer as ArrayBuffer,
        ]);
      }
    }
    schedule();
  };
  // one file per turn, so that announcements arriving meanwhile are queued in order
  const schedule = (): void => {
    if (scheduled || (next >= queue.length && names.length === 0)) return;
    scheduled = true;
    setImmediate(work);
  };
  port.on('message', (request: SourceRequest | NamesRequest | OrderRequest) => {
    if ('names' in request) names.push(request);
    else if ('order' in request) {
      // the pages' files first; any file met twice is skipped the second time (claimed already)
      const first: [number, string][] = request.order.map((index) => [index, filenames[index]!]);
      queue = [...first, ...queue.slice(next)];
      next = 0;
    } else {
      request.filenames.forEach((filename, i) => {
        filenames[request.first + i] = filename;
        queue.push([request.first + i, filename]);
      });
    }
    schedule();
  });
} catch {
  post({ kind: 'broken' });
}
