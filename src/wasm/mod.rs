//! The JS API: thin wasm-bindgen exports over [`crate::core`]. This layer converts JS values,
//! reads the clock (`Date.now`) and random bytes (`getrandom`), and nothing else: every decision
//! is made in the core.

mod convert;
mod fast;
mod error;
#[cfg(feature = "client")]
mod session;
#[cfg(feature = "client")]
mod record;
pub mod providers;

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

use crate::core::providers::kiiex::{AuthFields, KiiexSigner as CoreSigner, MonotonicNonce};
use crate::core::{static_headers, Error, ErrorKind, ProviderId, StaticCredentials};
use convert::{headers_object, id, opt_id, opt_secret, opt_string, options, secret};
use error::{invalid, IntoJs};
#[cfg(feature = "client")]
pub use session::ClientCore;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** The five supported providers. */
export type Provider = "defindex" | "deltadefi" | "adjutor" | "depay" | "kiiex";

/** A user id or nonce: a string, or a non-negative safe integer (converted exactly). */
export type IdLike = string | number;

export interface KiiexSignatureOptions {
  /** The API SECRET from the Kiiex dashboard (never sent). */
  apiSecret: string;
  nonce: IdLike;
  userId: IdLike;
  apiKey: string;
}

export interface KiiexSignOptions {
  nonce: IdLike;
  userId: IdLike;
  apiKey: string;
}

/** How a nonce is made when none is given: `"monotonic"` (default) is
 * `max(Date.now(), last + 1)`, never repeating within one signer; `"random"` is 53 random bits. */
export type NonceMode = "monotonic" | "random";

export interface KiiexAuthHeadersOptions {
  apiKey: string;
  apiSecret: string;
  userId: IdLike;
  /** Omit to generate one (see `nonceMode`). */
  nonce?: IdLike;
  nonceMode?: NonceMode;
}

export interface KiiexSignerAuthHeadersOptions {
  apiKey: string;
  userId: IdLike;
  nonce?: IdLike;
  nonceMode?: NonceMode;
}

/** The four `AuthenticateUser` headers. */
export interface KiiexAuthHeaders {
  APIKey: string;
  Signature: string;
  UserId: string;
  Nonce: string;
}

/** Credentials for `authHeaders`: which field each provider needs. */
export interface StaticCredentials {
  /** defindex (`sk_…` key or JWT), deltadefi, adjutor; depay for `/auth/token` only. */
  apiKey?: string;
  /** depay: the `accessToken` from `/auth/token`. */
  accessToken?: string;
  /** kiiex: the `SessionToken` from `AuthenticateUser`. */
  sessionToken?: string;
}
"#;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "KiiexSignatureOptions")]
    /// Options of `kiiexSignature`.
    pub type KiiexSignatureOptions;
    #[wasm_bindgen(typescript_type = "KiiexSignOptions")]
    /// Options of `KiiexSigner.sign`.
    pub type KiiexSignOptions;
    #[wasm_bindgen(typescript_type = "KiiexAuthHeadersOptions")]
    /// Options of `kiiexAuthHeaders`.
    pub type KiiexAuthHeadersOptions;
    #[wasm_bindgen(typescript_type = "KiiexSignerAuthHeadersOptions")]
    /// Options of `KiiexSigner.authHeaders`.
    pub type KiiexSignerAuthHeadersOptions;
    #[wasm_bindgen(typescript_type = "KiiexAuthHeaders")]
    /// The four Kiiex auth headers.
    pub type KiiexAuthHeadersObject;
    #[wasm_bindgen(typescript_type = "StaticCredentials")]
    /// Credentials of `authHeaders`.
    pub type StaticCredentialsOptions;
    #[wasm_bindgen(typescript_type = "Record<string, string>")]
    /// A plain object of headers.
    pub type HeadersObject;
}

fn now_ms() -> u64 {
    // Date.now() is a non-negative integer number of milliseconds.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let now = js_sys::Date::now() as u64;
    now
}

