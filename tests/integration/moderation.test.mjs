// Moderation (issue 11 items 1-3), over real HTTP against the test server, every effect
// checked in the database: flags and the review queue (per space and across every space one
// moderates), dismissing flags, hiding a post with a reason and restoring it, locking and
// unlocking, pinning, moving a thread (never out of a small group; to a wider audience only
// once its authors are confirmed told), the moderation log page, the notices authors get, and
// the log's trigger (UPDATE, DELETE and TRUNCATE refused). Every bad input: its status, its
// words, and nothing changed.
//
// Who: okafor facilitates and rivera directs the demo's May 2026 cohort (CP): both moderate its
// cohort and announcement spaces; rivera, a director of the series, also moderates the series
// space, the other cohorts of the series and its small groups. The authors, readers and
// flaggers are people made here, confirmed learners of CP, so no demo person's notifications
// change; "outsider" is a learner of another offering (reads the series space, not CP's).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { get, post, closeConnections, textOf, psql } from './lib.mjs';
import { closeSql } from './accounts-lib.mjs';
import {
  sql, uniq, mainText, alertText, jarOf, csrfFor, person, makePerson, spaceOf, seriesSpace,
  startThread, postReply, reply, act, postId, postsOn, searchResults, notificationsOn,
  headerBadge,
} from './forum-lib.mjs';

const CP = 'core-practice-2026-05';
const F26 = 'foundations-2026-01';
const F25 = 'foundations-2025-10';
const CSRF_WORDS = 'did not come from Cairn, so nothing was changed';

const S = {};   // space ids
const P = {};   // people
const threads = [];   // deleted afterwards
let group = null;

before(async () => {
  S.cohort = await spaceOf(CP);
  S.ann = await spaceOf(CP, 'announcements');
  S.f26 = await spaceOf(F26);
  S.f25ann = await spaceOf(F25, 'announcements');
  S.series = await seriesSpace();
  for (const h of ['okafor', 'rivera', 'admin']) P[h] = { ...await person(h), jar: await jarOf(h) };
  P.author = await makePerson({ tag: 'mauth', enrolled: [CP] });
  P.reader = await makePerson({ tag: 'mread', enrolled: [CP] });
  P.flagger = await makePerson({ tag: 'mflag', enrolled: [CP] });
  P.outsider = await makePerson({ tag: 'mout', enrolled: [F25] });
  // A small group of the series, which rivera (a series director) moderates.
  const gid = await sql(`INSERT INTO groups (series_id, track, name)
                         SELECT id, 'adult', $1 FROM series WHERE slug = 'palliative-care' RETURNING id`,
  [`Moderated ${uniq()}`]);
  group = { id: gid, space: await sql('SELECT id FROM spaces WHERE group_id = $1', [gid]) };
});

after(async () => {
  if (threads.length) await sql(`DELETE FROM threads WHERE id = ANY($1::bigint[])`, [`{${threads.join(',')}}`]);
  if (group) await sql('DELETE FROM groups WHERE id = $1', [group.id]);
  const emails = ['author', 'reader', 'flagger', 'outsider'].map((k) => P[k]?.email).filter(Boolean);
  if (emails.length) await sql(`DELETE FROM outbox WHERE to_email = ANY($1::text[])`, [`{${emails.join(',')}}`]);
  // The people made here leave the cohort, whose roster other tests count.
  const ids = ['author', 'reader', 'flagger', 'outsider'].map((k) => P[k]?.id).filter(Boolean);
  if (ids.length) await sql(`DELETE FROM enrollments WHERE user_id = ANY($1::bigint[])`, [`{${ids.join(',')}}`]);
  closeSql();
  closeConnections();
});

/** The error page's sentence (http_error) or a form's alert, whichever the page has. */
function errorText(html) {
  const lead = /<p class="lead">([\s\S]*?)<\/p>/.exec(html);
  return lead ? textOf(lead[1]) : alertText(html);
}

/** The role=status notice of a page, or ''. */
function statusText(html) {
  const m = /<p class="callout" role="status">([\s\S]*?)<\/p>/.exec(html);
  return m ? textOf(m[1]) : '';
}

async function page(path, jar, status = 200) {
  const r = await get(path, { jar });
  assert.equal(r.status, status, `GET ${path}: ${r.status} ${r.headers.location || errorText(r.body)}`);
  return r;
}

/** A thread started by `who` in space, with n replies alternating as given; its id. */
async function thread(who, space, title, body) {
  const id = await startThread(who.jar, space, `${title} ${uniq()}`, body);
  threads.push(id);
  return id;
}

/** What a refused request must leave alone: moderation's tables and the posts and threads. */
async function modState() {
  return sql(`SELECT (SELECT count(*) || md5(coalesce(string_agg(f::text, '|' ORDER BY f.id), '')) FROM flags f)
                || ' ' || (SELECT count(*) FROM moderation_log)
                || ' ' || (SELECT md5(string_agg(p::text, '|' ORDER BY p.id)) FROM posts p)
                || ' ' || (SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) FROM threads t)
                || ' ' || (SELECT count(*) FROM notifications) || ' ' || (SELECT count(*) FROM outbox)`);
}

async function assertNothingChanged(before0, what) {
  assert.equal(await modState(), before0, `${what}: nothing changed`);
}

/** The log entries of a space as SQL sees them, newest first: "action|thread|post|subject|reason". */
async function logOf(space, limit = 5) {
  const out = await sql(`SELECT action, coalesce(thread_id, 0), coalesce(post_id, 0),
                                coalesce(subject_id, 0), reason
                           FROM moderation_log WHERE space_id = $1 ORDER BY id DESC LIMIT $2`,
  [space, limit]);
  return out ? out.split('\n') : [];
}

/** Queued messages to email of kind, newest first, as the admin's outbox page opens them. */
async function mail(email, kind) {
  const r = await page(`/admin/outbox?kind=${kind}`, P.admin.jar);
  return [...r.body.matchAll(/<li>\s*<p><strong>([\s\S]*?)<\/strong> <span class="muted">([\s\S]*?)<\/span><\/p>\s*<pre>([\s\S]*?)<\/pre>/g)]
    .map((m) => ({ subject: textOf(m[1]), to: textOf(m[2]).split(' · ')[0].replace(/^to /, ''),
      body: textOf(m[3]) }))
    .filter((m) => m.to === email);
}

