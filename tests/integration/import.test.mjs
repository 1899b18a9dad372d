// Enrollments imported from a registration portal's CSV export (issue 4, item 5), over real
// HTTP against the test server, with the effects checked in the database (psql): the admin's
// paste form, the preview that writes nothing, the import in one transaction (existing
// accounts enrolled confirmed/import, new people invited, teams found or created), accepting
// an imported invitation, re-importing without duplicates, bad rows named and skipped,
// malformed text refused with the line named, and admin-only access.
//
// The tests run on an offering of their own (a copy of the upcoming Core Practice run with a
// random slug, made with psql), so no other test's enrollments can change what they see. Its
// registration deadline is past, its capacity is one learner and it has a group discount:
// an import must ignore all three (the portal already took the places and the payments, at
// the individual price).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { get, post, psql, CookieJar, textOf, closeConnections } from './lib.mjs';

const rand = () => randomBytes(4).toString('hex');
const RUN = rand();
const HEADER = 'Email,NAME,Fee_Category,profession,Team';

let offeringId;
let adminId;
let priyaEmail;
let adminJar;
let priyaJar;

after(() => {
  // The offering and what hangs on it (enrollments, teams) go; the accounts and the spent
  // tokens stay, as they would after any sign-up. The public pages list offerings.
  if (offeringId) psql('DELETE FROM offerings WHERE id = $1', [offeringId]);
  closeConnections();
});

before(async () => {
  adminId = psql("SELECT id FROM users WHERE handle = 'admin'");
  priyaEmail = psql("SELECT email FROM users WHERE handle = 'priya'");
  offeringId = psql(`
    INSERT INTO offerings (course_id, slug, starts_on, ends_on, time_zone, format, capacity,
                           registration_deadline, early_deadline, processing_fee_cents,
                           group_discount_min_size, group_discount_percent)
    SELECT course_id, $1, starts_on, ends_on, time_zone, format, 1, now() - interval '1 day',
           early_deadline, processing_fee_cents, 2, 10
      FROM offerings WHERE slug = 'core-practice-upcoming'
    RETURNING id`, [`import-test-${RUN}`]);
  assert.match(offeringId, /^\d+$/, 'the test offering was made');
  // Its fee table: the upcoming run's, without Resident/Fellow.
  psql(`INSERT INTO offering_fees (offering_id, category, regular_cents, early_cents)
        SELECT $1, category, regular_cents, early_cents FROM offering_fees
         WHERE offering_id = (SELECT id FROM offerings WHERE slug = 'core-practice-upcoming')
           AND category <> 'resident_fellow'`, [offeringId]);
  adminJar = await session('admin');
  priyaJar = await session('priya');
});

// ---- helpers ------------------------------------------------------------------------------

async function session(handle) {
  const jar = new CookieJar();
  const r = await post('/__test/session', { handle }, { jar });
  assert.equal(r.status, 200, `POST /__test/session handle=${handle}: ${r.status}`);
  return jar;
}

const importPath = (id = offeringId) => `/admin/offerings/${id}/import`;

function csrfOf(html) {
  const m = /<input type="hidden" name="csrf" value="([^"]*)">/.exec(html);
  assert.ok(m, 'the page has a csrf field');
  return m[1];
}

function decode(s) {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

function mainText(html) {
  const m = /<main[^>]*>([\s\S]*)<\/main>/.exec(html);
  return textOf(m ? m[1] : html);
}

/** The text in the page's CSV textarea (the newline after the start tag is the parser's). */
function textareaOf(html) {
  const m = /<textarea id="csv"[^>]*>\n([\s\S]*?)<\/textarea>/.exec(html);
  assert.ok(m, 'the page has the CSV textarea');
  return decode(m[1]);
}

/** The value of the confirm form's hidden csv field, or undefined when there is no form. */
function confirmCsvOf(html) {
  const form = /<form [^>]*id="confirm">([\s\S]*?)<\/form>/.exec(html);
  if (!form) return undefined;
  assert.match(form[1], /<input type="hidden" name="confirm" value="1">/);
  return decode(/<input type="hidden" name="csv" value="([^"]*)">/.exec(form[1])[1]);
}

