//! DePay `/auth/token` answers: any status and body.
#![no_main]

use keystamp::core::headers::check_credential;
use keystamp::core::http::Response;
use keystamp::core::providers::depay::{parse_token, MAX_EXPIRES_IN_SECS};
use keystamp::core::token::Lifetime;
use keystamp::core::ProviderId;
use keystamp_fuzz::{answer, check_answer_error};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((status, body)) = answer(data) else { return };
    match parse_token(&Response::new(status, body)) {
        Ok(grant) => {
            assert!((200..300).contains(&status));
            assert!(check_credential("token", grant.access_token.expose()).is_ok());
            if let Some(refresh) = &grant.refresh_token {
                assert!(check_credential("token", refresh.expose()).is_ok());
            }
            let Lifetime::ExpiresInMs(ms) = grant.lifetime else { panic!("{:?}", grant.lifetime) };
            assert!((1000..=MAX_EXPIRES_IN_SECS * 1000).contains(&ms) && ms % 1000 == 0, "{ms}");
        }
        Err(e) => check_answer_error(&e, ProviderId::Depay, status),
    }
});
