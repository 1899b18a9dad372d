// A small group in a real browser (issue 10 item 3): a member finds their group from the home,
// reads who is in it and when it meets, and goes on to its conversations; its facilitator sees
// the membership history too. Every page is checked with axe-core, for sideways scrolling on a
// 390 px phone and for console errors, and screenshotted into <build>/screenshots/group-*.
//
// The group, its people and its offering are made here (as placement would make them) and
// deleted afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, close, newPage, url, axeCheck, screenshot, assertNoProblems, horizontalOverflow, BASE_URL,
} from './lib.mjs';
import { sql, uniq, startThread } from '../integration/forum-lib.mjs';
import { closeSql } from '../integration/accounts-lib.mjs';
import { closeDb, cleanupMark, cleanUp, makeOffering, makeUsers } from '../integration/enroll-lib.mjs';

let browser;
let mark;
let group;
let space;
const P = {};

before(async () => {
  browser = await launch();
  mark = await cleanupMark();
  const offering = await makeOffering({ tag: 'bgrp', startDays: 20 });
  const name = `Lantern ${uniq()}`;
  group = await sql(`INSERT INTO groups (series_id, track, name) SELECT id, 'adult', $1
                       FROM series WHERE slug = 'palliative-care' RETURNING id`, [name]);
  space = await sql('SELECT id FROM spaces WHERE group_id = $1', [group]);
  const learners = await makeUsers(5, { tag: 'bgm', signIn: true });
  const professions = ['nurse', 'chaplain', 'social_worker', 'pharmacist', 'physician'];
  for (const [i, u] of learners.entries()) {
    await sql("UPDATE users SET profession = $2, pronouns = $3 WHERE id = $1",
      [u.id, professions[i], i % 2 ? 'they/them' : 'she/her']);
    await sql(`INSERT INTO enrollments (offering_id, user_id, role, state, source, created_at, confirmed_at)
               VALUES ($1, $2, 'learner', 'confirmed', 'import', now(), now())`, [offering.id, u.id]);
    await sql(`INSERT INTO group_members (group_id, series_id, user_id, offering_id, joined_at, reason)
               SELECT $1, series_id, $2, $3, now(), 'placed' FROM groups WHERE id = $1`,
    [group, u.id, offering.id]);
  }
  [P.fac] = await makeUsers(1, { tag: 'bgf', profession: 'physician', signIn: true });
  await sql(`INSERT INTO enrollments (offering_id, user_id, role, state, source, created_at, confirmed_at)
             VALUES ($1, $2, 'facilitator', 'confirmed', 'staff', now(), now())`, [offering.id, P.fac.id]);
  await sql(`INSERT INTO group_facilitators (group_id, offering_id, user_id, assigned_at)
             VALUES ($1, $2, $3, now())`, [group, offering.id, P.fac.id]);
  for (const [day, from, to, title, kind] of [[1, '16:00', '17:00', 'Small Group Community Building and Reflection', 'reflection'],
    [2, '10:45', '11:15', 'Small Group Start-Up', 'small_group']]) {
    await sql(`INSERT INTO agenda_items (offering_id, day_number, starts_at, ends_at, title, kind)
               SELECT o.id, $2::int, ((o.starts_on + $2::int - 1) + $3::time) AT TIME ZONE o.time_zone,
                      ((o.starts_on + $2::int - 1) + $4::time) AT TIME ZONE o.time_zone, $5, $6
                 FROM offerings o WHERE o.id = $1`, [offering.id, day, from, to, title, kind]);
  }
  P.member = learners[0];
  await startThread(P.member.jar, space, 'Before we meet: what we hope to practise',
    'I would like to practise staying quiet after sharing serious news.');
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

for (const width of ['desktop', 'phone']) {
  test(`a member finds the group from the home and reads it (${width})`, async () => {
    const page = await pageFor(P.member, width);
    await page.goto(url('/home'));
    await page.getByRole('link', { name: /^Lantern / }).click();
    assert.equal(new URL(page.url()).pathname, `/groups/${group}`);
    assert.match(await page.locator('h1').innerText(), /^Lantern /);
    const members = page.locator('section[aria-labelledby="people-h"] ul.people-list').first().locator('li');
    assert.equal(await members.count(), 5);
    assert.match(await page.locator('main').innerText(), /Small Group Start-Up/);
    await check(page, `group-member-${width}`);
    await page.getByRole('link', { name: "All of the group's conversations" }).click();
    assert.equal(new URL(page.url()).pathname, `/s/${space}`);
    assert.match(await page.locator('main').innerText(), /Before we meet: what we hope to practise/);
    await check(page, `group-space-${width}`);
    await page.close();
  });
}

test('the facilitator sees the membership history', async () => {
  const page = await pageFor(P.fac, 'desktop');
  await page.goto(url(`/groups/${group}`));
  assert.match(await page.locator('#history-h').innerText(), /Membership history/);
  await check(page, 'group-facilitator-desktop');
  await page.close();
});
