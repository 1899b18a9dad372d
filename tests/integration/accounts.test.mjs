// Accounts, sessions and the security baseline (DESIGN §6-§7), over real HTTP against the
// test server, with the effects checked in the database (psql): invitations and sign-up,
// recovery codes, sign-in and its throttling, password change and reset, journal keys
// locked by a reset and unlocked by the old recovery code, sessions and their cookies, CSRF
// and Origin checks on every POST route, admin-only pages, Cache-Control, and bad input.
//
// Each test makes its own accounts (random emails and handles) so tests do not depend on
// one another. Tests that pin the server's clock put it back in a finally block (withClock).
// Failed sign-ins are counted per client address (30 in 15 minutes, all tests come from
// 127.0.0.1): the tests that need many of them pin the clock days in the past, where the
// failures they leave behind are outside the window once the real clock is back.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  get, post, CookieJar, BASE_URL, routes, pathFor, closeConnections, serverAlive,
} from './lib.mjs';
import {
  uniq, freshEmail, forgedToken, realNow, setClock, withClock, csrfOf,
  mainText, inputValue, selectedOption, checkedRadio, formPage, alertText, signIn,
  testSession, preSession, adminJar, createInvite, createReset, signupFields, acceptInvite,
  codeOf, pendingCode, confirmCode, newAccount, count, sessionIds, snapshot,
  assertSameSnapshot, flipChar, sql, closeSql,
} from './accounts-lib.mjs';

after(async () => {
  await setClock(0).catch(() => {});
  closeSql();
  closeConnections();
});

const WRONG_WORDS = 'That email and password do not match an account.';
const CSRF_WORDS = 'did not come from Cairn, so nothing was changed';
const ORIGIN_WORDS = 'This form was sent from another site, so it was refused.';
const DAY = 86400;

const cred = async (id) => sql(`SELECT encode(salt, 'hex') || ':' || encode(verifier_hash, 'hex')
                           FROM credentials WHERE user_id = $1`, [id]);

function assertSignInRedirect(r, path, what) {
  assert.equal(r.status, 303, `${what}: status`);
  assert.equal(r.headers.location, `/signin?next=${path}`, `${what}: redirected to sign in`);
}

function cookieCleared(r, name = 'cairn_session') {
  return r.setCookies.some((c) => c.startsWith(`${name}=;`) && /Max-Age=0/.test(c));
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// ---------------------------------------------------------------------------------------
test('invite → sign up → recovery code → confirm → sign out → sign in → change password',
  async () => {
    const email = freshEmail('flow');
    const pw1 = `first ${uniq()} password`;
    const pw2 = `second ${uniq()} password`;
    const adminId = await sql("SELECT id FROM users WHERE handle = 'admin'");
    const outboxBefore = await count('outbox', 'to_email = $1', [email]);

    // The administrator invites: one hashed, unconsumed token and one sealed outbox message.
    const inv = await createInvite(email);
    assert.equal(inv.res.headers['cache-control'], 'no-store');
    const row = await sql(`SELECT purpose, email, grants_admin, created_by, consumed_at IS NULL,
                      revoked_at IS NULL, extract(epoch FROM expires_at - created_at)::int,
                      length(token_hash) FROM tokens WHERE id = $1`, [inv.id]);
    assert.equal(row, `invite|${email}|f|${adminId}|t|t|${14 * DAY}|32`);
    assert.equal(await count('outbox', "to_email = $1 AND kind = 'invite'", [email]), outboxBefore + 1);

    // Opening the link shows the form and changes nothing.
    const jar = new CookieJar();
    const snap = (await snapshot());
    let r = await get(`/invite?token=${inv.token}`, { jar });
    assert.equal(r.status, 200);
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.ok(mainText(r.body).includes(`You were invited to Cairn as ${email}`));
    assert.equal(inputValue(r.body, 'token'), inv.token);
    const pre = jar.attributes('cairn_pre');
    assert.ok(pre, 'a pre-session cookie is set');
    assert.equal(pre.httponly, true);
    assert.equal(pre.samesite, 'Lax');
    assert.equal(pre.path, '/');
    assertSameSnapshot(snap, (await snapshot()), 'GET /invite');

    // Sign up.
    const fields = signupFields();
    r = await post('/invite', { csrf: csrfOf(r.body), token: inv.token, ...fields,
      password: pw1, password_again: pw1 }, { jar });
    assert.equal(r.status, 303, mainText(r.body));
    assert.equal(r.headers.location, '/recovery-code');
    const sc = jar.attributes('cairn_session');
    assert.ok(sc, 'signed in: a session cookie');
    assert.equal(sc.httponly, true, 'HttpOnly');
    assert.equal(sc.samesite, 'Lax', 'SameSite=Lax');
    assert.equal(sc.path, '/', 'Path=/');
    assert.equal(sc.secure, undefined, 'no Secure flag on a plain-http origin');
    assert.equal(sc.domain, undefined, 'no Domain attribute (host-only cookie)');
    assert.match(jar.get('cairn_session'), /^[A-Za-z0-9_-]{86}$/, '64 bytes in base64url');

    const id = await sql('SELECT id FROM users WHERE email = $1', [email]);
    assert.equal(await sql(`SELECT handle, display_name, profession, pronouns, time_zone, track,
                       is_admin FROM users WHERE id = $1`, [id]),
    `${fields.handle}|${fields.display_name}|nurse|they/them|America/Chicago|pediatric|f`);
    assert.equal(await sql(`SELECT key_version, recovery_confirmed, recovery_generation,
                       length(salt), length(verifier_hash) FROM credentials WHERE user_id = $1`,
    [id]), '1|f|1|16|32');
    assert.equal(await sql(`SELECT version, length(kek_wrap), length(recovery_wrap), recovery_generation,
                       newer_wrap IS NULL FROM journal_keys WHERE user_id = $1`, [id]), '1|72|72|1|t');
    assert.equal(await sql(`SELECT count(*), bool_and(pending_recovery IS NOT NULL),
                       min(length(jmk_wrap)), min(jmk_version) FROM web_sessions
                       WHERE user_id = $1`, [id]), '1|t|72|1');
    assert.equal(await sql('SELECT consumed_at IS NOT NULL FROM tokens WHERE id = $1', [inv.id]), 't');

    // The recovery code is shown (no-store) until confirmed.
    r = await get('/recovery-code', { jar });
    assert.equal(r.status, 200);
    assert.equal(r.headers['cache-control'], 'no-store');
    const code = codeOf(r.body);
    r = await post('/recovery-code', { csrf: csrfOf(r.body) }, { jar });
    assert.equal(r.status, 422, 'continuing without ticking the box is refused');
    assert.match(alertText(r.body), /Tick the box/);
    assert.equal(codeOf(r.body), code, 'the same code is shown again');
    assert.equal(await sql('SELECT recovery_confirmed FROM credentials WHERE user_id = $1', [id]), 'f');
    await confirmCode(jar);
    assert.equal(await sql('SELECT recovery_confirmed FROM credentials WHERE user_id = $1', [id]), 't');
    assert.equal(await count('web_sessions', 'user_id = $1 AND pending_recovery IS NOT NULL', [id]), 0,
      'the sealed code is gone from the session once confirmed');
    r = await get('/recovery-code', { jar });
    assert.equal(r.status, 303, 'the code is not shown again');
    assert.equal(r.headers.location, '/profile');
    r = await get('/home', { jar });
    assert.equal(r.status, 200);
    assert.ok(mainText(r.body).includes(`Welcome, ${fields.display_name}`));

    // Sign out: the row goes, the cookie is cleared, the old cookie is worth nothing.
    const oldCookie = jar.get('cairn_session');
    r = await post('/signout', { csrf: csrfOf(r.body) }, { jar });
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, '/');
    assert.ok(cookieCleared(r), 'the session cookie is cleared');
    assert.equal(await count('web_sessions', 'user_id = $1', [id]), 0);
    r = await get('/profile', { headers: { Cookie: `cairn_session=${oldCookie}` } });
    assertSignInRedirect(r, '/profile', 'the signed-out cookie');

    // Sign in again, to the page asked for.
    r = await signIn(email, pw1, { next: '/profile' });
    assert.equal(r.headers.location, '/profile');
    const jar2 = r.jar;
    assert.equal(await sql(`SELECT count(*), min(length(jmk_wrap)), bool_or(pending_recovery IS NOT NULL)
                       FROM web_sessions WHERE user_id = $1`, [id]), '1|72|f');

    // Change the password: new salt and verifier, the same key version, a new KEK wrap.
    const credBefore = await cred(id);
    const kekBefore = await sql(`SELECT encode(kek_wrap, 'hex') || encode(recovery_wrap, 'hex')
                            FROM journal_keys WHERE user_id = $1`, [id]);
    const { csrf } = await formPage('/profile/password', jar2);
    r = await post('/profile/password', { csrf, current_password: pw1, password: pw2,
      password_again: pw2 }, { jar: jar2 });
    assert.equal(r.status, 303, mainText(r.body));
    assert.equal(r.headers.location, '/profile?done=password');
    assert.notEqual(await cred(id), credBefore, 'salt and verifier changed');
    assert.equal(await sql('SELECT key_version FROM credentials WHERE user_id = $1', [id]), '1');
    const kekAfter = await sql(`SELECT encode(kek_wrap, 'hex') || encode(recovery_wrap, 'hex')
                           FROM journal_keys WHERE user_id = $1`, [id]);
    assert.notEqual(kekAfter.slice(0, 144), kekBefore.slice(0, 144), 'the KEK wrap changed');
    assert.equal(kekAfter.slice(144), kekBefore.slice(144), 'the recovery wrap did not');
    r = await get('/profile?done=password', { jar: jar2 });
    assert.ok(mainText(r.body).includes('Your password was changed.'));

    // The old password fails, the new one works.
    r = await signIn(email, pw1, { expect: 422 });
    assert.equal(alertText(r.body), WRONG_WORDS);
    await signIn(email, pw2);
  });

