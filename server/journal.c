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
	uint8_t tagkey[CRYPTO_KEY_BYTES]; /* names tags in URLs (tag_token) */
} keyring;

static void keyring_load(request *req, keyring *kr)
{
	memset(kr, 0, sizeof *kr);
	kr->open = session_jmk(req, kr->current);
	kr->version = kr->open ? session_of(req)->jmk_version : 0;
	if (kr->open)
		crypto_kdf_derive_from_key(kr->tagkey, sizeof kr->tagkey, 1, "cairntag", kr->current);
}

static void keyring_wipe(keyring *kr)
{
	sodium_memzero(kr, sizeof *kr);
}

/* The JMK of `version`, or NULL when it is locked (or the database failed,
 * or db is NULL and the version was not opened before). */
static const uint8_t *keyring_get(PGconn *db, int64_t user_id, keyring *kr, int version)
{
	if (!kr->open)
		return NULL;
	if (version == kr->version)
		return kr->current;
	for (int i = 0; i < kr->n; i++)
		if (kr->older[i].version == version)
			return kr->older[i].ok ? kr->older[i].key : NULL;
	if (kr->n == KEYRING_OLDER || !db)
		return NULL;
	int i = kr->n++;
	kr->older[i].version = version;
	kr->older[i].ok = keys_open_version(db, user_id, kr->current, kr->version, version,
	                                    kr->older[i].key);
	return kr->older[i].ok ? kr->older[i].key : NULL;
}

/* A tag as it travels in a URL (?tag=): BLAKE2b-128 of the tag, ASCII
 * letters folded to lower case, keyed with a subkey of the session's JMK,
 * as 32 hex digits. Whoever sees the URL (a log, a history) learns only
 * that two filters named the same tag, never which; under another key
 * (after a reset or a rotation) the same tag has another token. */
static const char *tag_token(arena *a, const keyring *kr, const char *tag, size_t n)
{
	uint8_t folded[4 * JOURNAL_TAG_MAX_CHARS], h[16];
	if (!kr->open || n > sizeof folded)
		return "";
	for (size_t i = 0; i < n; i++)
		folded[i] = (uint8_t)(tag[i] >= 'A' && tag[i] <= 'Z' ? tag[i] - 'A' + 'a' : tag[i]);
	crypto_generichash(h, sizeof h, folded, n, kr->tagkey, sizeof kr->tagkey);
	char *out = arena_alloc(a, 2 * sizeof h + 1);
	sodium_bin2hex(out, 2 * sizeof h + 1, h, sizeof h);
	sodium_memzero(folded, sizeof folded);
	return out;
}

