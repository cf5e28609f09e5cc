//! DeltaDeFi: `X-API-KEY: <api_key>`. `GET /accounts/new-api-key` rotates the key and
//! **invalidates the previous one at once**.

use super::{token_field, ProviderId};
use crate::core::error::{Error, ErrorKind, Result};
use crate::core::headers::Headers;
use crate::core::http::{status_error, BaseUrl, Method, Request, Response};
use crate::core::Secret;

// --- constants ---------------------------------------------------------------------------------

/// Mainnet base URL.
pub const MAINNET_URL: &str = "https://api.deltadefi.io";
/// Staging base URL (the official SDKs send every non-mainnet network here).
pub const STAGING_URL: &str = "https://api-staging.deltadefi.io";
/// The error code DeltaDeFi uses for "unauthorized".
pub const UNAUTHORIZED_CODE: i64 = 4010;

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

/// A rotated key.
#[derive(Debug, Clone)]
pub struct RotatedKey {
    /// The new key; the previous one no longer works.
    pub api_key: Secret,
    /// When it was created, as the provider wrote it (optional in the schema: a missing or
    /// non-string value is `None`, and the rotation still succeeded).
    pub created_at: Option<String>,
}

/// Reads the `/accounts/new-api-key` answer `{"api_key", "created_at"}`. An error body
/// `{"error", "code": 4010}` is `auth_rejected` whatever the status.
pub fn parse_rotate(resp: &Response<'_>) -> Result<RotatedKey> {
    let body = resp.json(P);
    if let Ok(b) = &body {
        if b.get("code").and_then(serde_json::Value::as_i64) == Some(UNAUTHORIZED_CODE) {
            return Err(Error::new(ErrorKind::AuthRejected, "the API key was rejected").with_provider(P).with_status(resp.status));
        }
    }
    if !resp.is_success() {
        return Err(status_error(P, resp.status));
    }
    let body = body?;
    let api_key = token_field(P, resp.status, &body, "api_key")?;
    // The server has already killed the old key: any answer with a usable key is a rotation.
    let created_at = body.get("created_at").and_then(serde_json::Value::as_str).filter(|s| !s.is_empty() && s.len() <= 64).map(str::to_owned);
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
        let parse = |status, body| parse_rotate(&Response::new(status, body)).map(|k| (k.api_key.expose().to_owned(), k.created_at)).map_err(|e| e.code());
        assert_eq!(parse(200, r#"{"api_key":"dd_new","created_at":"2026-01-01T00:00:00Z"}"#), Ok(("dd_new".into(), Some("2026-01-01T00:00:00Z".into()))));
        for lenient in [r#"{"api_key":"dd_new"}"#, r#"{"api_key":"dd_new","created_at":null}"#, r#"{"api_key":"dd_new","created_at":1767225600}"#] {
            assert_eq!(parse(201, lenient), Ok(("dd_new".into(), None)), "{lenient}");
        }
        assert_eq!(parse(401, r#"{"error":"unauthorized","code":4010}"#), Err("auth_rejected"));
        assert_eq!(parse(200, r#"{"error":"unauthorized","code":4010}"#), Err("auth_rejected"));
        assert_eq!(parse(500, r#"{"error":"boom","code":5000}"#), Err("provider_error"));
        assert_eq!(parse(200, r#"{"api_key":7,"created_at":"x"}"#), Err("malformed_response"));
        assert_eq!(parse(200, r#"{"created_at":"x"}"#), Err("malformed_response"));
        assert_eq!(parse(200, "nope"), Err("malformed_response"));
    }
}
