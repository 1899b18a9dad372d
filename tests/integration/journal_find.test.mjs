// Finding and keeping journal entries (issue 14 item 3), over real HTTP against the test
// server, checked against the database and the server's log.
//
// - The list shows 20 entries a page and opens only those: a damaged entry on another page is
//   not even tried (the server logs every entry that does not open, by id).
// - A course filter is done in SQL (the course is stored in clear). A tag filter opens every
//   entry of the learner for that request only, and names the tag in the URL only by an
//   opaque token (a keyed hash under the learner's key): never the tag's text, and not the
//   same token for another learner's tag of the same name. Tags fold case.
// - Search is a POST: the words travel only in the request body, the results are the answer
//   (200, no-store, no redirect), and the words appear in no log line. Words and "phrases"
//   must all occur in the title, text or tags, in any case (Latin-1 letters too); Markdown's
//   marks do not get in the way; results show where the words are, marked. An empty search,
//   a search too long or with too many words, and a course not in the list are refused with
//   a clear error and the form kept.
// - The whole journal exports as one Markdown file (an attachment, no-store) and reads as
//   one printable page (the print style sheet leaves the site's header out); a locked entry
//   says it is locked there, a damaged one that it cannot be opened. A session without the
//   journal key cannot export a journal that has entries, and says why.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { get, post, serverLog, closeConnections, textOf } from './lib.mjs';
import {
  uniq, newAccount, formPage, sql, closeSql, mainText, alertText, testSession, createReset,
  preSession, pendingCode, confirmCode,
} from './accounts-lib.mjs';
import { enroll } from './forum-lib.mjs';

const F25 = 'foundations-2025-10';
const made = [];
after(async () => {
  if (made.length) {
    await sql('DELETE FROM users WHERE id = ANY($1::bigint[])', [`{${made.join(',')}}`]);
  }
  closeSql();
  closeConnections();
});

async function account(tag) {
  const a = await newAccount({ tag });
  made.push(a.id);
  a.csrf = (await formPage('/journal/new', a.jar)).csrf;
  return a;
}

/** Write an entry through the form; returns its id. */
async function write(a, { title = '', body, tags = '', offering = '' }) {
  const r = await post('/journal', { csrf: a.csrf, title, body, tags, offering }, { jar: a.jar });
  assert.equal(r.status, 303, `POST /journal: ${r.status} ${alertText(r.body)}`);
  return /^\/journal\/(\d+)$/.exec(r.headers.location)[1];
}

/** The entries a list or results page shows: [{ id, title }], in order. */
function listed(html) {
  const list = /<[ou]l class="journal-list[^"]*">([\s\S]*?)<\/[ou]l>/.exec(html);
  if (!list) return [];
  return [...list[1].matchAll(/<li>\s*<a href="\/journal\/(\d+)">([^<]*)<\/a>/g)]
    .map((m) => ({ id: m[1], title: m[2] }));
}

/** The tag links on a page: [{ token, name }]. */
function tagLinks(html) {
  return [...html.matchAll(/<a class="tag-link" href="\/journal\?tag=([^"]*)"><span class="tag">([^<]*)<\/span>/g)]
    .map((m) => ({ token: m[1], name: m[2] }));
}

/** The log written since `from` characters. */
const logSince = (from) => serverLog().slice(from);

/** Flip one byte in the middle of an entry's ciphertext; returns a function that undoes it. */
async function damage(id) {
  const hex = await sql("SELECT encode(sealed, 'hex') FROM journal_entries WHERE id = $1", [id]);
  const at = 100;
  const byte = (parseInt(hex.slice(at * 2, at * 2 + 2), 16) ^ 0x01).toString(16).padStart(2, '0');
  await sql("UPDATE journal_entries SET sealed = decode($2, 'hex') WHERE id = $1",
    [id, hex.slice(0, at * 2) + byte + hex.slice(at * 2 + 2)]);
  return () => sql("UPDATE journal_entries SET sealed = decode($2, 'hex') WHERE id = $1", [id, hex]);
}

const search = (a, form) => post('/journal/search', { csrf: a.csrf, ...form }, { jar: a.jar });

