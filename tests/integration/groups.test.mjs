// Small groups (issue 10 items 3-4), over real HTTP against the test server and a real
// PostgreSQL: who may read a group, for how long, and what its page shows.
//
// A group belongs to the series, not to one offering. Its members read and post while they
// hold a confirmed enrollment in a current or upcoming offering of the series; cancelling ends
// access at once, and a member who returns for the next course finds the group's history
// again. A facilitator reads while assigned for an offering that has not ended. The series'
// directors and admins see every group. Everyone else gets 404 on the group page, its space
// and its threads, finds nothing of it in search and gets no notification from it.
//
// The fixture: two offerings of our own (A, upcoming; B, the next course, later) and a past one
// (P, ended), in the demo's series; groups G1 and G2 (adult) of the series, made in the database
// as placement would; people in every role. Everything made here is deleted afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { get, closeConnections, textOf } from './lib.mjs';
import { closeSql, setClock } from './accounts-lib.mjs';
import {
  sql, uniq, mainText, testSession, startThread, reply, searchResults, headerBadge,
  notificationsOn,
} from './forum-lib.mjs';
import { db, closeDb, cleanupMark, cleanUp, makeOffering, makeUsers } from './enroll-lib.mjs';

const O = {};   // offerings: A (upcoming), B (the next course), P (ended)
const G = {};   // groups: { id, space }
const P = {};   // people: { id, handle, name, jar }
const T = {};   // threads
let mark;
const word = `cairnstone${uniq().replace(/[^a-z0-9]/gi, '')}`;
const madeGroups = [];
const madeSeries = [];

async function makeGroup(name, track = 'adult', series = 'palliative-care') {
  const id = await sql(`INSERT INTO groups (series_id, track, name)
                        SELECT id, $2, $1 FROM series WHERE slug = $3 RETURNING id`,
  [name, track, series]);
  madeGroups.push(id);
  const space = await sql('SELECT id FROM spaces WHERE group_id = $1', [id]);
  return { id, space, name };
}

async function place(person, group, offering, { left = false } = {}) {
  await sql(`INSERT INTO group_members (group_id, series_id, user_id, offering_id, joined_at,
               left_at, reason)
             SELECT g.id, g.series_id, $2, $3, now() - interval '30 days',
                    CASE WHEN $4 THEN now() - interval '1 day' END,
                    CASE WHEN $4 THEN 'moved at their request' ELSE 'placed' END
               FROM groups g WHERE g.id = $1`, [group.id, person.id, offering.id, left]);
}

async function enrollIn(person, offering, { role = 'learner', state = 'confirmed' } = {}) {
  await sql(`INSERT INTO enrollments (offering_id, user_id, role, state, source, created_at,
               confirmed_at)
             VALUES ($1, $2, $3, $4, 'import', now(), CASE WHEN $4 = 'confirmed' THEN now() END)`,
  [offering.id, person.id, role, state]);
}

async function assign(person, group, offering) {
  await sql(`INSERT INTO group_facilitators (group_id, offering_id, user_id, assigned_at)
             VALUES ($1, $2, $3, now())`, [group.id, offering.id, person.id]);
}

async function people(tag, n = 1, profession = 'nurse') {
  const made = await makeUsers(n, { tag, profession, signIn: true });
  return n === 1 ? made[0] : made;
}

/** The statuses of G1's page, its space and its thread for a jar. */
async function g1Access(jar) {
  return {
    page: (await get(`/groups/${G.g1.id}`, { jar })).status,
    space: (await get(`/s/${G.g1.space}`, { jar })).status,
    thread: (await get(`/t/${T.g1}`, { jar })).status,
  };
}
const OPEN = { page: 200, space: 200, thread: 200 };
const SHUT = { page: 404, space: 404, thread: 404 };

