//! DePay: `GET /auth/token` with `x-api-key` returns `{expiresIn: "3600", accessToken,
//! refreshToken}`; calls carry `Authorization: Bearer <accessToken>`.
//!
//! Three doc sites, two token paths (`/auth/token`, the default, and `/v2/auth/token` of the
//! payments docs: [`token_request_at`]) and two answer shapes (flat, or wrapped in
//! `{"response": {...}}`): both shapes are accepted. No refresh endpoint is documented: renewal
//! is calling the token path again. `expiresIn` (a string of seconds, or a number) wins over any
//! lifetime the JWT claims, and is measured from when the answer was received.
//!
//! Callbacks are signed: header `signature` =
//! `lowercase_hex(HMAC-SHA256(key = api_key, message = body + "+" + customerUuid))` over the raw
//! body; [`verify_callback`] checks one in constant time.

use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;

use super::{bearer, token_field, ProviderId};
use crate::core::error::{Error, ErrorKind, Result};
use crate::core::headers::{check_credential, Headers};
use crate::core::http::{malformed, status_error, BaseUrl, Method, Request, Response};
use crate::core::token::{Grant, Lifetime};

// --- constants ---------------------------------------------------------------------------------

/// Production base URL.
pub const PRODUCTION_URL: &str = "https://api.payments.depay.us";
/// Staging base URL.
pub const STAGING_URL: &str = "https://stage.api.payments.depay.us";
/// The longest `expiresIn` accepted (one year); longer is treated as malformed.
pub const MAX_EXPIRES_IN_SECS: u64 = 366 * 24 * 3600;
/// The token path of the latam-payments and exchange-payins docs (the default).
pub const DEFAULT_TOKEN_PATH: &str = "/auth/token";
/// The token path of the payments docs.
pub const PAYMENTS_TOKEN_PATH: &str = "/v2/auth/token";
/// The longest token path accepted, in bytes.
pub const MAX_TOKEN_PATH_LEN: usize = 256;
/// The header a callback's signature arrives in.
pub const CALLBACK_SIGNATURE_HEADER: &str = "signature";
/// The largest callback body the JS export copies into WebAssembly memory, in bytes (the core
/// function itself streams any length).
pub const MAX_CALLBACK_BODY_LEN: usize = crate::core::http::MAX_BODY_LEN;

const P: ProviderId = ProviderId::Depay;

// --- auth request builders ---------------------------------------------------------------------

/// Checks a token path: starts with `/`, at most [`MAX_TOKEN_PATH_LEN`] bytes, and only
/// unreserved URL characters and `/` (letters, digits, `-`, `.`, `_`, `~`), with no `.` or `..`
/// segment and no `//`: it cannot add a query, a fragment or another host, or climb out of the
/// base URL.
pub fn check_token_path(path: &str) -> Result<()> {
    let bad = |reason| Err(Error::new(ErrorKind::InvalidArgument, reason).with_field("tokenPath"));
    let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'.' | b'_' | b'~');
    if path.len() > MAX_TOKEN_PATH_LEN {
        return Err(Error::new(ErrorKind::InputTooLarge, "is longer than 256 bytes").with_field("tokenPath"));
    }
    if !path.starts_with('/') || path.len() < 2 || !path.bytes().all(allowed) {
        return bad("must start with '/' and hold only letters, digits, '/', '-', '.', '_' or '~'");
    }
    if path.split('/').skip(1).any(|segment| matches!(segment, "" | "." | "..")) {
        return bad("must not contain an empty, '.' or '..' segment");
    }
    Ok(())
}

/// `GET <base><path>` with `x-api-key: <api_key>`: the token request at a configured path
/// ([`DEFAULT_TOKEN_PATH`] or [`PAYMENTS_TOKEN_PATH`]), checked with [`check_token_path`].
pub fn token_request_at(base: &BaseUrl, path: &str, api_key: &str) -> Result<Request> {
    check_token_path(path)?;
    Ok(Request { method: Method::Get, url: base.join(path), headers: api_key_headers(api_key)?, body: None })
}

