// Stepping away and the support page in a real browser (issue 12 items 5 and 6): a member
// steps away from a thread and from a whole space from the link under the title, chooses
// how long, reads "You have stepped away from this … until <time>" and comes back with one
// button; anyone reads the series' support page, and its director opens the editor and
// previews a change (nothing is saved). Every page is checked with axe-core, for sideways
// scrolling on a 390 px phone, for console errors and for the times rule (every time a
// <time> in the reader's zone), and screenshotted into <build>/screenshots/away-* and
// support-*.
//
// The member and the threads are made here, in the January 2026 Foundations cohort (the
// demo leaves it empty); the step-aways end with the test (the member comes back).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, close, newPage, url, axeCheck, screenshot, assertNoProblems, horizontalOverflow, BASE_URL,
} from './lib.mjs';
import { sql, uniq, startThread, makePerson, spaceOf, jarOf } from '../integration/forum-lib.mjs';
import { closeSql } from '../integration/accounts-lib.mjs';
import { checkTime } from '../integration/times-lib.mjs';

const F26 = 'foundations-2026-01';
let browser;
let space;
let member;
let writer;

before(async () => {
  browser = await launch();
  space = await spaceOf(F26);
  member = await makePerson({ tag: 'bwa', enrolled: [F26], zone: 'America/Los_Angeles' });
  writer = await makePerson({ tag: 'bww', enrolled: [F26] });
});

after(async () => {
  if (member) await sql('DELETE FROM step_aways WHERE user_id = $1', [member.id]);
  await close(browser);
  closeSql();
});

async function pageFor(who, width) {
  const { context, page } = await newPage(browser, { width });
  if (who) {
    await context.addCookies([...who.jar.cookies].map(([name, c]) => ({ name, value: c.value, url: BASE_URL })));
  }
  return page;
}

/** axe, no sideways scrolling, every <time> in the reader's zone, no console errors, a screenshot. */
async function check(page, shot, zone) {
  await axeCheck(page);
  const o = await horizontalOverflow(page);
  assert.ok(o.scrollWidth <= o.clientWidth, `no sideways scrolling: ${JSON.stringify(o)}`);
  const times = await page.evaluate(() => [...document.querySelectorAll('main time')]
    .map((t) => ({ datetime: t.getAttribute('datetime'), text: t.innerText.trim() })));
  const problems = times.map((t) => checkTime(t.datetime, t.text, zone)).filter(Boolean);
  assert.deepEqual(problems, [], `${shot}: times in ${zone}`);
  await screenshot(page, shot);
  assertNoProblems(page);
}

