// Helpers for the discussion tests (forum.test.mjs and tests/browser/forum.test.mjs): the
// demo's spaces and people, people and enrollments made for one test, starting threads and
// replying over HTTP, threads and posts made straight in the database (for lists and long
// threads), parsers for the pages (posts, previews, thread lists, badges, search results,
// notifications), a fingerprint of the discussion tables to prove that a refused request
// changed nothing, and assertInert(): no executable markup in a piece of HTML.
//
// Built on lib.mjs (requests) and accounts-lib.mjs (one persistent psql session, CSRF, the
// test sign-in door). Every POST carries Origin (lib.mjs) and the session's CSRF token: the
// token is the same on every page of a session, so it is read once, from /spaces, a page
// that writes nothing (a thread page would mark posts read).

import assert from 'node:assert/strict';
import { get, post, textOf } from './lib.mjs';
import { sql, uniq, csrfOf, mainText, alertText, testSession } from './accounts-lib.mjs';

export { sql, uniq, csrfOf, mainText, alertText, testSession };

// ---------------------------------------------------------------------------- people

const jarCache = new Map();
/** A signed-in jar for a handle (the test door; one session per handle, cached). */
export async function jarOf(handle) {
  if (!jarCache.has(handle)) jarCache.set(handle, await testSession(handle));
  return jarCache.get(handle);
}

const csrfCache = new WeakMap();
/** The CSRF token of a jar's session (read from /spaces, which writes nothing). */
export async function csrfFor(jar) {
  if (!csrfCache.has(jar)) {
    const r = await get('/spaces', { jar });
    assert.equal(r.status, 200, `GET /spaces: ${r.status} ${r.headers.location || ''}`);
    csrfCache.set(jar, csrfOf(r.body));
  }
  return csrfCache.get(jar);
}

/** { id, handle, email, name, zone } of a user. */
export async function person(handle) {
  const row = await sql('SELECT id, email, display_name, time_zone FROM users WHERE handle = $1',
    [handle]);
  assert.ok(row, `user ${handle} exists`);
  const [id, email, name, zone] = row.split('|');
  return { id, handle, email, name, zone };
}

/**
 * Someone new, made in the database (no password: the test door signs them in), enrolled
 * in the offerings named (slugs) with role and state. Returns person() plus a signed-in jar.
 */
export async function makePerson({ tag = 'fx', enrolled = [], role = 'learner', state = 'confirmed',
  zone = 'America/New_York' } = {}) {
  const s = uniq();
  const handle = `${tag}_${s}`;
  await sql(`INSERT INTO users (email, handle, display_name, profession, time_zone)
             VALUES ($1, $2, $3, 'nurse', $4)`,
  [`${tag}.${s}@example.test`, handle, `Forum ${tag} ${s}`, zone]);
  for (const slug of enrolled) await enroll(handle, slug, { role, state });
  const p = await person(handle);
  p.jar = await testSession(handle);
  return p;
}

/** Enroll a user (by handle) in an offering (by slug), straight in the database. */
export async function enroll(handle, slug, { role = 'learner', state = 'confirmed' } = {}) {
  await sql(`INSERT INTO enrollments (offering_id, user_id, role, state, source, created_at,
               confirmed_at)
             SELECT o.id, u.id, $3, $4, 'import', now(),
                    CASE WHEN $4 = 'confirmed' THEN now() END
               FROM offerings o, users u WHERE o.slug = $2 AND u.handle = $1`,
  [handle, slug, role, state]);
}

/** Cancel a user's live enrollments in an offering. */
export async function cancelEnrollment(handle, slug) {
  await sql(`UPDATE enrollments e SET state = 'cancelled', cancelled_at = now()
               FROM users u, offerings o
              WHERE e.user_id = u.id AND e.offering_id = o.id AND u.handle = $1 AND o.slug = $2
                AND e.state <> 'cancelled'`, [handle, slug]);
}

// ---------------------------------------------------------------------------- spaces

/** The id of an offering's space (kind 'cohort' or 'announcements'). */
export async function spaceOf(slug, kind = 'cohort') {
  const id = await sql(`SELECT s.id FROM spaces s JOIN offerings o ON o.id = s.offering_id
                        WHERE o.slug = $1 AND s.kind = $2`, [slug, kind]);
  assert.ok(id, `the ${kind} space of ${slug} exists`);
  return id;
}

