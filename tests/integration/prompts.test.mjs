// Reflection prompts, the timeline and what facilitators may know (issue 14 items 1, 2, 5),
// with the test clock:
//
// - Staff pages: a course's facilitators and directors add prompts to its reflection and
//   small-group sessions (one per audience: everyone, or one breakout's track), edit them
//   (a stale version is refused, the text kept) and delete one only before it opens; every
//   bad input is refused with a clear error and nothing written.
// - Invitations: before a session ends nobody is invited; after, its confirmed learners
//   (of its track, for a breakout's prompt) find the prompt on their home, in their
//   journal and on their timeline, and nobody else does (a learner waiting for payment, a
//   learner of another course, the course's staff). A prompt the learner cannot see
//   answers 404 on its page and on the journal's form; a form sent with one keeps the text
//   and saves nothing.
// - Writing from a prompt stores the link in clear, shows it with the entry and takes the
//   invitation off the home.
// - Counts: per prompt and group, how many wrote in the first seven days, hidden at 2,
//   hidden at 3 before the seven days, shown at 3 after them, frozen (a 4th writer moves
//   nothing), hidden when too many (5 of 6); never a name.
// - Every time on these pages keeps the rule of times-lib.mjs in the reader's zone.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { get, post, closeConnections } from './lib.mjs';
import { timeProblems } from './times-lib.mjs';
import {
  sql, closeSql, uniq, newAccount, testSession, setClock, realNow, formPage, csrfOf, mainText,
  alertText, signIn, count, preSession,
} from './accounts-lib.mjs';

const HOUR = 3600;
const DAY = 86400;
const u = uniq();
const made = { series: [], offerings: [], users: [] };

after(async () => {
  await setClock(0);
  if (made.series.length) {
    await sql('DELETE FROM series WHERE id = ANY($1::bigint[])', [`{${made.series.join(',')}}`]);
  }
  if (made.offerings.length) {
    await sql('DELETE FROM offerings WHERE id = ANY($1::bigint[])', [`{${made.offerings.join(',')}}`]);
  }
  if (made.users.length) {
    await sql('DELETE FROM users WHERE id = ANY($1::bigint[])', [`{${made.users.join(',')}}`]);
  }
  closeSql();
  closeConnections();
});

/** An offering of Core Practice (or of `course`), from `startDays` for `days` days. */
async function offering(tag, { course = null, startDays = 0, days = 3 } = {}) {
  const slug = `pr-${tag}-${u}`;
  const id = await sql(`INSERT INTO offerings (course_id, slug, starts_on, ends_on, time_zone, format,
                          notes)
                        SELECT coalesce(nullif($2, '')::bigint, (SELECT id FROM courses WHERE slug = 'core-practice')),
                               $1, current_date + $3::int, current_date + $3::int + $4::int - 1,
                               'America/New_York', 'live_online', 'Made by prompts.test.mjs.'
                        RETURNING id`, [slug, course ?? '', startDays, days]);
  if (!course) made.offerings.push(id);
  return { id, slug };
}

/** An agenda item of an offering ending at `ends` (unix seconds), an hour long. */
async function item(offeringId, title, kind, ends, { tracks = false } = {}) {
  const id = await sql(`INSERT INTO agenda_items (offering_id, day_number, starts_at, ends_at, title,
                          kind, tracks)
                        VALUES ($1, 1, to_timestamp($2::bigint - 3600), to_timestamp($2), $3, $4, $5)
                        RETURNING id`, [offeringId, ends, title, kind, tracks ? 'true' : 'false']);
  if (tracks) {
    await sql(`INSERT INTO agenda_breakouts (agenda_item_id, track, title)
               VALUES ($1, 'adult', $2 || ' — Adult'), ($1, 'pediatric', $2 || ' — Pediatric')`,
    [id, title]);
  }
  return id;
}

/** A person made in the database (the test door signs them in; no journal key). */
async function person(tag, track = 'adult') {
  const handle = `pr_${tag}_${u}`.slice(0, 30);
  const id = await sql(`INSERT INTO users (email, handle, display_name, profession, track)
                        VALUES ($1, $2, $3, 'nurse', $4) RETURNING id`,
  [`pr.${tag}.${u}@example.test`, handle, `Prompt ${tag} ${u}`, track]);
  made.users.push(id);
  return { id, handle, name: `Prompt ${tag} ${u}` };
}