// ---------------------------------------------------------------------------------------
test('wrong password and unknown email: same status, same words, similar time', async (t) => {
  const acct = await newAccount({ tag: 'timing' });
  // Days in the past: the failures made here are outside the throttle window afterwards.
  await withClock(realNow() - 5 * DAY, async () => {
    const { jar, csrf } = await preSession();
    const wrong = [];
    const unknown = [];
    let wrongRes;
    let unknownRes;
    let unknownEmail;
    for (let i = 0; i < 3; i++) {
      unknownEmail = freshEmail('nobody');
      let t0 = performance.now();
      unknownRes = await post('/signin', { csrf, email: unknownEmail, password: `guess ${i} password` }, { jar });
      unknown.push(performance.now() - t0);
      t0 = performance.now();
      wrongRes = await post('/signin', { csrf, email: acct.email, password: `guess ${i} password` }, { jar });
      wrong.push(performance.now() - t0);
      assert.equal(unknownRes.status, 422);
      assert.equal(wrongRes.status, 422);
    }
    assert.equal(alertText(wrongRes.body), WRONG_WORDS);
    assert.equal(alertText(unknownRes.body), WRONG_WORDS);
    assert.equal(mainText(wrongRes.body).replace(acct.email, 'EMAIL'),
      mainText(unknownRes.body).replace(unknownEmail, 'EMAIL'), 'the same page, word for word');
    assert.equal(inputValue(wrongRes.body, 'email'), acct.email, 'the email stays in the form');
    assert.equal(inputValue(unknownRes.body, 'email'), unknownEmail);
    const names = (r) => Object.keys(r.headers).filter((h) => h !== 'date').sort();
    assert.deepEqual(names(wrongRes), names(unknownRes), 'the same headers');
    assert.equal(wrongRes.setCookies.length, 0);
    assert.equal(unknownRes.setCookies.length, 0);
    // Both count as failures for their email (known or not).
    assert.equal(await count('login_attempts', 'key = $1', [`email:${acct.email}`]), 3);
    assert.equal(await count('login_attempts', 'key = $1', [`email:${unknownEmail}`]), 1);

    const mw = median(wrong);
    const mu = median(unknown);
    t.diagnostic(`wrong password: ${wrong.map((x) => x.toFixed(0)).join(', ')} ms (median ${mw.toFixed(0)}); ` +
                 `unknown email: ${unknown.map((x) => x.toFixed(0)).join(', ')} ms (median ${mu.toFixed(0)})`);
    assert.ok(mw >= 50, `a wrong password costs an Argon2id run (median ${mw.toFixed(0)} ms)`);
    assert.ok(mu >= 0.5 * mw,
      `an unknown email must take about as long as a wrong password: ${mu.toFixed(0)} ms vs ${mw.toFixed(0)} ms`);
    assert.ok(mw >= 0.5 * mu, `and the other way round: ${mw.toFixed(0)} ms vs ${mu.toFixed(0)} ms`);
  });
});

// ---------------------------------------------------------------------------------------
test('invitation links: tampered, revoked, expired, reused; GET consumes nothing', async (t) => {
  const fields = () => signupFields();
  const pw = `invite ${uniq()} password`;

  /** POST /invite with a complete form for token from a fresh pre-session. */
  async function postInvite(token, extra = {}) {
    const { jar, csrf } = await preSession();
    return post('/invite', { csrf, token, ...fields(), password: pw, password_again: pw, ...extra },
      { jar });
  }
  function assertLinkError(r, status, words, what) {
    assert.equal(r.status, status, `${what}: status`);
    assert.ok(mainText(r.body).includes(words), `${what}: "${words}" in ${mainText(r.body)}`);
    assert.doesNotMatch(r.body, /action="\/invite"/, `${what}: no sign-up form`);
  }

  await t.test('a GET of the link consumes nothing and writes nothing', async () => {
    const inv = await createInvite(freshEmail('look'));
    const snap = (await snapshot());
    for (let i = 0; i < 3; i++) {
      const r = await get(`/invite?token=${inv.token}`);
      assert.equal(r.status, 200);
    }
    assert.equal(await sql('SELECT consumed_at IS NULL FROM tokens WHERE id = $1', [inv.id]), 't');
    assertSameSnapshot(snap, (await snapshot()), 'three GETs of an invitation link');
  });

  await t.test('tampered, truncated, padded, foreign and missing tokens → 404', async () => {
    const email = freshEmail('tamper');
    const inv = await createInvite(email);
    const reset = await createReset(await sql("SELECT id FROM users WHERE handle = 'tomas'"));
    const bad = {
      'one character flipped': flipChar(inv.token),
      'first character flipped': flipChar(inv.token, 0),
      'last character dropped': inv.token.slice(0, -1),
      'one character added': `${inv.token}A`,
      'not base64url': '!'.repeat(43),
      'a reset token': reset.token,
      'empty': '',
      'random': forgedToken(),
    };
    const snap = (await snapshot());
    for (const [what, token] of Object.entries(bad)) {
      assertLinkError(await get(`/invite?token=${encodeURIComponent(token)}`), 404,
        'This link is not valid', `GET, ${what}`);
      assertLinkError(await postInvite(token), 404, 'This link is not valid', `POST, ${what}`);
    }
    assertLinkError(await get('/invite'), 404, 'This link is not valid', 'GET without a token');
    const { jar, csrf } = await preSession();
    assertLinkError(await post('/invite', { csrf, ...fields(), password: pw, password_again: pw },
      { jar }), 404, 'This link is not valid', 'POST without a token');
    assertSameSnapshot(snap, (await snapshot()), 'tampered invitation tokens');
    assert.equal(await count('users', 'email = $1', [email]), 0);
  });

  await t.test('a withdrawn invitation → 410, nothing created', async () => {
    const email = freshEmail('revoked');
    const inv = await createInvite(email);
    const admin = await adminJar();
    const { res, csrf } = await formPage('/admin/invites', admin);
    assert.match(res.body, new RegExp(`action="/admin/invites/${inv.id}/revoke"`));
    let r = await post(`/admin/invites/${inv.id}/revoke`, { csrf }, { jar: admin });
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, '/admin/invites');
    assert.equal(await sql('SELECT revoked_at IS NOT NULL, consumed_at IS NULL FROM tokens WHERE id = $1',
      [inv.id]), 't|t');
    r = await get('/admin/invites', { jar: admin });
    const rowHtml = r.body.split('<tr>').find((x) => x.includes(email));
    assert.match(rowHtml, /<td>withdrawn<\/td>/);
    assert.doesNotMatch(rowHtml, /\/revoke"/, 'no withdraw button any more');
    const snap = (await snapshot());
    assertLinkError(await get(`/invite?token=${inv.token}`), 410, 'withdrawn', 'GET');
    assertLinkError(await postInvite(inv.token), 410, 'withdrawn', 'POST');
    assertSameSnapshot(snap, (await snapshot()), 'a withdrawn invitation');
    assert.equal(await count('users', 'email = $1', [email]), 0);
  });

  await t.test('an expired invitation (past 14 days) → 410, nothing created', async () => {
    const email = freshEmail('expired');
    const inv = await createInvite(email);
    const created = Number(await sql('SELECT extract(epoch FROM created_at)::bigint FROM tokens WHERE id = $1',
      [inv.id]));
    await withClock(created + 14 * DAY - 60, async () => {
      const r = await get(`/invite?token=${inv.token}`);
      assert.equal(r.status, 200, 'a minute before the end of the 14 days it still works');
    });
    const snap = (await snapshot());
    await withClock(created + 14 * DAY + 60, async () => {
      assertLinkError(await get(`/invite?token=${inv.token}`), 410, 'This link has expired', 'GET');
      assertLinkError(await postInvite(inv.token), 410, 'This link has expired', 'POST');
    });
    assertSameSnapshot(snap, (await snapshot()), 'an expired invitation');
    assert.equal(await count('users', 'email = $1', [email]), 0);
    assert.equal(await sql('SELECT consumed_at IS NULL FROM tokens WHERE id = $1', [inv.id]), 't');
  });

  const reusedEmail = freshEmail('reused');
  let second;
  await t.test('a used invitation → 410; extra fields choose nothing', async () => {
    const email = reusedEmail;
    const inv = await createInvite(email, { admin: true });
    second = await createInvite(email);
    // Extra fields must not choose the email or the role: the invitation does.
    const f = fields();
    const { res } = await acceptInvite(inv.token, { ...f, email: 'someone.else@example.test',
      is_admin: 'false', admin: '0' }, pw);
    assert.equal(res.headers.location, '/recovery-code');
    assert.equal(await sql('SELECT email, is_admin FROM users WHERE handle = $1', [f.handle]),
      `${email}|t`, 'the invited email, made an administrator as the invitation said');
    assert.equal(await count('users', 'email = $1', ['someone.else@example.test']), 0);

    const snap = (await snapshot());
    assertLinkError(await get(`/invite?token=${inv.token}`), 410, 'already been used', 'GET');
    assertLinkError(await postInvite(inv.token), 410, 'already been used', 'POST');
    assertSameSnapshot(snap, (await snapshot()), 'a used invitation');

    // The administrator cannot invite that email again.
    const admin = await adminJar();
    const { csrf } = await formPage('/admin/invites', admin);
    const again = await post('/admin/invites', { csrf, email: email.toUpperCase() }, { jar: admin });
    assert.equal(again.status, 422);
    assert.equal(alertText(again.body), 'That person already has an account.');
    assertSameSnapshot(snap, (await snapshot()), 'inviting an existing account');
  });

  await t.test('a second invitation for an email that now has an account → 422, nothing changed', async () => {
    const snap = (await snapshot());
    const r = await postInvite(second.token);
    assert.equal(r.status, 422);
    assert.match(r.body, /action="\/invite"/, 'the form again');
    assertSameSnapshot(snap, (await snapshot()), 'an invitation for an email that has an account');
    assert.equal(await sql('SELECT consumed_at IS NULL FROM tokens WHERE id = $1', [second.id]), 't');
  });

  // (The lookup once ran in the transaction the failed INSERT had aborted, and the page
  // blamed the handle.)
  await t.test('… and the page says the email is the problem', async () => {
    const r = await postInvite(second.token);
    assert.equal(r.status, 422);
    assert.equal(alertText(r.body), 'An account with this email address already exists.');
  });
});