/** { line: action } for the rows of a preview or result page. */
function actionsOf(html) {
  const out = {};
  for (const m of html.matchAll(/id="line-(\d+)" data-action="([a-z]+)"/g)) out[m[1]] = m[2];
  return out;
}

/** { line: reason } for the bad rows of a preview or result page. */
function badRowsOf(html) {
  const out = {};
  for (const m of html.matchAll(/<tr id="bad-line-(\d+)">([\s\S]*?)<\/tr>/g)) {
    const cells = [...m[2].matchAll(/<td>([\s\S]*?)<\/td>/g)].map((c) => textOf(c[1]));
    out[m[1]] = cells[3];
  }
  return out;
}

/** The row of a page for a line, as text. */
function rowText(html, line) {
  const m = new RegExp(`<(tr|li) id="line-${line}"[^>]*>([\\s\\S]*?)</\\1>`).exec(html);
  assert.ok(m, `the page has a row for line ${line}`);
  return textOf(m[2]);
}

/** { line: link } from a result page. */
function linksOf(html) {
  const out = {};
  for (const m of html.matchAll(/<tr id="line-(\d+)" data-action="invite">([\s\S]*?)<\/tr>/g)) {
    out[m[1]] = decode(/<code class="link">([^<]+)<\/code>/.exec(m[2])[1]);
  }
  return out;
}

/** A fingerprint of every row an import could write or change. */
function fingerprint() {
  return psql(`SELECT md5(string_agg(x, E'\\n' ORDER BY x)) FROM (
      SELECT 'e' || e::text AS x FROM enrollments e
      UNION ALL SELECT 't' || t::text FROM teams t
      UNION ALL SELECT 'm' || m::text FROM team_members m
      UNION ALL SELECT 'k' || k::text FROM tokens k
      UNION ALL SELECT 'o' || o.id || o.to_email || o.kind || o.subject FROM outbox o
      UNION ALL SELECT 'u' || u::text FROM users u) s`);
}

async function submit(csv, { confirm = false, jar = adminJar, id = offeringId } = {}) {
  const page = await get(importPath(id), { jar });
  const form = { csrf: csrfOf(page.body), csv };
  if (confirm) form.confirm = '1';
  return post(importPath(id), form, { jar });
}

/** The course fee an individual pays today in category, and the processing fee. */
function individualPrice(category) {
  return psql(`SELECT CASE WHEN f.early_cents IS NOT NULL AND o.early_deadline >= now()
                      THEN f.early_cents ELSE f.regular_cents END, o.processing_fee_cents,
                      CASE WHEN f.early_cents IS NOT NULL AND o.early_deadline >= now()
                      THEN 'early' ELSE 'regular' END
                 FROM offering_fees f JOIN offerings o ON o.id = f.offering_id
                WHERE o.id = $1 AND f.category = $2`, [offeringId, category]).split('|');
}

function enrollmentOf(email) {
  return psql(`SELECT e.role, e.state, e.source, e.fee_category, e.price_kind, e.course_fee_cents,
                      e.discount_cents, e.processing_fee_cents, e.amount_cents,
                      coalesce(t.name, ''), e.confirmed_at IS NOT NULL
                 FROM enrollments e JOIN users u ON u.id = e.user_id
                 LEFT JOIN teams t ON t.id = e.team_id
                WHERE e.offering_id = $1 AND lower(u.email) = lower($2)
                  AND e.state <> 'cancelled'`, [offeringId, email]);
}

function expectedEnrollment(category, team) {
  const [fee, processing, kind] = individualPrice(category);
  const amount = Number(fee) + Number(processing);
  return `learner|confirmed|import|${category}|${kind}|${fee}|0|${processing}|${amount}|${team}|t`;
}

// ---- access ---------------------------------------------------------------------------------

