// Reflection prompts in a real browser (issue 14), at desktop (1280) and phone (390) widths,
// with the test clock: a learner of a course of our own signs in with their password before
// its reflection session ends (no prompt on the home), and after it ends finds the prompt
// on the home, writes from it, reads the entry with its prompt and finds it on the timeline;
// the course's director sees the course's prompts, adds one (once empty, for the error
// state) and opens the prompt's page with the groups' counts; the facilitator's dashboard
// shows the counts. Every page is checked with axe-core and screenshotted into
// <build>/screenshots/prompts-<step>-<width>.png; console errors, failed resources and
// sideways scrolling on the phone fail the test.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, close, newPage, url, axeCheck, screenshot, assertNoProblems, horizontalOverflow, BASE_URL,
} from './lib.mjs';
import {
  newAccount, sql, closeSql, uniq, setClock, realNow, testSession,
} from '../integration/accounts-lib.mjs';
import { closeConnections } from '../integration/lib.mjs';

let browser;
const made = { users: [], offerings: [] };
before(async () => { browser = await launch(); });
after(async () => {
  await setClock(0);
  await close(browser);
  if (made.offerings.length) {
    await sql('DELETE FROM offerings WHERE id = ANY($1::bigint[])', [`{${made.offerings.join(',')}}`]);
  }
  if (made.users.length) await sql('DELETE FROM users WHERE id = ANY($1::bigint[])', [`{${made.users.join(',')}}`]);
  closeSql();
  closeConnections();
});

