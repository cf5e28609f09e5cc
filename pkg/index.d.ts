// Types of the `keystamp` package: the wasm-bindgen exports plus KeystampError and init().
export * from './dist/keystamp.js';
export * from './client.js';

/** Every stable error code (see the README's error table). */
export type KeystampErrorCode =
  | 'invalid_header_name'
  | 'invalid_header_value'
  | 'invalid_secret'
  | 'missing_credential'
  | 'invalid_argument'
  | 'unknown_provider'
  | 'input_too_large'
  | 'auth_rejected'
  | 'malformed_response'
  | 'token_expired'
  | 'refresh_failed'
  | 'rate_limited'
  | 'provider_error'
  | 'origin_mismatch'
  | 'network_error'
  | 'unsupported'
  | 'timeout'
  | 'aborted'
  | 'freed'
  | 'two_factor_required'
  | 'provider_unavailable'
  | 'not_initialized';

/** Every failure keystamp throws or rejects with. The message never holds a key, secret,
 * token or signature. */
export declare class KeystampError extends Error {
  readonly name: 'KeystampError';
  /** Stable machine-readable code. */
  readonly code: KeystampErrorCode;
  /** The provider concerned, when there is one. */
  readonly provider?: import('./dist/keystamp.js').Provider;
  /** The HTTP status the provider answered with, for HTTP failures. */
  readonly status?: number;
  /** The name (never the value) of the input that was rejected. */
  readonly field?: string;
  /** `rate_limited`: how long to wait before trying again, in ms. */
  readonly retryAfterMs?: number;
  /** The provider's own error code, when its answer carried one (e.g. DeltaDeFi 4290). */
  readonly providerCode?: number;
  /** The underlying failure (`AbortError`, `TimeoutError`, `TypeError` from fetch, ...). */
  readonly cause?: unknown;
}

/** Nothing to wait for with `import … from 'keystamp'`: every runtime's entry loads the
 * WebAssembly module at import (kept so that the same code runs everywhere), except in Chrome
 * and Edge before 114, which cannot compile it synchronously: there it resolves once the module
 * is ready. With `keystamp/web`: loads the module, once (later calls return the same promise).
 * Until it has resolved in those two cases, any other call throws `not_initialized`. `input` tells `keystamp/web` where the
 * module is: its URL (a string or URL), a fetch Response, its bytes or a compiled
 * WebAssembly.Module; by default `dist/keystamp_bg.wasm` of the package. (Typed `unknown` so that
 * the declarations name no DOM type: they type-check in Node-only projects.) */
export declare function init(input?: unknown): Promise<void>;
export default init;

/** Options of every token store call: the call is abandoned when `signal` aborts. */
export interface TokenStoreCallOptions {
  signal?: AbortSignal;
}

/** Where a fleet keeps one credential's sealed token record and the lease on its auth exchange
 * (README "Fleets"). The bytes are sealed by keystamp; a store only keeps them. Every method may
 * reject (the Client then falls back to its own single flight); none may outlive `signal`. */
export interface TokenStore {
  /** The record stored under `key`, or null. */
  get(key: string, options?: TokenStoreCallOptions): Promise<Uint8Array | null>;
  /** Takes the lease on `key` for `ttlMs` when nobody holds it: true when taken. */
  acquire(key: string, owner: string, ttlMs: number, options?: TokenStoreCallOptions): Promise<boolean>;
  /** Gives the lease back, only if `owner` still holds it: true when released. */
  release(key: string, owner: string, options?: TokenStoreCallOptions): Promise<boolean>;
  /** Stores `bytes` for `ttlMs`, only if `fence` is greater than the stored record's fence:
   * true when written. Must be atomic (a slower writer never overwrites a newer record). */
  put(key: string, bytes: Uint8Array, fence: number, ttlMs: number, options?: TokenStoreCallOptions): Promise<boolean>;
  /** Optional atomic counter: stores and returns `max(floor, stored + 1)` (Kiiex nonces). */
  incr?(key: string, floor?: number, ttlMs?: number, options?: TokenStoreCallOptions): Promise<number>;
}

/** A client of the `redis` package (node-redis v4+) or of `ioredis` v5+, connected. */
export type RedisClientLike =
  | { sendCommand(args: string[]): Promise<unknown>; readonly isReady?: boolean }
  | { call(command: string, ...args: string[]): Promise<unknown>; readonly status: string };

export interface RedisStoreOptions {
  /** Prefix of every Redis key keystamp writes (default "keystamp:"). */
  prefix?: string;
  /** Every store call rejects after this many ms (default 1000). */
  timeoutMs?: number;
}

/** The in-process store (the default behaviour, made explicit): share one between Clients. */
export declare function memoryStore(options?: { now?: () => number }): TokenStore;
/** A Redis store over your connected node-redis or ioredis client (keystamp depends on neither). */
export declare function redisStore(client: RedisClientLike, options?: RedisStoreOptions): TokenStore;

// `Client` and `KiiexSigner` are disposable (`using`). Declared here too so that projects whose
// `lib` lacks "esnext.disposable" (e.g. ["es2022", "dom"]) still type-check; it merges with
// TypeScript's own declaration and with @types/node's.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}
