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

/* Two entries of Priya's private journal, written after the reflection
 * blocks of days 1 and 2 of the May cohort. Only the loader can write them:
 * it holds her journal key for the moment her account is created (the
 * server never can afterwards without her password). */
static const struct {
	int day;             /* 0: the offering's first day */
	const char *at;      /* local time, in the offering's zone */
	const char *title, *tags, *body;
} priya_journal[] = {
	{0, "17:20", "What I carry home from the night shifts",
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
	{1, "16:58", "Delivering serious news: the pause",
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
};

static bool load_priya_journal(PGconn *db, arena *a, int64_t uid, const uint8_t jmk[32])
{
	PGresult *r = db_q0(db,
		"SELECT id, starts_on, time_zone FROM offerings WHERE slug = 'core-practice-2026-05'");
	if (!r)
		return false;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return true;   /* no May cohort in this database: nothing to reflect on */
	}
	const char *oid = arena_strdup(a, db_val(r, 0, 0));
	const char *starts = arena_strdup(a, db_val(r, 0, 1));
	const char *zone = arena_strdup(a, db_val(r, 0, 2));
	PQclear(r);
	bool ok = true;
	for (size_t i = 0; ok && i < sizeof priya_journal / sizeof priya_journal[0]; i++) {
		r = db_q(db,
			"SELECT extract(epoch FROM (($1::date + $2::int) + $3::time) AT TIME ZONE $4)::bigint",
			starts, arena_sprintf(a, "%d", priya_journal[i].day), priya_journal[i].at, zone);
		ok = r != NULL;
		long long at = ok ? atoll(db_val(r, 0, 0)) : 0;
		PQclear(r);
		ok = ok && journal_write(db, a, uid, jmk, 1, atoll(oid), priya_journal[i].title,
		                         priya_journal[i].tags, priya_journal[i].body, at, NULL);
	}
	return ok;
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
		     (strcmp(people[i].handle, "priya") || load_priya_journal(db, &a, uid, jmk)) &&
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
	    !load_support(db, sql_dir))
		return false;
	fprintf(out, "\nDemo logins (password for every account: %s)\n", DEMO_PASSWORD);
	for (size_t i = 0; i < sizeof people / sizeof people[0]; i++)
		fprintf(out, "  %-24s %s%s\n", people[i].email, people[i].display_name,
		        people[i].is_admin ? " (administrator)" : "");
	return true;
}
