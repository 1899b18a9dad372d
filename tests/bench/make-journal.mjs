#!/usr/bin/env node
// The journal benchmark's data generator: on a running cairn whose database was loaded with
// "cairn demo", sign a demo learner in with their password (a real sign-in: the journal key
// comes only from it) and write N journal entries through the real form, so every entry is
// sealed as the server seals it:
//
//   GET  /signin, POST /signin             email + password (one Argon2id run)
//   GET  /journal/new                      the session's csrf token
//   POST /journal                          N entries: a title, 2-4 tags from a list of 16, a
//                                          Markdown body of about 0.5-2 KB (paragraphs, a list,
//                                          emphasis), four requests at a time
//   GET  /journal/:id                      one entry, for a tag's token (the URL names a tag
//                                          only by a keyed hash, so it is read from the page)
//
//   node tests/bench/make-journal.mjs --base http://127.0.0.1:PORT [--email E] [--password P]
//                                     [--entries N]
//
// stdout: shell assignments (eval-able), diagnostics go to stderr:
//   JOURNAL_COOKIE='cairn_session=…'  JOURNAL_CSRF=…  JOURNAL_ENTRIES=500  JOURNAL_ENTRY=123
//   JOURNAL_TAG=<32 hex digits> (the tag "grief", on about a fifth of the entries)
//   JOURNAL_SEARCH_BODY='csrf=…&q=…' (a two-word search that matches some entries)
// Exit status 0 on success, 1 on any failure (with the reason on stderr).
//
// Node 18, node:http only. Deterministic content (a seeded generator); every request has a
// timeout and the whole run is bounded.

import http from 'node:http';

const REQUEST_TIMEOUT_MS = 30000;
const DEADLINE_MS = 600000;
const PARALLEL = 4;

function usage(msg) {
  if (msg) process.stderr.write(`make-journal: ${msg}\n`);
  process.stderr.write('usage: make-journal.mjs --base URL [--email E] [--password P] [--entries N]\n');
  process.exit(2);
}

const args = { base: process.env.BASE_URL || '', email: 'chaplain@cairn.test',
  password: 'cairn-demo-2026', entries: 500 };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  const v = process.argv[i + 1];
  if (a === '--base' && v) { args.base = v; i++; }
  else if (a === '--email' && v) { args.email = v; i++; }
  else if (a === '--password' && v) { args.password = v; i++; }
  else if (a === '--entries' && v) { args.entries = Number(v); i++; }
  else if (a === '-h' || a === '--help') usage();
  else usage(`unknown argument '${a}'`);
}
if (!args.base) usage('--base URL (or BASE_URL) is required');
if (!Number.isInteger(args.entries) || args.entries < 1 || args.entries > 5000) usage('--entries must be 1 to 5000');
const base = new URL(args.base);
if (base.protocol !== 'http:') usage('only http:// is supported');
const ORIGIN = base.origin;

const log = (m) => process.stderr.write(`make-journal: ${m}\n`);
function fail(m) {
  log(`error: ${m}`);
  process.exit(1);
}
setTimeout(() => fail(`not done after ${DEADLINE_MS / 1000} s`), DEADLINE_MS).unref();

const agent = new http.Agent({ keepAlive: true, maxSockets: PARALLEL });

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

function csrfOf(html, what) {
  const m = /name="csrf" value="([^"]+)"/.exec(html);
  if (!m) fail(`${what}: no csrf token on the page`);
  return m[1];
}

function cookieOf(res, name) {
  for (const line of res.headers['set-cookie'] || []) {
    const m = new RegExp(`^(${name}=[^;]+)`).exec(line);
    if (m) return m[1];
  }
  return null;
}

// ---- the content ------------------------------------------------------------------------------

// mulberry32: a small seeded generator, so every run writes the same journal.
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
const rand = rng(20260515);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

const TAGS = ['grief', 'family meeting', 'presence', 'self-care', 'team', 'night shift',
  'pediatrics', 'silence', 'hope', 'boundaries', 'rituals', 'pain', 'faith', 'anger',
  'gratitude', 'sleep'];
const TITLES = ['After the family meeting', 'What stayed with me today', 'A quiet night',
  'Coffee with the chaplain', 'The role-play on Day 2', 'Before the next shift', 'A good death',
  'What I could not say', 'Small group, again', 'Driving home'];
