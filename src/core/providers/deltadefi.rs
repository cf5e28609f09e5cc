//! DeltaDeFi: `X-API-KEY: <api_key>`. `GET /accounts/new-api-key` rotates the key and
//! **invalidates the previous one**.
//!
//! Errors come as `{"error": string, "code": int}`; [`answer_error`] maps any answer (auth or
//! ordinary call) to a typed error carrying the provider's code:
//!
//! | `code` | meaning | keystamp code |
//! |---|---|---|
//! | 4010 | unauthorized | `auth_rejected` |
//! | 4290 | rate limit | `rate_limited` |
//! | 5001 | resources temporarily unavailable | `provider_unavailable` |
//! | 5002 | trading locked | `provider_unavailable` |
//! | other | | by HTTP status (`provider_error` for a 2xx) |

use serde_json::Value;

use super::{token_field, ProviderId};
use crate::core::error::{Error, ErrorKind, Result};
use crate::core::headers::Headers;
use crate::core::http::{status_error, BaseUrl, Method, Request, Response, MAX_BODY_LEN};
use crate::core::Secret;

// --- constants ---------------------------------------------------------------------------------

/// Mainnet base URL.
pub const MAINNET_URL: &str = "https://api.deltadefi.io";
/// Staging base URL (the official SDKs send every non-mainnet network here).
pub const STAGING_URL: &str = "https://api-staging.deltadefi.io";
/// The error code DeltaDeFi uses for "unauthorized".
pub const UNAUTHORIZED_CODE: i64 = 4010;
/// The error code for "rate limit".
pub const RATE_LIMITED_CODE: i64 = 4290;
/// The error code for "resources temporarily unavailable".
pub const UNAVAILABLE_CODE: i64 = 5001;
/// The error code for "trading locked".
pub const TRADING_LOCKED_CODE: i64 = 5002;

const P: ProviderId = ProviderId::Deltadefi;

// --- headers of authenticated calls ------------------------------------------------------------

/// `X-API-KEY: <api_key>`.
pub fn headers(api_key: &str) -> Result<Headers> {
    crate::core::headers::check_credential("apiKey", api_key)?;
    let mut h = Headers::new();
    h.push_sensitive("X-API-KEY", "apiKey", api_key.to_owned())?;
    Ok(h)
}

// --- auth request builders ---------------------------------------------------------------------

/// `GET <base>/accounts/new-api-key` with the current key.
pub fn rotate_request(base: &BaseUrl, api_key: &str) -> Result<Request> {
    Ok(Request { method: Method::Get, url: base.join("/accounts/new-api-key"), headers: headers(api_key)?, body: None })
}

// --- response parser ---------------------------------------------------------------------------

/// The typed error a DeltaDeFi answer carries, or `None` for a success.
///
/// - A body `{"error": <string>, "code": <integer>}` is an error whatever the status (a 2xx
///   too), mapped by its code (see the module table) and carrying it
///   ([`Error::provider_code`]); an unknown code falls back to the status (`provider_error` for
///   a 2xx).
/// - Any other non-2xx answer is mapped by its status (401/403 `auth_rejected`, 429
///   `rate_limited`, the rest `provider_error`).
/// - Any other 2xx answer is a success: `None`. The body is not otherwise judged (an ordinary
///   call's answer may be anything).
pub fn answer_error(resp: &Response<'_>) -> Option<Error> {
    let code = error_code(resp.body);
    let kind = match code {
        Some(UNAUTHORIZED_CODE) => Some((ErrorKind::AuthRejected, "the API key was rejected (code 4010)")),
        Some(RATE_LIMITED_CODE) => Some((ErrorKind::RateLimited, "DeltaDeFi is rate limiting these requests (code 4290)")),
        Some(UNAVAILABLE_CODE) => Some((ErrorKind::ProviderUnavailable, "resources are temporarily unavailable (code 5001)")),
        Some(TRADING_LOCKED_CODE) => Some((ErrorKind::ProviderUnavailable, "trading is locked (code 5002)")),
        _ => None,
    };
    let error = match (kind, code) {
        (Some((kind, reason)), _) => Error::new(kind, reason).with_provider(P).with_status(resp.status),
        (None, Some(_)) if resp.is_success() => Error::new(ErrorKind::ProviderError, "DeltaDeFi answered with an error body").with_provider(P).with_status(resp.status),
        (None, _) if !resp.is_success() => status_error(P, resp.status),
        (None, _) => return None,
    };
    Some(match code {
        Some(code) => error.with_provider_code(code),
        None => error,
    })
}

