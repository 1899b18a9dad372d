// Notification and outbox floods (issue 9, item 8), over real HTTP against the test server,
// every effect checked in the database. Sixty replies in a followed thread made sixty
// notifications for each follower (and for the thread's author) and a queued message for
// each of them per reply (120 for one follower and the author). Now, until a person reads
// the thread: one notification per thread for new posts ("60 new replies in ...", its count
// kept, linking to the first of them, moved to the top by each new post) and one for
// mentions of them, and one queued message per thread, rewritten as posts arrive. Reading
// the thread (or "mark all read") ends both: the next post starts new ones. Two replies at
// once cannot make two notifications (a unique index on the open one decides). The admin's
// outbox pages by keyset and filters by kind.
//
// The people are made by each test (random handles, enrolled in the May 2026 Core Practice
// cohort); their threads, notifications and messages are deleted afterwards, so other test
// files' counts of the cohort are as they expect.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { get, closeConnections, textOf, BASE_URL } from './lib.mjs';
import { closeSql } from './accounts-lib.mjs';
import {
  sql, uniq, jarOf, person, makePerson, spaceOf, startThread, reply, act, headerBadge,
  notificationsOn,
} from './forum-lib.mjs';

const CP = 'core-practice-2026-05';
let cohort;
let admin;
const threads = [];   // deleted afterwards (with their posts, notifications, reads, follows)
const emails = [];    // whose outbox messages are deleted afterwards
const kinds = [];     // outbox kinds made up by a test, deleted afterwards

before(async () => {
  cohort = await spaceOf(CP);
  admin = { ...await person('admin'), jar: await jarOf('admin') };
});

after(async () => {
  try {
    if (threads.length) await sql(`DELETE FROM threads WHERE id = ANY($1::bigint[])`, [`{${threads.join(',')}}`]);
    if (emails.length) await sql(`DELETE FROM outbox WHERE to_email = ANY($1::text[])`, [`{${emails.join(',')}}`]);
    if (kinds.length) await sql(`DELETE FROM outbox WHERE kind = ANY($1::text[])`, [`{${kinds.join(',')}}`]);
    // The people made here leave the cohort, so rosters counted by other tests stay as they were.
    if (emails.length) {
      await sql(`UPDATE enrollments e SET state = 'cancelled', cancelled_at = now() FROM users u
                  WHERE u.id = e.user_id AND e.state <> 'cancelled' AND u.email = ANY($1::text[])`,
      [`{${emails.join(',')}}`]);
    }
  } finally {
    closeSql();
    closeConnections();
  }
});

async function page(path, jar, status = 200) {
  const r = await get(path, { jar });
  assert.equal(r.status, status, `GET ${path}: ${r.status} ${r.headers.location || ''}`);
  return r;
}

/** Someone enrolled in the cohort, whose messages are cleaned up afterwards. */
async function someone(tag) {
  const p = await makePerson({ tag, enrolled: [CP] });
  emails.push(p.email);
  return p;
}

/** A thread in the cohort (cleaned up afterwards); returns its id. */
async function thread(author, title, body = 'Opening post.') {
  const th = await startThread(author.jar, cohort, title, body);
  threads.push(th);
  return th;
}

// The columns sql/010 added are read through to_jsonb(), with what a row meant before them
// (one post each, no topic) as the default: against the old schema these tests fail on
// their assertions (sixty rows, 120 messages), not on a missing column.

/** A person's notifications of a thread, oldest first: [{ kind, count, first, newest, unread }]. */
async function notesOf(who, th) {
  const out = await sql(`SELECT n.kind, coalesce((to_jsonb(n)->>'count')::int, 1),
                                coalesce((to_jsonb(n)->>'first_number')::int, p.number), p.number, n.read_at IS NULL
                           FROM notifications n JOIN posts p ON p.id = n.post_id
                          WHERE n.user_id = $1 AND n.thread_id = $2 ORDER BY n.id`, [who.id, th]);
  return out ? out.split('\n').map((l) => {
    const [kind, count, first, newest, unread] = l.split('|');
    return { kind, count: Number(count), first: Number(first), newest: Number(newest), unread: unread === 't' };
  }) : [];
}