/* Is s a tag token's shape (32 lower-case hex digits)? */
static bool is_tag_token(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	return n == 32;
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

/* Open a sealed entry into c. false when it does not open or what opens is
 * not an entry of this format. The plaintext is opened straight into the
 * request's arena (crypto_entry_open_into), which the sensitive route wipes
 * when the request ends, and c's strings point into it: a list or a search
 * opens hundreds of entries, and a sodium_malloc'd buffer for each cost
 * more than all the rest of the page. */
static bool unseal(request *req, const uint8_t *jmk, int64_t user_id, long long id, int version,
                   int format, const uint8_t *sealed, size_t sealed_len, content *c)
{
	if (format != JOURNAL_FORMAT)
		return false;
	size_t cap = crypto_entry_open_cap(sealed_len);
	if (!cap)
		return false;
	char ad[CRYPTO_AD_MAX_BYTES];
	size_t ad_len = entry_ad(ad, user_id, id, version, format), n = 0;
	char *plain = arena_alloc(req->a, cap);
	if (!crypto_entry_open_into(jmk, (uint64_t)id, sealed, sealed_len, ad, ad_len, plain, cap,
	                            &n))
		return false;
	const char *t = plain, *end = plain + n;
	const char *g = memchr(t, '\0', n);
	const char *b = g ? memchr(g + 1, '\0', (size_t)(end - g - 1)) : NULL;
	if (!b || memchr(b + 1, '\0', (size_t)(end - b - 1)) || !utf8_valid(plain, n)) {
		sodium_memzero(plain, cap);
		return false;
	}
	/* title NUL tags NUL body NUL: three C strings in place. */
	c->title = t;
	c->tags = g + 1;
	c->body = b + 1;
	return true;
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
	const char *tag_tokens;    /* when open: tag_token of each tag, joined by '\n' */
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

/* The tag_token of each tag in tags ('\n'-joined), joined the same way. */
static const char *tag_tokens(request *req, const keyring *kr, const char *tags)
{
	buf out;
	buf_init(&out, req->a, 0);
	const char *s = tags;
	while (s && *s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		if (out.len)
			buf_putc(&out, '\n');
		buf_puts(&out, tag_token(req->a, kr, s, n));
		s = nl ? nl + 1 : NULL;
	}
	return out.data ? out.data : "";
}

/* Entries of the result r (ENTRY_SELECT columns), opened where they can be. */
/* The clear columns of row i (ENTRY_SELECT: 5 to 13) that pages show. */
static void read_shown(request *req, const PGresult *r, int i, entry *e)
{
	const char *zone = reader_zone(session_user(req));
	e->offering_id = atoll(db_val(r, i, 1));
	e->created = zone_time(req->a, db_val(r, i, 5), zone, zone, ZONE_FULL);
	e->updated = zone_time(req->a, db_val(r, i, 6), zone, zone, ZONE_FULL);
	e->day = arena_strdup(req->a, db_val(r, i, 7));
	e->date_iso = arena_strdup(req->a, db_val(r, i, 8));
	e->edited = db_val(r, i, 9)[0] == 't';
	e->course = db_isnull(r, i, 10) ? NULL : arena_strdup(req->a, db_val(r, i, 10));
	e->prompt.id = atoll(db_val(r, i, 11));
	e->prompt.text = arena_strdup(req->a, db_val(r, i, 12));
	e->prompt.session = arena_strdup(req->a, db_val(r, i, 13));
}

/* Open entry e (id and key version set) from row i's format and sealed
 * columns (numbers format_col, sealed_col). */
static void open_row(request *req, PGconn *db, const PGresult *r, int i, int format_col,
                     int sealed_col, keyring *kr, entry *e)
{
	user *u = session_user(req);
	int format = atoi(db_val(r, i, format_col));
	const uint8_t *key = keyring_get(db, u->id, kr, e->key_version);
	if (!key) {
		e->state = ENTRY_LOCKED;
		return;
	}
	size_t len = 0;
	unsigned char *sealed = db_bytea(req->a, r, i, sealed_col, &len);
	e->state = sealed && unseal(req, key, u->id, e->id, e->key_version, format, sealed, len,
	                            &e->c)
	           ? ENTRY_OPEN : ENTRY_DAMAGED;
	if (e->state == ENTRY_DAMAGED)
		log_error("journal: entry %lld of user %lld does not open", e->id, (long long)u->id);
	else
		e->tag_tokens = tag_tokens(req, kr, e->c.tags);
}

static entry *read_entries(request *req, PGconn *db, PGresult *r, keyring *kr)
{
	int n = PQntuples(r);
	entry *es = arena_calloc(req->a, (size_t)(n ? n : 1), sizeof *es);
	for (int i = 0; i < n; i++) {
		entry *e = &es[i];
		e->id = atoll(db_val(r, i, 0));
		e->key_version = atoi(db_val(r, i, 2));
		read_shown(req, r, i, e);
		open_row(req, db, r, i, 3, 4, kr, e);
	}
	return es;
}

/* Every entry of the reader (of one course, when course is not 0), newest
 * first, opened, with only what opening needs: the columns a page shows
 * are read afterwards for the few it shows (dress). For the tag filter and
 * the search, which open everything to show a page. The request's database
 * connection goes back to the pool while the entries are opened (keys of
 * every version are fetched first), so a few learners searching long
 * journals do not hold the pool from everyone else; the caller borrows one
 * again (http_db_required). *n: how many; NULL on a database error (not
 * answered). */
static entry *open_all(request *req, long long course, keyring *kr, int *n)
{
	PGconn *db = http_db(req);
	PGresult *r = db ? db_q(db,
		"SELECT e.id, e.key_version, e.format, e.sealed FROM journal_entries e"
		" WHERE e.user_id = $1 AND ($2::bigint = 0 OR e.offering_id = $2)"
		" ORDER BY e.created_at DESC, e.id DESC LIMIT $3",
		num(req, session_user(req)->id), num(req, course), num(req, JOURNAL_OPEN_MAX)) : NULL;
	if (!r)
		return NULL;
	*n = PQntuples(r);
	entry *es = arena_calloc(req->a, (size_t)(*n ? *n : 1), sizeof *es);
	int kc = PQfnumber(r, "key_version");
	for (int i = 0; i < *n; i++)
		keyring_get(db, session_user(req)->id, kr, atoi(db_val(r, i, kc)));
	http_db_release(req);
	for (int i = 0; i < *n; i++) {
		es[i].id = atoll(db_col(r, i, "id"));
		es[i].key_version = atoi(db_val(r, i, kc));
		open_row(req, NULL, r, i, PQfnumber(r, "format"), PQfnumber(r, "sealed"), kr, &es[i]);
	}
	PQclear(r);
	return es;
}

/* Read the shown columns of es[0..n) (entries of open_all), in one query.
 * false on a database error (not answered). */
static bool dress(request *req, PGconn *db, entry *es, int n)
{
	if (!n)
		return true;
	const char **ids = arena_calloc(req->a, (size_t)n, sizeof *ids);
	for (int i = 0; i < n; i++)
		ids[i] = num(req, es[i].id);
	user *u = session_user(req);
	PGresult *r = db_q(db, ENTRY_SELECT " WHERE e.user_id = $1 AND e.id = ANY($3::bigint[])",
	                   num(req, u->id), reader_zone(u),
	                   db_text_array_param(req->a, ids, (size_t)n));
	if (!r)
		return false;
	for (int k = 0; k < PQntuples(r); k++) {
		long long id = atoll(db_val(r, k, 0));
		for (int i = 0; i < n; i++)
			if (es[i].id == id)
				read_shown(req, r, k, &es[i]);
	}
	PQclear(r);
	return true;
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

/* The tags as {name, token} (token: tag_token, "" when unknown), from the
 * '\n'-joined tags and their tokens. */
static tv *tags_view(request *req, const char *tags, const char *tokens)
{
	tv *l = tv_list(req->a);
	const char *s = tags, *k = tokens && *tokens ? tokens : NULL;
	while (s && *s) {
		const char *nl = strchr(s, '\n'), *knl = k ? strchr(k, '\n') : NULL;
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		size_t kn = k ? (knl ? (size_t)(knl - k) : strlen(k)) : 0;
		if (n) {
			tv *o = tv_push(l, tv_obj(req->a));
			tv_set(o, "name", tv_strn(req->a, s, n));
			tv_set(o, "token", k ? tv_strn(req->a, k, kn) : tv_str(req->a, ""));
		}
		s = nl ? nl + 1 : NULL;
		k = knl ? knl + 1 : NULL;
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
		tv_set(o, "tags", tags_view(req, e->c.tags, e->tag_tokens));
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

/* Which entries the list shows: a page of all of them, of one course (the
 * course is in clear, so SQL filters it and only the page is opened), or of
 * one tag (tags are not: every entry of the course is opened, for this
 * request only, and the page is cut from those that have the tag). */
typedef struct list_query {
	long long page;    /* from 1 */
	long long course;  /* an offering id; 0: every course */
	const char *tag;   /* a tag_token, or NULL */
} list_query;

/* The list's query string; false when it names no page of the list (404). */
static bool read_list_query(request *req, list_query *q)
{
	*q = (list_query){.page = 1};
	const char *page = http_query(req, "page"), *course = http_query(req, "course");
	const char *tag = http_query(req, "tag");
	if (page && *page && !form_get_int(&req->query, "page", 1, 100000, &q->page))
		return false;
	if (course && *course && !http_parse_id(course, &q->course))
		return false;
	if (tag && *tag) {
		if (!is_tag_token(tag))
			return false;
		q->tag = tag;
	}
	return true;
}

/* The list's address with q's filters, at page. */
static const char *list_href(request *req, const list_query *q, long long page)
{
	buf b;
	buf_init(&b, req->a, 0);
	buf_puts(&b, "/journal");
	char sep = '?';
	if (q->course) {
		buf_appendf(&b, "%ccourse=%lld", sep, q->course);
		sep = '&';
	}
	if (q->tag) {
		buf_appendf(&b, "%ctag=%s", sep, q->tag);
		sep = '&';
	}
	if (page > 1)
		buf_appendf(&b, "%cpage=%lld", sep, page);
	return b.data;
}

/* The courses the reader's entries are about, for the filters: {id, label,
 * selected}; *chosen_label is the label of `chosen` (NULL if none). NULL
 * on a database error. */
static tv *entry_courses(request *req, PGconn *db, long long chosen, const char **chosen_label)
{
	*chosen_label = NULL;
	PGresult *r = db_q(db,
		"SELECT o.id, c.title || ', ' || to_char(o.starts_on, 'FMMonth YYYY') AS label"
		" FROM offerings o JOIN courses c ON c.id = o.course_id"
		" WHERE o.id IN (SELECT offering_id FROM journal_entries WHERE user_id = $1)"
		" ORDER BY o.starts_on DESC, o.id",
		num(req, session_user(req)->id));
	if (!r)
		return NULL;
	tv *l = tv_list(req->a);
	for (int i = 0; i < PQntuples(r); i++) {
		tv *o = tv_push(l, tv_obj(req->a));
		long long id = atoll(db_col(r, i, "id"));
		const char *label = arena_strdup(req->a, db_col(r, i, "label"));
		tv_set_int(o, "id", id);
		tv_set_str(o, "label", label);
		tv_set_bool(o, "selected", id == chosen);
		if (id == chosen)
			*chosen_label = label;
	}
	PQclear(r);
	return l;
}

/* Does the '\n'-joined token list have token? */
static bool has_token(const char *tokens, const char *token)
{
	size_t n = strlen(token);
	for (const char *s = tokens; s && *s;) {
		const char *nl = strchr(s, '\n');
		size_t k = nl ? (size_t)(nl - s) : strlen(s);
		if (k == n && !memcmp(s, token, n))
			return true;
		s = nl ? nl + 1 : NULL;
	}
	return false;
}

/* The name of the tag whose token is `token` in e, or NULL. */
static const char *tag_named(request *req, const entry *e, const char *token)
{
	const char *s = e->c.tags, *k = e->tag_tokens;
	size_t n = strlen(token);
	while (s && *s && k && *k) {
		const char *nl = strchr(s, '\n'), *knl = strchr(k, '\n');
		size_t sn = nl ? (size_t)(nl - s) : strlen(s), kn = knl ? (size_t)(knl - k) : strlen(k);
		if (kn == n && !memcmp(k, token, n))
			return arena_strndup(req->a, s, sn);
		s = nl ? nl + 1 : NULL;
		k = knl ? knl + 1 : NULL;
	}
	return NULL;
}

static void journal_list(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	list_query q;
	if (!read_list_query(req, &q)) {
		http_error(req, 404, "Your journal has no such page.");
		return;
	}
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	keyring kr;
	keyring_load(req, &kr);
	/* How many entries there are, and how many are locked, from the clear
	 * columns alone: one row per key version. */
	PGresult *r = db_q(db,
		"SELECT key_version, count(*) AS n,"
		" count(*) FILTER (WHERE $2::bigint = 0 OR offering_id = $2) AS shown"
		" FROM journal_entries WHERE user_id = $1 GROUP BY key_version",
		num(req, u->id), num(req, q.course));
	if (!r) {
		keyring_wipe(&kr);
		http_db_error(req);
		return;
	}
	long long total = 0, locked = 0;
	for (int i = 0; i < PQntuples(r); i++) {
		long long n = atoll(db_col(r, i, "n"));
		total += atoll(db_col(r, i, "shown"));
		if (!keyring_get(db, u->id, &kr, atoi(db_col(r, i, "key_version"))))
			locked += n;
	}
	PQclear(r);
	/* Untagged: the page alone is read and opened. Tagged: every entry (of
	 * the course) is opened, and the page is cut from the matches. */
	long long offset = (q.page - 1) * JOURNAL_PAGE;
	entry *es = NULL;
	int n = 0;
	const char *tag_name = NULL;
	if (q.tag) {
		es = open_all(req, q.course, &kr, &n);
		keyring_wipe(&kr);
		if (!es) {
			http_db_error(req);
			return;
		}
		if (!(db = http_db_required(req)))
			return;
		int k = 0;
		for (int i = 0; i < n; i++) {
			if (es[i].state != ENTRY_OPEN || !has_token(es[i].tag_tokens, q.tag))
				continue;
			if (!tag_name)
				tag_name = tag_named(req, &es[i], q.tag);
			es[k++] = es[i];
		}
		total = k;
		int first = offset < k ? (int)offset : k;
		n = first + JOURNAL_PAGE < k ? JOURNAL_PAGE : k - first;
		es += first;
		if (!dress(req, db, es, n)) {
			http_db_error(req);
			return;
		}
	} else {
		r = db_q(db,
			ENTRY_SELECT " WHERE e.user_id = $1 AND ($3::bigint = 0 OR e.offering_id = $3)"
			" ORDER BY e.created_at DESC, e.id DESC LIMIT $4 OFFSET $5",
			num(req, u->id), reader_zone(u), num(req, q.course), num(req, JOURNAL_PAGE),
			num(req, offset));
		if (!r) {
			keyring_wipe(&kr);
			http_db_error(req);
			return;
		}
		n = PQntuples(r);
		es = read_entries(req, db, r, &kr);
		PQclear(r);
		keyring_wipe(&kr);
	}
	long long pages = total ? (total + JOURNAL_PAGE - 1) / JOURNAL_PAGE : 1;
	if (q.page > pages) {
		http_error(req, 404, "Your journal has no such page.");
		return;
	}
	const char *course_label = NULL;
	tv *courses = entry_courses(req, db, q.course, &course_label);
	if (!courses) {
		http_db_error(req);
		return;
	}
	tv *v = tv_obj(req->a);
	tv *l = tv_set(v, "entries", tv_list(req->a));
	int damaged = 0;
	for (int i = 0; i < n; i++) {
		tv_push(l, entry_view(req, &es[i]));
		damaged += es[i].state == ENTRY_DAMAGED;
	}
	bool filtered = q.course || q.tag;
	tv_set(v, "count", tv_count(req->a, total, "entry", "entries"));
	tv_set_bool(v, "empty", total == 0 && !filtered);
	tv_set_bool(v, "none_match", total == 0 && filtered);
	tv_set_bool(v, "filtered", filtered);
	tv_set_str(v, "filter_tag", tag_name);
	tv_set_bool(v, "filter_tag_unknown", q.tag && !tag_name);
	tv_set_str(v, "filter_course", q.course ? (course_label ? course_label : "another course")
	                                        : NULL);
	tv_set_str(v, "tag", q.tag);
	tv_set(v, "courses", courses);
	tv_set_bool(v, "has_courses", courses->n > 0);
	tv_set_bool(v, "no_course", q.course == 0);
	tv_set(v, "locked", locked ? tv_count(req->a, locked, "entry", "entries") : tv_null(req->a));
	tv_set_bool(v, "damaged", damaged > 0);
	tv_set_bool(v, "has_key", kr.open || session_of(req)->jmk_wrap != NULL);
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
	tv_set_bool(v, "paged", pages > 1);
	tv_set_int(v, "page", q.page);
	tv_set_int(v, "page_count", pages);
	tv_set_str(v, "prev_href", q.page > 1 ? list_href(req, &q, q.page - 1) : NULL);
	tv_set_str(v, "next_href", q.page < pages ? list_href(req, &q, q.page + 1) : NULL);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_int(v, "search_max", JOURNAL_SEARCH_MAX_CHARS);
	const char *done = http_query(req, "done");
	tv_set_str(v, "notice", done && !strcmp(done, "deleted") ? "The entry was deleted." : NULL);
	http_render(req, 200, "journal", q.page > 1 ? arena_sprintf(req->a, "Your journal, page %lld",
	                                                            q.page)
	                                            : "Your journal", v);
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

/* ---- finding and keeping (issue 14 item 3) ----------------------------- */

/* Search works on the text as it reads, not as it was marked up: emphasis
 * and code marks and the markers that open headings and quotes are
 * dropped, and every run of white space becomes one space. Matching folds
 * ASCII and Latin-1 capitals to small letters, which keeps every byte
 * offset (a folded copy has the same length), so a match found in the
 * folded copy is marked at the same place in the readable one. */

/* s without Markdown's marks, white space collapsed (an arena copy). */
static char *readable(arena *a, const char *s)
{
	size_t n = strlen(s);
	char *out = arena_alloc(a, n + 1), *o = out;
	bool line_start = true, space = false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
			if (c == '\n')
				line_start = true;
			space = o > out;
			continue;
		}
		if (c == '*' || c == '`')
			continue;
		if (line_start && (c == '#' || c == '>'))
			continue;
		line_start = false;
		if (space)
			*o++ = ' ';
		space = false;
		*o++ = c;
	}
	*o = '\0';
	return out;
}

/* s[0..n) with A-Z and the Latin-1 capitals (U+00C0-U+00DE but the
 * multiplication sign) in small letters, in place: the same length. */
static void fold(char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 'A' && c <= 'Z')
			s[i] = (char)(c - 'A' + 'a');
		else if (i > 0 && (unsigned char)s[i - 1] == 0xC3 && c >= 0x80 && c <= 0x9E && c != 0x97)
			s[i] = (char)(c + 0x20);
	}
}

/* A folded copy of s[0..n). */
static char *folded(arena *a, const char *s, size_t n)
{
	char *out = arena_strndup(a, s, n);
	fold(out, n);
	return out;
}

typedef struct search_terms {
	const char *t[JOURNAL_SEARCH_TERMS];  /* folded, readable */
	size_t len[JOURNAL_SEARCH_TERMS];
	int n;
} search_terms;

/* Split a search into words and "quoted phrases". NULL when it is fine,
 * else the sentence to show (it never quotes the search). */
static const char *read_search(request *req, const char *q, search_terms *out)
{
	memset(out, 0, sizeof *out);
	if (!q || !visible(q))
		return "Type a word or a few to search for. Nothing was searched.";
	size_t len = strlen(q);
	if (!utf8_valid(q, len))
		return "The search is not valid text. Type it again.";
	size_t chars = utf8_length(q, len);
	if (chars > JOURNAL_SEARCH_MAX_CHARS)
		return arena_sprintf(req->a, "A search can be at most %d characters long; this one is "
		                     "%zu. Use a few words that the entry would hold.",
		                     JOURNAL_SEARCH_MAX_CHARS, chars);
	const char *s = q;
	while (*s) {
		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		if (!*s)
			break;
		const char *start = s, *end;
		if (*s == '"') {
			start = ++s;
			const char *close = strchr(s, '"');
			end = close ? close : s + strlen(s);
			s = close ? close + 1 : end;
		} else {
			while (*s && *s != ' ' && *s != '\t' && *s != '\n' && *s != '\r' && *s != '"')
				s++;
			end = s;
		}
		char *term = readable(req->a, arena_strndup(req->a, start, (size_t)(end - start)));
		if (!*term)
			continue;
		if (out->n == JOURNAL_SEARCH_TERMS)
			return arena_sprintf(req->a, "A search can have at most %d words or \"phrases\". "
			                     "Leave out the most common ones.", JOURNAL_SEARCH_TERMS);
		size_t tl = strlen(term);
		out->t[out->n] = folded(req->a, term, tl);
		out->len[out->n++] = tl;
	}
	if (!out->n)
		return "Type a word or a few to search for. Nothing was searched.";
	return NULL;
}

/* Where a term first occurs in hay[0..n), or NULL. */
static const char *find_in(const char *hay, size_t n, const char *term, size_t tl)
{
	return tl && tl <= n ? memmem(hay, n, term, tl) : NULL;
}

enum { SNIPPET_BEFORE = 60, SNIPPET_BYTES = 260 };

/* Back up from i to the start of a UTF-8 character. */
static size_t char_start(const char *s, size_t i)
{
	while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
		i--;
	return i;
}

/* A few lines of the readable body around the first match, as pieces
 * {text, mark} (mark: a search term): the template marks them up, so
 * nothing of the entry is ever raw HTML. */
static tv *snippet(request *req, const char *body, const search_terms *st)
{
	size_t n = strlen(body);
	const char *low = folded(req->a, body, n);
	size_t at = n;
	for (int i = 0; i < st->n; i++) {
		const char *f = find_in(low, n, st->t[i], st->len[i]);
		if (f && (size_t)(f - low) < at)
			at = (size_t)(f - low);
	}
	size_t start = at == n || at < SNIPPET_BEFORE ? 0 : char_start(body, at - SNIPPET_BEFORE);
	/* Start at a word: after the first space, if there is one close by. */
	if (start > 0) {
		const char *sp = memchr(body + start, ' ', at - start);
		if (sp)
			start = (size_t)(sp - body) + 1;
	}
	size_t end = start + SNIPPET_BYTES < n ? char_start(body, start + SNIPPET_BYTES) : n;
	tv *l = tv_list(req->a);
	if (start > 0)
		tv_set_bool(tv_set_str(tv_push(l, tv_obj(req->a)), "text", "…"), "mark", false);
	size_t i = start;
	while (i < end) {
		/* The next match in [i, end): the earliest, the longest there. */
		size_t best = end, best_len = 0;
		for (int k = 0; k < st->n; k++) {
			const char *f = find_in(low + i, end - i, st->t[k], st->len[k]);
			size_t p = f ? (size_t)(f - low) : end;
			if (f && (p < best || (p == best && st->len[k] > best_len))) {
				best = p;
				best_len = st->len[k];
			}
		}
		if (best > i) {
			tv *o = tv_push(l, tv_obj(req->a));
			tv_set(o, "text", tv_strn(req->a, body + i, best - i));
			tv_set_bool(o, "mark", false);
		}
		if (best_len) {
			tv *o = tv_push(l, tv_obj(req->a));
			tv_set(o, "text", tv_strn(req->a, body + best, best_len));
			tv_set_bool(o, "mark", true);
		}
		i = best + best_len;
	}
	if (end < n)
		tv_set_bool(tv_set_str(tv_push(l, tv_obj(req->a)), "text", "…"), "mark", false);
	return l;
}

/* Does every term occur in the entry's title, tags or body (each made
 * readable and folded, in one copy)? */
static bool entry_matches(request *req, const entry *e, const search_terms *st)
{
	char *title = readable(req->a, e->c.title), *body = readable(req->a, e->c.body);
	size_t lt = strlen(title), lg = strlen(e->c.tags), lb = strlen(body);
	char *tags = folded(req->a, e->c.tags, lg);
	fold(title, lt);
	fold(body, lb);
	for (int i = 0; i < st->n; i++)
		if (!find_in(body, lb, st->t[i], st->len[i]) && !find_in(title, lt, st->t[i], st->len[i]) &&
		    !find_in(tags, lg, st->t[i], st->len[i]))
			return false;
	return true;
}

/* The search page: the form with what was typed, and results when there
 * are (results NULL: none yet, or refused). */
static void search_page(request *req, PGconn *db, int status, const char *q, long long course,
                        tv *results, long long matched, long long unsearched, const char *error)
{
	const char *course_label = NULL;
	tv *courses = entry_courses(req, db, course, &course_label);
	if (!courses) {
		http_db_error(req);
		return;
	}
	tv *v = tv_obj(req->a);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_str(v, "q", q ? q : "");
	tv_set_int(v, "search_max", JOURNAL_SEARCH_MAX_CHARS);
	tv_set(v, "courses", courses);
	tv_set_bool(v, "has_courses", courses->n > 0);
	tv_set_bool(v, "no_course", course == 0);
	tv_set_str(v, "course", course_label);
	tv_set_str(v, "error", error);
	tv_set_bool(v, "searched", results != NULL);
	tv_set(v, "results", results ? results : tv_list(req->a));
	tv_set(v, "matched", tv_count(req->a, matched, "entry matches", "entries match"));
	tv_set_bool(v, "none", results && matched == 0);
	tv_set_bool(v, "more", matched > JOURNAL_SEARCH_SHOWN);
	tv_set_int(v, "shown", JOURNAL_SEARCH_SHOWN);
	tv_set(v, "unsearched", unsearched ? tv_count(req->a, unsearched, "entry", "entries")
	                                   : tv_null(req->a));
	tv_set_bool(v, "has_key", session_of(req)->jmk_wrap != NULL);
	http_render(req, status, "journal_search", "Search your journal", v);
}

/* GET /journal/search: the form alone (a search itself is a POST). */
static void journal_search_page(request *req)
{
	if (!authz_require_user(req))
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	search_page(req, db, 200, "", 0, NULL, 0, 0, NULL);
}

/* POST /journal/search: the search words travel only in this body, and the
 * results are this response (no-store, like every journal page), so they
 * are in no URL, history entry or log. Every entry (of the course, if one
 * is chosen) is opened for this request only. */
static void journal_search(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	const char *q = http_form(req, "q"), *course_text = http_form(req, "course");
	long long course = 0;
	if (course_text && *course_text && !http_parse_id(course_text, &course)) {
		search_page(req, db, 422, q, 0, NULL, 0, 0, "Choose a course from the list.");
		return;
	}
	search_terms st;
	const char *problem = read_search(req, q, &st);
	if (problem) {
		search_page(req, db, 422, q, course, NULL, 0, 0, problem);
		return;
	}
	keyring kr;
	keyring_load(req, &kr);
	if (!kr.open) {
		search_page(req, db, 409, q, course, NULL, 0, 0,
		            "Your journal is closed in this browser session, so it cannot be searched. "
		            "Sign out, then sign in again with your password.");
		return;
	}
	int n = 0;
	entry *es = open_all(req, course, &kr, &n);
	keyring_wipe(&kr);
	if (!es) {
		http_db_error(req);
		return;
	}
	if (!(db = http_db_required(req)))
		return;
	/* The matches, newest first, moved to the front of es; the first
	 * JOURNAL_SEARCH_SHOWN are shown, with their snippets. */
	long long matched = 0, unsearched = 0;
	for (int i = 0; i < n; i++) {
		if (es[i].state != ENTRY_OPEN) {
			unsearched++;
			continue;
		}
		if (!entry_matches(req, &es[i], &st))
			continue;
		if (matched < JOURNAL_SEARCH_SHOWN)
			es[matched] = es[i];
		matched++;
	}
	int shown = matched < JOURNAL_SEARCH_SHOWN ? (int)matched : JOURNAL_SEARCH_SHOWN;
	if (!dress(req, db, es, shown)) {
		http_db_error(req);
		return;
	}
	tv *results = tv_list(req->a);
	for (int i = 0; i < shown; i++) {
		tv *o = tv_push(results, entry_view(req, &es[i]));
		tv_set(o, "snippet", snippet(req, readable(req->a, es[i].c.body), &st));
	}
	search_page(req, db, 200, q, course, results, matched, unsearched, NULL);
}

/* Today in the reader's zone: "14 May 2026" and "2026-05-14". */
static bool today(request *req, PGconn *db, const char **day, const char **iso)
{
	PGresult *r = db_q(db,
		"SELECT to_char(to_timestamp($1) AT TIME ZONE $2, 'FMDD FMMonth YYYY'),"
		" to_char(to_timestamp($1) AT TIME ZONE $2, 'YYYY-MM-DD')",
		num(req, (long long)clock_now()), reader_zone(session_user(req)));
	if (!r)
		return false;
	*day = arena_strdup(req->a, db_val(r, 0, 0));
	*iso = arena_strdup(req->a, db_val(r, 0, 1));
	PQclear(r);
	return true;
}

/* The whole journal, oldest first, opened, and today's date in the reader's
 * zone (day, iso): for the export and the printable page. NULL after a
 * database error (answered); a closed journal that holds entries is
 * answered 409 (everything would read "locked"). */
static entry *whole_journal(request *req, PGconn *db, int *n, const char **day,
                            const char **iso)
{
	if (!today(req, db, day, iso)) {
		http_db_error(req);
		return NULL;
	}
	user *u = session_user(req);
	keyring kr;
	keyring_load(req, &kr);
	PGresult *r = db_q(db, ENTRY_SELECT " WHERE e.user_id = $1 ORDER BY e.created_at, e.id",
	                   num(req, u->id), reader_zone(u));
	if (!r) {
		keyring_wipe(&kr);
		http_db_error(req);
		return NULL;
	}
	*n = PQntuples(r);
	if (*n && !kr.open) {
		PQclear(r);
		keyring_wipe(&kr);
		http_error(req, 409, "Your journal is closed in this browser session, so it cannot be "
		                     "exported. Sign out, then sign in again with your password.");
		return NULL;
	}
	entry *es = read_entries(req, db, r, &kr);
	PQclear(r);
	keyring_wipe(&kr);
	return es;
}


/* GET /journal/export: every entry in one Markdown file, oldest first. An
 * entry that does not open is there too, saying so. */
static void journal_export_all(request *req)
{
	if (!authz_require_user(req))
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	int n = 0;
	const char *day = NULL, *iso = NULL;
	entry *es = whole_journal(req, db, &n, &day, &iso);
	if (!es)
		return;
	int shut = 0;
	for (int i = 0; i < n; i++)
		shut += es[i].state != ENTRY_OPEN;
	buf out;
	buf_init(&out, req->a, 0);
	buf_appendf(&out, "# My journal\n\nExported from Cairn on %s: %d %s, in the order they were "
	            "written.", day, n, n == 1 ? "entry" : "entries");
	if (shut)
		buf_appendf(&out, " %d of them %s not open and %s only that.", shut,
		            shut == 1 ? "does" : "do", shut == 1 ? "says" : "say");
	buf_puts(&out, "\n");
	for (int i = 0; i < n; i++) {
		const entry *e = &es[i];
		buf_puts(&out, "\n---\n\n");
		if (e->state != ENTRY_OPEN) {
			bool locked = e->state == ENTRY_LOCKED;
			buf_appendf(&out, "## %s entry, %s\n\n", locked ? "Locked" : "Damaged", e->day);
			buf_appendf(&out, "*%s*\n",
			            locked ? "This entry is locked: it was written before your password "
			                     "was reset, under a key that only your recovery code opens. "
			                     "Enter your recovery code in Cairn (Journal, then \"Enter your "
			                     "recovery code\"), then export again to include it."
			                   : "This entry cannot be opened: what is stored for it was "
			                     "changed or damaged, so there is nothing to show.");
			continue;
		}
		if (*e->c.title)
			buf_appendf(&out, "## %s\n\n", e->c.title);
		else
			buf_appendf(&out, "## Journal entry, %s\n\n", e->day);
		buf_appendf(&out, "Written %s%s%s.", e->day, e->course ? ", about " : "",
		            e->course ? e->course : "");
		if (*e->c.tags)
			buf_appendf(&out, " Tags: %s.", tags_text(req, e->c.tags));
		buf_appendf(&out, "\n\n%s\n", e->c.body);
	}
	if (out.failed) {
		http_error(req, 500, NULL);
		return;
	}
	http_add_header(req, "Content-Disposition",
	                arena_sprintf(req->a, "attachment; filename=\"journal-%s.md\"", iso));
	http_send(req, 200, "text/markdown; charset=utf-8", out.data, out.len);
}

/* GET /journal/print: every entry on one page, oldest first, rendered, for
 * the browser's Print command (the print style sheet leaves out the site's
 * header, footer and these notes). */
static void journal_print(request *req)
{
	if (!authz_require_user(req))
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	int n = 0;
	const char *day = NULL, *iso = NULL;
	entry *es = whole_journal(req, db, &n, &day, &iso);
	if (!es)
		return;
	tv *v = tv_obj(req->a);
	tv *l = tv_set(v, "entries", tv_list(req->a));
	for (int i = 0; i < n; i++) {
		const char *html = es[i].state == ENTRY_OPEN ? render(req, es[i].c.body) : NULL;
		if (es[i].state == ENTRY_OPEN && !html)
			es[i].state = ENTRY_DAMAGED;
		tv *o = tv_push(l, entry_view(req, &es[i]));
		tv_set(o, "html", html ? tv_str(req->a, html) : tv_null(req->a));
		tv_set_str(o, "tags_text", es[i].state == ENTRY_OPEN ? tags_text(req, es[i].c.tags) : "");
	}
	tv_set(v, "count", tv_count(req->a, n, "entry", "entries"));
	tv_set_bool(v, "empty", n == 0);
	tv_set_str(v, "today", day);
	http_render(req, 200, "journal_print", "Your journal, to print", v);
}

int journal_text_of(request *req, PGconn *db, int64_t id, journal_text *out)
{
	memset(out, 0, sizeof *out);
	keyring kr;
	keyring_load(req, &kr);
	entry e;
	int found = load_entry(req, db, id, &kr, &e);
	keyring_wipe(&kr);
	if (found == -1)
		return -1;  /* load_entry answered; the caller must not answer again */
	if (found == 0)
		return 0;
	out->id = e.id;
	out->open = e.state == ENTRY_OPEN;
	out->locked = e.state == ENTRY_LOCKED;
	out->day = e.day;
	out->title = out->open ? e.c.title : "";
	out->tags = out->open ? e.c.tags : "";
	out->body = out->open ? e.c.body : "";
	return 1;
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
	router_add(r, "GET", "/journal", journal_list, ACCESS_SIGNED_IN,
	           "your journal's entries, a page at a time; by course or tag (?course=, ?tag=)");
	router_mark_sensitive(r);
	router_add(r, "POST", "/journal", journal_create, ACCESS_SIGNED_IN, "save a new entry");
	router_mark_sensitive(r);
	router_add(r, "GET", "/journal/new", journal_new, ACCESS_SIGNED_IN, "write a new entry");
	router_mark_sensitive(r);
	router_add(r, "GET", "/journal/search", journal_search_page, ACCESS_SIGNED_IN,
	           "the search form");
	router_mark_sensitive(r);
	router_add(r, "POST", "/journal/search", journal_search, ACCESS_SIGNED_IN,
	           "search your entries (the words only in the body; the results are the answer)");
	router_mark_sensitive(r);
	router_add(r, "GET", "/journal/export", journal_export_all, ACCESS_SIGNED_IN,
	           "download the whole journal as one Markdown file");
	router_mark_sensitive(r);
	router_add(r, "GET", "/journal/print", journal_print, ACCESS_SIGNED_IN,
	           "the whole journal on one printable page");
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
