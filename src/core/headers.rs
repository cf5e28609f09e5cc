//! Validated HTTP headers.
//!
//! keystamp never sends a header it has not checked. The rules, applied to every value that
//! travels in a header (keys, tokens, user ids, nonces, signatures):
//!
//! - not empty, at most [`MAX_HEADER_VALUE_LEN`] bytes;
//! - no leading or trailing whitespace: a pasted key with a trailing space is an error, never
//!   silently trimmed into a different key;
//! - visible ASCII only (`0x21..=0x7E`, plus inner spaces where a scheme needs one, as in
//!   `Bearer <token>`): no CR, LF, NUL or other control characters (header injection), and no
//!   non-ASCII (`fetch` would send it as Latin-1 bytes, a different value from the UTF-8 that
//!   was signed).
//!
//! Credentials (keys and tokens) are stricter still: no whitespace at all.

use core::fmt;

use super::error::{Error, ErrorKind, Result};

/// The largest header value keystamp accepts, in bytes.
pub const MAX_HEADER_VALUE_LEN: usize = 8 * 1024;

/// Checks that `name` is an HTTP field name (an RFC 9110 token).
pub fn check_header_name(name: &str) -> Result<()> {
    let is_tchar = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if name.is_empty() || name.len() > 256 || !name.bytes().all(is_tchar) {
        return Err(Error::new(ErrorKind::InvalidHeaderName, "not a valid HTTP header name"));
    }
    Ok(())
}

/// Checks a header value against the module rules. `field` names the input in the error.
pub fn check_header_value(field: &'static str, value: &str) -> Result<()> {
    let invalid = |reason| Err(Error::new(ErrorKind::InvalidHeaderValue, reason).with_field(field));
    if value.is_empty() {
        return Err(Error::new(ErrorKind::MissingCredential, "must not be empty").with_field(field));
    }
    if value.len() > MAX_HEADER_VALUE_LEN {
        return Err(Error::new(ErrorKind::InputTooLarge, "is longer than 8 KiB").with_field(field));
    }
    let bytes = value.as_bytes();
    if bytes.iter().any(|&b| b < 0x20 && b != b'\t' || b == 0x7F) {
        return invalid("contains a control character (CR, LF, NUL, ...)");
    }
    if !value.is_ascii() {
        return invalid("contains a non-ASCII character");
    }
    let is_ws = |b: Option<&u8>| matches!(b, Some(b' ' | b'\t'));
    if is_ws(bytes.first()) || is_ws(bytes.last()) {
        return invalid("has leading or trailing whitespace");
    }
    Ok(())
}

/// Checks a credential (API key, token, user id, nonce): a header value with no whitespace.
pub fn check_credential(field: &'static str, value: &str) -> Result<()> {
    check_header_value(field, value)?;
    if value.bytes().any(|b| b == b' ' || b == b'\t') {
        return Err(Error::new(ErrorKind::InvalidHeaderValue, "contains whitespace").with_field(field));
    }
    Ok(())
}

/// One header: a name, a checked value, and whether the value is sensitive.
#[derive(Clone, PartialEq, Eq)]
pub struct Header {
    name: &'static str,
    value: String,
    sensitive: bool,
}

impl Header {
    /// The header name, in the spelling the provider documents.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The header value. For a sensitive header this is a credential: do not log it.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Whether the value is a credential (redacted in `Debug`).
    pub fn is_sensitive(&self) -> bool {
        self.sensitive
    }
}

impl fmt::Debug for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value: &dyn fmt::Debug = if self.sensitive { &"[redacted]" } else { &self.value };
        f.debug_tuple("Header").field(&self.name).field(value).finish()
    }
}

impl Drop for Header {
    fn drop(&mut self) {
        if self.sensitive {
            zeroize::Zeroize::zeroize(&mut self.value);
        }
    }
}

/// An ordered list of validated headers. `Debug` redacts sensitive values.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Headers(Vec<Header>);

