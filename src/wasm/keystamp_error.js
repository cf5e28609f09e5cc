// The error class every keystamp failure is thrown as. It lives in JS so that it is a real
// `Error` subclass (stack trace, `instanceof Error`); the Rust side only constructs it.
// Its message never holds a key, secret, token or signature.
export class KeystampError extends Error {
  constructor(code, message, provider, status, field) {
    super(message);
    this.name = 'KeystampError';
    /** Stable machine-readable code, e.g. "invalid_header_value". */
    this.code = code;
    if (provider !== undefined) this.provider = provider;
    if (status !== undefined) this.status = status;
    if (field !== undefined) this.field = field;
  }
}
