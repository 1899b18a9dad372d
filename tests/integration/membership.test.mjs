// Who belongs to a cohort and to the series community, and how a learner finds their
// enrollment (issue 9, items 4 and 5), over real HTTP against the test server.
//
// Only a confirmed enrollment (and staff) opens a cohort's and the series' spaces (DESIGN §5).
// A learner waiting for payment gets 404 on both spaces and their threads, cannot post, finds
// nothing in search, cannot be mentioned, gets no notification and has no roster; their home
// says what is left to do and whom to ask. Each path that confirms an enrollment (README,
// "Who sees what") is walked end to end and shown to open both spaces. The offering page, the
// home and the discussions list show "You are enrolled (state, amount)" with a link, and
// GET /enrollments lists every enrollment of mine, newest first.
//
// The tests run on offerings of their own (enroll-lib makeOffering, deleted afterwards with
// everything in them), with rivera as director and okafor as facilitator. The series space is
// shared: the one thread made there is deleted afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { get, post, closeConnections, textOf } from './lib.mjs';
import { closeSql } from './accounts-lib.mjs';
import {
  sql, uniq, mainText, testSession, startThread, postThread, postReply, forumState,
  assertUnchanged, searchResults, headerBadge, spaceBadges, seriesSpace,
} from './forum-lib.mjs';
import {
  db, closeDb, cleanupMark, cleanUp, makeOffering, makeUsers, enroll as enrollSelf, adminJar,
  csrfOf, freshEmail, signupFields, signUpWithInvite, registerTeam, member, confirmTeam,
  acceptSignedIn, acceptAsNew, money,
} from './enroll-lib.mjs';

const O = {};   // offerings: main (rivera directs, okafor facilitates), bare (no staff)
const S = {};   // space ids
const T = {};   // thread ids
const J = {};   // jars
let mark;

const OPEN = { cohort: 200, series: 200, cohortThread: 200, seriesThread: 200 };
const SHUT = { cohort: 404, series: 404, cohortThread: 404, seriesThread: 404 };

before(async () => {
  mark = await cleanupMark();
  O.main = await makeOffering({ tag: 'members' });
  O.bare = await makeOffering({ tag: 'nostaff' });
  for (const [handle, role] of [['rivera', 'director'], ['okafor', 'facilitator']]) {
    await db(`INSERT INTO enrollments (offering_id, user_id, role, state, source, created_at, confirmed_at)
              SELECT $1, id, $3, 'confirmed', 'staff', now(), now() FROM users WHERE handle = $2`,
    [O.main.id, handle, role]);
  }
  S.cohort = await db("SELECT id FROM spaces WHERE offering_id = $1 AND kind = 'cohort'", [O.main.id]);
  S.series = await seriesSpace();
  J.rivera = await testSession('rivera');
  J.okafor = await testSession('okafor');
  J.admin = await adminJar();
  T.cohort = await startThread(J.rivera, S.cohort, `Welcome ${uniq()}`, 'Introduce yourselves here.');
  T.series = await startThread(J.rivera, S.series, `Between courses ${uniq()}`, 'For the whole series.');
});

after(async () => {
  if (T.series) await db('DELETE FROM threads WHERE id = $1', [T.series]);
  if (mark) await cleanUp(mark);
  closeDb();
  closeSql();
  closeConnections();
});

// ---------------------------------------------------------------------------- helpers

/** The status of the two spaces and a thread in each, for a jar. */
async function access(jar) {
  return {
    cohort: (await get(`/s/${S.cohort}`, { jar })).status,
    series: (await get(`/s/${S.series}`, { jar })).status,
    cohortThread: (await get(`/t/${T.cohort}`, { jar })).status,
    seriesThread: (await get(`/t/${T.series}`, { jar })).status,
  };
}

/** Both spaces open for jar, and a reply in the cohort thread goes through. */
async function assertMember(jar, what) {
  assert.deepEqual(await access(jar), OPEN, `${what}: the cohort's and the series' spaces are open`);
  const r = await postReply(jar, T.cohort, { body: `Glad to be here (${what}).` });
  assert.equal(r.status, 303, `${what}: a reply in the cohort: ${r.status} ${mainText(r.body).slice(0, 300)}`);
}

