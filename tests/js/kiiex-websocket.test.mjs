// The Kiiex (APEX) WebSocket helpers against a real local WebSocket server (the `ws` package on
// 127.0.0.1): keystamp builds the frames, the test's socket sends them, and keystamp reads the
// replies. The server checks each AuthenticateUser signature with node:crypto (independently of
// keystamp) and answers as APEX does: a session, a second factor, a refusal, an error frame.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';

import WebSocket from 'ws';
import * as keystamp from 'keystamp';
import * as lite from 'keystamp/lite';

import { VECTOR, startGateway } from './apex-gateway.mjs';

const {
  kiiexAuthenticateFrame, kiiexTwoFactorFrame, kiiexRequestFrame, kiiexReadAuthenticateReply, kiiexReadReply,
} = keystamp;

let gateway;
let url;
/** Every frame the gateway received, parsed, in order. */
let received;

before(async () => {
  gateway = await startGateway();
  ({ url, received } = gateway);
});

after(() => gateway.close());

/** A client socket whose replies are read in order: `next()` resolves with the next frame's text. */
async function connect() {
  const socket = new WebSocket(url);
  const queue = [];
  const waiting = [];
  socket.on('message', (data) => {
    const text = String(data);
    if (waiting.length) waiting.shift()(text);
    else queue.push(text);
  });
  await once(socket, 'open');
  return {
    send: (frame) => socket.send(frame),
    next: () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((resolve) => waiting.push(resolve))),
    /** Sends `frame` and returns the text of the next frame received. */
    call: async (frame) => {
      socket.send(frame);
      return queue.length ? queue.shift() : new Promise((resolve) => waiting.push(resolve));
    },
    close: () => socket.close(),
  };
}

/** The KeystampError `fn` throws, as `[code, field, provider]`. */
function failure(fn) {
  try {
    fn();
  } catch (err) {
    assert.equal(err.name, 'KeystampError');
    return [err.code, err.field, err.provider];
  }
  return 'no error';
}

test('the AuthenticateUser frame is exact, and the gateway accepts it and answers with a session', async () => {
  const { apiKey, apiSecret, userId, nonce, signature } = VECTOR;
  const frame = kiiexAuthenticateFrame({ apiKey, apiSecret, userId, nonce, seq: 2 });
  const o = JSON.stringify({ APIKey: apiKey, Signature: signature, UserId: userId, Nonce: nonce });
  assert.equal(frame, JSON.stringify({ m: 0, i: 2, n: 'AuthenticateUser', o }));
  const ws = await connect();
  const reply = kiiexReadAuthenticateReply(await ws.call(frame), { seq: 2 });
  assert.equal(reply.requires2FA, false);
  assert.match(reply.sessionToken, /^[0-9a-f-]{36}$/);
  assert.deepEqual(Object.keys(reply), ['requires2FA', 'sessionToken']);

  // The session works on this connection; a request frame and its reply, read.
  const info = kiiexReadReply(await ws.call(kiiexRequestFrame({ seq: 4, function: 'GetUserInfo', payload: { OMSId: 1 } })), { seq: 4 });
  assert.deepEqual(info, { function: 'GetUserInfo', payload: { UserId: 42, UserName: 'dev', Email: 'dev@example.com' } });
  assert.deepEqual(received.at(-1), { m: 0, i: 4, n: 'GetUserInfo', o: '{"OMSId":1}' });
  assert.deepEqual(kiiexReadReply(await ws.call(kiiexRequestFrame({ seq: 6, function: 'LogOut' })), { seq: 6 }).payload, { result: true, errormsg: null, errorcode: 0 });
  assert.deepEqual(received.at(-1), { m: 0, i: 6, n: 'LogOut', o: '{}' });
  // After LogOut the gateway answers errorcode 20: auth_rejected, with the provider's code.
  const gone = await ws.call(kiiexRequestFrame({ seq: 8, function: 'GetUserInfo' }));
  try {
    kiiexReadReply(gone, { seq: 8 });
    assert.fail('no error');
  } catch (err) {
    assert.deepEqual([err.code, err.provider, err.providerCode], ['auth_rejected', 'kiiex', 20]);
  }
  ws.close();
});

