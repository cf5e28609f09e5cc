//! `Client`: drives a core [`Session`] with the host's `fetch`.
//!
//! This file only performs: it reads the clock, calls `fetch`, and shares one in-flight auth
//! promise between the callers of one scope. Every decision (which request, whether a token is
//! fresh, what a 401 means) is the core session's.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, spawn_local, JsFuture};

use super::convert::{headers_object, opt_id, opt_secret, opt_string, options, secret, string};
use super::error::{invalid, to_js, IntoJs};
use crate::core::http::{BaseUrl, Request as CoreRequest, Response as CoreResponse};
use crate::core::providers::kiiex::{AuthForm, KiiexSigner};
use crate::core::providers::{adjutor, defindex, deltadefi, depay, kiiex, ProviderId};
use crate::core::session::{AuthRequest, Credentials, Poll, Received, Session, Stamped, Timing};
use crate::core::{Error, ErrorKind, Headers, Result};

#[wasm_bindgen(typescript_custom_section)]
const TS_CLIENT: &str = r#"
/** Options of `new Client(...)`. Which credential fields a provider needs:
 * defindex `apiKey`, or `email` + `password` (JWT login/refresh); deltadefi, adjutor and depay
 * `apiKey`; kiiex `apiKey` + `apiSecret` + `userId`. */
export interface ClientOptions {
  provider: Provider;
  /** Defaults to the provider's production URL. Relative paths given to `client.fetch` are
   * appended to it; credentials are only ever sent to its origin. */
  baseUrl?: string;
  apiKey?: string;
  apiSecret?: string;
  userId?: IdLike;
  email?: string;
  password?: string;
  /** Kiiex `AuthenticateUser` form: `"headers"` (GET with headers, default), `"headers-post"`,
   * or `"json"` (POST with a JSON body). */
  kiiexAuthForm?: "headers" | "headers-post" | "json";
  /** Renew this many ms before expiry while still serving the current token
   * (default: min(2 min, 10 % of the token lifetime)). */
  refreshMarginMs?: number;
  /** Stop serving a token this many ms before expiry (default 5000). */
  mustRefreshMs?: number;
  /** Kiiex: re-authenticate after this much idle time (default 55 min). */
  maxIdleMs?: number;
  /** The fetch to use (default `globalThis.fetch`). */
  fetch?: (input: Request, init?: RequestInit) => Promise<Response>;
  /** DeltaDeFi: called with the new key after `rotateKey()`; persist it, the old key is dead. */
  onKeyRotated?: (apiKey: string, info: { provider: Provider; createdAt?: string }) => void;
  /** The clock, in ms since the epoch (default `Date.now`); for tests. */
  now?: () => number;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// Options of `new Client`.
    #[wasm_bindgen(typescript_type = "ClientOptions")]
    pub type ClientOptions;

    /// The optional `init` of `client.fetch`, as for the global `fetch`.
    #[wasm_bindgen(typescript_type = "RequestInit")]
    pub type FetchInit;
}

/// Where the token state machine stands for one call (see `Handle::step`).
enum Step {
    /// The headers to send.
    Done(Stamped),
    /// An auth exchange in flight: poll again when it settles.
    Await(Promise),
    /// Nothing usable and nothing in flight.
    Stuck,
}

/// Settled state shared by every scope of one client.
struct Shared {
    session: RefCell<Session>,
    fetch: Function,
    fetch_this: JsValue,
    on_key_rotated: Option<Function>,
    clock: Option<Function>,
}

/// One single-flight slot: the auth promise in flight for this scope, if any.
#[derive(Default)]
struct Scope {
    in_flight: RefCell<Option<(u64, Promise)>>,
    next_id: Cell<u64>,
}

/// An authenticated HTTP client for one credential. See the README's "Client" section.
#[wasm_bindgen]
pub struct Client {
    shared: Rc<Shared>,
    scope: Rc<Scope>,
}

