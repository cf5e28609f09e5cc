//! Reading JS option objects into Rust values, with typed errors.

use std::cell::{Cell, RefCell};

use js_sys::{JsString, Object, Reflect};
use wasm_bindgen::prelude::*;
use zeroize::Zeroize;

use super::error::invalid;
use crate::core::{Error, ErrorKind, Headers, Result, Secret};

/// The longest string accepted from JS before any copy, in UTF-16 units.
const MAX_JS_STRING_LEN: u32 = 64 * 1024;

/// Checks that `value` is a plain object (not `null`, an array or a primitive).
pub(crate) fn options<'a>(value: &'a JsValue, field: &'static str) -> Result<&'a Object> {
    if value.is_object() && !js_sys::Array::is_array(value) {
        value.dyn_ref::<Object>().ok_or(invalid(field, "must be an object"))
    } else {
        Err(invalid(field, "must be an object"))
    }
}

fn property(obj: &Object, key: &str, field: &'static str) -> Result<JsValue> {
    Reflect::get(obj, &JsValue::from_str(key)).map_err(|_| invalid(field, "cannot be read"))
}

fn js_string(value: &JsValue, field: &'static str) -> Result<Option<String>> {
    let Some(s) = value.dyn_ref::<JsString>() else { return Ok(None) };
    if s.length() > MAX_JS_STRING_LEN {
        return Err(Error::new(ErrorKind::InputTooLarge, "is longer than 64 KiB").with_field(field));
    }
    if !s.is_valid_utf16() {
        return Err(invalid(field, "contains an unpaired UTF-16 surrogate"));
    }
    Ok(value.as_string())
}

/// An optional string: `undefined`/`null` give `None`; any other non-string is an error.
pub(crate) fn opt_string_value(value: &JsValue, field: &'static str) -> Result<Option<String>> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    js_string(value, field)?.map(Some).ok_or(invalid(field, "must be a string"))
}

/// A required string.
pub(crate) fn required_string(value: &JsValue, field: &'static str) -> Result<String> {
    opt_string_value(value, field)?.ok_or(Error::new(ErrorKind::MissingCredential, "is required").with_field(field))
}

/// An optional string property.
pub(crate) fn opt_string(obj: &Object, key: &'static str) -> Result<Option<String>> {
    opt_string_value(&property(obj, key, key)?, key)
}

/// A required string property.
pub(crate) fn string(obj: &Object, key: &'static str) -> Result<String> {
    required_string(&property(obj, key, key)?, key)
}

/// A required secret property (moved into a zeroizing [`Secret`]).
pub(crate) fn secret(obj: &Object, key: &'static str) -> Result<Secret> {
    string(obj, key).map(Secret::new)
}

/// An optional secret property.
pub(crate) fn opt_secret(obj: &Object, key: &'static str) -> Result<Option<Secret>> {
    Ok(opt_string(obj, key)?.map(Secret::new))
}

/// A string, or a number converted exactly: a non-negative safe integer (`42` → `"42"`).
/// `NaN`, fractions, negatives, `1e21` and other values a decimal string cannot hold exactly are
/// errors, as are BigInts and objects.
pub(crate) fn id_value(value: &JsValue, field: &'static str) -> Result<Option<String>> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    if let Some(s) = js_string(value, field)? {
        return Ok(Some(s));
    }
    let Some(n) = value.as_f64() else { return Err(invalid(field, "must be a string or a number")) };
    if !js_sys::Number::is_safe_integer(value) || n < 0.0 {
        return Err(invalid(field, "must be a non-negative integer no larger than 2^53 - 1"));
    }
    // A safe integer: the cast is exact.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(Some((n as u64).to_string()))
}

/// A string-or-number property (see [`id_value`]).
pub(crate) fn opt_id(obj: &Object, key: &'static str) -> Result<Option<String>> {
    id_value(&property(obj, key, key)?, key)
}

/// A required string-or-number property.
pub(crate) fn id(obj: &Object, key: &'static str) -> Result<String> {
    opt_id(obj, key)?.ok_or(Error::new(ErrorKind::MissingCredential, "is required").with_field(key))
}

