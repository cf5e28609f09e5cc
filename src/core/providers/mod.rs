//! The five providers. Each module has the same sections: constants, credentials, auth request
//! builders, response parsers, and the headers an authenticated call carries.

use core::str::FromStr;

use serde_json::Value;

use super::error::{Error, ErrorKind, Result};
use super::http::malformed;

pub mod adjutor;
pub mod defindex;
pub mod deltadefi;
pub mod depay;
pub mod kiiex;

/// Which provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProviderId {
    /// DeFindex (Stellar vaults).
    Defindex,
    /// DeltaDeFi (Cardano order book).
    Deltadefi,
    /// Adjutor (Lendsqr).
    Adjutor,
    /// DePay (LATAM payments).
    Depay,
    /// Kiiex (AlphaPoint APEX exchange).
    Kiiex,
}

impl ProviderId {
    /// Every provider.
    pub const ALL: [ProviderId; 5] = [Self::Defindex, Self::Deltadefi, Self::Adjutor, Self::Depay, Self::Kiiex];

    /// The lower-case name used in the JS API: `"defindex"`, `"deltadefi"`, ...
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Defindex => "defindex",
            Self::Deltadefi => "deltadefi",
            Self::Adjutor => "adjutor",
            Self::Depay => "depay",
            Self::Kiiex => "kiiex",
        }
    }
}

impl FromStr for ProviderId {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == name).ok_or(Error::new(
            ErrorKind::UnknownProvider,
            "provider must be one of \"defindex\", \"deltadefi\", \"adjutor\", \"depay\", \"kiiex\"",
        ))
    }
}

/// The `Authorization: Bearer <token>` value, with the token checked as a credential.
pub(crate) fn bearer(field: &'static str, token: &str) -> Result<String> {
    super::headers::check_credential(field, token)?;
    Ok(format!("Bearer {token}"))
}

/// A required string field of a JSON object, or `malformed_response`.
pub(crate) fn str_field<'v>(provider: ProviderId, status: u16, body: &'v Value, name: &str) -> Result<&'v str> {
    body.get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| malformed(provider, status, "a required field is missing or not a string"))
}

/// The longest email, password or other login field accepted, in bytes.
pub const MAX_LOGIN_FIELD_LEN: usize = 1024;

/// Checks a login field (email, password, key name): not empty, at most
/// [`MAX_LOGIN_FIELD_LEN`] bytes, no control character. It travels in a JSON body, so any other
/// Unicode is fine.
pub(crate) fn check_login_field(field: &'static str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::new(ErrorKind::MissingCredential, "must not be empty").with_field(field));
    }
    if value.len() > MAX_LOGIN_FIELD_LEN {
        return Err(Error::new(ErrorKind::InputTooLarge, "is longer than 1 KiB").with_field(field));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::new(ErrorKind::InvalidArgument, "contains a control character").with_field(field));
    }
    Ok(())
}

/// A login body `{"email","password"}` (DeFindex dashboard, Adjutor Core Services), after checking
/// both fields with [`check_login_field`].
pub(crate) fn login_body(email: &str, password: &super::Secret) -> Result<String> {
    check_login_field("email", email)?;
    check_login_field("password", password.expose())?;
    #[derive(serde::Serialize)]
    struct Login<'a> {
        email: &'a str,
        password: &'a str,
    }
    Ok(serde_json::to_string(&Login { email, password: password.expose() }).unwrap_or_default())
}

/// The value of the field `name` of a JSON object, matched ASCII case-insensitively (APEX answers
/// spell `SessionToken`, `sessionToken`, ...). The first match wins.
pub(crate) fn field_ci<'v>(body: &'v Value, name: &str) -> Option<&'v Value> {
    body.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v)
}

/// A token received from a provider, checked as a credential before it is kept.
pub(crate) fn token_field(provider: ProviderId, status: u16, body: &Value, name: &str) -> Result<super::Secret> {
    let token = str_field(provider, status, body, name)?;
    super::headers::check_credential("token", token)
        .map_err(|_| malformed(provider, status, "a token in the answer is not a valid header value"))?;
    Ok(super::Secret::from(token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_names_round_trip() {
        for p in ProviderId::ALL {
            assert_eq!(p.as_str().parse::<ProviderId>(), Ok(p));
        }
        for bad in ["", "Kiiex", "kiiex ", "aws"] {
            assert_eq!(bad.parse::<ProviderId>().map_err(|e| e.code()), Err("unknown_provider"));
        }
    }
}
