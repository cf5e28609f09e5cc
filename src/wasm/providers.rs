//! Synchronous exports for flows that need no token lifecycle: DePay callback verification (both
//! modules) and the Kiiex (APEX) WebSocket frames (the full module only: [`kiiex_frames`]).
//! Conversion only: every decision is the core's
//! ([`crate::core::providers::depay::verify_callback`], [`crate::core::providers::kiiex::ws`]).

use std::cell::RefCell;

use js_sys::{ArrayBuffer, JsString, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use super::convert::{options, secret};
use super::error::{invalid, IntoJs};
use crate::core::providers::depay::{self, MAX_CALLBACK_BODY_LEN};
use crate::core::{Error, ErrorKind, ProviderId, Result};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
export interface VerifyDepayCallbackOptions {
  /** The DePay API key (the HMAC key; never sent). */
  apiKey: string;
  /** The account's customer UUID. */
  customerUuid: string;
  /** The raw body exactly as received: the text (`await request.text()`) or its bytes. */
  body: string | Uint8Array | ArrayBuffer;
  /** The `signature` header as received. `null`/`undefined` (no header) gives `false`. */
  signature: string | null | undefined;
}
"#;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "VerifyDepayCallbackOptions")]
    /// Options of `verifyDepayCallback`.
    pub type VerifyDepayCallbackOptions;

    /// The runtime's `TextEncoder` (every supported runtime has one).
    #[wasm_bindgen(js_name = TextEncoder)]
    type JsTextEncoder;
    #[wasm_bindgen(constructor, js_class = "TextEncoder")]
    fn new() -> JsTextEncoder;
    #[wasm_bindgen(method, js_class = "TextEncoder", js_name = encodeInto)]
    fn encode_into(this: &JsTextEncoder, input: &JsString, dest: &Uint8Array) -> EncodeIntoResult;

    /// `{ read, written }` of `TextEncoder.encodeInto`.
    type EncodeIntoResult;
    #[wasm_bindgen(method, getter)]
    fn written(this: &EncodeIntoResult) -> u32;
}

thread_local! {
    static ENCODER: JsTextEncoder = JsTextEncoder::new();
    /// Where a callback body is copied for hashing; reused, so a call only grows it (no zeroing
    /// pass over a fresh allocation). The bytes are cleared after each use.
    static BODY: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

// --- DePay callbacks ---------------------------------------------------------------------------

/// A non-empty string option (`missing_credential` when absent or empty).
fn non_empty(opts: &Object, key: &'static str) -> Result<crate::core::Secret> {
    let value = secret(opts, key)?;
    if value.is_empty() {
        return Err(Error::new(ErrorKind::MissingCredential, "must not be empty").with_field(key));
    }
    Ok(value)
}

fn too_large() -> Error {
    Error::new(ErrorKind::InputTooLarge, "is larger than 1 MiB").with_field("body")
}

/// A view of `len` bytes of wasm memory at the start of `buffer`, for JS to write into.
fn memory_view(buffer: &mut [u8]) -> Uint8Array {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    // wasm32 addresses and lengths fit in u32.
    #[allow(clippy::cast_possible_truncation)]
    let (at, len) = (buffer.as_mut_ptr() as usize as u32, buffer.len() as u32);
    Uint8Array::new_with_byte_offset_and_length(&memory.buffer(), at, len)
}

/// Runs `f` on the raw body bytes, copied into wasm memory without a per-character JS loop: a
/// string is written as UTF-8 straight into the buffer by the runtime's `TextEncoder.encodeInto`
/// (one native pass; wasm-bindgen's own string passing loops over every ASCII character in JS
/// first, measured 1.9x slower on a 64 KiB body); a `Uint8Array` or `ArrayBuffer` is copied with
/// one `TypedArray.set`.
fn with_body_bytes<T>(value: &JsValue, f: impl FnOnce(&[u8]) -> T) -> Result<T> {
    enum Source<'a> {
        Text(&'a JsString),
        Bytes(Uint8Array),
    }
    let source = if let Some(text) = value.dyn_ref::<JsString>() {
        Source::Text(text)
    } else if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        Source::Bytes(bytes.clone())
    } else if let Some(buffer) = value.dyn_ref::<ArrayBuffer>() {
        Source::Bytes(Uint8Array::new(buffer))
    } else if value.is_undefined() || value.is_null() {
        return Err(Error::new(ErrorKind::MissingCredential, "is required").with_field("body"));
    } else {
        return Err(invalid("body", "must be a string, a Uint8Array or an ArrayBuffer"));
    };
    // The room needed: a string's UTF-8 takes one to three bytes per UTF-16 unit, so a string
    // of more than 1 Mi units cannot fit and one within gets three bytes per unit.
    let units = |n: u32| usize::try_from(n).unwrap_or(usize::MAX);
    let room = match &source {
        Source::Text(text) if units(text.length()) <= MAX_CALLBACK_BODY_LEN => units(text.length()) * 3,
        Source::Bytes(bytes) if units(bytes.length()) <= MAX_CALLBACK_BODY_LEN => units(bytes.length()),
        _ => return Err(too_large()),
    };
    BODY.with(|body| {
        let Ok(mut body) = body.try_borrow_mut() else { return Err(invalid("body", "is being read by another call")) };
        if body.len() < room {
            body.resize(room, 0);
        }
        let buffer = body.get_mut(..room).unwrap_or_default();
        let len = match &source {
            Source::Text(text) => units(ENCODER.with(|encoder| encoder.encode_into(text, &memory_view(buffer))).written()),
            Source::Bytes(bytes) => {
                bytes.copy_to(buffer);
                room
            }
        };
        let result = match buffer.get(..len) {
            Some(bytes) if len <= MAX_CALLBACK_BODY_LEN => Ok(f(bytes)),
            _ => Err(too_large()),
        };
        // Only what was written: the rest of the buffer is still zero.
        let written = len.min(buffer.len());
        buffer.get_mut(..written).into_iter().for_each(|b| b.fill(0));
        result
    })
}