/** The id of the (only) series space. */
export async function seriesSpace() {
  const id = await sql("SELECT id FROM spaces WHERE kind = 'series' ORDER BY id LIMIT 1");
  assert.ok(id, 'a series space exists');
  return id;
}

// ---------------------------------------------------------------------------- writing over HTTP

/** POST /s/:id/threads (title, body, action) with the jar's CSRF token. */
export async function postThread(jar, spaceId, fields, opts = {}) {
  const csrf = fields.csrf ?? await csrfFor(jar);
  return post(`/s/${spaceId}/threads`, { csrf, action: 'post', ...fields }, { jar, ...opts });
}

/** Start a thread; returns its id (asserts the 303 to /t/:id). */
export async function startThread(jar, spaceId, title, body) {
  const r = await postThread(jar, spaceId, { title, body });
  assert.equal(r.status, 303, `start a thread in space ${spaceId}: ${r.status} ${alertText(r.body) || mainText(r.body).slice(0, 300)}`);
  const m = /^\/t\/(\d+)$/.exec(r.headers.location || '');
  assert.ok(m, `redirected to the new thread, not ${r.headers.location}`);
  return m[1];
}

/** POST /t/:id/reply (body, action) with the jar's CSRF token. */
export async function postReply(jar, threadId, fields, opts = {}) {
  const csrf = fields.csrf ?? await csrfFor(jar);
  return post(`/t/${threadId}/reply`, { csrf, action: 'post', ...fields }, { jar, ...opts });
}

/** Reply; returns the new post's number (asserts the 303 to /t/:id?page=P#pN). */
export async function reply(jar, threadId, body) {
  const r = await postReply(jar, threadId, { body });
  assert.equal(r.status, 303, `reply to ${threadId}: ${r.status} ${alertText(r.body) || mainText(r.body).slice(0, 300)}`);
  const m = new RegExp(`^/t/${threadId}\\?page=(\\d+)#p(\\d+)$`).exec(r.headers.location || '');
  assert.ok(m, `redirected to the new post, not ${r.headers.location}`);
  const n = Number(m[2]);
  assert.equal(Number(m[1]), Math.ceil(n / 50), 'the redirect names the page the post is on');
  return n;
}

/** POST to a form action (pin, follow, helpful, delete, agenda, read...) with the CSRF token. */
export async function act(jar, path, fields = {}, opts = {}) {
  const csrf = fields.csrf ?? await csrfFor(jar);
  return post(path, { csrf, ...fields }, { jar, ...opts });
}

/** The id of post number n of a thread. */
export async function postId(threadId, n) {
  const id = await sql('SELECT id FROM posts WHERE thread_id = $1 AND number = $2', [threadId, n]);
  assert.ok(id, `thread ${threadId} has a post ${n}`);
  return id;
}

// ---------------------------------------------------------------------------- writing by SQL

/**
 * Threads made straight in the database, each with an opening post by authorId:
 *   specs: [{ title, at (unix seconds, may be fractional), pinned, hidden, posts (1) }]
 * Returns their ids in the order given.
 */
export async function insertThreads(spaceId, authorId, specs) {
  const values = specs.map((s, i) => `(${i}, ${literalText(s.title)}, ${Number(s.at)},
    ${s.pinned ? 'true' : 'false'}, ${s.hidden ? 'true' : 'false'}, ${Number(s.posts || 1)})`);
  const out = await sql(`
    WITH spec (i, title, at, pinned, hidden, n) AS (VALUES ${values.join(',\n')}),
    t AS (
      INSERT INTO threads (space_id, author_id, title, created_at, last_post_at, last_poster_id,
                           last_number, pinned, hidden)
      SELECT ${Number(spaceId)}, ${Number(authorId)}, title, to_timestamp(at), to_timestamp(at),
             ${Number(authorId)}, n, pinned, hidden FROM spec ORDER BY i
      RETURNING id, title, last_post_at),
    p AS (
      INSERT INTO posts (thread_id, number, author_id, body_src, body_html, body_text, search,
                         created_at)
      SELECT t.id, g, ${Number(authorId)}, 'Post ' || g, '<p>Post ' || g || '</p>\n',
             'Post ' || g, to_tsvector('english', 'Post ' || g), t.last_post_at
        FROM t JOIN spec ON spec.title = t.title, generate_series(1, spec.n) g
      RETURNING 1)
    SELECT t.id FROM t JOIN spec ON spec.title = t.title ORDER BY spec.i`);
  return out.split('\n');
}

