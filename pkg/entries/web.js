// `keystamp/web`, for pages that load the `.wasm` as a file of its own (streaming compilation,
// cached apart from the JS; e.g. without a bundler, through an import map): call `await init()`
// once before use; it fetches `dist/keystamp_bg.wasm` (or takes a URL, Response, bytes or a
// WebAssembly.Module). Calling it again is a no-op. Any call before it throws KeystampError
// `not_initialized`. The `keystamp` entry (browser.js) needs no init().
import wasmInit, * as api from '../dist/keystamp.js';
import { fastSigning } from './fast.js';

export * from '../dist/keystamp.js';
export { KeystampError } from '../dist/errors.js';
export { Client } from './client.js';
export { memoryStore, redisStore } from './stores.js';
/** kiiexSignature and KiiexSigner.prototype.sign with the fast path of fast.js. */
export const kiiexSignature = fastSigning(api);

let ready;
export function init(input) {
  ready ??= wasmInit({ module_or_path: input ?? new URL('../dist/keystamp_bg.wasm', import.meta.url) }).then(
    () => undefined,
    (err) => { ready = undefined; throw err; },
  );
  return ready;
}
export default init;