test('the list shows 20 entries a page and opens only the page it shows', async () => {
  const a = await account('jp');
  const u = uniq();
  const ids = [];
  for (let i = 0; i < 45; i++) ids.push(await write(a, { title: `Entry ${i} ${u}`, body: `Body ${i}` }));
  const titles = (from, to) => {
    const out = [];
    for (let i = from; i >= to; i--) out.push(`Entry ${i} ${u}`);
    return out;
  };
  const p1 = await get('/journal', { jar: a.jar });
  assert.equal(p1.status, 200);
  assert.equal(p1.headers['cache-control'], 'no-store');
  assert.deepEqual(listed(p1.body).map((e) => e.title), titles(44, 25), 'the 20 newest first');
  assert.match(mainText(p1.body), /45 entries/);
  assert.match(mainText(p1.body), /Page 1 of 3/);
  assert.ok(p1.body.includes('<a href="/journal?page=2" rel="next">Older entries</a>'));
  assert.ok(!p1.body.includes('rel="prev"'));
  const p2 = await get('/journal?page=2', { jar: a.jar });
  assert.deepEqual(listed(p2.body).map((e) => e.title), titles(24, 5));
  assert.ok(p2.body.includes('<a href="/journal" rel="prev">Newer entries</a>'));
  assert.match(p2.body, /<title>Your journal, page 2 · Cairn<\/title>/);
  const p3 = await get('/journal?page=3', { jar: a.jar });
  assert.deepEqual(listed(p3.body).map((e) => e.title), titles(4, 0));
  assert.ok(!p3.body.includes('rel="next"'));
  for (const bad of ['4', '0', '-1', 'x', '1.5', '']) {
    const r = await get(`/journal?page=${bad}`, { jar: a.jar });
    assert.equal(r.status, bad === '' ? 200 : 404, `page=${bad}`);
  }

  // Only the page shown is opened: a damaged entry on page 3 is not tried for page 1.
  const undo = await damage(ids[2]);
  const line = `journal: entry ${ids[2]} of user ${a.id} does not open`;
  let from = serverLog().length;
  const again = await get('/journal', { jar: a.jar });
  assert.doesNotMatch(mainText(again.body), /cannot be opened/);
  assert.ok(!logSince(from).includes(line), 'page 1 did not open the entry of page 3');
  from = serverLog().length;
  const third = await get('/journal?page=3', { jar: a.jar });
  assert.match(mainText(third.body), /Some entries cannot be opened/);
  assert.ok(logSince(from).includes(line), 'page 3 opened it');
  await undo();
});

