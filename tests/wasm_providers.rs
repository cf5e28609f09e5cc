//! The synchronous provider exports as wasm, in Node and in headless Chromium (wasm-bindgen-test):
//! DePay callback vectors through every body type, and the Kiiex WebSocket frames.
#![cfg(target_arch = "wasm32")]

use js_sys::{Object, Reflect, Uint8Array};
use keystamp::wasm::providers::kiiex_frames::{kiiex_authenticate_frame, kiiex_read_authenticate_reply, kiiex_read_reply, kiiex_request_frame, kiiex_two_factor_frame};
use keystamp::wasm::providers::verify_depay_callback;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const CALLBACKS: &str = include_str!("depay-callbacks.json");

fn object(pairs: &[(&str, JsValue)]) -> Object {
    let obj = Object::new();
    for (k, v) in pairs {
        assert!(Reflect::set(&obj, &JsValue::from_str(k), v).unwrap_or(false));
    }
    obj
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn code_of(err: JsValue) -> String {
    assert!(err.is_instance_of::<js_sys::Error>(), "not an Error");
    get(&err, "code").as_string().unwrap_or_default()
}

/// A vector's body bytes (`body`, `bodyHex` or `bodyPattern`).
fn body_of(row: &JsValue) -> Vec<u8> {
    if let Some(text) = get(row, "body").as_string() {
        return text.into_bytes();
    }
    if let Some(hex) = get(row, "bodyHex").as_string() {
        return (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0)).collect();
    }
    let p = get(row, "bodyPattern");
    let text = |k| get(&p, k).as_string().unwrap_or_default();
    let count = get(&p, "count").as_f64().unwrap_or(0.0) as usize;
    format!("{}{}{}", text("prefix"), text("unit").repeat(count), text("suffix")).into_bytes()
}

#[wasm_bindgen_test]
fn depay_callback_vectors_as_text_and_bytes() {
    let table = js_sys::JSON::parse(CALLBACKS).unwrap_or(JsValue::NULL);
    let rows: js_sys::Array = get(&table, "depayCallbacks").unchecked_into();
    assert_eq!(rows.length(), 12);
    for row in rows.iter() {
        let bytes = body_of(&row);
        let mut bodies = vec![JsValue::from(Uint8Array::from(bytes.as_slice())), Uint8Array::from(bytes.as_slice()).buffer().into()];
        if let Ok(text) = String::from_utf8(bytes.clone()) {
            bodies.push(JsValue::from_str(&text));
        }
        for body in bodies {
            let verify = |signature: JsValue| {
                let opts = object(&[("apiKey", get(&row, "apiKey")), ("customerUuid", get(&row, "customerUuid")), ("body", body.clone()), ("signature", signature)]);
                verify_depay_callback(opts.unchecked_ref()).map_err(code_of)
            };
            let want = get(&row, "signature").as_string().unwrap_or_default();
            assert_eq!(verify(JsValue::from_str(&want)), Ok(true), "{:?}", get(&row, "name").as_string());
            assert_eq!(verify(JsValue::from_str(&want.to_uppercase())), Ok(false));
            assert_eq!(verify(JsValue::NULL), Ok(false));
        }
    }
    let missing = object(&[("apiKey", "k".into()), ("customerUuid", "u".into()), ("signature", "s".into())]);
    assert_eq!(verify_depay_callback(missing.unchecked_ref()).map_err(code_of), Err("missing_credential".to_owned()));
}

#[wasm_bindgen_test]
fn kiiex_frames_round_trip() {
    let opts = object(&[
        ("apiKey", "APIKEY_FROM_DASHBOARD".into()),
        ("apiSecret", "SECRET_FROM_DASHBOARD".into()),
        ("userId", 42.into()),
        ("nonce", "1700000000000".into()),
        ("seq", 2.into()),
    ]);
    let frame = kiiex_authenticate_frame(opts.unchecked_ref()).unwrap_or_default();
    assert!(frame.contains(r#"\"Signature\":\"cd95952f3f722dbb00ac4b7a097813f3a4b8745a950c6b1bdb55278ad759bb6c\""#), "{frame}");
    assert!(frame.starts_with(r#"{"m":0,"i":2,"n":"AuthenticateUser","o":"#), "{frame}");
    let seq = |n: u32| object(&[("seq", n.into())]);
    let reply = r#"{"m":1,"i":2,"n":"AuthenticateUser","o":"{\"Authenticated\":true,\"SessionToken\":\"tok-1\"}"}"#;
    let read = kiiex_read_authenticate_reply(reply.into(), seq(2).unchecked_ref()).map(JsValue::from).unwrap_or_default();
    assert_eq!((get(&read, "requires2FA").as_bool(), get(&read, "sessionToken").as_string().as_deref()), (Some(false), Some("tok-1")));
    assert_eq!(kiiex_read_authenticate_reply(reply.into(), seq(4).unchecked_ref()).map(drop).map_err(code_of), Err("malformed_response".to_owned()));
    let two_fa = object(&[("code", "012345".into()), ("seq", 4.into())]);
    assert_eq!(kiiex_two_factor_frame(two_fa.unchecked_ref()).ok().as_deref(), Some(r#"{"m":0,"i":4,"n":"Authenticate2FA","o":"{\"Code\":\"012345\"}"}"#));
    let request = object(&[("seq", 6.into()), ("function", "GetUserInfo".into())]);
    assert_eq!(kiiex_request_frame(request.unchecked_ref()).ok().as_deref(), Some(r#"{"m":0,"i":6,"n":"GetUserInfo","o":"{}"}"#));
    let answer = kiiex_read_reply(r#"{"m":1,"i":6,"n":"GetUserInfo","o":"{\"UserId\":42}"}"#.into(), seq(6).unchecked_ref()).map(JsValue::from).unwrap_or_default();
    assert_eq!(get(&get(&answer, "payload"), "UserId").as_f64(), Some(42.0));
    let zero = object(&[("seq", 0.into()), ("function", "Ping".into())]);
    assert_eq!(kiiex_request_frame(zero.unchecked_ref()).map_err(code_of), Err("invalid_argument".to_owned()));
}
