// keystamp/emulator: a local emulator of the five providers' documented authentication contracts,
// for testing an integration offline. Strict by default: exact header names (case-insensitive,
// as HTTP says), exact values, nothing trimmed, nothing undocumented accepted; each documented
// variant can be switched on, and failures can be injected per provider and route. One node:http
// server on 127.0.0.1 serves every provider under a path prefix: configure a client with
// `emu.baseUrls.<provider>` as its base URL (Kiiex also speaks WebSocket at `emu.wsUrls.kiiex`).
// Node only; no network other than 127.0.0.1.
//
//   import { startEmulator } from 'keystamp/emulator';
//   let t = Date.UTC(2026, 0, 1);
//   const emu = await startEmulator({ now: () => t });          // the emulator's clock
//   const res = await fetch(`${emu.baseUrls.depay}/auth/token`, { headers: { 'x-api-key': emu.credentials.depay.apiKey } });
//   t += 3600_000;                                               // tokens expire on that clock
//   emu.setVariant('depayAnswerShape', 'wrapped');               // a documented variant
//   emu.failNext('depay', 'auth', { status: 429, retryAfter: 30 }); // failure injection
//   emu.count('depay', 'auth');                                  // requests received (also rejected ones)
//   await emu.close();
import { createServer } from 'node:http';
import { adjutor, DEFAULT_CORE_PATHS } from './adjutor.js';
import {
  AUTH_ROUTE, MAX_BODY_BYTES, PREFIXES, ROUTES, VARIANTS, answer, checkRoute, checkVariant, defaultCredentials, notFound, totp,
} from './common.js';
import { defindex } from './defindex.js';
import { deltadefi } from './deltadefi.js';
import { depay } from './depay.js';
import { checkSpec, deliver, injectedReply, retryAfterValue, waits } from './faults.js';
import { kiiex } from './kiiex.js';
import { WS_PATH, acceptWebSocket, apexGateway } from './websocket.js';

export { DEFAULT_CORE_PATHS } from './adjutor.js';
export { MAX_BODY_BYTES, ROUTES, VARIANTS, defaultCredentials, deltadefiError, signDepayCallback, totp } from './common.js';

const OPTIONS = new Set(['port', 'now', 'credentials', 'tokenLifetimeSec', 'kiiexIdleMs', 'dateSkewMs', 'variants', 'adjutorCorePaths']);
const LIFETIMES = { depay: 3600, defindexAccess: 3600, defindexRefresh: 86400, adjutorAccess: 3600 };
const CONNECTION_ID = Symbol('connection id');

/** Reads the whole body (keeping at most MAX_BODY_BYTES + 1 bytes) and its real size. */
async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    size += chunk.length;
  }
  return { text: Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES + 1).toString('utf8'), size };
}

function checkLifetime(name, sec) {
  if (!Object.hasOwn(LIFETIMES, name)) throw new Error(`unknown token lifetime: ${name} (${Object.keys(LIFETIMES).join(', ')})`);
  if (!Number.isInteger(sec)) throw new Error(`token lifetime ${name} is an integer number of seconds`);
}

/** The provider whose prefix `path` falls under, and the path relative to its base URL. */
function locate(path) {
  for (const [name, prefix] of Object.entries(PREFIXES)) {
    if (path === prefix || path.startsWith(`${prefix}/`)) return { name, rel: path.slice(prefix.length) || '/' };
  }
  return undefined;
}