/// Headers as a plain JS object `{ name: value }`.
pub(crate) fn headers_object(headers: &Headers) -> Object {
    let obj = Object::new();
    for h in headers.iter() {
        // Setting a string key on a fresh plain object cannot fail.
        let _ = Reflect::set(&obj, &JsValue::from_str(h.name()), &JsValue::from_str(h.value()));
    }
    obj
}

// --- the Kiiex fast path -------------------------------------------------------------------------
// A short signature costs less than reading its options one by one (`Reflect.get`, a string copy
// per field), so the Kiiex signer reads them with one call into convert.js, which writes plain
// ASCII values straight into a buffer of the signer. Other values take the general path above,
// with the same errors. A signer keeps the user id and key of its last call in its buffer (they
// are wiped when it is freed); `kiiexSignature` wipes its buffer after each call.

#[wasm_bindgen(module = "/src/wasm/convert.js")]
extern "C" {
    fn attach(memory: &JsValue);
    #[wasm_bindgen(js_name = newInputs)]
    fn new_inputs(at: u32, keep: bool) -> JsValue;
    #[wasm_bindgen(js_name = readSecret)]
    fn read_secret(options: &JsValue, inputs: &JsValue) -> i32;
    #[wasm_bindgen(js_name = readParts)]
    fn read_parts(options: &JsValue, inputs: &JsValue) -> i32;
    #[wasm_bindgen(js_name = takeRead)]
    fn take_read(index: u32) -> JsValue;
    #[wasm_bindgen(js_name = readSignature)]
    fn read_signature(inputs: &JsValue) -> JsString;
}

/// Codes of convert.js: below zero, [`NOT_PLAIN`], [`NOT_OBJECT`] or `-3 - i` (reading option
/// `i` threw); otherwise the byte lengths, 8 bits each, and [`FRESH`].
const NOT_PLAIN: i32 = -1;
const NOT_OBJECT: i32 = -2;
const FRESH: i32 = 1 << 24;
/// Where convert.js writes `nonce` (or `apiSecret`), `userId` and `apiKey`, 255 bytes at most
/// each, and reads the 64 signature digits.
const NONCE_AT: usize = 0;
const USER_ID_AT: usize = 256;
const API_KEY_AT: usize = 512;
const SIGNATURE_AT: usize = 768;
const INPUTS_LEN: usize = SIGNATURE_AT + 64;

thread_local! {
    static ATTACHED: Cell<bool> = const { Cell::new(false) };
}

/// The input buffer of Kiiex signatures, which convert.js fills. Wiped on drop.
pub(crate) struct KiiexInputs {
    /// Boxed: its address is handed to JS, so it must not move.
    bytes: Box<RefCell<[u8; INPUTS_LEN]>>,
    /// convert.js's record of the buffer.
    record: JsValue,
    /// Whether the user id and key stay in the buffer between calls (else they are wiped).
    keep: bool,
    /// Whether the user id and key in the buffer passed the checks of the last call.
    checked: Cell<bool>,
}

impl KiiexInputs {
    /// A buffer that keeps the user id and key between calls (a signer's), or wipes them.
    pub(crate) fn new(keep: bool) -> Self {
        if !ATTACHED.with(|attached| attached.replace(true)) {
            attach(&wasm_bindgen::memory());
        }
        let bytes = Box::new(RefCell::new([0; INPUTS_LEN]));
        // A wasm32 address fits in u32.
        #[allow(clippy::cast_possible_truncation)]
        let at = bytes.as_ptr() as usize as u32;
        Self { bytes, record: new_inputs(at, keep), keep, checked: Cell::new(false) }
    }

    fn wipe(&self, at: usize, len: usize) {
        if let Some(region) = self.bytes.borrow_mut().get_mut(at..at + len) {
            region.zeroize();
        }
    }

