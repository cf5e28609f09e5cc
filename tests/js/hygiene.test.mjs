// Secret hygiene through the JS API: every public function and every error path runs with marker
// secrets, and the marker must never show in an error (message, String(), stack, JSON,
// util.inspect) nor in anything written to the console, stdout or stderr. Credentials must also
// never reach another origin, even when the provider answers with a redirect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import util from 'node:util';

import { Client, KeystampError, KiiexSigner, authHeaders, kiiexAuthHeaders, kiiexSignature } from 'keystamp';

const MARKER = 'MARKER_SECRET_7f3a';
const SECRET = `${MARKER}_secret`;
const KEY = `${MARKER}_key`;
const TOKEN = `${MARKER}.token.sig`;
const NO_NETWORK = 'http://127.0.0.1:9';

/** Every way an error can be shown. */
function renderings(err) {
  return {
    message: String(err?.message),
    string: String(err),
    stack: String(err?.stack),
    json: JSON.stringify(err) ?? '',
    inspect: util.inspect(err),
    inspectAll: util.inspect(err, { showHidden: true, depth: Infinity, getters: true }),
    properties: JSON.stringify(Object.getOwnPropertyNames(err ?? {}).map((k) => String(err[k]))),
  };
}

/** Runs `body` while recording everything written through console.* and process.std*.write. */
async function capturingOutput(body) {
  const written = [];
  const restore = [];
  const patch = (obj, name) => {
    const original = obj[name];
    obj[name] = function (...args) {
      written.push(args.map((a) => (typeof a === 'string' ? a : util.inspect(a))).join(' '));
      return original.apply(this, args);
    };
    restore.push(() => { obj[name] = original; });
  };
  for (const name of ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'table']) patch(console, name);
  patch(process.stdout, 'write');
  patch(process.stderr, 'write');
  try {
    await body();
  } finally {
    restore.forEach((undo) => undo());
  }
  return written.join('\n');
}

/** Runs each call, collects its error, and checks that no rendering shows the marker. */
async function checkErrors(calls) {
  const codes = [];
  const output = await capturingOutput(async () => {
    for (const [name, call] of calls) {
      let error;
      try {
        await call();
      } catch (err) {
        error = err;
      }
      assert.ok(error instanceof KeystampError, `${name}: expected a KeystampError, got ${error}`);
      for (const [how, shown] of Object.entries(renderings(error))) {
        assert.ok(!shown.includes(MARKER), `${name}: the secret shows in ${how}: ${shown}`);
      }
      codes.push(error.code);
    }
  });
  assert.ok(!output.includes(MARKER), `the secret was written to the console: ${output}`);
  return codes;
}

const VALID = { apiSecret: SECRET, nonce: 1700000000000, userId: 42, apiKey: KEY };

