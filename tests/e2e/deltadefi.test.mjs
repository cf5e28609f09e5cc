// DeltaDeFi end to end: X-API-KEY, and key rotation that kills the old key at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, KeystampError } from 'keystamp';
import { emulatorWithClock } from './helpers.mjs';

test('sends X-API-KEY', async () => {
  const { emu, clock } = await emulatorWithClock();
  try {
    const key = emu.credentials.deltadefi.apiKey;
    const client = new Client({ provider: 'deltadefi', baseUrl: emu.baseUrls.deltadefi, apiKey: key, now: clock.now });
    assert.equal((await client.fetch('/accounts/balance')).status, 200);
    assert.equal(emu.requests.at(-1).headers['x-api-key'], key);
  } finally { await emu.close(); }
});

test('rotateKey swaps the key atomically, reports it, and calls racing the rotation are retried with it', async () => {
  const { emu, clock } = await emulatorWithClock();
  try {
    const oldKey = emu.credentials.deltadefi.apiKey;
    const reported = [];
    const client = new Client({
      provider: 'deltadefi', baseUrl: emu.baseUrls.deltadefi, apiKey: oldKey, now: clock.now,
      onKeyRotated: (apiKey, info) => reported.push([apiKey, info.provider]),
    });
    // Calls in flight with the old key while the rotation lands: the emulator answers them after it.
    emu.failNext('deltadefi', 'api', { delayMs: 100, times: 20 });
    const racing = Promise.all(Array.from({ length: 20 }, () => client.fetch('/accounts/balance')));
    await new Promise((r) => setTimeout(r, 20));
    const newKey = await client.rotateKey();
    const responses = await racing;
    assert.ok(responses.every((r) => r.status === 200));
    assert.notEqual(newKey, oldKey);
    assert.equal(newKey, emu.credentials.deltadefi.apiKey);
    assert.deepEqual(reported, [[newKey, 'deltadefi']]);
    assert.equal(emu.count('deltadefi', 'rotate'), 1);
    const api = emu.requests.filter((r) => r.route === 'api');
    assert.equal(api.filter((r) => r.status === 401 && r.headers['x-api-key'] === oldKey).length, 20, 'every racing call hit the dead key');
    assert.equal(api.filter((r) => r.status === 200 && r.headers['x-api-key'] === newKey).length, 20, 'and was retried once with the new one');
    const after = await client.fetch('/accounts/balance');
    assert.equal(after.status, 200);
    assert.equal(emu.requests.at(-1).headers['x-api-key'], newKey);
    const old = new Client({ provider: 'deltadefi', baseUrl: emu.baseUrls.deltadefi, apiKey: oldKey, now: clock.now });
    await assert.rejects(old.fetch('/accounts/balance'), (e) => e instanceof KeystampError && e.code === 'auth_rejected');
  } finally { await emu.close(); }
});

test('rotating with a dead key is auth_rejected; other providers cannot rotate', async () => {
  const { emu, clock } = await emulatorWithClock();
  try {
    const client = new Client({ provider: 'deltadefi', baseUrl: emu.baseUrls.deltadefi, apiKey: 'dd_dead_key', now: clock.now });
    await assert.rejects(client.rotateKey(), (e) => e.code === 'auth_rejected' && e.provider === 'deltadefi');
    const depay = new Client({ provider: 'depay', baseUrl: emu.baseUrls.depay, apiKey: 'k', now: clock.now });
    await assert.rejects(depay.rotateKey(), (e) => e.code === 'unsupported');
  } finally { await emu.close(); }
});