before(async () => {
  mark = await cleanupMark();
  O.A = await makeOffering({ tag: 'grpa', startDays: 30 });
  O.B = await makeOffering({ tag: 'grpb', startDays: 120 });
  O.P = await makeOffering({ tag: 'grpp', startDays: -60, registrationDays: -70, earlyDays: -80 });
  G.g1 = await makeGroup(`Cedar ${uniq()}`);
  G.g2 = await makeGroup(`Birch ${uniq()}`);

  P.member = await people('gmem');
  await sql("UPDATE users SET pronouns = 'she/her', track = 'adult' WHERE id = $1", [P.member.id]);
  P.chaplain = await people('gchap', 1, 'chaplain');
  P.other = await people('goth');        // member of G2, same cohort
  P.former = await people('gfor');       // was in G1, moved out
  P.lapsed = await people('glap');       // in G1, enrollment cancelled
  P.pending = await people('gpen');      // in G1, enrollment waiting for payment
  P.cohort = await people('gcoh');       // learner of A, in no group
  P.fac = await people('gfac', 1, 'physician');
  P.fac2 = await people('gfac2');        // facilitates G2
  P.facPast = await people('gfacp');     // facilitated G1 for the ended offering
  P.otherDirector = await people('gdir');

  for (const p of [P.member, P.chaplain, P.other, P.former, P.cohort]) await enrollIn(p, O.A);
  await enrollIn(P.lapsed, O.A, { state: 'cancelled' });
  await enrollIn(P.pending, O.A, { state: 'pending_payment' });
  for (const p of [P.fac, P.fac2]) await enrollIn(p, O.A, { role: 'facilitator' });
  await enrollIn(P.facPast, O.P, { role: 'facilitator' });
  for (const p of [P.member, P.chaplain, P.lapsed, P.pending]) await place(p, G.g1, O.A);
  await place(P.former, G.g1, O.A, { left: true });
  await place(P.former, G.g2, O.A);
  await place(P.other, G.g2, O.A);
  await assign(P.fac, G.g1, O.A);
  await assign(P.fac2, G.g2, O.A);
  await assign(P.facPast, G.g1, O.P);

  // A director of another series.
  const s = uniq().replace(/[^a-z0-9]/gi, '').toLowerCase();
  await sql(`INSERT INTO series (slug, title, summary) VALUES ($1, 'Another series', '')`, [`other-${s}`]);
  madeSeries.push(`other-${s}`);
  await sql(`INSERT INTO courses (series_id, position, slug, title, overview, announced)
             SELECT id, 1, $2, 'Another course', '', true FROM series WHERE slug = $1`,
  [`other-${s}`, `oc-${s}`]);
  O.X = { id: await sql(`INSERT INTO offerings (course_id, slug, starts_on, ends_on, format)
                         SELECT id, $2, current_date + 10, current_date + 12, 'live_online'
                           FROM courses WHERE slug = $1 RETURNING id`, [`oc-${s}`, `ox-${s}`]) };
  await enrollIn(P.otherDirector, O.X, { role: 'director' });

  // The agenda of A: what the group page should and should not list.
  const items = [
    [1, '09:00', '10:00', 'Opening plenary', 'plenary', false],
    [1, '16:00', '17:00', 'Small Group Community Building and Reflection', 'reflection', false],
    [2, '10:45', '11:15', 'Small Group Start-Up', 'small_group', false],
    [2, '13:00', '14:00', 'Breakout practice', 'small_group', true],
  ];
  for (const [day, from, to, title, kind, tracks] of items) {
    const id = await sql(`INSERT INTO agenda_items (offering_id, day_number, starts_at, ends_at,
                            title, kind, tracks)
                          SELECT o.id, $2::int,
                                 ((o.starts_on + $2::int - 1) + $3::time) AT TIME ZONE o.time_zone,
                                 ((o.starts_on + $2::int - 1) + $4::time) AT TIME ZONE o.time_zone,
                                 $5, $6, $7
                            FROM offerings o WHERE o.id = $1 RETURNING id`,
    [O.A.id, day, from, to, title, kind, tracks]);
    if (tracks) {
      await sql(`INSERT INTO agenda_breakouts (agenda_item_id, track, title) VALUES
                 ($1, 'adult', 'Adult: family meeting practice'),
                 ($1, 'pediatric', 'Pediatric: talking with parents')`, [id]);
    }
  }
  // The next course has a reflection block too, but no G1 member is in it yet.
  await sql(`INSERT INTO agenda_items (offering_id, day_number, starts_at, ends_at, title, kind)
             SELECT o.id, 1, (o.starts_on + time '16:00') AT TIME ZONE o.time_zone,
                    (o.starts_on + time '17:00') AT TIME ZONE o.time_zone,
                    'Next course reflection', 'reflection' FROM offerings o WHERE o.id = $1`, [O.B.id]);

  P.rivera = { jar: await testSession('rivera') };
  P.admin = { jar: await testSession('admin') };
  T.g1 = await startThread(P.member.jar, G.g1.space, `A first family meeting ${uniq()}`,
    `I want to practise the pause after serious news. ${word}`);
  T.g2 = await startThread(P.other.jar, G.g2.space, `Birch check-in ${uniq()}`, `Hello from Birch. ${word}`);
});

