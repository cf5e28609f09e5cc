// The emulator's own contract tests (keystamp/emulator), with plain fetch and node:crypto, not the
// keystamp Client: every route, every strict rejection, every variant, failure injection and the
// counters. Time is a fake clock. The newer flows, faults and the CLI have their own files here.
//
//   node --test tests/emulator/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, MAX_BODY_BYTES, VARIANTS, ROUTES } from 'keystamp/emulator';
import {
  JSON_HEADERS, T0, call, defindexLogin, jwtParts, kiiexFields, kiiexHeaders, kiiexSign, post, postJson, rawStatus, setup,
} from './helpers.mjs';

// --- general ---------------------------------------------------------------------------------------

test('defaults: base URLs under one 127.0.0.1 origin, credentials, variants', async (t) => {
  const { emu } = await setup(t);
  assert.match(emu.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.deepEqual(emu.baseUrls, {
    defindex: `${emu.url}/defindex`, deltadefi: `${emu.url}/deltadefi`, adjutor: `${emu.url}/adjutor/v2`, depay: `${emu.url}/depay`, kiiex: `${emu.url}/kiiex/ap`,
  });
  assert.deepEqual(emu.credentials, {
    defindex: { apiKey: 'sk_test_defindex_0001', email: 'dev@example.com', password: 'correct horse battery staple' },
    deltadefi: { apiKey: 'dd_test_key_0001' },
    adjutor: { apiKey: 'adj_test_key_0001', email: 'ops@example.com', password: 'team member password' },
    depay: { apiKey: 'depay_test_key_0001', customerUuid: '0f8fad5b-d9cb-469f-a165-70867728950e' },
    kiiex: { apiKey: '7c3e0f1a2b4d5e6f8091a2b3c4d5e6f7', apiSecret: 'd2f5a1c3b4e6f7089a1b2c3d4e5f6a7b', userId: '184', twoFactorSecret: 'JBSWY3DPEHPK3PXP' },
  });
  assert.deepEqual(emu.variants, {
    defindexLoginShape: 'spec', defindexRefreshShape: 'spec', defindexRefreshRejectStatus: 403, defindexAccountDisabled: false,
    defindexGenerateShape: 'object', defindexListStatus: 200, deltadefiCreatedAt: 'iso',
    depayTokenPath: '/auth/token', depayAnswerShape: 'flat', depayRejectStatus: 403, depayForbiddenBody: 'current',
    depayExpiresInType: 'string', depayExpiresIn: undefined,
    kiiexResponseCase: 'pascal', kiiexRejectReusedNonce: false, kiiexRejectStyle: 'apex', kiiexTwoFactor: false, kiiexPendingTokenName: 'TwoFAToken',
  });
  assert.deepEqual(Object.keys(VARIANTS), Object.keys(emu.variants));
  assert.deepEqual(ROUTES, {
    defindex: ['login', 'refresh', 'generateKey', 'listKeys', 'revokeKey', 'api'],
    deltadefi: ['rotate', 'api'],
    adjutor: ['login', 'core', 'api'],
    depay: ['auth', 'api'],
    kiiex: ['auth', 'twoFactor', 'logout', 'api'],
  });
  assert.deepEqual(emu.connections, { opened: 0, open: 0 });
});

test('options: partial credential overrides, token lifetimes, initial variants; bad names throw', async (t) => {
  const { emu } = await setup(t, {
    credentials: { adjutor: { apiKey: 'adj_custom' }, kiiex: { userId: '42' } },
    tokenLifetimeSec: { depay: 60 },
    variants: { depayExpiresInType: 'number' },
  });
  assert.equal(emu.credentials.adjutor.apiKey, 'adj_custom');
  assert.equal(emu.credentials.kiiex.userId, '42');
  assert.equal(emu.credentials.kiiex.apiKey, '7c3e0f1a2b4d5e6f8091a2b3c4d5e6f7', 'other fields keep their defaults');
  assert.equal((await call(`${emu.baseUrls.adjutor}/x`, { headers: { authorization: 'Bearer adj_custom' } })).status, 200);
  const token = await call(`${emu.baseUrls.depay}/auth/token`, { headers: { 'x-api-key': emu.credentials.depay.apiKey } });
  assert.equal(token.body.expiresIn, 60);
  await assert.rejects(startEmulator({ variants: { nope: 1 } }), /unknown emulator variant: nope/);
  await assert.rejects(startEmulator({ variants: { defindexRefreshRejectStatus: 500 } }), /defindexRefreshRejectStatus takes 403 \| 401/);
  await assert.rejects(startEmulator({ credentials: { stripe: {} } }), /unknown provider: stripe/);
  assert.throws(() => emu.setVariant('kiiexResponseCase', 'snake'), /kiiexResponseCase takes/);
  assert.throws(() => emu.setVariant('typo', true), /unknown emulator variant/);
});

test('unknown routes and wrong methods on auth routes: 404, still counted', async (t) => {
  const { emu } = await setup(t);
  const notFound = { statusCode: 404, message: 'Not Found' };
  const cases = [
    ['GET', `${emu.url}/nowhere`, null, null],
    ['GET', `${emu.url}/adjutor/x`, null, null],
    ['GET', `${emu.url}/depayx/v2/a`, null, null],
    ['GET', `${emu.baseUrls.depay}/payments`, 'depay', null],
    ['GET', `${emu.baseUrls.depay}/v2`, 'depay', null],
    ['POST', `${emu.baseUrls.depay}/auth/token`, 'depay', null],
    ['GET', `${emu.baseUrls.defindex}/login`, 'defindex', null],
    ['GET', `${emu.baseUrls.defindex}/refresh`, 'defindex', null],
    ['GET', `${emu.baseUrls.defindex}/api-keys/generate`, 'defindex', null],
    ['POST', `${emu.baseUrls.defindex}/api-keys`, 'defindex', null],
    ['GET', `${emu.baseUrls.defindex}/api-keys/key_0/revoke`, 'defindex', null],
    ['POST', `${emu.baseUrls.deltadefi}/accounts/new-api-key`, 'deltadefi', null],
    ['PUT', `${emu.baseUrls.kiiex}/AuthenticateUser`, 'kiiex', null],
    ['GET', `${emu.baseUrls.kiiex}`, 'kiiex', null],
    ['POST', `${emu.baseUrls.kiiex}/a/b`, 'kiiex', null],
    ['POST', `${emu.baseUrls.kiiex}/Get-User`, 'kiiex', null],
    ['DELETE', `${emu.baseUrls.kiiex}/GetUserInfo`, 'kiiex', null],
  ];
  for (const [method, url, provider, route] of cases) {
    const res = await call(url, { method });
    assert.equal(res.status, 404, `${method} ${url}`);
    assert.deepEqual(res.body, notFound);
    assert.equal(emu.requests.at(-1).provider, provider);
    assert.equal(emu.requests.at(-1).route, route);
  }
  assert.equal(emu.count(), cases.length);
  assert.equal(emu.count('defindex'), 5);
  assert.equal(emu.count('kiiex'), 5);
  assert.equal(emu.count('kiiex', 'auth'), 0, 'a wrong method is not the auth route');
});

test('paths are routed as sent (no dot-segment normalization); the query string is ignored', async (t) => {
  const { emu } = await setup(t);
  const key = `Authorization: Bearer ${emu.credentials.adjutor.apiKey}`;
  assert.equal(await rawStatus(emu, 'GET /depay/../adjutor/v2/x HTTP/1.1', [key]), 404);
  const { provider, route, path } = emu.requests.at(-1);
  assert.deepEqual({ provider, route, path }, { provider: 'depay', route: null, path: '/depay/../adjutor/v2/x' });
  const res = await call(`${emu.baseUrls.adjutor}/verification/bvn/222?x=1`, { headers: { authorization: `Bearer ${emu.credentials.adjutor.apiKey}` } });
  assert.deepEqual(res.body, { ok: true, provider: 'adjutor', method: 'GET', path: '/verification/bvn/222' });
  assert.equal(emu.requests.at(-1).path, '/adjutor/v2/verification/bvn/222');
});

test('the Date header reads the emulator clock plus the skew (IMF-fixdate)', async (t) => {
  const { emu, advance } = await setup(t, { dateSkewMs: 5000 });
  const date = async () => (await call(`${emu.url}/nowhere`)).headers.get('date');
  assert.equal(await date(), new Date(T0 + 5000).toUTCString());
  assert.equal(await date(), 'Thu, 01 Jan 2026 12:00:05 GMT');
  emu.setDateSkew(-600_000);
  advance(1000);
  assert.equal(await date(), new Date(T0 + 1000 - 600_000).toUTCString());
  emu.setNow(() => Date.UTC(2030, 5, 1));
  emu.setDateSkew(0);
  assert.equal(await date(), 'Sat, 01 Jun 2030 00:00:00 GMT');
  assert.equal(emu.requests.at(-1).at, Date.UTC(2030, 5, 1), 'requests are stamped with the emulator clock');
});

test('a body over 1 MiB is 413 (counted); exactly 1 MiB is accepted', async (t) => {
  const { emu } = await setup(t);
  const auth = { authorization: `Bearer ${emu.credentials.adjutor.apiKey}` };
  const big = await post(`${emu.baseUrls.adjutor}/upload`, auth, 'x'.repeat(MAX_BODY_BYTES + 1));
  assert.equal(big.status, 413);
  assert.deepEqual(big.body, { statusCode: 413, message: 'Payload Too Large' });
  const max = await post(`${emu.baseUrls.adjutor}/upload`, auth, 'x'.repeat(MAX_BODY_BYTES));
  assert.equal(max.status, 200);
  assert.equal(emu.count('adjutor', 'api'), 2);
  assert.deepEqual(emu.requests.map((r) => r.status), [413, 200]);
  assert.equal((await postJson(`${emu.baseUrls.defindex}/login`, { email: 'x'.repeat(MAX_BODY_BYTES), password: '' })).status, 413);
});

test('credential headers sent twice are rejected', async (t) => {
  const { emu } = await setup(t);
  const adj = `Authorization: Bearer ${emu.credentials.adjutor.apiKey}`;
  assert.equal(await rawStatus(emu, 'GET /adjutor/v2/x HTTP/1.1', [adj]), 200);
  assert.equal(await rawStatus(emu, 'GET /adjutor/v2/x HTTP/1.1', [adj, adj]), 401);
  const dd = `X-API-KEY: ${emu.credentials.deltadefi.apiKey}`;
  assert.equal(await rawStatus(emu, 'GET /deltadefi/accounts/balance HTTP/1.1', [dd]), 200);
  assert.equal(await rawStatus(emu, 'GET /deltadefi/accounts/balance HTTP/1.1', [dd, dd]), 401);
  const dp = `x-api-key: ${emu.credentials.depay.apiKey}`;
  assert.equal(await rawStatus(emu, 'GET /depay/auth/token HTTP/1.1', [dp, dp]), 403);
});

// --- DeFindex --------------------------------------------------------------------------------------

test('DeFindex login: 200 with HS256 JWTs (iat/exp in seconds, unique jti)', async (t) => {
  const { emu } = await setup(t);
  const { email, password } = emu.credentials.defindex;
  const res = await postJson(`${emu.baseUrls.defindex}/login`, { email, password });
  assert.equal(res.status, 200);
  assert.deepEqual(Object.keys(res.body), ['username', 'role', 'access_token', 'refresh_token']);
  assert.equal(res.body.username, 'dev');
  assert.equal(res.body.role, 'user');
  const [header, access] = jwtParts(res.body.access_token);
  const [, refresh] = jwtParts(res.body.refresh_token);
  assert.deepEqual(header, { alg: 'HS256', typ: 'JWT' });
  assert.deepEqual({ ...access, jti: 'x' }, { sub: email, type: 'access', iat: T0 / 1000, exp: T0 / 1000 + 3600, jti: 'x' });
  assert.deepEqual({ ...refresh, jti: 'x' }, { sub: email, type: 'refresh', iat: T0 / 1000, exp: T0 / 1000 + 86400, jti: 'x' });
  const again = await defindexLogin(emu);
  const jtis = new Set([access.jti, refresh.jti, jwtParts(again.access_token)[1].jti, jwtParts(again.refresh_token)[1].jti]);
  assert.equal(jtis.size, 4);
  assert.equal((await postJson(`${emu.baseUrls.defindex}/login`, { email, password }, { 'content-type': 'application/json; charset=utf-8' })).status, 200);
  assert.equal(emu.count('defindex', 'login'), 3);
  assert.equal(emu.count('defindex', 'auth'), 3, "'auth' is DeFindex login");
});

test('DeFindex login: 403 for bad credentials (exact match, nothing trimmed), 400 for a bad body', async (t) => {
  const { emu } = await setup(t);
  const url = `${emu.baseUrls.defindex}/login`;
  const { email, password } = emu.credentials.defindex;
  const bad = { statusCode: 403, message: 'Invalid credentials' };
  for (const creds of [{ email, password: 'nope' }, { email: 'other@example.com', password }, { email: 'DEV@example.com', password },
    { email, password: `${password} ` }, { email: ` ${email}`, password }, { email, password: '' }]) {
    const res = await postJson(url, creds);
    assert.equal(res.status, 403, JSON.stringify(creds));
    assert.deepEqual(res.body, bad);
  }
  const badRequest = { statusCode: 400, message: 'Bad Request' };
  for (const [headers, body] of [
    [JSON_HEADERS, '{"email": '],
    [JSON_HEADERS, JSON.stringify([email, password])],
    [JSON_HEADERS, JSON.stringify({ email })],
    [JSON_HEADERS, JSON.stringify({ email, password: 1234 })],
    [JSON_HEADERS, JSON.stringify({ email, password, remember: 'yes' })],
    [JSON_HEADERS, ''],
    [{}, JSON.stringify({ email, password })],
    [{ 'content-type': 'text/plain' }, JSON.stringify({ email, password })],
    [{ 'content-type': 'application/x-www-form-urlencoded' }, `email=${email}&password=x`],
  ]) {
    const res = await post(url, headers, body);
    assert.equal(res.status, 400, `${JSON.stringify(headers)} ${body}`);
    assert.deepEqual(res.body, badRequest);
  }
  emu.setVariant('defindexAccountDisabled', true);
  const disabled = await postJson(url, { email, password });
  assert.equal(disabled.status, 403);
  assert.deepEqual(disabled.body, { statusCode: 403, message: 'Account disabled' });
  assert.equal(emu.count('defindex', 'login'), 16);
});

test('DeFindex refresh: single-use refresh tokens, spec shape, 403 for anything else', async (t) => {
  const { emu, advance } = await setup(t);
  const url = `${emu.baseUrls.defindex}/refresh`;
  const refresh = (headers) => post(url, headers);
  const login = await defindexLogin(emu);
  advance(10_000);
  const first = await refresh({ authorization: `Bearer ${login.refresh_token}` });
  assert.equal(first.status, 200);
  assert.deepEqual(Object.keys(first.body), ['username', 'role', 'access_token', 'refresh_token']);
  assert.equal(jwtParts(first.body.access_token)[1].iat, T0 / 1000 + 10);
  const rejected = { statusCode: 403, message: 'Invalid or expired refresh token' };
  for (const headers of [
    { authorization: `Bearer ${login.refresh_token}` }, // reused
    { authorization: `Bearer ${first.body.access_token}` }, // access-type
    { authorization: 'Bearer not.a.jwt' },
    { authorization: `Bearer ${first.body.refresh_token}x` }, // tampered signature
    { authorization: `bearer ${first.body.refresh_token}` }, // scheme spelling
    { authorization: first.body.refresh_token }, // no scheme
    {},
  ]) {
    const res = await refresh(headers);
    assert.equal(res.status, 403, JSON.stringify(headers).slice(0, 40));
    assert.deepEqual(res.body, rejected);
  }
  // A forged payload with the original signature.
  const [h, , s] = first.body.refresh_token.split('.');
  const forged = Buffer.from(JSON.stringify({ ...jwtParts(first.body.refresh_token)[1], exp: 9999999999 })).toString('base64url');
  assert.equal((await refresh({ authorization: `Bearer ${h}.${forged}.${s}` })).status, 403);
  // The new refresh token works once, with a body or without.
  const second = await post(url, { authorization: `Bearer ${first.body.refresh_token}`, ...JSON_HEADERS }, '{}');
  assert.equal(second.status, 200);
  // Expiry on the emulator clock (86400 s).
  advance(86_400_000);
  assert.equal((await refresh({ authorization: `Bearer ${second.body.refresh_token}` })).status, 403);
  assert.equal(emu.count('defindex', 'refresh'), 11);
  assert.equal(emu.count('defindex', 'auth'), 1, "'auth' counts login only");
});

test('DeFindex refresh variants: postman shape, 401 rejection; configurable lifetimes', async (t) => {
  const { emu, advance } = await setup(t, { tokenLifetimeSec: { defindexAccess: 60, defindexRefresh: 120 } });
  const url = `${emu.baseUrls.defindex}/refresh`;
  const login = await defindexLogin(emu);
  const [, access] = jwtParts(login.access_token);
  assert.equal(access.exp - access.iat, 60);
  emu.setVariant('defindexRefreshShape', 'postman');
  const res = await post(url, { authorization: `Bearer ${login.refresh_token}` });
  assert.equal(res.status, 200);
  assert.deepEqual(Object.keys(res.body), ['jwt', 'refreshToken']);
  assert.equal(jwtParts(res.body.jwt)[1].type, 'access');
  assert.equal(jwtParts(res.body.refreshToken)[1].type, 'refresh');
  assert.equal((await call(`${emu.baseUrls.defindex}/vault`, { headers: { authorization: `Bearer ${res.body.jwt}` } })).status, 200);
  emu.setVariant('defindexRefreshRejectStatus', 401);
  const reused = await post(url, { authorization: `Bearer ${login.refresh_token}` });
  assert.equal(reused.status, 401);
  assert.deepEqual(reused.body, { statusCode: 401, message: 'Invalid or expired refresh token' });
  advance(120_000);
  assert.equal((await post(url, { authorization: `Bearer ${res.body.refreshToken}` })).status, 401, 'expired after 120 s');
});

test('DeFindex API calls: Bearer sk_ key or access JWT, any method; 401 otherwise', async (t) => {
  const { emu, advance } = await setup(t);
  const base = emu.baseUrls.defindex;
  const key = emu.credentials.defindex.apiKey;
  const ok = await call(`${base}/vault/CABC/balance`, { headers: { authorization: `Bearer ${key}` } });
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.body, { ok: true, provider: 'defindex', method: 'GET', path: '/vault/CABC/balance', auth: 'apiKey' });
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    assert.equal((await call(`${base}/vault`, { method, headers: { authorization: `Bearer ${key}` } })).status, 200, method);
  }
  const login = await defindexLogin(emu);
  const jwtCall = await call(`${base}/vault`, { headers: { Authorization: `Bearer ${login.access_token}` } });
  assert.deepEqual(jwtCall.body, { ok: true, provider: 'defindex', method: 'GET', path: '/vault', auth: 'jwt' });
  const unauthorized = { statusCode: 401, message: 'Unauthorized' };
  for (const headers of [{}, { authorization: key }, { authorization: `bearer ${key}` }, { authorization: `Bearer  ${key}` },
    { authorization: `Bearer ${key}x` }, { authorization: 'Bearer sk_test_defindex_000' }, { authorization: `Token ${key}` },
    { 'x-api-key': key }, { authorization: `Bearer ${login.refresh_token}` }, { authorization: 'Bearer ' }]) {
    const res = await call(`${base}/vault`, { headers });
    assert.equal(res.status, 401, JSON.stringify(headers));
    assert.deepEqual(res.body, unauthorized);
  }
  advance(3599_999);
  assert.equal((await call(`${base}/vault`, { headers: { authorization: `Bearer ${login.access_token}` } })).status, 200);
  advance(1);
  assert.equal((await call(`${base}/vault`, { headers: { authorization: `Bearer ${login.access_token}` } })).status, 401, 'expired at exp');
  assert.equal((await call(`${base}/vault`, { headers: { authorization: `Bearer ${key}` } })).status, 200, 'the sk_ key does not expire');
});

