//! Reading Kiiex (APEX) answers: `AuthenticateUser`, `Authenticate2FA`, `LogOut`, and the APEX
//! error shape. The same readers serve REST answers and the payload of WebSocket replies
//! ([`super::ws`]).
//!
//! Field names are matched **case-insensitively**: sources spell them `Authenticated` /
//! `SessionToken` / `Requires2FA` / `Pending2FaToken` / `AuthType` (APEX docs, ccxt) or
//! `authenticated` / `requires2FA` / `twoFAToken` / `twoFAType` / `errormsg` (the Kiiex API
//! reference). How an `AuthenticateUser` answer is read:
//!
//! | answer | outcome |
//! |---|---|
//! | `requires2FA: true` (whatever `authenticated` says) | [`AuthenticateOutcome::TwoFactorRequired`], with the pending token (`twoFAToken` or `Pending2FaToken`) and type (`twoFAType` or `AuthType`) when given |
//! | `authenticated: true` and a `SessionToken` | [`AuthenticateOutcome::Session`] |
//! | `authenticated: false` (any status, e.g. 400 `{authenticated:false, locked, errormsg}`), or `result: false` | `auth_rejected` |
//! | 401/403 | `auth_rejected`; 429 `rate_limited`; other non-2xx `provider_error` |
//! | anything else (no boolean `authenticated`, no token, not JSON) | `malformed_response` |

use serde_json::Value;

use super::super::{field_ci, ProviderId};
use crate::core::error::{Error, ErrorKind, Result};
use crate::core::headers::check_credential;
use crate::core::http::{malformed, status_error, Response};
use crate::core::Secret;

const P: ProviderId = ProviderId::Kiiex;

/// The APEX error code for "Not Authorized" (the session is gone).
pub const NOT_AUTHORIZED_CODE: i64 = 20;

/// The second factor an `AuthenticateUser` answer asked for.
#[derive(Clone, Default)]
pub struct TwoFactorChallenge {
    /// The pending token to send with `Authenticate2FA` (`twoFAToken` or `Pending2FaToken`), when
    /// the answer gave one. A credential: redacted in `Debug`.
    pub pending_token: Option<Secret>,
    /// The kind of second factor (`twoFAType` or `AuthType`, e.g. `"Google"`), as written.
    pub kind: Option<String>,
}

impl core::fmt::Debug for TwoFactorChallenge {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TwoFactorChallenge").field("pending_token", &self.pending_token).field("kind", &self.kind).finish()
    }
}

/// What an `AuthenticateUser` answer means.
#[derive(Clone, Debug)]
pub enum AuthenticateOutcome {
    /// Authenticated: the `SessionToken` every later call sends as `aptoken`.
    Session(Secret),
    /// The account needs a second factor: there is no session yet.
    TwoFactorRequired(TwoFactorChallenge),
}

/// Where an answer came from: a REST status, or a WebSocket reply (no status).
#[derive(Clone, Copy)]
pub(crate) struct Origin(pub(crate) Option<u16>);

impl Origin {
    fn tag(self, e: Error) -> Error {
        let e = e.with_provider(P);
        match self.0 {
            Some(status) => e.with_status(status),
            None => e,
        }
    }

    fn malformed(self, reason: &'static str) -> Error {
        self.tag(Error::new(ErrorKind::MalformedResponse, reason))
    }

    fn rejected(self, reason: &'static str) -> Error {
        self.tag(Error::new(ErrorKind::AuthRejected, reason))
    }
}

/// Which step an answer is the reply to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// `AuthenticateUser`.
    Authenticate,
    /// `Authenticate2FA`.
    SecondFactor,
}

