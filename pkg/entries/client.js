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
import {
  DEFAULT_TIMEOUT_MS,
  MAX_BODY_BYTES,
  MAX_SENDS_PER_CALL,
  noop,
  platformError,
  fail,
  ownOptions,
  optFunction,
  optTimeout,
  optSignal,
  Scope,
  statusOf,
  headerOf,
  readText,
  discard,
  withHeaders,
  settle,
} from './perform.js';

/** A Request for what the core built (`{ method, url, headers, body? }`), never following a
 * redirect with its credentials, bounded by `scope`. */
function coreRequest(built, scope) {
  return new Request(built.url, { method: built.method, headers: built.headers, body: built.body, redirect: 'manual', signal: scope.signal });
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
    if (options === undefined) throw fail('invalid_argument', 'must be an object', { field: 'options' });
    const opts = ownOptions(options, 'options');
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
    return this.#call(options, (scope, opts) => this.#keyOperation('generate', opts.name, scope));
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

  /** Runs `fn(scope, opts)` with the call's scope and the snapshot of its options (each read
   * once); every failure becomes a rejection of the returned promise. */
  #call(options, fn) {
    let scope;
    let opts;
    try {
      this.#alive();
      opts = ownOptions(options, 'init');
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
        const result = await fn(scope, opts);
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
    const fleet = this.#fleet !== null && auth.shareable;
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
    const response = await this.#send(coreRequest(built, scope), scope);
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

  /** A key operation with the session's token, sent as every authenticated call is. */
  async #keyOperation(operation, argument, scope) {
    const response = await this.#authorized(scope, () => coreRequest(this.#core.keyRequest(operation, argument, this.#now()), scope));
    const status = statusOf(response);
    const body = await readText(response, MAX_BODY_BYTES, scope, this.#provider, status);
    return this.#core.keyResult(operation, argument, status, body);
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
    const unsent = [request, spare];
    return this.#authorized(scope, (stamped) => withHeaders(unsent.shift(), stamped.headers));
  }

  /**
   * Sends `build(stamped)` with the current credential. A 401 on the current token
   * re-authenticates and sends a second `build(stamped)` exactly once; a second 401 is
   * `auth_rejected`. Unused 401 bodies are drained.
   */
  async #authorized(scope, build) {
    const first = await this.#stamped(scope);
    const response = await this.#send(build(first), scope);
    if (statusOf(response) !== 401) return response;
    await discard(response, scope);
    // A renewal or a rotation in flight decides first: the 401 may be a straggler.
    if (this.#flight !== null) await scope.wait(this.#flight.settled, this.#provider);
    this.#alive();
    this.#core.unauthorized(first.generation);
    const second = await this.#stamped(scope);
    const retry = await this.#send(build(second), scope);
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
