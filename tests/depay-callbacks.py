#!/usr/bin/env python3
"""Regenerates tests/depay-callbacks.json: DePay callback signatures computed with Python's own
hmac module, independently of keystamp.

    signature = lowercase_hex(HMAC-SHA256(key = api_key, message = body + "+" + customerUuid))

over the raw body bytes. Run from the repository root: python3 tests/depay-callbacks.py
A body is given as `body` (text, UTF-8 encoded), `bodyHex` (raw bytes that need not be UTF-8), or
`bodyPattern` (prefix + unit * count + suffix, for the large bodies); every consumer rebuilds it
the same way and checks `bodyBytes`, the length in bytes.
"""
import hashlib
import hmac
import json
import pathlib

UUID = "6a1e5c1e-3f5b-4c1a-9d2e-8b7f0c4d2a11"
KEY = "depay_live_5f3c2a1b0e9d8c7b6a5f4e3d2c1b0a99"


def pattern_bytes(p):
    return (p["prefix"] + p["unit"] * p["count"] + p["suffix"]).encode("utf-8")


def kib_pattern(total):
    """A JSON body of exactly `total` bytes of UTF-8: repeated items with '+' signs and 2-, 3- and
    4-byte characters ('é', '€', '🙂'), padded with spaces before the end."""
    prefix, unit, end = '{"items":[', '{"k":"a+b=c","v":"café € 12+3","e":"🙂"},', '{}]}'
    fixed = len((prefix + end).encode("utf-8"))
    count, pad = divmod(total - fixed, len(unit.encode("utf-8")))
    return {"prefix": prefix, "unit": unit, "count": count, "suffix": "{}" + " " * pad + "]}"}


CASES = [
    {"name": "the documented shape: a compact JSON body", "apiKey": KEY, "customerUuid": UUID,
     "body": '{"id":"pay_01HZX","status":"approved","amount":"150.00","currency":"ARS"}'},
    {"name": "the same body with one byte changed gives another signature", "apiKey": KEY, "customerUuid": UUID,
     "body": '{"id":"pay_01HZX","status":"approved","amount":"150.01","currency":"ARS"}'},
    {"name": "pretty-printed: whitespace is signed as received", "apiKey": KEY, "customerUuid": UUID,
     "body": '{\n  "id": "pay_01HZX",\n  "status": "approved"\n}\n'},
    {"name": "'+' inside the body (the separator is not escaped)", "apiKey": KEY, "customerUuid": UUID,
     "body": '{"phone":"+54 11 5555+0000","note":"a+b"}'},
    {"name": "'+' in the customer UUID: the message is the plain concatenation body + '+' + uuid", "apiKey": KEY, "customerUuid": "x+" + UUID,
     "body": '{"a":1}'},
    {"name": "non-ASCII UTF-8 (2-, 3- and 4-byte characters)", "apiKey": KEY, "customerUuid": UUID,
     "body": '{"payer":"Jos\u00e9 Mu\u00f1oz","city":"S\u00e3o Paulo","fee":"\u20ac1","mood":"\U0001F642","cjk":"\u652f\u4ed8"}'},
    {"name": "an empty body", "apiKey": KEY, "customerUuid": UUID, "body": ""},
    {"name": "a key longer than one SHA-256 block", "apiKey": "k" * 100, "customerUuid": UUID, "body": '{"ok":true}'},
    {"name": "non-ASCII key and uuid bytes are UTF-8", "apiKey": "cl\u00e9", "customerUuid": "cust\u00f3mer", "body": "{}"},
    {"name": "raw bytes that are not UTF-8 (Latin-1 text, a BOM)", "apiKey": KEY, "customerUuid": UUID,
     "bodyHex": (b"\xef\xbb\xbf{\"name\":\"Jos\xe9\"}").hex()},
    {"name": "a 1 KiB body", "apiKey": KEY, "customerUuid": UUID, "bodyPattern": kib_pattern(1024)},
    {"name": "a 64 KiB body", "apiKey": KEY, "customerUuid": UUID, "bodyPattern": kib_pattern(64 * 1024)},
]


def body_bytes(case):
    if "body" in case:
        return case["body"].encode("utf-8")
    if "bodyHex" in case:
        return bytes.fromhex(case["bodyHex"])
    return pattern_bytes(case["bodyPattern"])


def main():
    rows = []
    for case in CASES:
        body = body_bytes(case)
        message = body + b"+" + case["customerUuid"].encode("utf-8")
        signature = hmac.new(case["apiKey"].encode("utf-8"), message, hashlib.sha256).hexdigest()
        rows.append({**case, "bodyBytes": len(body), "signature": signature})
    assert rows[-1]["bodyBytes"] == 65536 and rows[-2]["bodyBytes"] == 1024
    out = {
        "about": "DePay callback signatures: lowercase hex HMAC-SHA256(key = apiKey, message = body + '+' + customerUuid) over the raw body bytes, computed with Python's hmac module by tests/depay-callbacks.py. A body is `body` (text, UTF-8), `bodyHex` (raw bytes) or `bodyPattern` (prefix + unit x count + suffix); `bodyBytes` is its length.",
        "depayCallbacks": rows,
    }
    path = pathlib.Path(__file__).with_name("depay-callbacks.json")
    text = "{\n" + f'  "about": {json.dumps(out["about"], ensure_ascii=False)},\n  "depayCallbacks": [\n'
    text += ",\n".join("    " + json.dumps(r, ensure_ascii=False) for r in rows)
    text += "\n  ]\n}\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
