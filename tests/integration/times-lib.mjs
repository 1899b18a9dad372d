// The rule for times on Cairn's pages (issue 9, item 7; include/cairn/zone.h), as a checker
// shared by the integration and browser tests:
//
//   - every time of day shown is a <time> element, except inside what people wrote (post
//     bodies, snippets, excerpts, reflection prompts), form controls (an <option> cannot
//     hold an element) and code samples;
//   - its datetime is ISO 8601 with an offset (2026-05-14T10:15:00-04:00), or a calendar
//     date (2026-05-14) for a day that has no time;
//   - its text agrees with the datetime: the time of day (and the month and day, when
//     shown) are the datetime's own, so the offset is the zone the text is written in;
//   - that zone is the reader's (its offset at that instant is the reader's zone's), or
//     the text names it: an abbreviation standing for that offset (EDT) or "UTC-5".
//
// The offsets below are this test's own statement of what the abbreviations mean, not a
// copy of server/zone.c's table: a wrong entry there fails here.

const ABBREVIATIONS = {
  EST: [-300], EDT: [-240], CST: [-360], CDT: [-300], MST: [-420], MDT: [-360],
  PST: [-480], PDT: [-420], AKST: [-540], AKDT: [-480], HST: [-600], AST: [-240], ADT: [-180],
  NST: [-210], NDT: [-150], GMT: [0], UTC: [0], BST: [60], IST: [60, 330], CET: [60],
  CEST: [120], SAST: [120], SGT: [480], JST: [540], AEST: [600], AEDT: [660], NZST: [720],
  NZDT: [780],
};
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
  'September', 'October', 'November', 'December'];

/** Minutes east of UTC of an IANA zone at an instant (ms since the epoch). */
export function offsetIn(zone, ms) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
    hour: 'numeric', minute: 'numeric',
  }).formatToParts(new Date(ms));
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return Math.round((local - Math.floor(ms / 60000) * 60000) / 60000);
}

/** The offsets a zone name in a time's text stands for, or null if it names none. */
function namedOffsets(text) {
  const m = /(?:^|\s)(UTC([+-])(\d{1,2})(?::(\d{2}))?|[A-Z]{2,5})\s*$/.exec(text.trim());
  if (!m) return null;
  if (m[2]) return [(m[2] === '-' ? -1 : 1) * (Number(m[3]) * 60 + Number(m[4] || 0))];
  return ABBREVIATIONS[m[1]] || null;
}

/**
 * Check one <time>: null when it keeps the rule, else why not.
 *   datetime: its attribute (null when absent); text: its visible text; readerZone: IANA.
 */
export function checkTime(datetime, text, readerZone) {
  const what = `<time datetime=${JSON.stringify(datetime)}>${text}</time>`;
  if (datetime === null || datetime === undefined) return `${what}: no datetime attribute`;
  if (/^\d{4}-\d{2}-\d{2}$/.test(datetime)) {
    return /\d:\d{2}/.test(text) ? `${what}: a date-only datetime for a time of day` : null;
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2})?(Z|([+-])(\d{2}):(\d{2}))$/.exec(datetime);
  if (!m) return `${what}: the datetime is not ISO 8601 with an offset`;
  const offset = m[6] === 'Z' ? 0 : (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9]));
  const clock = /(\d{1,2}):(\d{2})\s?(am|pm)/i.exec(text);
  if (clock) {
    const h = (Number(clock[1]) % 12) + (clock[3].toLowerCase() === 'pm' ? 12 : 0);
    if (h !== Number(m[4]) || clock[2] !== m[5]) {
      return `${what}: the text's time of day is not the datetime's (${m[4]}:${m[5]})`;
    }
  }
  const day = new RegExp(`\\b(${MONTHS.map((x) => x.slice(0, 3)).join('|')})[a-z]* (\\d{1,2})\\b`).exec(text);
  if (day) {
    const month = MONTHS.findIndex((x) => x.startsWith(day[1])) + 1;
    if (month !== Number(m[2]) || Number(day[2]) !== Number(m[3])) {
      return `${what}: the text's day is not the datetime's (${m[1]}-${m[2]}-${m[3]})`;
    }
  }
  const named = namedOffsets(text);
  if (named && !named.includes(offset)) {
    return `${what}: the text names a zone that is not at offset ${offset} min`;
  }
  const ms = Date.parse(datetime);
  if (Number.isNaN(ms)) return `${what}: the datetime does not parse`;
  const reader = offsetIn(readerZone, ms);
  if (offset !== reader && !named) {
    return `${what}: not in the reader's zone (${readerZone}, offset ${reader} min) and names no zone`;
  }
  return null;
}

/** The <time> elements of an HTML text: [{ datetime, text }] (datetime null when absent). */
export function timesIn(html) {
  return [...html.matchAll(/<time\b([^>]*)>([\s\S]*?)<\/time>/g)].map((t) => {
    const dt = /\bdatetime="([^"]*)"/.exec(t[1]);
    return { datetime: dt ? dt[1] : null, text: t[2].replace(/<[^>]*>/g, '') };
  });
}

/**
 * Times of day printed outside a <time> in a page's <main>, leaving out what people wrote,
 * form controls and code (see the rule above). Returns the offending snippets.
 */
export function bareTimes(html) {
  const main = /<main\b[^>]*>([\s\S]*)<\/main>/.exec(html);
  let rest = main ? main[1] : html;
  for (const re of [/<time\b[\s\S]*?<\/time>/g, /<div class="post-body">[\s\S]*?<\/div>/g,
    /<select\b[\s\S]*?<\/select>/g, /<textarea\b[\s\S]*?<\/textarea>/g, /<code\b[\s\S]*?<\/code>/g,
    /<pre\b[\s\S]*?<\/pre>/g, /<p class="snippet">[\s\S]*?<\/p>/g, /<p class="[^"]*\bexcerpt">[\s\S]*?<\/p>/g,
    /<(p|blockquote) class="prompt-text">[\s\S]*?<\/\1>/g]) {
    rest = rest.replace(re, ' ');
  }
  const text = rest.replace(/<[^>]*>/g, ' ');
  return [...text.matchAll(/.{0,30}\b\d{1,2}:\d{2}\s?(?:am|pm)\b.{0,10}/gi)].map((x) => x[0].trim());
}

/** Every problem with the times of a page seen by a reader in readerZone ([] when none). */
export function timeProblems(html, readerZone) {
  const out = timesIn(html).map((t) => checkTime(t.datetime, t.text, readerZone)).filter(Boolean);
  for (const b of bareTimes(html)) out.push(`a time outside a <time> element: “${b}”`);
  return out;
}