    /// Calls `f` with the `apiSecret` of `options_`, then wipes the copy. Same errors as [`secret`].
    pub(crate) fn with_secret<T>(&self, options_: &JsValue, f: impl FnOnce(&str) -> Result<T>) -> Result<T> {
        let code = read_secret(options_, &self.record);
        if code == NOT_PLAIN {
            return f(Secret::new(required_string(&take_read(0), "apiSecret")?).expose());
        }
        if code < 0 {
            return Err(read_error(code, options_, &["apiSecret"]));
        }
        let result = text(&*self.bytes.borrow(), NONCE_AT, code).and_then(f);
        self.wipe(NONCE_AT, byte_len(code));
        result
    }

    /// Reads the `nonce`, `userId` and `apiKey` of `options_` (same errors as [`id`] and
    /// [`secret`]) and returns, as a JS string, the 64 ASCII digits `sign` writes. `sign` is also
    /// told whether the user id and key passed it before (then only the nonce needs checking).
    pub(crate) fn signature<F>(&self, options_: &JsValue, sign: F) -> Result<JsString>
    where
        F: FnOnce(&str, &str, &str, bool, &mut [u8; 64]) -> Result<()>,
    {
        let code = read_parts(options_, &self.record);
        if code == NOT_PLAIN {
            let missing = |field| Error::new(ErrorKind::MissingCredential, "is required").with_field(field);
            let (nonce, user_id, api_key) = (take_read(0), take_read(1), take_read(2));
            let nonce = id_value(&nonce, "nonce")?.ok_or_else(|| missing("nonce"))?;
            let user_id = id_value(&user_id, "userId")?.ok_or_else(|| missing("userId"))?;
            let api_key = Secret::new(required_string(&api_key, "apiKey")?);
            let mut digits = zeroize::Zeroizing::new([0u8; 64]);
            sign(&nonce, &user_id, api_key.expose(), false, &mut digits)?;
            return Ok(core::str::from_utf8(&*digits).unwrap_or_default().into());
        }
        if code < 0 {
            return Err(read_error(code, options_, &["nonce", "userId", "apiKey"]));
        }
        let checked = code & FRESH == 0 && self.checked.get();
        let signed = {
            let mut bytes = self.bytes.borrow_mut();
            let (inputs, digits) = bytes.split_at_mut(SIGNATURE_AT);
            let digits: &mut [u8; 64] = digits.try_into().map_err(|_| invalid("options", "cannot be read"))?;
            let (nonce, user_id, api_key) = (text(inputs, NONCE_AT, code)?, text(inputs, USER_ID_AT, code >> 8)?, text(inputs, API_KEY_AT, code >> 16)?);
            sign(nonce, user_id, api_key, checked, digits)
        };
        self.checked.set(signed.is_ok());
        if !self.keep {
            self.wipe(API_KEY_AT, byte_len(code >> 16));
        }
        signed?;
        let signature = read_signature(&self.record);
        self.wipe(SIGNATURE_AT, 64);
        Ok(signature)
    }
}

impl Drop for KiiexInputs {
    fn drop(&mut self) {
        self.bytes.get_mut().zeroize();
    }
}

/// The byte length in the low byte of a code of convert.js.
fn byte_len(code: i32) -> usize {
    usize::try_from(code & 0xff).unwrap_or_default()
}

/// The text convert.js wrote at `at`, of the length in the low byte of `code` (always ASCII).
fn text(bytes: &[u8], at: usize, code: i32) -> Result<&str> {
    core::str::from_utf8(bytes.get(at..at + byte_len(code)).unwrap_or_default()).map_err(|_| invalid("options", "cannot be read"))
}

/// The error for a code of convert.js below zero other than [`NOT_PLAIN`]; `fields` are the
/// options read, in order.
fn read_error(code: i32, options_: &JsValue, fields: &[&'static str]) -> Error {
    if code == NOT_OBJECT {
        // The error of `options()`, which makes the same test.
        return options(options_, "options").err().unwrap_or_else(|| invalid("options", "must be an object"));
    }
    let field = usize::try_from(-3 - code).ok().and_then(|index| fields.get(index));
    invalid(field.copied().unwrap_or("options"), "cannot be read")
}
