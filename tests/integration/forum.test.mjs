// Cohort discussion (issue 5; DESIGN §5 who sees what, §7 web security), over real HTTP
// against the test server, every effect checked in the database: starting a thread
// (preview first), replying, quote-replying, post addresses; editing (revisions for the
// author and the space's moderators only), deleting (a placeholder stays), "helpful",
// following, pinning, announcements, attaching a thread to an agenda session; thread lists
// (pinned first, keyset pagination), long threads, unread counts, "jump to first unread",
// "mark all read"; bad inputs, each with a clear error and no row changed; Markdown safety
// in the post, its preview, its search snippet and its notification; mentions and
// notifications (badge, outbox); search across two cohorts; the learner's home; access for
// people without (or with a cancelled) enrollment; CSRF.
//
// Demo people (test sign-in door, no Argon2id): priya and amara are in both
// core-practice-2026-05 (CP) and foundations-2026-01 (F26); sam, lee and tomas in CP only;
// okafor facilitates and rivera directs CP (rivera, as a director of the series, also
// moderates every cohort space of the series). People the tests make themselves (random
// handles) are enrolled by SQL. Lists and long threads are made by SQL in the Foundations
// 2025-10 spaces, which the demo leaves empty.
//
// Open server bugs are asserted in tests marked { todo: 'server bug: ...' }, so the rest
// of the file still runs:
//   - notify.c notifications_list (and notify_unread_count) ignore threads.hidden and
//     posts.hidden: a hidden thread's title and excerpt stay on a learner's notifications
//     page and home page, and in the badge, although the thread itself answers 404;
//   - forum.c new_thread_post treats only " " and "\t" as blank: a title of no-break spaces
//     (U+00A0), ideographic spaces or a zero-width space makes a thread whose link has no
//     text (axe link-name on the space page).
// Two more found by this file were fixed meanwhile (c68e7c6) and are plain tests now:
// impossible search dates (2026-13-45) were a 500, and the badge counted notifications of
// spaces one can no longer read.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { get, post, closeConnections, textOf, BASE_URL } from './lib.mjs';
import { setClock, withClock, closeSql, inputValue } from './accounts-lib.mjs';
import {
  sql, uniq, mainText, alertText, testSession, jarOf, csrfFor, person, makePerson,
  cancelEnrollment, spaceOf, seriesSpace, postThread, startThread, postReply, reply, act,
  postId, insertThreads, forumState, assertUnchanged, postsOn, previewOf, textareaOf,
  headerBadge, spaceBadges, threadList, searchResults, notificationsOn, assertInert, tagsOf,
} from './forum-lib.mjs';

const CP = 'core-practice-2026-05';
const F26 = 'foundations-2026-01';
const F25 = 'foundations-2025-10';
const UP = 'core-practice-upcoming';
const CSRF_WORDS = 'did not come from Cairn, so nothing was changed';
const TOO_LARGE = 'What you sent is larger than Cairn accepts. Nothing was saved.';

const S = {};   // space ids
const P = {};   // people: person() + jar
let agendaThread = null;   // the thread attached to "Delivering Serious News" (agenda test)

before(async () => {
  S.cohort = await spaceOf(CP);
  S.ann = await spaceOf(CP, 'announcements');
  S.f26 = await spaceOf(F26);
  S.f25 = await spaceOf(F25);
  S.f25ann = await spaceOf(F25, 'announcements');
  S.series = await seriesSpace();
  for (const h of ['priya', 'sam', 'lee', 'amara', 'tomas', 'okafor', 'rivera', 'admin']) {
    P[h] = { ...await person(h), jar: await jarOf(h) };
  }
  // Someone signed in with no enrollment at all, and someone enrolled only in an older
  // Foundations run (reads the series space, not the CP or F26 cohorts).
  P.outsider = await makePerson({ tag: 'out' });
  P.elsewhere = await makePerson({ tag: 'else', enrolled: [F25] });
});

after(async () => {
  await setClock(0).catch(() => {});
  closeSql();
  closeConnections();
});

/** The error page's sentence (http_error) or a form's alert, whichever the page has. */
function errorText(html) {
  const lead = /<p class="lead">([\s\S]*?)<\/p>/.exec(html);
  return lead ? textOf(lead[1]) : alertText(html);
}

async function page(path, jar, status = 200) {
  const r = await get(path, { jar });
  if (status !== null) assert.equal(r.status, status, `GET ${path}: ${r.status} ${r.headers.location || errorText(r.body)}`);
  return r;
}

async function badgeOf(jar) {
  return headerBadge((await page('/spaces', jar)).body);
}

const countOf = async (q, params) => Number(await sql(q, params));
const esc = (x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// series_zone_name's wording has changed once ("Eastern Time (US)" → "US Eastern Time");
// either reads fine, what matters is which zone and which times.
const EASTERN = '(?:US Eastern Time|Eastern Time \\(US\\))';
const MOUNTAIN = '(?:US Mountain Time|Mountain Time \\(US\\))';

// ---------------------------------------------------------------------------------------
test('start a thread (preview first), reply, quote-reply, every post has its address', async () => {
  const { priya, sam, lee } = P;
  const form = await page(`/s/${S.cohort}/new`, priya.jar);
  assert.match(form.body, /<input id="title" name="title" required maxlength="200"/);
  assert.match(form.body, /<button type="submit" name="action" value="preview"/, 'a Preview button (no JavaScript needed)');

  const title = `Opening a family meeting ${uniq()}`;
  const body = 'How do you **open** a family meeting?\n\n- ask\n- tell\n- ask again';
  const before0 = await forumState();
  const pv = await postThread(priya.jar, S.cohort, { title, body, action: 'preview' });
  assert.equal(pv.status, 200, `preview: ${pv.status} ${errorText(pv.body)}`);
  const preview = previewOf(pv.body);
  assert.ok(preview, 'the page shows a preview');
  assert.ok(preview.includes('<strong>open</strong>') && preview.includes('<li>tell</li>'),
    `the preview is the rendered Markdown: ${preview}`);
  assert.equal(inputValue(pv.body, 'title'), title, 'the title is kept');
  assert.equal(textareaOf(pv.body), body, 'the body is kept');
  await assertUnchanged(before0, 'a preview');

  const t = await startThread(priya.jar, S.cohort, title, body);
  assert.equal(await sql(`SELECT space_id, author_id, title, last_number, last_poster_id, pinned
                          FROM threads WHERE id = $1`, [t]),
  `${S.cohort}|${priya.id}|${title}|1|${priya.id}|f`);
  const [n1, author1] = (await sql('SELECT number, author_id FROM posts WHERE thread_id = $1', [t])).split('|');
  assert.deepEqual([n1, author1], ['1', priya.id], 'one post, number 1, by priya');
  assert.equal(await sql('SELECT body_src FROM posts WHERE thread_id = $1', [t]), body, 'the source is stored as written');
  const html1 = await sql('SELECT body_html FROM posts WHERE thread_id = $1', [t]);
  assert.equal(await countOf('SELECT count(*) FROM follows WHERE thread_id = $1 AND user_id = $2', [t, priya.id]), 1,
    'the author follows her own thread');

  const view = await page(`/t/${t}`, sam.jar);
  assert.match(view.body, new RegExp(`<h1>${title}</h1>`));
  const stored = await sql('SELECT body_html FROM posts WHERE thread_id = $1 AND number = 1', [t]);
  assert.equal(postsOn(view.body).get(1).body.trimEnd(), stored, 'the page shows the HTML stored at write time (psql output is trimmed)');
  assert.ok(html1.length > 0);

  // A reply, then a quote-reply of the opening post.
  assert.equal(await reply(sam.jar, t, 'Sit down, *introduce* everyone.'), 2);
  const q = await page(`/t/${t}?quote=1`, lee.jar);
  const quoted = textareaOf(q.body);
  assert.ok(quoted.startsWith('> @priya wrote:\n>\n> How do you **open** a family meeting?\n>\n> - ask\n'),
    `the reply box starts with the quoted post:\n${quoted}`);
  assert.equal(await reply(lee.jar, t, `${quoted}\nAgreed: ask first.`), 3);
  const after3 = postsOn((await page(`/t/${t}`, sam.jar)).body);
  assert.deepEqual([...after3.keys()], [1, 2, 3]);
  assert.match(after3.get(2).body, /<em>introduce<\/em>/);
  assert.match(after3.get(3).body, /^<blockquote>\n<p>[^]*@priya[^]*wrote:<\/p>[^]*<\/blockquote>\n<p>Agreed: ask first.<\/p>/);
  assert.equal(after3.get(3).quote, true, 'every post offers Quote');

  // A title of exactly 200 characters (not bytes) is fine.
  const t200 = await startThread(priya.jar, S.cohort, 'é'.repeat(200), 'Two hundred.');
  assert.equal(await sql('SELECT length(title) FROM threads WHERE id = $1', [t200]), '200');

  // Post addresses.
  for (const n of [1, 2, 3]) {
    const r = await get(`/t/${t}/p/${n}`, { jar: sam.jar });
    assert.equal(r.status, 303, `/t/${t}/p/${n}`);
    assert.equal(r.headers.location, `/t/${t}?page=1#p${n}`);
  }
  for (const bad of ['4', '0', '-1', 'x', '1x', '99999999999999999999']) {
    const r = await get(`/t/${t}/p/${bad}`, { jar: sam.jar });
    assert.equal(r.status, 404, `/t/${t}/p/${bad} is not a post`);
  }
  // The space's list: two replies, last by lee.
  const list = threadList((await page(`/s/${S.cohort}`, sam.jar)).body).threads;
  const item = list.find((x) => x.id === t);
  assert.ok(item, 'the thread is on the space page');
  assert.deepEqual([item.title, item.replies, item.lastBy], [title, 2, lee.name]);
});

// ---------------------------------------------------------------------------------------
test('edit your own post: the revision is kept, "edited" shown, revisions for author and moderators', async () => {
  const { priya, sam, lee, tomas, okafor, rivera, admin, outsider } = P;
  const t = await startThread(priya.jar, S.cohort, `Edit me ${uniq()}`, 'First version.');
  const pid = await postId(t, 1);

  const form = await page(`/posts/${pid}/edit`, priya.jar);
  assert.equal(textareaOf(form.body), 'First version.');

  let before0 = await forumState();
  const pv = await act(priya.jar, `/posts/${pid}/edit`, { body: 'Second *version*.', action: 'preview' });
  assert.equal(pv.status, 200);
  assert.equal(previewOf(pv.body), '<p>Second <em>version</em>.</p>\n');
  assert.equal(textareaOf(pv.body), 'Second *version*.');
  await assertUnchanged(before0, 'an edit preview');

  // Only the author: not another learner, not even a moderator.
  for (const who of [sam, okafor]) {
    assert.equal((await get(`/posts/${pid}/edit`, { jar: who.jar })).status, 403, `${who.handle} GET edit`);
    const r = await act(who.jar, `/posts/${pid}/edit`, { body: 'Not yours.', action: 'save' });
    assert.equal(r.status, 403, `${who.handle} POST edit`);
    assert.equal(errorText(r.body), 'Only the author can change a post. Nothing was changed.');
  }
  await assertUnchanged(before0, 'edits by others');

  const r = await act(priya.jar, `/posts/${pid}/edit`, { body: 'Second *version*.', action: 'save' });
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, `/t/${t}/p/1`);
  assert.equal(await sql('SELECT body_src FROM post_revisions WHERE post_id = $1', [pid]), 'First version.',
    'the earlier version is kept');
  assert.equal(await sql('SELECT body_src || \'|\' || body_html || \'|\' || (edited_at IS NOT NULL) FROM posts WHERE id = $1', [pid]),
    'Second *version*.|<p>Second <em>version</em>.</p>\n|true');

  // Saving the same text again adds no revision.
  before0 = await forumState();
  assert.equal((await act(priya.jar, `/posts/${pid}/edit`, { body: 'Second *version*.', action: 'save' })).status, 303);
  await assertUnchanged(before0, 'an edit that changes nothing');

  // "edited" for everyone; the link to earlier versions for the author and moderators only.
  for (const [who, link] of [[priya, true], [okafor, true], [rivera, true], [sam, false], [tomas, false]]) {
    const p1 = postsOn((await page(`/t/${t}`, who.jar)).body).get(1);
    assert.equal(p1.edited, true, `${who.handle} sees "edited"`);
    assert.equal(p1.revisionsLink, link, `${who.handle} ${link ? 'sees' : 'does not see'} the revisions link`);
    assert.equal(p1.edit, who === priya, `only the author has Edit (${who.handle})`);
  }
  for (const who of [priya, okafor, rivera, admin]) {
    const rv = await page(`/posts/${pid}/revisions`, who.jar);
    assert.equal(rv.headers['cache-control'], 'no-store');
    const text = mainText(rv.body);
    assert.ok(text.includes('First version.') && text.includes('Second *version*.'),
      `${who.handle} sees both versions: ${text}`);
  }
  for (const who of [sam, lee, tomas, outsider]) {
    assert.equal((await get(`/posts/${pid}/revisions`, { jar: who.jar })).status, 404,
      `${who.handle} gets 404 for the revisions`);
  }
});

