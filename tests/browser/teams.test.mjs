// A team enrolling together, in a real browser: the coordinator (demo user sam, who does
// not attend) signs in, registers a team of three for the upcoming Core Practice run by
// filling in the form, sees the quote with the group discount, confirms and copies two of
// the invitation links; in a second browser context an existing demo user (tomas) opens one,
// signs in and accepts; in a third a new person opens the other and makes an account on the
// way; the coordinator's team page then shows two accepted and one invited. The existing
// member signs in from the header's link and comes back to the invitation. Every page is
// looked at at desktop (1280) and phone (390) widths (the same page resized, so pages that
// answer a POST are seen at both widths too): screenshotted into
// <build>/screenshots/teams-<step>-<width>.png, checked for sideways scrolling on the phone,
// for console errors and failed resources (CSP violations included), and with axe-core at
// both widths (the two pages that repeat a template already checked at the phone width
// only: axe is slow on a loaded machine, and ctest gives the file 300 s). Then the pages that
// ask first (issue 9 §1): cancelling an enrollment, replacing a member, discarding the team,
// and taking a member off, which the coordinator confirms.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  launch, close, newPage, url, axeCheck, screenshot, assertNoProblems, horizontalOverflow, SIZES,
} from './lib.mjs';
import { db, closeDb, cleanupMark, cleanUp } from '../integration/enroll-lib.mjs';

const PASSWORD = 'cairn-demo-2026';
const SLUG = 'core-practice-upcoming';
const COORDINATOR = 'chaplain@cairn.test';                        // sam
// The existing member, a demo learner not enrolled in the upcoming run.
const EXISTING = { handle: 'tomas', email: 'pharmacist@cairn.test', name: 'Tomás Herrera',
  profession: 'pharmacist', category: 'allied_other' };

// Problems found by this test and reported, waiting for a fix in static/ or templates/:
// shown as todo subtests instead of failing the flow. Anything not listed fails.
const KNOWN_OVERFLOW = {};
const KNOWN_AXE = [];

let browser;
let mark;
before(async () => {
  mark = await cleanupMark();
  browser = await launch();
});
after(async () => {
  await close(browser);
  // The team and its enrollments go; the new person's account stays.
  if (mark) await cleanUp(mark);
  closeDb();
});

/**
 * Screenshot at both widths, sideways scrolling on the phone, console problems, axe at the
 * phone width and (unless desktopAxe is false) at the desktop width. The page is left at
 * the desktop width.
 */
async function checkPage(page, t, known, name, { desktopAxe = true } = {}) {
  for (const width of ['desktop', 'phone']) {
    const t0 = performance.now();
    await page.setViewportSize(SIZES[width].viewport);
    const shot = await screenshot(page, `teams-${name}-${width}`);
    if (width === 'phone') {
      const o = await horizontalOverflow(page);
      const msg = `${name}: the page scrolls sideways on a phone: ${o.scrollWidth} px in ` +
        `${o.clientWidth} px (wide: ${o.wide.join(', ')}; see ${shot})`;
      if (o.scrollWidth > o.clientWidth && KNOWN_OVERFLOW[name]) {
        known.push(`${msg}\n    why: ${KNOWN_OVERFLOW[name]}`);
      } else {
        assert.ok(o.scrollWidth <= o.clientWidth, msg);
      }
    }
    if (width === 'phone' || desktopAxe) {
      const axeKnown = await axeCheck(page, { known: KNOWN_AXE });
      if (axeKnown) known.push(`${name} (${width}): axe-core:\n${axeKnown}`);
    }
    t.diagnostic(`${name}: ${shot}, checked in ${(performance.now() - t0).toFixed(0)} ms`);
  }
  await page.setViewportSize(SIZES.desktop.viewport);
  // Leaving a page before its icon has loaded aborts that request: not a problem.
  page.cairnProblems = page.cairnProblems.filter((p) => !/^request failed: .* \(net::ERR_ABORTED\)$/.test(p));
  assertNoProblems(page);
}

async function signIn(page, email, password) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function visible(locator) {
  await locator.waitFor({ state: 'visible', timeout: 5000 });
}

function norm(s) {
  return s.replace(/\s+/g, ' ').trim();
}

/** The rows of the team table: [{ member, category, fee, discount, processing, total, state }]. */
async function teamRows(page) {
  const rows = page.locator('table tbody tr');
  const out = [];
  for (let i = 0; i < await rows.count(); i++) {
    const cells = (await rows.nth(i).locator('td').allInnerTexts()).map(norm);
    out.push({ member: cells[0], category: cells[1], fee: cells[2], discount: cells[3],
      processing: cells[4], total: cells[5], state: cells[6] });
  }
  return out;
}

