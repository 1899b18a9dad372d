// The admin catalogue over real HTTP (server/catalog.c): an admin makes a series, a course and
// an offering through the forms; the agenda import turns the course page's Schedule section
// (tests/unit/fixtures/core-practice-schedule.txt) into exactly the demo agenda of
// core-practice-2026-05, row by row; every bad input is a 422 with the form kept and nothing
// written; unknown ids are 404; and a learner (priya) gets 403 from every admin form while
// nothing changes.
//
// Everything this file creates has a slug starting with "it-cat-" and is deleted at the end,
// so the public pages other tests check look as the demo made them.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { get, post, psql, routes, textOf, CookieJar, closeConnections } from './lib.mjs';

const TAG = `it-cat-${randomBytes(4).toString('hex')}`;
const SCHEDULE = readFileSync(new URL('../unit/fixtures/core-practice-schedule.txt',
  import.meta.url), 'utf8');
const CATEGORIES = ['physician', 'nurse', 'pa', 'psychologist', 'resident_fellow',
  'social_worker', 'allied_other'];
const DEMO = 'core-practice-2026-05';

after(() => {
  psql(`DELETE FROM offerings WHERE slug LIKE $1`, [`${TAG}%`]);
  psql(`DELETE FROM series WHERE slug LIKE $1`, [`${TAG}%`]);
  closeConnections();
});

// ---- helpers ----

async function signedIn(handle) {
  const jar = new CookieJar();
  const r = await post('/__test/session', { handle }, { jar });
  assert.equal(r.status, 200, `sign in as ${handle}`);
  // Any signed-in page carries the session's CSRF token (the sign-out form).
  const page = await get('/', { jar });
  jar.csrf = csrfOf(page.body);
  return jar;
}

function csrfOf(html) {
  const m = /<input type="hidden" name="csrf" value="([^"]+)">/.exec(html);
  assert.ok(m, 'the page has a CSRF field');
  return m[1];
}

function alertText(html) {
  const m = /<div class="alert" role="alert"[^>]*>([\s\S]*?)<\/div>/.exec(html);
  return m ? textOf(m[1]) : '';
}

/** The value attribute of the input named name (decoded), or undefined. */
function inputValue(html, name) {
  const m = new RegExp(`<input[^>]* name="${name}"[^>]* value="([^"]*)"`).exec(html);
  return m ? textOf(m[1]) : undefined;
}

function textareaValue(html, name) {
  const m = new RegExp(`<textarea[^>]* name="${name}"[^>]*>([\\s\\S]*?)</textarea>`).exec(html);
  return m ? m[1].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'").replace(/&amp;/g, '&') : undefined;
}

function send(jar, path, fields) {
  return post(path, { csrf: jar.csrf, ...fields }, { jar });
}

/** The id a 303 after a create points at (/admin/<what>/<id>?done=...). */
function createdId(r, what) {
  assert.equal(r.status, 303, `create ${what}: ${r.status} ${alertText(r.body)}`);
  const m = new RegExp(`^/admin/${what}/(\\d+)\\?done=created$`).exec(r.headers.location);
  assert.ok(m, `redirected to the new ${what}: ${r.headers.location}`);
  return m[1];
}

/** Every catalogue row, as one digest: equal digests mean nothing was written. */
function catalogue() {
  return psql(`SELECT md5(coalesce(string_agg(x, E'\\n' ORDER BY x), '')) FROM (
      SELECT 's' || t::text AS x FROM series t UNION ALL
      SELECT 'c' || t::text FROM courses t UNION ALL
      SELECT 'p' || t::text FROM course_points t UNION ALL
      SELECT 'o' || t::text FROM offerings t UNION ALL
      SELECT 'f' || t::text FROM offering_fees t UNION ALL
      SELECT 'a' || t::text FROM agenda_items t UNION ALL
      SELECT 'b' || t::text FROM agenda_breakouts t) q`);
}

/** An offering's agenda as comparable rows: day, local date, start, end, title, faculty,
 * kind, tracks, breakouts (track:title:faculty). */