// ---------------------------------------------------------------------------------------
test('password reset: links, sessions, locked keys and the old recovery code', async (t) => {
  const acct = await newAccount({ tag: 'reset' });
  const code1 = acct.code;
  const s2 = (await signIn(acct.email, acct.password)).jar;
  const s3 = await testSession(acct.handle);
  assert.equal(await count('web_sessions', 'user_id = $1', [acct.id]), 3);
  const pw2 = `after reset ${uniq()} pw`;
  const rs = await createReset(acct.id);
  assert.equal(await sql(`SELECT purpose, user_id, email, consumed_at IS NULL,
                     extract(epoch FROM expires_at - created_at)::int FROM tokens WHERE id = $1`,
  [rs.id]), `reset|${acct.id}|${acct.email}|t|${3 * DAY}`);
  assert.equal(await count('outbox', "to_email = $1 AND kind = 'reset'", [acct.email]), 1);

  const postReset = async (token, password, again = password) => {
    const { jar, csrf } = await preSession();
    const r = await post('/reset', { csrf, token, password, password_again: again }, { jar });
    r.jar = jar;
    return r;
  };

  await t.test('the link shows the form and changes nothing', async () => {
    const snap = (await snapshot());
    const r = await get(`/reset?token=${rs.token}`);
    assert.equal(r.status, 200);
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.equal(inputValue(r.body, 'token'), rs.token);
    assert.ok(mainText(r.body).includes('Your journal key will stay locked'));
    assertSameSnapshot(snap, (await snapshot()), 'GET /reset');
  });

  await t.test('tampered and expired links → error, nothing changed', async () => {
    const snap = (await snapshot());
    for (const token of [flipChar(rs.token), rs.token.slice(0, 42), forgedToken(), acct.inviteToken]) {
      let r = await get(`/reset?token=${encodeURIComponent(token)}`);
      assert.equal(r.status, 404);
      assert.ok(mainText(r.body).includes('This link is not valid'));
      r = await postReset(token, pw2);
      assert.equal(r.status, 404);
    }
    const created = Number(await sql('SELECT extract(epoch FROM created_at)::bigint FROM tokens WHERE id = $1',
      [rs.id]));
    await withClock(created + 3 * DAY + 60, async () => {
      let r = await get(`/reset?token=${rs.token}`);
      assert.equal(r.status, 410);
      assert.ok(mainText(r.body).includes('This link has expired'));
      r = await postReset(rs.token, pw2);
      assert.equal(r.status, 410);
    });
    assertSameSnapshot(snap, (await snapshot()), 'tampered and expired reset links');
  });

  await t.test('a new password that breaks the rules → 422, the form keeps the link', async () => {
    const snap = (await snapshot());
    const cases = [
      ['short pw', 'short pw', /at least 10 characters/],
      [acct.email.toUpperCase(), acct.email.toUpperCase(), /cannot be your email address or your name/],
      [acct.fields.display_name, acct.fields.display_name, /cannot be your email address or your name/],
      [pw2, `${pw2}x`, /do not match/],
      ['p'.repeat(2000), 'p'.repeat(2000), /at most 1024 bytes/],
    ];
    for (const [p, again, why] of cases) {
      const r = await postReset(rs.token, p, again);
      assert.equal(r.status, 422, String(why));
      assert.match(alertText(r.body), why);
      assert.equal(inputValue(r.body, 'token'), rs.token, 'the token stays in the form');
      assert.doesNotMatch(r.body, /name="password"[^>]*value=/, 'passwords are not echoed');
    }
    const { jar, csrf } = await preSession();
    const r = await post('/reset', { csrf, token: rs.token }, { jar });
    assert.equal(r.status, 422, 'no password at all');
    assert.match(r.body, /action="\/reset"/);
    assertSameSnapshot(snap, (await snapshot()), 'refused new passwords');
  });

  let resetJar;
  await t.test('a reset signs out every session, starts key version 2, locks version 1', async () => {
    const r = await postReset(rs.token, pw2);
    assert.equal(r.status, 303, mainText(r.body));
    assert.equal(r.headers.location, '/recovery-code');
    resetJar = r.jar;
    assert.ok(resetJar.get('cairn_session'));
    const ids = (await sessionIds(acct.id));
    assert.equal(ids.length, 1, 'only the new session is left');
    for (const [what, jar] of [['the sign-up session', acct.jar], ['a password session', s2],
      ['a test-door session', s3]]) {
      assertSignInRedirect(await get('/profile', { jar }), '/profile', what);
    }
    assert.equal(await sql('SELECT consumed_at IS NOT NULL FROM tokens WHERE id = $1', [rs.id]), 't');
    assert.equal(await sql('SELECT key_version FROM credentials WHERE user_id = $1', [acct.id]), '2');
    assert.equal(await sql(`SELECT string_agg(version || ':' || coalesce(length(kek_wrap), 0) || ':' ||
                       coalesce(length(recovery_wrap), 0) || ':' || coalesce(length(newer_wrap), 0),
                       ' ' ORDER BY version) FROM journal_keys WHERE user_id = $1`, [acct.id]),
    '1:0:72:0 2:72:72:0', 'v1: no KEK wrap, no path from v2, only its old recovery wrap');
    assert.equal(await sql('SELECT jmk_version, length(jmk_wrap) FROM web_sessions WHERE id = $1', [ids[0]]),
      '2|72');

    const page = await get('/recovery-code', { jar: resetJar });
    const code2 = codeOf(page.body);
    assert.notEqual(code2, code1);
    assert.ok(mainText(page.body).includes('Your journal key from before your password was reset is still locked'));
    acct.code2 = code2;
    const profile = await get('/profile', { jar: resetJar });
    assert.ok(mainText(profile.body).includes('Your journal key from before your password was reset is locked'));
  });

  await t.test('the used link does not work again', async () => {
    const snap = (await snapshot());
    let r = await get(`/reset?token=${rs.token}`);
    assert.equal(r.status, 410);
    assert.ok(mainText(r.body).includes('already been used'));
    r = await postReset(rs.token, `another ${uniq()} password`);
    assert.equal(r.status, 410);
    assertSameSnapshot(snap, (await snapshot()), 'a used reset link');
  });

  await t.test('the old password fails, the new one works', async () => {
    const r = await signIn(acct.email, acct.password, { expect: 422 });
    assert.equal(alertText(r.body), WRONG_WORDS);
    await signIn(acct.email, pw2);
  });

  await t.test('the old recovery code unlocks version 1 and a new code is issued', async () => {
    await confirmCode(resetJar);
    const { csrf } = await formPage('/recover', resetJar);
    const keysBefore = await sql(`SELECT string_agg(encode(coalesce(recovery_wrap, ''), 'hex'), ',' ORDER BY version)
                             FROM journal_keys WHERE user_id = $1`, [acct.id]);
    // A wrong code (well formed) and the code issued at the reset (it does not open v1).
    let r = await post('/recover', { csrf, code: 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH' }, { jar: resetJar });
    assert.equal(r.status, 422);
    assert.match(alertText(r.body), /does not open your journal keys/);
    r = await post('/recover', { csrf, code: 'not a code' }, { jar: resetJar });
    assert.equal(r.status, 422);
    assert.equal(await sql(`SELECT string_agg(encode(coalesce(recovery_wrap, ''), 'hex'), ',' ORDER BY version)
                       FROM journal_keys WHERE user_id = $1`, [acct.id]), keysBefore);
    assert.equal(await sql(`SELECT count(*) FROM journal_keys WHERE user_id = $1 AND newer_wrap IS NOT NULL`,
      [acct.id]), '0');

    r = await post('/recover', { csrf, code: code1 }, { jar: resetJar });
    assert.equal(r.status, 303, mainText(r.body));
    assert.equal(r.headers.location, '/recovery-code');
    assert.equal(await sql(`SELECT string_agg(version || ':' || coalesce(length(kek_wrap), 0) || ':' ||
                       coalesce(length(recovery_wrap), 0) || ':' || coalesce(length(newer_wrap), 0) ||
                       ':' || coalesce(newer_version, 0), ' ' ORDER BY version)
                       FROM journal_keys WHERE user_id = $1`, [acct.id]),
    '1:0:0:72:2 2:72:72:0:0', 'v1 is now wrapped under v2, its recovery wrap retired');
    assert.equal(await count('login_attempts', 'key = $1', [`recovery:${acct.id}`]), 0,
      'a right code clears the failures');
    const code3 = await pendingCode(resetJar);
    assert.notEqual(code3, code1);
    assert.notEqual(code3, acct.code2);
    acct.code3 = code3;
    await confirmCode(resetJar);
    const profile = await get('/profile', { jar: resetJar });
    assert.doesNotMatch(mainText(profile.body), /Your journal key from before your password was reset is locked/);

    // Used and replaced codes do not work again; the new one does, typed loosely.
    const c2 = await formPage('/recover', resetJar);
    for (const old of [code1, acct.code2]) {
      r = await post('/recover', { csrf: c2.csrf, code: old }, { jar: resetJar });
      assert.equal(r.status, 422, 'an old code is refused');
    }
    r = await post('/recover', { csrf: c2.csrf, code: code3.toLowerCase().replace(/-/g, ' ') },
      { jar: resetJar });
    assert.equal(r.status, 303, 'lower case, spaces for dashes');
    acct.code4 = await pendingCode(resetJar);
    await confirmCode(resetJar);
  });

  await t.test('wrong recovery codes are throttled after 5 tries', async () => {
    const { csrf } = await formPage('/recover', resetJar);
    const wrongCode = () => Array.from({ length: 8 }, () => randomBytes(4).toString('hex')
      .replace(/[0189]/g, 'A').slice(0, 4).toUpperCase()).join('-');
    const now = realNow();
    await withClock(now, async () => {
      for (let i = 1; i <= 5; i++) {
        const r = await post('/recover', { csrf, code: wrongCode() }, { jar: resetJar });
        assert.equal(r.status, 422, `wrong code ${i}`);
      }
      let r = await post('/recover', { csrf, code: wrongCode() }, { jar: resetJar });
      assert.equal(r.status, 429, 'the 6th try waits');
      assert.equal(r.headers['retry-after'], '30');
      r = await post('/recover', { csrf, code: acct.code4 }, { jar: resetJar });
      assert.equal(r.status, 429, 'even the right code waits');
      assert.equal(await count('login_attempts', 'key = $1', [`recovery:${acct.id}`]), 5);
    });
    await withClock(now + 31, async () => {
      const r = await post('/recover', { csrf, code: acct.code4 }, { jar: resetJar });
      assert.equal(r.status, 303, 'after the delay the right code works');
    });
    assert.equal(await count('login_attempts', 'key = $1', [`recovery:${acct.id}`]), 0);
  });
});

// ---------------------------------------------------------------------------------------
test('session cookies: tampered, deleted, expired → anonymous', async (t) => {
  const profile = (cookie) => get('/profile', { headers: { Cookie: `cairn_session=${cookie}` } });

  await t.test('a tampered cookie (token half) is anonymous', async () => {
    const jar = await testSession('priya');
    const cookie = jar.get('cairn_session');
    assert.equal((await profile(cookie)).status, 200, 'the cookie works as issued');
    for (const bad of [flipChar(cookie, 0), flipChar(cookie, 20), flipChar(cookie, 41),
      cookie.slice(0, 85), `${cookie}A`, cookie.slice(0, 43), 'garbage', '%%%', '']) {
      const r = await profile(bad);
      assertSignInRedirect(r, '/profile', `cookie ${bad.slice(0, 12)}…`);
      if (bad) assert.ok(cookieCleared(r), 'the bad cookie is cleared');
    }
  });

  // The stored hash covers both halves of the cookie (a fix of this bug: the key half
  // used to go unchecked, so a session loaded with a wrong session key).
  await t.test('a cookie whose session-key half was changed is anonymous', async () => {
    const acct = await newAccount({ tag: 'keyhalf' });
    const cookie = acct.jar.get('cairn_session');
    assert.equal((await profile(cookie)).status, 200);
    // Characters 44..84 encode only bytes 33..63: the session key, not the token.
    const r = await profile(flipChar(cookie, 60));
    assertSignInRedirect(r, '/profile', 'cookie with a changed session key');
  });

  await t.test('a cookie of a signed-out or deleted session is anonymous', async () => {
    const jar = await testSession('priya');
    const cookie = jar.get('cairn_session');
    const { csrf } = await formPage('/profile', jar);
    const r = await post('/signout', { csrf }, { jar });
    assert.equal(r.status, 303);
    assertSignInRedirect(await profile(cookie), '/profile', 'signed out');
    const jar2 = await testSession('priya');
    const ids = (await sessionIds(await sql("SELECT id FROM users WHERE handle = 'priya'")));
    await sql('DELETE FROM web_sessions WHERE id = $1', [ids[ids.length - 1]]);
    assertSignInRedirect(await profile(jar2.get('cairn_session')), '/profile', 'deleted');
  });

  await t.test('a session idle for 12 hours is anonymous', async () => {
    const jar = await testSession('priya');
    const cookie = jar.get('cairn_session');
    const last = Number(await sql(`SELECT extract(epoch FROM last_seen_at)::bigint FROM web_sessions
                              WHERE id = (SELECT max(id) FROM web_sessions)`));
    await withClock(last + 12 * 3600 + 60, async () => {
      const r = await profile(cookie);
      assertSignInRedirect(r, '/profile', '12 h and a minute idle');
      assert.ok(cookieCleared(r));
    });
    await withClock(last + 12 * 3600 - 60, async () => {
      assert.equal((await profile(cookie)).status, 200, 'a minute before the 12 h');
    });
  });

  await t.test('a session past its 14 days is anonymous, however active', async () => {
    const jar = await testSession('priya');
    const cookie = jar.get('cairn_session');
    const sid = await sql('SELECT max(id) FROM web_sessions');
    const created = Number(await sql('SELECT extract(epoch FROM created_at)::bigint FROM web_sessions WHERE id = $1', [sid]));
    const at = created + 14 * DAY + 60;
    await sql('UPDATE web_sessions SET last_seen_at = to_timestamp($2) WHERE id = $1', [sid, at - 120]);
    await withClock(at, async () => {
      assertSignInRedirect(await profile(cookie), '/profile', 'past 14 days');
    });
    await sql('DELETE FROM web_sessions WHERE id = $1', [sid]);
  });
});

// ---------------------------------------------------------------------------------------
// The CSRF and Origin checks, on every POST route `cairn routes` lists. Each request is
// one that would change something if it were let through (a real session id to revoke, a
// live invitation to accept, the right current password...), so "no row changed" means
// the check refused it, not that the request was harmless anyway.
async function postRouteFixtures() {
  const user = await newAccount({ tag: 'csrf', confirm: false });
  const userOther = await testSession(user.handle);
  const otherSid = (await sessionIds(user.id)).at(-1);
  const userCsrf = (await formPage('/profile', user.jar)).csrf;
  const admin = await adminJar();
  const adminCsrf = (await formPage('/admin/invites', admin)).csrf;
  const waiting = await createInvite(freshEmail('csrf-waiting'));
  const toAccept = await createInvite(freshEmail('csrf-accept'));
  const reset = await createReset(user.id);
  const pw = `csrf ${uniq()} password`;
  const bodies = {
    '/signin': { email: user.email, password: user.password },
    '/signout': {},
    '/signout-everywhere': {},
    '/invite': { token: toAccept.token, ...signupFields(), password: pw, password_again: pw },
    '/recovery-code': { saved: '1' },
    '/recover': { code: user.code },
    '/reset': { token: reset.token, password: pw, password_again: pw },
    '/profile': { ...signupFields(), listed: '1' },
    '/profile/password': { current_password: user.password, password: pw, password_again: pw },
    '/sessions/:id/revoke': {},
    '/admin/invites': { email: freshEmail('csrf-new') },
    '/admin/invites/:id/revoke': {},
    '/admin/users/:id/reset': {},
  };
  const paths = {
    '/sessions/:id/revoke': `/sessions/${otherSid}/revoke`,
    '/admin/invites/:id/revoke': `/admin/invites/${waiting.id}/revoke`,
    '/admin/users/:id/reset': `/admin/users/${user.id}/reset`,
  };
  const postRoutes = routes().filter((r) => r.method === 'POST');
  return { user, userOther, otherSid, userCsrf, admin, adminCsrf, waiting, bodies, paths, postRoutes };
}

let fx;
async function fixtures() {
  if (!fx) fx = await postRouteFixtures();
  return fx;
}

test('CSRF: every POST route refuses a missing or forged token, signed in or not', async (t) => {
  const f = await fixtures();
  const anon = await preSession();
  const otherPre = await preSession();
  const states = {
    anonymous: {
      cookie: `cairn_pre=${anon.jar.get('cairn_pre')}`,
      foreign: otherPre.csrf, // valid, but for another pre-session cookie
      extra: f.adminCsrf, // a session's token, without the session
    },
    'signed in': {
      cookie: `cairn_session=${f.user.jar.get('cairn_session')}; cairn_pre=${otherPre.jar.get('cairn_pre')}`,
      foreign: f.adminCsrf, // another session's token
      extra: otherPre.csrf, // the pre-session token of the cookie sent along
      valid: f.userCsrf,
    },
    'signed in as admin': {
      cookie: `cairn_session=${f.admin.get('cairn_session')}`,
      foreign: f.userCsrf,
      extra: anon.csrf,
      valid: f.adminCsrf,
    },
  };
  const checked = [];
  for (const route of f.postRoutes) {
    if (route.pattern.startsWith('/__test/')) {
      // The test doors exist only in test builds (CAIRN_TEST_HOOKS) and take no form token.
      assert.match(route.access, /^test/);
      continue;
    }
    const path = f.paths[route.pattern] || pathFor(route.pattern);
    const body = f.bodies[route.pattern] || {};
    const snap = (await snapshot());
    for (const [state, s] of Object.entries(states)) {
      const variants = {
        missing: undefined,
        forged: forgedToken(),
        foreign: s.foreign,
      };
      // The account routes get every variant; the others (which share the one check in
      // session.c) the three above, to keep the test short as routes are added.
      if (f.bodies[route.pattern]) {
        Object.assign(variants, {
          empty: '',
          'other kind': s.extra,
          'valid, one character changed': s.valid ? flipChar(s.valid) : flipChar(anon.csrf),
          'valid, repeated': s.valid ? s.valid + s.valid : anon.csrf + anon.csrf,
        });
      }
      for (const [variant, csrf] of Object.entries(variants)) {
        const form = { ...body };
        if (csrf !== undefined) form.csrf = csrf;
        const r = await post(path, form, { headers: { Cookie: s.cookie } });
        const what = `POST ${path} (${state}, csrf ${variant})`;
        assert.equal(r.status, 403, `${what}: status`);
        assert.ok(mainText(r.body).includes(CSRF_WORDS), `${what}: refused by the CSRF check`);
        assert.equal(r.setCookies.filter((c) => c.startsWith('cairn_session=') && !/Max-Age=0/.test(c)).length,
          0, `${what}: no session cookie given`);
      }
      checked.push(`${route.pattern} (${state})`);
    }
    assertSameSnapshot(snap, (await snapshot()), `POST ${path} with bad tokens`);
  }
  t.diagnostic(`checked ${checked.length} route/state pairs`);
  for (const p of Object.keys(f.bodies)) {
    assert.ok(f.postRoutes.some((r) => r.pattern === p), `the route table lists POST ${p}`);
  }
  // The sessions these requests would have ended are all still there.
  assert.equal(await count('web_sessions', 'user_id = $1', [f.user.id]), 2);
  assert.equal(await sql('SELECT revoked_at IS NULL FROM tokens WHERE id = $1', [f.waiting.id]), 't');

  // Control: the same requests with the right token do what they say.
  let r = await post('/profile', { csrf: f.userCsrf, ...f.bodies['/profile'] }, { jar: f.user.jar });
  assert.equal(r.status, 303, `control: POST /profile with its token: ${mainText(r.body)}`);
  assert.equal(await sql('SELECT display_name FROM users WHERE id = $1', [f.user.id]),
    f.bodies['/profile'].display_name);
  const spare = await createInvite(freshEmail('csrf-control'));
  r = await post(`/admin/invites/${spare.id}/revoke`, { csrf: f.adminCsrf }, { jar: f.admin });
  assert.equal(r.status, 303, 'control: withdrawing with the token works');
  assert.equal(await sql('SELECT revoked_at IS NOT NULL FROM tokens WHERE id = $1', [spare.id]), 't');
});

test('Origin: cross-site, missing and look-alike origins are refused on every POST route',
  async (t) => {
    const f = await fixtures();
    const anon = await preSession();
    const port = Number(new URL(BASE_URL).port);
    const headerSets = {
      'Origin: http://evil.test': { Origin: 'http://evil.test' },
      'Origin of another port': { Origin: `http://127.0.0.1:${port === 1 ? 2 : port - 1}` },
      'Origin with a path': { Origin: `${BASE_URL}/` },
      'Origin: null': { Origin: 'null' },
      'neither Origin nor Referer': {},
      'Referer on another site': { Referer: 'http://evil.test/profile' },
      'Referer on a look-alike host': { Referer: `${BASE_URL}.evil.test/profile` },
      'Referer with userinfo': { Referer: `${BASE_URL}@evil.test/` },
      'Origin evil, Referer ours': { Origin: 'http://evil.test', Referer: `${BASE_URL}/profile` },
    };
    let n = 0;
    for (const route of f.postRoutes) {
      if (route.pattern.startsWith('/__test/')) continue;
      const path = f.paths[route.pattern] || pathFor(route.pattern);
      const body = f.bodies[route.pattern] || {};
      let jar;
      let csrf;
      if (route.access === 'admin') {
        jar = f.admin; csrf = f.adminCsrf;
      } else if (route.access === 'signed-in' || route.pattern === '/signout') {
        jar = f.user.jar; csrf = f.userCsrf;
      } else {
        jar = anon.jar; csrf = anon.csrf;
      }
      const snap = (await snapshot());
      const sets = f.bodies[route.pattern] ? Object.entries(headerSets)
        : Object.entries(headerSets).filter(([what]) => /evil.test|neither|look-alike/.test(what)).slice(0, 3);
      for (const [what, headers] of sets) {
        const r = await post(path, { ...body, csrf }, { jar, origin: null, headers });
        assert.equal(r.status, 403, `POST ${path} with ${what}: status`);
        assert.ok(mainText(r.body).includes(ORIGIN_WORDS), `POST ${path} with ${what}: refused as cross-site`);
        n++;
      }
      assertSameSnapshot(snap, (await snapshot()), `POST ${path} from elsewhere`);
    }
    t.diagnostic(`${n} cross-site requests refused`);
    // Control: a same-site Referer without Origin is accepted (older browsers).
    const r = await post('/profile', { csrf: f.userCsrf, ...signupFields() },
      { jar: f.user.jar, origin: null, headers: { Referer: `${BASE_URL}/profile` } });
    assert.equal(r.status, 303, 'a same-site Referer is enough');
  });

// ---------------------------------------------------------------------------------------
test('sign-in CSRF: a token of another pre-session cookie is refused', async () => {
  const acct = await newAccount({ tag: 'logincsrf' });
  const victim = await preSession();
  const attacker = await preSession();
  assert.notEqual(victim.csrf, attacker.csrf);
  const snap = (await snapshot());
  // The attacker's page posts their own account's credentials with their own token into
  // the victim's browser (which sends the victim's pre-session cookie).
  let r = await post('/signin', { csrf: attacker.csrf, email: acct.email, password: acct.password },
    { jar: victim.jar });
  assert.equal(r.status, 403);
  assert.ok(mainText(r.body).includes(CSRF_WORDS));
  assert.equal(victim.jar.get('cairn_session'), undefined, 'the victim is not signed in');
  // Without any pre-session cookie, a token proves nothing either.
  r = await post('/signin', { csrf: attacker.csrf, email: acct.email, password: acct.password });
  assert.equal(r.status, 403);
  assertSameSnapshot(snap, (await snapshot()), 'sign-in with a foreign token');
  // The same for sign-up and reset forms, which also sign in.
  const inv = await createInvite(freshEmail('logincsrf'));
  const pw = `x ${uniq()} password`;
  r = await post('/invite', { csrf: attacker.csrf, token: inv.token, ...signupFields(), password: pw,
    password_again: pw }, { jar: victim.jar });
  assert.equal(r.status, 403);
  assert.equal(await sql('SELECT consumed_at IS NULL FROM tokens WHERE id = $1', [inv.id]), 't');
  // Control: the victim's own token works.
  r = await post('/signin', { csrf: victim.csrf, email: acct.email, password: acct.password },
    { jar: victim.jar });
  assert.equal(r.status, 303);
});

// ---------------------------------------------------------------------------------------
test('password change: the current password is required and checked', async () => {
  const acct = await newAccount({ tag: 'pwchange' });
  const jar = acct.jar;
  const { csrf } = await formPage('/profile/password', jar);
  const before = await cred(acct.id);
  const kek = async () => sql("SELECT encode(kek_wrap, 'hex') FROM journal_keys WHERE user_id = $1", [acct.id]);
  const kekBefore = await kek();
  const other = await testSession(acct.handle);
  const pw = `new ${uniq()} password`;
  const cases = [
    ['no current password', { password: pw, password_again: pw }, /Enter your current password/],
    ['empty current password', { current_password: '', password: pw, password_again: pw }, /Enter your current password/],
    ['wrong current password', { current_password: `${acct.password}x`, password: pw, password_again: pw },
      /current password is not right/],
    ['too short', { current_password: acct.password, password: 'short', password_again: 'short' },
      /at least 10 characters/],
    ['nine 2-byte characters', { current_password: acct.password, password: 'é'.repeat(9),
      password_again: 'é'.repeat(9) }, /at least 10 characters/],
    ['the email', { current_password: acct.password, password: acct.email, password_again: acct.email },
      /cannot be your email/],
    ['mismatched', { current_password: acct.password, password: pw, password_again: `${pw}!` },
      /do not match/],
    ['2000 bytes', { current_password: acct.password, password: 'x'.repeat(2000),
      password_again: 'x'.repeat(2000) }, /at most 1024 bytes/],
    ['nothing at all', {}, /Enter your current password/],
  ];
  for (const [what, form, why] of cases) {
    const r = await post('/profile/password', { csrf, ...form }, { jar });
    assert.equal(r.status, 422, `${what}: status`);
    assert.match(alertText(r.body), why, what);
    assert.match(r.body, /action="\/profile\/password"/, `${what}: the form again`);
    assert.equal(r.headers['cache-control'], 'no-store');
  }
  assert.equal(await cred(acct.id), before, 'salt and verifier_hash unchanged');
  assert.equal(await kek(), kekBefore, 'the KEK wrap unchanged');
  assert.equal(await count('web_sessions', 'user_id = $1', [acct.id]), 2, 'no session was signed out');
  assert.equal(await count('login_attempts', 'key = $1', [`email:${acct.email}`]), 1,
    'the wrong current password counts as a failure');
  // A right change signs out the other session but keeps this one.
  const r = await post('/profile/password', { csrf, current_password: acct.password, password: pw,
    password_again: pw }, { jar });
  assert.equal(r.status, 303);
  assert.equal(await count('web_sessions', 'user_id = $1', [acct.id]), 1);
  assertSignInRedirect(await get('/profile', { jar: other }), '/profile', 'the other session');
  assert.equal((await get('/profile', { jar })).status, 200, 'this session stays');
});

// ---------------------------------------------------------------------------------------
test('sign-up rules: bad passwords and details → 422, the form keeps what was typed', async () => {
  const email = freshEmail('policy');
  const inv = await createInvite(email);
  const base = signupFields({ profession: 'chaplain', track: 'both', time_zone: 'Asia/Tokyo',
    pronouns: 'she/her' });
  const good = `fine ${uniq()} password`;
  const cases = [
    ['too short', {}, 'nine char', 'nine char', /at least 10 characters/],
    ['9 two-byte characters', {}, 'ü'.repeat(9), 'ü'.repeat(9), /at least 10 characters/],
    ['equal to the email', {}, email, email, /cannot be your email address or your name/],
    ['equal to the email, other case', {}, email.toUpperCase(), email.toUpperCase(),
      /cannot be your email address or your name/],
    ['equal to the name', {}, base.display_name.toLowerCase(), base.display_name.toLowerCase(),
      /cannot be your email address or your name/],
    ['mismatched confirmation', {}, good, `${good}.`, /do not match/],
    ['no confirmation', {}, good, undefined, /do not match/],
    ['2000-byte password', {}, 'a'.repeat(2000), 'a'.repeat(2000), /at most 1024 bytes/],
    ['no password', {}, undefined, undefined, /at least 10 characters/],
    ['handle too short', { handle: 'a' }, good, good, /Handles are 2 to 30 characters/],
    ['handle with a space', { handle: 'has space' }, good, good, /Handles are 2 to 30 characters/],
    ['handle taken', { handle: 'priya' }, good, good, /That handle is taken/],
    ['no name', { display_name: '' }, good, good, /Enter your name/],
    ['a 10000-character name', { display_name: 'n'.repeat(10000) }, good, good, /up to 100 characters/],
    ['unknown profession', { profession: 'wizard' }, good, good, /Choose your profession/],
    ['unknown track', { track: 'space' }, good, good, /Choose the track/],
    ['unknown time zone', { time_zone: 'Mars/Olympus_Mons' }, good, good, /Choose a time zone from the list/],
  ];
  const snap = (await snapshot());
  for (const [what, over, password, again, why] of cases) {
    const { jar, csrf } = await preSession();
    const fields = { ...base, ...over };
    const form = { csrf, token: inv.token, ...fields };
    if (password !== undefined) form.password = password;
    if (again !== undefined) form.password_again = again;
    const r = await post('/invite', form, { jar });
    assert.equal(r.status, 422, `${what}: status`);
    assert.match(alertText(r.body), why, what);
    assert.match(r.body, /<form method="post" action="\/invite"/, `${what}: the form again`);
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.equal(inputValue(r.body, 'token'), inv.token, `${what}: the link is kept`);
    if (!('display_name' in over)) {
      assert.equal(inputValue(r.body, 'display_name'), base.display_name, `${what}: name kept`);
    }
    if (!('handle' in over)) assert.equal(inputValue(r.body, 'handle'), base.handle, `${what}: handle kept`);
    assert.equal(inputValue(r.body, 'pronouns'), base.pronouns, `${what}: pronouns kept`);
    if (!('profession' in over)) {
      assert.equal(selectedOption(r.body, 'profession'), 'chaplain', `${what}: profession kept`);
    }
    if (!('time_zone' in over)) {
      assert.equal(selectedOption(r.body, 'time_zone'), 'Asia/Tokyo', `${what}: time zone kept`);
    }
    if (!('track' in over)) assert.equal(checkedRadio(r.body, 'track'), 'both', `${what}: track kept`);
    assert.doesNotMatch(r.body, /type="password"[^>]*value=/, `${what}: passwords are not echoed`);
    if (password && ![email, email.toUpperCase(), base.display_name.toLowerCase()].includes(password)) {
      assert.ok(!r.body.includes(password), `${what}: the password is not in the page`);
    }
  }
  assertSameSnapshot(snap, (await snapshot()), 'refused sign-ups');
  assert.equal(await sql('SELECT consumed_at IS NULL FROM tokens WHERE id = $1', [inv.id]), 't');
});

// ---------------------------------------------------------------------------------------
test('sign-in throttling: the 6th failure waits, the delay doubles, then lifts', async (t) => {
  const acct = await newAccount({ tag: 'throttle' });
  const key = `email:${acct.email}`;
  const T0 = realNow() - 3 * DAY;
  await t.test('per email', async () => {
    await setClock(T0);
    try {
      const { jar, csrf } = await preSession();
      // Only the pre-session cookie: a successful sign-in must not change what is sent.
      const cookie = `cairn_pre=${jar.get('cairn_pre')}`;
      const attempt = (email, password) => post('/signin', { csrf, email, password },
        { headers: { Cookie: cookie } });
      for (let i = 1; i <= 5; i++) {
        const r = await attempt(acct.email, `wrong ${i} password`);
        assert.equal(r.status, 422, `failure ${i} is an ordinary wrong password`);
      }
      assert.equal(await count('login_attempts', 'key = $1', [key]), 5);
      let t0 = performance.now();
      let r = await attempt(acct.email, 'wrong 6 password');
      const fast = performance.now() - t0;
      assert.equal(r.status, 429, 'the 6th try is throttled');
      assert.equal(r.headers['retry-after'], '30');
      assert.match(mainText(r.body), /Too many unsuccessful attempts\. Please wait 30 seconds/);
      assert.equal(await count('login_attempts', 'key = $1', [key]), 5, 'a throttled try is not counted');
      t.diagnostic(`a throttled try took ${fast.toFixed(0)} ms (no Argon2id)`);
      r = await attempt(acct.email.toUpperCase(), acct.password);
      assert.equal(r.status, 429, 'the right password waits too, whatever the case of the email');
      await setClock(T0 + 29);
      r = await attempt(acct.email, acct.password);
      assert.equal(r.status, 429);
      assert.equal(r.headers['retry-after'], '1');
      await setClock(T0 + 31);
      r = await attempt(acct.email, acct.password);
      assert.equal(r.status, 303, 'after the delay the right password works');
      assert.equal(await count('login_attempts', 'key = $1', [key]), 0, 'and clears the failures');

      // Doubling: 5 failures (recorded directly), a 6th after the delay, then 60 s.
      for (let i = 0; i < 5; i++) {
        await sql("INSERT INTO login_attempts (key, at) VALUES ($1, to_timestamp($2))", [key, T0 + 40]);
      }
      await setClock(T0 + 71);
      r = await attempt(acct.email, 'wrong 7 password');
      assert.equal(r.status, 422, 'the delay is over: an ordinary failure');
      r = await attempt(acct.email, acct.password);
      assert.equal(r.status, 429);
      assert.equal(r.headers['retry-after'], '60', 'the delay doubled');
      await setClock(T0 + 71 + 61);
      r = await attempt(acct.email, acct.password);
      assert.equal(r.status, 303, 'and lifts after 60 s');

      // An unknown email is throttled the same way (no account to tell apart).
      const ghost = freshEmail('ghost');
      for (let i = 0; i < 5; i++) {
        await sql("INSERT INTO login_attempts (key, at) VALUES ($1, to_timestamp($2))", [`email:${ghost}`, T0 + 140]);
      }
      r = await attempt(ghost, 'whatever password');
      assert.equal(r.status, 429);
      assert.equal(r.headers['retry-after'], '38');
    } finally {
      await setClock(0);
    }
  });

  await t.test('per client address, after 30 failures', async () => {
    // Two days ahead: every real failure is more than 15 minutes before. The rows made
    // here are dated in the future, so they are removed afterwards (they would count).
    const T1 = realNow() + 2 * DAY;
    const addr = 'addr:127.0.0.1';
    await setClock(T1);
    try {
      const { jar, csrf } = await preSession();
      assert.equal(await count('login_attempts', 'key = $1 AND at > to_timestamp($2)', [addr, T1 - 900]), 0);
      for (let i = 0; i < 29; i++) {
        await sql('INSERT INTO login_attempts (key, at) VALUES ($1, to_timestamp($2))', [addr, T1 - 10]);
      }
      let r = await post('/signin', { csrf, email: freshEmail('addr'), password: 'some password' }, { jar });
      assert.equal(r.status, 422, 'failure 30 is still answered');
      assert.equal(await count('login_attempts', 'key = $1 AND at = to_timestamp($2)', [addr, T1]), 1,
        'failures are counted per client address');
      r = await post('/signin', { csrf, email: freshEmail('addr'), password: 'some password' }, { jar });
      assert.equal(r.status, 429, 'then any email from this address waits');
      assert.equal(r.headers['retry-after'], '30');
      r = await post('/signin', { csrf, email: acct.email, password: acct.password }, { jar });
      assert.equal(r.status, 429, 'even a right password');
      await setClock(T1 + 31);
      r = await post('/signin', { csrf, email: acct.email, password: acct.password }, { jar });
      assert.equal(r.status, 303, 'the delay lifts');
    } finally {
      await setClock(0);
      await sql('DELETE FROM login_attempts WHERE at > to_timestamp($1)', [T1 - 3600]);
    }
  });
});

test('password change counts against the sign-in throttle of the same email', async (t) => {
  // An invitation keeps the email as the administrator typed it; sign-in folds it to lower
  // case for its throttle key ('email:<lower-case email>', see 002_accounts.sql).
  const email = `Mixed.Case.${uniq()}@Example.test`;
  const inv = await createInvite(email);
  const password = `mixed ${uniq()} password`;
  const { jar } = await acceptInvite(inv.token, signupFields(), password);
  assert.equal(await sql('SELECT email FROM users WHERE lower(email) = lower($1)', [email]), email);
  const key = `email:${email.toLowerCase()}`;
  const now = realNow();
  const { csrf } = await formPage('/profile/password', jar);
  try {
    await withClock(now, async () => {
      // Five failed sign-ins for this email (as sign-in records them).
      for (let i = 0; i < 5; i++) {
        await sql('INSERT INTO login_attempts (key, at) VALUES ($1, to_timestamp($2))', [key, now - 5]);
      }
      const pre = await preSession();
      const r = await post('/signin', { csrf: pre.csrf, email, password }, { jar: pre.jar });
      assert.equal(r.status, 429, 'sign-in waits');
    });
    await t.test('… and so does the password form, whose guesses would otherwise be free', async () => {
      await withClock(now, async () => {
        const next = `next ${uniq()} password`;
        const r = await post('/profile/password', { csrf, current_password: `${password}?`,
          password: next, password_again: next }, { jar });
        assert.equal(r.status, 429, `the password form: ${r.status} ${alertText(r.body)}`);
      });
    });
  } finally {
    await sql('DELETE FROM login_attempts WHERE lower(key) = $1', [key]);
  }
});

// ---------------------------------------------------------------------------------------
test('sessions page: list, revoke one, not someone else\'s, sign out everywhere', async () => {
  const acct = await newAccount({ tag: 'sessions' });
  const jarB = await testSession(acct.handle);
  const jarC = await testSession(acct.handle);
  const ids = (await sessionIds(acct.id));
  assert.equal(ids.length, 3);
  const [idA, idB, idC] = ids;

  let r = await get('/profile', { jar: acct.jar });
  assert.equal(r.status, 200);
  const listed = [...r.body.matchAll(/action="\/sessions\/(\d+)\/revoke"/g)].map((m) => m[1]).sort();
  assert.deepEqual(listed, [...ids].sort(), 'every session is listed with a sign-out button');
  assert.equal((r.body.match(/This browser/g) || []).length, 1, 'one is marked as this browser');
  const here = r.body.split('<li>').find((x) => x.includes('This browser'));
  assert.match(here, new RegExp(`/sessions/${idA}/revoke`), 'the current one is the one marked');
  const csrf = csrfOf(r.body);

  // Someone else's session, and ids that are nobody's: 404, nothing deleted.
  const priyaJar = await testSession('priya');
  const priyaSid = (await sessionIds(await sql("SELECT id FROM users WHERE handle = 'priya'"))).at(-1);
  const snap = (await snapshot());
  for (const id of [priyaSid, '999999999', 'abc', '-1', '0', `${idB}x`]) {
    r = await post(`/sessions/${id}/revoke`, { csrf }, { jar: acct.jar });
    assert.equal(r.status, 404, `revoke ${id}`);
  }
  assertSameSnapshot(snap, (await snapshot()), 'revoking sessions that are not mine');
  assert.equal((await get('/profile', { jar: priyaJar })).status, 200, "priya's session still works");

  // Revoke another of mine.
  r = await post(`/sessions/${idB}/revoke`, { csrf }, { jar: acct.jar });
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, '/profile?done=revoked');
  assert.equal(await count('web_sessions', 'id = $1', [idB]), 0);
  assertSignInRedirect(await get('/profile', { jar: jarB }), '/profile', 'the revoked session');
  r = await get('/profile?done=revoked', { jar: acct.jar });
  assert.ok(mainText(r.body).includes('That session was signed out.'));

  // Revoke the current one: signed out here.
  const csrfC = (await formPage('/profile', jarC)).csrf;
  r = await post(`/sessions/${idC}/revoke`, { csrf: csrfC }, { jar: jarC });
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, '/signin');
  assert.ok(cookieCleared(r));
  assert.equal(await count('web_sessions', 'id = $1', [idC]), 0);

  // Sign out everywhere: every row of mine goes, nobody else's.
  await testSession(acct.handle);
  await testSession(acct.handle);
  assert.equal(await count('web_sessions', 'user_id = $1', [acct.id]), 3);
  const others = await count('web_sessions', 'user_id <> $1', [acct.id]);
  r = await post('/signout-everywhere', { csrf }, { jar: acct.jar });
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, '/signin');
  assert.ok(cookieCleared(r));
  assert.equal(await count('web_sessions', 'user_id = $1', [acct.id]), 0);
  assert.equal(await count('web_sessions', 'user_id <> $1', [acct.id]), others);
});

