// Stepping away (issue 12 item 5), over real HTTP against the test server, every effect
// checked in the database and on the pages: a member who steps away from a thread gets no
// notification from it (a mention included), no outbox message, and no unread count from it
// (the header's badge, /spaces and the home page, the space's thread list), while another
// thread and another space still notify and count; reading it still works; the page says
// until when, in a <time> in the reader's zone; it ends on its own on the pinned clock;
// stepping away from a space silences all of its threads and nothing else; coming back
// early works (twice is harmless). Bad inputs (zero, negative, a year, a length not
// offered, not a number, a thread or space one cannot read, unknown or malformed ids,
// someone else trying to end one's break, a bad CSRF token, no sign-in) are refused with
// the exact status, and change nothing.
//
// The cast is made for this file in the two Foundations cohorts (the demo leaves them
// empty): a learner of both who steps away, a learner of both who writes, and a learner of
// the second cohort only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeConnections, get, post, textOf } from './lib.mjs';
import { setClock, closeSql, realNow, preSession } from './accounts-lib.mjs';
import {
  sql, uniq, makePerson, spaceOf, startThread, reply, act, threadList, spaceBadges, headerBadge,
  notificationsOn,
} from './forum-lib.mjs';
import { errorText, page } from './restriction-lib.mjs';

const F25 = 'foundations-2025-10';
const F26 = 'foundations-2026-01';
const DAY = 86400;

let S;   // the F25 cohort space
let S26; // the F26 cohort space
let A;   // steps away (F25 and F26)
let B;   // writes (F25 and F26)
let C;   // reads F26 only
let T0;  // the pinned clock's start

before(async () => {
  S = await spaceOf(F25);
  S26 = await spaceOf(F26);
  A = await makePerson({ tag: 'awa', enrolled: [F25, F26], zone: 'America/Chicago' });
  B = await makePerson({ tag: 'awb', enrolled: [F25, F26] });
  C = await makePerson({ tag: 'awc', enrolled: [F26] });
  T0 = realNow() - 3 * DAY;
  await setClock(T0);
});

after(async () => {
  await setClock(0).catch(() => {});
  closeSql();
  closeConnections();
});

const count = async (q, params) => Number(await sql(q, params));

/** A's notifications about thread t (any state). */
const notes = (t) => count('SELECT count(*) FROM notifications WHERE user_id = $1 AND thread_id = $2',
  [A.id, t]);

/** Messages queued to A about the thread titled `title`. */
const mail = (title) => count(`SELECT count(*) FROM outbox WHERE to_email = $1
  AND kind LIKE 'notification-%' AND strpos(subject, $2) > 0`, [A.email, title]);

/** The badge the header shows A now. */
async function badge() {
  return headerBadge((await page('/spaces', A.jar)).body);
}

/** What the header badge should count: A's unread notifications outside `awayThreads` and
 * the spaces in `awaySpaces`. */
async function expectedBadge(awayThreads = [], awaySpaces = []) {
  return count(`SELECT count(*) FROM notifications n JOIN threads t ON t.id = n.thread_id
    WHERE n.user_id = $1 AND n.read_at IS NULL AND NOT t.hidden
    AND NOT t.id = ANY($2::bigint[]) AND NOT t.space_id = ANY($3::bigint[])`,
  [A.id, `{${awayThreads.join(',')}}`, `{${awaySpaces.join(',')}}`]);
}

/** A's unread posts in space s, leaving out the threads in `except` (A reads nothing). */
async function expectedSpaceUnread(s, except = []) {
  return count(`SELECT coalesce(sum(t.last_number - coalesce(rd.last_number, 0)), 0)
    FROM threads t LEFT JOIN reads rd ON rd.thread_id = t.id AND rd.user_id = $1
    WHERE t.space_id = $2 AND NOT t.hidden AND NOT t.id = ANY($3::bigint[])`,
  [A.id, s, `{${except.join(',')}}`]);
}

/** The step-away callouts of a page: [{ kind, text, iso, back }]. */
function callouts(html) {
  return [...html.matchAll(/<div class="callout away" id="away-(thread|space)"><p>([\s\S]*?)<\/p>\s*<form method="post" action="([^"]+)"/g)]
    .map((m) => ({ kind: m[1], text: textOf(m[2]), iso: (/<time datetime="([^"]+)">/.exec(m[2]) || [])[1],
      back: m[3] }));
}

