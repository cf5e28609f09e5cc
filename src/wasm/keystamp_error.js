// The error class every keystamp failure is thrown as. It lives in JS so that it is a real
// `Error` subclass (stack trace, `instanceof Error`); the Rust side only constructs it.
// Its message never holds a key, secret, token or signature.
export class KeystampError extends Error {
  constructor(code, message, provider, status, field, retryAfterMs, providerCode, cause) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'KeystampError';
    /** Stable machine-readable code, e.g. "invalid_header_value". */
    this.code = code;
    if (provider != null) this.provider = provider;
    if (status != null) this.status = status;
    if (field != null) this.field = field;
    if (retryAfterMs != null) this.retryAfterMs = retryAfterMs;
    if (providerCode != null) this.providerCode = providerCode;
  }
}
