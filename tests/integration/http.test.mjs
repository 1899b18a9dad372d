// The public pages and the HTTP core, over real HTTP against the demo database: the series
// home, the Core Practice May 2026 offering (agenda, breakouts, fees), error pages, method
// and body rules, query and path validation, static files, health checks, security headers.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  request, get, head, post, psql, routes, pathFor, textOf, serverAlive, closeConnections,
  BASE_URL, SECURITY_HEADERS,
} from './lib.mjs';

after(closeConnections);

// Every response any test here receives is kept, so that one test at the end can check
// that all of them (200, 304, 400, 404, 405, 413...) carried the security headers.
const seen = [];
async function record(what, promise) {
  const r = await promise;
  seen.push({ what, status: r.status, headers: r.headers });
  return r;
}
const GET = (path, opts) => record(`GET ${path}`, get(path, opts));
const RAW = (path, opts = {}) => record(`${opts.method || 'GET'} ${path}`, request(path, opts));
const POST = (path, form, opts) => record(`POST ${path}`, post(path, form, opts));

function assertSecurityHeaders(r, what) {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    assert.equal(r.headers[name], value, `${what}: header ${name}`);
  }
}

/** The HTML error page, as rendered into the layout. */
function assertErrorPage(r, status, reason) {
  assert.equal(r.status, status);
  assert.match(r.headers['content-type'], /^text\/html; charset=utf-8$/);
  assert.match(r.body, /^<!doctype html>/i);
  assert.match(r.body, new RegExp(`<title>${reason} · Cairn</title>`));
  assert.match(r.body, /<section class="error-page">/);
  assert.match(r.body, new RegExp(`<h1>${reason}</h1>`));
  assert.match(r.body, new RegExp(`Error ${status}\\.`));
  assert.match(r.body, /<a href="\/">Go to the list of courses<\/a>/);
}

const OFFERING = '/offerings/core-practice-2026-05';

describe('the series home page (GET /)', () => {
  let r;
  test('answers 200 with an HTML page', async () => {
    r = await GET('/');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(Number(r.headers['content-length']), Buffer.byteLength(r.body));
    assert.match(r.body, /<title>Palliative Care Education Series · Cairn<\/title>/);
  });

  test('lists the series and its three courses in order', () => {
    assert.match(r.body, /<h1>Palliative Care Education Series<\/h1>/);
    const courses = [...r.body.matchAll(/<li class="course">([\s\S]*?)<\/li>\s*(?=<li class="course">|<\/ol>)/g)]
      .map((m) => m[1]);
    assert.equal(courses.length, 3, 'three courses');
    const titles = courses.map((c) => textOf(/<h2>([\s\S]*?)<\/h2>/.exec(c)[1]));
    assert.deepEqual(titles, [
      'Course 1 Foundations of Palliative Care',
      'Course 2 Core Practice of Palliative Care',
      'Course 3 Third course (to be announced)',
    ]);
    // The demo gives the May cohort its next course (sql/demo/groups.sql): a run of the
    // third course, whose contents are still to be announced.
    assert.match(courses[2], /Details will be announced\./);
    assert.doesNotMatch(courses[2], /Dates and details/);
  });

  test('lists every offering of the demo, under its course, each linking to a working page', async () => {
    const courses = r.body.split('<li class="course">').slice(1);
    // Other test files share this database and may add offerings of their own; the demo's
    // are checked here, and every offering in the database must be linked (below).
    const demo = new Set(['foundations-2025-10', 'foundations-2026-01', 'core-practice-2026-05',
      'core-practice-upcoming', 'third-course-upcoming']);
    const links = (html) => [...html.matchAll(/<a href="(\/offerings\/[^"]+)">([^<]+)<\/a>/g)]
      .map((m) => [m[1], m[2]]).filter(([href]) => demo.has(href.slice('/offerings/'.length)));
    assert.deepEqual(links(courses[0]), [
      ['/offerings/foundations-2025-10', 'October 15–17, 2025'],
      ['/offerings/foundations-2026-01', 'January 14–16, 2026'],
    ]);
    const core = links(courses[1]);
    assert.equal(core.length, 2);
    assert.deepEqual(core[0], [OFFERING, 'May 13–15, 2026']);
    assert.equal(core[1][0], '/offerings/core-practice-upcoming');
    assert.deepEqual(links(courses[2]).map(([href]) => href), ['/offerings/third-course-upcoming']);
    // Every offering in the database appears, and nothing else.
    const slugs = psql('SELECT slug FROM offerings ORDER BY slug').split('\n');
    const linked = [...r.body.matchAll(/href="\/offerings\/([^"]+)"/g)].map((m) => m[1]).sort();
    assert.deepEqual(linked, slugs);
    for (const slug of slugs) {
      const page = await GET(`/offerings/${slug}`);
      assert.equal(page.status, 200, `/offerings/${slug}`);
    }
  });
});

