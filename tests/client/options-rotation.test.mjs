// Client v2: options read as own properties only, checks at construction, use after free, and
// DeltaDeFi rotations that never lose a key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import { Client, KiiexSigner, kiiexSignature } from 'keystamp';
import { depayToken, failOnUnhandled, json, rejectsWith, scriptedFetch, tick } from './helpers.mjs';

failOnUnhandled();

/** Runs `fn` with data-only values planted on Object.prototype, as a polluting dependency would. */
async function withPollutedPrototype(values, fn) {
  for (const [key, value] of Object.entries(values)) Object.defineProperty(Object.prototype, key, { value, configurable: true, writable: true });
  try {
    return await fn();
  } finally {
    for (const key of Object.keys(values)) delete Object.prototype[key];
  }
}

test('a polluted Object.prototype (baseUrl, fetch, onKeyRotated, nonce, timeoutMs) is never read', async () => {
  const evil = [];
  const evilFetch = (req) => { evil.push(req.url); return depayToken('stolen'); };
  await withPollutedPrototype({ baseUrl: 'https://evil.test', fetch: evilFetch, onKeyRotated: (k) => evil.push(k), nonce: '1', timeoutMs: 1 }, async () => {
    const f = scriptedFetch((req) => (req.url.endsWith('/auth/token') ? depayToken('at1') : json(200, { api_key: 'dd_new' })));
    const depay = new Client({ provider: 'depay', apiKey: 'dp_key', fetch: f.fetch });
    assert.deepEqual(await depay.headers(), { Authorization: 'Bearer at1' });
    assert.equal(f.sent[0].url, 'https://api.payments.depay.us/auth/token', 'the default base URL, not the polluted one');
    const dd = new Client({ provider: 'deltadefi', apiKey: 'dd_old', fetch: f.fetch });
    assert.equal(await dd.rotateKey(), 'dd_new');
    assert.throws(() => kiiexSignature({ apiSecret: 's', userId: 1, apiKey: 'k' }), { code: 'missing_credential', field: 'nonce' });
    const signer = new KiiexSigner('SECRET_FROM_DASHBOARD');
    assert.notEqual(signer.authHeaders({ apiKey: 'k', userId: 42 }).Nonce, '1');
    signer.free();
  });
  assert.deepEqual(evil, []);
});

test('null-prototype and other-realm option objects are accepted; a getter is called once', async () => {
  const f = scriptedFetch(() => new Response('{}'));
  const bare = Object.assign(Object.create(null), { provider: 'adjutor', apiKey: 'adj_1', fetch: f.fetch });
  assert.deepEqual(await new Client(bare).headers(), { Authorization: 'Bearer adj_1' });
  const foreign = vm.runInNewContext('({ provider: "adjutor", apiKey: "adj_2" })');
  foreign.fetch = f.fetch;
  assert.deepEqual(await new Client(foreign).headers(), { Authorization: 'Bearer adj_2' });
  let reads = 0;
  const counted = { provider: 'adjutor', fetch: f.fetch, get apiKey() { reads += 1; return 'adj_3'; } };
  assert.deepEqual(await new Client(counted).headers(), { Authorization: 'Bearer adj_3' });
  assert.equal(reads, 1);
  assert.equal(kiiexSignature(Object.assign(Object.create(null), { apiSecret: 'SECRET_FROM_DASHBOARD', nonce: '1700000000000', userId: '42', apiKey: 'APIKEY_FROM_DASHBOARD' })),
    'cd95952f3f722dbb00ac4b7a097813f3a4b8745a950c6b1bdb55278ad759bb6c');
});

