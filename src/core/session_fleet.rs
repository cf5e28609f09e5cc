//! A session's side of fleet sharing: what a sealed store record ([`crate::core::record`]) means
//! for this credential's token, in and out.
//!
//! - **Which credentials.** Only sessions that obtain tokens share them (DePay, Kiiex, a DeFindex
//!   login, an Adjutor Core Services login); static keys have nothing to share
//!   ([`Session::store_key`] is `None`). Kiiex sessions
//!   are bound to the client's IP, so they are shared only when the host says every process
//!   leaves through the same address.
//! - **Keys.** The record key and the store key come from the credential's secret parts and the
//!   base URL (a staging token is never served to production): DePay's API key; DeFindex's email
//!   and password; Adjutor's key, email and password; Kiiex's API key, user id and an HMAC of a fixed label under the API secret (the
//!   session keeps only the keyed HMAC, never the secret; the label is no valid nonce, so the
//!   value can sign no `AuthenticateUser`).
//! - **Ordering.** A fleet generation orders records: an exchange publishes the highest
//!   generation its host has seen plus one, the store keeps the highest (a fenced write), and a
//!   record is imported only when its generation is above the one the host saw last. The host
//!   keeps that number; this module decides everything else.
//! - **Clocks.** Instants travel on the server's clock (moved with the offset each process learnt
//!   from `Date` headers), so processes whose clocks differ agree on when a token expires.

use super::{Credentials, Session, Token};
use crate::core::error::Result;
use crate::core::jwt;
use crate::core::record::{self, KeyMaterial, RecordExpiry, TokenRecord, NONCE_LEN};

/// How long a store keeps a record whose token has no time limit (it is republished on renewal).
pub const KEEP_UNLIMITED_MS: u64 = 24 * 3_600_000;
/// The shortest time a store keeps a record.
const MIN_KEEP_MS: u64 = 1_000;
/// HMAC input for Kiiex key material: the leading NUL makes it an impossible nonce.
const KIIEX_KEY_LABEL: &str = "\u{0}keystamp fleet record key";

/// A sealed record to publish: `bytes`, fenced by `generation`, kept `ttl_ms` by the store.
#[derive(Debug)]
pub struct Exported {
    /// The sealed record.
    pub bytes: Vec<u8>,
    /// Its fleet generation (the fence of the store's write).
    pub generation: u64,
    /// How long the store should keep it: until its refresh token (or else its token) expires.
    pub ttl_ms: u64,
}

impl Session {
    /// The secret input of this credential's record keys; `None` for static keys.
    fn key_material(&self) -> Option<KeyMaterial> {
        let base = self.base.as_str().as_bytes();
        let provider = self.provider();
        match &self.creds {
            Credentials::Depay { api_key, .. } => Some(KeyMaterial::new(provider, &[api_key.expose().as_bytes(), base])),
            Credentials::Defindex { api_key: None, email: Some(email), password: Some(password) } => {
                Some(KeyMaterial::new(provider, &[email.as_bytes(), password.expose().as_bytes(), base]))
            }
            Credentials::Adjutor { api_key, email: Some(email), password: Some(password) } => {
                Some(KeyMaterial::new(provider, &[api_key.expose().as_bytes(), email.as_bytes(), password.expose().as_bytes(), base]))
            }
            Credentials::Kiiex { api_key, signer, user_id, .. } => {
                let mut keyed = zeroize::Zeroizing::new([0u8; 64]);
                signer.sign_hex_into(KIIEX_KEY_LABEL, user_id, api_key.expose(), &mut keyed);
                Some(KeyMaterial::new(provider, &[keyed.as_slice(), api_key.expose().as_bytes(), user_id.as_bytes(), base]))
            }
            _ => None,
        }
    }

    /// The name of this credential's record in a fleet store, or `None` when there is nothing to
    /// share: a static key, or a Kiiex session while `share_ip_bound_sessions` is false.
    pub fn store_key(&self, share_ip_bound_sessions: bool) -> Option<String> {
        if matches!(self.creds, Credentials::Kiiex { .. }) && !share_ip_bound_sessions {
            return None;
        }
        self.key_material().map(|m| record::store_key(&m))
    }

    /// Kiiex: the name of the fleet counter that reserves `AuthenticateUser` nonces for this API
    /// key, so that processes never send the same nonce (whether or not they share sessions).
    /// `None` for the other providers.
    pub fn nonce_key(&self) -> Option<String> {
        match self.creds {
            Credentials::Kiiex { .. } => self.key_material().map(|m| record::counter_key(&m)),
            _ => None,
        }
    }

