//! Helpers shared by the fuzz targets: how raw bytes become a provider answer, and the header
//! rules restated independently of the core (so a target can compare the two).

use keystamp::core::{Error, ErrorKind, ProviderId};

/// Statuses worth reaching often; the first input byte picks one.
const STATUSES: [u16; 16] = [200, 200, 201, 204, 299, 199, 300, 400, 401, 403, 404, 429, 500, 502, 0, 65535];

/// Splits fuzz input into an HTTP status (from the first byte) and a UTF-8 body (the rest).
pub fn answer(data: &[u8]) -> Option<(u16, &str)> {
    let (&first, rest) = data.split_first()?;
    let status = STATUSES[usize::from(first % 16)];
    Some((status, core::str::from_utf8(rest).ok()?))
}

/// Every error code the README documents.
pub fn is_documented(code: &str) -> bool {
    ErrorKind::ALL.iter().any(|k| k.code() == code)
}

/// What every parser error must look like: a documented code, the provider, and the status the
/// provider answered with. Non-2xx answers map to the status errors, whatever the body says.
pub fn check_answer_error(err: &Error, provider: ProviderId, status: u16) {
    assert!(is_documented(err.code()), "{err:?}");
    assert_eq!(err.provider(), Some(provider), "{err:?}");
    assert_eq!(err.status(), Some(status), "{err:?}");
    if !(200..300).contains(&status) {
        let want: &[&str] = match status {
            401 | 403 => &["auth_rejected"],
            429 => &["rate_limited", "auth_rejected"],
            _ => &["provider_error", "auth_rejected"],
        };
        assert!(want.contains(&err.code()), "status {status}: {err:?}");
    }
}

/// The header value rules of the README, restated: the code the core must return for `value`.
pub fn header_value_rule(value: &str) -> Option<&'static str> {
    let b = value.as_bytes();
    if b.is_empty() {
        return Some("missing_credential");
    }
    if b.len() > 8 * 1024 {
        return Some("input_too_large");
    }
    if b.iter().any(|&c| (c < 0x20 && c != b'\t') || c == 0x7F) {
        return Some("invalid_header_value");
    }
    if !b.iter().all(|&c| c == b'\t' || (0x20..0x7F).contains(&c)) {
        return Some("invalid_header_value");
    }
    let ws = |c: &u8| *c == b' ' || *c == b'\t';
    if b.first().is_some_and(ws) || b.last().is_some_and(ws) {
        return Some("invalid_header_value");
    }
    None
}

/// The credential rule: a valid header value with no space or tab anywhere.
pub fn credential_rule(value: &str) -> Option<&'static str> {
    header_value_rule(value).or_else(|| value.bytes().any(|c| c == b' ' || c == b'\t').then_some("invalid_header_value"))
}
