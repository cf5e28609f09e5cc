// Next.js 16 with no next.config and no keystamp setting, built by Turbopack (the default) and by
// webpack (`next build --webpack`), then served by `next start`:
//   app/page.js            a 'use client' page: prerendered at build time on the server (the
//                          Node entry), rendered again in headless Chromium (the browser entry),
//                          where the Client calls Kiiex through the test's server;
//   app/api/node/route.js  a Node.js route handler: vectors and a Client call, over HTTP;
//   app/api/edge/route.js  an Edge route handler (`edge-light`: the module comes from a `?module`
//                          import, compiling from bytes is not allowed there): the same.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  assertAppReport,
  assertKiiexCalls,
  freePort,
  kiiexCounts,
  livingInGroup,
  outputSize,
  pageReport,
  record,
  run,
  since,
  startEmulatorAndChromium,
  startFront,
  startGroup,
  toolProject,
  VECTORS,
  versionOf,
} from './helpers.mjs';

const BUILDS = [['Turbopack', []], ['webpack', ['--webpack']]];
const ENV = { NEXT_TELEMETRY_DISABLED: '1', NO_COLOR: '1' };
let emu;
let browser;
let stop;

before(async () => ({ emu, browser, stop } = await startEmulatorAndChromium()));
after(() => stop?.());

/** The client chunk that carries keystamp's inline module (base64 of "\0asm"). */
function keystampChunk(dir) {
  const chunks = join(dir, '.next', 'static', 'chunks');
  const found = readdirSync(chunks, { recursive: true }).filter((f) => f.endsWith('.js') && readFileSync(join(chunks, f), 'latin1').includes('AGFzbQ'));
  assert.equal(found.length, 1, `one client chunk holds the module: ${found}`);
  return outputSize(chunks, new RegExp(`^${found[0].split('/').pop().replace(/[.]/g, '\\.')}$`));
}

for (const [bundler, flags] of BUILDS) {
  test(`Next.js (${bundler}): a 'use client' page, a Node route and an Edge route; no config, no init()`, async (t) => {
    const project = await toolProject('next', { name: `next-${bundler.toLowerCase()}` });
    const next = join(project.dir, 'node_modules', 'next', 'dist', 'bin', 'next');
    const started = Date.now();
    await run(process.execPath, [next, 'build', ...flags], { cwd: project.dir, env: ENV, timeout: 300_000 });
    const buildMs = since(started);

    const port = await freePort();
    const server = startGroup(process.execPath, [next, 'start', '-H', '127.0.0.1', '-p', String(port)], { cwd: project.dir, env: ENV });
    let front;
    try {
      await server.waitFor(/Ready in/, 30_000);
      const origin = `http://127.0.0.1:${port}`;
      const signatures = VECTORS.map((v) => v.signature);

      // The page as `next build` prerendered it: signed on the server.
      const html = await (await fetch(`${origin}/`)).text();
      assert.match(html, new RegExp(`id="prerendered">${signatures.join(' ')}<`), 'the prerendered page holds the five signatures');

      // The page in Chromium: signed again in the browser, and the Client's call.
      front = await startFront({ upstream: origin, emulator: emu.baseUrls.kiiex });
      let before = kiiexCounts(emu);
      const { report, problems, wasmRequests } = await pageReport(browser, front.url);
      assertAppReport(report);
      assertKiiexCalls(emu, before);
      assert.deepEqual(problems, [], `requested: ${front.served.join(' ')}`);
      assert.deepEqual(wasmRequests, [], 'the module is inline: no .wasm to fetch');

      // The route handlers, over HTTP: each signs and calls the emulator itself.
      for (const route of ['node', 'edge']) {
        before = kiiexCounts(emu);
        const res = await fetch(`${origin}/api/${route}?base=${encodeURIComponent(emu.baseUrls.kiiex)}`);
        assert.equal(res.status, 200, `/api/${route}: ${res.status}`);
        assertAppReport(await res.json());
        assertKiiexCalls(emu, before);
      }
    } finally {
      await front?.close();
      await server.stop();
      assert.deepEqual(livingInGroup(server.pid), [], 'next start has ended');
    }
    const size = keystampChunk(project.dir);
    assert.deepEqual(readdirSync(join(project.dir, '.next', 'static'), { recursive: true }).filter((f) => f.endsWith('.wasm')), [], 'no .wasm among the client assets');
    record(t, { tool: `Next.js (${bundler})`, version: versionOf(project.dir, 'next'), target: 'client page chunk with keystamp; Node and Edge routes', result: 'pass', raw: size.raw, gzip: size.gzip, setupMs: project.setupMs, installMs: project.installMs, buildMs, testMs: since(started) });
  });
}
