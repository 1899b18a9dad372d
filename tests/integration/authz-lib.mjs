// The authorization test's data: the access table (docs/access.tsv) read as rows, and the
// fixture it speaks of — two series, four offerings, two small groups, a team, threads and
// posts, invitations and links — made straight in the database (and, where a token's hash
// is needed, through the pages that issue it), with one signed-in session per role.
// docs/access.md describes both; authz.test.mjs walks every route × every role.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { get, post, CookieJar, BASE_URL, textOf, state } from './lib.mjs';
import { sql, uniq, csrfOf, testSession, createInvite, createReset } from './accounts-lib.mjs';

// ---------------------------------------------------------------------------- the table

/**
 * docs/access.tsv as { roles: [names], rows: [{ method, pattern, object, cells: {role:
 * answer}, line }] }. Lines starting with '#' and blank lines are comments; the first other
 * line names the columns: method, pattern, object, then one column per role.
 */
export function readAccessTable(file = `${state.CAIRN_IT_SOURCE}/docs/access.tsv`) {
  const lines = readFileSync(file, 'utf8').split('\n');
  let header = null;
  const rows = [];
  lines.forEach((text, i) => {
    if (!text.trim() || text.startsWith('#')) return;
    const cols = text.split('\t').map((c) => c.trim());
    if (!header) {
      header = cols;
      assert.deepEqual(header.slice(0, 3), ['method', 'pattern', 'object'],
        `${file}:${i + 1}: the header starts with method, pattern, object`);
      return;
    }
    assert.equal(cols.length, header.length,
      `${file}:${i + 1}: ${cols.length} columns, the header has ${header.length}`);
    const [method, pattern, object, ...answers] = cols;
    const cells = {};
    header.slice(3).forEach((role, j) => { cells[role] = answers[j]; });
    rows.push({ method, pattern, object, cells, line: i + 1 });
  });
  assert.ok(header, `${file} has a header line`);
  return { roles: header.slice(3), rows };
}

/**
 * What an answer in the table means: an exact status, 'signin' (303 to /signin?next=<the
 * path>), or 'hidden' (200, and the page does not show the object: a list or a search that
 * leaves it out as if it did not exist).
 */
export function parseAnswer(text) {
  if (text === 'signin') return { status: 303, signin: true, hidden: false };
  if (text === 'hidden') return { status: 200, signin: false, hidden: true };
  assert.match(text, /^[1-5][0-9][0-9]$/,
    `an answer is a status, "signin" or "hidden", not "${text}"`);
  return { status: Number(text), signin: false, hidden: false };
}

// ---------------------------------------------------------------------------- the fixture

const DAY = 86400;

async function one(text, params) {
  const out = await sql(text, params);
  assert.ok(out, `no row from: ${text}`);
  return out;
}

async function makeUser(tag, u, { admin = false } = {}) {
  const handle = `az_${tag.replace(/-/g, '_')}_${u}`.slice(0, 30);
  const name = `Authz ${tag} ${u}`;
  const email = `az.${tag}.${u}@example.test`;
  const id = await one(`INSERT INTO users (email, handle, display_name, profession, is_admin)
                        VALUES ($1, $2, $3, 'nurse', $4) RETURNING id`,
  [email, handle, name, admin ? 'true' : 'false']);
  return { id, handle, name, email, tag };
}

/** An offering of course `courseId`, starting `start` days from today, lasting 3 days. */
async function makeOffering(courseId, slug, start) {
  const id = await one(`INSERT INTO offerings (course_id, slug, starts_on, ends_on, time_zone, format,
                          registration_deadline, processing_fee_cents, notes)
                        VALUES ($1, $2, current_date + $3::int, current_date + $3::int + 2,
                                'America/New_York', 'live_online',
                                now() + make_interval(days => greatest($3::int - 5, 1)), 1000,
                                'Made by the authorization test.')
                        RETURNING id`, [courseId, slug, start]);
  await sql(`INSERT INTO offering_fees (offering_id, category, regular_cents, early_cents)
             SELECT $1, code, 150000, NULL FROM fee_categories`, [id]);
  return { id, slug };
}

