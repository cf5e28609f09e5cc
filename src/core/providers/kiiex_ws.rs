//! APEX WebSocket frames: keystamp builds request frames and reads reply frames; the host owns the
//! socket (no Kiiex gateway URL is published; APEX venues use `wss://<host>/WSGateway/`).
//!
//! A frame is `{"m": <type>, "i": <sequence number>, "n": "<Function>", "o": "<payload as a JSON
//! string>"}`: `m` is 0 request, 1 reply, 2 subscribe, 3 event, 4 unsubscribe, 5 error. `i` must be
//! **non-zero** (APEX advises even numbers from 2) and is echoed in the reply; keystamp also keeps
//! it at most 2^53 - 1 so any JSON reader holds it exactly.
//!
//! ```
//! use keystamp::core::providers::kiiex::{ws, AuthFields, AuthenticateOutcome, KiiexSigner};
//! use keystamp::core::Secret;
//! let signer = KiiexSigner::new(&Secret::from("SECRET_FROM_DASHBOARD"))?;
//! let fields = AuthFields::new(&signer, "APIKEY_FROM_DASHBOARD", "42", "1700000000000")?;
//! let frame = ws::authenticate_frame(&fields, 2)?;
//! assert!(frame.starts_with(r#"{"m":0,"i":2,"n":"AuthenticateUser","o":"{\"APIKey\""#));
//! // ... the host sends `frame` and receives:
//! let reply = r#"{"m":1,"i":2,"n":"AuthenticateUser","o":"{\"Authenticated\":true,\"SessionToken\":\"tok\"}"}"#;
//! match ws::read_authenticate_reply(reply, 2)? {
//!     AuthenticateOutcome::Session(token) => assert_eq!(token.expose(), "tok"),
//!     AuthenticateOutcome::TwoFactorRequired(_) => unreachable!(),
//! }
//! # Ok::<(), keystamp::core::Error>(())
//! ```

use serde_json::Value;

use super::answers::{apex_error, read_answer, AuthenticateOutcome, Origin, Step};
use super::{check_two_factor_code, AuthFields};
use crate::core::error::{Error, ErrorKind, Result};
use crate::core::http::MAX_BODY_LEN;
use crate::core::providers::ProviderId;

/// `m` of a request frame.
pub const REQUEST: u8 = 0;
/// `m` of a reply frame.
pub const REPLY: u8 = 1;
/// `m` of an error frame (its `o` is often plain text, e.g. `"Endpoint Not Found"`).
pub const ERROR: u8 = 5;
/// The largest sequence number accepted: 2^53 - 1, so every JSON reader holds it exactly.
pub const MAX_SEQ: u64 = (1 << 53) - 1;
/// The largest frame read or payload framed, in bytes.
pub const MAX_FRAME_LEN: usize = MAX_BODY_LEN;
/// The longest function name accepted.
pub const MAX_FUNCTION_LEN: usize = 64;

const P: ProviderId = ProviderId::Kiiex;

/// Checks a sequence number: `1..=MAX_SEQ` (APEX needs it non-zero).
pub fn check_seq(seq: u64) -> Result<()> {
    if seq == 0 || seq > MAX_SEQ {
        return Err(Error::new(ErrorKind::InvalidArgument, "must be a whole number from 1 to 2^53 - 1 (APEX needs it non-zero)").with_field("seq"));
    }
    Ok(())
}

/// Checks a function name: 1 to 64 ASCII letters, digits or `_` (e.g. `AuthenticateUser`,
/// `Authenticate2FA`, `GetUserInfo`).
pub fn check_function(function: &str) -> Result<()> {
    if function.is_empty() {
        return Err(Error::new(ErrorKind::MissingCredential, "is required").with_field("function"));
    }
    if function.len() > MAX_FUNCTION_LEN || !function.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(Error::new(ErrorKind::InvalidArgument, "must be 1 to 64 ASCII letters, digits or '_'").with_field("function"));
    }
    Ok(())
}