test('DeFindex: revokeTokens kills access JWTs (not sk_ keys, not refresh tokens); 429 with retryAfter via failNext', async (t) => {
  const { emu } = await setup(t);
  const base = emu.baseUrls.defindex;
  const login = await defindexLogin(emu);
  emu.revokeTokens('defindex');
  assert.equal((await call(`${base}/vault`, { headers: { authorization: `Bearer ${login.access_token}` } })).status, 401);
  assert.equal((await call(`${base}/vault`, { headers: { authorization: `Bearer ${emu.credentials.defindex.apiKey}` } })).status, 200);
  const refreshed = await post(`${base}/refresh`, { authorization: `Bearer ${login.refresh_token}` });
  assert.equal(refreshed.status, 200);
  assert.equal((await call(`${base}/vault`, { headers: { authorization: `Bearer ${refreshed.body.access_token}` } })).status, 200);
  emu.failNext('defindex', 'api', { status: 429, body: { retryAfter: 30 }, headers: { 'retry-after': '30' } });
  const limited = await call(`${base}/vault`, { headers: { authorization: `Bearer ${emu.credentials.defindex.apiKey}` } });
  assert.equal(limited.status, 429);
  assert.deepEqual(limited.body, { retryAfter: 30 });
  assert.equal(limited.headers.get('retry-after'), '30');
});

