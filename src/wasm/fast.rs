//! The fast path of the Kiiex signatures.
//!
//! A short signature costs less than reading its options through wasm-bindgen one by one (a
//! `Reflect.get`, a string copy and a `JsValue` per field, another for the result). So the
//! package's entries (`pkg/entries/fast.js`) write plain ASCII options straight into a
//! [`SignBuffer`] owned here and call the exports below with integers only. The checks and the
//! signature are the general path's own; the 64 digits are written back into the buffer. What the
//! fast path does not take (a non-ASCII or long value, a wrong type, a getter that throws) goes
//! through the general path, which gives the same results and reports the errors.
//!
//! Buffer layout: the nonce, user id and key at [`NONCE_AT`], [`USER_ID_AT`], [`API_KEY_AT`]
//! (255 bytes each at most), the signature digits at [`DIGITS_AT`], and for `kiiexSignature` the
//! secret at [`SECRET_AT`]. Lengths come packed in one `u32`: the nonce's in the low byte, then
//! the user id's and the key's, and [`FRESH`] when the user id and key were written by this call.

use std::cell::{Cell, RefCell};

use zeroize::Zeroize;

use crate::core::providers::kiiex::KiiexSigner as CoreSigner;

/// Where each part is written (the offsets `pkg/entries/fast.js` uses).
const NONCE_AT: usize = 0;
const USER_ID_AT: usize = 256;
const API_KEY_AT: usize = 512;
const DIGITS_AT: usize = 768;
const SECRET_AT: usize = 832;
const LEN: usize = SECRET_AT + 256;
/// Set in the packed lengths when the user id and key in the buffer are new.
const FRESH: u32 = 1 << 24;

/// The input buffer of one signer (or of `kiiexSignature`): wiped on drop.
pub(crate) struct SignBuffer {
    /// Boxed: its address is handed to JS, so it must not move.
    bytes: Box<RefCell<[u8; LEN]>>,
    /// Whether the user id and key in the buffer passed the checks of an earlier call.
    checked: Cell<bool>,
}

impl SignBuffer {
    pub(crate) fn new() -> Self {
        Self { bytes: Box::new(RefCell::new([0; LEN])), checked: Cell::new(false) }
    }

    /// The buffer's address in wasm memory (a wasm32 address fits in `u32`).
    #[allow(clippy::cast_possible_truncation)]
    pub(crate) fn address(&self) -> u32 {
        self.bytes.as_ptr() as usize as u32
    }

    /// Signs the parts whose `lengths` JS packed, after the general path's checks (the user id and
    /// key only when new or not yet checked): `true` when the digits are in the buffer.
    pub(crate) fn sign(&self, signer: &CoreSigner, lengths: u32) -> bool {
        if lengths & FRESH != 0 {
            self.checked.set(false);
        }
        let Ok(mut bytes) = self.bytes.try_borrow_mut() else { return false };
        let (inputs, rest) = bytes.split_at_mut(DIGITS_AT);
        let (Some(digits), Some(nonce), Some(user_id), Some(api_key)) =
            (rest.first_chunk_mut::<64>(), part(inputs, NONCE_AT, lengths), part(inputs, USER_ID_AT, lengths >> 8), part(inputs, API_KEY_AT, lengths >> 16))
        else {
            return false;
        };
        let signed = if self.checked.get() {
            signer.sign_nonce_checked_into(nonce, user_id, api_key, digits)
        } else {
            signer.sign_checked_into(nonce, user_id, api_key, digits)
        };
        self.checked.set(signed.is_ok());
        signed.is_ok()
    }

    /// Keys a signer with the `secret_len` bytes at [`SECRET_AT`], signs like [`sign`](Self::sign)
    /// (checking every part), then wipes the secret and the key whatever the outcome. A zero
    /// `secret_len` only wipes (JS could not write every part).
    pub(crate) fn sign_once(&self, lengths: u32, secret_len: u32) -> bool {
        let secret_len = usize::try_from(secret_len).unwrap_or_default();
        let signer = {
            let Ok(bytes) = self.bytes.try_borrow() else { return false };
            let secret = bytes.get(SECRET_AT..SECRET_AT + secret_len).filter(|s| !s.is_empty());
            secret.and_then(|s| core::str::from_utf8(s).ok()).and_then(|s| CoreSigner::from_secret_str(s).ok())
        };
        let signed = signer.is_some_and(|signer| self.sign(&signer, lengths | FRESH));
        // What was written, when JS could tell (every part written); else the whole regions.
        let (key_len, secret_len) = if secret_len == 0 { (DIGITS_AT - API_KEY_AT, LEN - SECRET_AT) } else { (usize::try_from((lengths >> 16) & 0xff).unwrap_or_default(), secret_len) };
        if let Ok(mut bytes) = self.bytes.try_borrow_mut() {
            bytes.get_mut(API_KEY_AT..API_KEY_AT + key_len).into_iter().for_each(Zeroize::zeroize);
            bytes.get_mut(SECRET_AT..SECRET_AT + secret_len).into_iter().for_each(Zeroize::zeroize);
        }
        self.checked.set(false);
        signed
    }
}

impl Drop for SignBuffer {
    fn drop(&mut self) {
        self.bytes.get_mut().zeroize();
    }
}

/// The text JS wrote at `at`, of the length in the low byte of `lengths`.
fn part(inputs: &[u8], at: usize, lengths: u32) -> Option<&str> {
    let len = usize::try_from(lengths & 0xff).ok()?;
    core::str::from_utf8(inputs.get(at..at + len)?).ok()
}
