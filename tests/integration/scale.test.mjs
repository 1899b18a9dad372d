// What keeps the site up as the community grows (issue 8): search runs in its own small gate
// with JIT and parallel workers off, so a burst of searches gets 503 + Retry-After while pages
// are still served; and the notification badge counts only what the person can still open.
// (Slow clients: slowclients.test.mjs. Costs at a million posts: scripts/bench.)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { get, post, closeConnections } from './lib.mjs';
import { closeSql } from './accounts-lib.mjs';
import {
  sql, uniq, jarOf, makePerson, spaceOf, startThread, reply, headerBadge, searchResults,
} from './forum-lib.mjs';

// People made here join the October 2025 Foundations run, whose roster no other test counts, and
// leave it afterwards.
const PAST = 'foundations-2025-10';
const made = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

after(async () => {
  await searchDelay(0).catch(() => {});
  if (made.length) {
    await sql(`UPDATE enrollments SET state = 'cancelled', cancelled_at = now()
                WHERE state <> 'cancelled' AND user_id = ANY($1::bigint[])`, [`{${made.join(',')}}`]);
  }
  closeSql();
  closeConnections();
});

async function searchDelay(ms) {
  const r = await post('/__test/search-delay', { ms: String(ms) });
  assert.equal(r.status, 200);
}

test('search runs with JIT and parallel workers off and plans for its words', async () => {
  const jar = await jarOf('priya');
  const r = await get('/search?q=pain+dyspnea&explain=1', { jar });
  assert.equal(r.status, 200, r.body);
  assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
  const settings = /^Settings: (.*)$/m.exec(r.body);
  assert.ok(settings, `the plan lists the settings it ran with:\n${r.body}`);
  assert.match(settings[1], /jit = 'off'/);
  assert.match(settings[1], /max_parallel_workers_per_gather = '0'/);
  assert.match(settings[1], /plan_cache_mode = 'force_custom_plan'/);
  assert.doesNotMatch(r.body, /Gather/, 'no parallel plan');
  // The candidates come newest first, window by window, and at most 200 are ranked.
  assert.match(r.body, /Limit[\s\S]*Append/);
});

test('a search finds the recent answer first when ranks tie, and stop words alone find nothing', async () => {
  const word = `zq${uniq()}`.replace(/[^a-z0-9]/g, '');
  const me = await makePerson({ tag: 'srch', enrolled: [PAST] });
  made.push(me.id);
  const space = await spaceOf(PAST);
  const old = await startThread(me.jar, space, `Older ${word}`, `An older answer about ${word}.`);
  const recent = await startThread(me.jar, space, `Newer ${word}`, `A newer answer about ${word}.`);
  const found = searchResults((await get(`/search?q=${word}`, { jar: me.jar })).body);
  assert.deepEqual(found.map((x) => x.thread), [recent, old]);
  const none = await get('/search?q=the+and+of', { jar: me.jar });
  assert.equal(none.status, 200);
  assert.equal(searchResults(none.body).length, 0);
  assert.match(none.body, /No posts you can read match/);
});

test('with the search gate full, a further search gets 503 + Retry-After while a thread page gets 200', async () => {
  const me = await makePerson({ tag: 'gate', enrolled: [PAST] });
  made.push(me.id);
  const thread = await startThread(me.jar, await spaceOf(PAST), `Gate ${uniq()}`, 'A page that must stay up.');
  // Under the 3 s statement limit, longer than the 2 s a waiting search may wait.
  await searchDelay(2500);
  try {
    // The fixture's pool has 8 connections: 2 searches run, 4 may wait, the rest are refused.
    const inflight = Array.from({ length: 6 }, () =>
      get('/search?q=serious+news', { jar: me.jar, agent: false, timeout: 20000 }));
    await sleep(700);
    const t0 = Date.now();
    const [extra, page] = await Promise.all([
      get('/search?q=goals+of+care', { jar: me.jar, agent: false }),
      get(`/t/${thread}`, { jar: me.jar, agent: false }),
    ]);
    const ms = Date.now() - t0;
    assert.equal(extra.status, 503, 'the search beyond the gate is refused');
    assert.equal(extra.headers['retry-after'], '3');
    assert.match(extra.body, /Many searches are running/);
    assert.equal(page.status, 200, 'the thread page is served meanwhile');
    assert.ok(ms < 2000, `both answered at once (${ms} ms), not after the searches`);
    const done = await Promise.all(inflight);
    const ok = done.filter((r) => r.status === 200).length;
    assert.ok(ok >= 2, `the searches that held the gate finished (${done.map((r) => r.status)})`);
    for (const r of done) assert.ok(r.status === 200 || r.status === 503, `status ${r.status}`);
  } finally {
    await searchDelay(0);
  }
  const after = await get('/search?q=serious+news', { jar: me.jar });
  assert.equal(after.status, 200, 'the gate is free again');
});

test('the badge counts one unread notification in an open thread, none in a thread I can no longer open', async () => {
  const me = await makePerson({ tag: 'badge', enrolled: [PAST, 'foundations-2026-01'] });
  made.push(me.id);
  const other = await makePerson({ tag: 'badger', enrolled: [PAST, 'foundations-2026-01'] });
  made.push(other.id);
  const open = await startThread(me.jar, await spaceOf(PAST), `Open ${uniq()}`, 'Still mine to read.');
  const closed = await startThread(me.jar, await spaceOf('foundations-2026-01'), `Closed ${uniq()}`, 'Soon not mine.');
  await reply(other.jar, open, `A reply for @${me.handle}.`);
  await reply(other.jar, closed, `A reply for @${me.handle} too.`);
  assert.equal(headerBadge((await get('/spaces', { jar: me.jar })).body), 2);
  // The Foundations enrollment ends: its thread's notification no longer counts.
  await sql(`UPDATE enrollments SET state = 'cancelled', cancelled_at = now()
              WHERE user_id = $1 AND offering_id = (SELECT id FROM offerings WHERE slug = 'foundations-2026-01')`,
  [me.id]);
  const page = await get('/spaces', { jar: me.jar });
  assert.equal(headerBadge(page.body), 1);
  const unread = await sql(`SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL`, [me.id]);
  assert.equal(unread, '2', 'both notifications are still stored; the badge hides the one out of reach');
});