describe(`the Core Practice May 2026 offering page (GET ${OFFERING})`, () => {
  let r;
  let days;
  test('answers 200 with the course page', async () => {
    r = await GET(OFFERING);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(r.body, /<h1>Core Practice of Palliative Care<\/h1>/);
    assert.match(r.body, /<dd>May 13–15, 2026<\/dd>/);
    assert.match(r.body, /All agenda times are in US Eastern Time\./);
    for (const id of ['overview', 'objectives', 'audience', 'agenda', 'fees', 'credits']) {
      assert.match(r.body, new RegExp(`<section id="${id}"`), `section #${id}`);
    }
  });

  test('shows the whole agenda: 10, 9 and 11 items on three days', () => {
    days = r.body.split('<section class="agenda-day"').slice(1).map((html) => {
      const heading = textOf(/<h3[^>]*>([\s\S]*?)<\/h3>/.exec(html)[1]);
      // Each item up to its </li> (the last one of the page would run on into the fees).
      const items = html.split('<li class="agenda-item').slice(1).map((x) => x.split('</li>')[0]).map((item) => ({
        html: item,
        title: textOf(/<p class="agenda-title">([\s\S]*?)(?:<span class="tag">|<\/p>)/.exec(item)[1]),
        times: [...item.matchAll(/<time datetime="([^"]+)">([^<]+)<\/time>/g)].map((m) => [m[1], m[2]]),
        tracks: /<span class="tag">Adult and Pediatric<\/span>/.test(item),
      }));
      return { heading, items };
    });
    assert.deepEqual(days.map((d) => d.heading), [
      'Day 1 · Wednesday, May 13, 2026',
      'Day 2 · Thursday, May 14, 2026',
      'Day 3 · Friday, May 15, 2026',
    ]);
    assert.deepEqual(days.map((d) => d.items.length), [10, 9, 11]);
    const inDb = psql(`SELECT day_number, count(*) FROM agenda_items i JOIN offerings o
                        ON o.id = i.offering_id WHERE o.slug = $1
                        GROUP BY day_number ORDER BY day_number`, ['core-practice-2026-05']);
    assert.equal(inDb, '1|10\n2|9\n3|11');
    // Each day in time order, each item with a start and an end.
    for (const d of days) {
      const starts = d.items.map((i) => i.times[0][0]);
      assert.deepEqual([...starts].sort(), starts, `${d.heading} is in time order`);
      for (const i of d.items) assert.equal(i.times.length, 2, `${i.title} has two times`);
    }
  });

  // Times carry the offset of the zone they are written in (issue 9, item 7): read by
  // someone not signed in, the offering's own, unnamed.
  test('"Delivering Serious News -- Practice" is on Thursday, May 14, 2026, 11:15 am–1:00 pm Eastern', () => {
    const matches = days.flatMap((d, n) => d.items
      .filter((i) => i.title === 'Delivering Serious News -- Practice')
      .map((i) => ({ day: n + 1, item: i })));
    assert.equal(matches.length, 1, 'listed once');
    const { day, item } = matches[0];
    assert.equal(day, 2);
    assert.deepEqual(item.times, [
      ['2026-05-14T11:15:00-04:00', '11:15 am'],
      ['2026-05-14T13:00:00-04:00', '1:00 pm'],
    ]);
    assert.match(item.html, /<time datetime="2026-05-14T11:15:00-04:00">11:15 am<\/time>–<time datetime="2026-05-14T13:00:00-04:00">1:00 pm<\/time>/);
  });

  test('every "(Adult and Pediatric Sessions)" item shows both breakouts, and no other item has any', () => {
    const all = days.flatMap((d) => d.items);
    const tracked = all.filter((i) => i.tracks);
    const expected = psql(`SELECT count(*) FROM agenda_items i JOIN offerings o ON o.id = i.offering_id
                            WHERE o.slug = $1 AND i.tracks`, ['core-practice-2026-05']);
    assert.equal(tracked.length, Number(expected));
    assert.equal(tracked.length, 8);
    assert.deepEqual(days.map((d) => d.items.filter((i) => i.tracks).length), [3, 0, 5]);
    for (const i of tracked) {
      // The slot's title is shown once; the breakouts are named by their track.
      const p = /<p class="breakouts">([\s\S]*?)<\/p>/.exec(i.html);
      assert.ok(p, `${i.title}: breakouts listed`);
      const tracks = [...p[1].matchAll(/<span class="track">([^<]*)<\/span>/g)].map((m) => m[1]);
      assert.deepEqual(tracks, ['adult', 'pediatric'], `${i.title}: both breakouts`);
    }
    for (const i of all.filter((x) => !x.tracks)) {
      assert.doesNotMatch(i.html, /class="breakouts"/, `${i.title}: no breakouts`);
    }
  });

  test('fees: $1,995 and $1,795.50 early for all seven categories, and a $10 processing fee', () => {
    const fees = /<section id="fees"[\s\S]*?<\/section>/.exec(r.body)[0];
    const rows = [...fees.matchAll(/<tr><th scope="row">([^<]+)<\/th><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g)]
      .map((m) => [textOf(m[1]), m[2], m[3]]);
    const labels = psql('SELECT label FROM fee_categories ORDER BY position').split('\n');
    assert.equal(labels.length, 7);
    assert.deepEqual(rows, labels.map((l) => [l, '$1,995', '$1,795.50']));
    assert.match(fees, /A non-refundable processing fee of \$10 is added to each registration\./);
    assert.match(fees, /the early price applies until <time datetime="2026-04-15T23:59:00-04:00">April 15, 2026, 11:59 pm<\/time>/);
  });
});

