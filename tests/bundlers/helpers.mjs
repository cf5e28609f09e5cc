// Shared set-up of the bundler and framework packaging tests. Each test file takes one tool as a
// user would: a project folder (outside the repository, see WORK) with the tool at the version
// pinned in tests/bundlers/projects/<tool>/package-lock.json (installed once per machine by
// scripts/setup-bundlers.sh and hard-linked from its cache), the project's own files, and the
// packed keystamp tarball installed into node_modules/keystamp. The tool then builds or runs
// the project with no keystamp-specific setting, and the test checks real results: the five
// Kiiex vectors through kiiexSignature, and a Client call to the provider emulator.
// The runtime suites' helpers (tests/runtimes/helpers.mjs) provide the vectors, the tarball and
// process groups; nothing here imports keystamp itself.
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync, appendFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { extname, join, relative, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startEmulator } from 'keystamp/emulator';
import { ARTIFACTS, ROOT, VECTORS, run, tarball } from '../runtimes/helpers.mjs';
export { freePort } from '../ports.mjs';

export { ARTIFACTS, ROOT, VECTORS, livingInGroup, run, startGroup } from '../runtimes/helpers.mjs';

const PROJECTS = join(ROOT, 'tests', 'bundlers', 'projects');
const CACHE_ROOT = process.env.KEYSTAMP_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'keystamp');
/** The installed tool projects (scripts/setup-bundlers.sh). */
const CACHE = join(CACHE_ROOT, 'bundlers');
/** The test projects: outside the repository, so that a tool that looks upward for a lockfile
 * or a workspace root (Next.js does) finds the project's own, as in a user's checkout; next to
 * the cache (one file system, for hard links); one folder per clone. */
const WORK = join(CACHE_ROOT, 'work', createHash('sha256').update(ROOT).digest('hex').slice(0, 12));
/** The matrix rows of the last runs (record()). */
const MATRIX = join(ARTIFACTS, 'bundlers', 'matrix.jsonl');
/** The browser app every browser bundle is built from (tests/bundlers/app/). */
export const APP = join(ROOT, 'tests', 'bundlers', 'app');

/** The Kiiex credentials of a fresh emulator (keystamp/emulator defaultCredentials). */
const KIIEX = { apiKey: '7c3e0f1a2b4d5e6f8091a2b3c4d5e6f7', apiSecret: 'd2f5a1c3b4e6f7089a1b2c3d4e5f6a7b', userId: '184' };

/** What every app is given (cases.js, and cases.json for CommonJS): the inputs of the five
 * vectors (without their signatures) and the emulator's Kiiex credentials. */
export const CASES = {
  vectors: VECTORS.map(({ apiSecret, nonce, userId, apiKey }) => ({ apiSecret, nonce, userId, apiKey })),
  kiiex: KIIEX,
};
export const CASES_JS = `// Written by the test: the inputs of the five Kiiex vectors, and the emulator's Kiiex credentials.
export default ${JSON.stringify(CASES, null, 2)};
`;

/** What GetUserInfo answers through the emulator. */
export const KIIEX_ANSWER = { ok: true, provider: 'kiiex', method: 'POST', path: '/GetUserInfo' };

/**
 * A fresh project of `tool` in the work folder (see WORK), named `name` (default: the tool):
 * the pinned install (hard links to the cache; copied again only when the lockfile changed), the
 * files of tests/bundlers/projects/<tool>/ and of `from` (other folders copied in, e.g. the
 * app), cases.js and cases.json, `files` ({ path: text }), and the packed tarball unpacked into
 * node_modules/keystamp. keystamp has no dependencies and no install scripts, so that is all
 * `npm install keystamp-*.tgz` does to node_modules; unpacking leaves the hard-linked install
 * untouched. Returns `{ dir, installMs, setupMs }` (installMs: a missing cache installed now).
 */