/// A clonable handle used inside futures.
#[derive(Clone)]
struct Handle {
    shared: Rc<Shared>,
    scope: Rc<Scope>,
}

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

fn opt_function(opts: &Object, key: &'static str) -> Result<Option<Function>> {
    let value = Reflect::get(opts, &JsValue::from_str(key)).map_err(|_| invalid(key, "cannot be read"))?;
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value.dyn_into::<Function>().map(Some).map_err(|_| invalid(key, "must be a function"))
}

fn credentials(provider: ProviderId, opts: &Object) -> Result<Credentials> {
    Ok(match provider {
        ProviderId::Defindex => Credentials::Defindex { api_key: opt_secret(opts, "apiKey")?, email: opt_string(opts, "email")?, password: opt_secret(opts, "password")? },
        ProviderId::Deltadefi => Credentials::Deltadefi { api_key: secret(opts, "apiKey")? },
        ProviderId::Adjutor => Credentials::Adjutor { api_key: secret(opts, "apiKey")? },
        ProviderId::Depay => Credentials::Depay { api_key: secret(opts, "apiKey")? },
        ProviderId::Kiiex => {
            let form = match opt_string(opts, "kiiexAuthForm")?.as_deref() {
                None | Some("headers") => AuthForm::HeadersGet,
                Some("headers-post") => AuthForm::HeadersPost,
                Some("json") => AuthForm::JsonBody,
                Some(_) => return Err(invalid("kiiexAuthForm", "must be \"headers\", \"headers-post\" or \"json\"")),
            };
            let api_key = secret(opts, "apiKey")?;
            crate::core::headers::check_credential("apiKey", api_key.expose())?;
            let user_id = super::convert::id(opts, "userId")?;
            crate::core::headers::check_credential("userId", &user_id)?;
            Credentials::Kiiex { api_key, signer: KiiexSigner::new(&secret(opts, "apiSecret")?)?, user_id, form }
        }
    })
}

fn new_client(options_: &ClientOptions) -> Result<Client> {
    let opts = options(options_, "options")?;
    let provider: ProviderId = string(opts, "provider")?.parse()?;
    let base = BaseUrl::parse(opt_string(opts, "baseUrl")?.as_deref().unwrap_or(default_base_url(provider)))?;
    let margin = opt_ms(opts, "refreshMarginMs")?;
    let timing = Timing { refresh_margin_ms: margin, must_refresh_ms: opt_ms(opts, "mustRefreshMs")?, max_idle_ms: opt_ms(opts, "maxIdleMs")? };
    let session = Session::new(base, credentials(provider, opts)?, timing).map_err(|e| e.with_provider(provider))?;
    let global = js_sys::global();
    let (fetch, fetch_this) = match opt_function(opts, "fetch")? {
        Some(f) => (f, JsValue::UNDEFINED),
        None => {
            let f = Reflect::get(&global, &JsValue::from_str("fetch")).ok().and_then(|f| f.dyn_into::<Function>().ok());
            (f.ok_or(Error::new(ErrorKind::Unsupported, "no fetch in this runtime: pass options.fetch"))?, global.into())
        }
    };
    let shared = Shared { session: RefCell::new(session), fetch, fetch_this, on_key_rotated: opt_function(opts, "onKeyRotated")?, clock: opt_function(opts, "now")? };
    Ok(Client { shared: Rc::new(shared), scope: Rc::default() })
}

#[wasm_bindgen]
impl Client {
    /// A client for one credential of one provider.
    #[wasm_bindgen(constructor)]
    pub fn new(options_: &ClientOptions) -> std::result::Result<Client, JsValue> {
        new_client(options_).js()
    }

    /// The headers an authenticated call carries now, authenticating first if needed.
    #[wasm_bindgen(unchecked_return_type = "Promise<Record<string, string>>")]
    pub fn headers(&self) -> Promise {
        let handle = self.handle();
        match handle.step() {
            // A valid token (the common case): answered at once, without a task on the queue.
            Ok(Step::Done(stamped)) => Promise::resolve::<JsValue>(&headers_object(&stamped.headers).into()),
            first => future_to_promise(async move { handle.stamped_from(first).await.map(|s| headers_object(&s.headers).into()) }),
        }
    }

