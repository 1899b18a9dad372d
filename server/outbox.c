/*
 * outbox.c - see outbox.h.
 */
#include "cairn/outbox.h"
#include "cairn/buf.h"
#include "cairn/db.h"
#include "cairn/log.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Set once at start (outbox_init), read-only afterwards. */
static unsigned char *outbox_key;

/* Make every missing directory above path, mode 0700: the default path
 * (var/cairn.secret) names a directory a fresh clone does not have, and
 * nobody but the server needs to look inside it. */
static bool make_parents(const char *path)
{
	char dir[4096];
	size_t n = strlen(path);
	if (n >= sizeof dir) {
		errno = ENAMETOOLONG;
		return false;
	}
	memcpy(dir, path, n + 1);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return true;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return false;
		*p = '/';
	}
	return mkdir(dir, 0700) == 0 || errno == EEXIST;
}

bool outbox_init(const char *path)
{
	unsigned char key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		randombytes_buf(key, sizeof key);
		if (!make_parents(path)) {
			fprintf(stderr, "cairn: cannot make the directory of the secret file %s: %s\n",
			        path, strerror(errno));
			return false;
		}
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 || write(fd, key, sizeof key) != (ssize_t)sizeof key) {
			fprintf(stderr, "cairn: cannot create the secret file %s: %s\n", path,
			        strerror(errno));
			if (fd >= 0)
				close(fd);
			return false;
		}
		close(fd);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		fprintf(stderr, "cairn: cannot read the secret file %s: %s\n", path, strerror(errno));
		return false;
	}
	ssize_t got = read(fd, key, sizeof key);
	close(fd);
	if (got != (ssize_t)sizeof key) {
		fprintf(stderr, "cairn: the secret file %s is not %zu bytes\n", path, sizeof key);
		return false;
	}
	outbox_key = sodium_malloc(sizeof key);
	if (!outbox_key)
		fatal("outbox: out of memory");
	memcpy(outbox_key, key, sizeof key);
	sodium_memzero(key, sizeof key);
	sodium_mprotect_readonly(outbox_key);
	return true;
}

static char *make_ad(arena *a, const char *to, const char *kind, const char *subject,
                     size_t *len)
{
	char *ad = arena_sprintf(a, "cairn/outbox/v1|%s|%s|%s", to, kind, subject);
	*len = strlen(ad);
	return ad;
}

/* The sealed body of one message, as a bytea parameter. The associated
 * data binds it to its recipient, kind and subject. */
