//! Secrets are wiped from wasm linear memory when they are dropped: the whole memory is scanned
//! for a marker secret while it is alive and after `drop`/`free()`. Runs in Node and in headless
//! Chromium (`cargo test --target wasm32-unknown-unknown`, `WASM_BINDGEN_USE_BROWSER=1`).
//!
//! The test must not hold the marker itself, or every scan would find it. So the marker exists
//! here only XOR-masked (the plain bytes are never in the data segment); secrets are built from
//! it at run time directly inside their final allocation, JS strings are unmasked on the JS side,
//! and the search runs in JS, which unmasks the pattern in its own heap.
//!
//! What is claimed is the heap: `Secret`, the keyed HMAC state and sensitive headers are zeroized
//! when dropped. Copies the compiler leaves in stack frames are not covered by `Zeroize`, so the
//! shadow stack is overwritten before each "gone" scan; the last test measures those copies.
#![cfg(target_arch = "wasm32")]

use js_sys::{Object, Reflect, Uint8Array, WebAssembly};
use keystamp::core::providers::kiiex::KiiexSigner as CoreSigner;
use keystamp::core::Secret;
use keystamp::wasm::{auth_headers, kiiex_auth_headers, kiiex_signature, KiiexSigner};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen(inline_js = "
export function countMasked(bytes, masked, mask) {
  const p = Uint8Array.from(masked, (b) => b ^ mask);
  let n = 0;
  for (let i = bytes.indexOf(p[0]); i !== -1 && i + p.length <= bytes.length; i = bytes.indexOf(p[0], i + 1)) {
    let j = 1;
    while (j < p.length && bytes[i + j] === p[j]) j++;
    if (j === p.length) n++;
  }
  return n;
}
export function unmaskToString(masked, mask) {
  return String.fromCharCode(...Array.from(masked, (b) => b ^ mask));
}
")]
extern "C" {
    #[wasm_bindgen(js_name = countMasked)]
    fn count_masked(bytes: &Uint8Array, masked: &[u8], mask: u8) -> u32;
    #[wasm_bindgen(js_name = unmaskToString)]
    fn unmask_to_string(masked: &[u8], mask: u8) -> JsValue;
}

const MASK: u8 = 0xA5;

// A const fn cannot use iterators; `i < N` bounds every index.
#[allow(clippy::indexing_slicing)]
const fn masked<const N: usize>(plain: &[u8; N]) -> [u8; N] {
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[i] = plain[i] ^ MASK;
        i += 1;
    }
    out
}

// Evaluated at compile time: only the masked bytes reach the binary. Each test has its own
// marker (tests share one memory). 32 bytes: valid as an API secret, key, token and password.
const SECRET_MARKER: [u8; 32] = masked(b"MARKER_SECRET_7f3a_secret_wiped1");
const PLAIN_MARKER: [u8; 32] = masked(b"MARKER_SECRET_7f3a_plain_kept_02");
const SIGNER_MARKER: [u8; 32] = masked(b"MARKER_SECRET_7f3a_signer_key_03");
const JS_SIGNER_MARKER: [u8; 32] = masked(b"MARKER_SECRET_7f3a_js_signer__04");
/// One marker per JS call below, so a copy one call leaves cannot be hidden by the next call
/// reusing the same heap block.
const CALL_MARKERS: [[u8; 32]; 10] = [
    masked(b"MARKER_SECRET_7f3a_call_defind_1"),
    masked(b"MARKER_SECRET_7f3a_call_deltad_2"),
    masked(b"MARKER_SECRET_7f3a_call_depay__3"),
    masked(b"MARKER_SECRET_7f3a_call_kiiex__4"),
    masked(b"MARKER_SECRET_7f3a_call_secret_5"),
    masked(b"MARKER_SECRET_7f3a_call_apikey_6"),
    masked(b"MARKER_SECRET_7f3a_call_hdrkey_7"),
    masked(b"MARKER_SECRET_7f3a_call_hdrsec_8"),
    masked(b"MARKER_SECRET_7f3a_call_signer_9"),
    masked(b"MARKER_SECRET_7f3a_call_sign__10"),
];
const STACK_MARKER: [u8; 32] = masked(b"MARKER_SECRET_7f3a_stack_resid06");

/// How many times the masked pattern occurs in linear memory right now.
fn occurrences(masked: &[u8]) -> u32 {
    let memory: WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    count_masked(&Uint8Array::new(&memory.buffer()), masked, MASK)
}

/// Occurrences of the whole marker, and of its tail. The allocator reuses the first 8 bytes of a
/// freed block for its own pointers, so a freed but unwiped copy still shows its tail.
fn seen(marker: &[u8; 32]) -> (u32, u32) {
    (occurrences(marker), occurrences(&marker[8..]))
}

