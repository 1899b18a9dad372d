/*
 * demo.c - see demo.h. The people are fictional; the faculty named on the
 * course page are not turned into accounts.
 */
#include "cairn/demo.h"
#include "cairn/accounts.h"
#include "cairn/arena.h"
#include "cairn/clock.h"
#include "cairn/db.h"
#include "cairn/forum.h"
#include "cairn/journal.h"
#include "cairn/log.h"
#include "cairn/migrate.h"
#include "cairn/placement.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define DEMO_PASSWORD "cairn-demo-2026"

static const account_fields people[] = {
	{"admin@cairn.test", "admin", "Morgan Admin", "other", "", "America/New_York", "both", true},
	{"director@cairn.test", "rivera", "Dr. Elena Rivera", "physician", "she/her",
	 "America/New_York", "both", false},
	{"facilitator@cairn.test", "okafor", "Chidi Okafor, RN", "nurse", "he/him",
	 "America/Chicago", "adult", false},
	{"nurse@cairn.test", "priya", "Priya Natarajan, RN", "nurse", "she/her",
	 "America/New_York", "adult", false},
	{"chaplain@cairn.test", "sam", "Sam Whitfield", "chaplain", "they/them",
	 "America/Denver", "adult", false},
	{"pediatrics@cairn.test", "lee", "Dr. Jordan Lee", "physician", "he/him",
	 "America/Los_Angeles", "pediatric", false},
	{"socialwork@cairn.test", "amara", "Amara Osei, LICSW", "social_worker", "she/her",
	 "America/New_York", "pediatric", false},
	{"pharmacist@cairn.test", "tomas", "Tomás Herrera, PharmD", "pharmacist", "",
	 "America/New_York", "adult", false},
	/* The rest of the May cohort, so that it makes more than one small
	 * group per track (sql/demo/groups.sql), and a newcomer for the next
	 * course. */
	{"hospitalist@cairn.test", "bell", "Dr. Marcus Bell", "physician", "he/him",
	 "America/Chicago", "adult", false},
	{"pa@cairn.test", "kim", "Rachel Kim, PA-C", "pa", "she/her", "America/Los_Angeles", "adult",
	 false},
	{"psychologist@cairn.test", "adeyemi", "Dr. Naomi Adeyemi", "psychologist", "she/her",
	 "America/New_York", "adult", false},
	{"np@cairn.test", "cho", "Daniel Cho, NP", "np", "he/him", "America/Denver", "adult", false},
	{"fellow@cairn.test", "weiss", "Dr. Hannah Weiss", "resident_fellow", "she/her",
	 "America/New_York", "adult", false},
	{"picu@cairn.test", "ruiz", "Gabriela Ruiz, RN", "nurse", "she/her", "America/Chicago",
	 "pediatric", false},
	{"pedschaplain@cairn.test", "mensah", "Rev. Ayodele Mensah", "chaplain", "he/him",
	 "America/New_York", "pediatric", false},
	{"hospice@cairn.test", "ferrari", "Lucia Ferrari, LCSW", "social_worker", "she/her",
	 "America/New_York", "adult", false},
};

/* The demo learners' own journal entries (issues 13 and 14): Priya's,
 * Sam's, Tomás's, Dr. Lee's, Amara's and Gabriela's, most written from the
 * prompts of the May cohort's reflection and small-group sessions
 * (sql/demo/prompts.sql), a few about a course without one, Foundations
 * included. Only the loader can write them: it holds each one's journal key
 * for the moment their account is created (the server never can afterwards
 * without their password). */