static const char *seal(arena *a, const outbox_message *m)
{
	size_t n = strlen(m->body), ad_len;
	size_t sealed_len = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + n +
	                    crypto_aead_xchacha20poly1305_ietf_ABYTES;
	unsigned char *sealed = arena_alloc(a, sealed_len);
	randombytes_buf(sealed, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	char *ad = make_ad(a, m->to, m->kind, m->subject, &ad_len);
	unsigned long long clen = 0;
	crypto_aead_xchacha20poly1305_ietf_encrypt(
		sealed + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &clen,
		(const unsigned char *)m->body, n, (const unsigned char *)ad, ad_len, NULL, sealed,
		outbox_key);
	return db_bytea_param(a, sealed, sealed_len);
}

bool outbox_queue(PGconn *db, arena *a, const outbox_message *m, size_t n, int64_t now)
{
	if (!outbox_key)
		fatal("outbox: used before outbox_init");
	if (n == 0)
		return true;
	const char **to = arena_calloc(a, 5 * n, sizeof *to);
	const char **kind = to + n, **subject = to + 2 * n, **body = to + 3 * n,
		   **topic = to + 4 * n;
	for (size_t i = 0; i < n; i++) {
		to[i] = m[i].to;
		kind[i] = m[i].kind;
		subject[i] = m[i].subject;
		body[i] = seal(a, &m[i]);
		topic[i] = m[i].topic;
	}
	const char *params[] = {
		db_text_array_param(a, to, n),      db_text_array_param(a, kind, n),
		db_text_array_param(a, subject, n), db_text_array_param(a, body, n),
		db_text_array_param(a, topic, n),   arena_sprintf(a, "%lld", (long long)now),
	};
	/* The conflict target is the partial unique index of open topics
	 * (sql/010): a message without a topic never conflicts. */
	return db_exec(db,
		"INSERT INTO outbox (to_email, kind, subject, body, open_topic, created_at)"
		" SELECT x.to_email, x.kind, x.subject, x.body, x.topic, to_timestamp($6)"
		" FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::text[])"
		"  AS x(to_email, kind, subject, body, topic)"
		" ON CONFLICT (to_email, open_topic)"
		"  WHERE open_topic IS NOT NULL AND sent_at IS NULL"
		" DO UPDATE SET kind = EXCLUDED.kind, subject = EXCLUDED.subject,"
		"  body = EXCLUDED.body, updated_at = EXCLUDED.created_at",
		6, params);
}

bool outbox_put(PGconn *db, arena *a, const char *to, const char *kind, const char *subject,
                const char *body, int64_t now)
{
	outbox_message m = {.to = to, .kind = kind, .subject = subject, .body = body};
	return outbox_queue(db, a, &m, 1, now);
}

bool outbox_close_topics(PGconn *db, arena *a, const char *to, const char *const *topics,
                         size_t n)
{
	if (n == 0)
		return true;
	return db_exec(db,
	               "UPDATE outbox SET open_topic = NULL WHERE to_email = $1"
	               " AND open_topic = ANY($2::text[]) AND sent_at IS NULL",
	               2, (const char *[]){to, db_text_array_param(a, topics, n)});
}

/* s with every occurrence of each of texts[0..m-1] replaced, or NULL when
 * none occurs. */
static char *replace_all(arena *a, const char *s, const char *const *texts, size_t m,
                         const char *replacement)
{
	bool any = false;
	const char *cur = s;
	for (size_t k = 0; k < m; k++) {
		size_t tl = strlen(texts[k]);
		if (!tl || !strstr(cur, texts[k]))
			continue;
		buf b;
		buf_init(&b, a, 0);
		for (const char *p = cur;;) {
			const char *hit = strstr(p, texts[k]);
			if (!hit) {
				buf_puts(&b, p);
				break;
			}
			buf_append(&b, p, (size_t)(hit - p));
			buf_puts(&b, replacement);
			p = hit + tl;
		}
		if (b.failed)
			fatal("outbox: a scrubbed body does not fit");
		cur = b.data;
		any = true;
	}
	return any ? (char *)cur : NULL;
}

bool outbox_scrub(PGconn *db, arena *a, const char *const *to, size_t n, const char *kind_prefix,
                  const char *subject_part, const char *const *texts, size_t m,
                  const char *replacement, int *changed)
{
	if (changed)
		*changed = 0;
	if (n == 0 || m == 0)
		return true;
	PGresult *r = db_q(db,
		"SELECT id, to_email, kind, subject, body FROM outbox"
		" WHERE sent_at IS NULL AND to_email = ANY($1::text[])"
		" AND left(kind, length($2)) = $2 AND strpos(subject, $3) > 0"
		" ORDER BY id FOR UPDATE",
		db_text_array_param(a, to, n), kind_prefix, subject_part);
	if (!r)
		return false;
	int rows = PQntuples(r);
	const char **ids = arena_calloc(a, (size_t)rows + 1, sizeof *ids);
	const char **bodies = arena_calloc(a, (size_t)rows + 1, sizeof *bodies);
	size_t k = 0;
	for (int i = 0; i < rows; i++) {
		size_t len;
		unsigned char *sealed = db_bytea(a, r, i, 4, &len);
		outbox_message msg = {
			.to = arena_strdup(a, db_val(r, i, 1)),
			.kind = arena_strdup(a, db_val(r, i, 2)),
			.subject = arena_strdup(a, db_val(r, i, 3)),
		};
		char *body = sealed ? outbox_open_body(a, sealed, len, msg.to, msg.kind, msg.subject)
		                    : NULL;
		if (!body)
			continue; /* sealed under another key: nothing Cairn can read or rewrite */
		msg.body = replace_all(a, body, texts, m, replacement);
		if (!msg.body)
			continue;
		ids[k] = arena_strdup(a, db_val(r, i, 0));
		bodies[k] = seal(a, &msg);
		k++;
	}
	PQclear(r);
	if (changed)
		*changed = (int)k;
	return k == 0 ||
	       db_exec(db,
	               "UPDATE outbox o SET body = x.body FROM unnest($1::bigint[], $2::bytea[])"
	               " AS x(id, body) WHERE o.id = x.id",
	               2, (const char *[]){db_text_array_param(a, ids, k),
	                                   db_text_array_param(a, bodies, k)});
}

char *outbox_open_body(arena *a, const unsigned char *sealed, size_t len, const char *to,
                       const char *kind, const char *subject)
{
	size_t overhead = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES +
	                  crypto_aead_xchacha20poly1305_ietf_ABYTES;
	if (!outbox_key || len < overhead)
		return NULL;
	size_t ad_len;
	char *ad = make_ad(a, to, kind, subject, &ad_len);
	char *out = arena_alloc(a, len - overhead + 1);
	unsigned long long mlen = 0;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		    (unsigned char *)out, &mlen, NULL,
		    sealed + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
		    len - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, (const unsigned char *)ad,
		    ad_len, sealed, outbox_key) != 0)
		return NULL;
	out[mlen] = '\0';
	return out;
}
