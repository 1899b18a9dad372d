// Moderators' restrictions (issue 11 item 2), over real HTTP against the test server, every
// effect checked in the database: muting a member (the form says until when; a muted
// member reads but cannot post, and gets their text back), lifting a mute, pre-moderation
// (held posts reach only their author and the moderators: not the thread page, thread
// lists and counts, search, notifications or the outbox of anyone else, until approved;
// approval numbers, counts, indexes and notifies them at the time they were written;
// rejection tells the author why), slow mode (enforced with the pinned clock, moderators
// exempt). Every action's bad inputs: non-moderators, people who cannot read the space,
// unknown ids, ids of another space, bad CSRF, out-of-range durations; each refused with
// nothing changed. Every action is in the moderation log.
//
// The cast is made for this file in the Foundations 2025-10 cohort (the demo leaves it
// empty): a facilitator who moderates it, three learners, and a facilitator and a learner
// of Foundations 2026-01 who cannot read it. The space's pre-moderation and the threads'
// slow mode are turned off again at the end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeConnections, textOf } from './lib.mjs';
import { setClock, closeSql, realNow } from './accounts-lib.mjs';
import {
  sql, uniq, mainText, spaceOf, postThread, startThread, postReply, reply, act, postId,
  postsOn, textareaOf, threadList, searchResults, notificationsOn, headerBadge,
} from './forum-lib.mjs';
import {
  errorText, page, cast, modState, assertSame, heldOn, logSince, lastLogId, lastOutboxId,
  outboxSince,
} from './restriction-lib.mjs';

const F25 = 'foundations-2025-10';
const F26 = 'foundations-2026-01';
const CSRF_WORDS = 'did not come from Cairn, so nothing was changed';

let S;       // the F25 cohort space
let S26;     // the F26 cohort space
let P;       // the cast
let T0;      // the pinned clock's start

before(async () => {
  S = await spaceOf(F25);
  S26 = await spaceOf(F26);
  P = await cast(F25, F26, 'rs');
  T0 = realNow() - 7200;
  await setClock(T0);
});

after(async () => {
  await setClock(0).catch(() => {});
  await sql('UPDATE spaces SET premoderated = false WHERE id = $1', [S]).catch(() => {});
  await sql('UPDATE threads SET slow_minutes = 0 WHERE space_id = $1', [S]).catch(() => {});
  closeSql();
  closeConnections();
});

/** The ISO local time (no offset) of unix seconds in a zone, as PostgreSQL writes it. */
async function localIso(unix, zone) {
  return sql(`SELECT to_char(to_timestamp($1) AT TIME ZONE $2, 'YYYY-MM-DD"T"HH24:MI:SS')`,
    [unix, zone]);
}

/** The <time datetime> values of a fragment of HTML. */
function timesIn(html) {
  return [...html.matchAll(/<time datetime="([^"]+)">([^<]*)<\/time>/g)].map((m) => ({ iso: m[1], text: m[2] }));
}

const count = async (q, params) => Number(await sql(q, params));