/// Reads the JSON of an `AuthenticateUser` or `Authenticate2FA` answer (see the module table).
/// For the second factor, `requires2FA` again or `authenticated: false` means the code was
/// refused, and `authenticated` may be absent when a `SessionToken` is there.
pub(crate) fn read_answer(body: &Value, origin: Origin, step: Step) -> Result<AuthenticateOutcome> {
    if !body.is_object() {
        return Err(origin.malformed("the answer is not a JSON object"));
    }
    let field = |name| field_ci(body, name);
    if field("requires2fa") == Some(&Value::Bool(true)) {
        if step == Step::SecondFactor {
            return Err(origin.rejected("the second factor was not accepted"));
        }
        return challenge(body, origin).map(AuthenticateOutcome::TwoFactorRequired);
    }
    let refused = || {
        let locked = field("locked") == Some(&Value::Bool(true));
        origin.rejected(match (step, locked) {
            (_, true) => "the account is locked",
            (Step::Authenticate, false) => "AuthenticateUser was refused",
            (Step::SecondFactor, false) => "the second factor was not accepted",
        })
    };
    match (field("authenticated"), field("result")) {
        (Some(Value::Bool(true)), _) => {}
        (Some(Value::Bool(false)), _) | (None, Some(Value::Bool(false))) => return Err(refused()),
        (None, _) if step == Step::SecondFactor && field("sessiontoken").is_some() => {}
        _ => return Err(origin.malformed("Authenticated is missing or not a boolean")),
    }
    let token = field("sessiontoken").and_then(Value::as_str).ok_or_else(|| origin.malformed("SessionToken is missing or not a string"))?;
    check_credential("token", token).map_err(|_| origin.malformed("SessionToken is not a valid header value"))?;
    Ok(AuthenticateOutcome::Session(Secret::from(token)))
}

fn challenge(body: &Value, origin: Origin) -> Result<TwoFactorChallenge> {
    let field = |names: [&str; 2]| names.into_iter().find_map(|name| field_ci(body, name).filter(|v| !v.is_null()));
    let pending_token = match field(["twofatoken", "pending2fatoken"]) {
        None => None,
        Some(Value::String(token)) if token.is_empty() => None,
        Some(Value::String(token)) => {
            check_credential("pendingToken", token).map_err(|_| origin.malformed("the pending 2FA token is not a valid header value"))?;
            Some(Secret::from(token.as_str()))
        }
        Some(_) => return Err(origin.malformed("the pending 2FA token is not a string")),
    };
    let kind = field(["twofatype", "authtype"]).and_then(|v| match v {
        Value::String(s) if !s.is_empty() && s.len() <= 64 && !s.chars().any(char::is_control) => Some(s.clone()),
        // Integers only: formatting an arbitrary JSON number would link a float printer.
        Value::Number(n) => n.as_i64().map(|n| n.to_string()),
        _ => None,
    });
    Ok(TwoFactorChallenge { pending_token, kind })
}

/// A non-2xx answer to `AuthenticateUser` or `Authenticate2FA`: `authenticated: false` in the body
/// (the Kiiex reference's 400) is `auth_rejected`, the rest by status.
fn failed_status(resp: &Response<'_>, step: Step) -> Error {
    let origin = Origin(Some(resp.status));
    if (400..500).contains(&resp.status) {
        if let Ok(body) = resp.json(P) {
            if field_ci(&body, "authenticated") == Some(&Value::Bool(false)) {
                return match read_answer(&body, origin, step) {
                    Err(e) if e.kind() == ErrorKind::AuthRejected => e,
                    _ => origin.rejected("AuthenticateUser was refused"),
                };
            }
        }
    }
    status_error(P, resp.status)
}

/// Reads an `AuthenticateUser` answer into a session token or a second-factor challenge (see the
/// module table).
pub fn parse_authenticate_outcome(resp: &Response<'_>) -> Result<AuthenticateOutcome> {
    if !resp.is_success() {
        return Err(failed_status(resp, Step::Authenticate));
    }
    read_answer(&resp.json(P)?, Origin(Some(resp.status)), Step::Authenticate)
}

/// Reads an `AuthenticateUser` answer and returns the session token. An answer that asks for a
/// second factor is the error `two_factor_required` (use [`parse_authenticate_outcome`] to go on
/// with `Authenticate2FA`); the other failures are those of the module table.
pub fn parse_authenticate(resp: &Response<'_>) -> Result<Secret> {
    match parse_authenticate_outcome(resp)? {
        AuthenticateOutcome::Session(token) => Ok(token),
        AuthenticateOutcome::TwoFactorRequired(_) => Err(Error::new(ErrorKind::TwoFactorRequired, "the account needs a second factor (Authenticate2FA) and no code source was given")
            .with_provider(P)
            .with_status(resp.status)),
    }
}