function literalText(s) {
  return `'${String(s).replace(/'/g, "''")}'`;
}

// ---------------------------------------------------------------------------- the database's state

// What a refused request must not change: every row of the discussion tables and the
// outbox. Reading state (reads, notifications.read_at) is left out: a page shown again
// after a refusal (the thread with the error) records what the reader saw, as any GET does.
const FINGERPRINT = {
  threads: 'SELECT * FROM threads',
  posts: 'SELECT * FROM posts',
  post_revisions: 'SELECT * FROM post_revisions',
  reactions: 'SELECT * FROM reactions',
  mentions: 'SELECT * FROM mentions',
  follows: 'SELECT * FROM follows',
  notifications: 'SELECT id, user_id, kind, thread_id, post_id, actor_id, excerpt, created_at FROM notifications',
  outbox: 'SELECT id, to_email, kind, subject, body, created_at FROM outbox',
};
const FINGERPRINT_SQL = Object.entries(FINGERPRINT).map(([t, q]) =>
  `SELECT '${t}' || ':' || count(*) || ':' || md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), ''))
     FROM (${q}) x`).join('\nUNION ALL\n');

/** { table: 'rows:md5' } for the discussion tables and the outbox. */
export async function forumState() {
  const out = {};
  for (const line of (await sql(FINGERPRINT_SQL)).split('\n')) {
    const [t, n, h] = line.split(':');
    out[t] = `${n}:${h}`;
  }
  return out;
}

/** Assert nothing changed since `before` (a forumState()), naming the tables that did. */
export async function assertUnchanged(before, what) {
  const after = await forumState();
  const changed = Object.keys(before).filter((t) => before[t] !== after[t]);
  assert.deepEqual(changed, [], `${what}: rows changed in ${changed.join(', ')}`);
}

// ---------------------------------------------------------------------------- reading pages

/**
 * The posts of a thread page: Map number -> { li, unread, body (the post-body HTML or
 * null), deleted, edited, helpful: { count, names } | null, revisionsLink, quote, edit,
 * helpfulButton (aria-pressed or null), firstUnread }.
 */
export function postsOn(html) {
  const out = new Map();
  const parts = html.split(/\n {2}<li class="post( unread)?" id="p(\d+)">/);
  for (let i = 1; i < parts.length; i += 3) {
    const li = parts[i + 2].split('\n  </li>')[0];
    const body = /<div class="post-body">([\s\S]*?)<\/div>/.exec(li);
    const helpful = /<p class="muted helpful-count">(\d+) found this helpful<span class="helpful-names">: ([^<]*)<\/span><\/p>/.exec(li);
    const pressed = /<form method="post" action="\/posts\/\d+\/helpful"[\s\S]*?aria-pressed="(true|false)"/.exec(li);
    out.set(Number(parts[i + 1]), {
      li,
      unread: Boolean(parts[i]),
      body: body ? body[1] : null,
      deleted: li.includes('This post was deleted by its author.'),
      edited: li.includes(' · edited'),
      helpful: helpful ? { count: Number(helpful[1]), names: textOf(helpful[2]) } : null,
      helpfulButton: pressed ? pressed[1] : null,
      revisionsLink: /<a href="\/posts\/\d+\/revisions">earlier versions<\/a>/.test(li),
      quote: /\?quote=\d+#reply"/.test(li),
      edit: /<a class="button secondary" href="\/posts\/\d+\/edit">/.test(li),
      delete: /<a class="button secondary" href="\/posts\/\d+\/delete">/.test(li),
      firstUnread: li.includes('<p class="unread-marker" id="unread">'),
    });
  }
  return out;
}