/// `GET <base>/auth/token` with `x-api-key: <api_key>` ([`token_request_at`] the default path).
pub fn token_request(base: &BaseUrl, api_key: &str) -> Result<Request> {
    token_request_at(base, DEFAULT_TOKEN_PATH, api_key)
}

// --- response parser ---------------------------------------------------------------------------

/// Reads the token answer, flat `{expiresIn, accessToken, refreshToken}` or wrapped in
/// `{"response": {...}}` (the exchange-payins docs). 401/403 (whatever `statusCode` the body
/// claims) are `auth_rejected`; a missing token or an `expiresIn` that is not a whole number of
/// seconds in `1..=MAX_EXPIRES_IN_SECS` is `malformed_response`.
pub fn parse_token(resp: &Response<'_>) -> Result<Grant> {
    if !resp.is_success() {
        return Err(status_error(P, resp.status));
    }
    let outer = resp.json(P)?;
    // The wrapper is recognised only when the flat fields are absent, so a flat answer that
    // happened to carry a `response` field still reads as flat.
    let body = match outer.get("response") {
        Some(inner @ Value::Object(_)) if outer.get("accessToken").is_none() => inner,
        _ => &outer,
    };
    let secs = match body.get("expiresIn") {
        Some(Value::String(s)) if !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit()) => s.parse::<u64>().ok(),
        Some(Value::Number(n)) => n.as_u64(),
        _ => None,
    }
    .filter(|s| (1..=MAX_EXPIRES_IN_SECS).contains(s))
    .ok_or_else(|| malformed(P, resp.status, "expiresIn is not a whole number of seconds in range"))?;
    let access_token = token_field(P, resp.status, body, "accessToken")?;
    let refresh_token = token_field(P, resp.status, body, "refreshToken").ok();
    Ok(Grant { access_token, refresh_token, lifetime: Lifetime::ExpiresInMs(secs * 1000) })
}

// --- callbacks ---------------------------------------------------------------------------------

/// The signature DePay puts in a callback's `signature` header:
/// `lowercase_hex(HMAC-SHA256(key = api_key, message = body + "+" + customer_uuid))`, where
/// `body` is the raw body as received (never a re-serialised object).
pub fn callback_signature(api_key: &str, customer_uuid: &str, body: &[u8]) -> String {
    callback_mac_hex(api_key, customer_uuid, body).map(|hex| String::from_utf8_lossy(&hex).into_owned()).unwrap_or_default()
}

/// The 64 lower-case hex digits of the callback MAC (`None` only if HMAC could not be keyed,
/// which cannot happen: HMAC takes a key of any length).
fn callback_mac_hex(api_key: &str, customer_uuid: &str, body: &[u8]) -> Option<[u8; 64]> {
    let mut mac = Hmac::<Sha256>::new_from_slice(api_key.as_bytes()).ok()?;
    mac.update(body);
    mac.update(b"+");
    mac.update(customer_uuid.as_bytes());
    let tag = mac.finalize().into_bytes();
    let mut out = [0u8; 64];
    // Both lengths are fixed (32 bytes in, 64 out): encoding cannot fail.
    hex::encode_to_slice(tag.as_slice(), &mut out).ok()?;
    Some(out)
}

/// Whether `signature` is the callback signature of `body` for this API key and customer UUID.
///
/// - The comparison is constant-time: how long it takes depends on the lengths only.
/// - Only the documented form is valid: exactly 64 **lower-case** hex digits. Anything else (upper
///   case, a `sha256=` prefix, surrounding spaces, a wrong length, non-hex, empty) is `false`,
///   never an error: a callback's header is attacker-controlled input.
/// - `body` is the raw body bytes as received; verify before parsing it.
///
/// ```
/// use keystamp::core::providers::depay::{callback_signature, verify_callback};
/// let body = br#"{"id":"pay_1","status":"approved"}"#;
/// let signature = callback_signature("api_key", "6a1e5c1e-0000-4000-8000-000000000001", body);
/// assert!(verify_callback("api_key", "6a1e5c1e-0000-4000-8000-000000000001", body, &signature));
/// assert!(!verify_callback("api_key", "6a1e5c1e-0000-4000-8000-000000000001", body, &signature.to_uppercase()));
/// ```
pub fn verify_callback(api_key: &str, customer_uuid: &str, body: &[u8], signature: &str) -> bool {
    let Some(mut expected) = callback_mac_hex(api_key, customer_uuid, body) else { return false };
    // The length is public: `ct_eq` of slices of different lengths is false without looking
    // further. Upper-case digits differ from the expected lower-case ones, so they are false too.
    let valid = subtle::ConstantTimeEq::ct_eq(expected.as_slice(), signature.as_bytes()).into();
    zeroize::Zeroize::zeroize(&mut expected);
    valid
}

