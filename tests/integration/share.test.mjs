// "Share an excerpt with my group" (issue 14 item 4), over real HTTP against the test server,
// every effect checked in the database.
//
// - From one of their entries a learner gets a form holding the entry's text and the threads
//   of the spaces they belong to (not others'); a preview renders the excerpt back as the
//   draft post it will be; Publish writes an ordinary reply by the same path as the thread's
//   reply box (forum_reply), and the entry stays as it was.
// - Nothing is stored until Publish: after the form, previews (edited, with a content note,
//   with the privacy guard's warning) and leaving, every row of every table is as it was,
//   and the excerpt is in no table of a pg_dump and in no log line.
// - The reply's rules hold exactly: the privacy guard (warning, then "publish anyway" holds
//   the post and flags it), a mute, a locked thread, slow mode, pre-moderation (held).
// - Bad inputs: no thread chosen, a thread of a space the learner is not in, a thread that
//   does not exist, an empty excerpt: a clear error, the text kept, nothing written. Someone
//   else's entry is 404, as for every journal page; a locked entry has nothing to share.
//
// The cast: a learner with a password (so a journal key) confirmed in Foundations 2025-10, a
// facilitator of it (test door), and a learner of Foundations 2026-01 whose cohort's thread
// the first may not post in. The space's pre-moderation and the threads' slow mode and locks
// are undone at the end; the accounts made here are deleted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { get, post, serverLog, state, DB, closeConnections } from './lib.mjs';
import {
  uniq, newAccount, formPage, sql, closeSql, mainText, alertText, snapshot, assertSameSnapshot,
  testSession, createReset, preSession, pendingCode, confirmCode,
} from './accounts-lib.mjs';
import { enroll, makePerson, spaceOf, startThread, textareaOf, postsOn } from './forum-lib.mjs';

const F25 = 'foundations-2025-10';
const F26 = 'foundations-2026-01';

let S;        // the F25 cohort space
let S26;      // the F26 cohort space
let L;        // the learner: newAccount, confirmed in F25
let M;        // a facilitator of F25
let X;        // a learner of F26 only
let T;        // a thread of S
let T26;      // a thread of S26
const made = [];
const threads = [];

before(async () => {
  S = await spaceOf(F25);
  S26 = await spaceOf(F26);
  L = await newAccount({ tag: 'sh' });
  made.push(L.id);
  await enroll(L.handle, F25);
  L.csrf = (await formPage('/journal/new', L.jar)).csrf;
  M = await makePerson({ tag: 'shm', enrolled: [F25], role: 'facilitator' });
  X = await makePerson({ tag: 'shx', enrolled: [F26] });
  made.push(M.id, X.id);
  T = await startThread(M.jar, S, `After the reflection block ${uniq()}`, 'What stayed with you?');
  T26 = await startThread(X.jar, S26, `Another cohort ${uniq()}`, 'Not yours.');
  threads.push(T, T26);
});

after(async () => {
  await sql('UPDATE spaces SET premoderated = false WHERE id = $1', [S]).catch(() => {});
  if (threads.length) {
    await sql('DELETE FROM threads WHERE id = ANY($1::bigint[])', [`{${threads.join(',')}}`]).catch(() => {});
  }
  if (made.length) {
    await sql('DELETE FROM mutes WHERE user_id = ANY($1::bigint[])', [`{${made.join(',')}}`]).catch(() => {});
    await sql('DELETE FROM users WHERE id = ANY($1::bigint[])', [`{${made.join(',')}}`]).catch(() => {});
  }
  closeSql();
  closeConnections();
});

/** Write an entry through the form; returns its id. */
async function write(a, { title = '', body, tags = '' }) {
  const r = await post('/journal', { csrf: a.csrf, title, body, tags }, { jar: a.jar });
  assert.equal(r.status, 303, `POST /journal: ${r.status} ${alertText(r.body)}`);
  return /^\/journal\/(\d+)$/.exec(r.headers.location)[1];
}

const share = (a, id, form) => post(`/journal/${id}/share`, { csrf: a.csrf, ...form }, { jar: a.jar });