test('the import page is for admins; unknown offerings are 404', async () => {
  let r = await get(importPath(), { jar: adminJar });
  assert.equal(r.status, 200);
  assert.equal(r.headers['cache-control'], 'no-store');
  assert.equal(textareaOf(r.body), '');
  const text = mainText(r.body);
  for (const words of ['name', 'email', 'profession', 'fee category', 'team',
    'Nurse practitioner', 'Physician (MD/DO)', 'Allied Health Professional / Other']) {
    assert.ok(text.includes(words), `the page explains the columns: ${words}`);
  }
  assert.ok(!text.includes('Resident/Fellow'), 'only the offering\'s fee categories are listed');

  // The offering's enrollments page links here. (Looked at while the offering has no
  // enrollments: admin_enrollments_page renders a confirmed row's state from a freed result.)
  r = await get(`/admin/offerings/${offeringId}/enrollments`, { jar: adminJar });
  assert.equal(r.status, 200);
  assert.ok(r.body.includes(`href="${importPath()}"`), 'the enrollments page links to the import');

  r = await get(importPath(), { jar: priyaJar });
  assert.equal(r.status, 403);
  r = await get(importPath(), { jar: new CookieJar() });
  assert.equal(r.status, 303, 'anonymous: sign in first');

  for (const id of ['999999999', 'abc', '0', '-1', '1x']) {
    r = await get(importPath(id), { jar: adminJar });
    assert.equal(r.status, 404, `GET ${importPath(id)}`);
  }
  const csrf = csrfOf((await get(importPath(), { jar: adminJar })).body);
  r = await post(importPath('999999999'), { csrf, csv: `${HEADER}\n` }, { jar: adminJar });
  assert.equal(r.status, 404, 'POST to an unknown offering');
});

test('a non-admin POST is refused with 403 and writes nothing', async () => {
  const csv = `${HEADER}\nmallory.${RUN}@example.test,Mallory,pa,pa,\n`;
  const before = fingerprint();
  const csrf = csrfOf((await get('/home', { jar: priyaJar })).body);
  for (const confirm of [undefined, '1']) {
    const form = { csrf, csv };
    if (confirm) form.confirm = confirm;
    const r = await post(importPath(), form, { jar: priyaJar });
    assert.equal(r.status, 403, `learner POST (confirm=${confirm})`);
    assert.ok(mainText(r.body).includes('Only an administrator'), mainText(r.body));
  }
  const anon = await post(importPath(), { csv, confirm: '1' }, { jar: new CookieJar() });
  assert.equal(anon.status, 403, 'anonymous POST');
  assert.equal(fingerprint(), before, 'nothing was written');
  assert.equal(psql('SELECT count(*) FROM tokens WHERE email = $1',
    [`mallory.${RUN}@example.test`]), '0');
});

// ---- the good file, from preview to accepted invitation to re-import -------------------------

