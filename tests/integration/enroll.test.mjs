// Individual enrollment (issue 4, DESIGN §4-§5 and §7), over real HTTP against the test
// server, with every effect checked in the database: the form's prices for today (early and
// regular, the processing fee), the fee category defaulting from the profession, the frozen
// quote in the enrollment row, the outbox message, the enrollment page, payment marked by an
// administrator, cancellation and enrolling again; a new person making an account on the
// way; deadlines, capacity (also under 10 parallel requests), bad categories, enrolling
// twice, other people's enrollments, non-admins on admin forms and CSRF; the cohort roster
// and who sees whom; staff invitations by an offering's directors and facilitators.
//
// Each test makes its own people (random handles and emails) and, where it needs a small
// capacity or particular deadlines, its own offering (makeOffering). Tests that pin the
// server's clock put it back in a finally block (withClock).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { get, post, CookieJar, closeConnections, textOf } from './lib.mjs';
import {
  db, closeDb, cleanupMark, cleanUp, count, snapshot, assertSameSnapshot, writesNothing, uniq,
  freshEmail, forgedToken, setClock, withClock, csrfOf, mainText, inputValue, alertText,
  testSession, sessionCsrf, adminJar, signupFields, signUpWithInvite, UPCOMING, PAST, SEED,
  CATEGORIES, money, offeringInfo, makeOffering, makeUsers, userId, unenroll, enrollmentsOf,
  liveLearners, enrollForm, enrollPost, enrollmentIdOf, enroll, categoryChoices,
  checkedCategory, feeTable, statusLine, formFields, confirmVia, statusText, outboxMessages,
} from './enroll-lib.mjs';

let mark;
before(async () => { mark = await cleanupMark(); });
after(async () => {
  await setClock(0).catch(() => {});
  if (mark) await cleanUp(mark);
  closeDb();
  closeConnections();
});

const LABELS = ['Physician (MD/DO)', 'Nurse (RN/APRN)', 'PA', 'Psychologist', 'Resident/Fellow',
  'Social Worker', 'Allied Health Professional / Other'];
const POLICY_START = 'Cancellations made in writing at least 14 days before the course begins';
const CLOSED = 'Registration for this offering is closed.';
const FULL = 'This offering is full.';
const ALREADY = 'You are already enrolled in this offering.';
const BAD_CATEGORY = 'Choose one of the fee categories listed.';
const CSRF_WORDS = 'did not come from Cairn, so nothing was changed';

const live = (rows) => rows.filter((r) => r.state !== 'cancelled');
/** The rows of the administrator's enrollment list, as the text of their cells. */
const adminRows = (html) => [.../<tbody>([\s\S]*?)<\/tbody>/.exec(html)[1].matchAll(/<tr>([\s\S]*?)<\/tr>/g)]
  .map((row) => [...row[1].matchAll(/<td>([\s\S]*?)<\/td>/g)].map((c) => textOf(c[1].replace(/<br>/g, ' '))));
const outboxCount = (email, kind) => count('outbox', 'to_email = $1 AND kind = $2', [email, kind]);