test('generated nonces: each frame is signed with a new, increasing nonce the gateway accepts', async () => {
  const ws = await connect();
  const nonces = [];
  for (let seq = 2; seq <= 10; seq += 2) {
    const frame = kiiexAuthenticateFrame({ apiKey: VECTOR.apiKey, apiSecret: VECTOR.apiSecret, userId: Number(VECTOR.userId), seq });
    nonces.push(Number(JSON.parse(JSON.parse(frame).o).Nonce));
    assert.equal(kiiexReadAuthenticateReply(await ws.call(frame), { seq }).requires2FA, false);
  }
  for (let i = 1; i < nonces.length; i++) assert.ok(nonces[i] > nonces[i - 1], `${nonces}`);
  // The sequence is shared with kiiexAuthHeaders: no nonce is ever given twice.
  const fromHeaders = Number(keystamp.kiiexAuthHeaders({ apiKey: VECTOR.apiKey, apiSecret: VECTOR.apiSecret, userId: VECTOR.userId }).Nonce);
  assert.ok(fromHeaders > nonces.at(-1));
  ws.close();
});

test('a second factor: the reply asks for it, the Authenticate2FA frame completes the session', async () => {
  const ws = await connect();
  const first = kiiexReadAuthenticateReply(
    await ws.call(kiiexAuthenticateFrame({ apiKey: 'KEY_WITH_2FA', apiSecret: 'SECRET_WITH_2FA', userId: '77', nonce: '1', seq: 2 })),
    { seq: 2 },
  );
  assert.equal(first.requires2FA, true);
  assert.equal(first.twoFAType, 'Google');
  assert.match(first.pendingToken, /^[0-9a-f-]{36}$/);
  assert.equal('sessionToken' in first, false);

  // A wrong code is refused (auth_rejected), the right one (a leading zero kept) gives the session.
  assert.deepEqual(failure(() => kiiexReadAuthenticateReply('{}', { seq: 4 })), ['malformed_response', undefined, 'kiiex']);
  const refused = await ws.call(kiiexTwoFactorFrame({ code: '999999', seq: 4 }));
  assert.deepEqual(failure(() => kiiexReadAuthenticateReply(refused, { seq: 4 })), ['auth_rejected', undefined, 'kiiex']);
  const frame = kiiexTwoFactorFrame({ code: '012345', seq: 6 });
  assert.equal(frame, '{"m":0,"i":6,"n":"Authenticate2FA","o":"{\\"Code\\":\\"012345\\"}"}');
  const done = kiiexReadAuthenticateReply(await ws.call(frame), { seq: 6 });
  assert.equal(done.requires2FA, false);
  assert.match(done.sessionToken, /^[0-9a-f-]{36}$/);
  assert.deepEqual(kiiexReadReply(await ws.call(kiiexRequestFrame({ seq: 8, function: 'GetUserInfo' })), { seq: 8 }).payload.UserId, 42);
  ws.close();
});

test('refusals, error frames and frames for another request are typed errors', async () => {
  const ws = await connect();
  const wrongSecret = await ws.call(kiiexAuthenticateFrame({ apiKey: VECTOR.apiKey, apiSecret: 'WRONG_SECRET', userId: VECTOR.userId, nonce: '5', seq: 2 }));
  assert.deepEqual(failure(() => kiiexReadAuthenticateReply(wrongSecret, { seq: 2 })), ['auth_rejected', undefined, 'kiiex']);
  const unknown = await ws.call(kiiexRequestFrame({ seq: 4, function: 'NoSuchFunction' }));
  assert.equal(JSON.parse(unknown).m, 5);
  assert.deepEqual(failure(() => kiiexReadReply(unknown, { seq: 4 })), ['provider_error', undefined, 'kiiex']);
  assert.deepEqual(failure(() => kiiexReadAuthenticateReply(unknown, { seq: 4 })), ['provider_error', undefined, 'kiiex']);
  // An event frame arrives before the reply: it is not the reply to request 6.
  ws.send(kiiexRequestFrame({ seq: 6, function: 'Emit' }));
  const event = await ws.next();
  const reply = await ws.next();
  assert.deepEqual(failure(() => kiiexReadReply(event, { seq: 6 })), ['malformed_response', undefined, 'kiiex']);
  assert.deepEqual(kiiexReadReply(reply, { seq: 6 }).payload, { emitted: true });
  // The reply to 6 read as the reply to 8: another request's.
  assert.deepEqual(failure(() => kiiexReadReply(reply, { seq: 8 })), ['malformed_response', undefined, 'kiiex']);
  ws.close();
});