/** { state, source, role, amount } of a user's live enrollment in an offering. */
async function enrollmentOf(userId, offeringId) {
  const row = await db(`SELECT state, source, role, amount_cents, id FROM enrollments
                         WHERE user_id = $1 AND offering_id = $2 AND state <> 'cancelled'`,
  [userId, offeringId]);
  if (!row) return null;
  const [state, source, role, amount, id] = row.split('|');
  return { state, source, role, amount: Number(amount), id };
}

/** A new person who enrolled through the public form and has not paid: { ...user, eid }. */
async function pendingLearner(offering = O.main, tag = 'pend') {
  const [u] = await makeUsers(1, { signIn: true, tag });
  u.eid = await enrollSelf(offering.slug, u.jar, 'nurse');
  const e = await enrollmentOf(u.id, offering.id);
  assert.equal(e.state, 'pending_payment', 'the public form leaves the enrollment waiting for payment');
  u.amount = e.amount;
  return u;
}

async function page(path, jar) {
  const r = await get(path, { jar });
  assert.equal(r.status, 200, `GET ${path}: ${r.status} ${r.headers.location || ''}`);
  return r;
}

/** The import of a CSV into an offering as the administrator: { preview, result }. */
async function importCsv(offering, rows) {
  const path = `/admin/offerings/${offering.id}/import`;
  const csv = `Email,Name,Fee category,Profession,Team\n${rows.map((r) => r.join(',')).join('\n')}\n`;
  const form = await page(path, J.admin);
  const preview = await post(path, { csrf: csrfOf(form.body), csv }, { jar: J.admin });
  assert.equal(preview.status, 200, mainText(preview.body));
  const result = await post(path, { csrf: csrfOf(form.body), csv, confirm: '1' }, { jar: J.admin });
  assert.ok([200, 201].includes(result.status), `import: ${result.status} ${mainText(result.body)}`);
  return { preview, result };
}

/** The <section> of a page whose heading id is id: its HTML. */
function sectionHtml(html, id) {
  const m = new RegExp(`<section aria-labelledby="${id}"[^>]*>([\\s\\S]*?)</section>`).exec(html);
  assert.ok(m, `the page has the ${id} section`);
  return m[1];
}

/** The same, as text. */
function sectionText(html, id) {
  return textOf(sectionHtml(html, id));
}

/** The items of a <ul class="enrollments">: [{ text, links }]. */
function enrollmentItems(html) {
  const m = /<ul class="enrollments">([\s\S]*?)<\/ul>/.exec(html);
  if (!m) return [];
  return [...m[1].matchAll(/<li[^>]*>([\s\S]*?)<\/li>/g)].map((li) => ({
    text: textOf(li[1]),
    links: [...li[1].matchAll(/href="([^"]*)"/g)].map((h) => h[1]),
  }));
}

// ---------------------------------------------------------------------------- item 5

