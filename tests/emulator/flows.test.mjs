// The emulator's second-pass flows (see the contracts' "More contract facts"): Adjutor Core
// Services, DePay's token paths, answer shapes, refusals and callback signatures, DeFindex's
// login/refresh/key-management shapes, DeltaDeFi's rotation answers and error codes. Plain fetch;
// signatures checked against values computed with Python's hmac.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { DEFAULT_CORE_PATHS, deltadefiError, signDepayCallback, startEmulator } from 'keystamp/emulator';
import { JSON_HEADERS, T0, call, defindexLogin, jwtParts, post, postJson, setup } from './helpers.mjs';

// --- Adjutor Core Services -------------------------------------------------------------------------

async function adjutorLogin(emu, body = { email: emu.credentials.adjutor.email, password: emu.credentials.adjutor.password }) {
  return postJson(`${emu.baseUrls.adjutor}/customers/auth`, body, { authorization: `Bearer ${emu.credentials.adjutor.apiKey}` });
}

test('Adjutor POST /customers/auth: the Bearer key and {email, password} give {token: JWT with iat/exp}', async (t) => {
  const { emu } = await setup(t);
  const res = await adjutorLogin(emu);
  assert.equal(res.status, 200);
  assert.deepEqual(Object.keys(res.body), ['token']);
  const [header, claims] = jwtParts(res.body.token);
  assert.deepEqual(header, { alg: 'HS256', typ: 'JWT' });
  assert.deepEqual({ ...claims, jti: 'x' }, { sub: 'ops@example.com', type: 'adjutor-access', iat: T0 / 1000, exp: T0 / 1000 + 3600, jti: 'x' });
  const { email, password } = emu.credentials.adjutor;
  const unauthorized = { status: 'error', message: 'Unauthorized' };
  // The Bearer key is needed on the auth call too.
  for (const headers of [{}, { authorization: `Bearer ${emu.credentials.adjutor.apiKey}x` }, { 'x-api-key': emu.credentials.adjutor.apiKey }]) {
    const refused = await postJson(`${emu.baseUrls.adjutor}/customers/auth`, { email, password }, headers);
    assert.equal(refused.status, 401);
    assert.deepEqual(refused.body, unauthorized);
  }
  for (const body of [{ email, password: 'nope' }, { email: 'OPS@example.com', password }, { email, password: `${password} ` }]) {
    const refused = await adjutorLogin(emu, body);
    assert.equal(refused.status, 401);
    assert.deepEqual(refused.body, { status: 'error', message: 'Invalid email or password' });
  }
  for (const body of [{ email }, { email, password: 1 }, { email, password, extra: 'x' }]) {
    assert.deepEqual((await adjutorLogin(emu, body)).body, { status: 'error', message: 'Bad Request' });
  }
  const form = await post(`${emu.baseUrls.adjutor}/customers/auth`, { authorization: `Bearer ${emu.credentials.adjutor.apiKey}`, 'content-type': 'text/plain' }, JSON.stringify({ email, password }));
  assert.equal(form.status, 400, 'a JSON body is required');
  assert.equal((await call(`${emu.baseUrls.adjutor}/customers/auth`, { headers: { authorization: `Bearer ${emu.credentials.adjutor.apiKey}` } })).status, 404, 'POST only');
  assert.equal(emu.count('adjutor', 'login'), 11);
  assert.equal(emu.count('adjutor', 'auth'), 11, "'auth' is the Core Services login");
});