/// Overwrites the part of the shadow stack below this frame, where callees left their frames.
#[inline(never)]
fn scrub_stack() {
    let mut frame = [0u8; 64 * 1024];
    zeroize::Zeroize::zeroize(&mut frame[..]);
    core::hint::black_box(&frame);
}

/// A `String` built from a masked marker, byte by byte inside its final allocation.
fn unmasked_string(masked: &[u8]) -> String {
    let mut s = String::with_capacity(masked.len());
    for &b in masked {
        s.push(char::from(b ^ MASK));
    }
    s
}

/// The two HMAC-SHA256 chaining values a signer keyed with `masked` holds (after the key block
/// XOR ipad, and after the key block XOR opad), as they lie in memory, masked again.
fn masked_hmac_states(masked: &[u8; 32]) -> [[u8; 32]; 2] {
    let mut out = [[0u8; 32]; 2];
    for (pad, slot) in [0x36u8, 0x5c].into_iter().zip(&mut out) {
        let mut block = [pad; 64];
        for (b, m) in block.iter_mut().zip(masked) {
            *b ^= m ^ MASK;
        }
        let mut state = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19u32];
        sha2::block_api::compress256(&mut state, &[block]);
        for (chunk, word) in slot.chunks_exact_mut(4).zip(state) {
            for (b, w) in chunk.iter_mut().zip(word.to_le_bytes()) {
                *b = w ^ MASK;
            }
        }
        zeroize::Zeroize::zeroize(&mut block);
        zeroize::Zeroize::zeroize(&mut state);
    }
    scrub_stack();
    out
}

fn object(pairs: &[(&str, &JsValue)]) -> Object {
    let obj = Object::new();
    for (k, v) in pairs {
        assert!(Reflect::set(&obj, &JsValue::from_str(k), v).unwrap_or(false));
    }
    obj
}

fn call(obj: &JsValue, method: &str, arg: Option<&JsValue>) -> Result<JsValue, JsValue> {
    let f: js_sys::Function = Reflect::get(obj, &JsValue::from_str(method))?.unchecked_into();
    match arg {
        Some(a) => f.call1(obj, a),
        None => f.call0(obj),
    }
}

#[wasm_bindgen_test]
fn a_secret_is_in_memory_while_alive_and_wiped_after_drop() {
    let secret = Secret::new(unmasked_string(&SECRET_MARKER));
    assert_eq!(secret.len(), 32);
    assert_eq!(seen(&SECRET_MARKER), (1, 1), "the live secret is found exactly once");
    drop(secret);
    assert_eq!(seen(&SECRET_MARKER), (0, 0), "a dropped secret leaves no byte behind");
}

#[wasm_bindgen_test]
fn the_scan_sees_a_live_copy_and_the_allocator_wipes_even_a_plain_string_when_freed() {
    let plain = unmasked_string(&PLAIN_MARKER);
    assert_eq!(seen(&PLAIN_MARKER), (1, 1), "a live copy is found");
    drop(plain);
    assert_eq!(seen(&PLAIN_MARKER), (0, 0), "the module's allocator zeroes every block it frees");
}

/// Keys a signer with a secret that only ever exists in the Secret this function drops. Returns
/// it boxed, so the signer's only copy outside scrubbed stack frames is on the heap.
#[inline(never)]
fn boxed_signer(masked: &[u8]) -> Box<CoreSigner> {
    let secret = Secret::new(unmasked_string(masked));
    Box::new(CoreSigner::new(&secret).unwrap_or_else(|e| unreachable!("{e}")))
}

#[wasm_bindgen_test]
fn the_keyed_hmac_state_is_wiped_when_the_core_signer_drops() {
    let [inner, outer] = masked_hmac_states(&SIGNER_MARKER);
    let signer = boxed_signer(&SIGNER_MARKER);
    scrub_stack();
    assert_eq!(seen(&SIGNER_MARKER), (0, 0), "the secret itself is wiped once the signer is keyed");
    assert_eq!((occurrences(&inner), occurrences(&outer)), (1, 1), "the keyed state lives in the signer");
    assert_eq!(signer.sign("1", "2", "k").map(|s| s.len()), Ok(64));
    drop(signer);
    scrub_stack();
    assert_eq!((occurrences(&inner), occurrences(&outer)), (0, 0), "dropping the signer wipes its state");
}

/// The JS `KiiexSigner` as JS holds it: keyed from a JS string and wrapped into a JS object.
#[inline(never)]
fn js_signer(masked: &[u8]) -> JsValue {
    KiiexSigner::new(unmask_to_string(masked, MASK)).unwrap_or_else(|_| unreachable!("valid secret")).into()
}

