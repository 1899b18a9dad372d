#!/usr/bin/env node
// The benchmark's data generator: on a running cairn (a test build, CAIRN_TEST_HOOKS=ON) whose
// database was loaded with "cairn demo", create one thread of exactly 50 posts (one page) in the
// cohort space of core-practice-2026-05, written by the demo learners priya, sam, lee, amara and
// tomas through the real endpoints, so that the stored HTML is the real renderer's:
//
//   POST /__test/session handle=…          sign in without a password (test builds only)
//   GET  /spaces, GET /s/:id               find the cohort space (or --space ID)
//   POST /s/:id/threads                    the opening post (title, body, csrf, action=post)
//   POST /t/:id/reply                      49 replies
//   POST /posts/:id/helpful                a few "helpful" reactions
//
// Every POST carries Origin (the server's origin) and the session's csrf token, read from a page
// as a browser would. The Markdown is realistic: paragraphs, lists, quotes, emphasis, links and
// @mentions of demo users (mentions resolve, so notifications are written too).
//
//   node tests/bench/make-thread.mjs --base http://127.0.0.1:PORT [--space ID] [--reader HANDLE]
//
// stdout: shell assignments (eval-able), diagnostics go to stderr:
//   THREAD_ID=123  SPACE_ID=4  POSTS=50  REACTIONS=12  READER=lee
//   READER_COOKIE='cairn_session=…'   (a session of its own for the reader, who has read the
//                                      thread once, so that further views change nothing)
// Exit status 0 on success, 1 on any failure (with the reason on stderr).
//
// Node 18, node:http only. Deterministic content (a seeded generator); every request has a
// timeout and the whole run is bounded (about 80 requests).

import http from 'node:http';

const LEARNERS = ['priya', 'sam', 'lee', 'amara', 'tomas'];
const STAFF = ['okafor', 'rivera'];
const POSTS = 50;
const OFFERING = 'core-practice-2026-05';
const REQUEST_TIMEOUT_MS = 30000;
const DEADLINE_MS = 180000;

function usage(msg) {
  if (msg) process.stderr.write(`make-thread: ${msg}\n`);
  process.stderr.write('usage: make-thread.mjs --base URL [--space ID] [--reader HANDLE]\n');
  process.exit(2);
}

const args = { base: process.env.BASE_URL || '', space: '', reader: 'lee' };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  const v = process.argv[i + 1];
  if (a === '--base' && v) { args.base = v; i++; }
  else if (a === '--space' && v) { args.space = v; i++; }
  else if (a === '--reader' && v) { args.reader = v; i++; }
  else if (a === '-h' || a === '--help') usage();
  else usage(`unknown argument '${a}'`);
}
if (!args.base) usage('--base URL (or BASE_URL) is required');
const base = new URL(args.base);
if (base.protocol !== 'http:') usage('only http:// is supported');
const ORIGIN = base.origin;
if (args.space && !/^[1-9][0-9]{0,17}$/.test(args.space)) usage('--space must be a number');
if (!/^[a-z0-9_]{1,40}$/.test(args.reader)) usage('--reader must be a handle');

const log = (m) => process.stderr.write(`make-thread: ${m}\n`);
function fail(m) {
  log(`error: ${m}`);
  process.exit(1);
}
setTimeout(() => fail(`not done after ${DEADLINE_MS / 1000} s`), DEADLINE_MS).unref();

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

