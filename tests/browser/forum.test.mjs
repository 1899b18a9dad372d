// Cohort discussion in a real browser (issue 5): priya signs in through the form, starts a
// thread in her Core Practice cohort with Markdown and a @sam mention, previews it and
// posts it; sam, in a second browser context, sees the unread marker on the space and the
// notification badge, opens the notification and replies; priya sees the unread marker,
// jumps to the first unread post and finds the thread by search. Every step is
// screenshotted at desktop (1280) and phone (390) widths into <build>/screenshots/forum-*,
// checked for sideways scrolling on the phone and console errors (CSP included), and every
// page (spaces, space, new thread with preview, thread, notifications, search, home) is
// checked with axe-core at both widths.
//
// Shares the integration fixture's server and database, so other tests may have left
// unread posts and notifications: both people first clear them with the pages' own
// "Mark all read" buttons, and the counts are then exact.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, close, newPage, url, axeCheck, screenshot, assertNoProblems, SIZES,
} from './lib.mjs';
import { spaceOf, person, uniq, sql, insertThreads } from '../integration/forum-lib.mjs';
import { closeSql, DEMO_PASSWORD } from '../integration/accounts-lib.mjs';

let browser;
let cohort;
const people = {};
const shots = [];

before(async () => {
  browser = await launch();
  cohort = await spaceOf('core-practice-2026-05');
  people.priya = await person('priya');
  people.sam = await person('sam');
  // A thread whose title is one long word, as anyone may write (see knownOverflow).
  await insertThreads(cohort, people.sam.id, [{ title: `${LONG_WORD} ${uniq()}`, at: Date.now() / 1000 - 86400 }]);
});
after(async () => {
  await close(browser);
  closeSql();
});

// Overflow on a phone caused by one long word in a thread title (a known bug, reported:
// static/cairn.css does not wrap .thread-title or the thread's h1). Recorded here and
// asserted as a todo subtest, so any other sideways scrolling still fails the test.
const knownOverflow = [];
const LONG_WORD = `Pneumonoultramicroscopicsilicovolcanoconiosis-and-its-friends`;

