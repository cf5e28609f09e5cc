//! Kiiex (AlphaPoint APEX): HMAC-signed `AuthenticateUser`, then `aptoken: <SessionToken>`.
//!
//! `Signature = lowercase_hex(HMAC-SHA256(key = API secret, message = Nonce + UserId + APIKey))`,
//! the three strings concatenated in that order with no separator, UTF-8.
//!
//! The whole APEX session: `AuthenticateUser` in its three forms (headers by GET or POST, a JSON
//! body, a WebSocket frame), a second factor when the answer asks for one
//! ([`authenticate_2fa_request`]), every later call with `aptoken`, and `LogOut`
//! ([`logout_request`]). The answers are read in [`answers`] (re-exported here), the WebSocket
//! frames built and read in [`ws`].

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::core::error::{Error, ErrorKind, Result};
use crate::core::headers::{check_credential, Headers};
use crate::core::http::{BaseUrl, Method, Request};
use crate::core::Secret;

#[path = "kiiex_answers.rs"]
pub mod answers;
#[path = "kiiex_ws.rs"]
pub mod ws;

pub use answers::{apex_error, parse_authenticate, parse_authenticate_2fa, parse_authenticate_outcome, parse_logout, AuthenticateOutcome, TwoFactorChallenge};

// --- constants ---------------------------------------------------------------------------------

/// Production base URL.
pub const PRODUCTION_URL: &str = "https://alphaprod.proxy.kiiex.io/ap";
/// Staging base URL.
pub const STAGING_URL: &str = "https://apstage.proxy.kiiex.io/ap";
/// The header that carries the session token on every later call.
pub const SESSION_HEADER: &str = "aptoken";
/// The default maximum idle age of a session (APEX sessions last one hour after the last
/// activity; 5 minutes of headroom).
pub const DEFAULT_MAX_IDLE_MS: u64 = 55 * 60 * 1000;
/// The largest API secret accepted, in bytes.
pub const MAX_SECRET_LEN: usize = 4096;
/// The largest nonce or user id accepted for signing, in bytes.
pub const MAX_PART_LEN: usize = 1024;
/// The header that carries the pending token of a second-factor step (ccxt's APEX client).
pub const PENDING_2FA_HEADER: &str = "Pending2FaToken";


// --- credentials and signing -------------------------------------------------------------------

/// Checks an API secret: not empty, at most 4 KiB, visible ASCII, no surrounding whitespace.
pub fn check_secret(secret: &str) -> Result<()> {
    let err = |kind, reason| Err(Error::new(kind, reason).with_field("apiSecret"));
    if secret.is_empty() {
        return err(ErrorKind::MissingCredential, "must not be empty");
    }
    if secret.len() > MAX_SECRET_LEN {
        return err(ErrorKind::InputTooLarge, "is longer than 4 KiB");
    }
    if !secret.bytes().all(|b| (0x21..=0x7E).contains(&b)) {
        return err(ErrorKind::InvalidSecret, "must be visible ASCII with no whitespace or control character");
    }
    Ok(())
}

/// Checks a nonce or user id for signing: not empty, at most 1 KiB, no control character, no
/// surrounding whitespace. (Any UTF-8 can be signed; to travel in a header it must also be
/// ASCII, which [`AuthFields::new`] checks.)
fn check_part(field: &'static str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::new(ErrorKind::MissingCredential, "must not be empty").with_field(field));
    }
    if value.len() > MAX_PART_LEN {
        return Err(Error::new(ErrorKind::InputTooLarge, "is longer than 1 KiB").with_field(field));
    }
    if value.chars().any(char::is_control) || value.starts_with(char::is_whitespace) || value.ends_with(char::is_whitespace) {
        return Err(Error::new(ErrorKind::InvalidArgument, "contains a control character or surrounding whitespace").with_field(field));
    }
    Ok(())
}

/// Signs Kiiex `AuthenticateUser` messages. Keeps the keyed HMAC state, so each signature costs
/// two SHA-256 compressions instead of four; the state is zeroized on drop.
#[derive(Clone)]
pub struct KiiexSigner {
    mac: Hmac<Sha256>,
}

impl core::fmt::Debug for KiiexSigner {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("KiiexSigner([redacted])")
    }
}

impl KiiexSigner {
    /// A signer keyed with `api_secret` (checked with [`check_secret`]).
    pub fn new(api_secret: &Secret) -> Result<Self> {
        Self::from_secret_str(api_secret.expose())
    }