test('Adjutor core services need the Bearer key AND x-access-token; an expired or revoked token is 401', async (t) => {
  const { emu, advance } = await setup(t, { tokenLifetimeSec: { adjutorAccess: 600 } });
  assert.deepEqual(DEFAULT_CORE_PATHS, ['/customers/', '/loans/']);
  const base = emu.baseUrls.adjutor;
  const key = { authorization: `Bearer ${emu.credentials.adjutor.apiKey}` };
  const { token } = (await adjutorLogin(emu)).body;
  const both = { ...key, 'x-access-token': token };
  const ok = await call(`${base}/loans/products`, { headers: both });
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.body, { ok: true, provider: 'adjutor', method: 'GET', path: '/loans/products', auth: 'core' });
  assert.equal((await postJson(`${base}/customers/123/accounts`, {}, { ...key, 'X-Access-Token': token })).status, 200);
  const expiredMsg = { status: 'error', message: 'Invalid or expired access token' };
  for (const headers of [key, { ...key, 'x-access-token': `${token}x` }, { ...key, 'x-access-token': '' }, { ...key, 'x-access-token': emu.credentials.adjutor.apiKey }]) {
    const res = await call(`${base}/loans/products`, { headers });
    assert.equal(res.status, 401, JSON.stringify(Object.keys(headers)));
    assert.deepEqual(res.body, expiredMsg);
  }
  for (const headers of [{ 'x-access-token': token }, { authorization: `Bearer ${token}`, 'x-access-token': token }]) {
    const noKey = await call(`${base}/loans/products`, { headers });
    assert.deepEqual([noKey.status, noKey.body], [401, { status: 'error', message: 'Unauthorized' }]);
  }
  // Other services stay Bearer-only and ignore the token.
  assert.equal((await call(`${base}/verification/bvn/22222222222`, { headers: key })).status, 200);
  assert.equal(emu.requests.at(-1).route, 'api');
  advance(599_999);
  assert.equal((await call(`${base}/loans/products`, { headers: both })).status, 200);
  advance(1);
  assert.deepEqual((await call(`${base}/loans/products`, { headers: both })).body, expiredMsg, 'expired at exp');
  const fresh = (await adjutorLogin(emu)).body.token;
  emu.revokeTokens('adjutor');
  assert.equal((await call(`${base}/loans/products`, { headers: { ...key, 'x-access-token': fresh } })).status, 401, 'revoked');
  assert.equal(emu.count('adjutor', 'core'), 11);
});

test('Adjutor adjutorCorePaths option; a reset key also stops core calls', async (t) => {
  const { emu } = await setup(t, { adjutorCorePaths: ['/core/'] });
  const base = emu.baseUrls.adjutor;
  const key = { authorization: `Bearer ${emu.credentials.adjutor.apiKey}` };
  assert.equal((await call(`${base}/loans/products`, { headers: key })).status, 200, 'no longer core');
  assert.equal((await call(`${base}/core/x`, { headers: key })).status, 401);
  const { token } = (await adjutorLogin(emu)).body;
  assert.equal((await call(`${base}/core/x`, { headers: { ...key, 'x-access-token': token } })).status, 200);
  const newKey = emu.resetKey('adjutor');
  assert.equal((await call(`${base}/core/x`, { headers: { ...key, 'x-access-token': token } })).status, 401);
  assert.equal((await call(`${base}/core/x`, { headers: { authorization: `Bearer ${newKey}`, 'x-access-token': token } })).status, 200);
  await assert.rejects(startEmulator({ adjutorCorePaths: ['core/'] }), /adjutorCorePaths/);
  await assert.rejects(startEmulator({ adjutorCorePath: ['/core/'] }), /unknown emulator option: adjutorCorePath/);
});

// --- DePay -----------------------------------------------------------------------------------------

const depayKey = (emu) => ({ 'x-api-key': emu.credentials.depay.apiKey });

