// The JS half of convert.rs: the fast path of the Kiiex signer (see "the Kiiex fast path" there).
//
// One call reads the options a signature needs and, when every value is plain data (an ASCII
// string, or a non-negative safe integer, at most 255 characters), writes the bytes straight into
// the signer's input buffer in wasm memory. Anything else is left to the general path in Rust,
// which reports the error: the values already read are handed over (takeRead), so each option is
// read exactly once. All reads happen before any write, so a getter that signs again cannot
// interleave with this call's bytes.
//
// A signer's buffer keeps its user id and key between calls (`keep`): its record names the
// strings that are there, and an unchanged pair is not written again. The signature comes back
// the same way: Rust writes its 64 hex digits into the buffer and readSignature makes the string.
//
// Codes returned to convert.rs: >= 0, the byte lengths (8 bits each, first option in the low
// byte) plus FRESH when the user id and key were written by this call; below zero, NOT_PLAIN,
// NOT_OBJECT, or -3 - i when reading option i threw.

const NOT_PLAIN = -1;
const NOT_OBJECT = -2;
const FRESH = 1 << 24;
const CAPACITY = 255;
const USER_ID_AT = 256;
const API_KEY_AT = 512;
const SIGNATURE_AT = 768;

let memory;
let bytes = new Uint8Array(0);
let pending = [];
const decoder = new TextDecoder();

/** Gives this module the wasm memory. */
export function attach(wasmMemory) {
  memory = wasmMemory;
  bytes = new Uint8Array(0);
}

/** The record of the input buffer at `at`: the user id and key it keeps, and a view of its
 * signature digits. */
export function newInputs(at, keep) {
  return { at, keep, userId: undefined, apiKey: undefined, signature: new Uint8Array(0) };
}

/** A view of wasm memory; a new one after the memory grew (growing empties the old view). */
function view() {
  if (bytes.byteLength === 0) bytes = new Uint8Array(memory.buffer);
  return bytes;
}

/** The text of a plain id: a string, or a safe integer >= 0 (the digits Rust would write). */
function idText(value) {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return undefined;
}

/** Writes `text` at `at`: its length, or -1 (and nothing left written) when it is not short ASCII. */
function write(mem, text, at) {
  const length = text.length;
  if (length > CAPACITY) return -1;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) {
      mem.fill(0, at, at + i);
      return -1;
    }
    mem[at + i] = code;
  }
  return length;
}

/** The test of `options()` in convert.rs. */
function isOptions(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && value instanceof Object;
}

/** `apiSecret`, written at the start of the buffer. */
export function readSecret(options, inputs) {
  if (!isOptions(options)) return NOT_OBJECT;
  let secret;
  try {
    secret = options.apiSecret;
  } catch {
    return -3;
  }
  const length = typeof secret === 'string' ? write(view(), secret, inputs.at) : -1;
  if (length >= 0) return length;
  pending = [secret];
  return NOT_PLAIN;
}

/** `nonce`, `userId` and `apiKey`, written at offsets 0, USER_ID_AT and API_KEY_AT. */
export function readParts(options, inputs) {
  if (!isOptions(options)) return NOT_OBJECT;
  let nonce, userId, apiKey;
  try {
    nonce = options.nonce;
  } catch {
    return -3;
  }
  try {
    userId = options.userId;
  } catch {
    return -4;
  }
  try {
    apiKey = options.apiKey;
  } catch {
    return -5;
  }
  const nonceText = idText(nonce);
  const userText = idText(userId);
  if (nonceText !== undefined && userText !== undefined && typeof apiKey === 'string') {
    const mem = view();
    const at = inputs.at;
    const a = write(mem, nonceText, at);
    if (a >= 0 && userText === inputs.userId && apiKey === inputs.apiKey) {
      return a | (userText.length << 8) | (apiKey.length << 16);
    }
    if (a >= 0) {
      const b = write(mem, userText, at + USER_ID_AT);
      const c = b >= 0 ? write(mem, apiKey, at + API_KEY_AT) : -1;
      // Recorded only when this call succeeds: Rust learns of a new pair through FRESH alone.
      if (inputs.keep) {
        inputs.userId = c >= 0 ? userText : undefined;
        inputs.apiKey = c >= 0 ? apiKey : undefined;
      }
      if (c >= 0) return a | (b << 8) | (c << 16) | FRESH;
    }
  }
  pending = [nonce, userId, apiKey];
  return NOT_PLAIN;
}

/** The `index`th value read by the last call that returned NOT_PLAIN (handed over once). */
export function takeRead(index) {
  const value = pending[index];
  pending[index] = undefined;
  return value;
}

/** The 64 signature digits Rust wrote into the buffer, as a string. */
export function readSignature(inputs) {
  let digits = inputs.signature;
  if (digits.byteLength === 0) {
    digits = inputs.signature = view().subarray(inputs.at + SIGNATURE_AT, inputs.at + SIGNATURE_AT + 64);
  }
  return decoder.decode(digits);
}