test('a good file: preview, confirm, accept an invitation, import again', async () => {
  const team = `Bayside Palliative ${RUN}`;
  const ana = `ana.${RUN}@example.test`;
  const jane = `Jane.Doe.${RUN}@Example.test`;
  const riveraEmail = psql("SELECT email FROM users WHERE handle = 'rivera'");
  // A director already on the offering: an import skips them.
  psql(`INSERT INTO enrollments (offering_id, user_id, role, state, source, created_at, confirmed_at)
        SELECT $1, id, 'director', 'confirmed', 'staff', now(), now() FROM users
         WHERE handle = 'rivera'`, [offeringId]);
  // Header in another order and case; values as codes and labels, quoted or not, CR LF.
  const csv = [
    HEADER,
    `${priyaEmail},Priya Natarajan,Nurse (RN/APRN),nurse,${team}`,
    `${ana},Ana Úrsula Pérez,PHYSICIAN,Physician,"${team.toUpperCase()}"`,
    `"${jane}","Doe, Jane ""JD""",nurse,Nurse practitioner,`,
    `${riveraEmail},Alex Rivera,Physician (MD/DO),md,`,
    '',
  ].join('\r\n');

  // The preview says what will happen to each row and writes nothing.
  const before = fingerprint();
  let r = await submit(csv);
  assert.equal(r.status, 200, mainText(r.body));
  assert.equal(r.headers['cache-control'], 'no-store');
  assert.deepEqual(actionsOf(r.body), { 2: 'enroll', 3: 'invite', 4: 'invite', 5: 'skip' });
  assert.match(rowText(r.body, 2), /Enroll the existing account @priya/);
  assert.match(rowText(r.body, 2), /new team/, 'the team does not exist yet');
  assert.match(rowText(r.body, 2), /Nurse \(RN\/APRN\)/);
  assert.match(rowText(r.body, 3), /Invite this new person/);
  assert.match(rowText(r.body, 3), /Physician \(MD\/DO\)/);
  assert.match(rowText(r.body, 4), /Doe, Jane "JD"/);
  assert.match(rowText(r.body, 4), /Nurse practitioner/);
  assert.match(rowText(r.body, 5), /already enrolled \(as director\)/);
  assert.deepEqual(badRowsOf(r.body), {});
  assert.ok(mainText(r.body).includes('Nothing has been saved yet'));
  assert.equal(confirmCsvOf(r.body), csv.replace(/\r\n/g, '\n'),
    'the confirm form carries the same text');
  assert.match(r.body, /<button type="submit" class="primary">Import 3 rows<\/button>/);
  assert.equal(fingerprint(), before, 'the preview wrote nothing');

  // Confirm: one transaction.
  const outboxBefore = Number(psql('SELECT coalesce(max(id), 0) FROM outbox'));
  r = await submit(confirmCsvOf(r.body), { confirm: true });
  assert.equal(r.status, 201, mainText(r.body));
  assert.equal(r.headers['cache-control'], 'no-store');
  assert.deepEqual(actionsOf(r.body), { 2: 'enroll', 3: 'invite', 4: 'invite', 5: 'skip' });
  assert.ok(mainText(r.body).includes('1 enrolled, 2 invited, 1 skipped'), mainText(r.body));

  // Priya: confirmed, from the import, individual price (no group discount although her
  // team has two members), in the new team; past the deadline and over capacity.
  assert.equal(enrollmentOf(priyaEmail), expectedEnrollment('nurse', team));
  assert.equal(psql(`SELECT count(*), min(state), bool_and(coordinator_id = $2),
                            bool_and(confirmed_at IS NOT NULL)
                       FROM teams WHERE offering_id = $1 AND lower(name) = lower($3)`,
  [offeringId, adminId, team]), `1|confirmed|t|t`, 'one team, confirmed, the admin coordinates');
  assert.equal(psql(`SELECT name FROM teams WHERE offering_id = $1`, [offeringId]), team,
    'the team keeps the first spelling');

  // The new people: an invitation each (hashed, 14 days), carrying the import.
  const tokens = psql(`SELECT lower(email), data->>'offering_id', data->>'role', data->>'import',
                              data->>'fee_category', data->>'team_id' IS NOT NULL,
                              created_by = $2, consumed_at IS NULL, length(token_hash),
                              extract(epoch FROM expires_at - created_at)::int
                         FROM tokens WHERE purpose = 'invite' AND data->>'offering_id' = $1
                        ORDER BY lower(email)`, [offeringId, adminId]).split('\n');
  assert.deepEqual(tokens, [
    `${ana}|${offeringId}|learner|true|physician|t|t|t|32|${14 * 86400}`,
    `${jane.toLowerCase()}|${offeringId}|learner|true|nurse|f|t|t|32|${14 * 86400}`,
  ]);
  // The outbox: the two invitations and a note to Priya (bodies are sealed).
  assert.deepEqual(psql(`SELECT lower(to_email) || ':' || kind FROM outbox WHERE id > $1
                         ORDER BY lower(to_email)`, [outboxBefore]).split('\n').sort(), [
    `${ana}:invite`, `${jane.toLowerCase()}:invite`, `${priyaEmail}:enrollment`,
  ].sort());
  assert.equal(psql(`SELECT count(*) FROM enrollments WHERE offering_id = $1 AND role = 'director'`,
    [offeringId]), '1', 'Rivera is still a director only');

  // The links are shown once, on this page.
  const links = linksOf(r.body);
  assert.deepEqual(Object.keys(links).sort(), ['3', '4']);
  for (const link of Object.values(links)) assert.match(link, /\/invite\?token=[A-Za-z0-9_-]{43}$/);

  // Ana accepts: the sign-up from the link ends in a confirmed import enrollment in the team,
  // in the category the portal charged (not her profession's default).
  const jar = new CookieJar();
  const token = new URL(links[3]).searchParams.get('token');
  let page = await get(`/invite?token=${encodeURIComponent(token)}`, { jar });
  assert.equal(page.status, 200, mainText(page.body));
  assert.ok(mainText(page.body).includes(ana), 'the sign-up form is for Ana');
  const password = `pw ${rand()} correct horse battery`;
  r = await post('/invite', {
    csrf: csrfOf(page.body), token, display_name: 'Ana Úrsula Pérez', handle: `ana_${RUN}`,
    profession: 'nurse', pronouns: '', track: 'adult', time_zone: 'America/New_York',
    password, password_again: password,
  }, { jar });
  assert.equal(r.status, 303, mainText(r.body));
  assert.equal(r.headers.location, '/recovery-code');
  assert.equal(enrollmentOf(ana), expectedEnrollment('physician', team));
  assert.equal(psql(`SELECT consumed_at IS NOT NULL FROM tokens WHERE lower(email) = $1
                     AND data->>'offering_id' = $2`, [ana, offeringId]), 't');
  assert.equal(psql(`SELECT count(*) FROM teams WHERE offering_id = $1`, [offeringId]), '1');

  // Importing the same file again enrolls nobody twice and invites nobody twice.
  const again = fingerprint();
  r = await submit(csv);
  assert.equal(r.status, 200, mainText(r.body));
  assert.deepEqual(actionsOf(r.body), { 2: 'skip', 3: 'skip', 4: 'skip', 5: 'skip' });
  assert.match(rowText(r.body, 2), /already enrolled \(as learner\)/);
  assert.match(rowText(r.body, 3), /@ana_/);
  assert.match(rowText(r.body, 4), /invitation from an earlier import is still waiting/);
  assert.equal(confirmCsvOf(r.body), undefined, 'nothing to confirm');
  assert.ok(mainText(r.body).includes('There is nothing to import'));
  r = await submit(csv, { confirm: true });
  assert.equal(r.status, 200, 'confirming anyway imports nothing');
  assert.ok(mainText(r.body).includes('0 enrolled, 0 invited, 4 skipped'), mainText(r.body));
  assert.equal(fingerprint(), again, 'the re-import wrote nothing');
});

