#!/usr/bin/env node
// Runs the whole ava suite with TAP output, passes it through, and ends with the plain
// "N passed, N failed, N skipped" line that CI reads (ava's own summary is not recognised).
import { spawn } from 'node:child_process';
import { bundlePage } from './bundle-page.mjs';

// the HTML report copies the file page script beside its pages: build it from the current source
await bundlePage();

const args = ['ava', '--tap', ...process.argv.slice(2)];
const child = spawn('npx', args, { stdio: ['ignore', 'pipe', 'inherit'] });
let passed = 0;
let failed = 0;
let skipped = 0;
let buffered = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  buffered += chunk.toString();
  const lines = buffered.split('\n');
  buffered = lines.pop() ?? '';
  for (const line of lines) count(line);
});
function count(line) {
  if (/^ok \d+/.test(line)) {
    if (/# SKIP/i.test(line)) skipped++;
    else passed++;
  } else if (/^not ok \d+/.test(line)) {
    if (/# TODO/i.test(line)) skipped++;
    else failed++;
  }
}
child.on('close', (code) => {
  if (buffered) count(buffered);
  if (code !== 0 && failed === 0) failed = 1; // a crash outside any test still fails the run
  console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exitCode = code === 0 && failed === 0 ? 0 : 1;
});
