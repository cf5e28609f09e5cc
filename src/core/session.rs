//! The token lifecycle of one credential, as a state machine with time as an input.
//!
//! The host asks [`Session::poll`] what to do at `now_ms`, performs what it is told, and feeds
//! answers back with [`Session::receive`]. The session never sends, sleeps or reads a clock.
//!
//! | state of the token | `poll` answers |
//! |---|---|
//! | none yet, or unusable (expired, idle too long, rejected) | [`Poll::Send`] an auth request, or [`Poll::Wait`] if one is already pending |
//! | usable, inside the *should refresh* window | [`Poll::Renew`]: headers now **and** a renewal to send in the background (unless one is pending) |
//! | usable | [`Poll::Ready`]: headers stamped with the token's generation |
//!
//! - **Two windows.** *Should refresh*: `refresh_margin_ms` before expiry (default
//!   `min(2 min, 10 % of the lifetime)`), the token is still served while a renewal runs.
//!   *Must refresh*: `must_refresh_ms` before expiry (default 5 s of transport headroom), the
//!   token is no longer served. Expiry is measured from when the answer was received; a JWT `exp`
//!   is read on the server's clock and moved onto the local one with the offset learnt from the
//!   `Date` header of auth answers, so a wrong local clock changes nothing.
//! - **Generations.** Every installed token (or rotated key) gets a new generation. A 401 on a
//!   call only invalidates the token if it carried the *current* generation
//!   ([`Session::unauthorized`]); a straggler 401 from an older token just retries.
//! - **Failures are never cached.** A failed auth changes nothing but what it must (a consumed
//!   refresh token is gone); the next `poll` starts over. A still-valid token is kept when a
//!   renewal's answer is malformed.
//! - **Single-use refresh tokens.** A DeFindex refresh token is taken out of the session when the
//!   refresh request is built: it is never sent twice. When the refresh is rejected the session
//!   falls back to logging in, if a password was given.

use super::error::{Error, ErrorKind, Result};
use super::headers::Headers;
use super::http::{BaseUrl, Request, Response};
use super::providers::kiiex::{self, AuthFields, AuthForm, KiiexSigner, MonotonicNonce};
use super::providers::{adjutor, defindex, deltadefi, depay, ProviderId};
use super::token::{Grant, Lifetime};
use super::Secret;

/// Default *must refresh* headroom: a token with less left is not served.
pub const DEFAULT_MUST_REFRESH_MS: u64 = 5_000;
/// Upper bound of the default *should refresh* window.
pub const DEFAULT_REFRESH_MARGIN_MS: u64 = 120_000;

/// What a credential is made of, per provider.
#[derive(Debug)]
pub enum Credentials {
    /// DeFindex: an `sk_…` API key, or a dashboard login (email and password) for JWTs.
    Defindex {
        /// A static API key (used as is when given).
        api_key: Option<Secret>,
        /// Dashboard login.
        email: Option<String>,
        /// Dashboard password.
        password: Option<Secret>,
    },
    /// DeltaDeFi: the API key (rotatable).
    Deltadefi {
        /// The current key.
        api_key: Secret,
    },
    /// Adjutor: the app key.
    Adjutor {
        /// The key.
        api_key: Secret,
    },
    /// DePay: the API key exchanged for access tokens.
    Depay {
        /// The key.
        api_key: Secret,
    },
    /// Kiiex: key, secret (as a keyed signer) and user id.
    Kiiex {
        /// `APIKey`.
        api_key: Secret,
        /// Keyed with the API secret.
        signer: KiiexSigner,
        /// `UserId`.
        user_id: String,
        /// How `AuthenticateUser` is sent.
        form: AuthForm,
    },
}

impl Credentials {
    /// The provider these credentials are for.
    pub const fn provider(&self) -> ProviderId {
        match self {
            Self::Defindex { .. } => ProviderId::Defindex,
            Self::Deltadefi { .. } => ProviderId::Deltadefi,
            Self::Adjutor { .. } => ProviderId::Adjutor,
            Self::Depay { .. } => ProviderId::Depay,
            Self::Kiiex { .. } => ProviderId::Kiiex,
        }
    }

    /// Whether calls use a token obtained by an auth exchange (as opposed to a static key).
    fn uses_tokens(&self) -> bool {
        match self {
            Self::Defindex { api_key, .. } => api_key.is_none(),
            Self::Deltadefi { .. } | Self::Adjutor { .. } => false,
            Self::Depay { .. } | Self::Kiiex { .. } => true,
        }
    }
}

