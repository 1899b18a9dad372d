// Helpers for the integration tests: the server the ctest fixture started (its state file),
// HTTP requests over node:http (no URL normalisation, exact headers, any body size), psql
// against the test database, and a cookie jar for sign-in tests.
//
// Runs on Node 18 (Debian 12): node:http, node:child_process and node:test only, no fetch
// (Node 18 prints an ExperimentalWarning for it and normalises paths we want to send as-is).
//
//   import { get, post, request, psql, CookieJar, BASE_URL } from './lib.mjs';
//   const r = await get('/');              // { status, headers, body, setCookies }
//   const r = await post('/signin', { email, password }, { jar, origin: null });
//   psql('SELECT count(*) FROM series WHERE slug = $1', ['palliative-care'])  // '1'
//
// The state file is named by CAIRN_IT_STATE (set by tests/integration/CMakeLists.txt).

import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import http from 'node:http';

/** Parse the fixture's state file: NAME='value' lines (shell single quoting). */
export function readState(file) {
  const text = readFileSync(file, 'utf8');
  const out = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    let v = '';
    const raw = m[2];
    for (let i = 0; i < raw.length; ) {
      if (raw[i] === "'") {
        const end = raw.indexOf("'", i + 1);
        if (end < 0) throw new Error(`${file}: unterminated quote in ${m[1]}`);
        v += raw.slice(i + 1, end);
        i = end + 1;
      } else if (raw[i] === '\\' && i + 1 < raw.length) {
        v += raw[i + 1];
        i += 2;
      } else {
        v += raw[i++];
      }
    }
    out[m[1]] = v;
  }
  return out;
}

function loadState() {
  const file = process.env.CAIRN_IT_STATE;
  if (!file) {
    throw new Error('CAIRN_IT_STATE is not set: run these tests through ctest ' +
                    '(ctest -L integration), which starts the server fixture first');
  }
  try {
    return readState(file);
  } catch (e) {
    throw new Error(`cannot read the server state file ${file} (did integration.server.start ` +
                    `pass?): ${e.message}`);
  }
}

export const state = loadState();
/** The server's origin, e.g. http://127.0.0.1:41234 (no trailing slash). */
export const BASE_URL = state.BASE_URL;
/** The test database's name. */
export const DB = state.CAIRN_IT_DB;
const base = new URL(BASE_URL);

// One keep-alive agent, as a browser would; tests that need a fresh connection pass
// { agent: false }.
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

/**
 * One HTTP request, sent exactly as given (the path is not normalised: "/static/../x" goes
 * out as is). Resolves to { status, headers, body, setCookies, rawHeaders } where headers
 * has lower-case names and body is a string (a Buffer with { binary: true }).
 *   opts: { method, headers, body (string|Buffer), agent, jar (CookieJar), timeout (ms),
 *           binary }
 * Rejects on a network error; a response that arrives while the request body is still
 * being sent (e.g. an early 413) is still resolved.
 */