fn random_nonce() -> Result<String, Error> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|_| Error::new(ErrorKind::Unsupported, "no secure random source in this runtime"))?;
    Ok((u64::from_le_bytes(bytes) & ((1 << 53) - 1)).to_string())
}

thread_local! {
    /// The nonce sequence shared by `kiiexAuthHeaders` calls.
    static MODULE_NONCE: RefCell<MonotonicNonce> = RefCell::new(MonotonicNonce::default());
    /// The fast path's buffer for `kiiexSignature` (see [`fast`]).
    static ONE_SHOT: fast::SignBuffer = fast::SignBuffer::new();
}

/// The nonce given in `opts`, or a new one in the requested mode.
fn nonce_from(opts: &js_sys::Object, sequence: &mut MonotonicNonce) -> Result<String, Error> {
    if let Some(nonce) = opt_id(opts, "nonce")? {
        return Ok(nonce);
    }
    match opt_string(opts, "nonceMode")?.as_deref() {
        None | Some("monotonic") => Ok(sequence.next(now_ms()).to_string()),
        Some("random") => random_nonce(),
        Some(_) => Err(invalid("nonceMode", "must be \"monotonic\" or \"random\"")),
    }
}

fn auth_headers_object(signer: &CoreSigner, opts: &js_sys::Object, nonce: String) -> Result<JsValue, Error> {
    let fields = AuthFields::new(signer, secret(opts, "apiKey")?.expose(), &id(opts, "userId")?, &nonce)?;
    Ok(headers_object(&fields.headers()?).into())
}

/// `lowercase_hex(HMAC-SHA256(apiSecret, nonce + userId + apiKey))`: the Kiiex
/// `AuthenticateUser` signature.
#[wasm_bindgen(js_name = kiiexSignature)]
pub fn kiiex_signature(options_: &KiiexSignatureOptions) -> Result<String, JsValue> {
    (|| {
        let opts = options(options_, "options")?;
        let signer = CoreSigner::new(&secret(opts, "apiSecret")?)?;
        signer.sign(&id(opts, "nonce")?, &id(opts, "userId")?, secret(opts, "apiKey")?.expose())
    })()
    .kiiex_js()
}

/// The fast path's access to wasm memory (internal, see [`fast`]).
#[doc(hidden)]
#[wasm_bindgen(js_name = __memory, skip_typescript)]
pub fn memory() -> JsValue {
    wasm_bindgen::memory()
}

/// The fast path of `kiiexSignature`: the address of its buffer (internal, see [`fast`]).
#[doc(hidden)]
#[wasm_bindgen(js_name = __kiiexBuffer, skip_typescript)]
pub fn kiiex_buffer() -> u32 {
    ONE_SHOT.with(fast::SignBuffer::address)
}

/// The fast path of `kiiexSignature`: signs what JS wrote into the buffer (internal, see [`fast`]).
#[doc(hidden)]
#[wasm_bindgen(js_name = __kiiexSign, skip_typescript)]
pub fn kiiex_sign_buffer(lengths: u32, secret_len: u32) -> bool {
    ONE_SHOT.with(|buffer| buffer.sign_once(lengths, secret_len))
}

/// The four Kiiex `AuthenticateUser` headers `{ APIKey, Signature, UserId, Nonce }`. Without a
/// `nonce`, one is generated (monotonic by default).
#[wasm_bindgen(js_name = kiiexAuthHeaders)]
pub fn kiiex_auth_headers(options_: &KiiexAuthHeadersOptions) -> Result<KiiexAuthHeadersObject, JsValue> {
    (|| {
        let opts = options(options_, "options")?;
        let signer = CoreSigner::new(&secret(opts, "apiSecret")?)?;
        let nonce = MODULE_NONCE.with(|seq| nonce_from(opts, &mut seq.borrow_mut()))?;
        auth_headers_object(&signer, opts, nonce)
    })()
    .map(JsCast::unchecked_into)
    .kiiex_js()
}