/** The ISO local time with offset of unix seconds in a zone, as zone.c writes it. */
async function isoIn(unix, zone) {
  const local = await sql(`SELECT to_char(to_timestamp($1) AT TIME ZONE $2, 'YYYY-MM-DD"T"HH24:MI:SS')`,
    [unix, zone]);
  const off = await count(`SELECT extract(epoch FROM (to_timestamp($1) AT TIME ZONE $2)
    - (to_timestamp($1) AT TIME ZONE 'UTC'))::int / 60`, [unix, zone]);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** Every step-away row, as text: the fingerprint a refused request must leave alone. */
const awayRows = () => sql(`SELECT coalesce(string_agg(x::text, E'\\n' ORDER BY x.id), '')
  FROM step_aways x`);

// ---------------------------------------------------------------------------------------
test('the form offers six lengths, each with its end in the reader\'s zone', async () => {
  const t = await startThread(B.jar, S, `Form ${uniq()}`, 'A thread to step away from.');
  const r = await page(`/t/${t}/away`, A.jar);
  const choices = [...r.body.matchAll(/<input type="radio" name="days" value="(\d+)"( checked)?> <span>([^,]+), until <time datetime="([^"]+)">/g)];
  assert.deepEqual(choices.map((c) => Number(c[1])), [1, 3, 7, 14, 30, 90]);
  assert.deepEqual(choices.map((c) => c[3]), ['1 day', '3 days', '1 week', '2 weeks', '30 days', '90 days']);
  assert.equal(choices.find((c) => c[2])[1], '7', 'a week is chosen to begin with');
  for (const c of choices) {
    assert.equal(c[4], await isoIn(T0 + Number(c[1]) * DAY, A.zone), `${c[3]} ends then, in Chicago time`);
  }
  assert.match(r.body, /no notifications<\/strong>, not even when someone mentions you/,
    'the page says mentions are silenced too');
  const s = await page(`/s/${S}/away`, A.jar);
  assert.match(s.body, /<h1>Step away from this space<\/h1>/);
});

test('stepping away from a thread silences exactly that thread, and ends when it should', async () => {
  await setClock(T0);
  const title1 = `Away one ${uniq()}`;
  const title2 = `Still here two ${uniq()}`;
  const title3 = `Other cohort three ${uniq()}`;
  const t1 = await startThread(B.jar, S, title1, 'The first child I lost.');
  const t2 = await startThread(B.jar, S, title2, 'Fan therapy questions.');
  const t3 = await startThread(B.jar, S26, title3, 'Night shifts.');
  for (const t of [t1, t2, t3]) {
    assert.equal((await act(A.jar, `/t/${t}/follow`)).status, 303, `A follows ${t}`);
  }

  // A steps away from t1 for a day.
  const r = await act(A.jar, `/t/${t1}/away`, { days: '1' });
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, `/t/${t1}?away=stepped`);
  assert.equal(await count('SELECT count(*) FROM step_aways WHERE user_id = $1 AND thread_id = $2 AND until = to_timestamp($3)',
    [A.id, t1, T0 + DAY]), 1, 'one row, ending a day from the pinned now');
  const tp = await page(`/t/${t1}`, A.jar);
  const c = callouts(tp.body);
  assert.equal(c.length, 1);
  assert.equal(c[0].kind, 'thread');
  assert.match(c[0].text, /^You have stepped away from this thread until /);
  assert.equal(c[0].iso, await isoIn(T0 + DAY, A.zone), 'until when, in the reader\'s zone');
  assert.equal(c[0].back, `/t/${t1}/back`, 'a "Come back now" form');
  assert.match(tp.body, /<button type="submit" class="secondary">Come back now<\/button>/);

  // B writes in all three, mentioning A in each.
  await setClock(T0 + 600);
  await reply(B.jar, t1, `@${A.handle} are you all right?`);
  await reply(B.jar, t2, `@${A.handle} what do you think?`);
  await reply(B.jar, t3, `@${A.handle} same question here.`);
  assert.equal(await notes(t1), 0, 'no notification from the thread A stepped away from, mention included');
  assert.equal(await notes(t2), 1, 'another thread of the same space still notifies');
  assert.equal(await notes(t3), 1, 'a thread of another space still notifies');
  assert.equal(await mail(title1), 0, 'no outbox message from it');
  assert.equal(await mail(title2), 1, 'mail from the other thread');
  assert.equal(await mail(title3), 1, 'mail from the other space');

  // No unread from it: the header, /spaces, the home page and the thread list.
  assert.equal(await badge(), await expectedBadge([t1]));
  const spaces = spaceBadges((await page('/spaces', A.jar)).body);
  assert.equal(spaces.get(S), await expectedSpaceUnread(S, [t1]), 'the space counts everything but t1');
  assert.ok(spaces.get(S) > 0, 't2 still counts');
  assert.equal(spaces.get(S26), await expectedSpaceUnread(S26));
  const home = spaceBadges((await page('/home', A.jar)).body);
  assert.equal(home.get(S), spaces.get(S), 'the home page counts the same');
  const list = threadList((await page(`/s/${S}`, A.jar)).body).threads;
  const row1 = list.find((t) => t.id === t1);
  const row2 = list.find((t) => t.id === t2);
  assert.equal(row1.unread, 0, 'no unread badge on t1');
  assert.equal(row1.unreadClass, false, 'nor the unread marker');
  assert.equal(row1.href, `/t/${t1}`);
  assert.equal(row2.unread, 2, 't2 shows its two unread posts');

  // Reading it is still allowed.
  const read = await page(`/t/${t1}`, A.jar);
  assert.match(read.body, /are you all right\?/);

  // A day later (to the second) it has ended on its own.
  await setClock(T0 + DAY - 1);
  assert.equal(callouts((await page(`/t/${t1}`, A.jar)).body).length, 1, 'still away a second before');
  await reply(B.jar, t1, `@${A.handle} one second before the end.`);
  assert.equal(await notes(t1), 0);
  await setClock(T0 + DAY);
  const ended = await page(`/t/${t1}`, A.jar);
  assert.equal(callouts(ended.body).length, 0, 'the page no longer says A stepped away');
  assert.match(ended.body, new RegExp(`<a href="/t/${t1}/away">Step away from this thread for a while…</a>`));
  await setClock(T0 + DAY + 60);
  await reply(B.jar, t1, `@${A.handle} welcome back.`);
  assert.equal(await notes(t1), 1, 'the thread notifies A again');
  assert.equal(await mail(title1), 1);
  assert.equal(await badge(), await expectedBadge());
  const after = threadList((await page(`/s/${S}`, A.jar)).body).threads.find((t) => t.id === t1);
  assert.ok(after.unread > 0, 't1 counts as unread again');
});

