// The keystamp page in headless Chromium: the Kiiex vectors typed in give the exact signature,
// message and headers; every other provider's exact headers (Adjutor's x-access-token too); the
// DePay callback checker on every committed callback vector; errors with the library's code and
// no secret; a Content-Security-Policy in force; no request to any other origin; no horizontal
// scrolling at phone width. Screenshots go to tests/.artifacts/www-{desktop,phone,depay-callback}.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, request } from 'node:http';
import { access, mkdir, readFile } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import { startServer } from './serve.mjs';

const repo = new URL('../', import.meta.url);
const artifacts = new URL('tests/.artifacts/', repo);
const vectors = JSON.parse(await readFile(new URL('tests/vectors.json', repo), 'utf8')).kiiex;
const callbacks = JSON.parse(await readFile(new URL('tests/depay-callbacks.json', repo), 'utf8')).depayCallbacks;

const EXPECTED_CSP = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
  + "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const SECRET_FIELDS = new Set(['apiKey', 'apiSecret', 'accessToken', 'sessionToken']);
const hmacHex = (secret, message) => createHmac('sha256', secret).update(message, 'utf8').digest('hex');

let server;
let browser;
let context;
let page;
/** Every request the page made, and what went wrong on it. */
const requests = [];
const pageErrors = [];

async function waitForBuild() {
  const wasm = new URL('pkg/dist/keystamp_bg.wasm', repo);
  for (let tries = 0; ; tries++) {
    try {
      return await access(wasm);
    } catch {
      if (tries === 20) throw new Error('pkg/dist/ is missing: run `bash scripts/build.sh` first');
      await new Promise((r) => setTimeout(r, 1000)); // a rebuild may be under way
    }
  }
}

before(async () => {
  await waitForBuild();
  server = await startServer({ port: 0 });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url.slice(0, -1) });
  page = await context.newPage();
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective));
  });
  await page.goto(`${server.url}#kiiex`);
  await page.waitForSelector('#status[data-state="ready"]', { timeout: 10_000 });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

// --- helpers ---------------------------------------------------------------------------------

async function choose(provider) {
  await page.click(`label[for="provider-${provider}"]`);
  await page.click('#clear');
}

async function fill(provider, values, { typed = false } = {}) {
  for (const [key, value] of Object.entries(values)) {
    const input = page.locator(`#${provider}-${key}`);
    await input.fill('');
    if (typed) await input.pressSequentially(value);
    else await input.fill(value);
  }
}

function headersOf(block) {
  return page.$$eval(`[data-block="${block}"] .header-row`, (rows) => rows.map((r) => [
    r.querySelector('.header-name').textContent, r.querySelector('.header-value').textContent]));
}

function errorOf(block) {
  return page.$eval(`[data-block="${block}"] .error`, (el) => ({
    code: el.dataset.code,
    shownCode: el.querySelector('.error-code').textContent,
    message: el.querySelector('.error-message').textContent,
    text: el.textContent,
  }));
}

const textOf = (selector) => page.locator(selector).textContent();
const curlOf = (block) => textOf(`[data-block="${block}"] .curl-text`);

