//! The JS API as wasm: runs in Node and in headless Chromium through wasm-bindgen-test
//! (`cargo test --target wasm32-unknown-unknown`, with `WASM_BINDGEN_USE_BROWSER=1` for Chromium).
#![cfg(target_arch = "wasm32")]

use js_sys::{Object, Reflect};
use keystamp::wasm::{auth_headers, kiiex_auth_headers, kiiex_signature, KiiexSigner};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const VECTORS: &str = include_str!("vectors.json");

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
    assert_eq!(get(&err, "name").as_string().as_deref(), Some("KeystampError"));
    get(&err, "code").as_string().unwrap_or_default()
}

#[wasm_bindgen_test]
fn kiiex_vectors_through_every_entry_point() {
    let table = js_sys::JSON::parse(VECTORS).unwrap_or(JsValue::NULL);
    let rows: js_sys::Array = get(&table, "kiiex").unchecked_into();
    assert_eq!(rows.length(), 5);
    for row in rows.iter() {
        let want = get(&row, "signature").as_string();
        let secret = get(&row, "apiSecret");
        let parts = [("nonce", get(&row, "nonce")), ("userId", get(&row, "userId")), ("apiKey", get(&row, "apiKey"))];
        let mut all = parts.to_vec();
        all.push(("apiSecret", secret.clone()));
        assert_eq!(kiiex_signature(object(&all).unchecked_ref()).ok(), want);
        let signer = KiiexSigner::new(secret).unwrap_or_else(|_| unreachable!("valid secret"));
        assert_eq!(signer.sign(object(&parts).unchecked_ref()).ok(), want);
        assert_eq!(signer.sign(object(&parts).unchecked_ref()).ok(), want, "a signer signs twice");
    }
}

#[wasm_bindgen_test]
fn numbers_are_converted_exactly() {
    let opts = object(&[
        ("apiSecret", "SECRET_FROM_DASHBOARD".into()),
        ("nonce", JsValue::from_f64(1_700_000_000_000.0)),
        ("userId", JsValue::from_f64(42.0)),
        ("apiKey", "APIKEY_FROM_DASHBOARD".into()),
    ]);
    assert_eq!(kiiex_signature(opts.unchecked_ref()).ok().as_deref(), Some("cd95952f3f722dbb00ac4b7a097813f3a4b8745a950c6b1bdb55278ad759bb6c"));
    for bad in [1e21, -1.0, 1.5, f64::NAN, f64::INFINITY] {
        let opts = object(&[("apiSecret", "s".into()), ("nonce", JsValue::from_f64(bad)), ("userId", 1.into()), ("apiKey", "k".into())]);
        assert_eq!(kiiex_signature(opts.unchecked_ref()).map_err(code_of), Err("invalid_argument".to_owned()), "nonce {bad}");
    }
}

#[wasm_bindgen_test]
fn auth_headers_for_each_provider() {
    let cases: [(&str, &str, &str, &str, &str); 5] = [
        ("defindex", "apiKey", "sk_1", "Authorization", "Bearer sk_1"),
        ("deltadefi", "apiKey", "dd_1", "X-API-KEY", "dd_1"),
        ("adjutor", "apiKey", "adj_1", "Authorization", "Bearer adj_1"),
        ("depay", "accessToken", "at_1", "Authorization", "Bearer at_1"),
        ("kiiex", "sessionToken", "st_1", "aptoken", "st_1"),
    ];
    for (provider, field, value, name, want) in cases {
        let headers = auth_headers(provider.into(), object(&[(field, value.into())]).unchecked_ref()).map_err(code_of);
        let headers = headers.unwrap_or_else(|code| unreachable!("{provider}: {code}"));
        assert_eq!(get(&headers, name).as_string().as_deref(), Some(want), "{provider}");
        assert_eq!(Object::keys(headers.unchecked_ref::<Object>()).length(), 1);
    }
}

#[wasm_bindgen_test]
fn bad_header_values_are_typed_errors_without_the_value() {
    for bad in ["SEKRIT\r\nX-Evil: 1", "SEKRIT ", "SEK\0RIT"] {
        let err = auth_headers("adjutor".into(), object(&[("apiKey", bad.into())]).unchecked_ref()).err().unwrap_or(JsValue::NULL);
        let message = get(&err, "message").as_string().unwrap_or_default();
        assert!(!message.contains("SEKRIT"), "{message}");
        assert_eq!(code_of(err), "invalid_header_value");
    }
    let err = auth_headers("aws".into(), object(&[]).unchecked_ref()).err().unwrap_or(JsValue::NULL);
    assert_eq!(code_of(err), "unknown_provider");
}

#[wasm_bindgen_test]
fn generated_nonces_strictly_increase() {
    let opts = object(&[("apiKey", "k".into()), ("apiSecret", "s".into()), ("userId", 7.into())]);
    let mut last = 0u64;
    for _ in 0..200 {
        let headers = kiiex_auth_headers(opts.unchecked_ref()).unwrap_or_else(|_| unreachable!("valid"));
        let nonce: u64 = get(&headers, "Nonce").as_string().and_then(|n| n.parse().ok()).unwrap_or(0);
        assert!(nonce > last, "{nonce} after {last}");
        last = nonce;
    }
}
