// DePay end to end: x-api-key -> /auth/token -> Bearer accessToken, expiry from expiresIn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, KeystampError } from 'keystamp';
import { emulatorWithClock } from './helpers.mjs';

async function setup(clientOptions = {}) {
  const { emu, clock } = await emulatorWithClock();
  const client = new Client({ provider: 'depay', baseUrl: emu.baseUrls.depay, apiKey: emu.credentials.depay.apiKey, now: clock.now, ...clientOptions });
  return { emu, clock, client };
}

test('exchanges the API key once and sends the access token as Bearer', async () => {
  const { emu, client } = await setup();
  try {
    const headers = await client.headers();
    const auth = emu.requests.find((r) => r.route === 'auth');
    assert.equal(auth.method, 'GET');
    assert.equal(auth.path, '/depay/auth/token');
    assert.equal(auth.headers['x-api-key'], emu.credentials.depay.apiKey);
    assert.match(headers.Authorization, /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    const res = await client.fetch('/v2/payments');
    assert.equal(res.status, 200);
    const call = emu.requests.at(-1);
    assert.equal(call.headers.authorization, headers.Authorization);
    assert.equal(call.headers['x-api-key'], undefined, 'the API key is only sent to /auth/token');
    assert.equal(emu.count('depay', 'auth'), 1);
  } finally { await emu.close(); }
});

test('renews in the background inside the should-refresh window, serving the current token', async () => {
  const { emu, clock, client } = await setup();
  try {
    const first = await client.headers();
    clock.advance(3600_000 - 119_000); // inside the 2-minute window
    const served = await client.headers();
    assert.deepEqual(served, first, 'the current token is still served');
    while (emu.count('depay', 'auth') < 2) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(emu.count('depay', 'auth'), 2, 'one background renewal');
    const renewed = await client.headers();
    assert.notDeepEqual(renewed, first);
    assert.equal(emu.count('depay', 'auth'), 2);
  } finally { await emu.close(); }
});

test('expiresIn as a number is accepted', async () => {
  const { emu, client } = await setup();
  try {
    emu.setVariant('depayExpiresInType', 'number');
    assert.equal((await client.fetch('/v2/payments')).status, 200);
  } finally { await emu.close(); }
});

test('a bad key is auth_rejected (both documented 403 bodies) and never cached', async () => {
  for (const body of ['current', 'legacy']) {
    const { emu, clock } = await emulatorWithClock();
    try {
      emu.setVariant('depayForbiddenBody', body);
      const client = new Client({ provider: 'depay', baseUrl: emu.baseUrls.depay, apiKey: 'depay_wrong_key', now: clock.now });
      for (let i = 1; i <= 2; i++) {
        await assert.rejects(client.headers(), (e) => e instanceof KeystampError && e.code === 'auth_rejected' && e.status === 403 && e.provider === 'depay' && !e.message.includes('depay_wrong_key'));
        assert.equal(emu.count('depay', 'auth'), i);
      }
    } finally { await emu.close(); }
  }
});

test('malformed answers are malformed_response and a still-valid token is kept', async () => {
  const { emu, clock, client } = await setup();
  try {
    const good = await client.headers();
    clock.advance(3600_000 - 60_000); // should refresh, still valid
    // Each bad answer is to one background renewal; wait for it to be answered and settled.
    const renewalAnswered = async (n) => {
      while (emu.count('depay', 'auth') < n) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 10));
    };
    let expected = 1;
    for (const expiresIn of ['abc', '-1', '1e309', '0']) {
      emu.failNext('depay', 'auth', { status: 200, body: { expiresIn, accessToken: 'x.y.z', refreshToken: 'r' } });
      assert.deepEqual(await client.headers(), good);
      await renewalAnswered(++expected);
    }
    emu.failNext('depay', 'auth', { status: 200, rawBody: '{"expiresIn": "3600", "accessToken": ' });
    assert.deepEqual(await client.headers(), good);
    await renewalAnswered(++expected);
    assert.equal(emu.count('depay', 'auth'), 1 + 5);
    clock.advance(58_000); // now inside must-refresh: blocking renewal with a malformed answer
    emu.failNext('depay', 'auth', { status: 200, body: { expiresIn: 'abc', accessToken: 'x' } });
    await assert.rejects(client.headers(), (e) => e.code === 'malformed_response' && e.provider === 'depay');
    assert.equal((await client.fetch('/v2/payments')).status, 200, 'the next call tries again');
  } finally { await emu.close(); }
});

test('credentials are never sent to another origin', async () => {
  const { emu, client } = await setup();
  try {
    await assert.rejects(client.fetch('https://evil.example/v2/payments'), (e) => e.code === 'origin_mismatch');
    await assert.rejects(client.fetch(emu.url.replace('127.0.0.1', 'localhost') + '/depay/v2/x'), (e) => e.code === 'origin_mismatch');
    assert.equal(emu.count('depay'), 0);
  } finally { await emu.close(); }
});
