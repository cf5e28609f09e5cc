// The generic half of performing, used by the Client driver (client.js): typed errors, own-property
// options, deadlines and abort signals (Scope), and reading answers from whatever a fetch returns.
// Nothing here knows a provider or an auth rule.
import { KeystampError } from '../dist/errors.js';

/** Default deadline of an auth exchange and of a whole call, in ms. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** The largest auth answer read; reading stops there. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** An unused answer (a 401 before the retry) is read up to this much so its connection can be
 * reused; a larger one is cancelled. */
const DRAIN_BYTES = 256 * 1024;
/** Auth requests one call may start: a renewal and, when it is refused, its fallback. */
export const MAX_SENDS_PER_CALL = 2;
/** The largest deadline a timer can hold (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const noop = () => {};

/** Whether `error` may travel as a `cause`: what runtimes' fetch throws (TypeError) and signals
 * carry (DOMException). Anything else an injected fetch threw may hold anything, a key included,
 * so it is left out. */
export function platformError(error) {
  return error instanceof TypeError || (typeof DOMException === 'function' && error instanceof DOMException);
}

export function fail(code, message, extra = {}) {
  const { provider, status, field, cause } = extra;
  const text = `${provider ? `${provider}: ` : ''}${field ? `${field}: ` : ''}${message}${status ? ` (HTTP ${status})` : ''}`;
  return new KeystampError(code, text, provider, status, field, undefined, undefined, cause);
}

/** A snapshot of the own properties of `value` (each getter called once), with no prototype:
 * an option set on `Object.prototype` elsewhere in the app is never read. */
export function ownOptions(value, field) {
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

export function optFunction(opts, key) {
  const value = opts[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'function') throw fail('invalid_argument', 'must be a function', { field: key });
  return value;
}

/** A deadline in ms: a positive number, or Infinity for none. */
export function optTimeout(value, field) {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !(value > 0)) throw fail('invalid_argument', 'must be a positive number of milliseconds (or Infinity)', { field });
  return value;
}

export function optSignal(value) {
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
export class Scope {
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
export function statusOf(response) {
  try {
    const status = response?.status;
    return Number.isInteger(status) && status >= 100 && status <= 599 ? status : undefined;
  } catch {
    return undefined;
  }
}

export function headerOf(response, name) {
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
export async function readText(response, cap, scope, provider, status) {
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
export async function discard(response, scope) {
  if (streamOf(response) === undefined) return;
  try {
    await readText(response, DRAIN_BYTES, scope);
  } catch {
    // Cancelled (too large, aborted) or broken: either way it no longer holds the connection.
  }
}

export function withHeaders(request, headers) {
  for (const [name, value] of Object.entries(headers)) request.headers.set(name, value);
  return request;
}

/** The outcome of an exchange: it never rejects, so a renewal nobody waits for cannot raise an
 * unhandled rejection. `transport`: it failed on the way (no provider answer), so a caller that
 * merely joined it may start another. */
export function settle(promise) {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error) => ({ ok: false, error, transport: error?.code === 'network_error' || error?.code === 'timeout' }),
  );
}
