// Client v2: every wait has a deadline, every AbortSignal is honoured, and a caller that gives up
// never poisons the single in-flight exchange.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'keystamp';
import { depayToken, failOnUnhandled, fakeClock, never, rejectsWith, scriptedFetch, tick } from './helpers.mjs';

failOnUnhandled();

const BASE = 'https://depay.test';
const depay = (fetch, extra = {}) => new Client({ provider: 'depay', baseUrl: BASE, apiKey: 'dp_key', fetch, ...extra });

test('a token endpoint that never answers: the call ends with timeout after timeoutMs, cause TimeoutError', async () => {
  const f = scriptedFetch(() => never());
  const client = depay(f.fetch, { timeoutMs: 80 });
  const started = Date.now();
  const error = await rejectsWith(client.headers(), 'timeout', { provider: 'depay' });
  assert.ok(Date.now() - started < 2_000);
  assert.equal(error.cause?.name, 'TimeoutError');
  assert.equal(f.count('/auth/token'), 1);
  await tick(10);
  assert.equal(f.sent[0].signal.aborted, true, 'the auth request got its own signal, aborted at the deadline');
});

test('the default deadline is 30 s: a hung exchange is abandoned on the fake-free real clock only then', async () => {
  const f = scriptedFetch(() => never());
  const client = depay(f.fetch);
  const call = client.headers({ timeoutMs: 50 });
  await rejectsWith(call, 'timeout');
  assert.equal(f.sent[0].signal.aborted, false, 'the exchange itself runs on to its own 30 s deadline');
  client.free();
});

test('init.signal bounds the wait for auth; the error is aborted with the reason as cause; the exchange is not aborted by it', async () => {
  const f = scriptedFetch(() => never());
  const client = depay(f.fetch, { timeoutMs: 60_000 });
  const controller = new AbortController();
  const call = client.fetch('/v2/payments', { signal: controller.signal });
  await tick(5);
  const reason = new Error('user navigated away');
  controller.abort(reason);
  const error = await rejectsWith(call, 'aborted');
  assert.equal(error.cause, reason);
  assert.equal(f.count('/auth/token'), 1);
  assert.equal(f.sent[0].signal.aborted, false, 'other callers may still want that exchange');
  client.free();
});

test('an already-aborted signal: rejected at once, nothing is sent, and an abort is never retried', async () => {
  const f = scriptedFetch(() => depayToken('at1'));
  const client = depay(f.fetch);
  const controller = new AbortController();
  controller.abort();
  await rejectsWith(client.fetch('/v2/payments', { signal: controller.signal }), 'aborted');
  assert.equal(f.sent.length, 0);
});

test('an abort during the API call itself is aborted, not network_error, and is not retried', async () => {
  let apiCalls = 0;
  const f = scriptedFetch((req) => {
    if (req.url.endsWith('/auth/token')) return depayToken('at1');
    apiCalls += 1;
    return new Promise((_, reject) => req.signal.addEventListener('abort', () => reject(req.signal.reason)));
  });
  const client = depay(f.fetch);
  const controller = new AbortController();
  const call = client.fetch('/v2/payments', { signal: controller.signal });
  await tick(10);
  controller.abort();
  const error = await rejectsWith(call, 'aborted');
  assert.equal(error.cause?.name, 'AbortError');
  assert.equal(apiCalls, 1);
});

test('a per-call timeoutMs bounds the API call too', async () => {
  const f = scriptedFetch((req) => (req.url.endsWith('/auth/token') ? depayToken('at1') : never()));
  const client = depay(f.fetch);
  await rejectsWith(client.fetch('/v2/slow', { timeoutMs: 40 }), 'timeout');
});

test('a waiter that gives up does not poison the slot: once the abandoned exchange times out, the next caller starts a new one', async () => {
  let answer = () => never();
  const f = scriptedFetch(() => answer());
  const client = depay(f.fetch, { timeoutMs: 100 });
  const controller = new AbortController();
  const first = client.headers({ signal: controller.signal });
  controller.abort();
  await rejectsWith(first, 'aborted');
  await tick(150);
  answer = () => depayToken('at2');
  assert.deepEqual(await client.headers(), { Authorization: 'Bearer at2' });
  assert.equal(f.count('/auth/token'), 2);
});

test('callers joined to an exchange lost on the way start a new one (once), the starter gets the error', async () => {
  let n = 0;
  const f = scriptedFetch(() => (++n === 1 ? Promise.reject(new TypeError('socket hang up')) : depayToken('at2')));
  const client = depay(f.fetch);
  const calls = Array.from({ length: 5 }, () => client.headers().then((h) => h.Authorization, (e) => e.code));
  assert.deepEqual(await Promise.all(calls), ['network_error', 'Bearer at2', 'Bearer at2', 'Bearer at2', 'Bearer at2']);
  assert.equal(f.count('/auth/token'), 2);
});

test('a background renewal that hangs: the token is served until must-refresh, then callers wait within their deadline and a new exchange replaces the hung one', async () => {
  const clock = fakeClock();
  let answer = () => depayToken('at1', '60');
  const f = scriptedFetch(() => answer());
  const client = depay(f.fetch, { now: clock.now, timeoutMs: 100 });
  await client.headers();
  answer = () => never();
  clock.advance(54_500); // inside the should-refresh window (6 s before expiry)
  assert.deepEqual(await client.headers(), { Authorization: 'Bearer at1' });
  assert.equal(f.count('/auth/token'), 2, 'the renewal started in the background');
  clock.advance(1_000); // 4.5 s left: must refresh
  await rejectsWith(client.headers({ timeoutMs: 30 }), 'timeout');
  await tick(120); // the hung renewal reaches its own deadline
  answer = () => depayToken('at3', '60');
  assert.deepEqual(await client.headers(), { Authorization: 'Bearer at3' });
  assert.equal(f.count('/auth/token'), 3);
});

test('an auth body that never ends is bounded by the exchange deadline', async () => {
  const f = scriptedFetch(() => new Response(new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('{"expiresIn":')); } }), { status: 200 }));
  const client = depay(f.fetch, { timeoutMs: 60 });
  await rejectsWith(client.headers(), 'timeout');
  assert.equal(f.count('/auth/token'), 1);
});

test('deadline options are checked', async () => {
  const f = scriptedFetch(() => depayToken('at1'));
  assert.throws(() => depay(f.fetch, { timeoutMs: -1 }), { code: 'invalid_argument', field: 'timeoutMs' });
  assert.throws(() => depay(f.fetch, { timeoutMs: '5' }), { code: 'invalid_argument' });
  const client = depay(f.fetch);
  await rejectsWith(client.headers({ timeoutMs: 0 }), 'invalid_argument', { field: 'timeoutMs' });
  await rejectsWith(client.fetch('/x', { signal: 'nope' }), 'invalid_argument', { field: 'signal' });
});