/** The thread options of the share form: [{ id, title, selected, group }]. */
function threadOptions(html) {
  const sel = /<select id="thread" name="thread"[^>]*>([\s\S]*?)<\/select>/.exec(html);
  assert.ok(sel, 'the form has a thread list');
  const out = [];
  for (const g of sel[1].matchAll(/<optgroup label="([^"]*)">([\s\S]*?)<\/optgroup>/g)) {
    for (const o of g[2].matchAll(/<option value="(\d+)"( selected)?>([^<]*)<\/option>/g)) {
      out.push({ id: o[1], selected: !!o[2], title: o[3], group: g[1] });
    }
  }
  return out;
}

/** The draft post of a preview: its heading and its HTML, or null. */
function draftOf(html) {
  const m = /<section class="share-draft"[^>]*>\s*<h2 id="draft-h">([^<]*)<\/h2>[\s\S]*?<div class="post-body">([\s\S]*?)<\/div>\s*<\/section>/.exec(html);
  return m ? { heading: m[1], html: m[2] } : null;
}

function pgDump() {
  const pinned = '/usr/lib/postgresql/15/bin/pg_dump';
  const bin = existsSync(pinned) ? pinned : 'pg_dump';
  const env = { ...process.env, PGHOST: state.PGHOST, PGUSER: state.PGUSER };
  if (state.PGPORT) env.PGPORT = state.PGPORT; else delete env.PGPORT;
  delete env.PGDATABASE;
  const r = spawnSync(bin, ['--no-owner', '--no-privileges', '-d', DB],
    { env, maxBuffer: 512 * 1024 * 1024, timeout: 60000 });
  assert.equal(r.status, 0, `pg_dump failed: ${r.stderr}`);
  return r.stdout.toString('utf8');
}

const sealedOf = (id) => sql("SELECT encode(sealed, 'hex') FROM journal_entries WHERE id = $1", [id]);
const postsBy = (userId) => sql('SELECT count(*) FROM posts WHERE author_id = $1', [userId]);

// ---------------------------------------------------------------------------------------
test('an abandoned share leaves no row anywhere: form, previews and leaving change nothing', async () => {
  const u = uniq();
  const secret = `Sharecanary${u}`;
  const id = await write(L, { title: `Kept ${u}`, body: `The whole entry. ${secret} stays mine.\n\nThe part to share.` });
  const before = await snapshot();
  const log0 = serverLog().length;

  const form = await get(`/journal/${id}/share`, { jar: L.jar });
  assert.equal(form.status, 200);
  assert.equal(form.headers['cache-control'], 'no-store');
  assert.equal(textareaOf(form.body), `The whole entry. ${secret} stays mine.\n\nThe part to share.`,
    'the text box starts with the entry');
  assert.doesNotMatch(form.body, new RegExp(`<title>[^<]*(${secret}|Kept)`), 'the title names a date only');
  // Previews: cut down, edited, with a note, and one the guard warns about.
  for (const body of [`The part to *share* ${secret}.`, `Changed ${secret}.`,
    `Mrs. Alvarez, 82, and ${secret}.`]) {
    const r = await share(L, id, { thread: T, body, note: 'a hard night', action: 'preview' });
    assert.equal(r.status, 200, body);
    assert.equal(r.headers.location, undefined);
    assert.equal(textareaOf(r.body), body, 'the excerpt comes back in the box');
  }
  // Bad inputs write nothing either.
  assert.equal((await share(L, id, { body: secret, action: 'preview' })).status, 422);
  assert.equal((await share(L, id, { thread: T26, body: secret, action: 'publish' })).status, 422);

  assertSameSnapshot(before, await snapshot(), 'an abandoned share');
  assert.ok(!pgDump().includes(secret), 'the excerpt is in no table');
  assert.ok(!serverLog().slice(log0).includes(secret), 'nor in the log');
});