function rawGet(path, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

// --- the server ------------------------------------------------------------------------------

test('the server sends the strict CSP and the right content type for every file the page uses', async () => {
  const cases = [
    ['/', 'text/html; charset=utf-8'],
    ['/app.js', 'text/javascript; charset=utf-8'],
    ['/style.css', 'text/css; charset=utf-8'],
    ['/favicon.svg', 'image/svg+xml'],
    ['/pkg/entries/web.js', 'text/javascript; charset=utf-8'],
    ['/pkg/dist/keystamp.js', 'text/javascript; charset=utf-8'],
    ['/pkg/dist/keystamp_bg.wasm', 'application/wasm'],
  ];
  for (const [path, type] of cases) {
    const res = await rawGet(path);
    assert.equal(res.status, 200, path);
    assert.equal(res.headers['content-type'], type, path);
    assert.equal(res.headers['content-security-policy'], EXPECTED_CSP, path);
    assert.equal(res.headers['x-content-type-options'], 'nosniff', path);
  }
});

test('the server serves nothing outside www/ and pkg/, and nothing but page files', async () => {
  // A .js file outside both roots that surely exists: the test itself imports it.
  await access(new URL('node_modules/playwright-core/index.js', repo));
  const outside = 'node_modules/playwright-core/index.js';
  const refused = [
    `/../${outside}`, `/pkg/../${outside}`, `/pkg/dist/../../${outside}`, `/%2e%2e/${outside}`,
    `/pkg/%2e%2e/${outside}`, `/pkg/..%2f${outside}`, `/pkg/dist/..%2f..%2f${outside}`,
    `/..%5c${outside}`, `/pkg/%2e%2e%2f${encodeURIComponent(outside)}`, `//${outside}`,
    '/pkg//entries/web.js', '/pkg/./entries/web.js', '/serve.mjs', '/www.test.mjs',
    '/pkg/package.json', '/pkg/index.d.ts', '/%E0%A4%A.js', '/missing.js', '/pkgx/entries/web.js',
  ];
  for (const path of refused) {
    const res = await rawGet(path);
    assert.equal(res.status, 404, path);
    assert.equal(res.headers['content-security-policy'], EXPECTED_CSP, path);
  }
  assert.equal((await rawGet('/', 'POST')).status, 405);
  assert.equal((await rawGet('/app.js', 'HEAD')).status, 200);
});

// --- the page --------------------------------------------------------------------------------

test('a Content-Security-Policy is in force: no inline script, no code from strings, no other origin', async () => {
  const response = await page.reload();
  await page.waitForSelector('#status[data-state="ready"]');
  assert.equal(response.headers()['content-security-policy'], EXPECTED_CSP);
  const meta = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
  assert.equal(meta, EXPECTED_CSP.replace("; frame-ancestors 'none'", ''));

  // A listener on another origin: it must never hear from the page.
  let hits = 0;
  const other = createServer((req, res) => { hits += 1; res.end('no'); });
  await new Promise((r) => other.listen(0, '127.0.0.1', r));
  const otherUrl = `http://127.0.0.1:${other.address().port}/steal`;
  const probe = await context.newPage();
  try {
    await probe.addInitScript(() => {
      window.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective));
    });
    await probe.goto(server.url);
    const outcome = await probe.evaluate(async (url) => {
      const result = {};
      setTimeout('window.stringCodeRan = true', 0); // code from a string, as eval would run it
      const script = document.createElement('script');
      script.textContent = 'window.inlineRan = true';
      document.body.append(script);
      result.inline = window.inlineRan === true;
      result.fetch = await fetch(url, { method: 'POST', body: 'secret' }).then(() => 'sent', (e) => e.name);
      const img = new Image();
      result.image = await new Promise((r) => { img.onload = () => r('loaded'); img.onerror = () => r('blocked'); img.src = url; });
      await new Promise((r) => setTimeout(r, 200));
      result.stringCode = window.stringCodeRan === true;
      return { ...result, violations: [...new Set(window.cspViolations)].sort() };
    }, otherUrl);
    assert.deepEqual(outcome, {
      inline: false, fetch: 'TypeError', image: 'blocked', stringCode: false,
      violations: ['connect-src', 'img-src', 'script-src', 'script-src-elem'],
    });
    assert.equal(hits, 0, 'the other origin received a request');
  } finally {
    await probe.close();
    await new Promise((r) => other.close(r));
  }
});

