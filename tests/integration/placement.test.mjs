// Placement into small groups (issue 10 item 5), over real HTTP against the test server,
// every effect checked in the database: who may see the pages (a director of the series and
// admins; 404 for learners, facilitators and another series' director; anonymous to sign
// in); the preview names whom each rule that gives way affects; the group size; a move with
// its reason; moves across tracks or series, a form from an out-of-date page and a commit
// after the cohort changed are refused and change nothing; commit makes the groups (with
// their spaces), the memberships and the facilitator rows; on the next offering a returning
// member keeps their group, a newcomer is placed, and a member moved with a reason leaves a
// closed membership behind.
//
// Everything happens in a series made here (placement-lib.mjs), deleted at the end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { get, post, closeConnections } from './lib.mjs';
import { sql, closeSql, testSession, csrfOf, mainText, alertText, inputValue } from './accounts-lib.mjs';
import {
  makeUser, enrollIn, makeSeries, dropSeries, makeTeam, groupsOn, groupOf, issuesOn, formState,
  placementRows,
} from './placement-lib.mjs';

const W = {};  // the world: series, offerings, people, jars

before(async () => {
  W.A = await makeSeries('place', [40, 120]);
  W.B = await makeSeries('other', [40]);
  [W.a1, W.a2] = W.A.offerings;
  W.b1 = W.B.offerings[0];
  W.dirA = await makeUser('Director Ames');
  W.dirB = await makeUser('Director Boyd');
  W.fac1 = await makeUser('Facilitator Finch');
  W.fac2 = await makeUser('Facilitator Ford');
  await enrollIn(W.dirA.id, W.a1.id, { role: 'director' });
  await enrollIn(W.dirB.id, W.b1.id, { role: 'director' });
  await enrollIn(W.fac1.id, W.a1.id, { role: 'facilitator' });
  await enrollIn(W.fac2.id, W.a1.id, { role: 'facilitator' });
  // Seven adult learners (a team of two among them, and one whose profile says both
  // tracks) and three pediatric ones.
  const adults = [['Ada Nurse', 'nurse'], ['Ben Physician', 'physician'], ['Cleo Chaplain', 'chaplain'],
    ['Dev Socialworker', 'social_worker'], ['Eva Nurse', 'nurse'], ['Finn Physician', 'physician']];
  W.adult = [];
  for (const [name, profession] of adults) W.adult.push(await makeUser(name, { profession }));
  W.both = await makeUser('Gus Pharmacist', { profession: 'pharmacist', track: 'both' });
  W.adult.push(W.both);
  W.peds = [];
  for (const [name, profession] of [['Hana Nurse', 'nurse'], ['Ian Physician', 'physician'],
    ['Jo Chaplain', 'chaplain']]) {
    W.peds.push(await makeUser(name, { profession, track: 'pediatric' }));
  }
  W.team = await makeTeam(W.a1.id, W.adult[4].id, `Night shift ${W.A.slug.slice(-4)}`);
  for (const u of W.adult) {
    await enrollIn(u.id, W.a1.id, { team: u === W.adult[4] || u === W.adult[5] ? W.team : null });
  }
  for (const u of W.peds) await enrollIn(u.id, W.a1.id);
  // A group of the other series, for a move across series.
  W.groupB = await sql(`INSERT INTO groups (series_id, track, name) VALUES ($1, 'adult', 'Adult group 1')
                        RETURNING id`, [W.B.seriesId]);
  W.jar = {
    dirA: await testSession(W.dirA.handle), dirB: await testSession(W.dirB.handle),
    fac1: await testSession(W.fac1.handle), learner: await testSession(W.adult[0].handle),
    admin: await testSession('admin'),
  };
});

after(async () => {
  await dropSeries(W.A, W.B).catch(() => {});
  closeSql();
  closeConnections();
});

const page = (o) => `/offerings/${o.slug}/placement`;

async function preview(jar, o = W.a1, query = '') {
  const r = await get(page(o) + query, { jar });
  assert.equal(r.status, 200, `GET ${page(o)}: ${r.status} ${mainText(r.body).slice(0, 300)}`);
  assert.equal(r.headers['cache-control'], 'no-store');
  return r.body;
}

/** POST a placement form with the state of the page html came from; fields is an object or
 * a list of [name, value] pairs (for repeated names). */