// ---------------------------------------------------------------------------------------
test('priya enrolls: today\'s prices, the frozen quote, outbox, paid, cancelled, again',
  async (t) => {
    const up = await offeringInfo(UPCOMING);
    const now = Math.floor(Date.now() / 1000);
    assert.ok(now < up.earlyDeadline, 'the demo\'s upcoming run is still in early registration');
    await unenroll('priya', UPCOMING);
    const priya = await userId('priya');
    const jar = await testSession('priya');
    const email = 'nurse@cairn.test';

    // The form: every category at the early price for today, nurse chosen from her profession.
    const { res: form, csrf } = await enrollForm(UPCOMING, jar);
    assert.equal(form.headers['cache-control'], 'no-store', 'a signed-in page is not cached');
    const choices = categoryChoices(form.body);
    assert.deepEqual(choices.map((c) => c.code), CATEGORIES);
    assert.deepEqual(choices.map((c) => c.label), LABELS);
    for (const c of choices) {
      assert.deepEqual([c.fee, c.early, c.processing, c.total],
        ['$1,795.50', true, '$10', '$1,805.50'], `${c.label} today`);
    }
    assert.deepEqual(choices.filter((c) => c.checked).map((c) => c.code), ['nurse'],
      'a nurse\'s fee category defaults to Nurse (RN/APRN)');
    assert.doesNotMatch(form.body, /name="password"/, 'no account fields when signed in');
    assert.ok(mainText(form.body).includes(POLICY_START), 'the form states the policy');

    // Confirm: one pending row with the early quote frozen in it, one outbox message.
    const outboxBefore = await outboxCount(email, 'enrollment');
    const id = enrollmentIdOf(await enrollPost(UPCOMING, jar, { csrf, fee_category: 'nurse' }));
    const rows = live(await enrollmentsOf(priya, up.id));
    assert.equal(rows.length, 1, 'one live enrollment');
    const { id: rowId, ...row } = rows[0];
    assert.equal(rowId, id);
    assert.deepEqual(row, { role: 'learner', state: 'pending_payment', source: 'self',
      category: 'nurse', priceKind: 'early', fee: SEED.early, discount: 0,
      processing: SEED.processing, amount: 180550, teamId: '' });
    assert.equal(SEED.early + SEED.processing, 180550);
    assert.equal(await outboxCount(email, 'enrollment'), outboxBefore + 1, 'an outbox message');
    assert.equal(await db(`SELECT subject FROM outbox WHERE to_email = $1 AND kind = 'enrollment'
                       ORDER BY id DESC LIMIT 1`, [email]),
    'Your enrollment: Core Practice of Palliative Care');
    assert.equal(await db(`SELECT length(body) > 100 AND position('Amount due' in encode(body, 'escape')) = 0
                       FROM outbox WHERE to_email = $1 AND kind = 'enrollment'
                       ORDER BY id DESC LIMIT 1`, [email]), 't', 'the body is sealed, not plain text');

    // The enrollment page: the breakdown, the state and the policy.
    let page = await get(`/enrollments/${id}`, { jar });
    assert.equal(page.status, 200);
    assert.equal(page.headers['cache-control'], 'no-store');
    assert.deepEqual(feeTable(page.body), {
      caption: 'Fees (Nurse (RN/APRN))',
      'Course fee (early price)': '$1,795.50',
      'Processing fee (non-refundable)': '$10',
      Total: '$1,805.50',
    });
    assert.equal(statusLine(page.body), 'Status: Waiting for payment');
    const text = mainText(page.body);
    assert.ok(text.includes('Cancellation policy'), 'the policy heading');
    assert.ok(text.includes(POLICY_START), 'the policy text');
    assert.doesNotMatch(page.body, /Mark as paid/, 'a learner cannot mark it paid');
    assert.match(page.body, new RegExp(`href="/enrollments/${id}/cancel"`));

    // The administrator marks it paid.
    await t.test('an administrator marks it paid', async () => {
      const admin = await adminJar();
      const list = await get(`/admin/offerings/${up.id}/enrollments`, { jar: admin });
      assert.equal(list.status, 200);
      assert.deepEqual(adminRows(list.body).find((x) => x[0].startsWith('Priya')), [
        'Priya Natarajan, RN nurse@cairn.test · self', 'learner', 'Nurse (RN/APRN)', '$1,805.50',
        'waiting for payment', 'Mark paid for Priya Natarajan, RN']);
      const adminPage = await get(`/enrollments/${id}`, { jar: admin });
      assert.equal(adminPage.status, 200);
      assert.match(adminPage.body, /Enrollment of Priya Natarajan, RN/);
      assert.match(adminPage.body, new RegExp(`action="/admin/enrollments/${id}/confirm"`));
      const r = await post(`/admin/enrollments/${id}/confirm`, { csrf: csrfOf(adminPage.body) },
        { jar: admin });
      assert.equal(r.status, 303, mainText(r.body));
      assert.equal(r.headers.location, `/enrollments/${id}?done=paid`);
      assert.equal(await db('SELECT state, confirmed_at IS NOT NULL, amount_cents FROM enrollments WHERE id = $1',
        [id]), 'confirmed|t|180550', 'confirmed, the amount unchanged');
      const again = await post(`/admin/enrollments/${id}/confirm`, { csrf: csrfOf(adminPage.body) },
        { jar: admin });
      assert.equal(again.status, 409, 'a confirmed enrollment cannot be confirmed again');
      page = await get(`/enrollments/${id}`, { jar });
      assert.equal(statusLine(page.body), 'Status: Confirmed');
    });

    await t.test('priya cancels: state cancelled, an outbox message, the policy', async () => {
      const before = await outboxCount(email, 'enrollment-cancelled');
      const { res: r } = await confirmVia(`/enrollments/${id}/cancel`, jar);
      assert.equal(r.status, 303, mainText(r.body));
      assert.equal(r.headers.location, `/enrollments/${id}?done=cancelled`);
      assert.equal(await db('SELECT state, cancelled_at IS NOT NULL FROM enrollments WHERE id = $1', [id]),
        'cancelled|t');
      assert.equal(await outboxCount(email, 'enrollment-cancelled'), before + 1);
      page = await get(`/enrollments/${id}`, { jar });
      assert.equal(statusLine(page.body), 'Status: Cancelled');
      assert.doesNotMatch(page.body, /\/cancel"/, 'no cancel button on a cancelled enrollment');
      const again = await post(`/enrollments/${id}/cancel`, { csrf: csrfOf(page.body) }, { jar });
      assert.equal(again.status, 409, 'cancelling twice');
      assert.equal(await outboxCount(email, 'enrollment-cancelled'), before + 1, 'no second message');
    });

    await t.test('after the early deadline she enrolls again, at the regular price', async () => {
      await withClock(up.earlyDeadline + 1, async () => {
        // Weeks ahead, today's session has timed out: sign in again at that time.
        const later = await testSession('priya');
        const { res: f2, csrf: c2 } = await enrollForm(UPCOMING, later);
        for (const c of categoryChoices(f2.body)) {
          assert.deepEqual([c.fee, c.early, c.processing, c.total],
            ['$1,995', false, '$10', '$2,005'], `${c.label} after the early deadline`);
        }
        const id2 = enrollmentIdOf(await enrollPost(UPCOMING, later, { csrf: c2, fee_category: 'nurse' }));
        assert.notEqual(id2, id, 'a new enrollment');
        const all = await enrollmentsOf(priya, up.id);
        assert.equal(live(all).length, 1, 'one live enrollment');
        const { id: _, ...row2 } = live(all)[0];
        assert.deepEqual(row2, { role: 'learner', state: 'pending_payment', source: 'self',
          category: 'nurse', priceKind: 'regular', fee: SEED.regular, discount: 0,
          processing: SEED.processing, amount: SEED.regular + SEED.processing, teamId: '' });
        assert.equal(SEED.regular + SEED.processing, 200500);
        assert.equal(all.find((r) => r.id === id).state, 'cancelled', 'the old row stays cancelled');
        const p2 = await get(`/enrollments/${id2}`, { jar: later });
        assert.deepEqual(feeTable(p2.body), { caption: 'Fees (Nurse (RN/APRN))',
          'Course fee': '$1,995', 'Processing fee (non-refundable)': '$10', Total: '$2,005' });
      });
    });
    await unenroll('priya', UPCOMING);
  });

// ---------------------------------------------------------------------------------------
test('the form quotes the price of the day: early through the deadline instant, then regular',
  async () => {
    const up = await offeringInfo(UPCOMING);
    const [u] = await makeUsers(1, { profession: 'chaplain' });
    const cases = [
      { what: 'a day before the early deadline', at: up.earlyDeadline - 86400, early: true },
      { what: 'at the early deadline', at: up.earlyDeadline, early: true },
      { what: 'a second after it', at: up.earlyDeadline + 1, early: false },
      { what: 'a second before registration closes', at: up.registrationDeadline - 1, early: false },
    ];
    for (const c of cases) {
      await withClock(c.at, async () => {
        const jar = await testSession(u.handle);  // a session of that time
        const { res } = await writesNothing(`GET the form ${c.what}`, () => enrollForm(UPCOMING, jar));
        const choices = categoryChoices(res.body);
        assert.equal(choices.length, 7, c.what);
        const fee = c.early ? SEED.early : SEED.regular;
        for (const ch of choices) {
          assert.deepEqual([ch.fee, ch.early, ch.total], [money(fee), c.early,
            money(fee + SEED.processing)], `${c.what}: ${ch.label}`);
        }
        assert.equal(checkedCategory(res.body), 'allied_other',
          'a chaplain defaults to Allied Health Professional / Other');
      });
    }
  });

// ---------------------------------------------------------------------------------------
test('the fee category defaults from the profession', async () => {
  const expected = {
    physician: 'physician', psychiatrist: 'physician', nurse: 'nurse', np: 'nurse', pa: 'pa',
    psychologist: 'psychologist', resident_fellow: 'resident_fellow',
    social_worker: 'social_worker', chaplain: 'allied_other', pharmacist: 'allied_other',
    other: 'allied_other',
  };
  for (const [profession, category] of Object.entries(expected)) {
    const [u] = await makeUsers(1, { profession, signIn: true });
    const { res } = await enrollForm(UPCOMING, u.jar);
    assert.equal(checkedCategory(res.body), category, profession);
  }
});

// ---------------------------------------------------------------------------------------
test('a new person enrolls and makes an account on the way; a bad password creates nothing',
  async (t) => {
    const up = await offeringInfo(UPCOMING);
    const jar = new CookieJar();
    const { res: form, csrf } = await enrollForm(UPCOMING, jar);
    assert.ok(jar.get('cairn_pre'), 'the form sets a pre-session cookie');
    for (const name of ['email', 'handle', 'display_name', 'pronouns', 'password', 'password_again']) {
      assert.match(form.body, new RegExp(`name="${name}"`), `the form asks for ${name}`);
    }
    assert.equal(checkedCategory(form.body), 'allied_other',
      'no profession known yet: Allied Health Professional / Other');
    const email = freshEmail('walkin');
    const fields = signupFields({ profession: 'social_worker', track: 'both' });
    const password = `walk in ${uniq()} enrollment`;
    const base = { csrf, email, ...fields, fee_category: 'social_worker' };
    const counts = async () => ({
      users: await count('users'), credentials: await count('credentials'),
      enrollments: await count('enrollments'), outbox: await count('outbox'),
      sessions: await count('web_sessions'),
    });

    const refused = [
      ['a short password', { password: 'short', password_again: 'short' }, /password/i],
      ['passwords that differ', { password, password_again: `${password}!` },
        /The two passwords do not match\./],
      ['an email that has an account', { email: 'nurse@cairn.test', password, password_again: password },
        /An account with this email address already exists\. If it is yours, sign in first\./],
      ['a handle that is taken', { handle: 'priya', password, password_again: password },
        /That handle is taken/],
      ['no handle', { handle: '', password, password_again: password }, /Choose a handle/],
      ['no profession', { profession: '', password, password_again: password }, /Choose your profession/],
    ];
    for (const [what, extra, words] of refused) {
      await t.test(what, async () => {
        const before = await counts();
        const snap = await snapshot();
        const r = await enrollPost(UPCOMING, jar, { ...base, ...extra });
        assert.equal(r.status, 422, `${what}: ${mainText(r.body)}`);
        assert.match(alertText(r.body), words);
        assert.deepEqual(await counts(), before, `${what}: no user, credentials, enrollment or message`);
        assertSameSnapshot(snap, await snapshot(), what);
        assert.equal(jar.get('cairn_session'), undefined, 'not signed in');
        // What was typed is kept, except the passwords.
        assert.equal(inputValue(r.body, 'email'), extra.email ?? email);
        assert.equal(inputValue(r.body, 'display_name'), fields.display_name);
        assert.equal(checkedCategory(r.body), 'social_worker', 'the category is kept');
        assert.doesNotMatch(r.body, new RegExp(password), 'the password is not sent back');
      });
    }

    const before = await counts();
    const r = await enrollPost(UPCOMING, jar, { ...base, password, password_again: password });
    const id = enrollmentIdOf(r);
    assert.ok(jar.get('cairn_session'), 'signed in as the new account');
    const uid = await db('SELECT id FROM users WHERE email = $1', [email]);
    assert.ok(uid, 'the user exists');
    assert.equal(await db(`SELECT handle, display_name, profession, pronouns, time_zone, track, is_admin
                       FROM users WHERE id = $1`, [uid]),
    `${fields.handle}|${fields.display_name}|social_worker|${fields.pronouns}|${fields.time_zone}|both|f`);
    assert.equal(await count('credentials', 'user_id = $1', [uid]), 1, 'credentials');
    assert.equal(await count('journal_keys', 'user_id = $1', [uid]), 1, 'a journal key');
    const rows = await enrollmentsOf(uid, up.id);
    assert.equal(rows.length, 1);
    assert.deepEqual({ ...rows[0], id: undefined }, { id: undefined, role: 'learner',
      state: 'pending_payment', source: 'self', category: 'social_worker', priceKind: 'early',
      fee: SEED.early, discount: 0, processing: SEED.processing, amount: 180550, teamId: '' });
    assert.equal(rows[0].id, id);
    assert.equal(await outboxCount(email, 'enrollment'), 1, 'the confirmation message');
    const after = await counts();
    assert.deepEqual([after.users - before.users, after.credentials - before.credentials,
      after.enrollments - before.enrollments], [1, 1, 1], 'one user, one credential, one enrollment');

    const page = await get(`/enrollments/${id}`, { jar });
    assert.equal(page.status, 200);
    assert.match(mainText(page.body), /Your account is ready\. See and save your recovery code/);
    const code = await get('/recovery-code', { jar });
    assert.equal(code.status, 200, 'the recovery code waits to be seen');
  });

// ---------------------------------------------------------------------------------------
test('registration closed: after the deadline the form and the POST answer 409, nothing written',
  async (t) => {
    const up = await offeringInfo(UPCOMING);
    const [u] = await makeUsers(1);
    const anon = new CookieJar();
    const { csrf: anonCsrf } = await enrollForm(UPCOMING, anon);

    await withClock(up.registrationDeadline - 1, async () => {
      await enrollForm(UPCOMING, await testSession(u.handle), 200);
    });
    for (const [what, at] of [['at the deadline', up.registrationDeadline],
      ['a day after it', up.registrationDeadline + 86400],
      ['on the first day', up.startsAt + 12 * 3600]]) {
      await t.test(what, async () => {
        await withClock(at, async () => {
          const jar = await testSession(u.handle);
          const csrf = await sessionCsrf(jar);
          await writesNothing(`${what}: a signed-in enrollment`, async () => {
            const g = await get(`/offerings/${UPCOMING}/enroll`, { jar });
            assert.equal(g.status, 409);
            assert.ok(mainText(g.body).includes(CLOSED), mainText(g.body));
            const r = await enrollPost(UPCOMING, jar, { csrf, fee_category: 'nurse' });
            assert.equal(r.status, 409, mainText(r.body));
            assert.ok(mainText(r.body).includes(CLOSED));
          });
        });
      });
    }
    await t.test('a new person after the deadline: no account either', async () => {
      await withClock(up.registrationDeadline + 60, async () => {
        await writesNothing('a late new person', async () => {
          const password = `late ${uniq()} registration`;
          const r = await enrollPost(UPCOMING, anon, { csrf: anonCsrf, email: freshEmail('late'),
            ...signupFields(), password, password_again: password, fee_category: 'nurse' });
          assert.equal(r.status, 409, mainText(r.body));
          assert.ok(mainText(r.body).includes(CLOSED));
        });
        assert.equal(anon.get('cairn_session'), undefined, 'not signed in');
      });
    });
    assert.equal((await enrollmentsOf(u.id, up.id)).length, 0);
  });

// ---------------------------------------------------------------------------------------
test('capacity: the last seat goes once; a full offering answers 409 "full"', async (t) => {
  const o = await makeOffering({ capacity: 1, tag: 'cap' });
  const [a, b] = await makeUsers(2, { signIn: true });
  const { csrf: csrfB } = await enrollForm(o.slug, b.jar);
  const idA = await enroll(o.slug, a.jar, 'nurse');
  assert.equal(await liveLearners(o.id), 1);

  await t.test('a second learner is refused, nothing written', async () => {
    const snap = await snapshot();
    const r = await enrollPost(o.slug, b.jar, { csrf: csrfB, fee_category: 'nurse' });
    assert.equal(r.status, 409, mainText(r.body));
    assert.ok(mainText(r.body).includes(FULL), mainText(r.body));
    assertSameSnapshot(snap, await snapshot(), 'enrolling into a full offering');
  });

  await t.test('a new person is refused too, and no account is left behind', async () => {
    const jar = new CookieJar();
    const { csrf } = await enrollForm(o.slug, jar);
    const snap = await snapshot();
    const password = `full ${uniq()} offering`;
    const r = await enrollPost(o.slug, jar, { csrf, email: freshEmail('full'), ...signupFields(),
      password, password_again: password, fee_category: 'nurse' });
    assert.equal(r.status, 409, mainText(r.body));
    assert.ok(mainText(r.body).includes(FULL));
    assertSameSnapshot(snap, await snapshot(), 'a new person into a full offering');
    assert.equal(jar.get('cairn_session'), undefined, 'the session cookie is cleared');
  });

  await t.test('staff do not take seats; a cancellation frees one', async () => {
    await db(`INSERT INTO enrollments (offering_id, user_id, role, state, source, created_at)
          SELECT $1, id, 'facilitator', 'confirmed', 'staff', now() FROM users WHERE handle = 'okafor'`,
    [o.id]);
    const { res: c } = await confirmVia(`/enrollments/${idA}/cancel`, a.jar);
    assert.equal(c.status, 303);
    await enroll(o.slug, b.jar, 'pa');
    assert.equal(await liveLearners(o.id), 1);
  });
});

// ---------------------------------------------------------------------------------------
// SERVER BUG (server/enroll.c, enroll_learner): the seat check is
//   SELECT <open>, capacity IS NULL OR (SELECT count(*) FROM enrollments ...) < capacity
//     FROM offerings o WHERE o.id = $1 FOR UPDATE
// and PostgreSQL evaluates that sub-select in the scan below LockRows, with the statement's
// snapshot taken before it waits for the row lock; a lock holder only locks the offering
// row (it never updates it), so there is no re-check either. Every concurrent request sees
// the count from before the others committed: measured, 10 of 10 got a seat out of 3.
test('10 people enroll at once into 3 seats: exactly 3 enrollments', async (t) => {
  const o = await makeOffering({ capacity: 3, tag: 'race' });
  const people = await makeUsers(10, { signIn: true, tag: 'race' });
  const forms = await Promise.all(people.map((p) => enrollForm(o.slug, p.jar)));
  const results = await Promise.all(people.map((p, i) => post(`/offerings/${o.slug}/enroll`,
    { csrf: forms[i].csrf, fee_category: 'nurse' }, { jar: p.jar, agent: false })));
  const statuses = results.map((r) => r.status).sort();
  const rows = await liveLearners(o.id);
  t.diagnostic(`statuses: ${statuses.join(' ')}; live learner rows: ${rows}`);
  // Whatever the outcome, each answer is a seat or "full", and each seat is one row.
  for (const r of results) {
    assert.ok(r.status === 303 || (r.status === 409 && mainText(r.body).includes(FULL)),
      `${r.status}: ${mainText(r.body)}`);
  }
  assert.equal(rows, statuses.filter((x) => x === 303).length, 'one row per 303');
  await t.test('exactly three seats are taken, seven are told "full"', () => {
    assert.equal(rows, 3, 'exactly three learners');
    assert.deepEqual(statuses, [303, 303, 303, 409, 409, 409, 409, 409, 409, 409]);
  });
});

// ---------------------------------------------------------------------------------------
test('bad fee categories → 422, nothing written', async (t) => {
  const o = await makeOffering({ tag: 'cat', fees: { physician: [250000, 225000], pa: [150000, null] } });
  const [u] = await makeUsers(1, { profession: 'pa', signIn: true });
  const { res: form, csrf } = await enrollForm(o.slug, u.jar);
  const choices = categoryChoices(form.body);
  assert.deepEqual(choices.map((c) => [c.code, c.fee, c.early, c.total]), [
    ['physician', '$2,250', true, '$2,260'],
    ['pa', '$1,500', false, '$1,510'],
  ], 'only the offering\'s categories; no early price where the table has none');
  for (const [what, fields] of [
    ['an unknown category', { fee_category: 'astronaut' }],
    ['a category the offering does not sell', { fee_category: 'nurse' }],
    ['no category', {}],
    ['an empty category', { fee_category: '' }],
    ['SQL in the category', { fee_category: "nurse' OR '1'='1" }],
  ]) {
    await t.test(what, async () => {
      const snap = await snapshot();
      const r = await enrollPost(o.slug, u.jar, { csrf, ...fields });
      assert.equal(r.status, 422, `${what}: ${mainText(r.body)}`);
      assert.equal(alertText(r.body), BAD_CATEGORY);
      assert.equal(categoryChoices(r.body).length, 2, 'the form is shown again');
      assertSameSnapshot(snap, await snapshot(), what);
    });
  }
  const id = enrollmentIdOf(await enrollPost(o.slug, u.jar, { csrf, fee_category: 'pa' }));
  assert.deepEqual((await enrollmentsOf(u.id, o.id)).map((r) => [r.id, r.priceKind, r.amount]),
    [[id, 'regular', 151000]]);
});

// ---------------------------------------------------------------------------------------
test('enrolling twice: the form leads to the enrollment, a second POST is 409, one row',
  async () => {
    const o = await makeOffering({ tag: 'twice' });
    const [u] = await makeUsers(1, { signIn: true });
    const { csrf } = await enrollForm(o.slug, u.jar);
    const id = enrollmentIdOf(await enrollPost(o.slug, u.jar, { csrf, fee_category: 'nurse' }));
    const g = await get(`/offerings/${o.slug}/enroll`, { jar: u.jar });
    assert.equal(g.status, 303, 'the form redirects to the existing enrollment');
    assert.equal(g.headers.location, `/enrollments/${id}`);
    const snap = await snapshot();
    for (const category of ['nurse', 'physician']) {
      const r = await enrollPost(o.slug, u.jar, { csrf, fee_category: category });
      assert.equal(r.status, 409, mainText(r.body));
      assert.ok(mainText(r.body).includes(ALREADY));
    }
    assertSameSnapshot(snap, await snapshot(), 'a second enrollment');
    assert.equal((await enrollmentsOf(u.id, o.id)).length, 1, 'one row');
  });

// ---------------------------------------------------------------------------------------
test('someone else\'s enrollment: 404 to view or cancel; a director and the admin may',
  async () => {
    const up = await offeringInfo(UPCOMING);
    const [owner, other] = await makeUsers(2, { signIn: true });
    const id = await enroll(UPCOMING, owner.jar, 'nurse');
    const ownPage = await get(`/enrollments/${id}`, { jar: other.jar });
    assert.equal(ownPage.status, 404, 'another learner');
    const missing = await get('/enrollments/999999999', { jar: owner.jar });
    assert.equal(missing.status, 404);
    assert.equal(mainText(ownPage.body).replace(/\d+/g, '#'), mainText(missing.body).replace(/\d+/g, '#'),
      'someone else\'s enrollment looks exactly like a missing one');
    for (const path of ['/enrollments/abc', '/enrollments/0', '/enrollments/-1', `/enrollments/${id}x`]) {
      assert.equal((await get(path, { jar: owner.jar })).status, 404, path);
    }
    const anonymous = await get(`/enrollments/${id}`);
    assert.equal(anonymous.status, 303, 'anonymous: sign in first');
    assert.equal(anonymous.headers.location, `/signin?next=/enrollments/${id}`);

    const otherCsrf = await sessionCsrf(other.jar);
    const okafor = await testSession('okafor');
    const okc = await sessionCsrf(okafor);
    let snap = await snapshot();
    const c = await post(`/enrollments/${id}/cancel`, { csrf: otherCsrf }, { jar: other.jar });
    assert.equal(c.status, 404, 'another learner cannot cancel it');
    assert.equal((await get(`/enrollments/${id}`, { jar: okafor })).status, 404,
      'a facilitator does not see enrollments');
    assert.equal((await post(`/enrollments/${id}/cancel`, { csrf: okc }, { jar: okafor })).status, 404);
    assertSameSnapshot(snap, await snapshot(), 'cancelling someone else\'s enrollment');

    const rivera = await testSession('rivera');
    const rp = await get(`/enrollments/${id}`, { jar: rivera });
    assert.equal(rp.status, 200, 'the offering\'s director sees it');
    assert.match(rp.body, new RegExp(`Enrollment of ${owner.name}`));
    assert.doesNotMatch(rp.body, /Mark as paid/, 'only an administrator marks it paid');
    snap = await snapshot();
    const riveraConfirm = await post(`/admin/enrollments/${id}/confirm`, { csrf: csrfOf(rp.body) },
      { jar: rivera });
    assert.equal(riveraConfirm.status, 403, 'a director is not an administrator');
    assertSameSnapshot(snap, await snapshot(), 'a director marking it paid');
    assert.equal((await enrollmentsOf(owner.id, up.id))[0].state, 'pending_payment');
  });

// ---------------------------------------------------------------------------------------
test('a learner posting to the admin forms → 403, nothing changed', async () => {
  const up = await offeringInfo(UPCOMING);
  const [u] = await makeUsers(1, { signIn: true });
  const id = await enroll(UPCOMING, u.jar, 'nurse');
  const page = await get(`/enrollments/${id}`, { jar: u.jar });
  const csrf = csrfOf(page.body);
  const snap = await snapshot();
  for (const back of [undefined, 'list']) {
    const r = await post(`/admin/enrollments/${id}/confirm`, back ? { csrf, back } : { csrf }, { jar: u.jar });
    assert.equal(r.status, 403, mainText(r.body));
    assert.ok(mainText(r.body).includes('Only an administrator can do that.'));
  }
  const list = await get(`/admin/offerings/${up.id}/enrollments`, { jar: u.jar });
  assert.equal(list.status, 403);
  const anon = await post(`/admin/enrollments/${id}/confirm`, {}, {});
  assert.equal(anon.status, 403, `anonymous without a form token: ${anon.status}`);
  assertSameSnapshot(snap, await snapshot(), 'a learner marking their own enrollment paid');
  assert.equal((await enrollmentsOf(u.id, up.id))[0].state, 'pending_payment');
});

// ---------------------------------------------------------------------------------------
test('the administrator\'s list of an offering\'s enrollments', async (t) => {
  const o = await makeOffering({ tag: 'list', capacity: 25 });
  const [a, b] = await makeUsers(2, { signIn: true });
  const idA = await enroll(o.slug, a.jar, 'nurse');
  await enroll(o.slug, b.jar, 'physician');
  const admin = await adminJar();

  await t.test('only pending rows: amounts, what is due, a "Mark paid" per row', async () => {
    const r = await get(`/admin/offerings/${o.id}/enrollments`, { jar: admin });
    assert.equal(r.status, 200);
    assert.equal(r.headers['cache-control'], 'no-store');
    const text = mainText(r.body);
    assert.ok(text.includes('Capacity: 25 · waiting for payment: $3,611 · confirmed: $0'), text);
    for (const u of [a, b]) assert.ok(text.includes(u.name), u.name);
    assert.equal([...r.body.matchAll(/action="\/admin\/enrollments\/(\d+)\/confirm"/g)].length, 2);
    // Marking paid from the list comes back to the list.
    const back = await post(`/admin/enrollments/${idA}/confirm`, { csrf: csrfOf(r.body), back: 'list' },
      { jar: admin });
    assert.equal(back.status, 303);
    assert.equal(back.headers.location, `/admin/offerings/${o.id}/enrollments?done=paid`);
    assert.equal(statusText((await get(back.headers.location, { jar: admin })).body),
      'Marked as paid: the enrollment is confirmed, and a message telling the learner is queued.');
    assert.equal(await db('SELECT state FROM enrollments WHERE id = $1', [idA]), 'confirmed');
  });

  await t.test('with a confirmed and a cancelled row: paid, due, states', async () => {
    const [c] = await makeUsers(1, { signIn: true });
    const idC = await enroll(o.slug, c.jar, 'pa');
    await db("UPDATE enrollments SET state = 'cancelled' WHERE id = $1", [idC]);
    const r = await get(`/admin/offerings/${o.id}/enrollments`, { jar: admin });
    assert.equal(r.status, 200);
    const text = mainText(r.body);
    assert.ok(text.includes('waiting for payment: $1,805.50 · confirmed: $1,805.50'), text);
    const rows = adminRows(r.body);
    assert.deepEqual(rows.find((x) => x[0].startsWith(a.name)).slice(1, 5),
      ['learner', 'Nurse (RN/APRN)', '$1,805.50', 'confirmed']);
    assert.deepEqual(rows.find((x) => x[0].startsWith(c.name)).slice(1, 5),
      ['learner', 'PA', '$1,805.50', 'cancelled']);
    assert.equal(rows.at(-1)[0].startsWith(c.name), true, 'cancelled rows come last');
    assert.equal([...r.body.matchAll(/\/confirm"/g)].length, 1, 'only the pending row can be marked paid');
  });

  await t.test('no such offering → 404; not a number → 404', async () => {
    assert.equal((await get('/admin/offerings/999999999/enrollments', { jar: admin })).status, 404);
    assert.equal((await get('/admin/offerings/x/enrollments', { jar: admin })).status, 404);
  });
});

// ---------------------------------------------------------------------------------------
test('CSRF and Origin: missing, forged or foreign tokens → 403, nothing written', async (t) => {
  const o = await makeOffering({ tag: 'csrf' });
  const [u] = await makeUsers(1, { signIn: true });
  const { csrf } = await enrollForm(o.slug, u.jar);
  const adminCsrf = await sessionCsrf(await adminJar());
  const anon = new CookieJar();
  const { csrf: preCsrf } = await enrollForm(o.slug, anon);
  const password = `csrf ${uniq()} password`;
  const newPerson = () => ({ email: freshEmail('csrf'), ...signupFields(), password,
    password_again: password, fee_category: 'nurse' });
  const forged = forgedToken();
  const cases = [
    ['signed in, no csrf', u.jar, { fee_category: 'nurse' }, {}],
    ['signed in, a forged csrf', u.jar, { csrf: forged, fee_category: 'nurse' }, {}],
    ['signed in, another session\'s csrf', u.jar, { csrf: adminCsrf, fee_category: 'nurse' }, {}],
    ['signed in, the pre-session token', u.jar, { csrf: preCsrf, fee_category: 'nurse' }, {}],
    ['signed in, no Origin', u.jar, { csrf, fee_category: 'nurse' }, { origin: null }],
    ['signed in, another site', u.jar, { csrf, fee_category: 'nurse' }, { origin: 'http://evil.example' }],
    ['new person, no csrf', anon, newPerson(), {}],
    ['new person, a forged csrf', anon, { ...newPerson(), csrf: forged }, {}],
    ['new person, no pre-session cookie', new CookieJar(), { ...newPerson(), csrf: preCsrf }, {}],
    ['new person, the signed-in csrf', anon, { ...newPerson(), csrf }, {}],
  ];
  for (const [what, jar, form, opts] of cases) {
    await t.test(what, async () => {
      const snap = await snapshot();
      const r = await post(`/offerings/${o.slug}/enroll`, form, { jar, ...opts });
      assert.equal(r.status, 403, `${what}: ${r.status} ${mainText(r.body)}`);
      assertSameSnapshot(snap, await snapshot(), what);
    });
  }
  assert.equal(await liveLearners(o.id), 0);
  await t.test('the real token still works', async () => {
    await enrollmentIdOf(await enrollPost(o.slug, u.jar, { csrf, fee_category: 'nurse' }));
  });
});

// ---------------------------------------------------------------------------------------
test('roster: staff see everyone with emails; learners see listed learners only', async (t) => {
  const names = (html) => [...html.matchAll(/<li>\s*<p><strong>([^<]*)<\/strong>/g)].map((m) => textOf(m[1]));
  const learners = ['Amara Osei, LICSW', 'Daniel Cho, NP', 'Dr. Hannah Weiss', 'Dr. Jordan Lee',
    'Dr. Marcus Bell', 'Dr. Naomi Adeyemi', 'Gabriela Ruiz, RN', 'Priya Natarajan, RN',
    'Rachel Kim, PA-C', 'Rev. Ayodele Mensah', 'Sam Whitfield', 'Tomás Herrera, PharmD'];
  const staff = ['Dr. Elena Rivera', 'Chidi Okafor, RN'];
  const path = `/offerings/${PAST}/roster`;
  const okafor = await testSession('okafor');
  const priya = await testSession('priya');
  const sam = await testSession('sam');

  await t.test('the facilitator sees everyone, with emails', async () => {
    const r = await get(path, { jar: okafor });
    assert.equal(r.status, 200);
    assert.deepEqual(names(r.body), [...staff, ...learners]);
    for (const e of ['nurse@cairn.test', 'chaplain@cairn.test', 'pediatrics@cairn.test',
      'socialwork@cairn.test', 'pharmacist@cairn.test', 'director@cairn.test']) {
      assert.ok(r.body.includes(e), `okafor sees ${e}`);
    }
  });

  await t.test('a learner sees learners and staff, no emails', async () => {
    const r = await get(path, { jar: priya });
    assert.equal(r.status, 200);
    assert.deepEqual(names(r.body), [...staff, ...learners]);
    assert.doesNotMatch(r.body, /@cairn\.test/, 'no email addresses');
  });

  await t.test('an unlisted learner vanishes from learners\' view, not from staff\'s', async () => {
    await db("UPDATE users SET listed = false WHERE handle = 'sam'");
    try {
      const r = await get(path, { jar: priya });
      assert.deepEqual(names(r.body), [...staff, ...learners.filter((n) => n !== 'Sam Whitfield')]);
      assert.doesNotMatch(r.body, /@sam\b/);
      const own = await get(path, { jar: sam });
      assert.ok(names(own.body).includes('Sam Whitfield'), 'sam still sees himself');
      const st = await get(path, { jar: okafor });
      assert.deepEqual(names(st.body), [...staff, ...learners], 'the facilitator still sees sam');
      const rivera = await get(path, { jar: await testSession('rivera') });
      assert.ok(names(rivera.body).includes('Sam Whitfield'), 'the director still sees sam');
      const admin = await get(path, { jar: await adminJar() });
      assert.ok(names(admin.body).includes('Sam Whitfield'), 'the administrator still sees sam');
    } finally {
      await db("UPDATE users SET listed = true WHERE handle = 'sam'");
    }
  });

  await t.test('a cancelled learner is not listed', async () => {
    const o = await makeOffering({ tag: 'roster' });
    const [a, b] = await makeUsers(2, { signIn: true });
    const idA = await enroll(o.slug, a.jar, 'nurse');
    const idB = await enroll(o.slug, b.jar, 'nurse');
    // Only a confirmed enrollment makes a member of the cohort (issue 9).
    await db("UPDATE enrollments SET state = 'confirmed', confirmed_at = now() WHERE id = $1", [idA]);
    await db("UPDATE enrollments SET state = 'cancelled' WHERE id = $1", [idB]);
    const r = await get(`/offerings/${o.slug}/roster`, { jar: a.jar });
    assert.deepEqual(names(r.body), [a.name]);
    assert.equal((await get(`/offerings/${o.slug}/roster`, { jar: b.jar })).status, 404,
      'a cancelled learner has no roster');
  });

  await t.test('someone not enrolled gets 404; the anonymous are sent to sign in', async () => {
    const [u] = await makeUsers(1, { signIn: true });
    const r = await get(path, { jar: u.jar });
    assert.equal(r.status, 404);
    assert.doesNotMatch(r.body, /Priya/);
    const anon = await get(path);
    assert.equal(anon.status, 303);
    assert.equal(anon.headers.location, `/signin?next=${path}`);
    assert.equal((await get('/offerings/no-such-offering/roster', { jar: priya })).status, 404);
  });
});

// ---------------------------------------------------------------------------------------
test('staff invitations: a director invites a facilitator; who may invite whom', async (t) => {
  const up = await offeringInfo(UPCOMING);
  const rivera = await testSession('rivera');
  const okafor = await testSession('okafor');
  const invitePath = `/offerings/${UPCOMING}/invite`;

  let link;
  let token;
  const email = freshEmail('facil');
  await t.test('rivera invites a new facilitator: the link is shown once', async () => {
    const form = await get(invitePath, { jar: rivera });
    assert.equal(form.status, 200);
    assert.equal(form.headers['cache-control'], 'no-store');
    for (const role of ['learner', 'facilitator', 'director']) {
      assert.match(form.body, new RegExp(`name="role" value="${role}"`), `a director may invite a ${role}`);
    }
    const tokensBefore = await count('tokens', "purpose = 'invite'");
    const r = await post(invitePath, { csrf: csrfOf(form.body), email, role: 'facilitator' }, { jar: rivera });
    assert.equal(r.status, 201, mainText(r.body));
    assert.ok(mainText(r.body).includes(`Invitation created for ${email} as facilitator.`));
    const m = /<code class="link">([^<]+)<\/code>/.exec(r.body);
    assert.ok(m, 'the link is on the page');
    link = new URL(m[1].replace(/&amp;/g, '&'));
    assert.equal(link.pathname, '/invite');
    token = link.searchParams.get('token');
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(await count('tokens', "purpose = 'invite'"), tokensBefore + 1);
    const row = await db(`SELECT email, data->>'role', (data->>'offering_id')::bigint, created_by,
                        consumed_at IS NULL, length(token_hash) FROM tokens
                      WHERE purpose = 'invite' AND email = $1`, [email]);
    assert.equal(row, `${email}|facilitator|${up.id}|${await userId('rivera')}|t|32`);
    assert.equal(Number(await db('SELECT count(*) FROM tokens t WHERE position($1 in t::text) > 0', [token])), 0,
      'the raw token is stored nowhere in the tokens table');
    assert.equal(await count('outbox', "to_email = $1 AND kind = 'invite'", [email]), 1, 'an outbox message');
    const again = await get(invitePath, { jar: rivera });
    assert.doesNotMatch(again.body, new RegExp(token), 'the link is not shown again');
  });

  await t.test('signing up through the link makes a facilitator of the offering', async () => {
    const fields = signupFields({ profession: 'physician' });
    const { res, jar } = await signUpWithInvite(token, fields, `facilitate ${uniq()} well`);
    assert.equal(res.status, 303, mainText(res.body));
    assert.equal(res.headers.location, '/recovery-code');
    const uid = await db('SELECT id FROM users WHERE email = $1', [email]);
    assert.ok(uid);
    const rows = await enrollmentsOf(uid, up.id);
    assert.equal(rows.length, 1);
    assert.deepEqual([rows[0].role, rows[0].state, rows[0].source, rows[0].amount],
      ['facilitator', 'confirmed', 'staff', 0]);
    const roster = await get(`/offerings/${UPCOMING}/roster`, { jar });
    assert.equal(roster.status, 200, 'the new facilitator sees the roster');
    assert.ok(roster.body.includes('director@cairn.test'), 'with emails');
    const reuse = await get(`/invite?token=${token}`);
    assert.equal(reuse.status, 410, 'the link works once');
  });

  await t.test('rivera adds an existing person as director directly', async () => {
    const [u] = await makeUsers(1);
    const form = await get(invitePath, { jar: rivera });
    const r = await post(invitePath, { csrf: csrfOf(form.body), email: u.email.toUpperCase(), role: 'director' },
      { jar: rivera });
    assert.equal(r.status, 200, mainText(r.body));
    assert.doesNotMatch(r.body, /<code class="link">/, 'no link: the account exists');
    assert.deepEqual((await enrollmentsOf(u.id, up.id)).map((x) => [x.role, x.state, x.source]),
      [['director', 'confirmed', 'staff']]);
  });

  await t.test('okafor (facilitator) may invite learners only: a director → 403, nothing written', async () => {
    const form = await get(invitePath, { jar: okafor });
    assert.equal(form.status, 200);
    assert.match(form.body, /name="role" value="learner"/);
    assert.doesNotMatch(form.body, /name="role" value="(facilitator|director)"/,
      'a facilitator is offered the learner role only');
    for (const role of ['director', 'facilitator']) {
      const snap = await snapshot();
      const r = await post(invitePath, { csrf: csrfOf(form.body), email: freshEmail('boss'), role },
        { jar: okafor });
      assert.equal(r.status, 403, `${role}: ${mainText(r.body)}`);
      assert.ok(mainText(r.body).includes('Nothing was changed.'));
      assertSameSnapshot(snap, await snapshot(), `a facilitator inviting a ${role}`);
    }
    // Promoting an existing person is refused the same way.
    const [u] = await makeUsers(1);
    const snap = await snapshot();
    const r = await post(invitePath, { csrf: csrfOf(form.body), email: u.email, role: 'director' },
      { jar: okafor });
    assert.equal(r.status, 403);
    assertSameSnapshot(snap, await snapshot(), 'a facilitator promoting someone to director');
    // A learner invitation is fine.
    const ok = await post(invitePath, { csrf: csrfOf(form.body), email: freshEmail('learner'), role: 'learner' },
      { jar: okafor });
    assert.equal(ok.status, 201, mainText(ok.body));
  });

  await t.test('a learner, or someone from another offering, gets 404 and writes nothing', async () => {
    const sam = await testSession('sam');  // a learner of the May 2026 run
    for (const [who, jar, slug] of [['a learner', sam, PAST], ['a stranger', sam, UPCOMING]]) {
      const g = await get(`/offerings/${slug}/invite`, { jar });
      assert.equal(g.status, 404, `${who}: GET`);
      const csrf = await sessionCsrf(jar);
      const snap = await snapshot();
      const p = await post(`/offerings/${slug}/invite`, { csrf, email: freshEmail('x'), role: 'learner' }, { jar });
      assert.equal(p.status, 404, `${who}: POST`);
      assertSameSnapshot(snap, await snapshot(), `${who} inviting`);
    }
    const anon = await get(invitePath);
    assert.equal(anon.status, 303, 'anonymous: sign in first');
  });

  await t.test('bad input: no email, no role → 422', async () => {
    const form = await get(invitePath, { jar: rivera });
    const csrf = csrfOf(form.body);
    for (const [what, fields] of [['no email', { role: 'learner' }],
      ['not an email', { email: 'nobody', role: 'learner' }],
      ['an unknown role', { email: freshEmail('r'), role: 'admin' }],
      ['no role', { email: freshEmail('r') }]]) {
      const snap = await snapshot();
      const r = await post(invitePath, { csrf, ...fields }, { jar: rivera });
      assert.equal(r.status, 422, what);
      assertSameSnapshot(snap, await snapshot(), what);
    }
  });
});

// ---------------------------------------------------------------------------------------
// Issue 9 §1: cancelling a $1,805.50 place asks first. The enrollment page links to a
// confirmation page (GET, changes nothing) that says what will happen, the amount concerned
// and the policy; only that page's form cancels; afterwards the page says what was done.
test('cancelling asks first: what happens, the amount, the policy; only that form cancels',
  async (t) => {
    const [u] = await makeUsers(1, { signIn: true });
    const id = await enroll(UPCOMING, u.jar, 'nurse');
    const path = `/enrollments/${id}/cancel`;
    const page = await get(`/enrollments/${id}`, { jar: u.jar });
    assert.doesNotMatch(page.body, /<form method="post" action="\/enrollments\/\d+\/cancel"/,
      'no one-click cancel button on the enrollment page');
    assert.match(page.body, new RegExp(`<a class="button secondary" href="${path}">Cancel this enrollment…</a>`));

    await t.test('the confirmation page changes nothing and says what will happen', async () => {
      const c = await writesNothing('looking at the confirmation page', () => get(path, { jar: u.jar }));
      assert.equal(c.status, 200, mainText(c.body));
      assert.equal(c.headers['cache-control'], 'no-store');
      const text = mainText(c.body);
      for (const words of ['Cancel your enrollment?', 'Status now: Waiting for payment',
        'Amount concerned: $1,805.50, of which $10 is the non-refundable processing fee.',
        'Nothing has been paid for this place, so nothing is owed: the $1,805.50 that was due is no longer due.',
        POLICY_START, 'You are sent a message saying so, with the cancellation policy.']) {
        assert.ok(text.includes(words), `"${words}" in: ${text}`);
      }
      assert.deepEqual(Object.keys(formFields(c.body, path)).sort(), ['confirmed', 'csrf']);
      assert.match(c.body, new RegExp(`<a class="button secondary" href="/enrollments/${id}">No, keep it</a>`));
    });

    await t.test('a POST without the confirmation is sent to the page, nothing changes', async () => {
      const r = await writesNothing('a one-click POST', () =>
        post(path, { csrf: csrfOf(page.body) }, { jar: u.jar }));
      assert.equal(r.status, 303);
      assert.equal(r.headers.location, path);
    });

    await t.test('others: 404; anonymous: sign in first; CSRF still holds', async () => {
      const [other] = await makeUsers(1, { signIn: true });
      await writesNothing('others', async () => {
        assert.equal((await get(path, { jar: other.jar })).status, 404);
        assert.equal((await post(path, { csrf: await sessionCsrf(other.jar), confirmed: 'yes' },
          { jar: other.jar })).status, 404);
        const anon = await get(path);
        assert.equal(anon.status, 303);
        assert.equal(anon.headers.location, `/signin?next=${path}`);
        assert.equal((await post(path, { csrf: 'x'.repeat(43), confirmed: 'yes' }, { jar: u.jar })).status, 403);
      });
    });

    await t.test('a paid place, as an administrator sees it: the refund under the policy', async () => {
      const [p] = await makeUsers(1, { signIn: true });
      const pid = await enroll(UPCOMING, p.jar, 'nurse');
      await db("UPDATE enrollments SET state = 'confirmed', confirmed_at = now() WHERE id = $1", [pid]);
      const c = await get(`/enrollments/${pid}/cancel`, { jar: await adminJar() });
      assert.equal(c.status, 200);
      const text = mainText(c.body);
      for (const words of [`Cancel the enrollment of ${p.name}?`, 'Status now: Confirmed',
        '$1,805.50 was paid for this place. A refund follows the cancellation policy; the $10 ' +
        'processing fee is not refunded.', `${p.name} is sent a message saying who cancelled it`]) {
        assert.ok(text.includes(words), `"${words}" in: ${text}`);
      }
      assert.match(c.body, />Yes, cancel this enrollment</);
    });

    await t.test('the form cancels; the page then says what was done', async () => {
      const before = await outboxCount(u.email, 'enrollment-cancelled');
      const { res } = await confirmVia(path, u.jar);
      assert.equal(res.status, 303, mainText(res.body));
      assert.equal(res.headers.location, `/enrollments/${id}?done=cancelled`);
      assert.equal(await db('SELECT state FROM enrollments WHERE id = $1', [id]), 'cancelled');
      assert.equal(await outboxCount(u.email, 'enrollment-cancelled'), before + 1);
      const after = await get(res.headers.location, { jar: u.jar });
      assert.equal(statusText(after.body),
        'Your enrollment was cancelled. A message with the cancellation policy is queued for you.');
      const [m] = await outboxMessages(u.email, 'enrollment-cancelled');
      assert.ok(m.body.includes(`Your enrollment in Core Practice of Palliative Care (`) &&
        m.body.includes(') was cancelled at your request.'), m.body);
      assert.ok(m.body.includes('Nothing has been paid for this place, so nothing is owed'), m.body);
      await writesNothing('the page of a cancelled enrollment', async () => {
        const again = await get(path, { jar: u.jar });
        assert.equal(again.status, 409);
      });
    });
  });

// ---------------------------------------------------------------------------------------
// Issue 9 §2: an administrator marking a place paid, or an administrator or director
// cancelling it, tells the learner what changed, who did it and what it means for them.
test('someone else confirms or cancels my place: I am told who, what, and what it means', async (t) => {
  const [a, b] = await makeUsers(2, { signIn: true });
  const ida = await enroll(UPCOMING, a.jar, 'nurse');
  const idb = await enroll(UPCOMING, b.jar, 'nurse');
  const admin = await adminJar();
  const adminName = await db("SELECT display_name FROM users WHERE handle = 'admin'");
  const rivera = await testSession('rivera');
  const riveraName = await db("SELECT display_name FROM users WHERE handle = 'rivera'");
  const COURSE = 'Core Practice of Palliative Care';

  await t.test('marked paid by an administrator', async () => {
    const page = await get(`/enrollments/${ida}`, { jar: admin });
    const r = await post(`/admin/enrollments/${ida}/confirm`, formFields(page.body,
      `/admin/enrollments/${ida}/confirm`), { jar: admin });
    assert.equal(r.status, 303, mainText(r.body));
    const msgs = await outboxMessages(a.email, 'enrollment-confirmed');
    assert.equal(msgs.length, 1, 'one message');
    assert.equal(msgs[0].subject, `Enrollment confirmed: ${COURSE}`);
    assert.ok(msgs[0].body.startsWith(`Hello ${a.name},\n\n${adminName}, an administrator of the course ` +
      `office recorded the payment of $1,805.50 for your place in ${COURSE} (`), msgs[0].body);
    assert.ok(msgs[0].body.includes('): your enrollment is confirmed.'), msgs[0].body);
    assert.match(msgs[0].body, new RegExp(`/enrollments/${ida}\\n$`));
    assert.equal(r.headers.location, `/enrollments/${ida}?done=paid`);
    assert.equal(statusText((await get(r.headers.location, { jar: admin })).body),
      `Marked as paid: the enrollment is confirmed, and a message telling ${a.name} is queued.`);
  });

  await t.test('a paid place cancelled by an administrator: the refund follows the policy', async () => {
    const path = `/enrollments/${ida}/cancel`;
    const before = await outboxCount(a.email, 'enrollment-cancelled');
    const res = await post(path, { csrf: await sessionCsrf(admin), confirmed: 'yes' }, { jar: admin });
    assert.equal(res.status, 303, mainText(res.body));
    assert.equal(await outboxCount(a.email, 'enrollment-cancelled'), before + 1);
    const [m] = await outboxMessages(a.email, 'enrollment-cancelled');
    assert.equal(m.subject, `Enrollment cancelled: ${COURSE}`);
    for (const words of [`was cancelled by ${adminName}, an administrator of the course office.`,
      '$1,805.50 was paid for this place. A refund follows the cancellation policy; the $10 ' +
      'processing fee is not refunded.', `Cancellation policy: ${POLICY_START}`]) {
      assert.ok(m.body.includes(words), `"${words}" in:\n${m.body}`);
    }
    assert.equal(statusText((await get(res.headers.location, { jar: admin })).body),
      `The enrollment was cancelled, and a message telling ${a.name} (with the cancellation policy) is queued.`);
  });

  await t.test('an unpaid place cancelled by the director: nothing is owed', async () => {
    const before = await outboxCount(b.email, 'enrollment-cancelled');
    const page = await get(`/enrollments/${idb}/cancel`, { jar: rivera });
    const text = mainText(page.body);
    assert.ok(text.includes(`Cancel the enrollment of ${b.name}?`), text);
    assert.ok(text.includes(`${b.name} is sent a message saying who cancelled it`), text);
    const res = await post(`/enrollments/${idb}/cancel`, { csrf: await sessionCsrf(rivera),
      confirmed: 'yes' }, { jar: rivera });
    assert.equal(res.status, 303, mainText(res.body));
    assert.equal(await outboxCount(b.email, 'enrollment-cancelled'), before + 1);
    const [m] = await outboxMessages(b.email, 'enrollment-cancelled');
    assert.ok(m.body.includes(`was cancelled by ${riveraName}, a director of the course.`), m.body);
    assert.ok(m.body.includes('Nothing has been paid for this place, so nothing is owed: the ' +
      '$1,805.50 that was due is no longer due.'), m.body);
  });
});