test('filter by course (in SQL) and by tag (an opaque token in the URL, every entry opened once)', async () => {
  const a = await account('jt');
  const b = await account('ju');
  await enroll(a.handle, F25);
  const course = await sql('SELECT id FROM offerings WHERE slug = $1', [F25]);
  const u = uniq();
  const canary = `Tagcanary${u}`;
  const e1 = await write(a, { title: `One ${u}`, body: 'first', tags: `Grief, night shift, ${canary}`, offering: course });
  const e2 = await write(a, { title: `Two ${u}`, body: 'second', tags: 'grief' });
  const e3 = await write(a, { title: `Three ${u}`, body: 'third', tags: 'family' });
  const e4 = await write(a, { title: `Four ${u}`, body: 'fourth' });
  await write(b, { title: `Theirs ${u}`, body: 'theirs', tags: 'grief' });

  // Tags link to their entries by a token: 32 hex digits, the same for "Grief" and "grief".
  const links1 = tagLinks((await get(`/journal/${e1}`, { jar: a.jar })).body);
  assert.deepEqual(links1.map((l) => l.name), ['Grief', 'night shift', canary]);
  for (const l of links1) {
    assert.match(l.token, /^[0-9a-f]{32}$/);
    assert.ok(!l.token.includes('grief') && !l.token.includes(canary.toLowerCase()));
  }
  const grief = links1[0].token;
  const links2 = tagLinks((await get(`/journal/${e2}`, { jar: a.jar })).body);
  assert.equal(links2[0].token, grief, 'tags fold case');
  assert.deepEqual(tagLinks((await get('/journal', { jar: a.jar })).body).filter((l) => l.name === 'grief')
    .map((l) => l.token), [grief], 'the list links tags too');
  const theirs = tagLinks((await get('/journal', { jar: b.jar })).body);
  assert.equal(theirs.length, 1);
  assert.notEqual(theirs[0].token, grief, "another learner's token for the same tag differs");

  // The filter opens every entry (a damaged one that is not shown is tried too).
  const undo = await damage(e3);
  const from = serverLog().length;
  const r = await get(`/journal?tag=${grief}`, { jar: a.jar });
  assert.equal(r.status, 200);
  assert.equal(r.headers['cache-control'], 'no-store');
  assert.deepEqual(listed(r.body).map((e) => e.id), [e2, e1]);
  assert.match(mainText(r.body), /2 entries tagged “grief”/);
  assert.match(r.body, /<title>Your journal · Cairn<\/title>/, 'the tag is not in the title');
  assert.ok(logSince(from).includes(`journal: entry ${e3} of user ${a.id} does not open`));
  assert.ok(!logSince(from).includes('grief'), 'the log holds no tag');
  await undo();
  assert.ok(r.body.includes('<a href="/journal">Show every entry</a>'));

  // With the course: only the entry about it. The course alone: filtered in SQL.
  const both = await get(`/journal?course=${course}&tag=${grief}`, { jar: a.jar });
  assert.deepEqual(listed(both.body).map((e) => e.id), [e1]);
  assert.match(mainText(both.body), /1 entry tagged “Grief” about Foundations/);
  const byCourse = await get(`/journal?course=${course}`, { jar: a.jar });
  assert.deepEqual(listed(byCourse.body).map((e) => e.id), [e1]);
  assert.match(byCourse.body, new RegExp(`<option value="${course}" selected>Foundations[^<]*</option>`),
    'the course filter lists the courses of the entries, the chosen one selected');
  const every = await get('/journal', { jar: a.jar });
  assert.deepEqual(listed(every.body).map((e) => e.id), [e4, e3, e2, e1]);

  // Another learner's token opens nothing of theirs here; a token of no tag lists nothing.
  const foreign = await get(`/journal?tag=${theirs[0].token}`, { jar: a.jar });
  assert.equal(foreign.status, 200);
  assert.deepEqual(listed(foreign.body), []);
  assert.match(mainText(foreign.body), /No entry has this tag now/);
  const none = await get(`/journal?course=999999999`, { jar: a.jar });
  assert.equal(none.status, 200);
  assert.deepEqual(listed(none.body), []);
  assert.match(mainText(none.body), /No entry matches/);
  // Malformed filters name no page of the journal.
  for (const q of ['tag=grief', `tag=${grief.toUpperCase()}`, `tag=${grief.slice(1)}`, `tag=${grief}0`,
    'course=abc', 'course=0', 'course=-3']) {
    assert.equal((await get(`/journal?${q}`, { jar: a.jar })).status, 404, q);
  }
  assert.ok(!serverLog().includes(canary), 'no tag text in the log');
});