function act(jar, o, action, html, fields = {}) {
  const form = new URLSearchParams({ csrf: csrfOf(html), ...formState(html) });
  for (const [k, v] of Array.isArray(fields) ? fields : Object.entries(fields)) form.append(k, v);
  return post(`${page(o)}/${action}`, form, { jar });
}

const rows = (o = W.a1) => placementRows(W.A.seriesId, o.id);

async function assertUnchanged(before, what, o = W.a1) {
  assert.equal(await rows(o), before, `${what} changed nothing`);
}

// ---------------------------------------------------------------------------------------
test('only a director of the series and admins see the placement; everyone else gets 404', async () => {
  const anon = await get(page(W.a1));
  assert.equal(anon.status, 303);
  assert.equal(anon.headers.location, `/signin?next=${page(W.a1)}`);
  for (const who of ['learner', 'fac1', 'dirB']) {
    for (const path of [page(W.a1), `${page(W.a1)}/commit`, `${page(W.a1)}/reset`,
      `${page(W.a1)}/move?learner=${W.adult[0].id}`]) {
      const r = await get(path, { jar: W.jar[who] });
      assert.equal(r.status, 404, `${who} GET ${path}`);
      assert.doesNotMatch(r.body, /Ada Nurse/, `${who}: the page does not leak a name`);
    }
  }
  // Their POSTs change nothing either.
  const html = await preview(W.jar.dirA);
  const before0 = await rows();
  for (const who of ['learner', 'fac1', 'dirB']) {
    const csrf = csrfOf((await get('/profile', { jar: W.jar[who] })).body);
    for (const [action, fields] of [['move', { learner: W.adult[0].id, to: 'new', reason: 'mine' }],
      ['facilitators', { new: '1', facilitator: W.fac1.id }], ['size', { min_size: 2, max_size: 3 }],
      ['commit', { confirmed: 'yes' }], ['reset', { confirmed: 'yes' }]]) {
      const r = await post(`${page(W.a1)}/${action}`, { csrf, ...formState(html), ...fields },
        { jar: W.jar[who] });
      assert.equal(r.status, 404, `${who} POST ${action}`);
    }
  }
  await assertUnchanged(before0, 'POSTs by people who may not place');
  await preview(W.jar.admin);
  assert.equal((await get('/offerings/no-such-offering/placement', { jar: W.jar.admin })).status, 404);
});

test('the preview shows the groups by track, and says whom a rule that gives way affects', async () => {
  const html = await preview(W.jar.dirA);
  const groups = groupsOn(html);
  // 6 to 10 by default: one adult group of seven; the three pediatric learners cannot make
  // a group of six, and tracks are never mixed.
  assert.deepEqual(groups.map((g) => [g.name, g.track, g.isNew, g.members.length]),
    [['Adult group 1', 'adult', true, 7], ['Pediatric group 1', 'pediatric', true, 3]]);
  assert.ok(groupOf(groups, W.both.name).track === 'adult', 'a learner of both tracks is placed in the adult one');
  assert.deepEqual(issuesOn(html), ["Pediatric group 1 has 3 members, fewer than the least, 6: the " +
    "pediatric track's learners cannot all be in groups of 6 to 10."]);
  const text = mainText(html);
  assert.match(text, /10 learners \(7 adult, 3 pediatric\): 2 groups meet in this course; 2 are new\./);
  assert.match(text, new RegExp(`${W.adult[4].name} · Nurse · team Night shift`));
  assert.equal(inputValue(html, 'min_size'), '6');
  assert.equal(inputValue(html, 'max_size'), '10');
});

test('the group size: a bad one is refused; a good one is saved and the proposal made again', async () => {
  let html = await preview(W.jar.dirA);
  const before0 = await rows();
  for (const [min, max] of [['5', '4'], ['0', '4'], ['3', '51'], ['three', '5'], ['', '']]) {
    const r = await act(W.jar.dirA, W.a1, 'size', html, { min_size: min, max_size: max });
    assert.equal(r.status, 422, `size ${min}-${max}`);
    assert.match(alertText(r.body), /from 1 to 50.*Nothing was changed\./);
  }
  await assertUnchanged(before0, 'bad sizes');
  const r = await act(W.jar.dirA, W.a1, 'size', html, { min_size: '3', max_size: '5' });
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, `${page(W.a1)}?done=size`);
  assert.equal(await sql('SELECT group_min_size || \'-\' || group_max_size FROM offerings WHERE id = $1',
    [W.a1.id]), '3-5');
  html = await preview(W.jar.dirA);
  const groups = groupsOn(html);
  assert.deepEqual(groups.map((g) => [g.track, g.members.length]).sort(),
    [['adult', 3], ['adult', 4], ['pediatric', 3]]);
  // The team stays together.
  assert.equal(groupOf(groups, W.adult[4].name), groupOf(groups, W.adult[5].name));
  assert.deepEqual(issuesOn(html), []);
  assert.match(mainText(html), /Every rule holds\./);
});