// --- headers of authenticated calls ------------------------------------------------------------

/// `x-api-key: <api_key>` (only for `/auth/token`).
pub fn api_key_headers(api_key: &str) -> Result<Headers> {
    check_credential("apiKey", api_key)?;
    let mut h = Headers::new();
    h.push_sensitive("x-api-key", "apiKey", api_key.to_owned())?;
    Ok(h)
}

/// `Authorization: Bearer <access_token>`.
pub fn headers(access_token: &str) -> Result<Headers> {
    let mut h = Headers::new();
    h.push_sensitive("Authorization", "accessToken", bearer("accessToken", access_token)?)?;
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    use serde_json::json;

    /// The committed vectors (tests/depay-callbacks.json, computed with Python's `hmac`).
    const CALLBACKS: &str = include_str!("../../../tests/depay-callbacks.json");

    fn base() -> BaseUrl {
        BaseUrl::parse(STAGING_URL).unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn token_request_shape() {
        let r = token_request(&base(), "dp_key").unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!((r.method, r.url.as_str()), (Method::Get, "https://stage.api.payments.depay.us/auth/token"));
        assert_eq!(r.headers.get("x-api-key"), Some("dp_key"));
        assert_eq!(headers("tok").unwrap_or_default().get("Authorization"), Some("Bearer tok"));
        assert_eq!(api_key_headers("k").unwrap_or_default().get("X-Api-Key"), Some("k"));
    }

    #[test]
    fn token_answers() {
        let parse = |status, body: &str| parse_token(&Response::new(status, body)).map(|g| (g.access_token.expose().to_owned(), g.lifetime)).map_err(|e| e.code());
        let ok = |exp: &str| format!(r#"{{"expiresIn":{exp},"accessToken":"a.b.c","refreshToken":"r.s.t"}}"#);
        assert_eq!(parse(200, &ok("\"3600\"")), Ok(("a.b.c".into(), Lifetime::ExpiresInMs(3_600_000))));
        assert_eq!(parse(200, &ok("3600")), Ok(("a.b.c".into(), Lifetime::ExpiresInMs(3_600_000))));
        for bad in ["\"abc\"", "\"-1\"", "\"1e309\"", "\"0\"", "0", "-5", "3600.5", "\"3600.0\"", "\" 3600\"", "\"\"", "null", "true", "\"99999999999\"", "1e309"] {
            assert_eq!(parse(200, &ok(bad)), Err("malformed_response"), "expiresIn {bad}");
        }
        assert_eq!(parse(200, r#"{"expiresIn":"3600"}"#), Err("malformed_response"));
        assert_eq!(parse(200, r#"{"expiresIn":"3600","accessToken":""}"#), Err("malformed_response"));
        assert_eq!(parse(403, r#"{"statusCode":403,"message":"Forbidden resource"}"#), Err("auth_rejected"));
        assert_eq!(parse(403, r#"{"statusCode":401,"message":"Unauthorized"}"#), Err("auth_rejected"));
        assert_eq!(parse(502, "bad gateway"), Err("provider_error"));
        assert_eq!(parse(200, "not json"), Err("malformed_response"));
        // The refresh token is optional: DePay's renewal path is calling /auth/token again.
        assert!(parse(200, r#"{"expiresIn":"60","accessToken":"a"}"#).is_ok());
        assert_eq!(parse(401, r#"{"statusCode":401,"message":"Forbidden resource","error":"Forbidden"}"#), Err("auth_rejected"));
    }

    #[test]
    fn token_paths() {
        let cases: &[(&str, Result<&str, &str>)] = &[
            (DEFAULT_TOKEN_PATH, Ok("https://stage.api.payments.depay.us/auth/token")),
            (PAYMENTS_TOKEN_PATH, Ok("https://stage.api.payments.depay.us/v2/auth/token")),
            ("/auth/token-v3_beta.1~x", Ok("https://stage.api.payments.depay.us/auth/token-v3_beta.1~x")),
            ("auth/token", Err("invalid_argument")),
            ("", Err("invalid_argument")),
            ("/", Err("invalid_argument")),
            ("//evil.example/auth/token", Err("invalid_argument")),
            ("/auth//token", Err("invalid_argument")),
            ("/auth/token/", Err("invalid_argument")),
            ("/../auth/token", Err("invalid_argument")),
            ("/v2/./auth/token", Err("invalid_argument")),
            ("/auth/token?x=1", Err("invalid_argument")),
            ("/auth/token#x", Err("invalid_argument")),
            ("/auth/%2e%2e/token", Err("invalid_argument")),
            ("/auth/token\r\n", Err("invalid_argument")),
            ("/auth token", Err("invalid_argument")),
            ("/auth/t\u{f6}ken", Err("invalid_argument")),
            ("/@evil.example", Err("invalid_argument")),
        ];
        for (path, want) in cases {
            let got = token_request_at(&base(), path, "dp_key").map(|r| r.url.clone());
            assert_eq!(got.as_deref().map_err(|e| e.code()), want.map(|u| u), "{path:?}");
            if want.is_err() {
                assert_eq!(check_token_path(path).map_err(|e| e.field()), Err(Some("tokenPath")), "{path:?}");
            }
        }
        let long = format!("/{}", "a".repeat(MAX_TOKEN_PATH_LEN));
        assert_eq!(check_token_path(&long).map_err(|e| e.code()), Err("input_too_large"));
        let r = token_request_at(&base(), PAYMENTS_TOKEN_PATH, "dp_key").unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!((r.method, r.headers.get("x-api-key"), r.body.is_none()), (Method::Get, Some("dp_key"), true));
        assert_eq!(token_request_at(&base(), PAYMENTS_TOKEN_PATH, "dp key").map(drop).map_err(|e| e.code()), Err("invalid_header_value"));
    }

    #[test]
    fn token_answers_flat_and_wrapped() {
        let parse = |body: String| parse_token(&Response::new(200, &body)).map(|g| (g.access_token.expose().to_owned(), g.refresh_token.map(|r| r.expose().to_owned()), g.lifetime)).map_err(|e| e.code());
        let inner = json!({"expiresIn": "3600", "accessToken": "a.b.c", "refreshToken": "r.s.t"});
        let want = Ok(("a.b.c".to_owned(), Some("r.s.t".to_owned()), Lifetime::ExpiresInMs(3_600_000)));
        type Case = (serde_json::Value, Result<(String, Option<String>, Lifetime), &'static str>);
        let cases: &[Case] = &[
            (inner.clone(), want.clone()),
            (json!({"response": inner}), want.clone()),
            (json!({"response": inner, "status": 200, "message": "ok"}), want.clone()),
            // Flat fields win over a `response` field.
            (json!({"expiresIn": 60, "accessToken": "flat", "response": inner}), Ok(("flat".to_owned(), None, Lifetime::ExpiresInMs(60_000)))),
            (json!({"response": {"expiresIn": "3600"}}), Err("malformed_response")),
            (json!({"response": {"expiresIn": "0", "accessToken": "a"}}), Err("malformed_response")),
            (json!({"response": "a.b.c"}), Err("malformed_response")),
            (json!({"response": [inner]}), Err("malformed_response")),
            (json!({"response": null}), Err("malformed_response")),
            (json!({"response": {"response": inner}}), Err("malformed_response")),
        ];
        for (body, want) in cases {
            assert_eq!(&parse(body.to_string()), want, "{body}");
        }
    }

    /// A vector's body bytes: `body` (UTF-8), `bodyHex` or `bodyPattern`.
    fn body_of(row: &serde_json::Value) -> Vec<u8> {
        if let Some(text) = row["body"].as_str() {
            return text.as_bytes().to_vec();
        }
        if let Some(hex) = row["bodyHex"].as_str() {
            return hex::decode(hex).unwrap_or_default();
        }
        let p = &row["bodyPattern"];
        let (prefix, unit, suffix) = (p["prefix"].as_str().unwrap_or_default(), p["unit"].as_str().unwrap_or_default(), p["suffix"].as_str().unwrap_or_default());
        let count = usize::try_from(p["count"].as_u64().unwrap_or_default()).unwrap_or_default();
        format!("{prefix}{}{suffix}", unit.repeat(count)).into_bytes()
    }

    #[test]
    fn callback_vectors() {
        let table: serde_json::Value = serde_json::from_str(CALLBACKS).unwrap_or_default();
        let rows = table["depayCallbacks"].as_array().cloned().unwrap_or_default();
        assert_eq!(rows.len(), 12);
        for row in &rows {
            let (name, key, uuid, want) = (row["name"].as_str().unwrap_or_default(), row["apiKey"].as_str().unwrap_or_default(), row["customerUuid"].as_str().unwrap_or_default(), row["signature"].as_str().unwrap_or_default());
            let body = body_of(row);
            assert_eq!(Some(body.len() as u64), row["bodyBytes"].as_u64(), "{name}");
            assert_eq!(callback_signature(key, uuid, &body), want, "{name}");
            assert!(verify_callback(key, uuid, &body, want), "{name}");
            // Any other key, uuid or body, and any other spelling of the signature, is false.
            assert!(!verify_callback(&format!("{key}x"), uuid, &body, want), "{name}");
            assert!(!verify_callback(key, &format!("{uuid}x"), &body, want), "{name}");
            assert!(!verify_callback(key, uuid, &[body.as_slice(), b" "].concat(), want), "{name}");
            for other in [want.to_uppercase(), format!(" {want}"), format!("{want} "), format!("sha256={want}"), want[..63].to_owned(), format!("{want}0"), String::new()] {
                assert!(!verify_callback(key, uuid, &body, &other), "{name}: {other:?}");
            }
        }
        // The message is the plain concatenation: moving "+x" from the uuid onto the body signs the same bytes.
        let split = rows.iter().find(|r| r["customerUuid"].as_str().is_some_and(|u| u.starts_with("x+"))).cloned().unwrap_or_default();
        let uuid = split["customerUuid"].as_str().unwrap_or_default();
        let moved_body = format!("{}+x", split["body"].as_str().unwrap_or_default());
        assert!(verify_callback(split["apiKey"].as_str().unwrap_or_default(), &uuid[2..], moved_body.as_bytes(), split["signature"].as_str().unwrap_or_default()));
    }

    #[test]
    fn malformed_signatures_are_false_never_errors() {
        let (key, uuid, body) = ("k", "u", b"{}".as_slice());
        let good = callback_signature(key, uuid, body);
        let mut flipped = good.clone().into_bytes();
        flipped[0] = if flipped[0] == b'0' { b'1' } else { b'0' };
        let cases: Vec<(String, &str)> = vec![
            (String::from_utf8(flipped).unwrap_or_default(), "one digit changed"),
            ("g".repeat(64), "non-hex"),
            ("0".repeat(64), "all zeros"),
            ("\0".repeat(64), "NUL bytes"),
            ("é".repeat(32), "64 bytes of non-ASCII"),
            (good.to_uppercase(), "upper case"),
            (good[..32].to_owned(), "half"),
            ("x".repeat(100_000), "huge"),
        ];
        for (signature, what) in cases {
            assert!(!verify_callback(key, uuid, body, &signature), "{what}");
        }
    }
}