async function enroll(userId, offeringId, role = 'learner', state = 'confirmed') {
  await sql(`INSERT INTO enrollments (offering_id, user_id, role, state, source, fee_category,
               created_at, confirmed_at)
             VALUES ($1, $2, $3, $4, 'import', 'nurse', now() - interval '30 days',
                     CASE WHEN $4 = 'confirmed' THEN now() - interval '29 days' END)`,
  [offeringId, userId, role, state]);
}

/** A prompt as its staff add it through the form; returns the response. */
async function addPrompt(jar, itemId, fields) {
  const { csrf } = await formPage(`/agenda-items/${itemId}/prompts/new`, jar);
  return post(`/agenda-items/${itemId}/prompts`, { csrf, ...fields }, { jar });
}

async function promptId(itemId, track = '') {
  return sql(`SELECT id FROM journal_prompts WHERE agenda_item_id = $1
                AND coalesce(track, '') = $2`, [itemId, track]);
}

/** The prompts listed as waiting on a page (their texts), from its prompt-waiting items. */
function waitingTexts(html) {
  return [...html.matchAll(/<li class="prompt-waiting">[\s\S]*?<p class="prompt-text">([^<]*)<\/p>/g)]
    .map((m) => m[1]);
}

/** The page at path for jar, 200, its times kept to the rule (readers here are in New York). */
async function page200(path, jar, zone = 'America/New_York') {
  const r = await get(path, { jar });
  assert.equal(r.status, 200, `GET ${path}: ${r.status}`);
  assert.deepEqual(timeProblems(r.body, zone), [], `the times of ${path}`);
  return r;
}

// ---------------------------------------------------------------- invitations and staff pages

const T1 = realNow() + 2 * HOUR;        // the reflection session ends
const T2 = realNow() + 3 * HOUR;        // the small-group breakouts end
const texts = {
  all: `Prompt for everyone ${u}: what stayed with you today?`,
  adult: `Prompt for the adult breakout ${u}: which patient came to mind?`,
  ped: `Prompt for the pediatric breakout ${u}: which family came to mind?`,
};
let course;
let other;
let items;
const people = {};
const jars = {};

async function sessions() {
  for (const [role, p] of Object.entries(people)) jars[role] = await testSession(p.handle);
}

test('set up a course with a reflection session and small-group breakouts', async () => {
  course = await offering('a');
  other = await offering('b');
  items = {
    reflection: await item(course.id, `Small Group Reflection ${u}`, 'reflection', T1),
    breakouts: await item(course.id, `Small group practice ${u}`, 'small_group', T2, { tracks: true }),
    plenary: await item(course.id, `Plenary ${u}`, 'plenary', T1),
    later: await item(course.id, `Closing reflection ${u}`, 'reflection', realNow() + 5 * DAY),
    otherReflection: await item(other.id, `Other course reflection ${u}`, 'reflection', T1),
  };
  people.director = await person('dir', 'both');
  people.facilitator = await person('fac');
  people.adult = await person('adult', 'adult');
  people.ped = await person('ped', 'pediatric');
  people.both = await person('both', 'both');
  people.pending = await person('pending', 'adult');
  people.other = await person('other', 'adult');
  await enroll(people.director.id, course.id, 'director');
  await enroll(people.facilitator.id, course.id, 'facilitator');
  for (const r of ['adult', 'ped', 'both']) await enroll(people[r].id, course.id);
  await enroll(people.pending.id, course.id, 'learner', 'pending_payment');
  await enroll(people.other.id, other.id);
  await sessions();
});