/** One request; resolves to { status, headers, body }. */
function request(method, path, { cookie, form } = {}) {
  return new Promise((resolve, reject) => {
    const headers = { Host: base.host };
    let body;
    if (cookie) headers.Cookie = cookie;
    if (form) {
      body = new URLSearchParams(form).toString();
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      headers['Content-Length'] = Buffer.byteLength(body);
      headers.Origin = ORIGIN;
    }
    const req = http.request({ host: base.hostname, port: base.port || 80, method, path, headers,
                               agent, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers,
                                    body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ` +
                                                 `${REQUEST_TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
    req.end(body);
  });
}

function expect(res, status, what) {
  if (res.status !== status) {
    const text = res.body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300);
    fail(`${what}: expected ${status}, got ${res.status}${text ? `: ${text}` : ''}`);
  }
  return res;
}

/** Sign in as HANDLE through the test door; returns "cairn_session=…". */
async function signIn(handle) {
  const res = expect(await request('POST', '/__test/session', { form: { handle } }), 200,
                     `POST /__test/session handle=${handle} (is this a CAIRN_TEST_HOOKS build ` +
                     `with the demo loaded?)`);
  for (const line of res.headers['set-cookie'] || []) {
    const m = /^(cairn_session=[^;]+)/.exec(line);
    if (m) return m[1];
  }
  fail(`POST /__test/session handle=${handle} set no cairn_session cookie`);
}

function csrfOf(html, what) {
  const m = /name="csrf" value="([^"]+)"/.exec(html);
  if (!m) fail(`${what}: no csrf token on the page`);
  return m[1];
}

// ---- the content ------------------------------------------------------------------------------

// mulberry32: a small seeded generator, so every run writes the same thread.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(20260513);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

const TITLE = 'When the family asks us not to tell: goals-of-care conversations after Day 2';

const OPENERS = [
  'I keep coming back to the role-play from Day 2, where the daughter asked the team not to ' +
    'tell her father that the scan showed progression.',
  'Something from our breakout has stayed with me all week: how quickly the room went quiet ' +
    'once the family asked us to *protect* the patient from the news.',
  'Last night on call I had almost exactly the case we practised, and I used the **ask-tell-ask** ' +
    'structure for the first time without thinking about it.',
  'Picking up the thread from the facilitators\' summary: I think the hardest part is not the ' +
    'words but the silence after them.',
  'A small practice note from our unit, in case it is useful to anyone else in the cohort.',
  'I want to push back gently on one point, because our pediatric patients complicate it.',
  'This matches what our chaplaincy team sees at the bedside, and I wanted to add one thing.',
  'From the pharmacy side, the symptom questions come up in these conversations more than ' +
    'people expect.',
];

const MIDDLES = [
  'What helped was asking the patient first how much they wanted to know, in front of the ' +
    'family, and then *waiting*. He said "tell my daughter the details, tell me the headline." ' +
    'That gave everyone permission.',
  'Cultural context matters here: in some families, disclosure to the elder is itself the harm. ' +
    'Our interpreter reminded us to ask about that directly instead of assuming.',
  'We documented the conversation in the goals-of-care note, including who was present and the ' +
    'exact words the patient used. The next team picked it up without re-opening everything.',
  'I noticed I wanted to fill the pause with facts about the scan. Naming the emotion instead ' +
    '("this is not what you were hoping to hear") changed the whole tone.',
  'With children it is rarely one conversation. We plan a series of short check-ins and let the ' +
    'child lead, which parents usually accept once they see it is paced.',
  'Our interdisciplinary huddle now has a standing item: *who is carrying the hard news this ' +
    'week, and who is supporting them?* It takes two minutes.',
  'Opioid questions often hide fears about hastening death. Explaining the dose plan plainly, ' +
    'with the breakthrough dose written down, settled more worry than any reassurance did.',
  'The NURSE statements from the workbook were more useful than I expected, especially ' +
    '"Understand" and "Respect" when a family member is angry.',
  'I would separate the request ("please do not tell him") from the need behind it ("we are ' +
    'afraid he will give up"). The need is usually something we can work with.',
  'Documentation of capacity mattered: once the team agreed he could weigh the information, the ' +
    'ethical question became much simpler.',
];

const LISTS = [
  ['Ask what the patient already understands', 'Ask how much they want to know, and who else ' +
    'should hear it', 'Give the headline first, then pause', 'Respond to emotion before ' +
    'information', 'Summarise and agree on next steps'],
  ['Who is the decision-maker if capacity changes?', 'What matters most in the next few weeks?',
   'What are they most worried about?', 'What would they consider *unacceptable*?'],
  ['Book a quiet room, not the corridor', 'Turn pagers over to a colleague for 20 minutes',
   'Bring the interpreter in **before** the family arrives', 'Decide who leads and who watches'],
  ['Scheduled dose written on the discharge sheet', 'Breakthrough dose and how often',
   'Bowel regimen started the same day', 'A number to call at night'],
];