    /// [`new`](Self::new) for a secret the caller holds (and wipes) itself.
    pub fn from_secret_str(api_secret: &str) -> Result<Self> {
        check_secret(api_secret)?;
        let mac = Hmac::<Sha256>::new_from_slice(api_secret.as_bytes())
            .map_err(|_| Error::new(ErrorKind::InvalidSecret, "cannot key HMAC-SHA256").with_field("apiSecret"))?;
        Ok(Self { mac })
    }

    /// `lowercase_hex(HMAC-SHA256(secret, nonce + user_id + api_key))`, after checking the parts.
    pub fn sign(&self, nonce: &str, user_id: &str, api_key: &str) -> Result<String> {
        let mut out = [0u8; 64];
        self.sign_checked_into(nonce, user_id, api_key, &mut out)?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    /// [`sign`](Self::sign) into `out` (64 lowercase hex digits), without allocating.
    pub fn sign_checked_into(&self, nonce: &str, user_id: &str, api_key: &str, out: &mut [u8; 64]) -> Result<()> {
        check_part("nonce", nonce)?;
        check_part("userId", user_id)?;
        check_credential("apiKey", api_key)?;
        self.sign_hex_into(nonce, user_id, api_key, out);
        Ok(())
    }

    /// [`sign_checked_into`](Self::sign_checked_into) when `user_id` and `api_key` have already
    /// passed it: only the nonce is checked. For a caller that signs many nonces for one user.
    pub fn sign_nonce_checked_into(&self, nonce: &str, user_id: &str, api_key: &str, out: &mut [u8; 64]) -> Result<()> {
        check_part("nonce", nonce)?;
        self.sign_hex_into(nonce, user_id, api_key, out);
        Ok(())
    }

    /// The unchecked fast path: writes the 64 lowercase hex digits into `out`. Callers check the
    /// parts first (as [`sign`](Self::sign) does).
    pub fn sign_hex_into(&self, nonce: &str, user_id: &str, api_key: &str, out: &mut [u8; 64]) {
        let mut mac = self.mac.clone();
        mac.update(nonce.as_bytes());
        mac.update(user_id.as_bytes());
        mac.update(api_key.as_bytes());
        let tag = mac.finalize().into_bytes();
        // Both lengths are fixed (32 bytes in, 64 out): encoding cannot fail.
        let _ = hex::encode_to_slice(tag.as_slice(), out);
    }

    /// Whether `signature` is the signature of the parts, compared in constant time.
    pub fn verify(&self, nonce: &str, user_id: &str, api_key: &str, signature: &str) -> bool {
        let mut out = [0u8; 64];
        self.sign_hex_into(nonce, user_id, api_key, &mut out);
        subtle::ConstantTimeEq::ct_eq(out.as_slice(), signature.as_bytes()).into()
    }
}

/// A per-signer monotonic nonce: `next = max(now_ms, last + 1)`, so two signatures in the same
/// millisecond never share a nonce (a known failure of clock-based nonces).
#[derive(Clone, Copy, Debug, Default)]
pub struct MonotonicNonce {
    last: u64,
}

impl MonotonicNonce {
    /// The next nonce for the clock reading `now_ms`.
    pub fn next(&mut self, now_ms: u64) -> u64 {
        self.last = now_ms.max(self.last.saturating_add(1));
        self.last
    }
}

// --- auth request builders ---------------------------------------------------------------------

/// The four `AuthenticateUser` values, checked for use in headers or a JSON body. The key and the
/// signature are zeroized on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthFields {
    /// `APIKey`
    pub api_key: String,
    /// `Signature` (lowercase hex)
    pub signature: String,
    /// `UserId`
    pub user_id: String,
    /// `Nonce`
    pub nonce: String,
}

impl core::fmt::Debug for AuthFields {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AuthFields")
            .field("api_key", &"[redacted]")
            .field("signature", &"[redacted]")
            .field("user_id", &self.user_id)
            .field("nonce", &self.nonce)
            .finish()
    }
}

impl Drop for AuthFields {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.api_key);
        zeroize::Zeroize::zeroize(&mut self.signature);
    }
}

impl AuthFields {
    /// Signs and checks every value as a header value.
    pub fn new(signer: &KiiexSigner, api_key: &str, user_id: &str, nonce: &str) -> Result<Self> {
        check_credential("userId", user_id)?;
        check_credential("nonce", nonce)?;
        let signature = signer.sign(nonce, user_id, api_key)?;
        Ok(Self { api_key: api_key.to_owned(), signature, user_id: user_id.to_owned(), nonce: nonce.to_owned() })
    }