static const struct {
	const char *handle;
	const char *offering;  /* slug */
	int day;               /* days after the offering's first day */
	const char *at;        /* local time, in the offering's zone */
	int prompt_day;        /* the agenda day of the prompt (0: none) */
	const char *prompt;    /* the session's title */
	const char *title, *tags, *body;
} demo_journal[] = {
	{"priya", "foundations-2026-01", 2, "18:10", 0, NULL,
	 "Foundations, last day: what I want to learn next",
	 "foundations\nlearning",
	 "Three days of frameworks and I keep coming back to one sentence from the first morning: "
	 "*palliative care is care of the whole person, from the moment of diagnosis*.\n\n"
	 "On my unit we call palliative when we have run out of things to do. I want Core Practice "
	 "to give me words for the earlier conversations, the ones I avoid on night shift."},
	{"priya", "core-practice-2026-05", 0, "17:20", 1,
	 "Small Group Community Building and Reflection",
	 "What I carry home from the night shifts",
	 "small group\nsustainability\nnight shift",
	 "We went around the circle and said one thing we carry home from work. I said "
	 "\"the quiet after the call light stops\", and then could not say more, and nobody rushed "
	 "me. That is new for me.\n\n"
	 "Things I want to remember from the scaffolds session:\n\n"
	 "- Ask about **the person** before the symptoms: *what matters most to you right now?*\n"
	 "- Spiritual distress is an assessment domain, not a consult I hand off.\n"
	 "- I already do half of this at 3 a.m. I just never called it assessment.\n\n"
	 "Sam said sustainability is not self-care homework, it is how a team shares the weight. "
	 "I want to bring that to our unit huddle: five minutes after a death, before the next "
	 "admission.\n\n"
	 "> Notice what you notice. (Facilitator, end of the block)"},
	{"priya", "core-practice-2026-05", 1, "16:58", 2, "Small Group Reflection",
	 "Delivering serious news: the pause",
	 "serious news\ncommunication\npractice",
	 "Practice with the simulated daughter today. I gave the warning shot and then filled "
	 "the silence *immediately*, with numbers. Chidi stopped the role-play and asked what "
	 "I was afraid would happen in the silence. Honest answer: that she would cry and I "
	 "would not know what to do with my hands.\n\n"
	 "Second try I counted to seven in my head. She (the actor) said \"so he is dying\", "
	 "and I said \"yes\" and nothing else for a moment. It felt like the most useful thing "
	 "I did all day.\n\n"
	 "For next shift:\n\n"
	 "1. Ask what they already know before I say anything.\n"
	 "2. Name the emotion before the plan.\n"
	 "3. Let the silence do some of the work.\n\n"
	 "Tired, but the good kind."},
	{"sam", "core-practice-2026-05", 0, "17:45", 1,
	 "Small Group Community Building and Reflection",
	 "The family who asked me to pray for a miracle",
	 "spiritual care\nhope",
	 "I thought of the family who asked me last month to pray "
	 "for a miracle. I did, and I also asked what they would be hoping for if the miracle did "
	 "not come. The daughter said: *that he is not alone*.\n\n"
	 "Today I noticed I never told the team that. It stayed with me instead of going into the "
	 "plan. What I carry home is what I do not pass on."},
	{"sam", "core-practice-2026-05", 2, "16:40", 3,
	 "Community Building and Self Reflection (Small Groups)",
	 "What sustains me",
	 "sustainability\nritual",
	 "Sustains: the moment after a death when the nurse and I stand at the foot of the bed for "
	 "a breath before anyone moves. Drains: the hallway conversations with no chair.\n\n"
	 "The practice I will keep: ask for the chair. Priya offered to hold me to it."},
	{"tomas", "core-practice-2026-05", 1, "17:30", 2, "Small Group Reflection",
	 "Numbers are not the news",
	 "serious news\npharmacy",
	 "In the practice I kept explaining doses to the simulated patient. Dr. Adeyemi pointed out "
	 "that every time the patient went quiet I offered another number.\n\n"
	 "I am good at numbers because they are safe. Next time I want to ask one question before "
	 "any number: *what worries you most about the medicines?*"},
	{"lee", "core-practice-2026-05", 1, "11:20", 2, "Small Group Start-Up",
	 "The first time I heard the news given",
	 "serious news\npediatrics\nmemory",
	 "Residency, a four-year-old, and an attending who sat on the floor so she was lower than "
	 "the parents. I remember the silence was long and nobody filled it. I remember thinking "
	 "she had made a mistake, and then understanding years later that she had not.\n\n"
	 "Today I want to try sitting down first."},
	{"lee", "core-practice-2026-05", 9, "21:05", 0, NULL,
	 "A week later: sitting down",
	 "practice\npediatrics",
	 "Sat down first in a family meeting on Tuesday. The father said later it was the first "
	 "time he felt someone had time for them. It cost me perhaps two minutes."},
	{"amara", "core-practice-2026-05", 2, "16:50", 3,
	 "Community Building and Self Reflection (Small Groups)",
	 "Keeping the walk to the car",
	 "sustainability\nsocial work",
	 "What drains me: being the person who holds everyone's feelings and then charts it in "
	 "three lines. What sustains me: the families who call a year later.\n\n"
	 "The practice I will keep is the walk to the car without my phone. Gabriela will ask me "
	 "about it in our group."},
	{"ruiz", "core-practice-2026-05", 0, "17:35", 1,
	 "Small Group Community Building and Reflection",
	 "What I did not name",
	 "PICU\ngrief",
	 "I noticed, thinking back, that the mother kept asking about her son's hands being cold. "
	 "I answered as a nurse (circulation). She was asking something else. I want to be able "
	 "to hear the other question next time."},
};

