// Browsers: a page (consumers/browser/) loads the installed package's browser build through an
// import map, straight from the consumer's node_modules/keystamp, served by a small static
// server; headless Chromium (driven by playwright-core) runs it and the page reports JSON.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { chromium } from 'playwright-core';
import { REPORT_FILES, assertReport, makeConsumer } from './helpers.mjs';

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm' };
// Playwright adds --headless itself and gives every launch a fresh temporary profile.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let server;
let origin;
let browser;
const served = [];

/** Serves the files of `root` (and nothing outside it) with their content types. */
function staticServer(root) {
  return createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = resolve(root, `.${path === '/' ? '/index.html' : path}`);
    served.push(path);
    if (!file.startsWith(root + sep)) return res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
}

before(async () => {
  const dir = await makeConsumer('browser', { packageJson: { type: 'module' }, files: REPORT_FILES });
  server = staticServer(dir);
  await new Promise((ready) => server.listen(0, '127.0.0.1', ready));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
    timeout: 30_000,
  });
});

after(async () => {
  await browser?.close();
  await new Promise((done) => (server ? server.close(done) : done()));
});

test('the browser build in headless Chromium: init() then exact signatures, headers and errors', async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => { if (['error', 'warning'].includes(msg.type())) problems.push(`console ${msg.type()}: ${msg.text()}`); });
  try {
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => document.querySelector('#report')?.textContent !== '', null, { timeout: 20_000 });
    const report = JSON.parse(await page.textContent('#report'));
    assertReport(report);
    assert.equal(report.initIsOnePromise, true, 'init() called twice returns the same promise');
    assert.deepEqual(problems, []);
    assert.deepEqual(served.filter((p) => p.endsWith('.wasm')), ['/node_modules/keystamp/dist/keystamp_bg.wasm'],
      'the wasm is fetched once although init() ran three times');
  } finally {
    await page.close();
  }
});
