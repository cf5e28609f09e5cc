// Every documented auth flow through the Client, end to end against the emulator (strict, with
// its documented variants): Adjutor Core Services, DePay paths and shapes, Kiiex 2FA, logout and
// JSON POSTs, DeFindex API keys and answer shapes, DeltaDeFi rotation answers and error codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { Client, KeystampError, authHeaders, kiiexAuthenticateFrame, kiiexReadAuthenticateReply, kiiexTwoFactorFrame, verifyDepayCallback } from 'keystamp';
import { emulatorWithClock, noUnhandledRejections } from './helpers.mjs';

const withEmulator = (options, fn) => noUnhandledRejections(async () => {
  const { emu, clock } = await emulatorWithClock(options);
  try {
    return await fn(emu, clock);
  } finally {
    await emu.close();
  }
});

// --- Adjutor Core Services ---------------------------------------------------------------------

test('Adjutor Core Services: one team-member login for 20 concurrent calls, both headers on each, a new login after the token dies', () => withEmulator({}, async (emu, clock) => {
  const { apiKey, email, password } = emu.credentials.adjutor;
  const client = new Client({ provider: 'adjutor', baseUrl: emu.baseUrls.adjutor, apiKey, email, password, now: clock.now });
  const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => client.fetch(`/customers/${i}`).then((r) => r.status)));
  assert.deepEqual(new Set(statuses), new Set([200]));
  assert.equal(emu.count('adjutor', 'login'), 1);
  const core = emu.requests.filter((r) => r.route === 'core');
  assert.equal(core.length, 20);
  assert.equal(core[0].headers.authorization, `Bearer ${apiKey}`);
  assert.match(core[0].headers['x-access-token'], /^[\w-]+\.[\w-]+\.[\w-]+$/);
  emu.revokeTokens('adjutor');
  assert.equal((await client.fetch('/customers/after')).status, 200);
  assert.equal(emu.count('adjutor', 'login'), 2, 'a 401 on the token logs in again, once');
  const headers = await client.headers();
  assert.deepEqual(Object.keys(headers).sort(), ['Authorization', 'x-access-token']);
}));

test('Adjutor: a wrong team-member password is auth_rejected with no secret in the error; a key-only client sends Bearer only', () => withEmulator({}, async (emu, clock) => {
  const { apiKey, email } = emu.credentials.adjutor;
  const bad = new Client({ provider: 'adjutor', baseUrl: emu.baseUrls.adjutor, apiKey, email, password: 'WRONG_PASSWORD_MARK', now: clock.now });
  await assert.rejects(bad.fetch('/customers/1'), (e) => e instanceof KeystampError && e.code === 'auth_rejected' && !JSON.stringify({ ...e, m: e.message }).includes('WRONG_PASSWORD'));
  const plain = new Client({ provider: 'adjutor', baseUrl: emu.baseUrls.adjutor, apiKey, now: clock.now });
  assert.deepEqual(await plain.headers(), { Authorization: `Bearer ${apiKey}` });
}));

// --- DePay ---------------------------------------------------------------------------------------

for (const [path, shape, reject] of [['/auth/token', 'flat', 403], ['/v2/auth/token', 'wrapped', 401]]) {
  test(`DePay: token path ${path}, ${shape} answers, a ${reject} refusal is auth_rejected`, () => withEmulator({ variants: { depayTokenPath: path, depayAnswerShape: shape, depayRejectStatus: reject } }, async (emu, clock) => {
    const { apiKey } = emu.credentials.depay;
    const client = new Client({ provider: 'depay', baseUrl: emu.baseUrls.depay, apiKey, tokenPath: path, now: clock.now });
    assert.equal((await client.fetch('/v2/payments')).status, 200);
    assert.equal(emu.count('depay', 'auth'), 1);
    const wrong = new Client({ provider: 'depay', baseUrl: emu.baseUrls.depay, apiKey: 'dp_wrong_key', tokenPath: path, now: clock.now });
    await assert.rejects(wrong.headers(), { code: 'auth_rejected', status: reject });
  }));
}

