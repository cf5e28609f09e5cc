// The report the Node (ESM and CommonJS), Deno and browser consumers print for their test: what
// keystamp computed for the inputs of cases.json. Copied next to each consumer, which loads
// keystamp its own way and passes the module in; the test checks every value (assertReport).
export function report(keystamp, { vectors, credentials }) {
  const { KeystampError, KiiexSigner, authHeaders, kiiexAuthHeaders, kiiexSignature } = keystamp;
  const errorOf = (call) => {
    try {
      call();
      return 'no error';
    } catch (err) {
      const { name, code, provider, field } = err;
      return { keystamp: err instanceof KeystampError, error: err instanceof Error, name, code, provider, field };
    }
  };
  const signerSignatures = vectors.map((v) => {
    const signer = new KiiexSigner(v.apiSecret);
    const signed = signer.sign({ nonce: v.nonce, userId: v.userId, apiKey: v.apiKey });
    signer.free();
    return signed;
  });
  return {
    signatures: vectors.map((v) => kiiexSignature(v)),
    signerSignatures,
    kiiexAuthHeaders: kiiexAuthHeaders({ ...vectors[1], nonce: 637958203, userId: 184 }),
    headers: credentials.map(([provider, creds]) => authHeaders(provider, creds)),
    errors: [
      errorOf(() => authHeaders('adjutor', { apiKey: 'adj_key\r\nX-Injected: 1' })),
      errorOf(() => authHeaders('aws', { apiKey: 'k' })),
    ],
  };
}
