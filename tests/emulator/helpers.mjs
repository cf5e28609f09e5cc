// Shared set-up of the emulator's own tests: an emulator on a fake clock, fetch wrappers that
// check the headers every answer carries, raw HTTP for what fetch cannot send, and the
// independent computations (node:crypto) the answers are checked against.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { connect } from 'node:net';
import { startEmulator } from 'keystamp/emulator';

export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
export const JSON_HEADERS = { 'content-type': 'application/json' };

/** An emulator on a fake clock, closed after the test. */
export async function setup(t, options = {}) {
  let now = T0;
  const emu = await startEmulator({ now: () => now, ...options });
  t.after(() => emu.close());
  return { emu, advance: (ms) => { now += ms; }, now: () => now };
}

/** fetch, checking the headers every answer carries; returns status, parsed body, text, headers. */
export async function call(url, { method = 'GET', headers = {}, body } = {}) {
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  assert.equal(res.headers.get('content-type'), 'application/json', `${method} ${url}`);
  assert.ok(res.headers.get('date'), 'a Date header is always sent');
  let parsed;
  try { parsed = JSON.parse(text); } catch { parsed = undefined; }
  return { status: res.status, body: parsed, text, headers: res.headers };
}
export const post = (url, headers, body) => call(url, { method: 'POST', headers, body });
export const postJson = (url, value, headers = {}) => post(url, { ...JSON_HEADERS, ...headers }, JSON.stringify(value));

/** Sends raw HTTP/1.1 bytes (for what fetch cannot send, e.g. repeated headers); resolves to the status. */
export function rawStatus(emu, requestLine, headerLines) {
  const { port } = new URL(emu.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => { data += chunk; });
    socket.on('error', reject);
    socket.on('end', () => resolve(Number(data.split(' ')[1])));
    socket.write(`${requestLine}\r\nHost: 127.0.0.1\r\nConnection: close\r\n${headerLines.map((h) => `${h}\r\n`).join('')}\r\n`);
  });
}

export const jwtParts = (token) => token.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString('utf8')));
export const kiiexSign = (secret, nonce, userId, apiKey) => createHmac('sha256', secret).update(nonce + userId + apiKey, 'utf8').digest('hex');

/** The four AuthenticateUser fields for `nonce`, signed with the emulator's credentials. */
export function kiiexFields(emu, nonce = '637958203') {
  const { apiKey, apiSecret, userId } = emu.credentials.kiiex;
  return { APIKey: apiKey, Signature: kiiexSign(apiSecret, nonce, userId, apiKey), UserId: userId, Nonce: nonce };
}
export const kiiexHeaders = (f) => ({ APIKey: f.APIKey, Signature: f.Signature, UserId: f.UserId, Nonce: f.Nonce });

export async function defindexLogin(emu) {
  const { email, password } = emu.credentials.defindex;
  return (await postJson(`${emu.baseUrls.defindex}/login`, { email, password })).body;
}
