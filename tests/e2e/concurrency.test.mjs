// The request-count guarantees of the Client under concurrency, against the DePay emulator
// (token exchange with expiry) and the DeFindex emulator (JWT exp on the server's clock).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, KeystampError } from 'keystamp';
import { emulatorWithClock, noUnhandledRejections } from './helpers.mjs';

const N = 1000;

async function depayClient(options = {}) {
  const { emu, clock } = await emulatorWithClock(options.emulator);
  const client = new Client({ provider: 'depay', baseUrl: emu.baseUrls.depay, apiKey: emu.credentials.depay.apiKey, now: clock.now, ...options.client });
  return { emu, clock, client };
}

const calls = (client, n, path = '/v2/balance') => Promise.all(Array.from({ length: n }, () => client.fetch(path)));

test(`${N} concurrent calls with no token yet make exactly 1 auth request`, async () => {
  const { emu, client } = await depayClient();
  try {
    const responses = await noUnhandledRejections(() => calls(client, N));
    assert.ok(responses.every((r) => r.status === 200));
    assert.equal(emu.count('depay', 'auth'), 1);
    assert.equal(emu.count('depay', 'api'), N);
  } finally { await emu.close(); }
});

test(`${N} concurrent calls across an expiry make exactly 1 renewal`, async () => {
  const { emu, clock, client } = await depayClient();
  try {
    await calls(client, 10);
    clock.advance(3600_000); // past expiry: the token is unusable, every caller must wait
    const responses = await noUnhandledRejections(() => calls(client, N));
    assert.ok(responses.every((r) => r.status === 200));
    assert.equal(emu.count('depay', 'auth'), 2);
    assert.equal(emu.count('depay', 'api'), 10 + N);
  } finally { await emu.close(); }
});

test(`an auth failure rejects all ${N} waiters with the same code, and the next call tries again`, async () => {
  const { emu, client } = await depayClient();
  try {
    emu.failNext('depay', 'auth', { status: 500, body: { statusCode: 500, message: 'Internal server error' } });
    const results = await noUnhandledRejections(() => Promise.allSettled(Array.from({ length: N }, () => client.fetch('/v2/balance'))));
    assert.ok(results.every((r) => r.status === 'rejected' && r.reason instanceof KeystampError && r.reason.code === 'provider_error' && r.reason.status === 500));
    assert.equal(emu.count('depay', 'auth'), 1);
    assert.equal(emu.count('depay', 'api'), 0);
    const next = await client.fetch('/v2/balance');
    assert.equal(next.status, 200);
    assert.equal(emu.count('depay', 'auth'), 2, 'the failure was not cached');
  } finally { await emu.close(); }
});

test('a 401 on a call makes exactly one re-auth and one retry', async () => {
  const { emu, client } = await depayClient();
  try {
    await client.fetch('/v2/balance');
    emu.revokeTokens('depay');
    const res = await client.fetch('/v2/balance', { method: 'POST', body: JSON.stringify({ amount: 10 }) });
    assert.equal(res.status, 200);
    assert.equal(emu.count('depay', 'auth'), 2);
    assert.equal(emu.count('depay', 'api'), 3);
    const retried = emu.requests.filter((r) => r.route === 'api').at(-1);
    assert.equal(retried.body, '{"amount":10}', 'the body was cloned for the retry');
  } finally { await emu.close(); }
});

test('100 straggler 401s carrying an old token cause no extra renewal', async () => {
  const { emu, client } = await depayClient();
  try {
    await client.fetch('/v2/balance');
    emu.revokeTokens('depay');
    const responses = await noUnhandledRejections(() => calls(client, 100));
    assert.ok(responses.every((r) => r.status === 200));
    assert.equal(emu.count('depay', 'auth'), 2, 'one renewal for 100 rejected calls');
    assert.equal(emu.count('depay', 'api'), 1 + 100 + 100);
  } finally { await emu.close(); }
});

test('a second 401 is auth_rejected, never a loop; 403 is never retried', async () => {
  const { emu, client } = await depayClient();
  try {
    await client.fetch('/v2/balance');
    emu.failNext('depay', 'api', { status: 401, body: { message: 'Unauthorized' }, times: 2 });
    await assert.rejects(client.fetch('/v2/balance'), (e) => e instanceof KeystampError && e.code === 'auth_rejected' && e.status === 401);
    assert.equal(emu.count('depay', 'api'), 3);
    assert.equal(emu.count('depay', 'auth'), 2);
    emu.failNext('depay', 'api', { status: 403, body: { message: 'Forbidden' } });
    // The token that was rejected twice is dropped: the next call authenticates again.
    const forbidden = await client.fetch('/v2/balance');
    assert.equal(forbidden.status, 403);
    assert.equal(emu.count('depay', 'api'), 4, 'a 403 is returned, not retried');
    assert.equal(emu.count('depay', 'auth'), 3);
  } finally { await emu.close(); }
});

for (const skewMin of [10, -10]) {
  test(`a local clock ${skewMin} minutes off still makes exactly one auth per token lifetime (DeFindex JWT)`, async () => {
    const { emu, clock } = await emulatorWithClock();
    try {
      const creds = emu.credentials.defindex;
      const localNow = () => clock.now() + skewMin * 60_000;
      const client = new Client({ provider: 'defindex', baseUrl: emu.baseUrls.defindex, email: creds.email, password: creds.password, now: localNow });
      // Three token lifetimes (1 h each), a call every 5 minutes.
      for (let minute = 0; minute < 180; minute += 5) {
        const res = await client.fetch('/vault/balance');
        assert.equal(res.status, 200, `minute ${minute}`);
        clock.advance(5 * 60_000);
      }
      await new Promise((r) => setTimeout(r, 20)); // let a background renewal settle
      const auths = emu.count('defindex', 'login') + emu.count('defindex', 'refresh');
      assert.equal(emu.count('defindex', 'login'), 1);
      assert.equal(auths, 3, 'login + 2 refreshes for 3 lifetimes');
      // Without the Date-header offset, a slow clock sends expired tokens (401s) and a fast one
      // renews early (a 4th auth).
      assert.equal(emu.requests.filter((r) => r.status === 401).length, 0, 'no call was made with an expired token');
    } finally { await emu.close(); }
  });
}
