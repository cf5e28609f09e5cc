//! DeltaDeFi `/accounts/new-api-key` answers.
#![no_main]

use keystamp::core::headers::check_credential;
use keystamp::core::http::Response;
use keystamp::core::providers::deltadefi::parse_rotate;
use keystamp::core::ProviderId;
use keystamp_fuzz::{answer, is_documented};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((status, body)) = answer(data) else { return };
    match parse_rotate(&Response::new(status, body)) {
        Ok(key) => {
            assert!((200..300).contains(&status));
            assert!(check_credential("token", key.api_key.expose()).is_ok());
        }
        Err(e) => {
            // The 4010 body code means "unauthorized" whatever the status, so only the shape is
            // checked here.
            assert!(is_documented(e.code()), "{e:?}");
            assert_eq!((e.provider(), e.status()), (Some(ProviderId::Deltadefi), Some(status)));
        }
    }
});
