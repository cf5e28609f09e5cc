// What the page shows for each provider: its credential fields, and the header blocks built from
// them. Only data: the headers themselves always come from the keystamp library.

/**
 * A field: `key` is the library's option name, `secret` masks it by default, `multiline` makes it
 * a text area, `section` puts it under a sub-heading.
 * A block: a titled set of headers made by `authHeaders(provider, credentials(values))`, with a
 * `curl` example for `path` under the chosen base URL.
 */
export const PROVIDERS = [
  {
    id: 'defindex',
    name: 'DeFindex',
    summary: 'Stellar vaults. Every API call carries the API key (sk_…) or a dashboard JWT as a bearer token.',
    bases: [{ label: 'Production', url: 'https://api.defindex.io' }],
    fields: [
      { key: 'apiKey', label: 'API key', secret: true, placeholder: 'sk_…', hint: 'From the DeFindex dashboard (or an access_token from POST /login).' },
    ],
    blocks: [
      { title: 'API calls', path: '/<path>', credentials: (v) => ({ apiKey: v.apiKey }) },
    ],
    example: { apiKey: 'sk_example_0123456789abcdef' },
  },
  {
    id: 'deltadefi',
    name: 'DeltaDeFi',
    summary: 'Cardano order-book DEX. Every API call carries the API key in an X-API-KEY header.',
    bases: [
      { label: 'Mainnet', url: 'https://api.deltadefi.io' },
      { label: 'Staging', url: 'https://api-staging.deltadefi.io' },
    ],
    fields: [
      { key: 'apiKey', label: 'API key', secret: true, placeholder: 'your DeltaDeFi API key', hint: 'Creating a new key invalidates the previous one at once.' },
    ],
    blocks: [
      { title: 'API calls', path: '/<path>', credentials: (v) => ({ apiKey: v.apiKey }) },
    ],
    example: { apiKey: 'ddf_example_key_4242' },
  },
  {
    id: 'adjutor',
    name: 'Adjutor',
    summary: 'Lendsqr’s API. Every call carries the app’s API key as a bearer token (test and live mode share it); Core Services calls also carry an x-access-token.',
    bases: [{ label: 'v2', url: 'https://adjutor.lendsqr.com/v2' }],
    fields: [
      { key: 'apiKey', label: 'API key', secret: true, placeholder: 'your app’s API key', hint: '“Reset app key” in the dashboard revokes the old key instantly.' },
      { key: 'accessToken', label: 'Core Services token (optional)', secret: true, placeholder: 'token from POST /v2/customers/auth', hint: 'The JWT that POST /v2/customers/auth returns for a team member’s email and password (sent with the API key). It lives until its exp, about an hour.' },
    ],
    blocks: [
      { title: 'API calls', path: '/<path>', credentials: (v) => ({ apiKey: v.apiKey }) },
      { title: 'Core Services', path: '/<core-service-path>', credentials: (v) => ({ apiKey: v.apiKey, accessToken: v.accessToken }) },
    ],
    example: { apiKey: 'adj_example_key_1234', accessToken: 'eyJhbGciOiJIUzI1NiJ9.example.core-token' },
  },
  {
    id: 'depay',
    name: 'DePay',
    summary: 'LATAM payments. The API key buys an access token at /auth/token; API calls carry that token as a bearer token. Callbacks are signed with the API key: check one below.',
    bases: [
      { label: 'Production', url: 'https://api.payments.depay.us' },
      { label: 'Staging', url: 'https://stage.api.payments.depay.us' },
    ],
    fields: [
      { key: 'apiKey', label: 'API key', secret: true, placeholder: 'your DePay API key', hint: 'Gets a token, and keys the HMAC of callback signatures.' },
      { key: 'accessToken', label: 'Access token', secret: true, placeholder: 'accessToken from /auth/token', hint: 'Valid for expiresIn seconds; ask /auth/token again before it ends.' },
      { key: 'customerUuid', label: 'Customer UUID', placeholder: 'your account’s customer UUID', section: 'Check a callback' },
      { key: 'body', label: 'Callback body', multiline: true, placeholder: 'the raw body, exactly as received', hint: 'Paste the body byte for byte: the signature covers the text as sent, not a re-formatted JSON. Line breaks are read as LF.' },
      { key: 'signature', label: 'signature header', placeholder: '64 lowercase hex digits' },
    ],
    blocks: [
      { title: 'Get a token', path: '/auth/token', credentials: (v) => ({ apiKey: v.apiKey }) },
      { title: 'API calls', path: '/v2/<path>', credentials: (v) => ({ accessToken: v.accessToken }) },
    ],
    callbackChecker: true,
    // The signature is HMAC-SHA256(apiKey, body + '+' + customerUuid), computed with Python's hmac.
    example: {
      apiKey: 'depay_example_key_77',
      accessToken: 'eyJhbGciOiJIUzI1NiJ9.example.token',
      customerUuid: '6a1e5c1e-3f5b-4c1a-9d2e-8b7f0c4d2a11',
      body: '{"id":"pay_01HZX","status":"approved","amount":"150.00","currency":"ARS"}',
      signature: 'bee850a4715b0348b138173aa8616ac5660b3307385f98dfd1fbf7c6eabb0f73',
    },
  },
  {
    id: 'kiiex',
    name: 'Kiiex',
    summary: 'Exchange on AlphaPoint APEX. AuthenticateUser is signed with HMAC-SHA256 of Nonce + UserId + APIKey, keyed with the API secret; later calls carry the session token.',
    bases: [
      { label: 'Production', url: 'https://alphaprod.proxy.kiiex.io/ap' },
      { label: 'Staging', url: 'https://apstage.proxy.kiiex.io/ap' },
    ],
    fields: [
      { key: 'apiKey', label: 'API key', secret: true, placeholder: 'API KEY from the dashboard' },
      { key: 'apiSecret', label: 'API secret', secret: true, placeholder: 'API SECRET from the dashboard', hint: 'Keys the HMAC. It is never sent and never shown below.' },
      { key: 'userId', label: 'User ID', placeholder: 'e.g. 42' },
      { key: 'nonce', label: 'Nonce', placeholder: 'dashboard NONCE, or New nonce', newNonce: true },
      { key: 'sessionToken', label: 'Session token (optional)', secret: true, placeholder: 'SessionToken from AuthenticateUser', hint: 'Paste it after logging in to see the header of later calls.' },
    ],
    blocks: [
      { title: 'Later calls', path: '/<FunctionName>', credentials: (v) => ({ sessionToken: v.sessionToken }) },
    ],
    authenticatePath: '/AuthenticateUser',
    // The first test vector of the provider contract (the dashboard example).
    example: {
      apiKey: 'APIKEY_FROM_DASHBOARD',
      apiSecret: 'SECRET_FROM_DASHBOARD',
      userId: '42',
      nonce: '1700000000000',
      sessionToken: '',
    },
  },
];

/** Labels of credential fields, for "waiting for …" notes. */
export function fieldLabel(provider, key) {
  return provider.fields.find((f) => f.key === key)?.label.replace(/ \(optional\)$/, '') ?? key;
}
