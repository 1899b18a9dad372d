/*
 * outbox.c - see outbox.h.
 */
#include "cairn/outbox.h"
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

bool outbox_put(PGconn *db, arena *a, const char *to, const char *kind, const char *subject,
                const char *body, int64_t now)
{
	if (!outbox_key)
		fatal("outbox: used before outbox_init");
	size_t n = strlen(body), ad_len;
	size_t sealed_len = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + n +
	                    crypto_aead_xchacha20poly1305_ietf_ABYTES;
	unsigned char *sealed = arena_alloc(a, sealed_len);
	randombytes_buf(sealed, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	char *ad = make_ad(a, to, kind, subject, &ad_len);
	unsigned long long clen = 0;
	crypto_aead_xchacha20poly1305_ietf_encrypt(
		sealed + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &clen,
		(const unsigned char *)body, n, (const unsigned char *)ad, ad_len, NULL, sealed,
		outbox_key);
	const char *when = arena_sprintf(a, "%lld", (long long)now);
	return db_exec(db,
	               "INSERT INTO outbox (to_email, kind, subject, body, created_at)"
	               " VALUES ($1, $2, $3, $4, to_timestamp($5))",
	               5, (const char *[]){to, kind, subject, db_bytea_param(a, sealed, sealed_len),
	                                   when});
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
