//! The Kiiex signer with arbitrary secrets and parts, checked against HMAC-SHA256 computed
//! directly with the `hmac` crate, and the `AuthenticateUser` forms built from it.
#![no_main]

use hmac::{Hmac, KeyInit, Mac};
use keystamp::core::headers::check_header_value;
use keystamp::core::http::BaseUrl;
use keystamp::core::providers::kiiex::{authenticate_request, check_secret, AuthFields, AuthForm, KiiexSigner, STAGING_URL};
use keystamp::core::Secret;
use libfuzzer_sys::{arbitrary, fuzz_target};

#[derive(Debug, arbitrary::Arbitrary)]
struct Input<'a> {
    secret: &'a str,
    nonce: &'a str,
    user_id: &'a str,
    api_key: &'a str,
}

fuzz_target!(|input: Input<'_>| {
    let Input { secret, nonce, user_id, api_key } = input;
    let secret_ok = !secret.is_empty() && secret.len() <= 4096 && secret.bytes().all(|b| (0x21..0x7F).contains(&b));
    assert_eq!(check_secret(secret).is_ok(), secret_ok, "{secret:?}");
    let Ok(signer) = KiiexSigner::new(&Secret::from(secret)) else {
        assert!(!secret_ok);
        return;
    };
    let Ok(signature) = signer.sign(nonce, user_id, api_key) else { return };
    let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{nonce}{user_id}{api_key}").as_bytes());
    assert_eq!(signature, hex::encode(mac.finalize().into_bytes()));
    assert!(signer.verify(nonce, user_id, api_key, &signature));
    let mut flipped = signature.clone().into_bytes();
    flipped[0] = if flipped[0] == b'0' { b'1' } else { b'0' };
    assert!(!signer.verify(nonce, user_id, api_key, core::str::from_utf8(&flipped).unwrap()));

    let Ok(fields) = AuthFields::new(&signer, api_key, user_id, nonce) else { return };
    let base = BaseUrl::parse(STAGING_URL).unwrap();
    for form in [AuthForm::HeadersGet, AuthForm::HeadersPost, AuthForm::JsonBody] {
        let request = authenticate_request(&base, &fields, form).unwrap();
        assert!(request.headers.iter().all(|h| check_header_value("h", h.value()).is_ok()));
        if let Some(body) = &request.body {
            let v: serde_json::Value = serde_json::from_str(body).unwrap();
            assert_eq!((v["APIKey"].as_str(), v["UserId"].as_str(), v["Nonce"].as_str()), (Some(api_key), Some(user_id), Some(nonce)));
            assert_eq!(v["Signature"].as_str(), Some(signature.as_str()));
        }
    }
    let frame: serde_json::Value = serde_json::from_str(&keystamp::core::providers::kiiex::ws::authenticate_frame(&fields, 7).unwrap()).unwrap();
    let inner: serde_json::Value = serde_json::from_str(frame["o"].as_str().unwrap()).unwrap();
    assert_eq!(inner["Signature"].as_str(), Some(signature.as_str()));
});
