//! DeFindex `/login`, `/refresh`, `/api-keys/generate`, `/api-keys` and `/revoke` answers.
#![no_main]

use keystamp::core::headers::check_credential;
use keystamp::core::http::Response;
use keystamp::core::providers::defindex::{parse_generated_key, parse_list_keys, parse_revoke, parse_tokens};
use keystamp::core::token::Lifetime;
use keystamp::core::ProviderId;
use keystamp_fuzz::{answer, check_answer_error};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((status, body)) = answer(data) else { return };
    let resp = Response::new(status, body);
    let check = |e: &keystamp::core::Error| check_answer_error(e, ProviderId::Defindex, status);
    match parse_tokens(&resp) {
        Ok(grant) => {
            assert!(check_credential("token", grant.access_token.expose()).is_ok());
            assert!(grant.refresh_token.as_ref().is_some_and(|r| check_credential("token", r.expose()).is_ok()));
            let Lifetime::ExpiresAtServerMs(ms) = grant.lifetime else { panic!("{:?}", grant.lifetime) };
            assert!((1_000_000_000_000..10_000_000_000_000).contains(&ms), "{ms}");
        }
        Err(e) => check(&e),
    }
    match parse_generated_key(&resp) {
        Ok(key) => {
            assert!(check_credential("token", key.key.expose()).is_ok());
            assert!(key.id.as_ref().is_none_or(|id| !id.is_empty()));
        }
        Err(e) => check(&e),
    }
    if let Err(e) = parse_revoke(&resp) {
        check(&e);
    }
    match parse_list_keys(&resp) {
        Ok(entries) => assert!(entries.iter().all(|entry| !entry.id.is_empty())),
        Err(e) => check(&e),
    }
});
