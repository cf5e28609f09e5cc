// webpack 5: the browser app as src/index.js, built by the webpack CLI with no configuration file
// (`webpack --mode=production`: entry ./src/index.js, output dist/main.js), run in headless
// Chromium; and the same app built for Node (`--target=node`), run by node.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  APP,
  assertAppReport,
  assertKiiexCalls,
  CASES_JS,
  checkInlineApp,
  kiiexCounts,
  outputSize,
  record,
  run,
  since,
  startEmulatorAndChromium,
  toolProject,
  versionOf,
} from './helpers.mjs';

let emu;
let browser;
let stop;

before(async () => ({ emu, browser, stop } = await startEmulatorAndChromium()));
after(() => stop?.());

test('webpack 5, no config file: vectors and a Client call in Chromium, no init()', async (t) => {
  const project = await toolProject('webpack', {
    files: { 'src/index.js': readFileSync(join(APP, 'app.js'), 'utf8'), 'src/cases.js': CASES_JS },
  });
  const started = Date.now();
  await run(join(project.dir, 'node_modules', '.bin', 'webpack'), ['--mode=production', '--no-stats'], { cwd: project.dir, timeout: 120_000 });
  const buildMs = since(started);
  writeFileSync(join(project.dir, 'dist', 'index.html'), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><pre id="report"></pre><script src="main.js"></script>\n');
  await checkInlineApp(browser, emu, { root: join(project.dir, 'dist') });
  const size = outputSize(join(project.dir, 'dist'));
  assert.deepEqual(size.files, ['main.js'], 'one bundle, no .wasm asset');
  record(t, { tool: 'webpack', version: versionOf(project.dir, 'webpack'), target: 'web (production)', result: 'pass', raw: size.raw, gzip: size.gzip, files: size.files, setupMs: project.setupMs, installMs: project.installMs, buildMs, testMs: since(started) });
});

test('webpack 5 --target=node: the bundled program signs and calls Kiiex', async (t) => {
  const project = await toolProject('webpack', {
    name: 'webpack-node',
    files: { 'src/index.js': readFileSync(join(APP, 'server.js'), 'utf8'), 'src/cases.js': CASES_JS },
  });
  const started = Date.now();
  await run(join(project.dir, 'node_modules', '.bin', 'webpack'), ['--mode=production', '--target=node', '--no-stats'], { cwd: project.dir, timeout: 120_000 });
  const before = kiiexCounts(emu);
  const { stdout, stderr } = await run(process.execPath, [join(project.dir, 'dist', 'main.js'), emu.baseUrls.kiiex], { cwd: project.dir });
  assert.equal(stderr, '');
  assertAppReport(JSON.parse(stdout));
  assertKiiexCalls(emu, before);
  const size = outputSize(join(project.dir, 'dist'));
  record(t, { tool: 'webpack', version: versionOf(project.dir, 'webpack'), target: 'node', result: 'pass', raw: size.raw, gzip: size.gzip, files: size.files, testMs: since(started) });
});
