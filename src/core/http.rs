//! Requests and responses as plain data.
//!
//! The core never performs I/O: it returns a [`Request`] for the host to send, and reads a
//! [`Response`] the host received. Both can be logged (a request's `Debug` redacts sensitive
//! headers and the body of credential requests), asserted in tests, and sent by any `fetch`.

use core::fmt;

use serde_json::Value;

use super::error::{Error, ErrorKind, Result};
use super::headers::Headers;
use super::providers::ProviderId;

/// The largest response body the core parses, in bytes.
pub const MAX_BODY_LEN: usize = 1024 * 1024;

/// An HTTP method keystamp uses for auth requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
}

impl Method {
    /// `"GET"` or `"POST"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }
}

/// A request for the host to send.
#[derive(Clone, PartialEq, Eq)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The absolute URL.
    pub url: String,
    /// The headers, validated.
    pub headers: Headers,
    /// The body (JSON text) if any. Auth bodies hold credentials: never log them.
    pub body: Option<String>,
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &self.headers)
            .field("body", &self.body.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

impl Drop for Request {
    fn drop(&mut self) {
        if let Some(body) = self.body.as_mut() {
            zeroize::Zeroize::zeroize(body);
        }
    }
}

/// A view of a response the host received.
#[derive(Clone, Copy, Debug)]
pub struct Response<'a> {
    /// The HTTP status.
    pub status: u16,
    /// The body text.
    pub body: &'a str,
    /// The `Date` header, when present (used to learn the server's clock offset).
    pub date: Option<&'a str>,
    /// The `Retry-After` header, when present (seconds, or an HTTP date).
    pub retry_after: Option<&'a str>,
}

impl<'a> Response<'a> {
    /// A response with a status and body and no `Date` header.
    pub const fn new(status: u16, body: &'a str) -> Self {
        Self { status, body, date: None, retry_after: None }
    }

    /// Whether the status is 2xx.
    pub const fn is_success(&self) -> bool {
        self.status >= 200 && self.status < 300
    }

    /// The body parsed as JSON, or `malformed_response`.
    pub fn json(&self, provider: ProviderId) -> Result<Value> {
        if self.body.len() > MAX_BODY_LEN {
            return Err(Error::new(ErrorKind::InputTooLarge, "the response body is larger than 1 MiB")
                .with_provider(provider)
                .with_status(self.status));
        }
        serde_json::from_str(self.body).map_err(|_| {
            Error::new(ErrorKind::MalformedResponse, "the response body is not JSON")
                .with_provider(provider)
                .with_status(self.status)
        })
    }
}

/// The error for a non-2xx answer: 401/403 reject the credentials, 429 is rate limiting, 503 is
/// a temporarily unavailable service, the rest are provider errors.
pub fn status_error(provider: ProviderId, status: u16) -> Error {
    let (kind, reason) = match status {
        401 | 403 => (ErrorKind::AuthRejected, "the provider rejected the credentials"),
        429 => (ErrorKind::RateLimited, "the provider is rate limiting these requests"),
        503 => (ErrorKind::ProviderUnavailable, "the provider is temporarily unavailable"),
        _ => (ErrorKind::ProviderError, "the provider answered with an unexpected status"),
    };
    Error::new(kind, reason).with_provider(provider).with_status(status)
}

/// A `malformed_response` error for `provider`.
pub fn malformed(provider: ProviderId, status: u16, reason: &'static str) -> Error {
    Error::new(ErrorKind::MalformedResponse, reason).with_provider(provider).with_status(status)
}

/// A checked base URL: `https://host[:port][/path]`, or `http://` for loopback hosts only, with
/// no user info, query or fragment, and no trailing slash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseUrl {
    url: String,
    origin_len: usize,
}

impl BaseUrl {
    /// Checks and normalises `url` the way the WHATWG URL parser that `fetch` uses would: scheme
    /// and host lower-cased, a default port (`:443`, `:80`) dropped, IPv4 hosts in any form the
    /// parser accepts (`127.1`, `0x7f.0.0.1`) written as four decimal octets, IPv6 hosts in
    /// their compressed form, and a trailing `/` removed. So [`origin`](Self::origin) is exactly
    /// the origin of every URL built from it.
    pub fn parse(url: &str) -> Result<Self> {
        let bad = |reason| Err(Error::new(ErrorKind::InvalidArgument, reason).with_field("baseUrl"));
        if url.len() > 2048 || !url.bytes().all(|b| (0x21..=0x7E).contains(&b)) {
            return bad("must be a URL of visible ASCII characters");
        }
        let lower = url.to_ascii_lowercase();
        let (scheme, rest) = match lower.split_once("://") {
            Some((s @ ("https" | "http"), rest)) => (s, rest),
            _ => return bad("must start with https://"),
        };
        let authority_len = rest.find('/').unwrap_or(rest.len());
        let authority = rest.get(..authority_len).unwrap_or_default();
        if !is_host_and_port(authority) || url.contains(['?', '#']) {
            return bad("must be scheme://host[:port][/path] without user info, query or fragment");
        }
        let Some(authority) = canonical_authority(scheme, authority) else {
            return bad("has a host or port the URL parser refuses (an IPv4 part over 255, a port over 65535, ...)");
        };
        if scheme == "http" && !is_loopback(&authority) {
            return bad("http:// is allowed for loopback hosts only: use https://");
        }
        let path_at = scheme.len() + 3 + authority_len;
        let path = url.get(path_at..).unwrap_or_default().trim_end_matches('/');
        let origin_len = scheme.len() + 3 + authority.len();
        Ok(Self { url: format!("{scheme}://{authority}{path}"), origin_len })
    }

