// What the page shows for each provider: its credential fields, and the header blocks built from
// them. Only data: the headers themselves always come from the keystamp library.

/**
 * A field: `key` is the library's option name, `secret` masks it by default.
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
    summary: 'Lendsqr’s API. Every call carries the app’s API key as a bearer token (test and live mode share it).',
    bases: [{ label: 'v2', url: 'https://adjutor.lendsqr.com/v2' }],
    fields: [
      { key: 'apiKey', label: 'API key', secret: true, placeholder: 'your app’s API key', hint: '“Reset app key” in the dashboard revokes the old key instantly.' },
    ],
    blocks: [
      { title: 'API calls', path: '/<path>', credentials: (v) => ({ apiKey: v.apiKey }) },
    ],
    example: { apiKey: 'adj_example_key_1234' },
  },
  {
    id: 'depay',
    name: 'DePay',
    summary: 'LATAM payments. The API key buys an access token at /auth/token; API calls carry that token as a bearer token.',
    bases: [
      { label: 'Production', url: 'https://api.payments.depay.us' },
      { label: 'Staging', url: 'https://stage.api.payments.depay.us' },
    ],
    fields: [
      { key: 'apiKey', label: 'API key', secret: true, placeholder: 'your DePay API key', hint: 'Used only to get a token.' },
      { key: 'accessToken', label: 'Access token', secret: true, placeholder: 'accessToken from /auth/token', hint: 'Valid for expiresIn seconds; ask /auth/token again before it ends.' },
    ],
    blocks: [
      { title: 'Get a token', path: '/auth/token', credentials: (v) => ({ apiKey: v.apiKey }) },
      { title: 'API calls', path: '/v2/<path>', credentials: (v) => ({ accessToken: v.accessToken }) },
    ],
    example: { apiKey: 'depay_example_key_77', accessToken: 'eyJhbGciOiJIUzI1NiJ9.example.token' },
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