// ---------------------------------------------------------------------------------------
test('delete your own post: a placeholder stays, replies keep their numbers, the text is gone', async () => {
  const { priya, sam, lee, okafor } = P;
  const word = `zq${uniq()}`;
  const t = await startThread(priya.jar, S.cohort, `Delete ${uniq()}`, 'Opening.');
  assert.equal(await reply(sam.jar, t, `Something I regret: ${word}.`), 2);
  assert.equal(await reply(lee.jar, t, 'A reply after it.'), 3);
  const pid2 = await postId(t, 2);
  const pid3 = await postId(t, 3);
  assert.equal(await sql('SELECT count || \':\' || first_number FROM notifications WHERE user_id = $1 AND thread_id = $2',
    [priya.id, t]), '2:2', 'priya was told of both replies, in one notification');
  assert.equal(searchResults((await page(`/search?q=${word}`, sam.jar)).body).length, 1, 'searchable before');

  // Not someone else's, not a moderator's.
  let before0 = await forumState();
  for (const who of [priya, okafor]) {
    const r = await act(who.jar, `/posts/${pid3}/delete`);
    assert.equal(r.status, 403, `${who.handle} deletes lee's post`);
  }
  await assertUnchanged(before0, 'deleting someone else\'s post');

  const r = await act(sam.jar, `/posts/${pid2}/delete`, { confirmed: 'yes' });
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, `/t/${t}?page=1&done=deleted#p2`);
  assert.equal(await sql(`SELECT deleted_at IS NOT NULL, body_src, body_html, body_text, search::text
                          FROM posts WHERE id = $1`, [pid2]), 't||||');
  assert.equal(await sql('SELECT body_src FROM post_revisions WHERE post_id = $1', [pid2]),
    `Something I regret: ${word}.`, 'the text is kept as a revision (for moderators)');
  assert.equal(await countOf("SELECT count(*) FROM notifications WHERE post_id = $1 OR excerpt LIKE '%' || $2 || '%'", [pid2, word]), 0,
    'its text is in no notification (notify.test.mjs deletes the post a notification shows)');

  const posts = postsOn((await page(`/t/${t}`, lee.jar)).body);
  assert.deepEqual([...posts.keys()], [1, 2, 3], 'replies keep their numbers');
  assert.equal(posts.get(2).deleted, true, 'the placeholder says the post was deleted');
  assert.equal(posts.get(2).body, null, 'and shows no text');
  assert.ok(!posts.get(2).li.includes(word));
  assert.equal(posts.get(2).quote, false, 'a deleted post cannot be quoted');
  assert.match(posts.get(3).body, /A reply after it/);
  const sams = postsOn((await page(`/t/${t}`, sam.jar)).body).get(2);
  assert.equal(sams.edit, false, 'no Edit or Delete on a deleted post');

  for (const who of [sam, priya]) {
    const res = searchResults((await page(`/search?q=${word}`, who.jar)).body);
    assert.equal(res.length, 0, `${who.handle} no longer finds the deleted post`);
  }
  assert.equal(textareaOf((await page(`/t/${t}?quote=2`, lee.jar)).body), '', 'quoting it quotes nothing');

  before0 = await forumState();
  for (const [path, who, status] of [[`/posts/${pid2}/delete`, sam, 409], [`/posts/${pid2}/edit`, sam, 409],
    [`/posts/${pid2}/helpful`, priya, 409]]) {
    const res = await act(who.jar, path, path.endsWith('edit') ? { body: 'back', action: 'save' } : {});
    assert.equal(res.status, status, `${path} on a deleted post`);
    assert.equal(errorText(res.body), 'This post was deleted.');
  }
  assert.equal((await get(`/posts/${pid2}/edit`, { jar: sam.jar })).status, 409);
  await assertUnchanged(before0, 'actions on a deleted post');
});

// ---------------------------------------------------------------------------------------
// Issue 9 §1: deleting a post happened on one click. The thread links to a confirmation page
// (GET, changes nothing) showing the post and what deleting does; only its form deletes;
// the thread then says what was done.
test('deleting a post asks first: the post, what happens, and only that form deletes', async (t) => {
  const { priya, sam } = P;
  const word = `zq${uniq()}`;
  const th = await startThread(priya.jar, S.cohort, `Ask first ${uniq()}`, 'Opening.');
  assert.equal(await reply(sam.jar, th, `Maybe too much: **${word}**.`), 2);
  const pid = await postId(th, 2);
  const path = `/posts/${pid}/delete`;

  await t.test('the thread has a link, not a one-click form', async () => {
    const li = postsOn((await page(`/t/${th}`, sam.jar)).body).get(2).li;
    assert.doesNotMatch(li, /<form method="post" action="\/posts\/\d+\/delete"/);
    assert.match(li, new RegExp(`<a class="button secondary" href="${path}">Delete<span class="visually-hidden"> post 2</span>…</a>`));
  });

  await t.test('the confirmation page shows the post and changes nothing', async () => {
    const before0 = await forumState();
    const r = await get(path, { jar: sam.jar });
    assert.equal(r.status, 200);
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.match(r.body, new RegExp(`<strong>${word}</strong>`), 'the post as it reads now');
    const text = mainText(r.body);
    for (const words of ['Delete your post?', 'Its text leaves the thread and search.',
      'Replies keep their numbers', 'This cannot be undone.']) {
      assert.ok(text.includes(words), `"${words}" in: ${text}`);
    }
    assert.match(r.body, new RegExp(`<form method="post" action="${path}" class="stack">\\s*<input type="hidden" name="csrf" value="[^"]+">\\s*<input type="hidden" name="confirmed" value="yes">`));
    assert.equal((await get(path, { jar: priya.jar })).status, 403, 'only the author');
    await assertUnchanged(before0, 'looking at the confirmation page');
  });

  await t.test('a POST without the confirmation is shown the page; nothing changes', async () => {
    const before0 = await forumState();
    const r = await act(sam.jar, path);
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, path);
    await assertUnchanged(before0, 'a one-click delete');
    assert.equal(await sql('SELECT deleted_at IS NULL FROM posts WHERE id = $1', [pid]), 't');
  });

  await t.test('its form deletes; the thread says so', async () => {
    const form = await get(path, { jar: sam.jar });
    const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)[1];
    const r = await post(path, { csrf, confirmed: 'yes' }, { jar: sam.jar });
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, `/t/${th}?page=1&done=deleted#p2`);
    assert.equal(await sql('SELECT deleted_at IS NOT NULL FROM posts WHERE id = $1', [pid]), 't');
    const after = await page(r.headers.location.split('#')[0], sam.jar);
    assert.equal(textOf(/<p class="callout" role="status">([\s\S]*?)<\/p>/.exec(after.body)?.[1] ?? ''),
      'Your post was deleted. A placeholder stays in its place, so replies keep their numbers.');
    assert.equal((await get(path, { jar: sam.jar })).status, 409, 'a deleted post is not offered again');
  });
});

// ---------------------------------------------------------------------------------------
test('helpful: a toggle with counts and names; never on your own post', async () => {
  const { priya, sam, lee, outsider } = P;
  const t = await startThread(priya.jar, S.cohort, `Helpful ${uniq()}`, 'A useful tip.');
  const pid = await postId(t, 1);
  const onPage = async (who) => postsOn((await page(`/t/${t}`, who.jar)).body).get(1);

  assert.equal((await onPage(priya)).helpfulButton, null, 'no Helpful button on your own post');
  assert.equal((await onPage(sam)).helpfulButton, 'false');

  let r = await act(sam.jar, `/posts/${pid}/helpful`);
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, `/t/${t}/p/1`);
  assert.deepEqual((await onPage(priya)).helpful, { count: 1, names: sam.name });
  assert.equal((await onPage(sam)).helpfulButton, 'true', 'aria-pressed shows it is mine');

  assert.equal((await act(lee.jar, `/posts/${pid}/helpful`)).status, 303);
  const two = (await onPage(priya)).helpful;
  assert.equal(two.count, 2);
  assert.deepEqual(two.names.split(', ').sort(), [sam.name, lee.name].sort());
  assert.equal(await countOf('SELECT count(*) FROM reactions WHERE post_id = $1', [pid]), 2);

  // The same button takes it back.
  assert.equal((await act(sam.jar, `/posts/${pid}/helpful`)).status, 303);
  assert.deepEqual((await onPage(priya)).helpful, { count: 1, names: lee.name });
  assert.equal((await onPage(sam)).helpfulButton, 'false');

  const before0 = await forumState();
  r = await act(priya.jar, `/posts/${pid}/helpful`);
  assert.equal(r.status, 409);
  assert.equal(errorText(r.body), 'You cannot mark your own post as helpful.');
  assert.equal((await act(outsider.jar, `/posts/${pid}/helpful`)).status, 404);
  await assertUnchanged(before0, 'helpful on one\'s own post / by an outsider');
});

