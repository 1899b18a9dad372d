// Ids in paths, forms and queries are read by http_parse_id only (issue 10, item 1): a
// positive decimal without sign, spaces or leading zeros. Before, the import pages read
// their :id with strtoll (so "+5" and " 5" named offering 5) and a few queries had their
// own rules; now every spelling but the plain one is refused the same way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { get, closeConnections } from './lib.mjs';
import { closeSql } from './accounts-lib.mjs';
import { sql, jarOf } from './forum-lib.mjs';

let admin;
let offering;
before(async () => {
  admin = await jarOf('admin');
  offering = await sql(`SELECT id FROM offerings WHERE slug = 'core-practice-2026-05'`);
});
after(() => { closeSql(); closeConnections(); });

const SPELLINGS = (id) => [`%2B${id}`, `%20${id}`, `0${id}`, `${id}%20`, `${id}.0`];

test('an offering id in the import page\'s path: only the plain spelling names it', async () => {
  assert.equal((await get(`/admin/offerings/${offering}/import`, { jar: admin })).status, 200);
  for (const s of SPELLINGS(offering)) {
    const r = await get(`/admin/offerings/${s}/import`, { jar: admin });
    assert.equal(r.status, 404, `/admin/offerings/${s}/import`);
  }
});

test('an offering id in the catalogue\'s path: the same rule', async () => {
  assert.equal((await get(`/admin/offerings/${offering}`, { jar: admin })).status, 200);
  for (const s of SPELLINGS(offering))
    assert.equal((await get(`/admin/offerings/${s}`, { jar: admin })).status, 404, s);
});

test('a message number as the outbox cursor: the same rule', async () => {
  assert.equal((await get('/admin/outbox?before=5', { jar: admin })).status, 200);
  for (const s of ['%2B5', '05', '5%20', '0'])
    assert.equal((await get(`/admin/outbox?before=${s}`, { jar: admin })).status, 400, s);
});
