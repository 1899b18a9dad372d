// Redacting text that identifies a patient, and purging a post's earlier versions (issue 11
// item 2), over real HTTP against the test server: the text must be nowhere afterwards, as
// SQL over every table that held a copy sees it (posts' source, HTML, plain text and search
// vector, post_revisions, notifications' excerpts, the moderation log) and as the
// administrator's outbox page opens the sealed messages; other posts that quote the text
// are listed for the moderator; the log records the action with counts, never the text;
// the author is told without it. Every bad input is refused with nothing changed.
//
// The cast is made for this file in the Foundations 2025-10 cohort, as in
// restriction.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeConnections } from './lib.mjs';
import { closeSql } from './accounts-lib.mjs';
import {
  sql, uniq, mainText, spaceOf, startThread, reply, act, postId, postsOn, searchResults,
} from './forum-lib.mjs';
import {
  errorText, page, cast, modState, assertSame, logSince, lastLogId, lastOutboxId, outboxSince,
} from './restriction-lib.mjs';

const F25 = 'foundations-2025-10';
const F26 = 'foundations-2026-01';
const MARKER = '[removed by a moderator: identifies a patient]';
const CSRF_WORDS = 'did not come from Cairn, so nothing was changed';

let S;
let P;

before(async () => {
  S = await spaceOf(F25);
  P = await cast(F25, F26, 'rd');
});

after(async () => {
  closeSql();
  closeConnections();
});

const count = async (q, params) => Number(await sql(q, params));

/** Every copy of `text` Cairn holds in the database, by table (search: the vector matches). */
async function copiesOf(text) {
  const like = `%${text}%`;
  return {
    posts: await count(`SELECT count(*) FROM posts WHERE body_src ILIKE $1 OR body_html ILIKE $1
                        OR body_text ILIKE $1`, [like]),
    search: await count(`SELECT count(*) FROM posts WHERE search @@ plainto_tsquery('english', $1)
                         OR search::text ILIKE $2`, [text, like]),
    revisions: await count('SELECT count(*) FROM post_revisions WHERE body_src ILIKE $1', [like]),
    notifications: await count('SELECT count(*) FROM notifications WHERE excerpt ILIKE $1', [like]),
    log: await count('SELECT count(*) FROM moderation_log l WHERE l::text ILIKE $1', [like]),
  };
}

/** The outbox messages since `after` whose subject or body holds text. */
async function mailWith(after, text) {
  return (await outboxSince(after)).filter((m) => m.body.includes(text) || m.subject.includes(text));
}

