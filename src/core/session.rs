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
//! - **Two windows, scaled to the lifetime.** *Should refresh*: `refresh_margin_ms` before expiry
//!   (default `min(2 min, 10 % of the lifetime)`; a configured margin is capped at half the
//!   lifetime), the token is still served while a renewal runs. *Must refresh*:
//!   `must_refresh_ms` before expiry (default `min(5 s, 25 % of the lifetime)`; a configured value
//!   is capped at half the lifetime), the token is no longer served. So a fresh token is always
//!   usable, however short its life (a 2 s token is served for 1.5 s). Expiry is measured from
//!   when the answer was received; a JWT `exp` is read on the server's clock and moved onto the
//!   local one with the offset learnt from the `Date` header of auth answers, so a wrong local
//!   clock changes nothing.
//! - **Back-off.** A 429 or 503 answer to an auth request starts a cool-down: `Retry-After`
//!   (seconds or an HTTP date) capped at [`MAX_BACKOFF_MS`], or else a jittered exponential
//!   back-off (1 s, 2 s, 4 s, ... up to the cap; the host supplies the randomness with
//!   [`Session::set_jitter`]). During it `poll` builds no auth request: it serves a still-usable
//!   token, or fails fast with `rate_limited` and `retry_after_ms`. A token that is already
//!   unusable when it arrives (its expiry is in the past) is refused with `token_expired` and
//!   backs off the same way, so a broken clock or server cannot make a burst of auth requests.
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

/// Default *must refresh* headroom: a token with less left is not served (at most a quarter of
/// the token's lifetime).
pub const DEFAULT_MUST_REFRESH_MS: u64 = 5_000;
/// The longest cool-down after a 429/503, whatever `Retry-After` says.
pub const MAX_BACKOFF_MS: u64 = 60_000;
/// The first step of the exponential back-off when no `Retry-After` is given.
pub const FIRST_BACKOFF_MS: u64 = 1_000;
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
    /// Adjutor: the app key, and for Core Services a team member's login (email and password)
    /// for the `x-access-token`.
    Adjutor {
        /// The key.
        api_key: Secret,
        /// Core Services login (both or neither).
        email: Option<String>,
        /// Core Services password.
        password: Option<Secret>,
    },
    /// DePay: the API key exchanged for access tokens.
    Depay {
        /// The key.
        api_key: Secret,
        /// The token path (default `/auth/token`; `/v2/auth/token` for the payments docs).
        token_path: Option<String>,
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
            Self::Adjutor { email, password, .. } => email.is_some() || password.is_some(),
            Self::Deltadefi { .. } => false,
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
    /// Kiiex `Authenticate2FA` (the second factor after `AuthenticateUser`).
    SecondFactor,
    /// Kiiex `LogOut`.
    Logout,
}

impl AuthKind {
    const ALL: [AuthKind; 7] = [Self::Login, Self::Refresh, Self::Token, Self::Authenticate, Self::Rotate, Self::SecondFactor, Self::Logout];

