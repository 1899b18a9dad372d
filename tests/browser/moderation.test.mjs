// Moderation in a real browser (issue 11): a member flags a post in their small group, the
// group's facilitator reviews it in the queue and hides it with a reason, and the author finds
// it marked hidden with that reason (and a notice); the other member sees only that a post was
// hidden. At a 390 px phone and at desktop width, every page checked with axe-core, for
// sideways scrolling and for console errors, and screenshotted into
// <build>/screenshots/moderation-*. Everything made here is deleted afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, close, newPage, url, axeCheck, screenshot, assertNoProblems, horizontalOverflow, BASE_URL,
} from './lib.mjs';
import { sql, uniq, startThread, reply } from '../integration/forum-lib.mjs';
import { closeSql } from '../integration/accounts-lib.mjs';
import { closeDb, cleanupMark, cleanUp, makeOffering, makeUsers } from '../integration/enroll-lib.mjs';

let browser;
let mark;
let group;
let space;
let thread;
const P = {};

before(async () => {
  browser = await launch();
  mark = await cleanupMark();
  const offering = await makeOffering({ tag: 'bmod', startDays: 20 });
  group = await sql(`INSERT INTO groups (series_id, track, name) SELECT id, 'adult', $1
                       FROM series WHERE slug = 'palliative-care' RETURNING id`, [`Juniper ${uniq()}`]);
  space = await sql('SELECT id FROM spaces WHERE group_id = $1', [group]);
  [P.author, P.flagger] = await makeUsers(2, { tag: 'bmm', signIn: true });
  [P.fac] = await makeUsers(1, { tag: 'bmf', profession: 'physician', signIn: true });
  for (const u of [P.author, P.flagger]) {
    await sql(`INSERT INTO enrollments (offering_id, user_id, role, state, source, created_at, confirmed_at)
               VALUES ($1, $2, 'learner', 'confirmed', 'import', now(), now())`, [offering.id, u.id]);
    await sql(`INSERT INTO group_members (group_id, series_id, user_id, offering_id, joined_at, reason)
               SELECT $1, series_id, $2, $3, now(), 'placed' FROM groups WHERE id = $1`,
    [group, u.id, offering.id]);
  }
  await sql(`INSERT INTO enrollments (offering_id, user_id, role, state, source, created_at, confirmed_at)
             VALUES ($1, $2, 'facilitator', 'confirmed', 'staff', now(), now())`, [offering.id, P.fac.id]);
  await sql(`INSERT INTO group_facilitators (group_id, offering_id, user_id, assigned_at)
             VALUES ($1, $2, $3, now())`, [group, offering.id, P.fac.id]);
  thread = await startThread(P.flagger.jar, space, 'After the family meeting',
    'What helped you stay with the silence?');
});

after(async () => {
  if (group) await sql('DELETE FROM groups WHERE id = $1', [group]);
  if (mark) await cleanUp(mark);
  await close(browser);
  closeDb();
  closeSql();
});

async function pageFor(who, width) {
  const { context, page } = await newPage(browser, { width });
  await context.addCookies([...who.jar.cookies].map(([name, c]) => ({ name, value: c.value, url: BASE_URL })));
  return page;
}

async function check(page, shot) {
  await axeCheck(page);
  const o = await horizontalOverflow(page);
  assert.ok(o.scrollWidth <= o.clientWidth, `no sideways scrolling: ${JSON.stringify(o)}`);
  await screenshot(page, shot);
  assertNoProblems(page);
}

for (const width of ['phone', 'desktop']) {
  test(`flag, review, hide: the author sees the reason (${width})`, async () => {
    const n = await reply(P.author.jar, thread,
      `The woman at St Anne's, Mrs D., told me she was ready (${width}).`);
    const reason = `It could identify a patient. Please tell the story without the room or the name (${width}).`;

    // The other member flags it from the thread.
    const member = await pageFor(P.flagger, width);
    await member.goto(url(`/t/${thread}`));
    await member.locator(`#p${n}`).getByRole('link', { name: /^Flag/ }).click();
    assert.equal(new URL(member.url()).pathname.endsWith('/flag'), true);
    await check(member, `moderation-flag-form-${width}`);
    await member.getByLabel(/Identifies a patient/).check();
    await member.getByLabel('A note for the moderators').fill('Room number and initials.');
    await member.getByRole('button', { name: 'Flag for the moderators' }).click();
    assert.match(await member.locator('[role="status"]').innerText(), /moderators will review the post/);
    await check(member, `moderation-flagged-${width}`);

    // The facilitator reviews it in the queue and hides it.
    const fac = await pageFor(P.fac, width);
    await fac.goto(url('/moderation'));
    const item = fac.locator('li.flag-item').filter({ hasText: `ready (${width})` });
    assert.equal(await item.count(), 1, 'the flagged post is in the queue');
    assert.match(await item.innerText(), new RegExp(`Identifies a patient, flagged by ${P.flagger.name}`));
    assert.match(await item.innerText(), /Room number and initials\./);
    await check(fac, `moderation-queue-${width}`);
    await item.getByRole('link', { name: /^Hide post…/ }).click();
    assert.match(await fac.locator('h1').innerText(), /Hide this post\?/);
    await check(fac, `moderation-hide-${width}`);
    await fac.getByLabel('Reason').fill(reason);
    await fac.getByRole('button', { name: 'Hide the post' }).click();
    assert.equal(new URL(fac.url()).pathname, '/moderation');
    assert.match(await fac.locator('[role="status"]').innerText(), /The post is hidden/);
    assert.equal(await fac.locator('li.flag-item').filter({ hasText: `ready (${width})` }).count(), 0);
    await fac.goto(url(`/s/${space}/log`));
    assert.match(await fac.locator('ol.modlog li').first().innerText(), new RegExp(`hid post ${n} in`));
    await check(fac, `moderation-log-${width}`);

    // The author sees it marked hidden, with the reason, and a notice.
    const author = await pageFor(P.author, width);
    await author.goto(url(`/t/${thread}`));
    const mine = author.locator(`#p${n}`);
    assert.match(await mine.innerText(), /Hidden by a moderator\. Only you and the space's moderators see it\./);
    assert.ok((await mine.innerText()).includes(`Reason: ${reason}`));
    assert.match(await mine.innerText(), /St Anne/);
    await check(author, `moderation-author-sees-${width}`);
    await author.goto(url('/notifications'));
    assert.match(await author.locator('ol.notifications li').first().innerText(),
      new RegExp(`A moderator hid your post in After the family meeting`));
    await check(author, `moderation-author-notice-${width}`);

    // The other member sees only that a post was hidden.
    await member.goto(url(`/t/${thread}`));
    const theirs = await member.locator(`#p${n}`).innerText();
    assert.match(theirs, /A moderator hid this post\./);
    assert.doesNotMatch(theirs, new RegExp(`St Anne|${P.author.name}`));
    await check(member, `moderation-member-sees-${width}`);
    for (const p of [member, fac, author]) await p.close();
  });
}