test('baseUrl is written as the URL parser writes it: default ports and IPv4 forms never cause origin_mismatch', async () => {
  const f = scriptedFetch(() => new Response('{}'));
  const cases = [
    ['https://adjutor.example.test:443/v2/', 'https://adjutor.example.test/v2/x'],
    ['http://127.1:8080/v2', 'http://127.0.0.1:8080/v2/x'],
    ['http://0x7f.0.0.1:8080/v2', 'http://127.0.0.1:8080/v2/x'],
  ];
  for (const [baseUrl, want] of cases) {
    const client = new Client({ provider: 'adjutor', apiKey: 'adj_1', baseUrl, fetch: f.fetch });
    assert.equal((await client.fetch('/x')).status, 200, baseUrl);
    assert.equal(f.sent.at(-1).url, want);
    assert.equal((await client.fetch(want)).status, 200, 'the absolute form of the same URL passes the origin check');
  }
  assert.throws(() => new Client({ provider: 'adjutor', apiKey: 'a', baseUrl: 'https://x.test:99999' }), { code: 'invalid_argument', field: 'baseUrl' });
});

test('every credential is checked at construction, with the provider named', () => {
  const cases = [
    [{ provider: 'depay', apiKey: 'dp\r\nX-Evil: 1' }, 'invalid_header_value'],
    [{ provider: 'depay', apiKey: ' dp_key' }, 'invalid_header_value'],
    [{ provider: 'depay' }, 'missing_credential'],
    [{ provider: 'defindex', email: 'dev@example.com', password: 'p\nw' }, 'invalid_argument'],
    [{ provider: 'kiiex', apiKey: 'k', apiSecret: 'sec ret', userId: 1 }, 'invalid_secret'],
    [{ provider: 'deltadefi', apiKey: 'dd\0' }, 'invalid_header_value'],
  ];
  for (const [options, code] of cases) {
    assert.throws(() => new Client({ fetch: () => {}, ...options }), (e) => e.name === 'KeystampError' && e.code === code && e.provider === options.provider, JSON.stringify(options));
  }
});

test('a now() that calls back into the client is a typed error, and the client keeps working', async () => {
  const f = scriptedFetch(() => depayToken('at1'));
  let reenter = true;
  const client = new Client({ provider: 'depay', apiKey: 'dp_key', fetch: f.fetch, now: () => { if (reenter) client.currentHeaders(); return Date.now(); } });
  await rejectsWith(client.headers(), 'invalid_argument', { field: 'now' });
  reenter = false;
  assert.deepEqual(await client.headers(), { Authorization: 'Bearer at1' });
  const bad = new Client({ provider: 'depay', apiKey: 'dp_key', fetch: f.fetch, now: () => NaN });
  await rejectsWith(bad.headers(), 'invalid_argument', { field: 'now' });
});

test('use after free() is KeystampError freed, for the Client and for KiiexSigner', async () => {
  const f = scriptedFetch(() => depayToken('at1'));
  const client = new Client({ provider: 'depay', apiKey: 'dp_key', fetch: f.fetch });
  await client.headers();
  client.free();
  client.free();
  await rejectsWith(client.headers(), 'freed', { provider: 'depay' });
  await rejectsWith(client.fetch('/x'), 'freed');
  await rejectsWith(client.rotateKey(), 'freed');
  assert.throws(() => client.currentHeaders(), { code: 'freed' });
  const signer = new KiiexSigner('s');
  signer.free();
  assert.throws(() => signer.sign({ nonce: 1, userId: 1, apiKey: 'k' }), { name: 'KeystampError', code: 'freed', provider: 'kiiex' });
  assert.throws(() => signer.authHeaders({ userId: 1, apiKey: 'k' }), { name: 'KeystampError', code: 'freed' });
});

test('a client freed while its exchange is in flight settles that exchange quietly', async () => {
  let release;
  const f = scriptedFetch(() => new Promise((r) => { release = () => r(depayToken('at1')); }));
  const client = new Client({ provider: 'depay', apiKey: 'dp_key', fetch: f.fetch });
  const call = client.headers();
  await tick(5);
  client.free();
  release();
  await rejectsWith(call, 'freed');
});

// --- DeltaDeFi rotation ------------------------------------------------------------------------