/// Timing options. `None` means the documented default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timing {
    /// *Should refresh* window before expiry.
    pub refresh_margin_ms: Option<u64>,
    /// *Must refresh* headroom before expiry.
    pub must_refresh_ms: Option<u64>,
    /// Kiiex: the longest a session may sit idle (default 55 min).
    pub max_idle_ms: Option<u64>,
}

/// Which auth exchange a request is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthKind {
    /// DeFindex `/login`.
    Login,
    /// DeFindex `/refresh`.
    Refresh,
    /// DePay `/auth/token`.
    Token,
    /// Kiiex `AuthenticateUser`.
    Authenticate,
    /// DeltaDeFi `/accounts/new-api-key`.
    Rotate,
}

/// An auth request to send, and what kind it is (to pass back to [`Session::receive`]).
#[derive(Debug)]
pub struct AuthRequest {
    /// The request.
    pub request: Request,
    /// Its kind.
    pub kind: AuthKind,
}

/// Headers for a call, stamped with the generation of the credential they carry.
#[derive(Debug)]
pub struct Stamped {
    /// The headers.
    pub headers: Headers,
    /// The generation (pass it to [`Session::unauthorized`] when the call gets a 401).
    pub generation: u64,
}

/// What the host should do now.
#[derive(Debug)]
pub enum Poll {
    /// Use these headers.
    Ready(Stamped),
    /// Use these headers, and send this renewal in the background.
    Renew(Stamped, AuthRequest),
    /// Send this auth request and wait for it before any call.
    Send(AuthRequest),
    /// An auth request is pending and no usable token exists: wait for it, then poll again.
    Wait,
}

/// What an auth answer did.
#[derive(Debug)]
pub enum Received {
    /// A new token is installed.
    Installed,
    /// The renewal failed in a way that has a fallback (DeFindex: refresh rejected, log in):
    /// poll again.
    Retry,
    /// DeltaDeFi: the key was rotated; hand the new key to the application to persist.
    Rotated(Secret),
}

#[derive(Debug)]
struct Token {
    access: Secret,
    /// Local-clock instant after which the token must not be used (None: no time limit).
    expires_at_ms: Option<u64>,
    /// Local-clock instant the answer was received.
    received_at_ms: u64,
    max_idle_ms: Option<u64>,
    last_used_ms: u64,
}

/// The lifecycle of one credential. See the module docs.
#[derive(Debug)]
pub struct Session {
    base: BaseUrl,
    creds: Credentials,
    timing: Timing,
    token: Option<Token>,
    refresh_token: Option<Secret>,
    generation: u64,
    /// Server clock minus local clock, learnt from `Date` headers of auth answers.
    clock_offset_ms: i64,
    nonces: MonotonicNonce,
}

impl Session {
    /// A session for `creds` against `base`. Checks that the credentials are complete.
    pub fn new(base: BaseUrl, creds: Credentials, timing: Timing) -> Result<Self> {
        let provider = creds.provider();
        if let Credentials::Defindex { api_key: None, email, password } = &creds {
            if email.is_none() || password.is_none() {
                return Err(Error::new(ErrorKind::MissingCredential, "give apiKey, or email and password").with_provider(provider));
            }
        }
        let session = Self { base, creds, timing, token: None, refresh_token: None, generation: 1, clock_offset_ms: 0, nonces: MonotonicNonce::default() };
        // Static keys are checked now, so a bad key fails at construction, not at first use.
        if !session.creds.uses_tokens() {
            session.static_headers()?;
        }
        Ok(session)
    }

    /// The provider.
    pub const fn provider(&self) -> ProviderId {
        self.creds.provider()
    }

    /// The configured base URL.
    pub const fn base_url(&self) -> &BaseUrl {
        &self.base
    }

    /// The generation of the current token or key.
    pub const fn generation(&self) -> u64 {
        self.generation
    }

    /// The learnt server clock offset (server minus local), in ms.
    pub const fn clock_offset_ms(&self) -> i64 {
        self.clock_offset_ms
    }