describe('teams', () => {
  test('register a team of 3, see the discount, confirm, two members accept', async (t) => {
    const suffix = randomBytes(4).toString('hex');
    const existing = EXISTING;
    // Rerunnable on the same database: the existing member starts without an enrollment.
    await db(`UPDATE enrollments e SET state = 'cancelled', cancelled_at = now()
                FROM users u, offerings o
               WHERE e.user_id = u.id AND u.handle = $1 AND e.offering_id = o.id AND o.slug = $2
                 AND e.state <> 'cancelled'`, [existing.handle, SLUG]);
    const teamName = `Palliative Care Team ${suffix}`;
    const newcomer = { name: `Robin Castellanos ${suffix}`, email: `robin.${suffix}@example.test`,
      handle: `robin_${suffix}`, password: `robin ${suffix} joins the team` };
    const third = { name: `Kai Nakamura ${suffix}`, email: `kai.${suffix}@example.test` };
    const known = [];

    const coord = await newPage(browser);
    const memberA = await newPage(browser);
    const memberB = await newPage(browser);
    try {
      // 1. The coordinator signs in and opens the team form.
      let page = coord.page;
      await page.goto(url(`/signin?next=/offerings/${SLUG}/teams/new`));
      await Promise.all([page.waitForURL(new RegExp(`/offerings/${SLUG}/teams/new$`)),
        signIn(page, COORDINATOR, PASSWORD)]);
      await visible(page.getByRole('heading', { level: 1, name: 'Register a team' }));
      await visible(page.getByText('Teams of 3 or more get 10% off each member\'s course fee.'));
      await page.getByLabel('Team name').fill(teamName);
      await page.getByLabel('Institution').fill('Riverside Medical Center');
      const rows = [
        { name: existing.name, email: existing.email, profession: existing.profession,
          category: existing.category, track: 'adult' },
        { name: newcomer.name, email: newcomer.email, profession: 'nurse', category: 'nurse',
          track: 'pediatric' },
        { name: third.name, email: third.email, profession: 'social_worker',
          category: 'social_worker', track: 'both' },
      ];
      for (const [i, r] of rows.entries()) {
        const g = page.getByRole('group', { name: `Member ${i + 1}` });
        await g.getByLabel('Name').fill(r.name);
        await g.getByLabel('Email').fill(r.email);
        await g.getByLabel('Profession').selectOption(r.profession);
        await g.getByLabel('Fee category').selectOption(r.category);
        await g.getByLabel('Track').selectOption(r.track);
      }
      await checkPage(page, t, known, 'form');

      // 2. The quote: 10% off each course fee, the processing fee not discounted.
      await Promise.all([page.waitForURL(/\/teams\/\d+$/),
        page.getByRole('button', { name: 'See the quote' }).click()]);
      const teamPath = new URL(page.url()).pathname;
      await visible(page.getByRole('heading', { level: 1, name: `Team ${teamName}` }));
      await visible(page.getByText('The group discount (10%) applies: the team has 3 members.'));
      await visible(page.getByRole('table', { name: 'Quote' }));
      const quote = await teamRows(page);
      assert.deepEqual(quote.map((r) => [r.fee, r.discount, r.processing, r.total]),
        rows.map(() => ['$1,795.50 (early)', '−$179.55', '$10', '$1,625.95']));
      assert.equal(norm(await page.locator('tfoot').innerText()), 'Team total $4,877.85');
      await checkPage(page, t, known, 'quote');

      // 3. Confirm: the invitation links, shown once; copy two of them.
      await page.getByRole('button', { name: 'Confirm and create invitations' }).click();
      await visible(page.getByText('Invitations created.'));
      await visible(page.getByRole('table', { name: 'Members and invitations' }));
      const links = await page.locator('code.link').allInnerTexts();
      assert.equal(links.length, 3, 'one link per member');
      for (const l of links) assert.match(l, /\/team-invite\?token=[A-Za-z0-9_-]{43}$/);
      const [linkA, linkB] = links;
      await checkPage(page, t, known, 'confirmed');

      // 4. The existing member opens the link, signs in, accepts.
      page = memberA.page;
      await page.goto(linkA);
      await visible(page.getByRole('heading', { level: 1, name: `Join team ${teamName}` }));
      await visible(page.getByText('$1,795.50 course fee − $179.55 group discount + $10 processing = $1,625.95'));
      await visible(page.getByText(`You already have a Cairn account as ${existing.email}.`));
      await checkPage(page, t, known, 'invite-signin');
      // The header's link, the one people see first: it comes back here too (issue 9 §3).
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign in' }).click();
      await page.waitForURL(/\/signin\?next=/);
      await Promise.all([page.waitForURL(/\/team-invite\?token=/),
        signIn(page, existing.email, PASSWORD)]);
      await visible(page.getByRole('button', { name: 'Accept and enroll' }));
      await checkPage(page, t, known, 'invite-accept', { desktopAxe: false });
      await Promise.all([page.waitForURL(/\/enrollments\/\d+$/),
        page.getByRole('button', { name: 'Accept and enroll' }).click()]);
      await visible(page.getByText(`Status: Confirmed · team ${teamName}`));
      const fees = page.getByRole('table', { name: /Fees/ });
      await visible(fees);
      assert.equal(norm(await fees.locator('tr').filter({ hasText: 'Group discount' }).innerText()),
        'Group discount −$179.55');
      assert.equal(norm(await fees.locator('tr').filter({ hasText: 'Total' }).innerText()), 'Total $1,625.95');
      await checkPage(page, t, known, 'enrollment-existing');

      // 5. A new person opens the other link and makes an account on the way.
      page = memberB.page;
      await page.goto(linkB);
      await visible(page.getByText(`Create your account as ${newcomer.email} to accept.`));
      await checkPage(page, t, known, 'invite-new');
      await page.getByLabel('Your name').fill(newcomer.name);
      await page.getByLabel('Handle').fill(newcomer.handle);
      assert.equal(await page.getByLabel('Profession').inputValue(), 'nurse',
        'the profession the coordinator gave');
      await page.getByLabel('Pronouns').fill('they/them');
      await page.getByLabel('Pediatric', { exact: true }).check();
      await page.getByLabel('Time zone').selectOption('America/Chicago');
      await page.getByLabel('Password', { exact: true }).fill(newcomer.password);
      await page.getByLabel('Password again').fill(newcomer.password);
      await Promise.all([page.waitForURL(/\/enrollments\/\d+$/),
        page.getByRole('button', { name: 'Create account, accept and enroll' }).click()]);
      await visible(page.getByText('Your account is ready.'));
      await visible(page.getByText(`Status: Confirmed · team ${teamName}`));
      await checkPage(page, t, known, 'enrollment-new');

      // 6. The coordinator's page: two accepted, one still invited.
      page = coord.page;
      await page.goto(url(teamPath));
      await visible(page.getByRole('table', { name: 'Members and invitations' }));
      const after = await teamRows(page);
      assert.deepEqual(after.map((r) => r.state), ['accepted', 'accepted', 'invited']);
      assert.ok(after[0].member.includes(existing.email) && after[1].member.includes(newcomer.email));
      assert.equal(await page.locator('code.link').count(), 0, 'the links are not shown again');
      await checkPage(page, t, known, 'team-after', { desktopAxe: false });

      // What the database says.
      const teamId = teamPath.split('/').pop();
      assert.equal(await db(`SELECT string_agg(m.state || ':' || coalesce(e.source, '-') || ':' ||
                               coalesce(e.amount_cents::text, '-'), ' ' ORDER BY m.position)
                             FROM team_members m LEFT JOIN enrollments e ON e.id = m.enrollment_id
                             WHERE m.team_id = $1`, [teamId]),
      'accepted:team:162595 accepted:team:162595 invited:-:-');

      // 7. Changes ask first (issue 9 §1). The existing member looks at cancelling, and keeps
      // the place.
      page = memberA.page;
      await page.getByRole('link', { name: 'Cancel this enrollment…' }).click();
      await visible(page.getByRole('heading', { level: 1, name: 'Cancel your enrollment?' }));
      await visible(page.getByText('Amount concerned: $1,625.95, of which $10 is the non-refundable processing fee.'));
      await checkPage(page, t, known, 'cancel-confirm');
      await Promise.all([page.waitForURL(/\/enrollments\/\d+$/),
        page.getByRole('link', { name: 'No, keep it' }).click()]);

      // 8. The coordinator looks at replacing the third member and at discarding the team,
      // keeps both, then takes the third member off: the team page says what was done.
      page = coord.page;
      await page.getByRole('link', { name: new RegExp(`^Replace ${third.name}\\s*…$`) }).click();
      await visible(page.getByRole('heading', { level: 1, name: `Replace ${third.name}` }));
      await checkPage(page, t, known, 'replace-confirm', { desktopAxe: false });
      await page.getByRole('link', { name: `No, keep ${third.name}` }).click();
      await page.getByRole('link', { name: 'Discard the team…' }).click();
      await visible(page.getByRole('heading', { level: 1, name: `Discard team ${teamName}?` }));
      await checkPage(page, t, known, 'discard-confirm', { desktopAxe: false });
      await page.getByRole('link', { name: 'No, keep it' }).click();
      await page.getByRole('link', { name: new RegExp(`^Take off the team\\s*: ${third.name}\\s*…$`) }).click();
      await visible(page.getByRole('heading', { level: 1, name: `Take ${third.name} off the team?` }));
      await visible(page.getByText('The invitation sent to'));
      await checkPage(page, t, known, 'revoke-confirm');
      await Promise.all([page.waitForURL(/\/teams\/\d+\?done=revoked$/),
        page.getByRole('button', { name: `Yes, take ${third.name} off the team` }).click()]);
      await visible(page.getByRole('status').filter({ hasText: 'The member was taken off the team' }));
      await checkPage(page, t, known, 'team-revoked', { desktopAxe: false });
      assert.equal(await db(`SELECT count(*) FROM outbox WHERE to_email = $1 AND kind = 'team-member-removed'`,
        [third.email]), '1', 'the member taken off is told');
    } finally {
      await coord.context.close();
      await memberA.context.close();
      await memberB.context.close();
    }
    if (known.length) {
      await t.test('known problems', { todo: 'reported; fix in templates/ or static/' }, () => {
        assert.fail(known.join('\n'));
      });
    }
  });
});
