// A stand-in OTLP/HTTP collector for measuring tracing's cost with export on: it answers every
// POST with 200 and counts what it received (printed on SIGINT/SIGTERM).
//   node tools/bench/otlp-sink.mjs [port=4318]
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 4318);
let requests = 0;
let bytes = 0;
const server = createServer((request, response) => {
  request.on('data', (chunk) => (bytes += chunk.length));
  request.on('end', () => {
    requests += 1;
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
server.listen(port, '127.0.0.1', () => process.stdout.write(`otlp sink on http://127.0.0.1:${port}\n`));
const report = () => {
  process.stdout.write(`otlp sink: ${requests} requests, ${bytes} bytes\n`);
  process.exit(0);
};
process.on('SIGINT', report);
process.on('SIGTERM', report);
