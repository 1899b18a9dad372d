// The facilitator's dashboard (issue 11 item 4), over real HTTP with the test clock pinned on
// the second morning of a course: for each group the facilitator moderates, the members with
// their post counts and last activity, who has not posted since the last live session ended,
// which professions were heard this week, open flags and held posts, threads nobody answered,
// and the next sessions. Forty groups to a page.
//
// The fixture is our own offering (starting in three days), a group of four (nurse, chaplain,
// pharmacist, social worker) and its facilitator; everything made here is deleted afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { get, closeConnections, textOf } from './lib.mjs';
import { closeSql, setClock } from './accounts-lib.mjs';
import { sql, uniq, testSession, startThread, reply, mainText } from './forum-lib.mjs';
import { closeDb, cleanupMark, cleanUp, makeOffering, makeUsers } from './enroll-lib.mjs';

let mark;
let offering;
const madeGroups = [];
const P = {};
let group;
let T = {};
const at = {};   // unix seconds of moments in the course

async function makeGroup(name) {
  const id = await sql(`INSERT INTO groups (series_id, track, name) SELECT id, 'adult', $1
                          FROM series WHERE slug = 'palliative-care' RETURNING id`, [name]);
  madeGroups.push(id);
  return { id, name, space: await sql('SELECT id FROM spaces WHERE group_id = $1', [id]) };
}

async function epoch(expr) {
  return Number(await sql(`SELECT floor(extract(epoch FROM (${expr})))::bigint FROM offerings o WHERE o.id = $1`, [offering.id]));
}

/** The dashboard's section for a group: its text, or null when the page has none. */
function sectionOf(html, id) {
  const m = new RegExp(`<section class="dashboard-group" aria-labelledby="g${id}-h">([\\s\\S]*?)</section>`).exec(html);
  return m ? textOf(m[1]) : null;
}

