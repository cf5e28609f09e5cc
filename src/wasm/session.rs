//! `ClientCore`: the core [`Session`] as a synchronous class, for the package's JS driver
//! (`pkg/entries/client.js`), which performs what it is told: fetch, timers, deadlines, sharing one
//! in-flight exchange. Internal: not part of the typed API, which is the JS `Client`.
//!
//! Every method converts and delegates; the decisions (which request, whether a token is usable,
//! what an answer or a 401 means, how long to back off) are the session's.

use js_sys::Object;
use wasm_bindgen::prelude::*;

use super::convert::{headers_object, id, id_value, number, opt_id, opt_secret, opt_string, opt_string_value, options, secret, set, string, whole};
use super::error::{invalid, to_js, IntoJs};
use crate::core::http::{BaseUrl, Request, Response};
use crate::core::providers::kiiex::{AuthForm, KiiexSigner};
use crate::core::providers::{adjutor, defindex, deltadefi, depay, kiiex, ProviderId};
use crate::core::session::ops::{KeyOperation, KeyResult};
use crate::core::session::{AuthKind, AuthRequest, Credentials, Poll, Received, Session, Stamped, Timing};
use crate::core::{ErrorKind, Result};

fn default_base_url(provider: ProviderId) -> &'static str {
    match provider {
        ProviderId::Defindex => defindex::BASE_URL,
        ProviderId::Deltadefi => deltadefi::MAINNET_URL,
        ProviderId::Adjutor => adjutor::BASE_URL,
        ProviderId::Depay => depay::PRODUCTION_URL,
        ProviderId::Kiiex => kiiex::PRODUCTION_URL,
    }
}

fn opt_ms(opts: &Object, key: &'static str) -> Result<Option<u64>> {
    opt_id(opts, key)?.map(|s| s.parse::<u64>().map_err(|_| invalid(key, "must be a non-negative integer"))).transpose()
}

fn credentials(provider: ProviderId, opts: &Object) -> Result<Credentials> {
    Ok(match provider {
        ProviderId::Defindex => Credentials::Defindex { api_key: opt_secret(opts, "apiKey")?, email: opt_string(opts, "email")?, password: opt_secret(opts, "password")? },
        ProviderId::Deltadefi => Credentials::Deltadefi { api_key: secret(opts, "apiKey")? },
        ProviderId::Adjutor => Credentials::Adjutor { api_key: secret(opts, "apiKey")?, email: opt_string(opts, "email")?, password: opt_secret(opts, "password")? },
        ProviderId::Depay => Credentials::Depay { api_key: secret(opts, "apiKey")?, token_path: opt_string(opts, "tokenPath")? },
        ProviderId::Kiiex => {
            let form = match opt_string(opts, "kiiexAuthForm")?.as_deref() {
                None | Some("headers") => AuthForm::HeadersGet,
                Some("headers-post") => AuthForm::HeadersPost,
                Some("json") => AuthForm::JsonBody,
                Some(_) => return Err(invalid("kiiexAuthForm", "must be \"headers\", \"headers-post\" or \"json\"")),
            };
            let api_key = secret(opts, "apiKey")?;
            crate::core::headers::check_credential("apiKey", api_key.expose())?;
            let user_id = id(opts, "userId")?;
            crate::core::headers::check_credential("userId", &user_id)?;
            Credentials::Kiiex { api_key, signer: KiiexSigner::new(&secret(opts, "apiSecret")?)?, user_id, form }
        }
    })
}

/// `{ method, url, headers, body? }`.
fn request_object(request: &Request) -> Object {
    let obj = Object::new();
    set(&obj, "method", &request.method.as_str().into());
    set(&obj, "url", &request.url.as_str().into());
    set(&obj, "headers", &headers_object(&request.headers));
    if let Some(body) = &request.body {
        set(&obj, "body", &body.as_str().into());
    }
    obj
}

/// `{ kind, shareable, method, url, headers, body? }`: an auth request, and whether a fleet store
/// may share what it installs.
fn auth_object(auth: &AuthRequest) -> Object {
    let obj = request_object(&auth.request);
    set(&obj, "kind", &auth.kind.as_str().into());
    set(&obj, "shareable", &auth.kind.shares_token().into());
    obj
}

/// `{ action, generation, headers }` for a step that has headers.
fn stamped_object(action: &str, stamped: &Stamped) -> Object {
    let obj = Object::new();
    set(&obj, "action", &action.into());
    set(&obj, "generation", &number(stamped.generation));
    set(&obj, "headers", &headers_object(&stamped.headers));
    obj
}

fn opt_js(value: Option<&str>) -> JsValue {
    value.map_or(JsValue::NULL, JsValue::from_str)
}

