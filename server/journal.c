/*
 * journal.c - the private journal and the learner's view of their keys.
 * See journal.h for what is stored and DESIGN §6 for the key schedule.
 *
 * Every handler that touches plaintext keeps it in the request's arena
 * (wiped when the request ends: the routes are sensitive) or in
 * sodium_malloc'd memory freed with sodium_free; keys live on the stack and
 * are wiped with sodium_memzero before the handler returns. Errors and log
 * lines name entries by id only.
 *
 * An entry that will not open is one of two things: "locked" (its key
 * version is not reachable from the session's key: a reset without the
 * recovery code) or "cannot be opened" (the ciphertext, its row or its
 * associated data were changed). Neither ever shows anything but that
 * sentence.
 */
#include "cairn/journal.h"
#include "cairn/auth.h"
#include "cairn/authz.h"
#include "cairn/clock.h"
#include "cairn/crypto.h"
#include "cairn/keys.h"
#include "cairn/log.h"
#include "cairn/markdown.h"
#include "cairn/prompt.h"
#include "cairn/session.h"
#include "cairn/zone.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *num(request *req, long long v)
{
	return arena_sprintf(req->a, "%lld", v);
}

/* ---- keys of one request ------------------------------------------------ */

enum { KEYRING_OLDER = 16 };

/* The session's JMK and the older versions opened so far in this request. */
typedef struct keyring {
	bool open;                 /* the session holds a key */
	int version;
	uint8_t current[CRYPTO_KEY_BYTES];
	struct {
		int version;
		bool ok;
		uint8_t key[CRYPTO_KEY_BYTES];
	} older[KEYRING_OLDER];
	int n;
} keyring;

static void keyring_load(request *req, keyring *kr)
{
	memset(kr, 0, sizeof *kr);
	kr->open = session_jmk(req, kr->current);
	kr->version = kr->open ? session_of(req)->jmk_version : 0;
}

static void keyring_wipe(keyring *kr)
{
	sodium_memzero(kr, sizeof *kr);
}

/* The JMK of `version`, or NULL when it is locked (or the database failed). */
static const uint8_t *keyring_get(PGconn *db, int64_t user_id, keyring *kr, int version)
{
	if (!kr->open)
		return NULL;
	if (version == kr->version)
		return kr->current;
	for (int i = 0; i < kr->n; i++)
		if (kr->older[i].version == version)
			return kr->older[i].ok ? kr->older[i].key : NULL;
	if (kr->n == KEYRING_OLDER)
		return NULL;
	int i = kr->n++;
	kr->older[i].version = version;
	kr->older[i].ok = keys_open_version(db, user_id, kr->current, kr->version, version,
	                                    kr->older[i].key);
	return kr->older[i].ok ? kr->older[i].key : NULL;
}

/* ---- sealing ----------------------------------------------------------- */

/* Associated data: who, which entry, which key version, which format. A
 * ciphertext moved to another row, user or version fails to open. */
static size_t entry_ad(char ad[CRYPTO_AD_MAX_BYTES], int64_t user_id, long long id,
                       int version, int format)
{
	int n = snprintf(ad, CRYPTO_AD_MAX_BYTES,
	                 "cairn/journal-entry|user=%lld|entry=%lld|key-version=%d|format=%d",
	                 (long long)user_id, id, version, format);
	if (n < 0 || n >= CRYPTO_AD_MAX_BYTES)
		fatal("journal: associated data does not fit");
	return (size_t)n;
}

/* What an entry holds. */
typedef struct content {
	const char *title;   /* may be "" */
	const char *tags;    /* tags joined by '\n', may be "" */
	const char *body;
} content;

/* Seal c as entry `id` (format JOURNAL_FORMAT) under jmk/version into a
 * bytea parameter; NULL if it is too large to seal. The plaintext is laid
 * out in the arena (wiped with it). */
static const char *seal(arena *a, const uint8_t *jmk, int version, int64_t user_id,
                        long long id, const content *c)
{
	size_t lt = strlen(c->title), lg = strlen(c->tags), lb = strlen(c->body);
	size_t n = lt + 1 + lg + 1 + lb;
	char *plain = arena_alloc(a, n);
	memcpy(plain, c->title, lt);
	plain[lt] = '\0';
	memcpy(plain + lt + 1, c->tags, lg);
	plain[lt + 1 + lg] = '\0';
	memcpy(plain + lt + 1 + lg + 1, c->body, lb);
	size_t cap = crypto_entry_sealed_size(n), len = 0;
	if (!cap)
		return NULL;
	uint8_t *out = arena_alloc(a, cap);
	char ad[CRYPTO_AD_MAX_BYTES];
	size_t ad_len = entry_ad(ad, user_id, id, version, JOURNAL_FORMAT);
	bool ok = crypto_entry_seal(jmk, (uint64_t)id, plain, n, ad, ad_len, out, &len);
	sodium_memzero(plain, n);
	return ok ? db_bytea_param(a, out, len) : NULL;
}

/* Open a sealed entry into c (arena copies). false when it does not open
 * or what opens is not an entry of this format. */
static bool unseal(request *req, const uint8_t *jmk, int64_t user_id, long long id, int version,
                   int format, const uint8_t *sealed, size_t sealed_len, content *c)
{
	if (format != JOURNAL_FORMAT)
		return false;
	char ad[CRYPTO_AD_MAX_BYTES];
	size_t ad_len = entry_ad(ad, user_id, id, version, format), n = 0;
	char *plain = crypto_entry_open(jmk, (uint64_t)id, sealed, sealed_len, ad, ad_len, &n);
	if (!plain)
		return false;
	bool ok = false;
	const char *t = plain, *end = plain + n;
	const char *g = memchr(t, '\0', n);
	const char *b = g ? memchr(g + 1, '\0', (size_t)(end - g - 1)) : NULL;
	if (b && !memchr(b + 1, '\0', (size_t)(end - b - 1)) && utf8_valid(plain, n)) {
		c->title = arena_strndup(req->a, t, (size_t)(g - t));
		c->tags = arena_strndup(req->a, g + 1, (size_t)(b - g - 1));
		c->body = arena_strndup(req->a, b + 1, (size_t)(end - b - 1));
		ok = true;
	}
	sodium_memzero(plain, n);
	sodium_free(plain);
	return ok;
}

