// Node (ESM `import`, and CommonJS `require` through Node's require(esm), Node >= 20.19), Deno,
// Bun, and through browser.js every browser and bundler: the module is instantiated synchronously
// from the copy inlined in the JS (inline.js), so the API is ready as soon as the import returns
// and nothing depends on where the file ends up after bundling. On Node, one module instance
// serves both `import` and `require`: one wasm memory, one KeystampError class, one token cache.
// dist/keystamp.cjs is this module bundled as CommonJS, for tools that cannot load ES modules
// (Jest's default configuration).
import wasmInit, * as api from '../dist/keystamp.js';
import { fastSigning } from './fast.js';
import { loadInline } from './inline.js';

const loading = loadInline(api.initSync, wasmInit);

export * from '../dist/keystamp.js';
export { KeystampError } from '../dist/errors.js';
export { Client } from './client.js';
export { memoryStore, redisStore } from './stores.js';
/** kiiexSignature and KiiexSigner.prototype.sign with the fast path of fast.js. */
export const kiiexSignature = fastSigning(api);

/** Already initialised at import (except in Chrome and Edge before 114: see inline.js): kept so
 * that the same code runs in every runtime. */
export function init() {
  return loading;
}
export default init;
