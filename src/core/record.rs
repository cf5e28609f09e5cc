//! Sealed token records: what a fleet's token store holds.
//!
//! A store (Redis, a Durable Object's storage) shares one credential's token between processes.
//! It holds only **sealed** records: AES-256-GCM, keyed with HKDF-SHA256 over the credential's
//! secret, so a dump of the store reveals no token, no API key, and not even which key a record
//! belongs to (its name is another HKDF output, see [`store_key`]).
//!
//! ```text
//! sealed := version (1 byte) | nonce (12 bytes) | AES-256-GCM(plaintext, aad = version) | tag (16 bytes)
//! plaintext := generation u64 | issued_at_server_ms u64 | expiry kind u8 | expiry value u64
//!            | access length u16 | access | refresh length u16 (0: none) | refresh     (big-endian)
//! ```
//!
//! - The nonce is an **argument** (the host draws it from its secure random source); a 96-bit
//!   random nonce per record is safe far beyond the number of records a credential will ever get.
//! - [`unseal`] never panics and never trusts: a record of another credential, of another
//!   version, truncated, extended or with any byte changed is a `malformed_response` error. Only
//!   a record sealed with this credential's key is read at all.
//! - What a record *means* (is it usable, is it newer than the session's token) is decided by
//!   the session, not by the store or the JS glue, which only move the bytes.
//! - Plaintext copies live in zeroized buffers; the tokens are [`Secret`]s.

use aes_gcm::aead::{AeadInOut, KeyInit, Nonce};
use aes_gcm::Aes256Gcm;
use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::error::{Error, ErrorKind, Result};
use super::providers::ProviderId;
use super::Secret;

/// The record format this build writes and the only one it reads.
pub const RECORD_VERSION: u8 = 1;
/// Bytes of the AES-GCM nonce the host supplies to [`seal`].
pub const NONCE_LEN: usize = 12;
/// Bytes of the authentication tag.
const TAG_LEN: usize = 16;
/// Version, nonce and tag: what a sealed record adds to its plaintext.
pub const OVERHEAD: usize = 1 + NONCE_LEN + TAG_LEN;
/// The largest token a record carries (the header value cap).
pub const MAX_TOKEN_LEN: usize = super::headers::MAX_HEADER_VALUE_LEN;
/// Fixed plaintext fields before the access token: generation, issued-at, expiry kind and value.
const FIXED_LEN: usize = 8 + 8 + 1 + 8;

/// HKDF salt: fixes the domain of every key derived here.
const HKDF_SALT: &[u8] = b"keystamp token store";
/// HKDF info label of the record sealing key (followed by the version and the provider).
const SEAL_LABEL: &[u8] = b"keystamp record seal key";
/// HKDF info label of the store key (followed by the version and the provider).
const STORE_LABEL: &[u8] = b"keystamp record store key";
/// HKDF info label of the name of a nonce counter (followed by the version and the provider).
const COUNTER_LABEL: &[u8] = b"keystamp nonce counter key";
/// Bytes of HKDF output in a store key (hex: twice as many characters).
const STORE_KEY_LEN: usize = 16;

/// How long a record's access token lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordExpiry {
    /// No time limit (only a 401 ends it).
    Never,
    /// Unusable from this instant, in ms since the epoch on the **server's** clock (a JWT `exp`,
    /// or the time of receipt plus DePay's `expiresIn`, moved onto the server clock).
    AtServerMs(u64),
    /// Ends after this much idle time (Kiiex); [`TokenRecord::issued_at_server_ms`] is the last
    /// use the record knows of.
    IdleMs(u64),
}

impl RecordExpiry {
    const fn encode(self) -> (u8, u64) {
        match self {
            Self::Never => (0, 0),
            Self::AtServerMs(at) => (1, at),
            Self::IdleMs(ms) => (2, ms),
        }
    }

    fn decode(kind: u8, value: u64) -> Result<Self> {
        match kind {
            0 if value == 0 => Ok(Self::Never),
            1 => Ok(Self::AtServerMs(value)),
            2 => Ok(Self::IdleMs(value)),
            _ => Err(bad_record()),
        }
    }
}