/* ---- loading entries --------------------------------------------------- */

typedef enum entry_state { ENTRY_OPEN, ENTRY_LOCKED, ENTRY_DAMAGED } entry_state;

typedef struct entry {
	long long id;
	long long offering_id;     /* 0: none */
	int key_version;
	entry_state state;
	content c;
	const char *day;           /* "14 May 2026", the reader's zone */
	const char *date_iso;      /* "2026-05-14", for file names */
	tv *created, *updated;     /* zone_time values */
	bool edited;
	const char *course;        /* "Core Practice, May 2026" or NULL */
	prompt_ref prompt;         /* what it was written from (id 0: none) */
} entry;

#define ENTRY_SELECT                                                                      \
	"SELECT e.id, coalesce(e.offering_id, 0), e.key_version, e.format, e.sealed,"         \
	" " ZONE_SQL("e.created_at", "$2") ", " ZONE_SQL("e.updated_at", "$2") ","            \
	" to_char(e.created_at AT TIME ZONE $2, 'FMDD FMMonth YYYY'),"                        \
	" to_char(e.created_at AT TIME ZONE $2, 'YYYY-MM-DD'),"                              \
	" e.updated_at > e.created_at + interval '1 minute',"                                 \
	" c.title || ', ' || to_char(o.starts_on, 'FMMonth YYYY'),"                           \
	" coalesce(e.prompt_id, 0), jp.body, jai.title"                                       \
	" FROM journal_entries e LEFT JOIN offerings o ON o.id = e.offering_id"               \
	" LEFT JOIN courses c ON c.id = o.course_id"                                          \
	" LEFT JOIN journal_prompts jp ON jp.id = e.prompt_id"                                \
	" LEFT JOIN agenda_items jai ON jai.id = jp.agenda_item_id"

static const char *reader_zone(const user *u)
{
	return u->time_zone && *u->time_zone ? u->time_zone : "UTC";
}

/* Entries of the result r (ENTRY_SELECT columns), opened where they can be. */
static entry *read_entries(request *req, PGconn *db, PGresult *r, keyring *kr)
{
	user *u = session_user(req);
	int n = PQntuples(r);
	entry *es = arena_calloc(req->a, (size_t)(n ? n : 1), sizeof *es);
	const char *zone = reader_zone(u);
	for (int i = 0; i < n; i++) {
		entry *e = &es[i];
		e->id = atoll(db_val(r, i, 0));
		e->offering_id = atoll(db_val(r, i, 1));
		e->key_version = atoi(db_val(r, i, 2));
		int format = atoi(db_val(r, i, 3));
		e->created = zone_time(req->a, db_val(r, i, 5), zone, zone, ZONE_FULL);
		e->updated = zone_time(req->a, db_val(r, i, 6), zone, zone, ZONE_FULL);
		e->day = arena_strdup(req->a, db_val(r, i, 7));
		e->date_iso = arena_strdup(req->a, db_val(r, i, 8));
		e->edited = db_val(r, i, 9)[0] == 't';
		e->course = db_isnull(r, i, 10) ? NULL : arena_strdup(req->a, db_val(r, i, 10));
		e->prompt.id = atoll(db_val(r, i, 11));
		e->prompt.text = arena_strdup(req->a, db_val(r, i, 12));
		e->prompt.session = arena_strdup(req->a, db_val(r, i, 13));
		const uint8_t *key = keyring_get(db, u->id, kr, e->key_version);
		if (!key) {
			e->state = ENTRY_LOCKED;
			continue;
		}
		size_t len = 0;
		unsigned char *sealed = db_bytea(req->a, r, i, 4, &len);
		e->state = sealed && unseal(req, key, u->id, e->id, e->key_version, format, sealed,
		                            len, &e->c)
		           ? ENTRY_OPEN : ENTRY_DAMAGED;
		if (e->state == ENTRY_DAMAGED)
			log_error("journal: entry %lld of user %lld does not open", e->id, (long long)u->id);
	}
	return es;
}

/* The reader's entry `id`: 1 found, 0 not theirs (or none), -1 database
 * error (answered). */
static int load_entry(request *req, PGconn *db, long long id, keyring *kr, entry *out)
{
	user *u = session_user(req);
	PGresult *r = db_q(db, ENTRY_SELECT " WHERE e.user_id = $1 AND e.id = $3",
	                   num(req, u->id), reader_zone(u), num(req, id));
	if (!r) {
		http_db_error(req);
		return -1;
	}
	if (PQntuples(r) != 1) {
		PQclear(r);
		return 0;
	}
	*out = read_entries(req, db, r, kr)[0];
	PQclear(r);
	return 1;
}

bool journal_titles(request *req, PGconn *db, const long long *ids, int n, journal_title *out)
{
	user *u = session_user(req);
	const char **list = arena_calloc(req->a, (size_t)(n ? n : 1), sizeof *list);
	for (int i = 0; i < n; i++) {
		list[i] = num(req, ids[i]);
		out[i] = (journal_title){.id = ids[i], .title = ""};
	}
	keyring kr;
	keyring_load(req, &kr);
	PGresult *r = db_q(db, ENTRY_SELECT " WHERE e.user_id = $1 AND e.id = ANY($3::bigint[])",
	                   num(req, u->id), reader_zone(u),
	                   db_text_array_param(req->a, list, (size_t)n));
	if (!r) {
		keyring_wipe(&kr);
		return false;
	}
	int found = PQntuples(r);
	entry *es = read_entries(req, db, r, &kr);
	PQclear(r);
	keyring_wipe(&kr);
	for (int k = 0; k < found; k++) {
		for (int i = 0; i < n; i++) {
			if (ids[i] != es[k].id)
				continue;
			out[i].open = es[k].state == ENTRY_OPEN;
			out[i].locked = es[k].state == ENTRY_LOCKED;
			out[i].title = out[i].open ? es[k].c.title : "";
		}
	}
	return true;
}

/* The entry named by the path, for its author; everyone else (admins
 * included) gets 404, as if it did not exist. NULL when answered. */