// ---------------------------------------------------------------------------------------
test('flagging: the form, its bad inputs, flagging once, and who may', async (t) => {
  const th = await thread(P.author, S.cohort, 'A hard family meeting', 'We met the family at 3.');
  const n = await reply(P.reader.jar, th, 'The second patient was Mr Jones; his daughter asked us about hospice.');
  const pid = await postId(th, n);
  const own = await postId(th, 1);

  // The form: the post in context, the four reasons, what happens.
  const form = await page(`/posts/${pid}/flag`, P.flagger.jar);
  const text = mainText(form.body);
  assert.match(text, /Flag this post for the moderators/);
  assert.match(text, /The second patient was Mr Jones/);
  for (const r of ['disrespectful', 'off_topic', 'identifies_patient', 'other']) {
    assert.match(form.body, new RegExp(`<input type="radio" name="reason" value="${r}" required>`));
  }
  assert.match(text, /The author and the other members are not told who flagged it/);
  // The thread offers the link on others' posts, not on one's own.
  const seen = postsOn((await page(`/t/${th}`, P.author.jar)).body);
  assert.match(seen.get(n).li, new RegExp(`href="/posts/${pid}/flag"`));
  assert.doesNotMatch(seen.get(1).li, /\/flag"/, 'no flag link on my own post');

  const long = 'x'.repeat(501);
  const cases = [
    ['no reason', () => act(P.flagger.jar, `/posts/${pid}/flag`, { note: 'bad' }), 422,
      'Choose why you are flagging this post.'],
    ['an unknown reason', () => act(P.flagger.jar, `/posts/${pid}/flag`, { reason: 'spam' }), 422,
      'Choose why you are flagging this post.'],
    ['"other" without a note', () => act(P.flagger.jar, `/posts/${pid}/flag`, { reason: 'other', note: '  \n ' }), 422,
      'Say what is wrong: “Something else” needs a few words for the moderators.'],
    ['a 501-character note', () => act(P.flagger.jar, `/posts/${pid}/flag`, { reason: 'other', note: long }), 422,
      'The note can be at most 500 characters long; this one is 501.'],
    ['a 501-character note of two-byte letters', () => act(P.flagger.jar, `/posts/${pid}/flag`, { reason: 'disrespectful', note: 'é'.repeat(501) }), 422,
      'The note can be at most 500 characters long; this one is 501.'],
    ['one\'s own post', () => act(P.author.jar, `/posts/${own}/flag`, { reason: 'off_topic' }), 409,
      'This is your own post: you can edit or delete it instead of flagging it. Nothing was changed.'],
    ['the form for one\'s own post', () => get(`/posts/${own}/flag`, { jar: P.author.jar }), 409, null],
    ['a post of a space one cannot read', () => act(P.outsider.jar, `/posts/${pid}/flag`, { reason: 'off_topic' }), 404, null],
    ['the form of a post of a space one cannot read', () => get(`/posts/${pid}/flag`, { jar: P.outsider.jar }), 404, null],
    ['an unknown post', () => act(P.flagger.jar, '/posts/999999999/flag', { reason: 'off_topic' }), 404, null],
    ['a malformed id', () => act(P.flagger.jar, '/posts/01/flag', { reason: 'off_topic' }), 404, null],
    ['a forged CSRF token', () => act(P.flagger.jar, `/posts/${pid}/flag`, { reason: 'off_topic', csrf: randomBytes(32).toString('base64url') }), 403, CSRF_WORDS],
    ['no CSRF token', () => post(`/posts/${pid}/flag`, { reason: 'off_topic' }, { jar: P.flagger.jar }), 403, CSRF_WORDS],
    ['signed out, without a form token', () => post(`/posts/${pid}/flag`, { reason: 'off_topic' }), 403, CSRF_WORDS],
  ];
  for (const [what, fn, status, words] of cases) {
    await t.test(what, async () => {
      const before0 = await modState();
      const r = await fn();
      assert.equal(r.status, status, `${what}: ${r.status} ${errorText(r.body)}`);
      if (words) assert.ok(errorText(r.body).includes(words), `${what}: the page says "${words}", not "${errorText(r.body)}"`);
      await assertNothingChanged(before0, what);
    });
  }
  // A refused form keeps what was typed.
  const kept = await act(P.flagger.jar, `/posts/${pid}/flag`, { reason: 'other', note: long });
  assert.match(kept.body, /<input type="radio" name="reason" value="other" required checked>/);
  assert.ok(kept.body.includes(`>${long}</textarea>`), 'the note is kept');
  // Signed out, the form sends one to sign in.
  const anon = await get(`/posts/${pid}/flag`);
  assert.equal(anon.status, 303);
  assert.equal(anon.headers.location, `/signin?next=/posts/${pid}/flag`);

  // Flag: back to the post with a notice.
  let r = await act(P.flagger.jar, `/posts/${pid}/flag`, { reason: 'identifies_patient', note: 'Names a patient.' });
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, `/t/${th}?page=1&done=flagged#p${n}`);
  assert.match(statusText((await page(r.headers.location.split('#')[0], P.flagger.jar)).body), /the space's moderators will review the post/);
  assert.equal(await sql(`SELECT reason || '|' || note || '|' || (resolved_at IS NULL) FROM flags
                          WHERE post_id = $1 AND flagger_id = $2`, [pid, P.flagger.id]),
  'identifies_patient|Names a patient.|true');
  // 500 characters is the limit, not beyond it; and "other" with a note is fine.
  r = await act(P.author.jar, `/posts/${pid}/flag`, { reason: 'other', note: 'é'.repeat(500) });
  assert.equal(r.status, 303, `500 characters: ${errorText(r.body)}`);

  // Twice: said so, nothing changes (the form and the POST alike).
  const before1 = await modState();
  r = await act(P.flagger.jar, `/posts/${pid}/flag`, { reason: 'disrespectful' });
  assert.equal(r.status, 409);
  assert.match(mainText(r.body), /You flagged this post already, on .*; the moderators have it\. Nothing was changed\./);
  assert.doesNotMatch(r.body, /<form method="post" action="\/posts\/\d+\/flag"/, 'no second form');
  r = await get(`/posts/${pid}/flag`, { jar: P.flagger.jar });
  assert.equal(r.status, 409);
  assert.match(mainText(r.body), /You flagged this post already/);
  await assertNothingChanged(before1, 'a second flag');

  // Who flagged is the moderators' to know: not the author's, not other members'.
  for (const who of [P.reader, P.author, P.flagger]) {
    const body = mainText((await page(`/t/${th}`, who.jar)).body);
    assert.doesNotMatch(body, new RegExp(P.flagger.name), `${who.handle} does not see who flagged`);
    assert.doesNotMatch(body, /open flag/, `${who.handle} does not see the flag count`);
  }
  const mod = postsOn((await page(`/t/${th}`, P.okafor.jar)).body).get(n);
  assert.match(mod.li, /2 open flags/, 'a moderator sees that the post is flagged');
  await sql('DELETE FROM flags WHERE post_id = $1', [pid]);
});

// ---------------------------------------------------------------------------------------
test('the review queue: per space and across my spaces, for moderators only; dismissing', async (t) => {
  const th = await thread(P.author, S.cohort, 'Queue', 'Opening words.');
  const n = await reply(P.reader.jar, th, 'Something rude about the night shift.');
  const pid = await postId(th, n);
  assert.equal((await act(P.flagger.jar, `/posts/${pid}/flag`, { reason: 'disrespectful', note: 'Unkind to the night team.' })).status, 303);
  assert.equal((await act(P.author.jar, `/posts/${pid}/flag`, { reason: 'off_topic' })).status, 303);

  for (const path of [`/s/${S.cohort}/flags`, '/moderation']) {
    const q = await page(path, P.okafor.jar);
    const item = new RegExp(`<li class="flag-item" id="post-${pid}">([\\s\\S]*?)</li>\\s*(?:<li class="flag-item"|</ol>)`).exec(q.body);
    assert.ok(item, `${path} lists the flagged post`);
    const text = textOf(item[1]);
    assert.match(text, new RegExp(`Queue .*, post ${n}`), 'the thread and the post number');
    assert.match(text, new RegExp(`by ${P.reader.name}`), 'its author');
    assert.match(text, /Something rude about the night shift\./, 'its body');
    assert.match(text, /2 flags:/);
    assert.match(text, new RegExp(`Disrespectful, flagged by ${P.flagger.name}.*“Unkind to the night team\\.”`));
    assert.match(text, new RegExp(`Off-topic, flagged by ${P.author.name}`));
    assert.match(item[1], new RegExp(`href="/posts/${pid}/hide\\?back=`), 'hide');
    assert.match(item[1], new RegExp(`action="/posts/${pid}/flags/dismiss"`), 'dismiss');
    assert.match(item[1], new RegExp(`href="/t/${th}/lock\\?back=`), 'lock the thread');
    assert.match(item[1], new RegExp(`href="/t/${th}/p/${n}"`), 'a link to the post');
  }
  assert.match(mainText((await page('/moderation', P.okafor.jar)).body), /Spaces I moderate/);
  // A learner: no queue of a space (it does not exist for them); the overall page is empty.
  for (const who of [P.reader, P.author, P.flagger]) {
    await page(`/s/${S.cohort}/flags`, who.jar, 404);
    const mine = await page('/moderation', who.jar);
    assert.doesNotMatch(mine.body, new RegExp(`post-${pid}`));
    assert.match(mainText(mine.body), /You moderate no discussion space/);
  }
  await page(`/s/${S.cohort}/flags`, P.outsider.jar, 404);
  await page('/s/999999999/flags', P.okafor.jar, 404);
  await page('/s/abc/flags', P.okafor.jar, 404);
  const anon = await get(`/s/${S.cohort}/flags`);
  assert.equal(anon.status, 303);
  // A director of the series sees it across the series; the space list links the log.
  assert.match((await page('/moderation', P.rivera.jar)).body, new RegExp(`id="post-${pid}"`));

  // Dismissing: for moderators only.
  const cases = [
    ['a learner', () => act(P.reader.jar, `/posts/${pid}/flags/dismiss`), 403,
      'Only the space\'s moderators review flags. Nothing was changed.'],
    ['someone who cannot read the space', () => act(P.outsider.jar, `/posts/${pid}/flags/dismiss`), 404, null],
    ['an unknown post', () => act(P.okafor.jar, '/posts/999999999/flags/dismiss'), 404, null],
    ['a forged CSRF token', () => act(P.okafor.jar, `/posts/${pid}/flags/dismiss`, { csrf: randomBytes(32).toString('base64url') }), 403, CSRF_WORDS],
  ];
  for (const [what, fn, status, words] of cases) {
    await t.test(`dismiss: ${what}`, async () => {
      const before0 = await modState();
      const r = await fn();
      assert.equal(r.status, status, `${what}: ${r.status} ${errorText(r.body)}`);
      if (words) assert.ok(errorText(r.body).includes(words), `${what}: the page says "${words}", not "${errorText(r.body)}"`);
      await assertNothingChanged(before0, what);
    });
  }
  const r = await act(P.okafor.jar, `/posts/${pid}/flags/dismiss`, { back: 'flags' });
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, `/s/${S.cohort}/flags?done=dismissed`);
  const after0 = await page(r.headers.location, P.okafor.jar);
  assert.match(statusText(after0.body), /The flags were dismissed; the post stays as it is/);
  assert.doesNotMatch(after0.body, new RegExp(`id="post-${pid}"`), 'gone from the queue');
  assert.equal(await sql(`SELECT string_agg(resolution || ':' || resolved_by, ',') FROM flags WHERE post_id = $1`, [pid]),
    `dismissed:${P.okafor.id},dismissed:${P.okafor.id}`);
  assert.equal((await logOf(S.cohort, 1))[0], `flag_dismissed|${th}|${pid}|0|`);
  assert.equal(await sql(`SELECT detail->>'flags' FROM moderation_log WHERE space_id = $1 ORDER BY id DESC LIMIT 1`, [S.cohort]), '2');
  // Again: nothing is open any more.
  const before2 = await modState();
  const again = await act(P.okafor.jar, `/posts/${pid}/flags/dismiss`);
  assert.equal(again.status, 409);
  assert.match(errorText(again.body), /no open flags/);
  await assertNothingChanged(before2, 'dismissing twice');
  // The post was never hidden; its author was not told of flags they never saw.
  assert.equal(await sql('SELECT hidden FROM posts WHERE id = $1', [pid]), 'f');
  assert.equal(await sql(`SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = 'moderation'`, [P.reader.id]), '0');
});

