//! Adjutor (Lendsqr): `Authorization: Bearer <api_key>` on every call. No refresh of the key: a
//! 401 means it was reset in the dashboard (the old key is revoked at once).
//!
//! Core Services need a second credential: `x-access-token: <token>`, a JWT from
//! `POST /v2/customers/auth` with a team member's email and password (sent with the Bearer key
//! too). Its lifetime is its `exp` claim (the published sample lives 3600 s). What an expired
//! token answers is undocumented: a 401 is treated as "token dead, log in again once".

use super::{bearer, login_body, token_field, ProviderId};
use crate::core::error::Result;
use crate::core::headers::{check_credential, Headers};
use crate::core::http::{malformed, status_error, BaseUrl, Method, Request, Response};
use crate::core::jwt::unverified_expiry_ms;
use crate::core::token::{Grant, Lifetime};
use crate::core::Secret;

// --- constants ---------------------------------------------------------------------------------

/// The base URL (test and live mode share it; the mode is set per app in the dashboard).
pub const BASE_URL: &str = "https://adjutor.lendsqr.com/v2";

/// The provider.
pub const PROVIDER: ProviderId = ProviderId::Adjutor;

/// The Core Services login, under the base URL (which already ends in `/v2`).
pub const LOGIN_PATH: &str = "/customers/auth";

/// The header that carries the Core Services token.
pub const ACCESS_TOKEN_HEADER: &str = "x-access-token";

const P: ProviderId = PROVIDER;

// --- auth request builder ----------------------------------------------------------------------

/// `POST <base>/customers/auth` with `Authorization: Bearer <api_key>` and JSON
/// `{"email", "password"}` (a team member's credentials; using them for the API ends their use
/// for the admin console).
pub fn login_request(base: &BaseUrl, api_key: &str, email: &str, password: &Secret) -> Result<Request> {
    let body = login_body(email, password)?;
    let mut headers = headers(api_key)?;
    headers.push_plain("Content-Type", "contentType", "application/json".into())?;
    Ok(Request { method: Method::Post, url: base.join(LOGIN_PATH), headers, body: Some(body) })
}

// --- response parser ---------------------------------------------------------------------------

/// Reads the `/customers/auth` answer `{"token": "<JWT>"}` (top level). The token's expiry is its
/// `exp` claim, read unverified; 401/403 are `auth_rejected`, a token that is not a JWT with an
/// `exp` is `malformed_response`.
pub fn parse_login(resp: &Response<'_>) -> Result<Grant> {
    if !resp.is_success() {
        return Err(status_error(P, resp.status));
    }
    let body = resp.json(P)?;
    let access_token = token_field(P, resp.status, &body, "token")?;
    let exp = unverified_expiry_ms(access_token.expose()).map_err(|_| malformed(P, resp.status, "the token is not a JWT with an exp claim"))?;
    Ok(Grant { access_token, refresh_token: None, lifetime: Lifetime::ExpiresAtServerMs(exp) })
}

// --- headers of authenticated calls ------------------------------------------------------------

/// `Authorization: Bearer <api_key>`.
pub fn headers(api_key: &str) -> Result<Headers> {
    let mut h = Headers::new();
    h.push_sensitive("Authorization", "apiKey", bearer("apiKey", api_key)?)?;
    Ok(h)
}