export function request(path, opts = {}) {
  const method = opts.method || 'GET';
  const headers = { ...(opts.headers || {}) };
  if (opts.jar && !hasHeader(headers, 'cookie')) {
    const c = opts.jar.header();
    if (c) headers.Cookie = c;
  }
  const body = opts.body === undefined ? null
    : Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(String(opts.body));
  if (body && !hasHeader(headers, 'content-length')) headers['Content-Length'] = body.length;
  return new Promise((resolve, reject) => {
    let settled = false, gotResponse = false;
    const done = (fn, v) => { if (!settled) { settled = true; fn(v); } };
    const req = http.request({
      host: base.hostname,
      port: base.port,
      method,
      path,
      headers,
      agent: opts.agent === undefined ? agent : opts.agent,
      timeout: opts.timeout ?? 15000,
    }, (res) => {
      gotResponse = true;
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        const setCookies = [].concat(res.headers['set-cookie'] || []);
        if (opts.jar) opts.jar.store(setCookies);
        done(resolve, {
          status: res.statusCode,
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          body: opts.binary ? buf : buf.toString('utf8'),
          setCookies,
        });
      });
      res.on('error', (e) => done(reject, e));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in time`)));
    req.on('error', (e) => {
      // A kept-alive socket the server closed (its keep-alive timeout) just as the agent
      // reused it: the request never reached the server, so it is sent again once, on a
      // connection of its own (Node's documented remedy: request.reusedSocket).
      if (req.reusedSocket && e.code === 'ECONNRESET' && !gotResponse) {
        settled = true;
        request(path, { ...opts, agent: false }).then(resolve, reject);
        return;
      }
      // The server may answer (413) and close before it has read the whole body: writing
      // the rest then fails with EPIPE/ECONNRESET although a response arrived. The response
      // handler above wins in that case; otherwise report the error.
      setTimeout(() => done(reject, e), 200);
    });
    if (body) req.end(body); else req.end();
  });
}

function hasHeader(headers, name) {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

/** GET path. opts: { headers, jar, agent }. */
export function get(path, opts = {}) {
  return request(path, { ...opts, method: 'GET' });
}

/** HEAD path. */
export function head(path, opts = {}) {
  return request(path, { ...opts, method: 'HEAD' });
}

/**
 * POST a urlencoded form (an object, URLSearchParams, or an already encoded string).
 * opts: { headers, jar, agent, origin } — origin defaults to BASE_URL; origin: null sends
 * no Origin header. headers can override Content-Type.
 */
export function post(path, form = {}, opts = {}) {
  const body = typeof form === 'string' ? form : new URLSearchParams(form).toString();
  const headers = { 'Content-Type': 'application/x-www-form-urlencoded', ...(opts.headers || {}) };
  const origin = opts.origin === undefined ? BASE_URL : opts.origin;
  if (origin !== null && !hasHeader(headers, 'origin')) headers.Origin = origin;
  return request(path, { ...opts, method: 'POST', headers, body });
}

/**
 * Cookies kept between requests, like a browser's for one site (no domain or path
 * matching: everything goes to the one test server). Expired cookies (Max-Age<=0 or an
 * Expires in the past) are removed.
 */
export class CookieJar {
  constructor() { this.cookies = new Map(); }

  /** Remember the Set-Cookie header values of a response. */
  store(setCookies) {
    for (const line of setCookies) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const attr = {};
      for (const a of attrs) {
        const i = a.indexOf('=');
        const k = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase();
        attr[k] = i < 0 ? true : a.slice(i + 1).trim();
      }
      const expired = (attr['max-age'] !== undefined && Number(attr['max-age']) <= 0) ||
        (attr.expires && Date.parse(attr.expires) <= Date.now());
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, { value, attributes: attr, raw: line });
    }
  }

  /** The value of a cookie, or undefined. */
  get(name) { return this.cookies.get(name)?.value; }

  /** The attributes of a cookie as sent (lower-case names: httponly, samesite, path...). */
  attributes(name) { return this.cookies.get(name)?.attributes; }

  set(name, value) { this.cookies.set(name, { value, attributes: {}, raw: `${name}=${value}` }); }
  delete(name) { this.cookies.delete(name); }
  clear() { this.cookies.clear(); }

  /** The Cookie request header, or '' when the jar is empty. */
  header() {
    return [...this.cookies].map(([k, c]) => `${k}=${c.value}`).join('; ');
  }
}

function psqlEnv() {
  const env = { ...process.env, PGHOST: state.PGHOST, PGUSER: state.PGUSER };
  if (state.PGPORT) env.PGPORT = state.PGPORT; else delete env.PGPORT;
  delete env.PGDATABASE;
  return env;
}

/**
 * Run SQL with psql -At on the test database (or opts.database) and return its output,
 * trimmed: one row per line, columns separated by '|'. params become psql variables,
 * and $1, $2... in the SQL are replaced by :'p1', :'p2'... (quoted literals), so values
 * are never spliced into the SQL by hand. Throws with psql's message on any error.
 */
export function psql(sql, params = [], opts = {}) {
  const vars = [];
  params.forEach((p, i) => vars.push('-v', `p${i + 1}=${p === null ? '' : String(p)}`));
  const text = sql.replace(/\$(\d+)/g, (m, n) => {
    if (Number(n) < 1 || Number(n) > params.length) throw new Error(`psql: no value for ${m}`);
    return `:'p${n}'`;
  });
  const r = spawnSync(state.PSQL || 'psql',
    ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', ...vars, '-d', opts.database || DB, '-f', '-'],
    { input: text, env: psqlEnv(), encoding: 'utf8', timeout: 30000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`psql failed (${r.status}): ${r.stderr.trim()}\nSQL: ${sql}`);
  return r.stdout.replace(/\n+$/, '');
}

/** Is the server process still running? */
export function serverAlive() {
  try {
    process.kill(Number(state.CAIRN_IT_PID), 0);
    return true;
  } catch {
    return false;
  }
}

/** The server's log so far (stderr: one access line per request). */
export function serverLog() {
  return readFileSync(state.CAIRN_IT_LOG, 'utf8');
}

/**
 * The route table, as `cairn routes --json` prints it: [{ method, pattern, rules, access,
 * summary }], where rules lists the names of the route's access rule (["post author",
 * "space moderator"]) and access is them joined with ", " ("admin", "test build").
 */
export function routes() {
  const r = spawnSync(state.CAIRN_IT_BIN, ['routes', '--json'],
    { encoding: 'utf8', cwd: state.CAIRN_IT_SOURCE });
  if (r.status !== 0) throw new Error(`cairn routes --json failed: ${r.stderr}`);
  return JSON.parse(r.stdout).map(({ method, pattern, access, summary }) =>
    ({ method, pattern, rules: access, access: access.join(', '), summary }));
}

/** A concrete path for a route pattern: every :param or *rest becomes "x". */
export function pathFor(pattern) {
  return pattern.replace(/\/[:*][^/]+/g, '/x');
}

/** Poll fn (sync or async) until it returns a truthy value or ms pass; returns the value. */
export async function waitFor(fn, { timeout = 5000, interval = 100, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}` +
                      (last instanceof Error ? `: ${last.message}` : ''));
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Text of an HTML fragment: tags dropped, entities for & < > " ' decoded, spaces collapsed. */
export function textOf(html) {
  return html.replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;|&apos;/g, "'").replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ').trim();
}

/** The three headers every response carries (DESIGN §7). */
export const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self'; object-src 'none'; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

/** Close the keep-alive connections so node --test can exit promptly. */
export function closeConnections() {
  agent.destroy();
}
