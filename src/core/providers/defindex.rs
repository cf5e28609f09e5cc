//! DeFindex: `Authorization: Bearer <api_key | access JWT>`; dashboard login (`POST /login`),
//! refresh (`POST /refresh`, Bearer refresh token, possibly single-use), and API key
//! generate / list / revoke with the access JWT.

use serde_json::Value;

use super::{bearer, str_field, token_field, ProviderId};
use crate::core::error::{Error, ErrorKind, Result};
use crate::core::headers::{check_credential, Headers};
use crate::core::http::{malformed, status_error, BaseUrl, Method, Request, Response};
use crate::core::jwt::unverified_expiry_ms;
use crate::core::token::{Grant, Lifetime};
use crate::core::Secret;

// --- constants ---------------------------------------------------------------------------------

/// The base URL.
pub const BASE_URL: &str = "https://api.defindex.io";
/// The longest email or password accepted, in bytes.
pub const MAX_LOGIN_FIELD_LEN: usize = 1024;

const P: ProviderId = ProviderId::Defindex;

// --- credentials -------------------------------------------------------------------------------

fn check_login_field(field: &'static str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::new(ErrorKind::MissingCredential, "must not be empty").with_field(field));
    }
    if value.len() > MAX_LOGIN_FIELD_LEN {
        return Err(Error::new(ErrorKind::InputTooLarge, "is longer than 1 KiB").with_field(field));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::new(ErrorKind::InvalidArgument, "contains a control character").with_field(field));
    }
    Ok(())
}

/// Checks a dashboard login (email and password) as [`login_request`] would send it.
pub fn check_login(email: &str, password: &Secret) -> Result<()> {
    check_login_field("email", email)?;
    check_login_field("password", password.expose())
}

fn json_request(method: Method, url: String, bearer_token: Option<&str>, body: Option<String>) -> Result<Request> {
    let mut headers = Headers::new();
    if let Some(token) = bearer_token {
        headers.push_sensitive("Authorization", "token", bearer("token", token)?)?;
    }
    if body.is_some() {
        headers.push_plain("Content-Type", "contentType", "application/json".into())?;
    }
    Ok(Request { method, url, headers, body })
}

// --- auth request builders ---------------------------------------------------------------------

/// `POST <base>/login` with JSON `{"email", "password"}`.
pub fn login_request(base: &BaseUrl, email: &str, password: &Secret) -> Result<Request> {
    check_login(email, password)?;
    #[derive(serde::Serialize)]
    struct Login<'a> {
        email: &'a str,
        password: &'a str,
    }
    let body = serde_json::to_string(&Login { email, password: password.expose() }).unwrap_or_default();
    json_request(Method::Post, base.join("/login"), None, Some(body))
}

/// `POST <base>/refresh` with `Authorization: Bearer <refresh_token>` and no body. A refresh
/// token may be single-use: send each one at most once and keep the new one from the answer.
pub fn refresh_request(base: &BaseUrl, refresh_token: &Secret) -> Result<Request> {
    json_request(Method::Post, base.join("/refresh"), Some(refresh_token.expose()), None)
}

/// `POST <base>/api-keys/generate` with the access JWT and an optional `{"name"}`.
pub fn generate_key_request(base: &BaseUrl, access_token: &str, name: Option<&str>) -> Result<Request> {
    if let Some(name) = name {
        check_login_field("name", name)?;
    }
    #[derive(serde::Serialize)]
    struct Generate<'a> {
        name: &'a str,
    }
    let body = name.map(|name| serde_json::to_string(&Generate { name }).unwrap_or_default());
    json_request(Method::Post, base.join("/api-keys/generate"), Some(access_token), body)
}

/// `GET <base>/api-keys` with the access JWT.
pub fn list_keys_request(base: &BaseUrl, access_token: &str) -> Result<Request> {
    json_request(Method::Get, base.join("/api-keys"), Some(access_token), None)
}