/// Core Services: `Authorization: Bearer <api_key>` and `x-access-token: <access_token>`.
pub fn headers_with_access_token(api_key: &str, access_token: &str) -> Result<Headers> {
    let mut h = headers(api_key)?;
    check_credential("accessToken", access_token)?;
    h.push_sensitive(ACCESS_TOKEN_HEADER, "accessToken", access_token.to_owned())?;
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::providers::MAX_LOGIN_FIELD_LEN;

    /// `{"sub":"1","iat":1750269164,"exp":1750272764}`: 3600 s, like the published sample.
    const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIiwiaWF0IjoxNzUwMjY5MTY0LCJleHAiOjE3NTAyNzI3NjR9.c2ln";

    fn base() -> BaseUrl {
        BaseUrl::parse(BASE_URL).unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn bearer_header() {
        assert_eq!(headers("adj_key").unwrap_or_default().get("authorization"), Some("Bearer adj_key"));
        assert_eq!(headers("adj_key ").map_err(|e| e.code()), Err("invalid_header_value"));
        assert_eq!(headers("").map_err(|e| e.code()), Err("missing_credential"));
    }

    #[test]
    fn both_headers_of_core_services() {
        type Case = (&'static str, &'static str, Result<[(&'static str, &'static str); 2], (&'static str, Option<&'static str>)>);
        let cases: &[Case] = &[
            ("adj_1", "tok.en.1", Ok([("Authorization", "Bearer adj_1"), ("x-access-token", "tok.en.1")])),
            ("adj_1", "", Err(("missing_credential", Some("accessToken")))),
            ("adj_1", "tok en", Err(("invalid_header_value", Some("accessToken")))),
            ("adj_1", "tok\r\nX: 1", Err(("invalid_header_value", Some("accessToken")))),
            ("", "tok", Err(("missing_credential", Some("apiKey")))),
            ("adj 1", "tok", Err(("invalid_header_value", Some("apiKey")))),
        ];
        for (key, token, want) in cases {
            let got = headers_with_access_token(key, token);
            match want {
                Ok(pairs) => {
                    let got = got.unwrap_or_default();
                    let got: Vec<_> = got.iter().map(|h| (h.name(), h.value(), h.is_sensitive())).collect();
                    let want: Vec<_> = pairs.iter().map(|(n, v)| (*n, *v, true)).collect();
                    assert_eq!(got, want, "{key:?} {token:?}");
                }
                Err(e) => assert_eq!(got.map(drop).map_err(|e| (e.code(), e.field())), Err(*e), "{key:?} {token:?}"),
            }
        }
    }

    #[test]
    fn login_request_shape() {
        let r = login_request(&base(), "adj_key", "ops@example.com", &Secret::from("pw \"q\" é")).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!((r.method, r.url.as_str()), (Method::Post, "https://adjutor.lendsqr.com/v2/customers/auth"));
        assert_eq!(r.body.as_deref(), Some("{\"email\":\"ops@example.com\",\"password\":\"pw \\\"q\\\" é\"}"));
        let names: Vec<_> = r.headers.iter().map(|h| (h.name(), h.value())).collect();
        assert_eq!(names, vec![("Authorization", "Bearer adj_key"), ("Content-Type", "application/json")]);
        assert!(!format!("{r:?}").contains("adj_key") && !format!("{r:?}").contains("pw "));
        let bad: &[(&str, &str, &str, &str)] = &[
            ("adj_key", "", "pw", "missing_credential"),
            ("adj_key", "a@b", "", "missing_credential"),
            ("adj_key", "a@b\n", "pw", "invalid_argument"),
            ("adj_key", "a@b", "p\0w", "invalid_argument"),
            ("", "a@b", "pw", "missing_credential"),
            ("adj key", "a@b", "pw", "invalid_header_value"),
        ];
        for (key, email, password, code) in bad {
            assert_eq!(login_request(&base(), key, email, &Secret::from(*password)).map(drop).map_err(|e| e.code()), Err(*code), "{key:?} {email:?}");
        }
        let long = "x".repeat(MAX_LOGIN_FIELD_LEN + 1);
        assert_eq!(login_request(&base(), "k", &long, &Secret::from("pw")).map(drop).map_err(|e| e.code()), Err("input_too_large"));
    }

    #[test]
    fn login_answers() {
        let parse = |status, body: &str| parse_login(&Response::new(status, body)).map(|g| (g.access_token.expose().to_owned(), g.refresh_token.is_some(), g.lifetime)).map_err(|e| e.code());
        assert_eq!(parse(200, &format!(r#"{{"token":"{JWT}"}}"#)), Ok((JWT.to_owned(), false, Lifetime::ExpiresAtServerMs(1_750_272_764_000))));
        assert_eq!(parse(201, &format!(r#"{{"token":"{JWT}","status":"success"}}"#)).map(|g| g.2), Ok(Lifetime::ExpiresAtServerMs(1_750_272_764_000)));
        let cases: &[(u16, &str, &str)] = &[
            (401, r#"{"status":"error","message":"Invalid credentials"}"#, "auth_rejected"),
            (403, "{}", "auth_rejected"),
            (429, "{}", "rate_limited"),
            (500, "oops", "provider_error"),
            (200, "not json", "malformed_response"),
            (200, "{}", "malformed_response"),
            (200, r#"{"token":""}"#, "malformed_response"),
            (200, r#"{"token":7}"#, "malformed_response"),
            (200, r#"{"token":"opaque-not-a-jwt"}"#, "malformed_response"),
            (200, r#"{"data":{"token":"a.b.c"}}"#, "malformed_response"),
            (200, "{\"token\":\"a.b\\r\\nc\"}", "malformed_response"),
        ];
        for (status, body, code) in cases {
            assert_eq!(parse(*status, body).map(drop), Err(*code), "{status} {body}");
        }
    }
}