// ---------------------------------------------------------------------------------------
test('share an excerpt: the form, the draft, and Publish as an ordinary reply', async () => {
  const u = uniq();
  const body = `Sitting with the family after the meeting.\n\nI learned to **wait** before answering. ${u}\n\nThe rest is mine.`;
  const id = await write(L, { title: `Waiting ${u}`, body, tags: 'presence' });
  const sealed = await sealedOf(id);

  // The entry page links the form; the form lists the threads L may post in, not others'.
  const entry = await get(`/journal/${id}`, { jar: L.jar });
  assert.ok(entry.body.includes(`<a class="button secondary" href="/journal/${id}/share">Share an excerpt with my group…</a>`));
  const form = await get(`/journal/${id}/share`, { jar: L.jar });
  const options = threadOptions(form.body);
  assert.ok(options.some((o) => o.id === T), 'a thread of the cohort L is in');
  assert.ok(!options.some((o) => o.id === T26), 'no thread of a cohort L is not in');
  assert.ok(options.find((o) => o.id === T).group.startsWith('Cohort'), options.find((o) => o.id === T).group);
  assert.match(form.body, /<option value="" selected>Choose a thread<\/option>/);

  // Preview: the draft as it will read, in the thread chosen.
  const excerpt = `I learned to **wait** before answering. ${u}`;
  let r = await share(L, id, { thread: T, body: excerpt, action: 'preview' });
  assert.equal(r.status, 200);
  const draft = draftOf(r.body);
  assert.ok(draft, 'a draft is shown');
  assert.match(draft.heading, /^Draft reply in “After the reflection block /);
  assert.equal(draft.html.trim(), `<p>I learned to <strong>wait</strong> before answering. ${u}</p>`);
  assert.ok(threadOptions(r.body).find((o) => o.id === T).selected, 'the thread stays chosen');
  assert.equal(await postsBy(L.id), '0');

  // Publish: an ordinary reply, where the reply box would have put it.
  r = await share(L, id, { thread: T, body: excerpt, action: 'publish' });
  assert.equal(r.status, 303, alertText(r.body));
  assert.match(r.headers.location, new RegExp(`^/t/${T}\\?page=1#p2$`));
  const row = await sql(`SELECT p.number, p.body_src, p.held, p.content_note FROM posts p
                         WHERE p.thread_id = $1 AND p.author_id = $2`, [T, L.id]);
  assert.equal(row, `2|${excerpt}|f|`);
  const thread = await get(`/t/${T}`, { jar: M.jar });
  const posts = postsOn(thread.body);
  assert.equal(posts.size, 2);
  assert.ok(posts.get(2).body.includes(`<strong>wait</strong> before answering. ${u}`));
  assert.ok(!thread.body.includes('The rest is mine'), 'only the excerpt');
  assert.ok(!/journal/i.test(posts.get(2).body), 'the post says nothing of the journal');
  // The thread's followers are told, as for any reply.
  assert.equal(await sql(`SELECT count(*) FROM notifications WHERE user_id = $1 AND thread_id = $2`, [M.id, T]), '1');
  // The entry is unchanged.
  assert.equal(await sealedOf(id), sealed, 'the entry is as it was');
  // A content note travels with it, as with any reply.
  r = await share(L, id, { thread: T, body: `Second ${u}`, note: 'a death', action: 'publish' });
  assert.equal(r.status, 303);
  assert.equal(await sql('SELECT content_note FROM posts WHERE thread_id = $1 AND number = 3', [T]), 'a death');
});

