// Types of `keystamp/emulator` (Node only): a local emulator of the five providers' documented
// authentication contracts, for testing an integration offline.

/** The five providers. */
export type EmulatedProvider = 'defindex' | 'deltadefi' | 'adjutor' | 'depay' | 'kiiex';

/** The routes of each provider, as failNext, count and the request log name them. */
export interface EmulatorRoutes {
  defindex: 'login' | 'refresh' | 'generateKey' | 'listKeys' | 'revokeKey' | 'api';
  deltadefi: 'rotate' | 'api';
  adjutor: 'login' | 'core' | 'api';
  depay: 'auth' | 'api';
  kiiex: 'auth' | 'twoFactor' | 'logout' | 'api';
}
/** A route of provider `P`; `'auth'` names its auth endpoint (DeFindex and Adjutor login, DeltaDeFi rotation). */
export type EmulatorRoute<P extends EmulatedProvider> = EmulatorRoutes[P] | 'auth';

/** The test credentials the emulator accepts (live: a rotation or resetKey changes them). */
export interface EmulatorCredentials {
  defindex: { apiKey: string; email: string; password: string };
  deltadefi: { apiKey: string };
  adjutor: { apiKey: string; email: string; password: string };
  depay: { apiKey: string; customerUuid: string };
  kiiex: { apiKey: string; apiSecret: string; userId: string; twoFactorSecret: string };
}

/** The documented variants; the first value of each is the strict default. */
export interface EmulatorVariants {
  defindexLoginShape: 'spec' | 'camel' | 'postman';
  defindexRefreshShape: 'spec' | 'camel' | 'postman';
  defindexRefreshRejectStatus: 403 | 401;
  defindexAccountDisabled: boolean;
  defindexGenerateShape: 'object' | 'array';
  defindexListStatus: 200 | 201;
  deltadefiCreatedAt: 'iso' | 'absent' | 'null' | 'number';
  depayTokenPath: '/auth/token' | '/v2/auth/token';
  depayAnswerShape: 'flat' | 'wrapped';
  depayRejectStatus: 403 | 401;
  depayForbiddenBody: 'current' | 'legacy' | 'payments';
  depayExpiresInType: 'string' | 'number';
  /** Sent verbatim as `expiresIn` (e.g. `"abc"`); `undefined`: from the token lifetime. */
  depayExpiresIn: unknown;
  kiiexResponseCase: 'pascal' | 'camel' | 'lower';
  kiiexRejectReusedNonce: boolean;
  kiiexRejectStyle: 'apex' | 'reference';
  kiiexTwoFactor: boolean;
  kiiexPendingTokenName: 'TwoFAToken' | 'Pending2FaToken';
}

/** Token lifetimes in seconds (zero or negative: already expired when issued). */
export interface EmulatorTokenLifetimes {
  depay: number;
  defindexAccess: number;
  defindexRefresh: number;
  adjutorAccess: number;
}

export interface EmulatorOptions {
  /** Port on 127.0.0.1; default 0 (a free port). */
  port?: number;
  /** The emulator's clock in ms (default `Date.now`): token expiry, `Date` headers, TOTP. */
  now?: () => number;
  /** Partial overrides of the test credentials, per provider. */
  credentials?: { [P in EmulatedProvider]?: Partial<EmulatorCredentials[P]> };
  /** Defaults: depay 3600, defindexAccess 3600, defindexRefresh 86400, adjutorAccess 3600. */
  tokenLifetimeSec?: Partial<EmulatorTokenLifetimes>;
  /** Kiiex session idle limit in ms; default 3600000. */
  kiiexIdleMs?: number;
  /** Every `Date` header reads `now() + dateSkewMs`; default 0. */
  dateSkewMs?: number;
  /** Initial variants. */
  variants?: Partial<EmulatorVariants>;
  /** Adjutor paths (relative to the base URL) that are Core Services; default `['/customers/', '/loans/']`. */
  adjutorCorePaths?: string[];
}

/**
 * What the next requests to a route get. Replacing keys (`status`, `body`, `rawBody`,
 * `bodyBytes`, `junk`, `hugeBody`) answer instead of the provider, with status 200 unless given;
 * without them the provider answers, changed by the other keys. `hang` and `reset` win over all.
 */
export interface FailureSpec {
  /** How many requests get it; default 1; `Infinity`: every one until clearFailures() or reset(). */
  times?: number;
  status?: number;
  /** A JSON body (default `{}`). */
  body?: unknown;
  /** A body sent verbatim. */
  rawBody?: string | Uint8Array;
  /** Pads the JSON object `body` with a `padding` field to exactly this many bytes (e.g. a 64 KiB 401). */
  bodyBytes?: number;
  /** A non-JSON HTML body with `content-type: text/html`. */
  junk?: boolean;
  /** Streams a token answer of `bytes` (default 256 MiB) without buffering it; chunked unless `contentLength`. */
  hugeBody?: true | { bytes?: number; contentLength?: boolean };
  /** Extra or replaced answer headers. */
  headers?: Record<string, string>;
  /** `Retry-After`: whole seconds, an HTTP date (a `Date`), or a string sent verbatim. */
  retryAfter?: number | Date | string;
  /** This answer's `Date` header is moved by this many ms. */
  dateOffsetMs?: number;
  /** Answer after this many ms (decided when answered). */
  delayMs?: number;
  /** Never answer; close() ends the connection. */
  hang?: boolean;
  /** Destroy the connection without answering. */
  reset?: boolean;
  /** Write the body `chunkBytes` (default 1) every `intervalMs` (default 50). */
  slowBody?: true | { chunkBytes?: number; intervalMs?: number };
  /** Send the headers and half the body, then nothing: the body never ends. */
  neverEnd?: boolean;
  /** Tokens issued by this answer live this many seconds (DePay `expiresIn`, DeFindex/Adjutor JWT `exp - iat`). */
  tokenLifetimeSec?: number;
}

