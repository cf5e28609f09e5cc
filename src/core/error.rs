//! One error type for the whole crate.
//!
//! Every failure carries a [`ErrorKind`] whose [`code`](ErrorKind::code) is a stable string
//! (documented in the README and relied on by JS callers), the provider it concerns, the HTTP
//! status when a provider answered, and the name of the offending field when an input was bad.
//!
//! **Messages never contain a value.** They are built only from the kind, the field *name*, the
//! provider and the status, so no key, secret, token or signature can leak through `Display`,
//! `Debug`, logs or a JS `Error.message`.

use core::fmt;

use super::providers::ProviderId;

/// What went wrong. Each kind has a stable [`code`](ErrorKind::code).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A header name is not an HTTP token.
    InvalidHeaderName,
    /// A value that travels in a header (key, token, user id, nonce) is empty, padded with
    /// whitespace, or contains a control or non-ASCII character.
    InvalidHeaderValue,
    /// A secret that is never sent (the Kiiex API secret) is empty, padded, or contains a control
    /// character.
    InvalidSecret,
    /// A required credential or field was not given.
    MissingCredential,
    /// An argument has the wrong type or an unusable value (e.g. `NaN`, a negative user id).
    InvalidArgument,
    /// The provider name is not one of the five supported providers.
    UnknownProvider,
    /// An input is larger than keystamp accepts.
    InputTooLarge,
    /// The provider rejected the credentials (401/403 on an auth request, or a call still
    /// rejected after the one allowed re-authentication).
    AuthRejected,
    /// The provider's answer is not the documented shape.
    MalformedResponse,
    /// The token has expired and cannot be renewed without a new authentication.
    TokenExpired,
    /// Renewing a token failed and no other way to authenticate is configured.
    RefreshFailed,
    /// The provider answered 429.
    RateLimited,
    /// The provider answered with an unexpected status (5xx and others).
    ProviderError,
    /// A request would carry credentials to an origin other than the configured one.
    OriginMismatch,
    /// The host's `fetch` failed (network error, abort).
    NetworkError,
    /// The operation is not available for this provider.
    Unsupported,
    /// A deadline passed (the client's `timeoutMs` for an auth exchange, or a call's own).
    Timeout,
    /// The caller's `AbortSignal` fired.
    Aborted,
    /// The object was used after `free()`.
    Freed,
    /// Kiiex: the account needs a second factor and no code source (`onTwoFactor`) was given.
    TwoFactorRequired,
    /// The provider says its service is temporarily unavailable (DeltaDeFi 5001, trading locked 5002).
    ProviderUnavailable,
    /// The WebAssembly module was used before `init()` finished (browsers and bundlers).
    NotInitialized,
}

impl ErrorKind {
    /// The stable machine-readable code, e.g. `"invalid_header_value"`.
    pub const fn code(self) -> &'static str {
        match self {
            Self::InvalidHeaderName => "invalid_header_name",
            Self::InvalidHeaderValue => "invalid_header_value",
            Self::InvalidSecret => "invalid_secret",
            Self::MissingCredential => "missing_credential",
            Self::InvalidArgument => "invalid_argument",
            Self::UnknownProvider => "unknown_provider",
            Self::InputTooLarge => "input_too_large",
            Self::AuthRejected => "auth_rejected",
            Self::MalformedResponse => "malformed_response",
            Self::TokenExpired => "token_expired",
            Self::RefreshFailed => "refresh_failed",
            Self::RateLimited => "rate_limited",
            Self::ProviderError => "provider_error",
            Self::OriginMismatch => "origin_mismatch",
            Self::NetworkError => "network_error",
            Self::Unsupported => "unsupported",
            Self::Timeout => "timeout",
            Self::Aborted => "aborted",
            Self::Freed => "freed",
            Self::TwoFactorRequired => "two_factor_required",
            Self::ProviderUnavailable => "provider_unavailable",
            Self::NotInitialized => "not_initialized",
        }
    }

    /// Every kind, for documentation and exhaustive tests.
    pub const ALL: [ErrorKind; 22] = [
        Self::InvalidHeaderName,
        Self::InvalidHeaderValue,
        Self::InvalidSecret,
        Self::MissingCredential,
        Self::InvalidArgument,
        Self::UnknownProvider,
        Self::InputTooLarge,
        Self::AuthRejected,
        Self::MalformedResponse,
        Self::TokenExpired,
        Self::RefreshFailed,
        Self::RateLimited,
        Self::ProviderError,
        Self::OriginMismatch,
        Self::NetworkError,
        Self::Unsupported,
        Self::Timeout,
        Self::Aborted,
        Self::Freed,
        Self::TwoFactorRequired,
        Self::ProviderUnavailable,
        Self::NotInitialized,
    ];
}

