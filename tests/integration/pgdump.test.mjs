// Zero knowledge at rest (DESIGN §6): a dump of the database holds none of the secrets a
// person handled. One account goes through everything that makes secrets — an invitation,
// sign-up (password, recovery code, session cookie), a second sign-in, an admin-issued reset
// link used to set a new password (new code, new cookie), the old recovery code entered to
// unlock the old key, a password change — and every one of those secrets is then looked for
// in a pg_dump of the test database, raw and in the encodings a careless implementation
// would store it in: hex (both cases, and PostgreSQL's \x bytea form), base64, base64url.
//
// What cannot be checked from outside: the key-encryption key (KEK, the second half of the
// Argon2id output) and the journal master keys (JMK) never leave the server process, so
// this test has no copy of them to search for — a test that cannot see a key cannot look
// for it. The crypto unit tests (tests/unit/test_crypto.c) cover them: the derivation, the
// wraps under KEK, recovery and session keys, and that a wrap does not open with another
// key or other associated data. Here the schema side is checked instead: the credentials
// row holds only a salt and a 32-byte verifier hash, and every stored key is a 72-byte wrap
// (24-byte nonce, 32-byte sealed key, 16-byte tag), never a bare 32-byte key.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { get, post, state, DB, closeConnections } from './lib.mjs';
import {
  uniq, freshEmail, createInvite, createReset, acceptInvite, signupFields, codeOf, pendingCode,
  confirmCode, signIn, formPage, preSession, splitCookie, decodeRecoveryCode, sql, closeSql,
  mainText,
} from './accounts-lib.mjs';

after(() => {
  closeSql();
  closeConnections();
});

function pgDumpPath() {
  const pinned = '/usr/lib/postgresql/15/bin/pg_dump';
  if (existsSync(pinned)) return pinned;
  if (state.PSQL && existsSync(state.PSQL.replace(/psql$/, 'pg_dump'))) {
    return state.PSQL.replace(/psql$/, 'pg_dump');
  }
  return 'pg_dump';
}

/** pg_dump of the test database (plain SQL, data included), as a string. */
function dump(extra = []) {
  const env = { ...process.env, PGHOST: state.PGHOST, PGUSER: state.PGUSER };
  if (state.PGPORT) env.PGPORT = state.PGPORT; else delete env.PGPORT;
  delete env.PGDATABASE;
  const r = spawnSync(pgDumpPath(), ['--no-owner', '--no-privileges', ...extra, '-d', DB],
    { env, maxBuffer: 512 * 1024 * 1024, encoding: 'latin1', timeout: 60000 });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `pg_dump failed: ${r.stderr}`);
  return r.stdout;
}

/** The forms in which bytes might be stored. */
function byteForms(buf) {
  const hex = buf.toString('hex');
  return {
    'hex': hex,
    'HEX': hex.toUpperCase(),
    '\\x bytea': `\\x${hex}`,
    '\\\\x bytea (COPY)': `\\\\x${hex}`,
    'base64': buf.toString('base64'),
    'base64 unpadded': buf.toString('base64').replace(/=+$/, ''),
    'base64url': buf.toString('base64url'),
  };
}

/** The forms in which a text secret might be stored: itself, and its UTF-8 bytes encoded. */
function textForms(text) {
  return { raw: text, ...byteForms(Buffer.from(text, 'utf8')) };
}

