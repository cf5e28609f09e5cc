// The README's examples of "DePay callbacks and Kiiex WebSockets", run as written: each code block
// is copied out of README.md into a module next to the installed package and imported. The
// callback handler answers Requests built from the committed vectors; the WebSocket example
// authenticates against the local APEX gateway (tests/js/apex-gateway.mjs), with and without a
// second factor.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import WebSocket from 'ws';

import { VECTOR, startGateway } from './apex-gateway.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
// Next to the installed package, so `keystamp` resolves to it.
const DIR = join(ROOT, 'tests', '.artifacts', 'consumer', 'readme-examples');
const { depayCallbacks: CALLBACKS } = JSON.parse(readFileSync(new URL('../depay-callbacks.json', import.meta.url), 'utf8'));

/** The first ```js block after the heading `heading`, written to DIR/name and imported. */
async function example(heading, name) {
  const at = README.indexOf(`\n${heading}\n`);
  assert.ok(at >= 0, `README has no heading ${heading}`);
  const code = README.slice(at).match(/\n```js\n([\s\S]*?)\n```\n/)?.[1];
  assert.ok(code, `no js block under ${heading}`);
  mkdirSync(DIR, { recursive: true });
  writeFileSync(join(DIR, name), `${code}\n`);
  return import(pathToFileURL(join(DIR, name)).href);
}

let gateway;
before(async () => {
  gateway = await startGateway();
});
after(() => gateway.close());

test('README: the DePay callback handler accepts DePay-signed bodies and answers 401 to anything else', async () => {
  const { onDepayCallback } = await example('### Verifying DePay callbacks', 'depay-callback.mjs');
  const v = CALLBACKS[0];
  const env = { DEPAY_API_KEY: v.apiKey, DEPAY_CUSTOMER_UUID: v.customerUuid };
  const post = (body, headers) => new Request('http://127.0.0.1/depay/callback', { method: 'POST', body, headers });
  const ok = await onDepayCallback(post(v.body, { signature: v.signature, 'content-type': 'application/json' }), env);
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { received: 'pay_01HZX' });
  const refused = [
    post(v.body, {}), // no signature header
    post(`${v.body} `, { signature: v.signature }),
    post(v.body, { signature: v.signature.toUpperCase() }),
    post(v.body, { signature: CALLBACKS[1].signature }),
    post(v.body, { signature: 'x'.repeat(5000) }),
  ];
  for (const request of refused) assert.equal((await onDepayCallback(request, env)).status, 401);
  // Every text vector (the 64 KiB one too) passes through the handler as a real Request body.
  for (const row of CALLBACKS.filter((r) => 'bodyPattern' in r)) {
    const body = row.bodyPattern.prefix + row.bodyPattern.unit.repeat(row.bodyPattern.count) + row.bodyPattern.suffix;
    const res = await onDepayCallback(post(body, { signature: row.signature }), { DEPAY_API_KEY: row.apiKey, DEPAY_CUSTOMER_UUID: row.customerUuid });
    assert.equal(res.status, 200, row.name);
  }
});

/** An open client socket to the gateway. */
async function open() {
  const socket = new WebSocket(gateway.url);
  await once(socket, 'open');
  return socket;
}

test('README: the WebSocket example authenticates, with and without a second factor', async () => {
  const { authenticate } = await example('### Kiiex over WebSocket', 'kiiex-websocket.mjs');
  let socket = await open();
  let codes = 0;
  const totp = () => { codes++; return '012345'; };
  const session = await authenticate(socket, { apiKey: VECTOR.apiKey, apiSecret: VECTOR.apiSecret, userId: VECTOR.userId, totp });
  assert.match(session, /^[0-9a-f-]{36}$/);
  assert.equal(codes, 0, 'no second factor asked');
  const sent = gateway.received.at(-1);
  assert.equal(sent.n, 'AuthenticateUser');
  assert.equal(sent.i, 2);
  socket.close();

  socket = await open();
  const twoFactor = await authenticate(socket, { apiKey: 'KEY_WITH_2FA', apiSecret: 'SECRET_WITH_2FA', userId: '77', totp: async () => { codes++; return '012345'; } });
  assert.match(twoFactor, /^[0-9a-f-]{36}$/);
  assert.equal(codes, 1);
  assert.deepEqual(gateway.received.at(-1), { m: 0, i: 4, n: 'Authenticate2FA', o: '{"Code":"012345"}' });
  socket.close();

  socket = await open();
  await assert.rejects(
    authenticate(socket, { apiKey: 'KEY_WITH_2FA', apiSecret: 'SECRET_WITH_2FA', userId: '77', totp: () => '999999' }),
    (err) => err.name === 'KeystampError' && err.code === 'auth_rejected' && err.provider === 'kiiex',
  );
  socket.close();
});