/// A request frame `{"m":0,"i":seq,"n":function,"o":payload_json}`; `payload_json` must be JSON
/// text (it is carried as a string, as APEX expects).
pub fn request_frame(seq: u64, function: &str, payload_json: &str) -> Result<String> {
    check_seq(seq)?;
    check_function(function)?;
    if payload_json.len() > MAX_FRAME_LEN {
        return Err(Error::new(ErrorKind::InputTooLarge, "is larger than 1 MiB").with_field("payload"));
    }
    // Parsed as a `Value`, the reader the answer parsers already link (a separate `IgnoredAny`
    // reader would cost several KB of wasm).
    serde_json::from_str::<Value>(payload_json).map_err(|_| Error::new(ErrorKind::InvalidArgument, "is not JSON text").with_field("payload"))?;
    #[derive(serde::Serialize)]
    struct Frame<'a> {
        m: u8,
        i: u64,
        n: &'a str,
        o: &'a str,
    }
    Ok(serde_json::to_string(&Frame { m: REQUEST, i: seq, n: function, o: payload_json }).unwrap_or_default())
}

/// The `AuthenticateUser` frame: `o` is the JSON of `{"APIKey","Signature","UserId","Nonce"}`.
/// It holds the API key and the signature: send it, do not log it.
pub fn authenticate_frame(fields: &AuthFields, seq: u64) -> Result<String> {
    let mut payload = fields.json();
    let frame = request_frame(seq, "AuthenticateUser", &payload);
    zeroize::Zeroize::zeroize(&mut payload);
    frame
}

/// The `Authenticate2FA` frame with `{"Code": "<code>"}` (the APEX docs' form), after a reply that
/// asked for a second factor. The code is checked as in [`super::check_two_factor_code`].
pub fn two_factor_frame(seq: u64, code: &str) -> Result<String> {
    check_two_factor_code(code)?;
    request_frame(seq, "Authenticate2FA", &format!(r#"{{"Code":"{code}"}}"#))
}

/// A reply frame, checked: `m` 1, `i` the request's, `n` and `o` strings. `Debug` redacts the
/// payload (it may hold a session token).
#[derive(Clone, PartialEq, Eq)]
pub struct ReplyFrame {
    /// `n`: the function the reply is for.
    pub function: String,
    /// `o`: the payload, JSON text.
    pub payload: String,
}

impl core::fmt::Debug for ReplyFrame {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ReplyFrame").field("function", &self.function).field("payload", &"[redacted]").finish()
    }
}

impl Drop for ReplyFrame {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.payload);
    }
}

fn malformed(reason: &'static str) -> Error {
    Error::new(ErrorKind::MalformedResponse, reason).with_provider(P)
}

/// Reads the reply to the request `seq`, as its raw payload. Errors:
/// - `m` 5 (an error frame): `provider_error`;
/// - not JSON, not an object, `m`/`i` not whole numbers, `n`/`o` not strings, `m` neither 1 nor
///   5, or `i` not `seq` (the frame answers another request: route frames by `i` first):
///   `malformed_response`; a frame over 1 MiB: `input_too_large`.
pub fn read_reply_frame(text: &str, seq: u64) -> Result<ReplyFrame> {
    check_seq(seq)?;
    if text.len() > MAX_FRAME_LEN {
        return Err(Error::new(ErrorKind::InputTooLarge, "the frame is larger than 1 MiB").with_provider(P));
    }
    let frame: Value = serde_json::from_str(text).map_err(|_| malformed("the frame is not JSON"))?;
    let (Some(m), Some(i)) = (frame.get("m").and_then(Value::as_u64), frame.get("i").and_then(Value::as_u64)) else {
        return Err(malformed("the frame has no whole-number m and i"));
    };
    if m != u64::from(REPLY) && m != u64::from(ERROR) {
        return Err(malformed("not a reply frame (m is neither 1 nor 5)"));
    }
    if i != seq {
        return Err(malformed("the frame answers another request (its i is not the request's)"));
    }
    if m == u64::from(ERROR) {
        return Err(Error::new(ErrorKind::ProviderError, "the gateway answered with an error frame (m = 5)").with_provider(P));
    }
    let (Some(function), Some(payload)) = (frame.get("n").and_then(Value::as_str), frame.get("o").and_then(Value::as_str)) else {
        return Err(malformed("the frame's n or o is not a string"));
    };
    Ok(ReplyFrame { function: function.to_owned(), payload: payload.to_owned() })
}