/// Whether `signature` is DePay's callback signature of `body`:
/// `lowercase_hex(HMAC-SHA256(apiKey, body + "+" + customerUuid))`, compared in constant time.
/// A malformed or absent signature is `false`; only a missing or mistyped `apiKey`,
/// `customerUuid` or `body` throws.
#[wasm_bindgen(js_name = verifyDepayCallback)]
pub fn verify_depay_callback(options_: &VerifyDepayCallbackOptions) -> Result<bool, JsValue> {
    (|| {
        let opts = options(options_, "options")?;
        let api_key = non_empty(opts, "apiKey")?;
        let customer_uuid = non_empty(opts, "customerUuid")?;
        let body = Reflect::get(opts, &JsValue::from_str("body")).map_err(|_| invalid("body", "cannot be read"))?;
        // Attacker-controlled: anything that is not a string is simply not a valid signature.
        let signature = Reflect::get(opts, &JsValue::from_str("signature")).ok().and_then(|s| s.as_string()).unwrap_or_default();
        with_body_bytes(&body, |body| depay::verify_callback(api_key.expose(), customer_uuid.expose(), body, &signature))
    })()
    .map_err(|e: Error| if e.provider().is_some() { e } else { e.with_provider(ProviderId::Depay) })
    .js()
}

// --- Kiiex WebSocket frames --------------------------------------------------------------------

/// The Kiiex (APEX) WebSocket frames, for a host that owns its socket. In the full module only:
/// reading frames needs the JSON reader that `keystamp/lite` leaves out (+20 KB gzip there).
#[cfg(feature = "client")]
pub mod kiiex_frames {
    use js_sys::{JsString, Object, Reflect};
    use wasm_bindgen::prelude::*;

    use super::super::convert::{id, options, required_string, secret};
    use super::super::error::{invalid, IntoJs};
    use crate::core::providers::kiiex::{ws, AuthFields, AuthenticateOutcome, KiiexSigner as CoreSigner};
    use crate::core::{Error, ErrorKind, Result};