// ---------------------------------------------------------------------------------------
test('hiding a post: asks first, needs a reason; the author sees it with the reason, others do not (nor in search, notifications or queued mail)', async (t) => {
  const word = `wisteria${uniq().replace(/[^a-z0-9]/gi, '').toLowerCase()}`;
  // The reader starts the thread, so the author's reply notifies the reader (with its
  // excerpt) and queues a message to them.
  const th = await thread(P.reader, S.cohort, 'Hide me', 'A question for everyone.');
  const n = await reply(P.author.jar, th, `My patient on ward ${word} said something I cannot forget.`);
  const pid = await postId(th, n);
  assert.equal((await act(P.flagger.jar, `/posts/${pid}/flag`, { reason: 'identifies_patient' })).status, 303);
  assert.match(await sql(`SELECT excerpt FROM notifications WHERE post_id = $1 AND user_id = $2`, [pid, P.reader.id]), new RegExp(word));
  const queued = await mail(P.reader.email, 'notification-reply');
  assert.ok(queued.some((m) => m.body.includes(word)), 'the queued message quotes the post');
  assert.equal(searchResults((await page(`/search?q=${word}`, P.flagger.jar)).body).length, 1, 'searchable before');

  // The confirmation page says what will happen; it changes nothing.
  const ask = await page(`/posts/${pid}/hide`, P.okafor.jar);
  const askText = mainText(ask.body);
  assert.match(askText, /Hide this post\?/);
  assert.match(askText, new RegExp(word), 'the post as it reads');
  assert.match(askText, /Other members no longer see it/);
  assert.match(askText, /Its open flag is closed as dealt with\./);
  assert.match(ask.body, /<input type="hidden" name="confirmed" value="yes">/);

  const cases = [
    ['a learner\'s confirmation page', () => get(`/posts/${pid}/hide`, { jar: P.flagger.jar }), 403,
      'Only the space\'s moderators hide and restore posts. Nothing was changed.'],
    ['a learner hiding', () => act(P.flagger.jar, `/posts/${pid}/hide`, { reason: 'x', confirmed: 'yes' }), 403,
      'Only the space\'s moderators hide and restore posts. Nothing was changed.'],
    ['the author hiding their own post', () => act(P.author.jar, `/posts/${pid}/hide`, { reason: 'x', confirmed: 'yes' }), 403, null],
    ['someone who cannot read the space', () => act(P.outsider.jar, `/posts/${pid}/hide`, { reason: 'x', confirmed: 'yes' }), 404, null],
    ['their confirmation page', () => get(`/posts/${pid}/hide`, { jar: P.outsider.jar }), 404, null],
    ['an unknown post', () => act(P.okafor.jar, '/posts/999999999/hide', { reason: 'x', confirmed: 'yes' }), 404, null],
    ['a malformed id', () => get('/posts/1e3/hide', { jar: P.okafor.jar }), 404, null],
    ['no reason', () => act(P.okafor.jar, `/posts/${pid}/hide`, { confirmed: 'yes' }), 422, 'Give a reason: the author is told it.'],
    ['a blank reason', () => act(P.okafor.jar, `/posts/${pid}/hide`, { reason: ' \n\t', confirmed: 'yes' }), 422, 'Give a reason: the author is told it.'],
    ['a 501-character reason', () => act(P.okafor.jar, `/posts/${pid}/hide`, { reason: 'r'.repeat(501), confirmed: 'yes' }), 422,
      'A reason can be at most 500 characters long; this one is 501.'],
    ['a forged CSRF token', () => act(P.okafor.jar, `/posts/${pid}/hide`, { reason: 'x', confirmed: 'yes', csrf: randomBytes(32).toString('base64url') }), 403, CSRF_WORDS],
    ['no confirmation (shown the page instead)', () => act(P.okafor.jar, `/posts/${pid}/hide`, { reason: 'x' }), 303, null],
  ];
  for (const [what, fn, status, words] of cases) {
    await t.test(what, async () => {
      const before0 = await modState();
      const r = await fn();
      assert.equal(r.status, status, `${what}: ${r.status} ${errorText(r.body)}`);
      if (words) assert.ok(errorText(r.body).includes(words), `${what}: the page says "${words}", not "${errorText(r.body)}"`);
      if (status === 303) assert.equal(r.headers.location, `/posts/${pid}/hide`);
      await assertNothingChanged(before0, what);
    });
  }

  const reason = 'It names where a patient was cared for. Please write around it.';
  let r = await act(P.okafor.jar, `/posts/${pid}/hide`, { reason, confirmed: 'yes' });
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, `/t/${th}?page=1&done=hidden#p${n}`);
  assert.equal(await sql(`SELECT hidden || '|' || hidden_reason FROM posts WHERE id = $1`, [pid]), `true|${reason}`);
  assert.equal(await sql('SELECT resolution FROM flags WHERE post_id = $1', [pid]), 'hidden', 'its flag is closed');
  assert.equal((await logOf(S.cohort, 1))[0], `post_hidden|${th}|${pid}|${P.author.id}|${reason}`);
  assert.equal(await sql('SELECT actor_id FROM moderation_log WHERE post_id = $1 ORDER BY id DESC LIMIT 1', [pid]), P.okafor.id);
  assert.match(statusText((await page(r.headers.location.split('#')[0], P.okafor.jar)).body), /The post is hidden/);

  // The author is told, with the reason: a notification (which their badge counts) and a message.
  const notes = notificationsOn((await page('/notifications', P.author.jar)).body);
  const notice = notes.find((x) => x.thread === th && x.lead === 'A moderator');
  assert.ok(notice, 'the author has a moderation notice');
  assert.equal(notice.what, 'hid your post in');
  assert.equal(notice.number, n);
  assert.equal(textOf(notice.excerptHtml), `Reason: ${reason}`);
  assert.equal(notice.unread, true);
  const badge = headerBadge((await page('/spaces', P.author.jar)).body);
  assert.ok(badge >= 1, 'the badge counts it');
  // The author: the post, marked hidden, with the reason.
  const mine = postsOn((await page(`/t/${th}`, P.author.jar)).body).get(n);
  assert.match(mine.body, new RegExp(word));
  // Reading the thread reads the notice about it.
  assert.equal(notificationsOn((await page('/notifications', P.author.jar)).body)
    .find((x) => x.thread === th && x.lead === 'A moderator').unread, false);
  assert.equal(headerBadge((await page('/spaces', P.author.jar)).body), badge - 1);
  assert.ok(textOf(mine.li).includes(`Hidden by a moderator. Only you and the space's moderators see it. Reason: ${reason}`));
  // A moderator: marked, with the reason, and Restore.
  const mod = postsOn((await page(`/t/${th}`, P.rivera.jar)).body).get(n);
  assert.match(mod.body, new RegExp(word));
  assert.ok(textOf(mod.li).includes(`Hidden by a moderator. Other members do not see it. Reason: ${reason}`));
  assert.match(mod.li, new RegExp(`action="/posts/${pid}/restore"`));
  // Everyone else: that a moderator hid a post, not what it said, nor whose it was.
  for (const who of [P.reader, P.flagger]) {
    const other = postsOn((await page(`/t/${th}`, who.jar)).body).get(n);
    assert.equal(other.body, null, `${who.handle} does not see the body`);
    assert.doesNotMatch(other.li, new RegExp(`${word}|${P.author.name}|${P.author.handle}|${reason}`));
    assert.match(textOf(other.li), new RegExp(`Post ${n} `));
    assert.match(textOf(other.li), /A moderator hid this post\./);
    assert.equal(other.quote, false);
    assert.equal((await get(`/posts/${pid}/revisions`, { jar: who.jar })).status, 404);
    // Not in search.
    assert.equal(searchResults((await page(`/search?q=${word}`, who.jar)).body).length, 0, 'not found in search');
  }
  // Quoting it is refused by the quote link too (the reply box starts empty).
  assert.doesNotMatch((await page(`/t/${th}?quote=${n}`, P.reader.jar)).body, new RegExp(word));
  // Its excerpt left the reader's notification and their queued message.
  assert.equal(await sql(`SELECT excerpt FROM notifications WHERE post_id = $1 AND user_id = $2`, [pid, P.reader.id]), '');
  assert.doesNotMatch((await page('/notifications', P.reader.jar)).body, new RegExp(word));
  const scrubbed = await mail(P.reader.email, 'notification-reply');
  assert.ok(scrubbed.length >= 1);
  for (const m of scrubbed) assert.doesNotMatch(m.body, new RegExp(word), 'no queued message quotes it');
  assert.ok(scrubbed.some((m) => m.body.includes('(This post was hidden by a moderator.)')));
  const told = await mail(P.author.email, 'moderation-notice');
  assert.equal(told[0].subject, `A moderator hid your post in “${await sql('SELECT title FROM threads WHERE id = $1', [th])}”`);
  assert.match(told[0].body, new RegExp(`Reason: ${reason.replace('.', '\\.')}`));
  assert.match(told[0].body, new RegExp(`/t/${th}/p/${n}`));
  assert.doesNotMatch(told[0].body, new RegExp(`${P.okafor.name}|${P.flagger.name}`), 'the message names neither the moderator nor the flagger');

  // Twice: 409, and its page too.
  const before2 = await modState();
  r = await act(P.okafor.jar, `/posts/${pid}/hide`, { reason, confirmed: 'yes' });
  assert.equal(r.status, 409);
  assert.equal(errorText(r.body), 'This post is hidden already. Nothing was changed.');
  assert.equal((await get(`/posts/${pid}/hide`, { jar: P.okafor.jar })).status, 409);
  await assertNothingChanged(before2, 'hiding twice');

  // Restoring: moderators only; then everyone sees it again, and the author is told.
  // A hidden post does not exist for other members (404); its author sees it but may not
  // restore it (403).
  for (const [who, status] of [[P.reader, 404], [P.author, 403], [P.outsider, 404]]) {
    const b = await modState();
    assert.equal((await act(who.jar, `/posts/${pid}/restore`)).status, status, who.handle);
    await assertNothingChanged(b, `${who.handle} restoring`);
  }
  r = await act(P.rivera.jar, `/posts/${pid}/restore`);
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, `/t/${th}?page=1&done=restored#p${n}`);
  assert.equal(await sql(`SELECT hidden || '|' || hidden_reason FROM posts WHERE id = $1`, [pid]), 'false|');
  assert.equal((await logOf(S.cohort, 1))[0], `post_restored|${th}|${pid}|${P.author.id}|`);
  assert.match(postsOn((await page(`/t/${th}`, P.reader.jar)).body).get(n).body, new RegExp(word));
  assert.equal(searchResults((await page(`/search?q=${word}`, P.flagger.jar)).body).length, 1, 'searchable again');
  const restored = notificationsOn((await page('/notifications', P.author.jar)).body)
    .filter((x) => x.thread === th && x.lead === 'A moderator').map((x) => x.what);
  assert.deepEqual(restored, ['restored your post in', 'hid your post in']);
  const before3 = await modState();
  r = await act(P.rivera.jar, `/posts/${pid}/restore`);
  assert.equal(r.status, 409);
  assert.equal(errorText(r.body), 'This post is not hidden. Nothing was changed.');
  await assertNothingChanged(before3, 'restoring twice');

  // A deleted post has nothing to hide.
  const gone = await reply(P.author.jar, th, 'I will take this back.');
  const goneId = await postId(th, gone);
  assert.equal((await act(P.author.jar, `/posts/${goneId}/delete`, { confirmed: 'yes' })).status, 303);
  const b4 = await modState();
  r = await act(P.okafor.jar, `/posts/${goneId}/hide`, { reason: 'x', confirmed: 'yes' });
  assert.equal(r.status, 409);
  assert.match(errorText(r.body), /Its author deleted this post/);
  await assertNothingChanged(b4, 'hiding a deleted post');
});