// --- Kiiex ---------------------------------------------------------------------------------------

const kiiexClient = (emu, clock, extra = {}) => {
  const { apiKey, apiSecret, userId } = emu.credentials.kiiex;
  return new Client({ provider: 'kiiex', baseUrl: emu.baseUrls.kiiex, apiKey, apiSecret, userId, now: clock.now, ...extra });
};

for (const [what, source] of [['a synchronous', (emu) => () => emu.twoFactorCode()], ['an async', (emu) => async () => emu.twoFactorCode()]]) {
  test(`Kiiex 2FA with ${what} onTwoFactor: one AuthenticateUser, one Authenticate2FA, then the session`, () => withEmulator({ variants: { kiiexTwoFactor: true } }, async (emu, clock) => {
    let asked = 0;
    const code = source(emu);
    const client = kiiexClient(emu, clock, { onTwoFactor: (info) => { asked += 1; assert.deepEqual(info, { provider: 'kiiex' }); return code(); } });
    const calls = await Promise.all(Array.from({ length: 10 }, () => client.fetch('GetUserInfo', { method: 'POST', body: '{}' }).then((r) => r.status)));
    assert.deepEqual(new Set(calls), new Set([200]));
    assert.equal(asked, 1);
    assert.deepEqual([emu.count('kiiex', 'auth'), emu.count('kiiex', 'twoFactor'), emu.count('kiiex', 'api')], [1, 1, 10]);
  }));
}

test('Kiiex 2FA without a code source: two_factor_required after one request, never a loop', () => withEmulator({ variants: { kiiexTwoFactor: true } }, async (emu, clock) => {
  const client = kiiexClient(emu, clock);
  await assert.rejects(client.fetch('GetUserInfo'), { code: 'two_factor_required', provider: 'kiiex' });
  assert.deepEqual([emu.count('kiiex', 'auth'), emu.count('kiiex', 'twoFactor')], [1, 0]);
  const failing = kiiexClient(emu, clock, { onTwoFactor: () => { throw new Error('no authenticator'); } });
  await assert.rejects(failing.headers(), { code: 'two_factor_required' });
  const wrong = kiiexClient(emu, clock, { onTwoFactor: () => '000000' });
  await assert.rejects(wrong.headers(), { code: 'auth_rejected' });
  assert.equal(emu.count('kiiex', 'twoFactor'), 1);
}));

test('Kiiex logout() sends LogOut with the session token and forgets it; the next call authenticates again', () => withEmulator({}, async (emu, clock) => {
  const client = kiiexClient(emu, clock);
  await client.logout();
  assert.equal(emu.count('kiiex', 'logout'), 0, 'no session: nothing to end');
  const { aptoken } = await client.headers();
  await client.logout();
  const logout = emu.requests.find((r) => r.route === 'logout');
  assert.equal(logout.headers.aptoken, aptoken);
  assert.equal(logout.status, 200);
  assert.equal((await client.fetch('GetUserInfo')).status, 200);
  assert.equal(emu.count('kiiex', 'auth'), 2);
}));

