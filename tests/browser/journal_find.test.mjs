// Finding, keeping and sharing journal entries in a real browser (issue 14 items 3 and 4), at
// a 390 px phone and at desktop (1280) width: a learner with a journal key searches their
// journal (once with nothing typed, to see the error), opens the entry found, follows one of
// its tags, downloads the whole journal and the entry as Markdown, opens the printable page
// (and, printed, the site's header is gone), then shares an excerpt with their small group:
// cuts the text down, chooses the group's thread, previews the draft, and publishes it. Every
// page is checked with axe-core, for sideways scrolling on the phone and for console errors,
// and screenshotted into <build>/screenshots/jfind-<step>-<width>.png. Everything made here
// is deleted afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  launch, close, newPage, url, axeCheck, screenshot, assertNoProblems, horizontalOverflow, BASE_URL,
} from './lib.mjs';
import { sql, uniq, startThread } from '../integration/forum-lib.mjs';
import { closeSql, newAccount, formPage } from '../integration/accounts-lib.mjs';
import { post, closeConnections } from '../integration/lib.mjs';
import { closeDb, cleanupMark, cleanUp, makeOffering, makeUsers } from '../integration/enroll-lib.mjs';

let browser;
let mark;
let group;
let space;
let thread;
let offering;
let member;
const made = [];

before(async () => {
  browser = await launch();
  mark = await cleanupMark();
  offering = await makeOffering({ tag: 'bjf', startDays: 20 });
  group = await sql(`INSERT INTO groups (series_id, track, name) SELECT id, 'adult', $1
                       FROM series WHERE slug = 'palliative-care' RETURNING id`, [`Juniper ${uniq()}`]);
  space = await sql('SELECT id FROM spaces WHERE group_id = $1', [group]);
  [member] = await makeUsers(1, { tag: 'bjm', signIn: true });
  made.push(member.id);
  await sql(`INSERT INTO enrollments (offering_id, user_id, role, state, source, created_at, confirmed_at)
             VALUES ($1, $2, 'learner', 'confirmed', 'import', now(), now())`, [offering.id, member.id]);
  await sql(`INSERT INTO group_members (group_id, series_id, user_id, offering_id, joined_at, reason)
             SELECT $1, series_id, $2, $3, now(), 'placed' FROM groups WHERE id = $1`,
  [group, member.id, offering.id]);
  thread = await startThread(member.jar, space, 'After the reflection block', 'What stayed with you today?');
});

after(async () => {
  if (group) await sql('DELETE FROM groups WHERE id = $1', [group]);
  if (made.length) await sql('DELETE FROM users WHERE id = ANY($1::bigint[])', [`{${made.join(',')}}`]);
  if (mark) await cleanUp(mark);
  await close(browser);
  closeDb();
  closeSql();
  closeConnections();
});

/** A learner with a password (so a journal key), in the group, with three entries. */
async function learner(width) {
  const a = await newAccount({ tag: `bjl${width[0]}` });
  made.push(a.id);
  await sql(`INSERT INTO enrollments (offering_id, user_id, role, state, source, created_at, confirmed_at)
             VALUES ($1, $2, 'learner', 'confirmed', 'import', now(), now())`, [offering.id, a.id]);
  await sql(`INSERT INTO group_members (group_id, series_id, user_id, offering_id, joined_at, reason)
             SELECT $1, series_id, $2, $3, now(), 'placed' FROM groups WHERE id = $1`,
  [group, a.id, offering.id]);
  const { csrf } = await formPage('/journal/new', a.jar);
  const entries = [
    { title: 'The family meeting', tags: 'family, presence',
      body: 'The daughter asked whether her mother was *suffering*.\n\nI waited before answering, and the silence helped her more than my words did.\n\nLater I cried in the car.' },
    { title: 'Coffee with the chaplain', tags: 'team', body: 'We talked about rituals for the end of a shift.' },
    { title: 'A quiet night', tags: '', body: 'Nothing happened. I slept.' },
  ];
  for (const e of entries) {
    const r = await post('/journal', { csrf, ...e, offering: '' }, { jar: a.jar });
    assert.equal(r.status, 303);
  }
  return a;
}

async function pageFor(who, width) {
  const { context, page } = await newPage(browser, { width });
  await context.addCookies([...who.jar.cookies].map(([name, c]) => ({ name, value: c.value, url: BASE_URL })));
  return { context, page };
}

async function check(page, name, width) {
  const shot = await screenshot(page, `jfind-${name}-${width}`);
  if (width === 'phone') {
    const o = await horizontalOverflow(page);
    assert.ok(o.scrollWidth <= o.clientWidth,
      `${name}: the page scrolls sideways on a phone: ${o.scrollWidth} px in ${o.clientWidth} px ` +
      `(wide: ${o.wide.join(', ')}; see ${shot})`);
  }
  assertNoProblems(page);
  await axeCheck(page);
}

