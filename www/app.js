// The keystamp page: credentials in, exact headers out, all computed by the keystamp
// WebAssembly module inside this tab. Nothing typed here is sent anywhere.
import init, { authHeaders, kiiexSignature, KiiexSigner, KeystampError, verifyDepayCallback } from '/pkg/entries/web.js';
import { PROVIDERS, fieldLabel } from './providers.js';
import { h, copyToClipboard, shellQuote } from './dom.js';

const $ = (selector) => document.querySelector(selector);

/** `${providerId}.${fieldKey}` → its <input>. */
const inputs = new Map();
/** providerId → the <select> of base URLs. */
const baseSelects = new Map();
/** The Kiiex signer keyed with the current API secret; dropped whenever the secret changes. */
let kiiexSigner = null;
/** An error from the last "New nonce" press, shown until the next edit. */
let newNonceError = null;

function currentProvider() {
  const id = document.querySelector('input[name="provider"]:checked')?.value;
  return PROVIDERS.find((p) => p.id === id) ?? PROVIDERS[0];
}

function valuesOf(provider) {
  return Object.fromEntries(provider.fields.map((f) => [f.key, inputs.get(`${provider.id}.${f.key}`).value]));
}

function baseUrlOf(provider) {
  return baseSelects.get(provider.id)?.value ?? provider.bases[0].url;
}

function signerFor(apiSecret) {
  kiiexSigner ??= new KiiexSigner(apiSecret); // throws (and caches nothing) on a bad secret
  return kiiexSigner;
}

function dropSigner() {
  kiiexSigner?.free();
  kiiexSigner = null;
}

/** `{ value }` or `{ error }`. */
function attempt(fn) {
  try {
    return { value: fn() };
  } catch (error) {
    return { error };
  }
}

// ---------------------------------------------------------------------------------------------
// Inputs

function buildPicker() {
  const picker = $('#providers');
  for (const p of PROVIDERS) {
    const radio = h('input', { type: 'radio', name: 'provider', value: p.id, id: `provider-${p.id}` });
    radio.addEventListener('change', () => selectProvider(p.id));
    picker.append(h('label', { class: 'provider-option', for: radio.id }, radio, h('span', {}, p.name)));
  }
}

function buildField(provider, field) {
  const id = `${provider.id}-${field.key}`;
  const input = h(field.multiline ? 'textarea' : 'input', {
    id,
    type: field.multiline ? undefined : field.secret ? 'password' : 'text',
    rows: field.multiline ? 5 : undefined,
    class: 'field-input',
    'data-field': field.key,
    placeholder: field.placeholder,
    autocomplete: 'off',
    autocapitalize: 'off',
    autocorrect: 'off',
    spellcheck: 'false',
    'aria-describedby': `${id}-error${field.hint ? ` ${id}-hint` : ''}`,
  });
  input.addEventListener('input', () => {
    if (field.key === 'apiSecret') dropSigner();
    newNonceError = null;
    render();
  });
  inputs.set(`${provider.id}.${field.key}`, input);

  const extras = [];
  if (field.secret) {
    const reveal = h('button', { type: 'button', class: 'ghost reveal', 'aria-controls': id, 'aria-pressed': 'false' }, 'Show');
    reveal.addEventListener('click', () => {
      const show = input.type === 'password';
      input.type = show ? 'text' : 'password';
      reveal.textContent = show ? 'Hide' : 'Show';
      reveal.setAttribute('aria-pressed', String(show));
    });
    extras.push(reveal);
  }
  if (field.newNonce) {
    extras.push(h('button', { type: 'button', class: 'ghost', id: 'new-nonce', onclick: newNonce }, 'New nonce'));
  }
  return h('div', { class: 'field' },
    field.section && h('h3', { class: 'field-section' }, field.section),
    h('label', { for: id }, field.label),
    h('div', { class: 'input-row' }, input, extras),
    field.hint && h('p', { class: 'hint', id: `${id}-hint` }, field.hint),
    h('p', { class: 'field-error', id: `${id}-error`, 'aria-live': 'polite' }));
}