function agendaRows(slug) {
  return psql(`SELECT i.day_number, (i.starts_at AT TIME ZONE o.time_zone)::date,
                 to_char(i.starts_at AT TIME ZONE o.time_zone, 'HH24:MI'),
                 to_char(i.ends_at AT TIME ZONE o.time_zone, 'HH24:MI'),
                 i.title, i.faculty, i.kind, i.tracks,
                 coalesce((SELECT string_agg(b.track || ':' || b.title || ':' || b.faculty, ' / '
                                             ORDER BY b.track)
                           FROM agenda_breakouts b WHERE b.agenda_item_id = i.id), '')
               FROM agenda_items i JOIN offerings o ON o.id = i.offering_id
               WHERE o.slug = $1 ORDER BY i.starts_at, i.id`, [slug]).split('\n');
}

function offeringForm(courseId, slug, over = {}) {
  const fees = {};
  for (const c of CATEGORIES) {
    fees[`fee_regular_${c}`] = '1,995';
    fees[`fee_early_${c}`] = '1,795.50';
  }
  return {
    course_id: courseId, slug, starts_on: '2026-05-13', ends_on: '2026-05-15',
    time_zone: 'America/New_York', format: 'live_online', location: '', capacity: '120',
    reg_date: '2026-05-06', reg_time: '23:59', early_date: '2026-04-15', early_time: '23:59',
    processing_fee: '$10', ...fees, discount_min_size: '3', discount_percent: '10',
    credit_summary: '16.00 AMA PRA Category 1 Credit(s)™', credits: 'Credits.\n\nMore credits.',
    cancellation_policy: '', notes: 'Made by tests/integration/catalog.test.mjs.', ...over,
  };
}

let core;
const coreId = () => (core ??= psql(`SELECT id FROM courses WHERE slug = 'core-practice'`));

// ---- the admin's path through the catalogue ----

