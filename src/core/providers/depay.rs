//! DePay: `GET /auth/token` with `x-api-key` returns `{expiresIn: "3600", accessToken,
//! refreshToken}`; calls carry `Authorization: Bearer <accessToken>`.
//!
//! No refresh endpoint is documented: renewal is calling `/auth/token` again. `expiresIn` (a
//! string of seconds, or a number) wins over any lifetime the JWT claims, and is measured from
//! when the answer was received.

use serde_json::Value;

use super::{bearer, token_field, ProviderId};
use crate::core::error::Result;
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

const P: ProviderId = ProviderId::Depay;

// --- auth request builders ---------------------------------------------------------------------

/// `GET <base>/auth/token` with `x-api-key: <api_key>`.
pub fn token_request(base: &BaseUrl, api_key: &str) -> Result<Request> {
    Ok(Request { method: Method::Get, url: base.join("/auth/token"), headers: api_key_headers(api_key)?, body: None })
}

// --- response parser ---------------------------------------------------------------------------

/// Reads the `/auth/token` answer. 401/403 (whatever `statusCode` the body claims) are
/// `auth_rejected`; a missing token or an `expiresIn` that is not a whole number of seconds in
/// `1..=MAX_EXPIRES_IN_SECS` is `malformed_response`.
pub fn parse_token(resp: &Response<'_>) -> Result<Grant> {
    if !resp.is_success() {
        return Err(status_error(P, resp.status));
    }
    let body = resp.json(P)?;
    let secs = match body.get("expiresIn") {
        Some(Value::String(s)) if !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit()) => s.parse::<u64>().ok(),
        Some(Value::Number(n)) => n.as_u64(),
        _ => None,
    }
    .filter(|s| (1..=MAX_EXPIRES_IN_SECS).contains(s))
    .ok_or_else(|| malformed(P, resp.status, "expiresIn is not a whole number of seconds in range"))?;
    let access_token = token_field(P, resp.status, &body, "accessToken")?;
    let refresh_token = token_field(P, resp.status, &body, "refreshToken").ok();
    Ok(Grant { access_token, refresh_token, lifetime: Lifetime::ExpiresInMs(secs * 1000) })
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

    #[test]
    fn token_request_shape() {
        let base = BaseUrl::parse(STAGING_URL).unwrap_or_else(|e| unreachable!("{e}"));
        let r = token_request(&base, "dp_key").unwrap_or_else(|e| unreachable!("{e}"));
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
    }
}