async function enroll(user, offering, role, enrollmentState = 'confirmed') {
  return one(`INSERT INTO enrollments (offering_id, user_id, role, state, source, fee_category,
                created_at, confirmed_at, cancelled_at)
              VALUES ($1, $2, $3, $4, 'import', 'nurse', now() - interval '20 days',
                      CASE WHEN $4 = 'confirmed' THEN now() - interval '19 days' END,
                      CASE WHEN $4 = 'cancelled' THEN now() - interval '1 day' END)
              RETURNING id`, [offering.id, user.id, role, enrollmentState]);
}

async function insertThread(spaceId, author, title, body) {
  const row = await one(`
    WITH t AS (
      INSERT INTO threads (space_id, author_id, title, created_at, last_post_at, last_poster_id,
                           last_number)
      VALUES ($1, $2, $3, now() - interval '2 days', now() - interval '2 days', $2, 1)
      RETURNING id, created_at),
    p AS (
      INSERT INTO posts (thread_id, number, author_id, body_src, body_html, body_text, search,
                         created_at)
      SELECT t.id, 1, $2, $4, '<p>' || $4 || '</p>' || E'\\n', $4, to_tsvector('english', $4),
             t.created_at FROM t
      RETURNING id)
    SELECT t.id, p.id FROM t, p`, [spaceId, author.id, title, body]);
  const [thread, postId] = row.split('|');
  return { thread, post: postId };
}

/** A signed-in session of a user (the test door) and its CSRF token. */
export async function sessionOf(user) {
  const jar = await testSession(user.handle);
  const r = await get('/profile', { jar });
  assert.equal(r.status, 200, `GET /profile as ${user.tag}: ${r.status}`);
  return { jar, csrf: csrfOf(r.body) };
}

/** A jar with only a pre-session cookie, and the form token bound to it. */
export async function anonymousSession() {
  const jar = new CookieJar();
  const r = await get('/signin', { jar });
  assert.equal(r.status, 200);
  return { jar, csrf: csrfOf(r.body) };
}

/**
 * Build the fixture. Returns { u (suffix), people: {role: user}, sessions: {role: {jar,
 * csrf}}, objects: {name: () => object}, secrets: [{ text, owner }], cleanup() }. An object
 * is { params, query, form, shows, badgeless }: the values of a route's :params, a query
 * string and form fields to send, texts of the object that a page showing it holds (checked
 * both ways: a GET answered 200 shows them, a 'hidden' answer shows none), and whether a
 * 'hidden' answer's header must show no unread notifications. Objects are functions
 * so that one made for a route (a spare session to revoke) is made when it is checked.
 */
