// Client v2: auth is scarce. One exchange per token lifetime per client, whatever the calling
// pattern; Retry-After obeyed; short-lived tokens used; a token unusable on arrival is refused
// after a bounded number of requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'keystamp';
import { T0, depayToken, failOnUnhandled, fakeClock, json, jwt, never, rejectsWith, scriptedFetch, tick } from './helpers.mjs';

failOnUnhandled();

const BASE = 'https://api.test';
const DATE = new Date(T0).toUTCString();

test('a 429 with Retry-After: 60 on the token endpoint: 100 calls -> 1 auth request, all rate_limited with retryAfterMs; one more request after 60 s', async () => {
  const clock = fakeClock();
  let limited = true;
  const f = scriptedFetch(() => (limited ? json(429, { message: 'slow down' }, { 'retry-after': '60' }) : depayToken('at1')));
  const client = new Client({ provider: 'depay', baseUrl: BASE, apiKey: 'dp_key', fetch: f.fetch, now: clock.now });
  const first = await rejectsWith(client.headers(), 'rate_limited', { status: 429, retryAfterMs: 60_000 });
  assert.equal(first.provider, 'depay');
  const errors = await Promise.all(Array.from({ length: 100 }, () => client.fetch('/v2/x').then(() => null, (e) => [e.code, e.retryAfterMs])));
  assert.deepEqual(new Set(errors.map(JSON.stringify)), new Set([JSON.stringify(['rate_limited', 60_000])]));
  assert.equal(f.count('/auth/token'), 1);
  clock.advance(30_000);
  await rejectsWith(client.headers(), 'rate_limited', { retryAfterMs: 30_000 });
  clock.advance(30_000);
  limited = false;
  assert.deepEqual(await client.headers(), { Authorization: 'Bearer at1' });
  assert.equal(f.count('/auth/token'), 2);
});

test('a 503 without Retry-After backs off exponentially (jittered), and the code is provider_unavailable', async () => {
  const clock = fakeClock();
  const f = scriptedFetch(() => new Response('busy', { status: 503 }));
  const client = new Client({ provider: 'depay', baseUrl: BASE, apiKey: 'dp_key', fetch: f.fetch, now: clock.now });
  const e1 = await rejectsWith(client.headers(), 'provider_unavailable', { status: 503 });
  assert.ok(e1.retryAfterMs >= 500 && e1.retryAfterMs <= 1_000, String(e1.retryAfterMs));
  await rejectsWith(client.headers(), 'rate_limited');
  clock.advance(1_000);
  const e2 = await rejectsWith(client.headers(), 'provider_unavailable');
  assert.ok(e2.retryAfterMs >= 1_000 && e2.retryAfterMs <= 2_000, String(e2.retryAfterMs));
  assert.equal(f.count('/auth/token'), 2);
});

test('200 requests during one slow renewal -> 1 auth request, all served the still-valid token', async () => {
  const clock = fakeClock();
  let release;
  let n = 0;
  const f = scriptedFetch(() => (++n === 1 ? depayToken('at1', '3600') : new Promise((r) => { release = () => r(depayToken('at2', '3600')); })));
  const client = new Client({ provider: 'depay', baseUrl: BASE, apiKey: 'dp_key', fetch: f.fetch, now: clock.now });
  await client.headers();
  clock.advance(3_500_000); // inside the 2 min renewal window
  const seen = await Promise.all(Array.from({ length: 200 }, () => client.headers().then((h) => h.Authorization)));
  assert.deepEqual(new Set(seen), new Set(['Bearer at1']));
  assert.equal(f.count('/auth/token'), 2, 'one initial exchange, one renewal');
  release();
  await tick(5);
  assert.deepEqual(await client.headers(), { Authorization: 'Bearer at2' });
  assert.equal(f.count('/auth/token'), 2);
});

test('scoped() per request (the old Workers pattern) cannot multiply auth: 200 scopes during one slow renewal -> 1 renewal', async () => {
  const clock = fakeClock();
  let release;
  let n = 0;
  const f = scriptedFetch(() => (++n === 1 ? depayToken('at1', '60') : new Promise((r) => { release = () => r(depayToken('at2', '60')); })));
  const client = new Client({ provider: 'depay', baseUrl: BASE, apiKey: 'dp_key', fetch: f.fetch, now: clock.now });
  await client.headers();
  clock.advance(57_000); // must refresh: every caller waits for the renewal
  const calls = Array.from({ length: 200 }, () => client.scoped().headers().then((h) => h.Authorization));
  await tick(5);
  release();
  assert.deepEqual(new Set(await Promise.all(calls)), new Set(['Bearer at2']));
  assert.equal(f.count('/auth/token'), 2);
});