test('search: a POST whose words stay out of URLs and logs; every word, any case, marked in the results', async () => {
  const a = await account('js');
  await enroll(a.handle, F25);
  const course = await sql('SELECT id FROM offerings WHERE slug = $1', [F25]);
  const u = uniq();
  const s1 = await write(a, { title: `Night shift ${u}`, tags: 'grief',
    body: 'The **family** meeting went long.\n\n# Later\n\nÉlodie cried in the corridor, and so did I.' });
  const s2 = await write(a, { title: `Coffee ${u}`, body: 'Coffee with the chaplain after rounds.' });
  const s3 = await write(a, { title: `Home ${u}`, body: 'Family dinner at home; the others talked, I was somewhere else.', offering: course });
  const ids = (r) => listed(r.body).map((e) => e.id);

  let r = await search(a, { q: 'family' });
  assert.equal(r.status, 200);
  assert.equal(r.headers.location, undefined, 'the results are the answer, not a redirect');
  assert.equal(r.headers['cache-control'], 'no-store');
  assert.match(r.body, /<title>Search your journal · Cairn<\/title>/);
  assert.deepEqual(ids(r), [s3, s1]);
  assert.match(mainText(r.body), /2 entries match/);
  assert.ok(r.body.includes('<mark>family</mark> meeting went long.'), 'marks dropped, the word marked');
  assert.ok(r.body.includes('<mark>Family</mark> dinner at home'));
  assert.match(r.body, /<input id="q" name="q" type="search" value="family"/, 'the form keeps the words');

  const cases = [
    ['FAMILY meeting', [s1]],
    ['"meeting went"', [s1]],
    ['"went meeting"', []],
    ['élodie', [s1]],
    ['ÉLODIE corridor', [s1]],
    ['grief', [s1]],
    [`night ${u}`, [s1]],
    ['chaplain', [s2]],
    ['the', [s3, s2, s1]],
    ['zebra', []],
  ];
  for (const [q, want] of cases) {
    r = await search(a, { q });
    assert.equal(r.status, 200, q);
    assert.deepEqual(ids(r), want, `search "${q}"`);
  }
  r = await search(a, { q: '"went meeting"' });
  assert.match(mainText(r.body), /0 entries match/);
  assert.match(mainText(r.body), /No entry holds every word/);
  r = await search(a, { q: 'family', course });
  assert.deepEqual(ids(r), [s3], 'within one course');
  assert.match(mainText(r.body), /1 entry matches, about Foundations/);

  // The words reach no log line and no URL.
  const canary = `Searchcanary${u}`;
  const from = serverLog().length;
  r = await search(a, { q: `${canary} family` });
  assert.equal(r.status, 200);
  assert.ok(!logSince(from).includes(canary), 'the log holds no search words');
  assert.ok(logSince(from).includes('POST /journal/search 200'), 'the request is logged, without them');

  // A damaged entry is left out, and the page says so.
  const undo = await damage(s2);
  r = await search(a, { q: 'the' });
  assert.deepEqual(ids(r), [s3, s1]);
  assert.match(mainText(r.body), /1 entry could not be searched/);
  await undo();

  // Bad searches: a clear error, the form kept, 422.
  const bad = [
    ['', /Type a word or a few to search for/],
    ['   \n ', /Type a word or a few to search for/],
    ['""', /Type a word or a few to search for/],
    ['x'.repeat(201), /at most 200 characters long; this one is 201/],
    [Array.from({ length: 11 }, (_, i) => `w${i}`).join(' '), /at most 10 words/],
  ];
  for (const [q, error] of bad) {
    r = await search(a, { q });
    assert.equal(r.status, 422, `search "${q.slice(0, 20)}"`);
    assert.match(alertText(r.body), error);
    assert.deepEqual(ids(r), []);
  }
  r = await search(a, { q: 'w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10' });
  assert.ok(r.body.includes('value="w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10"'), 'what was typed comes back');
  r = await search(a, { q: 'family', course: 'abc' });
  assert.equal(r.status, 422);
  assert.match(alertText(r.body), /Choose a course/);
  r = await post('/journal/search', { q: 'family' }, { jar: a.jar });
  assert.equal(r.status, 403, 'without the CSRF token nothing is searched');

  // The form alone, for a GET.
  const form = await get('/journal/search', { jar: a.jar });
  assert.equal(form.status, 200);
  assert.deepEqual(ids(form), []);
  assert.match(form.body, /<form method="post" action="\/journal\/search"/);
  // The list's form posts too.
  assert.match((await get('/journal', { jar: a.jar })).body, /<form method="post" action="\/journal\/search"/);

  // Without the journal key (the test door) there is nothing to search with.
  const door = await testSession(a.handle);
  r = await post('/journal/search', { csrf: (await formPage('/journal/search', door)).csrf, q: 'family' }, { jar: door });
  assert.equal(r.status, 409);
  assert.match(alertText(r.body), /closed in this browser session/);
});

