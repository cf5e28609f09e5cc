// Vercel's Edge runtime and Next.js Edge routes (the `edge-light` condition): compiling
// WebAssembly from bytes is not allowed there, so the module comes precompiled from a `?module`
// import, which Next.js (Turbopack and webpack) and Vercel's edge bundler turn into a
// WebAssembly.Module; it is instantiated synchronously, so no init() is needed.
import wasmModule from '../dist/keystamp_bg.wasm?module';
import * as api from '../dist/keystamp.js';
import { fastSigning } from './fast.js';

api.initSync({ module: wasmModule });

export * from '../dist/keystamp.js';
export { KeystampError } from '../dist/errors.js';
export { Client } from './client.js';
export { memoryStore, redisStore } from './stores.js';
/** kiiexSignature and KiiexSigner.prototype.sign with the fast path of fast.js. */
export const kiiexSignature = fastSigning(api);

/** Already initialised at import: kept so the same code runs in every runtime. */
export async function init() {}
export default init;