test('an expired or foreign invitation does not block an import invitation', async () => {
  const ex = `expired.${RUN}@example.test`;
  const staff = `staffinvite.${RUN}@example.test`;
  // An import invitation that has expired, and a facilitator's invitation still waiting
  // (accepting it would enroll the person at their profession's price, not the portal's).
  psql(`INSERT INTO tokens (token_hash, purpose, email, created_by, created_at, expires_at, data)
        VALUES (decode(md5($1) || md5($1), 'hex'), 'invite', $2, $3, now() - interval '20 days',
                now() - interval '6 days',
                jsonb_build_object('offering_id', $4::bigint, 'role', 'learner', 'import', true)),
               (decode(md5($5) || md5($5), 'hex'), 'invite', $6, $3, now(),
                now() + interval '5 days',
                jsonb_build_object('offering_id', $4::bigint, 'role', 'learner'))`,
  [`a${RUN}`, ex, adminId, offeringId, `b${RUN}`, staff]);
  const csv = `${HEADER}\n${ex},Ex Pired,pa,pa,\n${staff},Stef Staff,allied_other,chaplain,\n`;
  let r = await submit(csv);
  assert.deepEqual(actionsOf(r.body), { 2: 'invite', 3: 'invite' });
  assert.match(rowText(r.body, 3), /replacing an invitation to this offering that is still waiting/);
  r = await submit(csv, { confirm: true });
  assert.equal(r.status, 201, mainText(r.body));
  assert.equal(psql(`SELECT count(*) FILTER (WHERE revoked_at IS NULL AND expires_at > now()),
                            count(*) FILTER (WHERE revoked_at IS NOT NULL)
                       FROM tokens WHERE email = $1`, [staff]), '1|1',
  'the waiting invitation was withdrawn and replaced');
  assert.equal(psql(`SELECT data->>'import' FROM tokens WHERE email = $1 AND revoked_at IS NULL`,
    [staff]), 'true');
  assert.equal(psql(`SELECT count(*) FROM tokens WHERE email = $1 AND expires_at > now()`, [ex]),
    '1', 'a fresh invitation replaces the expired one');
});

