// The emulator's own contract tests, with plain fetch and node:crypto (no keystamp): it must
// reject everything the providers' documentation does not allow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startEmulator } from './emulator.mjs';

async function withEmu(fn, options) {
  let now = Date.UTC(2026, 0, 1);
  const emu = await startEmulator({ now: () => now, ...options });
  try { await fn(emu, (ms) => { now += ms; }); } finally { await emu.close(); }
}
const get = async (url, headers = {}, method = 'GET', body) => {
  const res = await fetch(url, { method, headers, body });
  return { status: res.status, body: await res.json(), date: res.headers.get('date') };
};

test('DePay: exact x-api-key, 403 otherwise (both bodies), Bearer until expiry', () => withEmu(async (emu, advance) => {
  const base = emu.baseUrls.depay;
  assert.deepEqual((await get(`${base}/auth/token`, { 'x-api-key': 'wrong' })).body, { statusCode: 403, message: 'Forbidden resource' });
  emu.setVariant('depayForbiddenBody', 'legacy');
  assert.equal((await get(`${base}/auth/token`, {})).body.statusCode, 401);
  const ok = await get(`${base}/auth/token`, { 'X-Api-Key': emu.credentials.depay.apiKey });
  assert.equal(ok.body.expiresIn, '3600');
  const auth = { authorization: `Bearer ${ok.body.accessToken}` };
  assert.equal((await get(`${base}/v2/payments`, auth)).status, 200);
  assert.equal((await get(`${base}/v2/payments`, { authorization: ok.body.accessToken })).status, 401, 'Bearer scheme required');
  advance(3600_000);
  assert.equal((await get(`${base}/v2/payments`, auth)).status, 401, 'expired on the emulator clock');
  assert.equal(emu.count('depay', 'auth'), 3);
  assert.equal(emu.count('depay'), 6);
}));

test('DeFindex: login, single-use refresh tokens, both refresh shapes, key revocation', () => withEmu(async (emu) => {
  const base = emu.baseUrls.defindex;
  const { email, password } = emu.credentials.defindex;
  assert.equal((await get(`${base}/login`, { 'content-type': 'application/json' }, 'POST', JSON.stringify({ email, password: 'nope' }))).status, 403);
  const login = (await get(`${base}/login`, { 'content-type': 'application/json' }, 'POST', JSON.stringify({ email, password }))).body;
  const payload = JSON.parse(Buffer.from(login.access_token.split('.')[1], 'base64url'));
  assert.equal(payload.exp - payload.iat, 3600);
  const refresh = (t) => get(`${base}/refresh`, { authorization: `Bearer ${t}` }, 'POST');
  const first = await refresh(login.refresh_token);
  assert.equal(first.status, 200);
  assert.ok(first.body.access_token && first.body.refresh_token);
  assert.equal((await refresh(login.refresh_token)).status, 403, 'a refresh token works once');
  emu.setVariant('defindexRefreshRejectStatus', 401);
  assert.equal((await refresh(login.refresh_token)).status, 401);
  emu.setVariant('defindexRefreshShape', 'postman');
  const second = await refresh(first.body.refresh_token);
  assert.deepEqual(Object.keys(second.body).sort(), ['jwt', 'refreshToken']);
  const jwtAuth = { authorization: `Bearer ${second.body.jwt}`, 'content-type': 'application/json' };
  const gen = (await get(`${base}/api-keys/generate`, jwtAuth, 'POST', JSON.stringify({ name: 'ci' }))).body;
  assert.match(gen.key, /^sk_/);
  assert.equal((await get(`${base}/vault`, { authorization: `Bearer ${gen.key}` })).status, 200);
  assert.deepEqual((await get(`${base}/api-keys/${gen.id}/revoke`, jwtAuth, 'POST', JSON.stringify({ keyId: gen.id }))).body, { success: true });
  assert.equal((await get(`${base}/vault`, { authorization: `Bearer ${gen.key}` })).status, 401);
}));

test('DeltaDeFi: rotation kills the old key at once', () => withEmu(async (emu) => {
  const base = emu.baseUrls.deltadefi;
  const old = emu.credentials.deltadefi.apiKey;
  const rotated = await get(`${base}/accounts/new-api-key`, { 'X-API-KEY': old });
  assert.equal(rotated.body.api_key, emu.credentials.deltadefi.apiKey);
  assert.deepEqual((await get(`${base}/accounts/balance`, { 'X-API-KEY': old })).body, { error: 'unauthorized', code: 4010 });
  assert.equal((await get(`${base}/accounts/balance`, { 'X-API-KEY': rotated.body.api_key })).status, 200);
}));

test('Kiiex: verifies the HMAC in the header and JSON forms; aptoken with idle expiry', () => withEmu(async (emu, advance) => {
  const base = emu.baseUrls.kiiex;
  const { apiKey, apiSecret, userId } = emu.credentials.kiiex;
  const sign = (nonce) => createHmac('sha256', apiSecret).update(nonce + userId + apiKey).digest('hex');
  assert.equal(sign('637958203'), 'e29b8f8f9654f9604c16fd193e9440c889e558bca55962c87a5ebcf7355a8897', 'vector 2 of the contracts');
  const headers = { APIKey: apiKey, Signature: sign('1'), UserId: userId, Nonce: '1' };
  const ok = await get(`${base}/AuthenticateUser`, headers);
  assert.equal(ok.body.Authenticated, true);
  assert.deepEqual((await get(`${base}/AuthenticateUser`, { ...headers, Signature: sign('2') })).body, { Authenticated: false, errormsg: 'Invalid API key or signature' });
  assert.equal((await get(`${base}/AuthenticateUser`, {}, 'POST', JSON.stringify({ ...headers, Signature: sign('2') }))).status, 401);
  assert.equal((await get(`${base}/AuthenticateUser`, {}, 'POST', JSON.stringify({ ...headers, UserId: 184 }))).status, 400);
  assert.equal((await get(`${base}/AuthenticateUser`, {}, 'POST', JSON.stringify(headers))).body.Authenticated, true);
  const call = () => get(`${base}/GetUserInfo`, { aptoken: ok.body.SessionToken }, 'POST', '{}');
  assert.equal((await call()).status, 200);
  advance(3600_000);
  assert.deepEqual((await call()).body, { result: false, errormsg: 'Not Authorized', errorcode: 20 });
}));

test('failure injection, Date skew and counting', () => withEmu(async (emu) => {
  emu.setDateSkew(-600_000);
  emu.failNext('adjutor', 'api', { status: 500, rawBody: '{oops' });
  const key = { authorization: `Bearer ${emu.credentials.adjutor.apiKey}` };
  const res = await fetch(`${emu.baseUrls.adjutor}/x`, { headers: key });
  assert.equal(res.status, 500);
  assert.equal(await res.text(), '{oops');
  assert.equal(Date.parse(res.headers.get('date')), Date.UTC(2026, 0, 1) - 600_000);
  assert.equal((await get(`${emu.baseUrls.adjutor}/x`, key)).status, 200);
  emu.resetKey('adjutor');
  assert.equal((await get(`${emu.baseUrls.adjutor}/x`, key)).status, 401);
  assert.equal(emu.count('adjutor', 'api'), 3);
  assert.equal((await get(`${emu.url}/nowhere`)).status, 404);
}));