test('DePay depayTokenPath: /v2/auth/token serves the token and /auth/token is gone (and the reverse)', async (t) => {
  const { emu } = await setup(t);
  const base = emu.baseUrls.depay;
  assert.equal((await call(`${base}/v2/auth/token`, { headers: depayKey(emu) })).status, 401, 'by default an ordinary /v2/ call');
  assert.equal(emu.requests.at(-1).route, 'api');
  emu.setVariant('depayTokenPath', '/v2/auth/token');
  const v2 = await call(`${base}/v2/auth/token`, { headers: depayKey(emu) });
  assert.equal(v2.status, 200);
  assert.deepEqual(Object.keys(v2.body), ['expiresIn', 'accessToken', 'refreshToken']);
  assert.equal((await call(`${base}/v2/payments`, { headers: { authorization: `Bearer ${v2.body.accessToken}` } })).status, 200);
  assert.equal((await call(`${base}/auth/token`, { headers: depayKey(emu) })).status, 404);
  assert.equal((await call(`${base}/v2/auth/token`, { method: 'POST', headers: depayKey(emu) })).status, 404);
  assert.deepEqual(emu.counts().depay, { auth: 1, api: 2 });
});

test('DePay depayAnswerShape wrapped: {"response": {expiresIn, accessToken, refreshToken}}', async (t) => {
  const { emu } = await setup(t, { variants: { depayAnswerShape: 'wrapped', depayExpiresInType: 'number' } });
  const res = await call(`${emu.baseUrls.depay}/auth/token`, { headers: depayKey(emu) });
  assert.deepEqual(Object.keys(res.body), ['response']);
  assert.deepEqual(Object.keys(res.body.response), ['expiresIn', 'accessToken', 'refreshToken']);
  assert.equal(res.body.response.expiresIn, 3600);
  assert.equal((await call(`${emu.baseUrls.depay}/v2/x`, { headers: { authorization: `Bearer ${res.body.response.accessToken}` } })).status, 200);
});

test('DePay refusals: 403 or 401, three documented bodies', async (t) => {
  const { emu } = await setup(t);
  const refuse = () => call(`${emu.baseUrls.depay}/auth/token`, { headers: { 'x-api-key': 'wrong' } });
  const seen = [];
  for (const status of [403, 401]) {
    emu.setVariant('depayRejectStatus', status);
    for (const body of ['current', 'legacy', 'payments']) {
      emu.setVariant('depayForbiddenBody', body);
      const res = await refuse();
      seen.push([res.status, res.body]);
    }
  }
  const bodies = [
    { statusCode: 403, message: 'Forbidden resource' },
    { statusCode: 401, message: 'Unauthorized' },
    { statusCode: 401, message: 'Forbidden resource', error: 'Forbidden' },
  ];
  assert.deepEqual(seen, [...bodies.map((b) => [403, b]), ...bodies.map((b) => [401, b])]);
});

test('DePay callbacks: signature = hex HMAC-SHA256(api_key, rawBody + "+" + customerUuid) (Python hmac vectors)', async (t) => {
  const { emu } = await setup(t);
  const raw = '{"event":"payment.completed","id":"pay_1","amount":"10.50"}';
  const want = 'a67aed3eb6d73dd99ca1a99d1534285d3947becd37231b98a6525fe932d5306d';
  const fromObject = emu.depayCallback({ event: 'payment.completed', id: 'pay_1', amount: '10.50' });
  assert.deepEqual(fromObject, {
    body: raw, signature: want, customerUuid: '0f8fad5b-d9cb-469f-a165-70867728950e', headers: { 'content-type': 'application/json', signature: want },
  });
  assert.equal(emu.depayCallback(raw).signature, want, 'a string is the raw body, sent as is');
  const other = emu.depayCallback('héllo {}', { apiKey: 'other_key', customerUuid: 'uuid-2' });
  assert.equal(other.signature, '165d5542a21741011b67b2a3d674ac8b629fe142060bdc62b91fab83876ddc5d', 'UTF-8 body, other key and customer');
  assert.equal(signDepayCallback({ apiKey: 'depay_test_key_0001', customerUuid: '0f8fad5b-d9cb-469f-a165-70867728950e', body: raw }), want);
  // Whitespace matters: the signature is over the raw text, not a re-serialised object.
  assert.notEqual(emu.depayCallback(raw.replace(',', ', ')).signature, want);
  assert.throws(() => signDepayCallback({ apiKey: 'k', body: '{}' }), /customerUuid must be a string/);
  assert.throws(() => emu.depayCallback(undefined), /JSON-serialisable/);
  assert.equal(createHmac('sha256', 'depay_test_key_0001').update(`${raw}+${fromObject.customerUuid}`).digest('hex'), want);
});

