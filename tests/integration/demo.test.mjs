// The demo's conversation (issue 9, item 10): what a newcomer finds after "cairn demo".
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

test('loading the demo again adds nothing', () => {
  const count = () => rows(`SELECT (SELECT count(*) FROM threads), (SELECT count(*) FROM posts),
    (SELECT count(*) FROM notifications), (SELECT count(*) FROM reactions)`)[0].join(' ');
  const before1 = count();
  const again = demo();
  assert.doesNotMatch(again, /Loaded the demo conversation/);
  assert.equal(count(), before1);
});
