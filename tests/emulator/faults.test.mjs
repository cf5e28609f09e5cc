// Failure injection for the Client's fault tests: answers that never come, come late, come
// with Retry-After, junk, slow, endless or huge bodies, skewed Date headers, short-lived tokens,
// large 401 bodies, reset connections; and the connection counter that shows keep-alive reuse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { startEmulator } from 'keystamp/emulator';
import { T0, call, defindexLogin, jwtParts, setup } from './helpers.mjs';

const depayAuth = (emu, init = {}) => fetch(`${emu.baseUrls.depay}/auth/token`, { ...init, headers: { 'x-api-key': emu.credentials.depay.apiKey } });
/** Reads a body to its end without keeping it; resolves to 'ended' or the error's name. */
const discard = async (res) => { try { for await (const chunk of res.body) void chunk; return 'ended'; } catch (err) { return err.name; } };
const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

test('hang: no answer ever (status 0 in the log); the next request is answered; close() ends a hung one', async (t) => {
  const { emu } = await setup(t);
  assert.equal((await depayAuth(emu)).status, 200); // fetch is loaded and connected: the timeout below measures the hang only
  emu.failNext('depay', 'auth', { hang: true });
  const started = performance.now();
  await assert.rejects(depayAuth(emu, { signal: AbortSignal.timeout(200) }), { name: 'TimeoutError' });
  assert.ok(performance.now() - started >= 190);
  assert.deepEqual(emu.requests.map((r) => [r.route, r.status]), [['auth', 200], ['auth', 0]]);
  assert.equal((await depayAuth(emu)).status, 200, 'armed for one request only');
  const emu2 = await startEmulator();
  emu2.failNext('adjutor', 'api', { hang: true, times: 2 });
  const hung = [1, 2].map(() => fetch(`${emu2.baseUrls.adjutor}/x`).then((r) => r.status, (e) => e.name));
  while (emu2.count('adjutor', 'api') < 2) await sleep(5); // both arrived and hang
  const closing = performance.now();
  await emu2.close();
  assert.ok(performance.now() - closing < 1000, 'close() does not wait for hung requests');
  assert.deepEqual(await Promise.all(hung), ['TypeError', 'TypeError']);
});

test('429 and 503 with Retry-After in seconds or as an HTTP date on the emulator clock', async (t) => {
  const { emu } = await setup(t);
  emu.failNext('depay', 'auth', { status: 429, retryAfter: 30, body: { statusCode: 429, message: 'Too Many Requests' } });
  emu.failNext('depay', 'auth', { status: 503, retryAfter: new Date(T0 + 120_000) });
  emu.failNext('depay', 'auth', { status: 503, retryAfter: 'soon' });
  const got = [];
  for (let i = 0; i < 4; i++) {
    const res = await depayAuth(emu);
    got.push([res.status, res.headers.get('retry-after'), (await res.json()).statusCode]);
  }
  assert.deepEqual(got, [[429, '30', 429], [503, 'Thu, 01 Jan 2026 12:02:00 GMT', undefined], [503, 'soon', undefined], [200, null, undefined]]);
  // Retry-After also decorates a real answer when no replacing key is given.
  emu.failNext('depay', 'api', { retryAfter: 5 });
  const real = await call(`${emu.baseUrls.depay}/v2/x`);
  assert.deepEqual([real.status, real.headers.get('retry-after'), real.body.statusCode], [401, '5', 401]);
});

