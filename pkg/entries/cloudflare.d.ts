// Types of `keystamp/cloudflare`: a Durable Object that owns one credential's Client.
import type { Client, ClientOptions, KeystampError, TokenStore } from '../index.js';

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
  /** The Client this object owns (created on first use), with this object's storage as its
   * token store (`durableObjectStore(ctx.storage)`) unless `clientOptions` gives a `store`. */
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

/** The part of a Durable Object's `ctx.storage` a store needs. */
export interface DurableObjectStorageLike {
  get(key: string): Promise<any>;
  put(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<boolean>;
}

/** A token store over a Durable Object's storage, for the Client of that object. */
export declare function durableObjectStore(storage: DurableObjectStorageLike, options?: { now?: () => number }): TokenStore;
