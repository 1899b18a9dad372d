// The series' support pages (issue 12 item 6), over real HTTP against the test server:
// anyone reads one, signed in or not (the demo series' page is filled in); the series'
// directors and the administrators edit it, everyone else is refused with the exact
// status; every save is kept with who saved it and when, and the page says "Last updated
// … by …" in a <time> in the reader's zone; the Markdown goes through the posts' safe
// renderer without mentions; bad inputs (an empty page, over 20,000 characters, a missing
// version, a page someone else saved meanwhile, a bad CSRF token) are refused with the
// text kept and nothing saved; every group page links to its series' page.
//
// Saving is tried on a series made for this file (its own course, offering and director),
// so the demo's page stays as the demo wrote it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeConnections, get, post, textOf } from './lib.mjs';
import { closeSql, setClock, realNow, preSession } from './accounts-lib.mjs';
import { sql, uniq, makePerson, enroll, jarOf, act, textareaOf, alertText } from './forum-lib.mjs';
import { errorText, page } from './restriction-lib.mjs';

const DEMO = '/series/palliative-care/support';
let SLUG;    // the series made for this file
let SID;     // its id
let PATH;    // its support page
let DIR;     // its director
let T0;

before(async () => {
  const u = uniq();
  SLUG = `support-test-${u}`;
  SID = await sql(`INSERT INTO series (slug, title) VALUES ($1, $2) RETURNING id`,
    [SLUG, `Support Test Series ${u}`]);
  const course = await sql(`INSERT INTO courses (series_id, position, slug, title, announced)
    VALUES ($1, 1, $2, 'Support Test Course', true) RETURNING id`, [SID, `support-test-course-${u}`]);
  await sql(`INSERT INTO offerings (course_id, slug, starts_on, ends_on, time_zone, format)
    VALUES ($1, $2, current_date + 30, current_date + 32, 'America/New_York', 'live_online')`,
  [course, `support-test-run-${u}`]);
  DIR = await makePerson({ tag: 'spd', zone: 'America/Denver' });
  await enroll(DIR.handle, `support-test-run-${u}`, { role: 'director' });
  PATH = `/series/${SLUG}/support`;
  T0 = realNow() - 3600;
  await setClock(T0);
});

after(async () => {
  await setClock(0).catch(() => {});
  await sql('DELETE FROM series WHERE id = $1', [SID]).catch(() => {});
  closeSql();
  closeConnections();
});

const versions = () => sql(`SELECT coalesce(string_agg(v::text, E'\\n' ORDER BY v.id), '')
  FROM support_page_versions v`);
const body = (html) => (/<div class="post-body">([\s\S]*?)<\/div>\n<\/section>/.exec(html) || [])[1];
const updated = (html) => {
  const m = /<p class="muted">Last updated <time datetime="([^"]+)">([^<]+)<\/time> by ([^<]+)\.<\/p>/.exec(html);
  return m ? { iso: m[1], text: m[2], by: textOf(m[3]) } : null;
};
const versionOf = (html) => /<input type="hidden" name="version" value="(\d+)">/.exec(html)[1];

test('anyone reads the demo series\' support page: the resources are there', async () => {
  for (const jar of [undefined, await jarOf('priya'), await jarOf('okafor')]) {
    const r = await get(DEMO, { jar });
    assert.equal(r.status, 200);
    const text = textOf(body(r.body));
    for (const words of ['988', '1-888-409-0141', '911', 'employee assistance', 'chaplain', 'second victim']) {
      assert.ok(text.toLowerCase().includes(words.toLowerCase()), `the page mentions ${words}`);
    }
    assert.ok(updated(r.body), 'it says when it was last updated, and by whom');
    assert.equal(updated(r.body).by, 'Dr. Elena Rivera');
    assert.equal(/Edit this page/.test(r.body), false, 'no edit link for readers');
  }
  assert.equal((await get('/series/no-such-series/support')).status, 404);
  assert.equal((await get('/series/no-such-series/support/edit', { jar: await jarOf('admin') })).status, 404);
});

