// Hostile input through the JS API, as a user installs the package (`keystamp` resolves to the
// packed tarball). Every case must throw a KeystampError (a real Error) with the exact documented
// code, never a TypeError or a wasm trap; after every case a valid call must still work, since a
// trap would poison the wasm instance for every later call.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';

import { Client, KeystampError, KiiexSigner, authHeaders, kiiexAuthHeaders, kiiexSignature } from 'keystamp';

const VECTOR = { apiSecret: 'SECRET_FROM_DASHBOARD', nonce: '1700000000000', userId: '42', apiKey: 'APIKEY_FROM_DASHBOARD' };
const SIGNATURE = 'cd95952f3f722dbb00ac4b7a097813f3a4b8745a950c6b1bdb55278ad759bb6c';
const MIB = 'a'.repeat(1 << 20);
const NO_NETWORK = 'http://127.0.0.1:9';

// An uncaught exception (e.g. thrown from inside a wasm future) is a failure of the suite.
const uncaught = [];
const onUncaught = (err) => uncaught.push(err);
process.on('uncaughtException', onUncaught);
after(() => {
  process.off('uncaughtException', onUncaught);
  assert.deepEqual(uncaught.map(String), [], 'uncaught exceptions');
});

function stillWorks() {
  assert.equal(kiiexSignature(VECTOR), SIGNATURE);
  assert.deepEqual({ ...authHeaders('adjutor', { apiKey: 'adj_1' }) }, { Authorization: 'Bearer adj_1' });
}

function assertKeystampError(err, code, field) {
  assert.ok(err instanceof KeystampError, `not a KeystampError: ${err?.name}: ${err?.message}`);
  assert.ok(err instanceof Error);
  assert.equal(err.name, 'KeystampError');
  assert.equal(err.code, code, err.message);
  if (field !== undefined) assert.equal(err.field, field, err.message);
}

function expectSync(call, code, field) {
  let thrown;
  try {
    call();
  } catch (err) {
    thrown = err;
  }
  assert.ok(thrown !== undefined, 'did not throw');
  assertKeystampError(thrown, code, field);
  stillWorks();
}

// --- the matrix: [name, call, code, field] ----------------------------------------------------

// Values of the wrong JS type, and the code each gives where a string is required.
const NOT_A_STRING = [
  ['undefined', undefined, 'missing_credential'],
  ['null', null, 'missing_credential'],
  ['an object', {}, 'invalid_argument'],
  ['an array', ['k'], 'invalid_argument'],
  ['NaN', NaN, 'invalid_argument'],
  ['Infinity', Infinity, 'invalid_argument'],
  ['1e21', 1e21, 'invalid_argument'],
  ['-1', -1, 'invalid_argument'],
  ['1.5', 1.5, 'invalid_argument'],
  ['42', 42, 'invalid_argument'],
  ['a BigInt', 10n, 'invalid_argument'],
  ['a Symbol', Symbol('k'), 'invalid_argument'],
  ['a function', () => 'k', 'invalid_argument'],
  ['true', true, 'invalid_argument'],
  ['a String object', new String('k'), 'invalid_argument'],
];

// Where a user id or nonce is required: a string, or a non-negative safe integer.
const NOT_AN_ID = [
  ['undefined', undefined, 'missing_credential'],
  ['null', null, 'missing_credential'],
  ['an object', {}, 'invalid_argument'],
  ['an array', [1], 'invalid_argument'],
  ['NaN', NaN, 'invalid_argument'],
  ['Infinity', Infinity, 'invalid_argument'],
  ['-Infinity', -Infinity, 'invalid_argument'],
  ['1e21', 1e21, 'invalid_argument'],
  ['2^53', 2 ** 53, 'invalid_argument'],
  ['-1', -1, 'invalid_argument'],
  ['1.5', 1.5, 'invalid_argument'],
  ['a BigInt', 10n, 'invalid_argument'],
  ['a Symbol', Symbol('1'), 'invalid_argument'],
  ['true', true, 'invalid_argument'],
];

// Strings that must never become a header value or an HMAC key.
const BAD_SECRETS = [
  ['empty', '', 'missing_credential'],
  ['with CR LF', 'sec\r\nret', 'invalid_secret'],
  ['with NUL', 'sec\0ret', 'invalid_secret'],
  ['with ESC', 'sec\x1bret', 'invalid_secret'],
  ['with a leading space', ' secret', 'invalid_secret'],
  ['with a trailing tab', 'secret\t', 'invalid_secret'],
  ['non-ASCII', 's\u00e9cret', 'invalid_secret'],
  ['with a lone surrogate', 'sec\ud800ret', 'invalid_argument'],
  ['over 4 KiB', 's'.repeat(4097), 'input_too_large'],
  ['of 1 MiB', MIB, 'input_too_large'],
];

