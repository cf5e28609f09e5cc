// Token stores: where a fleet of processes keeps one credential's sealed token record, and the
// lease that lets exactly one of them run an auth exchange at a time. A store only moves bytes:
// the record is sealed by the core (AES-256-GCM), its key is an opaque name, and the store never
// knows a provider. The interface (README "Fleets"):
//
//   get(key, { signal })                       -> Promise<Uint8Array | null>
//   acquire(key, owner, ttlMs, { signal })     -> Promise<boolean>   lease: taken when nobody holds it
//   release(key, owner, { signal })            -> Promise<boolean>   only the owner's lease is removed
//   put(key, bytes, fence, ttlMs, { signal })  -> Promise<boolean>   written only if fence > stored fence
//   incr(key, floor, ttlMs, { signal })        -> Promise<number>    optional: max(floor, stored + 1), atomic
//
// Every call is bounded: by the caller's `signal` and by the store's own `timeoutMs`. A store
// that is down or slow rejects (fast when the client knows it is disconnected); it never hangs.
import { Scope, fail } from './perform.js';

const storeError = (message, cause) => fail('network_error', `token store: ${message}`, { cause });

/** Settles with `promise`, or rejects when `signal` aborts or `timeoutMs` passes first (the
 * Client's own deadline mechanism). A late settlement of `promise` is absorbed. */
async function bounded(promise, signal, timeoutMs) {
  const scope = new Scope(signal, timeoutMs);
  try {
    return await scope.wait(promise);
  } catch (error) {
    if (!scope.aborted) throw storeError('the store failed', error);
    throw error.code === 'timeout' ? storeError(`no answer within ${timeoutMs} ms`) : storeError('the call was abandoned', scope.signal.reason);
  } finally {
    scope.end();
  }
}

function checkTtl(ttlMs) {
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1) throw fail('invalid_argument', 'must be a positive integer (ms)', { field: 'ttlMs' });
}

