/**
 * Worker thread of {@link startHighlighter}: reads, decodes and highlights the report's source files
 * in page order, ahead of the main thread, skipping those the main thread claimed, and sends each
 * file's runs back in packed form. After each message it bumps `signal[0]` and wakes the main
 * thread, which waits on it synchronously.
 */
import { readFileSync } from 'node:fs';
import { workerData, type MessagePort } from 'node:worker_threads';
import type { HighlightRequest, HighlightReply } from './highlight-pool.js';

const { filenames, port, signal } = workerData as HighlightRequest & {
  readonly port: MessagePort;
  readonly signal: Int32Array;
};

function post(reply: HighlightReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(reply, transfer);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

try {
  // loaded here, not statically, so that a failure to load still reaches the main thread
  const { CLAIMS, CLAIMED_BY_WORKER, packRuns } = await import('./highlight-pool.js');
  const { highlightLines, isRustSource } = await import('./highlight.js');
  const { decodeSource } = await import('./source-text.js');
  const { renderRunsHtml } = await import('./line-markup.js');
  filenames.forEach((filename, index) => {
    // the main thread highlights the files it needed before the worker got to them
    if (Atomics.compareExchange(signal, CLAIMS + index, 0, CLAIMED_BY_WORKER) !== 0) return;
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(filename);
    } catch {
      post({ index, failed: true });
      return;
    }
    const source = decodeSource(bytes);
    const runs = highlightLines(source.text, isRustSource(filename));
    const lineHtml = runs.map((line, i) => renderRunsHtml(line, source.lines[i]?.text.length ?? 0));
    const packed = packRuns(runs);
    post({ index, text: source.text, lineHtml, ...packed }, [packed.runs.buffer as ArrayBuffer]);
  });
} catch {
  post({ index: -1, failed: true });
}
