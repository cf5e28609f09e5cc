//! Fleet records on `ClientCore` (internal, for `pkg/entries/fleet.js`): the store's bytes go in
//! and out here; what a record means is the core session's (`crate::core::session::fleet`). The
//! JS side keeps only the highest fleet generation it has seen, and moves the bytes.

use js_sys::{Object, Uint8Array};
use wasm_bindgen::prelude::*;

use super::convert::{number, set, whole};
use super::error::IntoJs;
use super::session::ClientCore;
use crate::core::record::NONCE_LEN;
use crate::core::{Error, ErrorKind};

#[wasm_bindgen(js_class = __ClientCore)]
impl ClientCore {
    /// The name of this credential's record in a fleet store; `undefined` when it has nothing
    /// to share (a static key; a Kiiex session unless `shareIpBound`).
    #[wasm_bindgen(js_name = storeKey)]
    pub fn store_key(&self, share_ip_bound: bool) -> Option<String> {
        self.session.store_key(share_ip_bound)
    }

    /// Kiiex: the name of the fleet counter that reserves this API key's nonces; `undefined` for
    /// the other providers.
    #[wasm_bindgen(js_name = nonceKey)]
    pub fn nonce_key(&self) -> Option<String> {
        self.session.nonce_key()
    }

    /// Kiiex: the next `AuthenticateUser` nonce is at least `reserved` (from the fleet counter).
    #[wasm_bindgen(js_name = reserveNonce)]
    pub fn reserve_nonce(&mut self, reserved: f64) -> std::result::Result<(), JsValue> {
        whole(reserved, "nonce").map(|n| self.session.reserve_nonce(n)).js()
    }

    /// The current token sealed as fleet generation `afterGeneration + 1`:
    /// `{ bytes, generation, ttlMs }`, or `undefined` when there is no token.
    #[wasm_bindgen(js_name = exportRecord)]
    pub fn export_record(&self, after_generation: f64, now_ms: f64) -> std::result::Result<JsValue, JsValue> {
        (|| {
            let mut nonce = [0u8; NONCE_LEN];
            getrandom::fill(&mut nonce).map_err(|_| Error::new(ErrorKind::Unsupported, "no secure random source in this runtime"))?;
            let Some(out) = self.session.export_record(whole(after_generation, "generation")?, whole(now_ms, "now")?, nonce)? else {
                return Ok(JsValue::UNDEFINED);
            };
            let obj = Object::new();
            set(&obj, "bytes", &Uint8Array::from(out.bytes.as_slice()).into());
            set(&obj, "generation", &number(out.generation));
            set(&obj, "ttlMs", &number(out.ttl_ms));
            Ok(obj.into())
        })()
        .js()
    }

    /// Reads a record from the store: its generation when it is newer than `knownGeneration`
    /// (and now installed as the core decided), 0 when it is not. Throws `malformed_response`
    /// for bytes that are no record of this credential; the session is then unchanged.
    #[wasm_bindgen(js_name = importRecord)]
    pub fn import_record(&mut self, bytes: &[u8], known_generation: f64, now_ms: f64) -> std::result::Result<JsValue, JsValue> {
        (|| {
            let imported = self.session.import_record(bytes, whole(known_generation, "generation")?, whole(now_ms, "now")?)?;
            Ok(imported.map_or(JsValue::from_f64(0.0), number))
        })()
        .js()
    }
}