static entry *path_entry(request *req, PGconn **dbp, keyring *kr)
{
	if (!authz_require_user(req))
		return NULL;
	long long id = 0;
	if (!http_parse_id(http_param(req, "id"), &id)) {
		http_error(req, 404, NULL);
		return NULL;
	}
	PGconn *db = http_db_required(req);
	if (!db)
		return NULL;
	keyring_load(req, kr);
	entry *e = arena_calloc(req->a, 1, sizeof *e);
	int found = load_entry(req, db, id, kr, e);
	if (found <= 0) {
		if (found == 0)
			http_error(req, 404, NULL);
		return NULL;
	}
	*dbp = db;
	return e;
}

/* ---- views ----------------------------------------------------------- */

static const char *page_title(request *req, const entry *e)
{
	return arena_sprintf(req->a, "Journal entry, %s", e->day);
}

static tv *tags_view(request *req, const char *tags)
{
	tv *l = tv_list(req->a);
	const char *s = tags;
	while (s && *s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		if (n)
			tv_push(l, tv_strn(req->a, s, n));
		s = nl ? nl + 1 : NULL;
	}
	return l;
}

/* The prompt an entry is (or will be) written from, for the pages; null
 * for none. */
static tv *prompt_ref_view(request *req, const prompt_ref *p)
{
	if (!p || !p->id)
		return tv_null(req->a);
	tv *o = tv_obj(req->a);
	tv_set_int(o, "id", p->id);
	tv_set_str(o, "text", p->text);
	tv_set_str(o, "session", p->session);
	return o;
}

static tv *entry_view(request *req, const entry *e)
{
	tv *o = tv_obj(req->a);
	tv_set_int(o, "id", e->id);
	tv_set_str(o, "day", e->day);
	tv_set(o, "created", e->created);
	tv_set(o, "updated", e->edited ? e->updated : tv_null(req->a));
	tv_set_str(o, "course", e->course);
	tv_set_bool(o, "open", e->state == ENTRY_OPEN);
	tv_set_bool(o, "locked", e->state == ENTRY_LOCKED);
	tv_set_bool(o, "damaged", e->state == ENTRY_DAMAGED);
	tv_set(o, "prompt", prompt_ref_view(req, &e->prompt));
	if (e->state == ENTRY_OPEN) {
		tv_set_str(o, "title", *e->c.title ? e->c.title : NULL);
		tv_set(o, "tags", tags_view(req, e->c.tags));
		tv_set_bool(o, "has_tags", *e->c.tags != '\0');
	}
	return o;
}

/* Markdown to HTML with the posts' safe renderer: no mentions, nothing
 * looked up, cmark's memory in the (wiped) arena. */
static const char *render(request *req, const char *body)
{
	markdown_options opt = {.max_bytes = 4 * JOURNAL_BODY_MAX_CHARS, .cmark_in_arena = true};
	markdown_result md;
	if (!markdown_render(req->a, body, strlen(body), &opt, &md))
		return NULL;
	return md.html;
}

/* ---- the form ---------------------------------------------------------- */

typedef struct entry_form {
	const char *title, *body, *tags_text, *offering;
	content c;          /* normalised, for sealing */
	long long offering_id;
	prompt_ref prompt;  /* a new entry's prompt (id 0: none) */
	bool prompt_refused;
} entry_form;

static bool visible(const char *s)
{
	for (const unsigned char *u = (const unsigned char *)s; *u; u++)
		if (*u != ' ' && *u != '\t' && *u != '\n' && *u != '\r')
			return true;
	return false;
}

/* Tags typed as "grief, sleep, team": trimmed, white space inside kept as
 * single spaces, empty ones dropped, repeats dropped. Problems name tags by
 * position, never by their text. */
static const char *read_tags(request *req, const char *text, const char **joined)
{
	buf out;
	buf_init(&out, req->a, 0);
	int count = 0, position = 0;
	const char *seen[JOURNAL_TAGS_MAX + 1];
	const char *s = text ? text : "";
	while (*s) {
		const char *comma = strchr(s, ',');
		size_t n = comma ? (size_t)(comma - s) : strlen(s);
		char *tag = arena_alloc(req->a, n + 1);
		size_t k = 0;
		bool space = false;
		for (size_t i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)s[i];
			if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch < 0x20) {
				space = k > 0;
				continue;
			}
			if (space)
				tag[k++] = ' ';
			space = false;
			tag[k++] = (char)ch;
		}
		tag[k] = '\0';
		s = comma ? comma + 1 : s + n;
		if (!k)
			continue;
		position++;
		if (utf8_length(tag, k) > JOURNAL_TAG_MAX_CHARS)
			return arena_sprintf(req->a, "Tag %d is %zu characters long; a tag can be at most "
			                     "%d. Shorten it and save again.", position,
			                     utf8_length(tag, k), JOURNAL_TAG_MAX_CHARS);
		bool repeat = false;
		for (int i = 0; i < count && i < JOURNAL_TAGS_MAX; i++)
			repeat = repeat || !strcmp(seen[i], tag);
		if (repeat)
			continue;
		if (count < JOURNAL_TAGS_MAX)
			seen[count] = tag;
		count++;
		if (out.len)
			buf_putc(&out, '\n');
		buf_puts(&out, tag);
	}
	if (count > JOURNAL_TAGS_MAX)
		return arena_sprintf(req->a, "An entry can have at most %d tags; this one has %d. "
		                     "Remove some and save again.", JOURNAL_TAGS_MAX, count);
	*joined = out.data;
	return NULL;
}

/* n with thousands separators: "100,001". */
static const char *thousands(request *req, size_t n)
{
	char digits[32], out[48];
	int len = snprintf(digits, sizeof digits, "%zu", n), k = 0;
	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			out[k++] = ',';
		out[k++] = digits[i];
	}
	out[k] = '\0';
	return arena_strdup(req->a, out);
}

/* Read and check the form. NULL when it is fine, else the sentence to show
 * above it (no entry text in it). */
