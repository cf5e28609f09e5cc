// Failure injection: the checked form of a failNext spec, the reply it replaces or modifies, and
// the ways an answer can be delivered badly (late, never, slowly, endlessly, hugely). Every wait
// is registered so that close() ends it at once.

const SPEC_KEYS = new Set([
  'times', 'status', 'body', 'rawBody', 'bodyBytes', 'junk', 'hugeBody', 'headers', 'retryAfter', 'dateOffsetMs',
  'delayMs', 'hang', 'reset', 'slowBody', 'neverEnd', 'tokenLifetimeSec',
]);
/** Keys whose presence makes the injected answer replace the provider's own. */
const REPLACING = ['status', 'body', 'rawBody', 'bodyBytes', 'junk', 'hugeBody'];

export const DEFAULT_HUGE_BYTES = 256 * 1024 * 1024;
const JUNK = '<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>';
const HUGE_PREFIX = Buffer.from('{"expiresIn":"3600","accessToken":"');
const HUGE_SUFFIX = Buffer.from('"}');

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const nonNegative = (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
function fail(message) { throw new Error(`failNext: ${message}`); }

/** Checks a failNext spec and returns its normalized copy (`times` left to count down). */
export function checkSpec(spec) {
  if (!isObject(spec)) fail('the spec is an object');
  for (const key of Object.keys(spec)) if (!SPEC_KEYS.has(key)) fail(`unknown key ${key}`);
  const s = { ...spec, times: spec.times ?? 1 };
  if (!(Number.isInteger(s.times) && s.times >= 1) && s.times !== Infinity) fail('times must be a positive integer (or Infinity: until clearFailures)');
  if (s.status !== undefined && !(Number.isInteger(s.status) && s.status >= 100 && s.status <= 599)) fail('status is an HTTP status (100-599)');
  if (s.rawBody !== undefined && typeof s.rawBody !== 'string' && !Buffer.isBuffer(s.rawBody)) fail('rawBody is a string or a Buffer');
  if (s.bodyBytes !== undefined && !(Number.isInteger(s.bodyBytes) && s.bodyBytes >= 0)) fail('bodyBytes is a byte count');
  if (s.bodyBytes !== undefined && (s.rawBody !== undefined || (s.body !== undefined && !isObject(s.body)))) fail('bodyBytes pads a JSON object body');
  for (const flag of ['junk', 'hang', 'reset', 'neverEnd']) if (s[flag] !== undefined && typeof s[flag] !== 'boolean') fail(`${flag} is a boolean`);
  if (s.hang && s.reset) fail('hang and reset exclude each other');
  if (s.hugeBody !== undefined) {
    const huge = s.hugeBody === true ? {} : s.hugeBody;
    if (!isObject(huge)) fail('hugeBody is true or {bytes?, contentLength?}');
    s.hugeBody = { bytes: huge.bytes ?? DEFAULT_HUGE_BYTES, contentLength: huge.contentLength ?? false };
    if (!Number.isSafeInteger(s.hugeBody.bytes) || s.hugeBody.bytes < HUGE_PREFIX.length + HUGE_SUFFIX.length) fail('hugeBody.bytes is too small');
  }
  if (s.slowBody !== undefined) {
    const slow = s.slowBody === true ? {} : s.slowBody;
    if (!isObject(slow)) fail('slowBody is true or {chunkBytes?, intervalMs?}');
    s.slowBody = { chunkBytes: slow.chunkBytes ?? 1, intervalMs: slow.intervalMs ?? 50 };
    if (!Number.isInteger(s.slowBody.chunkBytes) || s.slowBody.chunkBytes < 1 || !nonNegative(s.slowBody.intervalMs)) fail('slowBody wants chunkBytes >= 1 and intervalMs >= 0');
  }
  if (s.headers !== undefined && !(isObject(s.headers) && Object.values(s.headers).every((v) => typeof v === 'string'))) fail('headers maps names to strings');
  if (s.retryAfter !== undefined && !(Number.isInteger(s.retryAfter) && s.retryAfter >= 0) && !(s.retryAfter instanceof Date && Number.isFinite(s.retryAfter.getTime())) && typeof s.retryAfter !== 'string') {
    fail('retryAfter is whole seconds, a Date, or a string sent verbatim');
  }
  for (const key of ['delayMs']) if (s[key] !== undefined && !nonNegative(s[key])) fail(`${key} is a non-negative number`);
  for (const key of ['dateOffsetMs', 'tokenLifetimeSec']) if (s[key] !== undefined && !Number.isInteger(s[key])) fail(`${key} is an integer`);
  s.replaces = REPLACING.some((key) => s[key] !== undefined);
  return s;
}

/** The injected answer of a replacing spec: `{status, headers, text | huge}`. */
export function injectedReply(spec) {
  const status = spec.status ?? 200;
  if (spec.hugeBody !== undefined) return { status, headers: {}, huge: spec.hugeBody };
  if (spec.junk) return { status, headers: { 'content-type': 'text/html' }, text: JUNK };
  if (spec.rawBody !== undefined) return { status, headers: {}, text: spec.rawBody };
  let text = JSON.stringify(spec.body ?? {});
  if (spec.bodyBytes !== undefined) {
    const base = Buffer.byteLength(JSON.stringify({ ...spec.body, padding: '' }));
    if (spec.bodyBytes < base) fail(`bodyBytes is below the ${base} bytes of the body`);
    text = JSON.stringify({ ...spec.body, padding: 'x'.repeat(spec.bodyBytes - base) });
  }
  return { status, headers: {}, text };
}

/** The Retry-After header value of a spec's `retryAfter`. */
export const retryAfterValue = (value) => (value instanceof Date ? value.toUTCString() : String(value));

/** Waits that close() can end: sleeps, and holds until a response closes. */
export function waits() {
  const release = new Set();
  let closed = false;
  const wait = (start) => new Promise((resolve) => {
    if (closed) { resolve(); return; }
    let cleanup;
    const done = () => {
      if (!release.delete(done)) return;
      cleanup?.();
      resolve();
    };
    release.add(done);
    cleanup = start(done);
  });
  return {
    get closed() { return closed; },
    sleep: (ms) => wait((done) => { const timer = setTimeout(done, ms); return () => clearTimeout(timer); }),
    /** Resolves when `res` closes (the client gave up) or the emulator closes. */
    untilClosed: (res) => wait((done) => {
      if (res.destroyed) { done(); return undefined; }
      res.once('close', done);
      return () => res.off('close', done);
    }),
    /** Resolves on `drain` or close. */
    drain: (res) => wait((done) => {
      res.once('drain', done);
      res.once('close', done);
      return () => { res.off('drain', done); res.off('close', done); };
    }),
    releaseAll() {
      closed = true;
      for (const done of [...release]) done();
      release.clear();
    },
  };
}

/** Writes `reply` to `res`, slowly, endlessly or hugely as the spec says. */
export async function deliver(res, reply, spec, w) {
  if (res.destroyed) return; // the client left while the answer was delayed
  if (reply.huge !== undefined) return deliverHuge(res, reply, w);
  const bytes = Buffer.isBuffer(reply.text) ? reply.text : Buffer.from(reply.text);
  if (spec?.neverEnd) {
    // Headers and the first half of the body, then nothing: the answer never ends.
    res.writeHead(reply.status, reply.headers);
    res.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
    await w.untilClosed(res);
    res.destroy();
    return;
  }
  if (spec?.slowBody !== undefined) {
    const { chunkBytes, intervalMs } = spec.slowBody;
    res.writeHead(reply.status, { ...reply.headers, 'content-length': String(bytes.length) });
    for (let at = 0; at < bytes.length; at += chunkBytes) {
      if (at > 0) await w.sleep(intervalMs);
      if (w.closed || res.destroyed) { res.destroy(); return; }
      res.write(bytes.subarray(at, at + chunkBytes));
    }
    res.end();
    return;
  }
  res.writeHead(reply.status, { ...reply.headers, 'content-length': String(bytes.length) });
  res.end(bytes);
}

/** Streams `huge.bytes` bytes of a JSON token answer whose accessToken never seems to end,
 * 64 KiB at a time with back-pressure: never more than one chunk in memory. */
async function deliverHuge(res, reply, w) {
  const { bytes, contentLength } = reply.huge;
  const headers = contentLength ? { ...reply.headers, 'content-length': String(bytes) } : reply.headers;
  res.writeHead(reply.status, headers);
  const chunk = Buffer.alloc(64 * 1024, 'a');
  let left = bytes - HUGE_PREFIX.length - HUGE_SUFFIX.length;
  let more = res.write(HUGE_PREFIX);
  while (left > 0) {
    if (!more) await w.drain(res);
    if (w.closed || res.destroyed) { res.destroy(); return; }
    const n = Math.min(left, chunk.length);
    more = res.write(n === chunk.length ? chunk : chunk.subarray(0, n));
    left -= n;
  }
  res.end(HUGE_SUFFIX);
}
