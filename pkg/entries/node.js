// Node (ESM `import`, and CommonJS `require` through Node's require(esm), Node >= 20.19) and
// Deno: the wasm bytes are read from the package folder and instantiated synchronously, so the
// API is ready as soon as the import returns. One module instance serves both `import` and
// `require`: one wasm memory, one KeystampError class, one token cache.
import { readFileSync } from 'node:fs';
import * as api from '../dist/keystamp.js';
import { fastSigning } from './fast.js';

api.initSync({ module: readFileSync(new URL('../dist/keystamp_bg.wasm', import.meta.url)) });

export * from '../dist/keystamp.js';
export { KeystampError } from '../dist/errors.js';
export { Client } from './client.js';
export { memoryStore, redisStore } from './stores.js';
/** kiiexSignature and KiiexSigner.prototype.sign with the fast path of fast.js. */
export const kiiexSignature = fastSigning(api);

/** Already initialised on Node: kept so the same code runs in every runtime. */
export async function init() {}
export default init;