before(async () => {
  mark = await cleanupMark();
  offering = await makeOffering({ tag: 'dash', startDays: 3 });
  at.day1 = await epoch("(o.starts_on + time '08:00') AT TIME ZONE o.time_zone");
  at.day1noon = await epoch("(o.starts_on + time '12:00') AT TIME ZONE o.time_zone");
  at.day1evening = await epoch("(o.starts_on + time '18:00') AT TIME ZONE o.time_zone");
  at.day2morning = await epoch("((o.starts_on + 1) + time '09:00') AT TIME ZONE o.time_zone");
  for (const [day, from, to, title, kind] of [
    [1, '09:00', '10:00', 'Opening plenary', 'plenary'],
    [1, '16:00', '17:00', 'Small Group Community Building and Reflection', 'reflection'],
    [2, '10:45', '11:15', 'Small Group Start-Up', 'small_group'],
    [3, '15:30', '16:15', 'Community Building and Self Reflection (Small Groups)', 'reflection'],
    [3, '16:15', '16:30', 'Closing', 'plenary']]) {
    await sql(`INSERT INTO agenda_items (offering_id, day_number, starts_at, ends_at, title, kind)
               SELECT o.id, $2::int, ((o.starts_on + $2::int - 1) + $3::time) AT TIME ZONE o.time_zone,
                      ((o.starts_on + $2::int - 1) + $4::time) AT TIME ZONE o.time_zone, $5, $6
                 FROM offerings o WHERE o.id = $1`, [offering.id, day, from, to, title, kind]);
  }
  group = await makeGroup(`Harbor ${uniq()}`);
  const people = [];
  for (const profession of ['nurse', 'chaplain', 'pharmacist', 'social_worker']) {
    const [u] = await makeUsers(1, { tag: `dm${profession.slice(0, 3)}`, profession, signIn: true });
    people.push(u);
    P[profession] = u;
    await sql(`INSERT INTO enrollments (offering_id, user_id, role, state, source, created_at, confirmed_at)
               VALUES ($1, $2, 'learner', 'confirmed', 'import', now(), now())`, [offering.id, u.id]);
    await sql(`INSERT INTO group_members (group_id, series_id, user_id, offering_id, joined_at, reason)
               SELECT $1, series_id, $2, $3, now(), 'placed' FROM groups WHERE id = $1`,
    [group.id, u.id, offering.id]);
  }
  // Two more keep their open place in the group but read it no longer (sql/011: access
  // follows the enrollment): one whose only course of the series ended, one who cancelled.
  const ended = await makeOffering({ tag: 'dashpast', startDays: -100 });
  for (const [key, off, state, profession] of [['past', ended, 'confirmed', 'physician'],
    ['lapsed', offering, 'cancelled', 'psychologist']]) {
    [P[key]] = await makeUsers(1, { tag: `dm${key}`, profession });
    await sql(`INSERT INTO enrollments (offering_id, user_id, role, state, source, created_at,
                 confirmed_at, cancelled_at)
               VALUES ($1, $2, 'learner', $3, 'import', now() - interval '200 days',
                       now() - interval '200 days',
                       CASE WHEN $3 = 'cancelled' THEN now() - interval '1 day' END)`,
    [off.id, P[key].id, state]);
    await sql(`INSERT INTO group_members (group_id, series_id, user_id, offering_id, joined_at, reason)
               SELECT $1, series_id, $2, $3, now() - interval '200 days', 'placed' FROM groups
                WHERE id = $1`, [group.id, P[key].id, off.id]);
  }
  [P.fac] = await makeUsers(1, { tag: 'dmfac', profession: 'physician' });
  await sql(`INSERT INTO enrollments (offering_id, user_id, role, state, source, created_at, confirmed_at)
             VALUES ($1, $2, 'facilitator', 'confirmed', 'staff', now(), now())`, [offering.id, P.fac.id]);
  await sql(`INSERT INTO group_facilitators (group_id, offering_id, user_id, assigned_at)
             VALUES ($1, $2, $3, now())`, [group.id, offering.id, P.fac.id]);

  // Before the course: the chaplain opens a thread nobody answers (today, by the real clock).
  T.chaplain = await startThread(P.chaplain.jar, group.space, `What I carry from last week ${uniq()}`,
    'A family asked me to stay after the meeting; I am still thinking about it.');
  // Day 1 at noon, before the reflection block ends: the social worker asks something.
  await setClock(at.day1noon);
  T.social = await startThread(await testSession(P.social_worker.handle), group.space,
    `Interpreters in the family meeting ${uniq()}`, 'How do you prepare an interpreter beforehand?');
  // Day 1 in the evening, after the block: the nurse answers.
  await setClock(at.day1evening);
  await reply(await testSession(P.nurse.handle), T.social, 'We meet for five minutes before we go in.');
  await setClock(at.day2morning);
  P.fac.jar = await testSession(P.fac.handle);
});

after(async () => {
  await setClock(0);
  for (const id of madeGroups) await sql('DELETE FROM groups WHERE id = $1', [id]);
  if (mark) await cleanUp(mark);
  closeDb();
  closeSql();
  closeConnections();
});

test('the facilitator sees who has been heard, who has not posted since the last session, and what is next', async () => {
  const r = await get('/dashboard', { jar: P.fac.jar });
  assert.equal(r.status, 200);
  const s = sectionOf(r.body, group.id);
  assert.ok(s, 'the group has a section');
  assert.match(s, /Adult track · 4 members/);
  assert.match(s, /Small Group Community Building and Reflection ended/, 'the last live session that ended');
  const quiet = /Not posted since then:(.*?)Voices this week/.exec(s)[1];
  assert.match(quiet, new RegExp(P.chaplain.name));
  assert.match(quiet, new RegExp(P.pharmacist.name));
  assert.match(quiet, new RegExp(P.social_worker.name), 'posted at noon, before the block ended');
  assert.doesNotMatch(quiet, new RegExp(P.nurse.name), 'the nurse answered in the evening');
  assert.match(s, /Heard: Chaplain Nurse Social worker/);
  assert.match(s, /Not yet heard: Pharmacist Members/, 'no profession of someone who reads no more');
  for (const gone of [P.past, P.lapsed]) {
    assert.ok(!s.includes(gone.name), `${gone.handle} reads the group no more: not listed`);
  }
  assert.match(s, new RegExp(`${P.nurse.name} · Nurse\\s*1 post · last active`));
  assert.match(s, new RegExp(`${P.pharmacist.name} · Pharmacist\\s*0 posts · last active never`));
  const unanswered = /Threads nobody has answered(.*?)Next sessions/.exec(s)[1];
  assert.match(unanswered, /What I carry from last week/);
  assert.doesNotMatch(unanswered, /Interpreters in the family meeting/, 'answered by the nurse');
  const next = /Next sessions(.*)$/.exec(s)[1];
  assert.match(next, /Small Group Start-Up.*Community Building and Self Reflection/);
  assert.doesNotMatch(next, /Closing|Opening plenary/);
  assert.match(s, /No open flags and no posts waiting for approval/);
});