test('junk: a 200 HTML body; rawBody verbatim; a route wildcard hits every route of the provider', async (t) => {
  const { emu } = await setup(t);
  emu.failNext('depay', 'auth', { junk: true });
  const junk = await depayAuth(emu);
  assert.equal(junk.status, 200);
  assert.equal(junk.headers.get('content-type'), 'text/html');
  const text = await junk.text();
  assert.match(text, /^<html>.*502 Bad Gateway.*<\/html>$/);
  assert.throws(() => JSON.parse(text));
  emu.failNext('depay', '*', { status: 503, times: 2 });
  assert.equal((await depayAuth(emu)).status, 503);
  assert.equal((await fetch(`${emu.baseUrls.depay}/v2/x`)).status, 503);
  assert.equal((await depayAuth(emu)).status, 200);
  // Infinity: every request until clearFailures().
  emu.failNext('depay', 'auth', { status: 429, retryAfter: 60, times: Infinity });
  emu.failNext('adjutor', 'api', { status: 500, times: Infinity });
  const limited = await Promise.all(Array.from({ length: 20 }, () => depayAuth(emu).then((r) => r.status)));
  assert.deepEqual(new Set(limited), new Set([429]));
  emu.clearFailures('depay');
  assert.equal((await depayAuth(emu)).status, 200);
  assert.equal((await fetch(`${emu.baseUrls.adjutor}/x`)).status, 500, "another provider's failure stays armed");
  emu.clearFailures();
  assert.equal((await fetch(`${emu.baseUrls.adjutor}/x`)).status, 401);
  assert.throws(() => emu.clearFailures('stripe'), /unknown provider/);
  assert.throws(() => emu.failNext('depay', 'auth', { times: -Infinity }), /positive integer/);
});

test('slowBody: the body arrives in chunks over time; neverEnd: headers and half the body, then nothing', async (t) => {
  const { emu } = await setup(t);
  emu.failNext('depay', 'auth', { status: 200, body: { expiresIn: '3600', accessToken: 'a.b.c' }, slowBody: { chunkBytes: 8, intervalMs: 25 } });
  const want = '{"expiresIn":"3600","accessToken":"a.b.c"}';
  const started = performance.now();
  const slow = await depayAuth(emu);
  assert.equal(slow.headers.get('content-length'), String(want.length));
  const reader = slow.body.getReader();
  let reads = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    reads++;
    text += Buffer.from(value).toString();
  }
  assert.equal(text, want);
  assert.ok(reads >= 5, `read in ${reads} pieces`);
  assert.ok(performance.now() - started >= 5 * 25 - 10, 'six chunks, five pauses');

  emu.failNext('depay', 'auth', { neverEnd: true });
  const endless = await depayAuth(emu);
  assert.equal(endless.status, 200, 'headers come');
  const r = endless.body.getReader();
  const first = Buffer.from((await r.read()).value).toString();
  assert.ok(first.startsWith('{"expiresIn":"3600","accessToken":"'), 'the first half of a real token answer');
  assert.throws(() => JSON.parse(first));
  const next = r.read();
  const winner = await Promise.race([next.then(() => 'more'), sleep(200).then(() => 'nothing')]);
  assert.equal(winner, 'nothing', 'the body never ends');
  await emu.close();
  await assert.rejects(next, 'close() ends it');
});

/** An emulator in a child process whose peak memory can be read (Linux: VmHWM). */
async function emulatorProcess(t, arm) {
  const code = `import { startEmulator } from 'keystamp/emulator';
    const emu = await startEmulator();
    ${arm}
    process.on('SIGTERM', () => emu.close().then(() => process.exit(0)));
    process.stdout.write(JSON.stringify({ url: emu.baseUrls.depay, apiKey: emu.credentials.depay.apiKey }) + '\\n');`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => child.kill('SIGTERM'));
  let line = '';
  for await (const chunk of child.stdout) {
    line += chunk;
    if (line.includes('\n')) break;
  }
  const { url, apiKey } = JSON.parse(line);
  const peakRss = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) * 1024;
  return { auth: (init) => fetch(`${url}/auth/token`, { ...init, headers: { 'x-api-key': apiKey } }), peakRss };
}
const linuxOnly = { skip: !existsSync('/proc/self/status') && 'reads peak memory from /proc' };