/** Messages queued to someone after outbox id `since`: [{ id, kind, subject, topic, open, md5 }]. */
async function messagesTo(who, since) {
  const out = await sql(`SELECT id, kind, subject, coalesce(to_jsonb(o)->>'open_topic', ''), md5(body) FROM outbox o
                          WHERE to_email = $1 AND id > $2 ORDER BY id`, [who.email, since]);
  return out ? out.split('\n').map((l) => {
    const [id, kind, subject, topic, md5] = l.split('|');
    return { id: Number(id), kind, subject, topic, md5 };
  }) : [];
}

const lastOutboxId = async () => Number(await sql('SELECT coalesce(max(id), 0) FROM outbox'));
const badgeOf = async (jar) => headerBadge((await page('/spaces', jar)).body);

/** Entities decoded, white space kept (a message body is preformatted text). */
const unescape = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
  .replace(/&#39;|&#x27;|&apos;/g, "'").replace(/&amp;/g, '&');

/** The admin outbox page: its messages, kinds offered (selected one), older/newest links. */
function outboxPage(html) {
  // "to EMAIL · <time>created</time>[ · updated <time>…</time>] · KIND[ · sent]"
  const messages = [...html.matchAll(/<li>\s*<p><strong>([^<]*)<\/strong> <span class="muted">to ([^ ]+) · ([\s\S]*?)<\/span><\/p>\s*<pre>([\s\S]*?)<\/pre>\s*<\/li>/g)]
    .map((m) => {
      const meta = textOf(m[3]).split(' · ').filter((x) => x !== 'sent');
      return { subject: textOf(m[1]), to: textOf(m[2]), kind: meta[meta.length - 1],
        updated: meta.some((x) => x.startsWith('updated ')), body: unescape(m[4]) };
    });
  const select = /<select id="kind" name="kind">([\s\S]*?)<\/select>/.exec(html);
  const options = select ? [...select[1].matchAll(/<option value="([^"]*)"( selected)?>([^<]*)<\/option>/g)]
    .map((m) => ({ value: unescape(m[1]), selected: Boolean(m[2]) })) : null;
  const older = /<a href="(\/admin\/outbox\?[^"]*before=\d+)">Older messages<\/a>/.exec(html);
  return { messages, options, older: older ? older[1].replace(/&amp;/g, '&') : null,
    newest: /<a href="\/admin\/outbox[^"]*">Newest messages<\/a>/.test(html) };
}

