// Fleet records in one process (memoryStore): Clients that share a store publish and import
// sealed records; a store that misbehaves (junk, throws, never answers) never breaks a call; and
// after free() nothing of the shared tokens is left in wasm memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as keystamp from 'keystamp';
import { failOnUnhandled, json, jwt, scriptedFetch } from '../client/helpers.mjs';
import { occurrences } from '../wasm-memory.mjs';

const { Client, memoryStore } = keystamp;
failOnUnhandled();


/** A DePay provider (any token lives `seconds`) and a DeFindex one, counting exchanges. */
function provider(marks, seconds = 3600) {
  let n = 0;
  return scriptedFetch((req) => {
    const path = new URL(req.url).pathname;
    n += 1;
    if (path === '/auth/token') return json(200, { expiresIn: String(seconds), accessToken: `${marks.access}-${n}`, refreshToken: 'unused' });
    if (path === '/login') {
      const exp = Math.floor(Date.now() / 1000) + seconds;
      return json(200, { access_token: jwt({ sub: marks.access, exp }), refresh_token: marks.refresh });
    }
    return json(200, {});
  });
}

test('Clients sharing a memoryStore: one exchange; the record travels sealed', async () => {
  const marks = { access: 'MARK-fleet-access-51c2', refresh: 'MARK-fleet-refresh-51c2' };
  const { fetch, count } = provider(marks);
  const store = memoryStore();
  const options = { provider: 'depay', baseUrl: 'https://pay.test', apiKey: 'MARK-fleet-key-51c2', fetch, store };
  const clients = Array.from({ length: 5 }, () => new Client(options));
  const headers = await Promise.all(clients.flatMap((c) => [c.headers(), c.headers()]));
  assert.equal(count('/auth/token'), 1);
  assert.deepEqual([...new Set(headers.map((h) => h.Authorization))], [`Bearer ${marks.access}-1`]);
  // A Client for another base URL is another credential: it does not take this token.
  const staging = new Client({ ...options, baseUrl: 'https://staging.pay.test' });
  assert.equal((await staging.headers()).Authorization, `Bearer ${marks.access}-2`);
  for (const c of [...clients, staging]) c.free();
});

test('after free(), nothing of a shared token, its refresh token or the sealing is left in wasm memory', async () => {
  const marks = { access: 'MARK-fleet-access-93aa', refresh: 'MARK-fleet-refresh-93aa' };
  const { fetch } = provider(marks);
  const store = memoryStore();
  const options = { provider: 'defindex', baseUrl: 'https://dfx.test', email: 'MARK-fleet-email-93aa@example.com', password: 'MARK-fleet-password-93aa', fetch, store };
  const first = new Client(options);
  await first.headers(); // exchanges and publishes
  const second = new Client(options);
  await second.headers(); // imports
  assert.ok(occurrences(keystamp, marks.refresh) > 0, 'the refresh token is held while the clients live');
  first.free();
  second.free();
  for (const mark of [...Object.values(marks), options.email, options.password]) {
    assert.equal(occurrences(keystamp, mark), 0, `${mark} left in wasm memory after free()`);
  }
});

test('a store that misbehaves never breaks a call: every failure is the per-process fallback, announced once', async () => {
  const stores = {
    'throws synchronously': { get() { throw new Error('boom'); }, acquire() { throw new Error('boom'); }, release() {}, put() {} },
    'rejects': { get: async () => { throw new Error('down'); }, acquire: async () => false, release: async () => false, put: async () => false },
    'never answers': { get: () => new Promise(() => {}), acquire: () => new Promise(() => {}), release: () => new Promise(() => {}), put: () => new Promise(() => {}) },
    'answers junk': { get: async () => 'not bytes', acquire: async () => true, release: async () => true, put: async () => 'yes' },
  };
  for (const [name, store] of Object.entries(stores)) {
    const events = [];
    const { fetch, count } = provider({ access: 'tok', refresh: 'r' });
    const client = new Client({ provider: 'depay', baseUrl: 'https://pay.test', apiKey: 'dp_key', fetch, store, onEvent: (e) => events.push(e.type) });
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: 20 }, () => client.headers({ timeoutMs: 5000 })));
    assert.equal(answers.length, 20, name);
    assert.equal(count('/auth/token'), 1, `${name}: one exchange for the process`);
    assert.ok(performance.now() - started < 2500, `${name}: bounded by the store call deadline`);
    if (name === 'answers junk') assert.deepEqual(events, ['store_record_ignored'], name);
    else assert.deepEqual(events, ['store_unavailable'], name);
    client.free();
  }
});

test('store options are checked at construction', () => {
  for (const store of [{}, { get() {} }, 'redis://x', 42]) {
    assert.throws(() => new Client({ provider: 'depay', apiKey: 'dp_key', store, fetch: async () => json(200, {}) }), { name: 'KeystampError', code: 'invalid_argument', field: 'store' });
  }
  assert.throws(() => new Client({ provider: 'depay', apiKey: 'dp_key', store: memoryStore(), onEvent: 'log', fetch: async () => json(200, {}) }), { code: 'invalid_argument', field: 'onEvent' });
});
