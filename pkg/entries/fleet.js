// Fleet sharing for a Client with a `store` (README "Fleets"): one auth exchange per token
// lifetime across processes. This file only performs the protocol; the core seals and opens
// records and decides what they mean, the store keeps bytes and a lease.
//
// One flight of a Client (an exchange the core asked for) with a store:
//   1. read the store; a newer record is imported, and if the core is then served, done;
//   2. take the lease (SET NX PX, a fresh random owner): read again (someone may just have
//      published), exchange if still needed, publish the sealed record with a fenced write (its
//      generation), release the lease;
//   3. without the lease, poll the store until a newer record arrives or the lease is free
//      (it expires when its holder died), then go to 2.
// A store that fails or is slow (each call is bounded) is announced once through `onEvent` and
// left alone for a while: the flight is the Client's own exchange (per-process single flight);
// the store is tried again after STORE_RETRY_MS. A record that does not open (foreign,
// corrupted) is ignored and announced, never trusted.
//
// Nonces: when the core names a nonce counter and the store has `incr`, every exchange
// first reserves its nonce there (`max(now + STORE_CALL_MS, last + 1)`), so no two processes
// using one API key ever send the same nonce, whether or not they share sessions.
import { KeystampError } from '../dist/errors.js';
import { Scope, fail, noop } from './perform.js';

/** Each store call's own deadline, in ms. */
const STORE_CALL_MS = 1000;
/** After a store failure, exchanges skip the store this long before trying it again. */
const STORE_RETRY_MS = 1000;
/** How often a process without the lease polls the store, in ms (doubling up to the cap). */
const POLL_FIRST_MS = 10;
const POLL_CAP_MS = 100;
/** The lease outlives the exchange deadline by this margin (store latency). */
const LEASE_MARGIN_MS = 250;
/** The longest lease, for a client without an exchange deadline. */
const MAX_LEASE_MS = 120_000;
/** How long a nonce counter outlives its last use (then the clock floor is far past it). */
const NONCE_TTL_MS = 86_400_000;

/** An error of the store, as opposed to the exchange: leads to the per-process fallback. */
class StoreFailure extends Error {}

function checkStore(store) {
  const ok = store !== null && typeof store === 'object'
    && ['get', 'acquire', 'release', 'put'].every((name) => typeof store[name] === 'function');
  if (!ok) throw fail('invalid_argument', 'must have get, acquire, release and put methods (see memoryStore, redisStore)', { field: 'store' });
  return store;
}

function randomOwner() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Real time for the store's own timing (leases expire in real time, whatever the client's
 * clock says); the client's clock is only for the core. */
const realMs = () => performance.now();

export class Fleet {
  #store;
  #core;
  #alive;
  #now;
  #emit;
  #key;
  #nonceKey;
  #leaseMs;
  /** The highest fleet generation seen (imported or published). */
  #known = 0;
  /** While the store is failing: the instant to try it again. */
  #retryAt = 0;
  #down = false;

  /**
   * @param {object} options
   * @param {object} options.store a TokenStore
   * @param {object} options.core the client's ClientCore
   * @param {() => void} options.alive throws `freed` once the client is freed
   * @param {() => number} options.now the client's clock
   * @param {number} options.timeoutMs the client's exchange deadline
   * @param {(event: object) => void} options.emit the client's event hook
   * @param {boolean} options.shareIpBound share sessions bound to the client's IP (only where the core marks sessions as IP-bound)
   */
  constructor({ store, core, alive, now, timeoutMs, emit, shareIpBound }) {
    this.#store = checkStore(store);
    this.#core = core;
    this.#alive = alive;
    this.#now = now;
    this.#emit = emit;
    this.#key = core.storeKey(shareIpBound === true);
    this.#nonceKey = typeof store.incr === 'function' ? core.nonceKey() : undefined;
    this.#leaseMs = Math.ceil(Math.min(timeoutMs, MAX_LEASE_MS)) + LEASE_MARGIN_MS;
  }

