//! What a session does besides keeping a token: the Kiiex second factor and `LogOut`, DeFindex
//! API-key management with the dashboard session, and the default headers of a call.

use super::{AuthKind, AuthRequest, Credentials, Session};
use crate::core::error::{Error, ErrorKind, Result};
use crate::core::headers::Headers;
use crate::core::http::{Method, Request, Response};
use crate::core::providers::{defindex, kiiex, ProviderId};

/// A DeFindex API-key operation, made with the dashboard session's JWT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyOperation {
    /// `POST /api-keys/generate`, with an optional name.
    Generate(Option<String>),
    /// `GET /api-keys`.
    List,
    /// `POST /api-keys/<id>/revoke`.
    Revoke(String),
}

/// What a key operation answered.
#[derive(Debug)]
pub enum KeyResult {
    /// A new key.
    Generated(defindex::GeneratedKey),
    /// The keys of the account (truncated).
    Listed(Vec<defindex::KeyEntry>),
    /// The key was revoked.
    Revoked,
}

impl Session {
    /// Kiiex: the `Authenticate2FA` request after an `AuthenticateUser` answer that asked for a
    /// second factor ([`super::Received::NeedsCode`]). `code` is what the application's code
    /// source gave; without one the exchange ends with `two_factor_required` (never a loop). The
    /// challenge is used once: a second call has nothing to answer.
    pub fn second_factor_request(&mut self, code: Option<&str>) -> Result<AuthRequest> {
        let provider = self.provider();
        let challenge = self.challenge.take().ok_or_else(|| Error::new(ErrorKind::InvalidArgument, "no second factor was asked for").with_provider(provider))?;
        let Some(code) = code else {
            return Err(Error::new(ErrorKind::TwoFactorRequired, "the account needs a second factor: give onTwoFactor to supply the code").with_provider(provider));
        };
        let request = kiiex::authenticate_2fa_request(&self.base, code, challenge.as_ref().map(|t| t.expose())).map_err(|e| e.with_provider(provider))?;
        Ok(AuthRequest { request, kind: AuthKind::SecondFactor })
    }

    /// Kiiex: forgets the session now and returns the `LogOut` request that ends it on the
    /// server, or `None` when there is no session.
    pub fn logout_request(&mut self) -> Result<Option<AuthRequest>> {
        if !matches!(self.creds, Credentials::Kiiex { .. }) {
            return Err(Error::new(ErrorKind::Unsupported, "only kiiex sessions can be logged out").with_provider(self.provider()));
        }
        self.challenge = None;
        let Some(token) = self.token.take() else { return Ok(None) };
        self.generation += 1;
        let request = kiiex::logout_request(&self.base, token.access.expose())?;
        Ok(Some(AuthRequest { request, kind: AuthKind::Logout }))
    }

    /// DeFindex: the request of a key operation, with the current dashboard JWT. Call it once
    /// [`poll`](Self::poll) gave headers (a 401 on it is reported with that poll's generation);
    /// `unsupported` for other credentials (a static `sk_` key cannot manage keys),
    /// `token_expired` without a usable token.
    pub fn key_request(&self, operation: &KeyOperation, now_ms: u64) -> Result<Request> {
        let provider = self.provider();
        if !matches!(self.creds, Credentials::Defindex { api_key: None, .. }) {
            return Err(Error::new(ErrorKind::Unsupported, "API keys are managed with a dashboard login (email and password)").with_provider(provider));
        }
        let usable = self.token.as_ref().is_some_and(|t| self.freshness(t, now_ms).0);
        let token = self.token.as_ref().filter(|_| usable).ok_or_else(|| Error::new(ErrorKind::TokenExpired, "no usable session token").with_provider(provider))?;
        let jwt = token.access.expose();
        match operation {
            KeyOperation::Generate(name) => defindex::generate_key_request(&self.base, jwt, name.as_deref()),
            KeyOperation::List => defindex::list_keys_request(&self.base, jwt),
            KeyOperation::Revoke(id) => defindex::revoke_key_request(&self.base, jwt, id),
        }
        .map_err(|e| e.with_provider(provider))
    }

    /// DeFindex: reads the answer to a key operation.
    pub fn key_result(&self, operation: &KeyOperation, resp: &Response<'_>) -> Result<KeyResult> {
        match operation {
            KeyOperation::Generate(_) => defindex::parse_generated_key(resp).map(KeyResult::Generated),
            KeyOperation::List => defindex::parse_list_keys(resp).map(KeyResult::Listed),
            KeyOperation::Revoke(_) => defindex::parse_revoke(resp).map(|()| KeyResult::Revoked),
        }
    }

    /// Headers a call of `method` gets unless the caller set them: Kiiex (APEX expects JSON)
    /// `Content-Type: application/json` on `POST`.
    pub fn call_defaults(&self, method: &str) -> Headers {
        let mut headers = Headers::new();
        if self.provider() == ProviderId::Kiiex && method.eq_ignore_ascii_case(Method::Post.as_str()) {
            // A constant, valid header: pushing it cannot fail.
            let _ = headers.push_plain("Content-Type", "contentType", "application/json".into());
        }
        headers
    }
}
