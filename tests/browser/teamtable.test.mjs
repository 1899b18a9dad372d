// The team's quote at phone width (issue 9, item 9): the table hid its fee, discount and
// total columns off to the right of a 390 px screen, with no sign that it scrolls. Now each
// member is a card at that width: the total right under the name, every value beside its
// column's name, nothing to scroll sideways. Checked for a draft quote and a confirmed team
// (which has one more column, the invitation's state), with axe-core and screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, close, newPage, url, axeCheck, screenshot, assertNoProblems, horizontalOverflow, BASE_URL,
} from './lib.mjs';
import {
  closeDb, cleanupMark, cleanUp, makeUsers, registerTeam, confirmTeam, member, UPCOMING,
} from '../integration/enroll-lib.mjs';

let browser;
let mark;
before(async () => {
  mark = await cleanupMark();
  browser = await launch();
});
after(async () => {
  await close(browser);
  if (mark) await cleanUp(mark);
  closeDb();
});

/** Where each member's total is, and whether the table scrolls sideways. */
function layout(page) {
  return page.evaluate(() => {
    const table = document.querySelector('.table-wrap table');
    const heads = [...table.querySelectorAll('thead th')].map((th) => th.textContent.trim());
    const col = heads.indexOf('Total');
    const width = document.documentElement.clientWidth;
    const inView = (el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.left >= 0 && r.right <= width;
    };
    const rows = [...table.querySelectorAll('tbody tr')].map((tr) => {
      const total = tr.querySelectorAll('td')[col];
      const name = tr.querySelector('td');
      return {
        total: total.textContent.trim(),
        visible: inView(total),
        label: getComputedStyle(total, '::before').content,
        belowName: total.getBoundingClientRect().top >= name.getBoundingClientRect().bottom - 1,
      };
    });
    const wrap = document.querySelector('.table-wrap');
    const teamTotal = table.querySelector('tfoot strong');
    return {
      col, rows, wrapScrolls: wrap.scrollWidth > wrap.clientWidth + 1,
      teamTotal: teamTotal.textContent, teamTotalVisible: inView(teamTotal),
    };
  });
}

test('at 390 px the team table is cards: every total visible without scrolling sideways', async (t) => {
  const [coordinator] = await makeUsers(1, { tag: 'ttab', signIn: true });
  const members = [member({ name: 'Adaeze Okonkwo-Fitzgerald', email: `adaeze.okonkwo-fitzgerald.${Date.now()}@longhospitalname.example.org` }),
    member({ category: 'physician', profession: 'physician' }), member()];
  const { teamId } = await registerTeam(UPCOMING, coordinator.jar, { members });
  const { context, page } = await newPage(browser, { width: 'phone' });
  await context.addCookies([...coordinator.jar.cookies].map(([name, c]) => ({ name, value: c.value, url: BASE_URL })));
  for (const stage of ['draft', 'confirmed']) {
    if (stage === 'confirmed') await confirmTeam(teamId, coordinator.jar);
    await page.goto(url(`/teams/${teamId}`));
    const shot = await screenshot(page, `teamtable-${stage}-phone`);
    t.diagnostic(shot);
    const l = await layout(page);
    assert.ok(l.col >= 0, 'the table has a Total column');
    assert.equal(l.rows.length, 3);
    for (const r of l.rows) {
      assert.match(r.total, /^\$[\d,]+(\.\d{2})?$/, `a total: ${r.total}`);
      assert.ok(r.visible, `${stage}: the total ${r.total} is on the screen without scrolling (${shot})`);
      assert.equal(r.label, '"Total"', `${stage}: the total says what it is`);
      assert.ok(r.belowName, `${stage}: the total comes right under the member`);
    }
    assert.equal(l.wrapScrolls, false, `${stage}: nothing in the table scrolls sideways (${shot})`);
    assert.ok(l.teamTotalVisible, `${stage}: the team total ${l.teamTotal} is on the screen`);
    const o = await horizontalOverflow(page);
    assert.ok(o.scrollWidth <= o.clientWidth, `${stage}: the page does not scroll sideways (${o.wide.join(', ')})`);
    await axeCheck(page);
  }
  // At desktop width it stays a table, every column in its place.
  await page.setViewportSize({ width: 1280, height: 800 });
  assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('.table-wrap tbody tr')).display), 'table-row');
  await screenshot(page, 'teamtable-confirmed-desktop');
  assertNoProblems(page);
  await context.close();
});
