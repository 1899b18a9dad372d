/*
 * enroll_import.c - enrollments imported from a registration portal's CSV
 * export. See enroll_import.h.
 *
 * The text is read by csv.c; this file maps its columns, checks each row on
 * its own (read_batch), decides what each good row will do against the
 * database (classify), and does it (import_rows). classify runs once per
 * request: read-only for the preview, and for the import inside the
 * transaction, after the offering row is locked, so what is written
 * matches the database at the moment of writing even when the preview is
 * old or two admins confirm the same file at once (the second finds
 * everyone already enrolled or invited).
 *
 * Nothing here trusts the preview: confirming sends the whole text again
 * and every check is made again.
 */
#include "cairn/enroll_import.h"
#include "cairn/accounts.h"
#include "cairn/authz.h"
#include "cairn/clock.h"
#include "cairn/csv.h"
#include "cairn/enroll.h"
#include "cairn/fees.h"
#include "cairn/log.h"
#include "cairn/outbox.h"
#include "cairn/session.h"
#include "cairn/tokens.h"
#include "cairn/zone.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

enum { MAX_NAME = 100, MAX_TEAM = 120, MAX_EMAIL = 254, MAX_EMAIL_LOCAL = 64 };

typedef enum column { COL_NAME, COL_EMAIL, COL_PROFESSION, COL_CATEGORY, COL_TEAM, NCOLS } column;

/* Header names as normalize() leaves them. */
static const struct {
	const char *names[3];
	bool required;
} columns[NCOLS] = {
	[COL_NAME] = {{"name", "full name", NULL}, true},
	[COL_EMAIL] = {{"email", "e mail", "email address"}, true},
	[COL_PROFESSION] = {{"profession", NULL, NULL}, true},
	[COL_CATEGORY] = {{"fee category", "category", NULL}, true},
	[COL_TEAM] = {{"team", "team name", NULL}, false},
};

#define COLUMNS_SENTENCE \
	"The columns are name, email, profession, fee category and (optional) team."

/* users.profession (sql/002_accounts.sql); labels come from accounts.c. */
static const char *const profession_codes[] = {
	"physician", "nurse", "np", "pa", "psychologist", "psychiatrist", "social_worker",
	"chaplain", "pharmacist", "resident_fellow", "other",
};

/* Other words portals use for the same professions. */
static const struct { const char *word, *code; } profession_words[] = {
	{"md", "physician"},
	{"do", "physician"},
	{"rn", "nurse"},
	{"resident", "resident_fellow"},
	{"fellow", "resident_fellow"},
	{"resident/fellow", "resident_fellow"},
};

typedef enum row_action {
	ROW_BAD,        /* cannot be imported: problem says why */
	ROW_ENROLL,     /* an account exists: enroll it (or confirm its place) */
	ROW_INVITE,     /* a new person: invite them */
	ROW_ENROLLED,   /* already in the offering: skipped */
	ROW_INVITED,    /* an import invitation already waits: skipped */
} row_action;

typedef struct import_row {
	int line;
	/* Trimmed as written; profession and category as codes. */
	const char *name, *email, *profession, *category, *team;
	bool email_ok;             /* the address is well-formed (duplicates are sought) */
	const char *problem;       /* ROW_BAD: why, as a sentence */
	row_action action;
	int64_t user_id;           /* ROW_ENROLL, ROW_ENROLLED */
	int64_t unpaid;            /* ROW_ENROLL: their place here waiting for payment */
	const char *handle, *display_name;
	const char *role;          /* ROW_ENROLLED: their role in the offering */
	const char *waiting_until; /* ROW_INVITED: when that invitation expires */
	int64_t stale_invite;      /* ROW_INVITE: a waiting non-import invitation, replaced */
	bool team_exists;          /* the team is already on the offering */
	const char *link;          /* ROW_INVITE, after the import: shown once */
} import_row;

typedef struct fee_cat {
	const char *code, *label;
	bool offered;              /* in this offering's fee table */
} fee_cat;

typedef struct batch {
	int64_t offering_id;
	const char *slug, *title, *dates;
	fee_cat *cats;
	size_t ncats;
	import_row *rows;
	size_t n;
	const char **teams_created;
	size_t nteams;
	const char *zone;          /* the admin's time zone, for dates shown */
} batch;