/// `POST <base>/api-keys/<id>/revoke` with JSON `{"keyId": <id>}`. The id must be URL-safe
/// (letters, digits, `-`, `_`), so it cannot change the path.
pub fn revoke_key_request(base: &BaseUrl, access_token: &str, key_id: &str) -> Result<Request> {
    let url_safe = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    if key_id.is_empty() || key_id.len() > 128 || !key_id.bytes().all(url_safe) {
        return Err(Error::new(ErrorKind::InvalidArgument, "must be 1 to 128 letters, digits, '-' or '_'").with_field("keyId"));
    }
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Revoke<'a> {
        key_id: &'a str,
    }
    let body = serde_json::to_string(&Revoke { key_id }).unwrap_or_default();
    json_request(Method::Post, base.join(&format!("/api-keys/{key_id}/revoke")), Some(access_token), Some(body))
}

// --- response parsers --------------------------------------------------------------------------

/// Reads a `/login` or `/refresh` answer. Both documented shapes are accepted:
/// `{"access_token", "refresh_token", ...}` (the OpenAPI spec) and `{"jwt", "refreshToken"}`
/// (the Postman collection). The access token's expiry is its `exp` claim, read unverified.
/// 401/403 are `auth_rejected`.
pub fn parse_tokens(resp: &Response<'_>) -> Result<Grant> {
    if !resp.is_success() {
        return Err(status_error(P, resp.status));
    }
    let body = resp.json(P)?;
    let (access, refresh) = if body.get("access_token").is_some() { ("access_token", "refresh_token") } else { ("jwt", "refreshToken") };
    let access_token = token_field(P, resp.status, &body, access)?;
    let refresh_token = Some(token_field(P, resp.status, &body, refresh)?);
    let exp = unverified_expiry_ms(access_token.expose()).map_err(|_| malformed(P, resp.status, "the access token is not a JWT with an exp claim"))?;
    Ok(Grant { access_token, refresh_token, lifetime: Lifetime::ExpiresAtServerMs(exp) })
}

/// A generated API key.
#[derive(Clone, Debug)]
pub struct GeneratedKey {
    /// The new `sk_…` key.
    pub key: Secret,
    /// Its id (for revocation).
    pub id: String,
}

/// Reads `/api-keys/generate`: `{"key": "sk_…", "id"}` (`id` may be a number or a string).
pub fn parse_generated_key(resp: &Response<'_>) -> Result<GeneratedKey> {
    if !resp.is_success() {
        return Err(status_error(P, resp.status));
    }
    let body = resp.json(P)?;
    let key = token_field(P, resp.status, &body, "key")?;
    let id = match body.get("id") {
        Some(Value::Number(n)) => n.as_u64().map(|id| id.to_string()).ok_or_else(|| malformed(P, resp.status, "id is not a whole number"))?,
        _ => str_field(P, resp.status, &body, "id")?.to_owned(),
    };
    Ok(GeneratedKey { key, id })
}

/// Reads `/api-keys/<id>/revoke`: `{"success": true}`.
pub fn parse_revoke(resp: &Response<'_>) -> Result<()> {
    if !resp.is_success() {
        return Err(status_error(P, resp.status));
    }
    match resp.json(P)?.get("success") {
        Some(Value::Bool(true)) => Ok(()),
        Some(Value::Bool(false)) => Err(Error::new(ErrorKind::ProviderError, "the key was not revoked").with_provider(P).with_status(resp.status)),
        _ => Err(malformed(P, resp.status, "success is missing or not a boolean")),
    }
}

// --- headers of authenticated calls ------------------------------------------------------------

