// Helpers for the account tests (accounts.test.mjs, pgdump.test.mjs): forms and their CSRF
// tokens, signing in and up, invitations and reset links, the test clock, and snapshots of
// the database to prove that a refused request changed nothing.
//
// Built on lib.mjs (requests, cookie jar, psql). Sign-ins, sign-ups, resets and password
// changes each cost one Argon2id run on the server (about 0.2-0.6 s): callers keep them few.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { get, post, CookieJar, BASE_URL, textOf, state, DB } from './lib.mjs';

// ---- one persistent psql session ----------------------------------------------------------
// lib.mjs's psql() starts a process per query, which costs a few hundred milliseconds on
// slow machines; these tests check the database after nearly every request, so they keep
// one psql running and feed it queries (same output format: -At, '|' between columns).

/** A value as an SQL literal (standard_conforming_strings is on: only ' needs doubling). */
export function literal(v) {
  if (v === null || v === undefined) return 'NULL';
  const s = String(v);
  if (s.includes('\0')) throw new Error('NUL in an SQL literal');
  return `'${s.replace(/'/g, "''")}'`;
}

class PsqlSession {
  constructor() {
    const env = { ...process.env, PGHOST: state.PGHOST, PGUSER: state.PGUSER };
    if (state.PGPORT) env.PGPORT = state.PGPORT; else delete env.PGPORT;
    delete env.PGDATABASE;
    this.proc = spawn(state.PSQL || 'psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=0', '-d', DB],
      { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.out = '';
    this.err = '';
    this.n = 0;
    this.pending = null;
    this.chain = Promise.resolve();
    this.proc.stdout.setEncoding('utf8');
    this.proc.stderr.setEncoding('utf8');
    this.proc.stdout.on('data', (d) => { this.out += d; this.check(); });
    this.proc.stderr.on('data', (d) => { this.err += d; });
    this.proc.on('exit', (code) => {
      if (this.pending) this.pending.reject(new Error(`psql exited (${code}): ${this.err}`));
      this.pending = null;
      this.dead = true;
    });
  }

  check() {
    const p = this.pending;
    if (!p) return;
    const re = new RegExp(`(?:^|\n)${p.marker} (true|false)\n`);
    const m = re.exec(this.out);
    if (!m) return;
    const result = this.out.slice(0, m.index).replace(/\n+$/, '');
    this.out = this.out.slice(m.index + m[0].length);
    this.pending = null;
    if (m[1] === 'true') {
      // stderr and stdout are separate pipes: give the message a moment to arrive.
      setTimeout(() => {
        const msg = this.err.trim();
        this.err = '';
        p.reject(new Error(`psql: ${msg}\nSQL: ${p.sql}`));
      }, 30);
    } else {
      this.err = '';
      p.resolve(result);
    }
  }

  query(sql, params = []) {
    const text = sql.replace(/\$(\d+)/g, (m, n) => {
      if (Number(n) < 1 || Number(n) > params.length) throw new Error(`sql: no value for ${m}`);
      return literal(params[Number(n) - 1]);
    }).trim();
    const run = () => new Promise((resolve, reject) => {
      if (this.dead) { reject(new Error('psql is not running')); return; }
      const marker = `__cairn_query_${++this.n}__`;
      this.pending = { marker, resolve, reject, sql };
      this.proc.stdin.write(`${text}${text.endsWith(';') ? '' : ';'}\n\\echo ${marker} :ERROR\n`);
    });
    const result = this.chain.then(run, run);
    this.chain = result.catch(() => {});
    return result;
  }

  close() {
    if (!this.dead) this.proc.stdin.end('\\q\n');
  }
}

let session;
/**
 * Run SQL on the test database and return psql -At output, trimmed (rows on lines, '|'
 * between columns). $1, $2... are replaced by quoted literals of params.
 */
export function sql(text, params = []) {
  if (!session) session = new PsqlSession();
  return session.query(text, params);
}

/** End the psql session (call in an after hook). */
export function closeSql() {
  if (session) session.close();
  session = null;
}

export const DEMO_PASSWORD = 'cairn-demo-2026';

/** A short random suffix for unique emails and handles. */
export function uniq() {
  // Never all digits: a ten-digit number in a post's title or text is what the patient
  // privacy guard reads as a record number (issue 12), and the post would wait for it.
  return randomBytes(5).toString('hex').replace(/^[0-9]/, (d) => 'ghijklmnop'[d]);
}

/** A fresh, unused email address. */
export function freshEmail(tag = 'user') {
  return `${tag}.${uniq()}@example.test`;
}

/** A random 43-character base64url string: the shape of a real token, but nobody's. */
export function forgedToken() {
  return randomBytes(32).toString('base64url');
}

/** The real clock's now, in unix seconds. */
export function realNow() {
  return Math.floor(Date.now() / 1000);
}

/** Pin the server's clock (unix seconds; 0 = the real clock again). */
export async function setClock(now) {
  const r = await post('/__test/clock', { now: String(now) });
  assert.equal(r.status, 200, `POST /__test/clock now=${now}: ${r.status} ${r.body}`);
}

/** Run fn with the server's clock pinned at `now`; the real clock is back afterwards. */
export async function withClock(now, fn) {
  await setClock(now);
  try {
    return await fn();
  } finally {
    await setClock(0);
  }
}

/** The value of the first hidden csrf field in a page (throws if there is none). */
export function csrfOf(html) {
  const m = /<input type="hidden" name="csrf" value="([^"]*)">/.exec(html);
  if (!m) throw new Error(`no csrf field in the page:\n${html.slice(0, 2000)}`);
  return m[1];
}

