// Cloudflare fleets in the real workerd runtime (`wrangler dev --local`, two configs): Worker A
// exports `DepayTokens extends TokenObject` (keystamp/cloudflare); Worker B, another script and
// so another isolate, is bound to the same Durable Object namespace. 200 concurrent requests
// spread over both Workers, during one slow token exchange, make exactly one token request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from 'keystamp/emulator';
import { ARTIFACTS, BIN, livingInGroup, run, startGroup, tarball } from '../runtimes/helpers.mjs';

const WORKERS = fileURLToPath(new URL('./workers/', import.meta.url));
let emu;
let wrangler;
let url;
let dir;

before(async () => {
  emu = await startEmulator();
  dir = join(ARTIFACTS, 'fleet', 'workers');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(WORKERS, dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'keystamp-fleet-workers', private: true, type: 'module' })}\n`);
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball()], { cwd: dir, timeout: 60_000 });
  // Secrets of local `wrangler dev` sessions live in .dev.vars next to each configuration.
  writeFileSync(join(dir, 'a', '.dev.vars'), `DEPAY_BASE_URL=${emu.baseUrls.depay}\nDEPAY_API_KEY=${emu.credentials.depay.apiKey}\n`);
  writeFileSync(join(dir, 'b', '.dev.vars'), `DEPAY_BASE_URL=${emu.baseUrls.depay}\n`);

  await startWrangler();
});

/** `wrangler dev` with both configurations; local storage persists in the folder between runs. */
async function startWrangler() {
  wrangler = startGroup(join(BIN, 'wrangler'), [
    'dev', '-c', 'a/wrangler.toml', '-c', 'b/wrangler.toml', '--local', '--ip', '127.0.0.1', '--port', '0',
    '--inspector-port', '0', '--show-interactive-dev-session=false', '--log-level', 'info',
  ], {
    cwd: dir,
    env: {
      CI: '1',
      WRANGLER_SEND_METRICS: 'false',
      WRANGLER_HIDE_BANNER: 'true',
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      WRANGLER_LOG_PATH: join(dir, '.wrangler', 'logs'),
      XDG_CONFIG_HOME: join(dir, '.config'),
      NO_COLOR: '1',
    },
  });
  [, url] = await wrangler.waitFor(/Ready on (http:\/\/127\.0\.0\.1:\d+)/, 60_000);
}

async function stopWrangler() {
  await wrangler.stop();
  assert.deepEqual(livingInGroup(wrangler.pid), [], 'wrangler and workerd have all ended');
  wrangler = undefined;
}

after(async () => {
  if (wrangler) await stopWrangler();
  await emu?.close();
});

async function call(worker, name) {
  const res = await fetch(`${url}/${worker}/call${name === undefined ? '' : `?name=${name}`}`);
  return { status: res.status, body: await res.json() };
}

test('200 concurrent requests over two Worker scripts during one slow exchange: exactly 1 token request', async () => {
  emu.reset();
  emu.failNext('depay', 'auth', { delayMs: 600 }); // the exchange is slow: every request piles up behind it
  const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => call(i % 2 === 0 ? 'a' : 'b')));

  assert.equal(emu.count('depay', 'auth'), 1, 'one token request for both isolates');
  assert.deepEqual(answers.map((a) => a.status), Array(200).fill(200));
  assert.deepEqual(answers.map((a) => a.body.status), Array(200).fill(200), 'the emulator accepted every call');
  assert.deepEqual(answers.filter((a) => a.body.worker === 'a').length, 100);
  assert.deepEqual(answers.filter((a) => a.body.worker === 'b').length, 100);
  const authorizations = new Set(answers.map((a) => a.body.authorization));
  assert.equal(authorizations.size, 1, 'every isolate got the same token');
  assert.match([...authorizations][0], /^Bearer eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.equal(emu.count('depay', 'api'), 200);

  const token = emu.requests.find((r) => r.route === 'auth');
  assert.equal(token.headers['x-api-key'], emu.credentials.depay.apiKey);
});

test('later requests from both Workers reuse the token: no new exchange', async () => {
  emu.reset();
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => call(i % 2 === 0 ? 'a' : 'b')));
  assert.deepEqual(answers.map((a) => a.body.status), Array(20).fill(200));
  assert.equal(emu.count('depay', 'auth'), 0);
});

test("the object's errors reach both Workers as KeystampError fields", async () => {
  emu.reset();
  // Another object of the namespace (another name): its first exchange is refused.
  emu.failNext('depay', 'auth', { status: 403, body: { statusCode: 403, message: 'Forbidden resource' } });
  const refused = await call('b', 'second');
  assert.deepEqual(refused, { status: 502, body: { worker: 'b', error: { code: 'auth_rejected', provider: 'depay', status: 403 } } });
  const again = await call('a', 'second');
  assert.equal(again.body.status, 200, 'failures are not cached: the next call authenticates');
  assert.equal(emu.count('depay', 'auth'), 2);
});

test("the object's storage holds only a sealed record: no key, no token", async () => {
  const stored = await (await fetch(`${url}/a/dump`)).json();
  const entries = Object.entries(stored);
  assert.equal(entries.length, 1, JSON.stringify(Object.keys(stored)));
  const [[name, record]] = entries;
  assert.match(name, /^record:[0-9a-f]{32}$/);
  assert.equal(record.fence, 1);
  const text = JSON.stringify(stored) + Buffer.from(record.bytes, 'base64').toString('latin1');
  const token = (await call('a')).body.authorization.replace('Bearer ', '');
  for (const secret of [emu.credentials.depay.apiKey, token]) assert.ok(!text.includes(secret), 'a secret in the storage');
});

test('a new instance of the object (wrangler restarted) takes the stored token over: no new exchange', async () => {
  const before = (await call('b')).body.authorization;
  await stopWrangler();
  await startWrangler();
  emu.reset();
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => call(i % 2 === 0 ? 'a' : 'b')));
  assert.deepEqual(answers.map((a) => a.body.status), Array(20).fill(200));
  assert.equal(emu.count('depay', 'auth'), 0, 'the token came from the storage');
  assert.deepEqual([...new Set(answers.map((a) => a.body.authorization))], [before]);
});