// ---------------------------------------------------------------------------------------
test('follow and unfollow; pin by a moderator only', async () => {
  const { priya, sam, lee, okafor, rivera } = P;
  const t = await startThread(sam.jar, S.cohort, `Follow and pin ${uniq()}`, 'Opening.');
  const followButton = async (who) =>
    />(Stop following|Follow this thread)<\/button>/.exec((await page(`/t/${t}`, who.jar)).body)[1];

  assert.equal(await followButton(lee), 'Follow this thread');
  assert.equal((await act(lee.jar, `/t/${t}/follow`)).status, 303);
  assert.equal(await countOf('SELECT count(*) FROM follows WHERE thread_id = $1 AND user_id = $2', [t, lee.id]), 1);
  assert.equal(await followButton(lee), 'Stop following');
  const r = await act(lee.jar, `/t/${t}/follow`);
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, `/t/${t}`);
  assert.equal(await countOf('SELECT count(*) FROM follows WHERE thread_id = $1 AND user_id = $2', [t, lee.id]), 0);
  assert.equal(await followButton(lee), 'Follow this thread');

  // Pin: learners have no button and get 403.
  assert.doesNotMatch((await page(`/t/${t}`, priya.jar)).body, new RegExp(`action="/t/${t}/pin"`));
  const before0 = await forumState();
  for (const who of [priya, sam]) {
    const res = await act(who.jar, `/t/${t}/pin`);
    assert.equal(res.status, 403, `${who.handle} pins`);
    assert.equal(errorText(res.body), 'Only the space\'s moderators pin threads. Nothing was changed.');
  }
  await assertUnchanged(before0, 'a learner pinning');

  assert.match((await page(`/t/${t}`, okafor.jar)).body, new RegExp(`action="/t/${t}/pin"`));
  assert.equal((await act(okafor.jar, `/t/${t}/pin`)).status, 303);
  assert.equal(await sql('SELECT pinned FROM threads WHERE id = $1', [t]), 't');
  const list = threadList((await page(`/s/${S.cohort}`, priya.jar)).body).threads;
  assert.equal(list[0].id, t, 'a pinned thread comes first');
  assert.equal(list[0].pinned, true, 'and says so');
  assert.match((await page(`/t/${t}`, priya.jar)).body, /<span class="tag">Pinned<\/span>/);
  // A director unpins (the same toggle).
  assert.equal((await act(rivera.jar, `/t/${t}/pin`)).status, 303);
  assert.equal(await sql('SELECT pinned FROM threads WHERE id = $1', [t]), 'f');
});

// ---------------------------------------------------------------------------------------
test('a locked thread: learners can neither reply nor edit; moderators still reply', async () => {
  const { priya, sam, okafor } = P;
  const t = await startThread(sam.jar, S.cohort, `Locked ${uniq()}`, 'Opening.');
  const pid = await postId(t, 1);
  await sql('UPDATE threads SET locked = true WHERE id = $1', [t]);   // no lock route yet
  const view = await page(`/t/${t}`, priya.jar);
  assert.match(view.body, /<p class="muted">This thread is locked.<\/p>/);
  assert.doesNotMatch(view.body, /action="\/t\/\d+\/reply"/, 'no reply form');
  const before0 = await forumState();
  let r = await postReply(priya.jar, t, { body: 'Let me in.' });
  assert.equal(r.status, 403);
  assert.equal(errorText(r.body), 'This thread is locked: nobody can reply. Nothing was posted.');
  r = await act(sam.jar, `/posts/${pid}/edit`, { body: 'Changed.', action: 'save' });
  assert.equal(r.status, 403, 'the author cannot edit in a locked thread');
  r = await act(sam.jar, `/posts/${pid}/delete`);
  assert.equal(r.status, 403, 'nor delete');
  await assertUnchanged(before0, 'writes to a locked thread');
  assert.equal(await reply(okafor.jar, t, 'A moderator may still answer.'), 2);
});

// ---------------------------------------------------------------------------------------
test('announcements: only staff start threads (403 for learners); everyone replies', async () => {
  const { sam, okafor, rivera } = P;
  const space = await page(`/s/${S.ann}`, sam.jar);
  assert.doesNotMatch(space.body, /Start a thread/, 'no Start button for a learner');
  const form = await get(`/s/${S.ann}/new`, { jar: sam.jar });
  assert.equal(form.status, 403);
  assert.match(errorText(form.body), /Only facilitators and directors start threads here/);
  const before0 = await forumState();
  const r = await postThread(sam.jar, S.ann, { title: 'Learner news', body: 'Hello all' });
  assert.equal(r.status, 403);
  assert.match(errorText(r.body), /Nothing was posted/);
  await assertUnchanged(before0, 'a learner starting an announcement');

  assert.match((await page(`/s/${S.ann}`, okafor.jar)).body, /Start a thread/);
  const t = await startThread(okafor.jar, S.ann, `Room change ${uniq()}`, 'Day 2 moves to room B.');
  assert.equal(await reply(sam.jar, t, 'Thanks!'), 2, 'a learner replies');
  await startThread(rivera.jar, S.ann, `From the director ${uniq()}`, 'Welcome.');
});

// ---------------------------------------------------------------------------------------
test('agenda: a moderator attaches a thread to a session; the thread and the agenda show it', async (t) => {
  const { sam, okafor, admin } = P;
  const item = await sql(`SELECT a.id FROM agenda_items a JOIN offerings o ON o.id = a.offering_id
                          WHERE o.slug = $1 AND a.title = 'Delivering Serious News'`, [CP]);
  const foreign = await sql(`SELECT a.id FROM agenda_items a JOIN offerings o ON o.id = a.offering_id
                             WHERE o.slug = $1 ORDER BY a.id LIMIT 1`, [UP]);
  assert.ok(item && foreign);
  // Only this test attaches threads to the session; start from none (a re-run on the same
  // database would otherwise find the previous run's thread first).
  await sql('UPDATE threads SET agenda_item_id = NULL WHERE agenda_item_id = $1', [item]);
  const th = await startThread(sam.jar, S.cohort, `After Delivering Serious News ${uniq()}`,
    'What stayed with you from the role play?');

  assert.doesNotMatch((await page(`/t/${th}`, sam.jar)).body, /name="agenda_item"/, 'learners have no session picker');
  const mod = (await page(`/t/${th}`, okafor.jar)).body;
  // okafor lives in Chicago: the course's times name their zone (issue 9, item 7).
  assert.match(mod, new RegExp(`<option value="${item}">Day 2: Delivering Serious News \\(10:15 am EDT\\)</option>`),
    'the moderator picks among the offering\'s sessions (no breaks or lunches)');
  assert.doesNotMatch(mod, /<option value="\d+">Day \d: (Break|Lunch) /);

  const before0 = await forumState();
  let r = await act(sam.jar, `/t/${th}/agenda`, { agenda_item: item });
  assert.equal(r.status, 403, 'a learner cannot attach');
  r = await act(okafor.jar, `/t/${th}/agenda`, { agenda_item: 'abc' });
  assert.equal(r.status, 400);
  assert.equal(errorText(r.body), 'Choose a session from the list.');
  for (const bad of [foreign, '999999999']) {
    r = await act(okafor.jar, `/t/${th}/agenda`, { agenda_item: bad });
    assert.equal(r.status, 422, `session ${bad} of another offering / none`);
    assert.equal(errorText(r.body), 'That session is not on this offering\'s agenda. Nothing was changed.');
  }
  await assertUnchanged(before0, 'refused attachments');
  const seriesThread = await startThread(admin.jar, S.series, `Series-wide ${uniq()}`, 'For everyone.');
  const before1 = await forumState();
  r = await act(admin.jar, `/t/${seriesThread}/agenda`, { agenda_item: item });
  assert.equal(r.status, 403, 'a series-space thread belongs to no offering\'s agenda');
  await assertUnchanged(before1, 'attaching a series-space thread');

  r = await act(okafor.jar, `/t/${th}/agenda`, { agenda_item: item });
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, `/t/${th}`);
  assert.equal(await sql('SELECT agenda_item_id FROM threads WHERE id = $1', [th]), item);
  const shown = (await page(`/t/${th}`, sam.jar)).body;
  // sam lives in Denver: the session in his zone, beside post times in it, and the
  // course's time naming its zone (issue 9, item 7).
  assert.match(shown, new RegExp(`<p class="session-link">Session: <a href="/offerings/${CP}#day-2">Day 2 · Delivering Serious News</a>, ` +
    '<time datetime="2026-05-14T08:15:00-06:00">Thursday, May 14, 8:15 am</time> ' +
    '\\(<time datetime="2026-05-14T10:15:00-04:00">10:15 am EDT</time>, the course\'s time\\)</p>'),
    'the thread shows its session');

  // The offering's agenda links back to the discussion (issue 5, item 7).
  const agendaLink = async () => {
    const off = await page(`/offerings/${CP}`, undefined);
    const li = [...off.body.matchAll(/<li class="agenda-item[^"]*">([\s\S]*?)<\/li>\n\s*(?=<li class="agenda-item|<\/ol>)/g)]
      .map((m) => m[1]).find((x) => />Delivering Serious News(<| )/.test(x) && !x.includes('-- Practice'));
    assert.ok(li, 'the agenda lists Delivering Serious News');
    return /<a href="\/t\/(\d+)">Discuss: Delivering Serious News<\/a>/.exec(li)?.[1] ?? null;
  };
  assert.equal(await agendaLink(), th, 'the agenda item links to the thread ("Discuss: ...")');

  // Detach, then attach again (the home test uses it).
  assert.equal((await act(okafor.jar, `/t/${th}/agenda`, { agenda_item: '' })).status, 303);
  assert.equal(await sql('SELECT agenda_item_id IS NULL FROM threads WHERE id = $1', [th]), 't');
  assert.doesNotMatch((await page(`/t/${th}`, sam.jar)).body, /class="session-link"/);
  assert.equal(await agendaLink(), null, 'a detached thread is no longer on the agenda');
  assert.equal((await act(okafor.jar, `/t/${th}/agenda`, { agenda_item: item })).status, 303);
  agendaThread = th;
  await t.test('a hidden thread is not linked from the public agenda', async () => {
    const hiddenOne = await startThread(sam.jar, S.cohort, `Hidden one ${uniq()}`, 'x');
    await sql('UPDATE threads SET hidden = true, agenda_item_id = $2 WHERE id = $1', [hiddenOne, item]);
    assert.equal(await agendaLink(), th);
  });
});

