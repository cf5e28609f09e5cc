//! Session tests: a fake clock is stepped; nothing sleeps.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use super::*;
use crate::core::providers::kiiex::AuthForm;
use crate::core::http::Method;

const T0: u64 = 1_750_000_000_000;

fn base(url: &str) -> BaseUrl {
    BaseUrl::parse(url).unwrap_or_else(|e| unreachable!("{e}"))
}

fn session(creds: Credentials) -> Session {
    Session::new(base("https://example.test"), creds, Timing::default()).unwrap_or_else(|e| unreachable!("{e}"))
}

fn depay() -> Session {
    session(Credentials::Depay { api_key: Secret::from("dp_key"), token_path: None })
}

fn jwt(exp_s: u64) -> String {
    format!("eyJhbGciOiJIUzI1NiJ9.{}.sig", URL_SAFE_NO_PAD.encode(format!(r#"{{"exp":{exp_s}}}"#)))
}

fn send(poll: Result<Poll>) -> AuthRequest {
    match poll {
        Ok(Poll::Send(req)) => req,
        other => unreachable!("expected Send, got {other:?}"),
    }
}

fn ready(poll: Result<Poll>) -> Stamped {
    match poll {
        Ok(Poll::Ready(s)) => s,
        other => unreachable!("expected Ready, got {other:?}"),
    }
}

fn depay_token(token: &str, secs: u64) -> String {
    format!(r#"{{"expiresIn":"{secs}","accessToken":"{token}","refreshToken":"r"}}"#)
}

#[test]
fn depay_token_lifecycle_with_two_windows() {
    let mut s = depay();
    let req = send(s.poll(T0, false));
    assert_eq!((req.kind, req.request.method, req.request.url.as_str()), (AuthKind::Token, Method::Get, "https://example.test/auth/token"));
    assert!(matches!(s.poll(T0, true), Ok(Poll::Wait)), "a pending auth is waited for, not duplicated");
    assert!(matches!(s.receive(AuthKind::Token, &Response::new(200, &depay_token("at1", 3600)), T0 + 100), Ok(Received::Installed)));
    let first = ready(s.poll(T0 + 1_000, false));
    assert_eq!(first.headers.get("Authorization"), Some("Bearer at1"));
    // Expires at T0 + 100 + 3600 s; should-refresh window is 2 min (10 % of 1 h is 6 min: capped).
    let expiry = T0 + 100 + 3_600_000;
    assert!(matches!(s.poll(expiry - 120_001, false), Ok(Poll::Ready(_))));
    match s.poll(expiry - 120_000, false) {
        Ok(Poll::Renew(stamped, req)) => {
            assert_eq!(stamped.headers.get("Authorization"), Some("Bearer at1"));
            assert_eq!(req.kind, AuthKind::Token);
        }
        other => unreachable!("expected Renew, got {other:?}"),
    }
    assert!(matches!(s.poll(expiry - 120_000, true), Ok(Poll::Ready(_))), "renewal pending: serve, don't duplicate");
    // Must-refresh: 5 s before expiry the token is no longer served.
    assert_eq!(send(s.poll(expiry - 5_000, false)).kind, AuthKind::Token);
    assert!(s.receive(AuthKind::Token, &Response::new(200, &depay_token("at2", 3600)), expiry - 4_000).is_ok());
    let second = ready(s.poll(expiry - 3_000, false));
    assert_eq!(second.headers.get("Authorization"), Some("Bearer at2"));
    assert!(second.generation > first.generation);
}

#[test]
fn short_tokens_refresh_at_ten_percent() {
    let mut s = depay();
    let _ = send(s.poll(T0, false));
    assert!(s.receive(AuthKind::Token, &Response::new(200, &depay_token("at", 60)), T0).is_ok());
    assert!(matches!(s.poll(T0 + 53_999, false), Ok(Poll::Ready(_))));
    assert!(matches!(s.poll(T0 + 54_000, false), Ok(Poll::Renew(..))));
}

#[test]
fn configured_windows_are_used() {
    let timing = Timing { refresh_margin_ms: Some(600_000), must_refresh_ms: Some(60_000), max_idle_ms: None };
    let mut s = Session::new(base("https://x.test"), Credentials::Depay { api_key: Secret::from("k"), token_path: None }, timing).unwrap_or_else(|e| unreachable!("{e}"));
    let _ = send(s.poll(T0, false));
    assert!(s.receive(AuthKind::Token, &Response::new(200, &depay_token("at", 3600)), T0).is_ok());
    assert!(matches!(s.poll(T0 + 3_000_000 - 1, false), Ok(Poll::Ready(_))));
    assert!(matches!(s.poll(T0 + 3_000_000, false), Ok(Poll::Renew(..))));
    assert!(matches!(s.poll(T0 + 3_540_000, false), Ok(Poll::Send(_))));
}

#[test]
fn failed_auth_is_not_cached_and_a_valid_token_is_kept() {
    let mut s = depay();
    let _ = send(s.poll(T0, false));
    assert_eq!(s.receive(AuthKind::Token, &Response::new(403, r#"{"statusCode":403}"#), T0).map(|_| ()).map_err(|e| e.code()), Err("auth_rejected"));
    let _ = send(s.poll(T0 + 1, false)); // tries again
    assert!(s.receive(AuthKind::Token, &Response::new(200, &depay_token("good", 3600)), T0).is_ok());
    let gen = s.generation();
    for bad in [r#"{"expiresIn":"abc","accessToken":"x"}"#, "not json", r#"{"expiresIn":"0","accessToken":"x"}"#] {
        assert_eq!(s.receive(AuthKind::Token, &Response::new(200, bad), T0 + 10).map(|_| ()).map_err(|e| e.code()), Err("malformed_response"));
    }
    let still = ready(s.poll(T0 + 20, false));
    assert_eq!((still.headers.get("Authorization"), still.generation), (Some("Bearer good"), gen));
}

#[test]
fn straggler_401s_do_not_invalidate_a_newer_token() {
    let mut s = depay();
    let _ = send(s.poll(T0, false));
    assert!(s.receive(AuthKind::Token, &Response::new(200, &depay_token("old", 3600)), T0).is_ok());
    let old = ready(s.poll(T0, false)).generation;
    assert_eq!(s.unauthorized(old), Ok(()));
    let _ = send(s.poll(T0 + 1, false)); // the current token was dropped: re-authenticate
    assert!(s.receive(AuthKind::Token, &Response::new(200, &depay_token("new", 3600)), T0 + 2).is_ok());
    for _ in 0..100 {
        assert_eq!(s.unauthorized(old), Ok(()));
    }
    let now = ready(s.poll(T0 + 3, false));
    assert_eq!(now.headers.get("Authorization"), Some("Bearer new"), "100 stragglers changed nothing");
}

#[test]
fn static_keys_are_final_on_401() {
    let mut s = session(Credentials::Adjutor { api_key: Secret::from("adj"), email: None, password: None });
    let stamped = ready(s.poll(T0, false));
    assert_eq!(stamped.headers.get("Authorization"), Some("Bearer adj"));
    let err = s.unauthorized(stamped.generation).err();
    assert_eq!(err.map(|e| (e.code(), e.status(), e.provider())), Some(("auth_rejected", Some(401), Some(ProviderId::Adjutor))));
    let bad = Session::new(base("https://x.test"), Credentials::Adjutor { api_key: Secret::from("adj "), email: None, password: None }, Timing::default());
    assert_eq!(bad.map(|_| ()).map_err(|e| e.code()), Err("invalid_header_value"));
}

#[test]
fn server_clock_offset_corrects_jwt_expiry() {
    // The local clock runs 10 minutes ahead of the server.
    let skew = 600_000;
    let server_now = T0;
    let local_now = T0 + skew;
    let mut s = session(Credentials::Defindex { api_key: None, email: Some("a@b.c".into()), password: Some(Secret::from("pw")) });
    assert_eq!(send(s.poll(local_now, false)).kind, AuthKind::Login);
    let exp_s = server_now / 1000 + 3600;
    let body = format!(r#"{{"access_token":"{}","refresh_token":"r1"}}"#, jwt(exp_s));
    let date = httpdate::fmt_http_date(std::time::UNIX_EPOCH + std::time::Duration::from_millis(server_now));
    let resp = Response { status: 200, body: &body, date: Some(&date), retry_after: None };
    assert!(s.receive(AuthKind::Login, &resp, local_now).is_ok());
    assert_eq!(s.clock_offset_ms(), -600_000);
    // Without the offset the token would look expired already. With it: fresh for ~58 minutes.
    assert!(matches!(s.poll(local_now + 3_600_000 - 120_001, false), Ok(Poll::Ready(_))));
    assert!(matches!(s.poll(local_now + 3_600_000 - 120_000, false), Ok(Poll::Renew(..))));
}

#[test]
fn defindex_refresh_tokens_are_used_once_then_login() {
    let mut s = session(Credentials::Defindex { api_key: None, email: Some("a@b.c".into()), password: Some(Secret::from("pw")) });
    let login = send(s.poll(T0, false));
    assert_eq!(login.kind, AuthKind::Login);
    let exp = T0 / 1000 + 3600;
    let body = format!(r#"{{"access_token":"{}","refresh_token":"r1"}}"#, jwt(exp));
    assert!(s.receive(AuthKind::Login, &Response::new(200, &body), T0).is_ok());
    let refresh = send(s.poll(T0 + 3_600_000, false));
    assert_eq!((refresh.kind, refresh.request.headers.get("Authorization")), (AuthKind::Refresh, Some("Bearer r1")));
    // Whatever happens next, r1 is never sent again: the refresh is rejected, fall back to login.
    assert!(matches!(s.receive(AuthKind::Refresh, &Response::new(403, "{}"), T0 + 3_600_001), Ok(Received::Retry)));
    let again = send(s.poll(T0 + 3_600_002, false));
    assert_eq!(again.kind, AuthKind::Login);
    // Postman shape on refresh also works, and the new refresh token is stored.
    let body = format!(r#"{{"jwt":"{}","refreshToken":"r2"}}"#, jwt(exp + 3600));
    assert!(s.receive(AuthKind::Refresh, &Response::new(200, &body), T0 + 3_600_003).is_ok());
    let next = send(s.poll(T0 + 7_200_000, false));
    assert_eq!(next.request.headers.get("Authorization"), Some("Bearer r2"));
}

#[test]
fn defindex_refresh_rejected_without_password_is_refresh_failed() {
    let mut s = session(Credentials::Defindex { api_key: None, email: Some("a@b.c".into()), password: Some(Secret::from("pw")) });
    let _ = send(s.poll(T0, false));
    let body = format!(r#"{{"access_token":"{}","refresh_token":"r1"}}"#, jwt(T0 / 1000 + 3600));
    assert!(s.receive(AuthKind::Login, &body_resp(&body), T0).is_ok());
    if let Credentials::Defindex { password, .. } = &mut s.creds {
        *password = None;
    }
    let _ = send(s.poll(T0 + 3_600_000, false));
    let err = s.receive(AuthKind::Refresh, &Response::new(401, "{}"), T0 + 3_600_000).err();
    assert_eq!(err.map(|e| (e.code(), e.status())), Some(("refresh_failed", Some(401))));
    assert_eq!(s.poll(T0 + 3_600_001, false).map(|_| ()).map_err(|e| e.code()), Err("refresh_failed"));
}

fn body_resp(body: &str) -> Response<'_> {
    Response::new(200, body)
}

#[test]
fn kiiex_sessions_expire_when_idle() {
    let signer = KiiexSigner::new(&Secret::from("d2f5a1c3b4e6f7089a1b2c3d4e5f6a7b")).unwrap_or_else(|e| unreachable!("{e}"));
    let creds = Credentials::Kiiex { api_key: Secret::from("7c3e0f1a2b4d5e6f8091a2b3c4d5e6f7"), signer, user_id: "184".into(), form: AuthForm::HeadersGet };
    let mut s = session(creds);
    let auth = send(s.poll(637_958_203, false));
    assert_eq!(auth.kind, AuthKind::Authenticate);
    assert_eq!(auth.request.headers.get("Nonce"), Some("637958203"));
    assert_eq!(auth.request.headers.get("Signature"), Some("e29b8f8f9654f9604c16fd193e9440c889e558bca55962c87a5ebcf7355a8897"));
    assert!(s.receive(AuthKind::Authenticate, &Response::new(200, r#"{"Authenticated":true,"SessionToken":"st"}"#), T0).is_ok());
    let idle = kiiex::DEFAULT_MAX_IDLE_MS;
    assert_eq!(ready(s.poll(T0 + idle - 1, false)).headers.get("aptoken"), Some("st"));
    // Used at T0 + idle - 1: good until T0 + 2 * idle - 1.
    assert!(matches!(s.poll(T0 + 2 * idle - 2, false), Ok(Poll::Ready(_))));
    let again = send(s.poll(T0 + 3 * idle, false));
    assert_eq!(again.request.headers.get("Nonce"), Some((T0 + 3 * idle).to_string().as_str()));
    assert_eq!(s.receive(AuthKind::Authenticate, &Response::new(200, r#"{"Authenticated":false}"#), T0).map(|_| ()).map_err(|e| e.code()), Err("auth_rejected"));
}

#[test]
fn deltadefi_rotation_swaps_the_key_under_a_new_generation() {
    let mut s = session(Credentials::Deltadefi { api_key: Secret::from("dd_old") });
    let before = ready(s.poll(T0, false));
    assert_eq!(before.headers.get("X-API-KEY"), Some("dd_old"));
    let rotate = s.rotate_request().unwrap_or_else(|e| unreachable!("{e}"));
    assert_eq!(rotate.request.url, "https://example.test/accounts/new-api-key");
    match s.receive(AuthKind::Rotate, &Response::new(200, r#"{"api_key":"dd_new","created_at":"2026-01-01"}"#), T0) {
        Ok(Received::Rotated(key, created_at)) => assert_eq!((key.expose(), created_at.as_deref()), ("dd_new", Some("2026-01-01"))),
        other => unreachable!("{other:?}"),
    }
    let after = ready(s.poll(T0, false));
    assert_eq!(after.headers.get("X-API-KEY"), Some("dd_new"));
    assert!(after.generation > before.generation);
    assert_eq!(s.unauthorized(before.generation), Ok(()), "a call that raced the rotation retries with the new key");
    assert_eq!(s.unauthorized(after.generation).map_err(|e| e.code()), Err("auth_rejected"));
    assert_eq!(depay().rotate_request().map(|_| ()).map_err(|e| e.code()), Err("unsupported"));
    assert!(!AuthKind::Rotate.shares_token() && !AuthKind::Logout.shares_token(), "a rotated key is never shared through a store");
    assert!([AuthKind::Login, AuthKind::Refresh, AuthKind::Token, AuthKind::Authenticate, AuthKind::SecondFactor].into_iter().all(AuthKind::shares_token));
}

#[test]
fn defindex_needs_a_key_or_a_login() {
    let err = Session::new(base("https://x.test"), Credentials::Defindex { api_key: None, email: Some("a@b".into()), password: None }, Timing::default());
    assert_eq!(err.map(|_| ()).map_err(|e| e.code()), Err("missing_credential"));
    let mut s = session(Credentials::Defindex { api_key: Some(Secret::from("sk_1")), email: None, password: None });
    assert_eq!(ready(s.poll(T0, false)).headers.get("Authorization"), Some("Bearer sk_1"));
}

#[test]
fn http_dates() {
    assert_eq!(parse_http_date_ms("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777_000));
    assert_eq!(parse_http_date_ms("yesterday"), None);
}

fn depay_with(timing: Timing) -> Session {
    Session::new(base("https://example.test"), Credentials::Depay { api_key: Secret::from("dp_key"), token_path: None }, timing).unwrap_or_else(|e| unreachable!("{e}"))
}

fn install_depay(s: &mut Session, token: &str, secs: u64, at: u64) {
    let _ = s.poll(at, false);
    assert!(matches!(s.receive(AuthKind::Token, &Response::new(200, &depay_token(token, secs)), at), Ok(Received::Installed)));
}

fn rate_limited(poll: Result<Poll>) -> Option<u64> {
    match poll {
        Err(e) if e.code() == "rate_limited" => e.retry_after_ms(),
        other => unreachable!("expected rate_limited, got {other:?}"),
    }
}

#[test]
fn windows_scale_with_short_lifetimes() {
    // A 2 s token: must-refresh headroom is 25 % (500 ms), so it is served for 1.5 s.
    let mut s = depay();
    install_depay(&mut s, "short", 2, T0);
    assert!(matches!(s.poll(T0, false), Ok(Poll::Ready(_))), "a fresh token is always usable");
    assert!(matches!(s.poll(T0 + 1_499, false), Ok(Poll::Ready(_))));
    assert!(matches!(s.poll(T0 + 1_500, false), Ok(Poll::Send(_))));
    // A 20 s token: 5 s headroom (the default cap), renewal window 5 s too (10 % = 2 s < 5 s).
    install_depay(&mut s, "twenty", 20, T0);
    assert!(matches!(s.poll(T0 + 14_999, false), Ok(Poll::Ready(_))));
    assert!(matches!(s.poll(T0 + 15_000, false), Ok(Poll::Send(_))));
}

#[test]
fn configured_windows_longer_than_the_lifetime_are_capped_at_half() {
    // refreshMarginMs and mustRefreshMs of an hour on a 60 s token: both become 30 s.
    let mut s = depay_with(Timing { refresh_margin_ms: Some(3_600_000), must_refresh_ms: Some(3_600_000), max_idle_ms: None });
    install_depay(&mut s, "at", 60, T0);
    assert!(matches!(s.poll(T0 + 29_999, false), Ok(Poll::Ready(_))), "not renewed on every call");
    assert!(matches!(s.poll(T0 + 30_000, false), Ok(Poll::Send(_))));
}

#[test]
fn retry_after_seconds_start_a_cool_down_without_auth_requests() {
    let mut s = depay();
    let _ = send(s.poll(T0, false));
    let resp = Response { status: 429, body: "{}", date: None, retry_after: Some("60") };
    let err = s.receive(AuthKind::Token, &resp, T0).map(|_| ()).err();
    assert_eq!(err.map(|e| (e.code(), e.retry_after_ms(), e.status())), Some(("rate_limited", Some(60_000), Some(429))));
    assert_eq!(rate_limited(s.poll(T0 + 1, false)), Some(59_999), "fails fast, builds no request");
    assert_eq!(rate_limited(s.poll(T0 + 59_999, false)), Some(1));
    assert_eq!(send(s.poll(T0 + 60_000, false)).kind, AuthKind::Token, "one request per Retry-After window");
}

#[test]
fn retry_after_dates_and_caps() {
    let mut s = depay();
    // An HTTP date 30 s after the answer's own Date header, whatever the local clock says.
    let resp = Response { status: 503, body: "busy", date: Some("Tue, 01 Dec 2026 12:00:00 GMT"), retry_after: Some("Tue, 01 Dec 2026 12:00:30 GMT") };
    let err = s.receive(AuthKind::Token, &resp, T0).map(|_| ()).err();
    assert_eq!(err.map(|e| (e.code(), e.retry_after_ms())), Some(("provider_unavailable", Some(30_000))));
    // A Retry-After of an hour is capped at 60 s.
    let resp = Response { status: 429, body: "", date: None, retry_after: Some("3600") };
    assert_eq!(s.receive(AuthKind::Token, &resp, T0).map(|_| ()).map_err(|e| e.retry_after_ms()), Err(Some(MAX_BACKOFF_MS)));
}

#[test]
fn exponential_back_off_with_jitter_then_reset_on_success() {
    let mut s = depay();
    let busy = Response::new(429, "{}");
    // Jitter 0: the lower half of each step; u32::MAX % (half + 1) picks inside the upper half.
    let mut delays = vec![];
    for (i, jitter) in [0, 0, 0, u32::MAX].into_iter().enumerate() {
        s.set_jitter(jitter);
        let at = T0 + 100_000 * i as u64;
        delays.push(s.receive(AuthKind::Token, &busy, at).map(|_| ()).err().and_then(|e| e.retry_after_ms()));
    }
    assert_eq!(&delays[..3], &[Some(500), Some(1_000), Some(2_000)]);
    assert!(delays[3].is_some_and(|d| (4_000..=8_000).contains(&d)), "{delays:?}");
    let t1 = T0 + 1_000_000;
    install_depay(&mut s, "ok", 3600, t1);
    s.set_jitter(0);
    // A renewal inside the should-refresh window is answered 429: the back-off starts over.
    assert!(matches!(s.poll(t1 + 3_550_000, false), Ok(Poll::Renew(..))));
    assert_eq!(s.receive(AuthKind::Token, &busy, t1 + 3_550_000).map(|_| ()).map_err(|e| e.retry_after_ms()), Err(Some(500)), "a success resets the back-off");
    // During the cool-down the usable token is still served, without starting a renewal.
    assert!(matches!(s.poll(t1 + 3_550_001, false), Ok(Poll::Ready(_))));
    assert!(matches!(s.poll(t1 + 3_550_500, false), Ok(Poll::Renew(..))));
}

#[test]
fn a_token_already_expired_on_arrival_is_refused_and_backs_off() {
    let mut s = session(Credentials::Defindex { api_key: None, email: Some("dev@example.com".into()), password: Some("pw".into()) });
    let _ = send(s.poll(T0, false));
    // exp one minute before the server's own Date: no clock correction can make it usable.
    let body = format!(r#"{{"access_token":"{}","refresh_token":"r1"}}"#, jwt(T0 / 1000 - 60));
    let resp = Response { status: 200, body: &body, date: Some("Sun, 15 Jun 2025 15:06:40 GMT"), retry_after: None };
    let err = s.receive(AuthKind::Login, &resp, T0).map(|_| ()).err();
    assert_eq!(err.as_ref().map(Error::code), Some("token_expired"));
    assert!(err.and_then(|e| e.retry_after_ms()).is_some_and(|d| d > 0));
    assert!(rate_limited(s.poll(T0 + 1, false)).is_some(), "no second request at once");
}

#[test]
fn ready_generation_is_the_cheap_path_of_poll() {
    let mut s = depay();
    assert_eq!(s.ready_generation(T0), None);
    install_depay(&mut s, "at", 3600, T0);
    let stamped = ready(s.poll(T0, false));
    assert_eq!(s.ready_generation(T0 + 1), Some(stamped.generation));
    assert_eq!(s.ready_generation(T0 + 3_600_000 - 120_000), None, "inside the renewal window: poll");
    let mut dd = session(Credentials::Deltadefi { api_key: Secret::from("dd") });
    assert_eq!(dd.ready_generation(T0), Some(ready(dd.poll(T0, false)).generation));
}

#[test]
fn every_credential_is_checked_at_construction() {
    let cases: Vec<(Credentials, &str)> = vec![
        (Credentials::Depay { api_key: Secret::from("dp\r\nkey"), token_path: None }, "invalid_header_value"),
        (Credentials::Depay { api_key: Secret::from(" dp"), token_path: None }, "invalid_header_value"),
        (Credentials::Adjutor { api_key: Secret::from(""), email: None, password: None }, "missing_credential"),
        (Credentials::Defindex { api_key: None, email: Some(String::new()), password: Some("pw".into()) }, "missing_credential"),
        (Credentials::Defindex { api_key: None, email: Some("a@b".into()), password: Some("p\nw".into()) }, "invalid_argument"),
    ];
    for (creds, code) in cases {
        let got = Session::new(base("https://x.test"), creds, Timing::default()).map(|_| ()).map_err(|e| (e.code(), e.provider().is_some()));
        assert_eq!(got, Err((code, true)));
    }
}

// --- issue: every documented flow ----------------------------------------------------------------

fn adjutor_login() -> Session {
    session(Credentials::Adjutor { api_key: Secret::from("adj_key"), email: Some("ops@example.com".into()), password: Some("pw".into()) })
}

#[test]
fn adjutor_core_services_log_in_once_and_send_both_headers() {
    let mut s = adjutor_login();
    let login = send(s.poll(T0, false));
    assert_eq!((login.kind, login.request.method, login.request.url.as_str()), (AuthKind::Login, Method::Post, "https://example.test/customers/auth"));
    assert_eq!(login.request.headers.get("Authorization"), Some("Bearer adj_key"));
    assert_eq!(login.request.body.as_deref(), Some(r#"{"email":"ops@example.com","password":"pw"}"#));
    let token = jwt(T0 / 1000 + 3600);
    assert!(matches!(s.receive(AuthKind::Login, &Response::new(200, &format!(r#"{{"token":"{token}"}}"#)), T0), Ok(Received::Installed)));
    let stamped = ready(s.poll(T0 + 1, false));
    assert_eq!((stamped.headers.get("Authorization"), stamped.headers.get("x-access-token")), (Some("Bearer adj_key"), Some(token.as_str())));
    // A 401 on the current token logs in again (once), as for every token provider.
    assert_eq!(s.unauthorized(stamped.generation), Ok(()));
    assert_eq!(send(s.poll(T0 + 2, false)).kind, AuthKind::Login);
    // Without a login it stays a Bearer-only client.
    let mut plain = session(Credentials::Adjutor { api_key: Secret::from("adj_key"), email: None, password: None });
    assert_eq!(ready(plain.poll(T0, false)).headers.get("x-access-token"), None);
    let half = Session::new(base("https://x.test"), Credentials::Adjutor { api_key: Secret::from("k"), email: Some("a@b".into()), password: None }, Timing::default());
    assert_eq!(half.map(|_| ()).map_err(|e| e.code()), Err("missing_credential"));
}

#[test]
fn depay_token_path_is_configurable_and_checked() {
    let mut s = session(Credentials::Depay { api_key: Secret::from("dp_key"), token_path: Some("/v2/auth/token".into()) });
    assert_eq!(send(s.poll(T0, false)).request.url, "https://example.test/v2/auth/token");
    let bad = Session::new(base("https://x.test"), Credentials::Depay { api_key: Secret::from("k"), token_path: Some("auth/../x?y".into()) }, Timing::default());
    assert_eq!(bad.map(|_| ()).map_err(|e| (e.code(), e.field())), Err(("invalid_argument", Some("tokenPath"))));
}

fn kiiex_session() -> Session {
    let signer = KiiexSigner::new(&Secret::from("SECRET_FROM_DASHBOARD")).unwrap_or_else(|e| unreachable!("{e}"));
    session(Credentials::Kiiex { api_key: Secret::from("APIKEY_FROM_DASHBOARD"), signer, user_id: "42".into(), form: AuthForm::HeadersGet })
}

#[test]
fn kiiex_second_factor_completes_the_same_exchange_or_fails_typed() {
    let challenge = r#"{"authenticated":false,"requires2FA":true,"twoFAType":"Google","twoFAToken":"pending-1"}"#;
    let mut s = kiiex_session();
    let _ = send(s.poll(T0, false));
    assert!(matches!(s.receive(AuthKind::Authenticate, &Response::new(200, challenge), T0), Ok(Received::NeedsCode)));
    let second = s.second_factor_request(Some("123456")).unwrap_or_else(|e| unreachable!("{e}"));
    assert_eq!((second.kind, second.request.url.as_str()), (AuthKind::SecondFactor, "https://example.test/Authenticate2FA?Code=123456"));
    assert_eq!(second.request.headers.get("Pending2FaToken"), Some("pending-1"));
    assert!(matches!(s.receive(AuthKind::SecondFactor, &Response::new(200, r#"{"Authenticated":true,"SessionToken":"sess-2fa"}"#), T0), Ok(Received::Installed)));
    assert_eq!(ready(s.poll(T0, false)).headers.get("aptoken"), Some("sess-2fa"));
    assert_eq!(s.second_factor_request(Some("123456")).map(|_| ()).map_err(|e| e.code()), Err("invalid_argument"), "a challenge is answered once");
    // Without a code source: two_factor_required, and the next poll starts over (no loop).
    let mut s = kiiex_session();
    let _ = send(s.poll(T0, false));
    let _ = s.receive(AuthKind::Authenticate, &Response::new(200, challenge), T0);
    assert_eq!(s.second_factor_request(None).map(|_| ()).map_err(|e| e.code()), Err("two_factor_required"));
    assert_eq!(send(s.poll(T0 + 1, false)).kind, AuthKind::Authenticate);
}

#[test]
fn kiiex_logout_forgets_the_session_first() {
    let mut s = kiiex_session();
    assert!(matches!(s.logout_request(), Ok(None)), "nothing to end");
    let _ = send(s.poll(T0, false));
    let _ = s.receive(AuthKind::Authenticate, &Response::new(200, r#"{"Authenticated":true,"SessionToken":"sess-1"}"#), T0);
    let before = ready(s.poll(T0, false)).generation;
    let logout = s.logout_request().unwrap_or_else(|e| unreachable!("{e}")).unwrap_or_else(|| unreachable!());
    assert_eq!((logout.kind, logout.request.method, logout.request.url.as_str()), (AuthKind::Logout, Method::Post, "https://example.test/LogOut"));
    assert_eq!(logout.request.headers.get("aptoken"), Some("sess-1"));
    assert_eq!(send(s.poll(T0, false)).kind, AuthKind::Authenticate, "forgotten before the answer");
    assert!(matches!(s.receive(AuthKind::Logout, &Response::new(200, r#"{"result":true}"#), T0), Ok(Received::LoggedOut)));
    assert_eq!(s.unauthorized(before), Ok(()), "a straggler of the old session");
    assert_eq!(depay().logout_request().map(|_| ()).map_err(|e| e.code()), Err("unsupported"));
}

#[test]
fn defindex_keys_are_managed_with_the_dashboard_jwt() {
    use super::ops::{KeyOperation, KeyResult};
    let mut s = session(Credentials::Defindex { api_key: None, email: Some("dev@example.com".into()), password: Some("pw".into()) });
    assert_eq!(s.key_request(&KeyOperation::List, T0).map(|_| ()).map_err(|e| e.code()), Err("token_expired"));
    let _ = send(s.poll(T0, false));
    let access = jwt(T0 / 1000 + 3600);
    let _ = s.receive(AuthKind::Login, &Response::new(200, &format!(r#"{{"access_token":"{access}","refresh_token":"r1"}}"#)), T0);
    let generate = s.key_request(&KeyOperation::Generate(Some("ci".into())), T0).unwrap_or_else(|e| unreachable!("{e}"));
    assert_eq!((generate.url.as_str(), generate.body.as_deref()), ("https://example.test/api-keys/generate", Some(r#"{"name":"ci"}"#)));
    assert_eq!(generate.headers.get("Authorization"), Some(format!("Bearer {access}").as_str()));
    let answer = |body| s.key_result(&KeyOperation::Generate(None), &Response::new(200, body));
    assert!(matches!(answer(r#"{"key":"sk_new","id":7}"#), Ok(KeyResult::Generated(k)) if k.key.expose() == "sk_new"));
    assert!(matches!(answer(r#"[{"key":"sk_arr","id":"a"}]"#), Ok(KeyResult::Generated(k)) if k.key.expose() == "sk_arr"));
    let listed = s.key_result(&KeyOperation::List, &Response::new(201, r#"[{"id":1,"name":"ci","key":"sk_12…","createdAt":"2026-01-01","lastUsedAt":null}]"#));
    assert!(matches!(listed, Ok(KeyResult::Listed(v)) if v.len() == 1));
    let revoke = s.key_request(&KeyOperation::Revoke("7".into()), T0).unwrap_or_else(|e| unreachable!("{e}"));
    assert_eq!(revoke.url, "https://example.test/api-keys/7/revoke");
    let with_key = session(Credentials::Defindex { api_key: Some(Secret::from("sk_1")), email: None, password: None });
    assert_eq!(with_key.key_request(&KeyOperation::List, T0).map(|_| ()).map_err(|e| e.code()), Err("unsupported"));
}

#[test]
fn kiiex_posts_default_to_json() {
    let s = kiiex_session();
    assert_eq!(s.call_defaults("POST").get("content-type"), Some("application/json"));
    assert_eq!(s.call_defaults("GET").iter().count(), 0);
    assert_eq!(depay().call_defaults("POST").iter().count(), 0);
}