test('a learner waiting for payment is not in the community: 404 on the cohort and series spaces, no posting, search, mentions, notifications or roster', async () => {
  const u = await pendingLearner();
  const word = `zq${uniq()}`;
  for (const th of [T.cohort, T.series]) {
    const r = await postReply(J.rivera, th, { body: `${word}: welcome, @${u.handle}!` });
    assert.equal(r.status, 303, mainText(r.body));
  }

  assert.deepEqual(await access(u.jar), SHUT, 'both spaces and their threads answer 404');
  const before0 = await forumState();
  for (const [what, send] of [
    ['a thread in the cohort space', () => postThread(u.jar, S.cohort, { title: 'Hello', body: 'x' })],
    ['a thread in the series space', () => postThread(u.jar, S.series, { title: 'Hello', body: 'x' })],
    ['a preview in the cohort space', () => postThread(u.jar, S.cohort, { title: 'Hi', body: 'x', action: 'preview' })],
    ['a reply in the cohort', () => postReply(u.jar, T.cohort, { body: 'Me too' })],
    ['a reply in the series', () => postReply(u.jar, T.series, { body: 'Me too' })],
  ]) {
    const r = await send();
    assert.equal(r.status, 404, `${what}: ${r.status}`);
  }
  await assertUnchanged(before0, 'the posts of a learner waiting for payment');

  const found = await get(`/search?q=${word}`, { jar: J.rivera });
  assert.equal(searchResults(found.body).length, 2, '(the director finds both posts)');
  const search = await page(`/search?q=${word}`, u.jar);
  assert.deepEqual(searchResults(search.body), [], 'nothing in search');

  assert.equal(await db(`SELECT count(*) FROM posts p WHERE p.thread_id IN ($1, $2)
                          AND p.body_text LIKE $3 AND p.body_html LIKE $4`,
  [T.cohort, T.series, `%${word}%`, `%/u/${u.handle}%`]), '0', 'not linked as a mention');
  assert.equal(await db('SELECT count(*) FROM notifications WHERE user_id = $1', [u.id]), '0',
    'no notification');
  assert.equal(headerBadge((await page('/notifications', u.jar)).body), 0, 'no badge');
  assert.equal(spaceBadges((await page('/spaces', u.jar)).body).size, 0, 'no spaces listed');
  assert.equal((await get(`/offerings/${O.main.slug}/roster`, { jar: u.jar })).status, 404, 'no roster');
  assert.equal((await get('/u/rivera', { jar: u.jar })).status, 404, 'shares no space with anyone');

  // The home says what is left to do and whom to ask: the offering's director.
  const home = await page('/home', u.jar);
  const enrolled = sectionText(home.body, 'enrollments-h');
  assert.ok(enrolled.includes(`You are enrolled (waiting for payment, ${money(u.amount)})`), enrolled);
  assert.ok(enrolled.includes(`What is left: payment of ${money(u.amount)}.`), enrolled);
  assert.ok(enrolled.includes('Questions about it? Ask Dr. Elena Rivera (director of the course).'), enrolled);
  assert.match(home.body, /<a href="mailto:director@cairn\.test">Dr\. Elena Rivera<\/a>/);
  assert.ok(home.body.includes(`href="/enrollments/${u.eid}"`), 'a link to the enrollment');
  assert.ok(sectionText(home.body, 'spaces-h').includes('once your enrollment is confirmed'));
  const record = await page(`/enrollments/${u.eid}`, u.jar);
  assert.ok(mainText(record.body).includes(`What is left: payment of ${money(u.amount)}.`));
  assert.doesNotMatch(record.body, /\/roster"/, 'no link to a roster that would answer 404');
});

test('a learner waiting for payment in an offering without a director is told to ask the administrators', async () => {
  const u = await pendingLearner(O.bare, 'bare');
  const admin = (await db('SELECT display_name, email FROM users WHERE is_admin ORDER BY id LIMIT 1')).split('|');
  const home = await page('/home', u.jar);
  const enrolled = sectionText(home.body, 'enrollments-h');
  assert.ok(enrolled.includes(`${admin[0]} (Cairn administrator)`), enrolled);
  assert.ok(home.body.includes(`href="mailto:${admin[1]}"`));
});

test('each path that confirms an enrollment opens the cohort\'s and the series\' spaces', async (t) => {
  await t.test('an administrator marks it paid', async () => {
    const u = await pendingLearner();
    assert.deepEqual(await access(u.jar), SHUT);
    const rec = await page(`/enrollments/${u.eid}`, J.admin);
    const r = await post(`/admin/enrollments/${u.eid}/confirm`, { csrf: csrfOf(rec.body) }, { jar: J.admin });
    assert.equal(r.status, 303, mainText(r.body));
    assert.equal((await enrollmentOf(u.id, O.main.id)).state, 'confirmed');
    await assertMember(u.jar, 'marked paid');
  });

  await t.test('the registration portal\'s import confirms a place waiting for payment here', async () => {
    const u = await pendingLearner();
    assert.deepEqual(await access(u.jar), SHUT);
    const { preview } = await importCsv(O.main, [[u.email, u.name, 'nurse', 'nurse', '']]);
    assert.ok(mainText(preview.body).includes(`Confirm the enrollment of @${u.handle}, waiting for payment here`),
      mainText(preview.body));
    const e = await enrollmentOf(u.id, O.main.id);
    assert.deepEqual([e.id, e.state, e.amount], [u.eid, 'confirmed', u.amount],
      'the same row, confirmed at the price agreed');
    assert.equal(await db(`SELECT count(*) FROM outbox WHERE to_email = $1 AND kind = 'enrollment'
                            AND subject LIKE 'Your enrollment:%'`, [u.email]), '2',
    'told twice: on enrolling and on confirmation');
    await assertMember(u.jar, 'imported, was pending');
  });

  await t.test('the import enrolls an existing account, confirmed', async () => {
    const [u] = await makeUsers(1, { signIn: true, tag: 'imp' });
    assert.deepEqual(await access(u.jar), SHUT);
    await importCsv(O.main, [[u.email, u.name, 'nurse', 'nurse', '']]);
    assert.deepEqual(Object.values(await enrollmentOf(u.id, O.main.id)).slice(0, 2), ['confirmed', 'import']);
    await assertMember(u.jar, 'imported');
  });

  await t.test('the import invites someone new, enrolled confirmed on signing up', async () => {
    const email = freshEmail('impnew');
    const { result } = await importCsv(O.main, [[email, 'Ina Imported', 'pa', 'pa', '']]);
    const link = /<code class="link">([^<]+)<\/code>/.exec(result.body)[1].replace(/&amp;/g, '&');
    const { res, jar } = await signUpWithInvite(new URL(link).searchParams.get('token'),
      signupFields({ profession: 'pa' }), `imported ${uniq()} learner`);
    assert.equal(res.status, 303, mainText(res.body));
    const uid = await db('SELECT id FROM users WHERE email = $1', [email]);
    assert.deepEqual(Object.values(await enrollmentOf(uid, O.main.id)).slice(0, 2), ['confirmed', 'import']);
    await assertMember(jar, 'imported, new');
  });

  await t.test('a learner invited by a facilitator, new to Cairn, is confirmed on signing up', async () => {
    const email = freshEmail('invited');
    const form = await page(`/offerings/${O.main.slug}/invite`, J.okafor);
    const r = await post(`/offerings/${O.main.slug}/invite`, { csrf: csrfOf(form.body), email, role: 'learner' },
      { jar: J.okafor });
    assert.equal(r.status, 201, mainText(r.body));
    const link = /<code class="link">([^<]+)<\/code>/.exec(r.body)[1].replace(/&amp;/g, '&');
    const { res, jar } = await signUpWithInvite(new URL(link).searchParams.get('token'),
      signupFields({ profession: 'social_worker' }), `invited ${uniq()} learner`);
    assert.equal(res.status, 303, mainText(res.body));
    const uid = await db('SELECT id FROM users WHERE email = $1', [email]);
    const e = await enrollmentOf(uid, O.main.id);
    assert.deepEqual([e.state, e.source, e.role], ['confirmed', 'invite', 'learner']);
    await assertMember(jar, 'invited by a facilitator');
  });

  await t.test('a learner with an account, invited by a director, is enrolled confirmed at once', async () => {
    const [u] = await makeUsers(1, { signIn: true, tag: 'dirinv' });
    assert.deepEqual(await access(u.jar), SHUT);
    const form = await page(`/offerings/${O.main.slug}/invite`, J.rivera);
    const r = await post(`/offerings/${O.main.slug}/invite`, { csrf: csrfOf(form.body), email: u.email, role: 'learner' },
      { jar: J.rivera });
    assert.equal(r.status, 200, mainText(r.body));
    assert.ok(mainText(r.body).includes(`${u.name} (${u.email}) is now enrolled in this offering, confirmed.`),
      mainText(r.body));
    const e = await enrollmentOf(u.id, O.main.id);
    assert.deepEqual([e.state, e.source, e.role], ['confirmed', 'invite', 'learner']);
    assert.equal(await db("SELECT count(*) FROM outbox WHERE to_email = $1 AND kind = 'enrollment'", [u.email]), '1',
      'a message tells them');
    await assertMember(u.jar, 'invited by a director');
    // Inviting them again changes nothing.
    const before0 = await db('SELECT count(*) FROM enrollments WHERE user_id = $1', [u.id]);
    const again = await post(`/offerings/${O.main.slug}/invite`, { csrf: csrfOf(form.body), email: u.email, role: 'learner' },
      { jar: J.rivera });
    assert.equal(again.status, 409);
    assert.ok(mainText(again.body).includes('is already enrolled in this offering. Nothing was changed.'));
    assert.equal(await db('SELECT count(*) FROM enrollments WHERE user_id = $1', [u.id]), before0);
  });

  await t.test('a team member, once the coordinator\'s quote is confirmed', async () => {
    const [coordinator, known] = await makeUsers(2, { signIn: true, tag: 'team' });
    const newcomer = member({ profession: 'chaplain', category: 'allied_other' });
    const { teamId } = await registerTeam(O.main.slug, coordinator.jar, {
      members: [member({ name: known.name, email: known.email }), newcomer] });
    assert.deepEqual(await access(known.jar), SHUT, 'a listed member is not in the cohort');
    const { links } = await confirmTeam(teamId, coordinator.jar);
    const r = await acceptSignedIn(links.find((l) => l.email === known.email).token, known.jar);
    assert.equal(r.status, 303, mainText(r.body));
    const e = await enrollmentOf(known.id, O.main.id);
    assert.deepEqual([e.state, e.source], ['confirmed', 'team']);
    await assertMember(known.jar, 'team member with an account');
    const { res, jar } = await acceptAsNew(links.find((l) => l.email === newcomer.email).token,
      { fields: signupFields({ profession: 'chaplain' }) });
    assert.equal(res.status, 303, mainText(res.body));
    await assertMember(jar, 'team member new to Cairn');
    assert.equal(await access(coordinator.jar).then((a) => a.cohort), 404,
      'the coordinator, who is not a member, stays outside');
  });

  await t.test('a learner waiting for payment who is made facilitator', async () => {
    const u = await pendingLearner();
    const form = await page(`/offerings/${O.main.slug}/invite`, J.rivera);
    const r = await post(`/offerings/${O.main.slug}/invite`, { csrf: csrfOf(form.body), email: u.email, role: 'facilitator' },
      { jar: J.rivera });
    assert.equal(r.status, 200, mainText(r.body));
    const e = await enrollmentOf(u.id, O.main.id);
    assert.deepEqual([e.id, e.state, e.role], [u.eid, 'confirmed', 'facilitator']);
    await assertMember(u.jar, 'made facilitator');
  });
});

test('the demo\'s learners are confirmed members of their cohort and of the series', async () => {
  const cp = await db("SELECT id FROM spaces WHERE kind = 'cohort' AND offering_id = (SELECT id FROM offerings WHERE slug = 'core-practice-2026-05')");
  for (const handle of ['priya', 'sam', 'lee', 'amara', 'tomas']) {
    assert.equal(await db(`SELECT e.state FROM enrollments e JOIN users u ON u.id = e.user_id
                           JOIN offerings o ON o.id = e.offering_id
                          WHERE u.handle = $1 AND o.slug = 'core-practice-2026-05' AND e.state <> 'cancelled'`,
    [handle]), 'confirmed', handle);
    const jar = await testSession(handle);
    assert.equal((await get(`/s/${cp}`, { jar })).status, 200, `${handle}: the May 2026 cohort`);
    assert.equal((await get(`/s/${S.series}`, { jar })).status, 200, `${handle}: the series community`);
  }
});

// ---------------------------------------------------------------------------- item 4

test('an enrolled learner finds their enrollment: the offering page, the home, the discussions and GET /enrollments', async (t) => {
  const u = await pendingLearner(O.main, 'finds');
  const [other] = await makeUsers(1, { signIn: true, tag: 'other' });
  const enrollHref = `href="/offerings/${O.main.slug}/enroll"`;
  const line = `You are enrolled (waiting for payment, ${money(u.amount)}).`;

  await t.test('the offering page shows the enrollment instead of "Enroll"', async () => {
    const mine = await page(`/offerings/${O.main.slug}`, u.jar);
    assert.ok(!mine.body.includes(enrollHref), 'no "Enroll" for someone enrolled');
    assert.ok(mainText(mine.body).includes(line), mainText(mine.body).slice(0, 600));
    assert.ok(mine.body.includes(`href="/enrollments/${u.eid}"`));
    assert.ok(mainText(mine.body).includes(`What is left: payment of ${money(u.amount)}.`));
    for (const [who, jar] of [['someone else', other.jar], ['the anonymous', undefined]]) {
      const r = await page(`/offerings/${O.main.slug}`, jar);
      assert.ok(r.body.includes(enrollHref), `${who} is offered "Enroll"`);
      assert.doesNotMatch(mainText(r.body), /You are enrolled/, who);
    }
    const staff = await page(`/offerings/${O.main.slug}`, J.rivera);
    assert.ok(mainText(staff.body).includes('You take part as director (confirmed).'), 'staff see their role');
  });

  await t.test('the home lists it, and no longer under "Open for registration"', async () => {
    const home = await page('/home', u.jar);
    assert.ok(!sectionHtml(home.body, 'open-h').includes(`/offerings/${O.main.slug}"`),
      'not open for registration to someone enrolled');
    assert.ok(sectionText(home.body, 'enrollments-h').includes(line));
    assert.ok(home.body.includes('<a href="/enrollments">All your enrollments</a>'));
    const theirs = await page('/home', other.jar);
    assert.ok(sectionHtml(theirs.body, 'open-h').includes(`/offerings/${O.main.slug}"`),
      'still open for registration to someone else');
  });

  await t.test('the discussions list says why the spaces are not there yet', async () => {
    const spaces = await page('/spaces', u.jar);
    assert.ok(mainText(spaces.body).includes(line));
    assert.ok(spaces.body.includes(`href="/enrollments/${u.eid}"`));
  });

  await t.test('GET /enrollments lists mine: all states, newest first, with offering, state, amount and link', async () => {
    // A cancelled one in the bare offering, then a confirmed one (via the admin) in it again.
    const first = await enrollSelf(O.bare.slug, u.jar, 'nurse');
    await db("UPDATE enrollments SET state = 'cancelled', cancelled_at = now() WHERE id = $1", [first]);
    const second = await enrollSelf(O.bare.slug, u.jar, 'physician');
    await db("UPDATE enrollments SET state = 'confirmed', confirmed_at = now() WHERE id = $1", [second]);
    const amounts = Object.fromEntries((await db('SELECT id, amount_cents FROM enrollments WHERE user_id = $1', [u.id]))
      .split('\n').map((l) => l.split('|')));
    const title = await db("SELECT title FROM courses WHERE slug = 'core-practice'");
    const r = await page('/enrollments', u.jar);
    assert.equal(r.headers['cache-control'], 'no-store');
    const items = enrollmentItems(r.body);
    assert.deepEqual(items.map((i) => i.links.find((l) => l.startsWith('/enrollments/'))),
      [`/enrollments/${second}`, `/enrollments/${first}`, `/enrollments/${u.eid}`], 'newest first');
    assert.deepEqual(items.map((i) => i.links[0]),
      [`/offerings/${O.bare.slug}`, `/offerings/${O.bare.slug}`, `/offerings/${O.main.slug}`]);
    const states = ['confirmed', 'cancelled', 'waiting for payment'];
    [second, first, u.eid].forEach((id, i) => {
      assert.ok(items[i].text.startsWith(title), items[i].text);
      assert.ok(items[i].text.includes(`${money(Number(amounts[id]))} · ${states[i]}`), items[i].text);
    });
    assert.ok(items[2].text.includes(`What is left: payment of ${money(u.amount)}.`));
    assert.ok(!items[0].text.includes('What is left'), 'nothing is left for a confirmed one');

    const theirs = await page('/enrollments', other.jar);
    assert.deepEqual(enrollmentItems(theirs.body), [], 'someone else sees none of mine');
    assert.ok(mainText(theirs.body).includes('You have no enrollments yet.'));
    const anon = await get('/enrollments');
    assert.equal(anon.status, 303);
    assert.equal(anon.headers.location, '/signin?next=/enrollments');
    const profile = await page('/profile', u.jar);
    assert.ok(profile.body.includes('<a href="/enrollments">'), 'the profile links to it');
  });
});