test('every Kiiex vector: the exact message, nonce, signature and AuthenticateUser headers', async () => {
  assert.equal(vectors.length, 5);
  for (const [i, v] of vectors.entries()) {
    assert.equal(hmacHex(v.apiSecret, v.nonce + v.userId + v.apiKey), v.signature, `vector ${i} itself`);
    await choose('kiiex');
    const { apiKey, apiSecret, userId, nonce } = v;
    await fill('kiiex', { apiKey, apiSecret, userId, nonce }, { typed: i === 0 });

    assert.equal(await textOf('#out-signature'), v.signature, `vector ${i}`);
    assert.equal(await textOf('#out-message'), nonce + userId + apiKey, `vector ${i}`);
    assert.equal(await textOf('#out-nonce'), nonce, `vector ${i}`);
    const bytes = Buffer.byteLength(nonce + userId + apiKey);
    assert.match(await textOf('#out-message + .legend'), new RegExp(` ${bytes} bytes of UTF-8$`));

    if (/^[\x21-\x7e]+$/.test(userId)) {
      assert.deepEqual(await headersOf('authenticate'),
        [['APIKey', apiKey], ['Signature', v.signature], ['UserId', userId], ['Nonce', nonce]], `vector ${i}`);
      assert.equal(await page.locator('.error').count(), 0, `vector ${i}`);
    } else {
      // Signed over UTF-8, but an HTTP header cannot carry it: the signature stays, the headers fail.
      assert.deepEqual(await headersOf('authenticate'), []);
      const error = await errorOf('authenticate');
      assert.equal(error.code, 'invalid_header_value');
      assert.equal(error.shownCode, 'invalid_header_value');
      assert.equal(error.message, 'kiiex: userId: contains a non-ASCII character');
      assert.match(error.text, /signature above is still the HMAC/);
      assert.equal(await page.getAttribute('#kiiex-userId', 'aria-invalid'), 'true');
      assert.equal(await textOf('#kiiex-userId-error'), 'invalid_header_value kiiex: userId: contains a non-ASCII character');
    }
  }
  const first = vectors[0];
  await choose('kiiex');
  await fill('kiiex', { apiKey: first.apiKey, apiSecret: first.apiSecret, userId: first.userId, nonce: first.nonce });
  assert.equal(await curlOf('authenticate'), [
    "curl 'https://alphaprod.proxy.kiiex.io/ap/AuthenticateUser' \\",
    "  -H 'APIKey: APIKEY_FROM_DASHBOARD' \\",
    `  -H 'Signature: ${first.signature}' \\`,
    "  -H 'UserId: 42' \\",
    "  -H 'Nonce: 1700000000000'",
  ].join('\n'));
  await page.selectOption('#kiiex-base', 'https://apstage.proxy.kiiex.io/ap');
  assert.match(await curlOf('authenticate'), /^curl 'https:\/\/apstage\.proxy\.kiiex\.io\/ap\/AuthenticateUser' \\\n/);
  await page.selectOption('#kiiex-base', 'https://alphaprod.proxy.kiiex.io/ap');
});

test('every other provider: the exact headers, and the curl line that uses them', async () => {
  const cases = [
    { provider: 'defindex', values: { apiKey: 'sk_live_4f2a9c' }, block: 'api-calls',
      headers: [['Authorization', 'Bearer sk_live_4f2a9c']], url: 'https://api.defindex.io/<path>' },
    { provider: 'deltadefi', values: { apiKey: 'ddk-0a1b2c3d' }, block: 'api-calls',
      headers: [['X-API-KEY', 'ddk-0a1b2c3d']], url: 'https://api.deltadefi.io/<path>' },
    { provider: 'adjutor', values: { apiKey: 'adj_9f8e7d' }, block: 'api-calls',
      headers: [['Authorization', 'Bearer adj_9f8e7d']], url: 'https://adjutor.lendsqr.com/v2/<path>' },
    { provider: 'adjutor', values: { apiKey: 'adj_9f8e7d', accessToken: 'eyJ.core.tok' }, block: 'core-services',
      headers: [['Authorization', 'Bearer adj_9f8e7d'], ['x-access-token', 'eyJ.core.tok']], url: 'https://adjutor.lendsqr.com/v2/<core-service-path>' },
    { provider: 'depay', values: { apiKey: 'dp_key_1' }, block: 'get-a-token',
      headers: [['x-api-key', 'dp_key_1']], url: 'https://api.payments.depay.us/auth/token' },
    { provider: 'depay', values: { accessToken: 'eyJ.a.b' }, block: 'api-calls',
      headers: [['Authorization', 'Bearer eyJ.a.b']], url: 'https://api.payments.depay.us/v2/<path>' },
    { provider: 'kiiex', values: { sessionToken: 'sess-7f3c' }, block: 'later-calls',
      headers: [['aptoken', 'sess-7f3c']], url: 'https://alphaprod.proxy.kiiex.io/ap/<FunctionName>' },
  ];
  for (const c of cases) {
    await choose(c.provider);
    await fill(c.provider, c.values);
    assert.deepEqual(await headersOf(c.block), c.headers, `${c.provider} ${c.block}`);
    assert.equal(await curlOf(c.block),
      [`curl '${c.url}'`, ...c.headers.map(([n, v]) => `  -H '${n}: ${v}'`)].join(' \\\n'), c.provider);
  }
  // Adjutor with only the API key: ordinary calls are ready, Core Services wait for the token.
  await choose('adjutor');
  await fill('adjutor', { apiKey: 'adj_9f8e7d' });
  assert.deepEqual(await headersOf('api-calls'), [['Authorization', 'Bearer adj_9f8e7d']]);
  assert.equal(await textOf('[data-block="core-services"] .pending'), 'Waiting for Core Services token.');
  // DePay with only an API key: the token request is ready, API calls wait for the token.
  await choose('depay');
  await fill('depay', { apiKey: 'dp_key_1' });
  assert.equal(await textOf('[data-block="api-calls"] .pending'), 'Waiting for Access token.');
  // The environment picker changes the URL, not the headers.
  await choose('deltadefi');
  await fill('deltadefi', { apiKey: 'ddk-0a1b2c3d' });
  await page.selectOption('#deltadefi-base', 'https://api-staging.deltadefi.io');
  assert.equal(await textOf('[data-block="api-calls"] .block-url'), 'https://api-staging.deltadefi.io/<path>');
  assert.deepEqual(await headersOf('api-calls'), [['X-API-KEY', 'ddk-0a1b2c3d']]);
  await page.selectOption('#deltadefi-base', 'https://api.deltadefi.io');
});