/** Starts the emulator on 127.0.0.1; see emulator.d.ts for every option and method. */
export async function startEmulator(options = {}) {
  for (const key of Object.keys(options)) if (!OPTIONS.has(key)) throw new Error(`unknown emulator option: ${key}`);
  const credentials = defaultCredentials();
  for (const [provider, overrides] of Object.entries(options.credentials ?? {})) {
    if (!Object.hasOwn(credentials, provider)) throw new Error(`unknown provider: ${provider}`);
    Object.assign(credentials[provider], overrides);
  }
  const variants = Object.fromEntries(Object.entries(VARIANTS).map(([name, values]) => [name, values?.[0]]));
  for (const [name, value] of Object.entries(options.variants ?? {})) {
    checkVariant(name, value);
    variants[name] = value;
  }
  const lifetimes = { ...LIFETIMES };
  for (const [name, sec] of Object.entries(options.tokenLifetimeSec ?? {})) {
    checkLifetime(name, sec);
    lifetimes[name] = sec;
  }
  const corePaths = options.adjutorCorePaths ?? DEFAULT_CORE_PATHS;
  if (!Array.isArray(corePaths) || !corePaths.every((p) => typeof p === 'string' && p.startsWith('/'))) {
    throw new Error('adjutorCorePaths is an array of paths starting with "/"');
  }
  let now = options.now ?? (() => Date.now());
  let dateSkewMs = options.dateSkewMs ?? 0;
  const env = {
    now: () => now(),
    credentials,
    variants,
    lifetimes,
    kiiexIdleMs: options.kiiexIdleMs ?? 3600_000,
    adjutorCorePaths: [...corePaths],
  };
  const providers = { defindex: defindex(env), deltadefi: deltadefi(env), adjutor: adjutor(env), depay: depay(env), kiiex: kiiex(env) };

  const requests = [];
  const failures = []; // { provider, route, spec }, consumed first in, first out
  const w = waits();
  const connections = { opened: 0, open: 0 };
  let connectionSeq = 0;

  /** Takes one pending injected failure for this provider and route, if any. */
  function takeFailure(provider, route) {
    const index = failures.findIndex((f) => f.provider === provider
      && (f.route === route || f.route === '*' || (f.route === 'auth' && AUTH_ROUTE[provider] === route)));
    if (index < 0) return undefined;
    const failure = failures[index];
    if (--failure.left <= 0) failures.splice(index, 1);
    return failure.spec;
  }

  /** The provider's answer or the injected one, with the spec's header changes; `text` is the body. */
  function reply(place, route, ctx, spec) {
    let r;
    if (spec?.replaces) {
      r = injectedReply(spec);
    } else {
      const { status, body } = place === undefined ? notFound() : providers[place.name].handle(route, ctx);
      r = { status, headers: {}, text: status === 204 || status === 304 ? '' : JSON.stringify(body) };
    }
    const headers = { 'content-type': 'application/json', date: new Date(now() + dateSkewMs + (spec?.dateOffsetMs ?? 0)).toUTCString(), ...r.headers };
    if (spec?.retryAfter !== undefined) headers['retry-after'] = retryAfterValue(spec.retryAfter);
    return { ...r, headers: { ...headers, ...spec?.headers } };
  }

  async function onRequest(req, res) {
    const { text: body, size } = await readBody(req);
    const queryAt = req.url.indexOf('?');
    const path = queryAt < 0 ? req.url : req.url.slice(0, queryAt); // the raw path: no dot-segment or percent normalization
    const query = new URLSearchParams(queryAt < 0 ? '' : req.url.slice(queryAt + 1));
    const place = locate(path);
    const entry = {
      provider: place?.name ?? null, route: null, method: req.method, path, headers: { ...req.headers }, body, status: 0, at: now(),
      connection: req.socket[CONNECTION_ID],
    };
    requests.push(entry);
    if (place !== undefined) entry.route = providers[place.name].classify(req.method, place.rel);
    if (size > MAX_BODY_BYTES || entry.route === null) {
      const r = reply(undefined, null, null, size > MAX_BODY_BYTES ? { replaces: true, status: 413, body: { statusCode: 413, message: 'Payload Too Large' } } : undefined);
      entry.status = r.status;
      await deliver(res, r, undefined, w);
      return;
    }
    const spec = takeFailure(place.name, entry.route);
    if (spec?.delayMs) await w.sleep(spec.delayMs);
    if (w.closed) { res.destroy(); return; }
    if (spec?.hang) { // never answer; the request stays status 0
      await w.untilClosed(res);
      res.destroy();
      return;
    }
    if (spec?.reset) { req.socket.destroy(); return; }
    // Decided when answered: a delayed request sees the state of that moment.
    const ctx = { method: req.method, path: place.rel, distinct: req.headersDistinct, body, query, lifetimeSec: spec?.tokenLifetimeSec };
    const r = reply(place, entry.route, ctx, spec);
    entry.status = r.status;
    await deliver(res, r, spec, w);
  }

  const server = createServer((req, res) => {
    onRequest(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) res.writeHead(500, { 'content-type': 'application/json' }).end('{"statusCode":500,"message":"Emulator error"}');
      else res.destroy();
    });
  });
  // The Kiiex WebSocket gateway; every frame is logged like a request (method 'WS').
  const gateway = apexGateway(providers.kiiex);
  const webSockets = new Set();
  server.on('upgrade', (req, socket, head) => {
    const path = req.url.split('?')[0];
    if (path !== WS_PATH && path !== `${WS_PATH}/`) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const conn = { session: undefined, pending: undefined };
    if (!acceptWebSocket(req, socket, head, (text, send) => {
      const { route, reply: frame } = gateway(conn, text);
      requests.push({
        provider: 'kiiex', route, method: 'WS', path, headers: { ...req.headers }, body: text, status: frame.m === 1 ? 200 : 400, at: now(),
        connection: socket[CONNECTION_ID],
      });
      send(JSON.stringify(frame));
    })) return;
    webSockets.add(socket);
    socket.once('close', () => webSockets.delete(socket));
  });
  server.on('connection', (socket) => {
    socket[CONNECTION_ID] = ++connectionSeq;
    connections.opened++;
    connections.open++;
    socket.once('close', () => { connections.open--; });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const url = `http://127.0.0.1:${server.address().port}`;
  const wsUrl = `ws://127.0.0.1:${server.address().port}${WS_PATH}/`;
  let closing;

  return {
    url,
    baseUrls: Object.fromEntries(Object.entries(PREFIXES).map(([name, prefix]) => [name, url + prefix])),
    /** The Kiiex (APEX) WebSocket gateway. */
    wsUrls: { kiiex: wsUrl },
    /** The currently valid credentials (live: rotation and resetKey change them). */
    credentials,
    /** Every request received, in arrival order. */
    requests,
    /** A copy of the current variants. */
    get variants() { return { ...variants }; },
    /** TCP connections opened since start (or reset()), and open now. */
    get connections() { return { ...connections }; },
    setNow(fn) { now = fn; },
    setDateSkew(ms) { dateSkewMs = ms; },
    setVariant(name, value) {
      checkVariant(name, value);
      variants[name] = value;
    },
    setTokenLifetime(name, sec) {
      checkLifetime(name, sec);
      lifetimes[name] = sec;
    },
    /** The next `spec.times` (default 1) requests to the route get the injected failure. */
    failNext(provider, route, spec = {}) {
      checkRoute(provider, route, { wildcard: true });
      const checked = checkSpec(spec);
      if (checked.replaces) injectedReply(checked); // a bad bodyBytes throws here, not at request time
      failures.push({ provider, route, spec: checked, left: checked.times });
    },
    /** Drops the pending injected failures (all, or a provider's); the request log stays. */
    clearFailures(provider) {
      if (provider !== undefined && !Object.hasOwn(ROUTES, provider)) throw new Error(`unknown provider: ${provider}`);
      for (let i = failures.length - 1; i >= 0; i--) if (provider === undefined || failures[i].provider === provider) failures.splice(i, 1);
    },
    /** Invalidates every current access/session token of the provider on the server side. */
    revokeTokens(provider) {
      const revoke = providers[provider]?.revokeTokens;
      if (revoke === undefined) throw new Error(`${provider} has no tokens to revoke (static keys: resetKey or rotation)`);
      revoke();
    },
    /** Adjutor's dashboard "Reset app key": a new key, the old one rejected at once. Returns the new key. */
    resetKey(provider) {
      if (provider !== 'adjutor') throw new Error('only Adjutor keys are reset from the dashboard');
      return providers.adjutor.resetKey();
    },
    /** A correctly signed DePay callback for `payload`: {body, signature, customerUuid, headers}. */
    depayCallback(payload, opts) { return providers.depay.callback(payload, opts); },
    /** The Kiiex TOTP code that Authenticate2FA accepts now (emulator clock). */
    twoFactorCode() { return totp(credentials.kiiex.twoFactorSecret, now()); },
    /** Requests received (rejected ones too), for a provider and optionally one route ('auth' = its auth endpoint). */
    count(provider, route) {
      if (provider === undefined) return requests.length;
      if (route !== undefined) checkRoute(provider, route);
      else if (!Object.hasOwn(ROUTES, provider)) throw new Error(`unknown provider: ${provider}`);
      const wanted = route === 'auth' ? AUTH_ROUTE[provider] : route;
      return requests.filter((r) => r.provider === provider && (wanted === undefined || r.route === wanted)).length;
    },
    /** Every count at once: {provider: {route: n}}. */
    counts() {
      return Object.fromEntries(Object.entries(ROUTES).map(([provider, routes]) => [provider,
        Object.fromEntries(routes.map((route) => [route, requests.filter((r) => r.provider === provider && r.route === route).length]))]));
    },
    /** Clears the request log, the counters and pending injected failures (not credentials, variants or tokens). */
    reset() {
      requests.length = 0;
      failures.length = 0;
      connections.opened = 0;
    },
    /** Stops listening and ends every connection, hung and streaming answers included. */
    close() {
      closing ??= new Promise((resolve) => {
        w.releaseAll();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of webSockets) socket.destroy();
      });
      return closing;
    },
  };
}