// ---------------------------------------------------------------------------------------
test('hiding from the queue returns to the queue', async () => {
  const th = await thread(P.author, S.cohort, 'From the queue', 'Opening.');
  const n = await reply(P.reader.jar, th, 'Off the subject entirely.');
  const pid = await postId(th, n);
  assert.equal((await act(P.flagger.jar, `/posts/${pid}/flag`, { reason: 'off_topic' })).status, 303);
  const ask = await page(`/posts/${pid}/hide?back=moderation`, P.okafor.jar);
  assert.match(ask.body, /<input type="hidden" name="back" value="moderation">/);
  const r = await act(P.okafor.jar, `/posts/${pid}/hide`, { reason: 'Off-topic here.', confirmed: 'yes', back: 'moderation' });
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, '/moderation?done=hidden');
  const q = await page(r.headers.location, P.okafor.jar);
  assert.match(statusText(q.body), /The post is hidden and its flags are closed/);
  assert.doesNotMatch(q.body, new RegExp(`id="post-${pid}"`));
  // Any other "back" is the thread.
  const r2 = await act(P.okafor.jar, `/posts/${pid}/restore`, { back: 'https://evil.test/' });
  assert.equal(r2.headers.location, `/t/${th}?page=1&done=restored#p${n}`);
});

// ---------------------------------------------------------------------------------------
test('a hidden last post: the space\'s thread list names the last post each reader can see', async () => {
  const th = await thread(P.reader, S.cohort, 'Last by', 'Who spoke last?');
  const n = await reply(P.author.jar, th, 'Something that will be hidden.');
  // The opening post an hour earlier, so that the times differ as the names do.
  await sql(`UPDATE posts SET created_at = created_at - interval '1 hour' WHERE thread_id = $1
             AND number = 1`, [th]);
  assert.equal((await act(P.okafor.jar, `/posts/${await postId(th, n)}/hide`,
    { reason: 'Not for this space.', confirmed: 'yes' })).status, 303);
  const at = async (number) => Number(await sql(`SELECT floor(extract(epoch FROM created_at))::bigint
                                                 FROM posts WHERE thread_id = $1 AND number = $2`,
  [th, number]));
  /** The thread's "last by" in the space's list as `who` sees it: [name, Unix seconds]. */
  const lastBy = async (who) => {
    const html = (await page(`/s/${S.cohort}`, who.jar)).body;
    const item = new RegExp(`href="/t/${th}(?:/unread)?">[\\s\\S]*?last by ([^<]*) <time datetime="([^"]+)"`).exec(html);
    assert.ok(item, `${who.handle} finds the thread in the list`);
    return [textOf(item[1]), Math.floor(Date.parse(item[2]) / 1000)];
  };
  // A member who cannot see the hidden reply: its opening post, by whom and when.
  assert.deepEqual(await lastBy(P.flagger), [P.reader.name, await at(1)]);
  // Its author and the moderators see the reply, so it is the last for them.
  assert.deepEqual(await lastBy(P.author), [P.author.name, await at(n)]);
  assert.deepEqual(await lastBy(P.okafor), [P.author.name, await at(n)]);
  // A thread whose every post is hidden from them names nobody.
  const alone = await thread(P.author, S.cohort, 'Only post', 'Nothing else here.');
  assert.equal((await act(P.okafor.jar, `/posts/${await postId(alone, 1)}/hide`,
    { reason: 'Not for this space.', confirmed: 'yes' })).status, 303);
  const html = (await page(`/s/${S.cohort}`, P.flagger.jar)).body;
  const item = new RegExp(`href="/t/${alone}(?:/unread)?">[^<]*</a>[\\s\\S]*?<p class="muted">([^<]*)</p>`).exec(html);
  assert.ok(item, 'the thread is listed');
  assert.equal(textOf(item[1]), '0 replies', 'no "last by", no time');
});

