// The demo's conversation (issue 9, item 10): what a newcomer signing in to the demo finds.
// The fixture loaded the demo with "cairn demo" on this database, so every row below was
// written by sql/demo/conversation.sql through the forum's own write path. Checked over
// HTTP as the demo learner (Priya) where a person would see it, in the database where the
// page does not say it (revisions, reading state, dates).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { get, closeConnections, textOf } from './lib.mjs';
import { closeSql } from './accounts-lib.mjs';
import { sql, jarOf, spaceOf, seriesSpace, postsOn, headerBadge } from './forum-lib.mjs';

const CP = 'core-practice-2026-05';

after(() => { closeSql(); closeConnections(); });

/** Rows of a query as arrays of column texts (sql() gives psql -At output). */
async function rows(text, params = []) {
  const out = await sql(text, params);
  return out === '' ? [] : out.split('\n').map((line) => line.split('|'));
}

async function threadsIn(spaceId) {
  return (await rows(`SELECT id, title, last_number FROM threads WHERE space_id = $1
    ORDER BY id`, [spaceId])).map(([id, title, n]) => ({ id, title, last_number: n }));
}

// The demo's threads are the first ones made; the tests that run before this file may have
// made more (and mentioned Priya in them). The demo's last thread starts five days ago.
const DEMO_THREADS = `(SELECT max(id) FROM threads
  WHERE title = 'Coming back for the next Core Practice run with your team?')`;

test('the May 2026 cohort and the series community each have a conversation', async () => {
  const cohort = await threadsIn(await spaceOf(CP));
  const ann = await threadsIn(await spaceOf(CP, 'announcements'));
  const series = await threadsIn(await seriesSpace());
  assert.ok(cohort.length >= 3, `cohort threads: ${cohort.length}`);
  assert.ok(ann.length >= 1, `announcement threads: ${ann.length}`);
  assert.ok(series.length >= 2, `series threads: ${series.length}`);
  for (const t of [...cohort, ...series])
    assert.ok(Number(t.last_number) >= 3, `"${t.title}" has replies (${t.last_number} posts)`);
  const writers = await sql(`SELECT count(DISTINCT p.author_id) FROM posts p
    WHERE p.thread_id <= ${DEMO_THREADS}`);
  assert.ok(Number(writers) >= 6, `distinct writers: ${writers}`);
});

test('one thread is linked to the "Delivering Serious News" session and shows it', async () => {
  const linked = await rows(`SELECT t.id FROM threads t
    JOIN agenda_items i ON i.id = t.agenda_item_id JOIN offerings o ON o.id = i.offering_id
    WHERE o.slug = $1 AND i.title = 'Delivering Serious News' AND t.id <= ${DEMO_THREADS}`,
  [CP]);
  assert.equal(linked.length, 1);
  const r = await get(`/t/${linked[0][0]}`, { jar: await jarOf('priya') });
  assert.equal(r.status, 200);
  assert.match(textOf(r.body), /Session: Day 2 · Delivering Serious News/);
});

test('the conversation has mentions, a quote, an edited post and helpful marks', async () => {
  const [[mentions, quotes, edited, helpful]] = await rows(`WITH p AS (
      SELECT * FROM posts WHERE thread_id <= ${DEMO_THREADS})
    SELECT (SELECT count(*) FROM mentions m JOIN p ON p.id = m.post_id),
           (SELECT count(*) FROM p WHERE body_html LIKE '%<blockquote>%'),
           (SELECT count(*) FROM p JOIN post_revisions v ON v.post_id = p.id
             WHERE p.edited_at IS NOT NULL AND p.deleted_at IS NULL),
           (SELECT count(*) FROM reactions r JOIN p ON p.id = r.post_id)`);
  assert.ok(Number(mentions) >= 3, `mentions: ${mentions}`);
  assert.ok(Number(quotes) >= 1, `quotes: ${quotes}`);
  assert.ok(Number(edited) >= 1, `edited posts: ${edited}`);
  assert.ok(Number(helpful) >= 10, `helpful marks: ${helpful}`);

  // The edited post says so on the page.
  const [[thread, number]] = await rows(`SELECT p.thread_id, p.number FROM posts p
    WHERE p.edited_at IS NOT NULL AND p.deleted_at IS NULL AND p.thread_id <= ${DEMO_THREADS}
    ORDER BY p.id LIMIT 1`);
  const page = await get(`/t/${thread}`, { jar: await jarOf('priya') });
  const post = postsOn(page.body).get(Number(number));
  assert.ok(post, 'the edited post is on the first page');
  assert.ok(post.edited, 'it is marked edited');
});

test('the demo learner has an unread mention from a few hours ago, and nothing else unread',
  async () => {
    const jar = await jarOf('priya');
    const home = await get('/home', { jar });
    assert.equal(home.status, 200);
    assert.ok(headerBadge(home.body) >= 1, 'the badge shows the unread notification');
    const n = await get('/notifications', { jar });
    assert.match(textOf(n.body), /Amara Osei, LICSW mentioned you in A goals-of-care conversation/);
    const unread = await rows(`SELECT n.kind, extract(epoch FROM now() - n.created_at)
      FROM notifications n JOIN users u ON u.id = n.user_id
      WHERE u.handle = 'priya' AND n.read_at IS NULL AND n.thread_id <= ${DEMO_THREADS}`);
    assert.equal(unread.length, 1, JSON.stringify(unread));
    assert.equal(unread[0][0], 'mention');
    // Dated from the day the demo loads: recent, whatever the day.
    const age = Number(unread[0][1]);
    assert.ok(age > 0 && age < 86400, `age ${age} s`);
  });

test('the cohort\'s posts are dated around its live days; the series\' are recent', async () => {
  const [[first, last, newest]] = await rows(`WITH p AS (
      SELECT p.created_at, s.kind, o.slug FROM posts p JOIN threads t ON t.id = p.thread_id
        JOIN spaces s ON s.id = t.space_id LEFT JOIN offerings o ON o.id = s.offering_id
       WHERE t.id <= ${DEMO_THREADS})
    SELECT (SELECT min(created_at) AT TIME ZONE 'America/New_York' FROM p WHERE slug = $1)::date,
           (SELECT max(created_at) AT TIME ZONE 'America/New_York' FROM p WHERE slug = $1)::date,
           (SELECT extract(epoch FROM now() - max(created_at)) FROM p WHERE kind = 'series')`,
  [CP]);
  assert.ok(first >= '2026-05-01' && last <= '2026-05-31', `cohort posts from ${first} to ${last}`);
  assert.ok(Number(newest) < 86400, `newest series post ${newest} s old`);
});