static const char *read_form(request *req, PGconn *db, entry_form *f)
{
	memset(f, 0, sizeof *f);
	f->title = http_form(req, "title");
	f->body = http_form(req, "body");
	f->tags_text = http_form(req, "tags");
	f->offering = http_form(req, "offering");
	const char *prompt = http_form(req, "prompt");
	if (prompt && *prompt) {
		/* A prompt that is not (or no longer) open to the writer: the form
		 * comes back without it, with everything typed. */
		long long pid = 0;
		int found = http_parse_id(prompt, &pid)
		            ? prompt_for_learner(db, req->a, session_user(req)->id, pid,
		                                 session_now_param(req), &f->prompt)
		            : 0;
		if (found < 0)
			return "";
		if (!found) {
			memset(&f->prompt, 0, sizeof f->prompt);
			f->prompt_refused = true;
		}
	}
	if (!f->title)
		f->title = "";
	if (!f->body)
		f->body = "";
	if (!f->tags_text)
		f->tags_text = "";
	if (!f->offering)
		f->offering = "";
	size_t lt = strlen(f->title), lb = strlen(f->body), lg = strlen(f->tags_text);
	if (!utf8_valid(f->title, lt) || !utf8_valid(f->body, lb) || !utf8_valid(f->tags_text, lg))
		return "Part of the form is not valid text. Check it and save again.";
	size_t chars = utf8_length(f->body, lb);
	if (chars > JOURNAL_BODY_MAX_CHARS)
		return arena_sprintf(req->a, "An entry can be at most 100,000 characters long; this "
		                     "one is %s. Nothing was saved: shorten it (or split it into two "
		                     "entries) and save again.", thousands(req, chars));
	if (!visible(f->body))
		return "Write something in your entry first.";
	size_t title_chars = utf8_length(f->title, lt);
	if (title_chars > JOURNAL_TITLE_MAX_CHARS)
		return arena_sprintf(req->a, "A title can be at most %d characters long; this one is "
		                     "%zu.", JOURNAL_TITLE_MAX_CHARS, title_chars);
	const char *problem = read_tags(req, f->tags_text, &f->c.tags);
	if (problem)
		return problem;
	/* A title of white space alone is no title. */
	f->c.title = visible(f->title) ? f->title : "";
	f->c.body = f->body;
	if (*f->offering) {
		if (!http_parse_id(f->offering, &f->offering_id))
			return "Choose a course from the list.";
		PGresult *r = db_q(db,
			"SELECT 1 FROM enrollments WHERE user_id = $1 AND offering_id = $2"
			" AND state <> 'cancelled'",
			num(req, session_user(req)->id), num(req, f->offering_id));
		if (!r)
			return "";
		int found = PQntuples(r);
		PQclear(r);
		if (!found)
			return "Choose a course from the list.";
	}
	if (f->prompt_refused)
		return "The prompt this entry was started from is not open to you, so nothing was "
		       "saved. Your text is below: save it again to keep it as an entry without the "
		       "prompt.";
	return NULL;
}

/* The courses an entry can be about: the reader's enrollments. */
static tv *offering_options(request *req, PGconn *db, long long chosen)
{
	tv *l = tv_list(req->a);
	PGresult *r = db_q(db,
		"SELECT o.id, c.title || ', ' || to_char(o.starts_on, 'FMMonth YYYY')"
		" FROM enrollments n JOIN offerings o ON o.id = n.offering_id"
		" JOIN courses c ON c.id = o.course_id"
		" WHERE n.user_id = $1 AND n.state <> 'cancelled' ORDER BY o.starts_on DESC LIMIT 50",
		num(req, session_user(req)->id));
	if (!r)
		return l;
	for (int i = 0; i < PQntuples(r); i++) {
		tv *o = tv_push(l, tv_obj(req->a));
		long long id = atoll(db_val(r, i, 0));
		tv_set_int(o, "id", id);
		tv_set_str(o, "label", arena_strdup(req->a, db_val(r, i, 1)));
		tv_set_bool(o, "selected", id == chosen);
	}
	PQclear(r);
	return l;
}

/* The tags as typed back in the form: "a, b, c". */
static const char *tags_text(request *req, const char *joined)
{
	char *s = arena_strdup(req->a, joined ? joined : "");
	buf out;
	buf_init(&out, req->a, 0);
	for (char *p = s; *p; p++) {
		if (*p == '\n')
			buf_puts(&out, ", ");
		else
			buf_putc(&out, *p);
	}
	return out.data;
}

static void form_page(request *req, PGconn *db, int status, const entry *e, const char *title,
                      const char *body, const char *tags, long long offering_id,
                      const prompt_ref *prompt, const char *error)
{
	tv *v = tv_obj(req->a);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_str(v, "error", error && *error ? error : NULL);
	tv_set_str(v, "title", title);
	tv_set_str(v, "body", body);
	tv_set_str(v, "tags", tags);
	tv_set(v, "offerings", offering_options(req, db, offering_id));
	tv_set_bool(v, "none_selected", offering_id == 0);
	tv_set_bool(v, "has_key", session_of(req)->jmk_wrap != NULL);
	tv_set_int(v, "max_chars", JOURNAL_BODY_MAX_CHARS);
	tv_set(v, "prompt", prompt_ref_view(req, e ? &e->prompt : prompt));
	if (e) {
		tv_set(v, "entry", entry_view(req, e));
		tv_set_str(v, "action", arena_sprintf(req->a, "/journal/%lld/edit", e->id));
	} else {
		tv_set(v, "entry", tv_null(req->a));
		tv_set_str(v, "action", "/journal");
	}
	http_render(req, status, "journal_form",
	            e ? arena_sprintf(req->a, "Edit: journal entry, %s", e->day)
	              : "New journal entry", v);
}

/* A page that says why an entry cannot be edited or exported. */
static void cannot_page(request *req, int status, const entry *e, const char *doing)
{
	tv *v = tv_obj(req->a);
	tv_set(v, "entry", entry_view(req, e));
	tv_set_str(v, "doing", doing);
	http_render(req, status, "journal_cannot", page_title(req, e), v);
}

