//! Adjutor (Lendsqr): `Authorization: Bearer <api_key>`. No token exchange and no refresh: a 401
//! means the key was reset in the dashboard (the old key is revoked at once).

use super::{bearer, ProviderId};
use crate::core::error::Result;
use crate::core::headers::Headers;

// --- constants ---------------------------------------------------------------------------------

/// The base URL (test and live mode share it; the mode is set per app in the dashboard).
pub const BASE_URL: &str = "https://adjutor.lendsqr.com/v2";

/// The provider.
pub const PROVIDER: ProviderId = ProviderId::Adjutor;

// --- headers of authenticated calls ------------------------------------------------------------

/// `Authorization: Bearer <api_key>`.
pub fn headers(api_key: &str) -> Result<Headers> {
    let mut h = Headers::new();
    h.push_sensitive("Authorization", "apiKey", bearer("apiKey", api_key)?)?;
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_header() {
        assert_eq!(headers("adj_key").unwrap_or_default().get("authorization"), Some("Bearer adj_key"));
        assert_eq!(headers("adj_key ").map_err(|e| e.code()), Err("invalid_header_value"));
        assert_eq!(headers("").map_err(|e| e.code()), Err("missing_credential"));
    }
}