test('the synchronous functions: no marker in any error', async () => {
  const codes = await checkErrors([
    ['kiiexSignature apiSecret with CR LF', () => kiiexSignature({ ...VALID, apiSecret: `${SECRET}\r\n` })],
    ['kiiexSignature apiSecret over 4 KiB', () => kiiexSignature({ ...VALID, apiSecret: SECRET.repeat(300) })],
    ['kiiexSignature apiKey with LF', () => kiiexSignature({ ...VALID, apiKey: `${KEY}\n` })],
    ['kiiexSignature apiKey non-ASCII', () => kiiexSignature({ ...VALID, apiKey: `${KEY}\u00e9` })],
    ['kiiexSignature nonce with NUL', () => kiiexSignature({ ...VALID, nonce: `${MARKER}\0` })],
    ['kiiexSignature userId padded', () => kiiexSignature({ ...VALID, userId: ` ${MARKER}` })],
    ['kiiexSignature userId a lone surrogate', () => kiiexSignature({ ...VALID, userId: `${MARKER}\ud800` })],
    ['kiiexSignature without apiKey', () => kiiexSignature({ ...VALID, apiKey: undefined })],
    ['new KiiexSigner padded', () => new KiiexSigner(` ${SECRET}`)],
    ['new KiiexSigner of 1 MiB', () => new KiiexSigner(SECRET.repeat(60000))],
    ['KiiexSigner.sign apiKey with CR LF', () => withSigner((s) => s.sign({ ...VALID, apiKey: `${KEY}\r\nX: 1` }))],
    ['KiiexSigner.authHeaders userId with a space', () => withSigner((s) => s.authHeaders({ apiKey: KEY, userId: `${MARKER} 1` }))],
    ['KiiexSigner.authHeaders nonceMode', () => withSigner((s) => s.authHeaders({ apiKey: KEY, userId: 1, nonceMode: MARKER }))],
    ['kiiexAuthHeaders apiKey with NUL', () => kiiexAuthHeaders({ ...VALID, apiKey: `${KEY}\0` })],
    ['kiiexAuthHeaders apiSecret non-ASCII', () => kiiexAuthHeaders({ ...VALID, apiSecret: `${SECRET}\u00e9` })],
    ['kiiexAuthHeaders nonce non-ASCII', () => kiiexAuthHeaders({ ...VALID, nonce: `${MARKER}\u00e9` })],
    ['authHeaders defindex apiKey with CR LF', () => authHeaders('defindex', { apiKey: `${KEY}\r\n` })],
    ['authHeaders deltadefi apiKey padded', () => authHeaders('deltadefi', { apiKey: `${KEY} ` })],
    ['authHeaders adjutor apiKey with an inner space', () => authHeaders('adjutor', { apiKey: `${KEY} ${KEY}` })],
    ['authHeaders depay accessToken with NUL', () => authHeaders('depay', { accessToken: `${TOKEN}\0` })],
    ['authHeaders depay apiKey with LF', () => authHeaders('depay', { apiKey: `${KEY}\n` })],
    ['authHeaders kiiex sessionToken non-ASCII', () => authHeaders('kiiex', { sessionToken: `${TOKEN}\u2028` })],
    ['authHeaders kiiex sessionToken over 8 KiB', () => authHeaders('kiiex', { sessionToken: TOKEN.repeat(600) })],
    ['authHeaders with the secret as the provider name', () => authHeaders(SECRET, { apiKey: KEY })],
    ['new Client deltadefi apiKey with CR LF', () => new Client({ provider: 'deltadefi', apiKey: `${KEY}\r\n` })],
    ['new Client kiiex apiSecret padded', () => new Client({ provider: 'kiiex', apiKey: KEY, apiSecret: `${SECRET} `, userId: 1 })],
    ['new Client kiiex apiKey with NUL', () => new Client({ provider: 'kiiex', apiKey: `${KEY}\0`, apiSecret: SECRET, userId: 1 })],
    ['new Client defindex password without email', () => new Client({ provider: 'defindex', password: SECRET })],
    ['new Client with the secret as the provider name', () => new Client({ provider: SECRET, apiKey: KEY })],
    ['new Client with the secret in a plain-http baseUrl', () => new Client({ provider: 'adjutor', apiKey: KEY, baseUrl: `http://${MARKER}.example.com` })],
    ['new Client with the secret in a baseUrl query', () => new Client({ provider: 'adjutor', apiKey: KEY, baseUrl: `https://a.example/?key=${KEY}` })],
    ['new Client with the secret as kiiexAuthForm', () => new Client({ provider: 'kiiex', apiKey: KEY, apiSecret: SECRET, userId: 1, kiiexAuthForm: SECRET })],
  ]);
  assert.deepEqual(codes, [
    'invalid_secret', 'input_too_large', 'invalid_header_value', 'invalid_header_value', 'invalid_argument', 'invalid_argument',
    'invalid_argument', 'missing_credential', 'invalid_secret', 'input_too_large', 'invalid_header_value', 'invalid_header_value',
    'invalid_argument', 'invalid_header_value', 'invalid_secret', 'invalid_header_value', 'invalid_header_value', 'invalid_header_value',
    'invalid_header_value', 'invalid_header_value', 'invalid_header_value', 'invalid_header_value', 'input_too_large', 'unknown_provider',
    'invalid_header_value', 'invalid_secret', 'invalid_header_value', 'missing_credential', 'unknown_provider', 'invalid_argument',
    'invalid_argument', 'invalid_argument',
  ]);
});

