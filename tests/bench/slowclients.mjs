#!/usr/bin/env node
// scripts/bench's slow-client measurement: hold N half-open connections from 127.0.0.1 (each
// sends part of a request's headers and waits), then time GET /healthz and a thread page from
// 127.0.0.2. Prints eval-able lines: SLOW_HEALTHZ_MS=… SLOW_PAGE_MS=… SLOW_CLOSED=… (how many of
// the N the server closed). Loopback only; every socket is closed at the end; bounded in time.
//
//   node tests/bench/slowclients.mjs --port P --thread ID --cookie 'cairn_session=…' [--n 500]
import http from 'node:http';
import net from 'node:net';

const args = { n: 500 };
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const port = Number(args.port);
if (!port || !/^\d+$/.test(args.thread || '') || !(args.cookie || '').startsWith('cairn_session=')) {
  process.stderr.write('usage: slowclients.mjs --port P --thread ID --cookie COOKIE [--n N]\n');
  process.exit(2);
}
setTimeout(() => { process.stderr.write('slowclients: gave up after 60 s\n'); process.exit(1); }, 60000).unref();

function getFrom(path, cookie) {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, localAddress: '127.0.0.2', agent: false, timeout: 30000,
      headers: cookie ? { Cookie: cookie } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
    });
    req.on('timeout', () => req.destroy(new Error(`${path}: no answer in 30 s`)));
    req.on('error', reject);
  });
}

const sockets = [];
let closed = 0;
for (let i = 0; i < Number(args.n); i++) {
  await new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.1' });
    s.on('connect', () => { s.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: '); resolve(); });
    s.on('close', () => { closed++; });
    s.on('error', () => resolve());
    sockets.push(s);
  });
}
await new Promise((r) => setTimeout(r, 1000));
const health = await getFrom('/healthz');
const page = await getFrom(`/t/${args.thread}`, args.cookie);
await new Promise((r) => setTimeout(r, 200));
const closedByServer = closed;
for (const s of sockets) s.destroy();
if (health.status !== 200 || page.status !== 200) {
  process.stderr.write(`slowclients: /healthz ${health.status}, thread page ${page.status}\n`);
  process.exit(1);
}
process.stdout.write(`SLOW_HEALTHZ_MS=${health.ms.toFixed(1)}\nSLOW_PAGE_MS=${page.ms.toFixed(1)}\nSLOW_CLOSED=${closedByServer}\n`);
process.exit(0);