// ---------------------------------------------------------------------------------------
test('locking and unlocking: asks first; members cannot reply while locked; the author is told', async (t) => {
  const th = await thread(P.author, S.cohort, 'Lock me', 'Let us talk about it.');
  const ask = await page(`/t/${th}/lock`, P.okafor.jar);
  assert.match(mainText(ask.body), /Lock this thread\?.*Nobody but the space's moderators can reply/);
  const cases = [
    ['a learner\'s confirmation page', () => get(`/t/${th}/lock`, { jar: P.reader.jar }), 403,
      'Only the space\'s moderators lock and unlock threads. Nothing was changed.'],
    ['a learner locking', () => act(P.reader.jar, `/t/${th}/lock`, { confirmed: 'yes' }), 403,
      'Only the space\'s moderators lock and unlock threads. Nothing was changed.'],
    ['someone who cannot read the space', () => act(P.outsider.jar, `/t/${th}/lock`, { confirmed: 'yes' }), 404, null],
    ['an unknown thread', () => act(P.okafor.jar, '/t/999999999/lock', { confirmed: 'yes' }), 404, null],
    ['a 501-character reason', () => act(P.okafor.jar, `/t/${th}/lock`, { confirmed: 'yes', reason: 'r'.repeat(501) }), 422,
      'A reason can be at most 500 characters long; this one is 501.'],
    ['a forged CSRF token', () => act(P.okafor.jar, `/t/${th}/lock`, { confirmed: 'yes', csrf: randomBytes(32).toString('base64url') }), 403, CSRF_WORDS],
    ['unlocking a thread that is not locked', () => act(P.okafor.jar, `/t/${th}/unlock`), 409, 'This thread is not locked. Nothing was changed.'],
    ['no confirmation (shown the page instead)', () => act(P.okafor.jar, `/t/${th}/lock`), 303, null],
  ];
  for (const [what, fn, status, words] of cases) {
    await t.test(what, async () => {
      const before0 = await modState();
      const r = await fn();
      assert.equal(r.status, status, `${what}: ${r.status} ${errorText(r.body)}`);
      if (words) assert.ok(errorText(r.body).includes(words), `${what}: the page says "${words}", not "${errorText(r.body)}"`);
      await assertNothingChanged(before0, what);
    });
  }
  let r = await act(P.okafor.jar, `/t/${th}/lock`, { confirmed: 'yes', reason: 'The conversation has run its course.' });
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, `/t/${th}?done=locked`);
  assert.equal(await sql('SELECT locked FROM threads WHERE id = $1', [th]), 't');
  assert.equal((await logOf(S.cohort, 1))[0], `thread_locked|${th}|0|${P.author.id}|The conversation has run its course.`);
  const view = await page(`/t/${th}`, P.reader.jar);
  assert.match(view.body, /<span class="tag">Locked<\/span>/);
  assert.match(view.body, /<p class="muted">This thread is locked.<\/p>/);
  assert.equal((await postReply(P.reader.jar, th, { body: 'Can I still?' })).status, 403);
  const note = notificationsOn((await page('/notifications', P.author.jar)).body).find((x) => x.thread === th);
  assert.equal(note.what, 'locked your thread');
  assert.equal(textOf(note.excerptHtml), 'Reason: The conversation has run its course.');
  assert.equal((await get(`/t/${th}/lock`, { jar: P.okafor.jar })).status, 409, 'locked already');
  const b = await modState();
  assert.equal((await act(P.okafor.jar, `/t/${th}/lock`, { confirmed: 'yes' })).status, 409);
  assert.equal((await act(P.reader.jar, `/t/${th}/unlock`)).status, 403);
  await assertNothingChanged(b, 'locking twice, a learner unlocking');

  r = await act(P.rivera.jar, `/t/${th}/unlock`);
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, `/t/${th}?done=unlocked`);
  assert.match(statusText((await page(r.headers.location.split('#')[0], P.rivera.jar)).body), /The thread is open again/);
  assert.equal((await logOf(S.cohort, 1))[0], `thread_unlocked|${th}|0|${P.author.id}|`);
  assert.equal(await reply(P.reader.jar, th, 'Thanks for reopening.'), 2);
});