after(async () => {
  await setClock(0);
  for (const id of madeGroups) await sql('DELETE FROM groups WHERE id = $1', [id]);
  for (const slug of madeSeries) await sql('DELETE FROM series WHERE slug = $1', [slug]);
  if (mark) await cleanUp(mark);
  closeDb();
  closeSql();
  closeConnections();
});

test('a member sees the group page: members, facilitators, conversations, and the group\'s meetings for its track', async () => {
  const r = await get(`/groups/${G.g1.id}`, { jar: P.member.jar });
  assert.equal(r.status, 200);
  const text = mainText(r.body);
  assert.match(r.body, new RegExp(`<h1>${G.g1.name}</h1>`));
  assert.match(text, /Adult track · 4 members/, 'the open memberships, lapsed and pending included');
  assert.match(text, new RegExp(`${P.member.name} \\(she/her\\)\\s*Nurse · Adult track`));
  assert.match(text, new RegExp(`${P.chaplain.name}\\s*Chaplain · Adult track`));
  assert.match(text, new RegExp(`${P.lapsed.name}\\s*Nurse · Adult track · not in a current course`));
  assert.doesNotMatch(text, new RegExp(P.former.name), 'a former member is not listed');
  assert.doesNotMatch(text, new RegExp(P.other.name), 'another group\'s member is not listed');
  assert.match(text, new RegExp(`${P.fac.name}\\s*Physician · Core Practice`), 'this course\'s facilitator');
  assert.match(text, new RegExp(`Facilitated the group before ${P.facPast.name}`));
  assert.doesNotMatch(text, new RegExp(P.fac2.name));
  assert.match(r.body, new RegExp(`href="/t/${T.g1}"`), 'the latest thread');
  assert.match(r.body, new RegExp(`href="/s/${G.g1.space}"`), 'the space');
  assert.doesNotMatch(text, /Membership history/, 'members do not see the history');
  const meet = textOf(/<section aria-labelledby="meet-h"[^>]*>([\s\S]*?)<\/section>/.exec(r.body)[1]);
  const titles = [...meet.matchAll(/(Small Group Community Building and Reflection|Small Group Start-Up|Adult: family meeting practice|Pediatric: talking with parents|Opening plenary|Next course reflection)/g)].map((m) => m[1]);
  assert.deepEqual(titles, ['Small Group Community Building and Reflection', 'Small Group Start-Up',
    'Adult: family meeting practice'], 'small-group and reflection items of A, the adult breakout, in order');
  assert.match(meet, /Reflection, Core Practice of Palliative Care day 1/);
});

test('the group page lists its threads as the thread list does: pinned first, with their tags', async () => {
  const older = await startThread(P.chaplain.jar, G.g1.space, `Our agreements ${uniq()}`, 'What we agreed at Start-Up.');
  const newer = await startThread(P.member.jar, G.g1.space, `Newest question ${uniq()}`, 'A question for the group.');
  await sql('UPDATE threads SET pinned = true, locked = true WHERE id = $1', [older]);
  try {
    const r = await get(`/groups/${G.g1.id}`, { jar: P.member.jar });
    assert.equal(r.status, 200);
    const first = r.body.indexOf(`href="/t/${older}`), second = r.body.indexOf(`href="/t/${newer}`);
    assert.ok(first > 0 && second > 0, 'both threads are listed');
    assert.ok(first < second, 'the pinned thread comes before newer activity');
    const item = /<li class="thread-item[^>]*>([\s\S]*?)<\/li>/.exec(r.body)[1];
    assert.match(textOf(item), /^Pinned Locked Our agreements/);
  } finally {
    await sql('DELETE FROM threads WHERE id = ANY($1::bigint[])', [`{${older},${newer}}`]);
  }
});