// ---------------------------------------------------------------------------------------
test('thread lists: pinned first, then last activity; keyset pages without gaps or duplicates', async () => {
  // 70 threads in the Foundations 2025-10 announcements space, made by SQL: two pinned (the
  // oldest activity), one hidden (the newest), groups of four sharing a timestamp (the id
  // breaks the tie), and two a microsecond apart.
  const reader = await makePerson({ tag: 'lst', enrolled: [F25] });
  const T0 = 1767000000;
  const specs = [];
  for (let i = 0; i < 65; i++) specs.push({ title: `List ${i} ${uniq()}`, at: T0 + Math.floor(i / 4) * 60 });
  specs.push({ title: `Micro a ${uniq()}`, at: T0 + 7200.123456 });
  specs.push({ title: `Micro b ${uniq()}`, at: T0 + 7200.123457 });
  specs.push({ title: `Pinned a ${uniq()}`, at: T0 - 5000, pinned: true });
  specs.push({ title: `Pinned b ${uniq()}`, at: T0 - 4000, pinned: true });
  specs.push({ title: `Hidden ${uniq()}`, at: T0 + 99999, hidden: true });
  const ids = await insertThreads(S.f25ann, P.rivera.id, specs);
  const hiddenId = ids[ids.length - 1];

  const expected = (await sql(`SELECT id FROM threads WHERE space_id = $1 AND NOT hidden
                               ORDER BY pinned DESC, last_post_at DESC, id DESC`, [S.f25ann])).split('\n');
  const seen = [];
  let path = `/s/${S.f25ann}`;
  let pages = 0;
  while (path) {
    const r = await page(path, reader.jar);
    const { threads, next } = threadList(r.body);
    pages++;
    if (pages > 1) {
      assert.ok(threads.every((x) => !x.pinned), 'pinned threads are only on the first page');
      assert.doesNotMatch(r.body, /No threads yet/);
    }
    assert.ok(threads.length <= 30 + (pages === 1 ? 20 : 0), `page ${pages} holds at most 30 (+ pinned)`);
    seen.push(...threads.map((x) => x.id));
    path = next ? `/s/${S.f25ann}?after=${next}` : null;
    assert.ok(pages < 100, 'the Older threads links end');
  }
  assert.equal(new Set(seen).size, seen.length, 'no thread twice');
  assert.deepEqual(seen, expected, 'every thread once, pinned first, then newest activity first');
  assert.ok(pages >= 3, `${pages} pages`);
  assert.ok(seen.indexOf(ids[68]) < seen.indexOf(ids[67]) && seen.indexOf(ids[67]) < seen.indexOf(ids[66]),
    'the pinned threads first (newest first), then the rest');
  assert.ok(!seen.includes(hiddenId), 'a hidden thread is not listed for a learner');
  assert.equal((await get(`/t/${hiddenId}`, { jar: reader.jar })).status, 404, 'nor can a learner open it');

  // A moderator (rivera directs the series) sees the hidden thread, marked.
  const mod = threadList((await page(`/s/${S.f25ann}`, P.rivera.jar)).body).threads;
  const hiddenItem = mod.find((x) => x.id === hiddenId);
  assert.ok(hiddenItem, 'a moderator sees the hidden thread');
  assert.equal(hiddenItem.hidden, true, 'marked Hidden');
  assert.ok(mod.findIndex((x) => x.id === hiddenId) < mod.findIndex((x) => x.id === ids[66]),
    'in its place by activity');

  // Malformed cursors: 400 with a sentence.
  for (const bad of ['abc', '1', '1.', '1.x', '-5.3', '0.3', '.3', '1.0', '1.-2']) {
    const r = await get(`/s/${S.f25ann}?after=${bad}`, { jar: reader.jar });
    assert.equal(r.status, 400, `after=${bad}`);
    assert.equal(errorText(r.body), 'That page address is not valid.');
  }
});

test('a cursor past every timestamp is an empty page, not a server error', async () => {
  // strtoll saturates a 20-digit cursor at LLONG_MAX µs, still inside PostgreSQL's range.
  for (const huge of ['99999999999999999999.1', '9223372036854775807.9223372036854775807']) {
    const r = await get(`/s/${S.f25ann}?after=${huge}`, { jar: P.rivera.jar });
    assert.ok([200, 400].includes(r.status), `after=${huge}: ${r.status}`);
  }
});

// ---------------------------------------------------------------------------------------
test('long threads: 50 posts a page, /t/:id/p/51 is page 2, the reply box on the last page and a way to it on every page', async () => {
  const reader = await makePerson({ tag: 'lng', enrolled: [F25] });
  const [t] = await insertThreads(S.f25ann, P.rivera.id,
    [{ title: `Long ${uniq()}`, at: 1767000000, posts: 55 }]);

  const p1 = await page(`/t/${t}`, reader.jar);
  assert.deepEqual([...postsOn(p1.body).keys()], Array.from({ length: 50 }, (_, i) => i + 1));
  // The pager says where you are and where each link goes (issue 9, item 9).
  const pager = /<nav class="pager" aria-label="Pages of this thread">([\s\S]*?)<\/nav>/.exec(p1.body);
  assert.ok(pager, 'a pager above the posts, named for assistive technology');
  assert.match(pager[1], /<p class="pager-status">Page 1 of 2<\/p>/);
  assert.match(pager[1], /<span aria-current="page"><span class="visually-hidden">Page <\/span>1<\/span>/);
  assert.match(pager[1], new RegExp(`<a href="/t/${t}\\?page=2"><span class="visually-hidden">Page </span>2</a>`));
  assert.match(pager[1], new RegExp(`<a href="/t/${t}\\?page=2" rel="next">Next page</a>`));
  assert.doesNotMatch(pager[1], /Previous page/, 'no previous page on page 1');
  assert.match(p1.body, /<nav class="pager" aria-label="Pages of this thread, below the posts">/);
  // Page 1 has no reply box, but a clear way to it: a Reply button and a Reply section.
  assert.doesNotMatch(p1.body, new RegExp(`action="/t/${t}/reply"`), 'the reply box is on the last page only');
  assert.match(p1.body, new RegExp(`<a class="button secondary" href="/t/${t}\\?page=2#reply">Reply</a>`));
  assert.match(/<section id="reply"[\s\S]*?<\/section>/.exec(p1.body)?.[0] ?? '',
    new RegExp(`<a href="/t/${t}\\?page=2#reply">Reply on the last page \\(page 2\\)</a>`));
  assert.equal(await sql('SELECT last_number FROM reads WHERE user_id = $1 AND thread_id = $2', [reader.id, t]), '50',
    'reading page 1 records post 50 as read');

  let r = await get(`/t/${t}/unread`, { jar: reader.jar });
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, `/t/${t}?page=2#p51`, 'jump to the first unread');

  const p2 = await page(`/t/${t}?page=2`, reader.jar);
  const posts2 = postsOn(p2.body);
  assert.deepEqual([...posts2.keys()], [51, 52, 53, 54, 55]);
  assert.equal(posts2.get(51).firstUnread, true, '"New since your last visit" before post 51');
  assert.ok([...posts2.values()].every((x) => x.unread), 'posts 51-55 are marked new');
  assert.match(p2.body, new RegExp(`action="/t/${t}/reply"`), 'the reply box on the last page');
  assert.match(p2.body, /<a class="button secondary" href="#reply">Reply<\/a>/);
  assert.match(p2.body, /<p class="pager-status">Page 2 of 2<\/p>/);
  assert.match(p2.body, new RegExp(`<a href="/t/${t}\\?page=1" rel="prev">Previous page</a>`));

  for (const [n, loc] of [[51, `/t/${t}?page=2#p51`], [50, `/t/${t}?page=1#p50`], [1, `/t/${t}?page=1#p1`]]) {
    r = await get(`/t/${t}/p/${n}`, { jar: reader.jar });
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, loc, `post ${n}'s address`);
  }
  for (const bad of ['3', '0', 'x', '-1', '99999999']) {
    r = await get(`/t/${t}?page=${bad}`, { jar: reader.jar });
    assert.equal(r.status, 404, `page=${bad}`);
  }
  assert.equal((await get(`/t/${t}/p/56`, { jar: reader.jar })).status, 404);

  r = await get(`/t/${t}/unread`, { jar: reader.jar });
  assert.equal(r.headers.location, `/t/${t}?page=2#p55`, 'all read: the newest post');
  assert.equal(await reply(reader.jar, t, 'Post 56, on page 2.'), 56);
  const q = await page(`/t/${t}?quote=3`, reader.jar);
  assert.match(q.body, /id="reply"/, 'quoting an early post opens the last page with the reply box');
  assert.ok(textareaOf(q.body).startsWith(`> @${P.rivera.handle} wrote:\n>\n> Post 3`));
});

// ---------------------------------------------------------------------------------------
test('unread counts on spaces and thread lists, jump to first unread, mark all read', async () => {
  const u = await makePerson({ tag: 'ur', enrolled: [F25] });
  const v = await makePerson({ tag: 'uw', enrolled: [F25] });
  const space = S.f25;
  const spacesBadge = async () => spaceBadges((await page('/spaces', u.jar)).body).get(space);
  const list = async () => threadList((await page(`/s/${space}`, u.jar)).body).threads;

  assert.equal((await act(v.jar, `/s/${space}/read`)).status, 303);
  let r = await act(u.jar, `/s/${space}/read`);
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, `/s/${space}`);
  assert.equal(await spacesBadge(), 0, 'nothing unread after "mark all read"');

  const a = await startThread(v.jar, space, `Unread A ${uniq()}`, 'A1');
  const b = await startThread(v.jar, space, `Unread B ${uniq()}`, 'B1');
  await reply(v.jar, a, 'A2');
  await reply(v.jar, a, 'A3');
  assert.equal(await spacesBadge(), 4, 'the space shows 4 unread posts');
  assert.equal(spaceBadges((await page('/home', u.jar)).body).get(space), 4, 'so does the home page');
  assert.equal(spaceBadges((await page('/spaces', v.jar)).body).get(space) ?? 0, 0, 'a writer has read their own posts');
  let items = await list();
  const itemA = items.find((x) => x.id === a);
  const itemB = items.find((x) => x.id === b);
  assert.deepEqual([itemA.unread, itemA.unreadClass, itemA.href], [3, true, `/t/${a}/unread`]);
  assert.deepEqual([itemB.unread, itemB.href], [1, `/t/${b}/unread`]);

  r = await get(`/t/${a}/unread`, { jar: u.jar });
  assert.equal(r.headers.location, `/t/${a}?page=1#p1`, 'never opened: the first post');
  const first = postsOn((await page(`/t/${a}`, u.jar)).body);
  assert.ok([...first.values()].every((x) => x.unread && !x.firstUnread), 'all new, no "since your last visit" on a first visit');
  assert.equal(await spacesBadge(), 1, 'reading A leaves B');
  items = await list();
  assert.deepEqual([items.find((x) => x.id === a).unread, items.find((x) => x.id === a).href], [0, `/t/${a}`]);

  await reply(v.jar, a, 'A4');
  assert.equal(await spacesBadge(), 2);
  r = await get(`/t/${a}/unread`, { jar: u.jar });
  assert.equal(r.headers.location, `/t/${a}?page=1#p4`, 'jump to the first unread post');
  const again = await page(`/t/${a}`, u.jar);
  const posts = postsOn(again.body);
  assert.equal(posts.get(4).firstUnread, true, 'the marker sits before post 4');
  assert.deepEqual([1, 2, 3, 4].map((n) => posts.get(n).unread), [false, false, false, true]);
  assert.match(again.body, new RegExp(`<a class="button secondary" href="/t/${a}/unread">Jump to first unread</a>`));

  await reply(v.jar, b, 'B2');
  await reply(u.jar, b, 'B3 (mine)');
  assert.equal(await spacesBadge(), 0, 'replying reads the thread; my own post is not unread');
  await reply(v.jar, a, 'A5');
  await reply(v.jar, b, 'B4');
  assert.equal(await spacesBadge(), 2);
  r = await act(u.jar, `/s/${space}/read`);
  assert.equal(r.status, 303);
  assert.equal(await spacesBadge(), 0, '"mark all read" clears the space');
  items = await list();
  assert.ok(items.every((x) => x.unread === 0 && !x.unreadClass), 'and every thread');
  assert.equal(await sql(`SELECT string_agg(thread_id || ':' || last_number, ',' ORDER BY thread_id)
                          FROM reads WHERE user_id = $1 AND thread_id IN ($2, $3)`, [u.id, a, b]),
  `${a}:5,${b}:4`);
});

