use super::*;

// Vectors computed independently with Python's `cryptography` (HKDF-SHA256 and AESGCM), from the
// layout in the module docs:
//   ikm = concat(len(part) as u64 big-endian || part)
//   key = HKDF(SHA256, salt = b"keystamp token store", info = label || b"\x01" || b":" || provider)
//   sealed = b"\x01" || nonce || AESGCM(key).encrypt(nonce, plaintext, aad = b"\x01")
const DEPAY_PARTS: [&[u8]; 2] = [b"depay_test_key_0001", b"https://stage.api.payments.depay.us"];
const DEPAY_SEALED: &str = "01000102030405060708090a0b6ff1052daf9e9fdd74328eb95bf6e36a7d685172960bf39f35c22e63f6005d230be4231d8a5d3a2271ff64d76bed66d928c5cd0930a9732d5517222dba22f5f5858f7dba390356c0551ddf5fdeefdc675a3733f5adca6570d0e3072efbdb";
const DEPAY_STORE_KEY: &str = "8240d431dcf9a7b232a487208c0abf6f";
const DEFINDEX_PARTS: [&[u8]; 3] = [b"dev@example.com", b"correct horse battery staple", b"https://api.defindex.io"];
const DEFINDEX_STORE_KEY: &str = "8bd8b10d688aec97a038b463c271e121";
const KIIEX_PARTS: [&[u8]; 1] = [b"d2f5a1c3b4e6f7089a1b2c3d4e5f6a7b"];
const KIIEX_SEALED: &str = "01ffffffffffffffffffffffffeff7b27e934576ad38e2098a4480648e0ba45b728be88d1a16c433b6790e125b36cf8c9bfa114e988646e5835373e924f10943531a9ebea0fe5415aa";

const NONCE: [u8; NONCE_LEN] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

fn depay_material() -> KeyMaterial {
    KeyMaterial::new(ProviderId::Depay, &DEPAY_PARTS)
}

fn depay_record() -> TokenRecord {
    TokenRecord {
        access_token: Secret::from("eyJhbGciOiJIUzI1NiJ9.access.sig"),
        refresh_token: Some(Secret::from("refresh_token_0001")),
        expiry: RecordExpiry::AtServerMs(1_767_229_200_000),
        generation: 7,
        issued_at_server_ms: 1_767_225_600_000,
    }
}

/// The fields of a record as plain values, for comparisons.
fn fields(r: &TokenRecord) -> (String, Option<String>, RecordExpiry, u64, u64) {
    (r.access_token.expose().to_owned(), r.refresh_token.as_ref().map(|s| s.expose().to_owned()), r.expiry, r.generation, r.issued_at_server_ms)
}

fn code(result: &Result<TokenRecord>) -> Option<&'static str> {
    result.as_ref().err().map(Error::code)
}

#[test]
fn seal_matches_the_independent_vectors() {
    assert_eq!(seal(&depay_record(), &depay_material(), NONCE).map(hex::encode).as_deref(), Ok(DEPAY_SEALED));
    let kiiex = TokenRecord {
        access_token: Secret::from("ap-session-0001"),
        refresh_token: None,
        expiry: RecordExpiry::IdleMs(3_300_000),
        generation: 1,
        issued_at_server_ms: 1_767_225_600_000,
    };
    let material = KeyMaterial::new(ProviderId::Kiiex, &KIIEX_PARTS);
    assert_eq!(seal(&kiiex, &material, [0xff; NONCE_LEN]).map(hex::encode).as_deref(), Ok(KIIEX_SEALED));
    let opened = hex::decode(KIIEX_SEALED).map_err(|_| bad_record()).and_then(|b| unseal(&b, &material));
    assert_eq!(opened.as_ref().map(fields).ok(), Some(fields(&kiiex)));
}

#[test]
fn store_keys_match_the_independent_vectors() {
    assert_eq!(store_key(&depay_material()), DEPAY_STORE_KEY);
    assert_eq!(store_key(&KeyMaterial::new(ProviderId::Defindex, &DEFINDEX_PARTS)), DEFINDEX_STORE_KEY);
}

#[test]
fn round_trip_table() {
    let long = "t".repeat(MAX_TOKEN_LEN);
    let cases: Vec<(&str, TokenRecord)> = vec![
        ("jwt with refresh", depay_record()),
        ("no refresh", TokenRecord { refresh_token: None, ..depay_record() }),
        ("idle expiry", TokenRecord { expiry: RecordExpiry::IdleMs(3_300_000), ..depay_record() }),
        ("no expiry", TokenRecord { expiry: RecordExpiry::Never, ..depay_record() }),
        ("extreme numbers", TokenRecord { generation: u64::MAX, issued_at_server_ms: 0, expiry: RecordExpiry::AtServerMs(u64::MAX), ..depay_record() }),
        ("generation zero", TokenRecord { generation: 0, ..depay_record() }),
        ("largest tokens", TokenRecord { access_token: Secret::from(long.as_str()), refresh_token: Some(Secret::from(long.as_str())), ..depay_record() }),
        ("one-byte tokens", TokenRecord { access_token: Secret::from("a"), refresh_token: Some(Secret::from("r")), ..depay_record() }),
        ("utf-8 token", TokenRecord { access_token: Secret::from("usuário-token"), ..depay_record() }),
    ];
    for (name, record) in cases {
        let sealed = seal(&record, &depay_material(), NONCE);
        let sealed = sealed.unwrap_or_default();
        let plain_len = FIXED_LEN + 2 + record.access_token.len() + 2 + record.refresh_token.as_ref().map_or(0, Secret::len);
        assert_eq!(sealed.len(), OVERHEAD + plain_len, "{name}: size");
        let opened = unseal(&sealed, &depay_material());
        assert_eq!(opened.as_ref().map(fields).ok(), Some(fields(&record)), "{name}");
    }
}

