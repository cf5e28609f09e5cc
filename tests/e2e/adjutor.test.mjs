// Adjutor end to end: a static Bearer key; a reset key is final.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, KeystampError } from 'keystamp';
import { emulatorWithClock } from './helpers.mjs';

test('sends Authorization: Bearer <key> and needs no auth request', async () => {
  const { emu, clock } = await emulatorWithClock();
  try {
    const key = emu.credentials.adjutor.apiKey;
    const client = new Client({ provider: 'adjutor', baseUrl: emu.baseUrls.adjutor, apiKey: key, now: clock.now });
    assert.deepEqual({ ...(await client.headers()) }, { Authorization: `Bearer ${key}` });
    const res = await client.fetch('verification/bvn/22222222222');
    assert.equal(res.status, 200);
    const call = emu.requests.at(-1);
    assert.equal(call.path, '/adjutor/v2/verification/bvn/22222222222');
    assert.equal(call.headers.authorization, `Bearer ${key}`);
    assert.equal(emu.count('adjutor'), 1);
  } finally { await emu.close(); }
});

test('after a dashboard key reset, a call is auth_rejected without retrying', async () => {
  const { emu, clock } = await emulatorWithClock();
  try {
    const client = new Client({ provider: 'adjutor', baseUrl: emu.baseUrls.adjutor, apiKey: emu.credentials.adjutor.apiKey, now: clock.now });
    assert.equal((await client.fetch('/decisioning/models')).status, 200);
    emu.resetKey('adjutor');
    await assert.rejects(client.fetch('/decisioning/models'), (e) => e instanceof KeystampError && e.code === 'auth_rejected' && e.status === 401 && e.provider === 'adjutor');
    assert.equal(emu.count('adjutor'), 2, 'no retry: a static key cannot be renewed');
  } finally { await emu.close(); }
});

test('a padded key is rejected at construction', () => {
  assert.throws(() => new Client({ provider: 'adjutor', apiKey: 'adj_key\n' }), (e) => e.code === 'invalid_header_value' && e.provider === 'adjutor');
});