fn key_operation(name: &str, argument: &JsValue) -> Result<KeyOperation> {
    Ok(match name {
        "generate" => KeyOperation::Generate(opt_string_value(argument, "name")?),
        "list" => KeyOperation::List,
        "revoke" => KeyOperation::Revoke(id_value(argument, "id")?.ok_or(crate::core::Error::new(ErrorKind::MissingCredential, "is required").with_field("id"))?),
        _ => return Err(invalid("operation", "is not a key operation")),
    })
}

/// The token lifecycle of one credential (see `crate::core::session`), for the JS driver.
#[wasm_bindgen(js_name = __ClientCore, skip_typescript)]
pub struct ClientCore {
    pub(super) session: Session,
}

#[wasm_bindgen(js_class = __ClientCore)]
impl ClientCore {
    /// Reads `provider`, `baseUrl`, the credentials and the timing options (own properties
    /// only), and checks all of them.
    #[wasm_bindgen(constructor)]
    pub fn new(options_: &JsValue) -> std::result::Result<ClientCore, JsValue> {
        (|| {
            let opts = options(options_, "options")?;
            let provider: ProviderId = string(opts, "provider")?.parse()?;
            (|| {
                let base = BaseUrl::parse(opt_string(opts, "baseUrl")?.as_deref().unwrap_or(default_base_url(provider)))?;
                let timing = Timing { refresh_margin_ms: opt_ms(opts, "refreshMarginMs")?, must_refresh_ms: opt_ms(opts, "mustRefreshMs")?, max_idle_ms: opt_ms(opts, "maxIdleMs")? };
                Ok(ClientCore { session: Session::new(base, credentials(provider, opts)?, timing)? })
            })()
            .map_err(|e: crate::core::Error| if e.provider().is_some() { e } else { e.with_provider(provider) })
        })()
        .js()
    }

    /// The provider name.
    #[wasm_bindgen(getter)]
    pub fn provider(&self) -> String {
        self.session.provider().as_str().to_owned()
    }

    /// One step of the token state machine at `nowMs`: `{ action: "ready" | "renew", generation,
    /// headers, auth? }`, `{ action: "send", auth }` or `{ action: "wait" }`; throws
    /// `rate_limited` during a back-off with nothing usable.
    pub fn poll(&mut self, now_ms: f64, pending: bool) -> std::result::Result<JsValue, JsValue> {
        (|| {
            Ok(match self.session.poll(whole(now_ms, "now")?, pending)? {
                Poll::Ready(stamped) => stamped_object("ready", &stamped),
                Poll::Renew(stamped, auth) => {
                    let obj = stamped_object("renew", &stamped);
                    set(&obj, "auth", &auth_object(&auth));
                    obj
                }
                Poll::Send(auth) => {
                    let obj = Object::new();
                    set(&obj, "action", &"send".into());
                    set(&obj, "auth", &auth_object(&auth));
                    obj
                }
                Poll::Wait => {
                    let obj = Object::new();
                    set(&obj, "action", &"wait".into());
                    obj
                }
            }
            .into())
        })()
        .js()
    }

    /// The generation whose headers are current at `nowMs`, when nothing else is due; 0 when
    /// `poll` must be called.
    #[wasm_bindgen(js_name = readyGeneration)]
    pub fn ready_generation(&mut self, now_ms: f64) -> JsValue {
        whole(now_ms, "now").ok().and_then(|now| self.session.ready_generation(now)).map_or(JsValue::from_f64(0.0), number)
    }

    /// Reads the answer to an auth request of `kind`: `{ outcome: "installed" | "retry" }` or
    /// `{ outcome: "rotated", apiKey, createdAt? }`; throws the typed error of a failed exchange.
    #[allow(clippy::too_many_arguments)]
    pub fn receive(&mut self, kind: &str, status: u16, date: Option<String>, retry_after: Option<String>, body: String, now_ms: f64) -> std::result::Result<JsValue, JsValue> {
        (|| {
            let kind = AuthKind::from_name(kind)?;
            let mut random = [0u8; 4];
            // Without randomness the back-off is still bounded, only not jittered.
            let _ = getrandom::fill(&mut random);
            self.session.set_jitter(u32::from_le_bytes(random));
            let response = Response { status, body: &body, date: date.as_deref(), retry_after: retry_after.as_deref() };
            let obj = Object::new();
            match self.session.receive(kind, &response, whole(now_ms, "now")?)? {
                Received::Installed => set(&obj, "outcome", &"installed".into()),
                Received::Retry => set(&obj, "outcome", &"retry".into()),
                Received::NeedsCode => set(&obj, "outcome", &"code".into()),
                Received::LoggedOut => set(&obj, "outcome", &"logged-out".into()),
                Received::Rotated(key, created_at) => {
                    set(&obj, "outcome", &"rotated".into());
                    set(&obj, "apiKey", &key.expose().into());
                    if let Some(at) = created_at {
                        set(&obj, "createdAt", &at.into());
                    }
                }
            }
            Ok(obj.into())
        })()
        .js()
    }