// ---------------------------------------------------------------------------------------
test('pinning is logged', async () => {
  const th = await thread(P.author, S.cohort, 'Pin me', 'Useful links.');
  let r = await act(P.okafor.jar, `/t/${th}/pin`);
  assert.equal(r.headers.location, `/t/${th}?done=pinned`);
  assert.equal((await logOf(S.cohort, 1))[0], `thread_pinned|${th}|0|${P.author.id}|`);
  r = await act(P.okafor.jar, `/t/${th}/pin`);
  assert.equal(r.headers.location, `/t/${th}?done=unpinned`);
  assert.equal((await logOf(S.cohort, 1))[0], `thread_unpinned|${th}|0|${P.author.id}|`);
});

// ---------------------------------------------------------------------------------------
test('moving a thread: only between spaces I moderate, never out of a small group, and to a wider audience only once its authors are told', async (t) => {
  const th = await thread(P.author, S.cohort, 'Move me', 'Is this for everyone?');
  await reply(P.reader.jar, th, 'I think it is.');

  // The chooser lists the spaces I moderate, not the thread's own.
  const choose = await page(`/t/${th}/move`, P.okafor.jar);
  const options = [...choose.body.matchAll(/<option value="(\d+)"/g)].map((m) => m[1]);
  assert.ok(options.includes(S.ann), 'the cohort\'s announcements');
  assert.ok(!options.includes(S.cohort), 'not the thread\'s own space');
  assert.ok(!options.includes(S.series), 'not the series space, which okafor does not moderate');

  const cases = [
    ['a learner', () => act(P.reader.jar, `/t/${th}/move`, { to: S.ann, confirmed: 'yes' }), 403,
      'Only the space\'s moderators move threads. Nothing was changed.'],
    ['a learner\'s chooser', () => get(`/t/${th}/move`, { jar: P.reader.jar }), 403, null],
    ['someone who cannot read the space', () => act(P.outsider.jar, `/t/${th}/move`, { to: S.ann, confirmed: 'yes' }), 404, null],
    ['an unknown thread', () => act(P.okafor.jar, '/t/999999999/move', { to: S.ann, confirmed: 'yes' }), 404, null],
    ['no space', () => act(P.okafor.jar, `/t/${th}/move`, { confirmed: 'yes' }), 422, 'Choose the space to move the thread to.'],
    ['a malformed space id', () => act(P.okafor.jar, `/t/${th}/move`, { to: '07', confirmed: 'yes' }), 422, 'Choose a space from the list.'],
    ['an unknown space', () => act(P.okafor.jar, `/t/${th}/move`, { to: '999999999', confirmed: 'yes' }), 422,
      'You can move a thread only to a space you moderate: choose one from the list.'],
    ['a space I read but do not moderate', () => act(P.okafor.jar, `/t/${th}/move`, { to: S.series, confirmed: 'yes', told: 'yes' }), 422,
      'You can move a thread only to a space you moderate: choose one from the list.'],
    ['another space\'s id I cannot read (a small group)', () => act(P.okafor.jar, `/t/${th}/move`, { to: group.space, confirmed: 'yes', told: 'yes' }), 422,
      'You can move a thread only to a space you moderate: choose one from the list.'],
    ['its own space', () => act(P.okafor.jar, `/t/${th}/move`, { to: S.cohort, confirmed: 'yes' }), 422,
      'The thread is in that space already: choose another.'],
    ['the chooser with an unknown space', () => get(`/t/${th}/move?to=999999999`, { jar: P.okafor.jar }), 422, null],
    ['a wider space without telling its authors', () => act(P.rivera.jar, `/t/${th}/move`, { to: S.series, confirmed: 'yes' }), 422,
      'This move shows the thread to people who cannot read it now. Confirm that its authors are told, or choose a space with fewer readers.'],
    ['a 501-character reason', () => act(P.okafor.jar, `/t/${th}/move`, { to: S.ann, confirmed: 'yes', reason: 'r'.repeat(501) }), 422,
      'A reason can be at most 500 characters long; this one is 501.'],
    ['a forged CSRF token', () => act(P.okafor.jar, `/t/${th}/move`, { to: S.ann, confirmed: 'yes', csrf: randomBytes(32).toString('base64url') }), 403, CSRF_WORDS],
    ['no confirmation (shown the page instead)', () => act(P.okafor.jar, `/t/${th}/move`, { to: S.ann }), 303, null],
  ];
  for (const [what, fn, status, words] of cases) {
    await t.test(what, async () => {
      const before0 = await modState();
      const r = await fn();
      assert.equal(r.status, status, `${what}: ${r.status} ${errorText(r.body)}`);
      if (words) assert.ok(errorText(r.body).includes(words), `${what}: the page says "${words}", not "${errorText(r.body)}"`);
      if (status === 303) assert.equal(r.headers.location, `/t/${th}/move?to=${S.ann}`);
      await assertNothingChanged(before0, what);
    });
  }

  // To the series space (wider): the page lists the authors and asks them to be told.
  const wide = await page(`/t/${th}/move?to=${S.series}`, P.rivera.jar);
  const wideText = mainText(wide.body);
  assert.match(wideText, /\d+ (person|people) who cannot read this thread now will be able to/);
  assert.match(wideText, new RegExp(`Its 2 authors will be told of the move.*${P.author.name}.*${P.reader.name}`));
  assert.match(wide.body, /<input type="checkbox" name="told" value="yes" required>/);
  let r = await act(P.rivera.jar, `/t/${th}/move`, { to: S.series, confirmed: 'yes', told: 'yes', reason: 'Useful to the whole series.' });
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, `/t/${th}?done=moved`);
  assert.equal(await sql('SELECT space_id FROM threads WHERE id = $1', [th]), S.series);
  assert.match(statusText((await page(r.headers.location.split('#')[0], P.rivera.jar)).body), /The thread was moved here/);
  // Logged in both spaces, with where from and to.
  for (const space of [S.cohort, S.series]) {
    assert.equal((await logOf(space, 1))[0], `thread_moved|${th}|0|${P.author.id}|Useful to the whole series.`);
  }
  assert.equal(await sql(`SELECT (detail->>'from') || '>' || (detail->>'to') || ':' || ((detail->>'newly_readable')::int > 0)
                          FROM moderation_log WHERE space_id = $1 ORDER BY id DESC LIMIT 1`, [S.series]),
  `${S.cohort}>${S.series}:true`);
  // Both authors are told; the outsider (a learner elsewhere in the series) now reads it.
  for (const who of [P.author, P.reader]) {
    const note = notificationsOn((await page('/notifications', who.jar)).body).find((x) => x.thread === th && x.lead === 'A moderator');
    assert.ok(note, `${who.handle} is told`);
    assert.equal(note.what, who === P.author ? 'moved your thread' : 'moved a thread you wrote in');
    assert.match(textOf(note.excerptHtml), /^Now in .*\. Reason: Useful to the whole series\.$/);
    const m = (await mail(who.email, 'moderation-notice')).find((x) => x.subject.includes('moved'));
    assert.ok(m, `${who.handle} gets a message`);
    assert.match(m.body, /It is now in/);
  }
  await page(`/t/${th}`, P.outsider.jar);

  // Back to the cohort (narrower: everyone who reads the cohort reads the series space): no
  // confirmation of telling is needed; the authors are told all the same.
  const narrow = await page(`/t/${th}/move?to=${S.cohort}`, P.rivera.jar);
  assert.match(mainText(narrow.body), /nobody new will see it/);
  assert.doesNotMatch(narrow.body, /name="told"/);
  r = await act(P.rivera.jar, `/t/${th}/move`, { to: S.cohort, confirmed: 'yes' });
  assert.equal(r.status, 303);
  assert.equal(await sql('SELECT space_id FROM threads WHERE id = $1', [th]), S.cohort);
  await page(`/t/${th}`, P.outsider.jar, 404);

  // The cohort's announcements have the same readers: okafor moves it there.
  r = await act(P.okafor.jar, `/t/${th}/move`, { to: S.ann, confirmed: 'yes' });
  assert.equal(r.status, 303);
  assert.equal(await sql('SELECT space_id FROM threads WHERE id = $1', [th]), S.ann);

  // A small group's thread never leaves it, whoever asks.
  const gt = await thread(P.rivera, group.space, 'Group only', 'Between us.');
  const b = await modState();
  for (const path of [`/t/${gt}/move`, `/t/${gt}/move?to=${S.series}`]) {
    const g = await get(path, { jar: P.rivera.jar });
    assert.equal(g.status, 409, path);
    assert.match(errorText(g.body), /A thread never leaves its small group/);
  }
  for (const who of [P.rivera, P.admin]) {
    const g = await act(who.jar, `/t/${gt}/move`, { to: S.series, confirmed: 'yes', told: 'yes' });
    assert.equal(g.status, 409, who.handle);
  }
  assert.doesNotMatch((await page(`/t/${gt}`, P.rivera.jar)).body, /\/move"/, 'no Move link in a group');
  await page(`/t/${gt}/move`, P.okafor.jar, 404);   // not okafor's group: it does not exist for him
  await assertNothingChanged(b, 'moving out of a small group');
});