test('stepping away from a space silences all of it and nothing else; coming back early works', async () => {
  await setClock(T0 + 2 * DAY);
  const titleIn = `In the space ${uniq()}`;
  const titleOut = `Elsewhere ${uniq()}`;
  const tin = await startThread(B.jar, S, titleIn, 'A hard week.');
  const tout = await startThread(B.jar, S26, titleOut, 'Another cohort.');
  await reply(B.jar, tin, `@${A.handle} before A steps away.`);
  assert.equal(await notes(tin), 1, 'a notification from before the step-away');

  const r = await act(A.jar, `/s/${S}/away`, { days: '3' });
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, `/s/${S}?away=stepped`);
  const sp = await page(`/s/${S}`, A.jar);
  const c = callouts(sp.body);
  assert.equal(c.length, 1);
  assert.match(c[0].text, /^You have stepped away from this space until /);
  assert.equal(c[0].iso, await isoIn(T0 + 5 * DAY, A.zone));
  assert.equal(c[0].back, `/s/${S}/back`);
  assert.ok(threadList(sp.body).threads.every((t) => t.unread === 0 && !t.unreadClass),
    'no thread of the space shows unread');

  await setClock(T0 + 2 * DAY + 60);
  await reply(B.jar, tin, `@${A.handle} while A is away.`);
  await reply(B.jar, tout, `@${A.handle} in the other cohort.`);
  assert.equal(await notes(tin), 1, 'nothing new from the space (the old notification stays)');
  assert.equal(await notes(tout), 1, 'the other space still notifies');
  assert.equal(await mail(titleOut), 1);
  assert.equal(await badge(), await expectedBadge([], [S]), 'the header leaves the space out, old notifications included');
  for (const where of ['/notifications', '/home']) {
    const listed = notificationsOn((await page(where, A.jar)).body);
    assert.equal(listed.find((n) => n.thread === tin).unread, false, `${where}: listed, not as new`);
    assert.equal(listed.find((n) => n.thread === tout).unread, true, `${where}: the other space's is new`);
  }
  const spaces = spaceBadges((await page('/spaces', A.jar)).body);
  assert.equal(spaces.get(S), 0, 'no unread badge for the space');
  assert.ok(spaces.get(S26) > 0, 'the other space still counts');
  // Its threads say so (and reading one reads the notification from before).
  const tp = await page(`/t/${tin}`, A.jar);
  assert.match(callouts(tp.body)[0].text, /^You have stepped away from this thread's whole space until /);
  assert.equal(callouts(tp.body)[0].back, `/s/${S}/back`);

  // Come back early.
  const back = await act(A.jar, `/s/${S}/back`);
  assert.equal(back.status, 303);
  assert.equal(back.headers.location, `/s/${S}?away=back`);
  assert.equal(await count('SELECT count(*) FROM step_aways WHERE user_id = $1 AND space_id = $2', [A.id, S]), 0);
  const welcome = await page(back.headers.location, A.jar);
  assert.match(welcome.body, /<p class="callout" role="status">Welcome back\. This space notifies you and counts as unread again\.<\/p>/);
  assert.equal(callouts(welcome.body).length, 0);
  assert.equal(spaceBadges((await page('/spaces', A.jar)).body).get(S), await expectedSpaceUnread(S));
  assert.equal(await badge(), await expectedBadge());
  await reply(B.jar, tin, `@${A.handle} after A came back.`);
  assert.equal(await count('SELECT count(*) FROM notifications WHERE user_id = $1 AND thread_id = $2 AND read_at IS NULL',
    [A.id, tin]), 1, 'the space notifies again');
  assert.equal(await count('SELECT n.count FROM notifications n WHERE user_id = $1 AND thread_id = $2 AND read_at IS NULL',
    [A.id, tin]), 1, 'of the post after A came back only: nothing from the break');

  // Coming back twice is harmless.
  const again = await act(A.jar, `/s/${S}/back`);
  assert.equal(again.status, 303);

  // Coming back early from a thread too.
  await act(A.jar, `/t/${tout}/away`, { days: '30' });
  const tb = await act(A.jar, `/t/${tout}/back`);
  assert.equal(tb.headers.location, `/t/${tout}?away=back`);
  assert.match((await page(tb.headers.location, A.jar)).body, /Welcome back\. This thread notifies you/);
  assert.equal(await count('SELECT count(*) FROM step_aways WHERE user_id = $1', [A.id]), 1,
    'only the ended row of the first test is left');
});