/** The text of <main>: what a person reads on the page. */
export function mainText(html) {
  const m = /<main[^>]*>([\s\S]*)<\/main>/.exec(html);
  return textOf(m ? m[1] : html);
}

/** The value="" of an <input name=...> in a page, or undefined. */
export function inputValue(html, name) {
  const re = new RegExp(`<input[^>]*name="${name}"[^>]*>`);
  const tag = re.exec(html)?.[0];
  if (!tag) return undefined;
  return /value="([^"]*)"/.exec(tag)?.[1] ?? '';
}

/** The value of the selected <option> of <select name=...>, or undefined. */
export function selectedOption(html, name) {
  const m = new RegExp(`<select[^>]*name="${name}"[^>]*>([\\s\\S]*?)</select>`).exec(html);
  if (!m) return undefined;
  return /<option value="([^"]*)" selected>/.exec(m[1])?.[1];
}

/** The value of the checked radio button named name, or undefined. */
export function checkedRadio(html, name) {
  return new RegExp(`<input type="radio" name="${name}" value="([^"]*)" checked>`).exec(html)?.[1];
}

/** GET a page with a form; returns { res, csrf }. */
export async function formPage(path, jar) {
  const res = await get(path, { jar });
  assert.equal(res.status, 200, `GET ${path}: ${res.status}\n${mainText(res.body)}`);
  return { res, csrf: csrfOf(res.body) };
}

/** The error sentence (role=alert) of a page, or ''. */
export function alertText(html) {
  const m = /<div class="alert" role="alert"[^>]*>([\s\S]*?)<\/div>/.exec(html);
  return m ? textOf(m[1]) : '';
}

/**
 * Sign in through the form. Returns the response; with expect (default 303) the status is
 * checked. jar defaults to a fresh one (returned as res.jar).
 */
export async function signIn(email, password, { jar = new CookieJar(), expect = 303, next } = {}) {
  const { csrf } = await formPage('/signin', jar);
  const form = { csrf, email, password };
  if (next !== undefined) form.next = next;
  const res = await post('/signin', form, { jar });
  if (expect !== null) {
    assert.equal(res.status, expect,
      `sign in as ${email}: ${res.status} ${mainText(res.body)}`);
  }
  res.jar = jar;
  return res;
}

/** A session without Argon2id (the test door): a jar signed in as handle. No journal key. */
export async function testSession(handle) {
  const jar = new CookieJar();
  const r = await post('/__test/session', { handle }, { jar });
  assert.equal(r.status, 200, `POST /__test/session handle=${handle}: ${r.status}`);
  assert.ok(jar.get('cairn_session'), 'the test door set a session cookie');
  return jar;
}

/** A jar with only a pre-session cookie (from GET /signin) and its form token. */
export async function preSession() {
  const jar = new CookieJar();
  const { csrf } = await formPage('/signin', jar);
  assert.ok(jar.get('cairn_pre'), 'GET /signin set the pre-session cookie');
  return { jar, csrf };
}

