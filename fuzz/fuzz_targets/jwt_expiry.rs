//! The unverified JWT `exp` reader: raw strings, and well-formed JWTs around arbitrary payloads
//! (so the JSON layer is reached, not only the base64 one).
#![no_main]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use keystamp::core::jwt::{unverified_expiry_ms, JwtError};
use libfuzzer_sys::fuzz_target;

fn check(token: &str) -> Result<u64, JwtError> {
    let got = unverified_expiry_ms(token);
    if let Ok(ms) = got {
        assert!((1_000_000_000_000..10_000_000_000_000).contains(&ms), "{ms}");
        assert_eq!(token.split('.').count(), 3);
    }
    got
}

fuzz_target!(|data: &[u8]| {
    if let Ok(raw) = core::str::from_utf8(data) {
        check(raw).ok();
    }
    let token = format!("eyJhbGciOiJIUzI1NiJ9.{}.c2ln", URL_SAFE_NO_PAD.encode(data));
    let got = check(&token);
    // Differential: a JSON object whose `exp` is a number of seconds in [1e9, 1e10) is read.
    let exp = serde_json::from_slice::<serde_json::Value>(data).ok().and_then(|v| v.as_object()?.get("exp")?.as_f64());
    match exp {
        Some(e) if (1e9..1e10).contains(&e) && data.len() <= 12 * 1024 => assert!(got.is_ok(), "{got:?}"),
        _ => assert!(got.is_err() || data.len() > 12 * 1024, "{got:?}"),
    }
});