/* The entries of demo_journal that belong to `handle`, sealed under jmk
 * (key version 1, just made with the account), each linked to its prompt. */
static bool load_journal(PGconn *db, arena *a, const char *handle, int64_t uid,
                         const uint8_t jmk[32])
{
	bool ok = true;
	for (size_t i = 0; ok && i < sizeof demo_journal / sizeof demo_journal[0]; i++) {
		if (strcmp(demo_journal[i].handle, handle))
			continue;
		PGresult *r = db_q(db,
			"SELECT o.id, extract(epoch FROM ((o.starts_on + $2::int) + $3::time)"
			"  AT TIME ZONE o.time_zone)::bigint AS at,"
			" (SELECT p.id FROM journal_prompts p JOIN agenda_items ai ON ai.id = p.agenda_item_id"
			"  WHERE ai.offering_id = o.id AND ai.day_number = $4::int AND ai.title = $5"
			"  AND p.track IS NULL) AS prompt_id"
			" FROM offerings o WHERE o.slug = $1",
			demo_journal[i].offering, arena_sprintf(a, "%d", demo_journal[i].day),
			demo_journal[i].at, arena_sprintf(a, "%d", demo_journal[i].prompt_day),
			demo_journal[i].prompt ? demo_journal[i].prompt : "");
		ok = r != NULL;
		if (ok && PQntuples(r) == 1) {
			long long at = atoll(db_col(r, 0, "at"));
			ok = journal_write(db, a, uid, jmk, 1, atoll(db_col(r, 0, "id")),
			                   atoll(db_col(r, 0, "prompt_id")), demo_journal[i].title,
			                   demo_journal[i].tags, demo_journal[i].body, at, NULL);
		}
		PQclear(r);
	}
	return ok;
}

/* The demo's reflection prompts (sql/demo/prompts.sql, idempotent). */
static bool load_prompts(PGconn *db, const char *sql_dir)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/demo/prompts.sql", sql_dir);
	return migrate_run_file(db, path);
}

/* A conversation script (sql/demo/<name>.sql, then <name>_after.sql),
 * written once: when `loaded_sql` (a count) says the spaces it fills hold
 * no thread yet. Every post goes through the forum's own write path, so its
 * HTML, mentions, notifications and reading state are exactly what the site
 * would have made; one transaction for all. A post's space is "series"
 * (the series community), "cohort" or "announcements" (the May 2026
 * offering's), or the name of one of the series' small groups. */