const BAD_HEADER_VALUES = [
  ['empty', '', 'missing_credential'],
  ['with CR LF and a header', 'key\r\nX-Evil: 1', 'invalid_header_value'],
  ['with a bare LF', 'key\n', 'invalid_header_value'],
  ['with NUL', 'k\0ey', 'invalid_header_value'],
  ['with DEL', 'k\x7fey', 'invalid_header_value'],
  ['with a leading space', ' key', 'invalid_header_value'],
  ['with a trailing space', 'key ', 'invalid_header_value'],
  ['with an inner space', 'k ey', 'invalid_header_value'],
  ['non-ASCII', 'k\u00e9y', 'invalid_header_value'],
  ['with LINE SEPARATOR', 'k\u2028ey', 'invalid_header_value'],
  ['with a lone surrogate', 'k\udc00ey', 'invalid_argument'],
  ['over 8 KiB', 'k'.repeat(8 * 1024 + 1), 'input_too_large'],
  ['of 1 MiB', MIB, 'input_too_large'],
];

const BAD_IDS = [
  ['empty', '', 'missing_credential'],
  ['with CR LF', '1\r\n', 'invalid_argument'],
  ['with NUL', '1\0', 'invalid_argument'],
  ['with a leading space', ' 1', 'invalid_argument'],
  ['over 1 KiB', '1'.repeat(1025), 'input_too_large'],
  ['of 1 MiB', MIB, 'input_too_large'],
];

const NOT_AN_OBJECT = [
  ['undefined', undefined],
  ['null', null],
  ['a string', 'apiKey=k'],
  ['a number', 42],
  ['an array', [VECTOR]],
  ['a Symbol', Symbol('o')],
];

const cases = [];
const add = (name, call, code, field) => cases.push([name, call, code, field]);