// ---- bad rows -------------------------------------------------------------------------------

test('bad rows are named with their line and reason; confirming imports only the good ones',
  async () => {
    const good = `good.${RUN}@example.test`;
    const dup = `dup.${RUN}@example.test`;
    const csv = [
      'name,email,profession,fee category',
      `Good Person,${good},pharmacist,Allied Health Professional / Other`,   // 2
      `,noname.${RUN}@example.test,nurse,nurse`,                              // 3
      'Bad Email,not-an-email,nurse,nurse',                                   // 4
      `Unknown Prof,prof.${RUN}@example.test,surgeon,physician`,              // 5
      `Unknown Cat,cat.${RUN}@example.test,nurse,vip`,                        // 6
      `Not Offered,res.${RUN}@example.test,resident,Resident/Fellow`,         // 7
      `Dup One,${dup},nurse,nurse`,                                           // 8
      `Dup Two,${dup.toUpperCase()},nurse,nurse`,                             // 9
      ',,,',                                                                  // 10: padding
      `,bad@,,`,                                                              // 11
    ].join('\n');
    const before = fingerprint();
    let r = await submit(csv);
    assert.equal(r.status, 200, mainText(r.body));
    assert.deepEqual(actionsOf(r.body), { 2: 'invite', 8: 'invite' });
    const bad = badRowsOf(r.body);
    assert.deepEqual(Object.keys(bad).sort(), ['11', '3', '4', '5', '6', '7', '9']);
    assert.match(bad[3], /name is missing/i);
    assert.match(bad[4], /“not-an-email” is not an email address/i);
    assert.match(bad[5], /unknown profession “surgeon”/i);
    assert.match(bad[6], /unknown fee category “vip”/i);
    assert.match(bad[7], /“Resident\/Fellow” is not in this offering's fee table/i);
    assert.match(bad[9], /also on line 8/i);
    assert.match(bad[11], /name is missing.*not an email address.*profession is missing.*fee category is missing/i);
    const alert = /<div class="alert" role="alert" id="bad-rows"><p>([^<]*)<\/p>/.exec(r.body);
    assert.ok(alert, 'the preview warns about the bad rows');
    assert.match(decode(alert[1]), /7 rows cannot be imported\. If you confirm, they are skipped and only the other rows are imported/);
    assert.equal(fingerprint(), before, 'the preview wrote nothing');

    r = await submit(csv, { confirm: true });
    assert.equal(r.status, 201, mainText(r.body));
    assert.deepEqual(actionsOf(r.body), { 2: 'invite', 8: 'invite' });
    assert.deepEqual(Object.keys(badRowsOf(r.body)).sort(), ['11', '3', '4', '5', '6', '7', '9']);
    assert.ok(mainText(r.body).includes('0 enrolled, 2 invited, 0 skipped'), mainText(r.body));
    const invited = (email) => psql(`SELECT count(*) FROM tokens WHERE lower(email) = lower($1)
                                     AND data->>'offering_id' = $2`, [email, offeringId]);
    assert.equal(invited(good), '1');
    assert.equal(invited(dup), '1', 'the first of two rows with one address is imported');
    for (const tag of ['noname', 'prof', 'cat', 'res']) {
      assert.equal(invited(`${tag}.${RUN}@example.test`), '0', `${tag}: a bad row is not imported`);
    }
    assert.equal(psql(`SELECT data->>'fee_category' FROM tokens WHERE email = $1`, [good]),
      'allied_other');
  });

// ---- malformed text -------------------------------------------------------------------------

test('malformed CSV is refused with 422 naming the line; the text stays; nothing is written',
  async () => {
    const ok = `Ok Person,ok.${RUN}@example.test,nurse,nurse`;
    const cases = [
      [`name,email,profession,fee category\n${ok}\n"Open,x.${RUN}@example.test,nurse,nurse\n`,
        /^Line 3: A quoted field starts on this line and is never closed/],
      [`name,mail,profession,fee category\n${ok}\n`,
        /^Line 1: the header has an unknown column, “mail”\. The columns are name, email/],
      [`name,email,profession\nA,a@b.test,nurse\n`, /^Line 1: the header has no “fee category” column/],
      [`name,email,email,profession,fee category\n`, /^Line 1: the header has the column “email” twice/],
      [`name,email,profession,fee category\n${ok}\nShort,s@x.test,nurse\n`,
        /^Line 3: This line has 3 fields where the header has 4\./],
      [`name,email,profession,fee category\n${ok}\nQ,q"q@x.test,nurse,nurse\n`,
        /^Line 3: A field has a quote/],
      [`name,email,profession,fee category\n\n`, /no rows below the header/],
      ['', /^Line 1: There is nothing to read/],
    ];
    const before = fingerprint();
    for (const [csv, want] of cases) {
      for (const confirm of [false, true]) {
        const r = await submit(csv, { confirm });
        assert.equal(r.status, 422, `${JSON.stringify(csv)}: ${mainText(r.body)}`);
        const alert = /<div class="alert" role="alert" id="form-error"><p>([^<]*)<\/p>/.exec(r.body);
        assert.ok(alert, 'the error is shown');
        assert.match(decode(alert[1]), want);
        assert.equal(textareaOf(r.body), csv, 'the text is kept in the textarea');
      }
    }

    // 2000 rows are fine (preview only); row 2001 is refused, naming its line.
    const rows = ['name,email,profession,fee category'];
    for (let i = 1; i <= 2000; i++) rows.push(`Person ${i},p${i}.${RUN}@example.test,nurse,nurse`);
    let r = await submit(`${rows.join('\n')}\n`);
    assert.equal(r.status, 200, mainText(r.body).slice(0, 500));
    assert.equal(Object.keys(actionsOf(r.body)).length, 2000);
    rows.push(`Person 2001,p2001.${RUN}@example.test,nurse,nurse`);
    const big = `${rows.join('\n')}\n`;
    r = await submit(big, { confirm: true });
    assert.equal(r.status, 422);
    assert.match(decode(/id="form-error"><p>([^<]*)</.exec(r.body)[1]),
      /^Line 2002: There are more than 2000 rows below the header/);
    assert.equal(textareaOf(r.body), big);

    // Bytes that are not UTF-8 never reach the import: the web layer refuses the form body
    // (400) before any handler runs (DESIGN §7, form.h). The CSV reader's own UTF-8 check,
    // which names the line, is covered by tests/unit/test_csv.c.
    const csrf = csrfOf((await get(importPath(), { jar: adminJar })).body);
    for (const confirm of ['0', '1']) {
      r = await post(importPath(), `csrf=${encodeURIComponent(csrf)}&confirm=${confirm}&csv=` +
        `name%2Cemail%2Cprofession%2Cfee%20category%0AAna%2Cana%FF.${RUN}%40example.test%2Cnurse%2Cnurse%0A`,
      { jar: adminJar });
      assert.equal(r.status, 400, `invalid UTF-8 (confirm=${confirm})`);
    }
    assert.equal(fingerprint(), before, 'nothing was written');
  });