// ---------------------------------------------------------------------------------------
test('admin pages: 403 for everyone else, sign-in for the anonymous, nothing written', async () => {
  const adminRoutes = routes().filter((r) => r.pattern.startsWith('/admin/'));
  assert.ok(adminRoutes.length >= 6, 'the admin routes are listed');
  const nurse = await testSession('priya');
  const nurseCsrf = (await formPage('/profile', nurse)).csrf;
  const anon = await preSession();
  const victim = await newAccount({ tag: 'adminonly' });
  const inv = await createInvite(freshEmail('adminonly'));
  const paths = {
    '/admin/invites/:id/revoke': `/admin/invites/${inv.id}/revoke`,
    '/admin/users/:id/reset': `/admin/users/${victim.id}/reset`,
  };
  const bodies = { '/admin/invites': { email: freshEmail('adminonly-new'), admin: '1' } };
  const snap = (await snapshot());
  for (const route of adminRoutes) {
    const path = paths[route.pattern] || pathFor(route.pattern);
    const body = bodies[route.pattern] || {};
    if (route.method === 'GET') {
      let r = await get(path, { jar: nurse });
      assert.equal(r.status, 403, `GET ${path} as a learner`);
      assert.ok(mainText(r.body).includes('Only an administrator can do that.'));
      assert.doesNotMatch(r.body, /<code class="link">|@example\.test|@cairn\.test/,
        `GET ${path}: no admin data on the page`);
      r = await get(path);
      assertSignInRedirect(r, path, `GET ${path} anonymous`);
    } else {
      let r = await post(path, { ...body, csrf: nurseCsrf }, { jar: nurse });
      assert.equal(r.status, 403, `POST ${path} as a learner`);
      assert.ok(mainText(r.body).includes('Only an administrator can do that.'));
      r = await post(path, { ...body, csrf: anon.csrf }, { jar: anon.jar });
      assert.equal(r.status, 303, `POST ${path} anonymous`);
      assert.equal(r.headers.location, '/signin', `POST ${path} anonymous: to sign in`);
      r = await post(path, { ...body, csrf: anon.csrf },
        { jar: anon.jar, headers: { Referer: `${BASE_URL}/admin/users?page=2` } });
      assert.equal(r.headers.location, '/signin?next=/admin/users%3Fpage%3D2',
        `POST ${path} anonymous: sign-in returns to the page the form was on`);
    }
  }
  assertSameSnapshot(snap, (await snapshot()), 'admin routes by non-admins');
  assert.equal(await sql('SELECT revoked_at IS NULL FROM tokens WHERE id = $1', [inv.id]), 't');
  // An invitation with admin=1 makes an administrator, who gets in.
  const email = freshEmail('newadmin');
  const ai = await createInvite(email, { admin: true });
  const { jar } = await acceptInvite(ai.token, signupFields(), `admin ${uniq()} password`);
  for (const route of adminRoutes.filter((r) => r.method === 'GET' && !/[:*]/.test(r.pattern))) {
    const r = await get(route.pattern, { jar });
    assert.equal(r.status, 200, `GET ${route.pattern} as the new administrator`);
  }
});

