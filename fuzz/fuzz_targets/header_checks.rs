//! Header name/value/credential checks against the rules restated independently.
#![no_main]

use keystamp::core::headers::{check_credential, check_header_name, check_header_value, Headers};
use keystamp_fuzz::{credential_rule, header_value_rule};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = core::str::from_utf8(data) else { return };
    let code = |r: keystamp::core::Result<()>| r.err().map(|e| e.code());
    assert_eq!(code(check_header_value("field", value)), header_value_rule(value), "{value:?}");
    assert_eq!(code(check_credential("field", value)), credential_rule(value), "{value:?}");

    let tchar = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    let name_ok = !value.is_empty() && value.len() <= 256 && value.bytes().all(tchar);
    assert_eq!(check_header_name(value).is_ok(), name_ok, "{value:?}");

    // A value accepted into Headers comes back unchanged and never carries CR, LF or NUL.
    let mut h = Headers::new();
    if h.push_sensitive("X-Test", "field", value.to_owned()).is_ok() {
        assert_eq!(h.get("x-test"), Some(value));
        assert!(!value.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)));
        assert_eq!(format!("{h:?}"), r#"[Header("X-Test", "[redacted]")]"#);
    }
});
