// Times and their zones in a real browser (issue 9, item 7): every time a page shows is a
// <time datetime="ISO with offset"> whose visible text is in the reader's zone (their
// profile's; for someone not signed in, the offering's) or names its zone, and no time of
// day is printed outside one (tests/integration/times-lib.mjs states the rule). Visited:
// the public pages as nobody, the learner's pages as a learner in Los Angeles (home, spaces,
// a space, a thread linked to an agenda session, notifications, search, profile, an earlier
// version of a post, the enrollment, the offering), and the admin pages as an administrator
// in Tokyo. The thread and the offering are screenshotted and checked with axe-core at
// desktop and phone widths.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, close, newPage, url, axeCheck, screenshot, assertNoProblems, SIZES, BASE_URL,
} from './lib.mjs';
import {
  sql, uniq, makePerson, cancelEnrollment, spaceOf, startThread, reply, act, postId,
} from '../integration/forum-lib.mjs';
import { closeSql } from '../integration/accounts-lib.mjs';
import { checkTime } from '../integration/times-lib.mjs';

const CP = 'core-practice-2026-05';
const UP = 'core-practice-upcoming';
let browser;
const P = {};
let thread;
let cohort;

before(async () => {
  browser = await launch();
  cohort = await spaceOf(CP);
  P.la = await makePerson({ tag: 'btzla', enrolled: [CP], zone: 'America/Los_Angeles' });
  P.ny = await makePerson({ tag: 'btzny', enrolled: [CP], zone: 'America/New_York' });
  P.admin = await makePerson({ tag: 'btzad', zone: 'Asia/Tokyo' });
  await sql('UPDATE users SET is_admin = true WHERE id = $1', [P.admin.id]);
  thread = await startThread(P.la.jar, cohort, `Times ${uniq()}`, 'Before the session at ten.');
  await reply(P.ny.jar, thread, 'See you there.');
  // An earlier version of the first post, for the revisions page.
  const r = await act(P.la.jar, `/posts/${await postId(thread, 1)}/edit`, { body: 'Before the session.', action: 'save' });
  assert.equal(r.status, 303, `edit: ${r.status}`);
  const item = await sql(`SELECT a.id FROM agenda_items a JOIN offerings o ON o.id = a.offering_id
                          WHERE o.slug = $1 AND a.title = 'Delivering Serious News'`, [CP]);
  await sql('UPDATE threads SET agenda_item_id = $1 WHERE id = $2', [item, thread]);
});

after(async () => {
  if (thread) await sql('UPDATE threads SET agenda_item_id = NULL WHERE id = $1', [thread]);
  for (const p of [P.la, P.ny]) if (p) await cancelEnrollment(p.handle, CP);
  if (P.admin) await sql('UPDATE users SET is_admin = false WHERE id = $1', [P.admin.id]);
  await close(browser);
  closeSql();
});

/** A browser page signed in with a jar from the test door (or not signed in). */
async function pageFor(who, opts = {}) {
  const { context, page } = await newPage(browser, opts);
  if (who) {
    await context.addCookies([...who.jar.cookies].map(([name, c]) => ({ name, value: c.value, url: BASE_URL })));
  }
  return { context, page };
}

/**
 * What the rule checks, read from the rendered page: each <time>'s datetime and visible
 * text, and the times of day in text outside any <time> (leaving out what people wrote,
 * form controls and code, as times-lib.mjs does).
 */
function readTimes(page) {
  return page.evaluate(() => {
    const times = [...document.querySelectorAll('time')].map((t) => ({
      datetime: t.getAttribute('datetime'), text: t.innerText.trim(),
      visible: t.getClientRects().length > 0,
    }));
    const skip = 'time, .post-body, .snippet, .excerpt, .prompt-text, select, textarea, code, pre, script, style';
    const walker = document.createTreeWalker(document.querySelector('main') || document.body, NodeFilter.SHOW_TEXT);
    const bare = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.parentElement.closest(skip)) continue;
      const m = n.textContent.match(/.{0,30}\b\d{1,2}:\d{2}\s?(?:am|pm)\b/gi);
      if (m) bare.push(...m.map((x) => x.trim()));
    }
    return { times, bare };
  });
}