const QUOTES = [
  'Hope and honesty are not opposites; we can hope for the best and prepare for the rest.',
  'The family\'s request to withhold is information about their fear, not a decision we must ' +
    'carry out.',
  'Silence is an intervention. Count to ten before you speak again.',
  'Ask permission before you share: "Would it be all right if I told you what the scan showed?"',
  'Our job is to make sure the patient is never the last to know what everyone else knows.',
];

const CLOSERS = [
  'Has anyone found a good way to bring this up at the family meeting without it feeling like ' +
    'an ambush?',
  'Curious whether others saw the same thing in the pediatric breakout.',
  'I would love to hear how the facilitators would handle the follow-up visit.',
  'Thanks for starting this; it is exactly the conversation I needed after Wednesday.',
  'See the [session materials](https://example.org/core-practice/day-2) for the full script.',
  'I will bring this to our next team meeting and report back.',
];

/** Post N's Markdown (1-based): 2–4 paragraphs, often a list or a quote, usually a mention. */
function postBody(n, author) {
  const others = [...LEARNERS, ...STAFF].filter((h) => h !== author);
  const parts = [];
  let opener = pick(OPENERS);
  if (n > 1 && rand() < 0.6) opener = `@${pick(others)} ${opener[0].toLowerCase()}${opener.slice(1)}`;
  parts.push(opener);
  parts.push(pick(MIDDLES));
  const shape = n === 1 ? 0 : Math.floor(rand() * 4);
  if (shape === 0 || shape === 1) {
    const items = pick(LISTS);
    const ordered = rand() < 0.5;
    parts.push(items.map((x, i) => (ordered ? `${i + 1}. ${x}` : `- ${x}`)).join('\n'));
  }
  if (shape === 0 || shape === 2 || n % 7 === 0) parts.push(`> ${pick(QUOTES)}`);
  if (rand() < 0.5) parts.push(pick(MIDDLES));
  let closer = pick(CLOSERS);
  if (rand() < 0.4) closer += ` cc @${pick(others)}`;
  parts.push(closer);
  return parts.join('\n\n') + '\n';
}

/** Authors in a shuffled round, never the same learner twice in a row. */
function authors() {
  const out = [];
  while (out.length < POSTS) {
    const round = [...LEARNERS];
    for (let i = round.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [round[i], round[j]] = [round[j], round[i]];
    }
    if (out.length && round[0] === out[out.length - 1]) round.push(round.shift());
    out.push(...round);
  }
  return out.slice(0, POSTS);
}

// ---- the run ----------------------------------------------------------------------------------

async function findSpace(cookie) {
  const list = expect(await request('GET', '/spaces', { cookie }), 200, 'GET /spaces');
  const ids = [...list.body.matchAll(/<a href="\/s\/(\d+)">Cohort discussion<\/a>/g)].map((m) => m[1]);
  for (const id of ids) {
    const page = expect(await request('GET', `/s/${id}`, { cookie }), 200, `GET /s/${id}`);
    if (page.body.includes(`href="/offerings/${OFFERING}"`)) return id;
  }
  fail(`no cohort space of ${OFFERING} on /spaces (found cohort spaces: ${ids.join(', ') || 'none'});` +
       ' was the database loaded with "cairn demo"?');
}

