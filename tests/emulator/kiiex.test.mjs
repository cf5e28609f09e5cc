// The emulator's APEX session beyond AuthenticateUser's basics: what ccxt sends, the Kiiex
// reference's refusals, two-factor authentication (TOTP, checked against RFC 6238 vectors and
// Python-computed codes), and LogOut.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { totp } from 'keystamp/emulator';
import { JSON_HEADERS, T0, call, kiiexFields, kiiexHeaders, post, postJson, setup } from './helpers.mjs';

const authUrl = (emu) => `${emu.baseUrls.kiiex}/AuthenticateUser`;
const signedHeaders = (emu, nonce) => kiiexHeaders(kiiexFields(emu, nonce));

test('totp: RFC 6238 SHA-1 vectors (6 digits) and codes computed with Python', () => {
  const rfcSecret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // base32 of "12345678901234567890"
  const vectors = [[59, '287082'], [1111111109, '081804'], [1111111111, '050471'], [1234567890, '005924'], [2000000000, '279037'], [20000000000, '353130']];
  for (const [sec, code] of vectors) assert.equal(totp(rfcSecret, sec * 1000), code, String(sec));
  assert.equal(totp(rfcSecret.toLowerCase(), 59_000), '287082', 'case-insensitive base32');
  const python = [[T0, '704044'], [T0 - 30_000, '046558'], [T0 + 30_000, '500171'], [T0 + 60_000, '806388']];
  for (const [at, code] of python) assert.equal(totp('JBSWY3DPEHPK3PXP', at), code);
  assert.throws(() => totp('not base32!', 0), /not base32/);
  assert.throws(() => totp('JBSWY3DPEHPK3PXP', Number.NaN), TypeError);
});

test("Kiiex: ccxt's AuthenticateUser (headers AND a {} JSON body) is accepted; other bodies with headers are not", async (t) => {
  const { emu } = await setup(t);
  // What ccxt's APEX client sends for a private POST without a session.
  const ccxt = await post(authUrl(emu), { ...signedHeaders(emu, '1700000000001'), 'Content-Type': 'application/json' }, '{}');
  assert.equal(ccxt.status, 200);
  assert.equal(ccxt.body.Authenticated, true);
  assert.equal((await postJson(`${emu.baseUrls.kiiex}/GetUserInfo`, {}, { APToken: ccxt.body.SessionToken })).status, 200);
  const badRequest = { result: false, errormsg: 'Invalid Request', errorcode: 100 };
  for (const [headers, body] of [
    [{ 'content-type': 'text/plain' }, '{}'],
    [{}, '{}'],
    [JSON_HEADERS, '{"omsId":1}'],
    [JSON_HEADERS, '[]'],
    [JSON_HEADERS, 'null'],
  ]) {
    const res = await post(authUrl(emu), { ...signedHeaders(emu, '2'), ...headers }, body);
    assert.equal(res.status, 400, `${JSON.stringify(headers)} ${body}`);
    assert.deepEqual(res.body, badRequest);
  }
});

test('Kiiex kiiexRejectStyle reference: refusals are 400 {authenticated:false, locked, errormsg} in both forms', async (t) => {
  const { emu } = await setup(t, { variants: { kiiexRejectStyle: 'reference', kiiexResponseCase: 'camel' } });
  const bad = { ...kiiexFields(emu, '5'), Signature: '0'.repeat(64) };
  const viaHeaders = await call(authUrl(emu), { headers: kiiexHeaders(bad) });
  const viaBody = await postJson(authUrl(emu), bad);
  for (const res of [viaHeaders, viaBody]) {
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { authenticated: false, locked: false, errormsg: 'Invalid API key or signature' });
  }
  emu.setVariant('kiiexResponseCase', 'pascal');
  assert.deepEqual((await postJson(authUrl(emu), bad)).body, { Authenticated: false, Locked: false, errormsg: 'Invalid API key or signature' });
  const ok = await call(authUrl(emu), { headers: signedHeaders(emu, '6') });
  assert.deepEqual([ok.status, ok.body.Authenticated], [200, true], 'success is unchanged');
});

