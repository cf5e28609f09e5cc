// Vite: the browser app (index.html + app.js importing keystamp, no vite.config) built with
// `vite build` and served as files, and served by `vite` (the dev server, which pre-bundles
// keystamp into node_modules/.vite), in headless Chromium. Vite 8 (Rolldown) and the two majors
// before it (6 and 7: esbuild pre-bundling, whose relocated `new URL(…, import.meta.url)` once
// fetched index.html instead of the .wasm).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  APP,
  checkInlineApp,
  freePort,
  livingInGroup,
  outputSize,
  record,
  run,
  since,
  startEmulatorAndChromium,
  startGroup,
  toolProject,
  versionOf,
} from './helpers.mjs';

const VITES = [['vite', 'Vite 8'], ['vite7', 'Vite 7'], ['vite6', 'Vite 6']];
let emu;
let browser;
let stop;

before(async () => ({ emu, browser, stop } = await startEmulatorAndChromium()));
after(() => stop?.());

for (const [pkg, name] of VITES) {
  test(`${name}: vite build, no config, no init(); vectors and a Client call in Chromium`, async (t) => {
    const project = await toolProject('vite', { name: pkg, from: [APP] });
    const vite = join(project.dir, 'node_modules', pkg, 'bin', 'vite.js');
    const started = Date.now();
    await run(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: project.dir, timeout: 120_000, env: { NO_COLOR: '1' } });
    const buildMs = since(started);
    await checkInlineApp(browser, emu, { root: join(project.dir, 'dist') });
    const size = outputSize(join(project.dir, 'dist'));
    assert.ok(size.files.every((f) => !f.endsWith('.wasm')), `no .wasm asset emitted: ${size.files}`);
    record(t, { tool: name, version: versionOf(project.dir, pkg), target: 'vite build', result: 'pass', raw: size.raw, gzip: size.gzip, files: size.files, setupMs: project.setupMs, installMs: project.installMs, buildMs, testMs: since(started) });
  });

  test(`${name}: the dev server, no config, no init(); vectors and a Client call in Chromium`, async (t) => {
    const project = await toolProject('vite', { name: `${pkg}-dev`, from: [APP] });
    const vite = join(project.dir, 'node_modules', pkg, 'bin', 'vite.js');
    const started = Date.now();
    const port = await freePort();
    const server = startGroup(process.execPath, [vite, '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
      cwd: project.dir, env: { NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    try {
      await server.waitFor(/Local:\s+http:\/\/127\.0\.0\.1:\d+/, 30_000);
      const served = await checkInlineApp(browser, emu, { upstream: `http://127.0.0.1:${port}` });
      assert.ok(served.some((p) => p.includes('/node_modules/.vite/deps/keystamp')), `keystamp was pre-bundled: ${served.join(' ')}`);
    } finally {
      await server.stop();
      assert.deepEqual(livingInGroup(server.pid), [], 'the dev server and its children have ended');
    }
    record(t, { tool: name, version: versionOf(project.dir, pkg), target: 'vite dev', result: 'pass', setupMs: project.setupMs, testMs: since(started) });
  });
}