    /// `fetch(input, init)` with the credential's headers. A relative `input` is appended to the
    /// base URL; an absolute one must have the base URL's origin (`origin_mismatch` otherwise).
    /// A 401 on the current token re-authenticates and retries exactly once; a second 401 is
    /// `auth_rejected`; other statuses (403 included) are returned as they are.
    #[wasm_bindgen(unchecked_return_type = "Promise<Response>")]
    pub fn fetch(&self, #[wasm_bindgen(unchecked_param_type = "string | URL | Request")] input: JsValue, init: Option<FetchInit>) -> Promise {
        let handle = self.handle();
        let init = init.map(JsCast::unchecked_into::<Object>);
        future_to_promise(async move { handle.fetch(input, init).await.map(Into::into) })
    }

    /// DeltaDeFi: rotates the API key (`GET /accounts/new-api-key`). The new key is used for every
    /// later call at once, passed to `onKeyRotated`, and returned.
    #[wasm_bindgen(js_name = rotateKey, unchecked_return_type = "Promise<string>")]
    pub fn rotate_key(&self) -> Promise {
        let handle = self.handle();
        future_to_promise(async move {
            let request = handle.shared.session.borrow().rotate_request().js()?;
            JsFuture::from(handle.start_auth(request)).await
        })
    }

    /// A client that shares this one's settled tokens but has its own single-flight slot. On
    /// Cloudflare Workers, use one per incoming request: a promise started by one request must
    /// not be awaited by another.
    pub fn scoped(&self) -> Client {
        Client { shared: Rc::clone(&self.shared), scope: Rc::default() }
    }

    /// The provider name.
    #[wasm_bindgen(getter)]
    pub fn provider(&self) -> String {
        self.shared.session.borrow().provider().as_str().to_owned()
    }

    fn handle(&self) -> Handle {
        Handle { shared: Rc::clone(&self.shared), scope: Rc::clone(&self.scope) }
    }
}

impl Handle {
    fn provider(&self) -> ProviderId {
        self.shared.session.borrow().provider()
    }

    fn now_ms(&self) -> std::result::Result<u64, JsValue> {
        let ms = match &self.shared.clock {
            Some(clock) => clock.call0(&JsValue::UNDEFINED)?.as_f64().unwrap_or(f64::NAN),
            None => js_sys::Date::now(),
        };
        if !(0.0..9e15).contains(&ms) {
            return Err(to_js(&invalid("now", "must return milliseconds since the epoch")));
        }
        // In range and non-negative: the cast is exact to the millisecond.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(ms as u64)
    }

    /// Headers for a call, authenticating first when the session says so.
    async fn stamped(&self) -> std::result::Result<Stamped, JsValue> {
        self.stamped_from(self.step()).await
    }

    /// Runs the token state machine from its step `first` until the headers are ready.
    async fn stamped_from(&self, first: std::result::Result<Step, JsValue>) -> std::result::Result<Stamped, JsValue> {
        // Send/Wait, then Ready; a rejected DeFindex refresh adds a login: 4 rounds suffice.
        let mut step = first;
        for _ in 0..4 {
            match step? {
                Step::Done(stamped) => return Ok(stamped),
                Step::Await(promise) => {
                    JsFuture::from(promise).await?;
                }
                Step::Stuck => break,
            }
            step = self.step();
        }
        Err(to_js(&Error::new(ErrorKind::TokenExpired, "authentication did not produce a usable token").with_provider(self.provider())))
    }

