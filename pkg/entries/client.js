// The Client: a small driver over the synchronous wasm `ClientCore`. The core decides (which
// request authenticates, whether a token is usable, what an answer, a 401 or a 429 means, how
// long to back off); this file only performs: it reads the clock, calls `fetch`, keeps deadlines
// and abort signals, and shares one in-flight auth exchange between the callers of a client.
// It knows no provider: every branch below follows an answer of the core.
//
// Guarantees kept here:
// - every wait has a deadline: an exchange is bounded by `timeoutMs`, a call by its own
//   `timeoutMs` and `signal`; a caller that gives up leaves the exchange to the others, and an
//   exchange that fails on the way (not a provider answer) is replaced by the next caller;
// - nothing rejects unobserved: an exchange settles into an outcome object, never a rejection;
//   whatever an injected `fetch` returns (junk, throwing getters, endless streams) becomes a
//   typed error of the call that met it;
// - options are read from own properties only, each getter once.
import { __ClientCore as ClientCore } from '../dist/keystamp.js';
import { KeystampError } from '../dist/errors.js';
import { Fleet } from './fleet.js';

/** Default deadline of an auth exchange and of a whole call, in ms. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** The largest auth answer read; reading stops there. */
const MAX_BODY_BYTES = 1024 * 1024;
/** An unused answer (a 401 before the retry) is read up to this much so its connection can be
 * reused; a larger one is cancelled. */
const DRAIN_BYTES = 256 * 1024;
/** Auth requests one call may start: a renewal and, when it is refused, its fallback. */
const MAX_SENDS_PER_CALL = 2;
/** The largest deadline a timer can hold (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

const noop = () => {};

/** Whether `error` may travel as a `cause`: what runtimes' fetch throws (TypeError) and signals
 * carry (DOMException). Anything else an injected fetch threw may hold anything, a key included,
 * so it is left out. */
function platformError(error) {
  return error instanceof TypeError || (typeof DOMException === 'function' && error instanceof DOMException);
}

function fail(code, message, extra = {}) {
  const { provider, status, field, cause } = extra;
  const text = `${provider ? `${provider}: ` : ''}${field ? `${field}: ` : ''}${message}${status ? ` (HTTP ${status})` : ''}`;
  return new KeystampError(code, text, provider, status, field, undefined, undefined, cause);
}

/** A snapshot of the own properties of `value` (each getter called once), with no prototype:
 * an option set on `Object.prototype` elsewhere in the app is never read. */
function ownOptions(value, field) {
  if (value === undefined) return Object.create(null);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail('invalid_argument', 'must be an object', { field });
  const out = Object.create(null);
  let keys;
  try {
    keys = Reflect.ownKeys(value);
  } catch (cause) {
    throw fail('invalid_argument', 'cannot be read', { field, cause });
  }
  for (const key of keys) {
    if (typeof key !== 'string') continue;
    try {
      const descriptor = Reflect.getOwnPropertyDescriptor(value, key);
      if (descriptor === undefined) continue;
      out[key] = 'value' in descriptor ? descriptor.value : descriptor.get?.call(value);
    } catch (cause) {
      throw fail('invalid_argument', 'cannot be read', { field: key, cause });
    }
  }
  return out;
}

function optFunction(opts, key) {
  const value = opts[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'function') throw fail('invalid_argument', 'must be a function', { field: key });
  return value;
}

/** A deadline in ms: a positive number, or Infinity for none. */
function optTimeout(value, field) {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !(value > 0)) throw fail('invalid_argument', 'must be a positive number of milliseconds (or Infinity)', { field });
  return value;
}

function optSignal(value) {
  if (value === undefined || value === null) return undefined;
  const ok = typeof value === 'object' && typeof value.aborted === 'boolean' && typeof value.addEventListener === 'function';
  if (!ok) throw fail('invalid_argument', 'must be an AbortSignal', { field: 'signal' });
  return value;
}

function timeoutReason() {
  return new DOMException('The operation timed out.', 'TimeoutError');
}

/**
 * The deadline and cancellation of one call (or one exchange): an AbortController fired by the
 * caller's signal or by the timer. `wait(promise)` settles no later than the abort, even when
 * what it waits for ignores signals.
 */