/// [`read_reply_frame`], then its payload parsed; an APEX error payload
/// `{"result": false, "errormsg", "errorcode"}` is the error of
/// [`apex_error`] (error code 20 `auth_rejected`, others `provider_error`).
pub fn read_reply(text: &str, seq: u64) -> Result<(ReplyFrame, Value)> {
    let frame = read_reply_frame(text, seq)?;
    let payload: Value = serde_json::from_str(&frame.payload).map_err(|_| malformed("the frame's o is not JSON text"))?;
    if let Some(error) = apex_error(&payload) {
        return Err(error);
    }
    Ok((frame, payload))
}

/// Reads the reply to an `AuthenticateUser` or `Authenticate2FA` frame into a session token or a
/// second-factor challenge (the reading of [`super::answers`]; a reply whose `n` is
/// `Authenticate2FA` is read as the second factor's: a refused code is `auth_rejected`).
pub fn read_authenticate_reply(text: &str, seq: u64) -> Result<AuthenticateOutcome> {
    let frame = read_reply_frame(text, seq)?;
    let payload: Value = serde_json::from_str(&frame.payload).map_err(|_| malformed("the frame's o is not JSON text"))?;
    let step = if frame.function.eq_ignore_ascii_case("Authenticate2FA") { Step::SecondFactor } else { Step::Authenticate };
    read_answer(&payload, Origin(None), step)
}

#[cfg(test)]
mod tests {
    use super::super::{KiiexSigner, STAGING_URL};
    use super::*;
    use crate::core::Secret;