describe('unknown addresses', () => {
  test('an unknown path answers 404 with the HTML error page', async () => {
    const r = await GET('/no/such/page');
    assertErrorPage(r, 404, 'Not Found');
  });

  test('/offerings/nope answers 404 with the HTML error page', async () => {
    const r = await GET('/offerings/nope');
    assertErrorPage(r, 404, 'Not Found');
  });

  test('a trailing slash is a different path (404)', async () => {
    const r = await GET(`${OFFERING}/`);
    assert.equal(r.status, 404);
  });
});

describe('methods', () => {
  test('HEAD / answers like GET, without a body', async () => {
    const g = await GET('/');
    const h = await record('HEAD /', head('/'));
    assert.equal(h.status, 200);
    assert.equal(h.body, '');
    assert.equal(h.headers['content-type'], g.headers['content-type']);
    assert.equal(h.headers['content-length'], g.headers['content-length']);
    assertSecurityHeaders(h, 'HEAD /');
  });

  test('HEAD of a static file and of a 404 carry no body', async () => {
    const s = await record('HEAD css', head('/static/cairn.css'));
    assert.equal(s.status, 200);
    assert.equal(s.body, '');
    assert.ok(Number(s.headers['content-length']) > 0);
    const n = await record('HEAD 404', head('/no/such/page'));
    assert.equal(n.status, 404);
    assert.equal(n.body, '');
  });

  test('POST to a GET-only path answers 405 with Allow: GET, HEAD', async () => {
    for (const path of ['/', OFFERING, '/healthz', '/static/cairn.css']) {
      const r = await POST(path, { a: 'b' });
      assertErrorPage(r, 405, 'Method Not Allowed');
      assert.equal(r.headers.allow, 'GET, HEAD', `${path}: Allow`);
    }
  });

  test('other methods (PUT, DELETE) are refused', async () => {
    for (const method of ['PUT', 'DELETE']) {
      const r = await RAW('/', { method, body: 'a=b', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: BASE_URL } });
      assert.ok([405, 501].includes(r.status), `${method} /: got ${r.status}`);
    }
  });

  test('a 2 MB POST to a GET-only path gets its whole answer (the connection survives)', async () => {
    const body = 'a=' + 'x'.repeat(2 * 1024 * 1024);
    const r = await POST('/', body, { agent: false });
    assert.equal(r.status, 405);
    assert.match(r.body, /<h1>Method Not Allowed<\/h1>/);
  });
});

