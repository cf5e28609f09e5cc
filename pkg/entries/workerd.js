// Cloudflare Workers (workerd): the runtime imports `.wasm` files as compiled WebAssembly.Module
// objects, so the module is instantiated synchronously at import; no `init()` needed.
import wasmModule from '../dist/keystamp_bg.wasm';
import { initSync } from '../dist/keystamp.js';

initSync({ module: wasmModule });

export * from '../dist/keystamp.js';
export { KeystampError } from '../dist/errors.js';

/** Already initialised on Workers: kept so the same code runs in every runtime. */
export async function init() {}
export default init;