/// One credential's token as the fleet shares it.
#[derive(Clone, Debug)]
pub struct TokenRecord {
    /// The token calls carry.
    pub access_token: Secret,
    /// The token that renews it (DeFindex: single-use), if any.
    pub refresh_token: Option<Secret>,
    /// When the access token stops being usable.
    pub expiry: RecordExpiry,
    /// Fleet generation: each exchange publishes the highest generation it has seen plus one.
    /// The store's fenced write keeps the highest.
    pub generation: u64,
    /// When the token was received, in ms since the epoch on the server's clock.
    pub issued_at_server_ms: u64,
}

/// The secret input of the record keys: the credential's secret parts (and whatever else must
/// keep two credentials' records apart, such as the base URL), for one provider. Zeroized on
/// drop; `Debug` is redacted.
pub struct KeyMaterial {
    provider: ProviderId,
    ikm: Zeroizing<Vec<u8>>,
}

impl core::fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeyMaterial").field("provider", &self.provider).field("ikm", &"[redacted]").finish()
    }
}

impl KeyMaterial {
    /// Key material for `provider` from `parts`, each length-prefixed (so `["ab", "c"]` and
    /// `["a", "bc"]` give different keys).
    pub fn new(provider: ProviderId, parts: &[&[u8]]) -> Self {
        let mut ikm = Zeroizing::new(Vec::with_capacity(parts.iter().map(|p| p.len() + 8).sum()));
        for part in parts {
            ikm.extend_from_slice(&(part.len() as u64).to_be_bytes());
            ikm.extend_from_slice(part);
        }
        Self { provider, ikm }
    }

    /// The provider this material belongs to.
    pub const fn provider(&self) -> ProviderId {
        self.provider
    }

    /// HKDF-SHA256 output for `label` (followed by the record version and the provider name).
    fn derive<const N: usize>(&self, label: &[u8]) -> Zeroizing<[u8; N]> {
        let mut out = Zeroizing::new([0u8; N]);
        let hkdf = Hkdf::<Sha256>::new(Some(HKDF_SALT), &self.ikm);
        let info: [&[u8]; 4] = [label, &[RECORD_VERSION], b":", self.provider.as_str().as_bytes()];
        // N is 16 or 32 here, far below HKDF-SHA256's limit of 255 * 32 bytes: this cannot fail,
        // and if it did the key would stay all zeros, which no record of a real key opens.
        let _ = hkdf.expand_multi_info(&info, out.as_mut_slice());
        out
    }
}

/// The name a credential's record has in a store: lowercase hex of an HKDF output under its own
/// label. It reveals neither the credential nor the sealing key (both are other HKDF outputs),
/// and is the same in every process that holds the same credential.
pub fn store_key(key_material: &KeyMaterial) -> String {
    hex::encode(key_material.derive::<STORE_KEY_LEN>(STORE_LABEL).as_slice())
}

/// The name of a credential's nonce counter in a store: as [`store_key`], under its own label.
pub fn counter_key(key_material: &KeyMaterial) -> String {
    hex::encode(key_material.derive::<STORE_KEY_LEN>(COUNTER_LABEL).as_slice())
}

fn cipher(key_material: &KeyMaterial) -> Result<Aes256Gcm> {
    let key = key_material.derive::<32>(SEAL_LABEL);
    Aes256Gcm::new_from_slice(key.as_slice()).map_err(|_| Error::new(ErrorKind::Unsupported, "cannot key the record cipher"))
}

fn bad_record() -> Error {
    Error::new(ErrorKind::MalformedResponse, "the store holds no record sealed for this credential")
}

fn push_token(out: &mut Vec<u8>, token: &str) -> Result<()> {
    let len = u16::try_from(token.len()).ok().filter(|&n| usize::from(n) <= MAX_TOKEN_LEN);
    let len = len.ok_or(Error::new(ErrorKind::InputTooLarge, "a token in the record is too large"))?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(token.as_bytes());
    Ok(())
}