test('bad input shows the library error code and message, never the secret', async () => {
  const secret = 'Tr0ub4dor-do-not-leak';
  const cases = [
    { provider: 'kiiex', values: { apiKey: 'APIKEY_FROM_DASHBOARD ', apiSecret: secret, userId: '42', nonce: '1' },
      block: 'authenticate', field: 'apiKey', code: 'invalid_header_value', message: 'kiiex: apiKey: has leading or trailing whitespace', hidden: [secret] },
    { provider: 'kiiex', values: { apiKey: 'APIKEY_FROM_DASHBOARD', apiSecret: `${secret} `, userId: '42', nonce: '1' },
      block: 'authenticate', field: 'apiSecret', code: 'invalid_secret', message: 'kiiex: apiSecret: must be visible ASCII with no whitespace or control character', hidden: [secret] },
    { provider: 'defindex', values: { apiKey: 'sk_a\tb' },
      block: 'api-calls', field: 'apiKey', code: 'invalid_header_value', message: 'defindex: apiKey: contains whitespace', hidden: ['sk_a'] },
    { provider: 'deltadefi', values: { apiKey: ' ddk-0a1b2c3d' },
      block: 'api-calls', field: 'apiKey', code: 'invalid_header_value', message: 'deltadefi: apiKey: has leading or trailing whitespace', hidden: ['ddk-0a1b2c3d'] },
    { provider: 'adjutor', values: { apiKey: 'adj_9f8e7d', accessToken: 'eyJ.core tok' },
      block: 'core-services', field: 'accessToken', code: 'invalid_header_value', message: 'adjutor: accessToken: contains whitespace', hidden: ['eyJ.core'] },
  ];
  for (const c of cases) {
    await choose(c.provider);
    await fill(c.provider, c.values);
    const error = await errorOf(c.block);
    assert.equal(error.code, c.code, c.message);
    assert.equal(error.shownCode, c.code, c.message);
    assert.equal(error.message, c.message);
    assert.equal(await textOf(`#${c.provider}-${c.field}-error`), `${c.code} ${c.message}`);
    assert.equal(await page.getAttribute(`#${c.provider}-${c.field}`, 'aria-invalid'), 'true');
    const visible = await page.evaluate(() => document.body.innerText);
    for (const value of c.hidden) assert.ok(!visible.includes(value), `"${value}" is on the page`);
  }
  // The secret is never displayed, even when everything is valid.
  await choose('kiiex');
  await fill('kiiex', { apiKey: 'k1', apiSecret: secret, userId: '7', nonce: '99' });
  assert.equal(await textOf('#out-signature'), hmacHex(secret, '997k1'));
  assert.ok(!(await page.evaluate(() => document.body.innerText)).includes(secret));
});

