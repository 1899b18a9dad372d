// The database going away and coming back: pages answer 503 (the HTML error page), /readyz
// answers 503, /healthz and static files keep working, the server does not crash, and it
// recovers on its own once the database accepts connections again.
//
// This test cuts off the shared test database, so ctest runs it under RESOURCE_LOCK cairn_db
// (as every test that uses the server), never beside another test.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { get, psql, waitFor, serverAlive, closeConnections, DB, SECURITY_HEADERS } from './lib.mjs';

// Run against the maintenance database: the test database is the one being cut off.
const admin = (sql) => psql(sql, [], { database: 'postgres' });
const ident = `"${DB.replace(/"/g, '""')}"`;

function cutOff() {
  admin(`ALTER DATABASE ${ident} WITH ALLOW_CONNECTIONS false`);
  admin(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '${DB}'`);
}
function restore() {
  admin(`ALTER DATABASE ${ident} WITH ALLOW_CONNECTIONS true`);
}
function dropServerConnections() {
  admin(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
          WHERE datname = '${DB}' AND pid <> pg_backend_pid()`);
}

// Whatever happens, leave the database usable for the tests after this one.
after(() => {
  restore();
  closeConnections();
});

async function timed(path) {
  const t0 = Date.now();
  const r = await get(path, { agent: false, timeout: 20000 });
  return { ...r, ms: Date.now() - t0 };
}

describe('database outage', () => {
  test('before: / and /readyz answer 200', async () => {
    // Several requests, so that the pool holds a few open connections to be cut.
    const rs = await Promise.all(Array.from({ length: 6 }, () => get('/')));
    for (const r of rs) assert.equal(r.status, 200);
    assert.equal((await get('/readyz')).status, 200);
  });

  test('while the database refuses connections, / answers 503 with the HTML error page', async () => {
    cutOff();
    // Every request, whether it gets a pooled connection that was just terminated or has to
    // open a new one, answers 503, and promptly.
    for (let i = 0; i < 10; i++) {
      const r = await timed('/');
      assert.equal(r.status, 503, `request ${i + 1}: got ${r.status}`);
      assert.ok(r.ms < 5000, `request ${i + 1} took ${r.ms} ms`);
      assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
      assert.match(r.body, /<h1>Service Unavailable<\/h1>/);
      assert.match(r.body, /cannot reach its database/);
      assert.match(r.body, /Error 503\./);
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
        assert.equal(r.headers[name], value, name);
      }
    }
    const offering = await timed('/offerings/core-practice-2026-05');
    assert.equal(offering.status, 503, 'the offering page too');
  });

  test('while the database refuses connections, /readyz answers 503', async () => {
    const r = await timed('/readyz');
    assert.equal(r.status, 503);
    assert.ok(r.ms < 5000, `took ${r.ms} ms`);
    assert.ok(r.headers['retry-after'], 'Retry-After is set');
  });

  test('concurrent requests during the outage all answer 503', async () => {
    const rs = await Promise.all(Array.from({ length: 12 }, () => timed('/')));
    assert.deepEqual(rs.map((r) => r.status), rs.map(() => 503));
  });

  test('/healthz and static files do not need the database', async () => {
    assert.equal((await get('/healthz')).status, 200);
    assert.equal((await get('/static/cairn.css')).status, 200);
  });

  test('the server is still running', () => {
    assert.ok(serverAlive(), 'the cairn process is alive');
  });

  test('once the database is back, / answers 200 again within a few seconds', async () => {
    restore();
    const r = await waitFor(async () => {
      const g = await get('/', { agent: false });
      return g.status === 200 && g;
    }, { timeout: 5000, interval: 200, what: 'GET / to answer 200' });
    assert.match(r.body, /<h1>Palliative Care Education Series<\/h1>/);
    // And then steadily: no pooled connection is left broken.
    const rs = await Promise.all(Array.from({ length: 12 }, () => get('/', { agent: false })));
    assert.deepEqual(rs.map((x) => x.status), rs.map(() => 200));
    assert.equal((await get('/readyz')).status, 200);
  });

  // When PostgreSQL drops the pool's idle connections (a restart, idle_session_timeout, a
  // failover) while staying reachable, no visitor may pay for it: the pool notices the closed
  // socket when lending a connection, and a statement that fails on a dropped connection
  // outside a transaction is retried once after a reconnect (server/db.c).
  test('when the database drops idle connections but stays up, the next requests answer 200', async () => {
    const warm = await Promise.all(Array.from({ length: 8 }, () => get('/', { agent: false })));
    assert.deepEqual(warm.map((x) => x.status), warm.map(() => 200));
    dropServerConnections();
    const statuses = [];
    for (let i = 0; i < 10; i++) statuses.push((await get('/', { agent: false })).status);
    assert.deepEqual(statuses, statuses.map(() => 200));
  });

  test('the server is still running at the end', async () => {
    for (let i = 0; i < 10; i++) await get('/', { agent: false });
    assert.equal((await get('/')).status, 200);
    assert.ok(serverAlive(), 'the cairn process is alive');
  });
});