const SENTENCES = [
  'The daughter asked whether her mother was *suffering*, and I waited before answering.',
  'The silence helped her more than my words did.',
  'I noticed I wanted to fill the pause with facts about the scan.',
  'Naming the emotion changed the whole tone of the room.',
  'Our facilitator reminded us that hope and honesty are not opposites.',
  'Later I cried in the car, and that was all right.',
  'I want to remember how the chaplain sat down first, before saying anything.',
  'The interpreter asked the question I had been avoiding.',
  'We planned a series of short check-ins and let the child lead.',
  'I slept badly and came in tired; the huddle helped.',
  'It was the **ask-tell-ask** structure that carried me through.',
  'Next time I will book the quiet room, not the corridor.',
  'Her father said "tell my daughter the details, tell me the headline."',
  'I am grateful for the colleague who took my pager for twenty minutes.',
  'Anger in the family is often fear wearing a coat.',
  'What matters most to him in the next few weeks is being at home.',
];
const LIST = ['- breathe before answering', '- ask what they already know', '- name the emotion',
  '- summarise and agree on next steps', '- call home'];

function entry() {
  const tags = new Set();
  const n = 2 + Math.floor(rand() * 3);
  while (tags.size < n) tags.add(pick(TAGS));
  const paragraphs = [];
  const count = 2 + Math.floor(rand() * 5);
  for (let i = 0; i < count; i++) {
    const s = [];
    for (let k = 0; k < 2 + Math.floor(rand() * 3); k++) s.push(pick(SENTENCES));
    paragraphs.push(s.join(' '));
  }
  if (rand() < 0.4) paragraphs.splice(1, 0, LIST.slice(0, 2 + Math.floor(rand() * 3)).join('\n'));
  return { title: pick(TITLES), tags: [...tags].join(', '), body: paragraphs.join('\n\n') };
}

// ---- the run ----------------------------------------------------------------------------------

const pre = await request('GET', '/signin');
expect(pre, 200, 'GET /signin');
const preCookie = cookieOf(pre, 'cairn_pre');
if (!preCookie) fail('GET /signin set no pre-session cookie');
const signed = await request('POST', '/signin', { cookie: preCookie,
  form: { csrf: csrfOf(pre.body, 'GET /signin'), email: args.email, password: args.password } });
expect(signed, 303, `POST /signin as ${args.email} (is the demo loaded?)`);
const cookie = cookieOf(signed, 'cairn_session');
if (!cookie) fail('POST /signin set no cairn_session cookie');
const csrf = csrfOf(expect(await request('GET', '/journal/new', { cookie }), 200, 'GET /journal/new').body,
  'GET /journal/new');

log(`signed in as ${args.email}; writing ${args.entries} entries, ${PARALLEL} at a time`);
const forms = Array.from({ length: args.entries }, entry);
const ids = [];
let next = 0;
async function worker() {
  while (next < forms.length) {
    const i = next++;
    const res = await request('POST', '/journal', { cookie, form: { csrf, offering: '', ...forms[i] } });
    expect(res, 303, `POST /journal (entry ${i + 1})`);
    const m = /^\/journal\/(\d+)$/.exec(res.headers.location || '');
    if (!m) fail(`POST /journal redirected to ${res.headers.location}`);
    ids[i] = m[1];
  }
}
await Promise.all(Array.from({ length: PARALLEL }, worker));

// A tag's token, from the page of an entry that has it.
const withGrief = forms.findIndex((f) => f.tags.split(', ').includes('grief'));
if (withGrief < 0) fail('no entry has the tag "grief"');
const page = expect(await request('GET', `/journal/${ids[withGrief]}`, { cookie }), 200, 'GET /journal/:id');
const tag = /<a class="tag-link" href="\/journal\?tag=([0-9a-f]{32})"><span class="tag">grief<\/span>/.exec(page.body);
if (!tag) fail('the entry page links no tag "grief"');
const middle = ids[Math.floor(ids.length / 2)];
const tagged = forms.filter((f) => f.tags.split(', ').includes('grief')).length;
log(`done: ${ids.length} entries, ${tagged} tagged "grief"`);

const q = (s) => `'${String(s).replace(/'/g, "'\\''")}'`;
process.stdout.write([
  `JOURNAL_COOKIE=${q(cookie)}`,
  `JOURNAL_CSRF=${q(csrf)}`,
  `JOURNAL_ENTRIES=${ids.length}`,
  `JOURNAL_ENTRY=${middle}`,
  `JOURNAL_TAG=${tag[1]}`,
  `JOURNAL_TAGGED=${tagged}`,
  `JOURNAL_SEARCH_BODY=${q(new URLSearchParams({ csrf, q: 'quiet room' }).toString())}`,
].join('\n') + '\n');
agent.destroy();
