// The private journal (issue 13, DESIGN §6): entries only their author can read.
//
// - Entries: write, read, edit, export and delete (asked first, the row really gone), with
//   pages titled by date alone and never cached.
// - The canary test: title, body and tags hold unique canary strings; afterwards a pg_dump
//   of the whole database and the server's log are searched for every canary as plain text,
//   hex, base64 and UTF-16 (and their bytes' encodings): nothing may be found.
// - Tampering: a ciphertext swapped between two users, between two rows of one user, or with
//   one byte flipped shows "cannot be opened", never garbage, and the server lives on.
// - Keys: a password change keeps everything readable; a reset without the code locks the
//   older entries (new ones are written under the new key), the code unlocks them; rotation
//   is refused while entries are locked, then re-encrypts every entry, and the old recovery
//   code opens nothing afterwards.
// - Bad input: a body over 100,000 characters, more than 20 tags, a tag over 40 characters
//   come back with what was typed and a clear error; nothing is saved.
// - Nobody else: other people (an administrator included) get 404 for an entry.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { get, post, state, DB, serverLog, serverAlive, closeConnections } from './lib.mjs';
import {
  uniq, newAccount, createReset, preSession, pendingCode, confirmCode, formPage, signIn, sql,
  closeSql, mainText, alertText, testSession,
} from './accounts-lib.mjs';

const made = [];
after(async () => {
  // The accounts made here go, with their entries and keys (ON DELETE CASCADE); then the
  // connections close (after the last query, or the process would not end).
  if (made.length) {
    await sql('DELETE FROM users WHERE id = ANY($1::bigint[])', [`{${made.join(',')}}`]);
  }
  closeSql();
  closeConnections();
});

async function account(tag) {
  const a = await newAccount({ tag });
  made.push(a.id);
  return a;
}

/** Write an entry through the form; returns its id. */
async function write(jar, { title = '', body, tags = '', offering = '' }) {
  const { csrf } = await formPage('/journal/new', jar);
  const r = await post('/journal', { csrf, title, body, tags, offering }, { jar });
  assert.equal(r.status, 303, `POST /journal: ${r.status} ${alertText(r.body) || mainText(r.body)}`);
  const m = /^\/journal\/(\d+)$/.exec(r.headers.location);
  assert.ok(m, `redirected to the entry: ${r.headers.location}`);
  return m[1];
}

function pgDumpPath() {
  const pinned = '/usr/lib/postgresql/15/bin/pg_dump';
  if (existsSync(pinned)) return pinned;
  if (state.PSQL && existsSync(state.PSQL.replace(/psql$/, 'pg_dump'))) {
    return state.PSQL.replace(/psql$/, 'pg_dump');
  }
  return 'pg_dump';
}

/** pg_dump of the whole test database (plain SQL, data included), as bytes. */
function dump() {
  const env = { ...process.env, PGHOST: state.PGHOST, PGUSER: state.PGUSER };
  if (state.PGPORT) env.PGPORT = state.PGPORT; else delete env.PGPORT;
  delete env.PGDATABASE;
  const r = spawnSync(pgDumpPath(), ['--no-owner', '--no-privileges', '-d', DB],
    { env, maxBuffer: 512 * 1024 * 1024, timeout: 60000 });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `pg_dump failed: ${r.stderr}`);
  return r.stdout;
}