function withSigner(use) {
  const signer = new KiiexSigner(SECRET);
  try {
    return use(signer);
  } finally {
    signer.free();
  }
}

test('successful calls print nothing and their objects show no secret', async () => {
  let shown = '';
  const output = await capturingOutput(async () => {
    kiiexSignature(VALID);
    kiiexAuthHeaders(VALID);
    for (const [provider, creds] of [['defindex', { apiKey: KEY }], ['deltadefi', { apiKey: KEY }], ['adjutor', { apiKey: KEY }], ['depay', { accessToken: TOKEN }], ['depay', { apiKey: KEY }], ['kiiex', { sessionToken: TOKEN }]]) {
      authHeaders(provider, creds);
    }
    const signer = new KiiexSigner(SECRET);
    signer.sign(VALID);
    signer.authHeaders({ apiKey: KEY, userId: 42 });
    const client = new Client({ provider: 'deltadefi', apiKey: KEY, fetch: async () => new Response('{}') });
    await client.headers();
    shown = util.inspect(signer, { showHidden: true, depth: Infinity }) + util.inspect(client, { showHidden: true, depth: Infinity }) + JSON.stringify([signer, client]);
    signer.free();
  });
  assert.equal(output, '');
  assert.ok(!shown.includes(MARKER), shown);
});

// --- provider answers and fetch failures that carry the secret --------------------------------

const echo = (status, body) => async () => new Response(body, { status, statusText: `${MARKER} status`, headers: { 'x-echo': KEY } });

test('the Client: provider answers echoing the secret never reach an error', async () => {
  const client = (provider, fetch, extra = {}) => new Client({ provider, baseUrl: NO_NETWORK, fetch, ...extra });
  const depay = (fetch) => client('depay', fetch, { apiKey: KEY });
  const kiiex = (fetch) => client('kiiex', fetch, { apiKey: KEY, apiSecret: SECRET, userId: 42 });
  const calls = [
    ['depay 401 echoing the key', () => depay(echo(401, `{"message":"bad key ${KEY}"}`)).headers()],
    ['depay 429 echoing the key', () => depay(echo(429, KEY)).headers()],
    ['depay 500 echoing the key', () => depay(echo(500, `<pre>${KEY}</pre>`)).headers()],
    ['depay malformed answer with the token', () => depay(echo(200, `{"expiresIn":"${TOKEN}","accessToken":"${TOKEN}"}`)).headers()],
    ['depay token with CR LF', () => depay(echo(200, `{"expiresIn":"60","accessToken":"${TOKEN}\\r\\nX: 1"}`)).headers()],
    ['depay answer not JSON', () => depay(echo(200, `token=${TOKEN}`)).headers()],
    ['fetch rejecting with the key in its message', () => depay(async () => { throw new Error(`connect ECONNREFUSED ${KEY}`); }).headers()],
    ['fetch throwing the key', () => depay(() => { throw KEY; }).headers()],
    ['fetch resolving to the key', () => depay(async () => KEY).headers()],
    ['kiiex refusal echoing the key', () => kiiex(echo(200, `{"Authenticated":false,"errormsg":"${KEY}"}`)).headers()],
    ['kiiex token with NUL', () => kiiex(echo(200, `{"Authenticated":true,"SessionToken":"${TOKEN}\\u0000"}`)).headers()],
    ['defindex login with a JWT without exp', () => client('defindex', echo(200, `{"access_token":"${TOKEN}","refresh_token":"${TOKEN}"}`), { email: 'dev@example.com', password: SECRET }).headers()],
    ['deltadefi rotation refused echoing the key', () => client('deltadefi', echo(401, `{"error":"${KEY}","code":4010}`), { apiKey: KEY }).rotateKey()],
    ['adjutor call rejected twice', () => client('adjutor', echo(401, KEY), { apiKey: KEY }).fetch('/x')],
    ['adjutor call to another origin with the key in the URL', () => client('adjutor', echo(200, '{}'), { apiKey: KEY }).fetch(`https://evil.example/?key=${KEY}`)],
    ['adjutor call with a bad header in init', () => client('adjutor', echo(200, '{}'), { apiKey: KEY }).fetch('/x', { headers: { 'x-secret': `${KEY}\0x` } })],
  ];
  const codes = await checkErrors(calls);
  assert.deepEqual(codes, [
    'auth_rejected', 'rate_limited', 'provider_error', 'malformed_response', 'malformed_response', 'malformed_response',
    'network_error', 'network_error', 'network_error', 'auth_rejected', 'malformed_response', 'malformed_response',
    'auth_rejected', 'auth_rejected', 'origin_mismatch', 'invalid_argument',
  ]);
});

