// Helpers for the enrollment and team tests (enroll.test.mjs, teams.test.mjs and
// tests/browser/teams.test.mjs): one persistent psql session, database snapshots, the test
// clock and the test sign-in door, offerings made for one test, people made without a
// password (signed in through the test door), the enrollment and team forms, and parsers for
// the fee choices, the quote table and the invitation links a page shows once.
//
// Built on lib.mjs only. Money is compared in integer cents and as money_format writes it
// ($1,795.50, $10). Call closeDb() in an after hook (the psql session keeps node alive).

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { get, post, textOf, BASE_URL, CookieJar, state, DB } from './lib.mjs';

// ---------------------------------------------------------------------------- database
// lib.mjs's psql() starts a process per query (hundreds of milliseconds on a loaded
// machine); these tests check the database after nearly every request, so they keep one
// psql running. Same output as psql -At: rows on lines, '|' between columns.

/** A value as an SQL literal (standard_conforming_strings is on: only ' is doubled). */
export function literal(v) {
  if (v === null || v === undefined) return 'NULL';
  const s = String(v);
  if (s.includes('\0')) throw new Error('NUL in an SQL literal');
  return `'${s.replace(/'/g, "''")}'`;
}

class Psql {
  constructor() {
    const env = { ...process.env, PGHOST: state.PGHOST, PGUSER: state.PGUSER };
    if (state.PGPORT) env.PGPORT = state.PGPORT; else delete env.PGPORT;
    delete env.PGDATABASE;
    this.proc = spawn(state.PSQL || 'psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=0', '-d', DB],
      { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.out = '';
    this.err = '';
    this.seq = 0;
    this.waiting = null;
    this.queue = Promise.resolve();
    this.proc.stdout.setEncoding('utf8');
    this.proc.stderr.setEncoding('utf8');
    this.proc.stdout.on('data', (d) => { this.out += d; this.settle(); });
    this.proc.stderr.on('data', (d) => { this.err += d; });
    this.proc.on('exit', (code) => {
      this.dead = true;
      if (this.waiting) this.waiting.reject(new Error(`psql exited (${code}): ${this.err}`));
      this.waiting = null;
    });
  }

  settle() {
    const w = this.waiting;
    if (!w) return;
    const i = this.out.indexOf(w.marker);
    if (i < 0) return;
    const end = this.out.indexOf('\n', i);
    if (end < 0) return;
    const failed = this.out.slice(i + w.marker.length, end).trim() === 'true';
    const result = this.out.slice(0, i).replace(/\n+$/, '');
    this.out = this.out.slice(end + 1);
    this.waiting = null;
    if (failed) {
      // stderr is another pipe: give the message a moment to arrive.
      setTimeout(() => {
        const m = this.err.trim();
        this.err = '';
        w.reject(new Error(`psql: ${m}\nSQL: ${w.sql}`));
      }, 50);
    } else {
      this.err = '';
      w.resolve(result);
    }
  }

  query(sql) {
    const run = () => new Promise((resolve, reject) => {
      if (this.dead) { reject(new Error('psql is not running')); return; }
      const marker = `@@enroll_lib_${++this.seq}@@`;
      this.waiting = { marker, resolve, reject, sql };
      const text = sql.trim().replace(/;$/, '');
      this.proc.stdin.write(`${text};\n\\echo ${marker} :ERROR\n`);
    });
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => {});
    return p;
  }

  close() {
    if (!this.dead) this.proc.stdin.end('\\q\n');
  }
}

let psqlSession;
/**
 * Run SQL on the test database; resolves to psql -At output, trimmed. $1, $2... become
 * quoted literals of params (never spliced by hand).
 */
export function db(sql, params = []) {
  const text = sql.replace(/\$(\d+)/g, (m, n) => {
    if (Number(n) < 1 || Number(n) > params.length) throw new Error(`db: no value for ${m}`);
    return literal(params[Number(n) - 1]);
  });
  if (!psqlSession) psqlSession = new Psql();
  return psqlSession.query(text);
}

/** End the psql session (after hook). */
export function closeDb() {
  if (psqlSession) psqlSession.close();
  psqlSession = null;
}

/** count(*) of a table under a condition. */
export async function count(table, where = 'true', params = []) {
  return Number(await db(`SELECT count(*) FROM ${table} WHERE ${where}`, params));
}

