// Finding one's enrollment in a real browser (issue 9, items 4 and 5). priya, a demo learner,
// signs in and goes from her home to the list of her enrollments and on to one of them. A
// learner waiting for payment (made for this test) sees, on the home, the offering page, the
// discussions list and the list of enrollments, that they are enrolled, what is left to do and
// whom to ask, and no "Enroll" button. Every page is screenshotted at desktop and phone widths
// (<build>/screenshots/enrollments-*), checked for sideways scrolling on the phone and console
// errors, and checked with axe-core at both widths.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, close, newPage, url, axeCheck, screenshot, assertNoProblems, horizontalOverflow, SIZES,
  BASE_URL,
} from './lib.mjs';
import { sql, uniq } from '../integration/forum-lib.mjs';
import { closeSql, DEMO_PASSWORD } from '../integration/accounts-lib.mjs';

const UPCOMING = 'core-practice-upcoming';
let browser;
let pending;   // { handle, email, enrollment, amount }

before(async () => {
  browser = await launch();
  const s = uniq();
  pending = { handle: `waiting_${s}`, email: `waiting.${s}@example.test` };
  await sql(`INSERT INTO users (email, handle, display_name, profession)
             VALUES ($1, $2, 'Wren Waiting, RN', 'nurse')`, [pending.email, pending.handle]);
  const row = await sql(`INSERT INTO enrollments (offering_id, user_id, role, state, source, fee_category,
                           price_kind, course_fee_cents, processing_fee_cents, amount_cents, created_at)
                         SELECT o.id, u.id, 'learner', 'pending_payment', 'self', 'nurse', 'regular',
                                199500, 1000, 200500, now()
                           FROM offerings o, users u WHERE o.slug = $1 AND u.handle = $2
                         RETURNING id, amount_cents`, [UPCOMING, pending.handle]);
  [pending.enrollment, pending.amount] = row.split('|');
});

after(async () => {
  // The upcoming run's enrollments are counted by other tests.
  if (pending?.enrollment) await sql('DELETE FROM enrollments WHERE id = $1', [pending.enrollment]);
  await close(browser);
  closeSql();
});

/** Screenshots at both widths, no sideways scrolling on the phone, axe at both, no errors. */
async function check(page, name) {
  page.cairnProblems = page.cairnProblems.filter((p) => !/net::ERR_ABORTED/.test(p));
  assertNoProblems(page);
  await screenshot(page, `enrollments-${name}-desktop`);
  await axeCheck(page);
  await page.setViewportSize(SIZES.phone.viewport);
  try {
    const shot = await screenshot(page, `enrollments-${name}-phone`);
    const o = await horizontalOverflow(page);
    assert.ok(o.scrollWidth <= o.clientWidth,
      `${name}: the page scrolls sideways on a phone (${o.scrollWidth} px; ${o.wide.join(', ')}; see ${shot})`);
    await axeCheck(page);
  } finally {
    await page.setViewportSize(SIZES.desktop.viewport);
  }
}

async function visible(locator) {
  await locator.waitFor({ state: 'visible', timeout: 5000 });
}

test('priya finds her enrollments from her home', async () => {
  const { context, page } = await newPage(browser);
  try {
    await page.goto(url('/signin'));
    await page.getByLabel('Email').fill('nurse@cairn.test');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await Promise.all([page.waitForURL((u) => u.pathname === '/home'),
      page.getByRole('button', { name: 'Sign in' }).click()]);
    const section = page.locator('section', { has: page.getByRole('heading', { name: 'Your enrollments' }) });
    await visible(section.getByText('You are enrolled (confirmed, $1,805.50).').first());
    await check(page, 'home');
    await Promise.all([page.waitForURL((u) => u.pathname === '/enrollments'),
      section.getByRole('link', { name: 'All your enrollments' }).click()]);
    await visible(page.getByRole('heading', { level: 1, name: 'Your enrollments' }));
    await visible(page.getByRole('link', { name: /^Details of your enrollment in Core Practice of Palliative Care, May 13, 2026/ }));
    await check(page, 'list');
    await Promise.all([page.waitForURL(/\/enrollments\/\d+$/),
      page.getByRole('link', { name: /^Details of your enrollment in Core Practice of Palliative Care/ }).click()]);
    await visible(page.getByText('Status: Confirmed'));
  } finally {
    await context.close();
  }
});

test('a learner waiting for payment is told what is left and whom to ask, and is not offered "Enroll"', async () => {
  const { context, page } = await newPage(browser);
  try {
    const door = await context.request.post(url('/__test/session'), {
      form: { handle: pending.handle }, headers: { Origin: BASE_URL } });
    assert.equal(door.status(), 200);
    const due = `What is left: payment of $2,005.`;
    await page.goto(url('/home'));
    await visible(page.getByText('You are enrolled (waiting for payment, $2,005).'));
    await visible(page.getByText(due));
    await visible(page.getByRole('link', { name: 'Dr. Elena Rivera' }));
    await check(page, 'pending-home');

    await page.goto(url(`/offerings/${UPCOMING}`));
    await visible(page.getByText('You are enrolled (waiting for payment, $2,005).'));
    assert.equal(await page.getByRole('link', { name: 'Enroll', exact: true }).count(), 0, 'no "Enroll"');
    await check(page, 'pending-offering');

    await page.goto(url('/spaces'));
    await visible(page.getByText(/once your enrollment in a course is confirmed/));
    await visible(page.getByText(due));
    await check(page, 'pending-spaces');

    await page.goto(url('/enrollments'));
    await visible(page.getByText(due));
    await check(page, 'pending-list');
  } finally {
    await context.close();
  }
});
