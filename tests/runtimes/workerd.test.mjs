// Cloudflare Workers: a consumer Worker (consumers/worker/) that imports `keystamp` from the
// installed tarball runs in the real workerd runtime under `wrangler dev --local`. The test calls
// it over HTTP, and the Worker calls out to a recording server (DeltaDeFi header) and to the
// provider emulator through keystamp's Client (Kiiex AuthenticateUser, then aptoken).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { startEmulator } from 'keystamp/emulator';
import { BIN, CASES, EXPECTED_HEADERS, VECTORS, livingInGroup, makeConsumer, startGroup } from './helpers.mjs';

const DELTADEFI_KEY = 'dd_worker_key_0042';
let wrangler;
let workerUrl;
let upstream;
const upstreamRequests = [];
let emu;

before(async () => {
  upstream = createServer((req, res) => {
    upstreamRequests.push({ method: req.method, url: req.url, headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"balances":[]}');
  });
  await new Promise((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  emu = await startEmulator();
  const { apiKey, apiSecret, userId } = emu.credentials.kiiex;

  // .dev.vars is where `wrangler dev` takes local secrets and overrides of [vars] from.
  const devVars = [
    `DELTADEFI_BASE_URL=http://127.0.0.1:${upstream.address().port}`,
    `DELTADEFI_API_KEY=${DELTADEFI_KEY}`,
    `KIIEX_BASE_URL=${emu.baseUrls.kiiex}`,
    `KIIEX_API_KEY=${apiKey}`,
    `KIIEX_API_SECRET=${apiSecret}`,
    `KIIEX_USER_ID=${userId}`,
  ].join('\n');
  const dir = await makeConsumer('worker', { packageJson: { type: 'module' }, files: { '.dev.vars': `${devVars}\n` } });

  wrangler = startGroup(join(BIN, 'wrangler'), [
    'dev', '--local', '--ip', '127.0.0.1', '--port', '0', '--inspector-port', '0',
    '--show-interactive-dev-session=false', '--log-level', 'info',
  ], {
    cwd: dir,
    env: {
      CI: '1',
      WRANGLER_SEND_METRICS: 'false',
      WRANGLER_HIDE_BANNER: 'true', // also skips the registry update check
      CLOUDFLARE_CF_FETCH_ENABLED: 'false', // no download of the Request.cf placeholder
      WRANGLER_LOG_PATH: join(dir, '.wrangler', 'logs'),
      XDG_CONFIG_HOME: join(dir, '.config'),
      NO_COLOR: '1',
    },
  });
  [, workerUrl] = await wrangler.waitFor(/Ready on (http:\/\/127\.0\.0\.1:\d+)/, 45_000);
});

after(async () => {
  if (wrangler) {
    await wrangler.stop();
    assert.deepEqual(livingInGroup(wrangler.pid), [], 'wrangler, esbuild and workerd have all ended');
  }
  await emu?.close();
  await new Promise((resolve) => (upstream ? upstream.close(resolve) : resolve()));
});

async function post(path, body) {
  const res = await fetch(`${workerUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

test('kiiexSignature in workerd: every vector, ids as strings and as numbers', async () => {
  for (const v of VECTORS) {
    const { apiSecret, nonce, userId, apiKey } = v;
    assert.deepEqual(await post('/kiiex-signature', { apiSecret, nonce, userId, apiKey }), { status: 200, body: { signature: v.signature } });
  }
  const numeric = { ...CASES.vectors[0], nonce: 1700000000000, userId: 42 };
  assert.deepEqual(await post('/kiiex-signature', numeric), { status: 200, body: { signature: VECTORS[0].signature } });
});

test('authHeaders in workerd: the exact headers of all five providers', async () => {
  for (const [i, [provider, credentials]] of CASES.credentials.entries()) {
    assert.deepEqual(await post('/auth-headers', { provider, credentials }), { status: 200, body: EXPECTED_HEADERS[i] }, provider);
  }
});

test('keystamp/lite in workerd: every vector, the five providers, typed errors', async () => {
  for (const v of VECTORS) {
    const { apiSecret, nonce, userId, apiKey } = v;
    assert.deepEqual(await post('/lite/kiiex-signature', { apiSecret, nonce, userId, apiKey }), { status: 200, body: { signature: v.signature } });
  }
  for (const [i, [provider, credentials]] of CASES.credentials.entries()) {
    assert.deepEqual(await post('/lite/auth-headers', { provider, credentials }), { status: 200, body: EXPECTED_HEADERS[i] }, provider);
  }
  assert.deepEqual(await post('/lite/auth-headers', { provider: 'adjutor', credentials: { apiKey: 'adj_key\r\nX-Injected: 1' } }), {
    status: 400, body: { error: { code: 'invalid_header_value', provider: 'adjutor', field: 'apiKey' } },
  });
});

test('errors in workerd are KeystampError with a code (the Worker maps them to JSON)', async () => {
  assert.deepEqual(await post('/auth-headers', { provider: 'adjutor', credentials: { apiKey: 'adj_key\r\nX-Injected: 1' } }), {
    status: 400, body: { error: { code: 'invalid_header_value', provider: 'adjutor', field: 'apiKey' } },
  });
  assert.deepEqual(await post('/auth-headers', { provider: 'aws', credentials: { apiKey: 'k' } }), {
    status: 400, body: { error: { code: 'unknown_provider' } },
  });
  const missing = await post('/kiiex-signature', { nonce: 1, userId: 1, apiKey: 'k' });
  assert.equal(missing.status, 400);
  assert.equal(missing.body.error.code, 'missing_credential');
  assert.equal(missing.body.error.field, 'apiSecret');
});

test('an outbound fetch from the Worker carries the exact DeltaDeFi header', async () => {
  const res = await fetch(`${workerUrl}/deltadefi/accounts/balance`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { balances: [] });
  assert.equal(upstreamRequests.length, 1);
  assert.equal(upstreamRequests[0].method, 'GET');
  assert.equal(upstreamRequests[0].url, '/accounts/balance');
  assert.equal(upstreamRequests[0].headers['x-api-key'], DELTADEFI_KEY);
});

test('the Client in workerd: 50 concurrent requests on one module-scope Client -> one Kiiex AuthenticateUser, then the session token on every call', async () => {
  const first = await Promise.all(Array.from({ length: 50 }, () => fetch(`${workerUrl}/kiiex/GetUserInfo`).then(async (res) => { await res.arrayBuffer(); return res.status; })));
  assert.deepEqual(new Set(first), new Set([200]), 'the emulator accepted the session token');
  for (let i = 0; i < 2; i++) {
    const res = await fetch(`${workerUrl}/kiiex/GetUserInfo`);
    assert.equal(res.status, 200);
    await res.arrayBuffer();
  }
  assert.equal(emu.count('kiiex', 'auth'), 1, 'one exchange shared across requests, and the session kept');
  assert.equal(emu.count('kiiex', 'api'), 52);

  const auth = emu.requests.find((r) => r.route === 'auth');
  const { apiKey, apiSecret, userId } = emu.credentials.kiiex;
  assert.equal(auth.headers.apikey, apiKey);
  assert.equal(auth.headers.userid, userId);
  assert.match(auth.headers.nonce, /^\d+$/);
  const want = createHmac('sha256', apiSecret).update(auth.headers.nonce + userId + apiKey).digest('hex');
  assert.equal(auth.headers.signature, want);

  const calls = emu.requests.filter((r) => r.route === 'api');
  assert.deepEqual(new Set(calls.map((r) => r.path)), new Set(['/kiiex/ap/GetUserInfo']));
  assert.match(calls[0].headers.aptoken, /^\S{8,}$/);
  assert.deepEqual(new Set(calls.map((r) => r.headers.aptoken)), new Set([calls[0].headers.aptoken]));
});
