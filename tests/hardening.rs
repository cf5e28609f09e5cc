//! Hostile input against the public core API.
//!
//! - A table of bad inputs (control characters, non-ASCII, padding, huge values, unknown names,
//!   provider answers that break the contracts), each with the exact error code it must give.
//! - `Debug` and `Display` of every core type and error that holds or saw a secret: the marker
//!   never shows.
//! - Regressions for what fuzzing found.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use keystamp::core::http::{BaseUrl, Response};
use keystamp::core::jwt::{unverified_expiry_ms, JwtError};
use keystamp::core::providers::kiiex::{authenticate_request, ws, AuthFields, AuthForm, KiiexSigner};
use keystamp::core::providers::{adjutor, defindex, deltadefi, depay, kiiex};
use keystamp::core::session::{Credentials, Session, Timing};
use keystamp::core::{static_headers, Error, ErrorKind, ProviderId, Secret, StaticCredentials};

const MARKER: &str = "MARKER_SECRET_7f3a";
const MIB: usize = 1024 * 1024;
/// A JWT whose payload is `{"sub":"1","iat":1750269164,"exp":1750272764}`.
const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIiwiaWF0IjoxNzUwMjY5MTY0LCJleHAiOjE3NTAyNzI3NjR9.c2ln";

type Outcome = Result<(), Error>;

fn headers(provider: ProviderId, field: &str, value: &str) -> Outcome {
    let secret = Some(Secret::from(value));
    let creds = match field {
        "apiKey" => StaticCredentials { api_key: secret, ..Default::default() },
        "accessToken" => StaticCredentials { access_token: secret, ..Default::default() },
        _ => StaticCredentials { session_token: secret, ..Default::default() },
    };
    static_headers(provider, &creds).map(drop)
}

fn sign(secret: &str, nonce: &str, user_id: &str, api_key: &str) -> Outcome {
    KiiexSigner::new(&Secret::from(secret))?.sign(nonce, user_id, api_key).map(drop)
}

fn signer() -> KiiexSigner {
    KiiexSigner::new(&Secret::from("SECRET_FROM_DASHBOARD")).unwrap_or_else(|e| unreachable!("{e}"))
}

fn jwt_with_payload(payload: &str) -> String {
    format!("eyJhbGciOiJIUzI1NiJ9.{}.c2ln", URL_SAFE_NO_PAD.encode(payload))
}

fn depay(status: u16, body: &str) -> Outcome {
    depay::parse_token(&Response::new(status, body)).map(drop)
}