test('stepping away again replaces the time; 90 days is the longest', async () => {
  await setClock(T0 + 2 * DAY);
  const t = await startThread(B.jar, S26, `Replace ${uniq()}`, 'Time.');
  await act(A.jar, `/t/${t}/away`, { days: '14' });
  const r = await act(A.jar, `/t/${t}/away`, { days: '90' });
  assert.equal(r.status, 303);
  assert.equal(await count(`SELECT count(*) FROM step_aways WHERE user_id = $1 AND thread_id = $2
    AND until = to_timestamp($3)`, [A.id, t, T0 + 2 * DAY + 90 * DAY]), 1, 'one row, the new time');
  const f = await page(`/t/${t}/away`, A.jar);
  assert.match(f.body, /You have stepped away from this thread until <time datetime="[^"]+">[^<]+<\/time>\. Choosing again replaces that time\./);
  await act(A.jar, `/t/${t}/back`);
});

test('bad inputs are refused with the exact status and change nothing', async () => {
  await setClock(T0 + 2 * DAY);
  const t = await startThread(B.jar, S, `Bad inputs ${uniq()}`, 'Here.');
  const t26 = await startThread(B.jar, S26, `Other cohort ${uniq()}`, 'There.');
  await act(A.jar, `/t/${t}/away`, { days: '7' });
  const before = await awayRows();
  const same = async (what) => assert.equal(await awayRows(), before, `${what}: step_aways changed`);

  // Lengths: zero, negative, a year, one not offered, not a number, missing.
  for (const days of ['0', '-1', '-7', '365', '5', '91', '1.5', 'abc', '7 ', '', '007x']) {
    for (const path of [`/t/${t26}/away`, `/s/${S26}/away`]) {
      const r = await act(A.jar, path, { days });
      assert.equal(r.status, 422, `${path} days=${JSON.stringify(days)}`);
      assert.match(errorText(r.body), /^Choose how long from the list: 1 day, 3 days, 1 week, 2 weeks, 30 days or 90 days\. Nothing was changed\.$/);
      await same(`days=${days}`);
    }
  }
  const missing = await act(A.jar, `/t/${t26}/away`);
  assert.equal(missing.status, 422);
  await same('no days');

  // Threads and spaces one cannot read: 404 for the form, stepping away and coming back.
  for (const path of [`/t/${t}/away`, `/s/${S}/away`]) {
    assert.equal((await get(path, { jar: C.jar })).status, 404, `GET ${path} as someone who cannot read it`);
  }
  for (const path of [`/t/${t}/away`, `/s/${S}/away`, `/t/${t}/back`, `/s/${S}/back`]) {
    const r = await act(C.jar, path, { days: '7' });
    assert.equal(r.status, 404, `POST ${path} as someone who cannot read it`);
    await same(path);
  }
  // Unknown and malformed ids.
  for (const id of ['999999999999', '0', '01', 'abc', '-3']) {
    for (const path of [`/t/${id}/away`, `/s/${id}/away`]) {
      assert.equal((await get(path, { jar: A.jar })).status, 404, `GET ${path}`);
      assert.equal((await act(A.jar, path, { days: '7' })).status, 404, `POST ${path}`);
    }
    assert.equal((await act(A.jar, `/t/${id}/back`)).status, 404);
    await same(`id ${id}`);
  }
  // A hidden thread is not there for a member who does not moderate.
  const hidden = await startThread(B.jar, S26, `Hidden ${uniq()}`, 'Hidden.');
  await sql('UPDATE threads SET hidden = true WHERE id = $1', [hidden]);
  assert.equal((await act(A.jar, `/t/${hidden}/away`, { days: '7' })).status, 404);
  assert.equal((await get(`/t/${hidden}/away`, { jar: A.jar })).status, 404);
  await same('hidden thread');

  // Nobody ends someone else's break: B coming back from t ends nothing of A's, and a
  // person named in the form is not read.
  const other = await act(B.jar, `/t/${t}/back`, { user: A.id, user_id: A.id });
  assert.equal(other.status, 303);
  await same('B came back from a thread A stepped away from');

  // A bad CSRF token, and no sign-in.
  const forged = await post(`/t/${t}/back`, { csrf: 'x'.repeat(43) }, { jar: A.jar });
  assert.equal(forged.status, 403);
  assert.match(errorText(forged.body), /nothing was changed/);
  const forged2 = await post(`/t/${t26}/away`, { csrf: 'x'.repeat(43), days: '7' }, { jar: A.jar });
  assert.equal(forged2.status, 403);
  await same('bad CSRF');
  const pre = await preSession();
  const anon = await post(`/t/${t26}/away`, { days: '7', csrf: pre.csrf }, { jar: pre.jar });
  assert.equal(anon.status, 303);
  assert.equal(anon.headers.location, '/signin');
  assert.equal((await get(`/t/${t26}/away`)).headers.location, `/signin?next=/t/${t26}/away`);
  await same('not signed in');

  await act(A.jar, `/t/${t}/back`);
  assert.equal(await count('SELECT count(*) FROM step_aways WHERE user_id = $1 AND thread_id = $2', [A.id, t]), 0);
});