/// Seals `record` for the credential of `key_material`, with a nonce the host drew from a
/// secure random source. Never reuse a nonce.
pub fn seal(record: &TokenRecord, key_material: &KeyMaterial, nonce: [u8; NONCE_LEN]) -> Result<Vec<u8>> {
    let refresh = record.refresh_token.as_ref().map_or("", Secret::expose);
    if record.access_token.is_empty() {
        return Err(Error::new(ErrorKind::MissingCredential, "a record needs an access token"));
    }
    let plaintext_len = FIXED_LEN + 2 + record.access_token.len() + 2 + refresh.len();
    // One allocation that already has room for the tag: the plaintext is never copied around.
    let mut body = Zeroizing::new(Vec::with_capacity(plaintext_len + TAG_LEN));
    body.extend_from_slice(&record.generation.to_be_bytes());
    body.extend_from_slice(&record.issued_at_server_ms.to_be_bytes());
    let (kind, value) = record.expiry.encode();
    body.push(kind);
    body.extend_from_slice(&value.to_be_bytes());
    push_token(&mut body, record.access_token.expose())?;
    push_token(&mut body, refresh)?;
    seal_plaintext(body, key_material, nonce)
}

/// Encrypts `body` (a plaintext with room for the tag) in place and frames it.
fn seal_plaintext(mut body: Zeroizing<Vec<u8>>, key_material: &KeyMaterial, nonce: [u8; NONCE_LEN]) -> Result<Vec<u8>> {
    cipher(key_material)?
        .encrypt_in_place(&Nonce::<Aes256Gcm>::from(nonce), &[RECORD_VERSION], &mut *body)
        .map_err(|_| Error::new(ErrorKind::InputTooLarge, "the record is too large to seal"))?;
    let mut sealed = Vec::with_capacity(1 + NONCE_LEN + body.len());
    sealed.push(RECORD_VERSION);
    sealed.extend_from_slice(&nonce);
    sealed.extend_from_slice(&body);
    Ok(sealed)
}

/// Opens a record sealed by [`seal`] for the same credential. Any other input (another
/// credential's record, another version, a truncated, extended or altered record, random bytes)
/// is a `malformed_response` error; nothing in it is trusted before the tag checks out.
pub fn unseal(bytes: &[u8], key_material: &KeyMaterial) -> Result<TokenRecord> {
    let Some((&version, rest)) = bytes.split_first() else { return Err(bad_record()) };
    if version != RECORD_VERSION || rest.len() < NONCE_LEN + TAG_LEN || rest.len() > NONCE_LEN + TAG_LEN + FIXED_LEN + 4 + 2 * MAX_TOKEN_LEN {
        return Err(bad_record());
    }
    let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| bad_record())?;
    let mut body = Zeroizing::new(ciphertext.to_vec());
    cipher(key_material)?.decrypt_in_place(&Nonce::<Aes256Gcm>::from(nonce), &[RECORD_VERSION], &mut *body).map_err(|_| bad_record())?;
    decode(&body)
}

/// Reads the plaintext fields; every length is checked against what is left.
fn decode(plain: &[u8]) -> Result<TokenRecord> {
    let mut reader = Reader(plain);
    let generation = reader.u64()?;
    let issued_at_server_ms = reader.u64()?;
    let kind = reader.u8()?;
    let expiry = RecordExpiry::decode(kind, reader.u64()?)?;
    let access_token = reader.token()?.ok_or_else(bad_record)?;
    let refresh_token = reader.token()?;
    if !reader.0.is_empty() {
        return Err(bad_record());
    }
    Ok(TokenRecord { access_token, refresh_token, expiry, generation, issued_at_server_ms })
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8]> {
        if self.0.len() < n {
            return Err(bad_record());
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8> {
        self.take(1)?.first().copied().ok_or_else(bad_record)
    }

    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_be_bytes(self.take(8)?.try_into().map_err(|_| bad_record())?))
    }

    /// A length-prefixed token; length 0 is "none".
    fn token(&mut self) -> Result<Option<Secret>> {
        let len = usize::from(u16::from_be_bytes(self.take(2)?.try_into().map_err(|_| bad_record())?));
        if len == 0 {
            return Ok(None);
        }
        if len > MAX_TOKEN_LEN {
            return Err(bad_record());
        }
        let text = core::str::from_utf8(self.take(len)?).map_err(|_| bad_record())?;
        Ok(Some(Secret::from(text)))
    }
}

#[cfg(test)]
#[path = "record_tests.rs"]
mod tests;