#[test]
fn seal_refuses_what_it_cannot_carry() {
    let too_long = "t".repeat(MAX_TOKEN_LEN + 1);
    let cases: Vec<(&str, TokenRecord, &str)> = vec![
        ("empty access token", TokenRecord { access_token: Secret::from(""), ..depay_record() }, "missing_credential"),
        ("access token over the cap", TokenRecord { access_token: Secret::from(too_long.as_str()), ..depay_record() }, "input_too_large"),
        ("refresh token over the cap", TokenRecord { refresh_token: Some(Secret::from(too_long.as_str())), ..depay_record() }, "input_too_large"),
    ];
    for (name, record, want) in cases {
        assert_eq!(seal(&record, &depay_material(), NONCE).err().map(|e| e.code()), Some(want), "{name}");
    }
}

#[test]
fn an_empty_refresh_token_is_no_refresh_token() {
    let record = TokenRecord { refresh_token: Some(Secret::from("")), ..depay_record() };
    let opened = seal(&record, &depay_material(), NONCE).and_then(|b| unseal(&b, &depay_material()));
    assert_eq!(opened.map(|r| r.refresh_token.is_none()).ok(), Some(true));
}

#[test]
fn every_altered_byte_is_refused() {
    let sealed = hex::decode(DEPAY_SEALED).unwrap_or_default();
    assert_eq!(sealed.len(), OVERHEAD + FIXED_LEN + 2 + 31 + 2 + 18);
    for i in 0..sealed.len() {
        for mask in [0x01u8, 0x80, 0xff] {
            let mut altered = sealed.clone();
            if let Some(b) = altered.get_mut(i) {
                *b ^= mask;
            }
            assert_eq!(code(&unseal(&altered, &depay_material())), Some("malformed_response"), "byte {i} ^ {mask:#04x}");
        }
    }
    assert!(unseal(&sealed, &depay_material()).is_ok(), "the unaltered record opens");
}

#[test]
fn truncated_extended_and_junk_records_are_refused() {
    let sealed = hex::decode(DEPAY_SEALED).unwrap_or_default();
    for len in 0..sealed.len() {
        assert_eq!(code(&unseal(sealed.get(..len).unwrap_or_default(), &depay_material())), Some("malformed_response"), "first {len} bytes");
    }
    for extra in [&[0u8][..], &[1], &[0; 16], b"trailing"] {
        let mut longer = sealed.clone();
        longer.extend_from_slice(extra);
        assert_eq!(code(&unseal(&longer, &depay_material())), Some("malformed_response"), "{} more bytes", extra.len());
    }
    let junk: [&[u8]; 5] = [b"", b"\x01", &[0u8; 64], &[0xffu8; 64], b"{\"accessToken\":\"eyJ\"}"];
    for bytes in junk {
        assert_eq!(code(&unseal(bytes, &depay_material())), Some("malformed_response"), "{bytes:?}");
    }
    assert_eq!(code(&unseal(&vec![RECORD_VERSION; 1 + NONCE_LEN + TAG_LEN + FIXED_LEN + 4 + 2 * MAX_TOKEN_LEN + 1], &depay_material())), Some("malformed_response"), "oversized");
}

#[test]
fn other_versions_are_refused_even_with_a_valid_tag() {
    let sealed = hex::decode(DEPAY_SEALED).unwrap_or_default();
    for version in [0u8, 2, 0x7f, 0xff] {
        let mut other = sealed.clone();
        if let Some(v) = other.first_mut() {
            *v = version;
        }
        assert_eq!(code(&unseal(&other, &depay_material())), Some("malformed_response"), "version {version}");
    }
}

#[test]
fn records_of_other_credentials_are_refused() {
    let sealed = hex::decode(DEPAY_SEALED).unwrap_or_default();
    let others: Vec<(&str, KeyMaterial)> = vec![
        ("another key", KeyMaterial::new(ProviderId::Depay, &[b"depay_test_key_0002", b"https://stage.api.payments.depay.us"])),
        ("another base URL", KeyMaterial::new(ProviderId::Depay, &[b"depay_test_key_0001", b"https://api.payments.depay.us"])),
        ("another provider", KeyMaterial::new(ProviderId::Defindex, &DEPAY_PARTS)),
        ("parts split elsewhere", KeyMaterial::new(ProviderId::Depay, &[b"depay_test_key_000", b"1https://stage.api.payments.depay.us"])),
        ("parts joined", KeyMaterial::new(ProviderId::Depay, &[b"depay_test_key_0001https://stage.api.payments.depay.us"])),
        ("no parts", KeyMaterial::new(ProviderId::Depay, &[])),
    ];
    for (name, material) in &others {
        assert_eq!(code(&unseal(&sealed, material)), Some("malformed_response"), "{name}");
        assert_ne!(store_key(material), DEPAY_STORE_KEY, "{name}: store key");
    }
}