test('export the whole journal as Markdown and as a printable page; locked and damaged entries say so', async () => {
  const a = await account('jx');
  await enroll(a.handle, F25);
  const course = await sql('SELECT id FROM offerings WHERE slug = $1', [F25]);
  const u = uniq();
  const x1 = await write(a, { title: `First ${u}`, body: `Before the reset ${u}, *kept*.`, tags: 'grief, team', offering: course });
  const x2 = await write(a, { body: `Untitled ${u}` });
  const day = await sql(`SELECT to_char(e.created_at AT TIME ZONE u.time_zone, 'FMDD FMMonth YYYY')
                         FROM journal_entries e JOIN users u ON u.id = e.user_id WHERE e.id = $1`, [x1]);

  // An empty journal exports too.
  const empty = await account('jy');
  let r = await get('/journal/export', { jar: empty.jar });
  assert.equal(r.status, 200);
  assert.match(r.body, /^# My journal\n\nExported from Cairn on \d{1,2} [A-Z][a-z]+ \d{4}: 0 entries/);

  // Everything opens: both entries, oldest first.
  r = await get('/journal/export', { jar: a.jar });
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^text\/markdown; charset=utf-8$/);
  assert.match(r.headers['content-disposition'], /^attachment; filename="journal-\d{4}-\d\d-\d\d\.md"$/);
  assert.equal(r.headers['cache-control'], 'no-store');
  assert.match(r.body, /: 2 entries, in the order they were written\.\n/);
  assert.ok(r.body.includes(`## First ${u}\n\nWritten ${day}, about Foundations`));
  assert.ok(r.body.includes('Tags: grief, team.'));
  assert.ok(r.body.includes(`Before the reset ${u}, *kept*.`), 'the Markdown as written');
  assert.ok(r.body.includes(`## Journal entry, ${day}\n`), 'an untitled entry is titled by its date');
  assert.ok(r.body.indexOf(`First ${u}`) < r.body.indexOf(`Untitled ${u}`), 'oldest first');

  // A reset without the code locks both; a new entry goes under the new key; one is damaged.
  const reset = await createReset(a.id);
  const password = `after ${uniq()} reset`;
  const pre = await preSession();
  r = await post('/reset', { csrf: pre.csrf, token: reset.token, password, password_again: password }, { jar: pre.jar });
  assert.equal(r.status, 303, mainText(r.body));
  await pendingCode(pre.jar);
  await confirmCode(pre.jar);
  const b = { jar: pre.jar, csrf: (await formPage('/journal/new', pre.jar)).csrf };
  const x3 = await write(b, { title: `After ${u}`, body: `After the reset ${u}, *new*.` });
  const x4 = await write(b, { body: `Damaged later ${u}` });
  const undo = await damage(x4);

  r = await get('/journal/export', { jar: b.jar });
  assert.equal(r.status, 200);
  assert.match(r.body, /: 4 entries, in the order they were written\. 3 of them do not open and say only that\./);
  assert.equal((r.body.match(/## Locked entry, /g) || []).length, 2);
  assert.equal((r.body.match(/\*This entry is locked: it was written before your password was reset/g) || []).length, 2);
  assert.ok(r.body.includes('## Damaged entry, '));
  assert.ok(r.body.includes('*This entry cannot be opened'));
  assert.ok(r.body.includes(`After the reset ${u}, *new*.`));
  for (const hidden of [`Before the reset ${u}`, `Untitled ${u}`, `Damaged later ${u}`, `First ${u}`]) {
    assert.ok(!r.body.includes(hidden), `nothing of a locked or damaged entry: ${hidden}`);
  }

  // The printable page: the same entries, rendered, oldest first.
  const p = await get('/journal/print', { jar: b.jar });
  assert.equal(p.status, 200);
  assert.equal(p.headers['cache-control'], 'no-store');
  const articles = [...p.body.matchAll(/<article class="print-entry" aria-labelledby="e(\d+)">([\s\S]*?)<\/article>/g)];
  assert.deepEqual(articles.map((m) => m[1]), [x1, x2, x3, x4]);
  assert.match(textOf(articles[0][2]), /Locked entry, .*This entry is locked\./);
  assert.match(textOf(articles[3][2]), /This entry cannot be opened\./);
  assert.ok(articles[2][2].includes(`After the reset ${u}, <em>new</em>.`), 'rendered as Markdown');
  assert.ok(p.body.includes('<div class="no-print">'));
  assert.match(p.body, /<title>Your journal, to print · Cairn<\/title>/);
  const css = (await get('/static/cairn.css')).body;
  assert.match(css, /@media print \{[\s\S]*\.site-header, \.site-footer, \.skip-link, \.no-print \{ display: none !important; \}/);
  await undo();

  // The list links both.
  const list = await get('/journal', { jar: b.jar });
  assert.ok(list.body.includes('<a href="/journal/export">Download the whole journal</a>'));
  assert.ok(list.body.includes('<a href="/journal/print">A printable page</a>'));

  // Without the journal key, a journal with entries cannot be exported: said, not garbled.
  const door = await testSession(a.handle);
  for (const path of ['/journal/export', '/journal/print']) {
    const d = await get(path, { jar: door });
    assert.equal(d.status, 409, path);
    assert.match(mainText(d.body), /closed in this browser session/);
  }
});
