// CommonJS: require('keystamp') and sign the five vectors; prints a JSON report.
const { kiiexSignature } = require('keystamp');
const cases = require('./cases.json');

console.log(JSON.stringify({ signatures: cases.vectors.map((v) => kiiexSignature(v)) }));