impl Headers {
    /// No headers.
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// Adds a header whose value is not secret (e.g. `Nonce`, `UserId`, `Content-Type`).
    pub fn push_plain(&mut self, name: &'static str, field: &'static str, value: String) -> Result<()> {
        self.push(name, field, value, false)
    }

    /// Adds a header whose value is a credential (redacted in `Debug`, zeroized on drop).
    pub fn push_sensitive(&mut self, name: &'static str, field: &'static str, value: String) -> Result<()> {
        self.push(name, field, value, true)
    }

    fn push(&mut self, name: &'static str, field: &'static str, value: String, sensitive: bool) -> Result<()> {
        check_header_name(name)?;
        check_header_value(field, &value)?;
        self.0.push(Header { name, value, sensitive });
        Ok(())
    }

    /// The value of the first header named `name` (ASCII case-insensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|h| h.name.eq_ignore_ascii_case(name)).map(|h| h.value.as_str())
    }

    /// The headers in order.
    pub fn iter(&self) -> impl Iterator<Item = &Header> {
        self.0.iter()
    }

    /// How many headers.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_value_rules() {
        let cases: &[(&str, Option<&str>)] = &[
            ("abc", None),
            ("Bearer abc", None),
            ("a\tb", None),
            ("", Some("missing_credential")),
            ("abc\r\nX-Evil: 1", Some("invalid_header_value")),
            ("abc\n", Some("invalid_header_value")),
            ("a\0b", Some("invalid_header_value")),
            ("a\x7fb", Some("invalid_header_value")),
            ("a\x1bb", Some("invalid_header_value")),
            ("abc ", Some("invalid_header_value")),
            (" abc", Some("invalid_header_value")),
            ("\tabc", Some("invalid_header_value")),
            ("caf\u{e9}", Some("invalid_header_value")),
            ("a\u{2028}b", Some("invalid_header_value")),
        ];
        for (value, want) in cases {
            let got = check_header_value("apiKey", value).err().map(|e| e.code());
            assert_eq!(got, *want, "value {value:?}");
        }
        let big = "a".repeat(MAX_HEADER_VALUE_LEN + 1);
        assert_eq!(check_header_value("apiKey", &big).map_err(|e| e.code()), Err("input_too_large"));
    }

    #[test]
    fn credentials_reject_inner_whitespace() {
        assert_eq!(check_credential("apiKey", "ab cd").map_err(|e| e.code()), Err("invalid_header_value"));
        assert!(check_credential("apiKey", "sk_abc-DEF.123").is_ok());
    }

    #[test]
    fn error_message_never_contains_the_value() {
        for value in ["SECRETMARK\r\n", "SECRETMARK ", "SECRETMARK\u{e9}"] {
            let err = check_header_value("apiKey", value).err().map(|e| (e.to_string(), format!("{e:?}")));
            let (shown, debug) = err.unwrap_or_default();
            assert!(!shown.contains("SECRETMARK") && !debug.contains("SECRETMARK"), "{shown} {debug}");
            assert!(shown.starts_with("apiKey: "), "{shown}");
        }
    }

    #[test]
    fn header_names() {
        assert!(check_header_name("X-API-KEY").is_ok());
        assert!(check_header_name("aptoken").is_ok());
        for bad in ["", "X API", "X:Y", "X\r\n", "é"] {
            assert!(check_header_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn debug_redacts_sensitive_values() {
        let mut h = Headers::new();
        assert!(h.push_sensitive("Authorization", "apiKey", "Bearer TOPSECRET".into()).is_ok());
        assert!(h.push_plain("Nonce", "nonce", "17".into()).is_ok());
        let shown = format!("{h:?}");
        assert!(!shown.contains("TOPSECRET"), "{shown}");
        assert!(shown.contains("\"17\""), "{shown}");
        assert_eq!(h.get("authorization"), Some("Bearer TOPSECRET"));
    }
}
