//! Core errors become JS `KeystampError` instances.

use wasm_bindgen::prelude::*;

use crate::core::{Error, ErrorKind, ProviderId};

#[wasm_bindgen(module = "/src/wasm/keystamp_error.js")]
extern "C" {
    #[wasm_bindgen(js_name = KeystampError)]
    type JsKeystampError;

    #[wasm_bindgen(constructor, js_class = KeystampError)]
    #[allow(clippy::too_many_arguments)]
    fn new(code: &str, message: &str, provider: Option<&str>, status: Option<u16>, field: Option<&str>, retry_after_ms: Option<f64>, provider_code: Option<f64>) -> JsKeystampError;
}

/// The JS error for a core error.
pub(crate) fn to_js(err: &Error) -> JsValue {
    let provider = err.provider().map(|p| p.as_str());
    // Both fit a JS number exactly in practice (delays are capped, provider codes are small).
    #[allow(clippy::cast_precision_loss)]
    let (retry_after_ms, provider_code) = (err.retry_after_ms().map(|ms| ms as f64), err.provider_code().map(|c| c as f64));
    JsKeystampError::new(err.code(), &err.to_string(), provider, err.status(), err.field(), retry_after_ms, provider_code).into()
}

/// `invalid_argument` for the JS field `field`.
pub(crate) fn invalid(field: &'static str, reason: &'static str) -> Error {
    Error::new(ErrorKind::InvalidArgument, reason).with_field(field)
}

/// Converts a core `Result` into a JS one.
pub(crate) trait IntoJs<T> {
    /// The same value, or the `KeystampError`.
    fn js(self) -> Result<T, JsValue>;

    /// [`js`](Self::js) for the Kiiex exports: an error without a provider names Kiiex.
    fn kiiex_js(self) -> Result<T, JsValue>;
}

impl<T> IntoJs<T> for Result<T, Error> {
    fn js(self) -> Result<T, JsValue> {
        self.map_err(|e| to_js(&e))
    }

    fn kiiex_js(self) -> Result<T, JsValue> {
        self.map_err(|e| if e.provider().is_some() { e } else { e.with_provider(ProviderId::Kiiex) }).js()
    }
}
