// Browsers, web workers, and any runtime or bundler without a more specific condition (the
// `browser`, `worker` and `default` conditions): the very module of Node's entry, which carries
// the WebAssembly inline and is ready at import. `keystamp/web` (web.js) is the variant that
// fetches the `.wasm` file instead, after `await init()`.
export * from './node.js';
export { default } from './node.js';
