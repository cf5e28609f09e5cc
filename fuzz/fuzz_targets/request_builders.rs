//! The auth request builders of DeFindex, DeltaDeFi and DePay with arbitrary values: an accepted
//! value is carried exactly (JSON bodies round-trip, headers are valid) and never changes the URL.
#![no_main]

use keystamp::core::headers::check_header_value;
use keystamp::core::http::{BaseUrl, Request};
use keystamp::core::providers::{defindex, deltadefi, depay};
use keystamp::core::Secret;
use keystamp_fuzz::is_documented;
use libfuzzer_sys::{arbitrary, fuzz_target};

#[derive(Debug, arbitrary::Arbitrary)]
struct Input<'a> {
    a: &'a str,
    b: &'a str,
    name: Option<&'a str>,
}

fn check(result: keystamp::core::Result<Request>, url: &str) -> Option<serde_json::Value> {
    match result {
        Ok(r) => {
            assert_eq!(r.url, url);
            assert!(r.headers.iter().all(|h| check_header_value("h", h.value()).is_ok()));
            r.body.as_deref().map(|b| serde_json::from_str(b).unwrap())
        }
        Err(e) => {
            assert!(is_documented(e.code()), "{e:?}");
            None
        }
    }
}

fuzz_target!(|input: Input<'_>| {
    let Input { a, b, name } = input;
    let base = BaseUrl::parse(defindex::BASE_URL).unwrap();
    let u = |path: &str| format!("{}{path}", defindex::BASE_URL);
    if let Some(body) = check(defindex::login_request(&base, a, &Secret::from(b)), &u("/login")) {
        assert_eq!((body["email"].as_str(), body["password"].as_str()), (Some(a), Some(b)));
    }
    check(defindex::refresh_request(&base, &Secret::from(a)), &u("/refresh"));
    if let Some(body) = check(defindex::generate_key_request(&base, a, name), &u("/api-keys/generate")) {
        assert_eq!(body["name"].as_str(), name);
    }
    check(defindex::list_keys_request(&base, a), &u("/api-keys"));
    if let Some(body) = check(defindex::revoke_key_request(&base, a, b), &u(&format!("/api-keys/{b}/revoke"))) {
        assert_eq!(body["keyId"].as_str(), Some(b));
        assert!(b.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    }
    let dd = BaseUrl::parse(deltadefi::STAGING_URL).unwrap();
    check(deltadefi::rotate_request(&dd, a), &format!("{}/accounts/new-api-key", deltadefi::STAGING_URL));
    let dp = BaseUrl::parse(depay::STAGING_URL).unwrap();
    check(depay::token_request(&dp, a), &format!("{}/auth/token", depay::STAGING_URL));
});