test('the series\' directors and admins edit; everyone else is refused', async () => {
  const director = await jarOf('rivera');
  const r = await page(`${DEMO}/edit`, director);
  assert.match(r.body, /<textarea id="body" name="body"/);
  assert.match((await page(DEMO, director)).body, /href="\/series\/palliative-care\/support\/edit">Edit this page</);
  await page(`${DEMO}/edit`, await jarOf('admin'));
  const before = await versions();
  // A learner, a facilitator and the director of another series: 403, nothing saved.
  for (const who of ['priya', 'okafor', DIR.handle]) {
    const jar = who === DIR.handle ? DIR.jar : await jarOf(who);
    const g = await get(`${DEMO}/edit`, { jar });
    assert.equal(g.status, 403, `GET edit as ${who}`);
    assert.match(errorText(g.body), /^Only the series' directors and Cairn's administrators edit this page\.$/);
    const p = await act(jar, `${DEMO}/edit`, { body: 'Taken over.', version: '0' });
    assert.equal(p.status, 403, `POST edit as ${who}`);
    assert.match(errorText(p.body), /Nothing was changed\.$/);
  }
  const anonGet = await get(`${DEMO}/edit`);
  assert.equal(anonGet.status, 303);
  assert.equal(anonGet.headers.location, `/signin?next=${DEMO}/edit`);
  const pre = await preSession();
  const anonPost = await post(`${DEMO}/edit`, { csrf: pre.csrf, body: 'x', version: '0' }, { jar: pre.jar });
  assert.equal(anonPost.status, 303);
  assert.equal(anonPost.headers.location, '/signin');
  assert.equal(await versions(), before, 'nothing saved by anyone refused');
});

test('a director saves; the page shows it, when and by whom; an admin saves after', async () => {
  // Before anything is written, the built-in page with the crisis lines.
  const first = await page(PATH, undefined);
  assert.match(textOf(body(first.body)), /have not written this page yet.*988.*1-888-409-0141/);
  assert.equal(updated(first.body), null);
  const form = await page(`${PATH}/edit`, DIR.jar);
  assert.equal(versionOf(form.body), '0');
  assert.match(textareaOf(form.body), /^This series' directors have not written this page yet\./);

  const md = '# When it is too much\r\n\r\nCall the **EAP**: [our EAP](https://eap.example.org).\r\n\r\n- one\r\n- two\r\n';
  const r = await act(DIR.jar, `${PATH}/edit`, { body: md, version: '0', action: 'save' });
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, `${PATH}?done=saved`);
  const row = (await sql(`SELECT body, edited_by, extract(epoch FROM edited_at)::bigint FROM support_page_versions
    WHERE series_id = $1`, [SID])).split('|');
  assert.equal(row[0], md.replace(/\r\n/g, '\n'), 'stored as typed, with LF line ends');
  assert.equal(row[1], DIR.id);
  assert.equal(Number(row[2]), T0, 'saved at the pinned clock');
  const shown = await page(r.headers.location, undefined);
  assert.match(shown.body, /<p class="callout" role="status">Saved\. This is the page everyone now sees\.<\/p>/);
  assert.match(body(shown.body), /^<h3>When it is too much<\/h3>\n<p>Call the <strong>EAP<\/strong>: <a href="https:\/\/eap\.example\.org" rel="nofollow ugc noopener">our EAP<\/a>\.<\/p>\n<ul>\n<li>one<\/li>\n<li>two<\/li>\n<\/ul>\n$/);
  const up = updated(shown.body);
  assert.equal(up.by, DIR.name);
  assert.match(up.text, / E[SD]T$/, 'for someone not signed in the time names its zone');
  const mine = updated((await page(PATH, DIR.jar)).body);
  assert.match(mine.iso, /-0[67]:00$/, 'in the director\'s own zone (Denver)');
  assert.doesNotMatch(mine.text, /[A-Z]{3}$/, 'which it need not name');

  // An admin saves a second version; both are kept.
  await setClock(T0 + 60);
  const admin = await jarOf('admin');
  const v = versionOf((await page(`${PATH}/edit`, admin)).body);
  const r2 = await act(admin, `${PATH}/edit`, { body: 'Second version.', version: v });
  assert.equal(r2.status, 303);
  assert.equal(await sql('SELECT count(*) FROM support_page_versions WHERE series_id = $1', [SID]), '2');
  assert.equal(updated((await page(PATH, undefined)).body).by, 'Morgan Admin');

  // A preview saves nothing.
  const before = await versions();
  const pv = await act(admin, `${PATH}/edit`, { body: 'Only *a preview*.', version: v, action: 'preview' });
  assert.equal(pv.status, 200);
  assert.match(pv.body, /<div class="post-body"><p>Only <em>a preview<\/em>\.<\/p>\n<\/div>/);
  assert.equal(await versions(), before);
});

