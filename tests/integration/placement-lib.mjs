// Helpers for the placement tests (placement.test.mjs and tests/browser/placement.test.mjs):
// a series of their own with two dated offerings and a second series (so the demo's groups,
// which other tests read, are never touched), people made in the database (the test door
// signs them in), parsers for the placement page, and a fingerprint of every row placement
// may write, to prove a refused request changed nothing.
//
// The series are deleted by dropWorld() (the public home page lists every course, and
// tests/integration/http.test.mjs counts the demo's). People stay, as after any other test.

import assert from 'node:assert/strict';
import { textOf } from './lib.mjs';
import { sql, uniq, inputValue } from './accounts-lib.mjs';

/** A person made in the database: { id, handle, name }. */
export async function makeUser(first, { profession = 'nurse', track = 'adult', tag = 'pl' } = {}) {
  const s = uniq();
  const handle = `${tag}_${s}`;
  const name = `${first} ${s.slice(0, 4)}`;
  const id = await sql(`INSERT INTO users (email, handle, display_name, profession, track)
                        VALUES ($1, $2, $3, $4, $5) RETURNING id`,
  [`${tag}.${s}@example.test`, handle, name, profession, track]);
  return { id, handle, name };
}

/** Enroll a user (id) in an offering (id), confirmed, straight in the database. */
export async function enrollIn(userId, offeringId, { role = 'learner', team = null } = {}) {
  await sql(`INSERT INTO enrollments (offering_id, user_id, role, state, source, created_at,
               confirmed_at, team_id)
             VALUES ($1, $2, $3, 'confirmed', 'import', now(), now(), nullif($4, '')::bigint)`,
  [offeringId, userId, role, team ?? '']);
}

/**
 * A series with one course and offerings starting in the given numbers of days (slugs
 * returned), and its spaces. Returns { seriesId, slug, offerings: [{ id, slug }] }.
 */
export async function makeSeries(tag, startDays) {
  const s = uniq();
  const slug = `it-${tag}-${s}`;
  const seriesId = await sql(`INSERT INTO series (slug, title) VALUES ($1, $2) RETURNING id`,
    [slug, `Placement test series ${s}`]);
  const courseId = await sql(`INSERT INTO courses (series_id, position, slug, title)
                              VALUES ($1, 1, $2, $3) RETURNING id`,
  [seriesId, `${slug}-course`, `Placement test course ${s}`]);
  const offerings = [];
  for (const [k, days] of startDays.entries()) {
    const oslug = `${slug}-${k + 1}`;
    const id = await sql(`INSERT INTO offerings (course_id, slug, starts_on, ends_on, format, notes)
                          VALUES ($1, $2, current_date + $3::int, current_date + $3::int + 2,
                                  'live_online', 'Made by the placement tests.') RETURNING id`,
    [courseId, oslug, days]);
    offerings.push({ id, slug: oslug });
  }
  return { seriesId, slug, offerings };
}

/** Delete the series made here (courses, offerings, groups, spaces and drafts go with them). */
export async function dropSeries(...series) {
  for (const s of series) if (s) await sql('DELETE FROM series WHERE id = $1', [s.seriesId]);
}

/** A team of an offering (coordinator: userId), for enrollments' team_id. */
export async function makeTeam(offeringId, coordinatorId, name) {
  return sql(`INSERT INTO teams (offering_id, name, coordinator_id, state, created_at, confirmed_at)
              VALUES ($1, $2, $3, 'confirmed', now(), now()) RETURNING id`,
  [offeringId, name, coordinatorId]);
}

/**
 * The groups on a placement page, in page order: { anchor, name, isNew, track, members
 * (names), learners (ids), group / newNumber (the facilitator form's key, when it has one),
 * facilitators (the "Facilitators:" text), returning (names tagged returning) }.
 */
