// The demo's conversation (issue 9, item 10) and small groups (issue 10, item 6): what a newcomer
// finds after "cairn demo".
// The other tests write in the fixture's database (and re-link, read and mention), so this
// file loads the demo into a database of its own with the real binary, checks what it wrote,
// loads it again to prove a second run adds nothing, and drops the database. The pages a
// newcomer sees are walked in tests/browser/demo.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { state } from './lib.mjs';

const CP = 'core-practice-2026-05';
const DBNAME = `cairn_demo_${randomBytes(4).toString('hex')}`;
const env = { ...process.env, PGHOST: state.PGHOST, PGUSER: state.PGUSER };
if (state.PGPORT) env.PGPORT = state.PGPORT; else delete env.PGPORT;
delete env.PGDATABASE;

function run(cmd, args, extra = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...env, ...extra }, timeout: 120000,
    cwd: state.CAIRN_IT_SOURCE });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Rows of a query on the demo's database, as arrays of column texts. */
function rows(text) {
  const out = run(state.PSQL || 'psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', DBNAME,
    '-c', text]).replace(/\n$/, '');
  return out === '' ? [] : out.split('\n').map((line) => line.split('|'));
}

const demo = () => run(state.CAIRN_IT_BIN, ['demo'], { CAIRN_DATABASE_URL: `dbname=${DBNAME}` });
let firstRun;

before(() => {
  run(state.PSQL || 'psql', ['-X', '-q', '-d', state.CAIRN_IT_DB, '-c', `CREATE DATABASE ${DBNAME}`]);
  firstRun = demo();
});
after(() => {
  spawnSync(state.PSQL || 'psql', ['-X', '-q', '-d', state.CAIRN_IT_DB, '-c',
    `DROP DATABASE IF EXISTS ${DBNAME} WITH (FORCE)`], { env });
});

function threadsIn(where) {
  return rows(`SELECT t.id, t.title, t.last_number FROM threads t JOIN spaces s ON s.id = t.space_id
    LEFT JOIN offerings o ON o.id = s.offering_id WHERE ${where} ORDER BY t.id`)
    .map(([id, title, n]) => ({ id, title, posts: Number(n) }));
}

test('the May 2026 cohort and the series community each have a conversation', () => {
  assert.match(firstRun, /Loaded the demo conversation \(\d+ posts\)/);
  const cohort = threadsIn(`o.slug = '${CP}' AND s.kind = 'cohort'`);
  const ann = threadsIn(`o.slug = '${CP}' AND s.kind = 'announcements'`);
  const series = threadsIn(`s.kind = 'series'`);
  assert.ok(cohort.length >= 3, `cohort threads: ${cohort.length}`);
  assert.ok(ann.length >= 1, `announcement threads: ${ann.length}`);
  assert.ok(series.length >= 2, `series threads: ${series.length}`);
  for (const t of [...cohort, ...series])
    assert.ok(t.posts >= 3, `"${t.title}" has replies (${t.posts} posts)`);
  const [[writers]] = rows('SELECT count(DISTINCT author_id) FROM posts');
  assert.ok(Number(writers) >= 6, `distinct writers: ${writers}`);
});

test('one thread is linked to the "Delivering Serious News" session', () => {
  const linked = rows(`SELECT t.title FROM threads t JOIN agenda_items i ON i.id = t.agenda_item_id
    JOIN offerings o ON o.id = i.offering_id
    WHERE o.slug = '${CP}' AND i.title = 'Delivering Serious News'`);
  assert.equal(linked.length, 1);
  assert.match(linked[0][0], /Delivering Serious News/);
});

test('the conversation has mentions, a quote, an edited post and helpful marks', () => {
  const [[mentions, quotes, edited, helpful]] = rows(`SELECT
      (SELECT count(*) FROM mentions),
      (SELECT count(*) FROM posts WHERE body_html LIKE '%<blockquote>%'),
      (SELECT count(*) FROM posts p JOIN post_revisions v ON v.post_id = p.id
        WHERE p.edited_at > p.created_at AND v.body_src <> p.body_src),
      (SELECT count(*) FROM reactions)`);
  assert.ok(Number(mentions) >= 3, `mentions: ${mentions}`);
  assert.ok(Number(quotes) >= 1, `quotes: ${quotes}`);
  assert.equal(Number(edited), 1, 'one edited post, with its earlier version');
  assert.ok(Number(helpful) >= 10, `helpful marks: ${helpful}`);
});