test('who may read a group: members, its facilitators, the series\' directors and admins; everyone else 404', async () => {
  assert.deepEqual(await g1Access(P.member.jar), OPEN, 'member');
  assert.deepEqual(await g1Access(P.fac.jar), OPEN, 'facilitator of this group');
  assert.deepEqual(await g1Access(P.rivera.jar), OPEN, 'director of the series');
  assert.deepEqual(await g1Access(P.admin.jar), OPEN, 'admin');
  assert.deepEqual(await g1Access(P.other.jar), SHUT, 'member of another group of the cohort');
  assert.deepEqual(await g1Access(P.former.jar), SHUT, 'former member');
  assert.deepEqual(await g1Access(P.lapsed.jar), SHUT, 'member whose enrollment was cancelled');
  assert.deepEqual(await g1Access(P.pending.jar), SHUT, 'member waiting for payment');
  assert.deepEqual(await g1Access(P.cohort.jar), SHUT, 'learner of the cohort in no group');
  assert.deepEqual(await g1Access(P.fac2.jar), SHUT, 'facilitator of another group');
  assert.deepEqual(await g1Access(P.facPast.jar), SHUT, 'facilitator for an offering that has ended');
  assert.deepEqual(await g1Access(P.otherDirector.jar), SHUT, 'director of another series');
  const anon = await get(`/groups/${G.g1.id}`);
  assert.equal(anon.status, 303);
  assert.match(anon.headers.location, /^\/signin\?next=/);
  for (const bad of ['0', '-1', '99999999999', 'abc', '1e3']) {
    assert.equal((await get(`/groups/${bad}`, { jar: P.admin.jar })).status, 404, bad);
  }
  const denied = await get(`/groups/${G.g1.id}`, { jar: P.other.jar });
  assert.doesNotMatch(denied.body, new RegExp(G.g1.name), 'the 404 does not name the group');
});

test('moderators see the membership history with reasons', async () => {
  for (const jar of [P.fac.jar, P.rivera.jar]) {
    const text = mainText((await get(`/groups/${G.g1.id}`, { jar })).body);
    assert.match(text, /Membership history/);
    assert.match(text, new RegExp(`${P.former.name}: joined .* for Core Practice of Palliative Care; left .* moved at their request`));
  }
});

test('a member who cancels loses the group at once and finds its history when they return for the next course', async () => {
  const [back] = await makeUsers(1, { tag: 'gret', signIn: true });
  await enrollIn(back, O.A);
  await place(back, G.g1, O.A);
  assert.deepEqual(await g1Access(back.jar), OPEN);
  await sql(`UPDATE enrollments SET state = 'cancelled', cancelled_at = now()
              WHERE user_id = $1 AND offering_id = $2`, [back.id, O.A.id]);
  assert.deepEqual(await g1Access(back.jar), SHUT, 'cancelling ends access at once');
  await enrollIn(back, O.B);
  assert.deepEqual(await g1Access(back.jar), OPEN, 'returning for the next course brings it back');
  const thread = await get(`/t/${T.g1}`, { jar: back.jar });
  assert.match(thread.body, /practise the pause after serious news/, 'with the group\'s history');
  const home = mainText((await get('/home', { jar: back.jar })).body);
  assert.match(home, new RegExp(`Your small group ${G.g1.name}`));
});