async function checkPage(page, t, name, width) {
  const shot = await screenshot(page, `prompts-${name}-${width}`);
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

/** A browser page signed in through the test door as handle. */
async function staffPage(handle, width) {
  const jar = await testSession(handle);
  const { context, page } = await newPage(browser, { width });
  await context.addCookies([...jar.cookies].map(([name, c]) => ({ name, value: c.value, url: BASE_URL })));
  return { context, page };
}

for (const width of ['desktop', 'phone']) {
  describe(`reflection prompts, ${width}`, () => {
    test('after the reflection session ends, its prompt appears; write an entry from it', async (t) => {
      const u = uniq();
      const ends = realNow() + 3600;
      const slug = `bpr-${width[0]}-${u}`;
      const offering = await sql(`INSERT INTO offerings (course_id, slug, starts_on, ends_on, time_zone,
                                    format, notes)
                                  SELECT id, $1, current_date, current_date + 2, 'America/New_York',
                                         'live_online', 'Made by the prompts browser test.'
                                    FROM courses WHERE slug = 'core-practice' RETURNING id`, [slug]);
      made.offerings.push(offering);
      const item = await sql(`INSERT INTO agenda_items (offering_id, day_number, starts_at, ends_at, title, kind)
                              VALUES ($1, 1, to_timestamp($2::bigint - 3600), to_timestamp($2),
                                      'Small Group Community Building and Reflection', 'reflection')
                              RETURNING id`, [offering, ends]);
      await sql(`INSERT INTO agenda_items (offering_id, day_number, starts_at, ends_at, title, kind)
                 VALUES ($1, 2, to_timestamp($2::bigint + 86400 - 3600), to_timestamp($2::bigint + 86400),
                         'Small Group Reflection', 'reflection')`, [offering, ends]);
      const text = 'Think of one patient or family you cared for recently. What do you notice ' +
        'about them now that you did not name at the time?';
      const prompt = await sql(`INSERT INTO journal_prompts (agenda_item_id, body, created_at, updated_at)
                                VALUES ($1, $2, now(), now()) RETURNING id`, [item, text]);
      const acct = await newAccount({ tag: `bpr${width[0]}` });
      made.users.push(acct.id);
      await sql("UPDATE users SET track = 'adult', time_zone = 'America/New_York' WHERE id = $1", [acct.id]);
      const director = await sql(`INSERT INTO users (email, handle, display_name, profession)
                                  VALUES ($1, $2, 'Dr. Browser Director', 'physician') RETURNING id`,
      [`bpr.dir.${u}@example.test`, `bpr_dir_${u}`]);
      made.users.push(director);
      await sql(`INSERT INTO enrollments (offering_id, user_id, role, state, source, created_at, confirmed_at)
                 VALUES ($1, $2, 'learner', 'confirmed', 'import', now(), now()),
                        ($1, $3, 'director', 'confirmed', 'staff', now(), now())`,
      [offering, acct.id, director]);

      try {
        // Before the session ends: no invitation.
        await setClock(ends - 600);
        const { context, page } = await newPage(browser, { width });
        try {
          await page.goto(url('/signin'));
          await page.getByLabel('Email').fill(acct.email);
          await page.getByLabel('Password').fill(acct.password);
          await Promise.all([page.waitForURL(/\/home$/),
            page.getByRole('button', { name: 'Sign in' }).click()]);
          assert.equal(await page.getByRole('heading', { name: 'Reflection prompts waiting for you' }).count(), 0);
          await checkPage(page, t, 'home-before', width);

          // After it ends: the prompt waits on the home.
          await setClock(ends + 300);
          await page.reload();
          const section = page.locator('section.prompts-waiting');
          await section.getByRole('heading', { name: 'Reflection prompts waiting for you' }).waitFor();
          assert.equal(await section.locator('.prompt-text').textContent(), text);
          await checkPage(page, t, 'home-after', width);

          // Write from it.
          await Promise.all([page.waitForURL(new RegExp(`/journal/new\\?prompt=${prompt}$`)),
            section.getByRole('link', { name: /Write from this prompt/ }).click()]);
          assert.equal(await page.locator('blockquote.prompt-text').textContent(), text);
          await checkPage(page, t, 'new', width);
          await page.getByLabel('Title').fill('The question I did not hear');
          await page.getByLabel('Your entry').fill('She asked about his cold hands.\n\nShe was asking something else.');
          await Promise.all([page.waitForURL(/\/journal\/\d+$/),
            page.getByRole('button', { name: 'Save entry' }).click()]);
          assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'The question I did not hear');
          assert.equal(await page.locator('.prompt-card blockquote').textContent(), text);
          const entry = /\/journal\/(\d+)$/.exec(page.url())[1];
          assert.equal(await sql('SELECT prompt_id FROM journal_entries WHERE id = $1', [entry]), prompt);
          await checkPage(page, t, 'entry', width);

          // The home no longer invites; the timeline places the entry under its prompt.
          await page.goto(url('/home'));
          assert.equal(await page.locator('section.prompts-waiting').count(), 0);
          await page.goto(url('/journal/timeline'));
          assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Your reflections over time');
          await page.getByRole('link', { name: 'The question I did not hear' }).waitFor();
          await checkPage(page, t, 'timeline', width);
          await page.goto(url(`/prompts/${prompt}`));
          await page.getByRole('link', { name: /Your entry of/ }).waitFor();
          await checkPage(page, t, 'prompt-learner', width);
        } finally {
          await context.close();
        }

        // The director: the course's prompts, adding one (with the error state), its page.
        const staff = await staffPage(`bpr_dir_${u}`, width);
        try {
          const p = staff.page;
          await p.goto(url(`/offerings/${slug}/prompts`));
          assert.equal(await p.getByRole('heading', { level: 1 }).textContent(), 'Reflection prompts');
          await checkPage(p, t, 'staff-list', width);
          await Promise.all([p.waitForURL(/\/prompts\/new$/),
            p.getByRole('link', { name: /Add a prompt for everyone/ }).click()]);
          await p.getByLabel('The prompt').fill('   ');
          await p.getByRole('button', { name: 'Add the prompt' }).click();
          await p.getByRole('alert').waitFor();
          assert.match(await p.getByRole('alert').textContent(), /cannot be empty/);
          await checkPage(p, t, 'staff-new-error', width);
          await p.getByLabel('The prompt').fill('What will you carry into tomorrow?');
          await Promise.all([p.waitForURL(/\/prompts\?done=added/),
            p.getByRole('button', { name: 'Add the prompt' }).click()]);
          assert.match(await p.getByRole('status').first().textContent(), /The prompt was added/);
          await p.goto(url(`/prompts/${prompt}`));
          await p.getByRole('heading', { name: 'Who reflected' }).waitFor();
          await checkPage(p, t, 'staff-prompt', width);
        } finally {
          await staff.context.close();
        }

        // The demo's facilitator: the counts on the dashboard.
        const fac = await staffPage('okafor', width);
        try {
          await fac.page.goto(url('/dashboard'));
          await fac.page.getByRole('heading', { name: 'Reflection prompts' }).first().waitFor();
          await checkPage(fac.page, t, 'dashboard', width);
        } finally {
          await fac.context.close();
        }
      } finally {
        await setClock(0);
      }
    });
  });
}