test('a move needs a reason, is kept in the draft with it, and shows on the preview', async () => {
  let html = await preview(W.jar.dirA);
  let groups = groupsOn(html);
  const ada = W.adult[0];
  const from = groupOf(groups, ada.name);
  const to = groups.find((g) => g.track === 'adult' && g !== from);
  const form = await get(`${page(W.a1)}/move?learner=${ada.id}`, { jar: W.jar.dirA });
  assert.equal(form.status, 200);
  const options = [...form.body.matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]);
  assert.deepEqual(options, [`new-${to.newNumber}`, 'new'], 'only the other adult group, or a new one');
  const before0 = await rows();
  for (const reason of ['', '   ', 'x'.repeat(501)]) {
    const r = await act(W.jar.dirA, W.a1, 'move', form.body, { learner: ada.id, to: `new-${to.newNumber}`, reason });
    assert.equal(r.status, 422, `reason of ${reason.length}`);
    assert.match(alertText(r.body), reason.length > 500 ? /500 characters/ : /Say why you move them/);
  }
  await assertUnchanged(before0, 'moves without a good reason');
  const reason = 'Works nights with Ben on the same unit';
  const r = await act(W.jar.dirA, W.a1, 'move', form.body, { learner: ada.id, to: `new-${to.newNumber}`, reason });
  assert.equal(r.status, 303, mainText(r.body));
  assert.equal(r.headers.location, `${page(W.a1)}?done=moved#${to.anchor}`);
  assert.equal(await sql(`SELECT to_group_id IS NULL, to_new, reason, moved_by FROM placement_moves
                          WHERE offering_id = $1 AND user_id = $2`, [W.a1.id, ada.id]),
  `t|${to.newNumber}|${reason}|${W.dirA.id}`);
  assert.equal(await sql('SELECT version FROM placement_drafts WHERE offering_id = $1', [W.a1.id]), '1');
  html = await preview(W.jar.dirA);
  groups = groupsOn(html);
  assert.equal(groupOf(groups, ada.name).anchor, to.anchor);
  assert.match(mainText(html), new RegExp(`Moved here: ${reason} \\(${W.dirA.name}\\)`));
  assert.match(mainText(html), /Changes in this draft/);
  // The sizes are now 2 and 5: the rule that gives way names the group.
  assert.ok(issuesOn(html).some((s) => /^Adult group \d has 2 members, fewer than the least, 3\.$/.test(s)),
    issuesOn(html).join(' | '));
});