test('the Markdown is made safe and mentions nobody', async () => {
  await setClock(T0 + 120);
  const admin = await jarOf('admin');
  const v = versionOf((await page(`${PATH}/edit`, admin)).body);
  const notes = await sql('SELECT count(*) FROM notifications');
  const md = '<script>alert(1)</script>\n\n[x](javascript:alert(1)) ![img](https://e.example/i.png) @priya <b>bold</b>';
  assert.equal((await act(admin, `${PATH}/edit`, { body: md, version: v })).status, 303);
  const html = body((await page(PATH, undefined)).body);
  assert.doesNotMatch(html, /<script|javascript:|<img|<b>|class="mention"/);
  assert.match(html, /@priya/);
  assert.equal(await sql('SELECT count(*) FROM notifications'), notes, 'nobody is notified');
});

test('bad inputs keep the text and save nothing', async () => {
  const v = versionOf((await page(`${PATH}/edit`, DIR.jar)).body);
  const before = await versions();
  const same = async (what) => assert.equal(await versions(), before, `${what}: a version was saved`);

  for (const text of ['', '   \n\t\n']) {
    const r = await act(DIR.jar, `${PATH}/edit`, { body: text, version: v });
    assert.equal(r.status, 422);
    assert.equal(alertText(r.body), 'Write the page: it cannot be empty. Nothing was changed.');
    await same('empty');
  }
  const long = `${'é'.repeat(19999)}xy`;
  const r = await act(DIR.jar, `${PATH}/edit`, { body: long, version: v });
  assert.equal(r.status, 422);
  assert.equal(alertText(r.body), 'The page can be at most 20,000 characters; this text has 20001. Shorten it and save again. Nothing was changed.');
  assert.equal(textareaOf(r.body), long, 'the text is kept, whole');
  await same('too long');
  // Exactly 20,000 characters is allowed (CR LF counts as one).
  const exact = `${'a'.repeat(9999)}\r\n${'b'.repeat(10000)}`;
  const ok = await act(DIR.jar, `${PATH}/edit`, { body: exact, version: v });
  assert.equal(ok.status, 303, '20,000 characters is not too long');
  const v2 = versionOf((await page(`${PATH}/edit`, DIR.jar)).body);
  const before2 = await versions();

  // No version, a version that is not a number.
  for (const version of [undefined, 'abc', '-1']) {
    const fields = { body: 'No version.' };
    if (version !== undefined) fields.version = version;
    const m = await act(DIR.jar, `${PATH}/edit`, fields);
    assert.equal(m.status, 422, `version ${version}`);
    assert.match(alertText(m.body), /does not say which version it edits/);
    assert.equal(textareaOf(m.body), 'No version.');
  }
  // Someone else saved meanwhile: 409 with the text kept, nothing saved.
  const stale = await act(DIR.jar, `${PATH}/edit`, { body: 'My careful edit.', version: v });
  assert.equal(stale.status, 409);
  assert.match(alertText(stale.body), new RegExp(`^${DIR.name} saved this page meanwhile \\(.+\\)\\. Your text is below, not saved`));
  assert.equal(textareaOf(stale.body), 'My careful edit.');
  assert.equal(versionOf(stale.body), v2, 'the form now carries the newest version');
  // A bad CSRF token.
  const forged = await post(`${PATH}/edit`, { csrf: 'x'.repeat(43), body: 'Forged.', version: v2 }, { jar: DIR.jar });
  assert.equal(forged.status, 403);
  assert.equal(await versions(), before2, 'nothing saved');
});

test('every group page links to its series\' support page', async () => {
  const rows = (await sql(`SELECT g.id, u.handle FROM groups g JOIN series se ON se.id = g.series_id
    JOIN group_members m ON m.group_id = g.id AND m.left_at IS NULL JOIN users u ON u.id = m.user_id
    WHERE se.slug = 'palliative-care' AND u.handle IN ('priya', 'lee', 'sam', 'amara', 'tomas')
    ORDER BY g.id`)).split('\n').map((l) => l.split('|'));
  assert.ok(rows.length >= 2, 'the demo members have groups');
  for (const [id, handle] of rows) {
    const r = await page(`/groups/${id}`, await jarOf(handle));
    assert.match(r.body, /<a href="\/series\/palliative-care\/support">Support for clinicians<\/a>/,
      `group ${id} as ${handle}`);
  }
  const mod = await page(`/groups/${rows[0][0]}`, await jarOf('okafor'));
  assert.match(mod.body, /href="\/series\/palliative-care\/support"/);
});