/// Plaintexts that only a holder of the key could seal, but that are not records: refused all
/// the same (a record is checked after its tag, never trusted for being authentic).
#[test]
fn authentic_but_malformed_plaintexts_are_refused() {
    let fixed = |kind: u8, value: u64| {
        let mut p = Vec::new();
        p.extend_from_slice(&1u64.to_be_bytes());
        p.extend_from_slice(&2u64.to_be_bytes());
        p.push(kind);
        p.extend_from_slice(&value.to_be_bytes());
        p
    };
    let with = |mut p: Vec<u8>, tail: &[u8]| {
        p.extend_from_slice(tail);
        p
    };
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("fixed fields only", fixed(1, 5)),
        ("unknown expiry kind", with(fixed(3, 5), b"\x00\x01a\x00\x00")),
        ("no-expiry with a value", with(fixed(0, 5), b"\x00\x01a\x00\x00")),
        ("no access token", with(fixed(1, 5), b"\x00\x00\x00\x00")),
        ("access length past the end", with(fixed(1, 5), b"\x00\x09abc")),
        ("missing refresh length", with(fixed(1, 5), b"\x00\x01a")),
        ("half a refresh length", with(fixed(1, 5), b"\x00\x01a\x00")),
        ("refresh length past the end", with(fixed(1, 5), b"\x00\x01a\x00\x05r")),
        ("trailing byte", with(fixed(1, 5), b"\x00\x01a\x00\x00\x00")),
        ("access not UTF-8", with(fixed(1, 5), b"\x00\x02\xc3\x28\x00\x00")),
        ("refresh not UTF-8", with(fixed(1, 5), b"\x00\x01a\x00\x01\xff")),
        ("access over the cap", with(fixed(1, 5), &with(vec![0x20, 0x01], &[b'a'; MAX_TOKEN_LEN + 1]))),
    ];
    for (name, plain) in cases {
        let mut body = Zeroizing::new(plain);
        body.reserve(TAG_LEN);
        let sealed = seal_plaintext(body, &depay_material(), NONCE).unwrap_or_default();
        assert_eq!(code(&unseal(&sealed, &depay_material())), Some("malformed_response"), "{name}");
    }
    // The same frame with a well-formed plaintext opens: the cases above fail for their content.
    let good = seal_plaintext(Zeroizing::new(with(fixed(1, 5), b"\x00\x01a\x00\x00")), &depay_material(), NONCE).unwrap_or_default();
    assert_eq!(unseal(&good, &depay_material()).map(|r| fields(&r)).ok(), Some(("a".to_owned(), None, RecordExpiry::AtServerMs(5), 1, 2)));
}

#[test]
fn nonces_change_the_bytes_not_the_record() {
    let a = seal(&depay_record(), &depay_material(), NONCE).unwrap_or_default();
    let b = seal(&depay_record(), &depay_material(), [9; NONCE_LEN]).unwrap_or_default();
    assert_ne!(a, b);
    assert_eq!(a.get(1..1 + NONCE_LEN), Some(&NONCE[..]));
    for sealed in [a, b] {
        assert_eq!(unseal(&sealed, &depay_material()).map(|r| fields(&r)).ok(), Some(fields(&depay_record())));
    }
}

#[test]
fn sealed_records_and_store_keys_reveal_no_secret() {
    let sealed = seal(&depay_record(), &depay_material(), NONCE).unwrap_or_default();
    for needle in [&b"eyJhbGciOiJIUzI1NiJ9"[..], b"refresh_token_0001", b"depay_test_key_0001", b"depay", b"stage.api"] {
        assert!(!sealed.windows(needle.len()).any(|w| w == needle), "{:?} in the sealed bytes", String::from_utf8_lossy(needle));
    }
    let key = store_key(&depay_material());
    assert_eq!(key.len(), 2 * STORE_KEY_LEN);
    assert!(key.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()), "{key}");
    // The store key is not the sealing key (nor a prefix of it).
    let seal_key = hex::encode(depay_material().derive::<32>(SEAL_LABEL).as_slice());
    assert!(!seal_key.starts_with(&key));
}

#[test]
fn debug_output_is_redacted() {
    let shown = format!("{:?} {:?}", depay_record(), depay_material());
    for secret in ["eyJhbGciOiJIUzI1NiJ9", "refresh_token_0001", "depay_test_key_0001"] {
        assert!(!shown.contains(secret), "{shown}");
    }
    assert!(shown.contains("[redacted]") && shown.contains("generation: 7"), "{shown}");
}