test('Kiiex POSTs carry Content-Type: application/json unless the caller set one', () => withEmulator({}, async (emu, clock) => {
  const client = kiiexClient(emu, clock);
  await client.fetch('GetUserInfo', { method: 'POST', body: '{}' });
  await client.fetch('GetUserInfo', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json; charset=utf-8' } });
  await client.fetch('GetUserInfo');
  const api = emu.requests.filter((r) => r.route === 'api');
  assert.deepEqual(api.map((r) => r.headers['content-type']), ['application/json', 'application/json; charset=utf-8', undefined]);
}));

for (const responseCase of ['camel', 'lower']) {
  test(`Kiiex AuthenticateUser answers in ${responseCase} case`, () => withEmulator({ variants: { kiiexResponseCase: responseCase } }, async (emu, clock) => {
    assert.equal((await kiiexClient(emu, clock).fetch('GetUserInfo')).status, 200);
  }));
}

// --- DeFindex ------------------------------------------------------------------------------------

const defindexClient = (emu, clock) => {
  const { email, password } = emu.credentials.defindex;
  return new Client({ provider: 'defindex', baseUrl: emu.baseUrls.defindex, email, password, now: clock.now });
};

for (const shape of ['object', 'array']) {
  test(`DeFindex keys from the Client (generate answering an ${shape}): generate, list, revoke, with the dashboard JWT`, () => withEmulator({ variants: { defindexGenerateShape: shape, defindexListStatus: 201 } }, async (emu, clock) => {
    const client = defindexClient(emu, clock);
    const generated = await client.generateKey({ name: 'ci' });
    assert.match(generated.key, /^sk_/);
    const listed = await client.listKeys();
    const entry = listed.find((k) => k.name === 'ci');
    assert.ok(entry, JSON.stringify(listed));
    assert.notEqual(entry.key, generated.key, 'the list shows truncated keys');
    await client.revokeKey(entry.id);
    const worker = new Client({ provider: 'defindex', baseUrl: emu.baseUrls.defindex, apiKey: generated.key, now: clock.now });
    await assert.rejects(worker.fetch('/vault/balance'), { code: 'auth_rejected' });
    assert.equal(emu.count('defindex', 'login'), 1);
  }));
}

test('DeFindex key operations after the JWT was revoked: one refresh, then the operation', () => withEmulator({}, async (emu, clock) => {
  const client = defindexClient(emu, clock);
  await client.listKeys();
  emu.revokeTokens('defindex');
  assert.ok(Array.isArray(await client.listKeys()));
  assert.ok(emu.count('defindex', 'refresh') + emu.count('defindex', 'login') >= 2);
  const keyed = new Client({ provider: 'defindex', baseUrl: emu.baseUrls.defindex, apiKey: 'sk_x', now: clock.now });
  await assert.rejects(keyed.listKeys(), { code: 'unsupported' });
}));

for (const shape of ['camel', 'postman']) {
  test(`DeFindex login and refresh answers in the ${shape} shape`, () => withEmulator({ variants: { defindexLoginShape: shape, defindexRefreshShape: shape } }, async (emu, clock) => {
    const client = defindexClient(emu, clock);
    assert.equal((await client.fetch('/vault/balance')).status, 200);
    clock.advance(3_590_000);
    assert.equal((await client.fetch('/vault/balance')).status, 200);
    assert.deepEqual([emu.count('defindex', 'login'), emu.count('defindex', 'refresh')], [1, 1]);
  }));
}

// --- DeltaDeFi -----------------------------------------------------------------------------------

test('DeltaDeFi: a rotation answer without created_at still hands over the new key', () => withEmulator({ variants: { deltadefiCreatedAt: 'absent' } }, async (emu, clock) => {
  const handed = [];
  const client = new Client({ provider: 'deltadefi', baseUrl: emu.baseUrls.deltadefi, apiKey: emu.credentials.deltadefi.apiKey, now: clock.now, onKeyRotated: (key, info) => handed.push([key, info]) });
  const key = await client.rotateKey();
  assert.deepEqual(handed, [[key, { provider: 'deltadefi' }]]);
  assert.equal(key, emu.credentials.deltadefi.apiKey, 'the emulator now accepts only the new key');
  assert.equal((await client.fetch('/accounts/balance')).status, 200);
}));

for (const [code, want] of [[4010, 'auth_rejected'], [4290, 'rate_limited'], [5001, 'provider_unavailable'], [5002, 'provider_unavailable']]) {
  test(`DeltaDeFi error code ${code} on a rotation is ${want}, with the provider's code`, () => withEmulator({}, async (emu, clock) => {
    const client = new Client({ provider: 'deltadefi', baseUrl: emu.baseUrls.deltadefi, apiKey: emu.credentials.deltadefi.apiKey, now: clock.now });
    emu.failNext('deltadefi', 'rotate', { status: Math.floor(code / 10), body: { error: 'x', code } });
    await assert.rejects(client.rotateKey(), (e) => e.code === want && e.providerCode === code && e.provider === 'deltadefi');
  }));
}

// --- DePay callbacks and the Kiiex WebSocket gateway ---------------------------------------------

test('DePay callbacks signed by the emulator verify; a changed byte, another UUID or a malformed header do not, and nothing throws', () => withEmulator({}, async (emu) => {
  const { apiKey, customerUuid } = emu.credentials.depay;
  const callback = emu.depayCallback({ event: 'payment.completed', id: 'pay_1', amount: '10.50', note: 'a+b ünïcödé' });
  // A receiving server: the raw body, as a framework hands it over.
  const received = await new Response(callback.body, { headers: callback.headers }).text();
  assert.equal(verifyDepayCallback({ apiKey, customerUuid, body: received, signature: callback.signature }), true);
  assert.equal(verifyDepayCallback({ apiKey, customerUuid, body: Buffer.from(received), signature: callback.signature }), true);
  assert.equal(verifyDepayCallback({ apiKey, customerUuid, body: received.replace('10.50', '10.51'), signature: callback.signature }), false);
  assert.equal(verifyDepayCallback({ apiKey, customerUuid: 'another-uuid', body: received, signature: callback.signature }), false);
  assert.equal(verifyDepayCallback({ apiKey, customerUuid, body: JSON.stringify(JSON.parse(received), null, 1), signature: callback.signature }), false, 're-serialised is not the raw body');
  for (const signature of ['', 'zz', callback.signature.toUpperCase(), `sha256=${callback.signature}`, null]) {
    assert.equal(verifyDepayCallback({ apiKey, customerUuid, body: received, signature }), false);
  }
}));

/** Sends `frame` and resolves with the reply whose `i` is `seq`. */
function call(socket, frame, seq) {
  return new Promise((resolve, reject) => {
    const onMessage = (data) => {
      const text = String(data);
      if (JSON.parse(text).i !== seq) return;
      socket.off('message', onMessage);
      resolve(text);
    };
    socket.on('message', onMessage);
    socket.once('error', reject);
    socket.send(frame);
  });
}

for (const twoFactor of [false, true]) {
  test(`Kiiex WebSocket gateway of the emulator${twoFactor ? ' with 2FA' : ''}: frames built and replies read by keystamp give a session the REST API accepts`, () => withEmulator({ variants: { kiiexTwoFactor: twoFactor } }, async (emu) => {
    const { apiKey, apiSecret, userId } = emu.credentials.kiiex;
    const socket = new WebSocket(emu.wsUrls.kiiex);
    await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
    try {
      let reply = kiiexReadAuthenticateReply(await call(socket, kiiexAuthenticateFrame({ apiKey, apiSecret, userId, seq: 2 }), 2), { seq: 2 });
      assert.equal(reply.requires2FA, twoFactor);
      if (reply.requires2FA) reply = kiiexReadAuthenticateReply(await call(socket, kiiexTwoFactorFrame({ code: emu.twoFactorCode(), seq: 4 }), 4), { seq: 4 });
      assert.match(reply.sessionToken, /^\S{8,}$/);
      const res = await fetch(`${emu.baseUrls.kiiex}/GetUserInfo`, { headers: authHeaders('kiiex', { sessionToken: reply.sessionToken }) });
      assert.equal(res.status, 200);
      const frames = emu.requests.filter((r) => r.method === 'WS');
      assert.equal(frames.length, twoFactor ? 2 : 1);
    } finally {
      socket.close();
    }
  }));
}