static bool load_posts(PGconn *db, const char *sql_dir, const char *origin, FILE *out,
                       const char *name, const char *loaded_sql, const char *what)
{
	PGresult *r = db_q0(db, loaded_sql);
	if (!r)
		return false;
	bool loaded = strcmp(db_val(r, 0, 0), "0") != 0;
	PQclear(r);
	if (loaded)
		return true;

	arena a;
	arena_init(&a, 0);
	char path[4096];
	PGresult *posts = NULL;
	bool ok = db_begin(db);
	snprintf(path, sizeof path, "%s/demo/%s.sql", sql_dir, name);
	ok = ok && migrate_exec_file(db, path);
	if (ok)
		posts = db_q0(db,
			"SELECT p.thread, u.id AS author_id, extract(epoch FROM p.at)::bigint AS at,"
			" p.title, p.body, p.note,"
			" CASE WHEN p.space = 'series' THEN (SELECT s.id FROM spaces s JOIN series se"
			"   ON se.id = s.series_id WHERE s.kind = 'series' AND se.slug = 'palliative-care')"
			" WHEN p.space IN ('cohort', 'announcements') THEN (SELECT s.id FROM spaces s"
			"   JOIN offerings o ON o.id = s.offering_id"
			"   WHERE o.slug = 'core-practice-2026-05' AND s.kind = p.space)"
			" ELSE (SELECT s.id FROM spaces s JOIN groups g ON g.id = s.group_id"
			"   JOIN series se ON se.id = g.series_id"
			"   WHERE se.slug = 'palliative-care' AND g.name = p.space) END AS space_id"
			" FROM demo_posts p JOIN users u ON u.handle = p.handle ORDER BY p.at");
	ok = posts != NULL;
	int rows = ok ? PQntuples(posts) : 0;
	int c_thread = PQfnumber(posts, "thread"), c_author = PQfnumber(posts, "author_id"),
	    c_at = PQfnumber(posts, "at"), c_title = PQfnumber(posts, "title"),
	    c_body = PQfnumber(posts, "body"), c_space = PQfnumber(posts, "space_id"),
	    c_note = PQfnumber(posts, "note");
	for (int i = 0; ok && i < rows; i++) {
		const char *key = db_val(posts, i, c_thread);
		bool opening = !PQgetisnull(posts, i, c_title);
		if (PQgetisnull(posts, i, c_space)) {
			log_error("demo: the thread '%s' names a space that does not exist", key);
			ok = false;
			break;
		}
		forum_post_in in = {
			.author_id = atoll(db_val(posts, i, c_author)),
			.space_id = atoll(db_val(posts, i, c_space)),
			.title = opening ? db_val(posts, i, c_title) : NULL,
			.body = db_val(posts, i, c_body),
			.content_note = db_val(posts, i, c_note),
			.at = atoll(db_val(posts, i, c_at)),
			.origin = origin,
		};
		if (!opening) {
			r = db_q(db, "SELECT id FROM demo_threads WHERE key = $1", key);
			ok = r && PQntuples(r) == 1;
			in.thread_id = ok ? atoll(db_val(r, 0, 0)) : 0;
			PQclear(r);
			if (!ok) {
				log_error("demo: a reply in '%s' comes before the thread starts", key);
				break;
			}
		}
		int64_t thread_id;
		int number;
		const char *problem;
		ok = forum_write_post(db, &a, &in, &thread_id, &number, &problem);
		if (!ok && problem)
			log_error("demo: a post in '%s' was refused: %s", key, problem);
		if (ok && opening)
			ok = db_exec(db, "INSERT INTO demo_threads (key, id) VALUES ($1, $2)", 2,
			             (const char *[]){key, arena_sprintf(&a, "%lld", (long long)thread_id)});
	}
	PQclear(posts);
	snprintf(path, sizeof path, "%s/demo/%s_after.sql", sql_dir, name);
	ok = ok && migrate_exec_file(db, path) && db_commit(db);
	if (!ok)
		db_rollback(db);
	else
		fprintf(out, "Loaded %s (%d posts).\n", what, rows);
	arena_free(&a);
	return ok;
}

/* The cohort's and the series community's conversation. */
static bool load_conversation(PGconn *db, const char *sql_dir, const char *origin, FILE *out)
{
	return load_posts(db, sql_dir, origin, out, "conversation",
	                  "SELECT count(*) FROM threads t JOIN spaces s ON s.id = t.space_id"
	                  " JOIN offerings o ON o.id = s.offering_id"
	                  " WHERE o.slug = 'core-practice-2026-05'",
	                  "the demo conversation");
}

/* The small groups' conversation and moderation (issues 11 and 12): after
 * the groups are placed, once, when no group of the series holds a thread. */
static bool load_group_conversation(PGconn *db, const char *sql_dir, const char *origin,
                                    FILE *out)
{
	return load_posts(db, sql_dir, origin, out, "groups_conversation",
	                  "SELECT count(*) FROM threads t JOIN spaces s ON s.id = t.space_id"
	                  " JOIN groups g ON g.id = s.group_id JOIN series se ON se.id = g.series_id"
	                  " WHERE se.slug = 'palliative-care'",
	                  "the small groups' conversation");
}

/* The series' support page and a learner stepped away from a thread (issue
 * 12 items 5 and 6): sql/demo/support.sql, on every load (idempotent). */
static bool load_support(PGconn *db, const char *sql_dir)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/demo/support.sql", sql_dir);
	return migrate_run_file(db, path);
}

/* The small groups (issue 10 item 6): sql/demo/groups.sql gives the May
 * cohort its next course, then the placement code places the May cohort (as
 * of a week before it met) and the next course's learners (as of now), each
 * with Chidi Okafor as every group's facilitator, placed by Dr. Rivera. One
 * transaction; a second load finds everyone placed and adds nothing. */
