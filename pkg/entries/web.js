// Browsers (and any runtime with fetch + WebAssembly): call `await init()` once before use; it
// fetches `keystamp_bg.wasm` next to this file (or takes a URL, Response, bytes or a
// WebAssembly.Module). Calling it again is a no-op.
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
  ready ??= wasmInit(input === undefined ? undefined : { module_or_path: input }).then(
    () => undefined,
    (err) => { ready = undefined; throw err; },
  );
  return ready;
}
export default init;
