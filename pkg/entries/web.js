// Browsers (and any runtime with fetch + WebAssembly): call `await init()` once before use; it
// fetches `keystamp_bg.wasm` next to this file (or takes a URL, Response, bytes or a
// WebAssembly.Module). Calling it again is a no-op.
import wasmInit from '../dist/keystamp.js';

export * from '../dist/keystamp.js';
export { KeystampError } from '../dist/errors.js';

let ready;
export function init(input) {
  ready ??= wasmInit(input === undefined ? undefined : { module_or_path: input }).then(
    () => undefined,
    (err) => { ready = undefined; throw err; },
  );
  return ready;
}
export default init;