bool journal_write(PGconn *db, arena *a, int64_t user_id, const uint8_t jmk[CRYPTO_KEY_BYTES],
                   int version, int64_t offering_id, int64_t prompt_id, const char *title,
                   const char *tags, const char *body, long long at, int64_t *id_out)
{
	content c = {title ? title : "", tags ? tags : "", body};
	PGresult *r = db_q0(db, "SELECT nextval('journal_entries_id_seq')");
	if (!r)
		return false;
	long long id = atoll(db_val(r, 0, 0));
	PQclear(r);
	const char *sealed = seal(a, jmk, version, user_id, id, &c);
	const char *p[] = {arena_sprintf(a, "%lld", id), arena_sprintf(a, "%lld", (long long)user_id),
	                   arena_sprintf(a, "%lld", (long long)offering_id),
	                   arena_sprintf(a, "%d", version), arena_sprintf(a, "%d", JOURNAL_FORMAT),
	                   sealed, arena_sprintf(a, "%lld", at),
	                   arena_sprintf(a, "%lld", (long long)prompt_id)};
	bool ok = sealed &&
	          db_exec(db,
	                  "INSERT INTO journal_entries (id, user_id, offering_id, key_version, format,"
	                  " sealed, created_at, updated_at, prompt_id)"
	                  " VALUES ($1, $2, nullif($3, '0')::bigint, $4, $5, $6::bytea,"
	                  " to_timestamp($7), to_timestamp($7), nullif($8, '0')::bigint)",
	                  8, p);
	if (ok && id_out)
		*id_out = id;
	return ok;
}

/* ---- handlers: entries ------------------------------------------------- */

static void journal_list(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	keyring kr;
	keyring_load(req, &kr);
	PGresult *r = db_q(db,
		ENTRY_SELECT " WHERE e.user_id = $1 ORDER BY e.created_at DESC, e.id DESC LIMIT $3",
		num(req, u->id), reader_zone(u), num(req, JOURNAL_LIST_MAX));
	if (!r) {
		keyring_wipe(&kr);
		http_db_error(req);
		return;
	}
	int n = PQntuples(r);
	entry *es = read_entries(req, db, r, &kr);
	PQclear(r);
	keyring_wipe(&kr);
	tv *v = tv_obj(req->a);
	tv *l = tv_set(v, "entries", tv_list(req->a));
	int locked = 0, damaged = 0;
	for (int i = 0; i < n; i++) {
		tv_push(l, entry_view(req, &es[i]));
		locked += es[i].state == ENTRY_LOCKED;
		damaged += es[i].state == ENTRY_DAMAGED;
	}
	tv_set(v, "count", tv_count(req->a, n, "entry", "entries"));
	tv_set_bool(v, "empty", n == 0);
	tv_set(v, "locked", locked ? tv_count(req->a, locked, "entry", "entries") : tv_null(req->a));
	tv_set_bool(v, "damaged", damaged > 0);
	tv_set_bool(v, "has_key", kr.open || session_of(req)->jmk_wrap != NULL);
	tv_set_bool(v, "full", n == JOURNAL_LIST_MAX);
	long long waiting = 0;
	tv *prompts = prompt_waiting_view(db, req->a, u->id, session_now_param(req), reader_zone(u),
	                                  JOURNAL_PROMPTS_LISTED, &waiting);
	if (!prompts) {
		http_db_error(req);
		return;
	}
	tv_set(v, "prompts", prompts);
	tv_set_bool(v, "has_prompts", prompts->n > 0);
	tv_set(v, "more_prompts", waiting > (long long)prompts->n
	                          ? tv_count(req->a, waiting - (long long)prompts->n, "prompt", "prompts")
	                          : tv_null(req->a));
	const char *done = http_query(req, "done");
	tv_set_str(v, "notice", done && !strcmp(done, "deleted") ? "The entry was deleted." : NULL);
	http_render(req, 200, "journal", "Your journal", v);
}

static void journal_new(request *req)
{
	if (!authz_require_user(req))
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	/* Written from a prompt: only one open to the reader (else 404). */
	prompt_ref prompt = {0};
	const char *pid = http_query(req, "prompt");
	if (pid) {
		long long id = 0;
		int found = http_parse_id(pid, &id)
		            ? prompt_for_learner(db, req->a, session_user(req)->id, id,
		                                 session_now_param(req), &prompt)
		            : 0;
		if (found <= 0) {
			if (found < 0)
				http_db_error(req);
			else
				http_error(req, 404, NULL);
			return;
		}
	}
	form_page(req, db, 200, NULL, "", "", "", prompt.id ? prompt.offering_id : 0, &prompt, NULL);
}

static void journal_create(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	entry_form f;
	const char *problem = read_form(req, db, &f);
	if (problem && !*problem) {
		http_db_error(req);
		return;
	}
	if (problem) {
		form_page(req, db, 422, NULL, f.title, f.body, f.tags_text, f.offering_id, &f.prompt,
		          problem);
		return;
	}
	keyring kr;
	keyring_load(req, &kr);
	if (!kr.open) {
		form_page(req, db, 409, NULL, f.title, f.body, f.tags_text, f.offering_id, &f.prompt,
		          "Your journal is closed in this browser session, so nothing was saved. "
		          "Copy your text somewhere safe, sign out, sign in again with your password "
		          "and save it then.");
		return;
	}
	int64_t id = 0;
	bool ok = journal_write(db, req->a, u->id, kr.current, kr.version, f.offering_id,
	                        f.prompt.id, f.c.title, f.c.tags, f.c.body, (long long)clock_now(),
	                        &id);
	int version = kr.version;
	keyring_wipe(&kr);
	if (!ok) {
		http_db_error(req);
		return;
	}
	log_info("journal: user %lld wrote entry %lld (key version %d)", (long long)u->id,
	         (long long)id, version);
	http_redirect(req, arena_sprintf(req->a, "/journal/%lld", (long long)id));
}

static void journal_show(request *req)
{
	PGconn *db = NULL;
	keyring kr;
	entry *e = path_entry(req, &db, &kr);
	keyring_wipe(&kr);
	if (!e)
		return;
	tv *v = tv_obj(req->a);
	tv_set(v, "entry", entry_view(req, e));
	const char *html = NULL;
	if (e->state == ENTRY_OPEN && !(html = render(req, e->c.body)))
		e->state = ENTRY_DAMAGED;
	tv_set(v, "entry", entry_view(req, e));
	tv_set(v, "html", html ? tv_str(req->a, html) : tv_null(req->a));
	tv_set_str(v, "csrf", session_csrf(req));
	http_render(req, 200, "journal_entry", page_title(req, e), v);
}

static void journal_edit_page(request *req)
{
	PGconn *db = NULL;
	keyring kr;
	entry *e = path_entry(req, &db, &kr);
	keyring_wipe(&kr);
	if (!e)
		return;
	if (e->state != ENTRY_OPEN) {
		cannot_page(req, 409, e, "edited");
		return;
	}
	form_page(req, db, 200, e, e->c.title, e->c.body, tags_text(req, e->c.tags),
	          e->offering_id, NULL, NULL);
}

