// Client v2: whatever an injected fetch returns, each call settles with a typed error and the
// client keeps working; nothing escapes as an unhandled rejection or uncaught exception.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'keystamp';
import { depayToken, failOnUnhandled, rejectsWith, scriptedFetch } from './helpers.mjs';

failOnUnhandled();

const throwing = (what) => {
  throw new TypeError(`${what} throws`);
};

const erroringStream = () => new ReadableStream({ pull(c) { c.error(new TypeError('connection reset')); } });

/** [what the fetch resolves to (or does), the code the call gets]. */
const JUNK = [
  ['undefined', () => undefined, 'network_error'],
  ['null', () => null, 'network_error'],
  ['a number', () => 42, 'network_error'],
  ['an empty object', () => ({}), 'network_error'],
  ['a status out of range', () => ({ status: 1000, text: async () => '{}' }), 'network_error'],
  ['a throwing status getter', () => ({ get status() { return throwing('status'); } }), 'network_error'],
  ['text() that is not a function', () => ({ status: 200, text: 5 }), 'network_error'],
  ['text() returning a non-promise number', () => ({ status: 200, text: () => 5 }), 'network_error'],
  ['text() throwing', () => ({ status: 200, text: () => throwing('text') }), 'network_error'],
  ['text() rejecting with a non-Error', () => ({ status: 200, text: () => Promise.reject('nope') }), 'network_error'],
  ['text() never settling', () => ({ status: 200, text: () => new Promise(() => {}) }), 'timeout'],
  ['a throwing headers getter (the body is still read)', () => ({ status: 200, get headers() { return throwing('headers'); }, text: async () => '{"expiresIn":"60","accessToken":"at-h"}' }), null],
  ['a throwing body getter', () => ({ status: 200, get body() { return throwing('body'); }, text: async () => '{"expiresIn":"60","accessToken":"at-b"}' }), null],
  ['a body whose reader yields strings', () => ({ status: 200, body: { getReader: () => ({ read: async () => ({ done: false, value: 'text' }), cancel: async () => {} }) } }), 'network_error'],
  ['a body whose reader has no cancel', () => ({ status: 200, body: { getReader: () => ({ read: async () => ({ done: false, value: 7 }) }) } }), 'network_error'],
  ['a stream that errors', () => new Response(erroringStream(), { status: 200 }), 'network_error'],
  ['a Response with a non-JSON body', () => new Response('<html>', { status: 200 }), 'malformed_response'],
  ['fetch throwing synchronously', () => throwing('fetch'), 'network_error'],
  ['fetch returning a rejected promise with a non-Error', () => Promise.reject(Symbol('x')), 'network_error'],
  ['fetch returning a thenable that throws', () => ({ then() { throw new Error('thenable'); } }), 'network_error'],
];

for (const [what, answer, code] of JUNK) {
  test(`a fetch giving ${what} -> ${code ?? 'success'}, and the client keeps working`, async () => {
    let bad = true;
    const f = scriptedFetch(() => (bad ? answer() : depayToken('at-good')));
    const client = new Client({ provider: 'depay', baseUrl: 'https://depay.test', apiKey: 'dp_key', fetch: f.fetch, timeoutMs: 50 });
    if (code === null) {
      assert.match((await client.headers()).Authorization, /^Bearer at-[hb]$/);
      return;
    }
    await rejectsWith(client.headers(), code, { provider: 'depay' });
    bad = false;
    assert.deepEqual(await client.headers(), { Authorization: 'Bearer at-good' });
    assert.equal(f.count('/auth/token'), 2);
  });
}

test('junk from fetch on an API call (not an auth exchange) is network_error for that call only', async () => {
  let junk = true;
  const f = scriptedFetch((req) => (req.url.endsWith('/auth/token') ? depayToken('at1') : junk ? { status: 'x' } : new Response('ok')));
  const client = new Client({ provider: 'depay', baseUrl: 'https://depay.test', apiKey: 'dp_key', fetch: f.fetch });
  await rejectsWith(client.fetch('/v2/payments'), 'network_error');
  junk = false;
  assert.equal(await (await client.fetch('/v2/payments')).text(), 'ok');
  assert.equal(f.count('/auth/token'), 1);
});

test('a provider answer of 256 MB is not read past 1 MiB', async () => {
  let pulled = 0;
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  const huge = () => new Response(new ReadableStream({
    pull(c) {
      pulled += chunk.byteLength;
      if (pulled > 256 * 1024 * 1024) c.close();
      else c.enqueue(chunk);
    },
  }), { status: 200 });
  const f = scriptedFetch(() => huge());
  const client = new Client({ provider: 'depay', baseUrl: 'https://depay.test', apiKey: 'dp_key', fetch: f.fetch });
  const rss = process.memoryUsage().rss;
  await rejectsWith(client.headers(), 'input_too_large');
  assert.ok(pulled <= 2 * 1024 * 1024, `read ${pulled} bytes`);
  assert.ok(process.memoryUsage().rss - rss < 64 * 1024 * 1024);
});