test('open flags and held posts are counted for the group', async () => {
  const post = await sql('SELECT id FROM posts WHERE thread_id = $1 AND number = 1', [T.chaplain]);
  await sql(`INSERT INTO flags (post_id, flagger_id, reason, created_at)
             VALUES ($1, $2, 'off_topic', now())`, [post, P.pharmacist.id]);
  const held = await sql('SELECT id FROM posts WHERE thread_id = $1 AND number = 2', [T.social]);
  // A held post has no number until approved (sql/016_held_posts.sql).
  await sql('UPDATE posts SET held = true, number = NULL WHERE id = $1', [held]);
  try {
    const s = sectionOf((await get('/dashboard', { jar: P.fac.jar })).body, group.id);
    assert.match(s, /1 open flag · 1 post waiting for approval/);
  } finally {
    await sql('DELETE FROM flags WHERE post_id = $1', [post]);
    await sql('UPDATE posts SET held = false, number = 2 WHERE id = $1', [held]);
  }
});

test('only the groups one moderates: members and other facilitators see nothing of this group', async () => {
  const member = await get('/dashboard', { jar: await testSession(P.nurse.handle) });
  assert.equal(member.status, 200);
  assert.equal(sectionOf(member.body, group.id), null);
  assert.match(mainText(member.body), /You do not facilitate a small group at the moment/);
  assert.doesNotMatch(member.body, new RegExp(group.name));
  const director = await get('/dashboard', { jar: await testSession('rivera') });
  assert.ok(sectionOf(director.body, group.id) !== null || /More groups/.test(director.body),
    'the series director oversees it (here or on a later page)');
  const anon = await get('/dashboard');
  assert.equal(anon.status, 303);
  assert.match(anon.headers.location, /^\/signin/);
  assert.equal((await get('/dashboard?after=x', { jar: P.fac.jar })).status, 400);
});

test('forty groups to a page, then the next page', async () => {
  const [fac] = await makeUsers(1, { tag: 'dmmany', profession: 'nurse' });
  await sql(`INSERT INTO enrollments (offering_id, user_id, role, state, source, created_at, confirmed_at)
             VALUES ($1, $2, 'facilitator', 'confirmed', 'staff', now(), now())`, [offering.id, fac.id]);
  const ids = [];
  for (let i = 0; i < 42; i++) {
    const g = await makeGroup(`Many ${i} ${uniq()}`);
    ids.push(g.id);
  }
  await sql(`INSERT INTO group_facilitators (group_id, offering_id, user_id, assigned_at)
             SELECT g, $2, $3, now() FROM unnest($1::bigint[]) g`, [`{${ids.join(',')}}`, offering.id, fac.id]);
  const jar = await testSession(fac.handle);
  const first = await get('/dashboard', { jar });
  const shown = ids.filter((id) => sectionOf(first.body, id) !== null);
  assert.equal(shown.length, 40);
  const next = /href="\/dashboard\?after=(\d+)"/.exec(first.body);
  assert.ok(next, 'a link to the next page');
  const second = await get(`/dashboard?after=${next[1]}`, { jar });
  const rest = ids.filter((id) => sectionOf(second.body, id) !== null);
  assert.deepEqual(rest, ids.slice(40));
  assert.doesNotMatch(second.body, /More groups/);
});
