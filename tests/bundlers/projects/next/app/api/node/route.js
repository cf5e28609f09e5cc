// A Node.js route handler: GET /api/node?base=URL signs the five vectors and calls Kiiex at URL
// through keystamp's Client.
import { Client, kiiexSignature } from 'keystamp';
import cases from '../../../cases.js';

export const dynamic = 'force-dynamic';

export async function GET(request) {
  const signatures = cases.vectors.map((v) => kiiexSignature(v));
  const client = new Client({ provider: 'kiiex', baseUrl: new URL(request.url).searchParams.get('base'), ...cases.kiiex });
  const res = await client.fetch('GetUserInfo', { method: 'POST', body: '{}' });
  return Response.json({ signatures, client: { status: res.status, body: await res.json() } });
}
