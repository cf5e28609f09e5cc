//! Fleet records between sessions: two sessions play two processes; a fake clock is stepped.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use super::super::{Credentials, Poll, Session, Timing};
use super::*;
use crate::core::http::{BaseUrl, Response};
use crate::core::providers::kiiex::{AuthForm, KiiexSigner};
use crate::core::Secret;

const T0: u64 = 1_750_000_000_000;
const NONCE: [u8; NONCE_LEN] = [7; NONCE_LEN];

fn session_at(url: &str, creds: Credentials) -> Session {
    let base = BaseUrl::parse(url).unwrap_or_else(|e| unreachable!("{e}"));
    Session::new(base, creds, Timing::default()).unwrap_or_else(|e| unreachable!("{e}"))
}

fn depay_key(key: &str) -> Credentials {
    Credentials::Depay { api_key: Secret::from(key), token_path: None }
}

fn depay() -> Session {
    session_at("https://example.test", depay_key("dp_key"))
}

fn defindex() -> Session {
    session_at("https://example.test", Credentials::Defindex { api_key: None, email: Some("a@b.c".into()), password: Some(Secret::from("pw")) })
}

fn kiiex(secret: &str) -> Session {
    let signer = KiiexSigner::new(&Secret::from(secret)).unwrap_or_else(|e| unreachable!("{e}"));
    session_at("https://example.test", Credentials::Kiiex { api_key: Secret::from("kx_key"), signer, user_id: "184".into(), form: AuthForm::HeadersGet })
}