/// Reads an `Authenticate2FA` answer (`{"Authenticated": true, "UserId", "SessionToken"}`) and
/// returns the session token. A refused code (`authenticated: false`, `requires2FA` again, a
/// 400/401 saying so) is `auth_rejected`.
pub fn parse_authenticate_2fa(resp: &Response<'_>) -> Result<Secret> {
    if !resp.is_success() {
        return Err(failed_status(resp, Step::SecondFactor));
    }
    match read_answer(&resp.json(P)?, Origin(Some(resp.status)), Step::SecondFactor)? {
        AuthenticateOutcome::Session(token) => Ok(token),
        AuthenticateOutcome::TwoFactorRequired(_) => Err(Origin(Some(resp.status)).rejected("the second factor was not accepted")),
    }
}

/// The error an APEX answer `{"result": false, "errormsg", "errorcode"}` stands for, or `None`
/// when the answer is not that shape. Error code 20 ("Not Authorized": the session is gone) is
/// `auth_rejected`, any other `provider_error`; the code is kept ([`Error::provider_code`]).
/// The `errormsg` text is not copied into the error (messages hold no provider text).
pub fn apex_error(body: &Value) -> Option<Error> {
    if field_ci(body, "result") != Some(&Value::Bool(false)) {
        return None;
    }
    let code = field_ci(body, "errorcode").and_then(Value::as_i64);
    let error = match code {
        Some(NOT_AUTHORIZED_CODE) => Error::new(ErrorKind::AuthRejected, "not authorized: the session is no longer valid (error code 20)"),
        _ => Error::new(ErrorKind::ProviderError, "APEX answered result: false"),
    }
    .with_provider(P);
    Some(match code {
        Some(code) => error.with_provider_code(code),
        None => error,
    })
}