test('DeFindex API keys: generate, list, revoke with an access JWT only', async (t) => {
  const { emu, advance } = await setup(t);
  const base = emu.baseUrls.defindex;
  const login = await defindexLogin(emu);
  const jwt = { authorization: `Bearer ${login.access_token}` };
  const gen = await postJson(`${base}/api-keys/generate`, { name: 'ci' }, jwt);
  assert.equal(gen.status, 200);
  assert.deepEqual(Object.keys(gen.body), ['key', 'id']);
  assert.match(gen.body.key, /^sk_[A-Za-z0-9_]+$/);
  assert.equal(gen.body.id, 'key_1');
  const unnamed = await post(`${base}/api-keys/generate`, jwt);
  assert.equal(unnamed.status, 200);
  for (const [headers, body] of [[{ ...jwt, ...JSON_HEADERS }, '{"name": 1}'], [{ ...jwt, ...JSON_HEADERS }, '{"label":"x"}'], [jwt, '{"name":"x"}'], [{ ...jwt, ...JSON_HEADERS }, 'x']]) {
    assert.deepEqual((await post(`${base}/api-keys/generate`, headers, body)).body, { statusCode: 400, message: 'Bad Request' });
  }
  advance(1000);
  assert.equal((await call(`${base}/vault`, { headers: { authorization: `Bearer ${gen.body.key}` } })).status, 200);
  const list = await call(`${base}/api-keys`, { headers: jwt });
  assert.equal(list.status, 200);
  assert.deepEqual(list.body, [
    { id: 'key_0', name: 'default', key: 'sk_test_de...0001', createdAt: new Date(T0).toISOString(), lastUsedAt: null },
    { id: 'key_1', name: 'ci', key: `${gen.body.key.slice(0, 10)}...${gen.body.key.slice(-4)}`, createdAt: new Date(T0).toISOString(), lastUsedAt: new Date(T0 + 1000).toISOString() },
    { id: 'key_2', name: null, key: `${unnamed.body.key.slice(0, 10)}...${unnamed.body.key.slice(-4)}`, createdAt: new Date(T0).toISOString(), lastUsedAt: null },
  ]);
  // Key management needs an access JWT: not an sk_ key, not a refresh token, not nothing.
  const unauthorized = { statusCode: 401, message: 'Unauthorized' };
  for (const headers of [{ authorization: `Bearer ${gen.body.key}` }, { authorization: `Bearer ${login.refresh_token}` }, {}]) {
    const listed = await call(`${base}/api-keys`, { headers });
    assert.equal(listed.status, 401);
    assert.deepEqual(listed.body, unauthorized);
    assert.equal((await postJson(`${base}/api-keys/generate`, {}, headers)).status, 401);
    assert.equal((await postJson(`${base}/api-keys/key_1/revoke`, { keyId: 'key_1' }, headers)).status, 401);
  }
  const revoke = (id, body, headers = {}) => postJson(`${base}/api-keys/${id}/revoke`, body, { ...jwt, ...headers });
  assert.deepEqual((await revoke('key_1', { keyId: 'key_2' })).body, { statusCode: 400, message: 'Bad Request' }, 'keyId must match the path');
  assert.equal((await revoke('key_1', {})).status, 400);
  assert.equal((await revoke('key_1', { keyId: 1 })).status, 400);
  assert.equal((await post(`${base}/api-keys/key_1/revoke`, jwt)).status, 400, 'the JSON body is required');
  assert.deepEqual((await revoke('key_9', { keyId: 'key_9' })).body, { statusCode: 404, message: 'API key not found' });
  const done = await revoke('key_1', { keyId: 'key_1' });
  assert.equal(done.status, 200);
  assert.deepEqual(done.body, { success: true });
  assert.equal((await call(`${base}/vault`, { headers: { authorization: `Bearer ${gen.body.key}` } })).status, 401, 'a revoked key is rejected');
  assert.equal((await revoke('key_1', { keyId: 'key_1' })).status, 404, 'already revoked');
  assert.deepEqual((await call(`${base}/api-keys`, { headers: jwt })).body.map((k) => k.id), ['key_0', 'key_2']);
  assert.equal(emu.count('defindex', 'generateKey'), 2 + 4 + 3);
  assert.equal(emu.count('defindex', 'listKeys'), 2 + 3);
  assert.equal(emu.count('defindex', 'revokeKey'), 3 + 7);
});