class Scope {
  #controller = new AbortController();
  #timer;
  #source;
  #onAbort;
  #timedOut = false;

  constructor(signal, timeoutMs) {
    if (signal !== undefined) {
      this.#source = signal;
      this.#onAbort = () => this.#controller.abort(signal.reason);
      if (signal.aborted) this.#onAbort();
      else signal.addEventListener('abort', this.#onAbort, { once: true });
    }
    if (timeoutMs !== undefined && timeoutMs !== Infinity && !this.#controller.signal.aborted) {
      this.#timer = setTimeout(() => {
        this.#timedOut = true;
        this.#controller.abort(timeoutReason());
      }, Math.min(timeoutMs, MAX_TIMER_MS));
    }
  }

  get signal() {
    return this.#controller.signal;
  }

  get aborted() {
    return this.#controller.signal.aborted;
  }

  /** The typed error for this scope's abort. */
  error(provider) {
    const cause = this.#controller.signal.reason;
    return this.#timedOut
      ? fail('timeout', 'the deadline passed', { provider, cause })
      : fail('aborted', 'the call was aborted', { provider, cause });
  }

  /** `promise`, or this scope's abort error if that comes first. */
  wait(promise, provider) {
    const signal = this.#controller.signal;
    if (signal.aborted) {
      Promise.resolve(promise).then(noop, noop);
      return Promise.reject(this.error(provider));
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(this.error(provider));
      signal.addEventListener('abort', onAbort, { once: true });
      Promise.resolve(promise).then(
        (value) => { signal.removeEventListener('abort', onAbort); resolve(value); },
        (error) => { signal.removeEventListener('abort', onAbort); reject(error); },
      );
    });
  }

  /** Stops the timer. `keepSignal`: the caller's signal still aborts what was started (a
   * returned Response's body), as with a plain fetch. */
  end(keepSignal = false) {
    clearTimeout(this.#timer);
    if (!keepSignal && this.#source !== undefined) this.#source.removeEventListener('abort', this.#onAbort);
  }
}

/** The HTTP status of what `fetch` returned, or undefined when it is not a Response. */
function statusOf(response) {
  try {
    const status = response?.status;
    return Number.isInteger(status) && status >= 100 && status <= 599 ? status : undefined;
  } catch {
    return undefined;
  }
}

function headerOf(response, name) {
  try {
    const value = response.headers.get(name);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function streamOf(response) {
  try {
    const body = response.body;
    return body && typeof body.getReader === 'function' ? body : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads a response body as text, at most `cap` bytes: a larger one is cancelled and refused
 * (`input_too_large`) without being buffered. The reads are bounded by `scope`.
 */
async function readText(response, cap, scope, provider, status) {
  const stream = streamOf(response);
  const tooLarge = () => fail('input_too_large', 'the response body is larger than 1 MiB', { provider, status });
  if (stream === undefined) {
    const text = await scope.wait(Promise.resolve().then(() => response.text()), provider);
    if (typeof text !== 'string') throw fail('network_error', 'the response body is not text', { provider, status });
    if (text.length > cap) throw tooLarge();
    return text;
  }
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  try {
    for (;;) {
      const chunk = await scope.wait(reader.read(), provider);
      if (chunk?.done) break;
      const bytes = chunk?.value;
      if (!ArrayBuffer.isView(bytes)) throw fail('network_error', 'the response body is not bytes', { provider, status });
      size += bytes.byteLength;
      if (size > cap) throw tooLarge();
      text += decoder.decode(bytes, { stream: true });
    }
    return text + decoder.decode();
  } catch (error) {
    try {
      reader.cancel().catch(noop);
    } catch {
      // A reader that cannot even be cancelled: nothing more to do.
    }
    throw error;
  }
}

/** Reads and drops a body we will not return, so the connection can serve the next request;
 * a large or broken one is cancelled instead. Never throws. */
async function discard(response, scope) {
  if (streamOf(response) === undefined) return;
  try {
    await readText(response, DRAIN_BYTES, scope);
  } catch {
    // Cancelled (too large, aborted) or broken: either way it no longer holds the connection.
  }
}

function withHeaders(request, headers) {
  for (const [name, value] of Object.entries(headers)) request.headers.set(name, value);
  return request;
}

/** The outcome of an exchange: it never rejects, so a renewal nobody waits for cannot raise an
 * unhandled rejection. `transport`: it failed on the way (no provider answer), so a caller that
 * merely joined it may start another. */
function settle(promise) {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error) => ({ ok: false, error, transport: error?.code === 'network_error' || error?.code === 'timeout' }),
  );
}

/**
 * An authenticated HTTP client for one credential. See the README's "Client" section.
 */
export class Client {
  #core;
  #provider;
  #fetch;
  #fetchThis;
  #clock;
  #onKeyRotated;
  #onEvent;
  #onTwoFactor;
  #timeoutMs;
  /** With a `store`: the fleet protocol around each exchange (fleet.js). */
  #fleet = null;
  /** The auth exchange in flight: `{ kind, settled }`. One per client. */
  #flight = null;
  /** The headers of the current generation: `{ generation, headers }`. */
  #cache = null;
  #freed = false;
  #inClock = false;

  constructor(options) {
    const opts = ownOptions(options, 'options');
    if (options === undefined) throw fail('invalid_argument', 'must be an object', { field: 'options' });
    const fetchFn = optFunction(opts, 'fetch');
    this.#clock = optFunction(opts, 'now');
    this.#onKeyRotated = optFunction(opts, 'onKeyRotated');
    this.#onEvent = optFunction(opts, 'onEvent');
    this.#onTwoFactor = optFunction(opts, 'onTwoFactor');
    this.#timeoutMs = optTimeout(opts.timeoutMs, 'timeoutMs') ?? DEFAULT_TIMEOUT_MS;
    this.#core = new ClientCore(opts);
    this.#provider = this.#core.provider;
    if (opts.store !== undefined && opts.store !== null) {
      try {
        const alive = () => this.#alive();
        this.#fleet = new Fleet({ store: opts.store, core: this.#core, alive, now: () => this.#now(), timeoutMs: this.#timeoutMs, emit: (event) => this.#event(event), shareIpBound: opts.shareIpBoundSessions === true });
      } catch (error) {
        this.#core.free();
        throw error;
      }
    }
    if (fetchFn !== undefined) {
      this.#fetch = fetchFn;
    } else if (typeof globalThis.fetch === 'function') {
      [this.#fetch, this.#fetchThis] = [globalThis.fetch, globalThis];
    } else {
      this.#core.free();
      throw fail('unsupported', 'no fetch in this runtime: pass options.fetch', { provider: this.#provider });
    }
  }

  /** The provider name. */
  get provider() {
    return this.#provider;
  }

  /** The headers an authenticated call carries now, authenticating first if needed. With a
   * usable token the promise is already resolved. `options`: `{ signal, timeoutMs }`. */
  headers(options) {
    try {
      const cached = this.#cachedHeaders();
      if (cached !== undefined) return Promise.resolve(cached);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#call(options, async (scope) => ({ ...(await this.#stamped(scope)).headers }));
  }

  /** The headers of the current token when it is usable now (a renewal that is due is started in
   * the background), or `undefined` when a call would have to authenticate first. Synchronous. */
  currentHeaders() {
    const cached = this.#cachedHeaders();
    if (cached !== undefined) return cached;
    const step = this.#step(this.#core.poll(this.#now(), this.#flight !== null));
    return step.headers === undefined ? undefined : { ...step.headers };
  }

  /** `fetch(input, init)` with the credential's headers; `init` may add `timeoutMs`. A 401 on the
   * current token re-authenticates and retries exactly once; a second 401 is `auth_rejected`. */
  fetch(input, init) {
    return this.#call(init, (scope) => this.#fetchWith(input, init, scope));
  }

  /** Rotates the API key (where the provider has a rotation; `unsupported` elsewhere). The new
   * key is used for every later call at once, passed to
   * `onKeyRotated`, and returned. Concurrent calls share one rotation. */
  rotateKey(options) {
    return this.#call(options, async (scope) => {
      const flight = this.#flight?.kind === 'rotate' ? this.#flight : this.#start(this.#core.rotateRequest());
      const outcome = await scope.wait(flight.settled, this.#provider);
      if (!outcome.ok) throw outcome.error;
      return outcome.value.apiKey;
    });
  }

  /** Ends the provider session (where it has one; `unsupported` elsewhere) and forgets it; the
   * next call authenticates again. */
  logout(options) {
    return this.#call(options, async (scope) => {
      if (this.#flight !== null) await scope.wait(this.#flight.settled, this.#provider);
      this.#alive();
      const auth = this.#core.logoutRequest();
      this.#cache = null;
      if (auth === undefined) return;
      const outcome = await scope.wait(settle(this.#exchange(auth)), this.#provider);
      if (!outcome.ok) throw outcome.error;
    });
  }

  /** Generates an API key with the dashboard session: `{ key, id }` (`unsupported` where the
   * provider or the credential has no such session). */
  generateKey(options) {
    const name = options === undefined ? undefined : ownOptions(options, 'options').name;
    return this.#call(options, (scope) => this.#keyOperation('generate', name, scope));
  }

  /** The account's API keys (truncated): `[{ id, name, key, createdAt, lastUsedAt }]`. */
  listKeys(options) {
    return this.#call(options, (scope) => this.#keyOperation('list', undefined, scope));
  }

  /** Revokes the API key `id`. */
  revokeKey(id, options) {
    return this.#call(options, async (scope) => {
      await this.#keyOperation('revoke', id, scope);
    });
  }

  /** Kept for code written for earlier versions: every caller of a client already shares its
   * one in-flight exchange with its own deadline, on Workers too. Returns this client. */
  scoped() {
    this.#alive();
    return this;
  }

  /** Wipes the credential and tokens from wasm memory. Later calls throw `freed`. */
  free() {
    if (this.#freed) return;
    this.#freed = true;
    this.#cache = null;
    this.#core.free();
  }

  [Symbol.dispose]() {
    this.free();
  }

  // --- performing ------------------------------------------------------------------------------

  #alive() {
    if (this.#freed) throw fail('freed', 'the client was freed', { provider: this.#provider });
  }

  #now() {
    if (this.#clock === undefined) return Date.now();
    if (this.#inClock) throw fail('invalid_argument', 'must not call back into the client', { provider: this.#provider, field: 'now' });
    let ms;
    this.#inClock = true;
    try {
      ms = this.#clock();
    } catch (cause) {
      throw fail('invalid_argument', 'threw', { provider: this.#provider, field: 'now', cause });
    } finally {
      this.#inClock = false;
    }
    if (typeof ms !== 'number' || !(ms >= 0 && ms < 9e15)) throw fail('invalid_argument', 'must return milliseconds since the epoch', { provider: this.#provider, field: 'now' });
    return ms;
  }

  /** A copy of the cached headers when the core says their generation is still current. */
  #cachedHeaders() {
    this.#alive();
    const generation = this.#core.readyGeneration(this.#now());
    const cache = this.#cache;
    return generation !== 0 && cache !== null && cache.generation === generation ? { ...cache.headers } : undefined;
  }

  /** Runs `fn` with the call's scope; every failure becomes a rejection of the returned promise. */
  #call(options, fn) {
    let scope;
    try {
      this.#alive();
      const opts = ownOptions(options, 'init');
      scope = new Scope(optSignal(opts.signal), optTimeout(opts.timeoutMs, 'timeoutMs') ?? this.#timeoutMs);
    } catch (error) {
      return Promise.reject(error);
    }
    if (scope.aborted) {
      scope.end();
      return Promise.reject(scope.error(this.#provider));
    }
    const run = async () => {
      let keep = false;
      try {
        const result = await fn(scope);
        keep = result instanceof Response;
        return result;
      } catch (error) {
        if (error instanceof KeystampError) throw error;
        throw scope.aborted ? scope.error(this.#provider) : fail('network_error', 'the call failed', { provider: this.#provider, cause: platformError(error) ? error : undefined });
      } finally {
        scope.end(keep);
      }
    };
    return run();
  }

  /** Acts on one answer of `core.poll`: remembers headers, starts what must be sent. */
  #step(step) {
    if (step.headers !== undefined) this.#cache = { generation: step.generation, headers: step.headers };
    if (step.auth !== undefined) this.#start(step.auth);
    return step;
  }

  /** Headers for a call: polls the core, and waits (within the call's deadline) for the exchange
   * it asks for. */
  async #stamped(scope) {
    let sends = 0;
    for (;;) {
      this.#alive();
      // Once this call has sent its share, the core is told an exchange is pending so that it
      // builds no further request: it answers with a usable token or "wait".
      const exhausted = sends === MAX_SENDS_PER_CALL;
      const step = this.#step(this.#core.poll(this.#now(), this.#flight !== null || exhausted));
      if (step.headers !== undefined) return step;
      const flight = this.#flight;
      if (flight === null) throw fail('token_expired', 'authentication did not produce a usable token', { provider: this.#provider });
      if (step.action === 'send') sends += 1;
      const outcome = await scope.wait(flight.settled, this.#provider);
      // A provider's answer is every waiter's answer; an exchange lost on the way is replaced.
      if (!outcome.ok && (step.action === 'send' || !outcome.transport)) throw outcome.error;
    }
  }

  /** Starts an auth exchange as this client's one flight. */
  #start(auth) {
    const flight = { kind: auth.kind, settled: undefined };
    this.#flight = flight;
    const fleet = this.#fleet !== null && auth.kind !== 'rotate';
    flight.settled = settle(fleet ? this.#fleet.run(auth, (next) => this.#exchange(next)) : this.#exchange(auth)).then((outcome) => {
      if (this.#flight === flight) this.#flight = null;
      return outcome;
    });
    return flight;
  }

  /** One auth exchange, bounded by the client's `timeoutMs` whoever waits for it. When the core
   * asks for a second factor, the code source is asked and the exchange goes on. */
  async #exchange(auth) {
    const scope = new Scope(undefined, this.#timeoutMs);
    const provider = this.#provider;
    try {
      for (let step = auth; ;) {
        const { status, body, date, retryAfter } = await this.#roundTrip(step, scope);
        this.#alive();
        const outcome = this.#core.receive(step.kind, status, date, retryAfter, body, this.#now());
        if (outcome.outcome === 'rotated') this.#announce(outcome);
        if (outcome.outcome !== 'code') return outcome;
        step = this.#core.secondFactorRequest(await this.#secondFactor(scope));
      }
    } catch (error) {
      if (error instanceof KeystampError) throw error;
      throw scope.aborted ? scope.error(provider) : fail('network_error', 'the auth request failed', { provider, cause: platformError(error) ? error : undefined });
    } finally {
      scope.end();
    }
  }

  /** Tells `onEvent` what the fleet store did (`store_unavailable`, `store_available`,
   * `store_record_ignored`); a throwing or rejecting hook changes nothing. */
  #event(event) {
    if (this.#onEvent === undefined) return;
    try {
      Promise.resolve(this.#onEvent({ ...event, provider: this.#provider })).then(noop, noop);
    } catch {
      // See above.
    }
  }

  /** Sends a request the core built (`{ method, url, headers, body? }`) and reads the answer,
   * capped at 1 MiB. */
  async #roundTrip(built, scope) {
    const request = new Request(built.url, { method: built.method, headers: built.headers, body: built.body, redirect: 'manual', signal: scope.signal });
    const response = await this.#send(request, scope);
    const status = statusOf(response);
    const body = await readText(response, MAX_BODY_BYTES, scope, this.#provider, status);
    return { status, body, date: headerOf(response, 'date'), retryAfter: headerOf(response, 'retry-after') };
  }

  /** The code of the application's `onTwoFactor` (sync or async), or undefined without one. */
  async #secondFactor(scope) {
    if (this.#onTwoFactor === undefined) return undefined;
    try {
      return await scope.wait(Promise.resolve().then(() => this.#onTwoFactor({ provider: this.#provider })), this.#provider);
    } catch (error) {
      if (error instanceof KeystampError) throw error;
      throw fail('two_factor_required', 'onTwoFactor failed to give a code', { provider: this.#provider });
    }
  }

  /** A key operation with the session's token; a 401 on it renews the session and
   * retries once. */
  async #keyOperation(operation, argument, scope) {
    for (let attempt = 0; ; attempt += 1) {
      await this.#stamped(scope);
      const built = this.#core.keyRequest(operation, argument, this.#now());
      const request = new Request(built.url, { method: built.method, headers: built.headers, body: built.body, redirect: 'manual', signal: scope.signal });
      const response = await this.#send(request, scope);
      const status = statusOf(response);
      if (status === 401 && attempt === 0) {
        await discard(response, scope);
        this.#core.unauthorized(built.generation);
        continue;
      }
      const body = await readText(response, MAX_BODY_BYTES, scope, this.#provider, status);
      return this.#core.keyResult(operation, argument, status, body);
    }
  }

  /** Hands a rotated key to the application. The key is already live: a callback that throws or
   * rejects changes nothing. */
  #announce(outcome) {
    if (this.#onKeyRotated === undefined) return;
    const info = { provider: this.#provider };
    if (typeof outcome.createdAt === 'string') info.createdAt = outcome.createdAt;
    try {
      Promise.resolve(this.#onKeyRotated(outcome.apiKey, info)).then(noop, noop);
    } catch {
      // See above: the rotation stands.
    }
  }

  /** Calls `fetch`, bounded by `scope`; anything but a Response is a `network_error`. */
  async #send(request, scope) {
    const provider = this.#provider;
    let response;
    try {
      response = await scope.wait(Promise.resolve().then(() => this.#fetch.call(this.#fetchThis, request)), provider);
    } catch (error) {
      if (error instanceof KeystampError) throw error;
      throw scope.aborted ? scope.error(provider) : fail('network_error', 'fetch failed', { provider, cause: platformError(error) ? error : undefined });
    }
    if (statusOf(response) === undefined) throw fail('network_error', 'fetch did not return a Response', { provider });
    return response;
  }

  #request(input, init, scope) {
    const options = { ...ownOptions(init, 'init'), signal: scope.signal, redirect: 'manual' };
    delete options.timeoutMs;
    let request;
    try {
      if (typeof input === 'string') request = new Request(this.#core.resolve(input), options);
      else if (input instanceof Request) request = new Request(input, options);
      else if (input !== null && typeof input === 'object' && typeof input.href === 'string') request = new Request(input.href, options);
      else throw fail('invalid_argument', 'must be a string, a URL or a Request', { field: 'input' });
    } catch (error) {
      if (error instanceof KeystampError) throw error;
      // No cause: the runtime's message may quote a header value of the caller's.
      throw fail('invalid_argument', 'is not a valid request', { field: 'input' });
    }
    // Credentials are never sent, or followed by a redirect, to another origin.
    this.#core.checkOrigin(request.url);
    // Defaults the core asks for (e.g. JSON on POST), unless the caller set the header; a
    // Request built from a string body got a text/plain type from the runtime, not the caller.
    const given = new Headers(options.headers ?? (input instanceof Request ? input.headers : undefined));
    for (const [name, value] of Object.entries(this.#core.callDefaults(request.method))) {
      if (!given.has(name)) request.headers.set(name, value);
    }
    return request;
  }

  async #fetchWith(input, init, scope) {
    const request = this.#request(input, init, scope);
    let spare;
    try {
      spare = request.clone();
    } catch (cause) {
      throw fail('invalid_argument', 'the request body cannot be cloned', { field: 'input', cause });
    }
    const first = await this.#stamped(scope);
    const response = await this.#send(withHeaders(request, first.headers), scope);
    if (statusOf(response) !== 401) return response;
    await discard(response, scope);
    // A renewal or a rotation in flight decides first: the 401 may be a straggler.
    if (this.#flight !== null) await scope.wait(this.#flight.settled, this.#provider);
    this.#alive();
    this.#core.unauthorized(first.generation);
    const second = await this.#stamped(scope);
    const retry = await this.#send(withHeaders(spare, second.headers), scope);
    if (statusOf(retry) !== 401) return retry;
    await discard(retry, scope);
    try {
      this.#core.unauthorized(second.generation);
    } catch {
      // The answer below says it all.
    }
    throw fail('auth_rejected', 'the call was rejected again after re-authenticating', { provider: this.#provider, status: 401 });
  }
}