test('Kiiex 2FA: AuthenticateUser answers Requires2FA and a pending token, no session', async (t) => {
  const { emu } = await setup(t, { variants: { kiiexTwoFactor: true } });
  const res = await call(authUrl(emu), { headers: signedHeaders(emu, '1') });
  assert.equal(res.status, 200);
  assert.deepEqual(Object.keys(res.body), ['Authenticated', 'User', 'Locked', 'Requires2FA', 'TwoFAType', 'TwoFAToken']);
  assert.deepEqual({ ...res.body, TwoFAToken: 'x' }, {
    Authenticated: true,
    User: { UserId: 184, UserName: 'dev', Email: 'dev@example.com', EmailVerified: true, AccountId: 1, OMSId: 1, Use2FA: true },
    Locked: false, Requires2FA: true, TwoFAType: 'Google', TwoFAToken: 'x',
  });
  assert.match(res.body.TwoFAToken, /^[0-9a-f-]{36}$/);
  assert.equal((await postJson(`${emu.baseUrls.kiiex}/GetUserInfo`, {}, { aptoken: res.body.TwoFAToken })).status, 401, 'a pending token is no session');
  const names = {
    camel: [['TwoFAToken', 'twoFAToken'], ['Pending2FaToken', 'pending2FaToken']],
    lower: [['TwoFAToken', 'twofatoken'], ['Pending2FaToken', 'pending2fatoken']],
    pascal: [['TwoFAToken', 'TwoFAToken'], ['Pending2FaToken', 'Pending2FaToken']],
  };
  let nonce = 10;
  for (const [responseCase, pairs] of Object.entries(names)) {
    emu.setVariant('kiiexResponseCase', responseCase);
    for (const [name, spelled] of pairs) {
      emu.setVariant('kiiexPendingTokenName', name);
      const body = (await call(authUrl(emu), { headers: signedHeaders(emu, String(nonce++)) })).body;
      assert.match(body[spelled], /^[0-9a-f-]{36}$/, `${responseCase} ${name}`);
      assert.equal(body[responseCase === 'lower' ? 'requires2fa' : (responseCase === 'camel' ? 'requires2FA' : 'Requires2FA')], true);
    }
  }
});