export async function toolProject(tool, { name = tool, from = [], files = {} } = {}) {
  const started = Date.now();
  const source = join(PROJECTS, tool);
  const key = createHash('sha256').update(readFileSync(join(source, 'package-lock.json'))).digest('hex').slice(0, 16);
  const cached = join(CACHE, `${tool}-${key}`);
  let installMs = 0;
  if (!existsSync(join(cached, '.installed'))) {
    const t0 = Date.now();
    await run('bash', [join(ROOT, 'scripts', 'setup-bundlers.sh'), tool], { timeout: 600_000 });
    installMs = Date.now() - t0;
  }
  const dir = join(WORK, name);
  mkdirSync(WORK, { recursive: true });
  utimesSync(WORK, new Date(), new Date()); // in use (setup-bundlers.sh removes folders unused for 7 days)
  const stamp = join(dir, '.tool-key');
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== key) {
    rmSync(dir, { recursive: true, force: true });
    try {
      await run('cp', ['-al', cached, dir]); // hard links: instant, no space
    } catch {
      rmSync(dir, { recursive: true, force: true });
      await run('cp', ['-a', cached, dir]); // another file system
    }
    writeFileSync(stamp, key);
  } else {
    // Keep the install; everything else (sources, build output, tool caches) starts afresh.
    for (const entry of readdirSync(dir)) {
      if (!['node_modules', '.tool-key', '.installed'].includes(entry)) rmSync(join(dir, entry), { recursive: true, force: true });
    }
    rmSync(join(dir, 'node_modules', '.vite'), { recursive: true, force: true });
    rmSync(join(dir, 'node_modules', '.cache'), { recursive: true, force: true });
  }
  for (const folder of [source, ...from]) cpSync(folder, dir, { recursive: true });
  for (const [file, text] of Object.entries({ 'cases.js': CASES_JS, 'cases.json': JSON.stringify(CASES), ...files })) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  const keystamp = join(dir, 'node_modules', 'keystamp');
  rmSync(keystamp, { recursive: true, force: true });
  mkdirSync(keystamp, { recursive: true });
  await run('tar', ['-xzf', tarball(), '-C', keystamp, '--strip-components=1']);
  return { dir, installMs, setupMs: Date.now() - started };
}

/** The binary of Node `major` from the pinned npm platform package (the `node` tool project). */
export async function nodeBinary(major) {
  const { dir } = await toolProject('node');
  const bin = join(dir, 'node_modules', `node${major}`, 'bin', 'node');
  assert.ok(existsSync(bin), `node${major} is installed`);
  return bin;
}


const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm' };

/**
 * The server the browser talks to, on 127.0.0.1: requests under /kiiex/ go to the provider
 * emulator (same origin for the page, so no CORS is involved), everything else to the files of
 * `root` or, for a dev server, to `upstream` (WebSocket upgrades included). `served` lists every
 * path asked for.
 */
export async function startFront({ root, upstream, emulator }) {
  const served = [];
  const emu = new URL(emulator);
  const forward = (target, req, res) => {
    const out = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => { if (!res.headersSent) res.writeHead(502); res.end(); });
    req.pipe(out);
  };
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    served.push(path);
    if (path.startsWith('/kiiex/')) return forward(emu, req, res);
    if (upstream) return forward(new URL(upstream), req, res);
    const file = resolve(root, `.${path === '/' ? '/index.html' : path}`);
    if (!file.startsWith(root + sep)) return res.writeHead(403).end();
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  server.on('upgrade', (req, socket, head) => {
    const target = new URL(upstream ?? emulator);
    const out = connect(Number(target.port), target.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      out.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) out.write(head);
      out.pipe(socket);
      socket.pipe(out);
    });
    out.on('error', () => socket.destroy());
    socket.on('error', () => out.destroy());
  });
  await new Promise((ready) => server.listen(0, '127.0.0.1', ready));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    served,
    close: () => new Promise((done) => { server.closeAllConnections?.(); server.close(done); }),
  };
}

/** Headless Chromium (playwright-core, the Debian build), as the runtime suites use it. */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    timeout: 30_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Opens `url` and returns the JSON the app wrote into #report, the page's errors and warnings,
 * and every .wasm the page requested. `initScript` runs in the page before its own scripts.
 */
export async function pageReport(browser, url, { timeout = 30_000, initScript } = {}) {
  const page = await browser.newPage();
  if (initScript) await page.addInitScript(initScript);
  const problems = [];
  const wasmRequests = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => { if (['error', 'warning'].includes(msg.type())) problems.push(`console ${msg.type()}: ${msg.text()}`); });
  page.on('request', (req) => { if (/\.wasm($|\?)/.test(new URL(req.url()).pathname)) wasmRequests.push(new URL(req.url()).pathname); });
  try {
    await page.goto(url);
    await page.waitForFunction(() => document.querySelector('#report')?.textContent, null, { timeout });
    return { report: JSON.parse(await page.textContent('#report')), problems, wasmRequests };
  } catch (err) {
    throw new Error(`${url}: ${err.message}\n${problems.join('\n')}`);
  } finally {
    await page.close();
  }
}

