// The account pages in a real browser, at desktop (1280) and phone (390) widths: the
// administrator signs in, creates an invitation and finds it in the outbox (filtered by
// kind); in a second browser context the
// invited person opens the link, fills in the sign-up form (once wrongly, to see the error
// state), sees and saves the recovery code, signs out, signs in again and changes the
// password. Every page visited is checked with axe-core and screenshotted into
// <build>/screenshots/accounts-<step>-<width>.png; console errors and failed resources
// (CSP violations included) fail the test. The error states (sign-up with mismatched
// passwords, a wrong current password, a wrong password at sign-in) are visited on the
// desktop run only, to keep the test short.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  launch, close, newPage, url, axeCheck, screenshot, assertNoProblems, horizontalOverflow, BASE_URL,
} from './lib.mjs';

const ADMIN = { email: 'admin@cairn.test', password: 'cairn-demo-2026' };

let browser;
before(async () => { browser = await launch(); });
after(async () => { await close(browser); });

// Problems found by this test and reported (see the commit message), waiting for a fix in
// static/ or templates/: they are shown as todo subtests instead of failing the flow, so
// the rest of it still runs. Anything not listed here fails.
// Layout and accessibility problems found by this test and since fixed (an unpositioned
// .table-wrap let visually hidden spans widen the page; the wrapper was not focusable) are
// no longer expected: any overflow or axe finding fails the test.
const KNOWN_OVERFLOW = {};
const KNOWN_AXE = [];

/**
 * Screenshot, the phone's sideways scrolling, problems, axe: every page gets all four.
 * Known (reported) problems are collected in known[] for a todo subtest.
 */
async function checkPage(page, t, known, name, width, { status } = {}) {
  const t0 = performance.now();
  const shot = await screenshot(page, `accounts-${name}-${width}`);
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
  // Leaving a page before its icon has loaded aborts that request: not a problem.
  page.cairnProblems = page.cairnProblems.filter((p) => !/^request failed: .* \(net::ERR_ABORTED\)$/.test(p));
  assertNoProblems(page);
  const axeKnown = await axeCheck(page, { known: KNOWN_AXE });
  if (axeKnown) known.push(`${name}: axe-core:\n${axeKnown}`);
  t.diagnostic(`${name}: ${shot}${status ? ` (${status})` : ''}, checked in ${(performance.now() - t0).toFixed(0)} ms`);
}