/** The rendered preview of a thread, new-thread or edit page, or null. */
export function previewOf(html) {
  const m = /class="preview"[\s\S]*?<div class="post-body">([\s\S]*?)<\/div><\/(?:div|section)>/.exec(html);
  return m ? m[1] : null;
}

/** The text of the reply (or post) textarea, entities decoded. */
export function textareaOf(html) {
  const m = /<textarea id="body"[^>]*>([\s\S]*?)<\/textarea>/.exec(html);
  if (!m) return null;
  return m[1].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'").replace(/&amp;/g, '&');
}

/** The number in the header's notifications badge (0 when there is none). */
export function headerBadge(html) {
  const m = /<a href="\/notifications">Notifications(?: <span class="badge">(\d+)<span class="visually-hidden"> unread<\/span><\/span>)?<\/a>/.exec(html);
  assert.ok(m, 'the header links to the notifications');
  return m[1] ? Number(m[1]) : 0;
}

/** Space lists (/spaces, /home): Map space id -> unread badge (0 when none). */
export function spaceBadges(html) {
  const out = new Map();
  for (const m of html.matchAll(/<li><a href="\/s\/(\d+)">[^<]*<\/a>(?: <span class="badge">(\d+)<span class="visually-hidden"> unread<\/span><\/span>)?<br>/g)) {
    out.set(m[1], m[2] ? Number(m[2]) : 0);
  }
  return out;
}

/**
 * A space page's thread list: [{ id, title, pinned, hidden, unread, href, replies,
 * lastBy }] in page order, and the "Older threads" cursor (or null).
 */
export function threadList(html) {
  const threads = [];
  const re = /<li class="thread-item( unread)?">\s*<p class="thread-title">([\s\S]*?)<a href="(\/t\/(\d+)(?:\/unread)?)">([^<]*)<\/a>(?: <span class="badge">(\d+)<span)?[\s\S]*?<\/p>\s*<p class="muted">(\d+) repl(?:y|ies) · last by ([^<]*) <time/g;
  for (const m of html.matchAll(re)) {
    threads.push({
      id: m[4], title: textOf(m[5]), pinned: m[2].includes('Pinned'), hidden: m[2].includes('Hidden'),
      unreadClass: Boolean(m[1]), unread: m[6] ? Number(m[6]) : 0, href: m[3],
      replies: Number(m[7]), lastBy: textOf(m[8]),
    });
  }
  const next = /<a href="\/s\/\d+\?after=([^"]+)">Older threads<\/a>/.exec(html);
  return { threads, next: next ? next[1] : null };
}

/** Search results: [{ thread, number, title, snippet (HTML) }]. */
export function searchResults(html) {
  return [...html.matchAll(/<li>\s*<p><a href="\/t\/(\d+)\/p\/(\d+)">([^<]*)<\/a>[\s\S]*?<p class="snippet">([\s\S]*?)<\/p>\s*<\/li>/g)]
    .map((m) => ({ thread: m[1], number: Number(m[2]), title: textOf(m[3]), snippet: m[4] }));
}

/**
 * Notifications (page or home), in page order: [{ unread, lead, what, thread, number, title,
 * excerptHtml }]. lead and what are the words before the title: "Priya Shah" "mentioned you
 * in", "3 mentions" "of you in", "5 new replies" "in"; number is the post the link opens;
 * excerptHtml (page only) is "Writer: excerpt" where the lead does not name the writer.
 */
export function notificationsOn(html) {
  return [...html.matchAll(/<li( class="unread")?>\s*<p>(?:<span class="tag tag-open">new<\/span> )?<strong>([^<]*)<\/strong> ([^<]*) <a href="\/t\/(\d+)\/p\/(\d+)">([^<]*)<\/a>[\s\S]*?<\/p>(?:\s*<p class="muted excerpt">([\s\S]*?)<\/p>)?\s*<\/li>/g)]
    .map((m) => ({ unread: Boolean(m[1]), lead: textOf(m[2]), what: m[3], thread: m[4],
      number: Number(m[5]), title: textOf(m[6]), excerptHtml: m[7] ?? null }));
}

// ---------------------------------------------------------------------------- markup safety

const TAG_RE = /<\/?([A-Za-z][A-Za-z0-9-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/g;
const ATTR_RE = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
const URL_ATTRS = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'srcset', 'poster',
  'background', 'data', 'cite']);