/** The emulator's Kiiex request counts, to compare before and after one app's run. */
export function kiiexCounts(emu) {
  return { auth: emu.count('kiiex', 'auth'), api: emu.count('kiiex', 'api') };
}

/**
 * Checks what one app run did at the emulator since `before`: exactly one AuthenticateUser,
 * whose Signature is HMAC-SHA256 computed here with node:crypto, then `calls` GetUserInfo calls
 * carrying the session token it got.
 */
export function assertKiiexCalls(emu, before, calls = 1) {
  assert.deepEqual(kiiexCounts(emu), { auth: before.auth + 1, api: before.api + calls }, 'one AuthenticateUser, then the API calls');
  const auth = emu.requests.filter((r) => r.provider === 'kiiex' && r.route === 'auth').at(-1);
  assert.equal(auth.headers.apikey, KIIEX.apiKey);
  assert.equal(auth.headers.userid, KIIEX.userId);
  assert.match(auth.headers.nonce, /^\d+$/);
  assert.equal(auth.headers.signature, createHmac('sha256', KIIEX.apiSecret).update(auth.headers.nonce + KIIEX.userId + KIIEX.apiKey).digest('hex'));
  const api = emu.requests.filter((r) => r.provider === 'kiiex' && r.route === 'api').slice(-calls);
  for (const r of api) {
    assert.equal(r.path, '/kiiex/ap/GetUserInfo');
    assert.equal(r.status, 200, 'the emulator accepted the session token');
  }
}

/** Checks an app's report: the five vector signatures, and the Client's answer. */
export function assertAppReport(report) {
  assert.equal(report.error, undefined, `the app failed: ${JSON.stringify(report.error)}`);
  assert.deepEqual(report.signatures, VECTORS.map((v) => v.signature), 'kiiexSignature, every vector');
  assert.deepEqual(report.client, { status: 200, body: KIIEX_ANSWER }, 'the Client call through the emulator');
}

/** Serves the app (`frontOptions` as for startFront: a `root` folder or an `upstream` server) with
 * /kiiex/ forwarded to the emulator, loads it in Chromium and checks it: the five vectors, one
 * Client call to the emulator, no page problem, and no `.wasm` fetched (the module is inline).
 * Returns the paths the front served. */
export async function checkInlineApp(browser, emu, frontOptions) {
  const front = await startFront({ ...frontOptions, emulator: emu.baseUrls.kiiex });
  try {
    const before = kiiexCounts(emu);
    const { report, problems, wasmRequests } = await pageReport(browser, front.url);
    assertAppReport(report);
    assertKiiexCalls(emu, before);
    assert.deepEqual(problems, [], `requested: ${front.served.join(' ')}`);
    assert.deepEqual(wasmRequests, [], 'the module is inline: no .wasm to fetch');
    return front.served;
  } finally {
    await front.close();
  }
}

/** The emulator and a Chromium for a test file: `{ emu, browser, stop }`. */
export async function startEmulatorAndChromium() {
  const [emu, browser] = await Promise.all([startEmulator(), launchChromium()]);
  return { emu, browser, stop: async () => { await browser.close(); await emu.close(); } };
}

/** Raw and gzip (-9) bytes of the files under `dir` whose names match `pattern`, summed. */
export function outputSize(dir, pattern = /\.(m?js|wasm)$/) {
  let raw = 0;
  let gzip = 0;
  const files = [];
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (pattern.test(entry.name)) {
        const bytes = readFileSync(path);
        raw += bytes.length;
        gzip += gzipSync(bytes, { level: 9 }).length;
        files.push(relative(dir, path));
      }
    }
  };
  walk(dir);
  return { raw, gzip, files };
}

/**
 * Records one row of the matrix (tool, version, result, size, times) in
 * tests/.artifacts/bundlers/matrix.jsonl, and prints it as a test diagnostic.
 */
export function record(t, row) {
  mkdirSync(join(MATRIX, '..'), { recursive: true });
  appendFileSync(MATRIX, `${JSON.stringify({ at: new Date().toISOString(), ...row })}\n`);
  t.diagnostic(JSON.stringify(row));
}

/** The version of an installed package, read from its package.json. */
export function versionOf(dir, pkg) {
  return JSON.parse(readFileSync(join(dir, 'node_modules', pkg, 'package.json'), 'utf8')).version;
}

/** Milliseconds since `started`. */
export const since = (started) => Date.now() - started;
