// Shared set-up of the Client fault-injection suites: a fake clock, a scripted fetch that plays
// a provider (and misbehaves on demand), and a guard that fails a test on any unhandled
// rejection or uncaught exception.
import { after, afterEach, before } from 'node:test';
import assert from 'node:assert/strict';

export const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

/** A clock tests step by hand. */
export function fakeClock(start = T0) {
  let now = start;
  return { now: () => now, advance: (ms) => { now += ms; }, set: (ms) => { now = ms; } };
}

/** An unsigned JWT whose payload is `claims` (keystamp reads `exp` without verifying). */
export function jwt(claims) {
  const part = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.c2ln`;
}

export const json = (status, body, headers = {}) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/**
 * A fetch that answers with `respond(request, n)` (n counts calls from 1) and records every
 * request: `{ request, method, url, headers, signal }`. `respond` may return a Response, a promise, or
 * anything (junk is the point of some tests).
 */
export function scriptedFetch(respond) {
  const sent = [];
  const fetch = (request) => {
    // The request is kept: its signal follows the one it was made with only while it is alive.
    sent.push({ request, method: request.method, url: request.url, headers: Object.fromEntries(request.headers), signal: request.signal });
    return respond(request, sent.length);
  };
  return { fetch, sent, count: (pathEnd) => sent.filter((r) => new URL(r.url).pathname.endsWith(pathEnd)).length };
}

/** A promise that never settles. */
export const never = () => new Promise(() => {});

/** Waits for the event loop to run the pending microtasks and timers. */
export const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

/** Fails the current test on any unhandled rejection or uncaught exception (call at the top of a
 * suite file). */
export function failOnUnhandled() {
  const seen = [];
  const onRejection = (reason) => seen.push(`unhandledRejection: ${reason?.stack ?? reason}`);
  const onException = (error) => seen.push(`uncaughtException: ${error?.stack ?? error}`);
  before(() => {
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
  });
  afterEach(async () => {
    await tick(5);
    const found = seen.splice(0);
    assert.deepEqual(found, [], 'no unhandled rejection or uncaught exception');
  });
  after(() => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  });
}

/** A DePay-like token answer. */
export const depayToken = (accessToken, expiresIn = '3600', extra = {}) => json(200, { expiresIn, accessToken, refreshToken: `refresh-${accessToken}`, ...extra });

/** Asserts that `promise` rejects with a KeystampError of `code` (and the given fields). */
export async function rejectsWith(promise, code, fields = {}) {
  let error;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  assert.ok(error, `expected a rejection with ${code}`);
  assert.equal(error.name, 'KeystampError', String(error?.stack ?? error));
  assert.equal(error.code, code, error.message);
  for (const [k, v] of Object.entries(fields)) assert.deepEqual(error[k], v, k);
  return error;
}