    #[wasm_bindgen(typescript_custom_section)]
    const TS_TYPES: &str = r#"
export interface KiiexAuthenticateFrameOptions {
  apiKey: string;
  /** The API SECRET from the Kiiex dashboard (keys the HMAC; never in the frame). */
  apiSecret: string;
  userId: IdLike;
  /** Omit to generate one (see `nonceMode`). */
  nonce?: IdLike;
  nonceMode?: NonceMode;
  /** The frame's `i`: a non-zero safe integer, echoed by the reply (APEX advises even numbers from 2). */
  seq: number;
}

export interface KiiexTwoFactorFrameOptions {
  /** The second-factor code (4 to 10 digits, e.g. a TOTP). */
  code: string;
  seq: number;
}

export interface KiiexRequestFrameOptions {
  seq: number;
  /** The APEX function, e.g. `"GetUserInfo"` (ASCII letters, digits, `_`). */
  function: string;
  /** The payload object; sent as its JSON string in `o`. Default `{}`. */
  payload?: unknown;
}

export interface KiiexReplyOptions {
  /** The `i` of the request this frame should answer. */
  seq: number;
}

/** What the reply to `AuthenticateUser` or `Authenticate2FA` means. */
export type KiiexAuthenticateReply =
  | { requires2FA: false; sessionToken: string }
  | { requires2FA: true; twoFAType?: string; pendingToken?: string };

/** A checked reply frame: the function it answers and its parsed payload. */
export interface KiiexReply {
  function: string;
  payload: unknown;
}
"#;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(typescript_type = "KiiexAuthenticateFrameOptions")]
        /// Options of `kiiexAuthenticateFrame`.
        pub type KiiexAuthenticateFrameOptions;
        #[wasm_bindgen(typescript_type = "KiiexTwoFactorFrameOptions")]
        /// Options of `kiiexTwoFactorFrame`.
        pub type KiiexTwoFactorFrameOptions;
        #[wasm_bindgen(typescript_type = "KiiexRequestFrameOptions")]
        /// Options of `kiiexRequestFrame`.
        pub type KiiexRequestFrameOptions;
        #[wasm_bindgen(typescript_type = "KiiexReplyOptions")]
        /// Options of the reply readers.
        pub type KiiexReplyOptions;
        #[wasm_bindgen(typescript_type = "KiiexAuthenticateReply")]
        /// What `kiiexReadAuthenticateReply` returns.
        pub type KiiexAuthenticateReplyObject;
        #[wasm_bindgen(typescript_type = "KiiexReply")]
        /// What `kiiexReadReply` returns.
        pub type KiiexReplyObject;
    }

    /// The `seq` option: a safe integer from 1 to 2^53 - 1.
    fn seq(opts: &Object) -> Result<u64> {
        let value = Reflect::get(opts, &JsValue::from_str("seq")).map_err(|_| invalid("seq", "cannot be read"))?;
        if value.is_undefined() || value.is_null() {
            return Err(Error::new(ErrorKind::MissingCredential, "is required").with_field("seq"));
        }
        let Some(n) = value.as_f64().filter(|_| js_sys::Number::is_safe_integer(&value)) else {
            return Err(invalid("seq", "must be a whole number from 1 to 2^53 - 1 (APEX needs it non-zero)"));
        };
        // A safe integer: the cast is exact (negatives saturate to 0, which the core refuses).
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let seq = n as u64;
        ws::check_seq(seq)?;
        Ok(seq)
    }

    /// The `AuthenticateUser` frame `{"m":0,"i":seq,"n":"AuthenticateUser","o":"<JSON>"}` for the
    /// host's own WebSocket. Without `nonce`, one is generated (monotonic by default, from the same
    /// sequence as `kiiexAuthHeaders`).
    #[wasm_bindgen(js_name = kiiexAuthenticateFrame)]
    pub fn kiiex_authenticate_frame(options_: &KiiexAuthenticateFrameOptions) -> Result<String, JsValue> {
        (|| {
            let opts = options(options_, "options")?;
            let seq = seq(opts)?;
            let signer = CoreSigner::new(&secret(opts, "apiSecret")?)?;
            let nonce = super::super::MODULE_NONCE.with(|sequence| super::super::nonce_from(opts, &mut sequence.borrow_mut()))?;
            let fields = AuthFields::new(&signer, secret(opts, "apiKey")?.expose(), &id(opts, "userId")?, &nonce)?;
            ws::authenticate_frame(&fields, seq)
        })()
        .kiiex_js()
    }

    /// The `Authenticate2FA` frame with `{"Code": code}`, after a reply that asked for a second factor.
    #[wasm_bindgen(js_name = kiiexTwoFactorFrame)]
    pub fn kiiex_two_factor_frame(options_: &KiiexTwoFactorFrameOptions) -> Result<String, JsValue> {
        (|| {
            let opts = options(options_, "options")?;
            let seq = seq(opts)?;
            // A string only: a number would lose a code's leading zeros.
            let code = required_string(&Reflect::get(opts, &JsValue::from_str("code")).map_err(|_| invalid("code", "cannot be read"))?, "code")?;
            ws::two_factor_frame(seq, &code)
        })()
        .kiiex_js()
    }

    /// Any request frame: `{"m":0,"i":seq,"n":function,"o":JSON.stringify(payload ?? {})}`.
    #[wasm_bindgen(js_name = kiiexRequestFrame)]
    pub fn kiiex_request_frame(options_: &KiiexRequestFrameOptions) -> Result<String, JsValue> {
        (|| {
            let opts = options(options_, "options")?;
            let seq = seq(opts)?;
            let function = required_string(&Reflect::get(opts, &JsValue::from_str("function")).map_err(|_| invalid("function", "cannot be read"))?, "function")?;
            let payload = Reflect::get(opts, &JsValue::from_str("payload")).map_err(|_| invalid("payload", "cannot be read"))?;
            let payload = if payload.is_undefined() { "{}".to_owned() } else { json_text(&payload)? };
            ws::request_frame(seq, &function, &payload)
        })()
        .kiiex_js()
    }

    /// `JSON.stringify(value)`, or `invalid_argument` when it throws or gives `undefined`.
    fn json_text(value: &JsValue) -> Result<String> {
        js_sys::JSON::stringify(value).ok().and_then(|s| s.as_string()).ok_or(invalid("payload", "cannot be written as JSON"))
    }

    /// The reply frame's text (a string of at most 1 MiB of UTF-16).
    fn frame_text(frame: &JsValue) -> Result<String> {
        let Some(text) = frame.dyn_ref::<JsString>() else {
            return Err(if frame.is_undefined() || frame.is_null() { Error::new(ErrorKind::MissingCredential, "is required").with_field("frame") } else { invalid("frame", "must be a string") });
        };
        if text.length() > u32::try_from(ws::MAX_FRAME_LEN).unwrap_or(u32::MAX) {
            return Err(Error::new(ErrorKind::InputTooLarge, "is larger than 1 MiB").with_field("frame"));
        }
        Ok(String::from(text))
    }

    /// Reads the reply to an `AuthenticateUser` (or `Authenticate2FA`) frame: the session token, or
    /// a second factor to send; a refusal, an error frame or a frame for another `i` throws.
    #[wasm_bindgen(js_name = kiiexReadAuthenticateReply)]
    pub fn kiiex_read_authenticate_reply(
        #[wasm_bindgen(unchecked_param_type = "string")] frame: JsValue,
        options_: &KiiexReplyOptions,
    ) -> Result<KiiexAuthenticateReplyObject, JsValue> {
        (|| {
            let seq = seq(options(options_, "options")?)?;
            let reply = Object::new();
            let set = |key: &str, value: JsValue| {
                // Setting a string key on a fresh plain object cannot fail.
                let _ = Reflect::set(&reply, &JsValue::from_str(key), &value);
            };
            match ws::read_authenticate_reply(&frame_text(&frame)?, seq)? {
                AuthenticateOutcome::Session(token) => {
                    set("requires2FA", JsValue::FALSE);
                    set("sessionToken", JsValue::from_str(token.expose()));
                }
                AuthenticateOutcome::TwoFactorRequired(challenge) => {
                    set("requires2FA", JsValue::TRUE);
                    if let Some(kind) = &challenge.kind {
                        set("twoFAType", JsValue::from_str(kind));
                    }
                    if let Some(token) = &challenge.pending_token {
                        set("pendingToken", JsValue::from_str(token.expose()));
                    }
                }
            }
            Ok(reply)
        })()
        .map(JsCast::unchecked_into)
        .kiiex_js()
    }

    /// Reads the reply to any request frame into `{ function, payload }` (the payload parsed); an
    /// APEX error payload (`result: false`), an error frame or a frame for another `i` throws.
    #[wasm_bindgen(js_name = kiiexReadReply)]
    pub fn kiiex_read_reply(#[wasm_bindgen(unchecked_param_type = "string")] frame: JsValue, options_: &KiiexReplyOptions) -> Result<KiiexReplyObject, JsValue> {
        (|| {
            let seq = seq(options(options_, "options")?)?;
            let (reply, _) = ws::read_reply(&frame_text(&frame)?, seq)?;
            let payload = js_sys::JSON::parse(&reply.payload).map_err(|_| Error::new(ErrorKind::MalformedResponse, "the frame's o is not JSON text"))?;
            let out = Object::new();
            let _ = Reflect::set(&out, &JsValue::from_str("function"), &JsValue::from_str(&reply.function));
            let _ = Reflect::set(&out, &JsValue::from_str("payload"), &payload);
            Ok(out)
        })()
        .map(JsCast::unchecked_into)
        .kiiex_js()
    }
}
