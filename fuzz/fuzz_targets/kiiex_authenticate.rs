//! Kiiex `AuthenticateUser` answers.
#![no_main]

use keystamp::core::headers::check_credential;
use keystamp::core::http::Response;
use keystamp::core::providers::kiiex::parse_authenticate;
use keystamp::core::ProviderId;
use keystamp_fuzz::{answer, check_answer_error};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((status, body)) = answer(data) else { return };
    match parse_authenticate(&Response::new(status, body)) {
        Ok(token) => {
            assert!((200..300).contains(&status));
            assert!(check_credential("token", token.expose()).is_ok());
        }
        Err(e) => check_answer_error(&e, ProviderId::Kiiex, status),
    }
});