for (const width of ['phone', 'desktop']) {
  test(`find an entry by search, export it, share an excerpt with the group (${width})`, async () => {
    const a = await learner(width);
    const { context, page } = await pageFor(a, width);
    try {
      await page.goto(url('/journal'));
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Your journal');
      await check(page, 'list', width);

      // An empty search: a clear error, nothing searched.
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForURL(/\/journal\/search$/);
      await page.getByRole('alert').waitFor();
      assert.match(await page.getByRole('alert').textContent(), /Type a word or a few to search for/);
      await check(page, 'search-error', width);

      // Search: the words travel in the form; the address stays /journal/search.
      await page.getByLabel('Search your entries').fill('silence helped');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForURL(/\/journal\/search$/);
      assert.match(await page.getByRole('heading', { name: /match/ }).textContent(), /^1 entry matches$/);
      assert.equal(await page.locator('.journal-results mark').first().textContent(), 'silence');
      assert.ok(!page.url().includes('silence'), 'the words are not in the address');
      await check(page, 'search', width);
      await page.getByRole('link', { name: 'The family meeting' }).click();
      await page.waitForURL(/\/journal\/\d+$/);
      const entryUrl = page.url();
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'The family meeting');

      // A tag leads to its entries, by a token that is not the tag.
      await page.getByRole('link', { name: /^presence/ }).click();
      await page.waitForURL(/\/journal\?tag=[0-9a-f]{32}$/);
      assert.match(await page.getByRole('heading', { name: /tagged/ }).textContent(), /^1 entry tagged “presence”$/);
      await check(page, 'tag', width);

      // Keep a copy: the whole journal, then the entry, as Markdown files.
      await page.goto(url('/journal'));
      const [whole] = await Promise.all([page.waitForEvent('download'),
        page.getByRole('link', { name: 'Download the whole journal' }).click()]);
      assert.match(whole.suggestedFilename(), /^journal-\d{4}-\d\d-\d\d\.md$/);
      const md = await readFile(await whole.path(), 'utf8');
      assert.match(md, /^# My journal\n\nExported from Cairn on .*: 3 entries/);
      assert.ok(md.includes('## The family meeting') && md.includes('## A quiet night'));
      await page.goto(entryUrl);
      const [one] = await Promise.all([page.waitForEvent('download'),
        page.getByRole('link', { name: 'Download as Markdown' }).click()]);
      assert.match(one.suggestedFilename(), /^journal-\d{4}-\d\d-\d\d-\d+\.md$/);
      assert.ok((await readFile(await one.path(), 'utf8')).includes('the silence helped her'));

      // The printable page; printed, the site's header and the note are left out.
      await page.goto(url('/journal/print'));
      assert.equal(await page.locator('article.print-entry').count(), 3);
      await check(page, 'print', width);
      await page.emulateMedia({ media: 'print' });
      assert.equal(await page.locator('.site-header').isVisible(), false, 'no header on paper');
      assert.equal(await page.locator('.no-print').isVisible(), false, 'no note on paper');
      assert.equal(await page.getByRole('heading', { name: 'The family meeting' }).isVisible(), true);
      await page.emulateMedia({ media: 'screen' });

      // Share an excerpt with the group: cut down, choose the thread, preview, publish.
      await page.goto(entryUrl);
      await page.getByRole('link', { name: 'Share an excerpt with my group…' }).click();
      await page.waitForURL(/\/journal\/\d+\/share$/);
      assert.match(await page.getByLabel('What to share').inputValue(), /^The daughter asked/);
      await check(page, 'share', width);
      const excerpt = `I waited before answering, and the *silence* helped (${width}).`;
      await page.getByLabel('What to share').fill(excerpt);
      await page.getByLabel('Thread').selectOption({ label: 'After the reflection block' });
      await page.getByRole('button', { name: 'Preview the post' }).click();
      await page.locator('.share-draft').waitFor();
      assert.equal(await page.locator('.share-draft h2').textContent(), 'Draft reply in “After the reflection block”');
      assert.equal(await page.locator('.share-draft em').textContent(), 'silence');
      assert.equal(await page.getByLabel('What to share').inputValue(), excerpt, 'the text comes back to edit');
      assert.equal(await sql('SELECT count(*) FROM posts WHERE author_id = $1', [a.id]), '0', 'nothing posted yet');
      await check(page, 'share-preview', width);
      await Promise.all([page.waitForURL(new RegExp(`/t/${thread}\\?page=1#p\\d+$`)),
        page.getByRole('button', { name: 'Publish to the thread' }).click()]);
      const posted = page.locator('.post').last();
      assert.match(await posted.locator('.post-body').textContent(), /the silence helped/);
      assert.equal(await posted.locator('.post-body em').textContent(), 'silence');
      await check(page, 'shared', width);
      assert.equal(await sql('SELECT count(*) FROM posts WHERE author_id = $1', [a.id]), '1');
    } finally {
      await context.close();
    }
  });
}