static void journal_edit_post(request *req)
{
	PGconn *db = NULL;
	keyring kr;
	entry *e = path_entry(req, &db, &kr);
	if (!e) {
		keyring_wipe(&kr);
		return;
	}
	user *u = session_user(req);
	entry_form f;
	const char *problem = read_form(req, db, &f);
	if (problem && !*problem) {
		keyring_wipe(&kr);
		http_db_error(req);
		return;
	}
	if (problem) {
		keyring_wipe(&kr);
		form_page(req, db, 422, e, f.title, f.body, f.tags_text, f.offering_id, NULL, problem);
		return;
	}
	if (e->state != ENTRY_OPEN) {
		/* Saving over an entry that does not open would lose what it
		 * holds: say so, with what was typed. */
		keyring_wipe(&kr);
		form_page(req, db, 409, e, f.title, f.body, f.tags_text, f.offering_id, NULL,
		          e->state == ENTRY_LOCKED
		              ? "This entry is locked, so it cannot be changed: enter your recovery code "
		                "first. Nothing was saved."
		              : "This entry cannot be opened, so it cannot be changed. Nothing was saved.");
		return;
	}
	/* Re-sealed under the session's (current) key, with a fresh nonce. */
	const char *sealed = seal(req->a, kr.current, kr.version, u->id, e->id, &f.c);
	bool ok = sealed &&
	          db_exec(db,
	                  "UPDATE journal_entries SET sealed = $3::bytea, key_version = $4,"
	                  " format = $5, offering_id = nullif($6, '0')::bigint,"
	                  " updated_at = to_timestamp($7) WHERE id = $1 AND user_id = $2",
	                  7, (const char *[]){num(req, e->id), num(req, u->id), sealed,
	                                      num(req, kr.version), num(req, JOURNAL_FORMAT),
	                                      num(req, f.offering_id), session_now_param(req)});
	keyring_wipe(&kr);
	if (!ok) {
		http_db_error(req);
		return;
	}
	http_redirect(req, arena_sprintf(req->a, "/journal/%lld", e->id));
}

static void journal_delete_page(request *req)
{
	PGconn *db = NULL;
	keyring kr;
	entry *e = path_entry(req, &db, &kr);
	keyring_wipe(&kr);
	if (!e)
		return;
	tv *v = tv_obj(req->a);
	tv_set(v, "entry", entry_view(req, e));
	tv_set_str(v, "csrf", session_csrf(req));
	http_render(req, 200, "journal_delete", arena_sprintf(req->a, "Delete: journal entry, %s",
	                                                      e->day), v);
}

static void journal_delete_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	long long id = 0;
	if (!http_parse_id(http_param(req, "id"), &id)) {
		http_error(req, 404, NULL);
		return;
	}
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	const char *confirmed = http_form(req, "confirmed");
	if (!confirmed || strcmp(confirmed, "yes")) {
		/* Not asked yet: ask first (only the author learns the entry exists). */
		PGresult *r = db_q(db, "SELECT 1 FROM journal_entries WHERE id = $1 AND user_id = $2",
		                   num(req, id), num(req, u->id));
		if (!r) {
			http_db_error(req);
			return;
		}
		int found = PQntuples(r);
		PQclear(r);
		if (!found)
			http_error(req, 404, NULL);
		else
			http_redirect(req, arena_sprintf(req->a, "/journal/%lld/delete", id));
		return;
	}
	PGresult *r = db_q(db,
		"DELETE FROM journal_entries WHERE id = $1 AND user_id = $2 RETURNING id",
		num(req, id), num(req, u->id));
	if (!r) {
		http_db_error(req);
		return;
	}
	int n = PQntuples(r);
	PQclear(r);
	if (!n) {
		http_error(req, 404, NULL);
		return;
	}
	log_info("journal: user %lld deleted entry %lld", (long long)u->id, id);
	http_redirect(req, "/journal?done=deleted");
}

static void journal_export(request *req)
{
	PGconn *db = NULL;
	keyring kr;
	entry *e = path_entry(req, &db, &kr);
	keyring_wipe(&kr);
	if (!e)
		return;
	if (e->state != ENTRY_OPEN) {
		cannot_page(req, 409, e, "exported");
		return;
	}
	buf out;
	buf_init(&out, req->a, 0);
	buf_appendf(&out, "# %s\n\n", *e->c.title ? e->c.title : page_title(req, e));
	buf_appendf(&out, "Written %s%s%s.\n", e->day, e->course ? ", " : "",
	            e->course ? e->course : "");
	if (*e->c.tags)
		buf_appendf(&out, "Tags: %s.\n", tags_text(req, e->c.tags));
	buf_appendf(&out, "\n%s\n", e->c.body);
	http_add_header(req, "Content-Disposition",
	                arena_sprintf(req->a, "attachment; filename=\"journal-%s-%lld.md\"",
	                              e->date_iso, e->id));
	http_send(req, 200, "text/markdown; charset=utf-8", out.data, out.len);
}

static void journal_about(request *req)
{
	if (!authz_require_user(req))
		return;
	tv *v = tv_obj(req->a);
	http_render(req, 200, "journal_about", "What your journal's encryption protects", v);
}

/* ---- the recovery code, shown once ------------------------------------- */

static void recovery_code_view(request *req, PGconn *db, int status, const char *code,
                               const char *error)
{
	user *u = session_user(req);
	tv *v = tv_obj(req->a);
	tv_set(v, "code", tv_str(req->a, arena_strdup(req->a, code)));
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_str(v, "error", error);
	tv_set_bool(v, "locked", keys_locked_versions(db, u->id) > 0);
	http_render(req, status, "journal_recovery_code", "Your recovery code", v);
}

static void recovery_code_page(request *req)
{
	if (!authz_require_user(req))
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	char code[CRYPTO_RECOVERY_TEXT_BYTES + 1];
	if (!session_pending_code(req, db, code)) {
		http_redirect(req, "/profile");
		return;
	}
	recovery_code_view(req, db, 200, code, NULL);
	sodium_memzero(code, sizeof code);
}

