// Cloudflare Workers (workerd): the runtime imports `.wasm` files as compiled WebAssembly.Module
// objects, so the module is instantiated synchronously at import; no `init()` needed.
import wasmModule from '../dist/keystamp_bg.wasm';
import * as api from '../dist/keystamp.js';
import { fastSigning } from './fast.js';

api.initSync({ module: wasmModule });

export * from '../dist/keystamp.js';
export { KeystampError } from '../dist/errors.js';
export { Client } from './client.js';
export { memoryStore, redisStore } from './stores.js';
/** kiiexSignature and KiiexSigner.prototype.sign with the fast path of fast.js. */
export const kiiexSignature = fastSigning(api);

/** Already initialised on Workers: kept so the same code runs in every runtime. */
export async function init() {}
export default init;
