// A browser app on keystamp/lite (signatures and headers, no Client): signs the five vectors at
// import, no init(); the JSON report goes into #report.
import { kiiexSignature } from 'keystamp/lite';
import cases from './cases.js';

const signatures = cases.vectors.map((v) => kiiexSignature(v));
document.querySelector('#report').textContent = JSON.stringify({ signatures });