test('DePay callback checker: every committed vector is valid, any change makes it invalid', async () => {
  const verdict = async () => page.$eval('[data-block="callback"] .verdict', (el) => [el.dataset.verdict, el.textContent]);
  await choose('depay');
  assert.equal(await textOf('[data-block="callback"] .pending'), 'Waiting for API key.');
  let checked = 0;
  for (const v of callbacks) {
    if (!('body' in v) && !('bodyPattern' in v)) continue; // raw non-UTF-8 bytes cannot be pasted as text
    const body = 'body' in v ? v.body : v.bodyPattern.prefix + v.bodyPattern.unit.repeat(v.bodyPattern.count) + v.bodyPattern.suffix;
    const mac = createHmac('sha256', v.apiKey).update(`${body}+${v.customerUuid}`, 'utf8').digest('hex');
    assert.equal(mac, v.signature, `${v.name} itself`);
    await choose('depay');
    await fill('depay', { apiKey: v.apiKey, customerUuid: v.customerUuid, signature: v.signature });
    await page.locator('#depay-body').fill(body);
    if (body === '') {
      assert.equal(await textOf('[data-block="callback"] .pending'), 'Waiting for Callback body.', v.name);
      continue;
    }
    assert.deepEqual(await verdict(), ['valid', 'Valid: DePay signed this body for this customer.'], v.name);
    assert.match(await textOf('[data-block="callback"] .legend'), new RegExp(`the body \\(${v.bodyBytes} bytes of UTF-8\\)`), v.name);
    checked++;
  }
  assert.equal(checked, 10);

  const v = callbacks[0];
  await choose('depay');
  await fill('depay', { apiKey: v.apiKey, customerUuid: v.customerUuid, body: v.body, signature: v.signature });
  assert.equal((await verdict())[0], 'valid');
  const changes = [
    ['body', `${v.body} `], ['body', JSON.stringify(JSON.parse(v.body), null, 2)], ['customerUuid', `${v.customerUuid}0`],
    ['apiKey', `${v.apiKey}0`], ['signature', v.signature.toUpperCase()], ['signature', `sha256=${v.signature}`], ['signature', 'not hex'],
  ];
  for (const [field, value] of changes) {
    await fill('depay', { [field]: value });
    assert.equal((await verdict())[0], 'invalid', `${field} = ${value}`);
    await fill('depay', { [field]: { body: v.body, customerUuid: v.customerUuid, apiKey: v.apiKey, signature: v.signature }[field] });
    assert.equal((await verdict())[0], 'valid', `${field} restored`);
  }
  await fill('depay', { signature: v.signature.toUpperCase() });
  assert.match(await page.locator('[data-block="callback"]').textContent(), /not 64 lowercase hex digits/);
  // The token blocks still work beside the checker, and the API key is never displayed.
  assert.deepEqual(await headersOf('get-a-token'), [['x-api-key', v.apiKey]]);
  await page.fill('#depay-apiKey', 'Tr0ub4dor-callback-key');
  assert.equal((await verdict())[0], 'invalid');
  const visible = await page.evaluate(() => [...document.querySelectorAll('[data-block="callback"]')].map((el) => el.innerText).join());
  assert.ok(!visible.includes('Tr0ub4dor'));

  // The example fills a valid callback; screenshot of the checker.
  await choose('depay');
  await page.click('#fill-example');
  assert.equal((await verdict())[0], 'valid');
  await mkdir(artifacts, { recursive: true });
  await page.locator('[data-block="callback"]').scrollIntoViewIfNeeded();
  await page.screenshot({ path: new URL('www-depay-callback.png', artifacts).pathname, fullPage: true });
});

test('secrets are masked by default and the reveal toggle shows and hides them', async () => {
  const fields = await page.$$eval('input[data-field]', (els) => els.map((e) => [e.id, e.dataset.field, e.type]));
  assert.equal(fields.length, 13);
  for (const [id, key, type] of fields) assert.equal(type, SECRET_FIELDS.has(key) ? 'password' : 'text', id);
  await choose('kiiex');
  const reveal = page.locator('button.reveal[aria-controls="kiiex-apiSecret"]');
  await reveal.click();
  assert.equal(await page.getAttribute('#kiiex-apiSecret', 'type'), 'text');
  assert.equal(await reveal.getAttribute('aria-pressed'), 'true');
  await reveal.click();
  assert.equal(await page.getAttribute('#kiiex-apiSecret', 'type'), 'password');
  assert.equal(await reveal.textContent(), 'Show');
});

