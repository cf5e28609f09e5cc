//! [`Secret`]: a string that is zeroized on drop and never printed.

use core::fmt;

use zeroize::Zeroizing;

/// A secret string (API key, API secret, password, token).
///
/// - Its bytes are overwritten with zeros when it is dropped.
/// - `Debug` prints `Secret([redacted])`; there is no `Display`.
/// - The value is reached only through [`expose`](Secret::expose), so every use is visible in
///   review.
#[derive(Clone, Default)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps `value`. The `String` is moved, not copied.
    pub fn new(value: String) -> Self {
        Self(Zeroizing::new(value))
    }

    /// The secret value. Do not log it.
    pub fn expose(&self) -> &str {
        self.0.as_str()
    }

    /// Length in bytes (safe to report).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Constant-time equality: how long it takes depends on the lengths, not on the bytes.
    pub fn ct_eq(&self, other: &str) -> bool {
        super::ct_eq_str(self.expose(), other)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = Secret::from("SECRET_MARKER_123");
        let shown = format!("{s:?} {:?}", vec![s.clone()]);
        assert!(!shown.contains("SECRET_MARKER"), "{shown}");
        assert!(shown.contains("[redacted]"));
        assert_eq!(s.expose(), "SECRET_MARKER_123");
        assert!(s.ct_eq("SECRET_MARKER_123"));
        assert!(!s.ct_eq("SECRET_MARKER_124"));
        assert!(!s.ct_eq("SECRET_MARKER_12"));
    }
}