// ---------------------------------------------------------------------------------------
test('bad inputs: a clear error, and nothing changed', async (t) => {
  const { priya, sam, tomas, okafor } = P;
  const th = await startThread(sam.jar, S.cohort, `Bad inputs ${uniq()}`, 'Target.');
  const pid = await postId(th, 1);
  const f26 = await startThread(priya.jar, S.f26, `Foundations only ${uniq()}`, 'Private to Foundations.');
  const f26post = await postId(f26, 1);
  const priyaCsrf = await csrfFor(priya.jar);
  const samCsrf = await csrfFor(sam.jar);
  const rawPost = (path, jar, encoded) => post(path, encoded, { jar });
  const big = 'a'.repeat(1024 * 1024);
  const over64 = 'b'.repeat(64 * 1024 + 1);

  const cases = [
    ['empty title', () => postThread(priya.jar, S.cohort, { title: '', body: 'Fine body.' }), 422, 'Give the thread a title.'],
    ['a title of spaces', () => postThread(priya.jar, S.cohort, { title: ' \t  ', body: 'Fine body.' }), 422, 'Give the thread a title.'],
    ['no title field', () => post(`/s/${S.cohort}/threads`, { csrf: priyaCsrf, body: 'Fine body.', action: 'post' }, { jar: priya.jar }), 422, 'Give the thread a title.'],
    ['a title on two lines', () => postThread(priya.jar, S.cohort, { title: 'one\ntwo', body: 'Fine body.' }), 422, 'Titles are one line of at most 200 characters.'],
    ['a title of 201 characters', () => postThread(priya.jar, S.cohort, { title: 'é'.repeat(201), body: 'Fine body.' }), 422, 'Titles are one line of at most 200 characters.'],
    ['empty body (new thread)', () => postThread(priya.jar, S.cohort, { title: 'Fine title', body: '' }), 422, 'Write something first.'],
    ['a body of white space', () => postThread(priya.jar, S.cohort, { title: 'Fine title', body: ' \r\n\t \n' }), 422, 'Write something first.'],
    ['empty reply', () => postReply(priya.jar, th, { body: '' }), 422, 'Write something first.'],
    ['empty reply preview', () => postReply(priya.jar, th, { body: '', action: 'preview' }), 422, 'Write something first.'],
    ['empty edit', () => act(sam.jar, `/posts/${pid}/edit`, { body: '', action: 'save' }), 422, 'Write something first.'],
    ['a 64 KB + 1 body (thread)', () => postThread(priya.jar, S.cohort, { title: 'Long', body: over64 }), 422, 'Posts can be at most 64 KB long; this one is 65 KB.'],
    ['a 64 KB + 1 reply', () => postReply(priya.jar, th, { body: over64 }), 422, 'Posts can be at most 64 KB long; this one is 65 KB.'],
    ['a 64 KB + 1 edit', () => act(sam.jar, `/posts/${pid}/edit`, { body: over64, action: 'save' }), 422, 'Posts can be at most 64 KB long; this one is 65 KB.'],
    ['a 1 MB body (thread)', () => postThread(priya.jar, S.cohort, { title: 'Huge', body: big }), 413, TOO_LARGE],
    ['a 1 MB reply', () => postReply(priya.jar, th, { body: big }), 413, TOO_LARGE],
    ['a 1 MB edit', () => act(sam.jar, `/posts/${pid}/edit`, { body: big, action: 'save' }), 413, TOO_LARGE],
    ['invalid UTF-8 in a body', () => rawPost(`/s/${S.cohort}/threads`, priya.jar, `csrf=${priyaCsrf}&action=post&title=Fine&body=ok%FF%FEok`), 400],
    ['invalid UTF-8 in a title', () => rawPost(`/s/${S.cohort}/threads`, priya.jar, `csrf=${priyaCsrf}&action=post&title=%C3%28&body=ok`), 400],
    ['an overlong encoding', () => rawPost(`/t/${th}/reply`, priya.jar, `csrf=${priyaCsrf}&action=post&body=%C0%AFetc`), 400],
    ['a UTF-16 surrogate', () => rawPost(`/t/${th}/reply`, priya.jar, `csrf=${priyaCsrf}&action=post&body=%ED%A0%80`), 400],
    ['invalid UTF-8 in a preview', () => rawPost(`/t/${th}/reply`, priya.jar, `csrf=${priyaCsrf}&action=preview&body=%FF`), 400],
    ['invalid UTF-8 in an edit', () => rawPost(`/posts/${pid}/edit`, sam.jar, `csrf=${samCsrf}&action=save&body=ab%80cd`), 400],
    ['a NUL byte in a body', () => rawPost(`/t/${th}/reply`, priya.jar, `csrf=${priyaCsrf}&action=post&body=ab%00cd`), 400],
    ['a reply in a space tomas cannot see', () => postReply(tomas.jar, f26, { body: 'Let me in.' }), 404],
    ['a thread in a space tomas cannot see', () => postThread(tomas.jar, S.f26, { title: 'Let me in', body: 'Please.' }), 404],
    ['an edit of a post tomas cannot see', () => act(tomas.jar, `/posts/${f26post}/edit`, { body: 'x', action: 'save' }), 404],
    ['a delete of a post tomas cannot see', () => act(tomas.jar, `/posts/${f26post}/delete`), 404],
    ['helpful on a post tomas cannot see', () => act(tomas.jar, `/posts/${f26post}/helpful`), 404],
    ['following a thread tomas cannot see', () => act(tomas.jar, `/t/${f26}/follow`), 404],
    ['editing someone else\'s post', () => act(priya.jar, `/posts/${pid}/edit`, { body: 'Mine now.', action: 'save' }), 403, 'Only the author can change a post. Nothing was changed.'],
    ['previewing an edit of someone else\'s post', () => act(priya.jar, `/posts/${pid}/edit`, { body: 'Mine now.', action: 'preview' }), 403],
    ['deleting someone else\'s post', () => act(priya.jar, `/posts/${pid}/delete`), 403, 'Only the author can change a post. Nothing was changed.'],
    ['a stale CSRF token (another session\'s)', async () => {
      const other = await testSession('priya');
      const stale = await csrfFor(other);
      await post('/signout', { csrf: stale }, { jar: other });
      return postReply(priya.jar, th, { body: 'Stale form.', csrf: stale });
    }, 403, CSRF_WORDS],
    ['a forged CSRF token', () => postReply(priya.jar, th, { body: 'Forged.', csrf: randomBytes(32).toString('base64url') }), 403, CSRF_WORDS],
    ['no CSRF token', () => post(`/t/${th}/reply`, { body: 'No token.', action: 'post' }, { jar: priya.jar }), 403, CSRF_WORDS],
    ['a foreign Origin', () => postReply(priya.jar, th, { body: 'Cross-site.' }, { origin: 'http://evil.test' }), 403],
    ['no Origin or Referer', () => postReply(priya.jar, th, { body: 'No origin.' }, { origin: null }), 403],
  ];
  // Unknown (999999999) and malformed ids, for spaces, threads and posts alike.
  const badIds = ['999999999', 'abc', '0', '-1', '1e3', '0x10', '99999999999999999999'];
  for (const bad of badIds) {
    cases.push([`new thread in space ${bad}`, () => postThread(priya.jar, bad, { title: 'x', body: 'y' }), 404]);
    cases.push([`reply to thread ${bad}`, () => postReply(priya.jar, bad, { body: 'y' }), 404]);
    cases.push([`edit post ${bad}`, () => act(priya.jar, `/posts/${bad}/edit`, { body: 'y', action: 'save' }), 404]);
    cases.push([`delete post ${bad}`, () => act(priya.jar, `/posts/${bad}/delete`), 404]);
    cases.push([`helpful on post ${bad}`, () => act(priya.jar, `/posts/${bad}/helpful`), 404]);
    cases.push([`follow thread ${bad}`, () => act(priya.jar, `/t/${bad}/follow`), 404]);
    cases.push([`pin thread ${bad}`, () => act(okafor.jar, `/t/${bad}/pin`), 404]);
  }
  for (const [what, fn, status, words] of cases) {
    await t.test(what, async () => {
      const before0 = await forumState();
      const r = await fn();
      assert.equal(r.status, status, `${what}: ${r.status} ${errorText(r.body)}`);
      const text = errorText(r.body);
      if (words) assert.ok(text.includes(words), `${what}: the page says "${words}", not "${text}"`);
      else assert.ok(text.length > 10, `${what}: the page explains itself ("${text}")`);
      await assertUnchanged(before0, what);
      if (status === 422 && /body|reply|edit/.test(what) && !/title/.test(what)) {
        // The form comes back with what was written, so nothing is lost.
        const kept = textareaOf(r.body);
        assert.ok(kept !== null, `${what}: the form is shown again`);
      }
    });
  }
  // GETs with unknown or malformed ids.
  for (const bad of badIds) {
    for (const path of [`/s/${bad}`, `/s/${bad}/new`, `/t/${bad}`, `/t/${bad}/unread`, `/t/${bad}/p/1`,
      `/posts/${bad}/edit`, `/posts/${bad}/revisions`]) {
      const r = await get(path, { jar: priya.jar });
      assert.equal(r.status, 404, `GET ${path}`);
    }
  }
  for (const bad of ['abc', '0', '-1']) {
    const r = await get(`/notifications?before=${bad}`, { jar: priya.jar });
    assert.equal(r.status, 400, `/notifications?before=${bad}`);
    assert.equal(errorText(r.body), 'That page address is not valid.');
  }
  // The 422 form keeps the long text, so nothing typed is lost.
  const keep = await postReply(priya.jar, th, { body: over64 });
  assert.equal(textareaOf(keep.body), over64, 'a refused body comes back in the form');
});