// ---------------------------------------------------------------------------------------
test('the privacy guard: a warning with everything kept, then "publish anyway" holds and flags the post', async () => {
  const u = uniq();
  const id = await write(L, { body: `Mrs. Alvarez, 82, held my hand. ${u}` });
  const t = await startThread(M.jar, S, `Guarded ${u}`, 'Share what you can.');
  threads.push(t);
  const before = await snapshot();
  const body = `Mrs. Alvarez, 82, held my hand. ${u}`;
  let r = await share(L, id, { thread: t, body, action: 'publish' });
  assert.equal(r.status, 200, 'the form comes back');
  assert.match(r.body, /<div class="alert guard-warning" role="alert" id="guard-warning">/);
  assert.match(r.body, /<li>“<mark>Mrs. Alvarez, 82<\/mark>” in the reply: a name beside an age<\/li>/);
  assert.ok(r.body.includes('name="privacy" value="confirmed"'), 'publish anyway is offered');
  assert.equal(textareaOf(r.body), body);
  assertSameSnapshot(before, await snapshot(), 'the warning');
  // Preview shows the warning too, and still writes nothing.
  r = await share(L, id, { thread: t, body, action: 'preview' });
  assert.equal(r.status, 200);
  assert.ok(draftOf(r.body));
  assert.match(r.body, /id="guard-warning"/);
  assertSameSnapshot(before, await snapshot(), 'the preview');
  // Published anyway: held for the moderators and flagged by Cairn, as a reply would be.
  r = await share(L, id, { thread: t, body, privacy: 'confirmed' });
  assert.equal(r.status, 303);
  assert.match(r.headers.location, new RegExp(`^/t/${t}\\?page=1&done=guarded#h\\d+$`));
  const post = await sql(`SELECT id, held, number IS NULL FROM posts WHERE thread_id = $1 AND author_id = $2`, [t, L.id]);
  const [pid, held, unnumbered] = post.split('|');
  assert.equal(held, 't');
  assert.equal(unnumbered, 't');
  assert.equal(await sql(`SELECT count(*) FROM flags WHERE post_id = $1 AND flagger_id IS NULL
                          AND reason = 'identifies_patient'`, [pid]), '1');
});

// ---------------------------------------------------------------------------------------
test('a mute, a locked thread, slow mode and pre-moderation apply as to any reply; the text is kept', async () => {
  const u = uniq();
  const id = await write(L, { body: `An entry ${u}` });
  const t = await startThread(M.jar, S, `Rules ${u}`, 'Reply here.');
  threads.push(t);
  const text = `Kept text ${u}`;

  // Locked: refused with the text kept (a moderator could still post).
  await sql('UPDATE threads SET locked = true WHERE id = $1', [t]);
  let s0 = await snapshot();
  let r = await share(L, id, { thread: t, body: text, action: 'publish' });
  assert.equal(r.status, 403);
  assert.match(alertText(r.body), /This thread is locked: nobody can reply\. Nothing was posted\./);
  assert.equal(textareaOf(r.body), text);
  assert.ok(!threadOptions(r.body).some((o) => o.id === t), 'a locked thread is not offered');
  assertSameSnapshot(s0, await snapshot(), 'a locked thread');
  await sql('UPDATE threads SET locked = false WHERE id = $1', [t]);

  // Muted in the space: refused with the text kept; the space's threads are not offered.
  await sql(`INSERT INTO mutes (space_id, user_id, until, muted_by, reason, created_at)
             VALUES ($1, $2, now() + interval '1 day', $3, 'test', now())`, [S, L.id, M.id]);
  s0 = await snapshot();
  r = await share(L, id, { thread: t, body: text, action: 'publish' });
  assert.equal(r.status, 403);
  assert.match(alertText(r.body), /You are muted in this space, so nothing was posted/);
  assert.equal(textareaOf(r.body), text);
  assert.ok(!threadOptions(r.body).some((o) => o.id === t));
  assertSameSnapshot(s0, await snapshot(), 'a muted member');
  await sql('DELETE FROM mutes WHERE user_id = $1', [L.id]);

  // Slow mode: the first reply passes, the second too soon is refused (429) with the text.
  await sql('UPDATE threads SET slow_minutes = 60 WHERE id = $1', [t]);
  r = await share(L, id, { thread: t, body: `${text} one`, action: 'publish' });
  assert.equal(r.status, 303);
  s0 = await snapshot();
  r = await share(L, id, { thread: t, body: `${text} two`, action: 'publish' });
  assert.equal(r.status, 429);
  assert.ok(Number(r.headers['retry-after']) > 3000, `Retry-After ${r.headers['retry-after']}`);
  assert.match(alertText(r.body), /This thread is in slow mode: one post every 60 minutes per person/);
  assert.equal(textareaOf(r.body), `${text} two`);
  assertSameSnapshot(s0, await snapshot(), 'slow mode');
  await sql('UPDATE threads SET slow_minutes = 0 WHERE id = $1', [t]);

  // Pre-moderation: written held, for the moderators to approve.
  await sql('UPDATE spaces SET premoderated = true WHERE id = $1', [S]);
  r = await share(L, id, { thread: t, body: `${text} held`, action: 'publish' });
  assert.equal(r.status, 303);
  assert.match(r.headers.location, new RegExp(`^/t/${t}\\?page=1&done=held#h\\d+$`));
  assert.equal(await sql(`SELECT held FROM posts WHERE thread_id = $1 AND body_src = $2`, [t, `${text} held`]), 't');
  await sql('UPDATE spaces SET premoderated = false WHERE id = $1', [S]);
});