/** One request received. */
export interface EmulatorRequest {
  provider: EmulatedProvider | null;
  /** Its route, or null when it matched none (answered 404). */
  route: string | null;
  /** The HTTP method, or `'WS'` for a frame on the Kiiex WebSocket gateway. */
  method: string;
  /** The raw path, without the query. */
  path: string;
  /** Lower-cased names. */
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The status answered; 0 while (or when never) answered; a WebSocket frame: 200 (m:1 reply) or 400 (m:5 error). */
  status: number;
  /** The emulator clock when it arrived. */
  at: number;
  /** Which TCP connection carried it (1, 2, ... in order of opening). */
  connection: number;
}

/** A correctly signed DePay callback. */
export interface DepayCallback {
  /** The raw body, as to be sent. */
  body: string;
  /** Lower-case hex HMAC-SHA256(key = apiKey, body + "+" + customerUuid). */
  signature: string;
  customerUuid: string;
  headers: { 'content-type': string; signature: string };
}

export interface Emulator {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Each provider's base URL, to configure a client with. */
  readonly baseUrls: Readonly<Record<EmulatedProvider, string>>;
  /** The Kiiex (APEX) WebSocket gateway, `ws://127.0.0.1:<port>/kiiex/WSGateway/`. */
  readonly wsUrls: Readonly<{ kiiex: string }>;
  readonly credentials: EmulatorCredentials;
  /** Every request received, in arrival order. */
  readonly requests: EmulatorRequest[];
  /** A copy of the current variants. */
  readonly variants: EmulatorVariants;
  /** TCP connections opened since start (or reset()), and open now. */
  readonly connections: { opened: number; open: number };
  setNow(now: () => number): void;
  setDateSkew(ms: number): void;
  setVariant<K extends keyof EmulatorVariants>(name: K, value: EmulatorVariants[K]): void;
  setTokenLifetime(name: keyof EmulatorTokenLifetimes, seconds: number): void;
  /** The next `spec.times` requests to the route (`'*'`: any route of the provider) get `spec`; queued in order. */
  failNext<P extends EmulatedProvider>(provider: P, route: EmulatorRoute<P> | '*', spec?: FailureSpec): void;
  /** Drops pending injected failures (all, or one provider's); the request log stays. */
  clearFailures(provider?: EmulatedProvider): void;
  /** Invalidates every access/session token of a token provider on the server side. */
  revokeTokens(provider: 'defindex' | 'adjutor' | 'depay' | 'kiiex'): void;
  /** Adjutor's "Reset app key": returns the new key; the old one is refused at once. */
  resetKey(provider: 'adjutor'): string;
  /** A correctly signed callback for `payload` (an object, or the raw body text). */
  depayCallback(payload: unknown, options?: { apiKey?: string; customerUuid?: string }): DepayCallback;
  /** The Kiiex TOTP code Authenticate2FA accepts now (emulator clock). */
  twoFactorCode(): string;
  /** Requests received (rejected ones too); all, per provider, or per route. */
  count(): number;
  count<P extends EmulatedProvider>(provider: P, route?: EmulatorRoute<P>): number;
  /** Every route's count. */
  counts(): { [P in EmulatedProvider]: Record<EmulatorRoutes[P], number> };
  /** Clears the request log, the counts and pending failures (not credentials, variants or tokens). */
  reset(): void;
  /** Stops listening and ends every connection, hung and streaming answers included. Idempotent. */
  close(): Promise<void>;
}

export function startEmulator(options?: EmulatorOptions): Promise<Emulator>;

export function defaultCredentials(): EmulatorCredentials;
/** Request bodies over this are answered 413. */
export const MAX_BODY_BYTES: number;
export const VARIANTS: Readonly<{ [K in keyof EmulatorVariants]: readonly EmulatorVariants[K][] | undefined }>;
export const ROUTES: Readonly<{ [P in EmulatedProvider]: readonly EmulatorRoutes[P][] }>;
export const DEFAULT_CORE_PATHS: readonly string[];
/** Lower-case hex HMAC-SHA256(key = apiKey, message = body + "+" + customerUuid). */
export function signDepayCallback(input: { apiKey: string; customerUuid: string; body: string }): string;
/** RFC 6238 TOTP (HMAC-SHA1, 30 s, 6 digits) of a base32 secret at `atMs` (default now). */
export function totp(secretBase32: string, atMs?: number): string;
/** A DeltaDeFi error answer for failNext: `{status: code / 10, body: {error, code}}`. */
export function deltadefiError(code: number): { status: number; body: { error: string; code: number } };
