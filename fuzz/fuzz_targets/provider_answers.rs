//! The answers added for the second research pass: Adjutor's Core Services login, DeFindex's key
//! list and array generate answers, DeltaDeFi's error bodies on any call, and DePay callback
//! verification with arbitrary bytes (never a panic; `true` only for the real signature).
#![no_main]

use keystamp::core::headers::check_credential;
use keystamp::core::http::Response;
use keystamp::core::providers::{adjutor, defindex, deltadefi, depay, ProviderId};
use keystamp::core::token::Lifetime;
use keystamp_fuzz::{answer, check_answer_error, is_documented};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((status, body)) = answer(data) else { return };
    let resp = Response::new(status, body);
    match adjutor::parse_login(&resp) {
        Ok(grant) => {
            assert!(check_credential("token", grant.access_token.expose()).is_ok());
            assert!(matches!(grant.lifetime, Lifetime::ExpiresAtServerMs(ms) if (1_000_000_000_000..10_000_000_000_000).contains(&ms)));
        }
        Err(e) => check_answer_error(&e, ProviderId::Adjutor, status),
    }
    match defindex::parse_list_keys(&resp) {
        Ok(entries) => assert!((200..300).contains(&status) && entries.iter().all(|e| !e.id.is_empty())),
        Err(e) => check_answer_error(&e, ProviderId::Defindex, status),
    }
    if let Some(e) = deltadefi::answer_error(&resp) {
        assert!(is_documented(e.code()), "{e:?}");
        assert_eq!((e.provider(), e.status()), (Some(ProviderId::Deltadefi), Some(status)));
    } else {
        assert!((200..300).contains(&status));
    }
    // The body as a callback: the real signature verifies, the text itself (as a signature) does
    // not unless it is exactly that signature.
    let signature = depay::callback_signature("k", "u", body.as_bytes());
    assert!(depay::verify_callback("k", "u", body.as_bytes(), &signature));
    assert_eq!(depay::verify_callback("k", "u", body.as_bytes(), body), body == signature);
});