function buildFields() {
  const container = $('#fields');
  for (const p of PROVIDERS) {
    const group = h('div', { class: 'provider-fields', 'data-provider': p.id, hidden: true });
    if (p.bases.length > 1) {
      const select = h('select', { id: `${p.id}-base`, class: 'field-input' },
        p.bases.map((b) => h('option', { value: b.url }, b.label)));
      select.addEventListener('change', render);
      baseSelects.set(p.id, select);
      group.append(h('div', { class: 'field' }, h('label', { for: select.id }, 'Environment'), select));
    }
    group.append(...p.fields.map((f) => buildField(p, f)));
    container.append(group);
  }
}

function selectProvider(id) {
  const provider = PROVIDERS.find((p) => p.id === id) ?? PROVIDERS[0];
  $(`#provider-${provider.id}`).checked = true;
  for (const group of document.querySelectorAll('.provider-fields')) {
    group.hidden = group.dataset.provider !== provider.id;
  }
  $('#provider-summary').textContent = provider.summary;
  if (location.hash !== `#${provider.id}`) history.replaceState(null, '', `#${provider.id}`);
  newNonceError = null;
  render();
}

/** Kiiex "New nonce": what the signer would send next (monotonic: max(now, last + 1)). */
function newNonce() {
  const provider = PROVIDERS.find((p) => p.id === 'kiiex');
  const v = valuesOf(provider);
  const result = attempt(() => signerFor(v.apiSecret).authHeaders({ apiKey: v.apiKey, userId: v.userId }));
  if (result.error) {
    newNonceError = result.error;
  } else {
    newNonceError = null;
    inputs.get('kiiex.nonce').value = result.value.Nonce;
  }
  render();
}

function fillExample() {
  const provider = currentProvider();
  for (const [key, value] of Object.entries(provider.example)) inputs.get(`${provider.id}.${key}`).value = value;
  dropSigner();
  newNonceError = null;
  render();
}

function clearAll() {
  for (const input of inputs.values()) input.value = '';
  dropSigner();
  newNonceError = null;
  render();
}

// ---------------------------------------------------------------------------------------------
// Outputs

const HINTS = {
  invalid_header_value: 'Header values must be visible ASCII with no leading or trailing space and no control character. keystamp never trims: a pasted key with a stray space would be a different key.',
  invalid_header_name: 'Header names must be an HTTP token.',
  invalid_secret: 'The API secret must be visible ASCII with no whitespace: check for a stray space or line break from copy-paste.',
  invalid_argument: 'Check this value for surrounding spaces or control characters.',
  input_too_large: 'This value is far longer than any real credential.',
};

/** A missing credential is a quiet "waiting for …" note; anything else is a visible error. */
function problem(provider, error, fieldErrors, extraNote) {
  if (error instanceof KeystampError && error.code === 'missing_credential') {
    const label = error.field ? fieldLabel(provider, error.field) : 'a credential';
    return h('p', { class: 'pending', 'data-code': error.code }, `Waiting for ${label}.`);
  }
  const code = error instanceof KeystampError ? error.code : 'unexpected_error';
  const message = error instanceof Error ? error.message : String(error);
  if (error?.field && !fieldErrors.has(error.field)) fieldErrors.set(error.field, { code, message });
  return h('div', { class: 'error', 'data-code': code },
    h('p', { class: 'error-line' }, h('code', { class: 'error-code' }, code), ' ', h('span', { class: 'error-message' }, message)),
    HINTS[code] && h('p', { class: 'error-hint' }, HINTS[code]),
    extraNote && h('p', { class: 'error-hint' }, extraNote));
}

function copyButton(text, what) {
  const button = h('button', { type: 'button', class: 'copy', 'aria-label': `Copy ${what}` }, 'Copy');
  button.addEventListener('click', () => copyToClipboard(text, button));
  return button;
}

function headerList(headers) {
  return h('dl', { class: 'headers' }, Object.entries(headers).map(([name, value]) =>
    h('div', { class: 'header-row', 'data-header': name },
      h('dt', { class: 'header-name' }, name),
      h('dd', {}, h('code', { class: 'header-value boxed' }, value), copyButton(value, `${name} header`)))));
}

function curlView(url, headers) {
  const lines = [`curl ${shellQuote(url)}`, ...Object.entries(headers).map(([n, v]) => `  -H ${shellQuote(`${n}: ${v}`)}`)];
  const text = lines.join(' \\\n');
  return h('div', { class: 'curl' },
    h('div', { class: 'curl-bar' }, h('span', {}, 'As a curl command'), copyButton(text, 'curl command')),
    h('pre', { class: 'curl-text' }, h('code', {}, text)));
}