  /** Runs the flight for `auth` (see the top of this file); `exchange(auth)` performs one
   * exchange as the Client does without a store. Settles like `exchange`. */
  async run(auth, exchange) {
    if (realMs() < this.#retryAt) return exchange(auth);
    if (this.#key === undefined) return exchange(await this.#reserved(auth));
    /** Per flight: an unreadable record is announced once, not at every poll. */
    const flight = { ignored: false };
    let next = auth;
    try {
      if (await this.#pull(flight) && (next = this.#fresh()) === null) return { outcome: 'imported' };
      const started = realMs();
      let pause = POLL_FIRST_MS;
      for (;;) {
        const owner = randomOwner();
        if (await this.#call((signal) => this.#store.acquire(this.#key, owner, this.#leaseMs, { signal }))) {
          return await this.#holding(owner, next, exchange, flight);
        }
        // A misbehaving store (a lease nobody ever gets) must not stall the client for good.
        if (realMs() - started > 3 * this.#leaseMs) throw new StoreFailure('the lease was never free');
        await sleep(pause);
        pause = Math.min(pause * 2, POLL_CAP_MS);
        if (await this.#pull(flight) && (next = this.#fresh()) === null) return { outcome: 'imported' };
      }
    } catch (error) {
      if (!(error instanceof StoreFailure)) throw error;
      this.#unavailable(error);
      // `next` is still unsent: the core built it for this flight.
      return exchange(next);
    }
  }

  /** With the lease: read again, exchange if still needed, publish, release. */
  async #holding(owner, auth, exchange, flight) {
    try {
      let next = auth;
      if (await this.#pull(flight) && (next = this.#fresh()) === null) return { outcome: 'imported' };
      const outcome = await exchange(await this.#reserved(next));
      await this.#publish(flight);
      return outcome;
    } finally {
      this.#call((signal) => this.#store.release(this.#key, owner, { signal })).catch(noop);
    }
  }

  /** `auth` rebuilt with a nonce reserved from the fleet counter, when there is one; `auth`
   * itself when not, or when the store fails (announced). */
  async #reserved(auth) {
    if (this.#nonceKey === undefined) return auth;
    try {
      const floor = this.#now() + STORE_CALL_MS;
      const nonce = await this.#call((signal) => this.#store.incr(this.#nonceKey, floor, NONCE_TTL_MS, { signal }));
      if (!Number.isSafeInteger(nonce) || nonce < 0) throw new StoreFailure('incr did not return a whole number');
      this.#alive();
      this.#core.reserveNonce(nonce);
      return this.#core.poll(this.#now(), false).auth ?? auth;
    } catch (error) {
      if (!(error instanceof StoreFailure)) throw error;
      this.#unavailable(error);
      return auth;
    }
  }

  /** Reads the store and imports a newer record. True when one was imported. */
  async #pull(flight) {
    const bytes = await this.#call((signal) => this.#store.get(this.#key, { signal }));
    if (bytes === null || bytes === undefined) return false;
    try {
      if (!(bytes instanceof Uint8Array)) throw fail('malformed_response', 'token store: get did not return bytes');
      this.#alive();
      const generation = this.#core.importRecord(bytes, this.#known, this.#now());
      if (generation === 0) return false;
      this.#known = generation;
      return true;
    } catch (error) {
      if (!(error instanceof KeystampError) || error.code !== 'malformed_response') throw error;
      if (!flight.ignored) this.#emit({ type: 'store_record_ignored', error });
      flight.ignored = true;
      return false;
    }
  }

  /** After an import: null when the core serves a token now, else the request it wants sent. */
  #fresh() {
    this.#alive();
    const now = this.#now();
    if (this.#core.poll(now, true).action === 'ready') return null;
    const step = this.#core.poll(now, false);
    return step.auth ?? null;
  }

  /** Publishes the session's token as the next generation; a newer record wins (and is read). */
  async #publish(flight) {
    this.#alive();
    const sealed = this.#core.exportRecord(this.#known, this.#now());
    if (sealed === undefined) return;
    try {
      const { bytes, generation, ttlMs } = sealed;
      const written = await this.#call((signal) => this.#store.put(this.#key, bytes, generation, ttlMs, { signal }));
      if (written) this.#known = generation;
      else await this.#pull(flight);
    } catch (error) {
      // The exchange succeeded: only the sharing failed.
      if (!(error instanceof StoreFailure)) throw error;
      this.#unavailable(error);
    }
  }

  /** One store call, bounded by STORE_CALL_MS whatever the store does; every failure is a
   * StoreFailure. Announces a store that works again. */
  async #call(operation) {
    const scope = new Scope(undefined, STORE_CALL_MS);
    let result;
    try {
      result = await scope.wait(Promise.resolve().then(() => operation(scope.signal)));
    } catch (cause) {
      throw scope.aborted ? new StoreFailure(`no answer within ${STORE_CALL_MS} ms`) : new StoreFailure('the store failed', { cause });
    } finally {
      scope.end();
    }
    if (this.#down) {
      this.#down = false;
      this.#emit({ type: 'store_available' });
    }
    return result;
  }

  #unavailable(error) {
    this.#retryAt = realMs() + STORE_RETRY_MS;
    if (this.#down) return;
    this.#down = true;
    const cause = error.cause instanceof Error ? error.cause : error;
    this.#emit({ type: 'store_unavailable', error: cause });
  }
}

