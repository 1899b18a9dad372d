// Moderators' restrictions and redactions in a real browser (issue 11 item 2), at desktop and
// phone widths: a moderator mutes a post's author from the thread and sees the mute listed;
// the muted member finds the sentence where the reply box was; pre-moderation is turned on
// from its page, a member's reply waits, and the moderator rejects it with a reason; slow
// mode is set from the thread's moderator box and the member reads when they may post
// again; the redaction page, a purge's confirmation and the page after a redaction. Every
// page is checked with axe-core, for sideways scrolling at 390 px and for console errors,
// and screenshotted into <build>/screenshots/moderation-*.
//
// The people are made here, in the Foundations 2025-10 cohort; pre-moderation and slow mode
// are turned off again afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, close, newPage, url, axeCheck, screenshot, assertNoProblems, horizontalOverflow, BASE_URL,
} from './lib.mjs';
import {
  sql, uniq, spaceOf, makePerson, startThread, reply, postReply, postId, act,
} from '../integration/forum-lib.mjs';
import { closeSql } from '../integration/accounts-lib.mjs';

const F25 = 'foundations-2025-10';
let browser;
let space;
const P = {};

before(async () => {
  browser = await launch();
  space = await spaceOf(F25);
  P.mod = await makePerson({ tag: 'bmm', enrolled: [F25], role: 'facilitator' });
  for (const k of ['a', 'b']) P[k] = await makePerson({ tag: `bm${k}`, enrolled: [F25] });
});

after(async () => {
  await sql('UPDATE spaces SET premoderated = false WHERE id = $1', [space]).catch(() => {});
  await sql('UPDATE threads SET slow_minutes = 0 WHERE space_id = $1', [space]).catch(() => {});
  await close(browser);
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
  await screenshot(page, `moderation-${shot}`);
  assertNoProblems(page);
}

for (const width of ['desktop', 'phone']) {
  test(`mute from a post; the muted member reads why they cannot reply (${width})`, async () => {
    const t = await startThread(P.b.jar, space, `Sitting with silence ${uniq()}`, 'How long do you wait?');
    await reply(P.a.jar, t, 'Longer than feels comfortable.');
    const mod = await pageFor(P.mod, width);
    await mod.goto(url(`/t/${t}`));
    await check(mod, `thread-moderator-${width}`);
    await mod.getByRole('link', { name: /^Mute the author of post 2/ }).click();
    assert.match(await mod.locator('h1').innerText(), /^Mute /);
    await check(mod, `mute-form-${width}`);
    await mod.getByLabel(/\b1 hour, until/).check();
    await mod.getByLabel(/^Reason/).fill('A cooling-off hour.');
    await mod.getByRole('button', { name: 'Mute' }).click();
    assert.equal(new URL(mod.url()).pathname, `/s/${space}/mutes`);
    assert.match(await mod.locator('main').innerText(), new RegExp(`@${P.a.handle}, until`));
    await check(mod, `mutes-${width}`);
    await mod.close();

    const a = await pageFor(P.a, width);
    await a.goto(url(`/t/${t}`));
    assert.match(await a.locator('#muted').innerText(), /^You are muted in this space until /);
    assert.equal(await a.locator('textarea#body').count(), 0);
    await check(a, `thread-muted-${width}`);
    await a.close();
    assert.equal((await act(P.mod.jar, `/s/${space}/unmute/${P.a.id}`)).status, 303);
  });
}

test('pre-moderation: a reply waits, and is rejected with a reason (desktop and phone)', async () => {
  const t = await startThread(P.b.jar, space, `Held in the browser ${uniq()}`, 'Opening.');
  const mod = await pageFor(P.mod, 'desktop');
  await mod.goto(url(`/s/${space}/held`));
  await mod.getByRole('button', { name: 'Turn pre-moderation on' }).click();
  assert.match(await mod.locator('#premod-h').innerText(), /Pre-moderation is on/);
  const held = await postReply(P.a.jar, t, { body: 'A reply that waits.' });
  assert.match(held.headers.location, /done=held#h\d+$/);
  const a = await pageFor(P.a, 'phone');
  await a.goto(url(`/t/${t}`));
  assert.match(await a.locator('section.held-posts').innerText(), /Waiting for approval/);
  await check(a, 'thread-held-author-phone');
  await a.close();
  await mod.goto(url(`/s/${space}/held`));
  await check(mod, 'held-list-desktop');
  await mod.getByRole('link', { name: /^Reject the post by / }).first().click();
  await check(mod, 'reject-desktop');
  await mod.getByLabel('Reason, for the author').fill('Please move this to the series space.');
  await mod.getByRole('button', { name: 'Reject the post' }).click();
  assert.match(await mod.locator('main').innerText(), /Not approved: its author was told why/);
  await mod.getByRole('button', { name: 'Turn pre-moderation off' }).click();
  await mod.close();
});

test('slow mode from the thread; the member reads when they may post again (phone)', async () => {
  const t = await startThread(P.b.jar, space, `Slow in the browser ${uniq()}`, 'Opening.');
  const mod = await pageFor(P.mod, 'desktop');
  await mod.goto(url(`/t/${t}`));
  await mod.locator('details.moderation summary').click();
  await mod.getByLabel("Minutes between one person's posts").fill('15');
  await mod.getByRole('button', { name: 'Save slow mode' }).click();
  assert.match(await mod.locator('details.moderation summary').innerText(), /on, one post every 15 minutes/);
  await mod.close();
  await reply(P.a.jar, t, 'One thought.');
  const a = await pageFor(P.a, 'phone');
  await a.goto(url(`/t/${t}`));
  assert.match(await a.locator('#slow').innerText(), /You may post again at /);
  await check(a, 'thread-slow-phone');
  await a.close();
});

for (const width of ['desktop', 'phone']) {
  test(`the redaction page, a purge's confirmation, and the page after (${width})`, async () => {
    const secret = `Pellow${uniq()}`;
    const t = await startThread(P.a.jar, space, `Redaction in the browser ${uniq()}`, `Mr ${secret} asked again.`);
    const p1 = await postId(t, 1);
    assert.equal((await act(P.a.jar, `/posts/${p1}/edit`, { action: 'post', body: `Mr ${secret} asked twice.` })).status, 303);
    const mod = await pageFor(P.mod, width);
    await mod.goto(url(`/posts/${p1}/redact`));
    await check(mod, `redact-${width}`);
    await mod.getByRole('link', { name: 'Purge this version…' }).click();
    await check(mod, `purge-${width}`);
    await mod.goBack();
    await mod.getByLabel('The words that identify the patient').fill(secret);
    await mod.getByRole('button', { name: 'Remove the text' }).click();
    assert.match(await mod.locator('h1').innerText(), /Text removed/);
    assert.ok(!(await mod.content()).includes(secret));
    await check(mod, `redacted-${width}`);
    await mod.close();
  });
}