test('a group\'s posts reach only its readers: search, mentions and notifications', async () => {
  const mine = searchResults((await get(`/search?q=${word}`, { jar: P.member.jar })).body);
  assert.deepEqual(mine.map((x) => x.thread), [T.g1], 'a member finds their group\'s post only');
  const other = searchResults((await get(`/search?q=${word}`, { jar: P.other.jar })).body);
  assert.deepEqual(other.map((x) => x.thread), [T.g2]);
  const director = searchResults((await get(`/search?q=${word}`, { jar: P.rivera.jar })).body);
  assert.deepEqual(director.map((x) => x.thread).sort(), [T.g1, T.g2].sort());
  assert.deepEqual(searchResults((await get(`/search?q=${word}`, { jar: P.cohort.jar })).body), []);

  // A mention of someone outside the group notifies nobody; one of a member does.
  await reply(P.chaplain.jar, T.g1, `@${P.other.handle} and @${P.member.handle}, what did you say after the silence?`);
  assert.equal(await sql('SELECT count(*) FROM notifications WHERE user_id = $1', [P.other.id]), '0');
  const note = notificationsOn((await get('/notifications', { jar: P.member.jar })).body);
  assert.ok(note.some((n) => n.thread === T.g1), 'the member is told');
  // Once they may no longer read the group, its notifications are gone from their pages.
  await sql(`UPDATE enrollments SET state = 'cancelled', cancelled_at = now()
              WHERE user_id = $1 AND offering_id = $2`, [P.member.id, O.A.id]);
  try {
    const page = await get('/notifications', { jar: P.member.jar });
    assert.equal(notificationsOn(page.body).filter((n) => n.thread === T.g1).length, 0);
    assert.equal(headerBadge(page.body), 0);
  } finally {
    await sql(`UPDATE enrollments SET state = 'confirmed', cancelled_at = NULL
                WHERE user_id = $1 AND offering_id = $2`, [P.member.id, O.A.id]);
  }
});

test('members of one group see each other\'s profiles; the group and its space are on the home, /groups and /spaces', async () => {
  assert.equal((await get(`/u/${P.chaplain.handle}`, { jar: P.member.jar })).status, 200);
  const home = await get('/home', { jar: P.member.jar });
  assert.match(mainText(home.body), new RegExp(`Your small group ${G.g1.name}`));
  assert.match(home.body, new RegExp(`href="/groups/${G.g1.id}"`));
  const groups = mainText((await get('/groups', { jar: P.member.jar })).body);
  assert.match(groups, new RegExp(`Your groups ${G.g1.name}`));
  assert.doesNotMatch(groups, new RegExp(G.g2.name));
  const spaces = await get('/spaces', { jar: P.member.jar });
  assert.match(spaces.body, new RegExp(`href="/s/${G.g1.space}"`));
  assert.doesNotMatch(spaces.body, new RegExp(`href="/s/${G.g2.space}"`));
  const space = await get(`/s/${G.g1.space}`, { jar: P.member.jar });
  assert.match(space.body, new RegExp(`href="/groups/${G.g1.id}"`), 'the space leads back to its group');
  const overseen = mainText((await get('/groups', { jar: P.rivera.jar })).body);
  assert.match(overseen, new RegExp(`Groups you oversee[\\s\\S]*${G.g1.name}`));
  assert.match(overseen, new RegExp(G.g2.name));
  // Directors find where to place each course's learners; an ended course is not offered, and
  // members are not shown the section at all.
  const rivera = await get('/groups', { jar: P.rivera.jar });
  assert.match(rivera.body, new RegExp(`href="/offerings/${O.A.slug}/placement"`));
  assert.match(rivera.body, new RegExp(`href="/offerings/${O.B.slug}/placement"`));
  assert.doesNotMatch(rivera.body, new RegExp(`href="/offerings/${O.P.slug}/placement"`));
  assert.doesNotMatch(groups, /Placing learners/);
});

test('access follows the one clock: when the offering ends, its members and facilitator lose the group', async () => {
  const after = Math.floor(Date.parse(await sql("SELECT ((ends_on + 2) + time '12:00') AT TIME ZONE time_zone FROM offerings WHERE id = $1", [O.A.id])) / 1000);
  try {
    // Sessions are made under the pinned clock (older ones would have expired by then).
    await setClock(after);
    assert.deepEqual(await g1Access(await testSession(P.member.handle)), SHUT, 'the member, with no later course');
    assert.deepEqual(await g1Access(await testSession(P.fac.handle)), SHUT, 'the facilitator of the ended offering');
    assert.deepEqual(await g1Access(await testSession('rivera')), OPEN, 'the director still');
  } finally {
    await setClock(0);
  }
  assert.deepEqual(await g1Access(await testSession(P.member.handle)), OPEN, 'back to today');
});