// The body and origin rules are checked in one place for every POST route, before its
// handler runs: test them on the first POST route `cairn routes` lists (POST /signin today).
const postRoute = routes().find((rt) => rt.method === 'POST');
const postPath = postRoute ? pathFor(postRoute.pattern) : '/';
const needsPost = postRoute ? {} : { skip: 'no POST route to test the POST rules on' };

describe(`POST rules (on ${postRoute ? `${postRoute.method} ${postRoute.pattern}` : 'no POST route'})`, () => {
  test('a 2 MB urlencoded POST answers 413, and the client reads it', needsPost, async () => {
    const body = 'a=' + 'x'.repeat(2 * 1024 * 1024);
    const r = await POST(postPath, body, { agent: false });
    assertErrorPage(r, 413, 'Content Too Large');
    assertSecurityHeaders(r, '413');
  });

  test('a POST from a foreign Origin answers 403, and so does one with no Origin or Referer', needsPost, async () => {
    const foreign = await POST(postPath, { a: 'b' }, { origin: 'http://evil.example' });
    assertErrorPage(foreign, 403, 'Forbidden');
    const lookalike = await POST(postPath, { a: 'b' }, { origin: `${BASE_URL}.evil.example` });
    assert.equal(lookalike.status, 403, 'an origin that only starts like ours');
    const none = await POST(postPath, { a: 'b' }, { origin: null });
    assert.equal(none.status, 403, 'no Origin and no Referer');
    const referer = await POST(postPath, { a: 'b' }, { origin: null, headers: { Referer: 'http://evil.example/' } });
    assert.equal(referer.status, 403, 'a foreign Referer');
    const nullOrigin = await POST(postPath, { a: 'b' }, { origin: 'null' });
    assert.equal(nullOrigin.status, 403, 'Origin: null without a Referer');
  });

  test('a POST with a JSON body answers 415', needsPost, async () => {
    const r = await POST(postPath, '{"a":"b"}', { headers: { 'Content-Type': 'application/json' } });
    assertErrorPage(r, 415, 'Unsupported Media Type');
  });
});

describe('query and path validation', () => {
  test('a malformed query (/?a=%zz) answers 400', async () => {
    const r = await RAW('/?a=%zz');
    assertErrorPage(r, 400, 'Bad Request');
  });

  test('invalid UTF-8 in the query (/?a=%ff) answers 400', async () => {
    const r = await RAW('/?a=%ff');
    assertErrorPage(r, 400, 'Bad Request');
  });

  test('a truncated escape (/?a=%2) answers 400', async () => {
    const r = await RAW('/?a=%2');
    assert.equal(r.status, 400);
  });

  test('invalid UTF-8 in the path (/offerings/%ff) answers 400', async () => {
    const r = await RAW('/offerings/%ff');
    assertErrorPage(r, 400, 'Bad Request');
  });

  // CivetWeb's own decoder turned %00 into a terminator that cut the path; Cairn decodes
  // paths itself and refuses NUL and control bytes (server/http.c decode_path).
  test('a NUL byte in the path (%00) is refused, not cut off', async () => {
    for (const path of ['/static/cairn.css%00.txt', '/healthz%00junk', `${OFFERING}%00x`]) {
      const r = await RAW(path);
      assert.equal(r.status, 400, `${path}: got ${r.status}`);
    }
  });
});

