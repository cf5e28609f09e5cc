// Fleets of Node processes sharing one credential through Redis (a redis-server started here):
// exact token request counts over several token lifetimes, the lease holder killed mid-exchange,
// Redis stopped and started again, and the store's contents checked for secrets.
//
// Time: every process and the emulator read one fake clock that the parent steps (250 s at a
// time, whole seconds, so Date headers are exact): three token lifetimes pass in seconds. Leases
// and store deadlines are real time, as they are in Redis.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import { startEmulator } from 'keystamp/emulator';
import { startRedis } from './redis.mjs';

const WORKER = new URL('./worker.mjs', import.meta.url);
const T0 = Date.UTC(2026, 0, 1);
const STEP_MS = 250_000;
const LIFETIME_MS = 3_600_000;

let redis;
let admin;
let emu;
let t = T0;
let fleet = [];

before(async () => {
  redis = await startRedis();
  admin = createClient({ url: redis.url, socket: { reconnectStrategy: () => 50 } });
  admin.on('error', () => {});
  await admin.connect();
  emu = await startEmulator({ now: () => t });
});

after(async () => {
  await stopFleet();
  await admin?.destroy();
  await redis?.close();
  await emu?.close();
});

afterEach(async () => {
  await stopFleet();
  if (redis.pid !== undefined) await admin.sendCommand(['FLUSHALL']).catch(() => {});
  emu.reset();
});

/** Starts `count` worker processes with the same credential. */
async function startFleet(count, options, { library = 'redis', timeoutMs = 5000, withoutCounter = false } = {}) {
  fleet = Array.from({ length: count }, (_, index) => {
    const child = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const pending = new Map();
    let seq = 0;
    child.on('message', (m) => pending.get(m.id)?.(m));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    return {
      index,
      child,
      exited,
      send(message) {
        const id = seq++;
        return new Promise((resolve, reject) => {
          pending.set(id, (m) => (m.failed ? reject(new Error(`process ${index}: ${m.failed}`)) : resolve(m)));
          exited.then(() => reject(new Error(`process ${index} exited`)));
          child.send({ ...message, id });
        });
      },
    };
  });
  await Promise.all(fleet.map((p) => p.send({ cmd: 'init', redisUrl: redis.url, library, index: p.index, options, timeoutMs, withoutCounter })));
}

async function stopFleet() {
  for (const p of fleet) p.child.kill('SIGKILL');
  await Promise.all(fleet.map((p) => p.exited));
  fleet = [];
}

const alive = () => fleet.filter((p) => p.child.exitCode === null && p.child.signalCode === null);

/** Sets the fake clock everywhere. */
async function clock(next) {
  t = next;
  await Promise.all(alive().map((p) => p.send({ cmd: 'clock', t })));
}

/** One burst: `n` concurrent calls in every living process. */
function burst(n, { fetches = 1, timeoutMs = 10_000, path, init } = {}) {
  return Promise.all(alive().map((p) => p.send({ cmd: 'burst', n, fetches, timeoutMs, path, init })));
}

/** Steps the clock from T0 by STEP_MS up to `until`, with a burst at each step. */
async function run(until, n) {
  const answers = [];
  for (let at = T0; at <= until; at += STEP_MS) {
    await clock(at);
    const results = await burst(n);
    for (const r of results) {
      assert.deepEqual(r.errors, [], `t0 + ${(at - T0) / 1000} s`);
      assert.equal(r.ok, n);
      assert.deepEqual(r.statuses, [200], 'the token is accepted');
    }
    answers.push({ at, results });
    await sleep(30); // a background renewal started by this burst settles (in real time)
  }
  return answers;
}

const depay = () => ({ provider: 'depay', baseUrl: emu.baseUrls.depay, apiKey: emu.credentials.depay.apiKey });
const kiiex = () => ({ provider: 'kiiex', baseUrl: emu.baseUrls.kiiex, ...emu.credentials.kiiex });
const kiiexCall = { path: 'GetUserInfo', init: { method: 'POST', body: '{}' } };
const defindex = () => ({ provider: 'defindex', baseUrl: emu.baseUrls.defindex, email: emu.credentials.defindex.email, password: emu.credentials.defindex.password });

/** Every Redis key with its value(s), as text. */
async function dump() {
  const out = [];
  for (const key of await admin.sendCommand(['KEYS', '*'])) {
    const type = await admin.sendCommand(['TYPE', key]);
    const value = type === 'hash' ? await admin.sendCommand(['HGETALL', key]) : await admin.sendCommand(['GET', key]);
    out.push({ key, type, value: Array.isArray(value) ? value : typeof value === 'object' ? Object.entries(value).flat() : [value] });
  }
  return out;
}