// --- DeltaDeFi -------------------------------------------------------------------------------------

test('DeltaDeFi API calls: X-API-KEY exactly; 401 {"error","code":4010} otherwise', async (t) => {
  const { emu } = await setup(t);
  const base = emu.baseUrls.deltadefi;
  const key = emu.credentials.deltadefi.apiKey;
  for (const name of ['X-API-KEY', 'x-api-key', 'X-Api-Key']) {
    const res = await call(`${base}/accounts/balance`, { headers: { [name]: key } });
    assert.deepEqual(res.body, { ok: true, provider: 'deltadefi', method: 'GET', path: '/accounts/balance' });
  }
  assert.equal((await postJson(`${base}/order/build`, {}, { 'X-API-KEY': key })).status, 200);
  for (const headers of [{}, { 'X-API-KEY': `${key}x` }, { 'X-API-KEY': key.toUpperCase() }, { authorization: `Bearer ${key}` }, { 'X-API-KEY': `Bearer ${key}` }]) {
    const res = await call(`${base}/accounts/balance`, { headers });
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, { error: 'unauthorized', code: 4010 });
  }
  assert.equal(emu.count('deltadefi', 'api'), 9);
});

test('DeltaDeFi rotation: a new key, the old one dead at once; a bad key cannot rotate', async (t) => {
  const { emu } = await setup(t);
  const base = emu.baseUrls.deltadefi;
  const old = emu.credentials.deltadefi.apiKey;
  const bad = await call(`${base}/accounts/new-api-key`, { headers: { 'X-API-KEY': 'dd_wrong' } });
  assert.equal(bad.status, 401);
  assert.deepEqual(bad.body, { error: 'unauthorized', code: 4010 });
  assert.equal(emu.credentials.deltadefi.apiKey, old, 'a refused rotation changes nothing');
  const rotated = await call(`${base}/accounts/new-api-key`, { headers: { 'X-API-KEY': old } });
  assert.equal(rotated.status, 200);
  assert.deepEqual(rotated.body, { api_key: rotated.body.api_key, created_at: '2026-01-01T12:00:00.000Z' });
  assert.match(rotated.body.api_key, /^dd_test_key_[0-9a-f]{32}$/);
  assert.equal(emu.credentials.deltadefi.apiKey, rotated.body.api_key);
  assert.equal((await call(`${base}/accounts/balance`, { headers: { 'X-API-KEY': old } })).status, 401);
  assert.equal((await call(`${base}/accounts/new-api-key`, { headers: { 'X-API-KEY': old } })).status, 401);
  assert.equal((await call(`${base}/accounts/balance`, { headers: { 'X-API-KEY': rotated.body.api_key } })).status, 200);
  assert.equal(emu.count('deltadefi', 'rotate'), 3);
  assert.equal(emu.count('deltadefi', 'auth'), 3, "'auth' is the rotation");
});

test('DeltaDeFi: an injected rotation failure (500 {code, error}) rotates nothing', async (t) => {
  const { emu } = await setup(t);
  const base = emu.baseUrls.deltadefi;
  const key = emu.credentials.deltadefi.apiKey;
  emu.failNext('deltadefi', 'auth', { status: 500, body: { code: 5000, error: 'internal error' } });
  const res = await call(`${base}/accounts/new-api-key`, { headers: { 'X-API-KEY': key } });
  assert.equal(res.status, 500);
  assert.deepEqual(res.body, { code: 5000, error: 'internal error' });
  assert.equal(emu.credentials.deltadefi.apiKey, key);
  assert.equal((await call(`${base}/accounts/balance`, { headers: { 'X-API-KEY': key } })).status, 200);
});

