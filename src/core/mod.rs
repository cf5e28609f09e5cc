//! The pure core: no I/O, no clock, no randomness. Time (`now_ms`) and nonces are arguments;
//! requests and responses are plain data. Everything here runs under plain `cargo test`.

pub mod error;
pub mod headers;
pub mod http;
pub mod jwt;
pub mod providers;
pub mod record;
pub mod secret;
pub mod session;
pub mod token;

pub use error::{Error, ErrorKind, Result};
pub use headers::{Header, Headers};
pub use providers::ProviderId;
pub use secret::Secret;

/// Constant-time string equality (the time depends on the lengths only).
pub fn ct_eq_str(a: &str, b: &str) -> bool {
    subtle::ConstantTimeEq::ct_eq(a.as_bytes(), b.as_bytes()).into()
}

/// The credentials the static header builder ([`static_headers`]) reads. Which field a provider
/// needs is listed there.
#[derive(Clone, Debug, Default)]
pub struct StaticCredentials {
    /// An API key (DeFindex `sk_…` key or JWT, DeltaDeFi, Adjutor; DePay for `/auth/token`).
    pub api_key: Option<Secret>,
    /// A DePay access token, or an Adjutor Core Services token (`x-access-token`).
    pub access_token: Option<Secret>,
    /// A Kiiex session token.
    pub session_token: Option<Secret>,
}

/// The headers an authenticated call carries, for the cases that need no exchange:
///
/// | provider | needs | headers |
/// |---|---|---|
/// | defindex | `api_key` | `Authorization: Bearer <api_key>` |
/// | deltadefi | `api_key` | `X-API-KEY: <api_key>` |
/// | adjutor | `api_key` (and `access_token` for Core Services) | `Authorization: Bearer <api_key>` (and `x-access-token: <access_token>`) |
/// | depay | `access_token` (or `api_key` for `/auth/token`) | `Authorization: Bearer <access_token>` (or `x-api-key: <api_key>`) |
/// | kiiex | `session_token` | `aptoken: <session_token>` |
///
/// ```
/// use keystamp::core::{static_headers, ProviderId, StaticCredentials};
/// let creds = StaticCredentials { api_key: Some("dd_key".into()), ..Default::default() };
/// let headers = static_headers(ProviderId::Deltadefi, &creds)?;
/// assert_eq!(headers.get("X-API-KEY"), Some("dd_key"));
/// # Ok::<(), keystamp::core::Error>(())
/// ```
pub fn static_headers(provider: ProviderId, creds: &StaticCredentials) -> Result<Headers> {
    fn need<'a>(provider: ProviderId, value: &'a Option<Secret>, field: &'static str) -> Result<&'a str> {
        value.as_ref().map(Secret::expose).ok_or(
            Error::new(ErrorKind::MissingCredential, "is required for this provider").with_field(field).with_provider(provider),
        )
    }
    let with_provider = |e: Error| e.with_provider(provider);
    match provider {
        ProviderId::Defindex => providers::defindex::headers(need(provider, &creds.api_key, "apiKey")?),
        ProviderId::Deltadefi => providers::deltadefi::headers(need(provider, &creds.api_key, "apiKey")?),
        ProviderId::Adjutor => match &creds.access_token {
            None => providers::adjutor::headers(need(provider, &creds.api_key, "apiKey")?),
            Some(token) => providers::adjutor::headers_with_access_token(need(provider, &creds.api_key, "apiKey")?, token.expose()),
        },
        ProviderId::Depay => match (&creds.access_token, &creds.api_key) {
            (None, Some(key)) => providers::depay::api_key_headers(key.expose()),
            _ => providers::depay::headers(need(provider, &creds.access_token, "accessToken")?),
        },
        ProviderId::Kiiex => providers::kiiex::session_headers(need(provider, &creds.session_token, "sessionToken")?),
    }
    .map_err(with_provider)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(api_key: Option<&str>, access_token: Option<&str>, session_token: Option<&str>) -> StaticCredentials {
        StaticCredentials { api_key: api_key.map(Secret::from), access_token: access_token.map(Secret::from), session_token: session_token.map(Secret::from) }
    }

    #[test]
    fn static_headers_table() {
        type Case = (ProviderId, StaticCredentials, &'static [(&'static str, &'static str)]);
        let cases: &[Case] = &[
            (ProviderId::Defindex, creds(Some("sk_1"), None, None), &[("Authorization", "Bearer sk_1")]),
            (ProviderId::Deltadefi, creds(Some("dd_1"), None, None), &[("X-API-KEY", "dd_1")]),
            (ProviderId::Adjutor, creds(Some("adj_1"), None, None), &[("Authorization", "Bearer adj_1")]),
            (ProviderId::Adjutor, creds(Some("adj_1"), Some("jwt.core.1"), None), &[("Authorization", "Bearer adj_1"), ("x-access-token", "jwt.core.1")]),
            (ProviderId::Depay, creds(None, Some("at_1"), None), &[("Authorization", "Bearer at_1")]),
            (ProviderId::Depay, creds(Some("dp_1"), Some("at_1"), None), &[("Authorization", "Bearer at_1")]),
            (ProviderId::Depay, creds(Some("dp_1"), None, None), &[("x-api-key", "dp_1")]),
            (ProviderId::Kiiex, creds(None, None, Some("sess_1")), &[("aptoken", "sess_1")]),
        ];
        for (provider, c, want) in cases {
            let got = static_headers(*provider, c).unwrap_or_default();
            let got: Vec<_> = got.iter().map(|h| (h.name(), h.value())).collect();
            assert_eq!(&got, want, "{provider:?}");
        }
    }

    #[test]
    fn static_headers_errors() {
        let e = static_headers(ProviderId::Kiiex, &creds(Some("k"), None, None)).err();
        assert_eq!(e.map(|e| (e.code(), e.field(), e.provider())), Some(("missing_credential", Some("sessionToken"), Some(ProviderId::Kiiex))));
        let e = static_headers(ProviderId::Adjutor, &creds(None, Some("jwt.core.1"), None)).err();
        assert_eq!(e.map(|e| (e.code(), e.field(), e.provider())), Some(("missing_credential", Some("apiKey"), Some(ProviderId::Adjutor))));
        let e = static_headers(ProviderId::Adjutor, &creds(Some("adj_1"), Some("jwt core"), None)).err();
        assert_eq!(e.map(|e| e.to_string()).as_deref(), Some("adjutor: accessToken: contains whitespace"));
        let e = static_headers(ProviderId::Adjutor, &creds(Some("adj\r\nX: y"), None, None)).err();
        assert_eq!(e.as_ref().map(Error::code), Some("invalid_header_value"));
        assert_eq!(e.map(|e| e.to_string()).as_deref(), Some("adjutor: apiKey: contains a control character (CR, LF, NUL, ...)"));
    }
}