test('hugeBody: 256 MiB streamed with back-pressure, never buffered: the emulator peaks far below it', linuxOnly, async (t) => {
  const emu = await emulatorProcess(t, "emu.failNext('depay', 'auth', { hugeBody: true, times: 2 });");
  const baseline = emu.peakRss();
  const whole = await emu.auth();
  assert.equal(whole.status, 200);
  assert.equal(whole.headers.get('content-length'), null, 'chunked: the client cannot know the size up front');
  let total = 0;
  let head = '';
  let tail = '';
  for await (const chunk of whole.body) {
    if (head.length < 40) head += Buffer.from(chunk).toString();
    tail = (tail + Buffer.from(chunk.subarray(-8)).toString()).slice(-8);
    total += chunk.length;
  }
  assert.equal(total, 256 * 1024 * 1024);
  assert.ok(head.startsWith('{"expiresIn":"3600","accessToken":"aaaa'));
  assert.equal(tail, 'aaaaaa"}', 'a complete JSON text once read to the end');
  // A client that stops at its 1 MiB cap.
  const capped = await emu.auth();
  let seen = 0;
  for await (const chunk of capped.body) {
    seen += chunk.length;
    if (seen >= 1024 * 1024) break;
  }
  const grew = emu.peakRss() - baseline;
  assert.ok(grew < 32 * 1024 * 1024, `the emulator's peak memory grew by ${grew} bytes while sending 257 MiB`);
  assert.equal((await emu.auth()).status, 200, 'it still answers');
});

test('hugeBody options: Content-Length on request, any size; a small one is valid JSON', async (t) => {
  const { emu } = await setup(t);
  emu.failNext('depay', 'auth', { hugeBody: { bytes: 3 * 1024 * 1024 + 3, contentLength: true } });
  const res = await depayAuth(emu);
  assert.equal(res.headers.get('content-length'), String(3 * 1024 * 1024 + 3));
  assert.equal((await res.arrayBuffer()).byteLength, 3 * 1024 * 1024 + 3);
  emu.failNext('depay', 'auth', { hugeBody: { bytes: 100 } });
  const small = JSON.parse(await (await depayAuth(emu)).text());
  assert.deepEqual({ ...small, accessToken: small.accessToken.length }, { expiresIn: '3600', accessToken: 100 - 37 });
  assert.throws(() => emu.failNext('depay', 'auth', { hugeBody: { bytes: 10 } }), /too small/);
});

test("dateOffsetMs moves one answer's Date header; the next is on the clock again", async (t) => {
  const { emu } = await setup(t, { dateSkewMs: 1000 });
  emu.failNext('depay', 'auth', { dateOffsetMs: -3600_000 });
  const skewed = await depayAuth(emu);
  assert.equal(skewed.status, 200, 'the real answer, only its Date moved');
  assert.equal(skewed.headers.get('date'), new Date(T0 + 1000 - 3600_000).toUTCString());
  assert.equal((await depayAuth(emu)).headers.get('date'), new Date(T0 + 1000).toUTCString());
});

test('short token lifetimes: DePay expiresIn of 1 or 2 s (enforced), a DeFindex JWT whose exp is already past', async (t) => {
  const { emu, advance } = await setup(t);
  emu.failNext('depay', 'auth', { tokenLifetimeSec: 2 });
  const short = await (await depayAuth(emu)).json();
  assert.equal(short.expiresIn, '2');
  const normal = await (await depayAuth(emu)).json();
  assert.equal(normal.expiresIn, '3600', 'one request only');
  emu.setTokenLifetime('depay', 1);
  assert.equal((await (await depayAuth(emu)).json()).expiresIn, '1');
  const status = async (token) => (await fetch(`${emu.baseUrls.depay}/v2/x`, { headers: { authorization: `Bearer ${token}` } })).status;
  advance(1999);
  assert.equal(await status(short.accessToken), 200);
  advance(1);
  assert.equal(await status(short.accessToken), 401);
  assert.equal(await status(normal.accessToken), 200);

  emu.failNext('defindex', 'login', { tokenLifetimeSec: -60 });
  const login = await defindexLogin(emu);
  const [, claims] = jwtParts(login.access_token);
  assert.equal(claims.exp - claims.iat, -60);
  assert.ok(claims.exp * 1000 < T0 + 2000, 'exp is before the emulator clock');
  assert.equal((await call(`${emu.baseUrls.defindex}/vault`, { headers: { authorization: `Bearer ${login.access_token}` } })).status, 401);
  assert.throws(() => emu.setTokenLifetime('kiiex', 1), /unknown token lifetime/);
  assert.throws(() => emu.setTokenLifetime('depay', 1.5), /integer/);
});

