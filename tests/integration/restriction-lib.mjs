// Helpers for the tests of moderators' restrictions and redactions (restriction.test.mjs,
// redaction.test.mjs): a cast of people made for one test file in one offering's spaces
// (a facilitator who moderates them, learners, and people of another offering), the
// database fingerprint extended with mutes, the moderation log and the spaces' and
// threads' restriction columns, the posts waiting for approval on a thread page, the
// moderation log's rows, and every outbox message written since a point, as the
// administrator's outbox page opens it (bodies are sealed in the database).
//
// Built on forum-lib.mjs. People are made with random handles, so the files do not
// depend on the demo's people or on each other.

import assert from 'node:assert/strict';
import { get, textOf } from './lib.mjs';
import { adminJar } from './accounts-lib.mjs';
import { sql, makePerson, forumState, alertText } from './forum-lib.mjs';

/** The error page's sentence (http_error) or a form's alert, whichever the page has. */
export function errorText(html) {
  const lead = /<p class="lead">([\s\S]*?)<\/p>/.exec(html);
  return lead ? textOf(lead[1]) : alertText(html);
}

/** GET a page and check its status; returns the response. */
export async function page(path, jar, status = 200) {
  const r = await get(path, { jar });
  assert.equal(r.status, status, `GET ${path}: ${r.status} ${r.headers.location || errorText(r.body)}`);
  return r;
}

/**
 * People for one file, made in the database: mod facilitates `slug` (so moderates its
 * cohort space), a, b, c are its learners, otherMod facilitates `otherSlug` (and cannot
 * read slug's spaces), outsider is a learner of otherSlug only.
 */
export async function cast(slug, otherSlug, tag) {
  return {
    mod: await makePerson({ tag: `${tag}m`, enrolled: [slug], role: 'facilitator' }),
    a: await makePerson({ tag: `${tag}a`, enrolled: [slug] }),
    b: await makePerson({ tag: `${tag}b`, enrolled: [slug] }),
    c: await makePerson({ tag: `${tag}c`, enrolled: [slug] }),
    otherMod: await makePerson({ tag: `${tag}o`, enrolled: [otherSlug], role: 'facilitator' }),
    outsider: await makePerson({ tag: `${tag}x`, enrolled: [otherSlug] }),
  };
}

const EXTRA = `
  SELECT 'mutes:' || count(*) || ':' || md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), ''))
    FROM mutes x
  UNION ALL
  SELECT 'moderation_log:' || count(*) || ':' || md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), ''))
    FROM moderation_log x
  UNION ALL
  SELECT 'restrictions:' || count(*) || ':' || md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), ''))
    FROM (SELECT 's' || id || premoderated FROM spaces
          UNION ALL SELECT 't' || id || '/' || slow_minutes FROM threads) x (x)`;

/** forumState() and the moderation tables: { table: 'rows:md5' }. */
export async function modState() {
  const out = await forumState();
  for (const line of (await sql(EXTRA)).split('\n')) {
    const [t, n, h] = line.split(':');
    out[t] = `${n}:${h}`;
  }
  return out;
}

/** Assert nothing changed since `before` (a modState()), naming the tables that did. */
export async function assertSame(before, what) {
  const after = await modState();
  const changed = Object.keys(before).filter((t) => before[t] !== after[t]);
  assert.deepEqual(changed, [], `${what}: rows changed in ${changed.join(', ')}`);
}

/**
 * The posts waiting for approval on a thread page: [{ id, author, rejected, reason, body,
 * approve, reject, edit }] in page order.
 */
export function heldOn(html) {
  const sec = /<section aria-labelledby="held-h" class="held-posts">([\s\S]*?)<\/section>/.exec(html);
  if (!sec) return [];
  return sec[1].split(/<li class="post held" id="h/).slice(1).map((li) => ({
    id: /^(\d+)"/.exec(li)[1],
    author: textOf(/<strong><a href="\/u\/[^"]*">([^<]*)<\/a><\/strong>/.exec(li)[1]),
    rejected: li.includes('<span class="tag">Not approved</span>'),
    waiting: li.includes('<span class="tag">Waiting for approval</span>'),
    reason: (/A moderator did not approve this post: ([^<]*)<\/p>/.exec(li) || [])[1] ?? null,
    body: /<div class="post-body">([\s\S]*?)<\/div>/.exec(li)[1],
    approve: /action="\/posts\/\d+\/approve"/.test(li),
    reject: /href="\/posts\/\d+\/reject"/.test(li),
    edit: /href="\/posts\/\d+\/edit"/.test(li),
  }));
}

/** The moderation log's rows since id `after`: [{ id, actor, space, action, thread, post,
 * subject, reason, detail (object), raw (the row as text) }], oldest first. */
export async function logSince(after) {
  const out = await sql(`SELECT id, coalesce(actor_id, 0), space_id, action, coalesce(thread_id, 0),
                                coalesce(post_id, 0), coalesce(subject_id, 0), reason, detail::text,
                                l::text
                           FROM moderation_log l WHERE id > $1 ORDER BY id`, [after]);
  if (!out) return [];
  return out.split('\n').map((line) => {
    const f = line.split('|');
    return { id: f[0], actor: f[1], space: f[2], action: f[3], thread: f[4], post: f[5],
      subject: f[6], reason: f[7], detail: JSON.parse(f[8]), raw: f.slice(9).join('|') };
  });
}

/** The newest moderation_log id (0 when empty). */
export async function lastLogId() {
  return Number(await sql('SELECT coalesce(max(id), 0) FROM moderation_log'));
}

/** The newest outbox id (0 when empty). */
export async function lastOutboxId() {
  return Number(await sql('SELECT coalesce(max(id), 0) FROM outbox'));
}

/**
 * Every outbox message with an id above `after`, as the administrator's outbox page shows
 * it: [{ id, to, kind, subject, body }], newest first. Pages through ?before= until it is
 * past `after`.
 */
export async function outboxSince(after) {
  const ids = await sql('SELECT id FROM outbox WHERE id > $1 ORDER BY id DESC', [after]);
  const want = ids ? ids.split('\n') : [];
  const items = [];
  let path = '/admin/outbox';
  const jar = await adminJar();
  while (items.length < want.length) {
    const r = await get(path, { jar });
    assert.equal(r.status, 200, `GET ${path}: ${r.status}`);
    for (const m of r.body.matchAll(/<li>\s*<p><strong>([\s\S]*?)<\/strong> <span class="muted">([\s\S]*?)<\/span><\/p>\s*<pre>([\s\S]*?)<\/pre>/g)) {
      const parts = textOf(m[2]).split(' · ');
      items.push({
        subject: textOf(m[1]), to: parts[0].replace(/^to /, ''), kind: parts[parts.length - 1],
        body: m[3].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
          .replace(/&#39;/g, "'").replace(/&amp;/g, '&'),
      });
    }
    const older = /<a href="\/admin\/outbox\?before=(\d+)">Older messages<\/a>/.exec(r.body);
    if (!older) break;
    path = `/admin/outbox?before=${older[1]}`;
  }
  assert.ok(items.length >= want.length, `the outbox pages show the ${want.length} new messages`);
  return want.map((id, i) => ({ id, ...items[i] }));
}