for (const [what, value, code] of NOT_A_STRING) {
  add(`kiiexSignature: apiSecret ${what}`, () => kiiexSignature({ ...VECTOR, apiSecret: value }), code, 'apiSecret');
  add(`kiiexSignature: apiKey ${what}`, () => kiiexSignature({ ...VECTOR, apiKey: value }), code, 'apiKey');
  add(`new KiiexSigner(${what})`, () => new KiiexSigner(value), code, 'apiSecret');
  add(`authHeaders adjutor: apiKey ${what}`, () => authHeaders('adjutor', { apiKey: value }), code, 'apiKey');
  add(`authHeaders depay: accessToken ${what}`, () => authHeaders('depay', { accessToken: value }), code, 'accessToken');
  add(`authHeaders kiiex: sessionToken ${what}`, () => authHeaders('kiiex', { sessionToken: value }), code, 'sessionToken');
  add(`new Client deltadefi: apiKey ${what}`, () => new Client({ provider: 'deltadefi', apiKey: value }), code, 'apiKey');
  add(`new Client kiiex: apiSecret ${what}`, () => new Client({ provider: 'kiiex', apiKey: 'k', apiSecret: value, userId: 1 }), code, 'apiSecret');
}
for (const [what, value, code] of NOT_AN_ID) {
  add(`kiiexSignature: nonce ${what}`, () => kiiexSignature({ ...VECTOR, nonce: value }), code, 'nonce');
  add(`kiiexSignature: userId ${what}`, () => kiiexSignature({ ...VECTOR, userId: value }), code, 'userId');
  add(`new Client kiiex: userId ${what}`, () => new Client({ provider: 'kiiex', apiKey: 'k', apiSecret: 's', userId: value }), code, 'userId');
}
for (const [what, value, code] of BAD_SECRETS) {
  add(`kiiexSignature: apiSecret ${what}`, () => kiiexSignature({ ...VECTOR, apiSecret: value }), code, 'apiSecret');
  add(`new KiiexSigner: secret ${what}`, () => new KiiexSigner(value), code, 'apiSecret');
  add(`kiiexAuthHeaders: apiSecret ${what}`, () => kiiexAuthHeaders({ ...VECTOR, apiSecret: value }), code, 'apiSecret');
}
for (const [what, value, code] of BAD_HEADER_VALUES) {
  add(`kiiexSignature: apiKey ${what}`, () => kiiexSignature({ ...VECTOR, apiKey: value }), code, 'apiKey');
  add(`authHeaders defindex: apiKey ${what}`, () => authHeaders('defindex', { apiKey: value }), code, 'apiKey');
  add(`authHeaders deltadefi: apiKey ${what}`, () => authHeaders('deltadefi', { apiKey: value }), code, 'apiKey');
  add(`authHeaders depay: accessToken ${what}`, () => authHeaders('depay', { accessToken: value }), code, 'accessToken');
  add(`authHeaders kiiex: sessionToken ${what}`, () => authHeaders('kiiex', { sessionToken: value }), code, 'sessionToken');
}
for (const [what, value, code] of BAD_IDS) {
  add(`kiiexSignature: nonce ${what}`, () => kiiexSignature({ ...VECTOR, nonce: value }), code, 'nonce');
  add(`kiiexSignature: userId ${what}`, () => kiiexSignature({ ...VECTOR, userId: value }), code, 'userId');
}
for (const [what, value] of NOT_AN_OBJECT) {
  add(`kiiexSignature(${what})`, () => kiiexSignature(value), 'invalid_argument', 'options');
  add(`kiiexAuthHeaders(${what})`, () => kiiexAuthHeaders(value), 'invalid_argument', 'options');
  add(`authHeaders adjutor, credentials ${what}`, () => authHeaders('adjutor', value), 'invalid_argument', 'credentials');
  add(`new Client(${what})`, () => new Client(value), 'invalid_argument', 'options');
}
for (const name of ['', 'aws', 'Kiiex', 'DEPAY', 'kiiex ', ' kiiex', 'kiiex\0', 'kiiex\r\n', '\uff4b\uff49\uff49\uff45\uff58', 'defindex.io']) {
  add(`authHeaders provider ${JSON.stringify(name)}`, () => authHeaders(name, { apiKey: 'k' }), 'unknown_provider');
  add(`new Client provider ${JSON.stringify(name)}`, () => new Client({ provider: name, apiKey: 'k' }), 'unknown_provider');
}
for (const [what, value, code] of NOT_A_STRING) {
  // A provider that is not a string is read like any other string option (same codes as Client).
  add(`authHeaders provider ${what}`, () => authHeaders(value, { apiKey: 'k' }), code, 'provider');
}
add('kiiexAuthHeaders: header nonce non-ASCII', () => kiiexAuthHeaders({ ...VECTOR, nonce: '1\u00e9' }), 'invalid_header_value', 'nonce');
add('kiiexAuthHeaders: header userId with a space', () => kiiexAuthHeaders({ ...VECTOR, userId: '4 2' }), 'invalid_header_value', 'userId');
add('kiiexAuthHeaders: nonceMode unknown', () => kiiexAuthHeaders({ ...VECTOR, nonce: undefined, nonceMode: 'sequential' }), 'invalid_argument', 'nonceMode');
add('kiiexAuthHeaders: nonceMode a number', () => kiiexAuthHeaders({ ...VECTOR, nonce: undefined, nonceMode: 1 }), 'invalid_argument', 'nonceMode');
add('authHeaders kiiex without sessionToken', () => authHeaders('kiiex', { apiKey: 'k' }), 'missing_credential', 'sessionToken');
add('authHeaders defindex without apiKey', () => authHeaders('defindex', { accessToken: 'k' }), 'missing_credential', 'apiKey');
add('new Client defindex with an email only', () => new Client({ provider: 'defindex', email: 'dev@example.com' }), 'missing_credential');
add('new Client: http to a public host', () => new Client({ provider: 'adjutor', apiKey: 'k', baseUrl: 'http://adjutor.lendsqr.com' }), 'invalid_argument', 'baseUrl');
add('new Client: http to 127.evil.com', () => new Client({ provider: 'adjutor', apiKey: 'k', baseUrl: 'http://127.evil.com' }), 'invalid_argument', 'baseUrl');
add('new Client: baseUrl with user info', () => new Client({ provider: 'adjutor', apiKey: 'k', baseUrl: 'https://adjutor.lendsqr.com@evil.com' }), 'invalid_argument', 'baseUrl');
add('new Client: baseUrl with CR LF', () => new Client({ provider: 'adjutor', apiKey: 'k', baseUrl: 'https://a.io/\r\nX: 1' }), 'invalid_argument', 'baseUrl');
add('new Client: kiiexAuthForm unknown', () => new Client({ provider: 'kiiex', apiKey: 'k', apiSecret: 's', userId: 1, kiiexAuthForm: 'xml' }), 'invalid_argument', 'kiiexAuthForm');
add('new Client: refreshMarginMs -1', () => new Client({ provider: 'depay', apiKey: 'k', refreshMarginMs: -1 }), 'invalid_argument', 'refreshMarginMs');
add('new Client: mustRefreshMs NaN', () => new Client({ provider: 'depay', apiKey: 'k', mustRefreshMs: NaN }), 'invalid_argument', 'mustRefreshMs');
add('new Client: fetch not a function', () => new Client({ provider: 'depay', apiKey: 'k', fetch: 'fetch' }), 'invalid_argument', 'fetch');
add('new Client: now not a function', () => new Client({ provider: 'depay', apiKey: 'k', now: 0 }), 'invalid_argument', 'now');