// --- Adjutor ---------------------------------------------------------------------------------------

test('Adjutor: Authorization: Bearer <key>; 401 {"status":"error"} otherwise; resetKey revokes at once', async (t) => {
  const { emu } = await setup(t);
  const base = emu.baseUrls.adjutor;
  const key = emu.credentials.adjutor.apiKey;
  const ok = await call(base, { headers: { authorization: `Bearer ${key}` } });
  assert.deepEqual(ok.body, { ok: true, provider: 'adjutor', method: 'GET', path: '/' });
  assert.equal((await postJson(`${base}/decisioning/models`, {}, { Authorization: `Bearer ${key}` })).status, 200);
  const unauthorized = { status: 'error', message: 'Unauthorized' };
  for (const headers of [{}, { authorization: key }, { authorization: `bearer ${key}` }, { authorization: `Bearer ${key}.` }, { 'x-api-key': key }]) {
    const res = await call(`${base}/x`, { headers });
    assert.equal(res.status, 401, JSON.stringify(headers));
    assert.deepEqual(res.body, unauthorized);
  }
  const fresh = emu.resetKey('adjutor');
  assert.match(fresh, /^adj_test_key_[0-9a-f]{32}$/);
  assert.equal(emu.credentials.adjutor.apiKey, fresh);
  assert.equal((await call(`${base}/x`, { headers: { authorization: `Bearer ${key}` } })).status, 401, 'the old key is revoked');
  assert.equal((await call(`${base}/x`, { headers: { authorization: `Bearer ${fresh}` } })).status, 200);
  assert.throws(() => emu.resetKey('depay'), /only Adjutor/);
  assert.throws(() => emu.revokeTokens('deltadefi'), /no tokens to revoke/);
  assert.equal(emu.count('adjutor'), 9);
});

// --- DePay -----------------------------------------------------------------------------------------

test('DePay /auth/token: x-api-key -> {expiresIn: "3600", accessToken, refreshToken}; 403 otherwise', async (t) => {
  const { emu } = await setup(t);
  const url = `${emu.baseUrls.depay}/auth/token`;
  const key = emu.credentials.depay.apiKey;
  for (const name of ['x-api-key', 'X-API-KEY', 'X-Api-Key']) {
    const res = await call(url, { headers: { [name]: key } });
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body), ['expiresIn', 'accessToken', 'refreshToken']);
    assert.equal(res.body.expiresIn, '3600');
    assert.match(res.body.accessToken, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.match(res.body.refreshToken, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    // Like the docs' examples, the JWT claims another lifetime than expiresIn (expiresIn wins).
    const [, claims] = jwtParts(res.body.accessToken);
    assert.equal(claims.exp - claims.iat, 86400);
  }
  const forbidden = { statusCode: 403, message: 'Forbidden resource' };
  for (const headers of [{}, { 'x-api-key': `${key}x` }, { 'x-api-key': key.toUpperCase() }, { authorization: `Bearer ${key}` }, { 'x-api-key': `Bearer ${key}` }]) {
    const res = await call(url, { headers });
    assert.equal(res.status, 403, JSON.stringify(headers));
    assert.deepEqual(res.body, forbidden);
  }
  emu.setVariant('depayForbiddenBody', 'legacy');
  const legacy = await call(url, { headers: { 'x-api-key': 'nope' } });
  assert.equal(legacy.status, 403);
  assert.deepEqual(legacy.body, { statusCode: 401, message: 'Unauthorized' });
  assert.equal(emu.count('depay', 'auth'), 9);
});

test('DePay API calls under /v2/: Bearer accessToken until it expires on the emulator clock', async (t) => {
  const { emu, advance } = await setup(t);
  const base = emu.baseUrls.depay;
  const { body } = await call(`${base}/auth/token`, { headers: { 'x-api-key': emu.credentials.depay.apiKey } });
  const auth = { authorization: `Bearer ${body.accessToken}` };
  const ok = await call(`${base}/v2/payments`, { headers: auth });
  assert.deepEqual(ok.body, { ok: true, provider: 'depay', method: 'GET', path: '/v2/payments' });
  assert.equal((await postJson(`${base}/v2/payments`, { amount: 1 }, auth)).status, 200);
  const unauthorized = { statusCode: 401, message: 'Unauthorized' };
  for (const headers of [{}, { authorization: body.accessToken }, { authorization: `bearer ${body.accessToken}` },
    { authorization: `Bearer ${body.refreshToken}` }, { 'x-api-key': emu.credentials.depay.apiKey }, { authorization: `Bearer ${body.accessToken}x` }]) {
    const res = await call(`${base}/v2/payments`, { headers });
    assert.equal(res.status, 401, JSON.stringify(headers).slice(0, 40));
    assert.deepEqual(res.body, unauthorized);
  }
  advance(3599_999);
  assert.equal((await call(`${base}/v2/payments`, { headers: auth })).status, 200);
  advance(1);
  assert.equal((await call(`${base}/v2/payments`, { headers: auth })).status, 401, 'expired after expiresIn');
  const renewed = await call(`${base}/auth/token`, { headers: { 'x-api-key': emu.credentials.depay.apiKey } });
  const renewedAuth = { authorization: `Bearer ${renewed.body.accessToken}` };
  assert.equal((await call(`${base}/v2/payments`, { headers: renewedAuth })).status, 200);
  emu.revokeTokens('depay');
  assert.equal((await call(`${base}/v2/payments`, { headers: renewedAuth })).status, 401, 'revoked on the server');
  assert.equal(emu.count('depay', 'api'), 12);
  assert.equal(emu.count('depay', 'auth'), 2);
});

test('DePay expiresIn variants: number, configured lifetime, verbatim overrides', async (t) => {
  const { emu, advance } = await setup(t, { tokenLifetimeSec: { depay: 60 } });
  const base = emu.baseUrls.depay;
  const token = async () => (await call(`${base}/auth/token`, { headers: { 'x-api-key': emu.credentials.depay.apiKey } })).body;
  const works = async (accessToken) => (await call(`${base}/v2/x`, { headers: { authorization: `Bearer ${accessToken}` } })).status;
  assert.equal((await token()).expiresIn, '60');
  emu.setVariant('depayExpiresInType', 'number');
  const numeric = await token();
  assert.equal(numeric.expiresIn, 60);
  for (const value of ['abc', '', -1, null, '1e309']) {
    emu.setVariant('depayExpiresIn', value);
    assert.deepEqual((await token()).expiresIn, value, JSON.stringify(value));
  }
  emu.setVariant('depayExpiresIn', 'abc');
  const malformed = await token(); // sent verbatim; the server keeps the configured lifetime
  emu.setVariant('depayExpiresIn', '120');
  const longer = await token(); // a plain number is also what the server enforces
  emu.setVariant('depayExpiresIn', undefined);
  assert.equal((await token()).expiresIn, 60);
  advance(60_000);
  assert.equal(await works(numeric.accessToken), 401);
  assert.equal(await works(malformed.accessToken), 401);
  assert.equal(await works(longer.accessToken), 200);
  advance(60_000);
  assert.equal(await works(longer.accessToken), 401);
});

// --- Kiiex -----------------------------------------------------------------------------------------