// ---------------------------------------------------------------------------------------
test('the moderation log: the space\'s moderators read it, newest first, in keyset pages; nobody else finds it', async () => {
  const th = await thread(P.author, S.cohort, 'Logged', 'Opening.');
  assert.equal((await act(P.okafor.jar, `/t/${th}/lock`, { confirmed: 'yes', reason: 'Pause <b>here</b>.' })).status, 303);
  assert.equal((await act(P.okafor.jar, `/t/${th}/unlock`)).status, 303);
  const log = await page(`/s/${S.cohort}/log`, P.okafor.jar);
  const entries = [...log.body.matchAll(/<ol class="modlog">([\s\S]*?)<\/ol>/g)][0][1].split('</li>').map(textOf).filter(Boolean);
  assert.match(entries[0], new RegExp(`${P.okafor.name} unlocked .*Logged`));
  assert.match(entries[1], new RegExp(`${P.okafor.name} locked .*Logged .*\\(${P.author.name}\\)\\s*Reason: Pause <b>here</b>\\.`));
  assert.ok(log.body.includes('Pause &lt;b&gt;here&lt;/b&gt;.'), 'the reason is escaped');
  for (const who of [P.reader, P.author, P.outsider]) await page(`/s/${S.cohort}/log`, who.jar, 404);
  await page('/s/999999999/log', P.okafor.jar, 404);
  await page(`/s/${S.cohort}/log?before=abc`, P.okafor.jar, 400);
  await page(`/s/${group.space}/log`, P.okafor.jar, 404);
  await page(`/s/${group.space}/log`, P.rivera.jar);

  // Keyset pages of 50 in a space nobody else logs in (Foundations 2025-10's announcements).
  await sql(`INSERT INTO moderation_log (at, actor_id, space_id, action, reason)
             SELECT now() - (g || ' minutes')::interval, $2, $1, 'thread_pinned', 'entry ' || g
               FROM generate_series(1, 55) g`, [S.f25ann, P.admin.id]);
  const first = await page(`/s/${S.f25ann}/log`, P.admin.jar);
  const reasons1 = [...first.body.matchAll(/Reason: entry (\d+)/g)].map((m) => Number(m[1]));
  assert.equal(reasons1.length, 50);
  const older = /<a href="\/s\/\d+\/log\?before=(\d+)">Older entries<\/a>/.exec(first.body);
  assert.ok(older, 'a link to older entries');
  const second = await page(`/s/${S.f25ann}/log?before=${older[1]}`, P.admin.jar);
  const reasons2 = [...second.body.matchAll(/Reason: entry (\d+)/g)].map((m) => Number(m[1]));
  const all = [...reasons1, ...reasons2];
  assert.equal(all.length, 55);
  assert.deepEqual(all, [...all].sort((a, b) => b - a), 'newest first (inserted last)');
  assert.equal(new Set(all).size, 55, 'no entry twice');
  assert.doesNotMatch(second.body, /Older entries/);
});