// ---------------------------------------------------------------------------------------
test('mute: the form says until when; a muted member reads but cannot post; it ends on time', async () => {
  const { mod, a, b } = P;
  const t = await startThread(b.jar, S, `Breathlessness at night ${uniq()}`, 'What helps you at 3 am?');
  const aPost = await reply(a.jar, t, 'Fan therapy, **always**.');
  const aPostId = await postId(t, aPost);

  // The form: seven lengths, each with its end in the moderator's zone.
  const form = await page(`/s/${S}/mute/${a.id}?post=${aPostId}`, mod.jar);
  const choices = [...form.body.matchAll(/<input type="radio" name="hours" value="(\d+)"( checked)?> ([^,]+), until (<time[^>]*>[^<]*<\/time>)/g)];
  assert.deepEqual(choices.map((c) => Number(c[1])), [1, 4, 24, 72, 168, 336, 720], 'from an hour to 30 days');
  assert.deepEqual(choices.map((c) => c[3]), ['1 hour', '4 hours', '1 day', '3 days', '1 week', '2 weeks', '30 days']);
  assert.equal(choices.find((c) => c[2])[1], '24', 'a day is chosen to begin with');
  const hourEnd = timesIn(choices[0][4])[0];
  assert.ok(hourEnd.iso.startsWith(await localIso(T0 + 3600, mod.zone)),
    `the hour ends at ${hourEnd.iso} in the moderator's zone`);
  const monthEnd = timesIn(choices[6][4])[0];
  assert.ok(monthEnd.iso.startsWith(await localIso(T0 + 720 * 3600, mod.zone)), 'and 30 days');
  assert.match(form.body, /<input type="hidden" name="post" value="\d+">/, 'the post it came from');

  const log0 = await lastLogId();
  const box0 = await lastOutboxId();
  const r = await act(mod.jar, `/s/${S}/mute/${a.id}`,
    { hours: '1', reason: 'Three posts naming a family member', post: aPostId });
  assert.equal(r.status, 303, errorText(r.body));
  assert.equal(r.headers.location, `/s/${S}/mutes?done=muted`);
  assert.equal(await sql(`SELECT extract(epoch FROM until)::bigint, reason, muted_by FROM mutes
                          WHERE space_id = $1 AND user_id = $2`, [S, a.id]),
  `${T0 + 3600}|Three posts naming a family member|${mod.id}`);
  const [entry] = await logSince(log0);
  assert.deepEqual([entry.action, entry.actor, entry.space, entry.subject, entry.post, entry.reason],
    ['member_muted', mod.id, S, a.id, aPostId, 'Three posts naming a family member']);
  assert.deepEqual(entry.detail, { hours: 1, until: T0 + 3600 });
  const [msg] = (await outboxSince(box0)).filter((m) => m.to === a.email);
  assert.equal(msg.kind, 'member-muted');
  // The subject names the space only: a time in it would be in the member's zone with nothing
  // to say so where it is shown (the admin's outbox page), and the body says until when.
  assert.doesNotMatch(msg.subject, /\d:\d\d/, `the subject holds no time: ${msg.subject}`);
  assert.match(msg.body, /muted you there until .* (EDT|EST)\./, `the message names the time and its zone: ${msg.body}`);
  assert.match(msg.body, /The reason: Three posts naming a family member/);

  // The list of mutes shows it.
  const list = await page(`/s/${S}/mutes?done=muted`, mod.jar);
  assert.match(mainText(list.body), new RegExp(`${a.name} @${a.handle}, until`));

  // The muted member: no reply form or "Start a thread", a sentence saying until when.
  const tp = await page(`/t/${t}`, a.jar);
  assert.doesNotMatch(tp.body, /<textarea id="body"/, 'no reply box');
  assert.doesNotMatch(tp.body, /href="\/s\/\d+\/new"/);
  const muted = /<p class="callout" id="muted">([\s\S]*?)<\/p>/.exec(tp.body);
  assert.ok(muted, 'the thread says the member is muted');
  assert.ok(timesIn(muted[1])[0].iso.startsWith(await localIso(T0 + 3600, a.zone)), 'until when');
  assert.ok(!postsOn(tp.body).get(aPost).quote, 'no quote link either');
  assert.ok(!postsOn(tp.body).get(aPost).edit, 'nor an edit link on their own post');
  // Taking words back adds none: their own post keeps its Delete, and the page that asks first.
  assert.ok(postsOn(tp.body).get(aPost).delete, 'a muted member may still delete their post');
  assert.match((await page(`/posts/${aPostId}/delete`, a.jar)).body, /Delete your post\?/);
  const sp = await page(`/s/${S}`, a.jar);
  assert.doesNotMatch(sp.body, /<a class="button primary" href="\/s\/\d+\/new">Start a thread<\/a>/);
  assert.match(sp.body, /<p class="callout" id="muted">You are muted in this space until <time/);
  const nt = await page(`/s/${S}/new`, a.jar, 403);
  assert.match(nt.body, /id="muted">You are muted in this space until/);
  assert.doesNotMatch(nt.body, /<form method="post" action="\/s\/\d+\/threads"/);

  // Refused: a reply, a thread, an edit. Nothing saved; the text is shown back.
  const before0 = await modState();
  const draft = 'My draft about <night> & "fans" that must not be lost';
  const rr = await postReply(a.jar, t, { body: draft });
  assert.equal(rr.status, 403);
  assert.match(errorText(rr.body), /You are muted in this space, so nothing was posted/);
  const kept = /<textarea id="draft" rows="6" readonly>([\s\S]*?)<\/textarea>/.exec(rr.body);
  assert.ok(kept, 'the draft is on the page');
  assert.equal(textOf(kept[1]), draft);
  const rt = await postThread(a.jar, S, { title: 'A title to keep', body: draft });
  assert.equal(rt.status, 403);
  assert.match(rt.body, /<input id="draft-title" readonly value="A title to keep">/);
  assert.equal(textOf(/<textarea id="draft" rows="10" readonly>([\s\S]*?)<\/textarea>/.exec(rt.body)[1]), draft);
  const re = await act(a.jar, `/posts/${aPostId}/edit`, { body: 'changed', action: 'post' });
  assert.equal(re.status, 403);
  assert.match(errorText(re.body), /You are muted in this space/);
  await assertSame(before0, 'a muted member posting');
  // They still read and react.
  const hp = await act(a.jar, `/posts/${await postId(t, 1)}/helpful`);
  assert.equal(hp.status, 303, 'a muted member still marks posts helpful');

  // The hour passes: they post again. (The tests below run later still.)
  await setClock(T0 + 3601);
  const n = await reply(a.jar, t, 'Back after an hour.');
  assert.ok(n > aPost);
  assert.equal((await page(`/s/${S}/mutes`, mod.jar)).body.includes(`@${a.handle}`), false,
    'an ended mute leaves the list');
});