/** Elements wider than the viewport, and whether each is a title with a long word. */
function overflowing(page) {
  return page.evaluate(() => {
    const doc = document.documentElement;
    const wide = [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > doc.clientWidth + 1);
    // Keep the innermost: an element whose children are all within bounds.
    const leaves = wide.filter((el) => !wide.some((o) => o !== el && el.contains(o)));
    return {
      scrollWidth: doc.scrollWidth,
      clientWidth: doc.clientWidth,
      leaves: leaves.slice(0, 10).map((el) => ({
        what: `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ').join('.')}` : ''}`,
        text: el.textContent.trim().slice(0, 60),
        known: Boolean(el.closest('.thread-title, h1, .results, .notifications, .eyebrow')) &&
          el.textContent.split(/\s+/).some((w) => w.length >= 40),
      })),
    };
  });
}

/**
 * The checks every step gets: no console errors or failed resources, screenshots at desktop
 * and phone widths (the page is resized, keeping its session), no sideways scrolling on
 * the phone, and axe-core at desktop width; at phone width too the first time a kind of
 * page is seen (phoneAxe: false on later visits, to keep the run short).
 */
async function check(page, name, { axe = true, phoneAxe = axe } = {}) {
  settle(page);
  assertNoProblems(page);
  shots.push(await screenshot(page, `forum-${name}-desktop`));
  if (axe) await axeCheck(page);
  await page.setViewportSize(SIZES.phone.viewport);
  try {
    const file = await screenshot(page, `forum-${name}-phone`);
    shots.push(file);
    const o = await overflowing(page);
    if (o.scrollWidth > o.clientWidth) {
      const unknown = o.leaves.filter((x) => !x.known);
      assert.deepEqual(unknown, [], `${name}: the page scrolls sideways on a phone: ` +
        `${o.scrollWidth} px in ${o.clientWidth} (see ${file})`);
      knownOverflow.push(`${name}: ${o.scrollWidth} px wide, from ${o.leaves.map((x) => `${x.what} "${x.text}"`).join(', ')}`);
    }
    if (phoneAxe) await axeCheck(page);
  } finally {
    await page.setViewportSize(SIZES.desktop.viewport);
  }
  settle(page);
  assertNoProblems(page);
}

/**
 * Forget loads that Chromium cancelled because the test navigated on (net::ERR_ABORTED:
 * typically the favicon, which the load event does not wait for). Failed responses (4xx,
 * 5xx), console errors and CSP violations are still reported by assertNoProblems.
 */
function settle(page) {
  page.cairnProblems = page.cairnProblems.filter((p) => !/^request failed: .* \(net::ERR_ABORTED\)$/.test(p));
}

async function signIn(page, email) {
  const res = await page.goto(url('/signin'));
  assert.equal(res.status(), 200);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname === '/home'), page.getByRole('button', { name: 'Sign in' }).click()]);
}

/** The number in the header's Notifications link (0 when there is no badge). */
async function headerBadge(page) {
  const link = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Notifications/ });
  const text = (await link.innerText()).replace(/\s+/g, ' ').trim();
  const m = /^Notifications (\d+) ?(unread)?$/.exec(text);
  return m ? Number(m[1]) : (assert.equal(text, 'Notifications'), 0);
}

/** The unread badge of the cohort space on /spaces (0 when none). */
async function spaceBadge(page) {
  const li = page.locator('ul.space-list li', { has: page.locator(`a[href="/s/${cohort}"]`) });
  const badge = li.locator('.badge');
  return (await badge.count()) ? Number((await badge.innerText()).match(/\d+/)[0]) : 0;
}

async function markAllRead(page, path) {
  await page.goto(url(path));
  const button = page.getByRole('button', { name: 'Mark all read' });
  if (await button.count()) {
    // The form posts and is redirected back to the same address: wait for that navigation
    // itself (waitForURL would match the page we are already on).
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
    assert.equal(new URL(page.url()).pathname, path);
  }
}

test('priya starts a thread, sam is told and replies, priya reads it and finds it', async (t) => {
  const word = `openers${uniq().replace(/\d/g, '')}`;
  const title = `Breaking bad news: your ${word}`;
  const p = await newPage(browser, { width: 'desktop' });
  const s = await newPage(browser, { width: 'desktop' });
  try {
    // sam signs in and starts clean.
    await signIn(s.page, people.sam.email);
    await markAllRead(s.page, `/s/${cohort}`);
    await markAllRead(s.page, '/notifications');
    await s.page.goto(url('/spaces'));
    assert.equal(await headerBadge(s.page), 0);
    assert.equal(await spaceBadge(s.page), 0);

    // priya: sign in, home, her spaces, the cohort.
    await signIn(p.page, people.priya.email);
    await p.page.getByRole('heading', { level: 1, name: /^Welcome, / }).waitFor();
    await check(p.page, '01-priya-home');
    await markAllRead(p.page, `/s/${cohort}`);
    await markAllRead(p.page, '/notifications');
    await p.page.getByRole('link', { name: 'Discussions', exact: true }).click();
    await p.page.waitForURL((u) => u.pathname === '/spaces');
    await p.page.getByRole('heading', { level: 1, name: 'Discussions' }).waitFor();
    await check(p.page, '02-priya-spaces');
    await p.page.locator(`a[href="/s/${cohort}"]`).click();
    await p.page.waitForURL((u) => u.pathname === `/s/${cohort}`);
    await p.page.getByRole('heading', { level: 1, name: 'Cohort discussion' }).waitFor();
    await check(p.page, '03-priya-space');

    // A new thread, previewed first.
    await p.page.getByRole('link', { name: 'Start a thread' }).click();
    await p.page.waitForURL((u) => u.pathname === `/s/${cohort}/new`);
    await p.page.getByLabel('Title').fill(title);
    await p.page.getByLabel('Your post').fill(
      `What do you say **first**, @sam?\n\n- "I have some serious news"\n- a warning shot\n\n` +
      `See [the agenda](/offerings/core-practice-2026-05#agenda). Keyword: ${word}.`);
    await p.page.getByRole('button', { name: 'Preview' }).click();
    await p.page.waitForURL((u) => u.pathname === `/s/${cohort}/threads`);
    const preview = p.page.getByRole('region', { name: 'Preview' });
    await preview.waitFor();
    assert.equal(await preview.locator('strong').innerText(), 'first');
    assert.equal(await preview.locator('a.mention').getAttribute('href'), '/u/sam');
    assert.equal(await preview.locator('li').count(), 2);
    assert.equal(await p.page.getByLabel('Title').inputValue(), title, 'the preview keeps the title');
    await check(p.page, '04-priya-new-thread-preview');
    await p.page.getByRole('button', { name: 'Start thread' }).click();
    await p.page.waitForURL((u) => /^\/t\/\d+$/.test(u.pathname));
    const thread = new URL(p.page.url()).pathname.split('/')[2];
    await p.page.getByRole('heading', { level: 1, name: title }).waitFor();
    const first = p.page.locator('#p1 .post-body');
    assert.equal(await first.locator('a.mention').innerText(), '@sam');
    assert.equal(await first.locator('strong').innerText(), 'first');
    await check(p.page, '05-priya-thread');

    // sam: the unread marker on the space, the badge, the notification.
    await s.page.goto(url('/spaces'));
    assert.equal(await spaceBadge(s.page), 1, 'the cohort shows one unread post');
    assert.equal(await headerBadge(s.page), 1, 'the header shows one unread notification');
    await check(s.page, '06-sam-spaces-unread', { phoneAxe: false });
    await s.page.locator(`a[href="/s/${cohort}"]`).click();
    const item = s.page.locator('li.thread-item', { hasText: title });
    assert.match(await item.getAttribute('class'), /\bunread\b/);
    assert.equal(await item.locator('a').first().getAttribute('href'), `/t/${thread}/unread`);
    assert.match(await item.locator('.badge').innerText(), /^1\s*unread$/);
    await check(s.page, '07-sam-space-unread', { phoneAxe: false });
    await s.page.getByRole('link', { name: /^Notifications/ }).click();
    await s.page.waitForURL((u) => u.pathname === '/notifications');
    const note = s.page.locator('ol.notifications li').first();
    assert.match(await note.getAttribute('class'), /\bunread\b/);
    assert.match((await note.innerText()).replace(/\s+/g, ' '), new RegExp(`${people.priya.name} mentioned you in ${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    await check(s.page, '08-sam-notifications');
    await note.getByRole('link', { name: title }).click();
    await s.page.waitForURL((u) => u.pathname === `/t/${thread}`);
    assert.equal(new URL(s.page.url()).hash, '#p1');
    await s.page.getByLabel('Your reply').fill(`Thanks @priya, I start with *"Is now a good time?"* (${word})`);
    await s.page.getByRole('button', { name: 'Post reply' }).click();
    await s.page.waitForURL((u) => u.pathname === `/t/${thread}` && u.hash === '#p2');
    await s.page.locator('#p2 .post-body em').waitFor();
    assert.equal(await headerBadge(s.page), 0, 'opening the thread read the notification');
    await check(s.page, '09-sam-replied', { phoneAxe: false });

    // priya: the unread marker, jump to the first unread post.
    await p.page.goto(url('/spaces'));
    assert.equal(await spaceBadge(p.page), 1, 'priya has one unread post in the cohort');
    assert.equal(await headerBadge(p.page), 1, 'and a notification (a reply to her thread; sam\'s @priya)');
    await p.page.locator(`a[href="/s/${cohort}"]`).click();
    const mine = p.page.locator('li.thread-item', { hasText: title });
    assert.match(await mine.getAttribute('class'), /\bunread\b/);
    await mine.locator(`a[href="/t/${thread}/unread"]`).click();
    await p.page.waitForURL((u) => u.pathname === `/t/${thread}` && u.hash === '#p2');
    const marker = p.page.locator('#p2 .unread-marker');
    assert.equal(await marker.innerText(), 'New since your last visit');
    assert.ok(await p.page.locator('#p2').evaluate((el) => {
      const r = el.getBoundingClientRect();
      return r.top < window.innerHeight && r.bottom > 0;
    }), 'the first unread post is in view');
    await check(p.page, '10-priya-first-unread', { phoneAxe: false });

    // Search finds the thread; the word is highlighted.
    await p.page.goto(url('/spaces'));
    await p.page.getByRole('link', { name: 'Search the discussions' }).click();
    await p.page.waitForURL((u) => u.pathname === '/search');
    await p.page.getByLabel('Search for').fill(word);
    await p.page.getByRole('button', { name: 'Search', exact: true }).click();
    await p.page.waitForURL((u) => u.pathname === '/search' && u.searchParams.get('q') === word);
    const results = p.page.locator('ol.results > li');
    assert.equal(await results.count(), 2, 'both posts match');
    assert.equal(await results.first().locator('a').first().innerText(), title);
    assert.equal(await results.first().locator('mark').first().innerText(), word);
    await check(p.page, '11-priya-search');
    await results.first().locator('a').first().click();
    await p.page.waitForURL((u) => u.pathname === `/t/${thread}`);

    // Home: spaces without unread posts now, and the notification.
    await p.page.goto(url('/home'));
    const recent = p.page.locator('ul.notifications li', { hasText: title });
    assert.ok(await recent.count() >= 1, 'the home page lists the notification');
    await check(p.page, '12-priya-home-after', { phoneAxe: false });
    assert.equal(await sql('SELECT count(*) FROM posts WHERE thread_id = $1', [thread]), '2');
  } finally {
    await p.context.close();
    await s.context.close();
  }
  assert.ok(shots.length >= 24, `${shots.length} screenshots`);
  await t.test('a long word in a thread title wraps on a phone', () => {
    assert.deepEqual(knownOverflow, [], 'pages that scroll sideways because of a long title');
  });
});