    /// The headers `APIKey`, `Signature`, `UserId`, `Nonce`.
    pub fn headers(&self) -> Result<Headers> {
        let mut h = Headers::new();
        h.push_sensitive("APIKey", "apiKey", self.api_key.clone())?;
        h.push_sensitive("Signature", "signature", self.signature.clone())?;
        h.push_plain("UserId", "userId", self.user_id.clone())?;
        h.push_plain("Nonce", "nonce", self.nonce.clone())?;
        Ok(h)
    }

    /// The JSON object `{"APIKey","Signature","UserId","Nonce"}`, all strings.
    pub(crate) fn json(&self) -> String {
        #[derive(serde::Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Body<'a> {
            #[serde(rename = "APIKey")]
            api_key: &'a str,
            signature: &'a str,
            user_id: &'a str,
            nonce: &'a str,
        }
        let body = Body { api_key: &self.api_key, signature: &self.signature, user_id: &self.user_id, nonce: &self.nonce };
        serde_json::to_string(&body).unwrap_or_default()
    }
}

/// How to send `AuthenticateUser` (all three documented forms).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum AuthForm {
    /// `GET <base>/AuthenticateUser` with the four headers (the default).
    #[default]
    HeadersGet,
    /// `POST <base>/AuthenticateUser` with the four headers.
    HeadersPost,
    /// `POST <base>/AuthenticateUser` with a JSON body of the four values.
    JsonBody,
}

/// The `AuthenticateUser` request in `form`.
pub fn authenticate_request(base: &BaseUrl, fields: &AuthFields, form: AuthForm) -> Result<Request> {
    let url = base.join("/AuthenticateUser");
    Ok(match form {
        AuthForm::HeadersGet => Request { method: Method::Get, url, headers: fields.headers()?, body: None },
        AuthForm::HeadersPost => Request { method: Method::Post, url, headers: fields.headers()?, body: None },
        AuthForm::JsonBody => {
            let mut headers = Headers::new();
            headers.push_plain("Content-Type", "contentType", "application/json".into())?;
            Request { method: Method::Post, url, headers, body: Some(fields.json()) }
        }
    })
}

/// Checks a second-factor code: 4 to 10 ASCII digits (a TOTP code has 6; APEX documents no other
/// length). It travels in a URL query, so nothing else is allowed.
pub fn check_two_factor_code(code: &str) -> Result<()> {
    if code.is_empty() {
        return Err(Error::new(ErrorKind::MissingCredential, "is required").with_field("code"));
    }
    if !(4..=10).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::new(ErrorKind::InvalidArgument, "must be 4 to 10 digits").with_field("code"));
    }
    Ok(())
}

/// The second factor after an `AuthenticateUser` answer that asked for one, in the form of
/// ccxt's APEX client: `GET <base>/Authenticate2FA?Code=<code>`, with the header
/// `Pending2FaToken: <token>` when the first answer gave a pending token. The answer carries the
/// `SessionToken` ([`parse_authenticate_2fa`]).
pub fn authenticate_2fa_request(base: &BaseUrl, code: &str, pending_token: Option<&str>) -> Result<Request> {
    check_two_factor_code(code)?;
    let mut headers = Headers::new();
    if let Some(token) = pending_token {
        check_credential("pendingToken", token)?;
        headers.push_sensitive(PENDING_2FA_HEADER, "pendingToken", token.to_owned())?;
    }
    Ok(Request { method: Method::Get, url: base.join(&format!("/Authenticate2FA?Code={code}")), headers, body: None })
}

/// `POST <base>/LogOut` with `aptoken: <session_token>` and no body: ends the session
/// ([`parse_logout`] reads the answer).
pub fn logout_request(base: &BaseUrl, session_token: &str) -> Result<Request> {
    Ok(Request { method: Method::Post, url: base.join("/LogOut"), headers: session_headers(session_token)?, body: None })
}

// --- headers of authenticated calls ------------------------------------------------------------