test("Kiiex Authenticate2FA: ccxt's GET ?Code= with Pending2FaToken, the docs' {\"Code\"} body; TOTP on the emulator clock", async (t) => {
  const { emu, advance, now } = await setup(t, { variants: { kiiexTwoFactor: true } });
  const base = emu.baseUrls.kiiex;
  const pendingToken = async (nonce) => (await call(authUrl(emu), { headers: signedHeaders(emu, nonce) })).body.TwoFAToken;
  assert.equal(emu.twoFactorCode(), '704044');
  assert.equal(emu.twoFactorCode(), totp(emu.credentials.kiiex.twoFactorSecret, now()));

  const first = await pendingToken('1');
  const viaGet = await call(`${base}/Authenticate2FA?Code=${emu.twoFactorCode()}`, { headers: { Pending2FaToken: first } });
  assert.equal(viaGet.status, 200);
  assert.deepEqual(Object.keys(viaGet.body), ['Authenticated', 'UserId', 'SessionToken']);
  assert.deepEqual({ ...viaGet.body, SessionToken: 'x' }, { Authenticated: true, UserId: 184, SessionToken: 'x' });
  assert.equal((await postJson(`${base}/GetUserInfo`, {}, { aptoken: viaGet.body.SessionToken })).status, 200);
  const reused = await call(`${base}/Authenticate2FA?Code=${emu.twoFactorCode()}`, { headers: { Pending2FaToken: first } });
  assert.deepEqual([reused.status, reused.body], [401, { result: false, errormsg: 'Not Authorized', errorcode: 20 }], 'a pending token is single-use');

  const second = await pendingToken('2');
  const wrong = await postJson(`${base}/Authenticate2FA`, { Code: '000000' }, { pending2fatoken: second });
  assert.deepEqual([wrong.status, wrong.body], [200, { Authenticated: false, errormsg: 'Invalid 2FA code' }]);
  advance(30_000); // the code of the previous 30 s step is still accepted, not older ones
  const viaBody = await postJson(`${base}/authenticate2fa`, { Code: '704044' }, { pending2fatoken: second });
  assert.equal(viaBody.body.Authenticated, true, 'after a wrong code the pending token still works; the path is case-insensitive');
  const third = await pendingToken('3');
  advance(30_000);
  assert.equal((await postJson(`${base}/Authenticate2FA`, { Code: '704044' }, { Pending2FaToken: third })).body.Authenticated, false);
  assert.equal((await postJson(`${base}/Authenticate2FA`, { Code: emu.twoFactorCode() }, { Pending2FaToken: third })).body.Authenticated, true);

  const fourth = await pendingToken('4');
  const code = emu.twoFactorCode();
  const badRequest = { result: false, errormsg: 'Invalid Request', errorcode: 100 };
  for (const [method, query, headers, body] of [
    ['GET', '', {}, undefined],
    ['GET', `?Code=${code}&Code=${code}`, {}, undefined],
    ['GET', `?code=${code}`, {}, undefined],
    ['POST', `?Code=${code}`, JSON_HEADERS, JSON.stringify({ Code: code })],
    ['POST', '', JSON_HEADERS, JSON.stringify({ Code: Number(code) })],
    ['POST', '', JSON_HEADERS, JSON.stringify({ Code: code, Extra: 'x' })],
    ['POST', '', { 'content-type': 'text/plain' }, JSON.stringify({ Code: code })],
  ]) {
    const res = await call(`${base}/Authenticate2FA${query}`, { method, headers: { Pending2FaToken: fourth, ...headers }, body });
    assert.deepEqual([res.status, res.body], [400, badRequest], `${method} ${query} ${body}`);
  }
  for (const headers of [{}, { Pending2FaToken: `${fourth}x` }, { aptoken: fourth }]) {
    assert.equal((await call(`${base}/Authenticate2FA?Code=${code}`, { headers })).status, 401);
  }
  emu.setVariant('kiiexResponseCase', 'camel');
  const camel = await call(`${base}/Authenticate2FA?Code=${code}`, { headers: { Pending2FaToken: fourth } });
  assert.deepEqual(Object.keys(camel.body), ['authenticated', 'userId', 'sessionToken']);
  assert.equal(emu.count('kiiex', 'twoFactor'), 17);
});

test('Kiiex LogOut (POST per the docs, GET per ccxt) ends the session; revokeTokens ends pending 2FA too', async (t) => {
  const { emu } = await setup(t);
  const base = emu.baseUrls.kiiex;
  const session = async (nonce) => (await call(authUrl(emu), { headers: signedHeaders(emu, nonce) })).body.SessionToken;
  const a = await session('1');
  const out = await post(`${base}/LogOut`, { aptoken: a });
  assert.equal(out.status, 200);
  assert.deepEqual(out.body, { result: true, errormsg: null, errorcode: 0, detail: null });
  assert.equal((await postJson(`${base}/GetUserInfo`, {}, { aptoken: a })).status, 401, 'the session is over');
  assert.equal((await post(`${base}/LogOut`, { aptoken: a })).status, 401, 'twice');
  const b = await session('2');
  assert.equal((await call(`${base}/LogOut`, { headers: { APToken: b } })).status, 200);
  const c = await session('3');
  assert.equal((await postJson(`${base}/LogOut`, { x: 1 }, { aptoken: c })).status, 400);
  assert.equal((await postJson(`${base}/LogOut`, {}, { aptoken: c })).status, 200);
  assert.deepEqual(emu.counts().kiiex, { auth: 3, twoFactor: 0, logout: 5, api: 1 });
  emu.setVariant('kiiexTwoFactor', true);
  const pending = (await call(authUrl(emu), { headers: signedHeaders(emu, '4') })).body.TwoFAToken;
  emu.revokeTokens('kiiex');
  assert.equal((await call(`${base}/Authenticate2FA?Code=${emu.twoFactorCode()}`, { headers: { Pending2FaToken: pending } })).status, 401);
});