let snapshotQuery;
/**
 * A fingerprint of every row of every table (web_sessions without last_seen_at, which any
 * signed-in request may refresh): equal snapshots mean no row changed.
 */
export async function snapshot() {
  if (!snapshotQuery) {
    const tables = (await db(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'
                              ORDER BY tablename`)).split('\n').filter(Boolean);
    snapshotQuery = tables.map((t) => {
      const from = t === 'web_sessions'
        ? `(SELECT id, token_hash, user_id, csrf_secret, jmk_wrap, jmk_version, pending_recovery,
                   created_at, expires_at FROM web_sessions)`
        : t;
      return `SELECT '${t}' || ':' || count(*) || ':' ||
                md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), '')) FROM ${from} x`;
    }).join('\nUNION ALL\n');
  }
  const out = {};
  for (const r of (await db(snapshotQuery)).split('\n')) {
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

/** Run fn and assert it changed no row anywhere; returns fn's result. */
export async function writesNothing(what, fn) {
  const before = await snapshot();
  const result = await fn();
  assertSameSnapshot(before, await snapshot(), what);
  return result;
}

// ---------------------------------------------------------------------------- pages

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

/** A random 43-character base64url string: the shape of a token, but nobody's. */
export function forgedToken() {
  return randomBytes(32).toString('base64url');
}

/** Pin the server's clock (unix seconds; 0 = the real clock again). */
export async function setClock(now) {
  const r = await post('/__test/clock', { now: String(now) });
  assert.equal(r.status, 200, `POST /__test/clock now=${now}: ${r.status} ${r.body}`);
}

/**
 * Run fn with the server's clock pinned at now; the real clock is back afterwards. Sessions
 * made at the real time may have expired at a pinned time weeks ahead: make them inside.
 */
export async function withClock(now, fn) {
  await setClock(now);
  try {
    return await fn();
  } finally {
    await setClock(0);
  }
}

/** The value of the first hidden csrf field of a page (throws if there is none). */
export function csrfOf(html) {
  const m = /<input type="hidden" name="csrf" value="([^"]*)">/.exec(html);
  if (!m) throw new Error(`no csrf field in the page:\n${mainText(html).slice(0, 2000)}`);
  return m[1];
}

/** The text of <main>: what a person reads on the page. */
export function mainText(html) {
  const m = /<main[^>]*>([\s\S]*)<\/main>/.exec(html);
  return textOf(m ? m[1] : html);
}

/** The value="" of an <input name=...>, or undefined. */
export function inputValue(html, name) {
  const tag = new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(html)?.[0];
  if (!tag) return undefined;
  return /value="([^"]*)"/.exec(tag)?.[1] ?? '';
}

/** The error sentence (role=alert) of a page, or ''. */
export function alertText(html) {
  const m = /<div class="alert" role="alert"[^>]*>([\s\S]*?)<\/div>/.exec(html);
  return m ? textOf(m[1]) : '';
}

/** A jar signed in as handle through the test door (no password, no journal key). */
export async function testSession(handle) {
  const jar = new CookieJar();
  const r = await post('/__test/session', { handle }, { jar });
  assert.equal(r.status, 200, `POST /__test/session handle=${handle}: ${r.status}`);
  assert.ok(jar.get('cairn_session'), 'the test door set a session cookie');
  return jar;
}

/** The csrf token of a signed-in jar (from /home). */
export async function sessionCsrf(jar) {
  const r = await get('/home', { jar });
  assert.equal(r.status, 200, `GET /home: ${r.status}`);
  return csrfOf(r.body);
}

/** Account fields of a new person (the password is the caller's). */
export function signupFields(overrides = {}) {
  const s = uniq();
  return { display_name: `New Person ${s}`, handle: `n_${s}`, profession: 'nurse',
    pronouns: 'she/her', track: 'pediatric', time_zone: 'America/Chicago', ...overrides };
}

export const UPCOMING = 'core-practice-upcoming';
export const PAST = 'core-practice-2026-05';
export const DAY = 86400;

/** The seed's figures, in cents. */
export const SEED = { regular: 199500, early: 179550, processing: 1000 };

/** The seven fee categories, in the order the forms list them. */
export const CATEGORIES = ['physician', 'nurse', 'pa', 'psychologist', 'resident_fellow',
  'social_worker', 'allied_other'];

/** Cents as money_format writes them: $1,795.50, $10, -$5.25. */
export function money(cents) {
  const neg = cents < 0;
  const v = Math.abs(cents);
  const dollars = Math.floor(v / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const rest = v % 100;
  return `${neg ? '-' : ''}$${dollars}${rest ? `.${String(rest).padStart(2, '0')}` : ''}`;
}

/** fees.h's rounding rule: percent of cents, halves rounded up (towards the learner). */
export function percentOf(cents, percent) {
  return Math.floor((cents * percent + 50) / 100);
}

/**
 * An offering's facts as unix seconds: { id, slug, capacity, registrationDeadline,
 * earlyDeadline, startsAt (00:00 of the first day in the offering's zone), startsOn }.
 */
export async function offeringInfo(slug) {
  const row = await db(`SELECT id, coalesce(capacity::text, ''),
                      coalesce(extract(epoch FROM registration_deadline)::bigint, 0),
                      coalesce(extract(epoch FROM early_deadline)::bigint, 0),
                      extract(epoch FROM starts_on::timestamp AT TIME ZONE time_zone)::bigint,
                      starts_on, processing_fee_cents,
                      coalesce(group_discount_min_size, 0), group_discount_percent
                    FROM offerings WHERE slug = $1`, [slug]);
  assert.ok(row, `offering ${slug} exists`);
  const [id, capacity, reg, early, startsAt, startsOn, processing, dmin, dpct] = row.split('|');
  return {
    id, slug, capacity: capacity ? Number(capacity) : null,
    registrationDeadline: Number(reg), earlyDeadline: Number(early), startsAt: Number(startsAt),
    startsOn, processing: Number(processing), discountMin: Number(dmin), discountPercent: Number(dpct),
  };
}

const madeOfferings = [];

/**
 * Where the database stands before a test file writes: the newest enrollment and team ids.
 * Pass it to cleanUp() in the after hook.
 */
export async function cleanupMark() {
  const [enrollment, team] = (await db(`SELECT coalesce((SELECT max(id) FROM enrollments), 0),
                                         coalesce((SELECT max(id) FROM teams), 0)`)).split('|');
  return { enrollment, team };
}

/**
 * Leave the shared database as the other test files expect it: the offerings made here are
 * deleted (the public pages list every offering), and so are the teams and the enrollments
 * into the demo's upcoming run made since mark (tests take turns: they are this file's).
 * People and outbox messages stay, as after any other test.
 */
export async function cleanUp(mark) {
  await db('DELETE FROM teams WHERE id > $1', [mark.team]);
  await db(`DELETE FROM enrollments WHERE id > $1
              AND offering_id = (SELECT id FROM offerings WHERE slug = $2)`, [mark.enrollment, UPCOMING]);
  for (const slug of madeOfferings.splice(0)) {
    await db('DELETE FROM offerings WHERE slug = $1', [slug]);
  }
}

/**
 * A Core Practice offering of our own, dated relative to the real clock (days from now):
 *   { capacity, startDays (40), registrationDays (30), earlyDays (10), processing (1000),
 *     discountMin (3), discountPercent (10), fees: { category: [regular, early|null] }
 *     (default: the seed's price for every category) }
 * Returns offeringInfo() of it.
 */
export async function makeOffering(opts = {}) {
  const {
    capacity = null, startDays = 40, registrationDays = 30, earlyDays = 10, processing = 1000,
    discountMin = 3, discountPercent = 10, fees = null, tag = 'it',
  } = opts;
  const slug = `${tag}-${uniq()}`;
  madeOfferings.push(slug);
  await db(`INSERT INTO offerings (course_id, slug, starts_on, ends_on, time_zone, format, capacity,
          registration_deadline, early_deadline, processing_fee_cents, group_discount_min_size,
          group_discount_percent, notes)
        SELECT c.id, $1, current_date + $2::int, current_date + $2::int + 2, 'America/New_York',
               'live_online', nullif($3, '')::int, now() + make_interval(days => $4::int),
               now() + make_interval(days => $5::int), $6::int, nullif($7, '0')::int, $8::int,
               'Made by an integration test.'
          FROM courses c WHERE c.slug = 'core-practice'`,
  [slug, startDays, capacity ?? '', registrationDays, earlyDays, processing, discountMin,
    discountPercent]);
  const table = fees || Object.fromEntries(CATEGORIES.map((c) => [c, [SEED.regular, SEED.early]]));
  for (const [category, [regular, early]] of Object.entries(table)) {
    await db(`INSERT INTO offering_fees (offering_id, category, regular_cents, early_cents)
          SELECT id, $2, $3::int, nullif($4, '')::int FROM offerings WHERE slug = $1`,
    [slug, category, regular, early ?? '']);
  }
  return offeringInfo(slug);
}

/**
 * n people made straight in the database (no credentials: they sign in through the test
 * door only). Returns [{ id, handle, email, name, jar? }]; with { signIn: true } each gets a
 * signed-in jar.
 */
export async function makeUsers(n, { profession = 'nurse', signIn = false, tag = 'u' } = {}) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const s = uniq();
    const handle = `${tag}_${s}`;
    const email = `${tag}.${s}@example.test`;
    const name = `Person ${s}`;
    const id = await db(`INSERT INTO users (email, handle, display_name, profession)
                     VALUES ($1, $2, $3, $4) RETURNING id`, [email, handle, name, profession]);
    out.push({ id, handle, email, name });
  }
  if (signIn) {
    await Promise.all(out.map(async (u) => { u.jar = await testSession(u.handle); }));
  }
  return out;
}

/** The id of a user by handle. */
export async function userId(handle) {
  const id = await db('SELECT id FROM users WHERE handle = $1', [handle]);
  assert.ok(id, `user ${handle} exists`);
  return id;
}

/** Cancel whatever live enrollment a user has in an offering (so a test can start clean). */
export async function unenroll(handle, slug) {
  await db(`UPDATE enrollments e SET state = 'cancelled', cancelled_at = now()
          FROM users u, offerings o
         WHERE e.user_id = u.id AND e.offering_id = o.id AND u.handle = $1 AND o.slug = $2
           AND e.state <> 'cancelled' AND e.role = 'learner'`, [handle, slug]);
}

/** A user's enrollments in an offering: rows of fields, newest last. */
export async function enrollmentsOf(userIdValue, offeringId) {
  const out = await db(`SELECT id, role, state, source, coalesce(fee_category, ''),
                      coalesce(price_kind, ''), course_fee_cents, discount_cents,
                      processing_fee_cents, amount_cents, coalesce(team_id::text, '')
                    FROM enrollments WHERE user_id = $1 AND offering_id = $2 ORDER BY id`,
  [userIdValue, offeringId]);
  return out ? out.split('\n').map((line) => {
    const [id, role, state, source, category, priceKind, fee, discount, processing, amount,
      teamId] = line.split('|');
    return { id, role, state, source, category, priceKind, fee: Number(fee),
      discount: Number(discount), processing: Number(processing), amount: Number(amount), teamId };
  }) : [];
}

/** Live (not cancelled) learner rows of an offering. */
export async function liveLearners(offeringId) {
  return Number(await db(`SELECT count(*) FROM enrollments WHERE offering_id = $1
                      AND role = 'learner' AND state <> 'cancelled'`, [offeringId]));
}

/** The enrollment form: { res, csrf }. */
export async function enrollForm(slug, jar, expect = 200) {
  const res = await get(`/offerings/${slug}/enroll`, { jar });
  assert.equal(res.status, expect, `GET /offerings/${slug}/enroll: ${res.status} ${mainText(res.body)}`);
  return { res, csrf: res.status === 200 ? csrfOf(res.body) : null };
}

/** POST the enrollment form (fields: fee_category and, for a new person, account fields). */
export function enrollPost(slug, jar, fields) {
  return post(`/offerings/${slug}/enroll`, fields, { jar });
}

/** The enrollment id a 303 to /enrollments/:id names. */
export function enrollmentIdOf(res) {
  assert.equal(res.status, 303, `expected a redirect, got ${res.status}: ${mainText(res.body)}`);
  const m = /^\/enrollments\/(\d+)$/.exec(res.headers.location || '');
  assert.ok(m, `redirected to an enrollment, not ${res.headers.location}`);
  return m[1];
}

/** GET the form and enroll; returns the enrollment id (asserts the 303). */
export async function enroll(slug, jar, category) {
  const { csrf } = await enrollForm(slug, jar);
  return enrollmentIdOf(await enrollPost(slug, jar, { csrf, fee_category: category }));
}

/**
 * The fee-category choices of the enrollment form:
 *   [{ code, label, fee, early, processing, total, checked }] as the page prints them.
 */
export function categoryChoices(html) {
  const re = /<input type="radio" name="fee_category" value="([^"]*)" required( checked)?>\s*<span>([\s\S]*?)<\/span>/g;
  return [...html.matchAll(re)].map((m) => {
    const text = textOf(m[3]);
    const p = /^(.*): (\$[\d,.]+)( \(early price\))? \+ (\$[\d,.]+) processing = (\$[\d,.]+)$/.exec(text);
    assert.ok(p, `a fee choice reads "label: fee + processing = total", not "${text}"`);
    return { code: m[1], checked: Boolean(m[2]), label: p[1], fee: p[2], early: Boolean(p[3]),
      processing: p[4], total: p[5] };
  });
}

/** The rows of the enrollment page's fee table: { 'Course fee (early price)': '$1,795.50', ... }. */
export function feeTable(html) {
  const m = /<table>\s*<caption>Fees[\s\S]*?<\/table>/.exec(html);
  assert.ok(m, 'the page has a fee table');
  const out = {};
  for (const r of m[0].matchAll(/<tr><th scope="row">([\s\S]*?)<\/th><td>([\s\S]*?)<\/td><\/tr>/g)) {
    out[textOf(r[1])] = textOf(r[2]);
  }
  out.caption = textOf(/<caption>([\s\S]*?)<\/caption>/.exec(m[0])[1]);
  return out;
}

/** The "Status: ..." line of the enrollment page. */
export function statusLine(html) {
  const m = /<p class="status-line">([\s\S]*?)<\/p>/.exec(html);
  return m ? textOf(m[1]) : '';
}

// ---------------------------------------------------------------------------- teams

/**
 * A member row for the team form: { name, email, profession, category, track }.
 * Unique name and email unless given.
 */
export function member(overrides = {}) {
  const s = uniq();
  return { name: `Member ${s}`, email: `m.${s}@example.test`, profession: 'nurse',
    category: 'nurse', track: 'adult', ...overrides };
}

/** The team form's fields for a list of members (rows = max(5, members.length)). */
export function teamFields(csrf, { name, institution = '', members, rows }) {
  const form = { csrf, rows: String(rows ?? Math.max(5, members.length)), name, institution };
  members.forEach((m, i) => {
    const n = i + 1;
    form[`m${n}_name`] = m.name;
    form[`m${n}_email`] = m.email;
    form[`m${n}_profession`] = m.profession;
    form[`m${n}_category`] = m.category;
    form[`m${n}_track`] = m.track;
  });
  return form;
}

/** GET the team form and POST it; returns { res, teamId (when 303) }. */
export async function registerTeam(slug, jar, { name = `Team ${uniq()}`, institution = 'General Hospital',
  members, expect = 303, rows } = {}) {
  const form = await get(`/offerings/${slug}/teams/new${rows ? `?rows=${rows}` : ''}`, { jar });
  assert.equal(form.status, 200, `GET /offerings/${slug}/teams/new: ${form.status} ${mainText(form.body)}`);
  const res = await post(`/offerings/${slug}/teams`,
    teamFields(csrfOf(form.body), { name, institution, members, rows: rows ?? undefined }), { jar });
  if (expect !== null) {
    assert.equal(res.status, expect, `POST /offerings/${slug}/teams: ${res.status} ${mainText(res.body)}`);
  }
  let teamId = null;
  if (res.status === 303) {
    const m = /^\/teams\/(\d+)$/.exec(res.headers.location || '');
    assert.ok(m, `redirected to the team page, not ${res.headers.location}`);
    teamId = m[1];
  }
  return { res, teamId, name };
}

/**
 * The quote table of a team page: { members: [{ name, email, category, fee, early, discount,
 * processing, total, state }], total } as printed (state only once confirmed).
 */
export function quoteTable(html) {
  const table = /<table[^>]*>\s*<caption>(Quote|Members and invitations)<\/caption>([\s\S]*?)<\/table>/.exec(html);
  assert.ok(table, 'the page has the team table');
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table[2])[1];
  const members = [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) => {
    const cells = [...row[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1]);
    const who = /^([\s\S]*?)<br><span class="muted">([\s\S]*?)<\/span>$/.exec(cells[0]);
    const fee = textOf(cells[2]);
    return {
      name: textOf(who[1]),
      email: textOf(who[2]).split(' · ')[0],
      muted: /<tr class="muted">/.test(row[0]),
      category: textOf(cells[1]),
      fee: fee.replace(/ \(early\)$/, ''),
      early: fee.endsWith('(early)'),
      discount: textOf(cells[3]),
      processing: textOf(cells[4]),
      total: textOf(cells[5]),
      state: cells[6] === undefined ? undefined : textOf(cells[6]),
    };
  });
  const foot = /<tfoot>[\s\S]*?<strong>([^<]*)<\/strong>/.exec(table[2]);
  return { caption: table[1], members, total: foot ? foot[1] : undefined };
}

/**
 * The invitation links a team page shows once: [{ name, email, link, token }].
 */
export function inviteLinks(html) {
  return [...html.matchAll(/<li>([^<]*?) \(([^()<]*)\): <code class="link">([^<]+)<\/code><\/li>/g)]
    .map((m) => {
      const link = m[3].replace(/&amp;/g, '&');
      const u = new URL(link);
      assert.equal(u.origin, BASE_URL, 'the link points at the configured origin');
      assert.equal(u.pathname, '/team-invite');
      const token = u.searchParams.get('token');
      assert.match(token, /^[A-Za-z0-9_-]{43}$/);
      return { name: textOf(m[1]), email: textOf(m[2]), link, token };
    });
}

/**
 * POST a team action: confirm and resend from the team page's forms; discard, revoke and
 * replace through their confirmation pages (confirmVia), whose answer is returned when it
 * is not 200 (a 409 for a member already taken off, say).
 */
export async function teamAction(teamId, jar, action, fields = {}) {
  if (/^(discard|members\/\d+\/(revoke|replace))$/.test(action)) {
    const { page, res } = await confirmVia(`/teams/${teamId}/${action}`, jar, fields);
    return res ?? page;
  }
  const page = await get(`/teams/${teamId}`, { jar });
  assert.equal(page.status, 200, `GET /teams/${teamId}: ${page.status} ${mainText(page.body)}`);
  return post(`/teams/${teamId}/${action}`, { csrf: csrfOf(page.body), ...fields }, { jar });
}

/** Confirm a draft team: returns { res, links } (asserts the 201). */
export async function confirmTeam(teamId, jar) {
  const res = await teamAction(teamId, jar, 'confirm');
  assert.equal(res.status, 201, `POST /teams/${teamId}/confirm: ${res.status} ${mainText(res.body)}`);
  return { res, links: inviteLinks(res.body) };
}

/** team_members rows of a team, by position then id. */
export async function teamMembers(teamId) {
  const out = await db(`SELECT id, position, name, email, fee_category, state, coalesce(price_kind, ''),
                      course_fee_cents, discount_cents, processing_fee_cents, amount_cents,
                      coalesce(token_id::text, ''), coalesce(user_id::text, ''),
                      coalesce(enrollment_id::text, '')
                    FROM team_members WHERE team_id = $1 ORDER BY position, id`, [teamId]);
  return out ? out.split('\n').map((line) => {
    const [id, position, name, email, category, state, priceKind, fee, discount, processing,
      amount, tokenId, uid, enrollmentId] = line.split('|');
    return { id, position: Number(position), name, email, category, state, priceKind,
      fee: Number(fee), discount: Number(discount), processing: Number(processing),
      amount: Number(amount), tokenId, userId: uid, enrollmentId };
  }) : [];
}

/** A token row's flags: { consumed, revoked } by id. */
export async function tokenFlags(id) {
  const [consumed, revoked] = (await db(`SELECT consumed_at IS NOT NULL, revoked_at IS NOT NULL
                                    FROM tokens WHERE id = $1`, [id])).split('|');
  return { consumed: consumed === 't', revoked: revoked === 't' };
}

/** Accept a team invitation as the signed-in owner of the address: the POST's response. */
export async function acceptSignedIn(token, jar) {
  const page = await get(`/team-invite?token=${encodeURIComponent(token)}`, { jar });
  assert.equal(page.status, 200, `GET /team-invite: ${page.status} ${mainText(page.body)}`);
  return post('/team-invite', { csrf: csrfOf(page.body), token }, { jar });
}

/**
 * Accept a team invitation as someone new: GET (pre-session cookie), POST the account form.
 * Returns { res, jar, fields, password }.
 */
export async function acceptAsNew(token, { fields = signupFields(), password = `pw ${uniq()} team player`,
  again, jar = new CookieJar() } = {}) {
  const page = await get(`/team-invite?token=${encodeURIComponent(token)}`, { jar });
  assert.equal(page.status, 200, `GET /team-invite: ${page.status} ${mainText(page.body)}`);
  const res = await post('/team-invite', { csrf: csrfOf(page.body), token, ...fields, password,
    password_again: again ?? password }, { jar });
  return { res, jar, fields, password };
}

/** A unix time as the server's SQL computes it, e.g. epochOf("now() + interval '1 day'"). */
export async function epochOf(sqlExpr, params = []) {
  return Number(await db(`SELECT extract(epoch FROM ${sqlExpr})::bigint`, params));
}

// ---------------------------------------------------------------------------- accounts

let adminJarCache;
/** A session of the demo administrator (test door), made once. */
export async function adminJar() {
  if (!adminJarCache) adminJarCache = await testSession('admin');
  return adminJarCache;
}

/**
 * Sign up through an account invitation link (/invite?token=...): GET the form (pre-session
 * cookie), POST it. Returns { res, jar }.
 */
export async function signUpWithInvite(token, fields, password, { jar = new CookieJar() } = {}) {
  const page = await get(`/invite?token=${encodeURIComponent(token)}`, { jar });
  assert.equal(page.status, 200, `GET /invite: ${page.status} ${mainText(page.body)}`);
  const res = await post('/invite', { csrf: csrfOf(page.body), token, ...fields, password,
    password_again: password }, { jar });
  return { res, jar };
}

/** The fee category the enrollment form has chosen (checked), or undefined. */
export function checkedCategory(html) {
  const checked = categoryChoices(html).filter((c) => c.checked);
  assert.ok(checked.length <= 1, 'at most one category is chosen');
  return checked[0]?.code;
}

// ---------------------------------------------------------------------------------------- asking first

/** The hidden fields of the POST form whose action is path, or null when there is none. */
export function formFields(html, path) {
  const esc = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const form = new RegExp(`<form method="post" action="${esc}"[^>]*>([\\s\\S]*?)</form>`).exec(html);
  if (!form) return null;
  const out = {};
  for (const m of form[1].matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    out[m[1]] = m[2].replace(/&amp;/g, '&');
  }
  return out;
}

/**
 * Act through a confirmation page: GET path; when it is 200, POST its own form (its hidden
 * fields, plus fields) back to path. Returns { page, res } (res undefined when the page was
 * not 200: page then says why).
 */
export async function confirmVia(path, jar, fields = {}) {
  const page = await get(path, { jar });
  if (page.status !== 200) return { page, res: undefined };
  const hidden = formFields(page.body, path);
  assert.ok(hidden, `${path}: the confirmation page posts back to ${path}`);
  const res = await post(path, { ...hidden, ...fields }, { jar });
  return { page, res };
}

/** The role=status message of a page, or ''. */
export function statusText(html) {
  const m = /<p class="callout" role="status">([\s\S]*?)<\/p>/.exec(html);
  return m ? textOf(m[1]) : '';
}

/**
 * The messages queued for email of kind, newest first: [{ id, subject, body }], the body as
 * the administrator's outbox page opens it (bodies are sealed in the database).
 */
export async function outboxMessages(email, kind) {
  const rows = await db(`SELECT id, subject FROM outbox WHERE to_email = $1 AND kind = $2
                          ORDER BY id DESC`, [email, kind]);
  if (!rows) return [];
  const page = await get('/admin/outbox', { jar: await adminJar() });
  assert.equal(page.status, 200);
  // The line under the subject reads "to EMAIL · WHEN · KIND[ · sent]" (WHEN is markup).
  const items = [...page.body.matchAll(/<li>\s*<p><strong>([\s\S]*?)<\/strong> <span class="muted">([\s\S]*?)<\/span><\/p>\s*<pre>([\s\S]*?)<\/pre>/g)]
    .map((m) => {
      const parts = textOf(m[2]).split(' · ');
      return { subject: textOf(m[1]), to: parts[0].replace(/^to /, ''), kind: parts[2], body: m[3] };
    })
    .map((m) => ({ ...m,
      body: m.body.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'").replace(/&amp;/g, '&') }))
    .filter((m) => m.to === email && m.kind === kind);
  return rows.split('\n').map((line, i) => {
    const [id, subject] = line.split('|');
    assert.equal(items[i]?.subject, subject, `the outbox page shows message ${id} to ${email}`);
    return { id, subject, body: items[i].body };
  });
}
