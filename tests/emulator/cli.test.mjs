// The `keystamp emulator` command of the installed package: what it prints, that it serves, that
// SIGINT and SIGTERM end it with exit 0, its argument errors, and `npx keystamp emulator` in the
// consumer project scripts/pack.sh installs the tarball into.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants, realpathSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_DIR = dirname(createRequire(import.meta.url).resolve('keystamp/package.json'));
const BIN = join(PACKAGE_DIR, 'bin/keystamp.js');
const CONSUMER = fileURLToPath(new URL('../.artifacts/consumer/', import.meta.url));
const PROVIDERS = ['defindex', 'deltadefi', 'adjutor', 'depay', 'kiiex'];

/** Starts `command args` and resolves once stdout holds `until`; the process is killed after the test. */
async function start(t, command, args, { until = '\n', ...options } = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  let out = '';
  child.stdout.setEncoding('utf8');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  for await (const chunk of child.stdout) {
    out += chunk;
    if (out.includes(until)) break;
  }
  clearTimeout(timer);
  return { child, out };
}

const status = (url) => fetch(url).then((r) => r.status, () => 'down');

test('keystamp emulator --json: one line {url, baseUrls, wsUrls, credentials, variants}; variants and lifetimes applied; SIGTERM exits 0', async (t) => {
  const { child, out } = await start(t, process.execPath, [BIN, 'emulator', '--json', '--port', '0', '--variant', 'depayExpiresInType=number',
    '--variant=defindexRefreshRejectStatus=401', '--lifetime', 'depay=2']);
  assert.ok(out.endsWith('\n') && out.indexOf('\n') === out.length - 1, 'exactly one line');
  const info = JSON.parse(out);
  assert.deepEqual(Object.keys(info), ['url', 'baseUrls', 'wsUrls', 'credentials', 'variants']);
  assert.deepEqual(info.wsUrls, { kiiex: `${info.url.replace('http:', 'ws:')}/kiiex/WSGateway/` });
  assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.deepEqual(Object.keys(info.baseUrls), PROVIDERS);
  assert.equal(info.baseUrls.kiiex, `${info.url}/kiiex/ap`);
  assert.equal(info.credentials.depay.apiKey, 'depay_test_key_0001');
  assert.equal(info.variants.depayExpiresInType, 'number');
  const token = await (await fetch(`${info.baseUrls.depay}/auth/token`, { headers: { 'x-api-key': info.credentials.depay.apiKey } })).json();
  assert.equal(token.expiresIn, 2, 'the variant and the lifetime were applied');
  assert.equal((await fetch(`${info.baseUrls.defindex}/refresh`, { method: 'POST' })).status, 401, 'defindexRefreshRejectStatus=401');
  child.kill('SIGTERM');
  assert.deepEqual(await once(child, 'exit'), [0, null]);
  assert.equal(await status(`${info.url}/`), 'down');
});

test('keystamp emulator (the installed bin, run directly): a table of base URLs and credentials; SIGINT exits 0', async (t) => {
  const linked = join(CONSUMER, 'node_modules/.bin/keystamp');
  assert.equal(realpathSync(linked), realpathSync(BIN), 'npm linked the bin');
  accessSync(linked, constants.X_OK);
  const { child, out } = await start(t, linked, ['emulator', '--variant', 'depayAnswerShape=wrapped'], { until: 'variants:' });
  const urls = Object.fromEntries([...out.matchAll(/^ {2}(\w+) +(http:\/\/127\.0\.0\.1:\d+\S*)$/gm)].map((m) => [m[1], m[2]]));
  assert.deepEqual(Object.keys(urls), PROVIDERS);
  const origin = /listening on (http:\/\/127\.0\.0\.1:\d+) /.exec(out)[1];
  assert.equal(urls.adjutor, `${origin}/adjutor/v2`);
  assert.match(out, new RegExp(`^ {2}kiiex ws +${origin.replace('http:', 'ws:')}/kiiex/WSGateway/$`, 'm'));
  assert.match(out, /^ {2}depay +\{"apiKey":"depay_test_key_0001","customerUuid":"0f8fad5b-d9cb-469f-a165-70867728950e"\}$/m);
  assert.match(out, /^variants: depayAnswerShape="wrapped"/m);
  const res = await fetch(`${urls.depay}/auth/token`, { headers: { 'x-api-key': 'depay_test_key_0001' } });
  assert.deepEqual(Object.keys(await res.json()), ['response']);
  child.kill('SIGINT');
  assert.deepEqual(await once(child, 'exit'), [0, null]);
  assert.equal(await status(urls.depay), 'down');
});

test('keystamp: bad arguments print the usage on stderr and exit 2; --help exits 0; a busy port exits 3', async (t) => {
  const run = (args) => new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
  const cases = [[], ['serve'], ['emulator', '--port', 'abc'], ['emulator', '--port', '70000'], ['emulator', '--port'], ['emulator', '--bogus'],
    ['emulator', '--variant', 'nope=1'], ['emulator', '--variant', 'kiiexResponseCase=snake'], ['emulator', '--variant', 'noequals'],
    ['emulator', '--lifetime', 'depay=1.5'], ['emulator', '--lifetime', 'kiiex=1']];
  const results = await Promise.all(cases.map(run));
  for (const [i, r] of results.entries()) {
    assert.equal(r.code, 2, cases[i].join(' '));
    assert.match(r.stderr, /usage: keystamp emulator/, cases[i].join(' '));
    assert.equal(r.stdout, '', cases[i].join(' '));
  }
  assert.match(results[6].stderr, /unknown emulator variant: nope/);
  const help = await run(['--help']);
  assert.deepEqual([help.code, help.stderr], [0, '']);
  assert.match(help.stdout, /^usage: keystamp emulator/);
  const busy = createServer();
  await new Promise((resolve) => busy.listen(0, '127.0.0.1', resolve));
  t.after(() => busy.close());
  const taken = await run(['emulator', '--port', String(busy.address().port)]);
  assert.equal(taken.code, 3);
  assert.match(taken.stderr, /cannot start the emulator: .*EADDRINUSE/);
});

test('npx keystamp emulator in the consumer project prints the base URLs; Ctrl-C (SIGINT to the group) stops it', async (t) => {
  const { child, out } = await start(t, 'npx', ['--no', 'keystamp', 'emulator', '--port', '0'], { cwd: CONSUMER, detached: true, until: 'variants:' });
  t.after(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ } });
  const kiiex = /^ {2}kiiex +(\S+)$/m.exec(out)[1];
  assert.equal(await status(`${kiiex}/GetUserInfo`), 401, 'serving');
  process.kill(-child.pid, 'SIGINT'); // what a terminal's Ctrl-C does: the whole foreground group
  await once(child, 'exit');
  await new Promise((resolve) => { setTimeout(resolve, 100); });
  assert.equal(await status(`${kiiex}/GetUserInfo`), 'down');
});
