// DeFindex end to end: sk_ keys, dashboard login, single-use refresh tokens, re-login fallback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, KeystampError } from 'keystamp';
import { emulatorWithClock } from './helpers.mjs';

function loginClient(emu, clock, extra = {}) {
  const { email, password } = emu.credentials.defindex;
  return new Client({ provider: 'defindex', baseUrl: emu.baseUrls.defindex, email, password, now: clock.now, ...extra });
}

test('an sk_ key is sent as Bearer with no auth request', async () => {
  const { emu, clock } = await emulatorWithClock();
  try {
    const key = emu.credentials.defindex.apiKey;
    const client = new Client({ provider: 'defindex', baseUrl: emu.baseUrls.defindex, apiKey: key, now: clock.now });
    assert.equal((await client.fetch('/vault/CABC/balance')).status, 200);
    assert.equal(emu.requests.at(-1).headers.authorization, `Bearer ${key}`);
    assert.equal(emu.count('defindex'), 1);
  } finally { await emu.close(); }
});

test('logs in once, then refreshes with each refresh token exactly once', async () => {
  const { emu, clock } = await emulatorWithClock();
  try {
    const client = loginClient(emu, clock);
    assert.equal((await client.fetch('/vault/balance')).status, 200);
    const login = emu.requests.find((r) => r.route === 'login');
    assert.deepEqual(JSON.parse(login.body), { email: emu.credentials.defindex.email, password: emu.credentials.defindex.password });
    assert.equal(login.headers['content-type'], 'application/json');
    for (let lifetime = 1; lifetime <= 3; lifetime++) {
      clock.advance(3600_000);
      assert.equal((await client.fetch('/vault/balance')).status, 200);
    }
    assert.equal(emu.count('defindex', 'login'), 1);
    assert.equal(emu.count('defindex', 'refresh'), 3);
    const refreshTokens = emu.requests.filter((r) => r.route === 'refresh').map((r) => r.headers.authorization);
    assert.equal(new Set(refreshTokens).size, 3, 'no refresh token was sent twice');
    assert.ok(emu.requests.filter((r) => r.route === 'refresh').every((r) => r.status === 200));
  } finally { await emu.close(); }
});

for (const shape of ['spec', 'postman']) {
  test(`accepts the ${shape} refresh answer shape`, async () => {
    const { emu, clock } = await emulatorWithClock();
    try {
      emu.setVariant('defindexRefreshShape', shape);
      const client = loginClient(emu, clock);
      await client.headers();
      clock.advance(3600_000);
      const headers = await client.headers();
      assert.equal(emu.count('defindex', 'refresh'), 1);
      assert.equal((await client.fetch('/vault/balance')).status, 200);
      assert.equal(emu.requests.at(-1).headers.authorization, headers.Authorization);
    } finally { await emu.close(); }
  });
}

for (const status of [403, 401]) {
  test(`a rejected refresh (${status}) falls back to logging in again`, async () => {
    const { emu, clock } = await emulatorWithClock();
    try {
      emu.setVariant('defindexRefreshRejectStatus', status);
      const client = loginClient(emu, clock);
      await client.headers();
      emu.failNext('defindex', 'refresh', { status, body: { message: 'Invalid refresh token' } });
      clock.advance(3600_000);
      assert.equal((await client.fetch('/vault/balance')).status, 200);
      assert.equal(emu.count('defindex', 'login'), 2);
      assert.equal(emu.count('defindex', 'refresh'), 1);
    } finally { await emu.close(); }
  });
}

test('bad dashboard credentials are auth_rejected (403), the password never in the error', async () => {
  const { emu, clock } = await emulatorWithClock();
  try {
    const client = new Client({ provider: 'defindex', baseUrl: emu.baseUrls.defindex, email: 'dev@example.com', password: 'WRONG_PASSWORD_MARK', now: clock.now });
    await assert.rejects(client.headers(), (e) => e instanceof KeystampError && e.code === 'auth_rejected' && e.status === 403 && !JSON.stringify(e).includes('WRONG_PASSWORD') && !e.message.includes('WRONG_PASSWORD'));
  } finally { await emu.close(); }
});

test('a revoked sk_ key is auth_rejected with no retry', async () => {
  const { emu, clock } = await emulatorWithClock();
  try {
    const client = new Client({ provider: 'defindex', baseUrl: emu.baseUrls.defindex, apiKey: 'sk_not_a_real_key', now: clock.now });
    await assert.rejects(client.fetch('/vault/balance'), (e) => e.code === 'auth_rejected' && e.status === 401);
    assert.equal(emu.count('defindex'), 1);
  } finally { await emu.close(); }
});

test('a missing password is missing_credential at construction', () => {
  assert.throws(() => new Client({ provider: 'defindex', email: 'a@b.c' }), (e) => e.code === 'missing_credential' && e.provider === 'defindex');
});