// ---------------------------------------------------------------------------------------
test('the log cannot be changed: UPDATE, DELETE and TRUNCATE are refused by the database', async () => {
  const before0 = await sql(`SELECT count(*) || ':' || md5(string_agg(l::text, '|' ORDER BY l.id)) FROM moderation_log l`);
  const id = await sql('SELECT max(id) FROM moderation_log');
  assert.ok(Number(id) > 0);
  assert.throws(() => psql(`BEGIN; UPDATE moderation_log SET reason = 'rewritten' WHERE id = ${id}; ROLLBACK;`),
    /the moderation log is append-only: UPDATE is refused/);
  assert.throws(() => psql(`BEGIN; DELETE FROM moderation_log WHERE id = ${id}; ROLLBACK;`),
    /the moderation log is append-only: DELETE is refused/);
  // CASCADE reaches past the notifications that name entries, so it is the trigger that refuses.
  assert.throws(() => psql('BEGIN; TRUNCATE moderation_log CASCADE; ROLLBACK;'),
    /the moderation log is append-only: TRUNCATE is refused/);
  assert.equal(await sql(`SELECT count(*) || ':' || md5(string_agg(l::text, '|' ORDER BY l.id)) FROM moderation_log l`), before0);
  // Nor does the code have a way: no UPDATE or DELETE of the log in any C file.
  const { readdirSync, readFileSync } = await import('node:fs');
  for (const f of readdirSync('server')) {
    const src = readFileSync(`server/${f}`, 'utf8');
    assert.doesNotMatch(src, /(UPDATE|DELETE FROM|TRUNCATE)\s+moderation_log/i, `server/${f}`);
  }
});