test('staff add prompts to reflection and small-group sessions, and only to those', async () => {
  const page = await get(`/offerings/${course.slug}/prompts`, { jar: jars.facilitator });
  assert.equal(page.status, 200);
  const text = mainText(page.body);
  assert.match(text, new RegExp(`Small Group Reflection ${u}`));
  assert.match(text, new RegExp(`Small group practice ${u}`));
  assert.doesNotMatch(text, new RegExp(`Plenary ${u}`), 'a plenary takes no prompt');

  let r = await addPrompt(jars.facilitator, items.reflection, { body: `  ${texts.all}\r\n` });
  assert.equal(r.status, 303, mainText(r.body));
  assert.equal(r.headers.location, `/offerings/${course.slug}/prompts?done=added#item-${items.reflection}`);
  assert.equal(await sql('SELECT body FROM journal_prompts WHERE agenda_item_id = $1', [items.reflection]),
    texts.all, 'stored trimmed, without the CR LF');
  r = await addPrompt(jars.director, items.breakouts, { track: 'adult', body: texts.adult });
  assert.equal(r.status, 303);
  r = await addPrompt(jars.director, items.breakouts, { track: 'pediatric', body: texts.ped });
  assert.equal(r.status, 303);
  r = await addPrompt(jars.director, items.later, { body: `Not open yet ${u}` });
  assert.equal(r.status, 303);
  const listed = await get(`/offerings/${course.slug}/prompts?done=added`, { jar: jars.director });
  for (const t of Object.values(texts)) assert.ok(listed.body.includes(t), `the list shows “${t}”`);
  assert.match(mainText(listed.body), /The prompt was added/);
});

test('bad prompts are refused with a clear error, and nothing is written', async () => {
  const before = await count('journal_prompts', 'agenda_item_id = ANY($1::bigint[])',
    [`{${Object.values(items).join(',')}}`]);
  const { csrf } = await formPage(`/agenda-items/${items.breakouts}/prompts/new`, jars.director);
  const cases = [
    [items.breakouts, { track: '', body: '   \n  ' }, 422, /cannot be empty/],
    [items.breakouts, { track: '', body: 'x'.repeat(1001) }, 422, /at most 1000 characters long; this one is 1001/],
    [items.reflection, { track: 'adult', body: 'For adults only' }, 422, /no breakouts/],
    [items.breakouts, { track: 'surgical', body: 'Which track?' }, 422, /Choose who the prompt is for/],
    [items.breakouts, { track: 'adult', body: 'A second adult prompt' }, 409, /already has a prompt for the adult breakout/],
  ];
  for (const [id, form, status, why] of cases) {
    const r = await post(`/agenda-items/${id}/prompts`, { csrf, ...form }, { jar: jars.director });
    assert.equal(r.status, status, `${JSON.stringify(form).slice(0, 60)}: ${r.status}`);
    assert.match(alertText(r.body), why);
    if (form.body.trim()) assert.ok(r.body.includes(form.body), 'the text typed comes back');
  }
  // A plenary session: 404 with the reason for staff.
  let r = await post(`/agenda-items/${items.plenary}/prompts`, { csrf, body: 'x' }, { jar: jars.director });
  assert.equal(r.status, 404);
  assert.match(mainText(r.body), /reflection and small-group sessions/);
  // Not staff: 404, as if the session did not exist; anonymous: sign in; no token: 403.
  const learner = await formPage('/profile', jars.adult);
  r = await post(`/agenda-items/${items.reflection}/prompts`, { csrf: learner.csrf, body: 'x' },
    { jar: jars.adult });
  assert.equal(r.status, 404);
  const anonymous = await preSession();
  r = await post(`/agenda-items/${items.reflection}/prompts`, { csrf: anonymous.csrf, body: 'x' },
    { jar: anonymous.jar });
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, '/signin');
  r = await post(`/agenda-items/${items.later}/prompts`, { csrf: 'forged', body: 'x' }, { jar: jars.director });
  assert.equal(r.status, 403);
  for (const path of ['/agenda-items/abc/prompts/new', '/agenda-items/0/prompts/new',
    '/agenda-items/999999999999/prompts/new', `/offerings/no-such-${u}/prompts`]) {
    assert.equal((await get(path, { jar: jars.director })).status, 404, path);
  }
  assert.equal((await get(`/offerings/${course.slug}/prompts`, { jar: jars.adult })).status, 404);
  assert.equal(await count('journal_prompts', 'agenda_item_id = ANY($1::bigint[])',
    [`{${Object.values(items).join(',')}}`]), before);
});

