//! # keystamp
//!
//! Authenticates HTTP calls to five provider APIs (DeFindex, DeltaDeFi, Adjutor, DePay, Kiiex)
//! from Cloudflare Workers, browsers and Node, as a WebAssembly module.
//!
//! **The core decides, the host performs.** [`core`] is pure Rust with no I/O, no clock and no
//! randomness: it builds headers and auth requests as plain data, computes the Kiiex HMAC, and
//! parses provider answers into tokens or typed errors. The `wasm` layer (compiled only for
//! `wasm32`) converts JS values, reads the clock and random bytes, and drives the host's `fetch`.
//!
//! Contracts:
//! - every function returns `Result`; nothing panics (clippy denies `unwrap`, `expect`, `panic`
//!   and unchecked indexing outside tests), and inputs are size-capped;
//! - an error never contains a key, secret, token or signature (see [`core::error`]);
//! - secrets are zeroized on drop and print as `[redacted]`.
//!
//! ```
//! use keystamp::core::{providers::kiiex::KiiexSigner, Secret};
//! let signer = KiiexSigner::new(&Secret::from("SECRET_FROM_DASHBOARD"))?;
//! let signature = signer.sign("1700000000000", "42", "APIKEY_FROM_DASHBOARD")?;
//! assert_eq!(signature, "cd95952f3f722dbb00ac4b7a097813f3a4b8745a950c6b1bdb55278ad759bb6c");
//! # Ok::<(), keystamp::core::Error>(())
//! ```

pub mod core;

/// In wasm, every heap block is zeroed when it is freed: the copies of tokens, keys and provider
/// answers that parsing and the JS bindings make never outlive their use in the module's memory.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: zeroizing_alloc::ZeroAlloc<std::alloc::System> = zeroizing_alloc::ZeroAlloc(std::alloc::System);

/// The JS API (wasm-bindgen exports). Public only so the wasm tests can call it from Rust.
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod wasm;
