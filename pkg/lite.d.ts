// Types of `keystamp/lite`: the header builders and the Kiiex signer, without the Client (a
// separate, smaller WebAssembly module; its KeystampError is its own class).
export * from './dist/lite/keystamp.js';
export type { KeystampErrorCode } from './index.js';
export { KeystampError, init } from './index.js';
export { default } from './index.js';