test('the demo learner has one unread notification: a mention from a few hours ago', () => {
  const unread = rows(`SELECT n.kind, a.handle, extract(epoch FROM now() - n.created_at)
    FROM notifications n JOIN users u ON u.id = n.user_id JOIN users a ON a.id = n.actor_id
    WHERE u.handle = 'priya' AND n.read_at IS NULL`);
  assert.equal(unread.length, 1, JSON.stringify(unread));
  const [kind, actor, age] = unread[0];
  assert.deepEqual([kind, actor], ['mention', 'amara']);
  // Dated from the day the demo loads: recent, whatever the day.
  assert.ok(Number(age) > 0 && Number(age) < 86400, `age ${age} s`);
  // Everyone else has read everything.
  const [[others]] = rows(`SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id
    WHERE u.handle <> 'priya' AND n.read_at IS NULL`);
  assert.equal(Number(others), 0);
});

test('the cohort\'s posts are dated around its live days; the series\' are recent', () => {
  const [[first, last, newest]] = rows(`WITH p AS (
      SELECT p.created_at, s.kind, o.slug FROM posts p JOIN threads t ON t.id = p.thread_id
        JOIN spaces s ON s.id = t.space_id LEFT JOIN offerings o ON o.id = s.offering_id)
    SELECT (SELECT min(created_at) AT TIME ZONE 'America/New_York' FROM p WHERE slug = '${CP}')::date,
           (SELECT max(created_at) AT TIME ZONE 'America/New_York' FROM p WHERE slug = '${CP}')::date,
           (SELECT extract(epoch FROM now() - max(created_at)) FROM p WHERE kind = 'series')`);
  assert.ok(first >= '2026-05-01' && last <= '2026-05-31', `cohort posts from ${first} to ${last}`);
  assert.ok(Number(newest) < 86400, `newest series post ${newest} s old`);
});

test('the May 2026 cohort is placed in small groups by the placement code, with its facilitator', () => {
  assert.match(firstRun, /Placed the May 2026 cohort into 3 small groups \(12 learners\)/);
  const groups = rows(`SELECT g.name, g.track, count(s.id) FROM groups g JOIN series se ON se.id = g.series_id
    LEFT JOIN spaces s ON s.group_id = g.id AND s.kind = 'group'
    WHERE se.slug = 'palliative-care' GROUP BY g.id ORDER BY g.name`);
  assert.deepEqual(groups, [['Adult group 1', 'adult', '1'], ['Adult group 2', 'adult', '1'],
    ['Pediatric group 1', 'pediatric', '1']], 'three groups, each with its space');
  // Every May learner has one open membership, placed for May a week before it met.
  const may = rows(`SELECT u.handle, g.name, g.track, u.track, r.handle, m.joined_at AT TIME ZONE 'America/New_York'
    FROM group_members m JOIN groups g ON g.id = m.group_id JOIN users u ON u.id = m.user_id
    JOIN offerings o ON o.id = m.offering_id LEFT JOIN users r ON r.id = m.placed_by
    WHERE o.slug = '${CP}' AND m.left_at IS NULL ORDER BY u.handle`);
  const [[learners]] = rows(`SELECT count(*) FROM enrollments e JOIN offerings o ON o.id = e.offering_id
    WHERE o.slug = '${CP}' AND e.role = 'learner' AND e.state = 'confirmed'`);
  assert.equal(may.length, Number(learners));
  assert.equal(may.length, 12);
  for (const [handle, group, gtrack, utrack, by, joined] of may) {
    assert.equal(gtrack, utrack === 'pediatric' ? 'pediatric' : 'adult', `${handle} is in a group of their track`);
    assert.equal(by, 'rivera');
    assert.equal(joined, '2026-05-06 12:00:00');
    if (['lee', 'amara'].includes(handle)) assert.equal(group, 'Pediatric group 1');
  }
  const sizes = rows(`SELECT g.name, count(*) FROM group_members m JOIN groups g ON g.id = m.group_id
    JOIN offerings o ON o.id = m.offering_id WHERE o.slug = '${CP}' GROUP BY g.name ORDER BY g.name`);
  assert.deepEqual(sizes, [['Adult group 1', '4'], ['Adult group 2', '4'], ['Pediatric group 1', '4']]);
  // Chidi Okafor facilitates every group, for May and for the next course.
  const facilitators = rows(`SELECT o.slug, g.name, u.handle FROM group_facilitators f
    JOIN groups g ON g.id = f.group_id JOIN offerings o ON o.id = f.offering_id JOIN users u ON u.id = f.user_id
    ORDER BY o.slug, g.name`);
  assert.deepEqual(facilitators, ['core-practice-2026-05', 'third-course-upcoming'].flatMap((slug) =>
    ['Adult group 1', 'Adult group 2', 'Pediatric group 1'].map((g) => [slug, g, 'okafor'])));
});

