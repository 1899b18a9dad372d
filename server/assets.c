/*
 * assets.c - static files held in memory. See assets.h.
 */
#include "cairn/assets.h"

#include <dirent.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct assets {
	char *dir;
	bool dev;
	asset *files;
	size_t n, cap;
};

static const struct { const char *ext, *type; } types[] = {
	{".css", "text/css; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".svg", "image/svg+xml"},
	{".png", "image/png"},
	{".ico", "image/x-icon"},
	{".txt", "text/plain; charset=utf-8"},
	{".woff2", "font/woff2"},
	{".webmanifest", "application/manifest+json"},
};

static const char *type_of(const char *path)
{
	const char *dot = strrchr(path, '.');
	if (dot)
		for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
			if (!strcmp(dot, types[i].ext))
				return types[i].type;
	return "application/octet-stream";
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct stat st;
	unsigned char *data = NULL;
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) {
		data = malloc((size_t)st.st_size + 1);
		if (!data)
			fatal("assets: out of memory");
		if (fread(data, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
			free(data);
			data = NULL;
		} else {
			*len = (size_t)st.st_size;
		}
	}
	fclose(f);
	return data;
}

static char *make_etag(const unsigned char *data, size_t len)
{
	unsigned char h[16];
	char hex[33];
	crypto_generichash(h, sizeof h, data, len, NULL, 0);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	char *e = malloc(36);
	if (!e)
		fatal("assets: out of memory");
	snprintf(e, 36, "\"%s\"", hex);
	return e;
}

static bool allowed(const char *rel)
{
	if (!*rel || strstr(rel, "..") || strstr(rel, "//") || rel[0] == '/')
		return false;
	for (const char *s = rel; *s; s++) {
		if ((s == rel || s[-1] == '/') && *s == '.')
			return false; /* hidden file or directory */
		if ((unsigned char)*s < 0x20 || *s == '\\')
			return false;
	}
	return true;
}

static void add_file(assets *as, const char *rel, unsigned char *data, size_t len)
{
	if (as->n == as->cap) {
		as->cap = as->cap ? as->cap * 2 : 16;
		as->files = realloc(as->files, as->cap * sizeof *as->files);
		if (!as->files)
			fatal("assets: out of memory");
	}
	char *p = strdup(rel);
	if (!p)
		fatal("assets: out of memory");
	as->files[as->n++] = (asset){p, type_of(rel), make_etag(data, len), data, len};
}

static bool walk(assets *as, const char *rel)
{
	char path[4096];
	snprintf(path, sizeof path, "%s%s%s", as->dir, *rel ? "/" : "", rel);
	DIR *d = opendir(path);
	if (!d)
		return false;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char child[4096];
		snprintf(child, sizeof child, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		char full[8192];
		snprintf(full, sizeof full, "%s/%s", as->dir, child);
		struct stat st;
		if (stat(full, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			walk(as, child);
		} else if (S_ISREG(st.st_mode)) {
			size_t len = 0;
			unsigned char *data = slurp(full, &len);
			if (data)
				add_file(as, child, data, len);
		}
	}
	closedir(d);
	return true;
}

assets *assets_load(const char *dir, bool dev)
{
	assets *as = calloc(1, sizeof *as);
	if (!as)
		fatal("assets: out of memory");
	as->dir = strdup(dir);
	as->dev = dev;
	if (!as->dir)
		fatal("assets: out of memory");
	if (!walk(as, "")) {
		fprintf(stderr, "cairn: cannot read static files in %s\n", dir);
		assets_free(as);
		return NULL;
	}
	return as;
}

void assets_free(assets *as)
{
	if (!as)
		return;
	for (size_t i = 0; i < as->n; i++) {
		free((char *)as->files[i].path);
		free((char *)as->files[i].etag);
		free((void *)as->files[i].data);
	}
	free(as->files);
	free(as->dir);
	free(as);
}

static const asset *find_loaded(const assets *as, const char *rel)
{
	for (size_t i = 0; i < as->n; i++)
		if (!strcmp(as->files[i].path, rel))
			return &as->files[i];
	return NULL;
}

const asset *assets_find(assets *as, arena *a, const char *rel)
{
	if (!allowed(rel))
		return NULL;
	if (!as->dev)
		return find_loaded(as, rel);
	char full[8192];
	snprintf(full, sizeof full, "%s/%s", as->dir, rel);
	size_t len = 0;
	unsigned char *data = slurp(full, &len);
	if (!data)
		return NULL;
	asset *out = arena_alloc(a, sizeof *out);
	unsigned char *copy = arena_alloc(a, len ? len : 1);
	memcpy(copy, data, len);
	char *etag = make_etag(data, len);
	*out = (asset){arena_strdup(a, rel), type_of(rel), arena_strdup(a, etag), copy, len};
	free(etag);
	free(data);
	return out;
}

const char *assets_etag(assets *as, const char *rel)
{
	const asset *f = find_loaded(as, rel);
	return f ? f->etag : NULL;
}