/// `aptoken: <SessionToken>`.
pub fn session_headers(session_token: &str) -> Result<Headers> {
    check_credential("sessionToken", session_token)?;
    let mut h = Headers::new();
    h.push_sensitive(SESSION_HEADER, "sessionToken", session_token.to_owned())?;
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    /// The vectors of the provider contracts (computed with Python's `hmac`).
    const VECTORS: &[(&str, &str, &str, &str, &str)] = &[
        ("SECRET_FROM_DASHBOARD", "1700000000000", "42", "APIKEY_FROM_DASHBOARD", "cd95952f3f722dbb00ac4b7a097813f3a4b8745a950c6b1bdb55278ad759bb6c"),
        ("d2f5a1c3b4e6f7089a1b2c3d4e5f6a7b", "637958203", "184", "7c3e0f1a2b4d5e6f8091a2b3c4d5e6f7", "e29b8f8f9654f9604c16fd193e9440c889e558bca55962c87a5ebcf7355a8897"),
        ("secret", "123", "usu\u{e1}rio", "key", "99cc024f5483b574b2f6c15535a82b0822dfc703cb24688d9ac34f5324e678f3"),
        ("test_secret", "2247733562", "96", "28c68ac3fcfafc3d4e8d653fe57e5baf", "4dd2921a7e1fdc464e1a61f28f31dc5f8295de893c88a38e193bb0d47a82d4af"),
    ];

    fn signer(secret: &str) -> KiiexSigner {
        KiiexSigner::new(&Secret::from(secret)).unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn signature_vectors() {
        for (secret, nonce, user, key, want) in VECTORS {
            let s = signer(secret);
            assert_eq!(s.sign(nonce, user, key).as_deref(), Ok(*want), "{nonce}");
            assert!(s.verify(nonce, user, key, want));
            assert!(!s.verify(nonce, user, key, &want.to_uppercase()));
        }
        let long = "x".repeat(100);
        assert_eq!(signer(&long).sign("1", "1", "k").as_deref(), Ok("1de0d838d33b7c4e53df5e8e2899eb283203d060d476905755d65328958ee1df"));
    }

    #[test]
    fn signer_is_reusable() {
        let s = signer("SECRET_FROM_DASHBOARD");
        for _ in 0..3 {
            assert_eq!(s.sign("1700000000000", "42", "APIKEY_FROM_DASHBOARD").as_deref(), Ok(VECTORS[0].4));
        }
    }

    #[test]
    fn bad_signing_inputs() {
        let cases: &[(&str, &str, &str, &str, &str)] = &[
            ("", "1", "1", "k", "missing_credential"),
            ("sec ret", "1", "1", "k", "invalid_secret"),
            ("secret\n", "1", "1", "k", "invalid_secret"),
            ("s\u{e9}cret", "1", "1", "k", "invalid_secret"),
            ("secret", "", "1", "k", "missing_credential"),
            ("secret", "1\r\n", "1", "k", "invalid_argument"),
            ("secret", "1", " 42", "k", "invalid_argument"),
            ("secret", "1", "1", "k\0", "invalid_header_value"),
            ("secret", "1", "1", "", "missing_credential"),
        ];
        for (secret, nonce, user, key, code) in cases {
            let got = KiiexSigner::new(&Secret::from(*secret)).and_then(|s| s.sign(nonce, user, key));
            assert_eq!(got.map_err(|e| e.code()), Err(*code), "{secret:?} {nonce:?} {user:?} {key:?}");
        }
        let huge = "7".repeat(MAX_PART_LEN + 1);
        assert_eq!(signer("s").sign(&huge, "1", "k").map_err(|e| e.code()), Err("input_too_large"));
        assert_eq!(KiiexSigner::new(&Secret::from("s".repeat(MAX_SECRET_LEN + 1))).map(|_| ()).map_err(|e| e.code()), Err("input_too_large"));
    }

    #[test]
    fn monotonic_nonce() {
        let mut n = MonotonicNonce::default();
        assert_eq!([n.next(1000), n.next(1000), n.next(999), n.next(1005)], [1000, 1001, 1002, 1005]);
    }

    #[test]
    fn auth_forms() {
        let s = signer(VECTORS[1].0);
        let f = AuthFields::new(&s, VECTORS[1].3, "184", "637958203").unwrap_or_else(|e| unreachable!("{e}"));
        let base = BaseUrl::parse(STAGING_URL).unwrap_or_else(|e| unreachable!("{e}"));
        let get = authenticate_request(&base, &f, AuthForm::HeadersGet).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!((get.method, get.url.as_str()), (Method::Get, "https://apstage.proxy.kiiex.io/ap/AuthenticateUser"));
        let names: Vec<_> = get.headers.iter().map(|h| (h.name(), h.value().to_owned())).collect();
        assert_eq!(names, vec![
            ("APIKey", VECTORS[1].3.to_owned()),
            ("Signature", VECTORS[1].4.to_owned()),
            ("UserId", "184".to_owned()),
            ("Nonce", "637958203".to_owned()),
        ]);
        let post = authenticate_request(&base, &f, AuthForm::JsonBody).unwrap_or_else(|e| unreachable!("{e}"));
        let body: Value = serde_json::from_str(post.body.as_deref().unwrap_or_default()).unwrap_or_default();
        assert_eq!(body, json!({"APIKey": VECTORS[1].3, "Signature": VECTORS[1].4, "UserId": "184", "Nonce": "637958203"}));
        let frame: Value = serde_json::from_str(&ws::authenticate_frame(&f, 7).unwrap_or_default()).unwrap_or_default();
        assert_eq!((frame["m"].as_u64(), frame["i"].as_u64(), frame["n"].as_str()), (Some(0), Some(7), Some("AuthenticateUser")));
        let inner: Value = serde_json::from_str(frame["o"].as_str().unwrap_or_default()).unwrap_or_default();
        assert_eq!(inner, body);
        assert!(!format!("{f:?} {get:?} {post:?}").contains(VECTORS[1].4));
        assert_eq!(AuthFields::new(&s, "k", "usu\u{e1}rio", "1").map_err(|e| e.code()), Err("invalid_header_value"));
    }

    #[test]
    fn aptoken_header() {
        let h = session_headers("tok").unwrap_or_default();
        assert_eq!(h.get("APToken"), Some("tok"));
        assert_eq!(session_headers("tok\n").map_err(|e| e.code()), Err("invalid_header_value"));
    }

    fn base() -> BaseUrl {
        BaseUrl::parse(STAGING_URL).unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn two_factor_requests() {
        let r = authenticate_2fa_request(&base(), "123456", Some("6f5c4e66-f3ee-493e-9227-31cc0583b55f")).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!((r.method, r.url.as_str(), r.body.as_deref()), (Method::Get, "https://apstage.proxy.kiiex.io/ap/Authenticate2FA?Code=123456", None));
        let headers: Vec<_> = r.headers.iter().map(|h| (h.name(), h.value(), h.is_sensitive())).collect();
        assert_eq!(headers, vec![("Pending2FaToken", "6f5c4e66-f3ee-493e-9227-31cc0583b55f", true)]);
        assert!(!format!("{r:?}").contains("6f5c4e66"));
        let r = authenticate_2fa_request(&base(), "0042", None).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!((r.url.as_str(), r.headers.len()), ("https://apstage.proxy.kiiex.io/ap/Authenticate2FA?Code=0042", 0));
        let bad: &[(&str, Option<&str>, &str, &str)] = &[
            ("", None, "missing_credential", "code"),
            ("123", None, "invalid_argument", "code"),
            ("12345678901", None, "invalid_argument", "code"),
            ("12345a", None, "invalid_argument", "code"),
            ("123 456", None, "invalid_argument", "code"),
            ("123456&x=1", None, "invalid_argument", "code"),
            ("１２３４５６", None, "invalid_argument", "code"),
            ("-12345", None, "invalid_argument", "code"),
            ("123456", Some(""), "missing_credential", "pendingToken"),
            ("123456", Some("tok\r\nX: 1"), "invalid_header_value", "pendingToken"),
            ("123456", Some("tok en"), "invalid_header_value", "pendingToken"),
        ];
        for (code, token, want, field) in bad {
            let got = authenticate_2fa_request(&base(), code, *token).map(drop).map_err(|e| (e.code(), e.field()));
            assert_eq!(got, Err((*want, Some(*field))), "{code:?} {token:?}");
        }
    }

    #[test]
    fn logout_request_shape() {
        let r = logout_request(&base(), "sess-1").unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!((r.method, r.url.as_str(), r.body.as_deref()), (Method::Post, "https://apstage.proxy.kiiex.io/ap/LogOut", None));
        let headers: Vec<_> = r.headers.iter().map(|h| (h.name(), h.value(), h.is_sensitive())).collect();
        assert_eq!(headers, vec![("aptoken", "sess-1", true)]);
        assert_eq!(logout_request(&base(), "").map(drop).map_err(|e| e.code()), Err("missing_credential"));
        assert_eq!(logout_request(&base(), "s\n1").map(drop).map_err(|e| e.code()), Err("invalid_header_value"));
    }
}
