// The patient-privacy guard in the forms and content notes (issue 12 items 1 and 4), over real
// HTTP against the test server, every effect checked in the database.
//
// The guard: the new-thread, reply and edit forms run the checker before publishing. When it
// finds something the form comes back (200) with everything typed, what it found and why,
// and a "publish anyway" button; nothing is written. Published anyway, the post is held (the
// pre-moderation path: no number, no notification, no outbox message, no search entry, not
// shown to other members), flagged 'identifies_patient' by Cairn (flagger NULL) and logged
// with Cairn as the actor (post_held); a moderator's own post too. An edit of a published post
// over the warning holds it again: it keeps its number, leaves search and the notifications
// page, and no message carries the new words. Ordinary clinical talk posts at once.
//
// Content notes: 1 to 100 characters; the text is folded behind the note (<details>) on the
// thread page, in search results and on the notifications page; the outbox message says the
// note and leaves the excerpt out; the post links to its series' support page. Bad notes
// (only spaces, over 100 characters) are refused with the form kept and nothing changed.
//
// The cast is made for this file in the Foundations 2026-01 cohort: a facilitator who
// moderates it, three learners.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeConnections, get, textOf } from './lib.mjs';
import { closeSql } from './accounts-lib.mjs';
import {
  sql, uniq, mainText, spaceOf, postThread, startThread, postReply, reply, act, postId,
  postsOn, textareaOf, searchResults,
} from './forum-lib.mjs';
import {
  errorText, page, cast, modState, heldOn, logSince, lastLogId, lastOutboxId,
  outboxSince,
} from './restriction-lib.mjs';

const F26 = 'foundations-2026-01';
const F25 = 'foundations-2025-10';
const RULE = 'Before anything is posted, Cairn looks for what could identify a patient';

let S;        // the F26 cohort space
let P;        // the cast
let SLUG;     // the series slug of F26

before(async () => {
  S = await spaceOf(F26);
  P = await cast(F26, F25, 'gd');
  SLUG = await sql(`SELECT se.slug FROM offerings o JOIN courses c ON c.id = o.course_id
                    JOIN series se ON se.id = c.series_id WHERE o.slug = $1`, [F26]);
  assert.ok(SLUG, 'the offering belongs to a series');
});

after(() => {
  closeSql();
  closeConnections();
});

const count = async (q, params) => Number(await sql(q, params));

/** The guard's warning on a page: [{ text, where, reason }], or null when there is none. */
function warningOf(html) {
  const box = /<div class="alert guard-warning" role="alert" id="guard-warning">([\s\S]*?)<\/div>/.exec(html);
  if (!box) return null;
  return [...box[1].matchAll(/<li>“<mark>([^<]*)<\/mark>” in the ([^:]*): ([^<]*)<\/li>/g)]
    .map((m) => ({ text: textOf(m[1]), where: m[2], reason: textOf(m[3]) }));
}

/** The value of the content-note field of a form. */
function noteOf(html) {
  const m = /<input id="note" name="note" maxlength="100" value="([^"]*)"/.exec(html);
  return m ? m[1].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'").replace(/&amp;/g, '&') : null;
}

/** Everything that a held or refused post must not have touched, and the flags. */
async function state() {
  const s = await modState();
  s.flags = await sql("SELECT count(*) || ':' || md5(coalesce(string_agg(f::text, ',' ORDER BY f.id), '')) FROM flags f");
  return s;
}

/** Assert nothing changed since `before` (a state()), naming the tables that did. */
async function assertSame(before, what) {
  const now = await state();
  const changed = Object.keys(before).filter((t) => before[t] !== now[t]);
  assert.deepEqual(changed, [], `${what}: rows changed in ${changed.join(', ')}`);
}

/** The notifications page's items as HTML, one string each. */
async function notificationItems(jar) {
  const r = await get('/notifications', { jar });
  assert.equal(r.status, 200);
  const list = /<ol class="notifications">([\s\S]*?)<\/ol>/.exec(r.body);
  return list ? list[1].split(/<li[ >]/).slice(1) : [];
}

