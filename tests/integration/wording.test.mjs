// What pages say (issue 9, item 9): breakout sessions are not "Whole-cohort sessions" to a
// screen reader; counts agree with their nouns ("1 learner"); the reset page says where the
// recovery code really is; the sign-in page knows that enrolling makes an account; time-zone
// pickers show friendly names and submit the identifier, from one list; pages that mention
// the private journal, which is not built yet, say so. (The pager and the way to reply from
// any page of a long thread are in forum.test.mjs, "long threads"; the team table at phone
// width in tests/browser/teams.test.mjs.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { get, post, closeConnections, textOf } from './lib.mjs';
import {
  db, closeDb, cleanupMark, cleanUp, makeOffering, makeUsers, adminJar, UPCOMING,
} from './enroll-lib.mjs';
import {
  closeSql, createReset, newAccount, mainText, csrfOf, testSession,
} from './accounts-lib.mjs';

const CP = 'core-practice-2026-05';
let mark;

before(async () => { mark = await cleanupMark(); });
after(async () => {
  if (mark) await cleanUp(mark);
  closeDb();
  closeSql();
  closeConnections();
});

async function page(path, jar) {
  const r = await get(path, jar ? { jar } : {});
  assert.equal(r.status, 200, `GET ${path}: ${r.status} ${r.headers.location || ''}`);
  return r.body;
}

/** The agenda items of a page: [{ title, tracks, label }] (label: the screen-reader kind). */
function agendaItems(html) {
  return [...html.matchAll(/<li class="agenda-item kind-[a-z_]+">([\s\S]*?)<\/li>/g)].map((m) => ({
    title: textOf(/<p class="agenda-title">([\s\S]*?)<\/p>/.exec(m[1])[1]),
    tracks: m[1].includes('<span class="tag">Adult and Pediatric</span>'),
    label: textOf((/<p class="visually-hidden">([\s\S]*?)<\/p>/.exec(m[1]) ||
      /<div class="muted">([^·<]*)·/.exec(m[1]) || ['', ''])[1]).trim(),
  }));
}

test('breakout items are labelled as breakouts, on the public and the admin agenda', async () => {
  const items = agendaItems(await page(`/offerings/${CP}`));
  const breakouts = items.filter((i) => i.tracks);
  assert.ok(breakouts.length >= 3, 'the demo agenda has adult and pediatric breakouts');
  for (const b of breakouts) {
    assert.equal(b.label, 'Parallel breakouts, adult and pediatric', `${b.title}: ${b.label}`);
  }
  assert.ok(items.some((i) => !i.tracks && i.label === 'Whole-cohort session'),
    'whole-cohort sessions keep their label');
  const oid = await db('SELECT id FROM offerings WHERE slug = $1', [CP]);
  const admin = agendaItems(await page(`/admin/offerings/${oid}/agenda`, await adminJar()));
  for (const b of admin.filter((i) => i.tracks)) {
    assert.equal(b.label, 'Parallel breakouts, adult and pediatric', `admin agenda: ${b.title}`);
  }
});

test('counts agree with their nouns: 1 learner, 1 item', async () => {
  const o = await makeOffering({ tag: 'count' });
  const [learner] = await makeUsers(1, { tag: 'cnt' });
  await db(`INSERT INTO enrollments (offering_id, user_id, role, state, source, created_at)
            VALUES ($1, $2, 'learner', 'pending_payment', 'self', now())`, [o.id, learner.id]);
  await db(`INSERT INTO agenda_items (offering_id, day_number, starts_at, ends_at, title, kind)
            SELECT id, 1, starts_on + time '10:00', starts_on + time '11:00', 'Only item', 'plenary'
              FROM offerings WHERE id = $1`, [o.id]);
  const jar = await adminJar();
  const form = mainText(await page(`/admin/offerings/${o.id}`, jar));
  assert.match(form, /Places for learners\. Enrolled now: 1 learner\./, form);
  assert.match(form, /Agenda \(1 item\)/);
  assert.doesNotMatch(form, /\b1 (learners|items)\b/);
  const course = await db("SELECT id FROM courses WHERE slug = 'core-practice'");
  const list = mainText(await page(`/admin/courses/${course}`, jar));
  assert.match(list, new RegExp(`(?<![0-9])1 item in the agenda of ${o.slug}`), 'the catalogue lists "1 item"');
  // Two of each: plural.
  const [second] = await makeUsers(1, { tag: 'cnt' });
  await db(`INSERT INTO enrollments (offering_id, user_id, role, state, source, created_at)
            VALUES ($1, $2, 'learner', 'pending_payment', 'self', now())`, [o.id, second.id]);
  assert.match(mainText(await page(`/admin/offerings/${o.id}`, jar)), /Enrolled now: 2 learners\./);
});