/// The `code` of an error body `{"error": <string>, "code": <integer>}`, if that is what `body` is.
fn error_code(body: &str) -> Option<i64> {
    if body.len() > MAX_BODY_LEN || !body.trim_start().starts_with('{') {
        return None;
    }
    let value: Value = serde_json::from_str(body).ok()?;
    match (value.get("error"), value.get("code")) {
        (Some(Value::String(_)), Some(code)) => code.as_i64(),
        _ => None,
    }
}

/// A rotated key.
#[derive(Debug, Clone)]
pub struct RotatedKey {
    /// The new key; the previous one no longer works.
    pub api_key: Secret,
    /// When it was created, as the provider wrote it, when it wrote a string (the schema does not
    /// require the field, and older SDK types omit it).
    pub created_at: Option<String>,
}

/// Reads the `/accounts/new-api-key` answer `{"api_key", "created_at"}`. Any 2xx with a valid
/// `api_key` string is a success, with or without `created_at` (missing, `null` or not a string
/// gives `None`): the server has already killed the old key, so losing the new one would lock
/// the user out. Error answers are mapped by [`answer_error`].
pub fn parse_rotate(resp: &Response<'_>) -> Result<RotatedKey> {
    if let Some(error) = answer_error(resp) {
        return Err(error);
    }
    let body = resp.json(P)?;
    let api_key = token_field(P, resp.status, &body, "api_key")?;
    let created_at = body.get("created_at").and_then(Value::as_str).map(str::to_owned);
    Ok(RotatedKey { api_key, created_at })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_rotation_request() {
        assert_eq!(headers("dd_key").unwrap_or_default().get("x-api-key"), Some("dd_key"));
        let base = BaseUrl::parse(STAGING_URL).unwrap_or_else(|e| unreachable!("{e}"));
        let r = rotate_request(&base, "dd_key").unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!((r.method, r.url.as_str(), r.headers.get("X-API-KEY")), (Method::Get, "https://api-staging.deltadefi.io/accounts/new-api-key", Some("dd_key")));
        assert_eq!(headers("dd\r\nkey").map_err(|e| e.code()), Err("invalid_header_value"));
    }

    #[test]
    fn rotation_answers() {
        let parse = |status, body: &str| parse_rotate(&Response::new(status, body)).map(|k| (k.api_key.expose().to_owned(), k.created_at)).map_err(|e| e.code());
        type Case = (u16, &'static str, Result<(&'static str, Option<&'static str>), &'static str>);
        let cases: &[Case] = &[
            (200, r#"{"api_key":"dd_new","created_at":"2026-01-01T00:00:00Z"}"#, Ok(("dd_new", Some("2026-01-01T00:00:00Z")))),
            (201, r#"{"api_key":"dd_new","created_at":"2026-01-01T00:00:00Z"}"#, Ok(("dd_new", Some("2026-01-01T00:00:00Z")))),
            // created_at is optional: the old key is already dead, the new one must not be lost.
            (200, r#"{"api_key":"dd_new"}"#, Ok(("dd_new", None))),
            (200, r#"{"api_key":"dd_new","created_at":null}"#, Ok(("dd_new", None))),
            (200, r#"{"api_key":"dd_new","created_at":1767225600}"#, Ok(("dd_new", None))),
            (200, r#"{"api_key":"dd_new","created_at":{"s":1}}"#, Ok(("dd_new", None))),
            (200, r#"{"api_key":"dd_new","code":7}"#, Ok(("dd_new", None))),
            (401, r#"{"error":"unauthorized","code":4010}"#, Err("auth_rejected")),
            (200, r#"{"error":"unauthorized","code":4010}"#, Err("auth_rejected")),
            (429, r#"{"error":"rate limit","code":4290}"#, Err("rate_limited")),
            (500, r#"{"error":"boom","code":5000}"#, Err("provider_error")),
            (500, r#"{"code":5001,"error":"resources temporarily unavailable"}"#, Err("provider_unavailable")),
            (200, r#"{"api_key":7,"created_at":"x"}"#, Err("malformed_response")),
            (200, r#"{"api_key":"","created_at":"x"}"#, Err("malformed_response")),
            (200, r#"{"api_key":"dd\nX"}"#, Err("malformed_response")),
            (200, r#"{"created_at":"x"}"#, Err("malformed_response")),
            (200, "nope", Err("malformed_response")),
        ];
        for (status, body, want) in cases {
            let want = want.map(|(k, c)| (k.to_owned(), c.map(str::to_owned)));
            assert_eq!(parse(*status, body), want, "{status} {body}");
        }
    }

    #[test]
    fn error_answers_of_any_call() {
        type Case = (u16, &'static str, Option<(&'static str, Option<i64>)>);
        let cases: &[Case] = &[
            (401, r#"{"error":"unauthorized","code":4010}"#, Some(("auth_rejected", Some(4010)))),
            (200, r#"{"error":"unauthorized","code":4010}"#, Some(("auth_rejected", Some(4010)))),
            (429, r#"{"error":"too many requests","code":4290}"#, Some(("rate_limited", Some(4290)))),
            (400, r#"{"code":4290,"error":"rate limit"}"#, Some(("rate_limited", Some(4290)))),
            (503, r#"{"error":"resources temporarily unavailable","code":5001}"#, Some(("provider_unavailable", Some(5001)))),
            (500, r#"{"error":"trading locked","code":5002}"#, Some(("provider_unavailable", Some(5002)))),
            (400, r#"{"error":"invalid symbol","code":4001}"#, Some(("provider_error", Some(4001)))),
            (403, r#"{"error":"forbidden","code":4030}"#, Some(("auth_rejected", Some(4030)))),
            (200, r#"{"error":"odd","code":1234}"#, Some(("provider_error", Some(1234)))),
            (401, "", Some(("auth_rejected", None))),
            (429, "Too Many Requests", Some(("rate_limited", None))),
            (502, "<html>bad gateway</html>", Some(("provider_error", None))),
            (500, r#"{"error":"boom"}"#, Some(("provider_error", None))),
            (500, r#"{"error":"boom","code":"5001"}"#, Some(("provider_error", None))),
            // A success, whatever else its body holds.
            (200, r#"{"orders":[]}"#, None),
            (200, r#"{"code":"ADA","error":null}"#, None),
            (200, r#"{"code":4010}"#, None),
            (200, r#"[{"error":"x","code":4010}]"#, None),
            (204, "", None),
            (200, "not json", None),
        ];
        for (status, body, want) in cases {
            let got = answer_error(&Response::new(*status, body));
            assert_eq!(got.as_ref().map(|e| (e.code(), e.provider_code())), *want, "{status} {body}");
            if let Some(e) = got {
                assert_eq!((e.provider(), e.status()), (Some(ProviderId::Deltadefi), Some(*status)), "{status} {body}");
            }
        }
        let e = answer_error(&Response::new(200, r#"{"error":"trading locked","code":5002}"#)).map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("deltadefi: trading is locked (code 5002) (HTTP 200)"));
    }
}