export function groupsOn(html) {
  const out = [];
  const re = /<h2 id="track-(adult|pediatric)">|<section class="group-card" id="([^"]+)"[^>]*>([\s\S]*?)<\/section>/g;
  let track = null;
  for (const m of html.matchAll(re)) {
    if (m[1]) { track = m[1]; continue; }
    const body = m[3];
    const h3 = /<h3[^>]*>([\s\S]*?)<\/h3>/.exec(body)[1];
    const members = [...body.matchAll(/<li>\s*<p><strong>([^<]*)<\/strong>([\s\S]*?)<\/p>/g)];
    const form = /<form method="post" action="[^"]*\/placement\/facilitators"[\s\S]*?<\/form>/.exec(body)?.[0];
    out.push({
      anchor: m[2],
      name: textOf(h3.replace(/<span class="tag">new<\/span>/, '')),
      isNew: h3.includes('<span class="tag">new</span>'),
      track,
      members: members.map((x) => textOf(x[1])),
      returning: members.filter((x) => x[2].includes('>returning<')).map((x) => textOf(x[1])),
      learners: [...body.matchAll(/placement\/move\?learner=(\d+)/g)].map((x) => x[1]),
      group: form ? inputValue(form, 'group') : undefined,
      newNumber: form ? inputValue(form, 'new') : undefined,
      facilitators: textOf(/<p>Facilitators: ([\s\S]*?)<\/p>/.exec(body)[1]),
    });
  }
  return out;
}

/** The group (from groupsOn) holding the person named name. */
export function groupOf(groups, name) {
  const g = groups.find((x) => x.members.includes(name));
  assert.ok(g, `${name} is in a group on the page`);
  return g;
}

/** The issue sentences of a placement page. */
export function issuesOn(html) {
  const m = /<ul class="issues">([\s\S]*?)<\/ul>/.exec(html);
  return m ? [...m[1].matchAll(/<li>([\s\S]*?)<\/li>/g)].map((x) => textOf(x[1])) : [];
}

/** The page's form state: { fingerprint, version }. */
export function formState(html) {
  return { fingerprint: inputValue(html, 'fingerprint'), version: inputValue(html, 'version') };
}

/**
 * Every row placement may write for a series and one of its offerings, as text: groups,
 * memberships, facilitators, group spaces, the draft, its moves and facilitators, and the
 * offering's group size.
 */
export async function placementRows(seriesId, offeringId) {
  const parts = [
    `SELECT string_agg(concat_ws(',', id, track, name), ';' ORDER BY id) FROM groups
      WHERE series_id = $1`,
    `SELECT string_agg(concat_ws(',', m.id, group_id, user_id, offering_id, joined_at, left_at,
       reason, placed_by), ';' ORDER BY m.id) FROM group_members m WHERE series_id = $1`,
    `SELECT string_agg(concat_ws(',', f.group_id, f.offering_id, f.user_id), ';'
       ORDER BY f.group_id, f.offering_id, f.user_id)
       FROM group_facilitators f JOIN groups g ON g.id = f.group_id WHERE g.series_id = $1`,
    `SELECT string_agg(s.id::text, ';' ORDER BY s.id) FROM spaces s JOIN groups g
       ON g.id = s.group_id WHERE g.series_id = $1`,
    `SELECT concat_ws(',', fingerprint, version) FROM placement_drafts WHERE offering_id = $2`,
    `SELECT string_agg(concat_ws(',', user_id, to_group_id, to_new, reason), ';' ORDER BY seq)
       FROM placement_moves WHERE offering_id = $2`,
    `SELECT string_agg(concat_ws(',', group_id, new_number, user_id), ';'
       ORDER BY group_id, new_number, user_id) FROM placement_facilitators WHERE offering_id = $2`,
    `SELECT concat_ws(',', group_min_size, group_max_size) FROM offerings WHERE id = $2`,
  ];
  return sql(`SELECT ${parts.map((p) => `coalesce((${p}), '-')`).join(` || E'\\n' || `)}`,
    [seriesId, offeringId]);
}