// --- DeFindex --------------------------------------------------------------------------------------

test('DeFindex login and refresh answer shapes: spec, camel (SDK), postman', async (t) => {
  const { emu } = await setup(t);
  const { email, password } = emu.credentials.defindex;
  const keys = { spec: ['username', 'role', 'access_token', 'refresh_token'], camel: ['accessToken', 'refreshToken'], postman: ['jwt', 'refreshToken'] };
  for (const [shape, want] of Object.entries(keys)) {
    emu.setVariant('defindexLoginShape', shape);
    emu.setVariant('defindexRefreshShape', shape);
    const login = (await postJson(`${emu.baseUrls.defindex}/login`, { email, password })).body;
    assert.deepEqual(Object.keys(login), want, `login ${shape}`);
    const access = login.access_token ?? login.accessToken ?? login.jwt;
    const refresh = login.refresh_token ?? login.refreshToken;
    assert.equal(jwtParts(access)[1].type, 'access');
    assert.equal((await call(`${emu.baseUrls.defindex}/vault`, { headers: { authorization: `Bearer ${access}` } })).status, 200);
    const refreshed = await post(`${emu.baseUrls.defindex}/refresh`, { authorization: `Bearer ${refresh}` });
    assert.deepEqual(Object.keys(refreshed.body), want, `refresh ${shape}`);
  }
});

