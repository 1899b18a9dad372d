/*
 * fuzz_template.c - libFuzzer target for the Mustache compiler and renderer.
 *
 * The input is compiled as template "t" and, when it compiles, rendered
 * with a small fixed view in normal and in strict mode, into a capped
 * buffer. The set also holds "t" itself (so {{>t}} recurses until the depth
 * cap) and a fixed partial "p". The view is shaped so renders stay cheap:
 * lists have one item and no name changes meaning with depth more than
 * once, so a fuzzed template cannot ask for exponentially many renders.
 * Beyond the sanitizers, it checks the engine's promises: an error always
 * comes with a message, and the output never passes the buffer's cap.
 *
 * Depends only on template.c, buf.c and arena.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/template.h"

enum { OUT_MAX = 64 * 1024 };

static tv *fixed_view(arena *a)
{
	tv *v = tv_obj(a);
	tv_set_str(v, "s", "<a href=\"x\">&'</a>");
	tv_set_int(v, "n", 42);
	tv_set_bool(v, "t", true);
	tv_set_bool(v, "f", false);
	tv_set(v, "z", tv_null(a));
	tv_set(v, "e", tv_list(a));
	tv_push(tv_set(v, "l", tv_list(a)), tv_str(a, "item"));
	tv *o = tv_set(v, "o", tv_obj(a));
	tv_set_str(o, "s", "inner");
	tv_set_bool(o, "t", false); /* inside {{#o}}, t turns false */
	tv_set_str(tv_set(o, "deep", tv_obj(a)), "x", "bottom");
	return v;
}

static void check(bool ok, const tpl_error *err, const buf *out)
{
	if (!ok && (err->message[0] == '\0' ||
	            !memchr(err->message, '\0', sizeof err->message)))
		abort();
	if (out->len > out->max || out->data[out->len] != '\0')
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tpl_set *set = tpl_set_new();
	tpl_error err = {{0}};
	arena a;
	arena_init(&a, 0);
	buf out;
	buf_init(&out, NULL, OUT_MAX);

	static const char partial[] = "[{{s}}|{{#l}}{{.}}{{/l}}]\n";
	if (!tpl_set_add(set, "p", partial, sizeof partial - 1, &err))
		abort();
	bool ok = tpl_set_add(set, "t", (const char *)data, size, &err);
	check(ok, &err, &out);
	if (ok) {
		tv *view = fixed_view(&a);
		for (int strict = 0; strict <= 1; strict++) {
			buf_clear(&out);
			err.message[0] = '\0';
			ok = tpl_render(set, "t", view, &out, strict ? TPL_STRICT : 0, &err);
			check(ok, &err, &out);
		}
	}
	buf_release(&out);
	arena_free(&a);
	tpl_set_free(set);
	return 0;
}