    /// The URL, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// `scheme://host[:port]`, lower-cased.
    pub fn origin(&self) -> &str {
        self.url.get(..self.origin_len).unwrap_or_default()
    }

    /// `self` followed by `path` (which starts with `/`).
    pub fn join(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// Whether the absolute `url` has the same origin as this base URL. Credentials are only
    /// ever attached to such URLs.
    pub fn same_origin(&self, url: &str) -> bool {
        let origin = self.origin();
        url.len() >= origin.len()
            && url.get(..origin.len()).is_some_and(|o| o.eq_ignore_ascii_case(origin))
            && matches!(url.as_bytes().get(origin.len()), None | Some(b'/' | b'?' | b'#'))
    }
}

/// `host[:port]`: a DNS name or IPv4 address (letters, digits, `-`, `_`, `.`) or a bracketed IPv6
/// address, then an optional decimal port. Anything else (user info, `\`, `%`, ...) could be read
/// differently by the URL parser `fetch` uses, and then [`BaseUrl::origin`] would not be the
/// origin the credentials go to.
fn is_host_and_port(authority: &str) -> bool {
    let (host, port) = match authority.rfind(']') {
        Some(end) => authority.split_at(end + 1),
        None => authority.split_at(authority.find(':').unwrap_or(authority.len())),
    };
    let port_ok = port.is_empty() || port.strip_prefix(':').is_some_and(|p| p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    let host_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => !v6.is_empty() && v6.bytes().all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.'),
        None => !host.is_empty() && host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_')),
    };
    port_ok && host_ok
}

/// `host[:port]` (already checked by [`is_host_and_port`]) as the URL parser serialises it, or
/// `None` where the parser would refuse it.
fn canonical_authority(scheme: &str, authority: &str) -> Option<String> {
    let (host, port) = match authority.rfind(']') {
        Some(end) => authority.split_at(end + 1),
        None => authority.split_at(authority.find(':').unwrap_or(authority.len())),
    };
    let host = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => {
            let addr: core::net::Ipv6Addr = v6.parse().ok()?;
            let text = addr.to_string();
            // An embedded dotted IPv4 part is written differently by the URL parser: refuse it.
            if text.contains('.') {
                return None;
            }
            format!("[{text}]")
        }
        None if ends_in_a_number(host) => ipv4(host)?.to_string(),
        None => host.to_owned(),
    };
    let port = match port.strip_prefix(':') {
        None | Some("") => None,
        Some(p) => Some(p.parse::<u16>().ok()?),
    };
    Some(match (scheme, port) {
        ("https", Some(443)) | ("http", Some(80)) | (_, None) => host,
        (_, Some(p)) => format!("{host}:{p}"),
    })
}

/// The URL parser reads a host as IPv4 when its last label is a number.
fn ends_in_a_number(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    let last = host.rsplit('.').next().unwrap_or_default();
    !last.is_empty() && (last.bytes().all(|b| b.is_ascii_digit()) || ipv4_number(last).is_some())
}

/// One IPv4 part: decimal, `0x` hexadecimal, or octal with a leading `0`.
fn ipv4_number(part: &str) -> Option<u64> {
    if let Some(hex) = part.strip_prefix("0x") {
        return if hex.is_empty() { Some(0) } else { u64::from_str_radix(hex, 16).ok() };
    }
    match part.strip_prefix('0') {
        Some(octal) if !octal.is_empty() => u64::from_str_radix(octal, 8).ok(),
        _ => part.parse().ok(),
    }
}

/// The IPv4 address the URL parser reads from `host` (1 to 4 parts; the last fills the rest).
fn ipv4(host: &str) -> Option<core::net::Ipv4Addr> {
    let host = host.strip_suffix('.').unwrap_or(host);
    let parts: Vec<u64> = host.split('.').map(ipv4_number).collect::<Option<_>>()?;
    let (last, first) = parts.split_last()?;
    if parts.len() > 4 || first.iter().any(|&p| p > 255) {
        return None;
    }
    let rest_bits = 8 * (5 - u32::try_from(parts.len()).ok()?);
    if *last >= 1u64 << rest_bits {
        return None;
    }
    let value = first.iter().zip((1..=3u32).rev()).fold(*last, |acc, (&p, shift)| acc + (p << (8 * shift)));
    u32::try_from(value).ok().map(core::net::Ipv4Addr::from)
}