#[wasm_bindgen_test]
fn the_js_signer_state_is_wiped_by_free() {
    let [inner, outer] = masked_hmac_states(&JS_SIGNER_MARKER);
    let signer = js_signer(&JS_SIGNER_MARKER);
    scrub_stack();
    assert_eq!(seen(&JS_SIGNER_MARKER), (0, 0), "the Rust copy of the JS secret is wiped after keying");
    assert_eq!((occurrences(&inner), occurrences(&outer)), (1, 1));
    let parts = object(&[("nonce", &"1".into()), ("userId", &"2".into()), ("apiKey", &"k".into())]);
    let signature = call(&signer, "sign", Some(&parts)).ok().and_then(|s| s.as_string());
    assert_eq!(signature.map(|s| s.len()), Some(64));
    assert!(call(&signer, "free", None).is_ok());
    scrub_stack();
    assert_eq!((occurrences(&inner), occurrences(&outer)), (0, 0), "free() wipes the keyed state");
}

#[wasm_bindgen_test]
fn the_js_functions_leave_no_copy_of_a_secret_or_token() {
    let one = JsValue::from_f64(1.0);
    let kiiex = |secret: &JsValue, key: &JsValue| object(&[("apiSecret", secret), ("nonce", &one), ("userId", &one), ("apiKey", key)]);
    type Call = fn(&JsValue, &dyn Fn(&JsValue, &JsValue) -> Object) -> bool;
    let calls: [(&str, Call); 10] = [
        ("authHeaders defindex apiKey", |m, _| auth_headers("defindex".into(), object(&[("apiKey", m)]).unchecked_ref()).is_ok()),
        ("authHeaders deltadefi apiKey", |m, _| auth_headers("deltadefi".into(), object(&[("apiKey", m)]).unchecked_ref()).is_ok()),
        ("authHeaders depay accessToken", |m, _| auth_headers("depay".into(), object(&[("accessToken", m)]).unchecked_ref()).is_ok()),
        ("authHeaders kiiex sessionToken", |m, _| auth_headers("kiiex".into(), object(&[("sessionToken", m)]).unchecked_ref()).is_ok()),
        ("kiiexSignature apiSecret", |m, k| kiiex_signature(k(m, &"key".into()).unchecked_ref()).is_ok()),
        ("kiiexSignature apiKey", |m, k| kiiex_signature(k(&"secret".into(), m).unchecked_ref()).is_ok()),
        ("kiiexAuthHeaders apiKey", |m, k| kiiex_auth_headers(k(&"secret".into(), m).unchecked_ref()).is_ok()),
        ("kiiexAuthHeaders apiSecret", |m, k| kiiex_auth_headers(k(m, &"key".into()).unchecked_ref()).is_ok()),
        ("KiiexSigner.authHeaders apiKey", |m, k| {
            let signer = KiiexSigner::new("secret".into()).unwrap_or_else(|_| unreachable!("valid secret"));
            let mut signer = signer;
            signer.auth_headers(k(&JsValue::UNDEFINED, m).unchecked_ref()).is_ok()
        }),
        ("KiiexSigner.sign apiKey", |m, k| {
            let signer = KiiexSigner::new("secret".into()).unwrap_or_else(|_| unreachable!("valid secret"));
            signer.sign(k(&JsValue::UNDEFINED, m).unchecked_ref()).is_ok()
        }),
    ];
    let mut leftovers = Vec::new();
    for ((name, call), marker) in calls.iter().zip(&CALL_MARKERS) {
        assert!(call(&unmask_to_string(marker, MASK), &kiiex), "{name} failed");
        scrub_stack();
        if seen(marker) != (0, 0) {
            leftovers.push(*name);
        }
    }
    assert!(leftovers.is_empty(), "a copy of the value was left in wasm memory by: {leftovers:?}");
}

#[inline(never)]
fn key_a_signer_and_forget_it(masked: &[u8]) {
    let signer = boxed_signer(masked);
    assert_eq!(signer.sign("1", "2", "k").map(|s| s.len()), Ok(64));
}

/// Why the scans above scrub the stack first: moving the signer between frames, and cloning its
/// state for each signature, leaves stale copies of the keyed state in stack frames that
/// zeroize-on-drop cannot reach (the secret itself and the key block XOR ipad leave none). How
/// many depends on the build; later calls overwrite them, and so does the scrub.
#[wasm_bindgen_test]
fn stale_stack_copies_of_the_keyed_state_are_gone_after_a_scrub() {
    let [inner, _] = masked_hmac_states(&STACK_MARKER);
    key_a_signer_and_forget_it(&STACK_MARKER);
    let mut ipad = STACK_MARKER;
    ipad.iter_mut().for_each(|b| *b ^= 0x36);
    let before = (occurrences(&inner), occurrences(&STACK_MARKER), occurrences(&ipad));
    wasm_bindgen_test::console_log!("stale copies before the scrub (keyed state, secret, secret ^ ipad): {before:?}");
    scrub_stack();
    assert_eq!((occurrences(&inner), occurrences(&STACK_MARKER), occurrences(&ipad)), (0, 0, 0), "before the scrub: {before:?}");
}