    /// What to do at `now_ms`. `auth_pending` tells whether the host already has an auth request
    /// of this session in flight (then no second one is built).
    pub fn poll(&mut self, now_ms: u64, auth_pending: bool) -> Result<Poll> {
        if !self.creds.uses_tokens() {
            return Ok(Poll::Ready(Stamped { headers: self.static_headers()?, generation: self.generation }));
        }
        let (usable, renew) = match &self.token {
            None => (false, false),
            Some(t) => self.freshness(t, now_ms),
        };
        if !usable {
            return Ok(if auth_pending { Poll::Wait } else { Poll::Send(self.auth_request(now_ms)?) });
        }
        let stamped = self.token_headers(now_ms)?;
        if renew && !auth_pending {
            return Ok(Poll::Renew(stamped, self.auth_request(now_ms)?));
        }
        Ok(Poll::Ready(stamped))
    }

    /// (usable, should renew) for `t` at `now_ms`.
    fn freshness(&self, t: &Token, now_ms: u64) -> (bool, bool) {
        if let Some(idle) = t.max_idle_ms {
            if now_ms >= t.last_used_ms.saturating_add(idle) {
                return (false, false);
            }
        }
        let Some(expires_at) = t.expires_at_ms else { return (true, false) };
        let lifetime = expires_at.saturating_sub(t.received_at_ms);
        let margin = self.timing.refresh_margin_ms.unwrap_or((lifetime / 10).min(DEFAULT_REFRESH_MARGIN_MS));
        let must = self.timing.must_refresh_ms.unwrap_or(DEFAULT_MUST_REFRESH_MS);
        let left = expires_at.saturating_sub(now_ms);
        (left > must, left <= margin.max(must))
    }

    fn token_headers(&mut self, now_ms: u64) -> Result<Stamped> {
        let provider = self.provider();
        let Some(token) = self.token.as_mut() else {
            return Err(Error::new(ErrorKind::TokenExpired, "no token").with_provider(provider));
        };
        token.last_used_ms = now_ms;
        let access = token.access.expose();
        let headers = match &self.creds {
            Credentials::Kiiex { .. } => kiiex::session_headers(access),
            Credentials::Depay { .. } => depay::headers(access),
            _ => defindex::headers(access),
        }
        .map_err(|e| e.with_provider(provider))?;
        Ok(Stamped { headers, generation: self.generation })
    }

    fn static_headers(&self) -> Result<Headers> {
        match &self.creds {
            Credentials::Defindex { api_key: Some(key), .. } => defindex::headers(key.expose()),
            Credentials::Deltadefi { api_key } => deltadefi::headers(api_key.expose()),
            Credentials::Adjutor { api_key } => adjutor::headers(api_key.expose()),
            _ => Err(Error::new(ErrorKind::Unsupported, "this credential needs an auth exchange")),
        }
        .map_err(|e| e.with_provider(self.provider()))
    }

    /// The request that (re)authenticates now.
    fn auth_request(&mut self, now_ms: u64) -> Result<AuthRequest> {
        let provider = self.provider();
        let (request, kind) = match &self.creds {
            Credentials::Depay { api_key } => (depay::token_request(&self.base, api_key.expose())?, AuthKind::Token),
            Credentials::Kiiex { api_key, signer, user_id, form } => {
                let nonce = self.nonces.next(now_ms).to_string();
                let fields = AuthFields::new(signer, api_key.expose(), user_id, &nonce)?;
                (kiiex::authenticate_request(&self.base, &fields, *form)?, AuthKind::Authenticate)
            }
            Credentials::Defindex { email, password, .. } => match (self.refresh_token.take(), email, password) {
                (Some(refresh), _, _) => (defindex::refresh_request(&self.base, &refresh)?, AuthKind::Refresh),
                (None, Some(email), Some(password)) => (defindex::login_request(&self.base, email, password)?, AuthKind::Login),
                _ => return Err(Error::new(ErrorKind::RefreshFailed, "the session ended and no password was given to log in again").with_provider(provider)),
            },
            Credentials::Deltadefi { .. } | Credentials::Adjutor { .. } => {
                return Err(Error::new(ErrorKind::Unsupported, "this provider has no token exchange").with_provider(provider))
            }
        };
        Ok(AuthRequest { request, kind })
    }

    /// DeltaDeFi: the request that rotates the key (`GET /accounts/new-api-key`).
    pub fn rotate_request(&self) -> Result<AuthRequest> {
        match &self.creds {
            Credentials::Deltadefi { api_key } => Ok(AuthRequest { request: deltadefi::rotate_request(&self.base, api_key.expose())?, kind: AuthKind::Rotate }),
            _ => Err(Error::new(ErrorKind::Unsupported, "only deltadefi keys can be rotated").with_provider(self.provider())),
        }
    }