test('a throwing onKeyRotated callback is not reported with the new key', async () => {
  let called = 0;
  const client = new Client({
    provider: 'deltadefi',
    apiKey: KEY,
    baseUrl: NO_NETWORK,
    fetch: async () => new Response(JSON.stringify({ api_key: `${KEY}_new`, created_at: '2026-01-01T00:00:00Z' })),
    onKeyRotated: (key) => {
      called += 1;
      throw new Error(`could not store ${key}`);
    },
  });
  let rotated;
  const output = await capturingOutput(async () => { rotated = await client.rotateKey(); });
  assert.equal(called, 1);
  assert.equal(rotated, `${KEY}_new`);
  assert.ok(!output.includes(MARKER), output);
});

// --- redirects: credentials stay on the configured origin -------------------------------------

/** A server that records each request it receives. */
async function recordingServer(handler) {
  const requests = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      requests.push({ url: req.url, headers: req.headers, body });
      handler(req, res);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, requests, origin: `http://127.0.0.1:${server.address().port}` };
}

test('credentials never follow a redirect to another origin', async () => {
  const elsewhere = await recordingServer((req, res) => res.end('{}'));
  const provider = await recordingServer((req, res) => {
    res.writeHead(307, { location: `${elsewhere.origin}/collect${req.url}` });
    res.end();
  });
  try {
    const base = { baseUrl: provider.origin };
    const attempts = [
      ['deltadefi call (X-API-KEY)', () => new Client({ provider: 'deltadefi', apiKey: KEY, ...base }).fetch('/balances')],
      ['adjutor call (Authorization)', () => new Client({ provider: 'adjutor', apiKey: KEY, ...base }).fetch('/loans')],
      ['depay /auth/token (x-api-key)', () => new Client({ provider: 'depay', apiKey: KEY, ...base }).headers()],
      ['kiiex AuthenticateUser (APIKey, Signature)', () => new Client({ provider: 'kiiex', apiKey: KEY, apiSecret: SECRET, userId: 42, ...base }).headers()],
      ['defindex /login (password in the body)', () => new Client({ provider: 'defindex', email: 'dev@example.com', password: SECRET, ...base }).headers()],
    ];
    for (const [, attempt] of attempts) await attempt().catch(() => {});
    assert.equal(provider.requests.length, attempts.length, 'each attempt reached the provider once');
    const leaked = elsewhere.requests.filter((r) => JSON.stringify(r).includes(MARKER)).map((r) => r.url);
    assert.deepEqual(leaked, [], 'credentials were sent to another origin');
  } finally {
    provider.server.close();
    elsewhere.server.close();
  }
});

test('the checks above catch a leak (they can fail)', async () => {
  const leaky = new KeystampError('invalid_header_value', 'apiKey: contains a control character');
  leaky.field = KEY;
  await assert.rejects(checkErrors([['an error holding the key', () => { throw leaky; }]]), /the secret shows in json/);
  await assert.rejects(checkErrors([['a call that logs the key', () => { console.debug(KEY); throw new KeystampError('unsupported', 'x'); }]]), /written to the console/);
});
