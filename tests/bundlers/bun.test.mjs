// Bun (the npm package `bun`, which ships the binary): `bun build --target=browser` of the
// browser app, run in headless Chromium; and `bun run` of a Node-style program (ES module and
// CommonJS), which calls Kiiex through keystamp's Client.
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
  record,
  run,
  since,
  toolProject,
  VECTORS,
} from './helpers.mjs';

// `import` and `require` in one Bun process: the same objects (the `bun` condition gives both
// the ES module, which Bun can require).
const ONE_INSTANCE = `import * as imported from 'keystamp';
import { createRequire } from 'node:module';
const required = createRequire(import.meta.url)('keystamp');
console.log(JSON.stringify(Object.keys(imported).filter((name) => imported[name] !== required[name])));
`;
let emu;
let browser;
let project;
let bun;

before(async () => {
  [emu, browser, project] = await Promise.all([
    startEmulator(), launchChromium(), toolProject('bun', { from: [APP], files: { 'one-instance.mjs': ONE_INSTANCE } }),
  ]);
  bun = join(project.dir, 'node_modules', 'bun', 'bin', 'bun.exe');
});

after(async () => {
  await browser?.close();
  await emu?.close();
});

// No telemetry, no install on the fly (node_modules is there), caches inside the project.
const BUN_ENV = () => ({ DO_NOT_TRACK: '1', BUN_INSTALL_CACHE_DIR: join(project.dir, '.bun-cache'), NO_COLOR: '1' });

test('bun build --target=browser: vectors and a Client call in Chromium, no init(), no loader flag', async (t) => {
  const started = Date.now();
  await run(bun, ['build', './app.js', '--target=browser', '--minify', '--outdir=out'], { cwd: project.dir, env: BUN_ENV() });
  const buildMs = since(started);
  writeFileSync(join(project.dir, 'out', 'index.html'), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><pre id="report"></pre><script type="module" src="app.js"></script>\n');
  await checkInlineApp(browser, emu, { root: join(project.dir, 'out') });
  const size = outputSize(join(project.dir, 'out'));
  assert.ok(size.files.every((f) => !f.endsWith('.wasm')), `no .wasm asset: ${size.files}`);
  record(t, { tool: 'bun build', version: (await run(bun, ['--version'])).stdout.trim(), target: 'browser (minified)', result: 'pass', raw: size.raw, gzip: size.gzip, files: size.files, setupMs: project.setupMs, installMs: project.installMs, buildMs, testMs: since(started) });
});

test('bun run: an ES module signs and calls Kiiex; require() signs; one module instance', async (t) => {
  const started = Date.now();
  const before = kiiexCounts(emu);
  const esm = await run(bun, ['run', '--no-install', 'server.js', emu.baseUrls.kiiex], { cwd: project.dir, env: BUN_ENV() });
  assert.equal(esm.stderr, '');
  assertAppReport(JSON.parse(esm.stdout));
  assertKiiexCalls(emu, before);
  const cjs = await run(bun, ['run', '--no-install', 'require.cjs'], { cwd: project.dir, env: BUN_ENV() });
  assert.equal(cjs.stderr, '');
  assert.deepEqual(JSON.parse(cjs.stdout).signatures, VECTORS.map((v) => v.signature));
  const both = await run(bun, ['run', '--no-install', 'one-instance.mjs'], { cwd: project.dir, env: BUN_ENV() });
  assert.deepEqual(JSON.parse(both.stdout), [], 'import and require give the same objects');
  record(t, { tool: 'bun run', version: (await run(bun, ['--version'])).stdout.trim(), target: 'bun (esm + require)', result: 'pass', testMs: since(started) });
});