test('moves across tracks or series, to nowhere, or from an out-of-date page change nothing', async () => {
  const html = await preview(W.jar.dirA);
  const groups = groupsOn(html);
  const adultGroup = groups.find((g) => g.track === 'adult');
  const hana = W.peds[0];
  const before0 = await rows();
  let r = await act(W.jar.dirA, W.a1, 'move', html, { learner: hana.id, to: `new-${adultGroup.newNumber}`,
    reason: 'She asked to be with her colleagues' });
  assert.equal(r.status, 422);
  assert.equal(alertText(r.body), `${hana.name} is in the pediatric track and ${adultGroup.name} belongs ` +
    'to the adult track: tracks are never mixed. Nothing was changed.');
  r = await act(W.jar.dirA, W.a1, 'move', html, { learner: W.adult[1].id, to: W.groupB, reason: 'Elsewhere' });
  assert.equal(r.status, 422);
  assert.match(alertText(r.body), /belongs to another series.*Nothing was changed\./);
  for (const to of ['999999999', 'new-999', 'adult', '', '0', '-1', '01']) {
    r = await act(W.jar.dirA, W.a1, 'move', html, { learner: W.adult[1].id, to, reason: 'Because' });
    assert.equal(r.status, 422, `to=${to}`);
  }
  for (const learner of [W.dirA.id, '0', 'x', '999999999']) {
    r = await act(W.jar.dirA, W.a1, 'move', html, { learner, to: 'new', reason: 'Because' });
    assert.equal(r.status, 422, `learner=${learner}`);
    assert.match(alertText(r.body), /not a learner of this offering/);
  }
  // A form from before the draft's last change.
  r = await post(`${page(W.a1)}/move`, { csrf: csrfOf(html), fingerprint: formState(html).fingerprint,
    version: '0', learner: W.adult[1].id, to: 'new', reason: 'Because' }, { jar: W.jar.dirA });
  assert.equal(r.status, 409);
  assert.match(alertText(r.body), /Someone else changed this placement/);
  r = await post(`${page(W.a1)}/move`, { csrf: csrfOf(html), fingerprint: 'f'.repeat(64),
    version: formState(html).version, learner: W.adult[1].id, to: 'new', reason: 'Because' }, { jar: W.jar.dirA });
  assert.equal(r.status, 409);
  assert.match(alertText(r.body), /The cohort changed since that page was shown/);
  await assertUnchanged(before0, 'refused moves');
  // An offering whose course has ended: nothing can change.
  const demo = await preview(W.jar.admin, { slug: 'core-practice-2026-05' });
  assert.match(mainText(demo), /This course has ended/);
  assert.doesNotMatch(demo, /placement\/move\?/);
  const adminCsrf = csrfOf((await get('/profile', { jar: W.jar.admin })).body);
  r = await post('/offerings/core-practice-2026-05/placement/move', { csrf: adminCsrf,
    fingerprint: 'f'.repeat(64), version: '0', learner: '1', to: 'new', reason: 'x' }, { jar: W.jar.admin });
  assert.equal(r.status, 409);
});

test('facilitators are the offering\'s; a commit without one for every group is refused', async () => {
  let html = await preview(W.jar.dirA);
  const groups = groupsOn(html);
  const before0 = await rows();
  // Someone who is not a facilitator of this offering.
  let r = await act(W.jar.dirA, W.a1, 'facilitators', html, { new: groups[0].newNumber, facilitator: W.dirB.id });
  assert.equal(r.status, 422);
  assert.match(alertText(r.body), /this offering's facilitators/);
  r = await act(W.jar.dirA, W.a1, 'facilitators', html, { group: W.groupB, facilitator: W.fac1.id });
  assert.equal(r.status, 422);
  await assertUnchanged(before0, 'bad facilitator choices');
  // The first group gets both, the second one; the third none yet.
  r = await act(W.jar.dirA, W.a1, 'facilitators', html,
    [['new', groups[0].newNumber], ['facilitator', W.fac1.id], ['facilitator', W.fac2.id]]);
  assert.equal(r.status, 303);
  html = await preview(W.jar.dirA);
  r = await act(W.jar.dirA, W.a1, 'facilitators', html, { new: groups[1].newNumber, facilitator: W.fac1.id });
  assert.equal(r.status, 303);
  html = await preview(W.jar.dirA);
  const now = groupsOn(html);
  assert.equal(now[0].facilitators, `${W.fac1.name}; ${W.fac2.name}`);
  assert.equal(now[1].facilitators, W.fac1.name);
  assert.equal(now[2].facilitators, 'none yet');
  const ask = await get(`${page(W.a1)}/commit`, { jar: W.jar.dirA });
  assert.equal(ask.status, 200);
  assert.match(mainText(ask.body), new RegExp(`${now[2].name} has no facilitator yet\\.`));
  assert.doesNotMatch(ask.body, /name="confirmed"/, 'no commit button while a group has no facilitator');
  const before1 = await rows();
  r = await act(W.jar.dirA, W.a1, 'commit', html, { confirmed: 'yes' });
  assert.equal(r.status, 409);
  assert.match(alertText(r.body), /has no facilitator yet\. Nothing was changed\./);
  // Without confirmed=yes, a commit only shows the page that asks.
  r = await act(W.jar.dirA, W.a1, 'commit', html);
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, `${page(W.a1)}/commit`);
  await assertUnchanged(before1, 'refused commits');
});