let adminJarCache;
/** A session of the demo administrator (test door, so no Argon2id). */
export async function adminJar() {
  if (!adminJarCache) adminJarCache = await testSession('admin');
  return adminJarCache;
}

/**
 * The admin invites email: returns { token, id, link, res }. opts.admin: the invitation
 * makes an administrator.
 */
export async function createInvite(email, { admin = false, jar } = {}) {
  jar = jar || await adminJar();
  const { csrf } = await formPage('/admin/invites', jar);
  const form = { csrf, email };
  if (admin) form.admin = '1';
  const res = await post('/admin/invites', form, { jar });
  assert.equal(res.status, 201, `POST /admin/invites ${email}: ${res.status} ${mainText(res.body)}`);
  const link = /<code class="link">([^<]+)<\/code>/.exec(res.body)?.[1];
  assert.ok(link, 'the 201 page shows the invitation link');
  const u = new URL(link.replace(/&amp;/g, '&'));
  assert.equal(u.origin, BASE_URL, 'the link points at the configured origin');
  assert.equal(u.pathname, '/invite');
  const token = u.searchParams.get('token');
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  const id = await sql(`SELECT id FROM tokens WHERE purpose = 'invite' AND email = $1
                   ORDER BY id DESC LIMIT 1`, [email]);
  assert.ok(id, `a tokens row for the invitation of ${email}`);
  return { token, id, link, res };
}

/** The admin issues a reset link for a user id: returns { token, id, link, res }. */
export async function createReset(userId, { jar } = {}) {
  jar = jar || await adminJar();
  const { csrf } = await formPage('/admin/users', jar);
  const res = await post(`/admin/users/${userId}/reset`, { csrf }, { jar });
  assert.equal(res.status, 201, `POST /admin/users/${userId}/reset: ${res.status} ${mainText(res.body)}`);
  const link = /<code class="link">([^<]+)<\/code>/.exec(res.body)?.[1];
  assert.ok(link, 'the 201 page shows the reset link');
  const u = new URL(link.replace(/&amp;/g, '&'));
  assert.equal(u.origin, BASE_URL);
  assert.equal(u.pathname, '/reset');
  const token = u.searchParams.get('token');
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  const id = await sql(`SELECT id FROM tokens WHERE purpose = 'reset' AND user_id = $1
                   ORDER BY id DESC LIMIT 1`, [userId]);
  return { token, id, link, res };
}

/** Sign-up form fields for a new person (the password is added by the caller). */
export function signupFields(overrides = {}) {
  const s = uniq();
  return {
    display_name: `Test Person ${s}`,
    handle: `t_${s}`,
    profession: 'nurse',
    pronouns: 'they/them',
    track: 'pediatric',
    time_zone: 'America/Chicago',
    ...overrides,
  };
}

/**
 * Accept an invitation: GET the link (pre-session cookie and token), POST the form.
 * Returns { jar, res, form } with the POST's response; expect (default 303) is checked.
 */
export async function acceptInvite(token, fields, password, { jar = new CookieJar(), expect = 303, again } = {}) {
  const { csrf } = await formPage(`/invite?token=${encodeURIComponent(token)}`, jar);
  const form = { csrf, token, ...fields, password, password_again: again ?? password };
  const res = await post('/invite', form, { jar });
  if (expect !== null) {
    assert.equal(res.status, expect, `POST /invite: ${res.status} ${mainText(res.body)}`);
  }
  return { jar, res, form };
}

/** The recovery code the page shows (8 groups of 4 base32 characters). */
export function codeOf(html) {
  const m = /<p class="recovery-code"[^>]*><code>([^<]+)<\/code><\/p>/.exec(html);
  assert.ok(m, `the page shows a recovery code:\n${mainText(html)}`);
  assert.match(m[1], /^[A-Z2-7]{4}(-[A-Z2-7]{4}){7}$/);
  return m[1];
}

/** GET /recovery-code and return the code shown. */
export async function pendingCode(jar) {
  const r = await get('/recovery-code', { jar });
  assert.equal(r.status, 200, `GET /recovery-code: ${r.status} ${r.headers.location || ''}`);
  return codeOf(r.body);
}