// ---------------------------------------------------------------------------------------
test('signed-in responses are never cached; the cookies are HttpOnly and SameSite=Lax',
  async (t) => {
    const acct = await newAccount({ tag: 'nostore', confirm: false });
    const admin = await adminJar();
    const gets = routes().filter((r) => r.method === 'GET' && !['/healthz', '/readyz'].includes(r.pattern));
    const seen = [];
    for (const [who, jar] of [['learner', acct.jar], ['admin', admin]]) {
      for (const route of gets) {
        const path = route.pattern === '/static/*path' ? '/static/cairn.css' : pathFor(route.pattern);
        const r = await get(path, { jar });
        seen.push(`${who} GET ${path} ${r.status}`);
        if (route.pattern === '/static/*path') {
          // Static files are the same for everyone: cacheable, and never marked no-store
          // (they do not read the session), so signed-in pages do not refetch the CSS.
          assert.doesNotMatch(String(r.headers['cache-control']), /no-store/,
            `${who} GET ${path}: Cache-Control ${r.headers['cache-control']}`);
          assert.match(String(r.headers['cache-control']), /max-age=\d+/);
          continue;
        }
        assert.match(String(r.headers['cache-control']), /no-store/,
          `${who} GET ${path} (${r.status}): Cache-Control ${r.headers['cache-control']}`);
      }
      for (const path of ['/profile?done=details', '/invite?token=x', '/reset?token=x']) {
        const r = await get(path, { jar });
        assert.equal(r.headers['cache-control'], 'no-store', `${who} GET ${path} (${r.status})`);
      }
      // A path no route matches is answered before the session is read (http.c): the 404
      // page is the anonymous one, with nothing of the person on it, so it may be cached.
      const r404 = await get('/no/such/page', { jar });
      assert.equal(r404.status, 404);
      assert.doesNotMatch(r404.body, /name="csrf"|\/profile"/, 'nothing personal on an unrouted 404');
    }
    // The recovery-code page above all, and the forms used before sign-in.
    const r = await get('/recovery-code', { jar: acct.jar });
    assert.equal(r.status, 200);
    assert.equal(r.headers['cache-control'], 'no-store');
    for (const path of ['/signin']) {
      assert.equal((await get(path)).headers['cache-control'], 'no-store', `anonymous ${path}`);
    }
    // Responses to POSTs of signed-in people: the 201 with a one-time link, a 422 form.
    const inv = await createInvite(freshEmail('nostore'));
    assert.equal(inv.res.headers['cache-control'], 'no-store');
    const { csrf } = await formPage('/profile', acct.jar);
    const bad = await post('/profile', { csrf, handle: '' }, { jar: acct.jar });
    assert.equal(bad.status, 422);
    assert.equal(bad.headers['cache-control'], 'no-store');
    t.diagnostic(`${seen.length} signed-in GETs checked`);

    // Cookie attributes, as sent.
    const signin = await signIn(acct.email, acct.password);
    const line = signin.setCookies.find((c) => c.startsWith('cairn_session='));
    const attrs = line.split(';').slice(1).map((a) => a.trim());
    assert.ok(attrs.includes('HttpOnly'), line);
    assert.ok(attrs.includes('SameSite=Lax'), line);
    assert.ok(attrs.includes('Path=/'), line);
    assert.ok(!attrs.some((a) => /^(Domain|Secure|Expires|Max-Age)/i.test(a)), `${line}: a session cookie only`);
    const pre = (await get('/signin')).setCookies.find((c) => c.startsWith('cairn_pre='));
    assert.match(pre, /; Path=\/; HttpOnly; SameSite=Lax$/);
  });

// ---------------------------------------------------------------------------------------
test('bad input: oversized fields, invalid UTF-8, missing fields', async (t) => {
  const acct = await newAccount({ tag: 'badinput' });
  const { jar, csrf } = await preSession();
  const snap = (await snapshot());

  await t.test('a 2000-byte password or email at sign-in: a clear error, no Argon2id, no crash', async () => {
    let t0 = performance.now();
    let r = await post('/signin', { csrf, email: acct.email, password: 'p'.repeat(2000) }, { jar });
    const ms = performance.now() - t0;
    assert.equal(r.status, 422);
    assert.equal(alertText(r.body), WRONG_WORDS);
    t.diagnostic(`2000-byte password answered in ${ms.toFixed(0)} ms`);
    r = await post('/signin', { csrf, email: `${'e'.repeat(2000)}@example.test`, password: 'whatever pw' }, { jar });
    assert.equal(r.status, 422);
    assert.equal(alertText(r.body), WRONG_WORDS);
    r = await post('/signin', { csrf, email: acct.email, password: 'p'.repeat(2 * 1024 * 1024) }, { jar });
    assert.equal(r.status, 413, 'a body over the limit');
    assert.ok(serverAlive());
    assert.equal((await get('/healthz')).status, 200);
  });

  await t.test('invalid UTF-8 in form fields → 400, nothing created', async () => {
    const inv = await createInvite(freshEmail('utf8'));
    const s2 = (await snapshot());
    const fields = new URLSearchParams({ csrf: '', token: inv.token, ...signupFields(),
      password: 'a fine password', password_again: 'a fine password' }).toString();
    const pre2 = await preSession();
    const withCsrf = fields.replace('csrf=', `csrf=${pre2.csrf}`);
    for (const [what, bytes] of [['a lone continuation byte', '%80'], ['0xFF', '%FF'],
      ['a truncated sequence', '%C3%28'], ['an overlong slash', '%C0%AF'],
      ['a UTF-16 surrogate', '%ED%A0%80'], ['past U+10FFFF', '%F4%90%80%80'], ['NUL', '%00']]) {
      const body = withCsrf.replace(/display_name=[^&]*/, `display_name=Ann${bytes}`);
      const r = await post('/invite', body, { jar: pre2.jar });
      assert.equal(r.status, 400, `display_name with ${what}`);
      const r2 = await post('/signin', `csrf=${csrf}&email=${encodeURIComponent(acct.email)}&password=x${bytes}yyyyyyyyyy`,
        { jar });
      assert.equal(r2.status, 400, `password with ${what}`);
    }
    const r = await post('/profile', `csrf=${encodeURIComponent(csrfOf((await get('/profile', { jar: acct.jar })).body))}&handle=%FF&display_name=x`,
      { jar: acct.jar });
    assert.equal(r.status, 400, 'signed in, too');
    assert.equal((await get('/invite?token=%FF')).status, 400, 'in the query string');
    assertSameSnapshot(s2, (await snapshot()), 'invalid UTF-8');
    assert.equal(await sql('SELECT consumed_at IS NULL FROM tokens WHERE id = $1', [inv.id]), 't');
  });

  await t.test('missing fields → 422 with the form again', async () => {
    let r = await post('/signin', { csrf }, { jar });
    assert.equal(r.status, 422);
    assert.match(alertText(r.body), /Enter your email and your password/);
    assert.match(r.body, /action="\/signin"/);
    r = await post('/signin', { csrf, email: acct.email }, { jar });
    assert.equal(r.status, 422);
    assert.equal(inputValue(r.body, 'email'), acct.email, 'the email stays');

    const inv = await createInvite(freshEmail('missing'));
    const pre2 = await preSession();
    r = await post('/invite', { csrf: pre2.csrf, token: inv.token }, { jar: pre2.jar });
    assert.equal(r.status, 422);
    assert.match(r.body, /action="\/invite"/);
    assert.match(r.body, /name="handle"/);
    r = await post('/invite', { csrf: pre2.csrf, token: inv.token, display_name: 'Only A Name' },
      { jar: pre2.jar });
    assert.equal(r.status, 422);
    assert.equal(inputValue(r.body, 'display_name'), 'Only A Name');

    const signed = acct.jar;
    const sc = (await formPage('/profile', signed)).csrf;
    for (const [path, action] of [['/profile', '/profile'], ['/profile/password', '/profile/password'],
      ['/recover', '/recover'], ['/recovery-code', null]]) {
      r = await post(path, { csrf: sc }, { jar: signed });
      if (action) {
        assert.equal(r.status, 422, `POST ${path} with no fields`);
        assert.match(r.body, new RegExp(`action="${action}"`), `POST ${path}: the form again`);
      } else {
        assert.equal(r.status, 303, 'no code pending: back to the profile');
      }
    }
    const admin = await adminJar();
    const ac = (await formPage('/admin/invites', admin)).csrf;
    r = await post('/admin/invites', { csrf: ac }, { jar: admin });
    assert.equal(r.status, 422);
    assert.match(alertText(r.body), /Enter the email address/);
    r = await post('/admin/invites', { csrf: ac, email: 'not an email' }, { jar: admin });
    assert.equal(r.status, 422);
    assert.equal(inputValue(r.body, 'email'), 'not an email', 'the typed email stays');
  });

  assertSameSnapshot(snap, { ...(await snapshot()), tokens: snap.tokens, outbox: snap.outbox },
    'bad input (apart from the invitations made for it)');
  assert.ok(serverAlive(), 'the server is still running');
});

// ---------------------------------------------------------------------------------------
test('profile: a POST cannot change the email or make an administrator', async () => {
  const jar = await testSession('sam');
  const id = await sql("SELECT id FROM users WHERE handle = 'sam'");
  const before = await sql('SELECT email, is_admin, handle FROM users WHERE id = $1', [id]);
  const { csrf } = await formPage('/profile', jar);
  const r = await post('/profile', { csrf, handle: 'sam', display_name: 'Sam Whitfield',
    profession: 'chaplain', pronouns: 'they/them', track: 'adult', time_zone: 'America/Denver',
    listed: '1', email: 'sam.evil@example.test', is_admin: 'true', admin: '1' }, { jar });
  assert.equal(r.status, 303);
  assert.equal(await sql('SELECT email, is_admin, handle FROM users WHERE id = $1', [id]), before);
});

// ---------------------------------------------------------------------------------------
test('the page to return to after sign-in never leads to another site', async (t) => {
  const jar = await testSession('tomas');
  const offsite = (loc) => loc === undefined || new URL(loc, BASE_URL).origin !== BASE_URL;
  for (const next of ['/profile', '/offerings/core-practice-2026-05?x=1']) {
    const r = await get(`/signin?next=${encodeURIComponent(next)}`, { jar });
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, next);
  }
  for (const next of ['//evil.test', '/\\evil.test', 'http://evil.test', 'evil.test', '/%2F/evil.test']) {
    const r = await get(`/signin?next=${encodeURIComponent(next)}`, { jar });
    assert.equal(r.status, 303);
    assert.ok(!offsite(r.headers.location), `next=${next} → ${r.headers.location}`);
  }
  // Browsers drop TAB, CR and LF inside URLs: "/<TAB>/evil.test" is "//evil.test" to them
  // (this was an open redirect, and CR/LF gave a 303 without a Location).
  await t.test('control characters a browser strips from URLs', async () => {
    for (const next of ['/\t/evil.test', '/\n/evil.test', '/\r/evil.test', '\t//evil.test']) {
      const r = await get(`/signin?next=${encodeURIComponent(next)}`, { jar });
      assert.equal(r.status, 303);
      assert.ok(r.headers.location, `next=${JSON.stringify(next)}: a 303 needs a Location`);
      assert.ok(!offsite(r.headers.location),
        `next=${JSON.stringify(next)} → Location ${JSON.stringify(r.headers.location)} = ` +
        `${new URL(r.headers.location, BASE_URL).href}`);
    }
    const acct = await newAccount({ tag: 'next' });
    const r = await signIn(acct.email, acct.password, { next: '/\t/evil.test' });
    assert.ok(!offsite(r.headers.location), `after POST /signin: ${JSON.stringify(r.headers.location)}`);
  });
});