test('a pg_dump holds no password, token, cookie or recovery code', async (t) => {
  const secrets = {}; // name -> { form name -> string }
  const add = (name, forms) => { secrets[name] = forms; };

  // 1. Invitation and sign-up.
  const email = freshEmail('dump');
  const password = `dump ${uniq()} Secret Words`;
  const inv = await createInvite(email);
  add('invite token', { ...textForms(inv.token), ...prefixed('decoded', byteForms(Buffer.from(inv.token, 'base64url'))) });
  const fields = signupFields();
  const { jar } = await acceptInvite(inv.token, fields, password);
  const cookie1 = jar.get('cairn_session');
  const code1 = codeOf((await get('/recovery-code', { jar })).body);
  await confirmCode(jar);
  const id = await sql('SELECT id FROM users WHERE email = $1', [email]);

  // 2. Another sign-in.
  const cookie2 = (await signIn(email, password)).jar.get('cairn_session');

  // 3. A reset link, used; a new code; the old code entered to unlock version 1.
  const reset = await createReset(id);
  add('reset token', { ...textForms(reset.token), ...prefixed('decoded', byteForms(Buffer.from(reset.token, 'base64url'))) });
  const password2 = `after reset ${uniq()} Secret`;
  const pre = await preSession();
  let r = await post('/reset', { csrf: pre.csrf, token: reset.token, password: password2,
    password_again: password2 }, { jar: pre.jar });
  assert.equal(r.status, 303, mainText(r.body));
  const rjar = pre.jar;
  const cookie3 = rjar.get('cairn_session');
  const code2 = await pendingCode(rjar);
  await confirmCode(rjar);
  const { csrf } = await formPage('/recover', rjar);
  r = await post('/recover', { csrf, code: code1 }, { jar: rjar });
  assert.equal(r.status, 303, `the old code unlocks: ${mainText(r.body)}`);
  const code3 = await pendingCode(rjar); // left pending: sealed in the session row
  assert.equal(await sql('SELECT count(*) FROM web_sessions WHERE user_id = $1 AND pending_recovery IS NOT NULL', [id]), '1');

  // 4. A password change.
  const password3 = `changed ${uniq()} Secret`;
  const pc = await formPage('/profile/password', rjar);
  r = await post('/profile/password', { csrf: pc.csrf, current_password: password2, password: password3,
    password_again: password3 }, { jar: rjar });
  assert.equal(r.status, 303, mainText(r.body));

  for (const [i, p] of [password, password2, password3].entries()) add(`password ${i + 1}`, textForms(p));
  for (const [i, c] of [cookie1, cookie2, cookie3].entries()) {
    const { token, key } = splitCookie(c);
    add(`session cookie ${i + 1}`, textForms(c));
    add(`session cookie ${i + 1}, token half`, byteForms(token));
    add(`session cookie ${i + 1}, session-key half`, byteForms(key));
  }
  for (const [i, c] of [code1, code2, code3].entries()) {
    const bare = c.replace(/-/g, '');
    add(`recovery code ${i + 1}`, {
      'as shown': c,
      'lower case': c.toLowerCase(),
      'without dashes': bare,
      'without dashes, lower case': bare.toLowerCase(),
      ...prefixed('text', byteForms(Buffer.from(bare))),
      ...prefixed('20 raw bytes', byteForms(decodeRecoveryCode(c))),
    });
    assert.equal(decodeRecoveryCode(c).length, 20);
  }

  // The dump: plain SQL with COPY, and once more with INSERT statements.
  const dumps = { copy: dump(), inserts: dump(['--inserts']) };
  for (const [kind, text] of Object.entries(dumps)) {
    // It is the right database, with this person's rows in it.
    assert.ok(text.includes(email), `${kind} dump: holds the account's email`);
    assert.ok(text.includes(fields.handle), `${kind} dump: holds the handle`);
    const salt = await sql("SELECT encode(salt, 'hex') FROM credentials WHERE user_id = $1", [id]);
    assert.ok(text.includes(`\\x${salt}`), `${kind} dump: holds the salt, as \\x hex: the forms searched for are the ones a dump uses`);
    const found = [];
    let n = 0;
    for (const [name, forms] of Object.entries(secrets)) {
      for (const [form, value] of Object.entries(forms)) {
        assert.ok(value.length >= 16, `${name} (${form}) is long enough to search for`);
        n++;
        if (text.includes(value)) found.push(`${name} as ${form}`);
      }
    }
    assert.deepEqual(found, [], `${kind} dump: secrets found`);
    t.diagnostic(`${kind} dump: ${text.length} bytes, ${Object.keys(secrets).length} secrets in ${n} forms, none found`);
  }

  // Nor in the server's log.
  const log = readFileSync(state.CAIRN_IT_LOG, 'latin1');
  const inLog = Object.entries(secrets).flatMap(([name, forms]) =>
    Object.entries(forms).filter(([, v]) => log.includes(v)).map(([f]) => `${name} as ${f}`));
  assert.deepEqual(inLog, [], 'secrets in the server log');
});