test('New nonce fills a monotonic nonce and the signature follows it', async () => {
  const v = vectors[1];
  await choose('kiiex');
  await fill('kiiex', { apiKey: v.apiKey, apiSecret: v.apiSecret, userId: v.userId });
  assert.equal(await textOf('[data-block="authenticate"] .pending'), 'Waiting for Nonce: type the dashboard’s NONCE or press New nonce.');
  const before = Date.now();
  const nonces = [];
  for (let i = 0; i < 5; i++) {
    await page.click('#new-nonce');
    nonces.push(await page.inputValue('#kiiex-nonce'));
  }
  for (const n of nonces) assert.match(n, /^\d{13,}$/);
  assert.ok(Number(nonces[0]) >= before - 5_000 && Number(nonces[0]) <= Date.now() + 5_000, `clock-based: ${nonces[0]}`);
  for (let i = 1; i < nonces.length; i++) assert.ok(BigInt(nonces[i]) > BigInt(nonces[i - 1]), nonces.join(' '));
  const last = nonces.at(-1);
  const expected = hmacHex(v.apiSecret, last + v.userId + v.apiKey);
  assert.equal(await textOf('#out-signature'), expected);
  assert.deepEqual(await headersOf('authenticate'),
    [['APIKey', v.apiKey], ['Signature', expected], ['UserId', v.userId], ['Nonce', last]]);
  // Without a valid secret there is no signer to ask: the nonce field says why.
  await page.fill('#kiiex-apiSecret', '');
  await page.click('#new-nonce');
  assert.equal(await textOf('#kiiex-nonce-error'), 'missing_credential New nonce: kiiex: apiSecret: must not be empty');
});

test('copy buttons put the exact signature and curl line on the clipboard', async () => {
  const v = vectors[4];
  await choose('kiiex');
  await fill('kiiex', { apiKey: v.apiKey, apiSecret: v.apiSecret, userId: v.userId, nonce: v.nonce });
  const copySignature = page.locator('.signature button.copy');
  await copySignature.click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), v.signature);
  assert.equal(await copySignature.textContent(), 'Copied');
  await page.click('[data-block="authenticate"] [data-header="Nonce"] button.copy');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), v.nonce);
  await page.click('[data-block="authenticate"] .curl-bar button.copy');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), await curlOf('authenticate'));
});

test('it keeps working offline once loaded', async () => {
  await context.setOffline(true);
  try {
    await choose('adjutor');
    await fill('adjutor', { apiKey: 'offline_key' });
    assert.deepEqual(await headersOf('api-calls'), [['Authorization', 'Bearer offline_key']]);
  } finally {
    await context.setOffline(false);
  }
});

test('screenshots at desktop and phone width, with no horizontal scrolling', async () => {
  await mkdir(artifacts, { recursive: true });
  await choose('kiiex');
  await page.click('#fill-example');
  await page.fill('#kiiex-sessionToken', 'a3c1e5f0-session-token');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: new URL('www-desktop.png', artifacts).pathname, fullPage: true });

  await page.setViewportSize({ width: 375, height: 812 });
  for (const provider of ['defindex', 'deltadefi', 'adjutor', 'depay', 'kiiex']) {
    await choose(provider);
    await page.click('#fill-example');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.equal(width, 375, `${provider} scrolls sideways at 375 px`);
  }
  await page.fill('#kiiex-userId', 'usuário'); // the longest error state
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 375);
  await page.fill('#kiiex-userId', '42');
  await page.screenshot({ path: new URL('www-phone.png', artifacts).pathname, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
});

test('every request went to the page’s own origin, with no error and no CSP violation', async () => {
  const origin = new URL(server.url).origin;
  const paths = new Set(requests.map((u) => new URL(u).pathname));
  for (const needed of ['/', '/app.js', '/style.css', '/pkg/entries/web.js', '/pkg/dist/keystamp.js', '/pkg/dist/keystamp_bg.wasm']) {
    assert.ok(paths.has(needed), `${needed} was not requested: the recording is broken`);
  }
  const foreign = requests.filter((u) => new URL(u).origin !== origin);
  assert.deepEqual(foreign, []);
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
  assert.match(await textOf('#network'), new RegExp(`^\\d+ files loaded, all from ${new URL(server.url).host};`));
});