test('before a session ends nobody is invited; after, its learners of that track only', async () => {
  const all = await promptId(items.reflection);
  const adult = await promptId(items.breakouts, 'adult');
  const ped = await promptId(items.breakouts, 'pediatric');
  const waiting = async (role) => waitingTexts((await get('/home', { jar: jars[role] })).body);
  try {
    await setClock(T1 - 60);
    await sessions();
    for (const role of ['adult', 'ped', 'both', 'pending', 'other', 'facilitator']) {
      assert.deepEqual(await waiting(role), [], `${role}: nothing waits before the session ends`);
    }
    assert.equal((await get(`/prompts/${all}`, { jar: jars.adult })).status, 404);
    assert.equal((await get(`/journal/new?prompt=${all}`, { jar: jars.adult })).status, 404);
    assert.equal((await get(`/prompts/${all}`, { jar: jars.facilitator })).status, 200,
      'its staff see it before it opens');

    await setClock(T1 + 60);
    await sessions();
    assert.deepEqual(await waiting('adult'), [texts.all], 'the breakouts have not ended yet');
    assert.deepEqual(await waiting('ped'), [texts.all]);
    for (const role of ['pending', 'other', 'facilitator', 'director']) {
      assert.deepEqual(await waiting(role), [], `${role}: not invited`);
    }

    await setClock(T2 + 60);
    await sessions();
    assert.deepEqual(await waiting('adult'), [texts.adult, texts.all], 'newest first');
    assert.deepEqual(await waiting('ped'), [texts.ped, texts.all]);
    assert.deepEqual(await waiting('both'), [texts.adult, texts.all], 'both: the adult breakout');
    for (const role of ['pending', 'other', 'facilitator']) {
      assert.deepEqual(await waiting(role), [], `${role}: not invited`);
    }
    // The journal lists them too, and the timeline places them on the course's day 1.
    assert.deepEqual(waitingTexts((await page200('/journal', jars.ped)).body), [texts.ped, texts.all]);
    await page200('/home', jars.ped);
    await page200(`/offerings/${course.slug}/prompts`, jars.facilitator);
    await page200(`/prompts/${adult}`, jars.facilitator);
    await page200(`/prompts/${adult}/edit`, jars.director);
    await page200(`/agenda-items/${items.reflection}/prompts/new`, jars.director);
    const timeline = await page200('/journal/timeline', jars.ped);
    assert.equal(timeline.status, 200);
    assert.equal(timeline.headers['cache-control'], 'no-store');
    assert.deepEqual(waitingTexts(timeline.body), [texts.all, texts.ped]);
    assert.match(mainText(timeline.body), /Course 2: Core Practice of Palliative Care/);

    // A prompt the learner cannot see: 404 on its page and on the journal's form.
    for (const [role, id] of [['adult', ped], ['ped', adult], ['pending', all], ['other', all],
      ['adult', await promptId(items.later)]]) {
      assert.equal((await get(`/prompts/${id}`, { jar: jars[role] })).status, 404, `${role} /prompts/${id}`);
      assert.equal((await get(`/journal/new?prompt=${id}`, { jar: jars[role] })).status, 404,
        `${role} /journal/new?prompt=${id}`);
    }
    for (const bad of ['abc', '0', '-1', '999999999999', '']) {
      assert.equal((await get(`/journal/new?prompt=${bad}`, { jar: jars.adult })).status, 404, `prompt=${bad}`);
    }
    // Its learners read it, and may not change it.
    const page = await get(`/prompts/${adult}`, { jar: jars.adult });
    assert.equal(page.status, 200);
    assert.ok(page.body.includes(texts.adult));
    assert.match(mainText(page.body), /Write from this prompt/);
    assert.equal((await get(`/prompts/${adult}/edit`, { jar: jars.adult })).status, 403);
  } finally {
    await setClock(0);
  }
});

