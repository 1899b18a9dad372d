// Times and their zones (issue 9, item 7): a thread linked to an agenda session showed the
// session's time in US Eastern time with no zone, beside post times in the reader's zone.
// Now every time is a <time datetime> in the reader's zone or naming its zone
// (include/cairn/zone.h; the rule is checked by times-lib.mjs). Readers in Los Angeles,
// New York and Tokyo open the same agenda-linked thread, the offering page, the home page
// and the notification list; someone not signed in reads the offering in its own zone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { get, closeConnections } from './lib.mjs';
import { closeSql, withClock } from './accounts-lib.mjs';
import {
  sql, uniq, makePerson, cancelEnrollment, spaceOf, startThread, reply,
} from './forum-lib.mjs';
import { checkTime, offsetIn, timesIn, timeProblems } from './times-lib.mjs';

const CP = 'core-practice-2026-05';
const P = {};
let thread;
let item;

before(async () => {
  for (const [key, zone] of [['la', 'America/Los_Angeles'], ['ny', 'America/New_York'],
    ['tokyo', 'Asia/Tokyo']]) {
    P[key] = await makePerson({ tag: `tz${key}`, enrolled: [CP], zone });
  }
  item = await sql(`SELECT a.id FROM agenda_items a JOIN offerings o ON o.id = a.offering_id
                    WHERE o.slug = $1 AND a.title = 'Delivering Serious News'`, [CP]);
  assert.ok(item, 'the demo agenda has Delivering Serious News');
  thread = await startThread(P.ny.jar, await spaceOf(CP), `After the news ${uniq()}`,
    'What did you say first?');
  await reply(P.la.jar, thread, 'I started with a warning shot.');
  // Attached by SQL: attaching through the moderator's form is forum.test's business.
  await sql('UPDATE threads SET agenda_item_id = $1 WHERE id = $2', [item, thread]);
});

after(async () => {
  // The agenda's "Discuss" link and the home's next session point at the first thread
  // attached to the session: leave the session as other tests expect it.
  if (thread) await sql('UPDATE threads SET agenda_item_id = NULL WHERE id = $1', [thread]);
  for (const p of Object.values(P)) await cancelEnrollment(p.handle, CP);
  closeSql();
  closeConnections();
});

async function page(path, who) {
  const r = await get(path, who ? { jar: who.jar } : {});
  assert.equal(r.status, 200, `GET ${path}: ${r.status}`);
  return r.body;
}

const sessionLine = (html) => /<p class="session-link">([\s\S]*?)<\/p>/.exec(html)?.[1];

