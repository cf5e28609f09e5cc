// The Kiiex (APEX) WebSocket gateway: a real client (Node's WebSocket, in a child process: Node 20
// needs --experimental-websocket) and a raw client written here (RFC 6455 framing by hand), for
// the handshake, AuthenticateUser / Authenticate2FA / LogOut frames, errors, ping and close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { kiiexFields, postJson, setup } from './helpers.mjs';

const request = (i, n, o) => JSON.stringify({ m: 0, i, n, o: JSON.stringify(o) });

/** A raw WebSocket client: `send(text)`, `sendRaw(bytes)`, `next()` → {opcode, text}; `handshake` is the 101 head. */
async function rawClient(t, url, { key = randomBytes(16).toString('base64'), path } = {}) {
  const { port, pathname } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  t.after(() => socket.destroy());
  let buffer = Buffer.alloc(0);
  const waiting = [];
  const frames = [];
  let head;
  const pump = () => {
    if (head === undefined) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      head = buffer.subarray(0, end).toString();
      buffer = buffer.subarray(end + 4);
      waiting.shift()?.(head);
    }
    while (buffer.length >= 2) {
      let length = buffer[1] & 0x7f;
      let offset = 2;
      if (length === 126) { length = buffer.readUInt16BE(2); offset = 4; }
      if (buffer.length < offset + length) return;
      frames.push({ opcode: buffer[0] & 0x0f, fin: (buffer[0] & 0x80) !== 0, masked: (buffer[1] & 0x80) !== 0, payload: buffer.subarray(offset, offset + length) });
      buffer = buffer.subarray(offset + length);
    }
    while (frames.length && waiting.length) waiting.shift()(frames.shift());
  };
  socket.on('data', (chunk) => { buffer = Buffer.concat([buffer, chunk]); pump(); });
  const ended = new Promise((resolve) => socket.on('close', resolve));
  const next = () => new Promise((resolve) => { waiting.push(resolve); pump(); });
  socket.write(`GET ${path ?? pathname} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  const handshake = await next();
  const masked = (opcode, payload, mask = true) => {
    const m = mask ? randomBytes(4) : Buffer.alloc(0);
    const body = Buffer.from(payload);
    if (mask) for (let k = 0; k < body.length; k++) body[k] ^= m[k & 3];
    const len = body.length < 126 ? Buffer.from([(mask ? 0x80 : 0) | body.length]) : Buffer.from([(mask ? 0x80 : 0) | 126, body.length >> 8, body.length & 0xff]);
    return Buffer.concat([Buffer.from([0x80 | opcode]), len, m, body]);
  };
  return {
    handshake,
    key,
    ended,
    next,
    sendRaw: (bytes) => socket.write(bytes),
    frame: masked,
    async call(text) {
      socket.write(masked(0x1, text));
      const reply = await next();
      assert.equal(reply.opcode, 0x1);
      assert.equal(reply.masked, false, 'server frames are not masked');
      return JSON.parse(reply.payload.toString());
    },
  };
}

test('WebSocket handshake: 101 with the RFC 6455 accept value; wrong path 404, no key 400', async (t) => {
  const { emu } = await setup(t);
  assert.equal(emu.wsUrls.kiiex, `${emu.url.replace('http:', 'ws:')}/kiiex/WSGateway/`);
  const ws = await rawClient(t, emu.wsUrls.kiiex, { key: 'dGhlIHNhbXBsZSBub25jZQ==' });
  assert.match(ws.handshake, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
  assert.match(ws.handshake, /\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=(\r\n|$)/, 'the RFC 6455 example key');
  const accept = createHash('sha1').update(`${ws.key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  assert.equal(accept, 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  const elsewhere = await rawClient(t, emu.wsUrls.kiiex, { path: '/depay/WSGateway/' });
  assert.match(elsewhere.handshake, /^HTTP\/1\.1 404 /);
  const noKey = await rawClient(t, emu.wsUrls.kiiex, { key: 'short' });
  assert.match(noKey.handshake, /^HTTP\/1\.1 400 /);
});

test('APEX frames: AuthenticateUser opens a session (also good for REST aptoken), calls need it, LogOut ends it', async (t) => {
  const { emu } = await setup(t);
  const ws = await rawClient(t, emu.wsUrls.kiiex);
  const denied = await ws.call(request(2, 'GetUserInfo', {}));
  assert.deepEqual(denied, { m: 5, i: 2, n: 'GetUserInfo', o: '{"result":false,"errormsg":"Not Authorized","errorcode":20,"detail":null}' });
  const bad = await ws.call(request(4, 'AuthenticateUser', { ...kiiexFields(emu, '9'), Signature: '0'.repeat(64) }));
  assert.deepEqual(bad, { m: 1, i: 4, n: 'AuthenticateUser', o: '{"Authenticated":false,"errormsg":"Invalid API key or signature"}' });
  const auth = await ws.call(request(6, 'AuthenticateUser', kiiexFields(emu, '10')));
  assert.deepEqual([auth.m, auth.i, auth.n], [1, 6, 'AuthenticateUser']);
  const answer = JSON.parse(auth.o);
  assert.equal(answer.Authenticated, true);
  assert.equal((await postJson(`${emu.baseUrls.kiiex}/GetUserInfo`, {}, { aptoken: answer.SessionToken })).status, 200, 'the same session over REST');
  assert.deepEqual(await ws.call(request(8, 'GetUserInfo', {})), { m: 1, i: 8, n: 'GetUserInfo', o: '{"ok":true,"provider":"kiiex","function":"GetUserInfo"}' });
  assert.deepEqual(await ws.call(request(10, 'LogOut', {})), { m: 1, i: 10, n: 'LogOut', o: '{"result":true,"errormsg":null,"errorcode":0,"detail":null}' });
  assert.equal((await ws.call(request(12, 'GetUserInfo', {}))).m, 5, 'logged out');
  assert.deepEqual(emu.requests.filter((r) => r.method === 'WS').map((r) => [r.route, r.status, r.path]), [
    ['api', 400, '/kiiex/WSGateway/'], ['auth', 200, '/kiiex/WSGateway/'], ['auth', 200, '/kiiex/WSGateway/'],
    ['api', 200, '/kiiex/WSGateway/'], ['logout', 200, '/kiiex/WSGateway/'], ['api', 400, '/kiiex/WSGateway/'],
  ]);
  assert.deepEqual(emu.counts().kiiex, { auth: 2, twoFactor: 0, logout: 1, api: 4 });
});

test('APEX frames that are no valid request: m:5 Invalid Request, i echoed; 2FA over the same connection', async (t) => {
  const { emu } = await setup(t, { variants: { kiiexTwoFactor: true } });
  const ws = await rawClient(t, emu.wsUrls.kiiex);
  const invalid = { result: false, errormsg: 'Invalid Request', errorcode: 100, detail: null };
  const cases = [
    [request(0, 'AuthenticateUser', kiiexFields(emu)), 0], // i must be non-zero
    [JSON.stringify({ m: 0, n: 'AuthenticateUser', o: '{}' }), 0],
    [JSON.stringify({ m: 0, i: 2, n: 'AuthenticateUser', o: kiiexFields(emu) }), 2], // o must be a JSON string
    [JSON.stringify({ m: 3, i: 4, n: 'GetUserInfo', o: '{}' }), 4],
    [request(6, 'AuthenticateUser', { ...kiiexFields(emu), UserId: 184 }), 6],
    ['not json', 0],
  ];
  for (const [text, i] of cases) {
    const reply = await ws.call(text);
    assert.deepEqual({ ...reply, n: undefined }, { m: 5, i, n: undefined, o: JSON.stringify(invalid) }, text);
  }
  assert.equal((await ws.call(request(8, 'Authenticate2FA', { Code: emu.twoFactorCode() }))).m, 5, 'no pending 2FA yet');
  const first = JSON.parse((await ws.call(request(10, 'AuthenticateUser', kiiexFields(emu, '1')))).o);
  assert.deepEqual([first.Requires2FA, first.SessionToken], [true, undefined]);
  assert.equal((await ws.call(request(12, 'GetUserInfo', {}))).m, 5, 'pending is no session');
  assert.equal(JSON.parse((await ws.call(request(14, 'Authenticate2FA', { Code: '000000' }))).o).Authenticated, false);
  const done = JSON.parse((await ws.call(request(16, 'Authenticate2FA', { Code: emu.twoFactorCode() }))).o);
  assert.deepEqual({ ...done, SessionToken: typeof done.SessionToken }, { Authenticated: true, UserId: 184, SessionToken: 'string' });
  assert.equal((await ws.call(request(18, 'GetUserInfo', {}))).m, 1);
});

test('WebSocket control: ping gets a pong, an unmasked frame closes with 1002, close() ends open connections', async (t) => {
  const { emu } = await setup(t);
  const ws = await rawClient(t, emu.wsUrls.kiiex);
  ws.sendRaw(ws.frame(0x9, 'are you there'));
  const pong = await ws.next();
  assert.deepEqual([pong.opcode, pong.payload.toString()], [0xa, 'are you there']);
  ws.sendRaw(ws.frame(0x1, request(2, 'GetUserInfo', {}), false));
  const closing = await ws.next();
  assert.deepEqual([closing.opcode, closing.payload.readUInt16BE(0)], [0x8, 1002]);
  await ws.ended;
  const open = await rawClient(t, emu.wsUrls.kiiex);
  const started = performance.now();
  await emu.close();
  await open.ended;
  assert.ok(performance.now() - started < 1000);
});

test("a real client: Node's WebSocket authenticates and calls through the gateway", async (t) => {
  const { emu } = await setup(t);
  const client = `
    const ws = new WebSocket(process.argv[1]);
    const frames = JSON.parse(process.argv[2]);
    const replies = [];
    ws.onmessage = (e) => { replies.push(JSON.parse(e.data)); if (replies.length === frames.length) ws.close(1000); else ws.send(frames[replies.length]); };
    ws.onopen = () => ws.send(frames[0]);
    ws.onclose = (e) => { console.log(JSON.stringify({ replies, code: e.code })); };`;
  const frames = [request(2, 'AuthenticateUser', kiiexFields(emu, '77')), request(4, 'GetUserInfo', { OMSId: 1 })];
  const out = await new Promise((resolve, reject) => {
    execFile(process.execPath, ['--experimental-websocket', '--no-warnings', '-e', client, emu.wsUrls.kiiex, JSON.stringify(frames)], { timeout: 10_000 },
      (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout))));
  });
  assert.equal(out.code, 1000, 'a clean close');
  assert.deepEqual(out.replies.map((r) => [r.m, r.i, r.n]), [[1, 2, 'AuthenticateUser'], [1, 4, 'GetUserInfo']]);
  assert.equal(JSON.parse(out.replies[0].o).Authenticated, true);
  assert.equal(emu.count('kiiex', 'auth'), 1);
});
