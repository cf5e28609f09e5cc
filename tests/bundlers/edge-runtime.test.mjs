// Vercel's edge-runtime (the VM behind `next dev` Edge routes and Vercel's local tooling): it
// evaluates a script, not modules, so the Edge Function (app/edge.js) is bundled by esbuild into
// one IIFE with no keystamp-specific flag (no .wasm loader: the module is inline), then served by
// the `edge-runtime --listen` CLI and called over HTTP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startEmulator } from 'keystamp/emulator';
import {
  APP, assertAppReport, assertKiiexCalls, kiiexCounts, livingInGroup, outputSize, record, run, since, startGroup,
  toolProject, versionOf,
} from './helpers.mjs';

let emu;
let project;
let server;
let url;
let buildMs;

before(async () => {
  [emu, project] = await Promise.all([startEmulator(), toolProject('edge-runtime', { from: [APP] })]);
  const started = Date.now();
  await run(join(project.dir, 'node_modules', '.bin', 'esbuild'), ['edge.js', '--bundle', '--format=iife', '--minify', '--outfile=out/edge.js', '--log-level=warning'], { cwd: project.dir });
  buildMs = since(started);
  server = startGroup(process.execPath, [join(project.dir, 'node_modules', 'edge-runtime', 'dist', 'cli', 'index.js'), '--listen', 'out/edge.js', '--host', '127.0.0.1', '--port', '0'], {
    cwd: project.dir, env: { NO_COLOR: '1' },
  });
  [, url] = await server.waitFor(/(http:\/\/127\.0\.0\.1:\d+)/, 30_000);
});

after(async () => {
  if (server) {
    await server.stop();
    assert.deepEqual(livingInGroup(server.pid), [], 'edge-runtime has ended');
  }
  await emu?.close();
});

test('edge-runtime: an esbuild IIFE bundle signs the vectors and calls Kiiex through the Client', async (t) => {
  const started = Date.now();
  const { signatures } = await (await fetch(`${url}/signatures`)).json();
  const before = kiiexCounts(emu);
  const client = await (await fetch(`${url}/kiiex?base=${encodeURIComponent(emu.baseUrls.kiiex)}`)).json();
  assertAppReport({ signatures, client });
  assertKiiexCalls(emu, before);
  const size = outputSize(join(project.dir, 'out'));
  record(t, { tool: 'edge-runtime', version: versionOf(project.dir, 'edge-runtime'), target: 'esbuild iife', result: 'pass', raw: size.raw, gzip: size.gzip, setupMs: project.setupMs, installMs: project.installMs, buildMs, testMs: since(started) });
});