test('the rule itself: what passes and what fails', () => {
  const ok = (dt, text, zone) => assert.equal(checkTime(dt, text, zone), null, `${dt} ${text} ${zone}`);
  const bad = (dt, text, zone, why) => assert.match(checkTime(dt, text, zone) ?? 'passed', why, `${dt} ${text} ${zone}`);
  ok('2026-05-14T10:15:00-04:00', 'Thursday, May 14, 10:15 am', 'America/New_York');
  ok('2026-05-14T10:15:00-04:00', '10:15 am EDT', 'America/Los_Angeles');
  ok('2026-05-14T07:15:00-07:00', 'May 14, 2026, 7:15 am', 'America/Los_Angeles');
  ok('2026-01-10T11:15:00+05:45', '11:15 am UTC+5:45', 'America/New_York');
  ok('2026-05-14T10:15:00-04:00', 'May 14, 2026', 'America/New_York');
  // What the pages printed before: UTC in the attribute, Eastern in the text, no zone.
  bad('2026-05-14T14:15:00Z', '10:15 am', 'America/New_York', /time of day is not the datetime's/);
  // Eastern time, unnamed, for a reader in Los Angeles.
  bad('2026-05-14T10:15:00-04:00', 'Thursday, May 14, 10:15 am', 'America/Los_Angeles',
    /not in the reader's zone .* names no zone/);
  bad('2026-05-14T10:15:00-04:00', '10:15 am PDT', 'America/Los_Angeles', /names a zone that is not/);
  bad(null, '10:15 am', 'America/New_York', /no datetime/);
  bad('2026-05-14 10:15', '10:15 am', 'America/New_York', /not ISO 8601 with an offset/);
  bad('2026-05-14T10:15:00-04:00', 'May 15, 10:15 am', 'America/New_York', /day is not the datetime's/);
  assert.deepEqual(timeProblems('<main><p>Session at 10:15 am</p></main>', 'UTC'),
    ['a time outside a <time> element: “Session at 10:15 am”']);
});

test('an agenda-linked thread: the session in the reader\'s zone, the course\'s time named', async () => {
  // Delivering Serious News: Thursday 14 May 2026, 10:15 am in New York (14:15 UTC).
  const expected = {
    ny: '<time datetime="2026-05-14T10:15:00-04:00">Thursday, May 14, 10:15 am</time>',
    la: '<time datetime="2026-05-14T07:15:00-07:00">Thursday, May 14, 7:15 am</time> ' +
      '(<time datetime="2026-05-14T10:15:00-04:00">10:15 am EDT</time>, the course\'s time)',
    tokyo: '<time datetime="2026-05-14T23:15:00+09:00">Thursday, May 14, 11:15 pm</time> ' +
      '(<time datetime="2026-05-14T10:15:00-04:00">10:15 am EDT</time>, the course\'s time)',
  };
  for (const [key, want] of Object.entries(expected)) {
    const html = await page(`/t/${thread}`, P[key]);
    const line = sessionLine(html);
    assert.ok(line, `${key}: the thread shows its session`);
    assert.equal(line.replace(/^Session: <a[^>]*>[^<]*<\/a>, /, ''), want, `${key}: ${line}`);
    assert.deepEqual(timeProblems(html, P[key].zone), [], `${key}: every time on the thread page keeps the rule`);
    // Post times are in the reader's zone too (its offset at the instant, unnamed).
    const posts = timesIn(/<ol class="posts">[\s\S]*?<\/ol>/.exec(html)[0]);
    assert.equal(posts.length, 2, 'two posts, two times');
    for (const t of posts) {
      const m = /([+-])(\d{2}):(\d{2})$/.exec(t.datetime);
      const offset = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
      assert.equal(offset, offsetIn(P[key].zone, Date.parse(t.datetime)), `${key}: post time ${t.datetime}`);
      assert.match(t.text, /\d (am|pm)$/, `${key}: a post time in the reader's zone names none: ${t.text}`);
    }
  }
});

test('the offering page: the offering\'s zone for everyone not signed in, named for others', async () => {
  const anonymous = await page(`/offerings/${CP}`);
  assert.deepEqual(timeProblems(anonymous, 'America/New_York'), [], 'anonymous: read in the offering\'s zone');
  assert.ok(anonymous.includes('<time datetime="2026-05-14T10:15:00-04:00">10:15 am</time>'),
    'anonymous: the agenda in the course\'s time, unnamed');
  const la = await page(`/offerings/${CP}`, P.la);
  assert.deepEqual(timeProblems(la, 'America/Los_Angeles'), []);
  assert.ok(la.includes('<time datetime="2026-05-14T10:15:00-04:00">10:15 am EDT</time>'),
    'a reader in Los Angeles sees the course\'s time with its zone');
  // The upcoming run has deadlines: instants, shown with their time and zone rule too.
  const up = await page('/offerings/core-practice-upcoming', P.tokyo);
  const deadlines = timesIn(/<dl class="facts">[\s\S]*?<\/dl>/.exec(up)[0]);
  assert.ok(deadlines.length >= 1, 'the registration deadline is a <time>');
  assert.deepEqual(timeProblems(up, 'Asia/Tokyo'), []);
});

test('home, notifications, spaces, search, profile: the reader\'s zone', async () => {
  // On 14 May 2026 at 14:20 UTC the session is on: the home shows it in both zones.
  await withClock(Date.UTC(2026, 4, 14, 14, 20) / 1000, async () => {
    const home = await page('/home', P.la);
    const next = /<section aria-labelledby="next-h"[\s\S]*?<\/section>/.exec(home)[0];
    assert.ok(next.includes('<time datetime="2026-05-14T07:15:00-07:00">Thursday, May 14, 7:15 am</time>'), next);
    assert.ok(next.includes('<time datetime="2026-05-14T10:15:00-04:00">Thursday, May 14, 10:15 am EDT</time>'), next);
    assert.deepEqual(timeProblems(home, 'America/Los_Angeles'), []);
  });
  const space = await spaceOf(CP);
  for (const path of ['/notifications', `/s/${space}`, '/spaces', '/search?q=warning', '/profile']) {
    for (const key of ['la', 'tokyo']) {
      assert.deepEqual(timeProblems(await page(path, P[key]), P[key].zone), [], `${path} for ${key}`);
    }
  }
  const notes = await page('/notifications', P.ny);
  assert.ok(timesIn(notes).length > 0, 'ny is told of la\'s reply, with its time');
});
