//! Reading a JWT's `exp` claim **without verifying it**.
//!
//! A client cannot verify an HS256 token (it does not hold the key); it only needs to know when
//! the provider will stop accepting it. The function name says so.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::Value;

/// Why a JWT's expiry could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JwtError {
    /// Not three dot-separated parts.
    NotAJwt,
    /// The payload is not base64url.
    NotBase64,
    /// The payload is not a JSON object.
    NotJson,
    /// No numeric `exp` claim in a sane range.
    NoExp,
}

/// The `exp` claim (seconds) converted to milliseconds since the epoch. **Not verified.**
pub fn unverified_expiry_ms(jwt: &str) -> Result<u64, JwtError> {
    let mut parts = jwt.split('.');
    let (Some(_), Some(payload), Some(_), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(JwtError::NotAJwt);
    };
    if payload.len() > 16 * 1024 {
        return Err(JwtError::NotAJwt);
    }
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).map_err(|_| JwtError::NotBase64)?;
    // Through `from_str`, the same instantiation the response parsers use (smaller wasm).
    let text = core::str::from_utf8(&bytes).map_err(|_| JwtError::NotJson)?;
    let claims: Value = serde_json::from_str(text).map_err(|_| JwtError::NotJson)?;
    let exp = claims.as_object().ok_or(JwtError::NotJson)?.get("exp").and_then(Value::as_f64).ok_or(JwtError::NoExp)?;
    // Between 2001 and 2286: anything else is not a real expiry.
    if !(1e9..1e10).contains(&exp) {
        return Err(JwtError::NoExp);
    }
    // In range, so the cast is exact to the millisecond.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok((exp * 1000.0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        format!("eyJhbGciOiJIUzI1NiJ9.{}.sig", URL_SAFE_NO_PAD.encode(payload))
    }

    #[test]
    fn reads_exp() {
        assert_eq!(unverified_expiry_ms(&jwt(r#"{"iat":1750269164,"exp":1750272764}"#)), Ok(1_750_272_764_000));
    }

    #[test]
    fn rejects_bad_tokens() {
        let cases = [
            ("abc", JwtError::NotAJwt),
            ("a.b.c.d", JwtError::NotAJwt),
            ("a.!!!.c", JwtError::NotBase64),
            (&jwt("not json") as &str, JwtError::NotJson),
            (&jwt("[1]"), JwtError::NotJson),
            (&jwt(r#"{"iat":1}"#), JwtError::NoExp),
            (&jwt(r#"{"exp":"1750272764"}"#), JwtError::NoExp),
            (&jwt(r#"{"exp":-1}"#), JwtError::NoExp),
            (&jwt(r#"{"exp":1e309}"#), JwtError::NotJson),
        ];
        for (token, want) in cases {
            assert_eq!(unverified_expiry_ms(token), Err(want), "{token}");
        }
    }
}
