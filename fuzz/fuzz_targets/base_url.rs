//! `BaseUrl::parse` and `same_origin`: the input is a base URL, a newline, and a URL to compare.
#![no_main]

use keystamp::core::http::BaseUrl;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else { return };
    let (base, other) = text.split_once('\n').unwrap_or((text, ""));
    let Ok(b) = BaseUrl::parse(base) else { return };
    let (url, origin) = (b.as_str(), b.origin());
    assert!(url.starts_with(origin), "{url} / {origin}");
    assert!(origin.starts_with("https://") || origin.starts_with("http://"), "{origin}");
    assert!(!url.ends_with('/') && !url.contains(['?', '#']), "{url}");
    // The origin is what a WHATWG URL parser (fetch) reads too: no user info, `\`, `%`, ...
    let authority = origin.split_once("://").map_or("", |(_, a)| a);
    assert!(authority.bytes().all(|c| c.is_ascii_alphanumeric() || b"-._:[]".contains(&c)), "{origin}");
    assert!(url.bytes().all(|c| (0x21..0x7F).contains(&c)), "{url}");
    assert_eq!(BaseUrl::parse(url).as_ref(), Ok(&b), "parse is idempotent");
    assert!(b.same_origin(url) && b.same_origin(&b.join("/x")));
    if origin.starts_with("http://") {
        let host = &origin["http://".len()..];
        let host = host.rsplit_once(':').filter(|(_, p)| p.bytes().all(|c| c.is_ascii_digit())).map_or(host, |(h, _)| h);
        let ipv4_loopback = host.split('.').count() == 4 && host.split('.').all(|o| o.parse::<u8>().is_ok()) && host.starts_with("127.");
        assert!(host == "localhost" || host == "[::1]" || ipv4_loopback, "plain http to {host}");
    }
    if b.same_origin(other) {
        assert!(other.get(..origin.len()).is_some_and(|o| o.eq_ignore_ascii_case(origin)), "{other}");
        assert!(matches!(other.as_bytes().get(origin.len()), None | Some(b'/' | b'?' | b'#')), "{other}");
    }
});
