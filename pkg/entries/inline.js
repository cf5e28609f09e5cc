// The WebAssembly module travels inside the JS (dist/keystamp_wasm.js, base64, written by
// scripts/bindgen.sh), so the entries that use it instantiate it synchronously at import and are
// ready without init(), with nothing to locate at run time: no `.wasm` file, no
// `new URL(…, import.meta.url)` for a bundler to rewrite, no loader rule, no file permission.
import wasmBase64 from '../dist/keystamp_wasm.js';

/** The bytes of keystamp_bg.wasm, decoded from the inline copy. */
export function wasmBytes() {
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(wasmBase64);
  // Node, Bun, Deno (globalThis.Buffer, not a bare `Buffer`: bundlers would polyfill that).
  const NodeBuffer = globalThis.Buffer;
  if (typeof NodeBuffer?.from === 'function') return NodeBuffer.from(wasmBase64, 'base64');
  const text = atob(wasmBase64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

const READY = Promise.resolve();

/**
 * Instantiates the inline module with `initSync` and returns a resolved promise. Chrome and Edge
 * before 114 refuse to compile a module over 4 KB synchronously on a page's main thread (a
 * RangeError): there the module is instantiated asynchronously with `initAsync` instead, the
 * promise returned resolves when it is ready, and until then every call throws KeystampError
 * `not_initialized` (so such a page must `await init()`).
 */
export function loadInline(initSync, initAsync) {
  const bytes = wasmBytes();
  try {
    initSync({ module: bytes });
    return READY;
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return initAsync({ module_or_path: bytes }).then(() => undefined);
  }
}