static void recovery_code_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	if (!http_form(req, "saved")) {
		char code[CRYPTO_RECOVERY_TEXT_BYTES + 1];
		if (!session_pending_code(req, db, code)) {
			http_redirect(req, "/profile");
			return;
		}
		recovery_code_view(req, db, 422, code,
		                   "Tick the box to confirm you have saved the code somewhere safe.");
		sodium_memzero(code, sizeof code);
		return;
	}
	bool ok = db_begin(db) && session_set_pending(req, db, NULL) &&
	          db_exec(db, "UPDATE credentials SET recovery_confirmed = true WHERE user_id = $1",
	                  1, (const char *[]){num(req, u->id)}) &&
	          db_commit(db);
	if (!ok) {
		db_rollback(db);
		http_db_error(req);
		return;
	}
	http_redirect(req, "/home");
}

/* ---- entering a recovery code ---------------------------------------- */

static void recover_form(request *req, int status, const char *error)
{
	user *u = session_user(req);
	PGconn *db = http_db(req);
	tv *v = tv_obj(req->a);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_str(v, "error", error);
	int locked = db ? keys_locked_versions(db, u->id) : -1;
	tv_set_bool(v, "locked", locked > 0);
	tv_set_bool(v, "has_key", session_of(req)->jmk_wrap != NULL);
	http_render(req, status, "journal_recover", "Enter your recovery code", v);
}

static void recover_page(request *req)
{
	if (!authz_require_user(req))
		return;
	recover_form(req, 200, NULL);
}

static void recover_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	const char *code = http_form(req, "code");
	if (!code || !*code) {
		recover_form(req, 422, "Enter the recovery code you saved.");
		return;
	}
	long long now = (long long)clock_now();
	const char *key = arena_sprintf(req->a, "recovery:%lld", (long long)u->id);
	int wait = auth_throttle_wait(db, key, AUTH_FREE_FAILURES_EMAIL, now);
	if (wait < 0) {
		http_db_error(req);
		return;
	}
	if (wait) {
		auth_too_many(req, wait);
		return;
	}
	uint8_t jmk[CRYPTO_KEY_BYTES];
	if (!session_jmk(req, jmk)) {
		recover_form(req, 422, "Sign out and sign in again with your password first, then "
		                       "enter the code.");
		return;
	}
	int unlocked = 0;
	char fresh[CRYPTO_RECOVERY_TEXT_BYTES + 1];
	keys_result res = KEYS_ERROR;
	bool ok = db_begin(db);
	if (ok)
		res = keys_recover(db, u->id, code, jmk, session_of(req)->jmk_version, &unlocked,
		                   fresh);
	ok = ok && res == KEYS_OK && session_set_pending(req, db, fresh) &&
	     auth_throttle_clear(db, key) && db_commit(db);
	sodium_memzero(jmk, sizeof jmk);
	sodium_memzero(fresh, sizeof fresh);
	if (!ok) {
		db_rollback(db);
		if (res == KEYS_WRONG) {
			if (!auth_throttle_fail(db, key, now)) {
				http_db_error(req);
				return;
			}
			recover_form(req, 422, "That code does not open your journal keys. Check it and "
			                       "try again.");
			return;
		}
		http_db_error(req);
		return;
	}
	log_info("journal: user %lld used a recovery code (%d key versions unlocked)",
	         (long long)u->id, unlocked);
	http_redirect(req, "/recovery-code");
}

/* ---- key rotation -------------------------------------------------------- */

/* Why the key cannot be rotated now (entries that would be lost), or NULL.
 * "" on a database error. es/n: the entries, opened. */
static const char *rotation_problem(request *req, const entry *es, int n, bool has_key)
{
	if (!has_key)
		return "Your journal is closed in this browser session. Sign out and sign in again "
		       "with your password first.";
	int locked = 0, damaged = 0;
	for (int i = 0; i < n; i++) {
		locked += es[i].state == ENTRY_LOCKED;
		damaged += es[i].state == ENTRY_DAMAGED;
	}
	if (locked)
		return arena_sprintf(req->a,
			"%d of your entries %s locked: %s written before your password was reset. A new "
			"key cannot open them, so rotating now would lose them for good. Enter your "
			"recovery code first, then rotate.", locked, locked == 1 ? "is" : "are",
			locked == 1 ? "it was" : "they were");
	if (damaged)
		return arena_sprintf(req->a,
			"%d of your entries cannot be opened (%s damaged), so %s cannot be moved to a new "
			"key. Delete %s first, then rotate.", damaged,
			damaged == 1 ? "it is" : "they are", damaged == 1 ? "it" : "they",
			damaged == 1 ? "it" : "them");
	return NULL;
}

static PGresult *all_entries(request *req, PGconn *db, bool lock)
{
	user *u = session_user(req);
	return db_q(db,
		lock ? ENTRY_SELECT " WHERE e.user_id = $1 ORDER BY e.id FOR UPDATE OF e"
		     : ENTRY_SELECT " WHERE e.user_id = $1 ORDER BY e.id",
		num(req, u->id), reader_zone(u));
}

static void rotate_form(request *req, PGconn *db, int status, const char *error)
{
	tv *v = tv_obj(req->a);
	keyring kr;
	keyring_load(req, &kr);
	PGresult *r = all_entries(req, db, false);
	if (!r) {
		keyring_wipe(&kr);
		http_db_error(req);
		return;
	}
	int n = PQntuples(r);
	entry *es = read_entries(req, db, r, &kr);
	PQclear(r);
	const char *refused = rotation_problem(req, es, n, kr.open);
	keyring_wipe(&kr);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_str(v, "error", error);
	tv_set_str(v, "refused", refused);
	tv_set(v, "count", tv_count(req->a, n, "entry", "entries"));
	http_render(req, status, "journal_key", "Rotate your journal key", v);
}

static void rotate_page(request *req)
{
	if (!authz_require_user(req))
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	rotate_form(req, db, 200, NULL);
}