test(`the bad-input matrix has ${cases.length} cases`, () => {
  assert.equal(cases.length, 344);
});

for (const [name, call, code, field] of cases) {
  test(`${name} -> ${code}`, () => expectSync(call, code, field));
}

test('KiiexSigner.sign and .authHeaders reject bad options', () => {
  const signer = new KiiexSigner(VECTOR.apiSecret);
  try {
    const calls = [
      [() => signer.sign(undefined), 'invalid_argument', 'options'],
      [() => signer.sign({ ...VECTOR, nonce: NaN }), 'invalid_argument', 'nonce'],
      [() => signer.sign({ ...VECTOR, apiKey: 'k\r\n' }), 'invalid_header_value', 'apiKey'],
      [() => signer.authHeaders({ apiKey: 'k', userId: -1 }), 'invalid_argument', 'userId'],
      [() => signer.authHeaders({ apiKey: 'k', userId: 1, nonceMode: 'never' }), 'invalid_argument', 'nonceMode'],
    ];
    for (const [call, code, field] of calls) expectSync(call, code, field);
    assert.equal(signer.sign(VECTOR), SIGNATURE, 'the signer still works');
  } finally {
    signer.free();
  }
});

test('a freed KiiexSigner throws KeystampError freed, not a trap; free() again is a no-op; the module keeps working', () => {
  const signer = new KiiexSigner(VECTOR.apiSecret);
  signer.free();
  for (const call of [() => signer.sign(VECTOR), () => signer.authHeaders({ apiKey: 'k', userId: 1 })]) {
    assert.throws(call, (err) => err instanceof KeystampError && err.code === 'freed' && err.provider === 'kiiex');
    stillWorks();
  }
  assert.equal(signer.free(), undefined);
  stillWorks();
});

// --- the Client with hostile provider answers (a fake fetch: no network) ----------------------

