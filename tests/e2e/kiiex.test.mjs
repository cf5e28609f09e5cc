// Kiiex end to end: HMAC-signed AuthenticateUser in all three forms, aptoken, idle expiry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { Client, KeystampError } from 'keystamp';
import { emulatorWithClock } from './helpers.mjs';

function kiiexClient(emu, clock, extra = {}) {
  const { apiKey, apiSecret, userId } = emu.credentials.kiiex;
  return new Client({ provider: 'kiiex', baseUrl: emu.baseUrls.kiiex, apiKey, apiSecret, userId: Number(userId), now: clock.now, ...extra });
}

const expected = (secret, nonce, userId, apiKey) => createHmac('sha256', secret).update(nonce + userId + apiKey).digest('hex');

for (const [form, method, where] of [['headers', 'GET', 'headers'], ['headers-post', 'POST', 'headers'], ['json', 'POST', 'body']]) {
  test(`AuthenticateUser as ${form}: signed correctly, then aptoken on calls`, async () => {
    const { emu, clock } = await emulatorWithClock();
    try {
      const client = kiiexClient(emu, clock, { kiiexAuthForm: form });
      const res = await client.fetch('GetUserInfo', { method: 'POST', body: '{}' });
      assert.equal(res.status, 200);
      const auth = emu.requests.find((r) => r.route === 'auth');
      assert.equal(auth.method, method);
      assert.equal(auth.path, '/kiiex/ap/AuthenticateUser');
      const { apiKey, apiSecret, userId } = emu.credentials.kiiex;
      const fields = where === 'body' ? JSON.parse(auth.body) : { APIKey: auth.headers.apikey, Signature: auth.headers.signature, UserId: auth.headers.userid, Nonce: auth.headers.nonce };
      assert.equal(fields.APIKey, apiKey);
      assert.equal(fields.UserId, userId);
      assert.equal(fields.Nonce, String(clock.now()), 'monotonic nonce from the clock');
      assert.equal(fields.Signature, expected(apiSecret, fields.Nonce, userId, apiKey));
      const call = emu.requests.at(-1);
      assert.equal(call.path, '/kiiex/ap/GetUserInfo');
      assert.match(call.headers.aptoken, /^\S+$/);
      assert.equal(emu.count('kiiex', 'auth'), 1);
    } finally { await emu.close(); }
  });
}

for (const variant of ['pascal', 'camel', 'lower']) {
  test(`parses the ${variant}-case AuthenticateUser answer`, async () => {
    const { emu, clock } = await emulatorWithClock();
    try {
      emu.setVariant('kiiexResponseCase', variant);
      assert.equal((await kiiexClient(emu, clock).fetch('GetUserInfo', { method: 'POST', body: '{}' })).status, 200);
    } finally { await emu.close(); }
  });
}

test('re-authenticates after the idle limit with a new nonce, and not before', async () => {
  const { emu, clock } = await emulatorWithClock({ kiiexIdleMs: 3600_000 });
  try {
    const client = kiiexClient(emu, clock);
    await client.fetch('GetUserInfo', { method: 'POST', body: '{}' });
    clock.advance(54 * 60_000);
    await client.fetch('GetUserInfo', { method: 'POST', body: '{}' });
    assert.equal(emu.count('kiiex', 'auth'), 1, 'activity keeps the session');
    clock.advance(56 * 60_000);
    assert.equal((await client.fetch('GetUserInfo', { method: 'POST', body: '{}' })).status, 200);
    assert.equal(emu.count('kiiex', 'auth'), 2);
    const nonces = emu.requests.filter((r) => r.route === 'auth').map((r) => Number(r.headers.nonce));
    assert.ok(nonces[1] > nonces[0]);
    assert.equal(emu.requests.filter((r) => r.status === 401).length, 0);
  } finally { await emu.close(); }
});

test('a server-side session loss (401) re-authenticates once and retries', async () => {
  const { emu, clock } = await emulatorWithClock();
  try {
    const client = kiiexClient(emu, clock);
    await client.fetch('GetUserInfo', { method: 'POST', body: '{}' });
    emu.revokeTokens('kiiex');
    assert.equal((await client.fetch('GetUserInfo', { method: 'POST', body: '{}' })).status, 200);
    assert.equal(emu.count('kiiex', 'auth'), 2);
  } finally { await emu.close(); }
});

test('a wrong secret is auth_rejected and nothing secret is in the error', async () => {
  const { emu, clock } = await emulatorWithClock();
  try {
    const client = kiiexClient(emu, clock, { apiSecret: 'WRONGSECRETMARKER' });
    await assert.rejects(client.headers(), (e) => e instanceof KeystampError && e.code === 'auth_rejected' && e.provider === 'kiiex' && !JSON.stringify(e).includes('WRONGSECRET') && !e.message.includes('WRONGSECRET'));
  } finally { await emu.close(); }
});
