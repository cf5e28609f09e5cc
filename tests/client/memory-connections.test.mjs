// Client v2: nothing of a client is left in wasm memory after free(), and unused answers do not
// pin keep-alive connections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import * as keystamp from 'keystamp';
import { failOnUnhandled, json, jwt, scriptedFetch, tick } from './helpers.mjs';
import { occurrences } from '../wasm-memory.mjs';

const { Client } = keystamp;
failOnUnhandled();


test('after free(), no token, refresh token, rotated key or echoed answer is left in wasm memory', async () => {
  const marks = {
    depayAccess: 'MARK-depay-access-7d1e',
    depayRefresh: 'MARK-depay-refresh-7d1e',
    defindexRefresh: 'MARK-defindex-refresh-7d1e',
    rotated: 'MARK-deltadefi-rotated-7d1e',
    echoed: 'MARK-echoed-in-401-7d1e',
  };
  const defindexAccess = jwt({ sub: 'MARK-defindex-access-7d1e', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 3600 });
  const fetch = scriptedFetch((req) => {
    const path = new URL(req.url).pathname;
    if (path === '/auth/token' && req.headers.get('x-api-key') === 'dp_echo') return json(401, { message: `bad key ${marks.echoed}` });
    if (path === '/auth/token') return json(200, { expiresIn: '3600', accessToken: marks.depayAccess, refreshToken: marks.depayRefresh });
    if (path === '/login') return json(200, { access_token: defindexAccess, refresh_token: marks.defindexRefresh }, { date: new Date().toUTCString() });
    if (path === '/accounts/new-api-key') return json(200, { api_key: marks.rotated });
    return json(200, {});
  }).fetch;
  const clients = [
    new Client({ provider: 'depay', baseUrl: 'https://a.test', apiKey: 'dp_key', fetch }),
    new Client({ provider: 'defindex', baseUrl: 'https://b.test', email: 'dev@example.com', password: 'pw', fetch }),
    new Client({ provider: 'deltadefi', baseUrl: 'https://c.test', apiKey: 'dd_old', fetch }),
    new Client({ provider: 'depay', baseUrl: 'https://d.test', apiKey: 'dp_echo', fetch }),
  ];
  await clients[0].headers();
  await clients[1].headers();
  await clients[2].rotateKey();
  await clients[3].headers().catch(() => {});
  // The scan can see them while they are alive (the tokens and the key are held by the clients).
  for (const mark of [marks.depayAccess, marks.defindexRefresh, marks.rotated]) assert.ok(occurrences(keystamp, mark) > 0, `${mark} should be held`);
  // DePay's refresh token is never used (renewal is another /auth/token call) and an error answer
  // is not kept: both are wiped as soon as the answer is read.
  assert.equal(occurrences(keystamp, marks.depayRefresh), 0, 'an unused refresh token is wiped once read');
  assert.equal(occurrences(keystamp, marks.echoed), 0, 'an error answer is wiped once read');
  for (const client of clients) client.free();
  for (const mark of [...Object.values(marks), defindexAccess]) assert.equal(occurrences(keystamp, mark), 0, `${mark} left in wasm memory after free()`);
});

/** A local server that plays DePay and counts TCP connections. A token works for one call: the
 * next call with it is answered 401 with a 64 KiB body, so every client.fetch meets a 401, a
 * re-authentication and a retry. */
async function countingServer() {
  const state = { connections: 0, tokens: 0, calls: 0 };
  const used = new Set();
  const server = http.createServer((req, res) => {
    if (req.url === '/auth/token') {
      state.tokens += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ expiresIn: '3600', accessToken: `at${state.tokens}` }));
      return;
    }
    state.calls += 1;
    if (used.has(req.headers.authorization)) {
      res.writeHead(401, { 'content-type': 'text/plain' });
      res.end('x'.repeat(64 * 1024));
      return;
    }
    used.add(req.headers.authorization);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  server.on('connection', () => { state.connections += 1; });
  server.keepAliveTimeout = 10_000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { state, server, base: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}

test('unused 401 bodies are drained, so retried calls reuse keep-alive connections', async () => {
  const srv = await countingServer();
  try {
    const client = new Client({ provider: 'depay', baseUrl: srv.base, apiKey: 'dp_key' });
    await (await client.fetch('/v2/payments')).text();
    for (let i = 0; i < 10; i++) {
      const response = await client.fetch('/v2/payments');
      assert.equal(response.status, 200);
      await response.text();
    }
    assert.equal(srv.state.tokens, 11, 'each call after the first met a 401 and re-authenticated once');
    assert.equal(srv.state.calls, 21);
    // A plain fetch that leaves such bodies unread opens a new connection for every retry (11 here).
    assert.ok(srv.state.connections <= 2, `${srv.state.connections} connections`);
    client.free();
  } finally {
    await srv.close();
  }
});

test('a 401 body larger than the drain limit is cancelled, not read to the end', async () => {
  let pulled = 0;
  const big = () => new Response(new ReadableStream({ pull(c) { pulled += 65536; c.enqueue(new Uint8Array(65536)); } }), { status: 401 });
  const f = scriptedFetch((req) => (req.url.endsWith('/auth/token') ? json(200, { expiresIn: '60', accessToken: `at${Math.random()}` }) : big()));
  const client = new Client({ provider: 'depay', baseUrl: 'https://x.test', apiKey: 'dp_key', fetch: f.fetch });
  await assert.rejects(client.fetch('/v2/x'), { code: 'auth_rejected' });
  await tick(5);
  assert.ok(pulled <= 1024 * 1024, `pulled ${pulled} bytes: two answers read to at most 256 KiB each (plus what the stream queued ahead)`);
});
