//! DeFindex: `Authorization: Bearer <api_key | access JWT>`; dashboard login (`POST /login`),
//! refresh (`POST /refresh`, Bearer refresh token, possibly single-use), and API key
//! generate / list / revoke with the access JWT.

use serde_json::Value;

use super::{bearer, check_login_field, login_body, token_field, ProviderId};
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
pub const MAX_LOGIN_FIELD_LEN: usize = super::MAX_LOGIN_FIELD_LEN;

const P: ProviderId = ProviderId::Defindex;

// --- credentials -------------------------------------------------------------------------------

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
    let body = login_body(email, password)?;
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

/// The three documented `(access, refresh)` field pairs of a login or refresh answer, in the
/// order they are tried: the OpenAPI spec, the SDK's camelCase type, the Postman test.
pub const TOKEN_SHAPES: [(&str, &str); 3] = [("access_token", "refresh_token"), ("accessToken", "refreshToken"), ("jwt", "refreshToken")];

/// Reads a `/login` or `/refresh` answer. Every documented shape is accepted (see
/// [`TOKEN_SHAPES`]): `{"access_token", "refresh_token", ...}` (the OpenAPI spec),
/// `{"accessToken", "refreshToken"}` (the SDK) and `{"jwt", "refreshToken"}` (the Postman
/// collection); the first whose access field is present is read, and both of its fields are then
/// required. The access token's expiry is its `exp` claim, read unverified. 401/403 are
/// `auth_rejected`.
pub fn parse_tokens(resp: &Response<'_>) -> Result<Grant> {
    if !resp.is_success() {
        return Err(status_error(P, resp.status));
    }
    let body = resp.json(P)?;
    let (access, refresh) = TOKEN_SHAPES.into_iter().find(|(access, _)| body.get(*access).is_some()).unwrap_or(TOKEN_SHAPES[0]);
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
    /// Its id (for revocation), when the answer carried one.
    pub id: Option<String>,
}

/// An id given as a string, or as a whole number (written in decimal). Anything else is `None`.
fn id_of(value: Option<&Value>) -> Option<String> {
    match value {
        Some(Value::Number(n)) => n.as_u64().map(|id| id.to_string()),
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// Reads `/api-keys/generate`: `{"key": "sk_…", "id"}`, or an array whose first element is that
/// object (`[0].key`). The key is required and checked as a credential; the id (a string or a
/// whole number) is kept when present and usable, never a reason to drop the new key, which the
/// answer shows only once.
pub fn parse_generated_key(resp: &Response<'_>) -> Result<GeneratedKey> {
    if !resp.is_success() {
        return Err(status_error(P, resp.status));
    }
    let body = resp.json(P)?;
    let entry = match &body {
        Value::Array(items) => items.first().ok_or_else(|| malformed(P, resp.status, "the answer is an empty array"))?,
        other => other,
    };
    let key = token_field(P, resp.status, entry, "key")?;
    Ok(GeneratedKey { key, id: id_of(entry.get("id")) })
}

/// One entry of `GET /api-keys`. Its `key` is the truncated form the list shows (not usable as
/// a key), still treated as sensitive: `Debug` redacts it.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyEntry {
    /// The id (for revocation), written in decimal when the answer gave a number.
    pub id: String,
    /// The name given at generation.
    pub name: Option<String>,
    /// The truncated key, as listed.
    pub key: Option<String>,
    /// When it was created, as the provider wrote it.
    pub created_at: Option<String>,
    /// When it was last used, as the provider wrote it (`None` for never or unknown).
    pub last_used_at: Option<String>,
}

impl core::fmt::Debug for KeyEntry {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeyEntry")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("key", &self.key.as_ref().map(|_| "[redacted]"))
            .field("created_at", &self.created_at)
            .field("last_used_at", &self.last_used_at)
            .finish()
    }
}

impl Drop for KeyEntry {
    fn drop(&mut self) {
        if let Some(key) = self.key.as_mut() {
            zeroize::Zeroize::zeroize(key);
        }
    }
}