/** Confirm the pending recovery code (POST /recovery-code saved=1). */
export async function confirmCode(jar) {
  const { csrf } = await formPage('/recovery-code', jar);
  const r = await post('/recovery-code', { csrf, saved: '1' }, { jar });
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, '/home');
}

/**
 * A complete new account through an invitation: returns { email, password, handle, id,
 * code, jar (signed in, code confirmed unless confirm: false), inviteToken, fields }.
 */
export async function newAccount({ confirm = true, tag = 'acct', password } = {}) {
  const email = freshEmail(tag);
  password = password || `pw ${uniq()} correct horse`;
  const inv = await createInvite(email);
  const fields = signupFields();
  const { jar, res } = await acceptInvite(inv.token, fields, password);
  assert.equal(res.headers.location, '/recovery-code');
  const code = await pendingCode(jar);
  if (confirm) await confirmCode(jar);
  const id = await sql('SELECT id FROM users WHERE email = $1', [email]);
  assert.ok(id, 'the account exists');
  return { email, password, handle: fields.handle, id, code, jar, inviteToken: inv.token, fields };
}

/** A count of rows: count('web_sessions', 'user_id = $1', [id]). */
export async function count(table, where = 'true', params = []) {
  return Number(await sql(`SELECT count(*) FROM ${table} WHERE ${where}`, params));
}

/** The ids of a user's sessions, oldest first. */
export async function sessionIds(userId) {
  const out = await sql('SELECT id FROM web_sessions WHERE user_id = $1 ORDER BY id', [userId]);
  return out ? out.split('\n') : [];
}

// Every table of the schema, and what a snapshot of it reads: all columns, except
// web_sessions.last_seen_at (a signed-in request refreshes it every five minutes whether or
// not the request is allowed to change anything, see session.c).
async function snapshotSql() {
  const tables = (await sql(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'
                       ORDER BY tablename`)).split('\n').filter(Boolean);
  return tables.map((t) => {
    const from = t === 'web_sessions'
      ? `(SELECT id, token_hash, user_id, csrf_secret, jmk_wrap, jmk_version, pending_recovery,
                 created_at, expires_at, user_agent, client_addr FROM web_sessions)`
      : t;
    return `SELECT '${t}' || ':' || count(*) || ':' ||
              md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), '')) FROM ${from} x`;
  }).join('\nUNION ALL\n');
}

let snapshotQuery;
/** A fingerprint of every row of every table: equal snapshots mean no row changed. */
export async function snapshot() {
  if (!snapshotQuery) snapshotQuery = await snapshotSql();
  const rows = (await sql(snapshotQuery)).split('\n');
  const out = {};
  for (const r of rows) {
    const [t, n, h] = r.split(':');
    out[t] = `${n}:${h}`;
  }
  return out;
}

/** Assert two snapshots are equal, naming the tables that differ. */
export function assertSameSnapshot(before, after, what) {
  const changed = Object.keys({ ...before, ...after }).filter((t) => before[t] !== after[t]);
  assert.deepEqual(changed, [], `${what}: rows changed in ${changed.join(', ')}`);
}

/** base64url of 64 bytes (the session cookie) -> { token, key } (32 bytes each). */
export function splitCookie(value) {
  const raw = Buffer.from(value, 'base64url');
  assert.equal(raw.length, 64, 'the session cookie holds 64 bytes');
  return { token: raw.subarray(0, 32), key: raw.subarray(32) };
}

/** Decode a recovery code (base32, RFC 4648 alphabet, dashes ignored) to its 20 bytes. */
export function decodeRecoveryCode(code) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let acc = 0;
  const out = [];
  for (const ch of code.replace(/-/g, '')) {
    const v = alphabet.indexOf(ch);
    if (v < 0) throw new Error(`not a recovery code character: ${ch}`);
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
      acc &= (1 << bits) - 1;
    }
  }
  return Buffer.from(out);
}

/** Flip one character of a base64url string (at index i), keeping it base64url. */
export function flipChar(s, i = Math.floor(s.length / 2)) {
  const c = s[i];
  const r = c === 'A' ? 'B' : 'A';
  return s.slice(0, i) + r + s.slice(i + 1);
}