// ---------------------------------------------------------------------------------------
test('sixty replies in a followed thread: one notification per person with the count, one queued message each', async () => {
  const author = await someone('na');
  const [f1, f2, r1, r2] = [await someone('nf'), await someone('nf'), await someone('nr'), await someone('nr')];
  const title = `Sixty replies ${uniq()}`;
  const th = await thread(author, title);
  for (const f of [f1, f2]) assert.equal((await act(f.jar, `/t/${th}/follow`)).status, 303);
  // f1 was mentioned elsewhere first: the thread's notification goes above it.
  const otherTitle = `Elsewhere ${uniq()}`;
  const other = await thread(r1, otherTitle, `A question for @${f1.handle}.`);
  const since = await lastOutboxId();

  for (let i = 1; i <= 60; i++) await reply((i % 2 ? r1 : r2).jar, th, `Reply number ${i}, zq${i}x.`);

  for (const [who, kind] of [[author, 'reply'], [f1, 'follow'], [f2, 'follow']]) {
    assert.deepEqual(await notesOf(who, th), [{ kind, count: 60, first: 2, newest: 61, unread: true }],
      `${who.handle}: exactly one notification, counting the sixty replies, from the first of them`);
    const msgs = await messagesTo(who, since);
    assert.equal(msgs.length, 1, `${who.handle}: exactly one queued message, not one a reply`);
    assert.deepEqual({ ...msgs[0], id: 0, md5: '' }, { id: 0, kind: `notification-${kind}`,
      subject: `60 new replies in “${title}”`, topic: `thread:${th}`, md5: '' });
  }
  for (const who of [r1, r2]) {
    assert.deepEqual(await notesOf(who, th), [], `${who.handle} writes, and follows nothing`);
    assert.deepEqual(await messagesTo(who, since), []);
  }
  assert.equal(Number(await sql('SELECT count(*) FROM outbox WHERE id > $1 AND to_email = ANY($2::text[])',
    [since, `{${[author, f1, f2, r1, r2].map((p) => p.email).join(',')}}`])), 3, 'three messages for three people, not 180');

  // What f1 sees: the thread's notification on top, with the count, linking to the first
  // unread reply; the latest reply's writer and excerpt.
  const list = notificationsOn((await page('/notifications', f1.jar)).body);
  assert.deepEqual(list.map((n) => ({ ...n, excerptHtml: undefined })), [
    { unread: true, lead: '60 new replies', what: 'in', thread: th, number: 2, title, excerptHtml: undefined },
    { unread: true, lead: r1.name, what: 'mentioned you in', thread: other, number: 1, title: otherTitle, excerptHtml: undefined },
  ]);
  assert.equal(textOf(list[0].excerptHtml), `${r2.name}: Reply number 60, zq60x.`);
  assert.equal(await badgeOf(f1.jar), 2, 'the badge counts notifications, not posts');
  const home = notificationsOn((await page('/home', f1.jar)).body);
  assert.equal(home[0].lead, '60 new replies', 'the home page shows the same');
  // The message, as the administrator reads it: the count, the latest excerpt, the link.
  const ob = outboxPage((await page('/admin/outbox?kind=notification-follow', admin.jar)).body);
  const msg = ob.messages.find((m) => m.to === f1.email);
  assert.ok(msg, 'f1\'s message is on the first page of its kind');
  assert.equal(msg.subject, `60 new replies in “${title}”`);
  assert.ok(msg.updated, 'shown as updated');
  assert.match(msg.body, new RegExp(`^60 new replies in “${title}”, the latest from ${r2.name}:\n\nReply number 60, zq60x\\.\n\nRead them: ${BASE_URL.replace(/\/$/, '')}/t/${th}/p/2\n$`));

  // A new post elsewhere moves that notification to the top: now two mentions.
  await reply(r2.jar, other, `Seconding the question, @${f1.handle}.`);
  const again = notificationsOn((await page('/notifications', f1.jar)).body);
  assert.deepEqual(again.map((n) => [n.thread, n.lead, n.what, n.number]),
    [[other, '2 mentions', 'of you in', 1], [th, '60 new replies', 'in', 2]]);
  assert.equal(textOf(again[0].excerptHtml), `${r2.name}: Seconding the question, @${f1.handle}.`);
});