    fn fields() -> AuthFields {
        let signer = KiiexSigner::new(&Secret::from("SECRET_FROM_DASHBOARD")).unwrap_or_else(|e| unreachable!("{e}"));
        AuthFields::new(&signer, "APIKEY_FROM_DASHBOARD", "42", "1700000000000").unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn authenticate_frame_exact() {
        let frame = authenticate_frame(&fields(), 2).unwrap_or_default();
        assert_eq!(
            frame,
            r#"{"m":0,"i":2,"n":"AuthenticateUser","o":"{\"APIKey\":\"APIKEY_FROM_DASHBOARD\",\"Signature\":\"cd95952f3f722dbb00ac4b7a097813f3a4b8745a950c6b1bdb55278ad759bb6c\",\"UserId\":\"42\",\"Nonce\":\"1700000000000\"}"}"#
        );
        assert_eq!(authenticate_frame(&fields(), 0).map_err(|e| (e.code(), e.field())), Err(("invalid_argument", Some("seq"))));
        assert_eq!(authenticate_frame(&fields(), MAX_SEQ).map(|f| f.contains("\"i\":9007199254740991,")), Ok(true));
        assert_eq!(authenticate_frame(&fields(), MAX_SEQ + 1).map_err(|e| e.code()), Err("invalid_argument"));
        let _ = STAGING_URL;
    }

    #[test]
    fn request_frames() {
        type Case = (u64, &'static str, &'static str, Result<&'static str, (&'static str, &'static str)>);
        let cases: &[Case] = &[
            (4, "GetUserInfo", "{}", Ok(r#"{"m":0,"i":4,"n":"GetUserInfo","o":"{}"}"#)),
            (6, "LogOut", "{}", Ok(r#"{"m":0,"i":6,"n":"LogOut","o":"{}"}"#)),
            (8, "GetL2Snapshot", r#"{"OMSId":1,"InstrumentId":1,"Depth":10}"#, Ok(r#"{"m":0,"i":8,"n":"GetL2Snapshot","o":"{\"OMSId\":1,\"InstrumentId\":1,\"Depth\":10}"}"#)),
            (1, "Ping", r#"{"note":"a \"quote\" é \u2028"}"#, Ok("{\"m\":0,\"i\":1,\"n\":\"Ping\",\"o\":\"{\\\"note\\\":\\\"a \\\\\\\"quote\\\\\\\" é \\\\u2028\\\"}\"}")),
            (3, "Get_Thing2", "[]", Ok(r#"{"m":0,"i":3,"n":"Get_Thing2","o":"[]"}"#)),
            (0, "GetUserInfo", "{}", Err(("invalid_argument", "seq"))),
            (2, "", "{}", Err(("missing_credential", "function"))),
            (2, "Get User", "{}", Err(("invalid_argument", "function"))),
            (2, "GetUserInfo\"", "{}", Err(("invalid_argument", "function"))),
            (2, "Gét", "{}", Err(("invalid_argument", "function"))),
            (2, "GetUserInfo", "", Err(("invalid_argument", "payload"))),
            (2, "GetUserInfo", "{", Err(("invalid_argument", "payload"))),
            (2, "GetUserInfo", "{} {}", Err(("invalid_argument", "payload"))),
        ];
        for (seq, function, payload, want) in cases {
            let got = request_frame(*seq, function, payload);
            assert_eq!(got.as_deref().map_err(|e| (e.code(), e.field().unwrap_or_default())), want.map(|f| f), "{seq} {function:?} {payload:?}");
            if let Ok(frame) = got {
                let back: Value = serde_json::from_str(&frame).unwrap_or_default();
                assert_eq!(back["o"].as_str(), Some(*payload));
            }
        }
        assert_eq!(request_frame(2, &"F".repeat(MAX_FUNCTION_LEN + 1), "{}").map_err(|e| e.code()), Err("invalid_argument"));
        let huge = format!("\"{}\"", "x".repeat(MAX_FRAME_LEN));
        assert_eq!(request_frame(2, "Ping", &huge).map_err(|e| e.code()), Err("input_too_large"));
    }

    #[test]
    fn two_factor_frames() {
        assert_eq!(two_factor_frame(4, "123456").as_deref(), Ok(r#"{"m":0,"i":4,"n":"Authenticate2FA","o":"{\"Code\":\"123456\"}"}"#));
        assert_eq!(two_factor_frame(4, "12a456").map_err(|e| (e.code(), e.field())), Err(("invalid_argument", Some("code"))));
        assert_eq!(two_factor_frame(0, "123456").map_err(|e| e.field()), Err(Some("seq")));
    }

    /// `{"m":m,"i":i,"n":n,"o":<JSON string of o>}`.
    fn reply(m: u8, i: u64, n: &str, o: &str) -> String {
        serde_json::json!({ "m": m, "i": i, "n": n, "o": o }).to_string()
    }

    #[test]
    fn authenticate_replies() {
        type Want = Result<(&'static str, &'static str), &'static str>;
        let read = |text: &str, seq| match read_authenticate_reply(text, seq) {
            Ok(AuthenticateOutcome::Session(t)) => Ok(("session", t.expose().to_owned())),
            Ok(AuthenticateOutcome::TwoFactorRequired(c)) => Ok(("2fa", c.pending_token.map_or("-".into(), |t| t.expose().to_owned()))),
            Err(e) => Err(e.code()),
        };
        let cases: Vec<(String, u64, Want)> = vec![
            (reply(1, 2, "AuthenticateUser", r#"{"Authenticated":true,"SessionToken":"tok-1","UserId":42}"#), 2, Ok(("session", "tok-1"))),
            (reply(1, 2, "AuthenticateUser", r#"{"authenticated":true,"sessionToken":"tok-2"}"#), 2, Ok(("session", "tok-2"))),
            (reply(1, 2, "AuthenticateUser", r#"{"authenticated":false,"requires2FA":true,"twoFAToken":"p-1","twoFAType":"Google"}"#), 2, Ok(("2fa", "p-1"))),
            (reply(1, 2, "AuthenticateUser", r#"{"Authenticated":false,"errormsg":"Invalid"}"#), 2, Err("auth_rejected")),
            (reply(1, 2, "AuthenticateUser", r#"{"authenticated":false,"locked":true,"errormsg":"locked"}"#), 2, Err("auth_rejected")),
            (reply(1, 2, "AuthenticateUser", r#"{"result":false,"errormsg":"Not Authorized","errorcode":20}"#), 2, Err("auth_rejected")),
            (reply(1, 4, "Authenticate2FA", r#"{"Authenticated":true,"UserId":42,"SessionToken":"tok-3"}"#), 4, Ok(("session", "tok-3"))),
            (reply(1, 4, "Authenticate2FA", r#"{"Authenticated":false,"errormsg":"Invalid code"}"#), 4, Err("auth_rejected")),
            (reply(1, 4, "Authenticate2FA", r#"{"authenticated":false,"requires2FA":true}"#), 4, Err("auth_rejected")),
            (reply(5, 2, "AuthenticateUser", "Endpoint Not Found"), 2, Err("provider_error")),
            (reply(1, 4, "AuthenticateUser", r#"{"Authenticated":true,"SessionToken":"t"}"#), 2, Err("malformed_response")),
            (reply(3, 2, "AuthenticateUser", r#"{"Authenticated":true,"SessionToken":"t"}"#), 2, Err("malformed_response")),
            (reply(0, 2, "AuthenticateUser", r#"{"Authenticated":true,"SessionToken":"t"}"#), 2, Err("malformed_response")),
            (reply(1, 2, "AuthenticateUser", "not json"), 2, Err("malformed_response")),
            (reply(1, 2, "AuthenticateUser", r#"{"Authenticated":true}"#), 2, Err("malformed_response")),
            (reply(1, 2, "AuthenticateUser", r#"{"Authenticated":true,"SessionToken":"a\r\nb"}"#), 2, Err("malformed_response")),
            (r#"{"m":1,"i":2,"n":"AuthenticateUser","o":{"Authenticated":true,"SessionToken":"t"}}"#.into(), 2, Err("malformed_response")),
            (r#"{"m":1,"i":"2","n":"AuthenticateUser","o":"{}"}"#.into(), 2, Err("malformed_response")),
            (r#"{"m":1,"i":2.5,"n":"AuthenticateUser","o":"{}"}"#.into(), 2, Err("malformed_response")),
            (r#"{"m":1,"i":2,"o":"{\"Authenticated\":true,\"SessionToken\":\"t\"}"}"#.into(), 2, Err("malformed_response")),
            (r#"[1,2,"AuthenticateUser","{}"]"#.into(), 2, Err("malformed_response")),
            ("".into(), 2, Err("malformed_response")),
            (reply(1, 2, "AuthenticateUser", r#"{"Authenticated":true,"SessionToken":"t"}"#), 0, Err("invalid_argument")),
        ];
        for (text, seq, want) in cases {
            let got = read(&text, seq);
            assert_eq!(got, want.map(|(k, t)| (k, t.to_owned())), "{seq} {text}");
        }
        let huge = reply(1, 2, "AuthenticateUser", &"x".repeat(MAX_FRAME_LEN));
        assert_eq!(read(&huge, 2), Err("input_too_large"));
    }

    #[test]
    fn generic_replies() {
        let (frame, payload) = read_reply(&reply(1, 6, "LogOut", r#"{"result":true,"errormsg":null,"errorcode":0}"#), 6).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!((frame.function.as_str(), payload["result"].as_bool()), ("LogOut", Some(true)));
        let (_, payload) = read_reply(&reply(1, 8, "GetL2Snapshot", "[[1,2],[3,4]]"), 8).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(payload, serde_json::json!([[1, 2], [3, 4]]));
        let error = |text: String, seq| read_reply(&text, seq).map(drop).map_err(|e| (e.code(), e.provider_code()));
        assert_eq!(error(reply(1, 6, "GetUserInfo", r#"{"result":false,"errormsg":"Not Authorized","errorcode":20}"#), 6), Err(("auth_rejected", Some(20))));
        assert_eq!(error(reply(1, 22, "SubscribeLevel2", r#"{"result":false,"errormsg":"Already Subscribed.","errorcode":909}"#), 22), Err(("provider_error", Some(909))));
        assert_eq!(error(reply(5, 26, "NoSuchFunction", "Endpoint Not Found"), 26), Err(("provider_error", None)));
        assert_eq!(error(reply(1, 6, "GetUserInfo", "Endpoint Not Found"), 6), Err(("malformed_response", None)));
        let shown = format!("{:?}", read_reply_frame(&reply(1, 2, "AuthenticateUser", r#"{"SessionToken":"SECRET_TOKEN"}"#), 2));
        assert!(!shown.contains("SECRET_TOKEN") && shown.contains("AuthenticateUser"), "{shown}");
    }
}