for (const width of ['desktop', 'phone']) {
  test(`a member steps away from a thread and from a space, and comes back (${width})`, async () => {
    const title = `A hard week on the unit ${uniq()}`;
    const thread = await startThread(writer.jar, space, title, 'The third death this week. I am tired.');
    const page = await pageFor(member, width);
    await page.goto(url(`/t/${thread}`));
    await page.getByRole('link', { name: 'Step away from this thread for a while…' }).click();
    assert.equal(new URL(page.url()).pathname, `/t/${thread}/away`);
    assert.equal(await page.locator('h1').innerText(), 'Step away from this thread');
    assert.equal(await page.getByRole('radio').count(), 6);
    assert.ok(await page.getByRole('radio', { name: /^1 week, until/ }).isChecked(), 'a week to begin with');
    assert.match(await page.locator('main').innerText(), /not even when someone mentions you/);
    await check(page, `away-form-${width}`, member.zone);

    await page.getByRole('radio', { name: /^3 days, until/ }).check();
    await page.getByRole('button', { name: 'Step away' }).click();
    assert.equal(new URL(page.url()).pathname, `/t/${thread}`);
    const callout = page.locator('#away-thread');
    assert.match(await callout.innerText(), /^You have stepped away from this thread until .+\. Until then nothing from it notifies you \(mentions included\)/);
    assert.equal(await callout.locator('time').count(), 1);
    await check(page, `away-thread-${width}`, member.zone);

    await page.getByRole('button', { name: 'Come back now' }).click();
    assert.equal(await page.getByRole('status').first().innerText(),
      'Welcome back. This thread notifies you and counts as unread again.');
    assert.equal(await page.locator('#away-thread').count(), 0);

    // The whole space.
    await page.goto(url(`/s/${space}`));
    await page.getByRole('link', { name: 'Step away from this space for a while…' }).click();
    assert.equal(await page.locator('h1').innerText(), 'Step away from this space');
    await page.getByRole('radio', { name: /^1 day, until/ }).check();
    await page.getByRole('button', { name: 'Step away' }).click();
    assert.equal(new URL(page.url()).pathname, `/s/${space}`);
    assert.match(await page.locator('#away-space').innerText(), /^You have stepped away from this space until /);
    await check(page, `away-space-${width}`, member.zone);
    // Its threads say so too, and reading still works.
    await page.goto(url(`/t/${thread}`));
    assert.match(await page.locator('#away-space').innerText(), /^You have stepped away from this thread's whole space until /);
    assert.match(await page.locator('main').innerText(), /The third death this week/);
    await page.getByRole('button', { name: 'Come back now' }).click();
    assert.equal(new URL(page.url()).pathname, `/s/${space}`);
    assert.equal(await page.locator('#away-space').count(), 0);
    await page.close();
  });

  test(`anyone reads the support page; the director previews an edit (${width})`, async () => {
    const page = await pageFor(null, width);
    const res = await page.goto(url('/series/palliative-care/support'));
    assert.equal(res.status(), 200);
    assert.equal(await page.locator('h1').innerText(), 'Support for clinicians');
    const text = await page.locator('main').innerText();
    assert.match(text, /call or text 988/);
    assert.match(text, /1-888-409-0141/);
    assert.match(text, /Last updated .+ by Dr\. Elena Rivera\./);
    await check(page, `support-${width}`, 'America/New_York');
    await page.close();

    const rivera = { jar: await jarOf('rivera') };
    const dp = await pageFor(rivera, width);
    await dp.goto(url('/series/palliative-care/support'));
    await dp.getByRole('link', { name: 'Edit this page' }).click();
    assert.equal(await dp.locator('h1').innerText(), 'Edit the support page');
    await check(dp, `support-edit-${width}`, 'America/New_York');
    const before = await sql('SELECT count(*) FROM support_page_versions');
    await dp.getByLabel('The page, in Markdown').fill('**Call 988** if today is too much.');
    await dp.getByRole('button', { name: 'Preview' }).click();
    assert.equal(await dp.locator('.preview .post-body').innerText(), 'Call 988 if today is too much.');
    await check(dp, `support-preview-${width}`, 'America/New_York');
    assert.equal(await sql('SELECT count(*) FROM support_page_versions'), before, 'a preview saves nothing');
    await dp.close();
  });
}

test('a group page links to the support page', async () => {
  const [id] = (await sql(`SELECT g.id FROM groups g JOIN series se ON se.id = g.series_id
    WHERE se.slug = 'palliative-care' AND g.name = 'Pediatric group 1'`)).split('\n');
  const page = await pageFor({ jar: await jarOf('lee') }, 'phone');
  await page.goto(url(`/groups/${id}`));
  await page.getByRole('link', { name: 'Support for clinicians' }).click();
  assert.equal(new URL(page.url()).pathname, '/series/palliative-care/support');
  // Dr. Lee stepped away from the PICU thread in the demo: its page says so.
  await page.goto(url(`/groups/${id}`));
  await page.getByRole('link', { name: 'The first child I lost in the PICU' }).click();
  assert.match(await page.locator('#away-thread').innerText(), /^You have stepped away from this thread until /);
  await check(page, 'away-demo-thread-phone', 'America/Los_Angeles');
  await page.close();
});