const jwt = (claims) => `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;
const answer = (status, body) => async () => new Response(body, { status });
const depayAnswer = (expiresIn) => answer(200, JSON.stringify({ expiresIn, accessToken: 'a.b.c' }));
const CREDS = {
  depay: { apiKey: 'dp_key' },
  defindex: { email: 'dev@example.com', password: 'pw' },
  kiiex: { apiKey: 'k', apiSecret: 's', userId: 1 },
};

/** Settles `promise` within a second, or reports that it never settled. */
async function settle(promise) {
  let timer;
  const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve({ pending: true }), 1000); });
  try {
    return await Promise.race([promise.then((value) => ({ value }), (error) => ({ error })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const ANSWERS = [
  ['depay', 'an HTML page', answer(200, '<html>502 Bad Gateway</html>'), 'malformed_response', 200],
  ['depay', 'an empty body', answer(200, ''), 'malformed_response', 200],
  ['depay', 'expiresIn "abc"', depayAnswer('abc'), 'malformed_response', 200],
  ['depay', 'expiresIn "-1"', depayAnswer('-1'), 'malformed_response', 200],
  ['depay', 'expiresIn "1e309"', depayAnswer('1e309'), 'malformed_response', 200],
  ['depay', 'expiresIn "0"', depayAnswer('0'), 'malformed_response', 200],
  ['depay', 'no accessToken', answer(200, '{"expiresIn":"60"}'), 'malformed_response', 200],
  ['depay', 'an accessToken with CR LF', answer(200, '{"expiresIn":"60","accessToken":"a\\r\\nX-Evil: 1"}'), 'malformed_response', 200],
  ['depay', 'a body over 1 MiB', answer(200, `{"expiresIn":"60","accessToken":"${MIB}"}`), 'input_too_large', 200],
  ['depay', '401', answer(401, '{"statusCode":401}'), 'auth_rejected', 401],
  ['depay', '429', answer(429, '{}'), 'rate_limited', 429],
  ['depay', '503', answer(503, 'unavailable'), 'provider_unavailable', 503],
  ['depay', 'a fetch that rejects', async () => { throw new TypeError('fetch failed'); }, 'network_error', undefined],
  ['depay', 'a fetch that throws', () => { throw new TypeError('fetch failed'); }, 'network_error', undefined],
  ['depay', 'a fetch that returns 42', async () => 42, 'network_error', undefined],
  ['defindex', 'a JWT whose payload is not base64url', answer(200, '{"access_token":"eyJ.!!!*.sig","refresh_token":"r"}'), 'malformed_response', 200],
  ['defindex', 'a JWT whose payload is not JSON', answer(200, JSON.stringify({ access_token: `a.${Buffer.from('nope').toString('base64url')}.c`, refresh_token: 'r' })), 'malformed_response', 200],
  ['defindex', 'a JWT without exp', answer(200, JSON.stringify({ access_token: jwt({ sub: '1', iat: 1750269164 }), refresh_token: 'r' })), 'malformed_response', 200],
  ['defindex', 'a JWT with exp "abc"', answer(200, JSON.stringify({ access_token: jwt({ exp: 'abc' }), refresh_token: 'r' })), 'malformed_response', 200],
  ['kiiex', 'Authenticated false', answer(200, '{"Authenticated":false,"errormsg":"Invalid"}'), 'auth_rejected', 200],
  ['kiiex', 'Authenticated "true"', answer(200, '{"Authenticated":"true","SessionToken":"t"}'), 'malformed_response', 200],
  ['kiiex', 'a SessionToken with NUL', answer(200, '{"Authenticated":true,"SessionToken":"a\\u0000b"}'), 'malformed_response', 200],
];

for (const [provider, what, fetch, code, status] of ANSWERS) {
  test(`Client ${provider}: ${what} -> ${code}`, async () => {
    const client = new Client({ provider, ...CREDS[provider], baseUrl: NO_NETWORK, fetch });
    const { error, pending } = await settle(client.headers());
    assert.ok(!pending, 'never settled');
    assertKeystampError(error, code);
    assert.equal(error.provider, provider);
    assert.equal(error.status, status);
    stillWorks();
  });
}

test('Client deltadefi: a rotation answer with code 4010 -> auth_rejected', async () => {
  const client = new Client({ provider: 'deltadefi', apiKey: 'dd_key', baseUrl: NO_NETWORK, fetch: answer(200, '{"error":"unauthorized","code":4010}') });
  const { error } = await settle(client.rotateKey());
  assertKeystampError(error, 'auth_rejected');
});

// --- Client.fetch with inputs of the wrong type ------------------------------------------------

const okFetch = async () => new Response('{}', { status: 200 });
// The inputs that are not a string, URL or Request come last: should one of them break the
// module's futures, the other cases still report their own result.
const BAD_FETCH_INPUTS = [
  ['an absolute URL of another origin', ['https://evil.example/x'], 'origin_mismatch'],
  ['a URL with user info (its origin is evil.example)', ['https://adjutor.lendsqr.com@evil.example/x'], 'origin_mismatch'],
  ['init 42', ['/x', 42], 'invalid_argument'],
  ['a URL object of another origin', [new URL('https://evil.example/x')], 'origin_mismatch'],
  ['42', [42], 'invalid_argument'],
  ['an object', [{}], 'invalid_argument'],
  ['undefined', [undefined], 'invalid_argument'],
  ['null', [null], 'invalid_argument'],
  ['a Symbol', [Symbol('url')], 'invalid_argument'],
];

for (const [what, args, code] of BAD_FETCH_INPUTS) {
  test(`Client.fetch(${what}) -> ${code}, and the client still works`, async () => {
    const client = new Client({ provider: 'adjutor', apiKey: 'adj_1', fetch: okFetch });
    let settled;
    try {
      settled = await settle(client.fetch(...args));
    } catch (error) {
      settled = { error }; // thrown synchronously: fine too
    }
    assert.ok(!settled.pending, 'the promise never settled');
    assertKeystampError(settled.error, code);
    const after = await settle(client.headers());
    assert.deepEqual({ ...after.value }, { Authorization: 'Bearer adj_1' }, `the client is broken: ${after.error}`);
    stillWorks();
  });
}

test('Client.fetch(a URL object of the base origin) sends the call', async () => {
  const seen = [];
  const fetch = async (request) => {
    seen.push([request.url, request.headers.get('authorization')]);
    return new Response('{}', { status: 200 });
  };
  const client = new Client({ provider: 'adjutor', apiKey: 'adj_1', fetch });
  const { value, error, pending } = await settle(client.fetch(new URL('https://adjutor.lendsqr.com/v2/decisioning/models')));
  assert.ok(!pending && !error, `failed: ${pending ? 'never settled' : error}`);
  assert.equal(value.status, 200);
  assert.deepEqual(seen, [['https://adjutor.lendsqr.com/v2/decisioning/models', 'Bearer adj_1']]);
});