    /// A call made with the headers of `generation` was answered 401: returns when a retry may
    /// help (a straggler, or the token was dropped to re-authenticate); throws `auth_rejected`
    /// for a rejected static key.
    pub fn unauthorized(&mut self, generation: f64) -> std::result::Result<(), JsValue> {
        whole(generation, "generation").and_then(|g| self.session.unauthorized(g)).js()
    }

    /// DeltaDeFi: the key rotation request.
    #[wasm_bindgen(js_name = rotateRequest)]
    pub fn rotate_request(&self) -> std::result::Result<JsValue, JsValue> {
        self.session.rotate_request().map(|auth| auth_object(&auth).into()).js()
    }

    /// Kiiex: the `Authenticate2FA` request after a `{ outcome: "code" }` answer; `code` is
    /// what the application's code source gave (`undefined`: none, `two_factor_required`).
    #[wasm_bindgen(js_name = secondFactorRequest)]
    pub fn second_factor_request(&mut self, code: JsValue) -> std::result::Result<JsValue, JsValue> {
        (|| {
            let code = opt_string_value(&code, "code").map_err(|e| e.with_provider(self.session.provider()))?;
            self.session.second_factor_request(code.as_deref()).map(|auth| auth_object(&auth).into())
        })()
        .js()
    }

    /// Kiiex: forgets the session and returns the `LogOut` request, or `undefined` when there is
    /// no session.
    #[wasm_bindgen(js_name = logoutRequest)]
    pub fn logout_request(&mut self) -> std::result::Result<JsValue, JsValue> {
        self.session.logout_request().map(|auth| auth.map_or(JsValue::UNDEFINED, |a| auth_object(&a).into())).js()
    }

    /// DeFindex: the request of a key operation (`"generate"` with an optional name, `"list"`,
    /// `"revoke"` with an id) with the current dashboard JWT.
    #[wasm_bindgen(js_name = keyRequest)]
    pub fn key_request(&mut self, operation: &str, argument: JsValue, now_ms: f64) -> std::result::Result<JsValue, JsValue> {
        (|| {
            let operation = key_operation(operation, &argument).map_err(|e| e.with_provider(self.session.provider()))?;
            let request = self.session.key_request(&operation, whole(now_ms, "now")?)?;
            Ok(request_object(&request).into())
        })()
        .js()
    }

    /// DeFindex: reads the answer to a key operation: `{ key, id }`, an array of
    /// `{ id, name, key, createdAt, lastUsedAt }`, or `true`.
    #[wasm_bindgen(js_name = keyResult)]
    pub fn key_result(&self, operation: &str, argument: JsValue, status: u16, body: String) -> std::result::Result<JsValue, JsValue> {
        (|| {
            let operation = key_operation(operation, &argument)?;
            Ok(match self.session.key_result(&operation, &Response::new(status, &body))? {
                KeyResult::Generated(generated) => {
                    let obj = Object::new();
                    set(&obj, "key", &generated.key.expose().into());
                    set(&obj, "id", &opt_js(generated.id.as_deref()));
                    obj.into()
                }
                KeyResult::Listed(entries) => entries
                    .iter()
                    .map(|entry| {
                        let obj = Object::new();
                        set(&obj, "id", &entry.id.as_str().into());
                        set(&obj, "name", &opt_js(entry.name.as_deref()));
                        set(&obj, "key", &opt_js(entry.key.as_deref()));
                        set(&obj, "createdAt", &opt_js(entry.created_at.as_deref()));
                        set(&obj, "lastUsedAt", &opt_js(entry.last_used_at.as_deref()));
                        JsValue::from(obj)
                    })
                    .collect::<js_sys::Array>()
                    .into(),
                KeyResult::Revoked => JsValue::TRUE,
            })
        })()
        .js()
    }

    /// Headers a call of `method` gets unless the caller set them.
    #[wasm_bindgen(js_name = callDefaults)]
    pub fn call_defaults(&self, method: &str) -> JsValue {
        headers_object(&self.session.call_defaults(method)).into()
    }

    /// The absolute URL for `input`: a path is appended to the base URL; an absolute URL must
    /// have the base URL's origin (`origin_mismatch` otherwise).
    pub fn resolve(&self, input: &str) -> std::result::Result<String, JsValue> {
        let base = self.session.base_url();
        if input.contains("://") {
            self.check_origin(input)?;
            return Ok(input.to_owned());
        }
        let sep = if input.starts_with('/') { "" } else { "/" };
        Ok(base.join(&format!("{sep}{input}")))
    }

    /// Throws `origin_mismatch` unless `url` (as the runtime's URL parser wrote it) has the
    /// base URL's origin.
    #[wasm_bindgen(js_name = checkOrigin)]
    pub fn check_origin(&self, url: &str) -> std::result::Result<(), JsValue> {
        if self.session.base_url().same_origin(url) {
            return Ok(());
        }
        Err(to_js(&crate::core::Error::new(ErrorKind::OriginMismatch, "credentials are only sent to the configured baseUrl origin").with_provider(self.session.provider())))
    }
}