// ---------------------------------------------------------------------------------------
test('reading the thread reads its notification and closes its message; the next reply starts new ones', async () => {
  const author = await someone('na');
  const [f1, f2, r1] = [await someone('nf'), await someone('nf'), await someone('nr')];
  const title = `Read then reply ${uniq()}`;
  const th = await thread(author, title);
  for (const f of [f1, f2]) assert.equal((await act(f.jar, `/t/${th}/follow`)).status, 303);
  const since = await lastOutboxId();
  for (let i = 1; i <= 60; i++) await reply(r1.jar, th, `Reply ${i}.`);
  assert.equal(await badgeOf(f1.jar), 1);

  // The first page (posts 1-50) is not the whole run: still unread, the count kept.
  await page(`/t/${th}/p/2`, f1.jar, 303);
  await page(`/t/${th}?page=1`, f1.jar);
  assert.deepEqual(await notesOf(f1, th), [{ kind: 'follow', count: 60, first: 2, newest: 61, unread: true }]);
  assert.equal((await messagesTo(f1, since))[0].topic, `thread:${th}`, 'the message is still open');
  await page(`/t/${th}?page=2`, f1.jar);
  assert.deepEqual(await notesOf(f1, th), [{ kind: 'follow', count: 60, first: 2, newest: 61, unread: false }]);
  assert.equal(await badgeOf(f1.jar), 0);
  const [closed] = await messagesTo(f1, since);
  assert.equal(closed.topic, '', 'reading the thread closed its message');

  await reply(r1.jar, th, 'One more, after f1 read it all.');
  assert.deepEqual(await notesOf(f1, th), [
    { kind: 'follow', count: 60, first: 2, newest: 61, unread: false },
    { kind: 'follow', count: 1, first: 62, newest: 62, unread: true },
  ], 'a new notification, counting one');
  const list = notificationsOn((await page('/notifications', f1.jar)).body);
  assert.deepEqual([list[0].lead, list[0].what, list[0].number, list[0].unread], ['1 new reply', 'in', 62, true]);
  assert.deepEqual([list[1].lead, list[1].unread], ['60 new replies', false], 'the read one stays below, as it was');
  assert.equal(await badgeOf(f1.jar), 1);
  const msgs = await messagesTo(f1, since);
  assert.equal(msgs.length, 2, 'a new message for the new notification');
  assert.deepEqual(msgs[0], closed, 'the first message is left as it was');
  assert.deepEqual([msgs[1].subject, msgs[1].topic], [`1 new reply in “${title}”`, `thread:${th}`]);

  // f2 read nothing: one notification and one message, now counting 61.
  assert.deepEqual(await notesOf(f2, th), [{ kind: 'follow', count: 61, first: 2, newest: 62, unread: true }]);
  assert.deepEqual((await messagesTo(f2, since)).map((m) => m.subject), [`61 new replies in “${title}”`]);

  // "Mark all read" ends the open run too.
  assert.equal((await act(f2.jar, '/notifications/read')).status, 303);
  assert.equal((await messagesTo(f2, since))[0].topic, '');
  await reply(r1.jar, th, 'And another.');
  assert.deepEqual((await notesOf(f2, th)).map((n) => [n.count, n.unread]), [[61, false], [1, true]]);
  assert.deepEqual((await messagesTo(f2, since)).map((m) => m.subject),
    [`61 new replies in “${title}”`, `1 new reply in “${title}”`]);
});

// ---------------------------------------------------------------------------------------
test('a mention is its own notification, not lost in the count; one message per thread says both', async () => {
  const author = await someone('na');
  const [f1, r1, r2, m1] = [await someone('nf'), await someone('nr'), await someone('nr'), await someone('nm')];
  // Quotes, a backslash and braces in the title travel through the outbox's array parameters.
  const title = `Mention "quoted" \\ {braced}, ${uniq()}`;
  const th = await thread(author, title);
  assert.equal((await act(f1.jar, `/t/${th}/follow`)).status, 303);
  const since = await lastOutboxId();
  await reply(r1.jar, th, 'First.');
  await reply(r2.jar, th, `Second, for @${f1.handle} and @${m1.handle}.`);
  await reply(r1.jar, th, 'Third.');
  await reply(r1.jar, th, `Fourth, @${m1.handle} again.`);
  assert.deepEqual(await notesOf(f1, th), [
    { kind: 'follow', count: 3, first: 2, newest: 5, unread: true },
    { kind: 'mention', count: 1, first: 3, newest: 3, unread: true },
  ], 'each post counts once for a person: the mention in its own notification, the rest in the count');
  assert.deepEqual(await notesOf(m1, th), [{ kind: 'mention', count: 2, first: 3, newest: 5, unread: true }],
    'someone who only is mentioned: one notification of the mentions');
  const list = notificationsOn((await page('/notifications', f1.jar)).body).filter((n) => n.thread === th);
  assert.deepEqual(list.map((n) => [n.lead, n.what, n.number]),
    [['3 new replies', 'in', 2], [r2.name, 'mentioned you in', 3]]);
  assert.equal(textOf(list[0].title), title);

  const [msg] = await messagesTo(f1, since);
  assert.equal((await messagesTo(f1, since)).length, 1, 'one message about the thread');
  assert.deepEqual([msg.kind, msg.subject, msg.topic], ['notification-mention', `${r2.name} mentioned you in “${title}”`, `thread:${th}`]);
  const ob = outboxPage((await page('/admin/outbox?kind=notification-mention', admin.jar)).body);
  const shown = ob.messages.find((m) => m.to === f1.email);
  assert.ok(shown, 'the message is listed under its kind');
  const origin = BASE_URL.replace(/\/$/, '');
  assert.equal(shown.body, `${r2.name} mentioned you in “${title}”:\n\nSecond, for @${f1.handle} and @${m1.handle}.\n\n`
    + `Read it: ${origin}/t/${th}/p/3\n\n`
    + `3 new replies in “${title}”, the latest from ${r1.name}:\n\nFourth, @${m1.handle} again.\n\n`
    + `Read them: ${origin}/t/${th}/p/2\n`);
  assert.deepEqual((await messagesTo(m1, since)).map((m) => m.subject), [`2 mentions of you in “${title}”`]);
});