async function signIn(page, email, password) {
  await page.goto(url('/signin'));
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await Promise.all([
    page.waitForURL(/\/home$/),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
}

async function visible(locator) {
  await locator.waitFor({ state: 'visible', timeout: 5000 });
}

for (const width of ['desktop', 'phone']) {
  describe(`accounts, ${width}`, () => {
    test('invite, sign up, save the recovery code, sign out and in, change the password',
      async (t) => {
        const suffix = randomBytes(4).toString('hex');
        const email = `browser.${suffix}@example.test`;
        const handle = `b_${suffix}`;
        const name = `Browser Person ${suffix}`;
        const password = `first ${suffix} password here`;
        const password2 = `second ${suffix} password here`;
        const known = [];
        // The error states look the same at both widths: checked on the desktop only.
        const errors = width === 'desktop';
        const admin = await newPage(browser, { width });
        const person = await newPage(browser, { width });
        try {
          // --- the administrator -------------------------------------------------------
          let page = admin.page;
          let res = await page.goto(url('/signin'));
          assert.equal(res.status(), 200);
          await visible(page.getByRole('heading', { level: 1, name: 'Sign in' }));
          await checkPage(page, t, known, 'signin', width);
          await page.getByLabel('Email').fill(ADMIN.email);
          await page.getByLabel('Password').fill(ADMIN.password);
          await Promise.all([page.waitForURL(/\/home$/),
            page.getByRole('button', { name: 'Sign in' }).click()]);
          await visible(page.getByRole('link', { name: 'Invitations' }));

          res = await page.goto(url('/admin/invites'));
          assert.equal(res.status(), 200);
          await visible(page.getByRole('heading', { level: 1, name: 'Invitations' }));
          await checkPage(page, t, known, 'admin-invites', width);
          await page.getByLabel('Email of the person to invite').fill(email);
          const [created] = await Promise.all([
            page.waitForResponse((r) => r.url() === url('/admin/invites') && r.request().method() === 'POST'),
            page.getByRole('button', { name: 'Create invitation' }).click(),
          ]);
          assert.equal(created.status(), 201);
          await page.waitForLoadState('load');
          await visible(page.getByText('Invitation created.'));
          const link = (await page.locator('code.link').innerText()).trim();
          assert.match(link, new RegExp(`^${BASE_URL}/invite\\?token=[A-Za-z0-9_-]{43}$`));
          await visible(page.getByRole('cell', { name: email, exact: true }));
          await checkPage(page, t, known, 'admin-invite-created', width);
          // The invitation is in the outbox; the filter by kind is a plain GET form.
          res = await page.goto(url('/admin/outbox'));
          assert.equal(res.status(), 200);
          await visible(page.getByRole('heading', { level: 1, name: 'Outbox' }));
          await checkPage(page, t, known, 'admin-outbox', width);
          await page.getByLabel('Kind').selectOption('invite');
          await Promise.all([page.waitForURL((u) => u.pathname === '/admin/outbox' && u.searchParams.get('kind') === 'invite'),
            page.getByRole('button', { name: 'Show' }).click()]);
          await visible(page.getByText(`to ${email}`));
          await checkPage(page, t, known, 'admin-outbox-invite', width);

          // --- the invited person, in another browser context ---------------------------
          page = person.page;
          res = await page.goto(link);
          assert.equal(res.status(), 200);
          await visible(page.getByRole('heading', { level: 1, name: 'Create your account' }));
          await visible(page.getByText(`You were invited to Cairn as ${email}`));
          await checkPage(page, t, known, 'signup', width);

          await page.getByLabel('Your name').fill(name);
          await page.getByLabel('Handle').fill(handle);
          await page.getByLabel('Profession').selectOption('social_worker');
          await page.getByLabel('Pronouns').fill('she/her');
          await page.getByRole('radio', { name: 'Pediatric', exact: true }).check();
          await page.getByLabel('Time zone').selectOption('America/Denver');
          if (errors) {
            await page.getByLabel('Password', { exact: true }).fill(password);
            await page.getByLabel('Password again').fill(`${password}!`);
            await Promise.all([page.waitForLoadState('load'),
              page.getByRole('button', { name: 'Create account' }).click()]);
            // The error is said, and what was typed (but the passwords) is still there.
            await visible(page.getByRole('alert').getByText('The two passwords do not match.'));
            assert.equal(await page.getByLabel('Your name').inputValue(), name);
            assert.equal(await page.getByLabel('Handle').inputValue(), handle);
            assert.equal(await page.getByLabel('Profession').inputValue(), 'social_worker');
            assert.equal(await page.getByLabel('Time zone').inputValue(), 'America/Denver');
            assert.ok(await page.getByRole('radio', { name: 'Pediatric', exact: true }).isChecked());
            assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '');
            await checkPage(page, t, known, 'signup-error', width, { status: 422 });
          }

          await page.getByLabel('Password', { exact: true }).fill(password);
          await page.getByLabel('Password again').fill(password);
          await Promise.all([page.waitForURL(/\/recovery-code$/),
            page.getByRole('button', { name: 'Create account' }).click()]);
          await visible(page.getByRole('heading', { level: 1, name: 'Your recovery code' }));
          const code = (await page.locator('.recovery-code code').innerText()).trim();
          assert.match(code, /^[A-Z2-7]{4}(-[A-Z2-7]{4}){7}$/);
          await checkPage(page, t, known, 'recovery-code', width);
          // The cookies are not readable by script.
          assert.equal(await page.evaluate(() => document.cookie), '');
          await page.getByLabel('I have saved my recovery code somewhere safe').check();
          await Promise.all([page.waitForURL(/\/home$/),
            page.getByRole('button', { name: 'Continue' }).click()]);
          await visible(page.getByRole('heading', { level: 1, name: `Welcome, ${name}` }));
          await checkPage(page, t, known, 'home', width);

          // Sign out, sign in.
          await Promise.all([page.waitForURL(`${BASE_URL}/`),
            page.getByRole('button', { name: 'Sign out', exact: true }).click()]);
          await visible(page.getByRole('link', { name: 'Sign in' }));
          await signIn(page, email, password);

          // Profile and password change.
          res = await page.goto(url('/profile'));
          assert.equal(res.status(), 200);
          await visible(page.getByRole('heading', { level: 1, name: 'Your profile' }));
          await visible(page.getByText('Your recovery code is saved.'));
          assert.equal(await page.getByText('This browser').count(), 1);
          await checkPage(page, t, known, 'profile', width);
          await Promise.all([page.waitForURL(/\/profile\/password$/),
            page.getByRole('link', { name: 'Change your password' }).click()]);
          await visible(page.getByRole('heading', { level: 1, name: 'Change your password' }));
          await checkPage(page, t, known, 'password', width);
          if (errors) {
            await page.getByLabel('Current password').fill(`${password}?`);
            await page.getByLabel('New password', { exact: true }).fill(password2);
            await page.getByLabel('New password again').fill(password2);
            await Promise.all([page.waitForLoadState('load'),
              page.getByRole('button', { name: 'Change password' }).click()]);
            await visible(page.getByRole('alert').getByText('Your current password is not right.'));
            await checkPage(page, t, known, 'password-error', width, { status: 422 });
          }
          await page.getByLabel('Current password').fill(password);
          await page.getByLabel('New password', { exact: true }).fill(password2);
          await page.getByLabel('New password again').fill(password2);
          await Promise.all([page.waitForURL(/\/profile\?done=password$/),
            page.getByRole('button', { name: 'Change password' }).click()]);
          await visible(page.getByRole('status').getByText('Your password was changed.'));
          await checkPage(page, t, known, 'password-changed', width);

          // The new password is the one that works.
          await Promise.all([page.waitForURL(`${BASE_URL}/`),
            page.getByRole('button', { name: 'Sign out', exact: true }).click()]);
          await page.goto(url('/signin'));
          await page.getByLabel('Email').fill(email);
          await page.getByLabel('Password').fill(password);
          await Promise.all([page.waitForLoadState('load'),
            page.getByRole('button', { name: 'Sign in' }).click()]);
          await visible(page.getByRole('alert').getByText('That email and password do not match an account.'));
          assert.equal(await page.getByLabel('Email').inputValue(), email);
          if (errors) await checkPage(page, t, known, 'signin-error', width, { status: 422 });
          await page.getByLabel('Password').fill(password2);
          await Promise.all([page.waitForURL(/\/home$/),
            page.getByRole('button', { name: 'Sign in' }).click()]);
        } finally {
          await admin.context.close();
          await person.context.close();
        }
        if (known.length) {
          await t.test('known layout and accessibility problems', {
            todo: 'reported: fix in static/cairn.css or templates/',
          }, () => {
            assert.fail(known.join('\n'));
          });
        }
      });
  });
}

// Browsers drop a TAB inside a URL: "/<TAB>/evil.test" would be //evil.test (it was, once).
test('a signed-in person sent to /signin?next=… stays on Cairn', async () => {
  const { context, page } = await newPage(browser);
  const elsewhere = [];
  try {
    await signIn(page, ADMIN.email, ADMIN.password);
    page.on('request', (r) => {
      if (new URL(r.url()).origin !== BASE_URL) elsewhere.push(r.url());
    });
    // A link someone could send to a Cairn user. (After a POST of the sign-in form the
    // same redirect is stopped by the CSP's form-action 'self'; a GET is not.)
    await page.goto(url('/signin?next=%2F%09%2Fevil.test%2F')).catch(() => {});
    assert.deepEqual(elsewhere, [], 'the browser was sent to another site');
    assert.equal(new URL(page.url()).origin, BASE_URL, `ended at ${page.url()}`);
  } finally {
    await context.close();
  }
});
