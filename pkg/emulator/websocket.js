// The Kiiex (APEX) WebSocket gateway: `ws://127.0.0.1:<port>/kiiex/WSGateway/`. Frames are
// `{"m":0,"i":<non-zero seq>,"n":"<Function>","o":"<JSON string>"}`; replies echo `i` and `n`
// with m:1 (reply) or m:5 (error). AuthenticateUser (o = the four fields), Authenticate2FA
// (o = {"Code"}, for this connection's pending token) and LogOut act on the connection's session,
// which REST calls can also use as `aptoken`; any other function needs it. A minimal RFC 6455
// server: text frames of up to 1 MiB, unfragmented; ping, pong and close.
import { createHash } from 'node:crypto';
import { MAX_BODY_BYTES, parseJsonObject, stringFields } from './common.js';

export const WS_PATH = '/kiiex/WSGateway';
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const FIELDS = ['APIKey', 'Signature', 'UserId', 'Nonce'];

/** One frame of the server (never masked). */
function frame(opcode, payload) {
  const length = payload.length;
  const head = length < 126 ? Buffer.from([0x80 | opcode, length])
    : length < 65536 ? Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff])
      : Buffer.concat([Buffer.from([0x80 | opcode, 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(length)); return b; })()]);
  return Buffer.concat([head, payload]);
}

/** The APEX function calls of one connection: a request frame's text in, the reply frame's object out. */
export function apexGateway(kiiex) {
  const s = kiiex.session;
  return function call(conn, text) {
    const request = parseJsonObject(text);
    const i = request?.i;
    const n = typeof request?.n === 'string' ? request.n : '';
    const reply = (m, o) => ({ m, i: i ?? 0, n, o: JSON.stringify(o) });
    const error = (errormsg, errorcode, route = null) => ({ route, reply: reply(5, { result: false, errormsg, errorcode, detail: null }) });
    if (request === undefined || !Number.isInteger(i) || i === 0 || ![0, 2].includes(request.m) || n === '' || typeof request.o !== 'string') {
      return error('Invalid Request', 100);
    }
    const payload = parseJsonObject(request.o);
    const name = n.toLowerCase();
    if (name === 'authenticateuser') {
      if (!stringFields(payload, FIELDS, ['UserName']) || FIELDS.some((f) => payload[f] === '')) return error('Invalid Request', 100, 'auth');
      if (!s.verify(payload)) return { route: 'auth', reply: reply(1, s.spell({ Authenticated: false, errormsg: 'Invalid API key or signature' })) };
      const { session, pending, body } = s.opened();
      Object.assign(conn, { session, pending });
      return { route: 'auth', reply: reply(1, body) };
    }
    if (name === 'authenticate2fa') {
      if (!stringFields(payload, ['Code'])) return error('Invalid Request', 100, 'twoFactor');
      const done = s.complete(conn.pending, payload.Code);
      if (done === null) return error('Not Authorized', 20, 'twoFactor');
      if (done.session !== undefined) Object.assign(conn, { session: done.session, pending: undefined });
      return { route: 'twoFactor', reply: reply(1, done.body) };
    }
    const route = name === 'logout' ? 'logout' : 'api';
    if (!s.alive(conn.session)) return error('Not Authorized', 20, route);
    if (route === 'logout') {
      s.end(conn.session);
      conn.session = undefined;
      return { route, reply: reply(1, s.LOGGED_OUT) };
    }
    s.touch(conn.session);
    return { route, reply: reply(1, { ok: true, provider: 'kiiex', function: n }) };
  };
}

/**
 * Completes the opening handshake on `socket` and calls `onText(text, send)` for each text
 * message; returns false (after answering 400) when the request is no WebSocket upgrade.
 */
export function acceptWebSocket(req, socket, head, onText) {
  const key = req.headers['sec-websocket-key'];
  if (req.method !== 'GET' || req.headers.upgrade?.toLowerCase() !== 'websocket' || req.headers['sec-websocket-version'] !== '13'
    || typeof key !== 'string' || Buffer.from(key, 'base64').length !== 16) {
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    return false;
  }
  const accept = createHash('sha1').update(key + GUID).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  const send = (text) => { if (!socket.destroyed) socket.write(frame(0x1, Buffer.from(text))); };
  const close = (code) => {
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code);
    if (!socket.destroyed) socket.end(frame(0x8, payload));
  };
  let buffer = head;
  socket.on('data', (chunk) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    while (buffer.length >= 2) {
      const fin = (buffer[0] & 0x80) !== 0;
      const opcode = buffer[0] & 0x0f;
      let length = buffer[1] & 0x7f;
      let offset = 2;
      if ((buffer[1] & 0x80) === 0) { close(1002); return; } // clients must mask
      if (length === 126) {
        if (buffer.length < 4) return;
        length = buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffer.length < 10) return;
        const big = buffer.readBigUInt64BE(2);
        length = big > BigInt(MAX_BODY_BYTES) ? MAX_BODY_BYTES + 1 : Number(big);
        offset = 10;
      }
      if (length > MAX_BODY_BYTES) { close(1009); return; }
      if (buffer.length < offset + 4 + length) return;
      const mask = buffer.subarray(offset, offset + 4);
      const payload = Buffer.from(buffer.subarray(offset + 4, offset + 4 + length));
      for (let k = 0; k < payload.length; k++) payload[k] ^= mask[k & 3];
      buffer = buffer.subarray(offset + 4 + length);
      if (opcode === 0x8) { close(payload.length >= 2 ? payload.readUInt16BE(0) : 1000); return; }
      if (opcode === 0x9) { socket.write(frame(0xa, payload)); continue; }
      if (opcode === 0xa) continue;
      if (opcode !== 0x1 || !fin) { close(1003); return; } // text only, unfragmented
      onText(payload.toString('utf8'), send);
    }
  });
  socket.on('error', () => socket.destroy());
  return true;
}