    /// The name the host passes back: `"login"`, `"refresh"`, `"token"`, `"authenticate"`,
    /// `"rotate"`, `"second-factor"`, `"logout"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::Refresh => "refresh",
            Self::Token => "token",
            Self::Authenticate => "authenticate",
            Self::Rotate => "rotate",
            Self::SecondFactor => "second-factor",
            Self::Logout => "logout",
        }
    }

    /// Whether what this exchange installs is a token a fleet may share through a store (a
    /// key rotation and a logout are not: they change or end the credential itself).
    pub const fn shares_token(self) -> bool {
        !matches!(self, Self::Rotate | Self::Logout)
    }

    /// The kind named `name`.
    pub fn from_name(name: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name).ok_or(Error::new(ErrorKind::InvalidArgument, "is not an auth request kind").with_field("kind"))
    }
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
    /// DeltaDeFi: the key was rotated; hand the new key (and its `created_at`, when the answer
    /// had one) to the application to persist.
    Rotated(Secret, Option<String>),
    /// Kiiex: the account needs a second factor; build it with [`Session::second_factor_request`]
    /// (the same exchange goes on).
    NeedsCode,
    /// Kiiex: the session was ended (`LogOut`).
    LoggedOut,
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
    /// No auth request is built before this local instant (0: none).
    cooldown_until_ms: u64,
    /// Consecutive answers that asked to back off (429/503, or an unusable token).
    backoffs: u32,
    /// The host's random value for the next back-off's jitter.
    jitter: u32,
    /// Kiiex: the second factor asked for by the last `AuthenticateUser` answer (its pending
    /// token, if any). Used at most once.
    challenge: Option<Option<Secret>>,
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
        let session = Self {
            base,
            creds,
            timing,
            token: None,
            refresh_token: None,
            generation: 1,
            clock_offset_ms: 0,
            nonces: MonotonicNonce::default(),
            cooldown_until_ms: 0,
            backoffs: 0,
            jitter: 0,
            challenge: None,
        };
        // Every credential is checked now, so a bad one fails at construction, not at first use.
        session.check_credentials().map_err(|e| e.with_provider(provider))?;
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

    /// Checks every credential as it will be sent, without building a request.
    fn check_credentials(&self) -> Result<()> {
        match &self.creds {
            Credentials::Depay { api_key, token_path } => {
                token_path.as_deref().map_or(Ok(()), depay::check_token_path)?;
                depay::api_key_headers(api_key.expose()).map(drop)
            }
            Credentials::Adjutor { api_key, email: Some(email), password: Some(password) } => adjutor::login_request(&self.base, api_key.expose(), email, password).map(drop),
            Credentials::Adjutor { email: Some(_), .. } | Credentials::Adjutor { password: Some(_), .. } => {
                Err(Error::new(ErrorKind::MissingCredential, "give email and password together (Core Services login)"))
            }
            Credentials::Defindex { api_key: None, email: Some(email), password: Some(password) } => defindex::check_login(email, password),
            Credentials::Kiiex { .. } => Ok(()),
            _ => self.static_headers().map(drop),
        }
    }

    /// What to do at `now_ms`. `auth_pending` tells whether the host already has an auth request
    /// of this session in flight (then no second one is built).
    ///
    /// Fails with `rate_limited` (and `retry_after_ms`) while a back-off runs and no usable
    /// token exists.
    pub fn poll(&mut self, now_ms: u64, auth_pending: bool) -> Result<Poll> {
        if !self.creds.uses_tokens() {
            return Ok(Poll::Ready(Stamped { headers: self.static_headers()?, generation: self.generation }));
        }
        let (usable, renew) = self.token.as_ref().map_or((false, false), |t| self.freshness(t, now_ms));
        let cooling = now_ms < self.cooldown_until_ms;
        if !usable {
            if auth_pending {
                return Ok(Poll::Wait);
            }
            if cooling {
                return Err(Error::new(ErrorKind::RateLimited, "backing off: the provider asked to slow down")
                    .with_provider(self.provider())
                    .with_retry_after_ms(self.cooldown_until_ms - now_ms));
            }
            return Ok(Poll::Send(self.auth_request(now_ms)?));
        }
        let stamped = self.token_headers(now_ms)?;
        if renew && !auth_pending && !cooling {
            return Ok(Poll::Renew(stamped, self.auth_request(now_ms)?));
        }
        Ok(Poll::Ready(stamped))
    }

    /// The cheap path of [`poll`](Self::poll) for a host that caches the headers of a
    /// generation: `Some(generation)` when `poll` would answer [`Poll::Ready`] with the headers
    /// of that generation (the token's use is recorded, as `poll` does), `None` otherwise (call
    /// `poll`).
    pub fn ready_generation(&mut self, now_ms: u64) -> Option<u64> {
        if !self.creds.uses_tokens() {
            return Some(self.generation);
        }
        let (usable, renew) = self.token.as_ref().map(|t| self.freshness(t, now_ms))?;
        let token = self.token.as_mut().filter(|_| usable && !renew)?;
        token.last_used_ms = now_ms;
        Some(self.generation)
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
        let margin = self.timing.refresh_margin_ms.map_or((lifetime / 10).min(DEFAULT_REFRESH_MARGIN_MS), |m| m.min(lifetime / 2));
        let must = self.timing.must_refresh_ms.map_or((lifetime / 4).min(DEFAULT_MUST_REFRESH_MS), |m| m.min(lifetime / 2));
        let left = expires_at.saturating_sub(now_ms);
        (left > must, left <= margin.max(must))
    }

    /// The host's random value for the jitter of the next back-off (any `u32`).
    pub fn set_jitter(&mut self, random: u32) {
        self.jitter = random;
    }

    /// Starts a cool-down of `delay_ms`, or of the next exponential step when `None`. Returns its
    /// length.
    fn back_off(&mut self, delay_ms: Option<u64>, now_ms: u64) -> u64 {
        self.backoffs = self.backoffs.saturating_add(1);
        let delay = delay_ms.unwrap_or_else(|| {
            let step = FIRST_BACKOFF_MS.saturating_mul(1 << self.backoffs.saturating_sub(1).min(16)).min(MAX_BACKOFF_MS);
            // "Equal jitter": half the step, plus a random part of the other half.
            step / 2 + u64::from(self.jitter) % (step / 2 + 1)
        });
        let delay = delay.min(MAX_BACKOFF_MS);
        self.cooldown_until_ms = now_ms.saturating_add(delay);
        delay
    }

    /// The delay a `Retry-After` value asks for, in ms: seconds, or an HTTP date read on the
    /// server's clock (its `Date` header when present, else the learnt offset).
    fn retry_after_ms(&self, resp: &Response<'_>, now_ms: u64) -> Option<u64> {
        let value = resp.retry_after?.trim();
        if !value.is_empty() && value.len() <= 10 && value.bytes().all(|b| b.is_ascii_digit()) {
            return value.parse::<u64>().ok().map(|s| s.saturating_mul(1000));
        }
        let at = parse_http_date_ms(value)?;
        let server_now = resp.date.and_then(parse_http_date_ms).unwrap_or_else(|| now_ms.saturating_add_signed(self.clock_offset_ms));
        Some(at.saturating_sub(server_now))
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
            Credentials::Adjutor { api_key, .. } => adjutor::headers_with_access_token(api_key.expose(), access),
            _ => defindex::headers(access),
        }
        .map_err(|e| e.with_provider(provider))?;
        Ok(Stamped { headers, generation: self.generation })
    }

    fn static_headers(&self) -> Result<Headers> {
        match &self.creds {
            Credentials::Defindex { api_key: Some(key), .. } => defindex::headers(key.expose()),
            Credentials::Deltadefi { api_key } => deltadefi::headers(api_key.expose()),
            Credentials::Adjutor { api_key, .. } => adjutor::headers(api_key.expose()),
            _ => Err(Error::new(ErrorKind::Unsupported, "this credential needs an auth exchange")),
        }
        .map_err(|e| e.with_provider(self.provider()))
    }

    /// The request that (re)authenticates now.
    fn auth_request(&mut self, now_ms: u64) -> Result<AuthRequest> {
        let provider = self.provider();
        let (request, kind) = match &self.creds {
            Credentials::Depay { api_key, token_path } => {
                (depay::token_request_at(&self.base, token_path.as_deref().unwrap_or(depay::DEFAULT_TOKEN_PATH), api_key.expose())?, AuthKind::Token)
            }
            Credentials::Adjutor { api_key, email: Some(email), password: Some(password) } => (adjutor::login_request(&self.base, api_key.expose(), email, password)?, AuthKind::Login),
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
                return Err(Error::new(ErrorKind::Unsupported, "this credential has no token exchange").with_provider(provider))
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
    ///
    /// An answer that means `rate_limited` or `provider_unavailable` (429, 503, DeltaDeFi's
    /// 4290/5001/5002 codes) starts a back-off (see the module docs) and its error carries
    /// `retry_after_ms`; any success ends it.
    pub fn receive(&mut self, kind: AuthKind, resp: &Response<'_>, now_ms: u64) -> Result<Received> {
        if let Some(server_ms) = resp.date.and_then(parse_http_date_ms) {
            self.clock_offset_ms = i64::try_from(server_ms).unwrap_or(i64::MAX).saturating_sub(i64::try_from(now_ms).unwrap_or(i64::MAX));
        }
        match self.read_answer(kind, resp, now_ms) {
            Ok(received) => {
                self.backoffs = 0;
                self.cooldown_until_ms = 0;
                Ok(received)
            }
            Err(e) if matches!(e.kind(), ErrorKind::RateLimited | ErrorKind::ProviderUnavailable) => {
                let delay = self.retry_after_ms(resp, now_ms);
                let delay = self.back_off(delay, now_ms);
                Err(e.with_retry_after_ms(delay))
            }
            Err(e) => Err(e),
        }
    }

    fn read_answer(&mut self, kind: AuthKind, resp: &Response<'_>, now_ms: u64) -> Result<Received> {
        let grant = match kind {
            AuthKind::Token => depay::parse_token(resp),
            AuthKind::Authenticate => match kiiex::parse_authenticate_outcome(resp)? {
                kiiex::AuthenticateOutcome::Session(token) => Ok(self.kiiex_grant(token)),
                kiiex::AuthenticateOutcome::TwoFactorRequired(challenge) => {
                    self.challenge = Some(challenge.pending_token);
                    return Ok(Received::NeedsCode);
                }
            },
            AuthKind::SecondFactor => kiiex::parse_authenticate_2fa(resp).map(|token| self.kiiex_grant(token)),
            AuthKind::Logout => return kiiex::parse_logout(resp).map(|()| Received::LoggedOut),
            AuthKind::Login if matches!(self.creds, Credentials::Adjutor { .. }) => adjutor::parse_login(resp),
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
                    return Ok(Received::Rotated(rotated.api_key, rotated.created_at));
                }
                return Err(Error::new(ErrorKind::Unsupported, "only deltadefi keys can be rotated").with_provider(self.provider()));
            }
        }?;
        self.install(grant, now_ms);
        let usable = self.token.as_ref().is_some_and(|t| self.freshness(t, now_ms).0);
        if !usable {
            self.token = None;
            let delay = self.back_off(None, now_ms);
            return Err(Error::new(ErrorKind::TokenExpired, "the provider issued a token that had already expired (check the clocks)")
                .with_provider(self.provider())
                .with_status(resp.status)
                .with_retry_after_ms(delay));
        }
        Ok(Received::Installed)
    }

    fn kiiex_grant(&self, access_token: Secret) -> Grant {
        Grant { access_token, refresh_token: None, lifetime: Lifetime::MaxIdleMs(self.timing.max_idle_ms.unwrap_or(kiiex::DEFAULT_MAX_IDLE_MS)) }
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

#[path = "session_ops.rs"]
pub mod ops;

#[path = "session_fleet.rs"]
pub mod fleet;

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