/** A titled output block; `subtitle` is `{ url }` or `{ text }`. */
function block(name, title, subtitle, ...body) {
  const sub = subtitle.url
    ? h('p', { class: 'block-sub block-url' }, subtitle.url)
    : h('p', { class: 'block-sub' }, subtitle.text);
  return h('section', { class: 'block', 'data-block': name },
    h('header', { class: 'block-head' }, h('h3', {}, title), sub),
    ...body);
}

function headersBlock(provider, spec, values, fieldErrors) {
  const url = baseUrlOf(provider) + spec.path;
  const result = attempt(() => authHeaders(provider.id, spec.credentials(values)));
  const name = spec.title.toLowerCase().replaceAll(' ', '-');
  return block(name, spec.title, { url },
    result.error ? problem(provider, result.error, fieldErrors) : [headerList(result.value), curlView(url, result.value)]);
}

function signedMessageView(v) {
  const bytes = new TextEncoder().encode(v.nonce + v.userId + v.apiKey).length;
  const part = (cls, text, label) => h('span', { class: `seg ${cls}`, title: label }, text);
  return h('div', { class: 'message' },
    h('code', { id: 'out-message', class: 'message-text' },
      part('seg-nonce', v.nonce, 'Nonce'), part('seg-user', v.userId, 'UserId'), part('seg-key', v.apiKey, 'APIKey')),
    h('p', { class: 'legend' },
      h('span', { class: 'swatch seg-nonce' }), 'Nonce ',
      h('span', { class: 'swatch seg-user' }), 'UserId ',
      h('span', { class: 'swatch seg-key' }), 'APIKey',
      h('span', { class: 'bytes' }, ` · ${bytes} bytes of UTF-8`)));
}

function kiiexBlocks(provider, v, fieldErrors) {
  const signature = attempt(() => kiiexSignature({ apiSecret: v.apiSecret, nonce: v.nonce, userId: v.userId, apiKey: v.apiKey }));
  const hasMessage = v.nonce !== '' || v.userId !== '' || v.apiKey !== '';
  const signatureBlock = block('signature', 'Signature',
    { text: 'HMAC-SHA256 keyed with the API secret, over Nonce + UserId + APIKey, in lowercase hex.' },
    h('dl', { class: 'facts' },
      h('div', { class: 'fact' }, h('dt', {}, 'Nonce'),
        h('dd', {}, v.nonce ? h('code', { id: 'out-nonce', class: 'boxed' }, v.nonce) : h('span', { class: 'muted' }, '—'))),
      h('div', { class: 'fact' }, h('dt', {}, 'Signed message'),
        h('dd', {}, hasMessage ? signedMessageView(v) : h('span', { class: 'muted' }, '—'))),
      h('div', { class: 'fact' }, h('dt', {}, 'Signature'),
        h('dd', {}, signature.error
          ? problem(provider, signature.error, fieldErrors)
          : h('div', { class: 'signature' }, h('code', { id: 'out-signature', class: 'boxed' }, signature.value), copyButton(signature.value, 'signature'))))));

  const url = baseUrlOf(provider) + provider.authenticatePath;
  let body;
  if (v.nonce === '') {
    body = h('p', { class: 'pending' }, 'Waiting for Nonce: type the dashboard’s NONCE or press New nonce.');
  } else {
    const headers = attempt(() => signerFor(v.apiSecret).authHeaders({ apiKey: v.apiKey, userId: v.userId, nonce: v.nonce }));
    const note = signature.value && headers.error
      ? 'The signature above is still the HMAC of the UTF-8 message; only sending it in an HTTP header is impossible.'
      : null;
    body = headers.error ? problem(provider, headers.error, fieldErrors, note) : [headerList(headers.value), curlView(url, headers.value)];
  }
  return [signatureBlock, block('authenticate', 'AuthenticateUser headers', { url }, body)];
}

/** DePay: whether the pasted callback's signature header is the HMAC of its body (valid or not),
 * computed by keystamp's verifyDepayCallback; nothing is sent anywhere. */
