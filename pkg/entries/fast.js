// The fast path of `kiiexSignature` and `KiiexSigner.prototype.sign` (the Rust half and the
// buffer layout are described in src/wasm/fast.rs). Options whose values are plain data (an ASCII
// string, or a non-negative safe integer, of at most 255 characters) are written straight into a
// buffer in wasm memory, and the signer is called with integers only; the 64 digits are read back
// from the buffer. Anything else, and any call the signer refuses, goes through the general path
// (the wasm-bindgen export), which gives the same result or the same KeystampError. Each option
// is read once: the general path gets a plain copy of the values already read.
//
// A signer keeps the user id and key of its last call in its buffer (wiped by `free()`), so an
// unchanged pair is not written again; kiiexSignature's secret and key are wiped after each call.

const USER_ID_AT = 256;
const API_KEY_AT = 512;
const DIGITS_AT = 768;
const SECRET_AT = 832;
const CAPACITY = 255;
const FRESH = 1 << 24;

import { KeystampError } from '../dist/errors.js';

const decoder = new TextDecoder();

/** An option, read from the object's own properties only (a polluted prototype is ignored). */
function own(options, key) {
  return Object.prototype.hasOwnProperty.call(options, key) ? options[key] : undefined;
}

function freedError() {
  return new KeystampError('freed', 'kiiex: the signer was freed', 'kiiex');
}

/** The text of a plain id: a string, or a safe integer >= 0 (the digits Rust writes for it). */
function idText(value) {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return undefined;
}

/** Writes `text` at `at` and returns its length, or -1 when it is not short ASCII (the bytes
 * already written are left for the next call or the wipe to overwrite). */
function write(bytes, text, at) {
  const length = text.length;
  if (length > CAPACITY) return -1;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return -1;
    bytes[at + i] = code;
  }
  return length;
}

/**
 * Installs the fast path on `api` (the wasm-bindgen module) and returns the fast
 * `kiiexSignature`. Until the module is initialised (browsers: `init()`), every call takes the
 * general path, which reports it.
 */
export function fastSigning(api) {
  let wasmMemory;
  /** The instance's WebAssembly.Memory, or undefined before initialisation. */
  const memory = () => {
    if (wasmMemory === undefined) {
      try {
        wasmMemory = api.__memory();
      } catch {
        return undefined;
      }
    }
    return wasmMemory;
  };
  let bytes = new Uint8Array(0);
  /** A view of wasm memory; a new one after the memory grew (growing detaches the old one). */
  const view = () => {
    if (bytes.byteLength === 0) bytes = new Uint8Array(memory().buffer);
    return bytes;
  };
  /** The signature digits in the buffer of `state` (its view of them is kept, and renewed after
   * the memory grew). */
  const digits = (state) => {
    if (state.digits.byteLength === 0) state.digits = view().subarray(state.at + DIGITS_AT, state.at + DIGITS_AT + 64);
    return decoder.decode(state.digits);
  };
  const newState = (at) => ({ at, userId: undefined, apiKey: undefined, digits: new Uint8Array(0) });

  const generalSign = api.KiiexSigner.prototype.sign;
  /** Per signer: its buffer's address, and the user id and key in it. */
  const signers = new WeakMap();

  // A freed signer's buffer is gone: forget it, so nothing is ever written there (a later call
  // asks the freed signer for its buffer, which throws as every method of a freed signer does).
  // A freed signer throws KeystampError `freed` from every method, not the bindings' plain Error.
  const freed = new WeakSet();
  const generalFree = api.KiiexSigner.prototype.free;
  api.KiiexSigner.prototype.free = function free() {
    if (freed.has(this)) return undefined;
    signers.delete(this);
    freed.add(this);
    return generalFree.call(this);
  };
  const generalAuthHeaders = api.KiiexSigner.prototype.authHeaders;
  api.KiiexSigner.prototype.authHeaders = function authHeaders(options) {
    if (freed.has(this)) throw freedError();
    return generalAuthHeaders.call(this, options);
  };
  if (Symbol.dispose) api.KiiexSigner.prototype[Symbol.dispose] = api.KiiexSigner.prototype.free;

  api.KiiexSigner.prototype.sign = function sign(options) {
    if (freed.has(this)) throw freedError();
    if (typeof options !== 'object' || options === null || memory() === undefined) return generalSign.call(this, options);
    let nonce, userId, apiKey;
    try {
      [nonce, userId, apiKey] = [own(options, 'nonce'), own(options, 'userId'), own(options, 'apiKey')];
    } catch {
      return generalSign.call(this, options);
    }
    const nonceText = idText(nonce);
    const userText = idText(userId);
    let state = signers.get(this);
    if (state === undefined) {
      state = newState(this.__buffer());
      signers.set(this, state);
    }
    if (state !== undefined && nonceText !== undefined && userText !== undefined && typeof apiKey === 'string') {
      const mem = view();
      const n = write(mem, nonceText, state.at);
      let lengths = -1;
      if (n >= 0 && userText === state.userId && apiKey === state.apiKey) {
        lengths = n | (userText.length << 8) | (apiKey.length << 16);
      } else if (n >= 0) {
        state.userId = state.apiKey = undefined;
        const u = write(mem, userText, state.at + USER_ID_AT);
        const k = u >= 0 ? write(mem, apiKey, state.at + API_KEY_AT) : -1;
        if (k >= 0) lengths = n | (u << 8) | (k << 16) | FRESH;
      }
      if (lengths >= 0 && this.__sign(lengths)) {
        if (lengths & FRESH) [state.userId, state.apiKey] = [userText, apiKey];
        return digits(state);
      }
    }
    return generalSign.call(this, Array.isArray(options) ? options : { nonce, userId, apiKey });
  };

  let oneShot;
  return function kiiexSignature(options) {
    if (typeof options !== 'object' || options === null || Array.isArray(options) || memory() === undefined) return api.kiiexSignature(options);
    let apiSecret, nonce, userId, apiKey;
    try {
      [apiSecret, nonce, userId, apiKey] = [own(options, 'apiSecret'), own(options, 'nonce'), own(options, 'userId'), own(options, 'apiKey')];
    } catch {
      return api.kiiexSignature(options);
    }
    const nonceText = idText(nonce);
    const userText = idText(userId);
    if (typeof apiSecret === 'string' && nonceText !== undefined && userText !== undefined && typeof apiKey === 'string') {
      oneShot ??= newState(api.__kiiexBuffer());
      const mem = view();
      const at = oneShot.at;
      const s = write(mem, apiSecret, at + SECRET_AT);
      const n = s >= 0 ? write(mem, nonceText, at) : -1;
      const u = n >= 0 ? write(mem, userText, at + USER_ID_AT) : -1;
      const k = u >= 0 ? write(mem, apiKey, at + API_KEY_AT) : -1;
      // Always called once something was written: it wipes the secret and the key, and with a
      // zero secret length it only wipes (a part was not short ASCII).
      if (api.__kiiexSign(n | (u << 8) | (k << 16), k >= 0 ? s : 0)) return digits(oneShot);
    }
    return api.kiiexSignature({ apiSecret, nonce, userId, apiKey });
  };
}