    /// One step of the token state machine, taken now: headers when the token is usable (a
    /// renewal that is due is started in the background), or the auth exchange to wait for (one
    /// is started, and recorded as in flight, when none is).
    fn step(&self) -> std::result::Result<Step, JsValue> {
        let pending = self.scope.in_flight.borrow().as_ref().map(|(_, p)| p.clone());
        let poll = self.shared.session.borrow_mut().poll(self.now_ms()?, pending.is_some()).js()?;
        Ok(match (poll, pending) {
            (Poll::Ready(stamped), _) => Step::Done(stamped),
            (Poll::Renew(stamped, request), _) => {
                let renewal = self.start_auth(request);
                // Awaited in the background so a failure is handled (and never cached).
                spawn_local(async move {
                    let _ = JsFuture::from(renewal).await;
                });
                Step::Done(stamped)
            }
            (Poll::Send(request), _) => Step::Await(self.start_auth(request)),
            (Poll::Wait, Some(in_flight)) => Step::Await(in_flight),
            (Poll::Wait, None) => Step::Stuck,
        })
    }

    /// Starts an auth exchange and records it as this scope's in-flight promise. The slot is
    /// cleared when it settles, whatever the outcome: errors are never cached.
    fn start_auth(&self, request: AuthRequest) -> Promise {
        let id = self.scope.next_id.get().wrapping_add(1);
        self.scope.next_id.set(id);
        let handle = self.clone();
        let promise = future_to_promise(async move {
            let result = handle.perform_auth(request).await;
            let mine = handle.scope.in_flight.borrow().as_ref().is_some_and(|(slot_id, _)| *slot_id == id);
            if mine {
                handle.scope.in_flight.borrow_mut().take();
            }
            result
        });
        *self.scope.in_flight.borrow_mut() = Some((id, promise.clone()));
        promise
    }

    async fn perform_auth(&self, auth: AuthRequest) -> std::result::Result<JsValue, JsValue> {
        let kind = auth.kind;
        let request = js_request(&auth.request)?;
        drop(auth);
        let response = self.send(&request).await?;
        let status = response.status();
        let date = response.headers().get("date").ok().flatten();
        let body = JsFuture::from(response.text().map_err(|_| self.network_error())?).await.map_err(|_| self.network_error())?;
        // Checked before the copy into wasm memory: a huge answer must not grow it for good.
        if body.dyn_ref::<js_sys::JsString>().is_some_and(|s| s.length() as usize > crate::core::http::MAX_BODY_LEN) {
            return Err(to_js(&Error::new(ErrorKind::InputTooLarge, "the response body is larger than 1 MiB").with_provider(self.provider()).with_status(status)));
        }
        let body = body.as_string().unwrap_or_default();
        let now = self.now_ms()?;
        let received = self.shared.session.borrow_mut().receive(kind, &CoreResponse { status, body: &body, date: date.as_deref() }, now).js()?;
        match received {
            Received::Rotated(key) => {
                let key = JsValue::from_str(key.expose());
                if let Some(callback) = &self.shared.on_key_rotated {
                    let info = Object::new();
                    let _ = Reflect::set(&info, &"provider".into(), &self.provider().as_str().into());
                    // The key is already live: a throwing callback must not undo the swap.
                    let _ = callback.call2(&JsValue::UNDEFINED, &key, &info);
                }
                Ok(key)
            }
            Received::Installed | Received::Retry => Ok(JsValue::UNDEFINED),
        }
    }

    fn network_error(&self) -> JsValue {
        to_js(&Error::new(ErrorKind::NetworkError, "fetch failed").with_provider(self.provider()))
    }

    async fn send(&self, request: &web_sys::Request) -> std::result::Result<web_sys::Response, JsValue> {
        let promise = self.shared.fetch.call1(&self.shared.fetch_this, request).map_err(|_| self.network_error())?;
        let response = JsFuture::from(Promise::resolve(&promise)).await.map_err(|_| self.network_error())?;
        if Reflect::get(&response, &"status".into()).ok().and_then(|s| s.as_f64()).is_none() {
            return Err(to_js(&Error::new(ErrorKind::NetworkError, "fetch did not return a Response").with_provider(self.provider())));
        }
        Ok(response.unchecked_into())
    }

