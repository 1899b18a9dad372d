// The private journal in a real browser, at desktop (1280) and phone (390) widths: a new
// learner signs in with their password, opens the journal from the site's navigation, writes
// an entry (once with too many tags, to see the error state keep what was typed), reads it,
// edits it, reads what the encryption protects, and deletes the entry after being asked.
// Every page is checked with axe-core and screenshotted into
// <build>/screenshots/journal-<step>-<width>.png; console errors and failed resources (CSP
// violations included) and sideways scrolling on the phone fail the test.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, close, newPage, url, axeCheck, screenshot, assertNoProblems, horizontalOverflow,
} from './lib.mjs';
import { newAccount, sql, closeSql } from '../integration/accounts-lib.mjs';
import { closeConnections } from '../integration/lib.mjs';

let browser;
const made = [];
before(async () => { browser = await launch(); });
after(async () => {
  await close(browser);
  if (made.length) await sql('DELETE FROM users WHERE id = ANY($1::bigint[])', [`{${made.join(',')}}`]);
  closeSql();
  closeConnections();
});

async function checkPage(page, t, name, width) {
  const shot = await screenshot(page, `journal-${name}-${width}`);
  if (width === 'phone') {
    const o = await horizontalOverflow(page);
    assert.ok(o.scrollWidth <= o.clientWidth,
      `${name}: the page scrolls sideways on a phone: ${o.scrollWidth} px in ${o.clientWidth} px ` +
      `(wide: ${o.wide.join(', ')}; see ${shot})`);
  }
  page.cairnProblems = page.cairnProblems.filter((p) => !/^request failed: .* \(net::ERR_ABORTED\)$/.test(p));
  assertNoProblems(page);
  await axeCheck(page);
  t.diagnostic(`${name}: ${shot}`);
}

for (const width of ['desktop', 'phone']) {
  describe(`journal, ${width}`, () => {
    test('write, read, edit and delete an entry', async (t) => {
      const acct = await newAccount({ tag: `jbr${width[0]}` });
      made.push(acct.id);
      const { context, page } = await newPage(browser, { width });
      try {
        await page.goto(url('/signin'));
        await page.getByLabel('Email').fill(acct.email);
        await page.getByLabel('Password').fill(acct.password);
        await Promise.all([page.waitForURL(/\/home$/),
          page.getByRole('button', { name: 'Sign in' }).click()]);

        // From the navigation to the (empty) journal.
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Journal' }).click();
        await page.waitForURL(/\/journal$/);
        assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Your journal');
        await checkPage(page, t, 'empty', width);

        await page.getByRole('link', { name: 'Write a new entry' }).click();
        await page.waitForURL(/\/journal\/new$/);
        await checkPage(page, t, 'new', width);
        const title = 'After the family meeting';
        const body = 'The daughter asked whether her mother was *suffering*.\n\n- I paused before answering\n- I named what I saw';
        await page.getByLabel('Title').fill(title);
        await page.getByLabel('Your entry').fill(body);
        if (width === 'desktop') {
          // The error state: too many tags; everything typed comes back.
          await page.getByLabel('Tags').fill(Array.from({ length: 21 }, (_, i) => `t${i}`).join(', '));
          await page.getByRole('button', { name: 'Save entry' }).click();
          await page.getByRole('alert').waitFor();
          assert.match(await page.getByRole('alert').textContent(), /at most 20 tags; this one has 21/);
          assert.equal(await page.getByLabel('Your entry').inputValue(), body);
          assert.equal(await page.getByLabel('Title').inputValue(), title);
          await checkPage(page, t, 'error', width);
        }
        await page.getByLabel('Tags').fill('family meeting, presence');
        await Promise.all([page.waitForURL(/\/journal\/\d+$/),
          page.getByRole('button', { name: 'Save entry' }).click()]);
        assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), title);
        assert.match(await page.title(), /^Journal entry, \d{1,2} [A-Z][a-z]+ \d{4} · Cairn$/);
        assert.equal(await page.locator('.journal-body em').textContent(), 'suffering');
        await checkPage(page, t, 'entry', width);

        await page.getByRole('link', { name: 'Edit' }).click();
        await page.waitForURL(/\/edit$/);
        assert.equal(await page.getByLabel('Your entry').inputValue(), body);
        await checkPage(page, t, 'edit', width);
        await page.getByLabel('Your entry').fill(`${body}\n\nLater: I called my own mother.`);
        await Promise.all([page.waitForURL(/\/journal\/\d+$/),
          page.getByRole('button', { name: 'Save entry' }).click()]);
        assert.match(await page.locator('.journal-body').textContent(), /I called my own mother/);

        await page.goto(url('/journal'));
        assert.equal(await page.locator('.journal-list li').count(), 1);
        await checkPage(page, t, 'list', width);
        await page.getByRole('link', { name: /What the encryption protects/ }).click();
        await page.waitForURL(/\/journal\/about$/);
        await checkPage(page, t, 'about', width);

        await page.goto(url('/journal'));
        await page.getByRole('link', { name: title }).click();
        await page.getByRole('link', { name: 'Delete…' }).click();
        await page.waitForURL(/\/delete$/);
        assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Delete this entry?');
        await checkPage(page, t, 'delete', width);
        await Promise.all([page.waitForURL(/\/journal\?done=deleted$/),
          page.getByRole('button', { name: 'Yes, delete this entry' }).click()]);
        assert.match(await page.getByRole('status').first().textContent(), /The entry was deleted/);
        assert.equal(await page.locator('.journal-list li').count(), 0);
        assert.equal(await sql('SELECT count(*) FROM journal_entries WHERE user_id = $1', [acct.id]), '0');
      } finally {
        await context.close();
      }
    });
  });
}
