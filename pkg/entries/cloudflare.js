// Cloudflare Workers fleets: one Durable Object owns a credential's Client and serves its headers
// to every isolate over RPC. A Durable Object is a single instance with its own I/O context, so
// every request shares its one in-flight auth exchange: one auth per token lifetime for the
// whole Worker, however many isolates it runs in. (A shared promise between requests of an
// ordinary Worker isolate is not allowed; inside the object it is.)
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

  /** The Client this object owns (created on first use). */
  get client() {
    this.#client ??= new Client(this.clientOptions(this.env));
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
