// What a user downloads: the .wasm and the JS glue (the wasm-bindgen module, its snippets and
// the runtime entry), raw and gzip -9.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

import { fmt, table } from './measure.mjs';

/** The 40 KB gzip budget of wasm + glue. */
export const BUDGET_GZIP = 40 * 1024;

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

function measure(paths) {
  const bytes = paths.map((p) => readFileSync(p));
  return { raw: bytes.reduce((n, b) => n + b.length, 0), gzip: bytes.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0) };
}

/** Sizes of one build: the .wasm, and the glue (keystamp.js, errors.js and the snippets in
 * `dist`, plus the runtime `entry` file, default: Node's). */
export function sizes(dist, entry = path.join(dist, '../entries/node.js')) {
  const glue = [path.join(dist, 'keystamp.js'), path.join(dist, 'errors.js'), entry];
  glue.push(...files(path.join(dist, 'snippets')).filter((f) => f.endsWith('.js') && statSync(f).isFile()));
  const wasm = measure([path.join(dist, 'keystamp_bg.wasm')]);
  const js = measure(glue);
  return { wasm, js, total: { raw: wasm.raw + js.raw, gzip: wasm.gzip + js.gzip } };
}

/** Sizes of both builds of the package in `dir`: `{ full, lite }`. */
export function packageSizes(dir) {
  return { full: sizes(path.join(dir, 'dist')), lite: sizes(path.join(dir, 'dist/lite'), path.join(dir, 'dist/lite/entries/node.js')) };
}

/** Markdown for `packageSizes`. */
export function report({ full, lite }) {
  const verdict = (s) => (s.total.gzip <= BUDGET_GZIP ? 'within budget' : `${fmt.kb(s.total.gzip - BUDGET_GZIP)} over`);
  const rows = [
    ['`keystamp` (with the Client)', full],
    ['`keystamp/lite` (headers and signatures)', lite],
  ].map(([name, s]) => [name, fmt.kb(s.wasm.raw), fmt.kb(s.wasm.gzip), fmt.kb(s.js.gzip), `**${fmt.kb(s.total.gzip)}**`, verdict(s)]);
  return `Size (gzip -9 per file; glue = keystamp.js, errors.js, the snippets and the Node entry):\n\n${table(
    ['module', '.wasm raw', '.wasm gzip', 'JS glue gzip', 'wasm + glue gzip', `vs ${fmt.kb(BUDGET_GZIP)}`],
    rows,
  )}\n`;
}