// ---------------------------------------------------------------------------------------
test('Markdown safety: inert in the post, its preview, its search snippet and its notification', async (t) => {
  const { priya, sam, admin } = P;
  const PAYLOADS = [
    ['<script>', '<script>alert(1)</script>'],
    ['<img onerror>', '<img src=x onerror=alert(1)>'],
    ['javascript: link', '[x](javascript:alert(1))'],
    ['data: link', '[x](data:text/html;base64,PHNjcmlwdD4=)'],
    ['data: image', '![x](data:image/png;base64,AAAA)'],
    ['a link title breaking out of its attribute', '[x](http://a.test "t\\" onmouseover=\\"alert(1)")'],
    ['HTML entities', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['a javascript: autolink', '<javascript:alert(1)>'],
    ['a mixed-case scheme', '[x](JaVaScRiPt:alert(1))'],
    ['an entity-encoded scheme', '[x](&#106;avascript&#58;alert(1))'],
    ['a reference link', '[x][r]\n\n[r]: javascript:alert(1)'],
    ['a protocol-relative link', '[x](//evil.test/a)'],
    ['an image in a link', '[![x](javascript:alert(1))](http://a.test)'],
    ['an HTML block', '<div onmouseover="alert(1)">hover</div>'],
    ['inline SVG', 'a <svg onload=alert(1)> b'],
    ['an iframe', '<iframe src="javascript:alert(1)"></iframe>'],
    ['forged highlight markers', '\uE000forged\uE001 text'],
  ];
  const title = `Safety <img src=x onerror=alert(1)> ${uniq()}`;
  const th = await startThread(sam.jar, S.cohort, title, 'Post anything nasty below.');
  const samEmail = sam.email;
  const outboxBefore = await countOf("SELECT count(*) FROM outbox WHERE to_email = $1 AND kind = 'notification-reply'", [samEmail]);
  const words = [];
  const numbers = [];
  const samNotes = [];   // sam's notification of each reply, read before the next (one each)
  for (const [what, payload] of PAYLOADS) {
    const word = `zq${uniq()}`;
    words.push(word);
    const body = `${payload}\n\n${word}`;
    const before0 = await forumState();
    const pv = await postReply(priya.jar, th, { body, action: 'preview' });
    assert.equal(pv.status, 200, `${what}: preview ${pv.status}`);
    assertInert(previewOf(pv.body), `${what} (reply preview)`, { textMayHold: true });
    await assertUnchanged(before0, `${what}: a preview`);
    numbers.push(await reply(priya.jar, th, body));
    // sam reads his notification of it, then the thread: the next reply is a new one.
    samNotes.push(notificationsOn((await page('/notifications', sam.jar)).body).find((x) => x.thread === th && x.unread));
    await page(`/t/${th}`, sam.jar);
  }
  // A new-thread preview and an edit preview of all of them at once.
  const all = PAYLOADS.map(([, p]) => p).join('\n\n');
  const npv = await postThread(priya.jar, S.cohort, { title: 'Preview', body: all, action: 'preview' });
  assert.equal(npv.status, 200);
  assertInert(previewOf(npv.body), 'all payloads (new-thread preview)', { textMayHold: true });
  const epv = await act(priya.jar, `/posts/${await postId(th, numbers[0])}/edit`, { body: all, action: 'preview' });
  assert.equal(epv.status, 200);
  assertInert(previewOf(epv.body), 'all payloads (edit preview)', { textMayHold: true });

  const view = await page(`/t/${th}`, sam.jar);
  const posts = postsOn(view.body);
  const h1 = /<h1>([\s\S]*?)<\/h1>/.exec(view.body)[1];
  assertInert(h1, 'the thread title', { allowed: [], textMayHold: true });
  assert.equal(textOf(h1), title, 'the title is shown as text');
  for (let i = 0; i < PAYLOADS.length; i++) {
    const [what] = PAYLOADS[i];
    const p = posts.get(numbers[i]);
    assertInert(p.body, `${what} (post)`, { textMayHold: true });
    assert.equal(p.body.trimEnd(), await sql('SELECT body_html FROM posts WHERE thread_id = $1 AND number = $2', [th, numbers[i]]),
      `${what}: the stored HTML is what is shown`);
    assert.ok(p.body.includes(words[i]), `${what}: the rest of the post is there`);
  }
  // What the safe forms look like.
  const byWhat = (w) => posts.get(numbers[PAYLOADS.findIndex(([x]) => x === w)]).body;
  const link = tagsOf(byWhat('a link title breaking out of its attribute')).find((x) => x.name === 'a');
  assert.deepEqual(Object.fromEntries(link.attrs), { href: 'http://a.test', title: 't&quot; onmouseover=&quot;alert(1)', rel: 'nofollow ugc noopener' },
    'the title stays inside its attribute, its quotes escaped');
  assert.ok(textOf(byWhat('HTML entities')).includes('<script>alert(1)</script>'), 'entities show as text');
  assert.ok(byWhat('javascript: link').startsWith('<p>x</p>'), 'a refused link leaves its text');
  assert.ok(byWhat('data: image').startsWith('<p>x</p>'), 'an image leaves its alt text');

  // Search snippets.
  await t.test('search snippets', async () => {
    for (let i = 0; i < PAYLOADS.length; i++) {
      const res = searchResults((await page(`/search?q=${words[i]}`, sam.jar)).body);
      assert.equal(res.length, 1, `${PAYLOADS[i][0]}: found by its word`);
      assertInert(res[0].snippet, `${PAYLOADS[i][0]} (search snippet)`, { allowed: ['mark'], textMayHold: true });
      assert.ok(res[0].snippet.includes(`<mark>${words[i]}</mark>`), 'the word is highlighted');
      assert.ok(!res[0].snippet.includes('<mark>forged'), 'nobody forges a highlight');
    }
    const titled = searchResults((await page(`/search?q=Safety+onerror`, sam.jar)).body);
    for (const r of titled) assertInert(r.snippet, 'a snippet of the thread title', { allowed: ['mark'], textMayHold: true });
    const res = await page(`/search?q=${words[0]}`, sam.jar);
    assertInert(/<ol class="results">([\s\S]*?)<\/ol>/.exec(res.body)[1], 'the result list (titles)',
      { allowed: ['li', 'p', 'a', 'span', 'mark', 'time'], textMayHold: true });
  });

  // Notifications: sam is told of every reply to his thread.
  await t.test('notifications and their outbox messages', async () => {
    const outboxAfter = await countOf("SELECT count(*) FROM outbox WHERE to_email = $1 AND kind = 'notification-reply'", [samEmail]);
    assert.equal(outboxAfter - outboxBefore, PAYLOADS.length, 'one outbox message per reply read in between');
    for (let i = 0; i < PAYLOADS.length; i++) {
      const n = samNotes[i];
      assert.ok(n && n.number === numbers[i], `${PAYLOADS[i][0]}: a notification`);
      assertInert(n.excerptHtml, `${PAYLOADS[i][0]} (notification excerpt)`, { allowed: [], textMayHold: true });
      assert.equal(n.title, title, 'the thread title is shown as text');
    }
    const notes = /<ol class="notifications">([\s\S]*?)<\/ol>/.exec((await page('/notifications', sam.jar)).body)[1];
    assertInert(notes, 'the notifications list', { allowed: ['li', 'p', 'span', 'strong', 'a', 'time'], textMayHold: true });
    const home = /<ul class="notifications">([\s\S]*?)<\/ul>/.exec((await page('/home', sam.jar)).body);
    assert.ok(home, 'the home page lists recent notifications');
    assertInert(home[1], 'the home page\'s notifications', { allowed: ['li', 'p', 'span', 'strong', 'a', 'time'], textMayHold: true });
    // The outbox as the administrator reads it (the messages' text, decrypted).
    const ob = await page('/admin/outbox', admin.jar);
    const main = /<main[^>]*>([\s\S]*)<\/main>/.exec(ob.body)[1];
    for (const bad of ['<script', '<img', '<svg', '<iframe']) {
      assert.ok(!main.toLowerCase().includes(bad), `the outbox page holds ${bad}`);
    }
  });
});

// ---------------------------------------------------------------------------------------
test('mentions and notifications: who is told, the badge, the outbox, mark all read', async () => {
  const { priya, sam, lee, amara, elsewhere } = P;
  // A person's notifications of a thread, oldest first: "first-newest:kind×count", "(read)"
  // once read. Posts of one open run (until read) coalesce into one notification.
  const notes = async (who, th) => (await sql(`SELECT string_agg(coalesce(n.first_number, p.number) || '-' || p.number || ':'
                                                || n.kind || '×' || n.count || CASE WHEN n.read_at IS NULL THEN '' ELSE ' (read)' END,
                                                ',' ORDER BY n.id)
                                              FROM notifications n JOIN posts p ON p.id = n.post_id
                                              WHERE n.user_id = $1 AND n.thread_id = $2`, [who.id, th])) || '';
  const outbox = (who, kind) => countOf('SELECT count(*) FROM outbox WHERE to_email = $1 AND kind = $2', [who.email, kind]);
  const start = await sql('SELECT coalesce(max(id), 0) FROM outbox');
  // The messages queued to someone since the test began: "kind|subject|topic open?".
  const messages = async (who) => (await sql(`SELECT string_agg(kind || '|' || subject || '|' || (open_topic IS NOT NULL), E'\n' ORDER BY id)
                                              FROM outbox WHERE to_email = $1 AND id > $2`, [who.email, start])) || '';

  let r = await act(sam.jar, '/notifications/read');
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, '/notifications');
  assert.equal(await badgeOf(sam.jar), 0);
  const samMentions = await outbox(sam, 'notification-mention');
  const elsewhereMail = await countOf('SELECT count(*) FROM outbox WHERE to_email = $1', [elsewhere.email]);

  const nobody = `nobody_${uniq()}`;
  const title = `Mentions ${uniq()}`;
  const th = await startThread(priya.jar, S.cohort, title,
    `Thoughts, @sam? And @${elsewhere.handle}, @${nobody}, \`@lee\`, [@amara](https://example.test) and @priya.`);
  const pid = await postId(th, 1);
  const html = await sql('SELECT body_html FROM posts WHERE id = $1', [pid]);
  assert.ok(html.includes('<a href="/u/sam" class="mention">@sam</a>'), `@sam is linked: ${html}`);
  assert.ok(html.includes(`@${elsewhere.handle},`) && !html.includes(`/u/${elsewhere.handle}`),
    'someone who cannot see the space is not linked');
  assert.ok(!html.includes(`/u/${nobody}`), 'an unknown handle is not linked');
  assert.ok(html.includes('<code>@lee</code>'), 'no mentions in code');
  assert.ok(html.includes('<a href="https://example.test" rel="nofollow ugc noopener">@amara</a>'), 'nor in link text');
  assert.equal(await sql(`SELECT string_agg(u.handle, ',' ORDER BY u.handle) FROM mentions m
                          JOIN users u ON u.id = m.user_id WHERE m.post_id = $1`, [pid]), 'priya,sam');

  assert.equal(await notes(sam, th), '1-1:mention×1');
  for (const who of [elsewhere, lee, amara, priya]) {
    assert.equal(await notes(who, th), '', `${who.handle} is not told`);
  }
  assert.equal(await outbox(sam, 'notification-mention') - samMentions, 1, 'an outbox message for sam');
  assert.equal(await sql(`SELECT subject FROM outbox WHERE to_email = $1 AND kind = 'notification-mention'
                          ORDER BY id DESC LIMIT 1`, [sam.email]), `${priya.name} mentioned you in “${title}”`);
  assert.equal(await countOf('SELECT count(*) FROM outbox WHERE to_email = $1', [elsewhere.email]), elsewhereMail,
    'nothing is sent to someone who cannot see the space');

  assert.equal(await badgeOf(sam.jar), 1, 'the header badge shows one unread notification');
  const list = notificationsOn((await page('/notifications', sam.jar)).body);
  assert.deepEqual({ ...list[0], excerptHtml: undefined }, { unread: true, lead: priya.name, what: 'mentioned you in',
    thread: th, number: 1, title, excerptHtml: undefined });
  assert.match(textOf(list[0].excerptHtml), /^Thoughts, @sam\? And @/);

  // Replies tell the thread's author (who follows it); followers hear of new posts; nobody
  // of their own. Until read, one notification per thread counts the posts.
  assert.equal((await act(lee.jar, `/t/${th}/follow`)).status, 303);
  await reply(amara.jar, th, 'A reply from amara.');
  assert.equal(await notes(priya, th), '2-2:reply×1', 'the author is told of a reply');
  assert.equal(await notes(lee, th), '2-2:follow×1', 'a follower is told');
  assert.equal(await notes(amara, th), '', 'not the writer');
  assert.equal(await notes(sam, th), '1-1:mention×1', 'sam follows nothing here');
  await reply(priya.jar, th, 'Replying to myself, @priya.');
  assert.equal(await notes(priya, th), '2-2:reply×1 (read)',
    'nobody is told of their own post, even mentioning themself; replying, priya read the thread');
  assert.equal(await notes(lee, th), '2-3:follow×2', 'one notification counts both posts');
  assert.equal((await act(lee.jar, `/t/${th}/follow`)).status, 303, 'lee stops following');
  await reply(amara.jar, th, 'Another one, @lee.');
  assert.equal(await notes(lee, th), '2-3:follow×2,4-4:mention×1',
    'unfollowed: only a mention reaches lee, as a notification of its own');
  assert.equal(await notes(priya, th), '2-2:reply×1 (read),4-4:reply×1', 'after reading, a new one');
  // One message per person per thread while it is unread: lee's is rewritten by the mention.
  assert.equal(await messages(lee), `notification-mention|${amara.name} mentioned you in “${title}”|true`);
  assert.equal(await messages(priya), `notification-reply|1 new reply in “${title}”|false\n`
    + `notification-reply|1 new reply in “${title}”|true`, 'priya read the thread in between');
  assert.equal(await messages(amara), '');
  const lees = await page('/notifications', lee.jar);
  const leeNotes = notificationsOn(lees.body).filter((x) => x.thread === th);
  assert.deepEqual(leeNotes.map((x) => [x.lead, x.what, x.number]),
    [[amara.name, 'mentioned you in', 4], ['2 new replies', 'in', 2]], 'newest first');
  assert.equal(textOf(leeNotes[1].excerptHtml), `${priya.name}: Replying to myself, @priya.`, 'the latest post\'s writer and excerpt');

  // Mark all read clears the badge and closes the messages; opening the thread reads its
  // notifications too.
  assert.ok(await badgeOf(sam.jar) >= 1);
  r = await act(sam.jar, '/notifications/read');
  assert.equal(r.status, 303);
  assert.equal(await badgeOf(sam.jar), 0, '"mark all read" clears the badge');
  assert.equal(await countOf('SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL', [sam.id]), 0);
  assert.ok(notificationsOn((await page('/notifications', sam.jar)).body).every((x) => !x.unread));
  assert.equal(await countOf('SELECT count(*) FROM outbox WHERE to_email = $1 AND open_topic IS NOT NULL', [sam.email]), 0);
  const unreadFor = (who) => countOf('SELECT count(*) FROM notifications WHERE user_id = $1 AND thread_id = $2 AND read_at IS NULL', [who.id, th]);
  assert.equal(await unreadFor(priya), 1);
  await page(`/t/${th}`, priya.jar);
  assert.equal(await unreadFor(priya), 0, 'reading the thread reads its notifications');
  assert.equal(await messages(priya), `notification-reply|1 new reply in “${title}”|false\n`
    + `notification-reply|1 new reply in “${title}”|false`, 'and closes her message about it');
});