/// A keystamp error: a kind plus safe context. See the module docs for the no-secret rule.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    provider: Option<ProviderId>,
    status: Option<u16>,
    field: Option<&'static str>,
    reason: &'static str,
    retry_after_ms: Option<u64>,
    provider_code: Option<i64>,
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

impl Error {
    /// A new error of `kind` whose message is `reason` (a static text: it can hold no value).
    pub const fn new(kind: ErrorKind, reason: &'static str) -> Self {
        Self { kind, provider: None, status: None, field: None, reason, retry_after_ms: None, provider_code: None }
    }

    /// Names the input field the error is about (its name, never its value).
    #[must_use]
    pub const fn with_field(mut self, field: &'static str) -> Self {
        self.field = Some(field);
        self
    }

    /// Names the provider the error concerns.
    #[must_use]
    pub const fn with_provider(mut self, provider: ProviderId) -> Self {
        self.provider = Some(provider);
        self
    }

    /// Records the HTTP status the provider answered with.
    #[must_use]
    pub const fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// How long to wait before trying again (a rate limit's `Retry-After` or back-off), in ms.
    #[must_use]
    pub const fn with_retry_after_ms(mut self, ms: u64) -> Self {
        self.retry_after_ms = Some(ms);
        self
    }

    /// Records the provider's own error code (e.g. DeltaDeFi `4290`).
    #[must_use]
    pub const fn with_provider_code(mut self, code: i64) -> Self {
        self.provider_code = Some(code);
        self
    }

    /// How long to wait before trying again, in ms, when the provider or the back-off says so.
    pub const fn retry_after_ms(&self) -> Option<u64> {
        self.retry_after_ms
    }

    /// The provider's own error code, when its answer carried one.
    pub const fn provider_code(&self) -> Option<i64> {
        self.provider_code
    }

    /// What went wrong.
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stable code of [`kind`](Self::kind).
    pub const fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The provider concerned, if any.
    pub const fn provider(&self) -> Option<ProviderId> {
        self.provider
    }

    /// The HTTP status, when a provider answered.
    pub const fn status(&self) -> Option<u16> {
        self.status
    }

    /// The name of the offending input field, if any.
    pub const fn field(&self) -> Option<&'static str> {
        self.field
    }

    /// The static explanation, without the field/provider/status prefix.
    pub const fn reason(&self) -> &'static str {
        self.reason
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(provider) = self.provider {
            write!(f, "{}: ", provider.as_str())?;
        }
        if let Some(field) = self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(self.reason)?;
        if let Some(status) = self.status {
            write!(f, " (HTTP {status})")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("code", &self.code())
            .field("provider", &self.provider)
            .field("status", &self.status)
            .field("field", &self.field)
            .field("reason", &self.reason)
            .field("retry_after_ms", &self.retry_after_ms)
            .field("provider_code", &self.provider_code)
            .finish()
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for kind in ErrorKind::ALL {
            let code = kind.code();
            assert!(seen.insert(code), "duplicate code {code}");
            assert!(code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{code}");
        }
    }

    #[test]
    fn display_names_provider_field_and_status_only() {
        let e = Error::new(ErrorKind::AuthRejected, "the provider rejected the credentials")
            .with_provider(ProviderId::Depay)
            .with_field("apiKey")
            .with_status(403);
        assert_eq!(e.to_string(), "depay: apiKey: the provider rejected the credentials (HTTP 403)");
        assert_eq!(e.code(), "auth_rejected");
    }
}