test('stored keys are only salts, verifier hashes and 72-byte wraps', async () => {
  // Every column of credentials: nothing that could hold a password or a key in clear.
  const cols = (await sql(`SELECT column_name || ':' || data_type FROM information_schema.columns
                           WHERE table_name = 'credentials' ORDER BY ordinal_position`)).split('\n');
  assert.deepEqual(cols, [
    'user_id:bigint', 'salt:bytea', 'verifier_hash:bytea', 'opslimit:bigint', 'memlimit:bigint',
    'recovery_salt:bytea', 'key_version:integer', 'recovery_generation:integer',
    'recovery_confirmed:boolean', 'password_changed_at:timestamp with time zone',
  ]);
  assert.equal(await sql(`SELECT count(*) FROM credentials WHERE length(salt) <> 16
                          OR length(verifier_hash) <> 32 OR length(recovery_salt) <> 16`), '0');
  assert.ok(Number(await sql('SELECT count(*) FROM credentials')) >= 8);
  // Argon2id at the DESIGN §6 cost: 3 passes, 64 MiB.
  assert.equal(await sql('SELECT DISTINCT opslimit || \'/\' || memlimit FROM credentials'),
    `3/${64 * 1024 * 1024}`);

  // Every wrap of a journal key, wherever it is stored, is 72 bytes.
  const wraps = await sql(`SELECT coalesce(string_agg(DISTINCT length(w)::text, ','), '') FROM (
      SELECT kek_wrap AS w FROM journal_keys UNION ALL SELECT recovery_wrap FROM journal_keys
      UNION ALL SELECT newer_wrap FROM journal_keys UNION ALL SELECT jmk_wrap FROM web_sessions) x
      WHERE w IS NOT NULL`);
  assert.equal(wraps, '72', 'journal_keys and web_sessions hold 72-byte wraps only');
  assert.ok(Number(await sql('SELECT count(*) FROM journal_keys WHERE kek_wrap IS NOT NULL')) >= 8);
  // Only the current version of each user has a wrap under the password's KEK.
  assert.equal(await sql(`SELECT count(*) FROM journal_keys k JOIN credentials c USING (user_id)
                          WHERE k.kek_wrap IS NOT NULL AND k.version <> c.key_version`), '0');
  // Sessions and single-use tokens are stored as 32-byte hashes.
  assert.equal(await sql(`SELECT count(*) FROM web_sessions WHERE length(token_hash) <> 32
                          OR length(csrf_secret) <> 32`), '0');
  assert.equal(await sql('SELECT count(*) FROM tokens WHERE length(token_hash) <> 32'), '0');
  // No bytea column anywhere is a bare 32-byte value except the hashes and CSRF secrets
  // named above: a key stored in clear would be one.
  const byteaCols = (await sql(`SELECT table_name || '.' || column_name FROM information_schema.columns
                                WHERE table_schema = 'public' AND data_type = 'bytea'
                                ORDER BY 1`)).split('\n');
  const allowed32 = new Set(['credentials.verifier_hash', 'web_sessions.token_hash',
    'web_sessions.csrf_secret', 'tokens.token_hash']);
  for (const col of byteaCols) {
    const [table, column] = col.split('.');
    const n = Number(await sql(`SELECT count(*) FROM ${table} WHERE length(${column}) = 32`));
    if (!allowed32.has(col)) assert.equal(n, 0, `${col} holds 32-byte values (a bare key?)`);
  }
  // The pending recovery code and outbox messages are sealed (longer than what they hold).
  assert.equal(await sql(`SELECT count(*) FROM web_sessions WHERE pending_recovery IS NOT NULL
                          AND length(pending_recovery) < 39 + 40`), '0');
});

function prefixed(prefix, forms) {
  return Object.fromEntries(Object.entries(forms).map(([k, v]) => [`${prefix} ${k}`, v]));
}