// ---------------------------------------------------------------------------------------
test('a deleted post leaves no text behind: told alone it goes, in a count the count stays without its excerpt', async () => {
  const author = await someone('na');
  const [f1, r1, m1] = [await someone('nf'), await someone('nr'), await someone('nm')];
  const th = await thread(author, `Regrets ${uniq()}`);
  assert.equal((await act(f1.jar, `/t/${th}/follow`)).status, 303);
  await reply(r1.jar, th, 'Fine words.');
  const word = `zq${uniq()}`;
  await reply(r1.jar, th, `Something I regret, @${m1.handle}: ${word}.`);
  const pid = await sql('SELECT id FROM posts WHERE thread_id = $1 AND number = 3', [th]);
  const withWord = () => sql(`SELECT string_agg(u.handle, ',' ORDER BY u.handle) FROM notifications n
                              JOIN users u ON u.id = n.user_id WHERE n.excerpt LIKE '%' || $1 || '%'`, [word]);
  assert.equal(await withWord(), [author.handle, f1.handle, m1.handle].sort().join(','));
  assert.equal((await act(r1.jar, `/posts/${pid}/delete`, { confirmed: 'yes' })).status, 303);
  assert.equal(await withWord(), '', 'the deleted text is in no notification');
  assert.deepEqual(await notesOf(m1, th), [], 'the mention, told of that post alone, is withdrawn');
  assert.deepEqual(await notesOf(f1, th), [{ kind: 'follow', count: 2, first: 2, newest: 3, unread: true }],
    'a count that includes it stays (the post is still there, as a placeholder)');
  const [n] = notificationsOn((await page('/notifications', f1.jar)).body).filter((x) => x.thread === th);
  assert.deepEqual([n.lead, n.number, n.excerptHtml], ['2 new replies', 2, null], 'shown without an excerpt');
  assert.equal(await badgeOf(f1.jar), 1);
});

// ---------------------------------------------------------------------------------------
test('replies at the same time: still one notification and one message per person', async () => {
  const author = await someone('na');
  const f1 = await someone('nf');
  const writers = [];
  for (let i = 0; i < 6; i++) writers.push(await someone('nc'));
  const title = `At once ${uniq()}`;
  const th = await thread(author, title);
  assert.equal((await act(f1.jar, `/t/${th}/follow`)).status, 303);
  const since = await lastOutboxId();
  const numbers = await Promise.all([...writers, ...writers].map((w, i) => reply(w.jar, th, `At once ${i}.`)));
  assert.deepEqual([...numbers].sort((a, b) => a - b), Array.from({ length: 12 }, (_, i) => i + 2), 'every reply was posted');
  for (const [who, kind] of [[author, 'reply'], [f1, 'follow']]) {
    assert.deepEqual(await notesOf(who, th), [{ kind, count: 12, first: 2, newest: 13, unread: true }], who.handle);
    assert.deepEqual((await messagesTo(who, since)).map((m) => m.subject), [`12 new replies in “${title}”`]);
  }
  // The database itself refuses a second open notification of the same reason.
  const p = await sql('SELECT id FROM posts WHERE thread_id = $1 AND number = 2', [th]);
  await assert.rejects(sql(`INSERT INTO notifications (user_id, kind, thread_id, post_id, actor_id, excerpt, created_at)
                            VALUES ($1, 'follow', $2, $3, $4, 'x', now())`, [f1.id, th, p, writers[0].id]),
  /notifications_open/);
  await assert.rejects(sql(`INSERT INTO notifications (user_id, kind, thread_id, post_id, actor_id, excerpt, created_at)
                            VALUES ($1, 'reply', $2, $3, $4, 'x', now())`, [f1.id, th, p, writers[0].id]),
  /notifications_open/, 'reply and follow are one reason: new posts');
});