/** Every form a canary might take in a dump or a log, as byte strings to look for. */
function canaryForms(text) {
  const forms = {};
  const bytes = {
    'UTF-8': Buffer.from(text, 'utf8'),
    'UTF-16LE': Buffer.from(text, 'utf16le'),
    'UTF-16BE': Buffer.from(text, 'utf16le').swap16(),
  };
  for (const [enc, b] of Object.entries(bytes)) {
    forms[`${enc} raw`] = b;
    forms[`${enc} hex`] = Buffer.from(b.toString('hex'));
    forms[`${enc} HEX`] = Buffer.from(b.toString('hex').toUpperCase());
    // base64 of a text depends on where it starts in a 3-byte group: look for all three.
    for (let shift = 0; shift < 3; shift++) {
      const padded = Buffer.concat([Buffer.alloc(shift), b]);
      const b64 = padded.toString('base64').replace(/=+$/, '');
      // Drop the characters that depend on the bytes before and after the canary.
      const start = Math.ceil((shift * 4) / 3) + 1;
      const core = b64.slice(start, b64.length - 2);
      forms[`${enc} base64 (offset ${shift})`] = Buffer.from(core);
      forms[`${enc} base64url (offset ${shift})`] = Buffer.from(core.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return forms;
}

function findCanaries(haystack, canaries, where) {
  const found = [];
  for (const c of canaries) {
    for (const [form, needle] of Object.entries(canaryForms(c))) {
      if (haystack.includes(needle)) found.push(`${where}: "${c}" as ${form}`);
    }
  }
  return found;
}

test('write, read, edit, export and delete an entry; pages are no-store and titled by date', async () => {
  const a = await account('jr');
  const u = uniq();
  const id = await write(a.jar, {
    title: `Night shift ${u}`,
    body: `After the family meeting **${u}** I sat in the car.\n\n- breathe\n- call home`,
    tags: ' grief , family meeting,grief ',
  });
  const r = await get(`/journal/${id}`, { jar: a.jar });
  assert.equal(r.status, 200);
  assert.equal(r.headers['cache-control'], 'no-store');
  const day = await sql(`SELECT to_char(e.created_at AT TIME ZONE u.time_zone, 'FMDD FMMonth YYYY')
                         FROM journal_entries e JOIN users u ON u.id = e.user_id WHERE e.id = $1`, [id]);
  assert.match(r.body, new RegExp(`<title>Journal entry, ${day} · Cairn</title>`));
  assert.ok(r.body.includes(`<strong>${u}</strong>`), 'the body is rendered as Markdown');
  assert.ok(r.body.includes(`<h1>Night shift ${u}</h1>`));
  const tags = [...r.body.matchAll(/<span class="tag">([^<]*)<\/span>/g)].map((m) => m[1]);
  assert.deepEqual(tags, ['grief', 'family meeting'], 'tags are trimmed and repeats dropped');

  // The list shows it; other journal pages are no-store too.
  for (const path of ['/journal', '/journal/new', `/journal/${id}/edit`, `/journal/${id}/delete`,
    '/journal/about', '/journal/key']) {
    const p = await get(path, { jar: a.jar });
    assert.equal(p.status, 200, path);
    assert.equal(p.headers['cache-control'], 'no-store', `${path} is no-store`);
    assert.ok(!/<title>[^<]*Night shift/.test(p.body), `${path}: the title holds no entry text`);
  }
  assert.ok((await get('/journal', { jar: a.jar })).body.includes(`Night shift ${u}`));

  // Edit: the form shows the entry; saving re-seals it with a fresh nonce.
  const before = await sql('SELECT encode(sealed, \'hex\') FROM journal_entries WHERE id = $1', [id]);
  const { res: editPage, csrf } = await formPage(`/journal/${id}/edit`, a.jar);
  assert.ok(editPage.body.includes(`value="Night shift ${u}"`));
  assert.ok(editPage.body.includes('value="grief, family meeting"'));
  let w = await post(`/journal/${id}/edit`, { csrf, title: `Night shift ${u}`,
    body: `After the family meeting **${u}** I sat in the car.\n\n- breathe\n- call home`,
    tags: 'grief, family meeting' }, { jar: a.jar });
  assert.equal(w.status, 303);
  assert.equal(w.headers.location, `/journal/${id}`);
  const after1 = await sql('SELECT encode(sealed, \'hex\') FROM journal_entries WHERE id = $1', [id]);
  assert.notEqual(after1, before, 'the same text seals differently: a fresh nonce per write');
  assert.equal(after1.length, before.length, 'the same length pads to the same size');
  w = await post(`/journal/${id}/edit`, { csrf, title: '', body: `Changed ${u}`, tags: '' }, { jar: a.jar });
  assert.equal(w.status, 303);
  const shown = await get(`/journal/${id}`, { jar: a.jar });
  assert.ok(shown.body.includes(`Changed ${u}`));
  assert.ok(shown.body.includes(`<h1>Journal entry, ${day}</h1>`), 'no title: the date is the title');

  // Export as Markdown.
  const ex = await get(`/journal/${id}/export`, { jar: a.jar });
  assert.equal(ex.status, 200);
  assert.match(ex.headers['content-type'], /^text\/markdown/);
  assert.match(ex.headers['content-disposition'], /^attachment; filename="journal-\d{4}-\d\d-\d\d-\d+\.md"$/);
  assert.equal(ex.headers['cache-control'], 'no-store');
  assert.ok(ex.body.includes(`Changed ${u}`));

  // Delete asks first; a POST without the confirmation only asks again.
  w = await post(`/journal/${id}/delete`, { csrf }, { jar: a.jar });
  assert.equal(w.status, 303);
  assert.equal(w.headers.location, `/journal/${id}/delete`);
  assert.equal(await sql('SELECT count(*) FROM journal_entries WHERE id = $1', [id]), '1');
  w = await post(`/journal/${id}/delete`, { csrf, confirmed: 'yes' }, { jar: a.jar });
  assert.equal(w.status, 303);
  assert.equal(w.headers.location, '/journal?done=deleted');
  assert.equal(await sql('SELECT count(*) FROM journal_entries WHERE id = $1', [id]), '0',
    'the row and its ciphertext are gone');
  assert.equal((await get(`/journal/${id}`, { jar: a.jar })).status, 404);
});

test('nobody else reads an entry: 404 for another learner and for an administrator', async () => {
  const a = await account('jo');
  const b = await account('jb');
  const u = uniq();
  const id = await write(a.jar, { title: `Private ${u}`, body: `Only mine ${u}` });
  const admin = await testSession('admin');
  for (const [who, jar] of [['another learner', b.jar], ['an administrator', admin]]) {
    for (const path of [`/journal/${id}`, `/journal/${id}/edit`, `/journal/${id}/delete`,
      `/journal/${id}/export`]) {
      const r = await get(path, { jar });
      assert.equal(r.status, 404, `${who}: GET ${path}`);
      assert.ok(!r.body.includes(u), `${who}: the 404 shows nothing of the entry`);
    }
    const { csrf } = await formPage('/journal', jar);
    for (const path of [`/journal/${id}/edit`, `/journal/${id}/delete`]) {
      const r = await post(path, { csrf, body: 'overwrite', confirmed: 'yes' }, { jar });
      assert.equal(r.status, 404, `${who}: POST ${path}`);
    }
    assert.ok(!(await get('/journal', { jar })).body.includes(u), `${who}: not in their list`);
  }
  assert.equal(await sql('SELECT count(*) FROM journal_entries WHERE id = $1', [id]), '1');
  assert.ok((await get(`/journal/${id}`, { jar: a.jar })).body.includes(`Only mine ${u}`));
});

test('canaries: a pg_dump of the whole database and the server log hold no journal text', async () => {
  const a = await account('jc');
  const u = uniq();
  const canaries = [`CanaryTitle${u}Q`, `CanaryBody${u}Z`, `CanaryTag${u}K`, `CanaryEdit${u}W`,
    `CanaryTooLong${u}X`, `CanaryTagErr${u}V`];
  const [title, body, tag, edit, tooLong, tagErr] = canaries;
  const id = await write(a.jar, { title, body: `Today: ${body}, and *more*.`, tags: `${tag}, reflection` });
  assert.ok((await get(`/journal/${id}`, { jar: a.jar })).body.includes(body), 'the control: it opens');
  const { csrf } = await formPage(`/journal/${id}/edit`, a.jar);
  let r = await post(`/journal/${id}/edit`, { csrf, title, body: `Edited ${edit}`, tags: tag }, { jar: a.jar });
  assert.equal(r.status, 303);
  // Refused forms carry canaries too: their text must not reach a log or an error either.
  r = await post('/journal', { csrf, title: tooLong, body: `${tooLong} ${'x'.repeat(100001)}` }, { jar: a.jar });
  assert.equal(r.status, 422);
  assert.ok(!alertText(r.body).includes(tooLong), 'the error names no text');
  r = await post('/journal', { csrf, body: 'fine', tags: `${tagErr}${'y'.repeat(40)}` }, { jar: a.jar });
  assert.equal(r.status, 422);
  assert.ok(!alertText(r.body).includes(tagErr));
  // An export and a list too.
  assert.equal((await get(`/journal/${id}/export`, { jar: a.jar })).status, 200);
  assert.equal((await get('/journal', { jar: a.jar })).status, 200);

  const found = [
    ...findCanaries(dump(), canaries, 'pg_dump'),
    ...findCanaries(Buffer.from(serverLog(), 'utf8'), canaries, 'server log'),
  ];
  assert.deepEqual(found, [], 'journal text leaked');
  // The control for the search: the dump does hold the entry's row and its dates.
  const d = dump().toString('latin1');
  assert.ok(d.includes('journal_entries'), 'the dump holds the journal table');
  const sealedHex = await sql("SELECT encode(sealed, 'hex') FROM journal_entries WHERE id = $1", [id]);
  assert.ok(d.includes(sealedHex), 'the dump holds the ciphertext (and the search reads bytea)');
  assert.ok(findCanaries(Buffer.from(`xx${body}yy`, 'utf16le'), [body], 'control').length > 0,
    'the search finds a UTF-16 canary');
  assert.ok(findCanaries(Buffer.from(Buffer.from(`ab${body}c`).toString('base64')), [body], 'control').length > 0,
    'the search finds a base64 canary');
});

test('a swapped or changed ciphertext shows "cannot be opened", never garbage', async () => {
  const a = await account('js');
  const b = await account('jt');
  const u = uniq();
  const a1 = await write(a.jar, { title: `A one ${u}`, body: `Alpha one ${u}` });
  const a2 = await write(a.jar, { title: `A two ${u}`, body: `Alpha two ${u}` });
  const b1 = await write(b.jar, { title: `B one ${u}`, body: `Beta one ${u}` });
  const sealed = async (id) => sql('SELECT encode(sealed, \'hex\') FROM journal_entries WHERE id = $1', [id]);
  const setSealed = (id, hex) => sql('UPDATE journal_entries SET sealed = decode($2, \'hex\') WHERE id = $1', [id, hex]);
  const orig = { a1: await sealed(a1), a2: await sealed(a2), b1: await sealed(b1) };

  const cannot = async (jar, id, what) => {
    const r = await get(`/journal/${id}`, { jar });
    assert.equal(r.status, 200, `${what}: the page answers`);
    assert.match(mainText(r.body), /This entry cannot be opened/, what);
    for (const t of ['Alpha one', 'Alpha two', 'Beta one']) {
      assert.ok(!r.body.includes(`${t} ${u}`), `${what}: shows nothing of "${t}"`);
    }
    const ed = await get(`/journal/${id}/edit`, { jar });
    assert.equal(ed.status, 409, `${what}: editing says it cannot`);
    assert.match(mainText(ed.body), /cannot be opened/);
    assert.equal((await get(`/journal/${id}/export`, { jar })).status, 409, `${what}: no export`);
  };

  // Between users: B's ciphertext in A's row, and A's in B's.
  await setSealed(a1, orig.b1);
  await setSealed(b1, orig.a1);
  await cannot(a.jar, a1, "another user's ciphertext");
  await cannot(b.jar, b1, "another user's ciphertext (the other way)");
  await setSealed(a1, orig.a1);
  await setSealed(b1, orig.b1);
  // Between two rows of one user.
  await setSealed(a1, orig.a2);
  await setSealed(a2, orig.a1);
  await cannot(a.jar, a1, 'the ciphertext of another row');
  await cannot(a.jar, a2, 'the ciphertext of another row (the other way)');
  const list = await get('/journal', { jar: a.jar });
  assert.equal(list.status, 200);
  assert.match(mainText(list.body), /Some entries cannot be opened/);
  await setSealed(a1, orig.a1);
  await setSealed(a2, orig.a2);
  assert.ok((await get(`/journal/${a1}`, { jar: a.jar })).body.includes(`Alpha one ${u}`), 'restored: opens');
  // One flipped byte, in the nonce, the middle and the tag.
  for (const at of [3, 100, orig.a1.length / 2 - 2]) {
    const hex = orig.a1;
    const byte = (parseInt(hex.slice(at * 2, at * 2 + 2), 16) ^ 0x01).toString(16).padStart(2, '0');
    await setSealed(a1, hex.slice(0, at * 2) + byte + hex.slice(at * 2 + 2));
    await cannot(a.jar, a1, `byte ${at} flipped`);
  }
  // A row moved to another key version or format does not open either.
  await setSealed(a1, orig.a1);
  await sql('UPDATE journal_entries SET format = 2 WHERE id = $1', [a1]);
  await cannot(a.jar, a1, 'another format');
  await sql('UPDATE journal_entries SET format = 1 WHERE id = $1', [a1]);
  // Rotation is refused while an entry cannot be opened.
  await setSealed(a2, orig.a1);
  const key = await get('/journal/key', { jar: a.jar });
  assert.match(mainText(key.body), /cannot be opened .* Delete/);
  await setSealed(a2, orig.a2);
  assert.ok(serverAlive(), 'the server lives on');
});

test('password change keeps entries readable; reset locks them; the code unlocks; rotation', async () => {
  const a = await account('jk');
  const u = uniq();
  const e1 = await write(a.jar, { title: `Before ${u}`, body: `Written before ${u}`, tags: 'one' });
  const e2 = await write(a.jar, { body: `Also before ${u}` });

  // A password change: still readable, in this session and a new one.
  const password2 = `second ${uniq()} password`;
  const pc = await formPage('/profile/password', a.jar);
  let r = await post('/profile/password', { csrf: pc.csrf, current_password: a.password,
    password: password2, password_again: password2 }, { jar: a.jar });
  assert.equal(r.status, 303, mainText(r.body));
  assert.ok((await get(`/journal/${e1}`, { jar: a.jar })).body.includes(`Written before ${u}`));
  const s2 = (await signIn(a.email, password2)).jar;
  assert.ok((await get(`/journal/${e1}`, { jar: s2 })).body.includes(`Written before ${u}`),
    'readable after signing in with the new password');

  // A reset without the code: the older entries are locked.
  const reset = await createReset(a.id);
  const password3 = `third ${uniq()} password`;
  const pre = await preSession();
  r = await post('/reset', { csrf: pre.csrf, token: reset.token, password: password3,
    password_again: password3 }, { jar: pre.jar });
  assert.equal(r.status, 303, mainText(r.body));
  const jar = pre.jar;
  const codeAfterReset = await pendingCode(jar);
  await confirmCode(jar);
  let list = await get('/journal', { jar });
  assert.match(mainText(list.body), /2 entries locked\./);
  assert.ok(!list.body.includes(`Before ${u}`), 'a locked entry shows no title');
  let page = await get(`/journal/${e1}`, { jar });
  assert.equal(page.status, 200);
  assert.match(mainText(page.body), /This entry is locked/);
  assert.ok(!page.body.includes(`Written before ${u}`));
  const ed = await get(`/journal/${e1}/edit`, { jar });
  assert.equal(ed.status, 409);
  assert.match(mainText(ed.body), /cannot be edited.*It is locked/);
  const ex = await get(`/journal/${e1}/export`, { jar });
  assert.equal(ex.status, 409);
  assert.match(mainText(ex.body), /cannot be exported.*It is locked/);
  // Saving over a locked entry is refused, with what was typed.
  const { csrf } = await formPage('/journal/new', jar);
  r = await post(`/journal/${e1}/edit`, { csrf, body: `Overwrite ${u}` }, { jar });
  assert.equal(r.status, 409);
  assert.match(alertText(r.body), /locked/);
  assert.ok(r.body.includes(`Overwrite ${u}</textarea>`), 'what was typed comes back');
  // New entries are written under the new key.
  const e3 = await write(jar, { body: `After the reset ${u}` });
  assert.equal(await sql('SELECT key_version FROM journal_entries WHERE id = $1', [e3]), '2');
  assert.ok((await get(`/journal/${e3}`, { jar })).body.includes(`After the reset ${u}`));
  // Rotation is refused while older entries are locked, with the reason.
  const key = await get('/journal/key', { jar });
  assert.match(mainText(key.body), /cannot be rotated now\. 2 of your entries are locked/);
  r = await post('/journal/key', { csrf, password: password3 }, { jar });
  assert.equal(r.status, 409);
  assert.match(mainText(r.body), /2 of your entries are locked/);
  assert.equal(await sql('SELECT count(*) FROM journal_keys WHERE user_id = $1', [a.id]), '2');

  // The original code unlocks them at once, and a new code is issued.
  const rec = await formPage('/recover', jar);
  r = await post('/recover', { csrf: rec.csrf, code: a.code }, { jar });
  assert.equal(r.status, 303, mainText(r.body));
  assert.equal(r.headers.location, '/recovery-code');
  const codeAfterRecovery = await pendingCode(jar);
  assert.notEqual(codeAfterRecovery, codeAfterReset);
  await confirmCode(jar);
  list = await get('/journal', { jar });
  assert.doesNotMatch(mainText(list.body), /locked\./);
  assert.ok(list.body.includes(`Before ${u}`));
  assert.ok((await get(`/journal/${e2}`, { jar })).body.includes(`Also before ${u}`));

  // Rotation: a wrong password is refused; the right one re-encrypts every entry.
  r = await post('/journal/key', { csrf, password: 'not my password at all' }, { jar });
  assert.equal(r.status, 422);
  const sealedBefore = await sql(`SELECT string_agg(encode(sealed, 'hex'), ',' ORDER BY id)
                                  FROM journal_entries WHERE user_id = $1`, [a.id]);
  r = await post('/journal/key', { csrf, password: password3 }, { jar });
  assert.equal(r.status, 303, mainText(r.body));
  assert.equal(r.headers.location, '/recovery-code');
  const codeAfterRotation = await pendingCode(jar);
  await confirmCode(jar);
  assert.equal(await sql(`SELECT string_agg(DISTINCT key_version::text, ',') FROM journal_entries
                          WHERE user_id = $1`, [a.id]), '3', 'every entry is under the new key');
  assert.equal(await sql('SELECT string_agg(version::text, \',\') FROM journal_keys WHERE user_id = $1',
    [a.id]), '3', 'the older keys are gone');
  const sealedAfter = await sql(`SELECT string_agg(encode(sealed, 'hex'), ',' ORDER BY id)
                                 FROM journal_entries WHERE user_id = $1`, [a.id]);
  for (const old of sealedBefore.split(',')) assert.ok(!sealedAfter.includes(old), 're-encrypted');
  for (const [id, text] of [[e1, `Written before ${u}`], [e2, `Also before ${u}`], [e3, `After the reset ${u}`]]) {
    assert.ok((await get(`/journal/${id}`, { jar })).body.includes(text), `entry ${id} reads after rotation`);
  }
  // Other sessions were signed out; signing in again opens everything.
  assert.equal((await get('/journal', { jar: s2 })).status, 303);
  const s3 = (await signIn(a.email, password3)).jar;
  assert.ok((await get(`/journal/${e1}`, { jar: s3 })).body.includes(`Written before ${u}`));
  // The old codes open nothing; the new one does.
  for (const old of [a.code, codeAfterReset, codeAfterRecovery]) {
    const f = await formPage('/recover', s3);
    r = await post('/recover', { csrf: f.csrf, code: old }, { jar: s3 });
    assert.equal(r.status, 422, 'an old recovery code opens nothing');
    assert.match(alertText(r.body), /does not open/);
  }
  const f = await formPage('/recover', s3);
  r = await post('/recover', { csrf: f.csrf, code: codeAfterRotation }, { jar: s3 });
  assert.equal(r.status, 303, 'the code issued by the rotation works');
});

test('bad input: the form comes back with what was typed and a clear error; nothing is saved', async () => {
  const a = await account('jv');
  const u = uniq();
  const { csrf } = await formPage('/journal/new', a.jar);
  const count = () => sql('SELECT count(*) FROM journal_entries WHERE user_id = $1', [a.id]);
  const cases = [
    { what: 'a body over 100,000 characters', form: { title: `T ${u}`, body: `${u} ${'é'.repeat(100001 - u.length - 1)}`, tags: 'x' },
      error: /at most 100,000 characters long; this one is 100,001/ },
    { what: 'more than 20 tags', form: { title: `T ${u}`, body: `B ${u}`,
      tags: Array.from({ length: 21 }, (_, i) => `tag${i}`).join(', ') },
    error: /at most 20 tags; this one has 21/ },
    { what: 'a tag over 40 characters', form: { title: `T ${u}`, body: `B ${u}`, tags: `fine, ${'t'.repeat(41)}` },
      error: /Tag 2 is 41 characters long; a tag can be at most 40/ },
    { what: 'an empty body', form: { title: `T ${u}`, body: '  \n ', tags: '' }, error: /Write something/ },
  ];
  for (const c of cases) {
    const r = await post('/journal', { csrf, ...c.form }, { jar: a.jar });
    assert.equal(r.status, 422, c.what);
    assert.match(alertText(r.body), c.error, c.what);
    assert.ok(r.body.includes(`value="T ${u}"`), `${c.what}: the title comes back`);
    assert.ok(r.body.includes(`${c.form.body.replace(/&/g, '&amp;')}</textarea>`), `${c.what}: the body comes back whole`);
    assert.ok(r.body.includes(`value="${c.form.tags}"`), `${c.what}: the tags come back`);
    assert.equal(r.headers['cache-control'], 'no-store');
  }
  assert.equal(await count(), '0', 'nothing was saved');
  // The limits themselves are allowed: 100,000 characters, 20 tags of 40.
  const id = await write(a.jar, { body: 'é'.repeat(100000),
    tags: Array.from({ length: 20 }, (_, i) => `${String(i).padStart(2, '0')}${'t'.repeat(38)}`).join(',') });
  const r = await get(`/journal/${id}`, { jar: a.jar });
  assert.equal(r.status, 200);
  assert.equal([...r.body.matchAll(/<span class="tag">/g)].length, 20);
  // Editing with bad input keeps the stored entry as it was.
  const before = await sql('SELECT sealed FROM journal_entries WHERE id = $1', [id]);
  const e = await post(`/journal/${id}/edit`, { csrf, body: 'x', tags: 'y'.repeat(41) }, { jar: a.jar });
  assert.equal(e.status, 422);
  assert.equal(await sql('SELECT sealed FROM journal_entries WHERE id = $1', [id]), before);
  // A course that is not one's own is refused.
  const other = await sql('SELECT id FROM offerings ORDER BY id LIMIT 1');
  const o = await post('/journal', { csrf, body: 'x', offering: other }, { jar: a.jar });
  assert.equal(o.status, 422);
  assert.match(alertText(o.body), /Choose a course/);
});

test('a session without the journal key (the test door) cannot save, and says why', async () => {
  const a = await account('jd');
  const jar = await testSession(a.handle);
  const { res, csrf } = await formPage('/journal/new', jar);
  assert.match(mainText(res.body), /closed in this browser session/);
  const r = await post('/journal', { csrf, body: 'kept text' }, { jar });
  assert.equal(r.status, 409);
  assert.ok(r.body.includes('kept text</textarea>'), 'what was typed comes back');
  assert.equal(await sql('SELECT count(*) FROM journal_entries WHERE user_id = $1', [a.id]), '0');
});