function toBase64(bytes) {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * An in-memory store: the default behaviour (tokens live in the process), made explicit. Share
 * one between the Clients of a process (or of a Worker isolate) that use the same credential.
 * `now` is the clock (ms), for tests.
 */
export function memoryStore({ now = Date.now } = {}) {
  const records = new Map(); // key -> { fence, bytes, expiresAt }
  const leases = new Map(); // key -> { owner, expiresAt }
  const counters = new Map(); // key -> { value, expiresAt }
  const live = (map, key) => {
    const entry = map.get(key);
    if (entry !== undefined && entry.expiresAt <= now()) map.delete(key);
    return map.get(key);
  };
  return {
    async get(key) {
      const entry = live(records, key);
      return entry === undefined ? null : entry.bytes.slice();
    },
    async acquire(key, owner, ttlMs) {
      checkTtl(ttlMs);
      if (live(leases, key) !== undefined) return false;
      leases.set(key, { owner, expiresAt: now() + ttlMs });
      return true;
    },
    async release(key, owner) {
      if (live(leases, key)?.owner !== owner) return false;
      leases.delete(key);
      return true;
    },
    async put(key, bytes, fence, ttlMs) {
      checkTtl(ttlMs);
      const entry = live(records, key);
      if (entry !== undefined && !(fence > entry.fence)) return false;
      records.set(key, { fence, bytes: Uint8Array.from(bytes), expiresAt: now() + ttlMs });
      return true;
    },
    async incr(key, floor = 0, ttlMs = 86_400_000) {
      checkTtl(ttlMs);
      const value = Math.max(floor, (live(counters, key)?.value ?? 0) + 1);
      counters.set(key, { value, expiresAt: now() + ttlMs });
      return value;
    },
  };
}

// One script per multi-step operation, each touching one key, so every step is atomic in Redis.
/** Writes `data` and `fence` only when `fence` is greater than the stored fence. */
const PUT = `local cur = redis.call('HGET', KEYS[1], 'fence')
if cur and tonumber(cur) >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'fence', ARGV[1], 'data', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;
/** Deletes the lease only when `owner` holds it. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;
/** max(floor, stored + 1), stored back with an expiry; returned as a decimal string. */
const INCR = `local n = math.max(tonumber(ARGV[1]), (tonumber(redis.call('GET', KEYS[1])) or 0) + 1)
local s = string.format('%.0f', n)
redis.call('SET', KEYS[1], s, 'PX', ARGV[2])
return s`;

/** How to send a raw command with a node-redis (v4+) or an ioredis (v5+) client. */
function commander(client) {
  // ioredis: `call(name, ...args)`, connection state in `status`.
  if (client !== null && typeof client === 'object' && typeof client.call === 'function' && typeof client.status === 'string') {
    return { ready: () => client.status === 'ready', send: (args) => client.call(...args) };
  }
  // node-redis: `sendCommand([name, ...args])`, connection state in `isReady`.
  if (client !== null && typeof client === 'object' && typeof client.sendCommand === 'function') {
    return { ready: () => client.isReady !== false, send: (args) => client.sendCommand(args) };
  }
  throw fail('invalid_argument', 'redisStore: give a connected client of the `redis` (node-redis v4+) or `ioredis` package');
}

/**
 * A Redis store over a connected client of the `redis` package (node-redis v4+) or of `ioredis`
 * (keystamp depends on neither). Layout, under `prefix` (default "keystamp:"), with a hash tag so
 * that a record and its lease live on the same cluster slot:
 *   <prefix>{<key>}        hash { fence, data: base64 of the sealed record }, expires with the record
 *   <prefix>{<key>}:lease  the lease owner's random token (SET NX PX)
 *   <prefix>{<key>}:nonce  the counter of `incr`
 * Every call rejects after `timeoutMs` (default 1000) or when its `signal` aborts, and at once
 * while the client reports that it is not connected.
 */
export function redisStore(client, { prefix = 'keystamp:', timeoutMs = 1000 } = {}) {
  const { ready, send } = commander(client);
  if (typeof prefix !== 'string') throw fail('invalid_argument', 'must be a string', { field: 'prefix' });
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) throw fail('invalid_argument', 'must be a positive integer (ms)', { field: 'timeoutMs' });
  const name = (key, suffix = '') => `${prefix}{${key}}${suffix}`;
  const run = (args, signal) => {
    if (!ready()) return Promise.reject(storeError('the Redis client is not connected'));
    let sent;
    try {
      sent = send(args.map(String));
    } catch (err) {
      return Promise.reject(storeError('the store failed', err));
    }
    return bounded(sent, signal, timeoutMs);
  };
  return {
    async get(key, { signal } = {}) {
      const data = await run(['HGET', name(key), 'data'], signal);
      return data === null || data === undefined ? null : fromBase64(String(data));
    },
    async acquire(key, owner, ttlMs, { signal } = {}) {
      checkTtl(ttlMs);
      return (await run(['SET', name(key, ':lease'), owner, 'NX', 'PX', ttlMs], signal)) === 'OK';
    },
    async release(key, owner, { signal } = {}) {
      return Number(await run(['EVAL', RELEASE, 1, name(key, ':lease'), owner], signal)) === 1;
    },
    async put(key, bytes, fence, ttlMs, { signal } = {}) {
      checkTtl(ttlMs);
      if (!Number.isSafeInteger(fence)) throw fail('invalid_argument', 'must be an integer', { field: 'fence' });
      return Number(await run(['EVAL', PUT, 1, name(key), fence, toBase64(bytes), ttlMs], signal)) === 1;
    },
    async incr(key, floor = 0, ttlMs = 86_400_000, { signal } = {}) {
      checkTtl(ttlMs);
      return Number(await run(['EVAL', INCR, 1, name(key, ':nonce'), Math.max(0, Math.floor(floor)), ttlMs], signal));
    },
  };
}