test('an entry written from a prompt links to it in clear, and the invitation goes', async () => {
  const all = await promptId(items.reflection);
  const ped = await promptId(items.breakouts, 'pediatric');
  const writer = await newAccount({ tag: 'prw' });
  made.users.push(writer.id);
  await sql("UPDATE users SET track = 'adult' WHERE id = $1", [writer.id]);
  await enroll(writer.id, course.id);
  try {
    await setClock(T2 + 120);
    const { jar } = await signIn(writer.email, writer.password);
    assert.deepEqual(waitingTexts((await get('/home', { jar })).body), [texts.adult, texts.all]);
    const form = await get(`/journal/new?prompt=${all}`, { jar });
    assert.equal(form.status, 200);
    assert.ok(form.body.includes(texts.all), 'the form shows the prompt');
    assert.match(form.body, new RegExp(`<input type="hidden" name="prompt" value="${all}">`));
    const csrf = csrfOf(form.body);

    // A prompt of the other track sent with the form: the text comes back, nothing is saved.
    const before = await count('journal_entries', 'user_id = $1', [writer.id]);
    const refused = await post('/journal', { csrf, prompt: ped, title: '', body: `Kept text ${u}`, tags: '' }, { jar });
    assert.equal(refused.status, 422);
    assert.match(alertText(refused.body), /not open to you, so nothing was saved/);
    assert.ok(refused.body.includes(`Kept text ${u}`));
    assert.doesNotMatch(refused.body, /name="prompt"/, 'the form no longer carries that prompt');
    assert.equal(await count('journal_entries', 'user_id = $1', [writer.id]), before);

    const r = await post('/journal', { csrf, prompt: all, title: `From the prompt ${u}`,
      body: 'What stayed with me.', tags: 'reflection', offering: course.id }, { jar });
    assert.equal(r.status, 303, alertText(r.body));
    const id = /^\/journal\/(\d+)$/.exec(r.headers.location)[1];
    assert.equal(await sql('SELECT prompt_id FROM journal_entries WHERE id = $1', [id]), all,
      'the link is stored in clear');
    const entry = await page200(`/journal/${id}`, jar, writer.fields.time_zone);
    assert.ok(entry.body.includes(texts.all), 'the entry shows its prompt');
    assert.match(entry.body, new RegExp(`href="/prompts/${all}"`));
    assert.deepEqual(waitingTexts((await get('/home', { jar })).body), [texts.adult],
      'the prompt written from no longer waits');
    const page = await get(`/prompts/${all}`, { jar });
    assert.match(mainText(page.body), /What you wrote from it/);
    assert.match(page.body, new RegExp(`href="/journal/${id}"`));
    // The timeline places the entry, with its title, under its prompt.
    const timeline = await get('/journal/timeline', { jar });
    assert.match(timeline.body, new RegExp(`Prompt after “Small Group Reflection ${u}”[\\s\\S]*From the prompt ${u}`));
    // An entry of no course and no prompt has its own place on the timeline.
    const loose = await post('/journal', { csrf, title: `Of no course ${u}`, body: 'Just for me.',
      tags: '', offering: '' }, { jar });
    assert.equal(loose.status, 303, alertText(loose.body));
    const placed = mainText((await page200('/journal/timeline', jar, writer.fields.time_zone)).body);
    assert.match(placed, new RegExp(`Not tied to a course Of no course ${u}`));
    // Editing keeps the link.
    const edit = await formPage(`/journal/${id}/edit`, jar);
    assert.ok(edit.res.body.includes(texts.all));
    const saved = await post(`/journal/${id}/edit`, { csrf: edit.csrf, title: 'Changed', body: 'Changed.',
      tags: '', offering: course.id }, { jar });
    assert.equal(saved.status, 303);
    assert.equal(await sql('SELECT prompt_id FROM journal_entries WHERE id = $1', [id]), all);
  } finally {
    await setClock(0);
  }
});

test('staff edit a prompt (a stale form is refused) and delete one only before it opens', async () => {
  const all = await promptId(items.reflection);
  const later = await promptId(items.later);
  const jar = jars.director = await testSession(people.director.handle);
  const edit = await formPage(`/prompts/${all}/edit`, jar);
  const version = /name="version" value="(\d+)"/.exec(edit.res.body)[1];
  texts.all = `Reworded for everyone ${u}`;
  let r = await post(`/prompts/${all}/edit`, { csrf: edit.csrf, version, body: texts.all }, { jar });
  assert.equal(r.status, 303);
  r = await post(`/prompts/${all}/edit`, { csrf: edit.csrf, version, body: `Stale ${u}` }, { jar });
  assert.equal(r.status, 409);
  assert.match(alertText(r.body), /saved this prompt meanwhile/);
  assert.ok(r.body.includes(`Stale ${u}`), 'the stale text comes back');
  r = await post(`/prompts/${all}/edit`, { csrf: edit.csrf, body: 'No version' }, { jar });
  assert.equal(r.status, 422);
  r = await post(`/prompts/${all}/edit`, { csrf: edit.csrf, version: String(Number(version) + 1), body: '' }, { jar });
  assert.equal(r.status, 422);
  assert.equal(await sql('SELECT body FROM journal_prompts WHERE id = $1', [all]), texts.all);

  // An open prompt stays (learners may have written from it); one not yet open goes, asked first.
  try {
    await setClock(T2 + 60);
    const staff = await testSession(people.director.handle);
    const open = await get(`/prompts/${all}/delete`, { jar: staff });
    assert.equal(open.status, 409);
    assert.match(mainText(open.body), /cannot be deleted/);
    const { csrf } = await formPage(`/prompts/${later}/delete`, staff);
    r = await post(`/prompts/${all}/delete`, { csrf, confirmed: 'yes' }, { jar: staff });
    assert.equal(r.status, 409);
    assert.equal(await count('journal_prompts', 'id = $1', [all]), 1);
    r = await post(`/prompts/${later}/delete`, { csrf }, { jar: staff });
    assert.equal(r.status, 303, 'without confirmed=yes it asks first');
    assert.equal(r.headers.location, `/prompts/${later}/delete`);
    assert.equal(await count('journal_prompts', 'id = $1', [later]), 1);
    r = await post(`/prompts/${later}/delete`, { csrf, confirmed: 'yes' }, { jar: staff });
    assert.equal(r.status, 303);
    assert.equal(await count('journal_prompts', 'id = $1', [later]), 0);
  } finally {
    await setClock(0);
  }
});