test('bad inputs are typed errors that name the field, and never show a secret', () => {
  const ok = { apiKey: VECTOR.apiKey, apiSecret: VECTOR.apiSecret, userId: VECTOR.userId, nonce: VECTOR.nonce, seq: 2 };
  const cases = [
    [() => kiiexAuthenticateFrame({ ...ok, seq: 0 }), ['invalid_argument', 'seq']],
    [() => kiiexAuthenticateFrame({ ...ok, seq: -2 }), ['invalid_argument', 'seq']],
    [() => kiiexAuthenticateFrame({ ...ok, seq: 2.5 }), ['invalid_argument', 'seq']],
    [() => kiiexAuthenticateFrame({ ...ok, seq: '2' }), ['invalid_argument', 'seq']],
    [() => kiiexAuthenticateFrame({ ...ok, seq: 2 ** 53 }), ['invalid_argument', 'seq']],
    [() => kiiexAuthenticateFrame({ ...ok, seq: undefined }), ['missing_credential', 'seq']],
    [() => kiiexAuthenticateFrame({ ...ok, apiSecret: 'MARKER_SECRET_7f3a\n' }), ['invalid_secret', 'apiSecret']],
    [() => kiiexAuthenticateFrame({ ...ok, apiKey: 'MARKER_SECRET_7f3a\r\nX: 1' }), ['invalid_header_value', 'apiKey']],
    [() => kiiexAuthenticateFrame({ ...ok, nonceMode: 'clock', nonce: undefined }), ['invalid_argument', 'nonceMode']],
    [() => kiiexTwoFactorFrame({ code: 12345, seq: 2 }), ['invalid_argument', 'code']],
    [() => kiiexTwoFactorFrame({ code: '12a456', seq: 2 }), ['invalid_argument', 'code']],
    [() => kiiexTwoFactorFrame({ code: '', seq: 2 }), ['missing_credential', 'code']],
    [() => kiiexTwoFactorFrame({ seq: 2 }), ['missing_credential', 'code']],
    [() => kiiexRequestFrame({ seq: 2, function: 'Get User' }), ['invalid_argument', 'function']],
    [() => kiiexRequestFrame({ seq: 2 }), ['missing_credential', 'function']],
    [() => kiiexRequestFrame({ seq: 2, function: 'Ping', payload: 1n }), ['invalid_argument', 'payload']],
    [() => kiiexRequestFrame({ seq: 2, function: 'Ping', payload: () => 1 }), ['invalid_argument', 'payload']],
    [() => kiiexReadReply(42, { seq: 2 }), ['invalid_argument', 'frame']],
    [() => kiiexReadReply(undefined, { seq: 2 }), ['missing_credential', 'frame']],
    [() => kiiexReadAuthenticateReply('{}', {}), ['missing_credential', 'seq']],
    [() => kiiexReadAuthenticateReply('{}', null), ['invalid_argument', 'options']],
    [() => kiiexReadAuthenticateReply(' '.repeat((1 << 20) + 1), { seq: 2 }), ['input_too_large', 'frame']],
  ];
  for (const [call, [code, field]] of cases) {
    let error;
    try {
      call();
    } catch (err) {
      error = err;
    }
    assert.ok(error, `${call}: no error`);
    assert.deepEqual([error.name, error.code, error.field, error.provider], ['KeystampError', code, field, 'kiiex'], String(call));
    assert.ok(!`${error.message}${error.stack}`.includes('MARKER_SECRET'), String(call));
  }
  // Payloads: any JSON value; strings inside are escaped twice over (the frame's o is a JSON string).
  assert.equal(kiiexRequestFrame({ seq: 2, function: 'Ping', payload: { note: 'a "q" é' } }), '{"m":0,"i":2,"n":"Ping","o":"{\\"note\\":\\"a \\\\\\"q\\\\\\" é\\"}"}');
  assert.equal(kiiexRequestFrame({ seq: 2, function: 'GetProducts', payload: [1, 2] }), '{"m":0,"i":2,"n":"GetProducts","o":"[1,2]"}');
});

test('keystamp/lite has no WebSocket helpers (they need the JSON reader it leaves out)', () => {
  for (const name of ['kiiexAuthenticateFrame', 'kiiexTwoFactorFrame', 'kiiexRequestFrame', 'kiiexReadAuthenticateReply', 'kiiexReadReply']) {
    assert.equal(typeof keystamp[name], 'function', name);
    assert.equal(lite[name], undefined, name);
  }
});