function depayCallbackBlock(provider, v, fieldErrors) {
  const about = { text: 'HMAC-SHA256 keyed with the API key, over the raw body + "+" + customer UUID, compared with the signature header in constant time.' };
  const missing = ['apiKey', 'customerUuid', 'body', 'signature'].find((key) => v[key] === '');
  if (missing) {
    return block('callback', 'Callback signature', about, h('p', { class: 'pending' }, `Waiting for ${fieldLabel(provider, missing)}.`));
  }
  const result = attempt(() => verifyDepayCallback({ apiKey: v.apiKey, customerUuid: v.customerUuid, body: v.body, signature: v.signature }));
  if (result.error) return block('callback', 'Callback signature', about, problem(provider, result.error, fieldErrors));
  const bytes = new TextEncoder().encode(v.body).length;
  const valid = result.value === true;
  const shape = /^[0-9a-f]{64}$/.test(v.signature) ? null : 'The header is not 64 lowercase hex digits, the only form DePay sends.';
  return block('callback', 'Callback signature', about,
    h('p', { class: 'verdict', 'data-verdict': valid ? 'valid' : 'invalid', role: 'status' },
      valid ? 'Valid: DePay signed this body for this customer.' : 'Not valid: this body, customer UUID and API key do not give this signature.'),
    h('p', { class: 'legend' }, `Signed message: the body (${bytes} bytes of UTF-8) + "+" + the customer UUID.`),
    !valid && shape && h('p', { class: 'legend' }, shape));
}

function showFieldErrors(provider, fieldErrors) {
  if (newNonceError) {
    const e = newNonceError;
    fieldErrors.set('nonce', { code: e.code ?? 'unexpected_error', message: `New nonce: ${e.message}` });
  }
  for (const f of provider.fields) {
    const input = inputs.get(`${provider.id}.${f.key}`);
    const slot = document.getElementById(`${input.id}-error`);
    const error = fieldErrors.get(f.key);
    if (error) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    slot.replaceChildren(...(error ? [h('code', { class: 'error-code' }, error.code), ' ', error.message] : []));
  }
}

function render() {
  const provider = currentProvider();
  const values = valuesOf(provider);
  const fieldErrors = new Map();
  const blocks = provider.id === 'kiiex' ? kiiexBlocks(provider, values, fieldErrors) : [];
  for (const spec of provider.blocks) blocks.push(headersBlock(provider, spec, values, fieldErrors));
  if (provider.callbackChecker) blocks.push(depayCallbackBlock(provider, values, fieldErrors));
  $('#outputs').replaceChildren(...blocks);
  $('#outputs-title').textContent = `${provider.name} headers`;
  showFieldErrors(provider, fieldErrors);
}

// ---------------------------------------------------------------------------------------------
// Start

/** Lists what this page has loaded, from Resource Timing: every file, and where it came from. */
function watchNetwork() {
  const status = $('#network');
  const update = () => {
    const entries = [location.href, ...performance.getEntriesByType('resource').map((e) => e.name)];
    const foreign = entries.filter((u) => new URL(u).origin !== location.origin);
    status.dataset.state = foreign.length === 0 ? 'local' : 'foreign';
    status.textContent = foreign.length === 0
      ? `${entries.length} files loaded, all from ${location.host}; nothing sent anywhere else.`
      : `Warning: ${foreign.length} request(s) went to another host: ${foreign.join(', ')}`;
  };
  new PerformanceObserver(update).observe({ type: 'resource', buffered: true });
  update();
}

async function main() {
  const status = $('#status');
  buildPicker();
  buildFields();
  $('#fill-example').addEventListener('click', fillExample);
  $('#clear').addEventListener('click', clearAll);
  // Enter in a field must not submit anything (the CSP's form-action 'none' would block it too).
  $('#credentials').addEventListener('submit', (event) => event.preventDefault());
  watchNetwork();
  try {
    await init();
  } catch (error) {
    status.dataset.state = 'error';
    status.textContent = `Could not load the WebAssembly module (${error.message}). Build the package first: bash scripts/build.sh`;
    return;
  }
  const wasm = performance.getEntriesByType('resource').find((e) => e.name.endsWith('.wasm'));
  status.dataset.state = 'ready';
  status.textContent = wasm?.decodedBodySize
    ? `WebAssembly ready: keystamp_bg.wasm, ${Math.round(wasm.decodedBodySize / 1024)} KB, loaded from this page’s own server.`
    : 'WebAssembly ready.';
  document.body.classList.add('ready');
  selectProvider(location.hash.slice(1));
}

main();
