// esbuild: the browser app bundled with no keystamp-specific flag (`esbuild app.js --bundle
// --minify`), run in headless Chromium; and a Node program bundled with --platform=node.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator } from 'keystamp/emulator';
import {
  APP,
  assertAppReport,
  assertKiiexCalls,
  checkInlineApp,
  kiiexCounts,
  launchChromium,
  outputSize,
  pageReport,
  record,
  run,
  since,
  startFront,
  toolProject,
  VECTORS,
  versionOf,
} from './helpers.mjs';

let emu;
let browser;
let project;

before(async () => {
  [emu, browser, project] = await Promise.all([startEmulator(), launchChromium(), toolProject('esbuild', { from: [APP] })]);
});

after(async () => {
  await browser?.close();
  await emu?.close();
});

const esbuild = (...args) => run(join(project.dir, 'node_modules', '.bin', 'esbuild'), args, { cwd: project.dir });

test('esbuild --bundle for the browser: no init(), no loader flag; vectors and a Client call in Chromium', async (t) => {
  const started = Date.now();
  await esbuild('app.js', '--bundle', '--minify', '--outfile=out/app.js', '--log-level=warning');
  const buildMs = since(started);
  writeFileSync(join(project.dir, 'out', 'index.html'), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><pre id="report"></pre><script src="app.js"></script>\n');
  await checkInlineApp(browser, emu, { root: join(project.dir, 'out') });
  const size = outputSize(join(project.dir, 'out'));
  record(t, { tool: 'esbuild', version: versionOf(project.dir, 'esbuild'), target: 'browser (iife, minified)', result: 'pass', raw: size.raw, gzip: size.gzip, files: size.files, setupMs: project.setupMs, installMs: project.installMs, buildMs, testMs: since(started) });
});

test('esbuild --bundle, keystamp/lite for the browser: vectors in Chromium, no init()', async (t) => {
  const started = Date.now();
  await esbuild('lite.js', '--bundle', '--minify', '--outfile=out-lite/app.js', '--log-level=warning');
  writeFileSync(join(project.dir, 'out-lite', 'index.html'), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><pre id="report"></pre><script src="app.js"></script>\n');
  const front = await startFront({ root: join(project.dir, 'out-lite'), emulator: emu.baseUrls.kiiex });
  try {
    const { report, problems, wasmRequests } = await pageReport(browser, front.url);
    assert.deepEqual(report.signatures, VECTORS.map((v) => v.signature));
    assert.deepEqual(problems, [], `requested: ${front.served.join(' ')}`);
    assert.deepEqual(wasmRequests, []);
  } finally {
    await front.close();
  }
  const size = outputSize(join(project.dir, 'out-lite'));
  record(t, { tool: 'esbuild', version: versionOf(project.dir, 'esbuild'), target: 'browser, keystamp/lite (iife, minified)', result: 'pass', raw: size.raw, gzip: size.gzip, testMs: since(started) });
});

// What Chrome and Edge before 114 do on a page's main thread: refuse to compile a module over
// 4 KB synchronously (WebAssembly.compile and instantiate, asynchronous, are allowed).
const OLD_CHROMIUM = () => {
  const { Module } = WebAssembly;
  WebAssembly.Module = function LimitedModule(bytes) {
    if ((bytes?.byteLength ?? 0) > 4096) throw new RangeError('WebAssembly.Module(): Buffer size is over the limit of 4KB, use WebAssembly.compile');
    return new Module(bytes);
  };
  WebAssembly.Module.prototype = Module.prototype;
};

test('Chrome and Edge before 114 (no synchronous compile): not_initialized until `await init()`, then it signs', async () => {
  await esbuild('old-chromium.js', '--bundle', '--minify', '--outfile=out-old/app.js', '--log-level=warning');
  writeFileSync(join(project.dir, 'out-old', 'index.html'), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><pre id="report"></pre><script src="app.js"></script>\n');
  const front = await startFront({ root: join(project.dir, 'out-old'), emulator: emu.baseUrls.kiiex });
  const signatures = VECTORS.map((v) => v.signature);
  try {
    const old = await pageReport(browser, front.url, { initScript: OLD_CHROMIUM });
    assert.deepEqual(old.report, { beforeInit: { keystamp: true, code: 'not_initialized' }, signatures });
    assert.deepEqual([old.problems, old.wasmRequests], [[], []]);
    const current = await pageReport(browser, front.url);
    assert.deepEqual(current.report, { beforeInit: 'no error', signatures }, 'elsewhere ready at import');
  } finally {
    await front.close();
  }
});

test('esbuild --bundle --platform=node: the bundled program signs and calls Kiiex', async (t) => {
  const started = Date.now();
  await esbuild('server.js', '--bundle', '--platform=node', '--format=esm', '--outfile=out/server.mjs', '--log-level=warning');
  const before = kiiexCounts(emu);
  const { stdout, stderr } = await run(process.execPath, [join(project.dir, 'out', 'server.mjs'), emu.baseUrls.kiiex], { cwd: project.dir });
  assert.equal(stderr, '');
  assertAppReport(JSON.parse(stdout));
  assertKiiexCalls(emu, before);
  const size = outputSize(join(project.dir, 'out'), /^server\.mjs$/);
  record(t, { tool: 'esbuild', version: versionOf(project.dir, 'esbuild'), target: 'node (esm)', result: 'pass', raw: size.raw, gzip: size.gzip, testMs: since(started) });
});