async function main() {
  const t0 = Date.now();
  const sessions = {};
  for (const h of LEARNERS) {
    const cookie = await signIn(h);
    sessions[h] = { cookie, csrf: null };
  }
  const spaceId = args.space || await findSpace(sessions.priya.cookie);
  for (const h of LEARNERS) {
    const page = expect(await request('GET', `/s/${spaceId}/new`, { cookie: sessions[h].cookie }),
                        200, `GET /s/${spaceId}/new as ${h}`);
    sessions[h].csrf = csrfOf(page.body, `/s/${spaceId}/new`);
  }

  const order = authors();
  const first = sessions[order[0]];
  const made = expect(await request('POST', `/s/${spaceId}/threads`, {
    cookie: first.cookie,
    form: { csrf: first.csrf, title: TITLE, body: postBody(1, order[0]), action: 'post' },
  }), 303, `POST /s/${spaceId}/threads`);
  const m = /^\/t\/(\d+)$/.exec(made.headers.location || '');
  if (!m) fail(`POST /s/${spaceId}/threads redirected to '${made.headers.location}', not /t/ID`);
  const threadId = m[1];

  for (let n = 2; n <= POSTS; n++) {
    const s = sessions[order[n - 1]];
    const res = expect(await request('POST', `/t/${threadId}/reply`, {
      cookie: s.cookie,
      form: { csrf: s.csrf, body: postBody(n, order[n - 1]), action: 'post' },
    }), 303, `POST /t/${threadId}/reply (post ${n})`);
    if (!(res.headers.location || '').endsWith(`#p${n}`))
      fail(`reply ${n} redirected to '${res.headers.location}'`);
  }

  // A few "helpful" reactions: on 8 posts, 1–3 learners each (never the author).
  const byNumber = new Map(); // number -> post id, from the helpful forms
  const page = expect(await request('GET', `/t/${threadId}`, { cookie: sessions.priya.cookie }), 200,
                      `GET /t/${threadId}`);
  for (const mm of page.body.matchAll(/action="\/posts\/(\d+)\/helpful"[\s\S]*?\(post (\d+)\)/g))
    byNumber.set(Number(mm[2]), mm[1]);
  const posts = [...page.body.matchAll(/<li class="post[^"]*" id="p(\d+)"/g)].length;
  if (posts !== POSTS) fail(`GET /t/${threadId} shows ${posts} posts, not ${POSTS}`);
  // priya cannot react to her own posts; their ids come from other learners' pages.
  for (const h of LEARNERS.slice(1)) {
    if (byNumber.size >= POSTS) break;
    const p = expect(await request('GET', `/t/${threadId}`, { cookie: sessions[h].cookie }), 200,
                     `GET /t/${threadId} as ${h}`);
    for (const mm of p.body.matchAll(/action="\/posts\/(\d+)\/helpful"[\s\S]*?\(post (\d+)\)/g))
      byNumber.set(Number(mm[2]), mm[1]);
  }
  let reactions = 0;
  for (const n of [1, 4, 9, 13, 22, 30, 37, 46]) {
    const id = byNumber.get(n);
    if (!id) fail(`no helpful form for post ${n}`);
    const who = LEARNERS.filter((h) => h !== order[n - 1]).slice(0, 1 + (n % 3));
    for (const h of who) {
      const s = sessions[h];
      expect(await request('POST', `/posts/${id}/helpful`, { cookie: s.cookie, form: { csrf: s.csrf } }),
             303, `POST /posts/${id}/helpful as ${h}`);
      reactions++;
    }
  }

  // The reader: a session of its own, which reads the thread once (the first view records the
  // reading position; later views write nothing).
  const readerCookie = await signIn(args.reader);
  const view = expect(await request('GET', `/t/${threadId}`, { cookie: readerCookie }), 200,
                      `GET /t/${threadId} as the reader ${args.reader}`);
  const helpfulShown = [...view.body.matchAll(/found this helpful/g)].length;
  if (helpfulShown !== 8) fail(`the reader sees ${helpfulShown} posts marked helpful, not 8`);
  const again = expect(await request('GET', `/t/${threadId}`, { cookie: readerCookie }), 200,
                       `GET /t/${threadId} as the reader, again`);

  log(`thread ${threadId} in space ${spaceId}: ${POSTS} posts by ${LEARNERS.join(', ')}, ` +
      `${reactions} helpful reactions; page ${again.body.length} bytes; ` +
      `${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const q = (v) => `'${String(v).replace(/'/g, "'\\''")}'`;
  process.stdout.write(`THREAD_ID=${threadId}\nSPACE_ID=${spaceId}\nPOSTS=${POSTS}\n` +
                       `REACTIONS=${reactions}\nREADER=${args.reader}\n` +
                       `READER_COOKIE=${q(readerCookie)}\nPAGE_BYTES=${again.body.length}\n`);
  agent.destroy();
}

main().catch((e) => fail(e.message));