export async function buildFixture() {
  const u = uniq();
  const made = { series: [], users: [], tokens: [] };

  // Two series: ours (S), and another (S2) whose director must see nothing of ours.
  const S = await one(`INSERT INTO series (slug, title, summary) VALUES ($1, $2, '') RETURNING id`,
    [`az-series-${u}`, `Authz Series ${u}`]);
  const S2 = await one(`INSERT INTO series (slug, title, summary) VALUES ($1, $2, '') RETURNING id`,
    [`az-other-${u}`, `Authz Other Series ${u}`]);
  made.series.push(S, S2);
  const course = await one(`INSERT INTO courses (series_id, position, slug, title, announced)
                            VALUES ($1, 1, $2, $3, true) RETURNING id`,
  [S, `az-course-${u}`, `Authz Course ${u}`]);
  const course2 = await one(`INSERT INTO courses (series_id, position, slug, title, announced)
                             VALUES ($1, 1, $2, $3, true) RETURNING id`,
  [S2, `az-course2-${u}`, `Authz Other Course ${u}`]);
  // A: this cohort (upcoming, open for registration); B: another cohort of the series;
  // P: a run that has ended (the former facilitator's); X: an offering of the other series.
  const A = await makeOffering(course, `az-a-${u}`, 30);
  const B = await makeOffering(course, `az-b-${u}`, 60);
  const P = await makeOffering(course, `az-p-${u}`, -100);
  const X = await makeOffering(course2, `az-x-${u}`, 30);

  const roles = ['learner', 'other-cohort', 'pending', 'member', 'muted-member', 'other-member',
    'former-member',
    'lapsed-member', 'past-member', 'facilitator', 'other-facilitator', 'former-facilitator',
    'director', 'series-director', 'other-director', 'admin'];
  const people = {};
  for (const role of roles) people[role] = await makeUser(role, u, { admin: role === 'admin' });
  const bystander = await makeUser('bystander', u);
  const resetee = await makeUser('resetee', u);
  made.users.push(...Object.values(people), bystander, resetee);

  const L = people.learner;
  const enrollment = await enroll(L, A, 'learner');
  await enroll(people['other-cohort'], B, 'learner');
  await enroll(people.pending, A, 'learner', 'pending_payment');
  for (const r of ['member', 'muted-member', 'other-member', 'former-member']) {
    await enroll(people[r], A, 'learner');
  }
  await enroll(people['lapsed-member'], A, 'learner', 'cancelled');
  await enroll(people['past-member'], P, 'learner');
  await enroll(people.facilitator, A, 'facilitator');
  await enroll(people['other-facilitator'], A, 'facilitator');
  await enroll(people['former-facilitator'], P, 'facilitator');
  await enroll(people.director, A, 'director');
  await enroll(people['series-director'], B, 'director');
  await enroll(people['other-director'], X, 'director');

  // Two groups of the series (adult track); each gets its space from a trigger.
  const G1 = await one(`INSERT INTO groups (series_id, track, name) VALUES ($1, 'adult', $2)
                        RETURNING id`, [S, `Authz Group One ${u}`]);
  const G2 = await one(`INSERT INTO groups (series_id, track, name) VALUES ($1, 'adult', $2)
                        RETURNING id`, [S, `Authz Group Two ${u}`]);
  const stay = `INSERT INTO group_members (group_id, series_id, user_id, offering_id, joined_at,
                  left_at, reason) VALUES ($1, $2, $3, $4, now() - interval '10 days',
                  CASE WHEN $5 = 'left' THEN now() - interval '5 days' END, '')`;
  await sql(stay, [G1, S, people.member.id, A.id, 'open']);
  await sql(stay, [G1, S, people['muted-member'].id, A.id, 'open']);
  await sql(stay, [G2, S, people['other-member'].id, A.id, 'open']);
  await sql(stay, [G1, S, people['former-member'].id, A.id, 'left']);
  await sql(stay, [G1, S, people['lapsed-member'].id, A.id, 'open']);
  await sql(stay, [G1, S, people['past-member'].id, P.id, 'open']);
  const assign = `INSERT INTO group_facilitators (group_id, offering_id, user_id, assigned_at)
                  VALUES ($1, $2, $3, now() - interval '10 days')`;
  await sql(assign, [G1, A.id, people.facilitator.id]);
  await sql(assign, [G2, A.id, people['other-facilitator'].id]);
  await sql(assign, [G1, P.id, people['former-facilitator'].id]);

  // Spaces, with titles of their own so a page that leaks one can be caught.
  const space = async (where, params) => one(`SELECT id FROM spaces WHERE ${where}`, params);
  const cohortSpace = await space(`kind = 'cohort' AND offering_id = $1`, [A.id]);
  const announcements = await space(`kind = 'announcements' AND offering_id = $1`, [A.id]);
  const groupSpace = await space(`group_id = $1`, [G1]);
  await sql(`UPDATE spaces SET title = $2 WHERE id = $1`, [cohortSpace, `Authz Cohort Space ${u}`]);
  const cohortThread = await insertThread(cohortSpace, L, `Authz cohort thread ${u}`,
    `Authz cohort post body ${u}`);
  const groupThread = await insertThread(groupSpace, people.member, `Authz group thread ${u}`,
    `Authz group post body ${u}`);
  // A thread of the cohort where a moderator hid the learner's reply (issue 11): its author
  // and the space's moderators see it, marked, with the reason; other members see that a
  // post was hidden, not what it said.
  const moderatedThread = await insertThread(cohortSpace, people.facilitator,
    `Authz moderated thread ${u}`, `Authz moderated opening ${u}`);
  const hiddenPost = await one(`
    WITH p AS (
      INSERT INTO posts (thread_id, number, author_id, body_src, body_html, body_text, search,
                         created_at, hidden, hidden_reason)
      VALUES ($1, 2, $2, $3, '<p>' || $3 || '</p>' || E'\\n', $3, to_tsvector('english', $3),
              now() - interval '1 day', true, $4)
      RETURNING id),
    t AS (UPDATE threads SET last_number = 2 WHERE id = $1)
    SELECT id FROM p`,
  [moderatedThread.thread, L.id, `Authz hidden post body ${u}`, `Authz hidden reason ${u}`]);
  // A thread the muted member opened before a facilitator muted them in the cohort's and
  // G1's spaces (issue 11): they still read, react, flag and follow there, and neither post,
  // reply, start a thread nor change their posts until the mute ends.
  const mutedThread = await insertThread(cohortSpace, people['muted-member'],
    `Authz muted thread ${u}`, `Authz muted post body ${u}`);
  await sql(`INSERT INTO mutes (space_id, user_id, until, reason, muted_by, created_at)
             SELECT s, $1, now() + interval '7 days', 'Authz mute', $2, now() - interval '1 hour'
               FROM unnest($3::bigint[]) AS s`,
  [people['muted-member'].id, people.facilitator.id, `{${cohortSpace},${groupSpace}}`]);
  // Posts held for approval (pre-moderation, sql/016: unnumbered until approved): the
  // learner's reply in a thread the facilitator opened, and a thread the learner opened whose
  // opening post waits (the thread is theirs and the moderators' alone). Only their author
  // and the space's moderators see them. The held reply has a search vector, as if it had
  // been indexed, so the search test shows that search leaves held posts out.
  const waitingThread = await insertThread(cohortSpace, people.facilitator,
    `Authz waiting thread ${u}`, `Authz waiting opening ${u}`);
  const heldBody = `Authz held post body ${u}`;
  const insertHeld = (threadId, body) => one(`
    INSERT INTO posts (thread_id, number, author_id, body_src, body_html, body_text, search,
                       created_at, held)
    VALUES ($1, NULL, $2, $3, '<p>' || $3 || '</p>' || E'\n', $3, to_tsvector('english', $3),
            now() - interval '3 hours', true)
    RETURNING id`, [threadId, L.id, body]);
  const heldPost = await insertHeld(waitingThread.thread, heldBody);
  const heldThread = await one(`
    WITH t AS (
      INSERT INTO threads (space_id, author_id, title, created_at, last_post_at, last_poster_id,
                           last_number)
      VALUES ($1, $2, $3, now() - interval '2 hours', now() - interval '2 hours', $2, 0)
      RETURNING id, created_at)
    INSERT INTO posts (thread_id, number, author_id, body_src, body_html, body_text, search,
                       created_at, held)
    SELECT t.id, NULL, $2, $4, '<p>' || $4 || '</p>' || E'\n', $4, ''::tsvector, t.created_at,
           true FROM t
    RETURNING thread_id`,
  [cohortSpace, L.id, `Authz held thread ${u}`, `Authz held opening ${u}`]);
  // An earlier version of each post (a moderator may purge it).
  const revision = async (postId, text) => one(`INSERT INTO post_revisions (post_id, body_src,
      created_at, replaced_at) VALUES ($1, $2, now() - interval '2 days', now() - interval '1 day')
      RETURNING id`, [postId, text]);
  const cohortRevision = await revision(cohortThread.post, `Authz cohort revision ${u}`);
  const groupRevision = await revision(groupThread.post, `Authz group revision ${u}`);
  // Everyone signed in has a notification of the group's thread, as if they had been told
  // of it while they could read it: only those who still can may see it.
  await sql(`INSERT INTO notifications (user_id, kind, thread_id, post_id, actor_id, excerpt,
               created_at)
             SELECT u.id, 'reply', $1, $2, $3, 'Authz group post body', now() - interval '1 day'
               FROM unnest($4::bigint[]) AS u (id)`,
  [groupThread.thread, groupThread.post, people.member.id,
    `{${Object.values(people).map((p) => p.id).join(',')}}`]);

  // An agenda item of A (the catalogue's item pages; deleted by the last of them).
  const item = await one(`INSERT INTO agenda_items (offering_id, day_number, starts_at, ends_at,
                            title, kind)
                          VALUES ($1, 1, (current_date + 30) + time '09:00',
                                  (current_date + 30) + time '10:00', $2, 'plenary')
                          RETURNING id`, [A.id, `Authz agenda item ${u}`]);

  // Reflection prompts (issue 14): one on a reflection session of A still to come (only
  // A's staff see it), and one on a session of A that ended yesterday (a liberty of the
  // fixture: A has not started), open to A's confirmed learners.
  const reflectionItem = await one(`INSERT INTO agenda_items (offering_id, day_number, starts_at,
                                      ends_at, title, kind)
                                    VALUES ($1, 1, (current_date + 30) + time '16:00',
                                            (current_date + 30) + time '17:00', $2, 'reflection')
                                    RETURNING id`, [A.id, `Authz reflection ${u}`]);
  const openItem = await one(`INSERT INTO agenda_items (offering_id, day_number, starts_at, ends_at,
                                title, kind)
                              VALUES ($1, 1, (current_date - 1) + time '16:00',
                                      (current_date - 1) + time '17:00', $2, 'reflection')
                              RETURNING id`, [A.id, `Authz ended reflection ${u}`]);
  const newPrompt = async (itemId, text) => one(`INSERT INTO journal_prompts (agenda_item_id, body,
      created_at, updated_at) VALUES ($1, $2, now(), now()) RETURNING id`, [itemId, text]);
  const prompt = await newPrompt(reflectionItem, `Authz prompt text ${u}`);
  const openPrompt = await newPrompt(openItem, `Authz open prompt text ${u}`);

  // A journal entry of the bystander's (the ciphertext is never opened: nobody else may).
  await sql('INSERT INTO journal_keys (user_id, version) VALUES ($1, 1)', [bystander.id]);
  const journalEntry = await one(`INSERT INTO journal_entries (user_id, key_version, sealed,
                                    created_at, updated_at)
                                  VALUES ($1, 1, decode(repeat('ab', 296), 'hex'), now(), now())
                                  RETURNING id`, [bystander.id]);

  const sessions = {};
  for (const role of roles) sessions[role] = await sessionOf(people[role]);
  sessions.anonymous = await anonymousSession();

  // The learner's team: two members, confirmed through its page so that each member has an
  // invitation link (tokens are stored only as hashes). The first member is the one the
  // member pages act on; the second's link is the team invitation the token pages read.
  const team = await one(`INSERT INTO teams (offering_id, name, institution, coordinator_id, state,
                            created_at)
                          VALUES ($1, $2, 'Authz Hospital', $3, 'draft', now()) RETURNING id`,
  [A.id, `Authz Team ${u}`, L.id]);
  const teamMembers = [];
  for (const n of [1, 2]) {
    teamMembers.push(await one(`INSERT INTO team_members (team_id, position, name, email, profession,
                                   fee_category, track, state, created_at)
                                 VALUES ($1, $2, $3, $4, 'nurse', 'nurse', 'adult', 'listed', now())
                                 RETURNING id`,
    [team, n, `Authz Team Member ${n} ${u}`, `az.team${n}.${u}@example.test`]));
  }
  const confirmed = await post(`/teams/${team}/confirm`, { csrf: sessions.learner.csrf },
    { jar: sessions.learner.jar });
  assert.equal(confirmed.status, 201, `confirming the fixture's team: ${confirmed.status}`);
  const links = [...confirmed.body.matchAll(/<code class="link">([^<]+)<\/code>/g)]
    .map((m) => new URL(m[1].replace(/&amp;/g, '&')).searchParams.get('token'));
  assert.equal(links.length, 2, 'the team page shows both invitation links');
  const teamToken = links[1];

  // Invitations and a reset link, issued by the fixture's administrator.
  const adminJar = sessions.admin.jar;
  const invitation = await createInvite(`az.invited.${u}@example.test`, { jar: adminJar });
  const spareInvitation = await createInvite(`az.spare.${u}@example.test`, { jar: adminJar });
  const reset = await createReset(resetee.id, { jar: adminJar });
  made.tokens.push(invitation.id, spareInvitation.id, reset.id);

  const objects = {
    '-': () => ({}),
    'static-file': () => ({ params: { path: 'cairn.css' } }),
    offering: () => ({ params: { slug: A.slug, id: A.id } }),
    series: () => ({ params: { id: S, slug: `az-series-${u}` } }),
    course: () => ({ params: { id: course } }),
    'agenda-item': () => ({ params: { id: item } }),
    // A reflection session of A (prompts are added to it), a prompt on it that has not
    // opened, and a prompt that has (?prompt= for the journal's form).
    'reflection-item': () => ({ params: { id: reflectionItem } }),
    prompt: () => ({ params: { id: prompt }, query: { prompt }, shows: [`Authz prompt text ${u}`] }),
    'open-prompt': () => ({ params: { id: openPrompt }, query: { prompt: openPrompt },
      shows: [`Authz open prompt text ${u}`] }),
    invitation: () => ({ query: { token: invitation.token }, form: { token: invitation.token } }),
    'spare-invitation': () => ({ params: { id: spareInvitation.id } }),
    'reset-link': () => ({ query: { token: reset.token }, form: { token: reset.token } }),
    bystander: () => ({ params: { id: bystander.id } }),
    // A second session of the learner, made when the route is checked: its owner signs it
    // out, so it is gone afterwards.
    'learner-session': async () => {
      await testSession(L.handle);
      const id = await one('SELECT max(id) FROM web_sessions WHERE user_id = $1', [L.id]);
      return { params: { id } };
    },
    // The session the request is made with, made for the route: signing out ends it.
    'own-session': () => ({ freshSession: true }),
    enrollment: () => ({ params: { id: enrollment } }),
    // Someone else's journal entry: everyone gets 404, administrators included.
    'journal-entry': () => ({ params: { id: journalEntry }, form: { body: 'x', confirmed: 'yes' } }),
    team: () => ({ params: { id: team } }),
    'team-member': () => ({ params: { id: team, mid: teamMembers[0] } }),
    'team-invitation': () => ({ query: { token: teamToken }, form: { token: teamToken } }),
    'cohort-space': () => ({ params: { id: cohortSpace }, shows: [`Authz Cohort Space ${u}`] }),
    'announcements-space': () => ({ params: { id: announcements } }),
    'group-space': () => ({ params: { id: groupSpace }, shows: [`Authz Group One ${u}`] }),
    group: () => ({ params: { id: G1 }, shows: [`Authz Group One ${u}`] }),
    'cohort-thread': () => ({ params: { id: cohortThread.thread, n: '1' },
      shows: [`Authz cohort thread ${u}`] }),
    'group-thread': () => ({ params: { id: groupThread.thread, n: '1' },
      shows: [`Authz group thread ${u}`] }),
    'cohort-post': () => ({ params: { id: cohortThread.post }, shows: [`Authz cohort post body ${u}`] }),
    'group-post': () => ({ params: { id: groupThread.post }, shows: [`Authz group post body ${u}`] }),
    'hidden-post': () => ({ params: { id: hiddenPost }, shows: [`Authz hidden post body ${u}`] }),
    'hidden-post-thread': () => ({ params: { id: moderatedThread.thread, n: '2' },
      shows: [`Authz hidden post body ${u}`, `Authz hidden reason ${u}`] }),
    'muted-post': () => ({ params: { id: mutedThread.post }, shows: [`Authz muted post body ${u}`] }),
    'held-post': () => ({ params: { id: heldPost }, shows: [heldBody] }),
    // Approving acts at once (no page asks first): each cell approves a held post of its own.
    'approvable-held-post': async () => ({
      params: { id: await insertHeld(waitingThread.thread, `Authz approvable post ${u}`) },
      eachCell: true }),
    'held-post-thread': () => ({ params: { id: waitingThread.thread, n: '1' },
      shows: [heldBody] }),
    'held-thread': () => ({ params: { id: heldThread, n: '1' }, shows: [`Authz held thread ${u}`] }),
    'held-thread-listing': () => ({ params: { id: cohortSpace }, shows: [`Authz held thread ${u}`] }),
    'held-search': () => ({ query: { q: `held ${u}` }, shows: [heldBody] }),
    'learner-person': () => ({ params: { handle: L.handle }, shows: [L.name] }),
    // A member of each space, as a moderator's action names them (muting).
    'cohort-member': () => ({ params: { id: cohortSpace, uid: people.member.id },
      shows: [people.member.name] }),
    'group-member': () => ({ params: { id: groupSpace, uid: people.member.id },
      shows: [people.member.name] }),
    'cohort-revision': () => ({ params: { id: cohortRevision }, shows: [`Authz cohort revision ${u}`] }),
    'group-revision': () => ({ params: { id: groupRevision }, shows: [`Authz group revision ${u}`] }),
    // Searches that find one post each; the search form lists the spaces one may read.
    'cohort-search': () => ({ query: { q: `cohort ${u}` }, shows: [`Authz cohort thread ${u}`] }),
    'group-search': () => ({ query: { q: `group ${u}` },
      shows: [`Authz group thread ${u}`, `Authz Group One ${u}`] }),
    // The only notification of those who cannot read the group: hidden, it has no badge.
    'group-notification': () => ({ shows: [`Authz group thread ${u}`], badgeless: true }),
  };

  // What no refused page may show: every name and title of the fixture that is not public
  // (offering, course and series titles are on the public pages), unless the role may read it
  // anyway (`readers`): a 403 answers someone who may see the object, and the page that says
  // why (a muted member's reply shown back on its thread) may show what they read there.
  const cohortMods = ['facilitator', 'other-facilitator', 'director', 'series-director', 'admin'];
  const groupMods = ['facilitator', 'director', 'series-director', 'admin'];
  const cohort = ['learner', 'member', 'muted-member', 'other-member', 'former-member',
    ...cohortMods];
  const group = ['member', 'muted-member', ...groupMods];
  // Everyone who reads the series' space shares it with everyone else who does (/u/:handle).
  const seriesSpace = [...cohort, 'other-cohort', 'past-member', 'former-facilitator'];
  const secrets = [
    ...Object.entries(people).map(([role, p]) => ({ text: p.name, owner: role,
      readers: seriesSpace.includes(role) ? seriesSpace : [] })),
    { text: `Authz Group One ${u}`, readers: group }, { text: `Authz Group Two ${u}` },
    { text: `Authz Cohort Space ${u}`, readers: cohort },
    { text: `Authz cohort thread ${u}`, readers: cohort },
    { text: `Authz cohort post body ${u}`, readers: cohort },
    { text: `Authz group thread ${u}`, readers: group },
    { text: `Authz group post body ${u}`, readers: group },
    { text: `Authz moderated thread ${u}`, readers: cohort },
    { text: `Authz hidden post body ${u}`, readers: ['learner', ...cohortMods] },
    { text: `Authz hidden reason ${u}`, readers: ['learner', ...cohortMods] },
    { text: `Authz muted thread ${u}`, readers: cohort },
    { text: `Authz muted post body ${u}`, readers: cohort },
    { text: `Authz waiting thread ${u}`, readers: cohort },
    { text: heldBody, readers: ['learner', ...cohortMods] },
    { text: `Authz held thread ${u}`, readers: ['learner', ...cohortMods] },
    { text: `Authz held opening ${u}`, readers: ['learner', ...cohortMods] },
    { text: `Authz cohort revision ${u}`, readers: ['learner', ...cohortMods] },
    { text: `Authz group revision ${u}`, readers: ['member', ...groupMods] },
    { text: `Authz Team ${u}` }, { text: `Authz Team Member 1 ${u}` },
    { text: `Authz agenda item ${u}` }, { text: bystander.name }, { text: resetee.name },
    { text: `Authz prompt text ${u}` }, { text: `Authz open prompt text ${u}` },
    { text: `az.invited.${u}@example.test` }, { text: `az.spare.${u}@example.test` },
  ];

  async function cleanup() {
    // Deleting the series takes their courses, offerings, enrollments, teams, spaces,
    // threads, groups and agenda with them; then the people and their sessions go.
    await sql('DELETE FROM series WHERE id = ANY($1::bigint[])', [`{${made.series.join(',')}}`]);
    await sql('DELETE FROM tokens WHERE id = ANY($1::bigint[]) OR email LIKE $2',
      [`{${made.tokens.join(',')}}`, `az.%.${u}@example.test`]);
    // Mail to the fixture's people: invitations, the reset link, approvals of held posts.
    await sql('DELETE FROM outbox WHERE to_email LIKE $1', [`az.%.${u}@example.test`]);
    await sql('DELETE FROM notifications WHERE user_id = ANY($1::bigint[])',
      [`{${made.users.map((p) => p.id).join(',')}}`]);
    await sql('DELETE FROM users WHERE id = ANY($1::bigint[])',
      [`{${made.users.map((p) => p.id).join(',')}}`]);
  }

  return { u, people, sessions, objects, secrets, cleanup };
}

export { BASE_URL, textOf };