fn depay_expires(expires_in: &str) -> Outcome {
    depay(200, &format!(r#"{{"expiresIn":{expires_in},"accessToken":"a.b.c","refreshToken":"r.s.t"}}"#))
}

fn defindex(status: u16, body: &str) -> Outcome {
    defindex::parse_tokens(&Response::new(status, body)).map(drop)
}

fn defindex_access(access_token: &str) -> Outcome {
    defindex(200, &format!(r#"{{"access_token":"{access_token}","refresh_token":"r1"}}"#))
}

fn deltadefi(status: u16, body: &str) -> Outcome {
    deltadefi::parse_rotate(&Response::new(status, body)).map(drop)
}

fn kiiex(status: u16, body: &str) -> Outcome {
    kiiex::parse_authenticate(&Response::new(status, body)).map(drop)
}

fn kiiex_2fa(status: u16, body: &str) -> Outcome {
    kiiex::parse_authenticate_2fa(&Response::new(status, body)).map(drop)
}

fn adjutor(status: u16, body: &str) -> Outcome {
    adjutor::parse_login(&Response::new(status, body)).map(drop)
}

fn base() -> BaseUrl {
    BaseUrl::parse("https://api.example.com").unwrap_or_else(|e| unreachable!("{e}"))
}

/// A WebSocket reply frame `{"m","i","n","o"}` read as the reply to request 2.
fn ws_reply(frame: &str) -> Outcome {
    ws::read_authenticate_reply(frame, 2).map(drop)
}

fn base_url(url: &str) -> Outcome {
    BaseUrl::parse(url).map(drop)
}

/// Every bad input, what it goes through, and the exact code it must give.
fn bad_inputs() -> Vec<(&'static str, Outcome, &'static str)> {
    use ProviderId::*;
    let huge = "a".repeat(MIB);
    let over_header = "a".repeat(8 * 1024 + 1);
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let big_body = format!(r#"{{"expiresIn":"60","accessToken":"{}"}}"#, "a".repeat(MIB));
    vec![
        // Header values: header injection, control characters, non-ASCII, padding, size.
        ("apiKey with CR LF and a second header", headers(Deltadefi, "apiKey", "dd_key\r\nX-Evil: 1"), "invalid_header_value"),
        ("apiKey with a bare LF", headers(Defindex, "apiKey", "sk_key\n"), "invalid_header_value"),
        ("apiKey with a bare CR", headers(Adjutor, "apiKey", "adj\rkey"), "invalid_header_value"),
        ("apiKey with NUL", headers(Adjutor, "apiKey", "adj\0key"), "invalid_header_value"),
        ("apiKey with ESC", headers(Deltadefi, "apiKey", "dd\x1bkey"), "invalid_header_value"),
        ("apiKey with DEL", headers(Deltadefi, "apiKey", "dd\x7fkey"), "invalid_header_value"),
        ("apiKey with a vertical tab", headers(Defindex, "apiKey", "sk\x0bkey"), "invalid_header_value"),
        ("apiKey with a form feed", headers(Defindex, "apiKey", "sk\x0ckey"), "invalid_header_value"),
        ("apiKey with NEL (U+0085)", headers(Adjutor, "apiKey", "adj\u{85}key"), "invalid_header_value"),
        ("apiKey with LINE SEPARATOR", headers(Adjutor, "apiKey", "adj\u{2028}key"), "invalid_header_value"),
        ("apiKey with a BOM", headers(Deltadefi, "apiKey", "\u{feff}dd_key"), "invalid_header_value"),
        ("apiKey with Latin-1 e-acute", headers(Defindex, "apiKey", "sk_caf\u{e9}"), "invalid_header_value"),
        ("apiKey with a Cyrillic homoglyph", headers(Depay, "apiKey", "dp_\u{43a}ey"), "invalid_header_value"),
        ("apiKey with an emoji", headers(Adjutor, "apiKey", "adj_\u{1f511}"), "invalid_header_value"),
        ("apiKey with a leading space", headers(Defindex, "apiKey", " sk_key"), "invalid_header_value"),
        ("apiKey with a trailing space", headers(Deltadefi, "apiKey", "dd_key "), "invalid_header_value"),
        ("apiKey with a leading tab", headers(Adjutor, "apiKey", "\tadj_key"), "invalid_header_value"),
        ("apiKey with a trailing tab", headers(Depay, "apiKey", "dp_key\t"), "invalid_header_value"),
        ("apiKey with an inner space", headers(Defindex, "apiKey", "sk key"), "invalid_header_value"),
        ("apiKey that is only spaces", headers(Deltadefi, "apiKey", "   "), "invalid_header_value"),
        ("empty apiKey", headers(Adjutor, "apiKey", ""), "missing_credential"),
        ("apiKey one byte over 8 KiB", headers(Deltadefi, "apiKey", &over_header), "input_too_large"),
        ("apiKey of 1 MiB", headers(Defindex, "apiKey", &huge), "input_too_large"),
        ("DePay accessToken with CR LF", headers(Depay, "accessToken", "eyJ.a\r\nb"), "invalid_header_value"),
        ("DePay accessToken with NUL", headers(Depay, "accessToken", "eyJ\0"), "invalid_header_value"),
        ("empty DePay accessToken", headers(Depay, "accessToken", ""), "missing_credential"),
        ("Kiiex sessionToken with LF", headers(Kiiex, "sessionToken", "sess\n"), "invalid_header_value"),
        ("Kiiex sessionToken non-ASCII", headers(Kiiex, "sessionToken", "sess_\u{e9}"), "invalid_header_value"),
        ("Kiiex sessionToken of 1 MiB", headers(Kiiex, "sessionToken", &huge), "input_too_large"),
        ("Kiiex without sessionToken", headers(Kiiex, "apiKey", "k"), "missing_credential"),
        ("DeFindex without apiKey", headers(Defindex, "sessionToken", "s"), "missing_credential"),
        // Kiiex signing: the secret, the signed parts, the header values.
        ("empty apiSecret", sign("", "1", "1", "k"), "missing_credential"),
        ("apiSecret with a trailing LF", sign("secret\n", "1", "1", "k"), "invalid_secret"),
        ("apiSecret with CR LF inside", sign("sec\r\nret", "1", "1", "k"), "invalid_secret"),
        ("apiSecret with NUL", sign("sec\0ret", "1", "1", "k"), "invalid_secret"),
        ("apiSecret with a leading space", sign(" secret", "1", "1", "k"), "invalid_secret"),
        ("apiSecret with an inner tab", sign("sec\tret", "1", "1", "k"), "invalid_secret"),
        ("apiSecret non-ASCII", sign("s\u{e9}cret", "1", "1", "k"), "invalid_secret"),
        ("apiSecret over 4 KiB", sign(&"s".repeat(4097), "1", "1", "k"), "input_too_large"),
        ("apiSecret of 1 MiB", sign(&huge, "1", "1", "k"), "input_too_large"),
        ("empty nonce", sign("secret", "", "1", "k"), "missing_credential"),
        ("nonce with CR LF", sign("secret", "1\r\n", "1", "k"), "invalid_argument"),
        ("nonce with NUL", sign("secret", "1\0", "1", "k"), "invalid_argument"),
        ("nonce with a leading space", sign("secret", " 1", "1", "k"), "invalid_argument"),
        ("nonce of 1 MiB", sign("secret", &huge, "1", "k"), "input_too_large"),
        ("empty userId", sign("secret", "1", "", "k"), "missing_credential"),
        ("userId with a trailing tab", sign("secret", "1", "42\t", "k"), "invalid_argument"),
        ("userId with ESC", sign("secret", "1", "4\x1b2", "k"), "invalid_argument"),
        ("userId of 1 MiB", sign("secret", "1", &huge, "k"), "input_too_large"),
        ("empty apiKey to sign", sign("secret", "1", "1", ""), "missing_credential"),
        ("apiKey to sign with NUL", sign("secret", "1", "1", "k\0"), "invalid_header_value"),
        ("apiKey to sign with LF", sign("secret", "1", "1", "k\n"), "invalid_header_value"),
        ("apiKey to sign of 1 MiB", sign("secret", "1", "1", &huge), "input_too_large"),
        ("AuthenticateUser with a non-ASCII userId", AuthFields::new(&signer(), "k", "usu\u{e1}rio", "1").map(drop), "invalid_header_value"),
        ("AuthenticateUser with an inner space in the nonce", AuthFields::new(&signer(), "k", "1", "1 2").map(drop), "invalid_header_value"),
        // Provider names.
        ("empty provider", "".parse::<ProviderId>().map(drop), "unknown_provider"),
        ("provider in another case", "Kiiex".parse::<ProviderId>().map(drop), "unknown_provider"),
        ("provider with a trailing space", "kiiex ".parse::<ProviderId>().map(drop), "unknown_provider"),
        ("provider with NUL", "kiiex\0".parse::<ProviderId>().map(drop), "unknown_provider"),
        ("provider in fullwidth letters", "\u{ff4b}iiex".parse::<ProviderId>().map(drop), "unknown_provider"),
        ("unknown provider", "stripe".parse::<ProviderId>().map(drop), "unknown_provider"),
        // Base URLs: plain http only to loopback, nothing a URL parser could read differently.
        ("http to a public host", base_url("http://api.defindex.io"), "invalid_argument"),
        ("http to a name that starts with 127.", base_url("http://127.evil.com"), "invalid_argument"),
        ("http to 127.x with a letter octet", base_url("http://127.0.z.1"), "invalid_argument"),
        ("backslash in the authority", base_url("https://evil.com\\.api.defindex.io"), "invalid_argument"),
        ("user info in the authority", base_url("https://api.defindex.io@evil.com"), "invalid_argument"),
        ("percent-encoded host", base_url("https://api%2edefindex.io"), "invalid_argument"),
        ("base URL with CR LF", base_url("https://api.defindex.io/\r\n"), "invalid_argument"),
        ("base URL of 1 MiB", base_url(&format!("https://{huge}")), "invalid_argument"),
        // DePay `/auth/token` answers.
        ("DePay answer not JSON", depay(200, "<html>502</html>"), "malformed_response"),
        ("DePay empty answer", depay(200, ""), "malformed_response"),
        ("DePay answer an array", depay(200, "[]"), "malformed_response"),
        ("DePay answer JSON null", depay(200, "null"), "malformed_response"),
        ("DePay answer without fields", depay(200, "{}"), "malformed_response"),
        ("DePay expiresIn \"abc\"", depay_expires(r#""abc""#), "malformed_response"),
        ("DePay expiresIn \"-1\"", depay_expires(r#""-1""#), "malformed_response"),
        ("DePay expiresIn \"1e309\"", depay_expires(r#""1e309""#), "malformed_response"),
        ("DePay expiresIn \"0\"", depay_expires(r#""0""#), "malformed_response"),
        ("DePay expiresIn the number 1e309", depay_expires("1e309"), "malformed_response"),
        ("DePay expiresIn a fraction", depay_expires("3600.5"), "malformed_response"),
        ("DePay expiresIn over a year", depay_expires(r#""99999999""#), "malformed_response"),
        ("DePay expiresIn an object", depay_expires(r#"{"s":3600}"#), "malformed_response"),
        ("DePay accessToken a number", depay(200, r#"{"expiresIn":"60","accessToken":42}"#), "malformed_response"),
        ("DePay accessToken with CR LF", depay(200, r#"{"expiresIn":"60","accessToken":"a\r\nX-Evil: 1"}"#), "malformed_response"),
        ("DePay answer over 1 MiB", depay(200, &big_body), "input_too_large"),
        ("DePay answer nested 100000 deep", depay(200, &deep), "malformed_response"),
        ("DePay 403 with a success body", depay(403, r#"{"expiresIn":"60","accessToken":"a"}"#), "auth_rejected"),
        ("DePay 429", depay(429, "slow down"), "rate_limited"),
        ("DePay 503 with HTML", depay(503, "<html>"), "provider_unavailable"),
        // DeFindex `/login` answers and the JWT inside.
        ("DeFindex answer not JSON", defindex(200, "OK"), "malformed_response"),
        ("DeFindex JWT payload not base64url", defindex_access("eyJhbGciOiJIUzI1NiJ9.!!!*.c2ln"), "malformed_response"),
        ("DeFindex JWT payload not JSON", defindex_access(&jwt_with_payload("not json")), "malformed_response"),
        ("DeFindex JWT payload a JSON array", defindex_access(&jwt_with_payload("[1750272764]")), "malformed_response"),
        ("DeFindex JWT without exp", defindex_access(&jwt_with_payload(r#"{"sub":"1","iat":1750269164}"#)), "malformed_response"),
        ("DeFindex JWT exp a string", defindex_access(&jwt_with_payload(r#"{"exp":"1750272764"}"#)), "malformed_response"),
        ("DeFindex JWT exp 1e309", defindex_access(&jwt_with_payload(r#"{"exp":1e309}"#)), "malformed_response"),
        ("DeFindex JWT exp negative", defindex_access(&jwt_with_payload(r#"{"exp":-1}"#)), "malformed_response"),
        ("DeFindex JWT with four parts", defindex_access("a.b.c.d"), "malformed_response"),
        ("DeFindex without refresh token", defindex(200, &format!(r#"{{"access_token":"{JWT}"}}"#)), "malformed_response"),
        ("DeFindex access token a number", defindex(200, r#"{"access_token":7,"refresh_token":"r"}"#), "malformed_response"),
        ("DeFindex 401", defindex(401, r#"{"message":"Unauthorized"}"#), "auth_rejected"),
        // DeltaDeFi `/accounts/new-api-key` answers.
        ("DeltaDeFi answer not JSON", deltadefi(200, "nope"), "malformed_response"),
        ("DeltaDeFi api_key missing", deltadefi(200, r#"{"created_at":"2026-01-01T00:00:00Z"}"#), "malformed_response"),
        ("DeltaDeFi api_key a number", deltadefi(200, r#"{"api_key":7,"created_at":"x"}"#), "malformed_response"),
        ("DeltaDeFi api_key with LF", deltadefi(200, r#"{"api_key":"dd\nX","created_at":"x"}"#), "malformed_response"),
        ("DeltaDeFi code 4010 with status 200", deltadefi(200, r#"{"error":"unauthorized","code":4010}"#), "auth_rejected"),
        ("DeltaDeFi code 4290", deltadefi(400, r#"{"error":"rate limit","code":4290}"#), "rate_limited"),
        ("DeltaDeFi code 5002 with status 200", deltadefi(200, r#"{"error":"trading locked","code":5002}"#), "provider_unavailable"),
        ("DeltaDeFi code a string (the 503 status decides)", deltadefi(503, r#"{"error":"x","code":"5001"}"#), "provider_unavailable"),
        // Kiiex `AuthenticateUser` answers.
        ("Kiiex answer not JSON", kiiex(200, "<html>"), "malformed_response"),
        ("Kiiex Authenticated a string", kiiex(200, r#"{"Authenticated":"true","SessionToken":"t"}"#), "malformed_response"),
        ("Kiiex SessionToken missing", kiiex(200, r#"{"Authenticated":true}"#), "malformed_response"),
        ("Kiiex SessionToken a number", kiiex(200, r#"{"Authenticated":true,"SessionToken":42}"#), "malformed_response"),
        ("Kiiex SessionToken with CR LF", kiiex(200, r#"{"Authenticated":true,"SessionToken":"a\r\nb"}"#), "malformed_response"),
        ("Kiiex SessionToken with NUL", kiiex(200, r#"{"Authenticated":true,"SessionToken":"a\u0000b"}"#), "malformed_response"),
        ("Kiiex result false", kiiex(200, r#"{"result":false,"errormsg":"Not Authorized","errorcode":20}"#), "auth_rejected"),
        ("Kiiex answer an array", kiiex(200, "[]"), "malformed_response"),
        ("Kiiex 400 of a locked account", kiiex(400, r#"{"authenticated":false,"locked":true,"errormsg":"locked"}"#), "auth_rejected"),
        ("Kiiex 2FA required without a code source", kiiex(200, r#"{"authenticated":false,"requires2FA":true,"twoFAToken":"p"}"#), "two_factor_required"),
        ("Kiiex pending 2FA token with CR LF", kiiex(200, r#"{"requires2FA":true,"twoFAToken":"p\r\nX: 1"}"#), "malformed_response"),
        ("Kiiex pending 2FA token an object", kiiex(200, r#"{"requires2FA":true,"Pending2FaToken":{}}"#), "malformed_response"),
        // Kiiex second factor and logout.
        ("Kiiex 2FA code with letters", kiiex::authenticate_2fa_request(&base(), "12a456", None).map(drop), "invalid_argument"),
        ("Kiiex 2FA code with a query", kiiex::authenticate_2fa_request(&base(), "123456&Code=1", None).map(drop), "invalid_argument"),
        ("Kiiex 2FA code with CR LF", kiiex::authenticate_2fa_request(&base(), "123456\r\n", None).map(drop), "invalid_argument"),
        ("Kiiex 2FA code of 1 MiB", kiiex::authenticate_2fa_request(&base(), &"1".repeat(MIB), None).map(drop), "invalid_argument"),
        ("Kiiex empty 2FA code", kiiex::authenticate_2fa_request(&base(), "", None).map(drop), "missing_credential"),
        ("Kiiex pending token with CR LF", kiiex::authenticate_2fa_request(&base(), "123456", Some("p\r\nX: 1")).map(drop), "invalid_header_value"),
        ("Kiiex 2FA answer refused", kiiex_2fa(200, r#"{"Authenticated":false,"errormsg":"Invalid code"}"#), "auth_rejected"),
        ("Kiiex 2FA answer without token", kiiex_2fa(200, r#"{"Authenticated":true}"#), "malformed_response"),
        ("Kiiex logout with a LF in the token", kiiex::logout_request(&base(), "s\n").map(drop), "invalid_header_value"),
        ("Kiiex logout answer without result", kiiex::parse_logout(&Response::new(200, "{}")), "malformed_response"),
        // Kiiex WebSocket frames.
        ("WebSocket frame with sequence 0", AuthFields::new(&signer(), "k", "1", "1").and_then(|f| ws::authenticate_frame(&f, 0)).map(drop), "invalid_argument"),
        ("WebSocket frame with sequence 2^53", ws::request_frame(1 << 53, "Ping", "{}").map(drop), "invalid_argument"),
        ("WebSocket function with a quote", ws::request_frame(2, "Ping\",\"x", "{}").map(drop), "invalid_argument"),
        ("WebSocket payload not JSON", ws::request_frame(2, "Ping", "{oops").map(drop), "invalid_argument"),
        ("WebSocket reply not JSON", ws_reply("<html>"), "malformed_response"),
        ("WebSocket reply for another request", ws_reply(r#"{"m":1,"i":4,"n":"AuthenticateUser","o":"{}"}"#), "malformed_response"),
        ("WebSocket event frame read as a reply", ws_reply(r#"{"m":3,"i":2,"n":"AuthenticateUser","o":"{}"}"#), "malformed_response"),
        ("WebSocket error frame", ws_reply(r#"{"m":5,"i":2,"n":"AuthenticateUser","o":"Endpoint Not Found"}"#), "provider_error"),
        ("WebSocket reply o an object", ws_reply(r#"{"m":1,"i":2,"n":"AuthenticateUser","o":{}}"#), "malformed_response"),
        ("WebSocket reply o not JSON", ws_reply(r#"{"m":1,"i":2,"n":"AuthenticateUser","o":"Authenticated"}"#), "malformed_response"),
        ("WebSocket reply refused", ws_reply(r#"{"m":1,"i":2,"n":"AuthenticateUser","o":"{\"Authenticated\":false}"}"#), "auth_rejected"),
        ("WebSocket reply nested 100000 deep", ws_reply(&deep), "malformed_response"),
        ("WebSocket reply over 1 MiB", ws_reply(&format!("{}{}", " ".repeat(MIB), "{}")), "input_too_large"),
        // Adjutor Core Services.
        ("Adjutor login answer without token", adjutor(200, r#"{"status":"success"}"#), "malformed_response"),
        ("Adjutor login token not a JWT", adjutor(200, r#"{"token":"opaque"}"#), "malformed_response"),
        ("Adjutor login token with CR LF", adjutor(200, r#"{"token":"a.b\r\n.c"}"#), "malformed_response"),
        ("Adjutor login 401", adjutor(401, r#"{"status":"error","message":"Invalid login"}"#), "auth_rejected"),
        ("Adjutor login email with LF", adjutor::login_request(&base(), "k", "a@b\n", &Secret::from("pw")).map(drop), "invalid_argument"),
        ("Adjutor access token with CR LF", adjutor::headers_with_access_token("k", "t\r\nX: 1").map(drop), "invalid_header_value"),
        // DePay token paths and wrapped answers.
        ("DePay token path to another host", depay::token_request_at(&base(), "//evil.com/auth/token", "k").map(drop), "invalid_argument"),
        ("DePay token path with a query", depay::token_request_at(&base(), "/auth/token?x=1", "k").map(drop), "invalid_argument"),
        ("DePay token path climbing up", depay::token_request_at(&base(), "/v2/../../auth/token", "k").map(drop), "invalid_argument"),
        ("DePay token path with CR LF", depay::token_request_at(&base(), "/auth/token\r\nX: 1", "k").map(drop), "invalid_argument"),
        ("DePay token path of 1 MiB", depay::token_request_at(&base(), &format!("/{huge}"), "k").map(drop), "input_too_large"),
        ("DePay wrapped answer without token", depay(200, r#"{"response":{"expiresIn":"3600"}}"#), "malformed_response"),
        ("DePay wrapped answer a string", depay(200, r#"{"response":"a.b.c"}"#), "malformed_response"),
        // DeFindex keys.
        ("DeFindex generate answer an empty array", defindex::parse_generated_key(&Response::new(200, "[]")).map(drop), "malformed_response"),
        ("DeFindex key list not an array", defindex::parse_list_keys(&Response::new(201, r#"{"keys":[]}"#)).map(drop), "malformed_response"),
        ("DeFindex key list entry without id", defindex::parse_list_keys(&Response::new(200, r#"[{"name":"x"}]"#)).map(drop), "malformed_response"),
    ]
}

#[test]
fn every_bad_input_gives_its_exact_code() {
    let cases = bad_inputs();
    assert_eq!(cases.len(), 160, "update the count in the report when adding cases");
    let mut failures = Vec::new();
    for (name, outcome, want) in &cases {
        match outcome {
            Err(e) if e.code() == *want => {}
            other => failures.push(format!("{name}: want {want}, got {:?}", other.as_ref().map_err(Error::code))),
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

#[test]
fn every_code_is_documented() {
    // The README's error table (rows "| `code` | meaning |" under "## Errors") is the documentation.
    let readme = include_str!("../README.md");
    let table = readme.split("\n## Errors\n").nth(1).and_then(|rest| rest.split("\n## ").next()).unwrap_or_default();
    let documented: Vec<&str> = table.lines().filter_map(|l| l.strip_prefix("| `")).filter_map(|l| l.split('`').next()).collect();
    let codes: Vec<_> = ErrorKind::ALL.iter().map(|k| k.code()).collect();
    assert_eq!(codes, documented);
    for (name, outcome, _) in bad_inputs() {
        let code = outcome.err().map(|e| e.code());
        assert!(code.is_some_and(|c| documented.contains(&c)), "{name}: {code:?}");
    }
}

#[test]
fn jwt_reader_rejects_each_malformed_token() {
    let cases: Vec<(String, JwtError)> = vec![
        ("".into(), JwtError::NotAJwt),
        ("only.two".into(), JwtError::NotAJwt),
        ("a.b.c.d".into(), JwtError::NotAJwt),
        (format!("a.{}.c", "A".repeat(20 * 1024)), JwtError::NotAJwt),
        ("a.!!!.c".into(), JwtError::NotBase64),
        ("a.eyJ+.c".into(), JwtError::NotBase64),
        ("a.A.c".into(), JwtError::NotBase64),
        (jwt_with_payload("not json"), JwtError::NotJson),
        (format!("a.{}.c", URL_SAFE_NO_PAD.encode([0xff, 0xfe, 0x7b])), JwtError::NotJson),
        (jwt_with_payload("\"exp\""), JwtError::NotJson),
        (jwt_with_payload(r#"{"exp":1e309}"#), JwtError::NotJson),
        (jwt_with_payload("{}"), JwtError::NoExp),
        (jwt_with_payload(r#"{"exp":null}"#), JwtError::NoExp),
        (jwt_with_payload(r#"{"exp":"1750272764"}"#), JwtError::NoExp),
        (jwt_with_payload(r#"{"exp":0}"#), JwtError::NoExp),
        (jwt_with_payload(r#"{"exp":99999999999}"#), JwtError::NoExp),
        (jwt_with_payload(r#"{"exp":-1750272764}"#), JwtError::NoExp),
    ];
    for (token, want) in &cases {
        assert_eq!(unverified_expiry_ms(token), Err(*want), "{:.60}", token);
    }
    assert_eq!(unverified_expiry_ms(JWT), Ok(1_750_272_764_000));
    // Padding is tolerated; the claims are read, never trusted for anything but timing.
    assert_eq!(unverified_expiry_ms(&JWT.replacen(".c2ln", "==.c2ln", 1)), Ok(1_750_272_764_000));
}

/// Values that contain the marker, in every shape an input can be bad.
fn marked_values() -> Vec<String> {
    vec![
        MARKER.to_owned(),
        format!("{MARKER}\r\nX-Evil: 1"),
        format!(" {MARKER}"),
        format!("{MARKER}\u{e9}"),
        format!("{MARKER}\0"),
        format!("{MARKER} {MARKER}"),
        MARKER.repeat(8 * 1024 / MARKER.len() + 1),
    ]
}

fn assert_hidden(what: &str, shown: &str) {
    assert!(!shown.contains(MARKER), "{what} shows the secret: {shown}");
}

#[test]
fn errors_never_show_a_value() {
    let mut seen = 0;
    for value in marked_values() {
        let mut errors: Vec<Error> = Vec::new();
        for p in ProviderId::ALL {
            for field in ["apiKey", "accessToken", "sessionToken"] {
                errors.extend(headers(p, field, &value).err());
            }
        }
        errors.extend(sign(&value, "1", "1", "k").err());
        errors.extend(sign("s", &value, "1", "k").err());
        errors.extend(sign("s", "1", &value, "k").err());
        errors.extend(sign("s", "1", "1", &value).err());
        errors.extend(AuthFields::new(&signer(), "k", &value, "1").err());
        errors.extend(value.parse::<ProviderId>().err());
        errors.extend(adjutor::headers_with_access_token("k", &value).err());
        errors.extend(adjutor::login_request(&base(), &value, "a@b", &Secret::from("pw")).err());
        errors.extend(kiiex::authenticate_2fa_request(&base(), &value, None).err());
        errors.extend(kiiex::authenticate_2fa_request(&base(), "123456", Some(&value)).err());
        errors.extend(kiiex::logout_request(&base(), &value).err());
        errors.extend(depay::token_request_at(&base(), &format!("/{value}"), "k").err());
        errors.extend(ws::request_frame(2, &value, "{}").err());
        errors.extend(ws::request_frame(2, "Ping", &value).err());
        errors.extend(base_url(&format!("https://{value}")).err());
        for body in [format!(r#"{{"expiresIn":"{value}","accessToken":"{value}"}}"#), format!(r#"{{"Authenticated":true,"SessionToken":"{value}"}}"#), value.clone()] {
            errors.extend(depay(200, &body).err());
            errors.extend(defindex(200, &body).err());
            errors.extend(deltadefi(200, &body).err());
            errors.extend(kiiex(200, &body).err());
            errors.extend(depay(401, &body).err());
            errors.extend(adjutor(200, &body).err());
            errors.extend(kiiex_2fa(200, &body).err());
            errors.extend(ws::read_authenticate_reply(&body, 2).err());
            errors.extend(ws::read_authenticate_reply(&serde_json::json!({"m": 1, "i": 2, "n": "AuthenticateUser", "o": body}).to_string(), 2).err());
            errors.extend(ws::read_authenticate_reply(&serde_json::json!({"m": 5, "i": 2, "n": "AuthenticateUser", "o": value}).to_string(), 2).err());
        }
        for e in &errors {
            assert_hidden("Display", &e.to_string());
            assert_hidden("Debug", &format!("{e:?} {e:#?}"));
        }
        seen += errors.len();
    }
    assert_eq!(seen, 395, "every bad path must produce its error");
}

#[test]
fn debug_of_every_type_holding_a_secret_is_redacted() {
    let marked = || Secret::from(MARKER);
    let signer = KiiexSigner::new(&marked()).expect("valid secret");
    let base = BaseUrl::parse(defindex::BASE_URL).expect("base");
    let shown = [
        format!("{:?}", marked()),
        format!("{:?}", StaticCredentials { api_key: Some(marked()), access_token: Some(marked()), session_token: Some(marked()) }),
        format!("{:?}", static_headers(ProviderId::Deltadefi, &StaticCredentials { api_key: Some(marked()), ..Default::default() })),
        format!("{:?}", static_headers(ProviderId::Depay, &StaticCredentials { access_token: Some(marked()), ..Default::default() })),
        format!("{:?}", static_headers(ProviderId::Kiiex, &StaticCredentials { session_token: Some(marked()), ..Default::default() })),
        format!("{signer:?}"),
        format!("{:?}", AuthFields::new(&signer, MARKER, "42", "1")),
        format!("{:?}", AuthFields::new(&signer, MARKER, "42", "1").and_then(|f| authenticate_request(&base, &f, AuthForm::JsonBody))),
        format!("{:?}", AuthFields::new(&signer, MARKER, "42", "1").and_then(|f| authenticate_request(&base, &f, AuthForm::HeadersGet))),
        format!("{:?}", defindex::login_request(&base, "dev@example.com", &marked())),
        format!("{:?}", defindex::refresh_request(&base, &marked())),
        format!("{:?}", defindex::generate_key_request(&base, MARKER, Some("ci"))),
        format!("{:?}", deltadefi::rotate_request(&base, MARKER)),
        format!("{:?}", depay::token_request(&base, MARKER)),
        format!("{:?}", depay::parse_token(&Response::new(200, &format!(r#"{{"expiresIn":"60","accessToken":"{MARKER}","refreshToken":"{MARKER}"}}"#)))),
        format!("{:?}", defindex::parse_generated_key(&Response::new(200, &format!(r#"{{"key":"{MARKER}","id":1}}"#)))),
        format!("{:?}", deltadefi::parse_rotate(&Response::new(200, &format!(r#"{{"api_key":"{MARKER}","created_at":"x"}}"#)))),
        format!("{:?}", kiiex::parse_authenticate(&Response::new(200, &format!(r#"{{"Authenticated":true,"SessionToken":"{MARKER}"}}"#)))),
        format!("{:?}", kiiex::parse_authenticate_outcome(&Response::new(200, &format!(r#"{{"requires2FA":true,"twoFAToken":"{MARKER}"}}"#)))),
        format!("{:?}", kiiex::parse_authenticate_2fa(&Response::new(200, &format!(r#"{{"Authenticated":true,"SessionToken":"{MARKER}"}}"#)))),
        format!("{:?}", kiiex::authenticate_2fa_request(&base, "123456", Some(MARKER))),
        format!("{:?}", kiiex::logout_request(&base, MARKER)),
        format!("{:?}", ws::read_reply_frame(&serde_json::json!({"m": 1, "i": 2, "n": "AuthenticateUser", "o": format!(r#"{{"SessionToken":"{MARKER}"}}"#)}).to_string(), 2)),
        format!("{:?}", ws::read_authenticate_reply(&serde_json::json!({"m": 1, "i": 2, "n": "AuthenticateUser", "o": format!(r#"{{"Authenticated":true,"SessionToken":"{MARKER}"}}"#)}).to_string(), 2)),
        format!("{:?}", adjutor::login_request(&base, MARKER, "ops@example.com", &marked())),
        format!("{:?}", adjutor::headers_with_access_token(MARKER, MARKER)),
        format!("{:?}", adjutor::parse_login(&Response::new(200, &format!(r#"{{"token":"{}"}}"#, JWT.replace("c2ln", MARKER))))),
        format!("{:?}", depay::token_request_at(&base, depay::PAYMENTS_TOKEN_PATH, MARKER)),
        format!("{:?}", defindex::parse_list_keys(&Response::new(200, &format!(r#"[{{"id":1,"key":"{MARKER}"}}]"#)))),
        format!("{:?}", StaticCredentials { api_key: Some(marked()), access_token: Some(marked()), ..Default::default() }),
        format!("{:?}", static_headers(ProviderId::Adjutor, &StaticCredentials { api_key: Some(marked()), access_token: Some(marked()), ..Default::default() })),
    ];
    for (i, s) in shown.iter().enumerate() {
        assert_hidden(&format!("value #{i}"), s);
        assert!(s.contains("redacted"), "value #{i} holds no redacted secret: {s}");
    }
}

#[test]
fn debug_of_sessions_is_redacted() {
    let marked = || Secret::from(MARKER);
    let base = || BaseUrl::parse("http://127.0.0.1:9").expect("base");
    let signer = KiiexSigner::new(&marked()).expect("valid secret");
    let creds = [
        Credentials::Defindex { api_key: Some(marked()), email: None, password: None },
        Credentials::Defindex { api_key: None, email: Some("dev@example.com".into()), password: Some(marked()) },
        Credentials::Deltadefi { api_key: marked() },
        Credentials::Adjutor { api_key: marked(), email: None, password: None },
        Credentials::Depay { api_key: marked(), token_path: None },
        Credentials::Kiiex { api_key: MARKER.into(), signer, user_id: "42".into(), form: AuthForm::JsonBody },
    ];
    for c in creds {
        let provider = c.provider();
        assert_hidden(&format!("{provider:?} credentials"), &format!("{c:?}"));
        let mut session = Session::new(base(), c, Timing::default()).expect("session");
        assert_hidden(&format!("{provider:?} session"), &format!("{session:?}"));
        assert_hidden(&format!("{provider:?} poll"), &format!("{:?}", session.poll(1_700_000_000_000, false)));
    }
}

#[test]
fn comparisons_of_secrets_are_constant_time_and_exact() {
    let s = Secret::from(MARKER);
    assert!(s.ct_eq(MARKER));
    for other in ["", "MARKER_SECRET_7f3", "MARKER_SECRET_7f3b", "marker_secret_7f3a", "MARKER_SECRET_7f3a\0"] {
        assert!(!s.ct_eq(other), "{other:?}");
        assert!(!keystamp::core::ct_eq_str(MARKER, other), "{other:?}");
    }
    let signer = signer();
    let good = "cd95952f3f722dbb00ac4b7a097813f3a4b8745a950c6b1bdb55278ad759bb6c";
    assert!(signer.verify("1700000000000", "42", "APIKEY_FROM_DASHBOARD", good));
    for bad in ["", &good[..63], &good.to_uppercase(), &format!("{good}0"), &good.replace('c', "d")] {
        assert!(!signer.verify("1700000000000", "42", "APIKEY_FROM_DASHBOARD", bad), "{bad}");
    }
}