test('the reset page says where the recovery code is; the profile indeed does not show it', async () => {
  const acct = await newAccount({ tag: 'resetword' });
  const profile = await page('/profile', acct.jar);
  assert.ok(!profile.includes(acct.code), 'the profile does not show the recovery code');
  const { token } = await createReset(acct.id);
  const text = mainText(await page(`/reset?token=${token}`));
  assert.doesNotMatch(text, /from your profile/);
  assert.match(text, /the recovery code Cairn showed you once when you created your account/);
  assert.match(text, /Cairn keeps no copy it could show you again/);
});

test('the sign-in page: enrolling makes an account too', async () => {
  const html = await page('/signin');
  assert.doesNotMatch(mainText(html), /Accounts come from an invitation/);
  assert.match(html, /No account yet\? You make one when you <a href="\/">enroll in a course<\/a>, or from an invitation\./);
});

/** The options of the time-zone select: [{ value, label, selected }]. */
function zoneOptions(html) {
  const select = /<select id="time_zone" name="time_zone"[^>]*>([\s\S]*?)<\/select>/.exec(html);
  assert.ok(select, 'a time-zone select');
  return [...select[1].matchAll(/<option value="([^"]*)"( selected)?>([^<]*)<\/option>/g)]
    .map((m) => ({ value: m[1], label: m[3], selected: Boolean(m[2]) }));
}

test('time-zone pickers: friendly names, the identifier submitted, one list everywhere', async () => {
  const acct = await newAccount({ tag: 'zonepick' });
  const profile = zoneOptions(await page('/profile', acct.jar));
  assert.deepEqual(profile.find((o) => o.value === 'America/Los_Angeles'),
    { value: 'America/Los_Angeles', label: 'US Pacific Time (Los Angeles)', selected: false });
  assert.deepEqual(profile.find((o) => o.selected), { value: 'America/Chicago', label: 'US Central Time (Chicago)', selected: true },
    'the account\'s zone (America/Chicago) is chosen');
  for (const o of profile) {
    assert.doesNotMatch(o.label, /^[A-Za-z]+\/[A-Za-z_/]+$/, `a friendly name, not ${o.label}`);
    assert.notEqual(o.label, o.value);
  }
  const o = await db('SELECT id FROM offerings WHERE slug = $1', [UPCOMING]);
  const admin = zoneOptions(await page(`/admin/offerings/${o}`, await adminJar()));
  const strip = (list) => list.map(({ value, label }) => ({ value, label }));
  assert.deepEqual(strip(admin), strip(profile), 'the offering form offers the same list');
  assert.equal(admin.find((x) => x.selected).value, 'America/New_York');
  // Choosing a friendly name submits the identifier, which is what is saved.
  const form = await page('/profile', acct.jar);
  const fields = {
    csrf: csrfOf(form), display_name: acct.fields.display_name, handle: acct.fields.handle,
    profession: acct.fields.profession, pronouns: acct.fields.pronouns, track: acct.fields.track,
    time_zone: 'America/Los_Angeles',
  };
  const r = await post('/profile', fields, { jar: acct.jar });
  assert.equal(r.status, 303, `POST /profile: ${r.status} ${mainText(r.body).slice(0, 200)}`);
  assert.equal(r.headers.location, '/profile?done=details');
  assert.equal(await db('SELECT time_zone FROM users WHERE id = $1', [acct.id]), 'America/Los_Angeles');
  assert.equal(zoneOptions(await page('/profile', acct.jar)).find((x) => x.selected).label,
    'US Pacific Time (Los Angeles)');
});

test('pages that mention the private journal speak of it as it is, no longer as coming soon', async () => {
  const fresh = await newAccount({ tag: 'jrn', confirm: false });
  const done = await newAccount({ tag: 'jrn2' });
  const { token } = await createReset(done.id);
  const pages = [
    // A second session of the account that has not confirmed its code: the home's reminder.
    ['/recovery-code', fresh.jar], ['/home', await testSession(fresh.handle)], ['/profile', fresh.jar],
    ['/profile/password', done.jar], ['/recover', done.jar], [`/reset?token=${token}`, null],
    [`/offerings/${UPCOMING}/enroll`, null],
  ];
  for (const [path, jar] of pages) {
    const html = await page(path, jar);
    assert.match(mainText(html), /journal/i, `${path} mentions the journal`);
    // The journal exists since issue 13: no page may still announce it.
    assert.doesNotMatch(mainText(html), /coming soon/i, `${path} no longer says the journal is coming`);
  }
});