static bool load_groups(PGconn *db, const char *sql_dir, FILE *out)
{
	arena a;
	arena_init(&a, 0);
	char path[4096];
	snprintf(path, sizeof path, "%s/demo/groups.sql", sql_dir);
	PGresult *r = NULL;
	bool ok = db_begin(db) && migrate_exec_file(db, path);
	if (ok)
		r = db_q0(db,
			"SELECT (SELECT id FROM offerings WHERE slug = 'core-practice-2026-05') AS may,"
			" (SELECT id FROM offerings WHERE slug = 'third-course-upcoming') AS next,"
			" (SELECT id FROM users WHERE handle = 'okafor') AS okafor,"
			" (SELECT id FROM users WHERE handle = 'rivera') AS rivera,"
			" extract(epoch FROM timestamptz '2026-05-06 12:00 America/New_York')::bigint AS may_at");
	ok = r && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0) && !PQgetisnull(r, 0, 1) &&
	     !PQgetisnull(r, 0, 2) && !PQgetisnull(r, 0, 3);
	placement_summary may = {0}, next = {0};
	const char *problem = NULL;
	if (ok) {
		int64_t okafor = atoll(db_col(r, 0, "okafor")), rivera = atoll(db_col(r, 0, "rivera"));
		ok = placement_commit_proposal(db, &a, atoll(db_col(r, 0, "may")), &okafor, 1, rivera,
		                               atoll(db_col(r, 0, "may_at")), &may, &problem) &&
		     placement_commit_proposal(db, &a, atoll(db_col(r, 0, "next")), &okafor, 1, rivera,
		                               (long long)clock_now(), &next, &problem);
	}
	PQclear(r);
	ok = ok && db_commit(db);
	if (!ok) {
		db_rollback(db);
		log_error("demo: the small groups could not be placed%s%s", problem ? ": " : "",
		          problem ? problem : "");
	} else if (may.new_groups || may.joined || may.facilitators || next.new_groups ||
	           next.joined || next.facilitators) {
		fprintf(out, "Placed the May 2026 cohort into %d small groups (%d learners) and its "
		             "next course's %d learners (%d new to a group).\n",
		        may.groups, may.learners, next.learners, next.joined);
	}
	arena_free(&a);
	return ok;
}

bool demo_load(PGconn *db, const char *sql_dir, const char *origin, FILE *out)
{
	PGresult *r = db_q0(db, "SELECT count(*) FROM series WHERE slug = 'palliative-care'");
	if (!r)
		return false;
	bool loaded = strcmp(db_val(r, 0, 0), "0") != 0;
	PQclear(r);
	if (!loaded) {
		char path[4096];
		snprintf(path, sizeof path, "%s/demo/series.sql", sql_dir);
		if (!migrate_run_file(db, path))
			return false;
		fprintf(out, "Loaded the demo series (Palliative Care Education Series).\n");
	}

	/* The prompts first: the learners' entries link to them. */
	if (!load_prompts(db, sql_dir))
		return false;
	arena a;
	arena_init(&a, 0);
	bool ok = true;
	for (size_t i = 0; ok && i < sizeof people / sizeof people[0]; i++) {
		r = db_q(db, "SELECT 1 FROM users WHERE lower(email) = $1", people[i].email);
		if (!r) {
			ok = false;
			break;
		}
		bool exists = PQntuples(r) > 0;
		PQclear(r);
		if (exists)
			continue;
		int64_t uid;
		uint8_t jmk[32];
		char code[64];
		const char *conflict = NULL;
		ok = db_begin(db) &&
		     accounts_create(db, &a, &people[i], DEMO_PASSWORD, &uid, jmk, code, &conflict) &&
		     load_journal(db, &a, people[i].handle, uid, jmk) &&
		     db_exec(db, "UPDATE credentials SET recovery_confirmed = true WHERE user_id = $1",
		             1, (const char *[]){arena_sprintf(&a, "%lld", (long long)uid)}) &&
		     db_commit(db);
		sodium_memzero(jmk, sizeof jmk);
		sodium_memzero(code, sizeof code);
		if (!ok) {
			db_rollback(db);
			log_error("demo: cannot create %s%s%s", people[i].email, conflict ? ": " : "",
			          conflict ? conflict : "");
		}
	}
	arena_free(&a);
	if (!ok)
		return false;
	char path[4096];
	snprintf(path, sizeof path, "%s/demo/enrollments.sql", sql_dir);
	if (!migrate_run_file(db, path) || !load_conversation(db, sql_dir, origin, out) ||
	    !load_groups(db, sql_dir, out) || !load_group_conversation(db, sql_dir, origin, out) ||
	    !load_support(db, sql_dir) || !load_prompts(db, sql_dir))
		return false;
	fprintf(out, "\nDemo logins (password for every account: %s)\n", DEMO_PASSWORD);
	for (size_t i = 0; i < sizeof people / sizeof people[0]; i++)
		fprintf(out, "  %-24s %s%s\n", people[i].email, people[i].display_name,
		        people[i].is_admin ? " (administrator)" : "");
	return true;
}