    async fn fetch(&self, input: JsValue, init: Option<Object>) -> std::result::Result<web_sys::Response, JsValue> {
        let request = self.build_request(input, init)?;
        // Cloned before the first send: a body can only be read once.
        let spare = request.clone().map_err(|_| to_js(&invalid("input", "the request body cannot be cloned")))?;
        let first = self.stamped().await?;
        apply(&request, &first.headers)?;
        let response = self.send(&request).await?;
        if response.status() != 401 {
            return Ok(response);
        }
        self.shared.session.borrow_mut().unauthorized(first.generation).js()?;
        let second = self.stamped().await?;
        apply(&spare, &second.headers)?;
        let response = self.send(&spare).await?;
        if response.status() == 401 {
            let _ = self.shared.session.borrow_mut().unauthorized(second.generation);
            return Err(to_js(&Error::new(ErrorKind::AuthRejected, "the call was rejected again after re-authenticating").with_provider(self.provider()).with_status(401)));
        }
        Ok(response)
    }

    fn build_request(&self, input: JsValue, init: Option<Object>) -> std::result::Result<web_sys::Request, JsValue> {
        let session = self.shared.session.borrow();
        let base = session.base_url();
        let init: web_sys::RequestInit = init.unwrap_or_default().unchecked_into();
        let request = match input.as_string() {
            Some(path) if !path.contains("://") => {
                let sep = if path.starts_with('/') { "" } else { "/" };
                web_sys::Request::new_with_str_and_init(&base.join(&format!("{sep}{path}")), &init)
            }
            Some(url) => web_sys::Request::new_with_str_and_init(&url, &init),
            None => match input.dyn_into::<web_sys::Request>() {
                Ok(req) => web_sys::Request::new_with_request_and_init(&req, &init),
                // A URL object (or anything with a string `href`, as URL polyfills have).
                Err(other) => match Reflect::get(&other, &"href".into()).ok().and_then(|h| h.as_string()).filter(|_| other.is_object()) {
                    Some(href) => web_sys::Request::new_with_str_and_init(&href, &init),
                    None => return Err(to_js(&invalid("input", "must be a string, a URL or a Request"))),
                },
            },
        }
        .map_err(|_| to_js(&invalid("input", "is not a valid request")))?;
        // Never let fetch follow a redirect with credentials: it would carry custom headers
        // (X-API-KEY, aptoken, ...) to whatever origin the Location names. A 3xx is returned as is.
        let request = web_sys::Request::new_with_request_and_init(&request, &no_redirects())
            .map_err(|_| to_js(&invalid("input", "is not a valid request")))?;
        if !base.same_origin(&request.url()) {
            return Err(to_js(&Error::new(ErrorKind::OriginMismatch, "credentials are only sent to the configured baseUrl origin").with_provider(session.provider())));
        }
        Ok(request)
    }
}

fn apply(request: &web_sys::Request, headers: &Headers) -> std::result::Result<(), JsValue> {
    let target = request.headers();
    for h in headers.iter() {
        target.set(h.name(), h.value()).map_err(|_| to_js(&Error::new(ErrorKind::InvalidHeaderValue, "the runtime refused a header").with_field("headers")))?;
    }
    Ok(())
}

fn no_redirects() -> web_sys::RequestInit {
    let init = web_sys::RequestInit::new();
    init.set_redirect(web_sys::RequestRedirect::Manual);
    init
}

fn js_request(request: &CoreRequest) -> std::result::Result<web_sys::Request, JsValue> {
    let init = no_redirects();
    init.set_method(request.method.as_str());
    let headers = web_sys::Headers::new()?;
    for h in request.headers.iter() {
        headers.set(h.name(), h.value())?;
    }
    init.set_headers(&headers);
    if let Some(body) = &request.body {
        init.set_body(&JsValue::from_str(body));
    }
    web_sys::Request::new_with_str_and_init(&request.url, &init)
}