async function checkPage(page, path, zone, { minTimes = 0 } = {}) {
  const res = await page.goto(url(path));
  assert.equal(res.status(), 200, `GET ${path}`);
  const { times, bare } = await readTimes(page);
  const problems = times.map((t) => checkTime(t.datetime, t.text, zone)).filter(Boolean);
  problems.push(...bare.map((b) => `a time outside a <time> element: “${b}”`));
  assert.deepEqual(problems, [], `${path} read in ${zone}`);
  assert.ok(times.length >= minTimes, `${path}: at least ${minTimes} <time> (found ${times.length})`);
  return times;
}

test('public pages, read in the offering\'s zone', async () => {
  const { context, page } = await pageFor(null);
  await checkPage(page, '/', 'America/New_York');
  await checkPage(page, `/offerings/${CP}`, 'America/New_York', { minTimes: 40 });
  await checkPage(page, `/offerings/${UP}`, 'America/New_York', { minTimes: 40 });
  await checkPage(page, `/offerings/${UP}/enroll`, 'America/New_York');
  assertNoProblems(page);
  await context.close();
});

test('a learner in Los Angeles: every page in her zone, the course\'s times named', async (t) => {
  const { context, page } = await pageFor(P.la);
  const zone = P.la.zone;
  const enrollment = await sql(`SELECT e.id FROM enrollments e JOIN offerings o ON o.id = e.offering_id
                                WHERE e.user_id = $1 AND o.slug = $2 AND e.state <> 'cancelled'`, [P.la.id, CP]);
  const pid = await postId(thread, 1);
  for (const [path, minTimes] of [['/home', 0], ['/spaces', 0], [`/s/${cohort}`, 1],
    ['/notifications', 1], ['/search?q=session', 1], ['/profile', 2], [`/posts/${pid}/revisions`, 2],
    [`/enrollments/${enrollment}`, 0]]) {
    await checkPage(page, path, zone, { minTimes });
  }
  const times = await checkPage(page, `/t/${thread}`, zone, { minTimes: 4 });
  assert.ok(times.some((x) => x.text === 'Thursday, May 14, 7:15 am'), 'the session in her zone');
  assert.ok(times.some((x) => x.text === '10:15 am EDT'), 'and in the course\'s, named');
  const agenda = await checkPage(page, `/offerings/${CP}`, zone, { minTimes: 40 });
  assert.ok(agenda.every((x) => / EDT$/.test(x.text)), 'the agenda in the course\'s zone, each time named');
  // The named times must not spill out of the agenda's time column.
  for (const [path, name] of [[`/t/${thread}`, 'thread'], [`/offerings/${CP}`, 'offering']]) {
    await page.goto(url(path));
    for (const width of ['desktop', 'phone']) {
      await page.setViewportSize(SIZES[width].viewport);
      const shot = await screenshot(page, `times-${name}-${width}`);
      await axeCheck(page);
      const spill = await page.evaluate(() => [...document.querySelectorAll('.agenda-time')]
        .filter((p) => p.scrollWidth > p.clientWidth + 1).length);
      assert.equal(spill, 0, `${name} at ${width}: agenda times wider than their column (${shot})`);
      t.diagnostic(shot);
    }
    await page.setViewportSize(SIZES.desktop.viewport);
  }
  assertNoProblems(page);
  await context.close();
});

test('an administrator in Tokyo: the admin pages in her zone', async () => {
  const { context, page } = await pageFor(P.admin);
  const zone = P.admin.zone;
  const oid = await sql('SELECT id FROM offerings WHERE slug = $1', [CP]);
  for (const [path, minTimes] of [['/admin/users', 1], ['/admin/invites', 0], ['/admin/outbox', 1],
    ['/admin/series', 0], [`/admin/offerings/${oid}`, 0], [`/admin/offerings/${oid}/agenda`, 40],
    [`/admin/offerings/${oid}/enrollments`, 0], ['/home', 0]]) {
    await checkPage(page, path, zone, { minTimes });
  }
  assertNoProblems(page);
  await context.close();
});
