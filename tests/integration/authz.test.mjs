// The authorization test (DESIGN §5, issue 10): every route `cairn routes --json` lists ×
// every role, each answer checked against the access table docs/access.tsv, which is
// written from DESIGN §5 and says, for each route and the fixture object it is asked
// about, the exact answer each role gets. docs/access.md describes the roles, the objects
// and the answers.
//
// A refusal has one answer: 303 to sign in for anyone anonymous (to /signin?next=<the path>
// for a GET; for a POST, sent here without a Referer, to /signin: nothing it sent is acted
// on, and sign-in returns to the page the form was on when there is one), 404 for an
// object the role may not see, 403 for admin pages and for acting on something the role
// may see but not change. The page of a refusal never holds a name or title of the fixture
// that is not public. Allowed cells are exact too: a POST is sent with the role's CSRF token
// and a harmless form (empty, or the token of a link), so it answers with the page that asks
// first (200 or a 303 to it), a validation error (400, 422), or a conflict (409); the few
// that do act (revoking a spare session, deleting the fixture's agenda item) act on objects
// no later cell needs, and in each row the refused roles are asked before the allowed ones.
//
// The test fails on a route without a row, a row for a route that does not exist, and any
// answer that differs from the table; it lists every difference at the end. With
// AUTHZ_PRINT=1 it also prints the answers it got as table rows (to review a new route's
// row against DESIGN §5, never to copy blindly).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { get, post, routes, closeConnections } from './lib.mjs';
import { closeSql } from './accounts-lib.mjs';
import { headerBadge } from './forum-lib.mjs';
import { readAccessTable, parseAnswer, buildFixture, sessionOf, anonymousSession } from './authz-lib.mjs';

let fixture;
after(async () => {
  if (fixture) await fixture.cleanup();
  closeSql();
  closeConnections();
});

/** The concrete path of a pattern for an object: each :param and *rest from object.params. */
function pathOf(pattern, object) {
  const params = object.params || {};
  let path = pattern.replace(/\/[:*]([^/]+)/g, (m, name) => {
    assert.ok(params[name] !== undefined, `${pattern}: the object gives no :${name}`);
    return `/${encodeURIComponent(params[name])}`;
  });
  if (object.query) path += `?${new URLSearchParams(object.query)}`;
  return path;
}

/** Is this answer one of the refusals whose page must not show the fixture? */
function isRefusal(answer) {
  return answer.signin || answer.status === 403 || answer.status === 404;
}

test('every route × every role answers as docs/access.tsv says', async (t) => {
  const started = Date.now();
  const table = readAccessTable();
  const listed = routes();
  const key = (r) => `${r.method} ${r.pattern}`;

  // The table and the route table name the same routes.
  const inTable = new Set(table.rows.map(key));
  const existing = new Set(listed.map(key));
  const missing = listed.filter((r) => !inTable.has(key(r))).map(key);
  const unknown = table.rows.filter((r) => !existing.has(key(r))).map((r) => `${key(r)} (line ${r.line})`);
  assert.deepEqual({ 'routes without a row': missing, 'rows without a route': unknown },
    { 'routes without a row': [], 'rows without a route': [] },
    'docs/access.tsv and `cairn routes` differ: give a new route its rows, from DESIGN §5 ' +
    '(docs/access.md), and drop the rows of a route that is gone');
  assert.equal(table.roles[0], 'anonymous', 'the first role is anonymous');

  fixture = await buildFixture();
  const { sessions, objects, secrets, people } = fixture;
  for (const role of table.roles) {
    assert.ok(sessions[role], `docs/access.tsv names a role the fixture does not make: ${role}`);
  }

  const problems = [];
  const printed = [];
  let cells = 0;
  for (const row of table.rows) {
    const makeObject = objects[row.object];
    assert.ok(makeObject, `docs/access.tsv line ${row.line}: no fixture object "${row.object}"`);
    let object = await makeObject();
    let path = pathOf(row.pattern, object);
    // Refused roles first, so that an allowed request that acts cannot change what a
    // refused one is asked about.
    const answers = table.roles.map((role) => ({ role, answer: parseAnswer(row.cells[role]) }));
    const order = [...answers.filter((c) => isRefusal(c.answer)),
      ...answers.filter((c) => !isRefusal(c.answer))];
    const got = {};
    let asked = 0;
    for (const { role, answer } of order) {
      let session = sessions[role];
      if (object.eachCell && asked++ > 0) {
        // An object the allowed cells act on is made again for every cell.
        object = await makeObject();
        path = pathOf(row.pattern, object);
      }
      if (object.freshSession) {
        session = role === 'anonymous' ? await anonymousSession() : await sessionOf(people[role]);
      }
      const res = row.method === 'GET'
        ? await get(path, { jar: session.jar })
        : await post(path, { ...(object.form || {}), csrf: session.csrf }, { jar: session.jar });
      cells++;
      const what = `${row.method} ${row.pattern} [${row.object}] as ${role} (${path})`;
      const location = res.headers.location || '';
      const signin = res.status === 303 && (row.method === 'GET'
        ? location.startsWith('/signin?next=') &&
          decodeURIComponent(location.slice('/signin?next='.length)) === path
        : location === '/signin');
      got[role] = signin ? 'signin' : String(res.status);
      if (answer.hidden && res.status === 200) got[role] = 'hidden';
      if (res.status !== answer.status || (answer.signin && !signin)) {
        problems.push(`${what}: expected ${row.cells[role]}, got ${res.status}` +
          `${res.headers.location ? ` → ${res.headers.location}` : ''}`);
        continue;
      }
      if (isRefusal(answer)) {
        for (const s of secrets) {
          // One's own name is in the page's header; what a role may read anyway is no leak.
          if (s.owner === role || (s.readers || []).includes(role)) continue;
          if (res.body.includes(s.text)) problems.push(`${what}: the refusal shows "${s.text}"`);
        }
      } else if (answer.hidden) {
        for (const text of object.shows || []) {
          if (res.body.includes(text)) problems.push(`${what}: the page shows "${text}"`);
        }
        if (object.badgeless && headerBadge(res.body) !== 0) {
          problems.push(`${what}: the header counts ${headerBadge(res.body)} unread notifications`);
        }
      } else if (row.method === 'GET' && res.status === 200) {
        // The control: a page that may show the object does, so the checks above look for
        // the right words.
        for (const text of object.shows || []) {
          if (!res.body.includes(text)) problems.push(`${what}: the page does not show "${text}"`);
        }
      }
    }
    if (object.freshSession) {
      // Signing out everywhere ended every session of each role: start them again.
      for (const role of table.roles) {
        sessions[role] = role === 'anonymous' ? await anonymousSession() : await sessionOf(people[role]);
      }
    }
    printed.push([row.method, row.pattern, row.object, ...table.roles.map((r) => got[r])].join('\t'));
  }
  if (process.env.AUTHZ_PRINT) t.diagnostic(`answers:\n${printed.join('\n')}`);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  t.diagnostic(`checked ${cells} cells (${table.rows.length} rows × ${table.roles.length} roles, ` +
    `${listed.length} routes) in ${seconds} s`);
  assert.deepEqual(problems, [], `${problems.length} answers differ from docs/access.tsv`);
});
