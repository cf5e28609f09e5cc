// Shared by both Workers: take the headers from the Durable Object, call the DePay API with them.
export async function callDepay(worker, request, env, tokenHeaders, KeystampError) {
  try {
    const name = new URL(request.url).searchParams.get('name') ?? undefined;
    const headers = await tokenHeaders(env.DEPAY_TOKENS, name);
    const answer = await fetch(`${env.DEPAY_BASE_URL}/v2/payments`, { headers });
    return Response.json({ worker, status: answer.status, authorization: headers.Authorization });
  } catch (err) {
    if (!(err instanceof KeystampError)) throw err;
    return Response.json({ worker, error: { code: err.code, provider: err.provider, status: err.status } }, { status: 502 });
  }
}