    /// Kiiex: the next `AuthenticateUser` nonce is at least `reserved`, a value the fleet's
    /// counter handed out (exactly `reserved` when neither the clock nor this session's own
    /// sequence has passed it). Nonces of this session stay strictly increasing.
    pub fn reserve_nonce(&mut self, reserved: u64) {
        // The sequence's own next value, without taking it.
        let mut probe = self.nonces;
        let own_next = probe.next(0);
        if reserved > own_next {
            let _ = self.nonces.next(reserved - 1);
        }
    }

    fn to_server_ms(&self, local_ms: u64) -> u64 {
        local_ms.saturating_add_signed(self.clock_offset_ms)
    }

    fn to_local_ms(&self, server_ms: u64) -> u64 {
        server_ms.saturating_add_signed(self.clock_offset_ms.saturating_neg())
    }

    /// Seals the current token (and DeFindex refresh token) as fleet generation
    /// `after_generation + 1`, with a `nonce` from the host's secure random source. `None` when
    /// there is no token to share.
    pub fn export_record(&self, after_generation: u64, now_ms: u64, nonce: [u8; NONCE_LEN]) -> Result<Option<Exported>> {
        let (Some(material), Some(token)) = (self.key_material(), self.token.as_ref()) else { return Ok(None) };
        let (expiry, issued_local) = match (token.expires_at_ms, token.max_idle_ms) {
            (Some(at), _) => (RecordExpiry::AtServerMs(self.to_server_ms(at)), token.received_at_ms),
            // An idle limit runs from the last use this process made of the session.
            (None, Some(idle)) => (RecordExpiry::IdleMs(idle), token.last_used_ms),
            (None, None) => (RecordExpiry::Never, token.received_at_ms),
        };
        let generation = after_generation.saturating_add(1);
        let record = TokenRecord { access_token: token.access.clone(), refresh_token: self.refresh_token.clone(), expiry, generation, issued_at_server_ms: self.to_server_ms(issued_local) };
        let server_now = self.to_server_ms(now_ms);
        let keep_until = match expiry {
            RecordExpiry::AtServerMs(at) => at,
            RecordExpiry::IdleMs(idle) => record.issued_at_server_ms.saturating_add(idle),
            RecordExpiry::Never => server_now.saturating_add(KEEP_UNLIMITED_MS),
        };
        // A refresh token outlives its access token: keep the record until it expires too.
        let refresh_until = self.refresh_token.as_ref().map(|r| jwt::unverified_expiry_ms(r.expose()).unwrap_or(keep_until.saturating_add(KEEP_UNLIMITED_MS)));
        let ttl_ms = keep_until.max(refresh_until.unwrap_or(0)).saturating_sub(server_now).max(MIN_KEEP_MS);
        let bytes = record::seal(&record, &material, nonce)?;
        Ok(Some(Exported { bytes, generation, ttl_ms }))
    }

    /// Reads a record from the store. `known_generation` is the highest fleet generation the
    /// host has seen (0 at first).
    ///
    /// - A record sealed for another credential, or not a record: `malformed_response`, and the
    ///   session is unchanged.
    /// - Generation not above `known_generation`: `Ok(None)`, nothing changes.
    /// - Otherwise `Ok(Some(generation))`: the record's refresh token (DeFindex) replaces the
    ///   session's, which another process may have used already; its access token is installed
    ///   under a new local generation when it is usable at `now_ms`, else the session's own token
    ///   is kept.
    pub fn import_record(&mut self, bytes: &[u8], known_generation: u64, now_ms: u64) -> Result<Option<u64>> {
        let Some(material) = self.key_material() else { return Err(no_record().with_provider(self.provider())) };
        let record = record::unseal(bytes, &material)?;
        if record.generation <= known_generation {
            return Ok(None);
        }
        // Never received in the future of this clock, whatever the other clocks say.
        let received_at_ms = self.to_local_ms(record.issued_at_server_ms).min(now_ms);
        let (expires_at_ms, max_idle_ms) = match record.expiry {
            RecordExpiry::AtServerMs(at) => (Some(self.to_local_ms(at)), None),
            RecordExpiry::IdleMs(idle) => (None, Some(idle)),
            RecordExpiry::Never => (None, None),
        };
        let token = Token { access: record.access_token, expires_at_ms, received_at_ms, max_idle_ms, last_used_ms: received_at_ms };
        if matches!(self.creds, Credentials::Defindex { .. }) {
            self.refresh_token = record.refresh_token;
        }
        if self.freshness(&token, now_ms).0 {
            self.token = Some(token);
            self.generation += 1;
        }
        Ok(Some(record.generation))
    }
}

fn no_record() -> crate::core::Error {
    crate::core::Error::new(crate::core::ErrorKind::Unsupported, "this credential has no tokens to share")
}

#[cfg(test)]
#[path = "session_fleet_tests.rs"]
mod tests;