fn is_loopback(authority: &str) -> bool {
    let host = match authority.rsplit_once(':') {
        Some((h, port)) if !h.ends_with(']') || authority.starts_with('[') => {
            if port.bytes().all(|b| b.is_ascii_digit()) { h } else { authority }
        }
        _ => authority,
    };
    host == "localhost" || host == "[::1]" || is_ipv4_loopback(host)
}

/// `127.a.b.c` written as four decimal octets. A name such as `127.example.com` is not a
/// loopback address: it resolves wherever its owner wants.
fn is_ipv4_loopback(host: &str) -> bool {
    let octet = |o: &str| !o.is_empty() && o.len() <= 3 && o.bytes().all(|b| b.is_ascii_digit()) && o.parse::<u8>().is_ok();
    let mut octets = host.split('.');
    octets.next() == Some("127") && octets.clone().count() == 3 && octets.all(octet)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        let ok = |u: &str| BaseUrl::parse(u).map(|b| (b.as_str().to_owned(), b.origin().to_owned()));
        assert_eq!(ok("https://API.deltadefi.io/"), Ok(("https://api.deltadefi.io".into(), "https://api.deltadefi.io".into())));
        assert_eq!(ok("https://adjutor.lendsqr.com/v2"), Ok(("https://adjutor.lendsqr.com/v2".into(), "https://adjutor.lendsqr.com".into())));
        assert_eq!(ok("http://127.0.0.1:8080/kiiex/ap").map(|b| b.1), Ok("http://127.0.0.1:8080".into()));
        assert!(ok("http://localhost:1/x").is_ok());
        assert!(ok("http://127.8.9.10").is_ok() && ok("http://[::1]:9/").is_ok());
        for bad in ["ftp://x", "http://example.com", "https://", "https://u:p@x.com", "https://x.com/?a", "https://x .com", "api.depay.us", "https://x.com/\n"] {
            assert_eq!(BaseUrl::parse(bad).map_err(|e| e.code()), Err("invalid_argument"), "{bad}");
        }
        // Found by fuzzing: authorities a URL parser reads differently, and names that merely
        // start with "127." (not loopback addresses).
        for bad in ["https://evil.com\\.api.defindex.io", "https://api%2edefindex.io", "https://[::1", "https://x.com:port", "https://x.com:443:1", "https://:443",
            "http://127.0.z.1", "http://127.evil.com", "http://127.0.0.1.evil.com:80", "http://127.0.0.256", "http://127.0.0.+1",
            "https://x.com:65536", "https://1.2.3.256", "https://0x100.1.1.1", "https://1.2.3.4.5", "https://09.1.1.1", "https://[::ffff:1.2.3.4]"] {
            assert_eq!(BaseUrl::parse(bad).map_err(|e| e.code()), Err("invalid_argument"), "{bad}");
        }
    }

    #[test]
    fn base_urls_are_written_as_the_url_parser_writes_them() {
        // Expected values are what `new URL(u).origin` gives in Node and browsers.
        let cases = [
            ("https://api.depay.us:443/v2/", "https://api.depay.us/v2", "https://api.depay.us"),
            ("http://localhost:80/x", "http://localhost/x", "http://localhost"),
            ("https://x.com:0443", "https://x.com", "https://x.com"),
            ("https://x.com:8443", "https://x.com:8443", "https://x.com:8443"),
            ("https://x.com:08443", "https://x.com:8443", "https://x.com:8443"),
            ("http://127.1:9/ap", "http://127.0.0.1:9/ap", "http://127.0.0.1:9"),
            ("http://0x7f.0.0.1", "http://127.0.0.1", "http://127.0.0.1"),
            ("http://0177.0.0.1", "http://127.0.0.1", "http://127.0.0.1"),
            ("http://2130706433", "http://127.0.0.1", "http://127.0.0.1"),
            ("https://1.2.3.4.", "https://1.2.3.4", "https://1.2.3.4"),
            ("http://[0:0:0:0:0:0:0:1]:8080", "http://[::1]:8080", "http://[::1]:8080"),
            ("https://[2001:DB8:0:0:1:0:0:1]", "https://[2001:db8::1:0:0:1]", "https://[2001:db8::1:0:0:1]"),
        ];
        for (input, url, origin) in cases {
            let b = BaseUrl::parse(input).unwrap_or_else(|e| unreachable!("{input}: {e}"));
            assert_eq!((b.as_str(), b.origin()), (url, origin), "{input}");
        }
    }

    #[test]
    fn same_origin() {
        let b = BaseUrl::parse("https://api.defindex.io").unwrap_or_else(|_| unreachable!());
        assert!(b.same_origin("https://api.defindex.io/vault"));
        assert!(b.same_origin("https://API.defindex.io"));
        assert!(!b.same_origin("https://api.defindex.io.evil.com/vault"));
        assert!(!b.same_origin("https://api.defindex.io:444/vault"));
        assert!(!b.same_origin("http://api.defindex.io/vault"));
        assert!(!b.same_origin("https://evil.com/https://api.defindex.io"));
    }
}
