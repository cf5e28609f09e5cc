//! Reading JS option objects into Rust values, with typed errors.

use js_sys::{JsString, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::error::invalid;
use crate::core::{Error, ErrorKind, Headers, Result, Secret};

/// The longest string accepted from JS before any copy, in UTF-16 units.
const MAX_JS_STRING_LEN: u32 = 64 * 1024;

/// Checks that `value` is an object (not `null`, an array or a primitive). Objects with a
/// `null` prototype and objects of another realm (a `vm` context, an iframe) are accepted.
pub(crate) fn options<'a>(value: &'a JsValue, field: &'static str) -> Result<&'a Object> {
    if value.is_object() && !js_sys::Array::is_array(value) {
        Ok(value.unchecked_ref::<Object>())
    } else {
        Err(invalid(field, "must be an object"))
    }
}

/// An option is read from the object's **own** properties only: a value inherited from a
/// (possibly polluted) prototype is ignored. A getter is called once.
fn property(obj: &Object, key: &str, field: &'static str) -> Result<JsValue> {
    let key = JsValue::from_str(key);
    let descriptor = Reflect::get_own_property_descriptor(obj, &key).map_err(|_| invalid(field, "cannot be read"))?;
    if descriptor.is_undefined() {
        return Ok(JsValue::UNDEFINED);
    }
    let getter = Reflect::get(&descriptor, &JsValue::from_str("get")).map_err(|_| invalid(field, "cannot be read"))?;
    match getter.dyn_ref::<js_sys::Function>() {
        Some(get) => get.call0(obj).map_err(|_| invalid(field, "cannot be read")),
        None => Reflect::get(&descriptor, &JsValue::from_str("value")).map_err(|_| invalid(field, "cannot be read")),
    }
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
        set(&obj, h.name(), &JsValue::from_str(h.value()));
    }
    obj
}

/// A whole number from JS (a clock reading in ms, a generation, a nonce): finite, non-negative
/// and below 2^53; a fraction (a clock with sub-millisecond precision) is dropped.
#[cfg(feature = "client")]
pub(crate) fn whole(value: f64, field: &'static str) -> Result<u64> {
    if !(0.0..9_007_199_254_740_992.0).contains(&value) {
        return Err(invalid(field, "must be a non-negative integer below 2^53"));
    }
    // Checked above: in range, so the cast is exact to the unit.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(value as u64)
}

/// A whole number to JS: generations count exchanges and durations are capped by expiries, far
/// below 2^53, so the conversion is exact.
#[cfg(feature = "client")]
#[allow(clippy::cast_precision_loss)]
pub(crate) fn number(value: u64) -> JsValue {
    JsValue::from_f64(value as f64)
}

/// Sets `key` on a plain object this layer just made (which cannot fail).
pub(crate) fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}