// ---------------------------------------------------------------------------------------
test('the forms explain the rule in one sentence and offer a content note', async () => {
  const { a } = P;
  const t = await startThread(a.jar, S, `Rule ${uniq()}`, 'What do you say first?');
  const pid = await postId(t, 1);
  for (const path of [`/s/${S}/new`, `/t/${t}`, `/posts/${pid}/edit`]) {
    const r = await page(path, a.jar);
    const rule = /<p class="hint" id="guard-rule">([^<]*)<\/p>/.exec(r.body);
    assert.ok(rule, `${path}: the rule is on the form`);
    assert.ok(textOf(rule[1]).startsWith(RULE), `${path}: ${rule[1]}`);
    assert.match(textOf(rule[1]), /if you post over its warning, the space's moderators review the post before anyone else sees it\.$/);
    assert.equal((textOf(rule[1]).match(/\. /g) || []).length, 0, 'one sentence');
    assert.equal(noteOf(r.body), '', `${path}: an empty content note field`);
    assert.equal(warningOf(r.body), null, `${path}: no warning before anything is checked`);
    assert.ok(!r.body.includes('name="privacy" value="confirmed"'), `${path}: no "publish anyway" yet`);
  }
});

// ---------------------------------------------------------------------------------------
test('a new thread that could identify a patient comes back with everything typed; published anyway, it is held, flagged and logged', async () => {
  const { a, b, mod } = P;
  const word = `Quillon${uniq()}`;
  const title = `Sitting with Mrs. Alvarez, 82, tonight: ${word}`;
  const body = `Her daughter called from 555-867-5309 twice tonight. ${word} is what she calls the garden.\n\nHow do you *answer* that?`;
  const note = 'a dying parent';
  const s0 = await state();
  const log0 = await lastLogId();
  const box0 = await lastOutboxId();

  // Checked first: 200, the form with everything typed, what was found and why, two choices.
  const r = await postThread(a.jar, S, { title, body, note });
  assert.equal(r.status, 200, 'the form comes back');
  assert.equal(r.headers.location, undefined);
  const found = warningOf(r.body);
  assert.deepEqual(found, [
    { text: 'Mrs. Alvarez, 82', where: 'title', reason: 'a name beside an age' },
    { text: '555-867-5309', where: 'post', reason: 'a phone number' },
  ]);
  assert.match(mainText(r.body), /This may identify a patient/);
  assert.match(mainText(r.body), /Revise what you wrote below and post again, or publish it as it is: then only you and the space's moderators see it until one of them approves it\./);
  assert.equal(textOf(/<input id="title" name="title"[^>]*value="([^"]*)"/.exec(r.body)[1]), title, 'the title is kept');
  assert.equal(textareaOf(r.body), body, 'the post is kept');
  assert.equal(noteOf(r.body), note, 'the note is kept');
  assert.match(r.body, /<button type="submit" name="privacy" value="confirmed" class="secondary"[^>]*>Publish anyway, for the moderators to review<\/button>/);
  assert.match(r.body, /<button type="submit" name="action" value="post" class="primary">Check again and start thread<\/button>/);
  await assertSame(s0, 'a warning writes nothing');
  assert.equal(await lastOutboxId(), box0);

  // Published anyway: held (no number, the thread waits), flagged by Cairn, logged by Cairn.
  const ok = await postThread(a.jar, S, { title, body, note, privacy: 'confirmed' });
  assert.equal(ok.status, 303);
  const m = /^\/t\/(\d+)\?done=guarded$/.exec(ok.headers.location);
  assert.ok(m, ok.headers.location);
  const t = m[1];
  const [pid, number, held, hiddenPost, search, savedNote] = (await sql(
    `SELECT id, coalesce(number, 0), held, hidden, search::text, content_note FROM posts WHERE thread_id = $1`, [t])).split('|');
  assert.deepEqual([number, held, hiddenPost, search, savedNote], ['0', 't', 'f', '', note]);
  assert.equal(await sql('SELECT last_number FROM threads WHERE id = $1', [t]), '0');
  assert.equal(await sql(`SELECT coalesce(flagger_id::text, 'cairn') || ':' || reason || ':' || (resolved_at IS NULL)
                          FROM flags WHERE post_id = $1`, [pid]), 'cairn:identifies_patient:true');
  assert.match(await sql('SELECT note FROM flags WHERE post_id = $1', [pid]),
    /^Published over the privacy guard's warning: a name beside an age; a phone number\.$/);
  const log = await logSince(log0);
  assert.equal(log.length, 1, JSON.stringify(log));
  assert.deepEqual([log[0].actor, log[0].space, log[0].action, log[0].thread, log[0].post, log[0].subject],
    ['0', S, 'post_held', t, pid, a.id]);
  assert.equal(await sql('SELECT actor_id IS NULL FROM moderation_log WHERE id = $1', [log[0].id]), 't', 'the actor is Cairn (NULL)');
  assert.deepEqual(log[0].detail, { codes: ['name_with_age', 'phone'] });
  assert.equal(await lastOutboxId(), box0, 'no message before approval');
  assert.equal(await count('SELECT count(*) FROM notifications WHERE post_id = $1', [pid]), 0);

  // The author sees it, with the notice; other members do not; moderators do, with Approve.
  const mine = await page(`/t/${t}?done=guarded`, a.jar);
  assert.match(mainText(mine.body), /Your post was saved over the privacy warning: until one of the space's moderators approves it, only you and they see it\./);
  assert.equal(heldOn(mine.body).length, 1);
  assert.equal((await get(`/t/${t}`, { jar: b.jar })).status, 404, 'another member: no such thread');
  const sr = await page(`/search?q=${word}`, b.jar);
  assert.deepEqual(searchResults(sr.body), [], 'not in search');
  const modView = heldOn((await page(`/t/${t}`, mod.jar)).body);
  assert.equal(modView.length, 1);
  assert.ok(modView[0].approve, 'the moderator can approve it');
  const queue = await page(`/s/${S}/flags`, mod.jar);
  const item = new RegExp(`<li class="flag-item" id="post-${pid}">([\\s\\S]*?)</li>\\s*</ul>`).exec(queue.body);
  assert.ok(item, 'the post is in the flag queue');
  assert.match(textOf(item[1]), /Identifies a patient, flagged by Cairn/i, 'flagged by Cairn');
  assert.match(textOf(item[1]), /a post waiting for approval/);
  assert.match(queue.body, new RegExp(`action="/posts/${pid}/approve"`), 'approved from the queue');
  assert.ok(!queue.body.includes(`/posts/${pid}/hide`), 'not hidden: it waits');
  const waiting = await page(`/s/${S}/held`, mod.jar);
  assert.match(waiting.body, new RegExp(`id="h${pid}"[\\s\\S]*?<span class="tag">over the privacy warning</span>`));
  assert.match(waiting.body, /<summary>Content note: a dying parent<\/summary>/, 'folded for the moderators too');
  const logPage = await page(`/s/${S}/log`, mod.jar);
  assert.match(mainText(logPage.body), /Cairn held for approval/);

  // Approved: numbered, searchable, the flag closed as approved.
  const ap = await act(mod.jar, `/posts/${pid}/approve`);
  assert.equal(ap.status, 303);
  assert.equal(await sql('SELECT number FROM posts WHERE id = $1', [pid]), '1');
  assert.equal(await sql('SELECT resolution FROM flags WHERE post_id = $1', [pid]), 'approved');
  assert.equal((await get(`/t/${t}`, { jar: b.jar })).status, 200);
  const hits = (await page(`/search?q=${word}`, b.jar)).body;
  assert.equal([...hits.matchAll(new RegExp(`<a href="/t/${t}/p/1">`, 'g'))].length, 1, 'found, folded behind its note');
});

// ---------------------------------------------------------------------------------------
test('a reply published over the warning is held and flagged: no notification, message or search entry until a moderator approves it', async () => {
  const { a, b, c, mod } = P;
  const t = await startThread(a.jar, S, `Nights on the unit ${uniq()}`, 'What gets you through a hard night?');
  const word = `Brisket${uniq()}`;
  const body = `The patient in bed 12 asked for the chaplain at 3 a.m. ${word}.`;
  const s0 = await state();
  const box0 = await lastOutboxId();
  const log0 = await lastLogId();

  const warn = await postReply(b.jar, t, { body });
  assert.equal(warn.status, 200);
  assert.deepEqual(warningOf(warn.body), [{ text: 'bed 12', where: 'reply', reason: 'a room or bed number' }]);
  assert.equal(textareaOf(warn.body), body);
  assert.match(warn.body, />Check again and post<\/button>/);
  await assertSame(s0, 'the warning writes nothing');

  const r = await postReply(b.jar, t, { body, privacy: 'confirmed' });
  assert.equal(r.status, 303);
  const m = new RegExp(`^/t/${t}\\?page=1&done=guarded#h(\\d+)$`).exec(r.headers.location);
  assert.ok(m, r.headers.location);
  const pid = m[1];
  assert.equal(await sql('SELECT held::text || coalesce(number, 0) FROM posts WHERE id = $1', [pid]), 'true0');
  assert.equal(await sql('SELECT last_number FROM threads WHERE id = $1', [t]), '1', 'the thread does not count it');
  assert.equal(await count(`SELECT count(*) FROM flags WHERE post_id = $1 AND flagger_id IS NULL
                            AND reason = 'identifies_patient' AND resolved_at IS NULL`, [pid]), 1);
  assert.deepEqual((await logSince(log0)).map((l) => [l.actor, l.action, l.post]), [['0', 'post_held', pid]]);
  assert.equal(await count('SELECT count(*) FROM notifications WHERE post_id = $1', [pid]), 0, 'the author of the thread is not told yet');
  assert.equal(await lastOutboxId(), box0, 'no message');
  for (const who of [a, c]) {
    const seen = await page(`/t/${t}`, who.jar);
    assert.ok(!seen.body.includes(word), 'other members do not see it');
    assert.equal(searchResults((await page(`/search?q=${word}`, who.jar)).body).length, 0);
  }

  // Approval: numbered 2, the thread's author notified and mailed.
  assert.equal((await act(mod.jar, `/posts/${pid}/approve`)).status, 303);
  assert.equal(await sql('SELECT number FROM posts WHERE id = $1', [pid]), '2');
  assert.equal(await count('SELECT count(*) FROM notifications WHERE post_id = $1 AND user_id = $2', [pid, a.id]), 1);
  const mail = (await outboxSince(box0)).filter((x) => x.to === a.email && x.kind.startsWith('notification'));
  assert.equal(mail.length, 1, 'the thread\'s author is mailed after approval');
  assert.ok(mail[0].body.includes(word));
});

// ---------------------------------------------------------------------------------------
test('ordinary clinical talk raises nothing and posts at once', async () => {
  const { a, b } = P;
  const s0 = await count('SELECT count(*) FROM flags');
  const log0 = await lastLogId();
  const t = await startThread(a.jar, S, `The family meeting on Thursday ${uniq()}`,
    'A 70-year-old with dyspnea asked what comes next. On day 3 of admission, the family asked to talk.');
  const n = await reply(b.jar, t, "Dr. Dow's talk on serious news helped me. The family meeting on Thursday went better than I feared.");
  assert.equal(n, 2);
  assert.equal(await count('SELECT count(*) FROM posts WHERE thread_id = $1 AND held', [t]), 0);
  assert.equal(await count('SELECT count(*) FROM flags'), s0, 'no flag');
  assert.deepEqual(await logSince(log0), [], 'nothing logged');
});

// ---------------------------------------------------------------------------------------
test('a moderator who posts over the warning is held and flagged too', async () => {
  const { mod, a } = P;
  const t = await startThread(a.jar, S, `Ask the facilitator ${uniq()}`, 'Any advice for a first family meeting?');
  const r = await postReply(mod.jar, t, { body: 'Mr. Okoro, 93, died this morning; I keep thinking of him.', privacy: 'confirmed' });
  assert.equal(r.status, 303);
  assert.match(r.headers.location, /done=guarded/);
  const pid = await sql('SELECT id FROM posts WHERE thread_id = $1 AND author_id = $2', [t, mod.id]);
  assert.equal(await sql('SELECT held FROM posts WHERE id = $1', [pid]), 't');
  assert.equal(await count("SELECT count(*) FROM flags WHERE post_id = $1 AND flagger_id IS NULL AND reason = 'identifies_patient'", [pid]), 1);
  assert.equal(await count("SELECT count(*) FROM moderation_log WHERE post_id = $1 AND action = 'post_held' AND actor_id IS NULL", [pid]), 1);
  assert.ok(!(await page(`/t/${t}`, a.jar)).body.includes('Okoro'));
});

// ---------------------------------------------------------------------------------------
test('an edit published over the warning holds the post again: it keeps its number and leaves search, notifications and mail', async () => {
  const { a, b, c, mod } = P;
  const t = await startThread(a.jar, S, `After the call ${uniq()}`, 'How did the call land for you?');
  const before = `Aubade${uniq()}`;
  const after = `Zephyrine${uniq()}`;
  const n = await reply(b.jar, t, `It landed. ${before} is the word I keep.`);
  const pid = await postId(t, n);
  const box0 = await lastOutboxId();
  const log0 = await lastLogId();
  assert.equal(await count('SELECT count(*) FROM notifications WHERE post_id = $1 AND user_id = $2', [pid, a.id]), 1, 'a was told of the reply');
  assert.equal(searchResults((await page(`/search?q=${before}`, c.jar)).body).length, 1);

  const body = `It landed. Mrs. Alvarez, 82, said ${after} when I left.`;
  const warn = await act(b.jar, `/posts/${pid}/edit`, { action: 'save', body });
  assert.equal(warn.status, 200);
  assert.deepEqual(warningOf(warn.body), [{ text: 'Mrs. Alvarez, 82', where: 'post', reason: 'a name beside an age' }]);
  assert.equal(textareaOf(warn.body), body);
  assert.match(warn.body, />Check again and save<\/button>/);
  assert.equal(await sql('SELECT held FROM posts WHERE id = $1', [pid]), 'f', 'the warning changes nothing');

  const r = await act(b.jar, `/posts/${pid}/edit`, { action: 'save', body, privacy: 'confirmed' });
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, `/t/${t}?page=1&done=guarded#p${n}`);
  assert.equal(await sql('SELECT held::text || number || (search::text = \'\') FROM posts WHERE id = $1', [pid]), `true${n}true`,
    'held, with its number, out of search');
  assert.equal(await count("SELECT count(*) FROM flags WHERE post_id = $1 AND flagger_id IS NULL AND resolved_at IS NULL", [pid]), 1);
  assert.deepEqual((await logSince(log0)).map((l) => [l.actor, l.action, l.post]), [['0', 'post_held', pid]]);

  // Others: a placeholder in its place, nothing in search, nothing on the notifications page.
  for (const who of [a, c]) {
    const seen = await page(`/t/${t}`, who.jar);
    const p = postsOn(seen.body).get(n);
    assert.ok(p, 'the post keeps its place');
    assert.match(p.li, /This post waits for a moderator's review\./);
    assert.ok(!seen.body.includes(after) && !seen.body.includes(before));
    for (const w of [before, after]) assert.equal(searchResults((await page(`/search?q=${w}`, who.jar)).body).length, 0, w);
  }
  const items = await notificationItems(a.jar);
  assert.ok(!items.some((x) => x.includes(after)), 'the new words are on no notification');
  assert.ok(!items.some((x) => x.includes(`/t/${t}/p/${n}"`)), 'the notification of a held post is not listed');
  assert.ok(!(await outboxSince(box0)).some((x) => x.body.includes(after)), 'no message carries the new words');

  // The author sees it with why; the moderator approves it where it is.
  const own = postsOn((await page(`/t/${t}`, b.jar)).body).get(n);
  assert.match(own.li, /Waiting for a moderator's approval\./);
  assert.ok(own.li.includes(after));
  const modPost = postsOn((await page(`/t/${t}`, mod.jar)).body).get(n);
  assert.match(modPost.li, new RegExp(`action="/posts/${pid}/approve"`));
  assert.equal((await act(mod.jar, `/posts/${pid}/approve`)).status, 303);
  assert.equal(await sql('SELECT held::text || number FROM posts WHERE id = $1', [pid]), `false${n}`, 'same number');
  assert.equal(await sql('SELECT last_number FROM threads WHERE id = $1', [t]), String(n), 'the thread did not move');
  assert.equal(searchResults((await page(`/search?q=${after}`, c.jar)).body).length, 1);
  assert.equal(await sql('SELECT resolution FROM flags WHERE post_id = $1', [pid]), 'approved');
});

// ---------------------------------------------------------------------------------------
test('a content note folds the text in the thread, search and notifications, keeps it out of mail, and links to support', async () => {
  const { a, b, c } = P;
  const t = await startThread(a.jar, S, `What we carry ${uniq()}`, 'Write about a death you still carry, if you want to.');
  const word = `Marigold${uniq()}`;
  const box0 = await lastOutboxId();
  const r = await postReply(b.jar, t, { body: `He was four. ${word} was his word for the sea.`, note: '  death of a child  ' });
  assert.equal(r.status, 303, errorText(r.body));
  const n = Number(/#p(\d+)$/.exec(r.headers.location)[1]);
  const pid = await postId(t, n);
  assert.equal(await sql('SELECT content_note FROM posts WHERE id = $1', [pid]), 'death of a child', 'trimmed');

  // The thread page: folded, with the support link.
  const th = await page(`/t/${t}`, c.jar);
  const p = postsOn(th.body).get(n);
  const fold = /<details class="content-note">\s*<summary>Content note: death of a child<\/summary>\s*<div class="post-body">([\s\S]*?)<\/div>\s*<\/details>/.exec(p.li);
  assert.ok(fold, p.li);
  assert.ok(fold[1].includes(word), 'the text is inside the fold');
  assert.ok(!p.li.replace(fold[0], '').includes(word), 'and nowhere else');
  assert.ok(p.li.includes(`<a href="/series/${SLUG}/support">Support for clinicians</a>`), 'the support page is linked');
  assert.ok(!p.li.includes(' open'), 'closed until the reader opens it');
  const plain = postsOn(th.body).get(1);
  assert.ok(!plain.li.includes('<details'), 'a post without a note is not folded');

  // Search: the snippet is folded.
  const sr = await page(`/search?q=${word}`, c.jar);
  const res = /<li>\s*<p><a href="\/t\/\d+\/p\/\d+">[\s\S]*?<\/li>/.exec(sr.body)[0];
  assert.match(res, /<details class="content-note"><summary>Content note: death of a child<\/summary><p class="snippet">[\s\S]*Marigold[\s\S]*<\/p><\/details>/);

  // Notifications: the thread's author's excerpt is folded.
  const items = await notificationItems(a.jar);
  const item = items.find((x) => x.includes(`/t/${t}/p/${n}"`));
  assert.ok(item, 'a is told of the reply');
  assert.match(item, /<details class="content-note excerpt"><summary>[^<]*Content note: death of a child<\/summary><p class="muted">[^<]*Marigold[^<]*<\/p><\/details>/);

  // Mail: the note, no excerpt, and where to read it.
  const mail = (await outboxSince(box0)).filter((x) => x.to === a.email && x.kind.startsWith('notification'));
  assert.equal(mail.length, 1);
  assert.ok(mail[0].body.includes('Content note: death of a child\n\nThe post is not quoted here: open the thread when you are ready to read it.'), mail[0].body);
  assert.ok(!mail[0].body.includes(word), 'the excerpt is left out');
  assert.ok(mail[0].body.includes(`/t/${t}/p/${n}`), 'the link is there');
});

// ---------------------------------------------------------------------------------------
test('the note is edited with the post, and an earlier version keeps its note', async () => {
  const { b } = P;
  const t = await startThread(b.jar, S, `A first loss ${uniq()}`, 'I lost my first patient this week.');
  const pid = await postId(t, 1);
  const edit = await page(`/posts/${pid}/edit`, b.jar);
  assert.equal(noteOf(edit.body), '');
  const r = await act(b.jar, `/posts/${pid}/edit`, { action: 'save', body: 'I lost my first patient this week.', note: 'death of a patient' });
  assert.equal(r.status, 303);
  assert.equal(await sql('SELECT content_note FROM posts WHERE id = $1', [pid]), 'death of a patient');
  assert.equal(noteOf((await page(`/posts/${pid}/edit`, b.jar)).body), 'death of a patient', 'the edit form shows the note');
  const r2 = await act(b.jar, `/posts/${pid}/edit`, { action: 'save', body: 'I lost my first patient this week. Thank you all.', note: '' });
  assert.equal(r2.status, 303);
  assert.equal(await sql('SELECT content_note FROM posts WHERE id = $1', [pid]), '', 'an empty field takes the note away');
  assert.equal(await sql("SELECT string_agg(quote_literal(content_note), ',' ORDER BY id) FROM post_revisions WHERE post_id = $1", [pid]),
    "'','death of a patient'", 'the revisions keep the notes they had');
});

// ---------------------------------------------------------------------------------------
test('a note given by an edit takes the excerpt out of mail not yet sent', async () => {
  const { a, b } = P;
  const t = await startThread(a.jar, S, `The corridor ${uniq()}`, 'Where do you go after a death on the unit?');
  const word = `Larkspur${uniq()}`;
  const box0 = await lastOutboxId();
  const n = await reply(b.jar, t, `To the stairwell. ${word} is what I whisper there.`);
  const pid = await postId(t, n);
  const before = (await outboxSince(box0)).filter((x) => x.to === a.email && x.kind.startsWith('notification'));
  assert.equal(before.length, 1);
  assert.ok(before[0].body.includes(word), 'the message quotes the reply');
  const r = await act(b.jar, `/posts/${pid}/edit`, { action: 'save', body: `To the stairwell. ${word} is what I whisper there.`, note: 'grief at work' });
  assert.equal(r.status, 303);
  const after = (await outboxSince(box0)).filter((x) => x.to === a.email && x.kind.startsWith('notification'));
  assert.equal(after.length, 1, 'the same message, rewritten');
  assert.ok(!after[0].body.includes(word), after[0].body);
  assert.ok(after[0].body.includes('Content note: grief at work\n\nThe post is not quoted here: open the thread when you are ready to read it.'), after[0].body);
  const item = (await notificationItems(a.jar)).find((x) => x.includes(`/t/${t}/p/${n}"`));
  assert.match(item, /<summary>[^<]*Content note: grief at work<\/summary>/, 'the notifications page folds the excerpt');
});

// ---------------------------------------------------------------------------------------
test('bad content notes are refused with the form kept and nothing changed', async () => {
  const { a } = P;
  const t = await startThread(a.jar, S, `Notes ${uniq()}`, 'A post to edit.');
  const pid = await postId(t, 1);
  const long = 'x'.repeat(101);
  const exact = 'é'.repeat(100);
  const title = `A hard week ${uniq()}`;
  const body = 'It was a hard week on the unit.';
  for (const [note, words] of [
    ['   ', /A content note needs words \(for example “death of a child”\); leave the field empty for no note\./],
    [long, /A content note can be at most 100 characters; this one has 101\./],
    ['one\ntwo', /A content note is one line\./],
  ]) {
    const s0 = await state();
    const nt = await postThread(a.jar, S, { title, body, note });
    assert.equal(nt.status, 422, JSON.stringify(note));
    assert.match(errorText(nt.body), words);
    assert.match(errorText(nt.body), /Nothing was posted\.$/);
    assert.equal(textareaOf(nt.body), body);
    assert.equal(textOf(/<input id="title" name="title"[^>]*value="([^"]*)"/.exec(nt.body)[1]), title);
    assert.equal(noteOf(nt.body), note, 'the note as typed');
    const rp = await postReply(a.jar, t, { body, note });
    assert.equal(rp.status, 422);
    assert.match(errorText(rp.body), words);
    assert.equal(textareaOf(rp.body), body);
    const ed = await act(a.jar, `/posts/${pid}/edit`, { action: 'save', body: 'Changed.', note });
    assert.equal(ed.status, 422);
    assert.match(errorText(ed.body), words);
    assert.match(errorText(ed.body), /Nothing was changed\.$/);
    assert.equal(textareaOf(ed.body), 'Changed.');
    await assertSame(s0, `the note ${JSON.stringify(note)}`);
  }
  // A hundred characters (not bytes) is allowed.
  const ok = await postReply(a.jar, t, { body, note: exact });
  assert.equal(ok.status, 303);
  assert.equal(await sql("SELECT content_note FROM posts WHERE thread_id = $1 AND content_note <> ''", [t]), exact);
});