test('a commit after the cohort changed is refused and changes nothing; starting over asks first', async () => {
  let html = await preview(W.jar.dirA);
  const groups = groupsOn(html);
  assert.equal((await act(W.jar.dirA, W.a1, 'facilitators', html,
    { new: groups[2].newNumber, facilitator: W.fac2.id })).status, 303);
  const ask = await get(`${page(W.a1)}/commit`, { jar: W.jar.dirA });
  assert.match(ask.body, /name="confirmed" value="yes"/, 'the commit page asks');
  // A learner enrolls between the page and the commit.
  W.late = await makeUser('Kai Latecomer', { profession: 'pa' });
  await enrollIn(W.late.id, W.a1.id);
  const before0 = await rows();
  let r = await act(W.jar.dirA, W.a1, 'commit', ask.body, { confirmed: 'yes' });
  assert.equal(r.status, 409);
  assert.match(alertText(r.body), /^The cohort changed since that page was shown.*Nothing was changed/);
  await assertUnchanged(before0, 'a commit after the cohort changed');
  assert.equal(await sql('SELECT count(*) FROM groups WHERE series_id = $1', [W.A.seriesId]), '0');
  // The draft was made against the old cohort: the page offers only to start over.
  html = await preview(W.jar.dirA);
  assert.match(alertText(html), /The cohort changed after the changes in this draft began/);
  assert.doesNotMatch(html, /placement\/move\?/);
  assert.doesNotMatch(html, /action="[^"]*\/placement\/facilitators"/);
  // A tab still open on the page from before: refused too.
  r = await post(`${page(W.a1)}/move`, { csrf: csrfOf(html), fingerprint: formState(ask.body).fingerprint,
    version: formState(ask.body).version, learner: W.adult[1].id, to: 'new', reason: 'Because' },
  { jar: W.jar.dirA });
  assert.equal(r.status, 409);
  assert.match(alertText(r.body), /The cohort changed since that page was shown/);
  // A form without the page's state is refused as incomplete.
  r = await post(`${page(W.a1)}/move`, { csrf: csrfOf(html), learner: W.adult[1].id, to: 'new',
    reason: 'Because' }, { jar: W.jar.dirA });
  assert.equal(r.status, 422);
  assert.match(alertText(r.body), /This form is incomplete/);
  const ask2 = await get(`${page(W.a1)}/commit`, { jar: W.jar.dirA });
  assert.match(mainText(ask2.body), /The cohort changed after these changes began/);
  assert.doesNotMatch(ask2.body, /name="confirmed"/);
  await assertUnchanged(before0, 'actions on a stale draft');
  // Starting over: a page that asks, then its form.
  const reset = await get(`${page(W.a1)}/reset`, { jar: W.jar.dirA });
  assert.equal(reset.status, 200);
  assert.match(mainText(reset.body), /The draft’s 1 move \(with their reasons\) and the facilitators chosen in it are dropped/);
  r = await post(`${page(W.a1)}/reset`, { csrf: csrfOf(reset.body), version: inputValue(reset.body, 'version') },
    { jar: W.jar.dirA });
  assert.equal(r.status, 303, 'without confirmed=yes: back to the page that asks');
  assert.equal(r.headers.location, `${page(W.a1)}/reset`);
  await assertUnchanged(before0, 'a reset without confirmation');
  r = await post(`${page(W.a1)}/reset`, { csrf: csrfOf(reset.body), version: inputValue(reset.body, 'version'),
    confirmed: 'yes' }, { jar: W.jar.dirA });
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, `${page(W.a1)}?done=reset`);
  assert.equal(await sql('SELECT count(*) FROM placement_drafts WHERE offering_id = $1', [W.a1.id]), '0');
  html = await preview(W.jar.dirA, W.a1, '?done=reset');
  assert.match(html, /role="status"><p>The draft was dropped/);
  assert.equal(groupsOn(html).reduce((n, g) => n + g.members.length, 0), 11, 'the latecomer is in the proposal');
});

