//! The HTTP `Date` parser the session uses to learn the server's clock offset.
#![no_main]

use keystamp::core::session::parse_http_date_ms;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else { return };
    if let Some(ms) = parse_http_date_ms(text) {
        // httpdate accepts years 1970..=9999.
        assert!(ms < 253_402_300_800_000, "{ms}");
    }
});