test('unmute: lifted at once, logged; lifting it twice says so', async () => {
  const { mod, b } = P;
  assert.equal((await act(mod.jar, `/s/${S}/mute/${b.id}`, { hours: '720' })).status, 303);
  assert.equal((await page(`/s/${S}/new`, b.jar, 403)).status, 403);
  const log0 = await lastLogId();
  const r = await act(mod.jar, `/s/${S}/unmute/${b.id}`);
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, `/s/${S}/mutes?done=unmuted`);
  assert.equal(await count('SELECT count(*) FROM mutes WHERE space_id = $1 AND user_id = $2', [S, b.id]), 0);
  const [entry] = await logSince(log0);
  assert.deepEqual([entry.action, entry.subject, entry.reason], ['member_unmuted', b.id, '']);
  await page(`/s/${S}/new`, b.jar);
  const again = await act(mod.jar, `/s/${S}/unmute/${b.id}`);
  assert.equal(again.status, 409);
  assert.match(errorText(again.body), /not muted in this space/);
});

test('mute: bad inputs are refused and change nothing', async () => {
  const { mod, a, b, c, otherMod, outsider } = P;
  const t = await startThread(c.jar, S, `Mute inputs ${uniq()}`, 'x');
  const otherThread = await startThread(outsider.jar, S26, `Elsewhere ${uniq()}`, 'y');
  const otherPost = await postId(otherThread, 1);
  const before0 = await modState();
  const tries = [
    // who asks
    [b.jar, `/s/${S}/mute/${c.id}`, { hours: '1' }, 403, /Only the space's moderators/],
    [otherMod.jar, `/s/${S}/mute/${c.id}`, { hours: '1' }, 404, null],
    [outsider.jar, `/s/${S}/mute/${c.id}`, { hours: '1' }, 404, null],
    // whom, where
    [mod.jar, `/s/${S}/mute/999999999`, { hours: '1' }, 404, /not a member of this space/],
    [mod.jar, `/s/${S}/mute/${outsider.id}`, { hours: '1' }, 404, /not a member of this space/],
    [mod.jar, `/s/${S26}/mute/${outsider.id}`, { hours: '1' }, 404, null],
    [mod.jar, `/s/999999999/mute/${c.id}`, { hours: '1' }, 404, null],
    [mod.jar, `/s/${S}/mute/0${c.id}`, { hours: '1' }, 404, null],
    [mod.jar, `/s/${S}/mute/${mod.id}`, { hours: '1' }, 409, /Moderators of a space are not muted/],
    [mod.jar, `/s/${S}/mute/${c.id}`, { hours: '1', post: otherPost }, 404, /not in this space/],
    [mod.jar, `/s/${S}/mute/${c.id}`, { hours: '1', post: 'x1' }, 404, /not in this space/],
    [mod.jar, `/s/${S}/mute/${a.id}`, { hours: '1', post: await postId(t, 1) }, 404, /not by this person/],
    // how long, why
    [mod.jar, `/s/${S}/mute/${c.id}`, { hours: '0' }, 422, /from 1 hour to 30 days/],
    [mod.jar, `/s/${S}/mute/${c.id}`, { hours: '721' }, 422, /from 1 hour to 30 days/],
    [mod.jar, `/s/${S}/mute/${c.id}`, { hours: '-5' }, 422, /from 1 hour to 30 days/],
    [mod.jar, `/s/${S}/mute/${c.id}`, { hours: '1.5' }, 422, /from 1 hour to 30 days/],
    [mod.jar, `/s/${S}/mute/${c.id}`, {}, 422, /from 1 hour to 30 days/],
    [mod.jar, `/s/${S}/mute/${c.id}`, { hours: '2', reason: 'é'.repeat(501) }, 422, /at most 500 characters/],
    // CSRF
    [mod.jar, `/s/${S}/mute/${c.id}`, { hours: '1', csrf: 'forged' }, 403, new RegExp(CSRF_WORDS)],
    [mod.jar, `/s/${S}/unmute/${c.id}`, { csrf: 'forged' }, 403, new RegExp(CSRF_WORDS)],
    [b.jar, `/s/${S}/unmute/${c.id}`, {}, 403, /Only the space's moderators/],
    [otherMod.jar, `/s/${S}/unmute/${c.id}`, {}, 404, null],
  ];
  for (const [jar, path, fields, status, words] of tries) {
    const r = await act(jar, path, fields);
    assert.equal(r.status, status, `${path} ${JSON.stringify(fields).slice(0, 80)}: ${r.status} ${errorText(r.body)}`);
    if (words) assert.match(errorText(r.body), words, path);
  }
  // The form comes back with the reason typed and the choice made.
  const r = await act(mod.jar, `/s/${S}/mute/${c.id}`, { hours: '5000', reason: 'Kept reason' });
  assert.match(r.body, /<textarea id="reason" name="reason"[^>]*>Kept reason<\/textarea>/);
  await assertSame(before0, 'refused mutes');
  // The pages refuse too.
  await page(`/s/${S}/mutes`, b.jar, 403);
  await page(`/s/${S}/mutes`, outsider.jar, 404);
  await page(`/s/${S}/mute/${c.id}`, b.jar, 403);
  await page(`/s/${S}/mute/${c.id}?post=${otherPost}`, mod.jar, 404);
  await page(`/s/${S}/mute/${mod.id}`, mod.jar, 409);
});

// ---------------------------------------------------------------------------------------
test('held posts reach only their author and the moderators until approved', async () => {
  const { mod, a, b, c, outsider } = P;
  const T1 = T0 + 4000;
  await setClock(T1);
  const word = `Quillon${uniq()}`;
  const t = await startThread(b.jar, S, `Held replies ${uniq()}`, 'Opening, before pre-moderation.');
  const log0 = await lastLogId();

  // Pre-moderation: bad values and non-moderators first.
  const before0 = await modState();
  assert.equal((await act(mod.jar, `/s/${S}/premoderation`, { premoderated: 'maybe' })).status, 422);
  assert.equal((await act(mod.jar, `/s/${S}/premoderation`, {})).status, 422);
  assert.equal((await act(b.jar, `/s/${S}/premoderation`, { premoderated: 'on' })).status, 403);
  assert.equal((await act(outsider.jar, `/s/${S}/premoderation`, { premoderated: 'on' })).status, 404);
  assert.equal((await act(mod.jar, `/s/${S}/premoderation`, { premoderated: 'on', csrf: 'forged' })).status, 403);
  await assertSame(before0, 'refused pre-moderation switches');
  const on = await act(mod.jar, `/s/${S}/premoderation`, { premoderated: 'on' });
  assert.equal(on.status, 303);
  assert.equal(on.headers.location, `/s/${S}/held?done=on`);
  assert.equal(await sql('SELECT premoderated FROM spaces WHERE id = $1', [S]), 't');
  assert.deepEqual((await logSince(log0)).map((e) => e.action), ['premoderation_on']);
  assert.match((await page(`/t/${t}`, a.jar)).body, /id="held-here">A moderator approves new posts/);

  // a writes a reply mentioning c, at T1 + 60.
  await setClock(T1 + 60);
  const threadBefore = await sql('SELECT last_number, last_post_at, last_poster_id FROM threads WHERE id = $1', [t]);
  const notesBefore = await count('SELECT count(*) FROM notifications WHERE thread_id = $1', [t]);
  const box0 = await lastOutboxId();
  const badgeB = headerBadge((await page('/spaces', b.jar)).body);
  const r = await postReply(a.jar, t, { body: `About @${c.handle} and ${word}.` });
  assert.equal(r.status, 303, errorText(r.body));
  const m = new RegExp(`^/t/${t}\\?page=1&done=held#h(\\d+)$`).exec(r.headers.location);
  assert.ok(m, `redirected to the waiting post: ${r.headers.location}`);
  const held = m[1];
  assert.equal(await sql(`SELECT held, number IS NULL, search = ''::tsvector, hidden FROM posts WHERE id = $1`, [held]),
    't|t|t|f', 'held, unnumbered, not in search');
  assert.equal(await sql('SELECT last_number, last_post_at, last_poster_id FROM threads WHERE id = $1', [t]),
    threadBefore, 'the thread\'s counters did not move');
  assert.equal(await count('SELECT count(*) FROM notifications WHERE thread_id = $1', [t]), notesBefore, 'nobody was notified');
  assert.equal(await count('SELECT count(*) FROM outbox WHERE id > $1', [box0]), 0, 'nothing queued');
  assert.equal(await count('SELECT count(*) FROM mentions WHERE post_id = $1', [held]), 1, 'the mention is kept for later');

  // The author sees it, marked; the moderator sees it with Approve; others see nothing.
  const mine = await page(`/t/${t}?done=held`, a.jar);
  assert.match(mine.body, /Your post was saved\. A moderator approves new posts in this space/);
  const [h] = heldOn(mine.body);
  assert.ok(h && h.id === held && h.waiting && !h.approve && h.edit, 'the author sees it waiting');
  assert.ok(h.body.includes(word));
  const modView = heldOn((await page(`/t/${t}`, mod.jar)).body);
  assert.ok(modView.some((x) => x.id === held && x.approve && x.reject), 'the moderator can approve or reject it');
  for (const who of [b, c]) {
    const v = await page(`/t/${t}`, who.jar);
    assert.ok(!v.body.includes(word), `${who.handle} does not see the held post`);
    assert.deepEqual(heldOn(v.body), []);
    assert.deepEqual([...postsOn(v.body).keys()], [1]);
  }
  const listB = threadList((await page(`/s/${S}`, b.jar)).body).threads.find((x) => x.id === t);
  assert.deepEqual([listB.replies, listB.unread], [0, 0], 'the space list counts no new reply');
  assert.equal(headerBadge((await page('/spaces', b.jar)).body), badgeB, 'no badge');
  for (const who of [b, mod]) {
    assert.deepEqual(searchResults((await page(`/search?q=${word}`, who.jar)).body), [], 'search does not find it');
  }
  assert.ok(!notificationsOn((await page('/notifications', c.jar)).body).some((n) => n.thread === t), 'no mention yet');
  await page(`/posts/${held}/edit`, b.jar, 404);
  assert.equal((await act(b.jar, `/posts/${held}/helpful`)).status, 404);
  await page(`/posts/${held}/revisions`, b.jar, 404);
  await page(`/t/${t}/p/2`, b.jar, 404);

  // A new thread by a member is held whole: others do not know it exists.
  const title = `A held thread ${uniq()}`;
  const nt = await postThread(a.jar, S, { title, body: `Opening ${word} thread.` });
  assert.equal(nt.status, 303);
  const ht = /^\/t\/(\d+)\?done=held$/.exec(nt.headers.location)[1];
  assert.equal(await sql('SELECT last_number FROM threads WHERE id = $1', [ht]), '0');
  await page(`/t/${ht}`, b.jar, 404);
  assert.equal((await postReply(b.jar, ht, { body: 'x' })).status, 404);
  assert.ok(!threadList((await page(`/s/${S}`, b.jar)).body).threads.some((x) => x.id === ht), 'not in the list for others');
  const mineList = threadList((await page(`/s/${S}`, a.jar)).body);
  assert.ok(mineList.threads.some((x) => x.id === ht), 'the author finds it');
  assert.match((await page(`/s/${S}`, a.jar)).body, new RegExp(`<span class="tag">Waiting for approval</span> <a href="/t/${ht}">`));
  const heldThreadPage = await page(`/t/${ht}`, a.jar);
  assert.match(heldThreadPage.body, /id="held-thread">This thread's first post waits/);
  assert.doesNotMatch(heldThreadPage.body, /<textarea id="body"/, 'no replies yet');
  const early = await postReply(a.jar, ht, { body: 'My own reply to keep' });
  assert.equal(early.status, 409);
  assert.match(early.body, /<textarea id="draft" rows="6" readonly>My own reply to keep<\/textarea>/);
  const early2 = await postReply(mod.jar, ht, { body: 'A moderator cannot reply yet either' });
  assert.equal(early2.status, 409);

  // The moderators' list of what waits.
  const list = await page(`/s/${S}/held`, mod.jar);
  assert.match(list.body, /<h2 id="premod-h">Pre-moderation is on<\/h2>/);
  const ids = [...list.body.matchAll(/<li class="post held" id="h(\d+)">/g)].map((x) => x[1]);
  assert.ok(ids.includes(held) && ids.includes(await sql('SELECT id FROM posts WHERE thread_id = $1', [ht])));
  assert.match(list.body, /<span class="tag">new thread<\/span>/);
  await page(`/s/${S}/held`, b.jar, 403);
  await page(`/s/${S}/held`, outsider.jar, 404);
  assert.match((await page(`/s/${S}`, mod.jar)).body, /<a href="\/s\/\d+\/held">waiting for approval \((\d+)\)<\/a> · pre-moderation on/);

  // Approve the reply, ten minutes after it was written.
  await setClock(T1 + 660);
  const log1 = await lastLogId();
  const box1 = await lastOutboxId();
  const ap = await act(mod.jar, `/posts/${held}/approve`);
  assert.equal(ap.status, 303, errorText(ap.body));
  assert.equal(ap.headers.location, `/t/${t}/p/2`);
  assert.equal(await sql(`SELECT held, number, hidden, search @@ plainto_tsquery('english', $2),
                                 extract(epoch FROM created_at)::bigint FROM posts WHERE id = $1`, [held, word]),
  `f|2|f|t|${T1 + 60}`, 'numbered, searchable, still dated when written');
  assert.equal(await sql(`SELECT last_number, extract(epoch FROM last_post_at)::bigint, last_poster_id
                          FROM threads WHERE id = $1`, [t]), `2|${T1 + 60}|${a.id}`);
  assert.equal(await sql(`SELECT string_agg(user_id || ':' || kind || ':' || extract(epoch FROM created_at)::bigint, ','
                                 ORDER BY user_id) FROM notifications WHERE post_id = $1`, [held]),
  [`${b.id}:reply:${T1 + 60}`, `${c.id}:mention:${T1 + 60}`].sort((x, y) => Number(x.split(':')[0]) - Number(y.split(':')[0])).join(','),
  'the thread\'s author and the person mentioned are told, at the post\'s own time');
  const mail = await outboxSince(box1);
  assert.ok(mail.some((x) => x.to === b.email && x.kind === 'notification-reply' && x.body.includes(word)), 'b gets mail');
  assert.ok(mail.some((x) => x.to === c.email && x.kind === 'notification-mention'), 'c gets mail');
  assert.ok(mail.some((x) => x.to === a.email && x.kind === 'post-approved'), 'the author is told');
  const [ae] = await logSince(log1);
  assert.deepEqual([ae.action, ae.actor, ae.thread, ae.post, ae.subject], ['post_approved', mod.id, t, held, a.id]);
  const bv = await page(`/t/${t}`, b.jar);
  assert.ok(postsOn(bv.body).get(2).body.includes(word), 'everyone reads it now');
  assert.equal(searchResults((await page(`/search?q=${word}`, b.jar)).body).length, 1, 'and finds it');
  assert.ok(notificationsOn((await page('/notifications', c.jar)).body).some((n) => n.thread === t && n.lead === a.name));
  const again = await act(mod.jar, `/posts/${held}/approve`);
  assert.equal(again.status, 409);

  // Reject the held thread's opening post: a reason is needed, the author is told.
  const opening = await sql('SELECT id FROM posts WHERE thread_id = $1', [ht]);
  const form = await page(`/posts/${opening}/reject`, mod.jar);
  assert.match(form.body, /<textarea id="reason" name="reason" rows="3" required/);
  const before1 = await modState();
  const noConfirm = await act(mod.jar, `/posts/${opening}/reject`, { reason: 'x' });
  assert.equal(noConfirm.status, 303);
  assert.equal(noConfirm.headers.location, `/posts/${opening}/reject`);
  const empty = await act(mod.jar, `/posts/${opening}/reject`, { confirmed: 'yes', reason: '  \n ' });
  assert.equal(empty.status, 422);
  assert.match(errorText(empty.body), /Tell the author why/);
  const long = await act(mod.jar, `/posts/${opening}/reject`, { confirmed: 'yes', reason: 'r'.repeat(501) });
  assert.equal(long.status, 422);
  assert.equal((await act(b.jar, `/posts/${opening}/reject`, { confirmed: 'yes', reason: 'no' })).status, 404,
    'a member who cannot see the post');
  assert.equal((await act(P.otherMod.jar, `/posts/${opening}/reject`, { confirmed: 'yes', reason: 'no' })).status, 404);
  assert.equal((await act(mod.jar, `/posts/${opening}/reject`, { confirmed: 'yes', reason: 'no', csrf: 'forged' })).status, 403);
  await assertSame(before1, 'refused rejections');
  const log2 = await lastLogId();
  const box2 = await lastOutboxId();
  const rj = await act(mod.jar, `/posts/${opening}/reject`, { confirmed: 'yes', reason: 'Please start this in the series space.' });
  assert.equal(rj.status, 303);
  assert.equal(rj.headers.location, `/t/${ht}`);
  assert.equal(await sql('SELECT held, hidden, hidden_reason FROM posts WHERE id = $1', [opening]),
    't|t|Please start this in the series space.');
  const [re] = await logSince(log2);
  assert.deepEqual([re.action, re.post, re.subject, re.reason], ['post_rejected', opening, a.id, 'Please start this in the series space.']);
  const [told] = (await outboxSince(box2)).filter((x) => x.to === a.email);
  assert.equal(told.kind, 'post-rejected');
  assert.match(told.body, /The reason: Please start this in the series space\./);
  const seen = heldOn((await page(`/t/${ht}`, a.jar)).body);
  assert.equal(seen[0].rejected, true);
  assert.equal(seen[0].reason, 'Please start this in the series space.');
  await page(`/t/${ht}`, b.jar, 404);
  assert.equal((await act(mod.jar, `/posts/${opening}/reject`, { confirmed: 'yes', reason: 'again' })).status, 409);
  await page(`/posts/${opening}/reject`, mod.jar, 409);

  // The author deletes it: the waiting thread goes with it.
  const del = await act(a.jar, `/posts/${opening}/delete`, { confirmed: 'yes' });
  assert.equal(del.status, 303);
  assert.equal(del.headers.location, `/s/${S}`);
  assert.equal(await count('SELECT count(*) FROM threads WHERE id = $1', [ht]), 0);

  // Approve a held thread's opening post: the thread appears, numbered from 1, found by
  // its title.
  const titleWord = `Marigold${uniq()}`;
  const nt2 = await postThread(a.jar, S, { title: `About ${titleWord}`, body: 'A thread to approve.' });
  const ht2 = /^\/t\/(\d+)\?done=held$/.exec(nt2.headers.location)[1];
  const opening2 = await sql('SELECT id FROM posts WHERE thread_id = $1', [ht2]);
  assert.deepEqual(searchResults((await page(`/search?q=${titleWord}`, mod.jar)).body), []);
  const ap2 = await act(mod.jar, `/posts/${opening2}/approve`, { back: 'held' });
  assert.equal(ap2.status, 303);
  assert.equal(ap2.headers.location, `/s/${S}/held?done=approved`);
  assert.equal(await sql('SELECT last_number, last_poster_id FROM threads WHERE id = $1', [ht2]), `1|${a.id}`);
  assert.ok(threadList((await page(`/s/${S}`, b.jar)).body).threads.some((x) => x.id === ht2 && x.unread === 1),
    'others find it, unread');
  await page(`/t/${ht2}`, b.jar);
  assert.deepEqual(searchResults((await page(`/search?q=${titleWord}`, b.jar)).body).map((x) => x.thread), [ht2]);
  assert.match((await page(`/s/${S}/held?done=approved`, mod.jar)).body, /Approved: the post is in its thread/);

  // Approving: who may, and what.
  const before2 = await modState();
  const nonHeld = await postId(t, 1);
  for (const [jar, path, status] of [
    [b.jar, `/posts/${nonHeld}/approve`, 403],
    [P.otherMod.jar, `/posts/${nonHeld}/approve`, 404],
    [mod.jar, '/posts/999999999/approve', 404],
    [mod.jar, '/posts/01/approve', 404],
    [mod.jar, `/posts/${nonHeld}/approve`, 409],
  ]) {
    const x = await act(jar, path);
    assert.equal(x.status, status, `${path}: ${x.status} ${errorText(x.body)}`);
  }
  await assertSame(before2, 'refused approvals');

  // Off again: members' posts appear at once; what waited still waits.
  const off = await act(mod.jar, `/s/${S}/premoderation`, { premoderated: 'off' });
  assert.equal(off.status, 303);
  assert.equal(await sql('SELECT premoderated FROM spaces WHERE id = $1', [S]), 'f');
  const n = await reply(a.jar, t, 'Straight in.');
  assert.equal(n, 3);
});

// ---------------------------------------------------------------------------------------
test('slow mode: a member waits N minutes between posts; moderators do not', async () => {
  const { mod, a, b, outsider, otherMod } = P;
  const T2 = T0 + 5000;
  await setClock(T2);
  const t = await startThread(b.jar, S, `Slow thread ${uniq()}`, 'Take your time.');
  const log0 = await lastLogId();

  const before0 = await modState();
  for (const [jar, path, fields, status] of [
    [mod.jar, `/t/${t}/slow`, { minutes: '1441' }, 422],
    [mod.jar, `/t/${t}/slow`, { minutes: '-1' }, 422],
    [mod.jar, `/t/${t}/slow`, { minutes: 'ten' }, 422],
    [mod.jar, `/t/${t}/slow`, {}, 422],
    [a.jar, `/t/${t}/slow`, { minutes: '10' }, 403],
    [outsider.jar, `/t/${t}/slow`, { minutes: '10' }, 404],
    [otherMod.jar, `/t/${t}/slow`, { minutes: '10' }, 404],
    [mod.jar, '/t/999999999/slow', { minutes: '10' }, 404],
    [mod.jar, `/t/${t}/slow`, { minutes: '10', csrf: 'forged' }, 403],
  ]) {
    const r = await act(jar, path, fields);
    assert.equal(r.status, status, `${path} ${JSON.stringify(fields)}: ${r.status} ${errorText(r.body)}`);
    if (status === 422) assert.match(errorText(r.body), /from 1 to 1440/);
  }
  await assertSame(before0, 'refused slow-mode changes');

  const on = await act(mod.jar, `/t/${t}/slow`, { minutes: '10' });
  assert.equal(on.status, 303);
  assert.equal(await sql('SELECT slow_minutes FROM threads WHERE id = $1', [t]), '10');
  const [e] = await logSince(log0);
  assert.deepEqual([e.action, e.thread, e.detail], ['slow_mode_on', t, { minutes: 10 }]);
  assert.match((await page(`/t/${t}`, mod.jar)).body, /<summary>Slow mode: on, one post every 10 minutes<\/summary>/);

  // a posts at T2; a minute later they are refused until T2 + 600.
  assert.equal(await reply(a.jar, t, 'First.'), 2);
  const tp = await page(`/t/${t}`, a.jar);
  const slow = /<p class="callout" id="slow">([\s\S]*?)<\/p>/.exec(tp.body);
  assert.ok(slow, 'the form says slow mode is on');
  assert.match(textOf(slow[1]), /one post every 10 minutes per person in this thread\. You may post again at/);
  assert.ok(timesIn(slow[1])[0].iso.startsWith(await localIso(T2 + 600, a.zone)), 'at the right time');
  await setClock(T2 + 60);
  const before1 = await modState();
  const draft = 'Second thoughts, kept';
  const r = await postReply(a.jar, t, { body: draft });
  assert.equal(r.status, 429);
  assert.equal(r.headers['retry-after'], '540');
  assert.match(errorText(r.body), /slow mode: one post every 10 minutes per person\. You may post again at .*Nothing was posted/);
  assert.equal(textareaOf(r.body), draft, 'the draft stays in the box');
  await assertSame(before1, 'a post too soon');
  // Others are not slowed by a's post (c has not posted here); moderators not at all.
  assert.equal(await reply(P.c.jar, t, 'I have not posted here yet.'), 3);
  const bSoon = await postReply(b.jar, t, { body: 'b opened the thread at T2' });
  assert.equal(bSoon.status, 429, 'the opening post counts');
  assert.equal(await reply(mod.jar, t, 'Moderator one.'), 4);
  assert.equal(await reply(mod.jar, t, 'Moderator two.'), 5);
  // At T2 + 600 a may post again.
  await setClock(T2 + 599);
  assert.equal((await postReply(a.jar, t, { body: draft })).status, 429, 'one second early');
  await setClock(T2 + 600);
  assert.equal(await reply(a.jar, t, draft), 6);

  const log1 = await lastLogId();
  assert.equal((await act(mod.jar, `/t/${t}/slow`, { minutes: '0' })).status, 303);
  assert.equal(await sql('SELECT slow_minutes FROM threads WHERE id = $1', [t]), '0');
  const [off] = await logSince(log1);
  assert.deepEqual([off.action, off.detail], ['slow_mode_off', { was: 10 }]);
  assert.equal(await reply(a.jar, t, 'No waiting now.'), 7);
});
