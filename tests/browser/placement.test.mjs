// Placement into small groups (issue 10 item 5) in a real browser, at desktop (1280) and
// phone (390) widths: a director of the series previews the proposal, moves a learner with a
// reason through the move form, ticks a facilitator for every group, reads the page that
// asks before committing, commits and sees what was done. Every page is checked with
// axe-core and for sideways scrolling, and screenshotted into <build>/screenshots/placement-*.
//
// Each width places its own series (tests/integration/placement-lib.mjs), deleted at the end;
// the effects in the database are checked in tests/integration/placement.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, close, newPage, url, axeCheck, screenshot, assertNoProblems, horizontalOverflow, BASE_URL,
} from './lib.mjs';
import { sql, closeSql, testSession } from '../integration/accounts-lib.mjs';
import { makeUser, enrollIn, makeSeries, dropSeries, makeTeam } from '../integration/placement-lib.mjs';

let browser;
const made = [];

before(async () => {
  browser = await launch();
});
after(async () => {
  await close(browser);
  await dropSeries(...made).catch(() => {});
  closeSql();
});

/** A series whose offering has a director, a facilitator and a cohort of ten. */
async function world() {
  const series = await makeSeries('pb', [40]);
  made.push(series);
  const o = series.offerings[0];
  const director = await makeUser('Director Diaz');
  const facilitator = await makeUser('Facilitator Fox');
  await enrollIn(director.id, o.id, { role: 'director' });
  await enrollIn(facilitator.id, o.id, { role: 'facilitator' });
  const learners = [];
  for (const [name, profession, track] of [['Ana Nurse', 'nurse', 'adult'], ['Bo Physician', 'physician', 'adult'],
    ['Cy Chaplain', 'chaplain', 'adult'], ['Di Socialworker', 'social_worker', 'adult'],
    ['Ed Pharmacist', 'pharmacist', 'adult'], ['Flo Nurse', 'nurse', 'adult'],
    ['Gil Psychologist', 'psychologist', 'adult'], ['Hal Physician', 'physician', 'adult'],
    ['Ivy Nurse', 'nurse', 'pediatric'], ['Jas Physician', 'physician', 'pediatric']]) {
    learners.push(await makeUser(name, { profession, track }));
  }
  const team = await makeTeam(o.id, learners[0].id, 'Riverside ICU');
  for (const [k, u] of learners.entries()) await enrollIn(u.id, o.id, { team: k < 2 ? team : null });
  await sql('UPDATE offerings SET group_min_size = 2, group_max_size = 4 WHERE id = $1', [o.id]);
  return { series, o, director, facilitator, learners };
}

async function check(page, name) {
  page.cairnProblems = page.cairnProblems.filter((p) => !/net::ERR_ABORTED/.test(p));
  assertNoProblems(page);
  await screenshot(page, `placement-${name}`);
  await axeCheck(page);
  const o = await horizontalOverflow(page);
  assert.ok(o.scrollWidth <= o.clientWidth, `${name} scrolls sideways: ${JSON.stringify(o)}`);
}

for (const width of ['desktop', 'phone']) {
  test(`a director previews, moves a learner, chooses facilitators and commits (${width})`, async () => {
    const w = await world();
    const jar = await testSession(w.director.handle);
    const { context, page } = await newPage(browser, { width });
    try {
      await context.addCookies([...jar.cookies].map(([name, c]) => ({ name, value: c.value, url: BASE_URL })));
      const res = await page.goto(url(`/offerings/${w.o.slug}/placement`));
      assert.equal(res.status(), 200);
      await page.getByRole('heading', { level: 1, name: 'Small groups' }).waitFor();
      const main = page.locator('main');
      // Two to four: two adult groups of four, and the two pediatric learners together.
      assert.match(await main.innerText(), /10 learners \(8 adult, 2 pediatric\): 3 groups meet in this course; 3 are new\./);
      const cards = page.locator('section.group-card');
      assert.equal(await cards.count(), 3);
      await check(page, `01-preview-${width}`);

      // Move Cy to another adult group, with a reason.
      const cy = w.learners[2];
      await Promise.all([page.waitForURL((u) => u.pathname.endsWith('/placement/move')),
        page.getByRole('link', { name: `Move ${cy.name}` }).click()]);
      await page.getByRole('heading', { level: 1, name: `Move ${cy.name}` }).waitFor();
      await check(page, `02-move-${width}`);
      const select = page.getByLabel('Move to');
      const options = await select.locator('option').allTextContents();
      assert.ok(options.length >= 2 && options.every((t) => /^Adult group|^A new adult group/.test(t)),
        `only adult groups are offered: ${options}`);
      await select.selectOption({ index: 0 });
      const target = options[0].replace(/ \(.*$/, '');
      await page.getByLabel('Why').fill('Shares night shifts with Bo');
      await Promise.all([page.waitForURL((u) => u.pathname.endsWith('/placement') && u.search === '?done=moved'),
        page.getByRole('button', { name: `Move ${cy.name}` }).click()]);
      assert.match(await page.getByRole('status').innerText(), /The move is recorded in this draft/);
      const moved = page.locator('section.group-card', { has: page.getByRole('heading', { level: 3, name: new RegExp(`^${target}`) }) });
      assert.match(await moved.innerText(), new RegExp(`${cy.name}[\\s\\S]*Moved here: Shares night shifts with Bo`));
      assert.match(await main.innerText(), /Changes in this draft/);
      await check(page, `03-moved-${width}`);

      // A facilitator for every group, one form each.
      for (let k = 0; k < 3; k++) {
        const card = page.locator('section.group-card').nth(k);
        await card.getByRole('checkbox', { name: w.facilitator.name }).check();
        await Promise.all([page.waitForURL((u) => u.search === '?done=facilitators'),
          card.getByRole('button', { name: /^Save the facilitators/ }).click()]);
      }
      for (let k = 0; k < 3; k++) {
        assert.match(await page.locator('section.group-card').nth(k).innerText(),
          new RegExp(`Facilitators: ${w.facilitator.name}`));
      }

      // The page that asks, then commit.
      await Promise.all([page.waitForURL((u) => u.pathname.endsWith('/placement/commit')),
        page.getByRole('link', { name: 'Commit…' }).click()]);
      await page.getByRole('heading', { level: 1, name: 'Commit the small groups?' }).waitFor();
      assert.match(await main.innerText(), new RegExp(`${cy.name} joins ${target}\\s+Shares night shifts with Bo`));
      await check(page, `04-commit-${width}`);
      await Promise.all([page.waitForURL((u) => u.search === '?done=committed'),
        page.getByRole('button', { name: 'Yes, commit the groups' }).click()]);
      assert.match(await page.getByRole('status').innerText(), /^Committed: the groups, their members and their facilitators are saved\./);
      assert.match(await main.innerText(), /10 were placed in a group for this course already\./);
      await check(page, `05-committed-${width}`);
      assert.equal(await sql('SELECT count(*) FROM groups WHERE series_id = $1', [w.series.seriesId]), '3');
      assert.equal(await sql(`SELECT count(*) FROM group_members WHERE series_id = $1 AND left_at IS NULL`,
        [w.series.seriesId]), '10');
    } finally {
      await context.close();
    }
  });
}
