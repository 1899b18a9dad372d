// A newcomer's path: the project cloned into a private folder (mode 700, like root's home or
// any `mktemp -d`), its own scripts/db started there, and `cairn serve` run from the clone.
// The postgres user cannot enter such a folder, so scripts/db puts the cluster elsewhere;
// everything else the server expects under the clone (var/ and the secret file in it) must
// still be made (issue 8, item 1).
//
// The binary under test is the suite's own build; the clone supplies what a newcomer's clone
// has: scripts, migrations, templates and static files, and no var/.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { state } from './lib.mjs';

const SOURCE = state.CAIRN_IT_SOURCE;
const BIN = state.CAIRN_IT_BIN;
const SANITIZER_RE = /ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer/;

// The clone's scripts/db must find its own cluster, not the suite's.
const cleanEnv = { ...process.env };
for (const k of ['PGHOST', 'PGPORT', 'PGUSER', 'PGDATABASE', 'CAIRN_DATABASE_URL', 'CAIRN_SECRET_FILE',
  'CAIRN_LISTEN', 'CAIRN_ORIGIN', 'CAIRN_TEMPLATES', 'CAIRN_STATIC', 'CAIRN_SQL', 'CAIRN_DB_PORT']) {
  delete cleanEnv[k];
}
cleanEnv.CAIRN_DB_FAST = '1';

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: cleanEnv, timeout: 120000, ...opts });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout.trim();
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

function getStatus(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: 2000 }, (res) => { res.resume(); resolve(res.statusCode); });
    req.on('error', () => resolve(0));
    req.on('timeout', () => { req.destroy(); resolve(0); });
  });
}

const hasGit = spawnSync('git', ['--version']).status === 0;
const isCheckout = fs.existsSync(path.join(SOURCE, '.git'));

describe('a clone in a private folder', { skip: !(hasGit && isCheckout) && 'needs git and a git checkout' }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-clone-'));
  const clone = path.join(dir, 'c');
  let server = null;
  let log = '';
  let cluster = null;

  after(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
    }
    if (fs.existsSync(path.join(clone, 'scripts/db'))) {
      spawnSync(path.join(clone, 'scripts/db'), ['stop'], { env: cleanEnv });
    }
    if (cluster && cluster !== '/' && !cluster.startsWith(clone)) fs.rmSync(cluster, { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the folder is private, as mktemp -d makes it', () => {
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
  });

  test('scripts/db starts a cluster for the clone, and cairn serve from the clone answers /readyz', async () => {
    run('git', ['clone', '--quiet', '--no-hardlinks', SOURCE, clone]);
    assert.equal(fs.existsSync(path.join(clone, 'var')), false, 'a fresh clone has no var/');
    const started = run(path.join(clone, 'scripts/db'), ['start'], { cwd: clone });
    cluster = run(path.join(clone, 'scripts/db'), ['dir'], { cwd: clone });
    if (process.getuid() === 0) {
      // As root, the postgres user cannot enter the private folder: the cluster moves out.
      assert.ok(!cluster.startsWith(dir), `cluster ${cluster} should live outside ${dir}`);
      assert.match(started, /cannot reach/);
    }
    const url = run(path.join(clone, 'scripts/db'), ['url'], { cwd: clone });

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    server = spawn(BIN, ['serve', '--listen', `127.0.0.1:${port}`, '--origin', base],
      { cwd: clone, env: { ...cleanEnv, CAIRN_DATABASE_URL: url }, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout.on('data', (d) => { log += d; });
    server.stderr.on('data', (d) => { log += d; });

    let status = 0;
    const end = Date.now() + 60000;
    while (Date.now() < end && server.exitCode === null) {
      status = await getStatus(`${base}/readyz`);
      if (status === 200) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(status, 200, `GET /readyz from the clone's server; its log:\n${log}`);
    assert.equal(await getStatus(`${base}/`), 200, 'the public home page');

    const secret = path.join(clone, 'var', 'cairn.secret');
    assert.equal(fs.statSync(path.join(clone, 'var')).mode & 0o777, 0o700, 'var/ is private');
    assert.equal(fs.statSync(secret).mode & 0o777, 0o600, 'the secret file is private');
    assert.equal(fs.statSync(secret).size, 32);
  });

  test('the server stops cleanly on SIGTERM, with no sanitizer report', async () => {
    assert.ok(server, 'the server was started');
    const code = await new Promise((resolve) => {
      if (server.exitCode !== null) return resolve(server.exitCode);
      server.once('exit', (c) => resolve(c));
      server.kill('SIGTERM');
    });
    assert.equal(code, 0, log);
    assert.doesNotMatch(log, SANITIZER_RE);
  });
});