test('a 64 KiB 401 body; connections counted: a drained answer frees its keep-alive socket, an unread one does not', async (t) => {
  const { emu } = await setup(t);
  // node:http with a keep-alive agent reuses a socket as soon as its answer was read to the end.
  const agent = new http.Agent({ keepAlive: true });
  t.after(() => agent.destroy());
  const get = (read) => new Promise((resolve, reject) => {
    http.get(`${emu.baseUrls.adjutor}/x`, { agent, headers: { authorization: `Bearer ${emu.credentials.adjutor.apiKey}` } }, (res) => {
      if (!read) { resolve({ status: res.statusCode, res }); return; }
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => setImmediate(() => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() })));
    }).on('error', reject);
  });
  emu.failNext('adjutor', 'api', { status: 401, body: { status: 'error', message: 'Unauthorized' }, bodyBytes: 65536, times: 3 });
  const first = await get(true);
  assert.equal(first.status, 401);
  assert.equal(Buffer.byteLength(first.text), 65536);
  assert.deepEqual({ ...JSON.parse(first.text), padding: undefined }, { status: 'error', message: 'Unauthorized', padding: undefined });
  assert.equal((await get(true)).text.length, 65536);
  assert.deepEqual(emu.connections, { opened: 1, open: 1 }, 'read to the end: one connection for both');
  const unread = await get(false); // body left unread: the socket stays busy
  assert.equal(unread.status, 401);
  assert.equal((await get(true)).status, 200);
  assert.deepEqual(emu.connections, { opened: 2, open: 2 }, 'the call after an unread 64 KiB body needed a new connection');
  assert.deepEqual(emu.requests.map((r) => r.connection), [1, 1, 1, 2]);
  unread.res.resume();
  emu.reset();
  assert.deepEqual(emu.connections, { opened: 0, open: 2 }, 'reset() restarts the count, open sockets stay');
});

test('reset: the connection is destroyed without an answer', async (t) => {
  const { emu } = await setup(t);
  emu.failNext('kiiex', 'auth', { reset: true });
  await assert.rejects(fetch(`${emu.baseUrls.kiiex}/AuthenticateUser`), (err) => err.name === 'TypeError' && /other side closed|socket/i.test(String(err.cause?.message)));
  assert.deepEqual(emu.requests.map((r) => [r.route, r.status]), [['auth', 0]]);
});

test('close() ends slow, endless and huge answers in flight at once', async () => {
  const emu = await startEmulator();
  emu.failNext('depay', 'auth', { slowBody: { chunkBytes: 1, intervalMs: 1000 } });
  emu.failNext('depay', 'auth', { neverEnd: true });
  emu.failNext('depay', 'auth', { hugeBody: true });
  const responses = await Promise.all([depayAuth(emu), depayAuth(emu), depayAuth(emu)]);
  const reads = responses.map(discard);
  await sleep(50);
  assert.deepEqual(responses.map((r) => r.status), [200, 200, 200], 'all three are answering');
  const started = performance.now();
  await emu.close();
  assert.ok(performance.now() - started < 1000);
  assert.deepEqual(await Promise.all(reads), ['TypeError', 'TypeError', 'TypeError']);
});