// ---------------------------------------------------------------------------------------
test('admin outbox: pages by keyset, filters by kind (the kinds in the outbox)', async () => {
  const kind = `test-page-${uniq()}`;
  kinds.push(kind);
  // 120 messages of a kind of their own (bodies that do not open: the page says so).
  await sql(`INSERT INTO outbox (to_email, kind, subject, body, created_at)
             SELECT 'pager' || g || '@example.test', $1, 'Message ' || g, '\\x00'::bytea, now()
               FROM generate_series(1, 120) g`, [kind]);
  const ids = (await sql('SELECT id FROM outbox WHERE kind = $1 ORDER BY id DESC', [kind])).split('\n').map(Number);
  const allKinds = (await sql('SELECT DISTINCT kind FROM outbox ORDER BY kind')).split('\n');

  // The first page: every kind offered (from the data), none selected; 50 newest messages.
  let r = outboxPage((await page('/admin/outbox', admin.jar)).body);
  assert.ok(r.options, 'a select of kinds');
  assert.deepEqual(r.options.map((o) => o.value), ['', ...allKinds], 'all kinds, then each kind in the outbox');
  assert.ok(r.options.every((o) => !o.selected));
  assert.equal(r.messages.length, 50);
  assert.ok(r.older && !r.newest);

  // One kind, page by page: no gaps, no repeats, newest first; the select keeps the kind.
  const seen = [];
  let path = `/admin/outbox?kind=${kind}`;
  let pages = 0;
  while (path) {
    const res = await page(path, admin.jar);
    r = outboxPage(res.body);
    pages++;
    assert.deepEqual(r.options.filter((o) => o.selected).map((o) => o.value), [kind], `${path}: the kind stays selected`);
    assert.ok(r.messages.every((m) => m.kind === kind), `${path}: only that kind`);
    assert.ok(r.messages.every((m) => m.body === '(this message was sealed with another key)'));
    assert.equal(r.newest, pages > 1, 'a way back to the newest from later pages');
    seen.push(...r.messages.map((m) => Number(/^Message (\d+)$/.exec(m.subject)[1])));
    if (r.older) assert.match(r.older, new RegExp(`^/admin/outbox\\?kind=${kind}&before=\\d+$`));
    path = r.older;
  }
  assert.equal(pages, 3);
  assert.deepEqual(seen, Array.from({ length: 120 }, (_, i) => 120 - i), 'all 120, newest first, each once');
  // The cursor is the last message's id: the page after it starts just below.
  r = outboxPage((await page(`/admin/outbox?kind=${kind}&before=${ids[49]}`, admin.jar)).body);
  assert.equal(r.messages[0].subject, `Message ${120 - 50}`);

  // Bad inputs: a clear 400, not a 500 or an empty page that looks like "nothing".
  for (const [q, words] of [[`?before=abc`, /must be a message number/], [`?kind=${kind}&before=-3`, /must be a message number/],
    [`?kind=no-such-kind`, /no messages of that kind/]]) {
    const res = await page(`/admin/outbox${q}`, admin.jar, 400);
    assert.match(textOf(res.body), words, q);
  }
  // Not for learners.
  const learner = await someone('nl');
  assert.equal((await get(`/admin/outbox?kind=${kind}`, { jar: learner.jar })).status, 403);
});