test('DeFindex refresh bodies: none, {} (SDK) or urlencoded access_token=<JWT> (Postman); others 400', async (t) => {
  const { emu, advance } = await setup(t);
  const url = `${emu.baseUrls.defindex}/refresh`;
  let login = await defindexLogin(emu);
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const accepted = [
    [{}, undefined],
    [JSON_HEADERS, '{}'],
    [JSON_HEADERS, ' { } '],
    [form, `access_token=${login.access_token}`],
    [{ 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' }, `access_token=${encodeURIComponent(login.access_token)}`],
  ];
  for (const [headers, body] of accepted) {
    const res = await post(url, { authorization: `Bearer ${login.refresh_token}`, ...headers }, body);
    assert.equal(res.status, 200, `${JSON.stringify(headers)} ${body}`);
    login = res.body;
  }
  advance(3600_000);
  const expiredAccess = login.access_token;
  const late = await post(url, { authorization: `Bearer ${login.refresh_token}`, ...form }, `access_token=${expiredAccess}`);
  assert.equal(late.status, 200, 'an expired access token in the form is fine: that is why one refreshes');
  login = late.body;
  const badRequest = { statusCode: 400, message: 'Bad Request' };
  for (const [headers, body] of [
    [JSON_HEADERS, '{"refresh_token":"x"}'],
    [JSON_HEADERS, '[]'],
    [{}, '{}'],
    [form, 'access_token=not.a.jwt'],
    [form, `access_token=${login.refresh_token}`],
    [form, `access_token=${login.access_token}&x=1`],
    [{ 'content-type': 'text/plain' }, `access_token=${login.access_token}`],
  ]) {
    const res = await post(url, { authorization: `Bearer ${login.refresh_token}`, ...headers }, body);
    assert.equal(res.status, 400, `${JSON.stringify(headers)} ${body}`);
    assert.deepEqual(res.body, badRequest);
  }
  assert.equal((await post(url, { authorization: `Bearer ${login.refresh_token}` })).status, 200, 'a refused body did not use the refresh token');
});

test('DeFindex key management variants: generate as an array, list answering 201 with truncated keys', async (t) => {
  const { emu } = await setup(t, { variants: { defindexGenerateShape: 'array', defindexListStatus: 201 } });
  const jwt = { authorization: `Bearer ${(await defindexLogin(emu)).access_token}` };
  const gen = await postJson(`${emu.baseUrls.defindex}/api-keys/generate`, { name: 'ci' }, jwt);
  assert.equal(gen.status, 200);
  assert.ok(Array.isArray(gen.body) && gen.body.length === 1);
  assert.deepEqual(Object.keys(gen.body[0]), ['key', 'id']);
  assert.match(gen.body[0].key, /^sk_test_[0-9a-f]{32}$/);
  assert.equal((await call(`${emu.baseUrls.defindex}/vault`, { headers: { authorization: `Bearer ${gen.body[0].key}` } })).status, 200);
  const list = await call(`${emu.baseUrls.defindex}/api-keys`, { headers: jwt });
  assert.equal(list.status, 201);
  assert.deepEqual(list.body.map((k) => k.key), ['sk_test_de...0001', `sk_test_${gen.body[0].key.slice(8, 10)}...${gen.body[0].key.slice(-4)}`]);
});

// --- DeltaDeFi -------------------------------------------------------------------------------------

test('DeltaDeFi rotation answers: created_at iso, absent, null or a number; the new key works in each', async (t) => {
  const { emu } = await setup(t);
  const base = emu.baseUrls.deltadefi;
  const seen = {};
  for (const variant of ['iso', 'absent', 'null', 'number']) {
    emu.setVariant('deltadefiCreatedAt', variant);
    const res = await call(`${base}/accounts/new-api-key`, { headers: { 'X-API-KEY': emu.credentials.deltadefi.apiKey } });
    assert.equal(res.status, 200);
    assert.equal(res.body.api_key, emu.credentials.deltadefi.apiKey);
    seen[variant] = { ...res.body, api_key: 'k' };
    assert.equal((await call(`${base}/accounts/balance`, { headers: { 'X-API-KEY': res.body.api_key } })).status, 200);
  }
  assert.deepEqual(seen, {
    iso: { api_key: 'k', created_at: '2026-01-01T12:00:00.000Z' }, absent: { api_key: 'k' }, null: { api_key: 'k', created_at: null }, number: { api_key: 'k', created_at: T0 },
  });
});

test('DeltaDeFi error codes on demand: deltadefiError(4010 | 4290 | 5001 | 5002) as {"error","code"}', async (t) => {
  const { emu } = await setup(t);
  assert.deepEqual([4010, 4290, 5001, 5002].map(deltadefiError), [
    { status: 401, body: { error: 'unauthorized', code: 4010 } },
    { status: 429, body: { error: 'rate limit exceeded', code: 4290 } },
    { status: 500, body: { error: 'resources temporarily unavailable', code: 5001 } },
    { status: 500, body: { error: 'trading locked', code: 5002 } },
  ]);
  assert.throws(() => deltadefiError('4290'), /4-digit integer/);
  const key = { 'X-API-KEY': emu.credentials.deltadefi.apiKey };
  emu.failNext('deltadefi', 'api', { ...deltadefiError(4290), times: 2 });
  emu.failNext('deltadefi', 'auth', deltadefiError(5002));
  const statuses = [];
  for (let i = 0; i < 3; i++) {
    const res = await call(`${emu.baseUrls.deltadefi}/order/build`, { headers: key });
    statuses.push([res.status, res.body.code]);
  }
  const rotate = await call(`${emu.baseUrls.deltadefi}/accounts/new-api-key`, { headers: key });
  assert.deepEqual(statuses, [[429, 4290], [429, 4290], [200, undefined]]);
  assert.deepEqual([rotate.status, rotate.body], [500, { error: 'trading locked', code: 5002 }]);
  assert.equal(emu.credentials.deltadefi.apiKey, key['X-API-KEY'], 'an injected rotation failure rotates nothing');
});