test('Kiiex signature vectors of the contracts (node:crypto, as the emulator verifies)', () => {
  const vectors = [
    ['SECRET_FROM_DASHBOARD', '1700000000000', '42', 'APIKEY_FROM_DASHBOARD', 'cd95952f3f722dbb00ac4b7a097813f3a4b8745a950c6b1bdb55278ad759bb6c'],
    ['d2f5a1c3b4e6f7089a1b2c3d4e5f6a7b', '637958203', '184', '7c3e0f1a2b4d5e6f8091a2b3c4d5e6f7', 'e29b8f8f9654f9604c16fd193e9440c889e558bca55962c87a5ebcf7355a8897'],
    ['x'.repeat(100), '1', '1', 'k', '1de0d838d33b7c4e53df5e8e2899eb283203d060d476905755d65328958ee1df'],
    ['secret', '123', 'usuário', 'key', '99cc024f5483b574b2f6c15535a82b0822dfc703cb24688d9ac34f5324e678f3'],
    ['test_secret', '2247733562', '96', '28c68ac3fcfafc3d4e8d653fe57e5baf', '4dd2921a7e1fdc464e1a61f28f31dc5f8295de893c88a38e193bb0d47a82d4af'],
  ];
  for (const [secret, nonce, userId, apiKey, want] of vectors) assert.equal(kiiexSign(secret, nonce, userId, apiKey), want, nonce);
});

test('Kiiex AuthenticateUser, headers form (GET and POST): a verified signature opens a session', async (t) => {
  const { emu } = await setup(t);
  const url = `${emu.baseUrls.kiiex}/AuthenticateUser`;
  const fields = kiiexFields(emu);
  assert.equal(fields.Signature, 'e29b8f8f9654f9604c16fd193e9440c889e558bca55962c87a5ebcf7355a8897');
  for (const method of ['GET', 'POST']) {
    const res = await call(url, { method, headers: kiiexHeaders(fields) });
    assert.equal(res.status, 200, method);
    assert.deepEqual(Object.keys(res.body), ['Authenticated', 'SessionToken', 'User', 'Locked', 'Requires2FA']);
    assert.equal(res.body.Authenticated, true);
    assert.match(res.body.SessionToken, /^[0-9a-f-]{36}$/);
    assert.equal(res.body.User.UserId, 184);
  }
  const lower = Object.fromEntries(Object.entries(kiiexHeaders(fields)).map(([k, v]) => [k.toLowerCase(), v]));
  assert.equal((await call(url, { headers: lower })).body.Authenticated, true, 'header names are case-insensitive');
  assert.equal(emu.count('kiiex', 'auth'), 3);
});

test('Kiiex AuthenticateUser, headers form: refusals are 200 {Authenticated:false}, bad format 400', async (t) => {
  const { emu } = await setup(t);
  const url = `${emu.baseUrls.kiiex}/AuthenticateUser`;
  const { apiKey, apiSecret, userId } = emu.credentials.kiiex;
  const good = kiiexHeaders(kiiexFields(emu, '1'));
  const refused = { Authenticated: false, errormsg: 'Invalid API key or signature' };
  for (const headers of [
    { ...good, Signature: good.Signature.toUpperCase() }, // pre-APEX upper-case hex
    { ...good, Signature: kiiexSign(apiSecret, '2', userId, apiKey) }, // signed another nonce
    { ...good, Signature: kiiexSign(apiSecret, userId, '1', apiKey) }, // wrong order
    { ...good, Signature: kiiexSign('wrong', '1', userId, apiKey) },
    { ...good, APIKey: `${apiKey}0`, Signature: kiiexSign(apiSecret, '1', userId, `${apiKey}0`) }, // unknown key, self-consistent
    { ...good, UserId: '0184', Signature: kiiexSign(apiSecret, '1', '0184', apiKey) }, // another user id spelling
    { ...good, UserId: '185', Signature: kiiexSign(apiSecret, '1', '185', apiKey) },
  ]) {
    const res = await call(url, { headers });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, refused);
  }
  const badRequest = { result: false, errormsg: 'Invalid Request', errorcode: 100 };
  const { Nonce, ...noNonce } = good;
  for (const [method, headers, body] of [
    ['GET', {}, undefined],
    ['GET', noNonce, undefined],
    ['GET', { APIKey: apiKey }, undefined],
    ['GET', { ...good, Nonce: '' }, undefined],
    ['POST', { ...good, ...JSON_HEADERS }, JSON.stringify(kiiexFields(emu, '1'))], // headers and a body: no documented form
  ]) {
    const res = await call(url, { method, headers, body });
    assert.equal(res.status, 400, JSON.stringify(Object.keys(headers)));
    assert.deepEqual(res.body, badRequest);
  }
  assert.equal(emu.count('kiiex', 'auth'), 12);
});

test('Kiiex AuthenticateUser, JSON body form: 200, 401 for bad credentials, 400 for a bad format', async (t) => {
  const { emu } = await setup(t);
  const url = `${emu.baseUrls.kiiex}/AuthenticateUser`;
  const fields = kiiexFields(emu, '7');
  const ok = await postJson(url, fields);
  assert.equal(ok.status, 200);
  assert.equal(ok.body.Authenticated, true);
  assert.equal((await postJson(url, { ...kiiexFields(emu, '8'), UserName: 'dev' })).status, 200, 'optional UserName');
  const refused = await postJson(url, { ...fields, Signature: kiiexSign('wrong', '7', fields.UserId, fields.APIKey) });
  assert.equal(refused.status, 401);
  assert.deepEqual(refused.body, { Authenticated: false, errormsg: 'Invalid API key or signature' });
  const badRequest = { result: false, errormsg: 'Invalid Request', errorcode: 100 };
  const { Signature, ...noSignature } = fields;
  for (const [headers, body] of [
    [JSON_HEADERS, JSON.stringify({ ...fields, UserId: 184 })], // a number, not a string
    [JSON_HEADERS, JSON.stringify({ ...fields, Nonce: 7 })],
    [JSON_HEADERS, JSON.stringify(noSignature)],
    [JSON_HEADERS, JSON.stringify({ ...fields, Extra: 'x' })],
    [JSON_HEADERS, JSON.stringify({ ...fields, UserName: 1 })],
    [JSON_HEADERS, JSON.stringify({ ...fields, Nonce: '' })],
    [JSON_HEADERS, JSON.stringify({ apikey: fields.APIKey, signature: fields.Signature, userid: fields.UserId, nonce: fields.Nonce })],
    [JSON_HEADERS, '{"APIKey":'],
    [JSON_HEADERS, ''],
    [{}, JSON.stringify(fields)],
    [{ 'content-type': 'text/plain' }, JSON.stringify(fields)],
  ]) {
    const res = await post(url, headers, body);
    assert.equal(res.status, 400, body);
    assert.deepEqual(res.body, badRequest);
  }
});

test('Kiiex answer field case variants (pascal, camel, lower)', async (t) => {
  const { emu } = await setup(t);
  const url = `${emu.baseUrls.kiiex}/AuthenticateUser`;
  const expected = {
    camel: [['authenticated', 'sessionToken', 'user', 'locked', 'requires2FA'], ['authenticated', 'errormsg']],
    lower: [['authenticated', 'sessiontoken', 'user', 'locked', 'requires2fa'], ['authenticated', 'errormsg']],
    pascal: [['Authenticated', 'SessionToken', 'User', 'Locked', 'Requires2FA'], ['Authenticated', 'errormsg']],
  };
  let nonce = 100;
  for (const [variant, [success, failure]] of Object.entries(expected)) {
    emu.setVariant('kiiexResponseCase', variant);
    const ok = await call(url, { headers: kiiexHeaders(kiiexFields(emu, String(nonce++))) });
    assert.deepEqual(Object.keys(ok.body), success, variant);
    assert.equal(ok.body[success[0]], true);
    assert.equal(ok.body[success[2]].UserId, 184, 'nested User fields keep their case');
    const no = await call(url, { headers: { ...kiiexHeaders(kiiexFields(emu, String(nonce++))), Signature: '0'.repeat(64) } });
    assert.deepEqual(no.body, { [failure[0]]: false, errormsg: 'Invalid API key or signature' });
  }
});