describe('static files', () => {
  test('cairn.css has a content type, an ETag and Cache-Control; If-None-Match gives 304', async () => {
    const r = await RAW('/static/cairn.css');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'text/css; charset=utf-8');
    assert.match(r.headers.etag, /^"[0-9a-f]{8,}"$/);
    assert.equal(r.headers['cache-control'], 'public, max-age=3600');
    assert.ok(r.body.length > 100);

    const again = await RAW('/static/cairn.css', { headers: { 'If-None-Match': r.headers.etag } });
    assert.equal(again.status, 304);
    assert.equal(again.body, '');
    assert.equal(again.headers.etag, r.headers.etag);
    assertSecurityHeaders(again, '304');

    const stale = await RAW('/static/cairn.css', { headers: { 'If-None-Match': '"stale"' } });
    assert.equal(stale.status, 200);
    assert.equal(stale.body, r.body);
  });

  test('the versioned link in the layout is cached for good', async () => {
    const page = await GET('/');
    const href = /<link rel="stylesheet" href="([^"]+)">/.exec(page.body)[1];
    assert.match(href, /^\/static\/cairn\.css\?v=[0-9a-f]+$/);
    const r = await RAW(href);
    assert.equal(r.status, 200);
    assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable');
    // The version is the start of the ETag, so a new stylesheet gets a new link.
    const v = href.split('=')[1];
    assert.ok(r.headers.etag.startsWith(`"${v}`), `${r.headers.etag} starts with ${v}`);
  });

  test('cairn.svg is served as SVG', async () => {
    const r = await RAW('/static/cairn.svg');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'].split(';')[0], 'image/svg+xml');
    assert.match(r.body, /<svg/);
  });

  test('a path traversal never serves a file outside static/', async () => {
    const attempts = [
      '/static/../CMakeLists.txt',
      '/static/%2e%2e/x',
      '/static/%2e%2e/CMakeLists.txt',
      '/static/..%2fCMakeLists.txt',
      '/static/%2e%2e%2f%2e%2e%2fCMakeLists.txt',
      '/static/..%2F..%2F..%2Fetc%2Fpasswd',
      '/static/./../server/main.c',
      '/static/..%5cCMakeLists.txt',
      '/static/%252e%252e/CMakeLists.txt',
      '/static//etc/passwd',
      '/static/../../../../etc/passwd',
      '/static/.hidden',
      '/static/',
    ];
    for (const path of attempts) {
      const r = await RAW(path);
      assert.ok([400, 404].includes(r.status), `${path}: got ${r.status}`);
      assert.doesNotMatch(r.body, /cmake_minimum_required|root:x:0:0|#include/, `${path}: leaked a file`);
    }
  });
});

describe('health checks', () => {
  test('/healthz answers 200 "ok"', async () => {
    const r = await GET('/healthz');
    assert.equal(r.status, 200);
    assert.equal(r.body.trim(), 'ok');
  });

  test('/readyz answers 200 while the database is up', async () => {
    const r = await GET('/readyz');
    assert.equal(r.status, 200);
  });
});

describe('anonymous GETs', () => {
  // DESIGN §7: an anonymous GET never writes to the database. Every GET route, visited with
  // no session (parameters filled with real values where the demo has them), must answer
  // without a 5xx and leave every table exactly as it was.
  test('of every GET route answer without a 5xx and change no row', async () => {
    const snapshot = () => psql(`
      SELECT format('SELECT %L, count(*), md5(coalesce(string_agg(t::text, %L ORDER BY t::text), %L)) FROM %I.%I t',
                    schemaname || '.' || tablename, '|', '', schemaname, tablename)
        FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
       ORDER BY schemaname, tablename \\gexec`);
    const before = snapshot();
    assert.ok(before.split('\n').length >= 5, 'the snapshot covers the tables');
    const fill = (pattern) => pattern
      .replace(/\/:slug\b/g, '/core-practice-upcoming')
      .replace(/\/\*path\b/g, '/cairn.css')
      .replace(/\/:[a-z_]+/g, '/1');
    const gets = routes().filter((rt) => rt.method === 'GET');
    assert.ok(gets.length >= 5);
    const answers = [];
    for (const rt of gets) {
      const path = fill(rt.pattern);
      const r = await GET(path);
      answers.push(`${path} ${r.status}`);
      assert.ok(r.status < 500, `GET ${path} answered ${r.status}`);
    }
    assert.equal(snapshot(), before, `a GET wrote to the database (${answers.join(', ')})`);
  });
});

describe('every response', () => {
  test('carries Content-Security-Policy, X-Content-Type-Options and Referrer-Policy', async () => {
    // Make sure the set covers the statuses the brief names, whatever ran before.
    await GET('/');
    await GET('/no/such/page');
    await RAW('/static/cairn.css');
    await POST(postPath, 'a=' + 'x'.repeat(2 * 1024 * 1024), { agent: false });
    const statuses = new Set(seen.map((s) => s.status));
    for (const st of [200, 304, 400, 404, 405]) assert.ok(statuses.has(st), `a ${st} was checked`);
    for (const s of seen) assertSecurityHeaders(s, `${s.what} (${s.status})`);
  });

  test('the server is still running after all of the above', () => {
    assert.ok(serverAlive(), 'the cairn process is alive');
  });
});

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