/// The headers of an authenticated call for `provider`, for the cases that need no exchange:
/// defindex/adjutor `Authorization: Bearer <apiKey>`, deltadefi `X-API-KEY`, depay
/// `Authorization: Bearer <accessToken>` (or `x-api-key` when only `apiKey` is given), kiiex
/// `aptoken: <sessionToken>`.
#[wasm_bindgen(js_name = authHeaders)]
pub fn auth_headers(#[wasm_bindgen(unchecked_param_type = "Provider")] provider: JsValue, credentials: &StaticCredentialsOptions) -> Result<HeadersObject, JsValue> {
    (|| {
        let provider: ProviderId = convert::required_string(&provider, "provider")?.parse()?;
        let opts = options(credentials, "credentials")?;
        let creds = StaticCredentials {
            api_key: opt_secret(opts, "apiKey")?,
            access_token: opt_secret(opts, "accessToken")?,
            session_token: opt_secret(opts, "sessionToken")?,
        };
        static_headers(provider, &creds).map(|h| headers_object(&h))
    })()
    .map(JsCast::unchecked_into)
    .js()
}

/// A Kiiex signer keyed once with the API secret: repeated signatures skip the HMAC key
/// schedule. Call `free()` (or use `using`) to wipe the keyed state from memory.
#[wasm_bindgen(js_name = KiiexSigner)]
pub struct KiiexSigner {
    signer: CoreSigner,
    nonces: MonotonicNonce,
    /// The fast path's buffer (see [`fast`]): keeps the last user id and key until `free()`.
    buffer: fast::SignBuffer,
}

#[wasm_bindgen(js_class = KiiexSigner)]
impl KiiexSigner {
    /// Keys a signer with `apiSecret`.
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(js_name = apiSecret, unchecked_param_type = "string")] api_secret: JsValue) -> Result<KiiexSigner, JsValue> {
        (|| {
            let secret = convert::required_string(&api_secret, "apiSecret")?;
            Ok(Self { signer: CoreSigner::new(&crate::core::Secret::new(secret))?, nonces: MonotonicNonce::default(), buffer: fast::SignBuffer::new() })
        })()
        .kiiex_js()
    }

    /// The signature of `nonce + userId + apiKey`, lowercase hex.
    pub fn sign(&self, options_: &KiiexSignOptions) -> Result<String, JsValue> {
        (|| {
            let opts = options(options_, "options")?;
            self.signer.sign(&id(opts, "nonce")?, &id(opts, "userId")?, secret(opts, "apiKey")?.expose())
        })()
        .kiiex_js()
    }

    /// The fast path of `sign`: the address of this signer's buffer (internal, see [`fast`]).
    #[doc(hidden)]
    #[wasm_bindgen(js_name = __buffer, skip_typescript)]
    pub fn buffer_address(&self) -> u32 {
        self.buffer.address()
    }

    /// The fast path of `sign`: signs what JS wrote into the buffer (internal, see [`fast`]).
    #[doc(hidden)]
    #[wasm_bindgen(js_name = __sign, skip_typescript)]
    pub fn sign_buffer(&self, lengths: u32) -> bool {
        self.buffer.sign(&self.signer, lengths)
    }

    /// `{ APIKey, Signature, UserId, Nonce }`; without a `nonce`, this signer's own monotonic
    /// sequence (or a random one) supplies it.
    #[wasm_bindgen(js_name = authHeaders)]
    pub fn auth_headers(&mut self, options_: &KiiexSignerAuthHeadersOptions) -> Result<KiiexAuthHeadersObject, JsValue> {
        (|| {
            let opts = options(options_, "options")?;
            let nonce = nonce_from(opts, &mut self.nonces)?;
            auth_headers_object(&self.signer, opts, nonce)
        })()
        .map(JsCast::unchecked_into)
        .kiiex_js()
    }
}
