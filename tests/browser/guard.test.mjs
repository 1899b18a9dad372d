// The patient-privacy guard and content notes in a real browser (issue 12 items 1 and 4): a
// member starts a thread in their small group with a bed number in it and a content note;
// the form comes back with the warning, what it found, and everything typed; they publish
// anyway and the thread waits for the facilitator. Another member opens a post folded behind
// its content note by clicking it. At a 390 px phone and at desktop width, every page checked
// with axe-core, for sideways scrolling and for console errors, and screenshotted into
// <build>/screenshots/guard-*. Everything made here is deleted afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, close, newPage, url, axeCheck, screenshot, assertNoProblems, horizontalOverflow, BASE_URL,
} from './lib.mjs';
import { sql, uniq, startThread, postReply } from '../integration/forum-lib.mjs';
import { closeSql } from '../integration/accounts-lib.mjs';
import { closeDb, cleanupMark, cleanUp, makeOffering, makeUsers } from '../integration/enroll-lib.mjs';

let browser;
let mark;
let group;
let space;
let thread;
const P = {};

before(async () => {
  browser = await launch();
  mark = await cleanupMark();
  const offering = await makeOffering({ tag: 'bgd', startDays: 20 });
  group = await sql(`INSERT INTO groups (series_id, track, name) SELECT id, 'pediatric', $1
                       FROM series WHERE slug = 'palliative-care' RETURNING id`, [`Rowan ${uniq()}`]);
  space = await sql('SELECT id FROM spaces WHERE group_id = $1', [group]);
  [P.author, P.reader] = await makeUsers(2, { tag: 'bgm', signIn: true });
  [P.fac] = await makeUsers(1, { tag: 'bgf', profession: 'physician', signIn: true });
  for (const u of [P.author, P.reader]) {
    await sql(`INSERT INTO enrollments (offering_id, user_id, role, state, source, created_at, confirmed_at)
               VALUES ($1, $2, 'learner', 'confirmed', 'import', now(), now())`, [offering.id, u.id]);
    await sql(`INSERT INTO group_members (group_id, series_id, user_id, offering_id, joined_at, reason)
               SELECT $1, series_id, $2, $3, now(), 'placed' FROM groups WHERE id = $1`,
    [group, u.id, offering.id]);
  }
  await sql(`INSERT INTO enrollments (offering_id, user_id, role, state, source, created_at, confirmed_at)
             VALUES ($1, $2, 'facilitator', 'confirmed', 'staff', now(), now())`, [offering.id, P.fac.id]);
  await sql(`INSERT INTO group_facilitators (group_id, offering_id, user_id, assigned_at)
             VALUES ($1, $2, $3, now())`, [group, offering.id, P.fac.id]);
  thread = await startThread(P.reader.jar, space, 'What we carry', 'Write about a death you still carry, if you want to.');
});

after(async () => {
  if (group) await sql('DELETE FROM groups WHERE id = $1', [group]);
  if (mark) await cleanUp(mark);
  await close(browser);
  closeDb();
  closeSql();
});

async function pageFor(who, width) {
  const { context, page } = await newPage(browser, { width });
  await context.addCookies([...who.jar.cookies].map(([name, c]) => ({ name, value: c.value, url: BASE_URL })));
  return page;
}

async function check(page, shot) {
  await axeCheck(page);
  const o = await horizontalOverflow(page);
  assert.ok(o.scrollWidth <= o.clientWidth, `no sideways scrolling: ${JSON.stringify(o)}`);
  await screenshot(page, shot);
  assertNoProblems(page);
}

for (const width of ['phone', 'desktop']) {
  test(`the guard warns, keeps what was typed, and holds what is published anyway (${width})`, async () => {
    const title = `The night shift (${width})`;
    const body = `The boy in bed 12 asked me whether it would hurt. I did not know what to say (${width}).`;
    const note = 'death of a child';
    const author = await pageFor(P.author, width);
    await author.goto(url(`/s/${space}/new`));
    assert.match(await author.locator('#guard-rule').innerText(), /^Before anything is posted, Cairn looks for what could identify a patient/);
    await author.getByLabel('Title').fill(title);
    await author.getByLabel('Your post').fill(body);
    await author.getByLabel(/Content note/).fill(note);
    await author.getByRole('button', { name: 'Start thread' }).click();

    // The warning: what was found and why, everything kept, two choices.
    const warning = author.locator('#guard-warning');
    await warning.waitFor();
    assert.match(await warning.innerText(), /This may identify a patient/);
    assert.match(await warning.innerText(), /“bed 12” in the post: a room or bed number/);
    assert.equal(await author.getByLabel('Title').inputValue(), title);
    assert.equal(await author.getByLabel('Your post').inputValue(), body);
    assert.equal(await author.getByLabel(/Content note/).inputValue(), note);
    assert.ok(await author.getByRole('button', { name: 'Check again and start thread' }).isVisible());
    await check(author, `guard-warning-${width}`);

    // Published anyway: the thread waits for the facilitator.
    await author.getByRole('button', { name: 'Publish anyway, for the moderators to review' }).click();
    await author.waitForURL(/done=guarded/);
    assert.match(await author.locator('main').innerText(), /Your post was saved over the privacy warning/);
    await check(author, `guard-held-${width}`);
    const tid = /\/t\/(\d+)/.exec(author.url())[1];
    assert.equal(await sql(`SELECT p.held::text || ':' || f.reason || ':' || (f.flagger_id IS NULL)
                              FROM posts p JOIN flags f ON f.post_id = p.id WHERE p.thread_id = $1`, [tid]),
    'true:identifies_patient:true');
    const other = await pageFor(P.reader, width);
    const r = await other.goto(url(`/t/${tid}`));
    assert.equal(r.status(), 404, 'the other member cannot open it');
    await author.close();
    await other.close();
  });

  test(`a post behind a content note opens when clicked (${width})`, async () => {
    const words = `He was four, and the sea was his favourite word (${width}).`;
    const r = await postReply(P.author.jar, thread, { body: words, note: 'death of a child' });
    assert.equal(r.status, 303);
    const n = /#p(\d+)$/.exec(r.headers.location)[1];
    const reader = await pageFor(P.reader, width);
    await reader.goto(url(`/t/${thread}#p${n}`));
    const post = reader.locator(`#p${n}`);
    const summary = post.locator('summary');
    assert.equal(await summary.innerText(), 'Content note: death of a child');
    assert.equal(await post.getByText(words).isVisible(), false, 'folded until opened');
    assert.equal(await post.getByRole('link', { name: 'Support for clinicians' }).getAttribute('href'),
      '/series/palliative-care/support');
    await check(reader, `guard-folded-${width}`);
    await summary.click();
    assert.equal(await post.getByText(words).isVisible(), true, 'open after a click');
    await check(reader, `guard-opened-${width}`);
    await reader.close();
  });
}
