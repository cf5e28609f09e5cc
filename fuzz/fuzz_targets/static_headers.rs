//! The static header builder for every provider with arbitrary credentials.
#![no_main]

use keystamp::core::{static_headers, ProviderId, Secret, StaticCredentials};
use keystamp_fuzz::{credential_rule, is_documented};
use libfuzzer_sys::{arbitrary, fuzz_target};

#[derive(Debug, arbitrary::Arbitrary)]
struct Input {
    provider: u8,
    api_key: Option<String>,
    access_token: Option<String>,
    session_token: Option<String>,
}

fuzz_target!(|input: Input| {
    let provider = ProviderId::ALL[usize::from(input.provider % 5)];
    let creds = StaticCredentials {
        api_key: input.api_key.clone().map(Secret::from),
        access_token: input.access_token.clone().map(Secret::from),
        session_token: input.session_token.clone().map(Secret::from),
    };
    // Which credential the provider uses, and the header it goes in (see `static_headers`).
    let (used, name, bearer) = match provider {
        ProviderId::Defindex | ProviderId::Adjutor => (&input.api_key, "Authorization", true),
        ProviderId::Deltadefi => (&input.api_key, "X-API-KEY", false),
        ProviderId::Depay if input.access_token.is_none() && input.api_key.is_some() => (&input.api_key, "x-api-key", false),
        ProviderId::Depay => (&input.access_token, "Authorization", true),
        ProviderId::Kiiex => (&input.session_token, "aptoken", false),
    };
    match static_headers(provider, &creds) {
        Ok(h) => {
            let value = used.as_deref().unwrap();
            assert_eq!(credential_rule(value), None);
            let want = if bearer { format!("Bearer {value}") } else { value.to_owned() };
            let got: Vec<_> = h.iter().map(|h| (h.name(), h.value().to_owned())).collect();
            assert_eq!(got, vec![(name, want)]);
        }
        Err(e) => {
            assert!(is_documented(e.code()) && e.provider() == Some(provider), "{e:?}");
            let want = used.as_deref().map_or(Some("missing_credential"), credential_rule);
            assert_eq!(Some(e.code()), want, "{provider:?} {used:?}");
        }
    }
});
