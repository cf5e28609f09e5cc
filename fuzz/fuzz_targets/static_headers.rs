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
    // Adjutor Core Services: with an access token, a second header after the bearer key, checked
    // after the key.
    let core_services = match (provider, &input.access_token) {
        (ProviderId::Adjutor, Some(token)) => Some(token.as_str()),
        _ => None,
    };
    match static_headers(provider, &creds) {
        Ok(h) if core_services.is_some() => {
            let (key, token) = (used.as_deref().unwrap(), core_services.unwrap());
            assert_eq!((credential_rule(key), credential_rule(token)), (None, None));
            let got: Vec<_> = h.iter().map(|h| (h.name(), h.value().to_owned())).collect();
            assert_eq!(got, vec![("Authorization", format!("Bearer {key}")), ("x-access-token", token.to_owned())]);
        }
        Err(e) if core_services.is_some() && used.as_deref().is_some_and(|key| credential_rule(key).is_none()) => {
            assert!(e.provider() == Some(provider) && e.field() == Some("accessToken"), "{e:?}");
            assert_eq!(Some(e.code()), credential_rule(core_services.unwrap()), "{core_services:?}");
        }
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
