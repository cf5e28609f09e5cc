// A Node program, bundled by esbuild (--platform=node) and webpack (--target=node): signs the
// five vectors and calls Kiiex through keystamp's Client at the base URL it is given (argv[2]);
// prints a JSON report.
import { Client, kiiexSignature } from 'keystamp';
import cases from './cases.js';

const signatures = cases.vectors.map((v) => kiiexSignature(v));
const client = new Client({ provider: 'kiiex', baseUrl: process.argv[2], ...cases.kiiex });
const res = await client.fetch('GetUserInfo', { method: 'POST', body: '{}' });
console.log(JSON.stringify({ signatures, client: { status: res.status, body: await res.json() } }));