// ---------------------------------------------------------------- what facilitators may know

test('counts: hidden at 2, hidden at 3 before seven days, shown after, frozen, hidden at 5 of 6', async () => {
  // A series of our own: a course running for a month (its facilitator moderates its group
  // throughout), a group of six adult learners, and three prompts that opened an hour ago.
  const series = await sql(`INSERT INTO series (slug, title) VALUES ($1, $2) RETURNING id`,
    [`pr-series-${u}`, `Prompt Series ${u}`]);
  made.series.push(series);
  const courseId = await sql(`INSERT INTO courses (series_id, position, slug, title)
                              VALUES ($1, 1, $2, $3) RETURNING id`, [series, `pr-course-${u}`, `Prompt Course ${u}`]);
  const run = await offering('c', { course: courseId, startDays: -1, days: 30 });
  const T0 = realNow() - HOUR;
  const p = {};
  for (const n of [2, 3, 5]) {
    const itemId = await item(run.id, `Reflection ${n} ${u}`, 'reflection', T0);
    p[n] = await sql(`INSERT INTO journal_prompts (agenda_item_id, body, created_at, updated_at)
                      VALUES ($1, $2, now(), now()) RETURNING id`, [itemId, `Count prompt ${n} ${u}`]);
  }
  const group = await sql(`INSERT INTO groups (series_id, track, name) VALUES ($1, 'adult', $2) RETURNING id`,
    [series, `Prompt Group ${u}`]);
  const otherGroup = await sql(`INSERT INTO groups (series_id, track, name) VALUES ($1, 'adult', $2) RETURNING id`,
    [series, `Prompt Other Group ${u}`]);
  const facilitator = await person('cfac');
  const otherFacilitator = await person('cofac');
  await enroll(facilitator.id, run.id, 'facilitator');
  await enroll(otherFacilitator.id, run.id, 'facilitator');
  await sql(`INSERT INTO group_facilitators (group_id, offering_id, user_id, assigned_at)
             VALUES ($1, $3, $2, now()), ($4, $3, $5, now())`,
  [group, facilitator.id, run.id, otherGroup, otherFacilitator.id]);
  // Six members; the sixth writes through the real form.
  const members = [];
  for (let i = 1; i <= 5; i++) members.push(await person(`cm${i}`));
  const writer = await newAccount({ tag: 'prc' });
  made.users.push(writer.id);
  await sql("UPDATE users SET track = 'adult' WHERE id = $1", [writer.id]);
  members.push({ id: writer.id, handle: writer.handle, name: writer.fields.display_name });
  for (const m of members) {
    await enroll(m.id, run.id);
    await sql(`INSERT INTO group_members (group_id, series_id, user_id, offering_id, joined_at)
               VALUES ($1, $2, $3, $4, now() - interval '2 days')`, [group, series, m.id, run.id]);
  }
  // Entries in clear as the counts read them (their sealed text is never opened here).
  const wrote = async (m, prompt, at) => {
    await sql(`INSERT INTO journal_keys (user_id, version) VALUES ($1, 1) ON CONFLICT DO NOTHING`, [m.id]);
    await sql(`INSERT INTO journal_entries (user_id, key_version, sealed, created_at, updated_at,
                 offering_id, prompt_id)
               VALUES ($1, 1, decode(repeat('ab', 296), 'hex'), to_timestamp($2), to_timestamp($2), $3, $4)`,
    [m.id, at, run.id, prompt]);
  };
  for (const m of members.slice(0, 2)) await wrote(m, p[2], T0 + HOUR);
  for (const m of members.slice(0, 3)) await wrote(m, p[3], T0 + 2 * HOUR);
  for (const m of members.slice(0, 5)) await wrote(m, p[5], T0 + 3 * DAY);

  /** The dashboard's line for prompt n in our group, as text. */
  const line = async (jar, n) => {
    const r = await page200('/dashboard', jar);
    const section = new RegExp(`<section class="dashboard-group"[^>]*>\\s*<h2[^>]*><a href="/groups/${group}">[\\s\\S]*?</section>`).exec(r.body);
    assert.ok(section, 'the dashboard shows the group');
    const li = new RegExp(`<li><a href="/prompts/${p[n]}">[\\s\\S]*?</li>`).exec(section[0]);
    assert.ok(li, `the group lists prompt ${n}`);
    for (const m of members) assert.ok(!li[0].includes(m.name), 'never who');
    return mainText(li[0]);
  };
  const frozen = async (n) => sql(`SELECT coalesce(reflected::text, 'hidden') || '/' || group_size
                                      FROM journal_prompt_counts WHERE prompt_id = $1 AND group_id = $2`,
  [p[n], group]);
  try {
    // Three days after: nothing shows yet, and nothing is frozen.
    await setClock(T0 + 3 * DAY);
    let jar = await testSession(facilitator.handle);
    assert.match(await line(jar, 3), /Shows on .*a week after the prompt opened/);
    assert.doesNotMatch(await line(jar, 3), /of 6 members/);
    assert.equal(await frozen(3), '', 'not frozen before the seven days');

    // Eight days after: 2 is too few, 3 of 6 shows, 5 of 6 is too many; all frozen.
    await setClock(T0 + 8 * DAY);
    jar = await testSession(facilitator.handle);
    assert.match(await line(jar, 2), /Too few or too many to show without naming people/);
    assert.match(await line(jar, 3), /^\s*Reflection 3 .*\b3 of 6 members wrote from it in its first week\./);
    assert.match(await line(jar, 5), /Too few or too many to show without naming people/);
    assert.equal(await frozen(2), 'hidden/6');
    assert.equal(await frozen(3), '3/6');
    assert.equal(await frozen(5), 'hidden/6');
    // The prompt's own page says the same to the group's facilitator; the other group's
    // facilitator has no learner of it; a learner gets the prompt, without counts.
    const page = await get(`/prompts/${p[3]}`, { jar });
    assert.match(mainText(page.body), new RegExp(`Prompt Group ${u}: 3 of 6 members wrote`));
    const otherPage = await get(`/prompts/${p[3]}`, { jar: await testSession(otherFacilitator.handle) });
    assert.match(mainText(otherPage.body), /None of your groups has learners in this course/);
    const learnerPage = await get(`/prompts/${p[3]}`, { jar: await testSession(members[0].handle) });
    assert.equal(learnerPage.status, 200);
    assert.doesNotMatch(mainText(learnerPage.body), /of 6 members|Who reflected|Too few/);

    // A fourth member writes, through the form, after the seven days: nothing moves.
    await setClock(T0 + 9 * DAY);
    const { jar: writerJar } = await signIn(writer.email, writer.password);
    const { csrf } = await formPage(`/journal/new?prompt=${p[3]}`, writerJar);
    const r = await post('/journal', { csrf, prompt: p[3], title: '', body: 'Late, but here.', tags: '' },
      { jar: writerJar });
    assert.equal(r.status, 303, alertText(r.body));
    assert.equal(await count('journal_entries', 'prompt_id = $1', [p[3]]), 4);
    jar = await testSession(facilitator.handle);
    assert.match(await line(jar, 3), /\b3 of 6 members wrote/);
    assert.equal(await frozen(3), '3/6');
    // Even an entry written within the seven days and found later would not move it.
    await wrote(members[4], p[3], T0 + 2 * DAY);
    assert.match(await line(jar, 3), /\b3 of 6 members wrote/);
  } finally {
    await setClock(0);
  }
});
