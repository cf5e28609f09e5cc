// Types of `keystamp/cloudflare`: a Durable Object that owns one credential's Client.
import type { Client, ClientOptions, KeystampError } from '../index.js';

export { Client, KeystampError };

/** Options of the Client a TokenObject owns. */
export type TokenObjectClientOptions = ClientOptions;

/** What `TokenObject.headers()` answers over RPC. */
export type TokenObjectAnswer =
  | { headers: Record<string, string>; error?: undefined }
  | { headers?: undefined; error: { code: KeystampError['code']; message: string; provider?: string; status?: number; field?: string; retryAfterMs?: number; providerCode?: number } };

/** A Durable Object that owns one credential's `Client` and serves its headers to every isolate
 * over RPC, with one auth exchange in flight. Subclass it and implement `clientOptions(env)`. */
export declare abstract class TokenObject<Env = unknown> {
  constructor(ctx: unknown, env: Env);
  protected readonly ctx: unknown;
  protected readonly env: Env;
  /** The options of `new Client(...)` for this object's credential. */
  abstract clientOptions(env: Env): ClientOptions;
  /** The Client this object owns (created on first use). */
  get client(): Client;
  /** RPC: the headers of an authenticated call, or the error's fields. */
  headers(): Promise<TokenObjectAnswer>;
}

/** A Durable Object namespace bound to a `TokenObject` subclass. */
export interface TokenObjectNamespace {
  idFromName(name: string): unknown;
  get(id: any): { headers(): Promise<TokenObjectAnswer> };
}

/** The headers of an authenticated call from the `TokenObject` named `name` (default "default");
 * throws its `KeystampError`. */
export declare function tokenHeaders(namespace: TokenObjectNamespace, name?: string): Promise<Record<string, string>>;