/// Reads a `LogOut` answer: `{"result": true, ...}`. `result: false` is the error of
/// [`apex_error`]; 401/403 are `auth_rejected` (the session was already gone).
pub fn parse_logout(resp: &Response<'_>) -> Result<()> {
    if !resp.is_success() {
        return Err(status_error(P, resp.status));
    }
    let body = resp.json(P)?;
    if let Some(error) = apex_error(&body) {
        return Err(error.with_status(resp.status));
    }
    match field_ci(&body, "result") {
        Some(Value::Bool(true)) => Ok(()),
        _ => Err(malformed(P, resp.status, "result is missing or not a boolean")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An outcome as plain data: `Ok(("session", token))` or `Ok(("2fa", pending token | "-", kind | "-"))`.
    fn outcome(result: Result<AuthenticateOutcome>) -> Result<(&'static str, String, String), (&'static str, Option<u16>)> {
        match result {
            Ok(AuthenticateOutcome::Session(t)) => Ok(("session", t.expose().to_owned(), String::new())),
            Ok(AuthenticateOutcome::TwoFactorRequired(c)) => {
                Ok(("2fa", c.pending_token.map_or("-".into(), |t| t.expose().to_owned()), c.kind.unwrap_or_else(|| "-".into())))
            }
            Err(e) => Err((e.code(), e.status())),
        }
    }

    type Want = Result<(&'static str, &'static str, &'static str), &'static str>;

    /// Every documented shape of the `AuthenticateUser` answer, and what it means.
    const AUTHENTICATE: &[(u16, &str, Want)] = &[
        // APEX docs / open-source clients: PascalCase.
        (200, r#"{"Authenticated":true,"SessionToken":"tok-1","User":{"UserId":184},"Locked":false,"Requires2FA":false}"#, Ok(("session", "tok-1", ""))),
        (200, r#"{"Authenticated":true,"SessionToken":"tok-1","UserId":184}"#, Ok(("session", "tok-1", ""))),
        // The Kiiex API reference: lower camel.
        (200, r#"{"authenticated":true,"sessionToken":"tok-2","user":{},"locked":false,"requires2FA":false,"twoFAType":null,"twoFAToken":null,"errormsg":null}"#, Ok(("session", "tok-2", ""))),
        (200, r#"{"AUTHENTICATED":true,"SESSIONTOKEN":"tok-3"}"#, Ok(("session", "tok-3", ""))),
        // Second factor, in both spellings; `authenticated` does not matter when 2FA is required.
        (200, r#"{"authenticated":false,"requires2FA":true,"twoFAType":"Google","twoFAToken":"p-1","locked":false}"#, Ok(("2fa", "p-1", "Google"))),
        (200, r#"{"Authenticated":true,"Requires2FA":true,"AuthType":"Google","AddtlInfo":"","Pending2FaToken":"6f5c4e66-f3ee-493e-9227-31cc0583b55f"}"#, Ok(("2fa", "6f5c4e66-f3ee-493e-9227-31cc0583b55f", "Google"))),
        (200, r#"{"authenticated":false,"requires2FA":true}"#, Ok(("2fa", "-", "-"))),
        (200, r#"{"authenticated":false,"requires2FA":true,"twoFAToken":"","twoFAType":""}"#, Ok(("2fa", "-", "-"))),
        (200, r#"{"authenticated":false,"requires2FA":true,"twoFAType":2}"#, Ok(("2fa", "-", "2"))),
        (200, r#"{"requires2FA":true,"twoFAToken":"p 1"}"#, Err("malformed_response")),
        (200, r#"{"requires2FA":true,"twoFAToken":7}"#, Err("malformed_response")),
        (200, r#"{"Authenticated":true,"Requires2FA":"true","SessionToken":"tok-4"}"#, Ok(("session", "tok-4", ""))),
        // Refusals.
        (200, r#"{"Authenticated":false,"errormsg":"Invalid"}"#, Err("auth_rejected")),
        (200, r#"{"result":false,"errormsg":"Not Authorized","errorcode":20}"#, Err("auth_rejected")),
        (400, r#"{"authenticated":false,"locked":false,"errormsg":"Invalid username or password"}"#, Err("auth_rejected")),
        (400, r#"{"authenticated":false,"locked":true,"errormsg":"User is locked"}"#, Err("auth_rejected")),
        (401, r#"{"Authenticated":false}"#, Err("auth_rejected")),
        (403, "", Err("auth_rejected")),
        (400, r#"{"result":false,"errormsg":"Invalid Request","errorcode":100}"#, Err("provider_error")),
        (400, "bad format", Err("provider_error")),
        (429, "{}", Err("rate_limited")),
        (500, "oops", Err("provider_error")),
        // Not the documented shape.
        (200, "<html>", Err("malformed_response")),
        (200, r#"{"Authenticated":"true","SessionToken":"t"}"#, Err("malformed_response")),
        (200, r#"{"Authenticated":true}"#, Err("malformed_response")),
        (200, r#"{"SessionToken":"t"}"#, Err("malformed_response")),
        (200, r#"{"Authenticated":true,"SessionToken":"a\r\nb"}"#, Err("malformed_response")),
        (200, r#"{"Authenticated":true,"SessionToken":7}"#, Err("malformed_response")),
        (200, "[]", Err("malformed_response")),
    ];

    #[test]
    fn authenticate_answers_in_every_shape() {
        for (status, body, want) in AUTHENTICATE {
            let got = outcome(parse_authenticate_outcome(&Response::new(*status, body)));
            let want = want.map(|(a, b, c)| (a, b.to_owned(), c.to_owned())).map_err(|code| (code, Some(*status)));
            assert_eq!(got, want, "{status} {body}");
        }
    }

    #[test]
    fn parse_authenticate_maps_two_factor_to_an_error() {
        for (status, body, want) in AUTHENTICATE {
            let got = parse_authenticate(&Response::new(*status, body)).map(|t| t.expose().to_owned()).map_err(|e| e.code());
            let want = match want {
                Ok(("session", token, _)) => Ok((*token).to_owned()),
                Ok(_) => Err("two_factor_required"),
                Err(code) => Err(*code),
            };
            assert_eq!(got, want, "{status} {body}");
        }
        let e = parse_authenticate(&Response::new(200, r#"{"requires2FA":true,"twoFAToken":"SECRET_PENDING"}"#)).err();
        let shown = e.as_ref().map(|e| format!("{e} {e:?}")).unwrap_or_default();
        assert!(shown.starts_with("kiiex: the account needs a second factor") && !shown.contains("SECRET_PENDING"), "{shown}");
    }

    #[test]
    fn locked_accounts_say_so() {
        let e = parse_authenticate_outcome(&Response::new(400, r#"{"authenticated":false,"locked":true,"errormsg":"x"}"#)).err().map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("kiiex: the account is locked (HTTP 400)"));
    }

    #[test]
    fn second_factor_answers() {
        let cases: &[(u16, &str, Result<&str, &str>)] = &[
            (200, r#"{"Authenticated":true,"UserId":57764,"SessionToken":"4a2a5857-c4e5-4fac-b09e-2c4c30b591a0"}"#, Ok("4a2a5857-c4e5-4fac-b09e-2c4c30b591a0")),
            (200, r#"{"authenticated":true,"sessionToken":"s-2"}"#, Ok("s-2")),
            (200, r#"{"SessionToken":"s-3"}"#, Ok("s-3")),
            (200, r#"{"Authenticated":false,"errormsg":"Invalid code"}"#, Err("auth_rejected")),
            (200, r#"{"authenticated":false,"requires2FA":true}"#, Err("auth_rejected")),
            (200, r#"{"result":false,"errormsg":"Invalid 2FA Code","errorcode":100}"#, Err("auth_rejected")),
            (400, r#"{"authenticated":false,"errormsg":"Invalid code"}"#, Err("auth_rejected")),
            (401, "{}", Err("auth_rejected")),
            (500, "{}", Err("provider_error")),
            (200, r#"{"Authenticated":true}"#, Err("malformed_response")),
            (200, r#"{"UserId":1}"#, Err("malformed_response")),
            (200, r#"{"SessionToken":"s 4"}"#, Err("malformed_response")),
            (200, "nope", Err("malformed_response")),
        ];
        for (status, body, want) in cases {
            let got = parse_authenticate_2fa(&Response::new(*status, body)).map(|t| t.expose().to_owned()).map_err(|e| e.code());
            assert_eq!(got, want.map(str::to_owned), "{status} {body}");
        }
    }

    #[test]
    fn logout_answers() {
        type Case = (u16, &'static str, Result<(), (&'static str, Option<i64>)>);
        let cases: &[Case] = &[
            (200, r#"{"result":true,"errormsg":null,"errorcode":0,"detail":null}"#, Ok(())),
            (200, r#"{"Result":true}"#, Ok(())),
            (200, r#"{"result":false,"errormsg":"Not Authorized","errorcode":20}"#, Err(("auth_rejected", Some(20)))),
            (200, r#"{"result":false,"errormsg":"Server Error","errorcode":102}"#, Err(("provider_error", Some(102)))),
            (200, r#"{"result":false}"#, Err(("provider_error", None))),
            (401, "{}", Err(("auth_rejected", None))),
            (500, "{}", Err(("provider_error", None))),
            (200, "{}", Err(("malformed_response", None))),
            (200, r#"{"result":"true"}"#, Err(("malformed_response", None))),
            (200, "", Err(("malformed_response", None))),
        ];
        for (status, body, want) in cases {
            let got = parse_logout(&Response::new(*status, body)).map_err(|e| (e.code(), e.provider_code()));
            assert_eq!(got, *want, "{status} {body}");
        }
    }

    #[test]
    fn challenges_redact_the_pending_token() {
        let got = parse_authenticate_outcome(&Response::new(200, r#"{"requires2FA":true,"twoFAToken":"SECRET_PENDING","twoFAType":"Google"}"#));
        let shown = format!("{got:?}");
        assert!(!shown.contains("SECRET_PENDING") && shown.contains("Google"), "{shown}");
    }
}