describe('an admin builds the catalogue through the forms', () => {
  let admin;
  const ids = {};
  before(async () => { admin = await signedIn('admin'); });

  test('the catalogue page lists the demo series, courses and offerings', async () => {
    const r = await get('/admin/series', { jar: admin });
    assert.equal(r.status, 200);
    assert.equal(r.headers['cache-control'], 'no-store');
    const text = textOf(r.body);
    assert.match(text, /Palliative Care Education Series/);
    for (const s of ['foundations-2025-10', 'foundations-2026-01', DEMO, 'core-practice-upcoming']) {
      assert.match(r.body, new RegExp(`>${s}</a>`), s);
    }
    assert.match(text, /Third course \(to be announced\) to be announced/);
  });

  test('creates a series, then edits it', async () => {
    let r = await send(admin, '/admin/series', { title: 'Test series', slug: `${TAG}-series`,
      summary: 'Made by a test.' });
    ids.series = createdId(r, 'series');
    r = await get(r.headers.location, { jar: admin });
    assert.equal(r.status, 200);
    assert.match(r.body, /Created\./);
    r = await send(admin, `/admin/series/${ids.series}`, { title: 'Test series, renamed',
      slug: `${TAG}-series`, summary: 'Still a test.' });
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, `/admin/series/${ids.series}?done=saved`);
    assert.equal(psql('SELECT title || \'|\' || summary FROM series WHERE id = $1', [ids.series]),
      'Test series, renamed|Still a test.');
  });

  test('creates a course with its domains and objectives, one per line', async () => {
    let r = await get(`/admin/series/${ids.series}/courses/new`, { jar: admin });
    assert.equal(r.status, 200);
    assert.equal(inputValue(r.body, 'position'), '1', 'the next free position is proposed');
    r = await send(admin, `/admin/series/${ids.series}/courses`, {
      title: 'Test course', slug: `${TAG}-course`, position: '1', tagline: 'A tagline.',
      overview: 'One.\n\nTwo.', audience: 'Everyone.', prerequisites: 'None.', announced: '1',
      domains: '  Assessment \n\nCommunication\n', objectives: 'Apply.\nPractise.\nReflect.',
    });
    ids.course = createdId(r, 'courses');
    assert.equal(psql(`SELECT string_agg(kind || ':' || position || ':' || body, '|'
                         ORDER BY kind, position) FROM course_points WHERE course_id = $1`,
    [ids.course]),
    'domain:1:Assessment|domain:2:Communication|objective:1:Apply.|objective:2:Practise.|' +
      'objective:3:Reflect.');
    r = await get(`/admin/courses/${ids.course}`, { jar: admin });
    assert.equal(textareaValue(r.body, 'domains'), 'Assessment\nCommunication');
    // Saving replaces the lists; unticked "announced" is stored as false.
    r = await send(admin, `/admin/courses/${ids.course}`, {
      title: 'Test course', slug: `${TAG}-course`, position: '2', tagline: '', overview: '',
      audience: '', prerequisites: '', domains: 'Only one', objectives: '',
    });
    assert.equal(r.status, 303);
    assert.equal(psql(`SELECT position || '|' || announced || '|' ||
                         (SELECT string_agg(body, ',') FROM course_points WHERE course_id = c.id)
                       FROM courses c WHERE id = $1`, [ids.course]), '2|false|Only one');
  });

  test('creates an offering: money in exact cents, deadlines in the offering\'s zone', async () => {
    let r = await get(`/admin/courses/${coreId()}/offerings/new`, { jar: admin });
    assert.equal(r.status, 200);
    r = await send(admin, `/admin/courses/${coreId()}/offerings`,
      offeringForm(coreId(), `${TAG}-import`));
    ids.offering = createdId(r, 'offerings');
    // The same deadlines, fees and rules as the demo offering, typed as the seed prints them.
    const cols = `registration_deadline, early_deadline, processing_fee_cents, capacity,
                  group_discount_min_size, group_discount_percent, time_zone, format,
                  cancellation_policy, starts_on, ends_on`;
    assert.equal(psql(`SELECT ${cols} FROM offerings WHERE id = $1`, [ids.offering]),
      psql(`SELECT ${cols} FROM offerings WHERE slug = $1`, [DEMO]));
    assert.equal(psql(`SELECT string_agg(category || ':' || regular_cents || ':' || early_cents,
                         ' ' ORDER BY category) FROM offering_fees WHERE offering_id = $1`,
    [ids.offering]),
    CATEGORIES.slice().sort().map((c) => `${c}:199500:179550`).join(' '));
    r = await get(`/admin/offerings/${ids.offering}`, { jar: admin });
    assert.equal(r.status, 200);
    assert.equal(inputValue(r.body, 'fee_early_nurse'), '1,795.50');
    assert.equal(inputValue(r.body, 'processing_fee'), '10');
    assert.equal(inputValue(r.body, 'reg_date'), '2026-05-06');
    assert.equal(inputValue(r.body, 'reg_time'), '23:59');
  });

  test('imports the course page\'s schedule: exactly the demo agenda, row by row', async () => {
    const path = `/admin/offerings/${ids.offering}/agenda/import`;
    let r = await get(path, { jar: admin });
    assert.equal(r.status, 200);
    // Preview: every item, no problem, nothing written yet.
    const before = catalogue();
    r = await send(admin, path, { schedule: SCHEDULE, mode: 'replace', confirm: '0' });
    assert.equal(r.status, 200, alertText(r.body));
    assert.equal(catalogue(), before, 'a preview writes nothing');
    assert.equal((r.body.match(/<li class="agenda-item /g) || []).length, 30);
    assert.match(r.body, /Import 30 items/);
    assert.doesNotMatch(r.body, /Lines that could not be read/);
    assert.match(textOf(r.body), /Delivering Serious News -- Practice Skills practice · line 73/);
    const previewed = inputValue(r.body, 'previewed');
    assert.ok(previewed);
    // Confirm: the same text, confirm=1.
    r = await send(admin, path, { schedule: SCHEDULE, mode: 'replace', confirm: '1', previewed });
    assert.equal(r.status, 303, alertText(r.body));
    assert.equal(r.headers.location, `/admin/offerings/${ids.offering}/agenda?done=imported`);

    const mine = agendaRows(`${TAG}-import`), demo = agendaRows(DEMO);
    assert.equal(mine.length, 30);
    assert.deepEqual(mine, demo);
    assert.equal(psql(`SELECT count(*) FILTER (WHERE tracks), count(*) FROM agenda_items i
                       JOIN offerings o ON o.id = i.offering_id WHERE o.slug = $1`,
    [`${TAG}-import`]), '8|30');
    // Same instants too, since the offering has the demo's dates and zone.
    assert.equal(psql(`SELECT count(*) FROM (SELECT day_number, starts_at, ends_at, title
                         FROM agenda_items WHERE offering_id = $1 EXCEPT
                         SELECT i.day_number, i.starts_at, i.ends_at, i.title FROM agenda_items i
                         JOIN offerings o ON o.id = i.offering_id WHERE o.slug = $2) q`,
    [ids.offering, DEMO]), '0');

    r = await get(`/admin/offerings/${ids.offering}/agenda?done=imported`, { jar: admin });
    assert.equal(r.status, 200);
    assert.match(r.body, /The schedule was imported\./);
    assert.equal((r.body.match(/<li class="agenda-item /g) || []).length, 30);
    r = await get(`/offerings/${TAG}-import`);
    assert.equal(r.status, 200, 'the public page shows the imported agenda');
    assert.match(r.body, /Delivering Serious News -- Practice/);
  });

  test('importing again with "replace" gives the same 30 rows; "append" adds to them', async () => {
    const path = `/admin/offerings/${ids.offering}/agenda/import`;
    let r = await send(admin, path, { schedule: SCHEDULE, mode: 'replace', confirm: '1' });
    assert.equal(r.status, 303);
    assert.deepEqual(agendaRows(`${TAG}-import`), agendaRows(DEMO));
    r = await send(admin, path, { schedule: 'Day 3\nExtra\n5:00-5:30 pm\n', mode: 'append',
      confirm: '1' });
    assert.equal(r.status, 303, alertText(r.body));
    const rows = agendaRows(`${TAG}-import`);
    assert.equal(rows.length, 31);
    assert.equal(rows[30], '3|2026-05-15|17:00|17:30|Extra||plenary|f|');
  });

  test('moving the offering to another zone keeps each item\'s day and local times', async () => {
    const form = offeringForm(coreId(), `${TAG}-import`, { time_zone: 'America/Chicago' });
    let r = await send(admin, `/admin/offerings/${ids.offering}`, form);
    assert.equal(r.status, 303, alertText(r.body));
    const rows = agendaRows(`${TAG}-import`);
    assert.deepEqual(rows.slice(0, 30), agendaRows(DEMO));
    assert.equal(psql(`SELECT extract(epoch FROM i.starts_at - d.starts_at)::int
                       FROM agenda_items i, agenda_items d JOIN offerings o ON o.id = d.offering_id
                       WHERE i.offering_id = $1 AND o.slug = $2
                         AND i.title = 'The Frame of Palliative Care' AND d.title = i.title`,
    [ids.offering, DEMO]), '3600', 'an hour later in absolute time');
    r = await send(admin, `/admin/offerings/${ids.offering}`,
      offeringForm(coreId(), `${TAG}-import`));
    assert.equal(r.status, 303);
  });

  test('adds, edits and deletes one agenda item; breakouts follow the tracks box', async () => {
    const agenda = `/admin/offerings/${ids.offering}/agenda`;
    let r = await send(admin, agenda, { day: '2', start: '17:00', end: '17:30',
      title: 'Evening case', faculty: 'A. Person', kind: 'small_group', tracks: '1' });
    assert.equal(r.status, 303, alertText(r.body));
    const id = psql(`SELECT id FROM agenda_items WHERE offering_id = $1 AND title = 'Evening case'`,
      [ids.offering]);
    assert.equal(psql(`SELECT string_agg(track || ':' || title, '|' ORDER BY track)
                       FROM agenda_breakouts WHERE agenda_item_id = $1`, [id]),
    'adult:Evening case — Adult|pediatric:Evening case — Pediatric');
    r = await get(`/admin/agenda-items/${id}`, { jar: admin });
    assert.equal(r.status, 200);
    assert.equal(inputValue(r.body, 'start'), '17:00');
    r = await send(admin, `/admin/agenda-items/${id}`, { day: '3', start: '08:00', end: '08:45',
      title: 'Morning case', faculty: '', kind: 'practice', tracks: '1' });
    assert.equal(r.status, 303, alertText(r.body));
    assert.equal(psql(`SELECT i.day_number || '|' || to_char(i.starts_at AT TIME ZONE
                         'America/New_York', 'YYYY-MM-DD HH24:MI') || '|' || i.kind || '|' ||
                         (SELECT string_agg(title, ',' ORDER BY track) FROM agenda_breakouts
                          WHERE agenda_item_id = i.id) FROM agenda_items i WHERE i.id = $1`, [id]),
    '3|2026-05-15 08:00|practice|Morning case — Adult,Morning case — Pediatric');
    r = await send(admin, `/admin/agenda-items/${id}`, { day: '3', start: '08:00', end: '08:45',
      title: 'Morning case', faculty: '', kind: 'practice' });
    assert.equal(r.status, 303);
    assert.equal(psql('SELECT count(*) FROM agenda_breakouts WHERE agenda_item_id = $1', [id]), '0');
    r = await send(admin, `/admin/agenda-items/${id}/delete`, {});
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, `${agenda}?done=deleted`);
    assert.equal(psql('SELECT count(*) FROM agenda_items WHERE id = $1', [id]), '0');
  });

  // ---- bad input: 422, the form kept, nothing written ----

  const badOfferings = [
    ['a bad slug', { slug: 'Not A Slug' }, /address name \(slug\)/],
    ['a slug already used', { slug: DEMO }, /Another offering already has that address name/],
    ['an end before the start', { ends_on: '2026-05-12' }, /last day cannot be before the first/],
    ['a date that does not exist', { starts_on: '2026-02-30' }, /first day as a date/],
    ['an unknown time zone', { time_zone: 'Mars/Olympus_Mons' }, /does not know the time zone “Mars\/Olympus_Mons”/],
    ['a negative fee', { fee_regular_pa: '-5' }, /fee for PA cannot be negative/],
    ['malformed money', { fee_regular_nurse: '1,99.5' }, /fee for Nurse \(RN\/APRN\) is not an amount/],
    ['three decimals', { processing_fee: '10.005' }, /processing fee is not an amount/],
    ['letters for money', { fee_early_pa: 'ten dollars' }, /early fee for PA is not an amount/],
    ['an early price above the regular one', { fee_early_physician: '1,995.01' },
      /early fee for Physician \(MD\/DO\) \(\$1,995\.01\) is above its regular fee \(\$1,995\)/],
    ['an early fee without a regular one', { fee_regular_pa: '', fee_early_pa: '5' }, /regular fee for PA too/],
    ['a discount over 100%', { discount_percent: '101' }, /percentage from 0 to 100/],
    ['a negative discount', { discount_percent: '-1' }, /percentage from 0 to 100/],
    ['a discount without a team size', { discount_min_size: '' }, /smallest team/],
    ['a capacity of zero', { capacity: '0' }, /capacity is a whole number/],
    ['half a deadline', { reg_time: '' }, /registration deadline as a date and a time/],
    ['an early deadline after the registration deadline', { early_date: '2026-05-07' },
      /early-registration deadline cannot be after/],
    ['no format', { format: 'hybrid' }, /live online or in person/],
    ['a course that does not exist', { course_id: '999999999' }, /Choose the course/],
  ];
  for (const [what, over, message] of badOfferings) {
    test(`a new offering with ${what}: 422, form kept, nothing written`, async () => {
      const before = catalogue();
      const form = offeringForm(coreId(), `${TAG}-bad`, over);
      const r = await send(admin, `/admin/courses/${coreId()}/offerings`, form);
      assert.equal(r.status, 422);
      assert.match(alertText(r.body), message);
      assert.equal(inputValue(r.body, 'slug'), form.slug, 'what was typed is kept');
      assert.equal(inputValue(r.body, 'fee_regular_pa'), form.fee_regular_pa);
      assert.equal(textareaValue(r.body, 'credits'), form.credits);
      assert.equal(catalogue(), before);
    });
  }

  test('saving an offering with a capacity below its enrolled learners: 422', async () => {
    psql(`INSERT INTO enrollments (offering_id, user_id, role, state, source, created_at)
          SELECT $1, u.id, 'learner', 'confirmed', 'staff', now() FROM users u
           WHERE u.handle IN ('priya', 'sam')`, [ids.offering]);
    const before = catalogue();
    const r = await send(admin, `/admin/offerings/${ids.offering}`,
      offeringForm(coreId(), `${TAG}-import`, { capacity: '1' }));
    assert.equal(r.status, 422);
    assert.match(alertText(r.body), /2 learners are already enrolled/);
    assert.equal(catalogue(), before);
    // Cancelled enrollments do not count.
    psql(`UPDATE enrollments SET state = 'cancelled', cancelled_at = now()
          WHERE offering_id = $1`, [ids.offering]);
    const ok = await send(admin, `/admin/offerings/${ids.offering}`,
      offeringForm(coreId(), `${TAG}-import`, { capacity: '1' }));
    assert.equal(ok.status, 303, alertText(ok.body));
  });

  test('shortening an offering below its agenda\'s last day: 422', async () => {
    const before = catalogue();
    const r = await send(admin, `/admin/offerings/${ids.offering}`,
      offeringForm(coreId(), `${TAG}-import`, { ends_on: '2026-05-14' }));
    assert.equal(r.status, 422);
    assert.match(alertText(r.body), /agenda has items on day 3/);
    assert.equal(catalogue(), before);
  });

  test('other bad forms: series, course, agenda item, import', async () => {
    const cases = [
      ['/admin/series', { title: 'X', slug: '-bad-', summary: '' }, /address name \(slug\)/],
      ['/admin/series', { title: '', slug: `${TAG}-x`, summary: '' }, /title/],
      ['/admin/series', { title: 'Dup', slug: 'palliative-care', summary: '' }, /Another series/],
      [`/admin/series/${ids.series}`, { title: 'T', slug: 'palliative-care', summary: '' },
        /Another series/],
      [`/admin/series/${ids.series}/courses`, { title: 'C', slug: `${TAG}-c2`, position: '2' },
        /already at position 2/],
      [`/admin/series/${ids.series}/courses`, { title: 'C', slug: 'core-practice', position: '3' },
        /Another course already has that address name/],
      [`/admin/series/${ids.series}/courses`, { title: 'C', slug: `${TAG}-c3`, position: 'x' },
        /whole number from 1/],
      [`/admin/series/${ids.series}/courses`, { title: 'C', slug: `${TAG}-c4`, position: '3',
        domains: Array.from({ length: 51 }, (_, i) => `D${i}`).join('\n') }, /at most 50 domains/],
      [`/admin/offerings/${ids.offering}/agenda`, { day: '1', start: '10:30', end: '10:00',
        title: 'Backwards', kind: 'plenary' }, /end time must be after the start/],
      [`/admin/offerings/${ids.offering}/agenda`, { day: '4', start: '10:00', end: '10:30',
        title: 'Day four', kind: 'plenary' }, /day of this offering, from 1 to 3/],
      [`/admin/offerings/${ids.offering}/agenda`, { day: '1', start: '25:00', end: '26:00',
        title: 'Late', kind: 'plenary' }, /times of day/],
      [`/admin/offerings/${ids.offering}/agenda`, { day: '1', start: '10:00', end: '10:30',
        title: 'Odd', kind: 'party' }, /what kind of item/],
      [`/admin/offerings/${ids.offering}/agenda/import`, { schedule: '', mode: 'append',
        confirm: '1' }, /no agenda items were found/],
      [`/admin/offerings/${ids.offering}/agenda/import`, { schedule: 'Day 1\nTalk\n9:00\n',
        mode: 'append', confirm: '1' }, /Nothing was imported/],
      [`/admin/offerings/${ids.offering}/agenda/import`, { schedule: 'Day 4\nTalk\n9-10 am\n',
        mode: 'append', confirm: '1' }, /Nothing was imported/],
      [`/admin/offerings/${ids.offering}/agenda/import`, { schedule: 'Talk\n9-10 am\n',
        mode: 'sideways', confirm: '1' }, /replace the agenda or are added/],
      [`/admin/offerings/${ids.offering}/agenda/import`, { schedule: 'Talk\n9-10 am\n',
        mode: 'append', confirm: '1', previewed: 'not-what-was-previewed' },
      /text changed since the preview/],
    ];
    for (const [path, fields, message] of cases) {
      const before = catalogue();
      const r = await send(admin, path, fields);
      assert.equal(r.status, 422, `${path} ${JSON.stringify(fields).slice(0, 80)}`);
      assert.match(alertText(r.body), message, path);
      assert.equal(catalogue(), before, `${path}: nothing written`);
    }
  });

  test('the import preview lists every line it cannot read, with its line number', async () => {
    const text = 'Day 1\nWednesday, May 13, 2026\nWelcome\n10:00-10:75 am\nOrphan\nDay 2\n' +
      '10:00-10:30 am\nThursday, May 15, 2026\nGood\n11:00-11:30 am\n';
    const before = catalogue();
    const r = await send(admin, `/admin/offerings/${ids.offering}/agenda/import`,
      { schedule: text, mode: 'append', confirm: '0' });
    assert.equal(r.status, 422);
    assert.equal(catalogue(), before);
    const rows = [...r.body.matchAll(/<tr><td>(\d+)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g)]
      .map((m) => [Number(m[1]), textOf(m[2]), textOf(m[3])]);
    assert.deepEqual(rows.map((x) => x[0]), [4, 5, 7, 8]);
    assert.match(rows[0][2], /Minutes run from 00 to 59/);
    assert.match(rows[1][2], /No time range follows this item/);
    assert.match(rows[2][2], /no item before it/);
    assert.match(rows[3][2], /May 15, 2026 is a Friday, not a Thursday/);
    assert.equal(textareaValue(r.body, 'schedule'), text, 'the pasted text is kept');
    assert.doesNotMatch(r.body, /name="confirm" value="1"/, 'no import button');
  });

  test('pasted into another run, the items go on that run\'s days and the preview says so',
    async () => {
      const upcoming = psql(`SELECT id FROM offerings WHERE slug = 'core-practice-upcoming'`);
      const first = psql(`SELECT to_char(starts_on, 'FMDay, FMMonth FMDD, YYYY')
                          FROM offerings WHERE id = $1`, [upcoming]);
      const before = catalogue();
      const r = await send(admin, `/admin/offerings/${upcoming}/agenda/import`,
        { schedule: SCHEDULE, confirm: '0' });
      assert.equal(r.status, 200);
      assert.equal(catalogue(), before);
      assert.match(textOf(r.body), new RegExp(
        `Day 1: Wednesday, May 13, 2026 in the text, ${first} here\\.`));
      assert.match(r.body, /value="append" checked/, 'an agenda with items is added to by default');
    });

  test('unknown ids are 404, for GET and POST alike', async () => {
    for (const path of ['/admin/series/999999999', '/admin/series/999999999/courses/new',
      '/admin/courses/999999999', '/admin/courses/999999999/offerings/new',
      '/admin/offerings/999999999', '/admin/offerings/999999999/agenda',
      '/admin/offerings/999999999/agenda/import', '/admin/agenda-items/999999999',
      '/admin/offerings/abc', '/admin/offerings/0', '/admin/offerings/-1',
      '/admin/offerings/00012', '/admin/agenda-items/99999999999999999999999']) {
      const r = await get(path, { jar: admin });
      assert.equal(r.status, 404, `GET ${path}`);
    }
    const before = catalogue();
    for (const path of ['/admin/series/999999999', '/admin/series/999999999/courses',
      '/admin/courses/999999999', '/admin/courses/999999999/offerings',
      '/admin/offerings/999999999', '/admin/offerings/999999999/agenda',
      '/admin/offerings/999999999/agenda/import', '/admin/agenda-items/999999999',
      '/admin/agenda-items/999999999/delete']) {
      const r = await send(admin, path, { title: 'x', slug: `${TAG}-nope`, schedule: 'A\n9-10 am' });
      assert.equal(r.status, 404, `POST ${path}`);
    }
    assert.equal(catalogue(), before);
  });
});

// ---- who may ----

describe('only administrators reach the catalogue', () => {
  const posts = () => {
    const o = psql('SELECT id FROM offerings WHERE slug = $1', [DEMO]);
    const s = psql(`SELECT id FROM series WHERE slug = 'palliative-care'`);
    const c = coreId();
    const i = psql('SELECT min(id) FROM agenda_items WHERE offering_id = $1', [o]);
    return [
      ['/admin/series', { title: 'Hijack', slug: `${TAG}-hijack`, summary: '' }],
      [`/admin/series/${s}`, { title: 'Hijacked', slug: 'palliative-care', summary: '' }],
      [`/admin/series/${s}/courses`, { title: 'Hijack', slug: `${TAG}-hc`, position: '9' }],
      [`/admin/courses/${c}`, { title: 'Hijacked', slug: 'core-practice', position: '2' }],
      [`/admin/courses/${c}/offerings`, offeringForm(c, `${TAG}-hijack`)],
      [`/admin/offerings/${o}`, offeringForm(c, DEMO, { capacity: '1' })],
      [`/admin/offerings/${o}/agenda`, { day: '1', start: '08:00', end: '09:00', title: 'Hijack',
        kind: 'plenary' }],
      [`/admin/offerings/${o}/agenda/import`, { schedule: SCHEDULE, mode: 'replace',
        confirm: '1' }],
      [`/admin/agenda-items/${i}`, { day: '1', start: '08:00', end: '09:00', title: 'Hijack',
        kind: 'plenary' }],
      [`/admin/agenda-items/${i}/delete`, {}],
    ];
  };

  test('the route table says "admin" for every catalogue route, and lists them all', () => {
    const mine = routes().filter((r) => /^\/admin\/(series|courses|agenda-items)\b/.test(r.pattern) ||
      /^\/admin\/offerings\/:id(\/agenda(\/import)?)?$/.test(r.pattern));
    assert.equal(mine.length, 19);
    for (const r of mine) assert.equal(r.access, 'admin', `${r.method} ${r.pattern}`);
    const postPatterns = mine.filter((r) => r.method === 'POST').map((r) => r.pattern);
    assert.equal(postPatterns.length, posts().length, 'every POST route is tried below');
  });

  test('a learner gets 403 from every admin catalogue form, and nothing is written', async () => {
    const priya = await signedIn('priya');
    const before = catalogue();
    for (const [path, fields] of posts()) {
      const r = await send(priya, path, fields);
      assert.equal(r.status, 403, `POST ${path}`);
    }
    for (const path of ['/admin/series', `/admin/offerings/${psql('SELECT id FROM offerings WHERE slug = $1', [DEMO])}/agenda/import`]) {
      const r = await get(path, { jar: priya });
      assert.equal(r.status, 403, `GET ${path}`);
    }
    assert.equal(catalogue(), before);
  });

  test('anonymous visitors are sent to sign in, and their POSTs are refused', async () => {
    const r = await get('/admin/series');
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, '/signin?next=/admin/series');
    const before = catalogue();
    for (const [path, fields] of posts()) {
      const p = await post(path, fields);
      assert.equal(p.status, 403, `POST ${path}`);
    }
    assert.equal(catalogue(), before);
  });
});