// ---------------------------------------------------------------------------------------
test('a redaction takes the words out of every copy; posts that quote them are listed', async () => {
  const { mod, a, b, c } = P;
  const secret = `Quenby${uniq()}`;
  const box0 = await lastOutboxId();
  const log0 = await lastLogId();
  // a names a patient, mentioning c (c's notification and mail carry the excerpt), then edits
  // (the first version becomes a revision); b quotes it (a is told, with b's excerpt).
  const t = await startThread(a.jar, S, `A hard family meeting ${uniq()}`,
    `Mrs ${secret} on Tuesday asked for @${c.handle} again.\n\nHow do you *prepare* for that?`);
  const p1 = await postId(t, 1);
  const ed = await act(a.jar, `/posts/${p1}/edit`, { action: 'post',
    body: `Mrs ${secret} on Wednesday asked for @${c.handle} again.\n\nHow do you *prepare* for that?` });
  assert.equal(ed.status, 303);
  const n2 = await reply(b.jar, t, `> @${a.handle} wrote:\n>\n> Mrs ${secret} on Wednesday asked\n\nI met her too.`);
  const p2 = await postId(t, n2);
  await sql(`INSERT INTO flags (post_id, flagger_id, reason, created_at) VALUES ($1, $2, 'identifies_patient', now()),
             ($1, $3, 'off_topic', now())`, [p1, b.id, c.id]);
  const had = await copiesOf(secret);
  assert.deepEqual(had, { posts: 2, search: 2, revisions: 1, notifications: 2, log: 0 }, 'the words were copied');
  assert.equal((await mailWith(box0, secret)).length, 2, 'mail to c (the mention) and to a (the reply)');
  assert.equal(searchResults((await page(`/search?q=${secret}`, mod.jar)).body).length, 2);

  // The page: the source to copy from, the earlier version with its purge link, the caveat.
  const form = await page(`/posts/${p1}/redact`, mod.jar);
  assert.ok(form.body.includes(`Mrs ${secret} on Wednesday`), 'the source is shown');
  assert.match(form.body, /<a class="button secondary" href="\/revisions\/\d+\/purge">Purge this version…<\/a>/);
  assert.match(mainText(form.body), /Backups made before now still hold the text until they expire/);
  assert.match(form.body, /<input type="hidden" name="confirmed" value="yes">/);
  assert.match((await page(`/t/${t}`, mod.jar)).body, new RegExp(`href="/posts/${p1}/redact">Redact`),
    'the thread links each post\'s redaction for moderators');
  assert.doesNotMatch((await page(`/t/${t}`, b.jar)).body, /\/redact"/, 'and for nobody else');

  // Bad inputs change nothing.
  const before0 = await modState();
  for (const [jar, path, fields, status, words] of [
    [b.jar, `/posts/${p1}/redact`, { confirmed: 'yes', passage: secret, scope: 'passage' }, 403, /Only the space's moderators/],
    [P.outsider.jar, `/posts/${p1}/redact`, { confirmed: 'yes', passage: secret, scope: 'passage' }, 404, null],
    [P.otherMod.jar, `/posts/${p1}/redact`, { confirmed: 'yes', passage: secret, scope: 'passage' }, 404, null],
    [mod.jar, '/posts/999999999/redact', { confirmed: 'yes', passage: secret, scope: 'passage' }, 404, null],
    [mod.jar, `/posts/+${p1}/redact`, { confirmed: 'yes', passage: secret, scope: 'passage' }, 404, null],
    [mod.jar, `/posts/${p1}/redact`, { confirmed: 'yes', passage: `${secret}x`, scope: 'passage' }, 422, /not in the post as it is written/],
    [mod.jar, `/posts/${p1}/redact`, { confirmed: 'yes', passage: 'M', scope: 'passage' }, 422, /at least two characters/],
    [mod.jar, `/posts/${p1}/redact`, { confirmed: 'yes', passage: ' M \n', scope: 'passage' }, 422, /at least two characters/],
    [mod.jar, `/posts/${p1}/redact`, { confirmed: 'yes', scope: 'passage' }, 422, /Paste the words/],
    [mod.jar, `/posts/${p1}/redact`, { confirmed: 'yes', passage: secret, scope: 'some' }, 422, /Choose what to remove/],
    [mod.jar, `/posts/${p1}/redact`, { confirmed: 'yes', passage: secret }, 422, /Choose what to remove/],
    [mod.jar, `/posts/${p1}/redact`, { confirmed: 'yes', passage: secret, scope: 'passage', csrf: 'forged' }, 403, new RegExp(CSRF_WORDS)],
  ]) {
    const r = await act(jar, path, fields);
    assert.equal(r.status, status, `${path} ${JSON.stringify(fields)}: ${r.status} ${errorText(r.body)}`);
    if (words) assert.match(errorText(r.body), words);
  }
  const unconfirmed = await act(mod.jar, `/posts/${p1}/redact`, { passage: secret, scope: 'passage' });
  assert.equal(unconfirmed.status, 303, 'without the page\'s confirmation, the page is shown');
  assert.equal(unconfirmed.headers.location, `/posts/${p1}/redact`);
  await assertSame(before0, 'refused redactions');
  await page(`/posts/${p1}/redact`, b.jar, 403);
  await page(`/posts/${p1}/redact`, P.outsider.jar, 404);

  // Redact the words in a's post.
  const box1 = await lastOutboxId();
  const done = await act(mod.jar, `/posts/${p1}/redact`, { confirmed: 'yes', passage: secret, scope: 'passage' });
  assert.equal(done.status, 200, errorText(done.body));
  assert.ok(!done.body.includes(secret), 'the page does not show the words back');
  assert.match(mainText(done.body), /The words were removed from the post\. It is gone from the post's search entry, its notifications and the messages waiting to be sent\. Backups made before now still hold it until they expire\./);
  const listed = [...done.body.matchAll(/<li><a href="\/posts\/(\d+)\/redact">/g)].map((m) => m[1]);
  assert.deepEqual(listed, [p2], 'b\'s quote is listed for redaction');
  assert.equal(await sql('SELECT body_src FROM posts WHERE id = $1', [p1]),
    `Mrs ${MARKER} on Wednesday asked for @${c.handle} again.\n\nHow do you *prepare* for that?`);
  const html = await sql('SELECT body_html FROM posts WHERE id = $1', [p1]);
  assert.ok(html.includes(`<a href="/u/${c.handle}" class="mention">@${c.handle}</a>`), `the mention stays linked: ${html}`);
  assert.ok(html.includes('<em>prepare</em>'), 'the rest is rendered as before');
  assert.equal(await count('SELECT count(*) FROM mentions WHERE post_id = $1', [p1]), 1);
  assert.equal(await sql(`SELECT string_agg(body_src, '') FROM post_revisions WHERE post_id = $1`, [p1]),
    `Mrs ${MARKER} on Tuesday asked for @${c.handle} again.\n\nHow do you *prepare* for that?`,
    'the earlier version is redacted the same way');
  assert.equal(await sql(`SELECT search @@ plainto_tsquery('english', 'prepare family meeting') FROM posts WHERE id = $1`, [p1]), 't',
    'the post is still found by its other words and its title');
  assert.equal(await sql(`SELECT string_agg(reason || ':' || coalesce(resolution, 'open'), ',' ORDER BY reason)
                          FROM flags WHERE post_id = $1`, [p1]),
  'identifies_patient:redacted,off_topic:open', 'the flag that it identifies a patient is resolved');
  const [entry] = await logSince(log0);
  assert.deepEqual([entry.action, entry.actor, entry.space, entry.thread, entry.post, entry.subject, entry.reason],
    ['post_redacted', mod.id, S, t, p1, a.id, 'identifies a patient']);
  assert.deepEqual(entry.detail, { scope: 'passage', occurrences: 1, revisions: 1, notifications: 1, message_rewrites: 2 });
  const told = (await outboxSince(box1)).filter((m) => m.to === a.email && m.kind === 'post-redacted');
  assert.equal(told.length, 1, 'the author is told');
  assert.match(told[0].body, /identified a patient/);
  assert.deepEqual(await copiesOf(secret), { posts: 1, search: 1, revisions: 0, notifications: 1, log: 0 },
    'what is left is b\'s quote');

  // Redact b's quote whole: nothing is left anywhere.
  const done2 = await act(mod.jar, `/posts/${p2}/redact`, { confirmed: 'yes', passage: secret, scope: 'whole' });
  assert.equal(done2.status, 200, errorText(done2.body));
  assert.match(mainText(done2.body), /The post's text was replaced\./);
  assert.match(mainText(done2.body), /No other post you moderate contains them\./);
  assert.equal(await sql('SELECT body_src || $2 || body_text FROM posts WHERE id = $1', [p2, '|']), `${MARKER}|${MARKER}`);
  assert.deepEqual(await copiesOf(secret), { posts: 0, search: 0, revisions: 0, notifications: 0, log: 0 },
    'no copy in posts, search, revisions, notifications or the log');
  assert.deepEqual(await mailWith(box0, secret), [], 'nor in any message written since the test began');
  assert.deepEqual(searchResults((await page(`/search?q=${secret}`, mod.jar)).body), []);
  const bv = postsOn((await page(`/t/${t}`, b.jar)).body);
  assert.ok(bv.get(1).body.includes(MARKER) && !bv.get(1).body.includes(secret));
  assert.ok(bv.get(n2).body.includes(MARKER));
  // The post answers 409 once deleted by its author.
  const n3 = await reply(c.jar, t, `Thanks (${uniq()})`);
  const p3 = await postId(t, n3);
  assert.equal((await act(c.jar, `/posts/${p3}/delete`, { confirmed: 'yes' })).status, 303);
  assert.equal((await act(mod.jar, `/posts/${p3}/redact`, { confirmed: 'yes', passage: 'Thanks', scope: 'passage' })).status, 409);
});

// ---------------------------------------------------------------------------------------
test('purging an earlier version: gone, and its excerpt leaves notifications and mail', async () => {
  const { mod, a, b, c } = P;
  const secret = `Ardwick${uniq()}`;
  const box0 = await lastOutboxId();
  const t = await startThread(a.jar, S, `Night shift ${uniq()}`,
    `@${c.handle}, the patient ${secret} is asking for a chaplain.`);
  const p1 = await postId(t, 1);
  assert.equal((await act(a.jar, `/posts/${p1}/edit`, { action: 'post',
    body: `@${c.handle}, a patient on our ward is asking for a chaplain.` })).status, 303);
  const rid = await sql('SELECT id FROM post_revisions WHERE post_id = $1', [p1]);
  assert.deepEqual(await copiesOf(secret), { posts: 0, search: 0, revisions: 1, notifications: 1, log: 0 },
    'the edit left the words in the revision and in c\'s notification');
  assert.equal((await mailWith(box0, secret)).length, 1, 'and in c\'s mail');

  const form = await page(`/revisions/${rid}/purge`, mod.jar);
  assert.ok(form.body.includes(secret), 'the version is shown, to copy from');
  assert.match(mainText(form.body), /Backups made before now still hold the text until they expire/);
  const before0 = await modState();
  for (const [jar, path, fields, status] of [
    [b.jar, `/revisions/${rid}/purge`, { confirmed: 'yes' }, 403],
    [P.outsider.jar, `/revisions/${rid}/purge`, { confirmed: 'yes' }, 404],
    [P.otherMod.jar, `/revisions/${rid}/purge`, { confirmed: 'yes' }, 404],
    [mod.jar, '/revisions/999999999/purge', { confirmed: 'yes' }, 404],
    [mod.jar, '/revisions/x/purge', { confirmed: 'yes' }, 404],
    [mod.jar, `/revisions/${rid}/purge`, { confirmed: 'yes', passage: 'not in it' }, 422],
    [mod.jar, `/revisions/${rid}/purge`, { confirmed: 'yes', csrf: 'forged' }, 403],
    [mod.jar, `/revisions/${rid}/purge`, {}, 303],
  ]) {
    const r = await act(jar, path, fields);
    assert.equal(r.status, status, `${path} ${JSON.stringify(fields)}: ${r.status} ${errorText(r.body)}`);
  }
  await assertSame(before0, 'refused purges');
  await page(`/revisions/${rid}/purge`, b.jar, 403);

  const log0 = await lastLogId();
  const r = await act(mod.jar, `/revisions/${rid}/purge`, { confirmed: 'yes', passage: secret });
  assert.equal(r.status, 200, errorText(r.body));
  assert.match(mainText(r.body), /That earlier version was purged\./);
  assert.match(mainText(r.body), /No other post you moderate contains them\./);
  assert.equal(await count('SELECT count(*) FROM post_revisions WHERE id = $1', [rid]), 0);
  assert.equal(await sql('SELECT excerpt FROM notifications WHERE post_id = $1 AND user_id = $2', [p1, c.id]),
    `@${c.handle}, a patient on our ward is asking for a chaplain.`, 'c\'s notification shows the post as it is');
  assert.deepEqual(await copiesOf(secret), { posts: 0, search: 0, revisions: 0, notifications: 0, log: 0 });
  assert.deepEqual(await mailWith(box0, secret), [], 'c\'s queued mail no longer holds it');
  const [entry] = await logSince(log0);
  assert.deepEqual([entry.action, entry.post, entry.subject, entry.reason], ['revision_purged', p1, a.id, 'identifies a patient']);
  assert.deepEqual(entry.detail, { revision: Number(rid), notifications: 1, message_rewrites: 1 });
  assert.equal((await act(mod.jar, `/revisions/${rid}/purge`, { confirmed: 'yes' })).status, 404, 'purged already');
  await page(`/posts/${p1}/revisions`, a.jar);
  assert.ok(!(await page(`/posts/${p1}/revisions`, a.jar)).body.includes(secret), 'the author\'s page of versions too');
});