    /// Reads the answer to an auth request of `kind`, received at `now_ms`.
    ///
    /// On success the new token (or key) is installed under a new generation. On failure the
    /// error is returned and nothing is cached: a still-valid token is kept, except that a
    /// rejected DeFindex refresh answers [`Received::Retry`] when a login is possible.
    pub fn receive(&mut self, kind: AuthKind, resp: &Response<'_>, now_ms: u64) -> Result<Received> {
        if let Some(server_ms) = resp.date.and_then(parse_http_date_ms) {
            self.clock_offset_ms = i64::try_from(server_ms).unwrap_or(i64::MAX).saturating_sub(i64::try_from(now_ms).unwrap_or(i64::MAX));
        }
        let grant = match kind {
            AuthKind::Token => depay::parse_token(resp),
            AuthKind::Authenticate => kiiex::parse_authenticate(resp).map(|access_token| Grant {
                access_token,
                refresh_token: None,
                lifetime: Lifetime::MaxIdleMs(self.timing.max_idle_ms.unwrap_or(kiiex::DEFAULT_MAX_IDLE_MS)),
            }),
            AuthKind::Login | AuthKind::Refresh => match defindex::parse_tokens(resp) {
                Err(e) if kind == AuthKind::Refresh && e.kind() == ErrorKind::AuthRejected => {
                    self.token = None;
                    return match &self.creds {
                        Credentials::Defindex { password: Some(_), .. } => Ok(Received::Retry),
                        _ => Err(Error::new(ErrorKind::RefreshFailed, "the refresh token was rejected and no password was given to log in again")
                            .with_provider(ProviderId::Defindex)
                            .with_status(resp.status)),
                    };
                }
                other => other,
            },
            AuthKind::Rotate => {
                let rotated = deltadefi::parse_rotate(resp)?;
                if let Credentials::Deltadefi { api_key } = &mut self.creds {
                    *api_key = rotated.api_key.clone();
                    self.generation += 1;
                    return Ok(Received::Rotated(rotated.api_key));
                }
                return Err(Error::new(ErrorKind::Unsupported, "only deltadefi keys can be rotated").with_provider(self.provider()));
            }
        }?;
        self.install(grant, now_ms);
        Ok(Received::Installed)
    }

    fn install(&mut self, grant: Grant, now_ms: u64) {
        let (expires_at_ms, max_idle_ms) = match grant.lifetime {
            Lifetime::ExpiresInMs(ms) => (Some(now_ms.saturating_add(ms)), None),
            Lifetime::ExpiresAtServerMs(at) => (Some(u64::try_from(i64::try_from(at).unwrap_or(i64::MAX).saturating_sub(self.clock_offset_ms)).unwrap_or(0)), None),
            Lifetime::MaxIdleMs(ms) => (None, Some(ms)),
            Lifetime::Unlimited => (None, None),
        };
        if grant.refresh_token.is_some() && matches!(self.creds, Credentials::Defindex { .. }) {
            self.refresh_token = grant.refresh_token;
        }
        self.token = Some(Token { access: grant.access_token, expires_at_ms, received_at_ms: now_ms, max_idle_ms, last_used_ms: now_ms });
        self.generation += 1;
    }

    /// A call made with headers of `generation` was answered 401.
    ///
    /// - From an older generation (a straggler): `Ok(())`, retry with the current token.
    /// - From the current one, where the token can be renewed: the token is dropped and
    ///   `Ok(())`: poll again (it will re-authenticate) and retry once.
    /// - From the current one with a static key (Adjutor, DeltaDeFi, a DeFindex key): the key
    ///   was revoked or reset: `auth_rejected`.
    pub fn unauthorized(&mut self, generation: u64) -> Result<()> {
        if generation != self.generation {
            return Ok(());
        }
        if self.creds.uses_tokens() {
            self.token = None;
            return Ok(());
        }
        Err(Error::new(ErrorKind::AuthRejected, "the key was rejected (revoked, reset or rotated elsewhere): replace it")
            .with_provider(self.provider())
            .with_status(401))
    }
}

/// An HTTP `Date` value (IMF-fixdate and the obsolete forms) in ms since the epoch.
pub fn parse_http_date_ms(date: &str) -> Option<u64> {
    let at = httpdate::parse_http_date(date).ok()?;
    let since = at.duration_since(std::time::UNIX_EPOCH).ok()?;
    u64::try_from(since.as_millis()).ok()
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