test('commit makes the groups with their spaces, the memberships and the facilitator rows', async () => {
  let html = await preview(W.jar.dirA);
  let groups = groupsOn(html);
  // Move Ada again (the draft was dropped), then one facilitator per group.
  const ada = W.adult[0];
  const to = groups.find((g) => g.track === 'adult' && g !== groupOf(groups, ada.name));
  const reason = 'Works nights with Ben on the same unit';
  let r = await act(W.jar.dirA, W.a1, 'move', html, { learner: ada.id, to: `new-${to.newNumber}`, reason });
  assert.equal(r.status, 303);
  for (const g of groups) {
    html = await preview(W.jar.dirA);
    r = await act(W.jar.dirA, W.a1, 'facilitators', html, { new: g.newNumber, facilitator: W.fac1.id });
    assert.equal(r.status, 303);
  }
  html = await preview(W.jar.dirA);
  groups = groupsOn(html);
  const ask = await get(`${page(W.a1)}/commit`, { jar: W.jar.dirA });
  assert.equal(ask.status, 200);
  const text = mainText(ask.body);
  assert.match(text, /New groups are made, each with its own space/);
  assert.match(text, new RegExp(`${ada.name} joins ${to.name} ${reason} `));
  r = await act(W.jar.dirA, W.a1, 'commit', ask.body, { confirmed: 'yes' });
  assert.equal(r.status, 303, mainText(r.body));
  assert.equal(r.headers.location, `${page(W.a1)}?done=committed`);

  const made = await sql(`SELECT string_agg(g.name || ':' || g.track || ':' || (s.id IS NOT NULL), ',' ORDER BY g.name)
                          FROM groups g LEFT JOIN spaces s ON s.group_id = g.id AND s.kind = 'group'
                          WHERE g.series_id = $1`, [W.A.seriesId]);
  assert.equal(made, 'Adult group 1:adult:true,Adult group 2:adult:true,Pediatric group 1:pediatric:true');
  const members = (await sql(`SELECT u.id, g.name, m.offering_id, m.placed_by, m.reason, m.left_at IS NULL
                              FROM group_members m JOIN groups g ON g.id = m.group_id JOIN users u ON u.id = m.user_id
                              WHERE m.series_id = $1 ORDER BY u.id`, [W.A.seriesId])).split('\n').map((l) => l.split('|'));
  assert.equal(members.length, 11, 'every learner has one membership');
  for (const [, , offering, by, , open] of members) assert.deepEqual([offering, by, open], [W.a1.id, W.dirA.id, 't']);
  const byUser = Object.fromEntries(members.map((m) => [m[0], m]));
  assert.equal(byUser[ada.id][1], to.name);
  assert.equal(byUser[ada.id][4], reason);
  assert.equal(byUser[W.adult[4].id][1], byUser[W.adult[5].id][1], 'the team is together');
  assert.match(byUser[W.both.id][1], /^Adult group/);
  for (const p of W.peds) assert.equal(byUser[p.id][1], 'Pediatric group 1');
  assert.equal(await sql(`SELECT string_agg(g.name || ':' || f.user_id || ':' || f.assigned_by, ',' ORDER BY g.name)
                          FROM group_facilitators f JOIN groups g ON g.id = f.group_id
                          WHERE f.offering_id = $1`, [W.a1.id]),
  ['Adult group 1', 'Adult group 2', 'Pediatric group 1'].map((n) => `${n}:${W.fac1.id}:${W.dirA.id}`).join(','));
  assert.equal(await sql('SELECT count(*) FROM placement_drafts WHERE offering_id = $1', [W.a1.id]), '0');
  // Each member reads their group's space, and only theirs.
  const adaSpace = await sql(`SELECT s.id FROM spaces s JOIN groups g ON g.id = s.group_id
                              WHERE g.series_id = $1 AND g.name = $2`, [W.A.seriesId, to.name]);
  assert.equal(await sql('SELECT cairn_space_role($1, $2)', [ada.id, adaSpace]), '1');
  assert.equal(await sql('SELECT cairn_space_role($1, $2)', [W.peds[0].id, adaSpace]), '0');
  assert.equal(await sql('SELECT cairn_space_role($1, $2)', [W.fac1.id, adaSpace]), '2');

  html = await preview(W.jar.dirA, W.a1, '?done=committed');
  assert.match(html, /role="status"><p>Committed: the groups, their members and their facilitators are saved\./);
  assert.match(mainText(html), /11 learners \(8 adult, 3 pediatric\): 3 groups meet in this course\. 11 were placed in a group for this course already\./);
  // Committing again, with nothing changed, changes nothing.
  const before0 = await rows();
  const again = await get(`${page(W.a1)}/commit`, { jar: W.jar.dirA });
  assert.match(mainText(again.body), /Nobody joins or leaves a group/);
  r = await act(W.jar.dirA, W.a1, 'commit', again.body, { confirmed: 'yes' });
  assert.equal(r.status, 303);
  await assertUnchanged(before0, 'a second commit');
});