// ---------------------------------------------------------------------------------------
test('bad inputs: a clear error, the text kept, nothing written; others get 404', async () => {
  const u = uniq();
  const id = await write(L, { body: `Mine ${u}` });
  const text = `An excerpt ${u}`;
  const s0 = await snapshot();
  const cases = [
    [{ body: text, action: 'publish' }, 422, /Choose the thread to share it in/],
    [{ thread: '', body: text }, 422, /Choose the thread to share it in/],
    [{ thread: 'abc', body: text }, 422, /Choose the thread to share it in/],
    [{ thread: '0', body: text }, 422, /Choose the thread to share it in/],
    [{ thread: T26, body: text, action: 'publish' }, 422, /You cannot post in that thread: it is not in a space you belong to/],
    [{ thread: T26, body: text, action: 'preview' }, 422, /You cannot post in that thread/],
    [{ thread: '999999999', body: text, action: 'publish' }, 422, /You cannot post in that thread/],
    [{ thread: T, body: '  \n ', action: 'publish' }, 422, /Write something first/],
    [{ thread: T, body: text, note: 'x'.repeat(101), action: 'publish' }, 422, /content note/i],
  ];
  for (const [form, status, error] of cases) {
    const r = await share(L, id, form);
    assert.equal(r.status, status, JSON.stringify(form).slice(0, 80));
    assert.match(alertText(r.body), error, JSON.stringify(form).slice(0, 80));
    assert.equal(textareaOf(r.body), form.body, 'the text is kept');
    assert.ok(!r.body.includes('Another cohort'), 'nothing of the other cohort shows');
  }
  assertSameSnapshot(s0, await snapshot(), 'bad inputs');

  // Someone else's entry, and ids that are no entry: 404, as for every journal page.
  const admin = await testSession('admin');
  const other = await testSession(X.handle);
  const s1 = await snapshot();
  for (const [who, jar] of [['an administrator', admin], ['another learner', other]]) {
    assert.equal((await get(`/journal/${id}/share`, { jar })).status, 404, who);
    const { csrf } = await formPage('/journal', jar);
    const r = await post(`/journal/${id}/share`, { csrf, thread: T, body: `Not theirs ${u}`, action: 'publish' }, { jar });
    assert.equal(r.status, 404, who);
  }
  for (const bad of ['0', 'x', '999999999']) {
    assert.equal((await get(`/journal/${bad}/share`, { jar: L.jar })).status, 404, bad);
  }
  assertSameSnapshot(s1, await snapshot(), 'refused people');
  assert.equal(await sql('SELECT count(*) FROM posts WHERE body_src = $1', [`Not theirs ${u}`]), '0');
});

// ---------------------------------------------------------------------------------------
test('a locked entry has nothing to share until the recovery code is entered', async () => {
  const a = await newAccount({ tag: 'shl' });
  made.push(a.id);
  a.csrf = (await formPage('/journal/new', a.jar)).csrf;
  const id = await write(a, { body: `Before ${uniq()}` });
  const reset = await createReset(a.id);
  const password = `after ${uniq()} reset`;
  const pre = await preSession();
  const r = await post('/reset', { csrf: pre.csrf, token: reset.token, password, password_again: password }, { jar: pre.jar });
  assert.equal(r.status, 303, mainText(r.body));
  await pendingCode(pre.jar);
  await confirmCode(pre.jar);
  const page = await get(`/journal/${id}/share`, { jar: pre.jar });
  assert.equal(page.status, 409);
  assert.match(mainText(page.body), /This entry is locked, so there is nothing to share from it yet/);
  // The entry page offers no share for it.
  assert.ok(!(await get(`/journal/${id}`, { jar: pre.jar })).body.includes('/share"'));
});