static void rotate_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	const char *password = http_form(req, "password");
	if (!password || !*password) {
		rotate_form(req, db, 422, "Enter your password.");
		return;
	}
	long long now = (long long)clock_now();
	/* The same counter as sign-in's. */
	const char *tkey = auth_email_key(req->a, u->email);
	if (!auth_check_enter(req, db, tkey, now))
		return;
	keyring kr;
	keyring_load(req, &kr);
	uint8_t checked[CRYPTO_KEY_BYTES], fresh[CRYPTO_KEY_BYTES];
	char code[CRYPTO_RECOVERY_TEXT_BYTES + 1] = "";
	int checked_version = 0, version = 0, n = 0;
	const char *refused = NULL;
	keys_result res = keys_verify(db, u->id, password, checked, &checked_version);
	bool ok = false;
	if (res == KEYS_OK && (!kr.open || checked_version != kr.version))
		refused = "Your journal is closed in this browser session, or your key changed in "
		          "another. Sign out and sign in again with your password first.";
	if (res == KEYS_OK && !refused && db_begin(db)) {
		PGresult *r = all_entries(req, db, true);
		entry *es = NULL;
		if (r) {
			n = PQntuples(r);
			es = read_entries(req, db, r, &kr);
			PQclear(r);
			refused = rotation_problem(req, es, n, kr.open);
		}
		if (r && !refused &&
		    keys_rotate(db, u->id, password, fresh, &version, code)) {
			const char **ids = arena_calloc(req->a, (size_t)(n ? n : 1), sizeof *ids);
			const char **seals = arena_calloc(req->a, (size_t)(n ? n : 1), sizeof *seals);
			ok = true;
			for (int i = 0; ok && i < n; i++) {
				ids[i] = num(req, es[i].id);
				seals[i] = seal(req->a, fresh, version, u->id, es[i].id, &es[i].c);
				ok = seals[i] != NULL;
			}
			PGresult *up = ok ? db_q(db,
				"WITH v AS (SELECT * FROM unnest($2::bigint[], $3::bytea[]) AS v (id, sealed)),"
				" up AS (UPDATE journal_entries e SET sealed = v.sealed, key_version = $4,"
				" format = $5 FROM v WHERE e.id = v.id AND e.user_id = $1 RETURNING 1)"
				" SELECT count(*) FROM up",
				num(req, u->id), db_text_array_param(req->a, ids, (size_t)n),
				db_text_array_param(req->a, seals, (size_t)n), num(req, version),
				num(req, JOURNAL_FORMAT)) : NULL;
			ok = up && atoi(db_val(up, 0, 0)) == n;
			PQclear(up);
			ok = ok && keys_drop_older(db, u->id, version) &&
			     session_set_jmk(req, db, fresh, version) &&
			     db_exec(db, "DELETE FROM web_sessions WHERE user_id = $1 AND id <> $2", 2,
			             (const char *[]){num(req, u->id), num(req, session_of(req)->id)}) &&
			     session_set_pending(req, db, code) && db_commit(db);
		}
		if (!ok)
			db_rollback(db);
	}
	auth_gate_leave();
	sodium_memzero(checked, sizeof checked);
	sodium_memzero(fresh, sizeof fresh);
	sodium_memzero(code, sizeof code);
	keyring_wipe(&kr);
	if (res == KEYS_WRONG) {
		if (!auth_throttle_fail(db, tkey, now)) {
			http_db_error(req);
			return;
		}
		rotate_form(req, db, 422, "Your password is not right.");
		return;
	}
	if (refused && *refused) {
		rotate_form(req, db, 409, refused);
		return;
	}
	if (!ok) {
		http_db_error(req);
		return;
	}
	log_info("journal: user %lld rotated their journal key to version %d (%d entries)",
	         (long long)u->id, version, n);
	http_redirect(req, "/recovery-code");
}

void journal_routes(router *r)
{
	/* "signed-in" here means: for one's own journal. Anyone else's entry
	 * answers 404 to everyone, administrators included (DESIGN §5). */
	router_add(r, "GET", "/journal", journal_list, ACCESS_SIGNED_IN, "your journal's entries");
	router_mark_sensitive(r);
	router_add(r, "POST", "/journal", journal_create, ACCESS_SIGNED_IN, "save a new entry");
	router_mark_sensitive(r);
	router_add(r, "GET", "/journal/new", journal_new, ACCESS_SIGNED_IN, "write a new entry");
	router_mark_sensitive(r);
	router_add(r, "GET", "/journal/about", journal_about, ACCESS_SIGNED_IN,
	           "what the journal's encryption protects, and what it cannot");
	router_mark_sensitive(r);
	router_add(r, "GET", "/journal/key", rotate_page, ACCESS_SIGNED_IN,
	           "rotate your journal key");
	router_mark_sensitive(r);
	router_add(r, "POST", "/journal/key", rotate_post, ACCESS_SIGNED_IN,
	           "re-encrypt every entry under a new key (needs the password)");
	router_mark_sensitive(r);
	router_add(r, "GET", "/journal/:id", journal_show, ACCESS_SIGNED_IN,
	           "one of your entries");
	router_mark_sensitive(r);
	router_add(r, "GET", "/journal/:id/edit", journal_edit_page, ACCESS_SIGNED_IN,
	           "edit one of your entries");
	router_mark_sensitive(r);
	router_add(r, "POST", "/journal/:id/edit", journal_edit_post, ACCESS_SIGNED_IN,
	           "save the edited entry");
	router_mark_sensitive(r);
	router_add(r, "GET", "/journal/:id/delete", journal_delete_page, ACCESS_SIGNED_IN,
	           "asks before deleting an entry");
	router_mark_sensitive(r);
	router_add(r, "POST", "/journal/:id/delete", journal_delete_post, ACCESS_SIGNED_IN,
	           "delete the entry (the row and its ciphertext)");
	router_mark_sensitive(r);
	router_add(r, "GET", "/journal/:id/export", journal_export, ACCESS_SIGNED_IN,
	           "download the entry as Markdown");
	router_mark_sensitive(r);
	router_add(r, "GET", "/recovery-code", recovery_code_page, ACCESS_SIGNED_IN,
	           "the new recovery code, shown until confirmed");
	router_mark_sensitive(r);
	router_add(r, "POST", "/recovery-code", recovery_code_post, ACCESS_SIGNED_IN,
	           "confirm the recovery code is saved");
	router_mark_sensitive(r);
	router_add(r, "GET", "/recover", recover_page, ACCESS_SIGNED_IN, "enter a recovery code");
	router_mark_sensitive(r);
	router_add(r, "POST", "/recover", recover_post, ACCESS_SIGNED_IN,
	           "unlock older journal keys with the recovery code");
	router_mark_sensitive(r);
}
