// Types of the `Client` (the JS driver in entries/client.js over the wasm core).
import type { IdLike, Provider } from './dist/keystamp.js';
import type { TokenStore } from './index.js';

/** What a Client's fleet store did (`onEvent`). `store_unavailable`: the store failed or was
 * slow; exchanges fall back to this process's own single flight until it answers again
 * (`store_available`). `store_record_ignored`: the store held bytes that are no record of this
 * credential (foreign or corrupted); they were not used. */
export type ClientEvent =
  | { type: 'store_unavailable'; provider: Provider; error: Error }
  | { type: 'store_available'; provider: Provider }
  | { type: 'store_record_ignored'; provider: Provider; error: Error };

/** The fetch a Client calls: the global one by default. */
export type FetchLike = (input: Request, init?: RequestInit) => Promise<Response>;

/** Options of `new Client(...)`. Only own properties are read (inherited ones are ignored).
 * Which credential fields a provider needs: defindex `apiKey`, or `email` + `password` (JWT
 * login/refresh, API-key management); deltadefi and depay `apiKey`; adjutor `apiKey`, plus
 * `email` + `password` for Core Services (`x-access-token`); kiiex `apiKey` + `apiSecret` +
 * `userId`. */
export interface ClientOptions {
  provider: Provider;
  /** Defaults to the provider's production URL. Written as the URL parser writes it (default
   * port dropped, IPv4 forms made canonical). Relative paths given to `client.fetch` are appended
   * to it; credentials are only ever sent to its origin. */
  baseUrl?: string;
  apiKey?: string;
  apiSecret?: string;
  userId?: IdLike;
  email?: string;
  password?: string;
  /** Kiiex `AuthenticateUser` form: `"headers"` (GET with headers, default), `"headers-post"`,
   * or `"json"` (POST with a JSON body). */
  kiiexAuthForm?: 'headers' | 'headers-post' | 'json';
  /** DePay: the token path (default `/auth/token`; `/v2/auth/token` for the payments docs). */
  tokenPath?: string;
  /** Kiiex: the code source for accounts with a second factor: returns the current TOTP code
   * (sync or async). Without it such an account fails with `two_factor_required`. */
  onTwoFactor?: (info: { provider: Provider }) => string | Promise<string>;
  /** Renew this many ms before expiry while still serving the current token (default:
   * min(2 min, 10 % of the token lifetime); capped at half the lifetime). */
  refreshMarginMs?: number;
  /** Stop serving a token this many ms before expiry (default: min(5 s, 25 % of the lifetime);
   * capped at half the lifetime). */
  mustRefreshMs?: number;
  /** Kiiex: re-authenticate after this much idle time (default 55 min). */
  maxIdleMs?: number;
  /** Deadline of every auth exchange, and the default deadline of every call, in ms
   * (default 30000; `Infinity` for none). */
  timeoutMs?: number;
  /** The fetch to use (default `globalThis.fetch`). */
  fetch?: FetchLike;
  /** DeltaDeFi: called with the new key after a rotation; persist it, the old key is dead. A
   * throwing or rejecting callback does not undo the rotation (`rotateKey()` returns the key too). */
  onKeyRotated?: (apiKey: string, info: { provider: Provider; createdAt?: string }) => void | Promise<void>;
  /** The clock, in ms since the epoch (default `Date.now`); for tests. */
  now?: () => number;
  /** A fleet store (README "Fleets"): processes that share it make one auth exchange per token
   * lifetime between them. Records are sealed; the store never sees a token or a key. */
  store?: TokenStore;
  /** Kiiex sessions are bound to the client's IP: share them through `store` only when every
   * process leaves through the same address (default false). */
  shareIpBoundSessions?: boolean;
  /** Told what the fleet store did (see `ClientEvent`); a throwing hook changes nothing. */
  onEvent?: (event: ClientEvent) => void | Promise<void>;
}

/** Per-call options: a caller's `AbortSignal` and deadline (default: the client's `timeoutMs`). */
export interface CallOptions {
  signal?: AbortSignal | null;
  timeoutMs?: number;
}

/** One entry of `client.listKeys()`. */
export interface DefindexKeyEntry {
  id: string;
  name: string | null;
  /** Truncated, as the dashboard lists it. */
  key: string | null;
  createdAt: string | null;
  lastUsedAt: string | null;
}

/** An authenticated HTTP client for one credential. */
export declare class Client {
  constructor(options: ClientOptions);
  /** The provider name. */
  readonly provider: Provider;
  /** The headers an authenticated call carries now, authenticating first if needed. */
  headers(options?: CallOptions): Promise<Record<string, string>>;
  /** The current headers when the token is usable now, else `undefined` (authentication, or a
   * renewal that is due, is started in the background). */
  currentHeaders(): Record<string, string> | undefined;
  /** `fetch` with the credential's headers; a 401 on the current token re-authenticates and
   * retries once. */
  fetch(input: string | URL | Request, init?: RequestInit & CallOptions): Promise<Response>;
  /** DeltaDeFi: rotates the API key and returns the new one. */
  rotateKey(options?: CallOptions): Promise<string>;
  /** Kiiex: ends the session (`LogOut`) and forgets it. */
  logout(options?: CallOptions): Promise<void>;
  /** DeFindex (dashboard login): generates an API key. */
  generateKey(options?: CallOptions & { name?: string }): Promise<{ key: string; id: string | null }>;
  /** DeFindex (dashboard login): the account's keys (their `key` is truncated). */
  listKeys(options?: CallOptions): Promise<DefindexKeyEntry[]>;
  /** DeFindex (dashboard login): revokes a key. */
  revokeKey(id: string | number, options?: CallOptions): Promise<void>;
  /** Returns this client (kept for code written for earlier versions). */
  scoped(): Client;
  /** Wipes the credential and tokens from wasm memory; later calls throw `freed`. */
  free(): void;
  [Symbol.dispose](): void;
}