test('Kiiex nonce reuse: accepted by default, refused with kiiexRejectReusedNonce', async (t) => {
  const { emu } = await setup(t);
  const url = `${emu.baseUrls.kiiex}/AuthenticateUser`;
  const auth = async (nonce) => (await call(url, { headers: kiiexHeaders(kiiexFields(emu, nonce)) })).body.Authenticated;
  assert.equal(await auth('1'), true);
  assert.equal(await auth('1'), true);
  emu.setVariant('kiiexRejectReusedNonce', true);
  assert.equal(await auth('1'), false, 'seen before the variant was switched on');
  // A badly signed request does not burn its nonce.
  assert.equal((await call(url, { headers: { ...kiiexHeaders(kiiexFields(emu, '2')), Signature: '0'.repeat(64) } })).body.Authenticated, false);
  assert.equal(await auth('2'), true);
  assert.equal(await auth('2'), false);
  const json = await postJson(url, kiiexFields(emu, '2'));
  assert.equal(json.status, 401);
  assert.deepEqual(json.body, { Authenticated: false, errormsg: 'Invalid API key or signature' });
});

test('Kiiex calls: aptoken (any case) with an idle expiry on the emulator clock', async (t) => {
  const { emu, advance } = await setup(t, { kiiexIdleMs: 60_000 });
  const base = emu.baseUrls.kiiex;
  const session = async (nonce) => (await call(`${base}/AuthenticateUser`, { headers: kiiexHeaders(kiiexFields(emu, nonce)) })).body.SessionToken;
  const token = await session('1');
  const ok = await postJson(`${base}/GetUserInfo`, {}, { aptoken: token });
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.body, { ok: true, provider: 'kiiex', method: 'POST', path: '/GetUserInfo' });
  assert.equal((await call(`${base}/GetAccountPositions`, { headers: { APToken: token } })).status, 200);
  const notAuthorized = { result: false, errormsg: 'Not Authorized', errorcode: 20 };
  for (const headers of [{}, { aptoken: `${token}x` }, { aptoken: token.toUpperCase() }, { authorization: `Bearer ${token}` }, { sessiontoken: token }]) {
    const res = await postJson(`${base}/GetUserInfo`, {}, headers);
    assert.equal(res.status, 401, JSON.stringify(headers));
    assert.deepEqual(res.body, notAuthorized);
  }
  // Each successful call restarts the idle timer; 60 s without one ends the session.
  advance(59_999);
  assert.equal((await postJson(`${base}/GetUserInfo`, {}, { aptoken: token })).status, 200);
  advance(59_999);
  assert.equal((await postJson(`${base}/GetUserInfo`, {}, { aptoken: token })).status, 200);
  advance(30_000);
  assert.equal((await postJson(`${base}/GetUserInfo`, {}, { aptoken: 'nope' })).status, 401, 'a refused call is no activity');
  advance(30_000);
  const expired = await postJson(`${base}/GetUserInfo`, {}, { aptoken: token });
  assert.equal(expired.status, 401);
  assert.deepEqual(expired.body, notAuthorized);
  // Sessions are independent; revokeTokens ends them all.
  const a = await session('2');
  const b = await session('3');
  assert.notEqual(a, b);
  assert.equal((await postJson(`${base}/GetUserInfo`, {}, { aptoken: a })).status, 200);
  emu.revokeTokens('kiiex');
  assert.equal((await postJson(`${base}/GetUserInfo`, {}, { aptoken: b })).status, 401);
  assert.equal(emu.count('kiiex', 'api'), 13);
  assert.equal(emu.count('kiiex', 'auth'), 3);
});

// --- failure injection -----------------------------------------------------------------------------

test('failNext: status/body/headers for `times` requests of one route, then normal answers', async (t) => {
  const { emu } = await setup(t);
  const base = emu.baseUrls.depay;
  const key = { 'x-api-key': emu.credentials.depay.apiKey };
  emu.failNext('depay', 'auth', { status: 503, body: { statusCode: 503, message: 'Unavailable' }, headers: { 'retry-after': '2' }, times: 2 });
  emu.failNext('depay', 'auth', { status: 500 }); // queued behind the first
  for (let i = 0; i < 2; i++) {
    const res = await call(`${base}/auth/token`, { headers: key });
    assert.equal(res.status, 503);
    assert.deepEqual(res.body, { statusCode: 503, message: 'Unavailable' });
    assert.equal(res.headers.get('retry-after'), '2');
  }
  const queued = await call(`${base}/auth/token`, { headers: key });
  assert.equal(queued.status, 500);
  assert.deepEqual(queued.body, {}, 'no body given: {}');
  const normal = await call(`${base}/auth/token`, { headers: key });
  assert.equal(normal.status, 200);
  // An injected answer replaces the handler: even a bad key gets it, and the route is counted.
  emu.failNext('depay', 'api', { status: 200, body: { injected: true } });
  assert.deepEqual((await call(`${base}/v2/x`)).body, { injected: true });
  assert.equal((await call(`${base}/v2/x`)).status, 401);
  assert.deepEqual(emu.requests.map((r) => [r.route, r.status]), [['auth', 503], ['auth', 503], ['auth', 500], ['auth', 200], ['api', 200], ['api', 401]]);
});

test("failNext: rawBody is sent verbatim; 'auth' targets each provider's auth endpoint", async (t) => {
  const { emu } = await setup(t);
  emu.failNext('depay', 'auth', { status: 200, rawBody: '{"expiresIn": "3600", "accessToken": ' });
  const raw = await call(`${emu.baseUrls.depay}/auth/token`, { headers: { 'x-api-key': emu.credentials.depay.apiKey } });
  assert.equal(raw.status, 200);
  assert.equal(raw.text, '{"expiresIn": "3600", "accessToken": ');
  assert.equal(raw.body, undefined, 'not JSON');
  emu.failNext('kiiex', 'auth', { status: 200, body: { Authenticated: 'yes' } });
  assert.deepEqual((await call(`${emu.baseUrls.kiiex}/AuthenticateUser`, { headers: kiiexHeaders(kiiexFields(emu)) })).body, { Authenticated: 'yes' });
  // DeFindex 'auth' is login: a refresh is not affected, and the injected login issues nothing.
  const login = await defindexLogin(emu);
  emu.failNext('defindex', 'auth', { status: 500, body: { statusCode: 500 } });
  assert.equal((await post(`${emu.baseUrls.defindex}/refresh`, { authorization: `Bearer ${login.refresh_token}` })).status, 200);
  assert.equal((await postJson(`${emu.baseUrls.defindex}/login`, { email: 'a', password: 'b' })).status, 500);
  // An injected refresh answer does not consume the refresh token.
  const login2 = await defindexLogin(emu);
  emu.failNext('defindex', 'refresh', { status: 401, body: {} });
  assert.equal((await post(`${emu.baseUrls.defindex}/refresh`, { authorization: `Bearer ${login2.refresh_token}` })).status, 401);
  assert.equal((await post(`${emu.baseUrls.defindex}/refresh`, { authorization: `Bearer ${login2.refresh_token}` })).status, 200);
  for (const route of ['generateKey', 'listKeys', 'revokeKey']) {
    emu.failNext('defindex', route, { status: 418, body: { route } });
  }
  const jwt = { authorization: `Bearer ${login2.access_token}` };
  assert.deepEqual((await post(`${emu.baseUrls.defindex}/api-keys/generate`, jwt)).body, { route: 'generateKey' });
  assert.deepEqual((await call(`${emu.baseUrls.defindex}/api-keys`, { headers: jwt })).body, { route: 'listKeys' });
  assert.deepEqual((await postJson(`${emu.baseUrls.defindex}/api-keys/key_0/revoke`, { keyId: 'key_0' }, jwt)).body, { route: 'revokeKey' });
  emu.failNext('adjutor', 'api', { status: 500, rawBody: '<html>oops</html>' });
  assert.equal((await call(`${emu.baseUrls.adjutor}/x`)).text, '<html>oops</html>');
});