/// `Authorization: Bearer <api_key or access JWT>`.
pub fn headers(token: &str) -> Result<Headers> {
    check_credential("apiKey", token)?;
    let mut h = Headers::new();
    h.push_sensitive("Authorization", "apiKey", bearer("apiKey", token)?)?;
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The published example's header and payload (iat 1750269164, exp 1750272764).
    const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIiwiaWF0IjoxNzUwMjY5MTY0LCJleHAiOjE3NTAyNzI3NjR9.c2ln";

    fn base() -> BaseUrl {
        BaseUrl::parse(BASE_URL).unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn requests() {
        let login = login_request(&base(), "dev@example.com", &Secret::from("pw \"quoted\"")).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!((login.method, login.url.as_str()), (Method::Post, "https://api.defindex.io/login"));
        assert_eq!(login.body.as_deref(), Some(r#"{"email":"dev@example.com","password":"pw \"quoted\""}"#));
        assert_eq!(login.headers.get("content-type"), Some("application/json"));
        assert!(!format!("{login:?}").contains("quoted"));
        let refresh = refresh_request(&base(), &Secret::from(JWT)).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!((refresh.method, refresh.url.as_str(), refresh.body.as_deref()), (Method::Post, "https://api.defindex.io/refresh", None));
        assert_eq!(refresh.headers.get("Authorization"), Some(format!("Bearer {JWT}").as_str()));
        let revoke = revoke_key_request(&base(), JWT, "k_1").unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!((revoke.url.as_str(), revoke.body.as_deref()), ("https://api.defindex.io/api-keys/k_1/revoke", Some(r#"{"keyId":"k_1"}"#)));
        assert_eq!(revoke_key_request(&base(), JWT, "../x").map_err(|e| e.code()), Err("invalid_argument"));
        let generate = generate_key_request(&base(), JWT, Some("ci")).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!((generate.url.as_str(), generate.body.as_deref()), ("https://api.defindex.io/api-keys/generate", Some(r#"{"name":"ci"}"#)));
        assert_eq!(list_keys_request(&base(), JWT).map(|r| r.url.clone()).as_deref(), Ok("https://api.defindex.io/api-keys"));
        assert_eq!(login_request(&base(), "", &Secret::from("x")).map_err(|e| e.code()), Err("missing_credential"));
        assert_eq!(headers("sk_abc").unwrap_or_default().get("authorization"), Some("Bearer sk_abc"));
        assert_eq!(headers("sk_abc\r\n").map_err(|e| e.code()), Err("invalid_header_value"));
    }

    #[test]
    fn token_answers_in_both_shapes() {
        let parse = |status, body: &str| parse_tokens(&Response::new(status, body)).map(|g| (g.access_token.expose().to_owned(), g.refresh_token.map(|r| r.expose().to_owned()), g.lifetime)).map_err(|e| e.code());
        let want = Ok((JWT.to_owned(), Some("r1".to_owned()), Lifetime::ExpiresAtServerMs(1_750_272_764_000)));
        assert_eq!(parse(200, &format!(r#"{{"username":"u","role":"user","access_token":"{JWT}","refresh_token":"r1"}}"#)), want);
        assert_eq!(parse(200, &format!(r#"{{"jwt":"{JWT}","refreshToken":"r1"}}"#)), want);
        assert_eq!(parse(200, r#"{"access_token":"not-a-jwt","refresh_token":"r"}"#), Err("malformed_response"));
        assert_eq!(parse(200, &format!(r#"{{"access_token":"{JWT}"}}"#)), Err("malformed_response"));
        assert_eq!(parse(403, "{}"), Err("auth_rejected"));
        assert_eq!(parse(401, "{}"), Err("auth_rejected"));
        assert_eq!(parse(429, r#"{"retryAfter":30}"#), Err("rate_limited"));
    }

    #[test]
    fn key_answers() {
        let gen = parse_generated_key(&Response::new(200, r#"{"key":"sk_new","id":12}"#)).map(|k| (k.key.expose().to_owned(), k.id));
        assert_eq!(gen.map_err(|e| e.code()), Ok(("sk_new".into(), "12".into())));
        assert_eq!(parse_generated_key(&Response::new(200, r#"{"id":"a"}"#)).map(|_| ()).map_err(|e| e.code()), Err("malformed_response"));
        assert_eq!(parse_revoke(&Response::new(200, r#"{"success":true}"#)), Ok(()));
        assert_eq!(parse_revoke(&Response::new(200, r#"{"success":"yes"}"#)).map_err(|e| e.code()), Err("malformed_response"));
    }
}