static const char *num(arena *a, long long v);
static bool ascii_alnum(unsigned char c);
static char *normalize(arena *a, const char *s);
static const char *trim(arena *a, const char *s);
static bool email_valid(const char *e);
static const char *match_profession(arena *a, const char *s);
static const fee_cat *match_category(arena *a, const batch *b, const char *s);
static const char *map_columns(arena *a, const csv_record *h, int col[NCOLS]);
static void add_problem(buf *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check_row(arena *a, batch *b, const csv_record *rec, const int col[NCOLS],
                      import_row *row);
static const char *read_batch(arena *a, const char *text, batch *b);
static bool load_offering(request *req, PGconn *db, batch *b);
static bool classify(PGconn *db, arena *a, batch *b, long long now);
static int64_t team_for(PGconn *db, arena *a, batch *b, const char *name, int64_t admin_id,
                        long long now);
static bool import_rows(request *req, PGconn *db, batch *b, const user *admin, long long now);
static void set_offering(tv *v, arena *a, const batch *b);
static const char *category_label(const batch *b, const char *code);
static const char *rows_text(arena *a, size_t n);
static tv *bad_rows(arena *a, const batch *b, size_t *count);
static void form_view(request *req, const batch *b, int status, const char *text,
                      const char *error);
static void preview_view(request *req, const batch *b, const char *text);
static void result_view(request *req, const batch *b);
static void import_page(request *req);
static void import_post(request *req);

static const char *num(arena *a, long long v)
{
	return arena_sprintf(a, "%lld", v);
}

static bool ascii_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* s in ASCII lower case, '_' and '-' read as spaces, runs of blanks as one
 * space, no blanks at either end: "Fee_Category " and "fee category" are
 * the same header, "Social Worker" and "social_worker" the same value. */
static char *normalize(arena *a, const char *s)
{
	char *out = arena_alloc(a, strlen(s) + 1), *o = out;
	bool space = false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char c = *p;
		if (c == ' ' || c == '\t' || c == '_' || c == '-') {
			space = o != out;
			continue;
		}
		if (space)
			*o++ = ' ';
		space = false;
		*o++ = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	*o = '\0';
	return out;
}

static const char *trim(arena *a, const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return arena_strndup(a, s, n);
}

/* A plain ASCII address: one '@', a local part of the usual characters, a
 * dotted domain. Stricter than users.email's CHECK on purpose: a typo in a
 * portal export is better caught here than bounced later. */
static bool email_valid(const char *e)
{
	size_t n = strlen(e);
	const char *at = strchr(e, '@');
	if (n < 3 || n > MAX_EMAIL || !at || at == e || at - e > MAX_EMAIL_LOCAL ||
	    strchr(at + 1, '@'))
		return false;
	for (const char *p = e; p < at; p++)
		if (!ascii_alnum((unsigned char)*p) && !strchr("!#$%&'*+/=?^_`{|}~.-", *p))
			return false;
	const char *d = at + 1;
	size_t dn = strlen(d);
	if (dn < 3 || d[0] == '.' || d[dn - 1] == '.' || !strchr(d, '.') || strstr(d, ".."))
		return false;
	for (const char *p = d; *p; p++)
		if (!ascii_alnum((unsigned char)*p) && *p != '-' && *p != '.')
			return false;
	return true;
}

/* The profession code for a code, a label ("Nurse practitioner") or a
 * common abbreviation, in any case; NULL if none. */
static const char *match_profession(arena *a, const char *s)
{
	const char *want = normalize(a, s);
	for (size_t i = 0; i < sizeof profession_codes / sizeof profession_codes[0]; i++) {
		const char *code = profession_codes[i];
		if (!strcmp(want, normalize(a, code)) ||
		    !strcmp(want, normalize(a, accounts_profession_label(code))))
			return code;
	}
	for (size_t i = 0; i < sizeof profession_words / sizeof profession_words[0]; i++)
		if (!strcmp(want, profession_words[i].word))
			return profession_words[i].code;
	return NULL;
}

/* The fee category for a code or a label (fee_categories.label), in any
 * case; NULL if none. */
static const fee_cat *match_category(arena *a, const batch *b, const char *s)
{
	const char *want = normalize(a, s);
	for (size_t i = 0; i < b->ncats; i++)
		if (!strcmp(want, normalize(a, b->cats[i].code)) ||
		    !strcmp(want, normalize(a, b->cats[i].label)))
			return &b->cats[i];
	return NULL;
}

/* Fill col[] with the field index of each column (-1: absent). Returns why
 * the header will not do, or NULL. */
static const char *map_columns(arena *a, const csv_record *h, int col[NCOLS])
{
	for (int c = 0; c < NCOLS; c++)
		col[c] = -1;
	for (size_t i = 0; i < h->n; i++) {
		const char *name = normalize(a, h->fields[i]);
		int found = -1;
		for (int c = 0; c < NCOLS && found < 0; c++)
			for (int k = 0; k < 3 && columns[c].names[k]; k++)
				if (!strcmp(name, columns[c].names[k]))
					found = c;
		if (found < 0 && !*name)
			return arena_sprintf(a, "column %zu of the header has no name (an extra comma?)",
			                     i + 1);
		if (found < 0)
			return arena_sprintf(a, "the header has an unknown column, “%s”", h->fields[i]);
		if (col[found] >= 0)
			return arena_sprintf(a, "the header has the column “%s” twice",
			                     columns[found].names[0]);
		col[found] = (int)i;
	}
	for (int c = 0; c < NCOLS; c++)
		if (columns[c].required && col[c] < 0)
			return arena_sprintf(a, "the header has no “%s” column", columns[c].names[0]);
	return NULL;
}

static void add_problem(buf *why, const char *fmt, ...)
{
	va_list ap;
	if (why->len)
		buf_puts(why, "; ");
	va_start(ap, fmt);
	buf_vappendf(why, fmt, ap);
	va_end(ap);
}

/* Check one record on its own (and its email against the rows before it);
 * row->action is ROW_BAD with problem set, or ROW_ENROLL until classify
 * says more. */
static void check_row(arena *a, batch *b, const csv_record *rec, const int col[NCOLS],
                      import_row *row)
{
	buf why;
	buf_init(&why, a, 0);
	memset(row, 0, sizeof *row);
	row->line = rec->line;
	row->name = trim(a, rec->fields[col[COL_NAME]]);
	row->email = trim(a, rec->fields[col[COL_EMAIL]]);
	row->team = col[COL_TEAM] >= 0 ? trim(a, rec->fields[col[COL_TEAM]]) : "";
	const char *prof = trim(a, rec->fields[col[COL_PROFESSION]]);
	const char *cat = trim(a, rec->fields[col[COL_CATEGORY]]);

	if (!*row->name)
		add_problem(&why, "the name is missing");
	else if (strpbrk(row->name, "\r\n"))
		add_problem(&why, "the name holds a line break");
	else if (utf8_length(row->name, strlen(row->name)) > MAX_NAME)
		add_problem(&why, "the name is longer than %d characters", MAX_NAME);
	if (!*row->email) {
		add_problem(&why, "the email address is missing");
	} else if (!email_valid(row->email)) {
		add_problem(&why, "“%s” is not an email address", row->email);
	} else {
		row->email_ok = true;
		for (size_t i = 0; i < b->n; i++) {
			if (b->rows[i].email_ok && !strcasecmp(b->rows[i].email, row->email)) {
				add_problem(&why, "the email address %s is also on line %d", row->email,
				            b->rows[i].line);
				break;
			}
		}
	}
	if (!*prof)
		add_problem(&why, "the profession is missing");
	else if (!(row->profession = match_profession(a, prof)))
		add_problem(&why, "unknown profession “%s”", prof);
	const fee_cat *fc = NULL;
	if (!*cat)
		add_problem(&why, "the fee category is missing");
	else if (!(fc = match_category(a, b, cat)))
		add_problem(&why, "unknown fee category “%s”", cat);
	else if (!fc->offered)
		add_problem(&why, "the fee category “%s” is not in this offering's fee table",
		            fc->label);
	else
		row->category = fc->code;
	if (strpbrk(row->team, "\r\n"))
		add_problem(&why, "the team name holds a line break");
	else if (utf8_length(row->team, strlen(row->team)) > MAX_TEAM)
		add_problem(&why, "the team name is longer than %d characters", MAX_TEAM);

	if (!why.len) {
		row->action = ROW_ENROLL;
		return;
	}
	/* One sentence: the first fragment capitalised, a full stop. */
	if (why.data[0] >= 'a' && why.data[0] <= 'z')
		why.data[0] = (char)(why.data[0] - 'a' + 'A');
	buf_putc(&why, '.');
	row->problem = why.data;
	row->action = ROW_BAD;
}

/* Parse text into b->rows. Returns the sentence for a 422 (the text is not
 * CSV, its header will not do, or no row is below it), or NULL. */
static const char *read_batch(arena *a, const char *text, batch *b)
{
	csv_table t;
	csv_error err;
	int col[NCOLS];
	if (!csv_parse(a, text, strlen(text), &t, &err))
		return arena_sprintf(a, "Line %d: %s", err.line, err.message);
	const char *why = map_columns(a, &t.header, col);
	if (why)
		return arena_sprintf(a, "Line %d: %s. " COLUMNS_SENTENCE, t.header.line, why);
	b->rows = arena_calloc(a, t.nrows ? t.nrows : 1, sizeof *b->rows);
	b->n = 0;
	for (size_t i = 0; i < t.nrows; i++) {
		const csv_record *rec = &t.rows[i];
		bool blank = true;
		for (size_t k = 0; k < rec->n && blank; k++)
			blank = !*trim(a, rec->fields[k]);
		if (blank)
			continue;   /* spreadsheets pad their exports with ",,,," lines */
		check_row(a, b, rec, col, &b->rows[b->n]);
		b->n++;
	}
	if (b->n == 0)
		return "There are no rows below the header line: paste the rows to import with it.";
	return NULL;
}

/* The offering named by :id and the fee categories (those of its fee table
 * marked). Answers 404 or 500/503 itself and returns false on failure. */
static bool load_offering(request *req, PGconn *db, batch *b)
{
	arena *a = req->a;
	long long id;
	if (!http_parse_id(http_param(req, "id"), &id)) {
		http_error(req, 404, "There is no such offering.");
		return false;
	}
	PGresult *r = db_q(db,
		"SELECT o.slug, c.title, to_char(o.starts_on, 'FMMonth FMDD, YYYY') || ' – ' ||"
		" to_char(o.ends_on, 'FMMonth FMDD, YYYY')"
		" FROM offerings o JOIN courses c ON c.id = o.course_id WHERE o.id = $1",
		num(a, id));
	if (!r) {
		http_db_error(req);
		return false;
	}
	if (PQntuples(r) != 1) {
		PQclear(r);
		http_error(req, 404, "There is no such offering.");
		return false;
	}
	b->offering_id = id;
	b->slug = arena_strdup(a, db_val(r, 0, 0));
	b->title = arena_strdup(a, db_val(r, 0, 1));
	b->dates = arena_strdup(a, db_val(r, 0, 2));
	PQclear(r);
	r = db_q(db,
		"SELECT fc.code, fc.label, f.category IS NOT NULL FROM fee_categories fc"
		" LEFT JOIN offering_fees f ON f.category = fc.code AND f.offering_id = $1"
		" ORDER BY fc.position",
		num(a, id));
	if (!r) {
		http_db_error(req);
		return false;
	}
	b->ncats = (size_t)PQntuples(r);
	b->cats = arena_calloc(a, b->ncats ? b->ncats : 1, sizeof *b->cats);
	for (size_t i = 0; i < b->ncats; i++) {
		b->cats[i].code = arena_strdup(a, db_val(r, (int)i, 0));
		b->cats[i].label = arena_strdup(a, db_val(r, (int)i, 1));
		b->cats[i].offered = db_val(r, (int)i, 2)[0] == 't';
	}
	PQclear(r);
	return true;
}

/* Decide what each good row does: enroll an account, invite a new person,
 * or skip someone already enrolled or already invited by an import. One
 * query for all rows (addresses cannot hold a line break, so they travel
 * as one text). false on a database error. */
static bool classify(PGconn *db, arena *a, batch *b, long long now)
{
	buf emails;
	buf_init(&emails, a, 0);
	int want = 0;
	for (size_t i = 0; i < b->n; i++) {
		if (b->rows[i].action == ROW_BAD)
			continue;
		buf_appendf(&emails, "%s%s", want ? "\n" : "", b->rows[i].email);
		want++;
	}
	if (!want)
		return true;
	if (emails.failed)
		return false;
	PGresult *r = db_q(db,
		"SELECT coalesce(u.id, 0), coalesce(u.handle, ''), coalesce(u.display_name, ''),"
		" coalesce(e.role, ''), coalesce(k.id, 0), coalesce(k.imported, false),"
		" " ZONE_SQL("k.expires_at", "$4") ","
		" coalesce(e.unpaid, 0)"
		" FROM unnest(string_to_array($2, E'\\n')) WITH ORDINALITY AS x(email, i)"
		" LEFT JOIN users u ON lower(u.email) = lower(x.email)"
		" LEFT JOIN LATERAL (SELECT en.role, CASE WHEN en.state = 'pending_payment'"
		"  AND en.role = 'learner' THEN en.id END AS unpaid FROM enrollments en"
		"  WHERE en.offering_id = $1::bigint AND en.user_id = u.id AND en.state <> 'cancelled'"
		"  LIMIT 1) e ON true"
		" LEFT JOIN LATERAL (SELECT t.id, t.expires_at,"
		"  coalesce(t.data->>'import' = 'true', false) AS imported FROM tokens t"
		"  WHERE t.purpose = 'invite' AND lower(t.email) = lower(x.email)"
		"  AND t.data->>'offering_id' = $1::bigint::text AND t.consumed_at IS NULL"
		"  AND t.revoked_at IS NULL AND t.expires_at > to_timestamp($3)"
		"  ORDER BY imported DESC, t.id DESC LIMIT 1) k ON true"
		" ORDER BY x.i",
		num(a, b->offering_id), emails.data, num(a, now), b->zone);
	if (!r)
		return false;
	if (PQntuples(r) != want) {
		log_error("enroll_import: %d rows classified, %d expected", PQntuples(r), want);
		PQclear(r);
		return false;
	}
	int j = 0;
	for (size_t i = 0; i < b->n; i++) {
		import_row *row = &b->rows[i];
		if (row->action == ROW_BAD)
			continue;
		row->user_id = atoll(db_val(r, j, 0));
		row->handle = arena_strdup(a, db_val(r, j, 1));
		row->display_name = arena_strdup(a, db_val(r, j, 2));
		const char *role = db_val(r, j, 3);
		int64_t invite = atoll(db_val(r, j, 4));
		bool imported = db_val(r, j, 5)[0] == 't';
		row->stale_invite = 0;
		row->unpaid = atoll(db_val(r, j, 7));
		if (row->unpaid) {
			/* They took the place here and paid in the portal: the import
			 * confirms it. */
			row->action = ROW_ENROLL;
		} else if (row->user_id && *role) {
			row->action = ROW_ENROLLED;
			row->role = arena_strdup(a, role);
		} else if (row->user_id) {
			row->action = ROW_ENROLL;
		} else if (invite && imported) {
			row->action = ROW_INVITED;
			row->waiting_until = zone_text(a, db_val(r, j, 6), b->zone, b->zone, ZONE_DATE);
		} else {
			/* A waiting invitation of another kind (a facilitator's) would
			 * enroll them at the price of their profession, outside their
			 * team: the import's, with the portal's category, replaces it. */
			row->action = ROW_INVITE;
			row->stale_invite = invite;
		}
		j++;
	}
	PQclear(r);

	for (size_t i = 0; i < b->n; i++) {
		import_row *row = &b->rows[i];
		if ((row->action != ROW_ENROLL && row->action != ROW_INVITE) || !*row->team)
			continue;
		r = db_q(db, "SELECT 1 FROM teams WHERE offering_id = $1 AND lower(name) = lower($2)"
		             " AND state <> 'cancelled' LIMIT 1",
		         num(a, b->offering_id), row->team);
		if (!r)
			return false;
		row->team_exists = PQntuples(r) > 0;
		PQclear(r);
	}
	return true;
}

/* The offering's team called name (in any case), created now, confirmed,
 * with the admin as coordinator, if there is none. Inside the import's
 * transaction, so a team created for one row is found for the next.
 * 0 on a database error. */
static int64_t team_for(PGconn *db, arena *a, batch *b, const char *name, int64_t admin_id,
                        long long now)
{
	const char *oid = num(a, b->offering_id);
	PGresult *r = db_q(db, "SELECT id FROM teams WHERE offering_id = $1 AND lower(name) = lower($2)"
	                       " AND state <> 'cancelled' ORDER BY id LIMIT 1",
	                   oid, name);
	if (!r)
		return 0;
	if (PQntuples(r) == 1) {
		int64_t id = atoll(db_val(r, 0, 0));
		PQclear(r);
		return id;
	}
	PQclear(r);
	r = db_q(db, "INSERT INTO teams (offering_id, name, coordinator_id, state, created_at,"
	             " confirmed_at) VALUES ($1, $2, $3, 'confirmed', to_timestamp($4),"
	             " to_timestamp($4)) RETURNING id",
	         oid, name, num(a, admin_id), num(a, now));
	if (!r)
		return 0;
	int64_t id = atoll(db_val(r, 0, 0));
	PQclear(r);
	b->teams_created = arena_realloc(a, b->teams_created, b->nteams * sizeof *b->teams_created,
	                                 (b->nteams + 1) * sizeof *b->teams_created);
	b->teams_created[b->nteams++] = name;
	return id;
}

/* Do what classify decided, inside the caller's transaction. A row whose
 * fee category left the offering's fee table since it was checked becomes
 * a bad row; anything else that fails returns false (roll back). */
static bool import_rows(request *req, PGconn *db, batch *b, const user *admin, long long now)
{
	arena *a = req->a;
	const char *origin = req->app->cfg->origin;
	for (size_t i = 0; i < b->n; i++) {
		import_row *row = &b->rows[i];
		if (row->action != ROW_ENROLL && row->action != ROW_INVITE)
			continue;
		fee_rule rule;
		bool failed;
		if (!enroll_fee_rule(db, b->offering_id, row->category, &rule, &failed)) {
			if (failed)
				return false;
			row->action = ROW_BAD;
			row->problem = "The fee category is no longer in this offering's fee table.";
			continue;
		}
		int64_t team = 0;
		if (*row->team && !(team = team_for(db, a, b, row->team, admin->id, now)))
			return false;
		if (row->action == ROW_ENROLL) {
			/* The portal took the place and the payment: no deadline or
			 * capacity check, the individual price as of now. A place they
			 * took here themselves is confirmed at the price they agreed. */
			int64_t eid = row->unpaid;
			enroll_result res = ENROLL_OK;
			if (eid) {
				PGresult *u = db_q(db, "UPDATE enrollments SET state = 'confirmed',"
				                       " confirmed_at = to_timestamp($2),"
				                       " team_id = coalesce(nullif($3, '0')::bigint, team_id)"
				                       " WHERE id = $1 AND state = 'pending_payment' RETURNING id",
				                   num(a, eid), num(a, now), num(a, team));
				if (!u)
					return false;
				res = PQntuples(u) ? ENROLL_OK : ENROLL_ALREADY;
				PQclear(u);
			} else {
				res = enroll_learner(db, a, b->offering_id, row->user_id, row->category,
				                     "confirmed", "import", 1, team, NULL, now, false, &eid);
			}
			if (res == ENROLL_ALREADY) {
				row->action = ROW_ENROLLED;
				row->role = "learner";
				continue;
			}
			if (res != ENROLL_OK)
				return false;
			if (!outbox_put(db, a, row->email, "enrollment",
			                arena_sprintf(a, "Your enrollment: %s", b->title),
			                arena_sprintf(a,
			                    "Hello %s,\n\nYour registration for %s (%s) through the "
			                    "registration portal is confirmed, and you are in the course's "
			                    "cohort on Cairn.\n\nSee your enrollment: %s/enrollments/%lld\n",
			                    row->display_name, b->title, b->dates, origin, (long long)eid),
			                now))
				return false;
			continue;
		}
		/* A new person: the invitation carries the category and the quote
		 * as of now, so accepting it later enrolls them as the portal did
		 * (enroll_after_invite). */
		fee_quote q = fees_quote(&rule, (time_t)now, 1);
		if (row->stale_invite && !token_revoke(db, row->stale_invite, now))
			return false;
		token_data data = {
			.offering_id = b->offering_id,
			.role = "learner",
			.import = true,
			.fee_category = row->category,
			.team_id = team,
			.price_kind = q.early ? "early" : "regular",
			.course_fee_cents = q.course_fee_cents,
			.processing_fee_cents = q.processing_cents,
		};
		char token[CRYPTO_TOKEN_TEXT_BYTES + 1];
		int64_t tid = token_issue(db, a, "invite", 0, row->email, false, admin->id,
		                          IMPORT_INVITE_TTL_SECONDS, &data, now, token);
		if (!tid) {
			sodium_memzero(token, sizeof token);
			return false;
		}
		row->link = arena_sprintf(a, "%s/invite?token=%s", origin, token);
		sodium_memzero(token, sizeof token);
		if (!outbox_put(db, a, row->email, "invite",
		                arena_sprintf(a, "Your place in %s: create your Cairn account", b->title),
		                arena_sprintf(a,
		                    "Hello %s,\n\nYour registration for %s (%s) is confirmed. The "
		                    "course's cohort meets on Cairn between and after the live "
		                    "sessions.\nCreate your account here (the link works once and "
		                    "expires in 14 days):\n%s\n",
		                    row->name, b->title, b->dates, row->link),
		                now))
			return false;
	}
	return true;
}

/* ---- pages ---- */

static void set_offering(tv *v, arena *a, const batch *b)
{
	tv *o = tv_set(v, "offering", tv_obj(a));
	tv_set_str(o, "id", num(a, b->offering_id));
	tv_set_str(o, "slug", b->slug);
	tv_set_str(o, "title", b->title);
	tv_set_str(o, "dates", b->dates);
}

static const char *category_label(const batch *b, const char *code)
{
	for (size_t i = 0; code && i < b->ncats; i++)
		if (!strcmp(b->cats[i].code, code))
			return b->cats[i].label;
	return code ? code : "";
}

static const char *rows_text(arena *a, size_t n)
{
	return arena_sprintf(a, "%zu row%s", n, n == 1 ? "" : "s");
}

static void form_view(request *req, const batch *b, int status, const char *text,
                      const char *error)
{
	arena *a = req->a;
	tv *v = tv_obj(a);
	set_offering(v, a, b);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_str(v, "csv", text);
	tv_set_str(v, "error", error);
	tv *cats = tv_set(v, "categories", tv_list(a));
	for (size_t i = 0; i < b->ncats; i++) {
		if (!b->cats[i].offered)
			continue;
		tv *c = tv_push(cats, tv_obj(a));
		tv_set_str(c, "code", b->cats[i].code);
		tv_set_str(c, "label", b->cats[i].label);
	}
	tv *profs = tv_set(v, "professions", tv_list(a));
	for (size_t i = 0; i < sizeof profession_codes / sizeof profession_codes[0]; i++) {
		tv *p = tv_push(profs, tv_obj(a));
		tv_set_str(p, "code", profession_codes[i]);
		tv_set_str(p, "label", accounts_profession_label(profession_codes[i]));
	}
	req->no_store = true;
	http_render(req, status, "admin_import", arena_sprintf(a, "Import enrollments: %s", b->title),
	            v);
}

static tv *bad_rows(arena *a, const batch *b, size_t *count)
{
	tv *list = tv_list(a);
	*count = 0;
	for (size_t i = 0; i < b->n; i++) {
		const import_row *row = &b->rows[i];
		if (row->action != ROW_BAD)
			continue;
		tv *o = tv_push(list, tv_obj(a));
		tv_set_int(o, "line", row->line);
		tv_set_str(o, "name", row->name);
		tv_set_str(o, "email", row->email);
		tv_set_str(o, "problem", row->problem);
		(*count)++;
	}
	return list;
}

static void preview_view(request *req, const batch *b, const char *text)
{
	arena *a = req->a;
	tv *v = tv_obj(a);
	set_offering(v, a, b);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_str(v, "csv", text);
	size_t enroll = 0, invite = 0, skip = 0, nbad = 0;
	tv *rows = tv_set(v, "rows", tv_list(a));
	for (size_t i = 0; i < b->n; i++) {
		const import_row *row = &b->rows[i];
		if (row->action == ROW_BAD)
			continue;
		tv *o = tv_push(rows, tv_obj(a));
		tv_set_int(o, "line", row->line);
		tv_set_str(o, "name", row->name);
		tv_set_str(o, "email", row->email);
		tv_set_str(o, "profession", accounts_profession_label(row->profession));
		tv_set_str(o, "category", category_label(b, row->category));
		bool acts = row->action == ROW_ENROLL || row->action == ROW_INVITE;
		tv_set(o, "team", *row->team ? tv_str(a, row->team) : tv_null(a));
		tv_set_bool(o, "team_new", acts && *row->team && !row->team_exists);
		const char *action, *what;
		switch (row->action) {
		case ROW_ENROLL:
			action = "enroll";
			what = row->unpaid
			           ? arena_sprintf(a, "Confirm the enrollment of @%s, waiting for payment "
			                              "here: the portal has it paid.", row->handle)
			           : arena_sprintf(a, "Enroll the existing account @%s, confirmed.",
			                           row->handle);
			enroll++;
			break;
		case ROW_INVITE:
			action = "invite";
			what = row->stale_invite
			           ? "Invite this new person (replacing an invitation to this offering that "
			             "is still waiting); they are enrolled, confirmed, when they create "
			             "their account."
			           : "Invite this new person; they are enrolled, confirmed, when they "
			             "create their account.";
			invite++;
			break;
		case ROW_ENROLLED:
			action = "skip";
			what = arena_sprintf(a, "Skip: @%s is already enrolled (as %s).", row->handle,
			                     row->role);
			skip++;
			break;
		case ROW_INVITED:
		default:
			action = "skip";
			what = arena_sprintf(a, "Skip: an invitation from an earlier import is still "
			                        "waiting (until %s).", row->waiting_until);
			skip++;
			break;
		}
		tv_set_str(o, "action", action);
		tv_set_str(o, "what", what);
	}
	tv_set(v, "bad", bad_rows(a, b, &nbad));
	size_t acts = enroll + invite;
	tv_set_bool(v, "has_rows", enroll + invite + skip > 0);
	tv_set_bool(v, "has_bad", nbad > 0);
	tv_set_bool(v, "has_actions", acts > 0);
	tv_set_str(v, "summary", arena_sprintf(a,
		"%s read: %zu existing account%s to enroll, %zu new %s to invite, %zu to skip "
		"(already enrolled or invited), %zu that cannot be imported.",
		rows_text(a, b->n), enroll, enroll == 1 ? "" : "s", invite,
		invite == 1 ? "person" : "people", skip, nbad));
	tv_set_str(v, "bad_sentence", arena_sprintf(a,
		"%s cannot be imported. If you confirm, %s skipped and only the other rows are "
		"imported; to import %s too, correct the text below and preview again.",
		rows_text(a, nbad), nbad == 1 ? "it is" : "they are", nbad == 1 ? "it" : "them"));
	tv_set_str(v, "confirm_label", arena_sprintf(a, "Import %s", rows_text(a, acts)));
	req->no_store = true;
	http_render(req, 200, "admin_import_preview",
	            arena_sprintf(a, "Preview the import: %s", b->title), v);
}

static void result_view(request *req, const batch *b)
{
	arena *a = req->a;
	tv *v = tv_obj(a);
	set_offering(v, a, b);
	tv *enrolled = tv_set(v, "enrolled", tv_list(a));
	tv *invited = tv_set(v, "invited", tv_list(a));
	tv *skipped = tv_set(v, "skipped", tv_list(a));
	size_t ne = 0, ni = 0, ns = 0, nbad = 0;
	for (size_t i = 0; i < b->n; i++) {
		const import_row *row = &b->rows[i];
		tv *list = row->action == ROW_ENROLL ? enrolled
		         : row->action == ROW_INVITE ? invited
		         : row->action == ROW_BAD ? NULL : skipped;
		if (!list)
			continue;
		tv *o = tv_push(list, tv_obj(a));
		tv_set_int(o, "line", row->line);
		tv_set_str(o, "name", row->name);
		tv_set_str(o, "email", row->email);
		tv_set(o, "team", *row->team ? tv_str(a, row->team) : tv_null(a));
		tv_set_str(o, "handle", row->handle ? row->handle : "");
		tv_set(o, "link", row->link ? tv_str(a, row->link) : tv_null(a));
		tv_set_str(o, "why", row->action == ROW_ENROLLED
		                         ? arena_sprintf(a, "already enrolled (as %s)", row->role)
		                         : "an invitation from an earlier import is still waiting");
		ne += row->action == ROW_ENROLL;
		ni += row->action == ROW_INVITE;
		ns += list == skipped;
	}
	tv_set(v, "bad", bad_rows(a, b, &nbad));
	tv *teams = tv_set(v, "teams", tv_list(a));
	for (size_t i = 0; i < b->nteams; i++)
		tv_push(teams, tv_str(a, b->teams_created[i]));
	tv_set_bool(v, "has_enrolled", ne > 0);
	tv_set_bool(v, "has_invited", ni > 0);
	tv_set_bool(v, "has_skipped", ns > 0);
	tv_set_bool(v, "has_bad", nbad > 0);
	tv_set_bool(v, "has_teams", b->nteams > 0);
	tv_set_str(v, "summary", arena_sprintf(a,
		"%zu enrolled, %zu invited, %zu skipped (already enrolled or invited), %zu not "
		"imported because of a problem.", ne, ni, ns, nbad));
	req->no_store = true;
	http_render(req, ne + ni ? 201 : 200, "admin_import_done",
	            arena_sprintf(a, "Imported: %s", b->title), v);
}

static void import_page(request *req)
{
	if (!authz_require_admin(req))
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	batch b = {0};
	if (!load_offering(req, db, &b))
		return;
	form_view(req, &b, 200, "", NULL);
}

static void import_post(request *req)
{
	user *admin = authz_require_admin(req);
	if (!admin)
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	batch b = {.zone = admin->time_zone};
	if (!load_offering(req, db, &b))
		return;
	arena *a = req->a;
	const char *text = http_form(req, "csv");
	const char *confirm = http_form(req, "confirm");
	if (!text)
		text = "";
	const char *error = read_batch(a, text, &b);
	if (error) {
		form_view(req, &b, 422, text, error);
		return;
	}
	long long now = (long long)clock_now();
	if (!confirm || strcmp(confirm, "1")) {
		if (!classify(db, a, &b, now)) {
			http_db_error(req);
			return;
		}
		preview_view(req, &b, text);
		return;
	}
	/* The offering's row lock (enroll_learner takes it too) serialises
	 * imports and enrollments into this offering: classify sees what the
	 * import will find. */
	bool ok = db_begin(db) &&
	          db_exec(db, "SELECT 1 FROM offerings WHERE id = $1 FOR UPDATE", 1,
	                  (const char *[]){num(a, b.offering_id)}) &&
	          classify(db, a, &b, now) && import_rows(req, db, &b, admin, now) && db_commit(db);
	if (!ok) {
		db_rollback(db);
		http_db_error(req);
		return;
	}
	size_t counts[5] = {0};
	for (size_t i = 0; i < b.n; i++)
		counts[b.rows[i].action]++;
	log_info("enroll_import: offering %lld by user %lld: %zu enrolled, %zu invited, %zu skipped,"
	         " %zu bad rows, %zu teams created", (long long)b.offering_id, (long long)admin->id,
	         counts[ROW_ENROLL], counts[ROW_INVITE], counts[ROW_ENROLLED] + counts[ROW_INVITED],
	         counts[ROW_BAD], b.nteams);
	result_view(req, &b);
}

void enroll_import_routes(router *r)
{
	router_add(r, "GET", "/admin/offerings/:id/import", import_page, ACCESS_ADMIN,
	           "paste a registration portal's CSV export");
	router_add(r, "POST", "/admin/offerings/:id/import", import_post, ACCESS_ADMIN,
	           "preview the import, or (confirm=1) import the rows");
}
