// Cloudflare Workers fleets: one Durable Object owns a credential's Client and serves its headers
// to every isolate over RPC. A Durable Object is a single instance with its own I/O context, so
// every request shares its one in-flight auth exchange: one auth per token lifetime for the
// whole Worker, however many isolates it runs in. (A shared promise between requests of an
// ordinary Worker isolate is not allowed; inside the object it is.) The object keeps the sealed
// token record in its own storage, so a new instance of it (after eviction or a deploy) takes
// the token over instead of authenticating again; the storage holds no token and no key.
//
//   export class DepayTokens extends TokenObject {
//     clientOptions(env) { return { provider: 'depay', apiKey: env.DEPAY_API_KEY }; }
//   }
//   const headers = await tokenHeaders(env.DEPAY_TOKENS);  // in any Worker bound to the namespace
import { DurableObject } from 'cloudflare:workers';
import { Client, KeystampError } from './workerd.js';

/** The error fields that cross the RPC boundary (RPC keeps an Error's message, not its fields). */
const ERROR_FIELDS = ['code', 'provider', 'status', 'field', 'retryAfterMs', 'providerCode'];

/**
 * A Durable Object that owns one credential's `Client`. Subclass it, implement
 * `clientOptions(env)`, export the subclass from the Worker and bind it as a Durable Object
 * namespace. Every isolate calls `tokenHeaders(namespace)`.
 */
export class TokenObject extends DurableObject {
  #client;

  /** The options of `new Client(...)` for this object's credential (override it). */
  clientOptions(env) { // eslint-disable-line no-unused-vars
    throw new KeystampError('unsupported', 'TokenObject: implement clientOptions(env) in a subclass');
  }

  /** The Client this object owns (created on first use), with this object's storage as its
   * token store unless `clientOptions` names another. */
  get client() {
    this.#client ??= new Client({ store: durableObjectStore(this.ctx.storage), ...this.clientOptions(this.env) });
    return this.#client;
  }

  /** RPC: `{ headers }` for an authenticated call, or `{ error }` with the KeystampError fields. */
  async headers() {
    try {
      return { headers: { ...(await this.client.headers()) } };
    } catch (err) {
      if (!(err instanceof KeystampError)) throw err;
      const error = { message: err.message };
      for (const key of ERROR_FIELDS) if (err[key] !== undefined) error[key] = err[key];
      return { error };
    }
  }
}

/**
 * A token store (README "Fleets") over a Durable Object's transactional storage
 * (`ctx.storage`), for the Client(s) of that one object. Entries expire on `now` (ms).
 */
export function durableObjectStore(storage, { now = Date.now } = {}) {
  const live = async (name) => {
    const entry = await storage.get(name);
    if (entry !== undefined && entry.expiresAt <= now()) {
      await storage.delete(name);
      return undefined;
    }
    return entry;
  };
  return {
    async get(key) {
      const entry = await live(`record:${key}`);
      return entry === undefined ? null : new Uint8Array(entry.bytes);
    },
    async acquire(key, owner, ttlMs) {
      if ((await live(`lease:${key}`)) !== undefined) return false;
      await storage.put(`lease:${key}`, { owner, expiresAt: now() + ttlMs });
      return true;
    },
    async release(key, owner) {
      if ((await live(`lease:${key}`))?.owner !== owner) return false;
      await storage.delete(`lease:${key}`);
      return true;
    },
    async put(key, bytes, fence, ttlMs) {
      const entry = await live(`record:${key}`);
      if (entry !== undefined && !(fence > entry.fence)) return false;
      await storage.put(`record:${key}`, { fence, bytes: Uint8Array.from(bytes), expiresAt: now() + ttlMs });
      return true;
    },
    async incr(key, floor = 0, ttlMs = 86_400_000) {
      const value = Math.max(floor, ((await live(`counter:${key}`))?.value ?? 0) + 1);
      await storage.put(`counter:${key}`, { value, expiresAt: now() + ttlMs });
      return value;
    },
  };
}

/**
 * The headers of an authenticated call, from the `TokenObject` named `name` (default
 * "default") in the Durable Object `namespace`. Throws the object's `KeystampError`.
 */
export async function tokenHeaders(namespace, name = 'default') {
  const answer = await namespace.get(namespace.idFromName(name)).headers();
  if (answer.error !== undefined) {
    const { code, message, provider, status, field, retryAfterMs, providerCode } = answer.error;
    throw new KeystampError(code, message, provider, status, field, retryAfterMs, providerCode);
  }
  return answer.headers;
}

export { Client, KeystampError };