function defindexFetch(clock, { expOffsetS = 3600 } = {}) {
  const token = (kind) => jwt({ sub: 'u', iat: Math.floor(clock.now() / 1000), exp: Math.floor(clock.now() / 1000) + expOffsetS, kind });
  return scriptedFetch((req) => {
    const date = { date: new Date(clock.now()).toUTCString() };
    if (req.url.endsWith('/login')) return json(200, { username: 'u', role: 'user', access_token: token('a'), refresh_token: token('r') }, date);
    if (req.url.endsWith('/refresh')) return json(200, { access_token: token('a'), refresh_token: token('r') }, date);
    return json(200, { ok: true });
  });
}

test('DeFindex through 20 scopes -> 1 login', async () => {
  const clock = fakeClock();
  const f = defindexFetch(clock);
  const client = new Client({ provider: 'defindex', baseUrl: BASE, email: 'dev@example.com', password: 'pw', fetch: f.fetch, now: clock.now });
  const calls = Array.from({ length: 20 }, (_, i) => client.scoped().fetch(`/vault/${i}`).then((r) => r.status));
  assert.deepEqual(new Set(await Promise.all(calls)), new Set([200]));
  assert.equal(f.count('/login'), 1);
  assert.equal(f.count('/refresh'), 0);
});

test('a token already expired on arrival (JWT exp behind the server Date): 1 auth request per call at most, token_expired, then a back-off', async () => {
  const clock = fakeClock();
  const f = defindexFetch(clock, { expOffsetS: -60 });
  const client = new Client({ provider: 'defindex', baseUrl: BASE, email: 'dev@example.com', password: 'pw', fetch: f.fetch, now: clock.now });
  const error = await rejectsWith(client.fetch('/vault'), 'token_expired');
  assert.ok(error.retryAfterMs > 0);
  assert.equal(f.sent.length, 1);
  await rejectsWith(client.fetch('/vault'), 'rate_limited');
  assert.equal(f.sent.length, 1, 'no auth request during the back-off');
});

test('DePay expiresIn under 5 s: a 2 s token is used, renewed once it is due, never refused', async () => {
  const clock = fakeClock();
  let n = 0;
  const f = scriptedFetch((req) => (req.url.endsWith('/auth/token') ? depayToken(`at${++n}`, '2') : new Response('ok')));
  const client = new Client({ provider: 'depay', baseUrl: BASE, apiKey: 'dp_key', fetch: f.fetch, now: clock.now });
  for (let i = 0; i < 10; i++) assert.equal((await client.fetch('/v2/x')).status, 200);
  assert.equal(f.count('/auth/token'), 1);
  clock.advance(1_500); // 500 ms left: 25 % of 2 s
  assert.deepEqual(await client.headers(), { Authorization: 'Bearer at2' });
  assert.equal(f.count('/auth/token'), 2);
});

test('refreshMarginMs longer than the lifetime does not renew on every call', async () => {
  const clock = fakeClock();
  const f = scriptedFetch(() => depayToken('at1', '60'));
  const client = new Client({ provider: 'depay', baseUrl: BASE, apiKey: 'dp_key', fetch: f.fetch, now: clock.now, refreshMarginMs: 3_600_000 });
  for (let i = 0; i < 50; i++) await client.headers();
  clock.advance(29_000);
  for (let i = 0; i < 50; i++) await client.headers();
  assert.equal(f.count('/auth/token'), 1);
});

test('an auth failure reaches every waiter with 1 request; the next call tries again (failures are never cached)', async () => {
  let fail = true;
  const f = scriptedFetch(() => (fail ? new Response('oops', { status: 500 }) : depayToken('at1')));
  const client = new Client({ provider: 'depay', baseUrl: BASE, apiKey: 'dp_key', fetch: f.fetch });
  const codes = await Promise.all(Array.from({ length: 50 }, () => client.headers().then(() => 'ok', (e) => e.code)));
  assert.deepEqual(new Set(codes), new Set(['provider_error']));
  assert.equal(f.count('/auth/token'), 1);
  fail = false;
  assert.deepEqual(await client.headers(), { Authorization: 'Bearer at1' });
});

test('headers() with a usable token is an already-resolved promise; currentHeaders() is its synchronous twin', async () => {
  const clock = fakeClock();
  const f = scriptedFetch(() => depayToken('at1', '60'));
  const client = new Client({ provider: 'depay', baseUrl: BASE, apiKey: 'dp_key', fetch: f.fetch, now: clock.now });
  assert.equal(client.currentHeaders(), undefined, 'nothing usable yet (authentication starts in the background)');
  await tick(5);
  assert.deepEqual(client.currentHeaders(), { Authorization: 'Bearer at1' });
  let resolved = false;
  client.headers().then(() => { resolved = true; });
  await Promise.resolve();
  assert.equal(resolved, true, 'settled within one microtask');
  const h = client.currentHeaders();
  h.Authorization = 'changed';
  assert.deepEqual(client.currentHeaders(), { Authorization: 'Bearer at1' }, 'each call gets its own copy');
  clock.advance(56_000);
  assert.equal(client.currentHeaders(), undefined, 'honest about expiry');
  await tick(5);
  assert.equal(f.count('/auth/token'), 2);
});