function deltadefiServer({ answer = (key) => ({ api_key: key, created_at: '2026-12-01T00:00:00Z' }) } = {}) {
  const state = { live: 'dd_old', rotations: 0, hold: null };
  const f = scriptedFetch(async (req) => {
    const key = req.headers.get('x-api-key');
    if (req.url.endsWith('/accounts/new-api-key')) {
      if (key !== state.live) return json(401, { error: 'unauthorized', code: 4010 });
      state.rotations += 1;
      const next = `dd_new_${state.rotations}`;
      state.live = next; // the server kills the old key at once
      if (state.hold) await state.hold;
      return json(200, answer(next));
    }
    return key === state.live ? json(200, { ok: true }) : json(401, { error: 'unauthorized', code: 4010 });
  });
  return { f, state };
}

for (const [what, body, createdAt] of [
  ['without created_at', (k) => ({ api_key: k }), undefined],
  ['with created_at null', (k) => ({ api_key: k, created_at: null }), undefined],
  ['with a numeric created_at', (k) => ({ api_key: k, created_at: 1764547200 }), undefined],
  ['with created_at', (k) => ({ api_key: k, created_at: '2026-12-01T00:00:00Z' }), '2026-12-01T00:00:00Z'],
]) {
  test(`a rotation answer ${what} installs the key and hands it over`, async () => {
    const { f } = deltadefiServer({ answer: body });
    const handed = [];
    const client = new Client({ provider: 'deltadefi', apiKey: 'dd_old', fetch: f.fetch, onKeyRotated: (key, info) => handed.push([key, info]) });
    assert.equal(await client.rotateKey(), 'dd_new_1');
    const info = createdAt === undefined ? { provider: 'deltadefi' } : { provider: 'deltadefi', createdAt };
    assert.deepEqual(handed, [['dd_new_1', info]]);
    assert.deepEqual(await client.headers(), { 'X-API-KEY': 'dd_new_1' });
  });
}

test('calls that raced a rotation and got 401 with the old key are retried once with the new key', async () => {
  const { f, state } = deltadefiServer();
  let release;
  state.hold = new Promise((r) => { release = r; });
  const client = new Client({ provider: 'deltadefi', apiKey: 'dd_old', fetch: f.fetch });
  const rotation = client.rotateKey();
  await tick(5);
  const calls = Array.from({ length: 5 }, (_, i) => client.fetch(`/market/${i}`).then((r) => r.status));
  await tick(10);
  release();
  assert.equal(await rotation, 'dd_new_1');
  assert.deepEqual(await Promise.all(calls), [200, 200, 200, 200, 200]);
  assert.equal(state.rotations, 1);
  assert.equal(f.sent.filter((r) => r.url.includes('/market/')).length, 10, '5 calls with the old key, 5 retries with the new one');
});

test('concurrent rotateKey() calls share one rotation', async () => {
  const { f, state } = deltadefiServer();
  const client = new Client({ provider: 'deltadefi', apiKey: 'dd_old', fetch: f.fetch });
  assert.deepEqual(await Promise.all([client.rotateKey(), client.rotateKey(), client.rotateKey()]), ['dd_new_1', 'dd_new_1', 'dd_new_1']);
  assert.equal(state.rotations, 1);
});

for (const [what, callback] of [
  ['throws', () => { throw new Error('disk full'); }],
  ['rejects', async () => { throw new Error('disk full'); }],
]) {
  test(`an onKeyRotated that ${what}: the key is still installed and returned`, async () => {
    const { f } = deltadefiServer();
    const client = new Client({ provider: 'deltadefi', apiKey: 'dd_old', fetch: f.fetch, onKeyRotated: callback });
    assert.equal(await client.rotateKey(), 'dd_new_1');
    assert.equal((await client.fetch('/market')).status, 200);
  });
}

test('a static key still rejected after the rotation race is auth_rejected, not retried again', async () => {
  const f = scriptedFetch(() => json(401, { error: 'unauthorized', code: 4010 }));
  const client = new Client({ provider: 'deltadefi', apiKey: 'dd_dead', fetch: f.fetch });
  await rejectsWith(client.fetch('/market'), 'auth_rejected', { status: 401 });
  assert.equal(f.sent.length, 1);
});