function decodeEntities(s) {
  return s.replace(/&#x([0-9a-f]+);?/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);?/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&colon;/gi, ':').replace(/&tab;/gi, '\t').replace(/&newline;/gi, '\n')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** The tags of an HTML fragment: [{ name, attrs: [[name, value]] }]. */
export function tagsOf(html) {
  return [...html.matchAll(TAG_RE)].map((m) => ({
    raw: m[0],
    name: m[1].toLowerCase(),
    closing: m[0].startsWith('</'),
    attrs: [...m[2].matchAll(ATTR_RE)].map((a) => [a[1].toLowerCase(), a[2] ?? a[3] ?? a[4] ?? '']),
  }));
}

/**
 * Assert that an HTML fragment holds no executable markup, the way a browser would read it:
 *   - no <script, <img (or any tag outside `allowed`), no stray "<" starting a tag that the
 *     tag grammar did not match (text must carry "<" as &lt;);
 *   - no event-handler attribute (on*), no URL attribute but href, and every href is
 *     http(s):, mailto:, a /path or a #fragment (entities decoded, so "&#106;avascript:"
 *     counts as javascript:);
 *   - the literal strings "javascript:" and "data:" appear nowhere (not even as text: a
 *     refused link must leave only its text), and "onerror=" / "onmouseover=" appear only
 *     inside a quoted attribute value, where they are inert (textMayHold: or as escaped
 *     text, for regions showing what someone typed as text, such as a thread title).
 * allowed: the tag names permitted (markdown.h's list by default).
 */
export const POST_TAGS = ['p', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'ul', 'ol', 'li', 'pre', 'code',
  'hr', 'br', 'em', 'strong', 'a'];
export function assertInert(html, where, { allowed = POST_TAGS, textMayHold = false } = {}) {
  assert.equal(typeof html, 'string', `${where}: there is markup to check`);
  // Where text may hold what its author typed (raw HTML is shown as text), only the markup
  // must be free of these; escaped text cannot hold a '<'.
  const markup = textMayHold ? [...html.matchAll(TAG_RE)].map((m) => m[0]).join('') : html;
  for (const bad of ['<script', '<img', 'javascript:', 'data:', '<iframe', '<svg', '<style']) {
    assert.ok(!markup.toLowerCase().includes(bad), `${where}: contains ${JSON.stringify(bad)}:\n${html}`);
  }
  const tags = tagsOf(html);
  for (const t of tags) {
    assert.ok(allowed.includes(t.name), `${where}: a <${t.name}> tag (${t.raw})`);
    for (const [name, value] of t.attrs) {
      assert.ok(!name.startsWith('on'), `${where}: an event handler attribute ${name} in ${t.raw}`);
      if (URL_ATTRS.has(name)) {
        assert.equal(name, 'href', `${where}: a ${name} attribute in ${t.raw}`);
        const url = decodeEntities(value).replace(/[\u0000-\u0020]/g, '');
        assert.match(url, /^(https?:|mailto:|\/(?![/\\])|#)/i, `${where}: an unsafe href ${value}`);
      }
      assert.ok(['href', 'title', 'rel', 'class', 'start', 'datetime'].includes(name),
        `${where}: an unexpected attribute ${name} in ${t.raw}`);
    }
  }
  // Outside the matched tags, a "<" followed by a letter, "/", "!" or "?" would start markup.
  const rest = html.replace(TAG_RE, '');
  assert.doesNotMatch(rest, /<[A-Za-z/!?]/, `${where}: markup the tag grammar did not match:\n${html}`);
  // Event handlers as text are inert only inside quoted attribute values (or, where
  // textMayHold, in escaped text: a thread title is shown as the text its author typed).
  const outsideValues = textMayHold
    ? [...html.matchAll(TAG_RE)].map((m) => m[0].replace(/"[^"]*"|'[^']*'/g, '""')).join('')
    : html.replace(TAG_RE, (tag) => tag.replace(/"[^"]*"|'[^']*'/g, '""'));
  assert.doesNotMatch(outsideValues, /on(error|mouseover|load|click|focus)\s*=/i,
    `${where}: an event handler outside an attribute value:\n${html}`);
}