test('the next offering: returning members keep their group, a newcomer is placed, a move leaves history', async () => {
  const ada = W.adult[0];
  const ben = W.adult[1];
  const hana = W.peds[0];
  const lena = await makeUser('Lena Newcomer', { profession: 'psychologist' });
  for (const u of [ada, ben, hana, lena]) await enrollIn(u.id, W.a2.id);
  await enrollIn(W.fac2.id, W.a2.id, { role: 'facilitator' });
  const first = Object.fromEntries((await sql(`SELECT user_id, group_id FROM group_members WHERE series_id = $1`,
    [W.A.seriesId])).split('\n').map((l) => l.split('|')));

  let html = await preview(W.jar.admin, W.a2);
  let groups = groupsOn(html);
  for (const u of [ada, ben, hana]) {
    const g = groupOf(groups, u.name);
    assert.equal(g.group, first[u.id], `${u.name} keeps their group`);
    assert.ok(g.returning.includes(u.name), `${u.name} is shown as returning`);
  }
  const lenaGroup = groupOf(groups, lena.name);
  assert.equal(lenaGroup.isNew, false, 'the newcomer joins an existing group');
  assert.equal(lenaGroup.track, 'adult');
  // Ben moves to the other adult group, with a reason.
  const benGroup = groupOf(groups, ben.name);
  const other = groups.find((g) => g.track === 'adult' && g !== benGroup) ||
    { group: await sql(`SELECT id FROM groups WHERE series_id = $1 AND track = 'adult' AND id <> $2`,
      [W.A.seriesId, benGroup.group]) };
  const reason = 'Changed hospitals: now works with Ada';
  let r = await act(W.jar.admin, W.a2, 'move', html, { learner: ben.id, to: other.group, reason });
  assert.equal(r.status, 303, mainText(r.body));
  html = await preview(W.jar.admin, W.a2);
  assert.ok(issuesOn(html).some((s) => s.startsWith(`${ben.name} leaves ${benGroup.name} for `)), issuesOn(html).join(' | '));
  groups = groupsOn(html);
  for (const g of groups) {
    html = await preview(W.jar.admin, W.a2);
    r = await act(W.jar.admin, W.a2, 'facilitators', html, { group: g.group, facilitator: W.fac2.id });
    assert.equal(r.status, 303);
  }
  const ask = await get(`${page(W.a2)}/commit`, { jar: W.jar.admin });
  assert.match(mainText(ask.body), /1 member leaves the group they were in; their time there stays in its history\./);
  r = await act(W.jar.admin, W.a2, 'commit', ask.body, { confirmed: 'yes' });
  assert.equal(r.status, 303, mainText(r.body));
  assert.equal(await sql('SELECT count(*) FROM groups WHERE series_id = $1', [W.A.seriesId]), '3', 'no new group');
  const history = async (u) => sql(`SELECT string_agg(group_id || ':' || coalesce(offering_id::text, '') || ':' ||
      (left_at IS NULL) || ':' || reason, ',' ORDER BY id) FROM group_members WHERE user_id = $1`, [u.id]);
  assert.equal(await history(ada), `${first[ada.id]}:${W.a1.id}:true:Works nights with Ben on the same unit`,
    'a returning member keeps their one membership');
  assert.equal(await history(hana), `${first[hana.id]}:${W.a1.id}:true:`);
  assert.equal(await history(ben), `${first[ben.id]}:${W.a1.id}:false:,${other.group}:${W.a2.id}:true:${reason}`,
    'the moved member\'s old membership is closed, the new one has the reason');
  assert.equal(await history(lena), `${lenaGroup.group}:${W.a2.id}:true:`);
  assert.equal(await sql(`SELECT count(*) FROM group_facilitators WHERE offering_id = $1 AND user_id = $2`,
    [W.a2.id, W.fac2.id]), String(groups.length));
  // The first offering's facilitators are left as they were.
  assert.equal(await sql(`SELECT count(*) FROM group_facilitators WHERE offering_id = $1`, [W.a1.id]), '3');
});