fn jwt(exp_s: u64) -> String {
    format!("eyJhbGciOiJIUzI1NiJ9.{}.sig", URL_SAFE_NO_PAD.encode(format!(r#"{{"exp":{exp_s}}}"#)))
}

/// Runs `s`'s first exchange with `body` as the answer, received at `at`.
fn authenticate(s: &mut Session, body: &str, date: Option<&str>, at: u64) {
    let Ok(Poll::Send(auth)) = s.poll(at, false) else { unreachable!("expected Send") };
    let mut resp = Response::new(200, body);
    resp.date = date;
    assert!(s.receive(auth.kind, &resp, at).is_ok());
}

fn depay_body(token: &str, secs: u64) -> String {
    format!(r#"{{"expiresIn":"{secs}","accessToken":"{token}","refreshToken":"unused"}}"#)
}

fn export(s: &Session, after: u64, now: u64) -> Exported {
    s.export_record(after, now, NONCE).ok().flatten().unwrap_or_else(|| unreachable!("nothing exported"))
}

/// (header value, generation) when the session serves headers at `now`, else the poll's kind.
fn served(s: &mut Session, now: u64, name: &str) -> Result<(String, u64), String> {
    match s.poll(now, false) {
        Ok(Poll::Ready(st) | Poll::Renew(st, _)) => Ok((st.headers.get(name).unwrap_or_default().to_owned(), st.generation)),
        Ok(Poll::Send(auth)) => Err(format!("send {:?} {:?}", auth.kind, auth.request.headers.get("Authorization"))),
        other => Err(format!("{other:?}")),
    }
}

#[test]
fn store_keys_name_token_credentials_only() {
    let key = depay().store_key(false).unwrap_or_default();
    assert_eq!(key.len(), 32);
    assert_eq!(depay().store_key(true).as_deref(), Some(key.as_str()), "the flag only concerns ip-bound sessions");
    assert_eq!(session_at("https://example.test", depay_key("dp_key")).store_key(false).as_deref(), Some(key.as_str()), "same credential, same name");
    let others = [
        session_at("https://example.test", depay_key("dp_other")),
        session_at("https://staging.example.test", depay_key("dp_key")),
        defindex(),
    ];
    for other in &others {
        assert_ne!(other.store_key(false).as_deref(), Some(key.as_str()));
    }
    let statics = [
        Credentials::Adjutor { api_key: Secret::from("adj"), email: None, password: None },
        Credentials::Deltadefi { api_key: Secret::from("dd") },
        Credentials::Defindex { api_key: Some(Secret::from("sk_1")), email: None, password: None },
    ];
    for creds in statics {
        let s = session_at("https://example.test", creds);
        assert_eq!((s.store_key(true), s.export_record(0, T0, NONCE).ok().flatten().is_none()), (None, true), "{:?}", s.provider());
    }
    assert_eq!(kiiex("kx_secret").store_key(false), None, "Kiiex sessions are shared only on request");
    let shared = kiiex("kx_secret").store_key(true).unwrap_or_default();
    assert_eq!(shared.len(), 32);
    assert_ne!(kiiex("kx_secret_2").store_key(true).unwrap_or_default(), shared, "the API secret is part of the name");
}

#[test]
fn a_depay_token_travels_to_another_process() {
    let mut a = depay();
    authenticate(&mut a, &depay_body("at1", 3600), None, T0);
    let out = export(&a, 0, T0 + 5);
    assert_eq!(out.generation, 1);
    assert_eq!(out.ttl_ms, 3_600_000 - 5, "kept until the token expires");

    let mut b = depay();
    let before = b.generation();
    assert_eq!(b.import_record(&out.bytes, 0, T0 + 10).ok(), Some(Some(1)));
    let (header, generation) = served(&mut b, T0 + 10, "Authorization").unwrap_or_default();
    assert_eq!(header, "Bearer at1");
    assert!(generation > before, "a new local generation: a 401 on the old one is a straggler");
    // Its windows are those of the original token: renewal 2 min before the expiry (10 % of the
    // lifetime, capped at 2 min), on b's clock.
    assert!(matches!(b.poll(T0 + 3_600_000 - 120_001, false), Ok(Poll::Ready(_))));
    assert!(matches!(b.poll(T0 + 3_600_000 - 120_000, false), Ok(Poll::Renew(..))));
    // The same record again, or an older one, changes nothing.
    assert_eq!(b.import_record(&out.bytes, 1, T0 + 20).ok(), Some(None));
    assert_eq!(b.import_record(&export(&a, 0, T0).bytes, 5, T0 + 20).ok(), Some(None));
    assert_eq!(b.generation(), generation);
}

#[test]
fn generations_order_records() {
    let mut a = depay();
    authenticate(&mut a, &depay_body("at1", 3600), None, T0);
    let first = export(&a, 0, T0);
    let mut later = depay();
    authenticate(&mut later, &depay_body("at2", 3600), None, T0 + 1_000);
    let second = export(&later, first.generation, T0 + 1_000);
    assert_eq!(second.generation, 2);
    let mut b = depay();
    assert_eq!(b.import_record(&second.bytes, 0, T0 + 2_000).ok(), Some(Some(2)));
    assert_eq!(b.import_record(&first.bytes, 2, T0 + 2_000).ok(), Some(None), "an older generation never replaces a newer one");
    assert_eq!(served(&mut b, T0 + 2_000, "Authorization").map(|h| h.0).ok().as_deref(), Some("Bearer at2"));
    assert_eq!(export(&b, u64::MAX, T0).generation, u64::MAX, "saturates");
}

#[test]
fn expiry_travels_on_the_server_clock() {
    // a's clock is 30 s behind the server (it learnt the offset from the Date header); b's is
    // right. The token expires at the same server instant for both.
    let mut a = depay();
    let server_now = T0 + 30_000;
    let date = httpdate::fmt_http_date(std::time::UNIX_EPOCH + std::time::Duration::from_millis(server_now));
    authenticate(&mut a, &depay_body("at1", 100), Some(&date), T0);
    assert_eq!(a.clock_offset_ms(), 30_000);
    let out = export(&a, 0, T0);
    let mut b = depay();
    assert_eq!(b.import_record(&out.bytes, 0, server_now).ok(), Some(Some(1)));
    // Expiry on the server clock: server_now + 100 s; must-refresh headroom: 5 s (capped at a
    // quarter of the lifetime: 25 s).
    assert!(served(&mut b, server_now + 94_999, "Authorization").is_ok());
    assert!(served(&mut b, server_now + 95_000, "Authorization").is_err());
}

#[test]
fn an_expired_record_is_not_served() {
    let mut a = depay();
    authenticate(&mut a, &depay_body("at1", 60), None, T0);
    let out = export(&a, 0, T0);
    let mut b = depay();
    assert_eq!(b.import_record(&out.bytes, 0, T0 + 60_000).ok(), Some(Some(1)), "seen, so not imported again");
    assert_eq!(served(&mut b, T0 + 60_000, "Authorization"), Err("send Token None".to_owned()));
}

#[test]
fn a_usable_token_is_kept_when_the_record_is_expired() {
    let mut a = depay();
    authenticate(&mut a, &depay_body("old", 60), None, T0);
    let stale = export(&a, 4, T0);
    let mut b = depay();
    authenticate(&mut b, &depay_body("mine", 3600), None, T0 + 50_000);
    assert_eq!(b.import_record(&stale.bytes, 0, T0 + 70_000).ok(), Some(Some(5)));
    assert_eq!(served(&mut b, T0 + 70_000, "Authorization").map(|h| h.0).ok().as_deref(), Some("Bearer mine"));
}

#[test]
fn defindex_refresh_tokens_move_with_the_record_and_are_sent_once() {
    let exp = T0 / 1000 + 3600;
    let mut a = defindex();
    authenticate(&mut a, &format!(r#"{{"access_token":"{}","refresh_token":"{}"}}"#, jwt(exp), jwt(exp + 86_400)), None, T0);
    let out = export(&a, 0, T0);
    assert_eq!(out.ttl_ms, 3_600_000 + 86_400_000, "kept until the refresh token expires");

    // b had logged in on its own (its refresh token r_b); the record's refresh token replaces it.
    let mut b = defindex();
    authenticate(&mut b, &format!(r#"{{"access_token":"{}","refresh_token":"r_b"}}"#, jwt(exp)), None, T0);
    assert_eq!(b.import_record(&out.bytes, 0, T0 + 1).ok(), Some(Some(1)));
    let want = format!("send Refresh Some(\"Bearer {}\")", jwt(exp + 86_400));
    assert_eq!(served(&mut b, T0 + 3_600_000, "Authorization"), Err(want));
    // Taken out when the request was built: never sent twice, even if asked again.
    let again = served(&mut b, T0 + 3_600_001, "Authorization");
    assert_eq!(again, Err("send Login None".to_owned()));

    // A record whose access token has expired still hands over its refresh token.
    let mut c = defindex();
    assert_eq!(c.import_record(&out.bytes, 0, T0 + 3_600_000).ok(), Some(Some(1)));
    let want = format!("send Refresh Some(\"Bearer {}\")", jwt(exp + 86_400));
    assert_eq!(served(&mut c, T0 + 3_600_000, "Authorization"), Err(want));
}

#[test]
fn kiiex_sessions_travel_with_their_idle_limit() {
    let mut a = kiiex("kx_secret");
    authenticate(&mut a, r#"{"Authenticated":true,"SessionToken":"sess-1","UserId":184}"#, None, T0);
    let _ = a.poll(T0 + 600_000, false); // used 10 min later
    let out = export(&a, 0, T0 + 600_000);
    assert_eq!(out.ttl_ms, 55 * 60_000, "kept for the idle limit after the last use");
    let mut b = kiiex("kx_secret");
    assert_eq!(b.import_record(&out.bytes, 0, T0 + 700_000).ok(), Some(Some(1)));
    assert_eq!(served(&mut b, T0 + 700_000, "aptoken").map(|h| h.0).ok().as_deref(), Some("sess-1"));
    // Idle limit from the last use b knows of (a's, at +10 min): 55 min later it is gone.
    let mut c = kiiex("kx_secret");
    assert!(c.import_record(&out.bytes, 0, T0 + 700_000).is_ok());
    assert!(served(&mut c, T0 + 600_000 + 55 * 60_000 - 1, "aptoken").is_ok());
    let mut d = kiiex("kx_secret");
    assert!(d.import_record(&out.bytes, 0, T0 + 700_000).is_ok());
    assert_eq!(served(&mut d, T0 + 600_000 + 55 * 60_000, "aptoken").map_err(|e| e.starts_with("send Authenticate")), Err(true));
    // Another API secret cannot open it.
    assert_eq!(kiiex("kx_secret_2").import_record(&out.bytes, 0, T0).err().map(|e| e.code()), Some("malformed_response"));
}

#[test]
fn foreign_and_broken_records_change_nothing() {
    let mut a = depay();
    authenticate(&mut a, &depay_body("at1", 3600), None, T0);
    let mut good = export(&a, 0, T0).bytes;
    let mut other = session_at("https://example.test", depay_key("dp_other"));
    authenticate(&mut other, &depay_body("theirs", 3600), None, T0);
    let foreign = export(&other, 0, T0).bytes;
    let mut b = depay();
    authenticate(&mut b, &depay_body("mine", 3600), None, T0);
    let generation = b.generation();
    if let Some(byte) = good.get_mut(20) {
        *byte ^= 1;
    }
    for (name, bytes) in [("foreign", foreign.as_slice()), ("altered", good.as_slice()), ("empty", &[][..]), ("junk", b"{\"accessToken\":\"x\"}")] {
        assert_eq!(b.import_record(bytes, 0, T0).err().map(|e| e.code()), Some("malformed_response"), "{name}");
    }
    assert_eq!(served(&mut b, T0, "Authorization"), Ok(("Bearer mine".to_owned(), generation)));
    let mut stat = session_at("https://example.test", Credentials::Adjutor { api_key: Secret::from("adj"), email: None, password: None });
    assert_eq!(stat.import_record(&foreign, 0, T0).err().map(|e| e.code()), Some("unsupported"));
}

#[test]
fn nothing_to_export_before_the_first_token() {
    assert!(depay().export_record(0, T0, NONCE).ok().flatten().is_none());
    let mut s = depay();
    let _ = s.poll(T0, false);
    assert!(s.export_record(0, T0, NONCE).ok().flatten().is_none(), "a pending exchange is no token");
    assert_eq!(s.poll(T0, true).map(|p| matches!(p, Poll::Wait)).ok(), Some(true));
}

#[test]
fn kiiex_nonces_come_from_the_fleet_counter() {
    let mut s = kiiex("kx_secret");
    let key = s.nonce_key().unwrap_or_default();
    assert_eq!(key.len(), 32);
    assert_eq!(kiiex("kx_secret").nonce_key().as_deref(), Some(key.as_str()), "one counter per credential");
    assert_ne!(kiiex("kx_secret_2").nonce_key().as_deref(), Some(key.as_str()));
    assert_ne!(kiiex("kx_secret").store_key(true).as_deref(), Some(key.as_str()), "not the record's name");
    assert_eq!(depay().nonce_key(), None);
    let nonce = |s: &mut Session, now: u64| match s.poll(now, false) {
        Ok(Poll::Send(auth)) => auth.request.headers.get("Nonce").unwrap_or_default().to_owned(),
        other => unreachable!("{other:?}"),
    };
    // The clock at T0, a reservation ahead of it: the nonce is the reserved value.
    s.reserve_nonce(T0 + 1_000);
    assert_eq!(nonce(&mut s, T0), (T0 + 1_000).to_string());
    // Never backwards: a smaller reservation still gives a greater nonce than the last one.
    s.reserve_nonce(T0 + 500);
    assert_eq!(nonce(&mut s, T0), (T0 + 1_001).to_string());
    // A clock past the reservation wins (the reservation only raises the floor).
    s.reserve_nonce(T0 + 2_000);
    assert_eq!(nonce(&mut s, T0 + 5_000), (T0 + 5_000).to_string());
}

#[test]
fn adjutor_core_services_tokens_travel_with_both_headers() {
    let login = || Credentials::Adjutor { api_key: Secret::from("adj_key"), email: Some("ops@example.test".into()), password: Some(Secret::from("pw")) };
    let mut a = session_at("https://example.test", login());
    authenticate(&mut a, &format!(r#"{{"token":"{}"}}"#, jwt(T0 / 1000 + 3600)), None, T0);
    let out = export(&a, 0, T0);
    assert_eq!(out.ttl_ms, 3_600_000);
    let mut b = session_at("https://example.test", login());
    assert_eq!(b.store_key(false), a.store_key(false));
    assert_eq!(b.import_record(&out.bytes, 0, T0 + 1).ok(), Some(Some(1)));
    let Ok(Poll::Ready(stamped)) = b.poll(T0 + 1, false) else { unreachable!("a usable token") };
    assert_eq!(stamped.headers.get("Authorization"), Some("Bearer adj_key"));
    assert_eq!(stamped.headers.get("x-access-token"), Some(jwt(T0 / 1000 + 3600).as_str()));
    // Another team member's login is another credential.
    let other = session_at("https://example.test", Credentials::Adjutor { api_key: Secret::from("adj_key"), email: Some("dev@example.test".into()), password: Some(Secret::from("pw")) });
    assert_ne!(other.store_key(false), a.store_key(false));
}
