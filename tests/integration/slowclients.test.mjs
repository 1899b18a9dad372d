// Slow and idle clients must not stop the site (issue 8, item 4). CivetWeb gives every open
// connection a worker thread for its whole life, so 500 connections that send half a request
// and wait would, without a cap, hold every worker until the request timeout. This test starts
// a second cairn on the fixture's database with a long request timeout (60 s), holds 500
// half-open connections from 127.0.0.1, and asks for /healthz and a thread page from
// 127.0.0.2: both must answer 200 at once, long before any timeout could free a worker.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { state, closeConnections } from './lib.mjs';
import { closeSql, sql } from './accounts-lib.mjs';
import { uniq, makePerson, spaceOf, startThread } from './forum-lib.mjs';

const HALF_OPEN = 500;
const CAP = 64; // the default CAIRN_MAX_PER_ADDRESS
const SANITIZER_RE = /ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer/;

let server = null;
let log = '';
const sockets = [];
let made = null;

after(async () => {
  for (const s of sockets) s.destroy();
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  if (made) await sql(`UPDATE enrollments SET state = 'cancelled', cancelled_at = now() WHERE user_id = $1`, [made]);
  closeSql();
  closeConnections();
});

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** GET from a given local address; resolves { status, ms }. */
function getFrom(port, path, { localAddress, cookie } = {}) {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, localAddress, agent: false, timeout: 30000,
      headers: cookie ? { Cookie: cookie } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: Date.now() - t0 }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} from ${localAddress}: no answer in 30 s`)));
    req.on('error', reject);
  });
}

/** A connection from 127.0.0.1 that sends half a request and waits; resolves once connected. */
function halfOpen(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.1' });
    s.closedByServer = false;
    s.on('connect', () => { s.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: '); resolve(s); });
    s.on('end', () => { s.closedByServer = true; });
    s.on('close', () => { s.closedByServer = true; });
    s.on('error', () => { s.closedByServer = true; resolve(s); });
    sockets.push(s);
  });
}

test('500 half-open connections from one address do not keep another address waiting', async () => {
  // A thread page to ask for, and a session to read it with (sessions live in the database
  // both servers share).
  // October 2025's Foundations run: no other test counts its roster. The enrollment ends after.
  const me = await makePerson({ tag: 'slow', enrolled: ['foundations-2025-10'] });
  made = me.id;
  const thread = await startThread(me.jar, await spaceOf('foundations-2025-10'), `Slow ${uniq()}`,
    'Read while a slow client waits.');
  const cookie = me.jar.header();

  const port = await freePort();
  const env = { ...process.env, CAIRN_DATABASE_URL: state.CAIRN_IT_CONNINFO, CAIRN_REQUEST_TIMEOUT_MS: '60000',
    CAIRN_KEEPALIVE_TIMEOUT_MS: '60000' };
  for (const k of ['CAIRN_THREADS', 'CAIRN_MAX_PER_ADDRESS', 'CAIRN_TRUSTED_PROXY', 'CAIRN_LISTEN']) delete env[k];
  server = spawn(state.CAIRN_IT_BIN, ['serve', '--listen', `127.0.0.1:${port}`, '--origin', `http://127.0.0.1:${port}`],
    { cwd: state.CAIRN_IT_SOURCE, env, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout.on('data', (d) => { log += d; });
  server.stderr.on('data', (d) => { log += d; });
  let up = false;
  for (let i = 0; i < 100 && !up; i++) {
    up = await getFrom(port, '/healthz', { localAddress: '127.0.0.2' }).then((r) => r.status === 200, () => false);
    if (!up) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(up, `the second server answers /healthz:\n${log}`);

  for (let i = 0; i < HALF_OPEN; i++) await halfOpen(port);
  // Let the server's workers take them all (the cap refuses the surplus as they are taken).
  await new Promise((r) => setTimeout(r, 1500));

  const health = await getFrom(port, '/healthz', { localAddress: '127.0.0.2' });
  const page = await getFrom(port, `/t/${thread}`, { localAddress: '127.0.0.2', cookie });
  assert.equal(health.status, 200);
  assert.equal(page.status, 200);
  assert.ok(health.ms < 15000 && page.ms < 15000, `answered within 15 s (healthz ${health.ms} ms, page ${page.ms} ms)`);
  process.stdout.write(`# from 127.0.0.2 with ${HALF_OPEN} half-open connections from 127.0.0.1: ` +
    `/healthz ${health.ms} ms, thread page ${page.ms} ms\n`);

  // The surplus over the cap was closed by the server; the rest are still waiting.
  const closed = sockets.filter((s) => s.closedByServer).length;
  assert.equal(closed, HALF_OPEN - CAP, `the server closed ${closed} of ${HALF_OPEN}; it keeps ${CAP}`);
  assert.match(log, /closed \d+ connections beyond the cap of 64 per address \(e\.g\. from 127\.0\.0\.1/);

  // An address under its cap is served as usual from a connection it already holds.
  const kept = sockets.find((s) => !s.closedByServer);
  const answer = new Promise((resolve) => kept.once('data', (d) => resolve(String(d))));
  kept.write('1\r\n\r\n');
  assert.match(await answer, /^HTTP\/1\.1 200/);
});

test('once the slow connections go, their address is served again', async () => {
  const port = Number(/127\.0\.0\.1:(\d+)/.exec(server.spawnargs.join(' '))[1]);
  for (const s of sockets) s.destroy();
  let status = 0;
  for (let i = 0; i < 50 && status !== 200; i++) {
    status = await getFrom(port, '/healthz', { localAddress: '127.0.0.1' }).then((r) => r.status, () => 0);
    if (status !== 200) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(status, 200);
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  assert.equal(await exited, 0, log);
  assert.doesNotMatch(log, SANITIZER_RE);
});
