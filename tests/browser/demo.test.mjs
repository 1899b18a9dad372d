// A newcomer's first walk through the demo (issue 9, item 10), in a real browser at desktop
// (1280) and phone (390) widths: sign in through the form as the demo learner
// (nurse@cairn.test, Priya), find the unread mention waiting on the home page and in the
// header, open it, and find the cohort's conversation with the thread linked to "Delivering
// Serious News". Every page is checked with axe-core and for sideways scrolling on the phone,
// and screenshotted into <build>/screenshots/demo-*.
//
// Shares the fixture's database with the other tests, which may have read or written as
// Priya before this file runs: each test first puts her back where the demo leaves her (no
// notifications from other tests' threads, every one read but the demo's mention, the thread it is in read up to the post before),
// and the demo's thread back on its session (forum.test.mjs detaches every thread from it).
// What "cairn demo" writes is checked on a database of its own by
// tests/integration/demo.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, close, newPage, url, axeCheck, screenshot, assertNoProblems, horizontalOverflow,
} from './lib.mjs';
import { spaceOf, person, sql } from '../integration/forum-lib.mjs';
import { closeSql, DEMO_PASSWORD } from '../integration/accounts-lib.mjs';

const GOALS = 'A goals-of-care conversation that went sideways, and what helped';
const NEWS = 'After “Delivering Serious News”: what are you taking back to your unit?';
const PAIN = 'Before tomorrow’s pain session: a conversion question from last week';
let browser;
let priya;
let cohort;

/** Priya as the demo leaves her. */
async function demoState() {
  // Notifications from other tests' threads would push the demo's off the home page's list.
  await sql(`DELETE FROM notifications WHERE user_id = $1 AND thread_id NOT IN
      (SELECT id FROM threads WHERE title IN ($2, $3, $4))`, [priya.id, GOALS, NEWS, PAIN]);
  await sql(`UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL`,
    [priya.id]);
  await sql(`WITH m AS (
      SELECT n.id, p.thread_id, p.number FROM notifications n JOIN posts p ON p.id = n.post_id
        JOIN threads t ON t.id = p.thread_id JOIN users a ON a.id = n.actor_id
       WHERE n.user_id = $1 AND t.title = $2 AND a.handle = 'amara' AND n.kind = 'mention'),
    u AS (UPDATE notifications SET read_at = NULL WHERE id IN (SELECT id FROM m))
    UPDATE reads r SET last_number = m.number - 1 FROM m
     WHERE r.user_id = $1 AND r.thread_id = m.thread_id`, [priya.id, GOALS]);
  await sql(`UPDATE threads t SET agenda_item_id = i.id FROM agenda_items i
      JOIN offerings o ON o.id = i.offering_id
     WHERE t.title = $1 AND o.slug = 'core-practice-2026-05'
       AND i.title = 'Delivering Serious News'`, [NEWS]);
}

before(async () => {
  browser = await launch();
  priya = await person('priya');
  cohort = await spaceOf('core-practice-2026-05');
});
after(async () => {
  await close(browser);
  closeSql();
});

async function check(page, name) {
  page.cairnProblems = page.cairnProblems.filter((p) => !/net::ERR_ABORTED/.test(p));
  assertNoProblems(page);
  await screenshot(page, `demo-${name}`);
  await axeCheck(page);
  const o = await horizontalOverflow(page);
  assert.ok(o.scrollWidth <= o.clientWidth, `${name} scrolls sideways: ${JSON.stringify(o)}`);
}

async function headerBadge(page) {
  const link = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Notifications/ });
  const m = /(\d+)/.exec(await link.innerText());
  return m ? Number(m[1]) : 0;
}

for (const width of ['desktop', 'phone']) {
  test(`the demo learner finds the conversation and the mention waiting for her (${width})`, async () => {
    await demoState();
    const { context, page } = await newPage(browser, { width });
    try {
      await page.goto(url('/signin'));
      await page.getByLabel('Email').fill(priya.email);
      await page.getByLabel('Password').fill(DEMO_PASSWORD);
      await Promise.all([page.waitForURL((u) => u.pathname === '/home'),
        page.getByRole('button', { name: 'Sign in' }).click()]);
      await page.getByRole('heading', { level: 1, name: /^Welcome, Priya/ }).waitFor();
      assert.equal(await headerBadge(page), 1, 'one unread notification in the header');
      const mention = page.getByRole('link', { name: GOALS });
      assert.ok(await mention.count() >= 1, 'the home lists the mention');
      assert.match(await page.locator('main').innerText(), /new\s+Amara Osei, LICSW mentioned you in/);
      await check(page, `01-home-${width}`);

      // The mention: the thread opens at Amara's post.
      await Promise.all([page.waitForURL((u) => /^\/t\/\d+/.test(u.pathname)), mention.first().click()]);
      await page.getByRole('heading', { level: 1, name: GOALS }).waitFor();
      assert.match(await page.locator('main').innerText(), /I used your “say the headline and then stop”/);
      await check(page, `02-mention-${width}`);
      await page.goto(url('/home'));
      assert.equal(await headerBadge(page), 0, 'reading the thread read the notification');

      // The cohort's conversation, and the thread about the morning's session.
      await page.goto(url(`/s/${cohort}`));
      await page.getByRole('heading', { level: 1, name: 'Cohort discussion' }).waitFor();
      const threads = await page.locator('main').innerText();
      for (const t of [NEWS, PAIN,
        'Dyspnea: when parents fear that morphine will hasten death'])
        assert.ok(threads.includes(t), `the cohort lists "${t}"`);
      await check(page, `03-cohort-${width}`);
      await Promise.all([page.waitForURL((u) => /^\/t\/\d+$/.test(u.pathname)),
        page.getByRole('link', { name: NEWS }).click()]);
      const main = await page.locator('main').innerText();
      assert.match(main, /Session: Day 2 · Delivering Serious News/);
      assert.equal(await page.locator('.post-body blockquote').count(), 1, 'a quote-reply');
      await check(page, `04-serious-news-${width}`);
    } finally {
      await context.close();
    }
  });
}