test('failNext: unknown providers, routes and counts throw; reset() drops pending failures', async (t) => {
  const { emu } = await setup(t);
  assert.throws(() => emu.failNext('stripe', 'api', { status: 500 }), /unknown provider/);
  assert.throws(() => emu.failNext('adjutor', 'rotate', { status: 500 }), /unknown route rotate for adjutor/);
  assert.throws(() => emu.failNext('adjutor', 'api', { status: 500, stauts: 1 }), /unknown key stauts/);
  assert.throws(() => emu.failNext('adjutor', 'api', { status: 600 }), /HTTP status/);
  assert.throws(() => emu.failNext('adjutor', 'api', { hang: true, reset: true }), /exclude/);
  assert.throws(() => emu.failNext('adjutor', 'api', { body: [1], bodyBytes: 100 }), /pads a JSON object/);
  assert.throws(() => emu.failNext('adjutor', 'api', { body: { a: 1 }, bodyBytes: 5 }), /below the 20 bytes/);
  assert.throws(() => emu.failNext('adjutor', 'api', { retryAfter: 1.5 }), /whole seconds/);
  assert.throws(() => emu.failNext('adjutor', 'api', { slowBody: { chunkBytes: 0 } }), /chunkBytes/);
  assert.throws(() => emu.count('stripe'), /unknown provider/);
  assert.throws(() => emu.failNext('depay', 'login', { status: 500 }), /unknown route login for depay/);
  assert.throws(() => emu.failNext('depay', 'api', { status: 500, times: 0 }), /positive integer/);
  assert.throws(() => emu.count('depay', 'rotate'), /unknown route/);
  emu.failNext('adjutor', 'api', { status: 500 });
  emu.reset();
  assert.equal((await call(`${emu.baseUrls.adjutor}/x`, { headers: { authorization: `Bearer ${emu.credentials.adjutor.apiKey}` } })).status, 200);
});

test('failNext delayMs: the answer is late and decided when sent; with a status, injected late', async (t) => {
  const { emu } = await setup(t);
  const base = emu.baseUrls.deltadefi;
  const old = emu.credentials.deltadefi.apiKey;
  emu.failNext('deltadefi', 'api', { delayMs: 60 });
  const started = performance.now();
  const late = call(`${base}/accounts/balance`, { headers: { 'X-API-KEY': old } });
  await new Promise((r) => setTimeout(r, 10));
  const rotated = await call(`${base}/accounts/new-api-key`, { headers: { 'X-API-KEY': old } });
  assert.equal(rotated.status, 200, 'not delayed: another route');
  const res = await late;
  assert.ok(performance.now() - started >= 55, 'delayed');
  assert.equal(res.status, 401, 'the key died while the request waited');
  assert.deepEqual(emu.requests.map((r) => [r.route, r.status]), [['api', 401], ['rotate', 200]], 'logged in arrival order');
  emu.failNext('deltadefi', 'api', { delayMs: 30, status: 502, body: { error: 'bad gateway', code: 502 } });
  const t1 = performance.now();
  const injected = await call(`${base}/accounts/balance`, { headers: { 'X-API-KEY': emu.credentials.deltadefi.apiKey } });
  assert.ok(performance.now() - t1 >= 25);
  assert.equal(injected.status, 502);
  assert.deepEqual(injected.body, { error: 'bad gateway', code: 502 });
});

test('close() ends a request still waiting on a delay, and can be called twice', async () => {
  const emu = await startEmulator();
  emu.failNext('adjutor', 'api', { delayMs: 10_000 });
  const pending = fetch(`${emu.baseUrls.adjutor}/x`).then((r) => r.status, () => 'closed');
  await new Promise((r) => setTimeout(r, 10));
  const started = performance.now();
  await Promise.all([emu.close(), emu.close()]);
  assert.ok(performance.now() - started < 1000);
  assert.equal(await pending, 'closed');
});

// --- counters and log ------------------------------------------------------------------------------

test('count and requests: every request, rejected ones too, with lower-cased headers and the body', async (t) => {
  const { emu, advance } = await setup(t);
  await call(`${emu.baseUrls.depay}/auth/token`, { headers: { 'X-Api-Key': 'wrong' } });
  advance(5);
  await postJson(`${emu.baseUrls.depay}/v2/payments?x=1`, { amount: 10 }, { Authorization: 'Bearer nope' });
  await call(`${emu.baseUrls.adjutor}/x`);
  const [auth, api] = emu.requests;
  assert.deepEqual({ ...auth, headers: undefined }, { provider: 'depay', route: 'auth', method: 'GET', path: '/depay/auth/token', headers: undefined, body: '', status: 403, at: T0, connection: auth.connection });
  assert.ok(Number.isInteger(auth.connection) && auth.connection >= 1);
  assert.equal(auth.headers['x-api-key'], 'wrong');
  assert.deepEqual({ ...api, headers: undefined }, { provider: 'depay', route: 'api', method: 'POST', path: '/depay/v2/payments', headers: undefined, body: '{"amount":10}', status: 401, at: T0 + 5, connection: api.connection });
  assert.equal(api.headers.authorization, 'Bearer nope');
  assert.equal(api.headers['content-type'], 'application/json');
  assert.ok(Object.keys(api.headers).every((k) => k === k.toLowerCase()));
  assert.equal(emu.count('depay'), 2);
  assert.equal(emu.count('depay', 'auth'), 1);
  assert.equal(emu.count('depay', 'api'), 1);
  assert.equal(emu.count('adjutor'), 1);
  assert.equal(emu.count('kiiex'), 0);
  assert.equal(emu.count(), 3);
  const log = emu.requests;
  emu.reset();
  assert.equal(emu.count(), 0);
  assert.equal(log.length, 0, 'the same array is cleared');
  assert.equal(emu.credentials.depay.apiKey, 'depay_test_key_0001');
});

test('reset() keeps rotated credentials and issued tokens', async (t) => {
  const { emu } = await setup(t);
  const key = emu.resetKey('adjutor');
  const { body } = await call(`${emu.baseUrls.depay}/auth/token`, { headers: { 'x-api-key': emu.credentials.depay.apiKey } });
  emu.reset();
  assert.equal(emu.credentials.adjutor.apiKey, key);
  assert.equal((await call(`${emu.baseUrls.depay}/v2/x`, { headers: { authorization: `Bearer ${body.accessToken}` } })).status, 200);
  assert.equal(emu.count(), 1);
});