// ---------------------------------------------------------------------------------------
test('search: never what the searcher cannot read (two cohorts); filters; deleted posts', async (t) => {
  const { priya, amara, tomas, sam, rivera, outsider, elsewhere } = P;
  const word = `zq${uniq()}`;
  const th = await startThread(priya.jar, S.f26, `Foundations search ${uniq()}`,
    `Only the Foundations cohort may read this: ${word}.`);
  const found = async (who, q = '') => {
    const r = await page(`/search?q=${word}${q}`, who.jar, null);
    return { status: r.status, results: searchResults(r.body), body: r.body };
  };
  for (const who of [priya, amara, rivera]) {
    const { status, results } = await found(who);
    assert.equal(status, 200);
    assert.deepEqual(results.map((x) => [x.thread, x.number]), [[th, 1]], `${who.handle} finds it`);
    assert.ok(results[0].snippet.includes(`<mark>${word}</mark>`));
  }
  for (const who of [tomas, sam, outsider, elsewhere]) {
    const { status, results, body } = await found(who);
    assert.equal(status, 200);
    assert.deepEqual(results, [], `${who.handle} does not`);
    assert.match(mainText(body), /No posts you can read match/);
    assert.ok(!body.includes(`<option value="${S.f26}"`), `${who.handle} is not offered the space`);
  }
  // Naming the space does not help.
  const bySpace = await found(tomas, `&space=${S.f26}`);
  assert.equal(bySpace.status, 422);
  assert.equal(alertText(bySpace.body), 'Choose a space from the list.');
  assert.deepEqual(bySpace.results, []);
  assert.deepEqual((await found(priya, `&space=${S.f26}`)).results.length, 1);
  assert.deepEqual((await found(priya, `&space=${S.cohort}`)).results, [], 'another space\'s filter');

  // Author and date filters.
  for (const [q, n] of [['&author=priya', 1], ['&author=%40priya', 1], ['&author=PRIYA', 1], ['&author=sam', 0]]) {
    assert.equal((await found(priya, q)).results.length, n, `filter ${q}`);
  }
  const day = await sql(`SELECT to_char(created_at AT TIME ZONE 'America/New_York', 'YYYY-MM-DD'),
                           to_char((created_at AT TIME ZONE 'America/New_York')::date - 1, 'YYYY-MM-DD'),
                           to_char((created_at AT TIME ZONE 'America/New_York')::date + 1, 'YYYY-MM-DD')
                         FROM posts WHERE thread_id = $1 AND number = 1`, [th]);
  const [today, yesterday, tomorrow] = day.split('|');
  for (const [q, n] of [[`&from=${today}&to=${today}`, 1], [`&from=${yesterday}`, 1], [`&to=${tomorrow}`, 1],
    [`&from=${tomorrow}`, 0], [`&to=${yesterday}`, 0]]) {
    assert.equal((await found(priya, q)).results.length, n, `filter ${q}`);
  }
  for (const q of ['&from=20260101', '&to=2026/01/01', '&from=2026-1-011']) {
    const r = await found(priya, q);
    assert.equal(r.status, 422, `filter ${q}`);
    assert.equal(alertText(r.body), 'Dates are written YYYY-MM-DD.');
  }
  // Impossible dates: a sentence, not a server error (they reached SQL and failed with 500
  // until c68e7c6).
  for (const q of ['&from=2026-13-45', '&to=2026-02-30', '&from=----------', '&to=2025-02-29']) {
    const r = await found(priya, q);
    assert.equal(r.status, 422, `filter ${q}: ${r.status}`);
    assert.match(alertText(r.body), /^Dates are/, `filter ${q}: ${alertText(r.body)}`);
  }
  assert.equal((await found(priya, '&from=2024-02-29')).results.length, 1, 'a real leap day is a date');
  const long = await page(`/search?q=${'a'.repeat(201)}`, priya.jar, 422);
  assert.equal(alertText(long.body), 'Searches can be at most 200 characters.');

  // Deleted, edited and hidden posts.
  const gone = `zq${uniq()}`;
  const n = await reply(priya.jar, th, `Soon deleted: ${gone}.`);
  assert.equal(searchResults((await page(`/search?q=${gone}`, amara.jar)).body).length, 1);
  assert.equal((await act(priya.jar, `/posts/${await postId(th, n)}/delete`, { confirmed: 'yes' })).status, 303);
  assert.equal(searchResults((await page(`/search?q=${gone}`, amara.jar)).body).length, 0, 'deleted posts are not found');
  const oldWord = `zq${uniq()}`;
  const newWord = `zq${uniq()}`;
  const n2 = await reply(priya.jar, th, `Before: ${oldWord}.`);
  assert.equal((await act(priya.jar, `/posts/${await postId(th, n2)}/edit`, { body: `After: ${newWord}.`, action: 'save' })).status, 303);
  assert.equal(searchResults((await page(`/search?q=${oldWord}`, amara.jar)).body).length, 0, 'an edit replaces the old words');
  assert.equal(searchResults((await page(`/search?q=${newWord}`, amara.jar)).body).length, 1);
  const hid = await startThread(priya.jar, S.f26, `To be hidden ${uniq()}`, `Hidden word ${gone}x.`);
  await sql('UPDATE threads SET hidden = true WHERE id = $1', [hid]);
  assert.equal(searchResults((await page(`/search?q=${gone}x`, amara.jar)).body).length, 0, 'hidden threads are not found');

  // Ranked: the title counts more than the text.
  const rank = `zq${uniq()}`;
  const inText = await startThread(priya.jar, S.f26, `Plain ${uniq()}`, `Mentions ${rank} once.`);
  const inTitle = await startThread(priya.jar, S.f26, `About ${rank}`, `And ${rank} in the text.`);
  assert.deepEqual(searchResults((await page(`/search?q=${rank}`, amara.jar)).body).map((x) => x.thread),
    [inTitle, inText], 'the thread titled with the word ranks first');
});

// ---------------------------------------------------------------------------------------
test('home: the next live session in my zone and the course\'s, unread counts, notifications', async () => {
  const { priya, sam } = P;
  // 2026-05-14 10:00 Eastern: day 2's "Welcome Back" (10:00-10:15) is on.
  await withClock(Date.UTC(2026, 4, 14, 14, 0) / 1000, async () => {
    const home = await page('/home', priya.jar);
    const text = mainText(/<section aria-labelledby="next-h"[\s\S]*?<\/section>/.exec(home.body)[0]);
    assert.match(text, new RegExp(`^${esc('Happening now Welcome Back · Core Practice of Palliative Care, day 2 Thursday, May 14, 10:00 am–10:15 am (')}${EASTERN}${esc(') The agenda')}`),
      text);
    assert.doesNotMatch(text, /the course's time/, 'priya lives in the course\'s zone: one time is enough');
  });
  // 10:20 Eastern: "Delivering Serious News" (10:15-10:45), for sam in Denver in both zones,
  // with the discussion attached to it.
  await withClock(Date.UTC(2026, 4, 14, 14, 20) / 1000, async () => {
    const home = await page('/home', sam.jar);
    const section = /<section aria-labelledby="next-h"[\s\S]*?<\/section>/.exec(home.body)[0];
    const text = mainText(section);
    assert.match(text, new RegExp(`^${esc('Happening now Delivering Serious News · Core Practice of Palliative Care, day 2 Thursday, May 14, 8:15 am–8:45 am (')}${MOUNTAIN}${esc(") Thursday, May 14, 10:15 am EDT–10:45 am EDT, the course's time")}`),
      text);
    if (agendaThread) {
      assert.match(section, new RegExp(`<a href="/t/${agendaThread}">Discuss this session</a>`));
    }
  });
  // The evening before day 1: the first session, not yet on.
  await withClock(Date.UTC(2026, 4, 12, 23, 0) / 1000, async () => {
    const text = mainText(/<section aria-labelledby="next-h"[\s\S]*?<\/section>/.exec((await page('/home', priya.jar)).body)[0]);
    assert.match(text, /^Next live session Welcome to the Core Principles of Palliative Care · Core Practice of Palliative Care, day 1 Wednesday, May 13, 10:00 am–10:30 am/);
  });
  // Unread counts: the same as the spaces page; the notifications section.
  const home = await page('/home', priya.jar);
  const spaces = await page('/spaces', priya.jar);
  // The home lists small groups apart (linking to /groups/:id): the demo places priya in one.
  const groupSpaces = new Set((await sql("SELECT id FROM spaces WHERE kind = 'group'")).split('\n'));
  const discussions = new Map([...spaceBadges(spaces.body)].filter(([id]) => !groupSpaces.has(id)));
  assert.deepEqual(spaceBadges(home.body), discussions, 'the home page lists my spaces with their unread counts');
  assert.ok(spaceBadges(home.body).has(S.cohort) && spaceBadges(home.body).has(S.f26));
  const sum = await countOf(`SELECT coalesce(sum(t.last_number - coalesce(rd.last_number, 0)), 0) FROM threads t
                             LEFT JOIN reads rd ON rd.thread_id = t.id AND rd.user_id = $1
                             WHERE t.space_id = $2 AND NOT t.hidden`, [priya.id, S.cohort]);
  assert.equal(spaceBadges(home.body).get(S.cohort), sum, 'the cohort\'s count is the posts priya has not read');
  assert.ok(sum > 0, 'other tests left priya something to read');
  assert.ok(notificationsOn(home.body).length > 0, 'recent notifications are listed');
});

