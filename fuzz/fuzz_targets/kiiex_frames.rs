//! Kiiex WebSocket replies and APEX answers in every shape: whatever the bytes, a reply read for
//! request `seq` is either a checked outcome (a valid session token or a second-factor step) or a
//! documented error, and a built request frame reads back as JSON with the same `i`, `n` and `o`.
#![no_main]

use keystamp::core::headers::check_credential;
use keystamp::core::http::Response;
use keystamp::core::providers::kiiex::{self, ws, AuthenticateOutcome};
use keystamp_fuzz::{answer, is_documented};
use libfuzzer_sys::fuzz_target;

fn check_outcome(outcome: keystamp::core::Result<AuthenticateOutcome>) {
    match outcome {
        Ok(AuthenticateOutcome::Session(token)) => assert!(check_credential("token", token.expose()).is_ok()),
        Ok(AuthenticateOutcome::TwoFactorRequired(challenge)) => {
            assert!(challenge.pending_token.is_none_or(|t| check_credential("token", t.expose()).is_ok()));
        }
        Err(e) => assert!(is_documented(e.code()), "{e:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((status, text)) = answer(data) else { return };
    let seq = u64::from(status);
    check_outcome(ws::read_authenticate_reply(text, seq));
    if let Err(e) = ws::read_reply(text, seq) {
        assert!(is_documented(e.code()), "{e:?}");
    }
    let resp = Response::new(status, text);
    check_outcome(kiiex::parse_authenticate_outcome(&resp));
    if let Ok(token) = kiiex::parse_authenticate_2fa(&resp) {
        assert!((200..300).contains(&status) && check_credential("token", token.expose()).is_ok());
    }
    if kiiex::parse_logout(&resp).is_ok() {
        assert!((200..300).contains(&status));
    }
    // The text as a function name and as a payload: built frames are JSON that read back exactly.
    for (function, payload) in [(text, "{}"), ("Ping", text)] {
        if let Ok(frame) = ws::request_frame(seq, function, payload) {
            let back: serde_json::Value = serde_json::from_str(&frame).unwrap();
            assert_eq!((back["m"].as_u64(), back["i"].as_u64(), back["n"].as_str(), back["o"].as_str()), (Some(0), Some(seq), Some(function), Some(payload)));
        }
    }
});