/// Reads `GET /api-keys`: any 2xx (the Postman test saw 201) with an array of
/// `{id, name, key, createdAt, lastUsedAt}`. Each entry needs an id (string or whole number);
/// the other fields are kept when they are strings and `None` otherwise (`lastUsedAt` is `null`
/// for a key never used). An answer that is not an array, or an entry without an id, is
/// `malformed_response`.
pub fn parse_list_keys(resp: &Response<'_>) -> Result<Vec<KeyEntry>> {
    if !resp.is_success() {
        return Err(status_error(P, resp.status));
    }
    let body = resp.json(P)?;
    let Value::Array(items) = &body else { return Err(malformed(P, resp.status, "the key list is not an array")) };
    let text = |entry: &Value, name: &str| entry.get(name).and_then(Value::as_str).map(str::to_owned);
    items
        .iter()
        .map(|entry| {
            let id = id_of(entry.get("id")).ok_or_else(|| malformed(P, resp.status, "a listed key has no usable id"))?;
            Ok(KeyEntry { id, name: text(entry, "name"), key: text(entry, "key"), created_at: text(entry, "createdAt"), last_used_at: text(entry, "lastUsedAt") })
        })
        .collect()
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
    fn token_answers_in_every_shape() {
        let parse = |status, body: &str| parse_tokens(&Response::new(status, body)).map(|g| (g.access_token.expose().to_owned(), g.refresh_token.map(|r| r.expose().to_owned()), g.lifetime)).map_err(|e| e.code());
        let want = Ok((JWT.to_owned(), Some("r1".to_owned()), Lifetime::ExpiresAtServerMs(1_750_272_764_000)));
        type Case = (u16, String, Result<(String, Option<String>, Lifetime), &'static str>);
        let cases: Vec<Case> = vec![
            (200, format!(r#"{{"username":"u","role":"user","access_token":"{JWT}","refresh_token":"r1"}}"#), want.clone()),
            (200, format!(r#"{{"accessToken":"{JWT}","refreshToken":"r1"}}"#), want.clone()),
            (200, format!(r#"{{"jwt":"{JWT}","refreshToken":"r1"}}"#), want.clone()),
            (201, format!(r#"{{"jwt":"{JWT}","refreshToken":"r1"}}"#), want.clone()),
            // The first shape whose access field is present is read, and its refresh field is required.
            (200, format!(r#"{{"access_token":"{JWT}","refreshToken":"r1"}}"#), Err("malformed_response")),
            (200, format!(r#"{{"accessToken":"{JWT}","refresh_token":"r1"}}"#), Err("malformed_response")),
            (200, format!(r#"{{"accessToken":"{JWT}"}}"#), Err("malformed_response")),
            (200, format!(r#"{{"access_token":"{JWT}"}}"#), Err("malformed_response")),
            (200, format!(r#"{{"accessToken":7,"refreshToken":"r1","jwt":"{JWT}"}}"#), Err("malformed_response")),
            (200, r#"{"access_token":"not-a-jwt","refresh_token":"r"}"#.to_owned(), Err("malformed_response")),
            (200, r#"{"accessToken":"not-a-jwt","refreshToken":"r"}"#.to_owned(), Err("malformed_response")),
            (200, r#"{"refreshToken":"r1"}"#.to_owned(), Err("malformed_response")),
            (200, "[]".to_owned(), Err("malformed_response")),
            (403, "{}".to_owned(), Err("auth_rejected")),
            (401, "{}".to_owned(), Err("auth_rejected")),
            (429, r#"{"retryAfter":30}"#.to_owned(), Err("rate_limited")),
        ];
        for (status, body, want) in cases {
            assert_eq!(parse(status, &body), want, "{status} {body}");
        }
    }

    #[test]
    fn generated_key_answers() {
        let parse = |status, body: &str| parse_generated_key(&Response::new(status, body)).map(|k| (k.key.expose().to_owned(), k.id)).map_err(|e| e.code());
        type Case = (u16, &'static str, Result<(&'static str, Option<&'static str>), &'static str>);
        let cases: &[Case] = &[
            (200, r#"{"key":"sk_new","id":12}"#, Ok(("sk_new", Some("12")))),
            (201, r#"{"key":"sk_new","id":"k_12"}"#, Ok(("sk_new", Some("k_12")))),
            (200, r#"[{"key":"sk_new","id":12,"name":"ci"}]"#, Ok(("sk_new", Some("12")))),
            (200, r#"[{"key":"sk_new"},{"key":"sk_other","id":2}]"#, Ok(("sk_new", None))),
            // The new key is shown once: a missing or odd id never drops it.
            (200, r#"{"key":"sk_new"}"#, Ok(("sk_new", None))),
            (200, r#"{"key":"sk_new","id":null}"#, Ok(("sk_new", None))),
            (200, r#"{"key":"sk_new","id":-1}"#, Ok(("sk_new", None))),
            (200, r#"{"key":"sk_new","id":""}"#, Ok(("sk_new", None))),
            (200, r#"{"id":"a"}"#, Err("malformed_response")),
            (200, r#"{"key":7,"id":1}"#, Err("malformed_response")),
            (200, r#"{"key":"sk new","id":1}"#, Err("malformed_response")),
            (200, "[]", Err("malformed_response")),
            (200, r#"["sk_new"]"#, Err("malformed_response")),
            (200, r#"[[{"key":"sk_new"}]]"#, Err("malformed_response")),
            (200, "nope", Err("malformed_response")),
            (401, r#"{"key":"sk_new","id":1}"#, Err("auth_rejected")),
            (500, "{}", Err("provider_error")),
        ];
        for (status, body, want) in cases {
            let want = want.map(|(k, id)| (k.to_owned(), id.map(str::to_owned)));
            assert_eq!(parse(*status, body), want, "{status} {body}");
        }
    }

    #[test]
    fn list_key_answers() {
        let body = r#"[
            {"id":1,"name":"ci","key":"sk_abc...wxyz","createdAt":"2025-06-18T17:52:44.000Z","lastUsedAt":null},
            {"id":"k_2","key":"sk_def...1234","createdAt":"2025-06-19T09:00:00.000Z","lastUsedAt":"2025-06-20T10:00:00.000Z","extra":true},
            {"id":3,"name":7}
        ]"#;
        let entry = |id: &str, name: Option<&str>, key: Option<&str>, created: Option<&str>, used: Option<&str>| KeyEntry {
            id: id.into(),
            name: name.map(Into::into),
            key: key.map(Into::into),
            created_at: created.map(Into::into),
            last_used_at: used.map(Into::into),
        };
        let want = vec![
            entry("1", Some("ci"), Some("sk_abc...wxyz"), Some("2025-06-18T17:52:44.000Z"), None),
            entry("k_2", None, Some("sk_def...1234"), Some("2025-06-19T09:00:00.000Z"), Some("2025-06-20T10:00:00.000Z")),
            entry("3", None, None, None, None),
        ];
        for status in [200, 201, 204, 299] {
            assert_eq!(parse_list_keys(&Response::new(status, body)), Ok(want.clone()), "{status}");
        }
        assert_eq!(parse_list_keys(&Response::new(200, "[]")), Ok(vec![]));
        let shown = format!("{:?}", parse_list_keys(&Response::new(200, body)));
        assert!(!shown.contains("sk_abc") && !shown.contains("sk_def") && shown.contains("[redacted]") && shown.contains("2025-06-20"), "{shown}");
        let bad: &[(u16, &str, &str)] = &[
            (200, r#"{"keys":[]}"#, "malformed_response"),
            (200, r#"[{"name":"no id"}]"#, "malformed_response"),
            (200, r#"[{"id":null}]"#, "malformed_response"),
            (200, r#"[{"id":1.5}]"#, "malformed_response"),
            (200, r#"[1,2]"#, "malformed_response"),
            (200, "nope", "malformed_response"),
            (401, "[]", "auth_rejected"),
            (403, "[]", "auth_rejected"),
            (500, "[]", "provider_error"),
        ];
        for (status, body, code) in bad {
            assert_eq!(parse_list_keys(&Response::new(*status, body)).map_err(|e| e.code()), Err(*code), "{status} {body}");
        }
    }

    #[test]
    fn revoke_answers() {
        assert_eq!(parse_revoke(&Response::new(200, r#"{"success":true}"#)), Ok(()));
        assert_eq!(parse_revoke(&Response::new(200, r#"{"success":false}"#)).map_err(|e| e.code()), Err("provider_error"));
        assert_eq!(parse_revoke(&Response::new(200, r#"{"success":"yes"}"#)).map_err(|e| e.code()), Err("malformed_response"));
    }
}