/** Fails when any of `secrets` appears in Redis, as text or inside a base64 value. */
async function assertStoreHolds(secrets) {
  const entries = await dump();
  assert.ok(entries.length > 0, 'the store holds something');
  const texts = entries.flatMap((e) => [e.key, ...e.value.map(String)]);
  const decoded = texts.filter((v) => /^[A-Za-z0-9+/]+=*$/.test(v) && v.length % 4 === 0).map((v) => Buffer.from(v, 'base64').toString('latin1'));
  for (const secret of secrets) {
    for (const text of [...texts, ...decoded]) {
      assert.ok(!text.includes(secret), `a secret (${secret.slice(0, 6)}…) is in the store`);
    }
  }
}

const tokensOf = (answers) => [...new Set(answers.flatMap((a) => a.results.flatMap((r) => r.values)))];

test('8 processes x 250 concurrent calls over 3 token lifetimes (DePay): exactly 3 token requests', async () => {
  await startFleet(8, depay());
  // Renewal is due 2 min before expiry: at t0 + 3500 s (in the window, served while it runs),
  // t0 + 7000 s, and t0 + 10500 s, which the run stops short of.
  const answers = await run(T0 + 10_250_000, 250);
  assert.equal(emu.count('depay', 'auth'), 3, 'one token request per lifetime for the whole fleet');
  const tokens = tokensOf(answers);
  assert.equal(tokens.length, 3, 'three tokens, each served by every process');
  for (const { at, results } of answers) {
    assert.equal(new Set(results.flatMap((r) => r.values)).size <= 2, true, `at most the old and the new token at ${at - T0}`);
  }
  // Which process exchanged: the lease moved around, or not; either way once per lifetime.
  const senders = emu.requests.filter((r) => r.route === 'auth').map((r) => r.headers['x-fleet-process']);
  assert.equal(senders.length, 3);
  await assertStoreHolds([emu.credentials.depay.apiKey, ...tokens.map((v) => v.replace(/^Bearer /, ''))]);
});

test('DeFindex login + refresh over 3 lifetimes, 8 processes: 1 login, 2 refreshes, no refresh token sent twice', async () => {
  await startFleet(8, defindex());
  const answers = await run(T0 + 10_250_000, 100);
  assert.equal(emu.count('defindex', 'login'), 1);
  assert.equal(emu.count('defindex', 'refresh'), 2);
  const refreshes = emu.requests.filter((r) => r.route === 'refresh');
  const sent = refreshes.map((r) => r.headers.authorization);
  assert.equal(new Set(sent).size, sent.length, 'each refresh token is sent once');
  assert.deepEqual(refreshes.map((r) => r.status), [200, 200]);
  // The refresh tokens the emulator handed out are the ones sent next: read them from its answers.
  const { email, password } = emu.credentials.defindex;
  const tokens = tokensOf(answers).map((v) => v.replace(/^Bearer /, ''));
  assert.equal(tokens.length, 3);
  await assertStoreHolds([email, password, ...tokens, ...sent.map((v) => v.replace(/^Bearer /, ''))]);
});

test('the lease holder is SIGKILLed mid-exchange: every other call succeeds, one extra exchange', async () => {
  await startFleet(8, depay(), { timeoutMs: 1000 }); // lease: 1 s + 250 ms
  await clock(T0);
  emu.failNext('depay', 'auth', { delayMs: 30_000 }); // the first exchange hangs ...
  const calls = fleet.map((p) => p.send({ cmd: 'burst', n: 50, fetches: 1, timeoutMs: 10_000 }));
  let holder;
  for (let waited = 0; holder === undefined && waited < 5000; waited += 10) {
    holder = emu.requests.find((r) => r.route === 'auth')?.headers['x-fleet-process'];
    if (holder === undefined) await sleep(10);
  }
  assert.ok(holder !== undefined, 'an exchange started');
  const victim = fleet[Number(holder)];
  victim.child.kill('SIGKILL'); // ... and its process dies holding the lease
  const started = performance.now();
  const results = (await Promise.allSettled(calls)).filter((r) => r.status === 'fulfilled').map((r) => r.value);
  assert.equal(results.length, 7, 'the 7 other processes answered');
  for (const r of results) {
    assert.deepEqual(r.errors, []);
    assert.equal(r.ok, 50);
    assert.deepEqual(r.statuses, [200]);
    assert.ok(r.maxMs < 10_000, `no call waited past its deadline (${r.maxMs.toFixed(0)} ms)`);
  }
  assert.equal(new Set(results.flatMap((r) => r.values)).size, 1, 'one token for the survivors');
  assert.equal(emu.count('depay', 'auth'), 2, 'the killed exchange and one takeover');
  const waited = performance.now() - started;
  assert.ok(waited < 5000, `taken over after the lease expired (${waited.toFixed(0)} ms)`);
  assert.notEqual(emu.requests.filter((r) => r.route === 'auth')[1].headers['x-fleet-process'], holder);
});

