//! Tokens received from providers, and how long they live.

use super::Secret;

/// How long a token lives, as the provider told it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lifetime {
    /// Valid for this many milliseconds after the answer was received (DePay `expiresIn`).
    ExpiresInMs(u64),
    /// Valid until this instant, in milliseconds since the epoch on the *server's* clock (a JWT
    /// `exp`).
    ExpiresAtServerMs(u64),
    /// Valid until it has been idle this long (Kiiex sessions).
    MaxIdleMs(u64),
    /// Never expires by time (API keys); only a 401 ends it.
    Unlimited,
}

/// What a successful auth answer grants.
#[derive(Clone, Debug)]
pub struct Grant {
    /// The token sent on calls.
    pub access_token: Secret,
    /// The token that renews it, when the provider issues one that keystamp uses.
    pub refresh_token: Option<Secret>,
    /// How long `access_token` lives.
    pub lifetime: Lifetime,
}