// ---------------------------------------------------------------------------------------
test('access: without an enrollment everything in a space is 404; a cancelled enrollment loses access', async () => {
  const { priya, outsider } = P;
  const th = await startThread(priya.jar, S.cohort, `Access ${uniq()}`, 'Cohort only.');
  const pid = await postId(th, 1);
  const probes = (jar) => [
    ['GET', `/s/${S.cohort}`], ['GET', `/s/${S.cohort}/new`], ['GET', `/t/${th}`], ['GET', `/t/${th}/unread`],
    ['GET', `/t/${th}/p/1`], ['GET', `/t/${th}?quote=1`], ['GET', `/t/${th}?page=1`], ['GET', `/posts/${pid}/edit`],
    ['GET', `/posts/${pid}/revisions`], ['GET', `/posts/${pid}/delete`],
    ['POST', `/s/${S.cohort}/threads`, { title: 'x', body: 'y', action: 'post' }],
    ['POST', `/s/${S.cohort}/threads`, { title: 'x', body: 'y', action: 'preview' }],
    ['POST', `/s/${S.cohort}/read`], ['POST', `/t/${th}/reply`, { body: 'y', action: 'post' }],
    ['POST', `/t/${th}/reply`, { body: 'y', action: 'preview' }], ['POST', `/t/${th}/follow`],
    ['POST', `/t/${th}/pin`], ['POST', `/t/${th}/agenda`, { agenda_item: '' }],
    ['POST', `/posts/${pid}/edit`, { body: 'y', action: 'save' }], ['POST', `/posts/${pid}/delete`, { confirmed: 'yes' }],
    ['POST', `/posts/${pid}/helpful`],
  ].map(([m, path, form]) => [m, path, m === 'GET' ? () => get(path, { jar }) : () => act(jar, path, form || {})]);

  const reads = () => sql('SELECT count(*) FROM reads WHERE thread_id = $1', [th]);
  const readsBefore = await reads();
  let before0 = await forumState();
  for (const [m, path, fn] of probes(outsider.jar)) {
    const r = await fn();
    assert.equal(r.status, 404, `${m} ${path} for someone with no enrollment: ${r.status}`);
  }
  await assertUnchanged(before0, 'an outsider\'s requests');
  assert.equal(await reads(), readsBefore, 'nor any reading state');
  const spaces = await page('/spaces', outsider.jar);
  assert.equal(spaceBadges(spaces.body).size, 0, 'an outsider has no spaces');
  assert.equal((await get('/u/priya', { jar: outsider.jar })).status, 404, 'nor sees people');

  // Signed out: GETs go to the sign-in page, POSTs are refused.
  const anon = await get(`/t/${th}`);
  assert.equal(anon.status, 303);
  assert.equal(anon.headers.location, `/signin?next=/t/${th}`);
  before0 = await forumState();
  const anonPost = await post(`/t/${th}/reply`, { body: 'anonymous', action: 'post' });
  assert.equal(anonPost.status, 403);
  await assertUnchanged(before0, 'an anonymous reply');

  // A cancelled enrollment: access, follows and mentions go with it.
  const c = await makePerson({ tag: 'cx', enrolled: [CP] });
  assert.equal((await get(`/s/${S.cohort}`, { jar: c.jar })).status, 200);
  assert.equal((await get(`/t/${th}`, { jar: c.jar })).status, 200);
  assert.equal((await act(c.jar, `/t/${th}/follow`)).status, 303);
  await reply(priya.jar, th, `Welcome, @${c.handle}!`);
  assert.equal(await countOf('SELECT count(*) FROM notifications WHERE user_id = $1', [c.id]), 1);
  assert.equal(await badgeOf(c.jar), 1);
  await cancelEnrollment(c.handle, CP);
  before0 = await forumState();
  for (const [m, path, fn] of probes(c.jar)) {
    const r = await fn();
    assert.equal(r.status, 404, `${m} ${path} after cancelling: ${r.status}`);
  }
  await assertUnchanged(before0, 'requests after cancelling');
  assert.equal(spaceBadges((await page('/spaces', c.jar)).body).size, 0, 'the spaces are gone from the list');
  await reply(priya.jar, th, `Still there, @${c.handle}?`);
  const last = await sql('SELECT body_html FROM posts WHERE thread_id = $1 ORDER BY number DESC LIMIT 1', [th]);
  assert.ok(!last.includes(`/u/${c.handle}`), 'no longer linked as a mention');
  assert.equal(await countOf('SELECT count(*) FROM notifications WHERE user_id = $1', [c.id]), 1,
    'neither the mention nor the follow notifies them now');
  assert.deepEqual(notificationsOn((await page('/notifications', c.jar)).body), [],
    'the old notification is not shown: its thread cannot be opened');
});

// The badge counted notifications of threads one can no longer open (fixed in c68e7c6).
test('the header badge counts only notifications one can still open', async () => {
  const { priya } = P;
  const th = await startThread(priya.jar, S.cohort, `Badge ${uniq()}`, 'x');
  const c = await makePerson({ tag: 'bx', enrolled: [CP] });
  await reply(priya.jar, th, `Hello @${c.handle}`);
  assert.equal(await badgeOf(c.jar), 1);
  await cancelEnrollment(c.handle, CP);
  const r = await page('/notifications', c.jar);
  assert.deepEqual(notificationsOn(r.body), []);
  assert.equal(headerBadge(r.body), 0, 'the badge matches the (empty) list, which offers no "mark all read"');
});

test('notifications of a hidden thread or post are not shown to people who cannot open it', async () => {
  const { priya, sam } = P;
  const secret = `zq${uniq()}`;
  const th = await startThread(priya.jar, S.cohort, `Soon hidden ${secret}`, `Hello @sam, ${secret}.`);
  assert.equal(notificationsOn((await page('/notifications', sam.jar)).body).filter((n) => n.thread === th).length, 1);
  await sql('UPDATE threads SET hidden = true WHERE id = $1', [th]);   // as a moderator would
  assert.equal((await get(`/t/${th}`, { jar: sam.jar })).status, 404, 'sam cannot open it');
  const r = await page('/notifications', sam.jar);
  assert.ok(!r.body.includes(secret), 'its title and excerpt are not on his notifications page');
  assert.equal(headerBadge(r.body), 0, 'nor counted in his badge');
});

test('a title of invisible white space is refused like an empty one', async () => {
  const before0 = await forumState();
  const last = await sql('SELECT coalesce(max(id), 0) FROM threads');
  try {
    for (const title of ['\u00a0', '\u3000\u3000', '\u200b', '\r']) {
      const r = await postThread(P.priya.jar, S.cohort, { title, body: 'Fine body.' });
      assert.equal(r.status, 422, `title ${JSON.stringify(title)}: ${r.status}`);
    }
    await assertUnchanged(before0, 'blank-looking titles');
  } finally {
    // Threads the bug let through would leave links without text on the space page (axe
    // link-name) for the browser test that shares this database.
    await sql(`DELETE FROM threads WHERE id > $1 AND space_id = $2 AND author_id = $3
                 AND title !~ '[[:alnum:]]'`, [last, S.cohort, P.priya.id]);
  }
});

// ---------------------------------------------------------------------------------------
test('CSRF and Origin on every discussion form: refused with 403, nothing changed', async () => {
  const { priya, sam, okafor } = P;
  const th = await startThread(sam.jar, S.cohort, `CSRF ${uniq()}`, 'Target.');
  const pid = await postId(th, 1);
  const mine = await startThread(priya.jar, S.cohort, `CSRF mine ${uniq()}`, 'Mine.');
  const minePid = await postId(mine, 1);
  const item = await sql(`SELECT a.id FROM agenda_items a JOIN offerings o ON o.id = a.offering_id
                          WHERE o.slug = $1 ORDER BY a.starts_at LIMIT 1`, [CP]);
  const forms = [
    [priya, `/s/${S.cohort}/threads`, { title: 'x', body: 'y', action: 'post' }],
    [priya, `/t/${th}/reply`, { body: 'y', action: 'post' }],
    [priya, `/posts/${minePid}/edit`, { body: 'changed', action: 'save' }],
    [priya, `/posts/${minePid}/delete`, { confirmed: 'yes' }],
    [priya, `/posts/${pid}/helpful`, {}],
    [priya, `/t/${th}/follow`, {}],
    [okafor, `/t/${th}/pin`, {}],
    [okafor, `/t/${th}/agenda`, { agenda_item: item }],
    [priya, `/s/${S.cohort}/read`, {}],
    [priya, '/notifications/read', {}],
  ];
  const stale = await testSession('priya');
  const staleCsrf = await csrfFor(stale);
  assert.equal((await post('/signout', { csrf: staleCsrf }, { jar: stale })).status, 303);
  const readingState = () => sql(`SELECT (SELECT md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) FROM reads x),
                                         (SELECT md5(coalesce(string_agg(read_at::text, ',' ORDER BY id), '')) FROM notifications)`);
  for (const [who, path, form] of forms) {
    const good = await csrfFor(who.jar);
    for (const [what, fields, opts] of [
      ['a token from a signed-out session', { ...form, csrf: staleCsrf }, {}],
      ['another user\'s token', { ...form, csrf: await csrfFor(who === priya ? sam.jar : priya.jar) }, {}],
      ['a forged token', { ...form, csrf: randomBytes(32).toString('base64url') }, {}],
      ['a truncated token', { ...form, csrf: good.slice(0, -1) }, {}],
      ['no token', { ...form }, {}],
      ['a foreign Origin', { ...form, csrf: good }, { origin: 'http://evil.test' }],
      ['Origin "null" and no Referer', { ...form, csrf: good }, { origin: 'null' }],
      ['a foreign Referer only', { ...form, csrf: good }, { origin: null, headers: { Referer: 'http://evil.test/x' } }],
    ]) {
      const before0 = await forumState();
      const rs = await readingState();
      const r = await post(path, fields, { jar: who.jar, ...opts });
      assert.equal(r.status, 403, `${path} with ${what}: ${r.status}`);
      await assertUnchanged(before0, `${path} with ${what}`);
      assert.equal(await readingState(), rs, `${path} with ${what}: reading state changed`);
    }
  }
  // A Referer of the site itself is enough when Origin is missing (older browsers).
  const r = await post(`/t/${th}/follow`, { csrf: await csrfFor(priya.jar) },
    { jar: priya.jar, origin: null, headers: { Referer: `${BASE_URL}/t/${th}` } });
  assert.equal(r.status, 303);
});