test('the cohort returns for its next course, so the demo learners read their group today', () => {
  const [[starts, open]] = rows(`SELECT starts_on - current_date, registration_deadline <= now()
    FROM offerings WHERE slug = 'third-course-upcoming'`);
  assert.ok(Number(starts) >= 63 && Number(starts) < 70, `starts in ${starts} days`);
  assert.equal(open, 't', 'registration is closed: its places are the returning cohort\'s');
  // The newcomer joined a group of the series for this course; nobody else moved.
  const next = rows(`SELECT u.handle, g.name FROM group_members m JOIN groups g ON g.id = m.group_id
    JOIN users u ON u.id = m.user_id JOIN offerings o ON o.id = m.offering_id
    WHERE o.slug = 'third-course-upcoming'`);
  assert.equal(next.length, 1);
  assert.equal(next[0][0], 'ferrari');
  assert.deepEqual(rows('SELECT count(*) FROM group_members WHERE left_at IS NOT NULL'), [['0']]);
  // Who reads which group space now.
  const role = (handle, group) => rows(`SELECT cairn_space_role(u.id, s.id) FROM users u, spaces s
    JOIN groups g ON g.id = s.group_id WHERE u.handle = '${handle}' AND g.name = '${group}'`)[0][0];
  const groupOf = (handle) => rows(`SELECT g.name FROM group_members m JOIN groups g ON g.id = m.group_id
    JOIN users u ON u.id = m.user_id WHERE u.handle = '${handle}' AND m.left_at IS NULL`)[0][0];
  for (const handle of ['priya', 'sam', 'lee', 'amara', 'tomas', 'ferrari']) {
    assert.equal(role(handle, groupOf(handle)), '1', `${handle} reads their group`);
  }
  assert.equal(role('lee', 'Adult group 1'), '0', 'not another group');
  assert.equal(role('weiss', groupOf('weiss')), '0', 'a member who did not return no longer reads it');
  assert.equal(role('okafor', 'Pediatric group 1'), '2', 'the facilitator moderates');
  assert.equal(role('rivera', 'Adult group 2'), '2', 'the director moderates');
});

test('the PICU nurse\'s story is told behind a content note; no other post has one', () => {
  const noted = rows(`SELECT t.title, p.number, u.handle, p.content_note FROM posts p
    JOIN threads t ON t.id = p.thread_id JOIN users u ON u.id = p.author_id
    WHERE p.content_note <> '' ORDER BY p.id`);
  assert.deepEqual(noted, [['The first child I lost in the PICU', '1', 'ruiz', 'death of a child']]);
});

test('loading the demo again adds nothing', () => {
  const count = () => rows(`SELECT (SELECT count(*) FROM threads), (SELECT count(*) FROM posts),
    (SELECT count(*) FROM notifications), (SELECT count(*) FROM reactions),
    (SELECT count(*) FROM offerings), (SELECT count(*) FROM enrollments), (SELECT count(*) FROM groups),
    (SELECT string_agg(concat_ws(',', id, group_id, user_id, offering_id, joined_at, left_at), ';' ORDER BY id)
       FROM group_members),
    (SELECT string_agg(concat_ws(',', group_id, offering_id, user_id, assigned_at), ';'
       ORDER BY group_id, offering_id, user_id) FROM group_facilitators)`)[0].join(' ');
  const before1 = count();
  const again = demo();
  assert.doesNotMatch(again, /Loaded the demo conversation/);
  assert.doesNotMatch(again, /Placed the May 2026 cohort/);
  assert.equal(count(), before1);
});