test('Redis stopped mid-run: calls keep succeeding (per-process single flight), within their deadlines; Redis back: shared again', async () => {
  await startFleet(4, depay(), { library: 'ioredis' });
  await clock(T0);
  for (const r of await burst(100)) assert.deepEqual([r.errors, r.statuses], [[], [200]]);
  assert.equal(emu.count('depay', 'auth'), 1);

  await redis.stop();
  await clock(T0 + LIFETIME_MS); // expired: every process needs a token, and the store is gone
  const down = await burst(100, { timeoutMs: 3000 });
  for (const r of down) {
    assert.deepEqual([r.errors, r.statuses], [[], [200]]);
    assert.ok(r.maxMs < 3000, `no call past its deadline (${r.maxMs.toFixed(0)} ms)`);
  }
  assert.equal(emu.count('depay', 'auth'), 1 + 4, 'one exchange per process: each is its own single flight');
  for (const p of fleet) {
    const { events } = await p.send({ cmd: 'events' });
    assert.deepEqual(events.map((e) => [e.type, e.provider, e.code]), [['store_unavailable', 'depay', 'network_error']]);
  }

  await redis.start();
  await sleep(1200); // the clients reconnect; the store is tried again after 1 s
  await clock(T0 + 2 * LIFETIME_MS);
  const back = await burst(100);
  for (const r of back) assert.deepEqual([r.errors, r.statuses], [[], [200]]);
  assert.equal(emu.count('depay', 'auth'), 1 + 4 + 1, 'shared again: one exchange for the fleet');
  assert.equal(new Set(back.flatMap((r) => r.values)).size, 1);
  for (const p of fleet) {
    const { events } = await p.send({ cmd: 'events' });
    assert.deepEqual(events.map((e) => e.type), ['store_unavailable', 'store_available']);
  }
});

test('a foreign or corrupted record in the store is ignored, announced, and replaced', async () => {
  await startFleet(2, depay());
  await clock(T0);
  for (const r of await burst(10)) assert.deepEqual([r.errors, r.statuses], [[], [200]]);
  const [recordKey] = (await admin.sendCommand(['KEYS', 'keystamp:*'])).filter((k) => !k.includes(':lease'));
  assert.ok(recordKey);
  const data = await admin.sendCommand(['HGET', recordKey, 'data']);
  const altered = Buffer.from(data, 'base64');
  altered[20] ^= 1;
  await admin.sendCommand(['HSET', recordKey, 'data', altered.toString('base64'), 'fence', '0']);
  await clock(T0 + LIFETIME_MS);
  for (const r of await burst(10)) assert.deepEqual([r.errors, r.statuses], [[], [200]]);
  assert.equal(emu.count('depay', 'auth'), 2, 'the altered record was not used; one process renewed for both');
  const events = (await Promise.all(fleet.map((p) => p.send({ cmd: 'events' })))).flatMap((e) => e.events);
  assert.ok(events.some((e) => e.type === 'store_record_ignored' && e.code === 'malformed_response'), JSON.stringify(events));
});

test('Kiiex without shared sessions: nonces come from the Redis counter, so 8 processes at one clock instant send 8 different nonces', async (t) => {
  emu.setVariant('kiiexRejectReusedNonce', true);
  t.after(() => emu.setVariant('kiiexRejectReusedNonce', false));
  const nonces = () => emu.requests.filter((r) => r.route === 'auth').map((r) => r.headers.nonce);

  // The control: a store without a counter. Each process's nonce is its clock (frozen here):
  // the provider refuses every reuse.
  await startFleet(8, kiiex(), { withoutCounter: true });
  await clock(T0);
  const refused = await burst(5, { ...kiiexCall });
  const sent = nonces();
  assert.ok(new Set(sent).size < sent.length, `nonces were reused: ${sent.length} sent, ${new Set(sent).size} different`);
  assert.ok(refused.filter((r) => r.errors.length === 0).length < 8, 'some processes got no session');
  await stopFleet();
  emu.reset();

  await startFleet(8, kiiex());
  await clock(T0 + 60_000);
  const answers = await burst(5, { ...kiiexCall });
  for (const r of answers) assert.deepEqual([r.errors, r.statuses], [[], [200]]);
  assert.equal(emu.count('kiiex', 'auth'), 8, 'sessions are not shared by default: one per process');
  assert.equal(new Set(nonces()).size, 8, 'eight different nonces');
  assert.deepEqual(nonces().map(Number).sort((a, b) => a - b), Array.from({ length: 8 }, (_, i) => T0 + 61_000 + i), 'reserved above the clock, one after the other');
  assert.equal(new Set(answers.flatMap((r) => r.values)).size, 8);
});

test('Kiiex with shareIpBoundSessions: one AuthenticateUser for the fleet, then the same session everywhere', async () => {
  await startFleet(8, { ...kiiex(), shareIpBoundSessions: true });
  await clock(T0);
  const answers = await burst(50, { ...kiiexCall });
  for (const r of answers) assert.deepEqual([r.errors, r.statuses], [[], [200]]);
  assert.equal(emu.count('kiiex', 'auth'), 1);
  assert.equal(new Set(answers.flatMap((r) => r.values)).size, 1);
  const { apiKey, apiSecret } = emu.credentials.kiiex;
  await assertStoreHolds([apiKey, apiSecret, ...answers[0].values]);
});
