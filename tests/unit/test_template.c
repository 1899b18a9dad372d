/*
 * test_template.c - unit tests of the Mustache engine (template.c).
 *
 * The spec's own cases run in test_mustache_spec; these cover what Cairn
 * adds or relies on: escaping of all five characters, strict mode and its
 * messages, parse errors with their lines, the output cap, the recursion
 * cap, loading a directory, the view API, and rendering from many threads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/template.h"

typedef struct fixture {
	arena a;
	tpl_set *set;
	buf out;
	tpl_error err;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	arena_init(&f->a, 0);
	f->set = tpl_set_new();
	buf_init(&f->out, NULL, 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	buf_release(&f->out);
	tpl_set_free(f->set);
	arena_free(&f->a);
	free(f);
	return 0;
}

static void add(fixture *f, const char *name, const char *text)
{
	if (!tpl_set_add(f->set, name, text, strlen(text), &f->err))
		fail_msg("cannot add %s: %s", name, f->err.message);
}

/* Compile text as "t", render it with view, and return the output; the
 * render must succeed. */
static const char *render(fixture *f, const char *text, const tv *view, int flags)
{
	add(f, "t", text);
	buf_clear(&f->out);
	if (!tpl_render(f->set, "t", view, &f->out, flags, &f->err))
		fail_msg("render failed: %s", f->err.message);
	return f->out.data;
}

/* As render, but the render must fail; returns the error message. */
static const char *render_fails(fixture *f, const char *text, const tv *view,
                                int flags)
{
	add(f, "t", text);
	buf_clear(&f->out);
	f->err.message[0] = '\0';
	assert_false(tpl_render(f->set, "t", view, &f->out, flags, &f->err));
	assert_true(f->err.message[0] != '\0');
	return f->err.message;
}

/* Compiling text must fail; returns the error message. */
static const char *parse_fails(fixture *f, const char *name, const char *text)
{
	f->err.message[0] = '\0';
	assert_false(tpl_set_add(f->set, name, text, strlen(text), &f->err));
	assert_false(tpl_set_has(f->set, name));
	return f->err.message;
}

static void test_escapes_all_five(void **state)
{
	fixture *f = *state;
	tv *v = tv_set_str(tv_obj(&f->a), "x", "a&b <i> \"q\" 'p'");
	assert_string_equal(render(f, "{{x}}", v, 0),
	                    "a&amp;b &lt;i&gt; &quot;q&quot; &#39;p&#39;");
	assert_string_equal(render(f, "{{ x }}|{{.}}", tv_str(&f->a, "<&>"), 0), "|&lt;&amp;&gt;");
}

static void test_raw_forms(void **state)
{
	fixture *f = *state;
	tv *v = tv_set_str(tv_obj(&f->a), "html", "<p class=\"x\">a &amp; b</p>");
	assert_string_equal(render(f, "{{{html}}}", v, 0), "<p class=\"x\">a &amp; b</p>");
	assert_string_equal(render(f, "{{& html }}", v, 0), "<p class=\"x\">a &amp; b</p>");
	/* After a delimiter change the triple form uses the new delimiters. */
	assert_string_equal(render(f, "{{=<% %>=}}<%{html}%>", v, 0),
	                    "<p class=\"x\">a &amp; b</p>");
}

static void test_values_render_as_strings(void **state)
{
	fixture *f = *state;
	tv *v = tv_obj(&f->a);
	tv_set_int(v, "n", -42);
	tv_set(v, "pi", tv_strf(&f->a, "%.2f", 3.14159));
	tv_set_bool(v, "yes", true);
	tv_set(v, "nil", tv_null(&f->a));
	tv_set_str(v, "none", NULL);
	tv_set(v, "nul", tv_strn(&f->a, "a\0b", 3));
	assert_string_equal(render(f, "{{n}} {{pi}} {{yes}} [{{nil}}{{none}}]", v, 0),
	                    "-42 3.14 true []");
	render(f, "{{nul}}", v, 0);
	assert_int_equal(f->out.len, 3);
	assert_memory_equal(f->out.data, "a\0b", 3);
}

static void test_sections(void **state)
{
	fixture *f = *state;
	tv *v = tv_obj(&f->a);
	tv *items = tv_set(v, "items", tv_list(&f->a));
	for (int i = 1; i <= 3; i++)
		tv_set_int(tv_push(items, tv_obj(&f->a)), "n", i);
	tv_set(v, "empty", tv_list(&f->a));
	tv_set_str(tv_set(v, "user", tv_obj(&f->a)), "name", "Ann");
	tv_set_bool(v, "t", true);
	tv_set_bool(v, "f", false);
	tv_set(v, "z", tv_null(&f->a));
	tv_set_str(v, "blank", "");

	assert_string_equal(render(f, "{{#items}}<{{n}}>{{/items}}", v, 0), "<1><2><3>");
	assert_string_equal(render(f, "[{{#empty}}x{{/empty}}]", v, 0), "[]");
	assert_string_equal(render(f, "{{#user}}Hi {{name}}{{/user}}", v, 0), "Hi Ann");
	assert_string_equal(render(f, "{{#t}}T{{/t}}{{#f}}F{{/f}}{{#z}}Z{{/z}}", v, 0), "T");
	/* A string, even "", is truthy and becomes the context. */
	assert_string_equal(render(f, "{{#blank}}[{{.}}]{{/blank}}", v, 0), "[]");
	/* Standalone section lines leave no blank lines behind. */
	assert_string_equal(render(f, "<ul>\n  {{#items}}\n  <li>{{n}}</li>\n"
	                              "  {{/items}}\n</ul>\n", v, 0),
	                    "<ul>\n  <li>1</li>\n  <li>2</li>\n  <li>3</li>\n</ul>\n");
}

static void test_inverted(void **state)
{
	fixture *f = *state;
	tv *v = tv_obj(&f->a);
	tv_set(v, "empty", tv_list(&f->a));
	tv_set_bool(v, "f", false);
	tv_set_bool(v, "t", true);
	tv_set(v, "z", tv_null(&f->a));
	assert_string_equal(render(f, "{{^empty}}none{{/empty}}", v, 0), "none");
	assert_string_equal(render(f, "{{^f}}F{{/f}}{{^z}}Z{{/z}}{{^t}}T{{/t}}", v, 0), "FZ");
	assert_string_equal(render(f, "{{^missing}}M{{/missing}}", v, 0), "M");
}

static void test_nested_context(void **state)
{
	fixture *f = *state;
	tv *v = tv_obj(&f->a);
	tv_set_str(v, "site", "Cairn");
	tv_set_str(v, "name", "outer");
	tv *groups = tv_set(v, "groups", tv_list(&f->a));
	tv *g = tv_push(groups, tv_obj(&f->a));
	tv_set_str(g, "name", "Nurses");
	tv *members = tv_set(g, "members", tv_list(&f->a));
	tv_push(members, tv_str(&f->a, "Bo"));
	tv_push(members, tv_str(&f->a, "Cy"));
	/* Inner names shadow outer ones; missing ones come from below. */
	assert_string_equal(render(f, "{{#groups}}{{name}}@{{site}}:"
	                              "{{#members}}{{.}}/{{name}};{{/members}}"
	                              "{{/groups}} {{name}}", v, 0),
	                    "Nurses@Cairn:Bo/Nurses;Cy/Nurses; outer");
}

static void test_dotted_names(void **state)
{
	fixture *f = *state;
	tv *v = tv_obj(&f->a);
	tv *a = tv_set(v, "a", tv_obj(&f->a));
	tv_set(a, "b", tv_obj(&f->a));
	tv_set_str(tv_set(v, "b", tv_obj(&f->a)), "c", "WRONG");
	tv_set_str(tv_set(tv_set(v, "p", tv_obj(&f->a)), "q", tv_obj(&f->a)), "r", "deep");
	tv_set_str(v, "x.y", "atomic");
	assert_string_equal(render(f, "{{p.q.r}}", v, 0), "deep");
	assert_string_equal(render(f, "{{#p.q}}{{r}}{{/p.q}}", v, 0), "deep");
	/* b is found in a; c must then come from a.b, never from the root. */
	assert_string_equal(render(f, "[{{#a}}{{b.c}}{{/a}}]", v, 0), "[]");
	assert_string_equal(render(f, "[{{x.y}}][{{a.zz.c}}]", v, 0), "[][]");
}

static void test_partials(void **state)
{
	fixture *f = *state;
	tv *v = tv_obj(&f->a);
	tv_set_str(v, "title", "Home");
	tv_set_str(v, "body", "one\ntwo");
	/* The page uses a partial defined after it. */
	add(f, "page", "<body>\n  {{> partials/nav }}\n  <p>{{{body}}}</p>\n</body>\n");
	add(f, "partials/nav", "<nav>\n  <b>{{title}}</b>\n</nav>\n");
	assert_true(tpl_set_has(f->set, "partials/nav"));
	assert_false(tpl_set_has(f->set, "partials"));
	buf_clear(&f->out);
	assert_true(tpl_render(f->set, "page", v, &f->out, TPL_STRICT, &f->err));
	/* The nav's lines are indented; the newline inside body is not. */
	assert_string_equal(f->out.data, "<body>\n  <nav>\n    <b>Home</b>\n  </nav>\n"
	                                 "  <p>one\ntwo</p>\n</body>\n");
	/* In normal mode a missing partial is nothing, as the spec says. */
	assert_string_equal(render(f, "[{{>nope}}]", v, 0), "[]");
	/* Replacing a template takes effect for later renders. */
	add(f, "partials/nav", "NAV");
	assert_string_equal(render(f, "[{{>partials/nav}}]", v, 0), "[NAV]");
}

static void test_strict_reports_missing_names(void **state)
{
	fixture *f = *state;
	tv *v = tv_obj(&f->a);
	tv_set_str(v, "name", "Ann");
	tv_set(v, "nothing", tv_null(&f->a));
	tv_set(v, "user", tv_obj(&f->a));
	tv_set(v, "list", tv_list(&f->a));

	/* Present names, null values and the implicit iterator are fine. */
	assert_string_equal(render(f, "{{name}}{{nothing}}{{#name}}/{{.}}{{/name}}", v,
	                           TPL_STRICT), "Ann/Ann");
	assert_string_equal(render_fails(f, "line one\n{{name}} {{nmae}}\n", v, TPL_STRICT),
	                    "t:2: 'nmae' is not in the view");
	assert_string_equal(render_fails(f, "{{user.email}}", v, TPL_STRICT),
	                    "t:1: 'user.email' is not in the view");
	assert_string_equal(render_fails(f, "\n\n{{#admin}}x{{/admin}}", v, TPL_STRICT),
	                    "t:3: section 'admin' is not in the view");
	assert_string_equal(render_fails(f, "{{^admin}}x{{/admin}}", v, TPL_STRICT),
	                    "t:1: section 'admin' is not in the view");
	assert_string_equal(render_fails(f, "{{>nav}}", v, TPL_STRICT),
	                    "t:1: partial 'nav' is not in the set");
	assert_string_equal(render_fails(f, "{{list}}", v, TPL_STRICT),
	                    "t:1: 'list' is a list, not a value");
	/* A miss inside a partial names the partial and its line. */
	add(f, "card", "<div>\n{{missing}}</div>");
	assert_string_equal(render_fails(f, "{{>card}}", v, TPL_STRICT),
	                    "card:2: 'missing' is not in the view");
	/* The same templates render in normal mode. */
	assert_string_equal(render(f, "[{{nmae}}{{#admin}}x{{/admin}}{{list}}]", v, 0), "[]");
}

static void test_parse_errors(void **state)
{
	fixture *f = *state;
	assert_string_equal(parse_fails(f, "p", "a\n{{#items}}\nb\n"),
	                    "p:2: section 'items' is never closed");
	assert_string_equal(parse_fails(f, "p", "{{#a}}\n{{#b}}\n{{/a}}\n{{/b}}"),
	                    "p:3: '/a' closes section 'b' opened on line 2");
	assert_string_equal(parse_fails(f, "p", "x\n\n{{/a}}"), "p:3: 'a' closes no section");
	assert_string_equal(parse_fails(f, "p", "ok {{x}}\nthen {{y\n"),
	                    "p:2: unclosed tag '{{'");
	assert_string_equal(parse_fails(f, "p", "{{{x}}"), "p:1: unclosed tag '{{{'");
	assert_string_equal(parse_fails(f, "p", "\n{{=<% %>}}"), "p:2: unclosed tag '{{='");
	assert_string_equal(parse_fails(f, "p", "{{=<%=}}"),
	                    "p:1: bad delimiters '<%' (want two words without blanks or '=')");
	assert_string_equal(parse_fails(f, "p", "{{= a= b =}}"),
	                    "p:1: bad delimiters ' a= b ' (want two words without blanks or '=')");
	assert_string_equal(parse_fails(f, "p", "{{}}"), "p:1: empty tag name");
	assert_string_equal(parse_fails(f, "p", "{{a b}}"), "p:1: bad tag name 'a b'");
	assert_string_equal(parse_fails(f, "p", "{{a..b}}"), "p:1: bad dotted name 'a..b'");
	assert_string_equal(parse_fails(f, "p", "{{>}}"), "p:1: empty partial name");
	assert_string_equal(parse_fails(f, "p", "{{<layout}}{{/layout}}"),
	                    "p:1: template inheritance ('<') is not supported");
	/* Errors after a delimiter change speak in the new delimiters. */
	assert_string_equal(parse_fails(f, "p", "{{=[ ]=}}\n[x"), "p:2: unclosed tag '['");
	/* A failed add leaves an existing template of that name alone. */
	add(f, "keep", "old");
	assert_false(tpl_set_add(f->set, "keep", "{{#", 3, &f->err));
	assert_true(tpl_set_has(f->set, "keep"));
	buf_clear(&f->out);
	assert_true(tpl_render(f->set, "keep", NULL, &f->out, 0, &f->err));
	assert_string_equal(f->out.data, "old");
}

static void test_output_cap(void **state)
{
	fixture *f = *state;
	tv *v = tv_obj(&f->a);
	tv *l = tv_set(v, "l", tv_list(&f->a));
	for (int i = 0; i < 1000; i++)
		tv_push(l, tv_str(&f->a, "<>"));
	add(f, "t", "{{#l}}{{.}}{{/l}}");
	buf small;
	buf_init(&small, NULL, 100);
	assert_false(tpl_render(f->set, "t", v, &small, 0, &f->err));
	assert_true(small.failed);
	assert_true(small.len <= 100);
	assert_string_equal(f->err.message,
	                    "t:1: output passes the buffer's limit of 100 bytes");
	/* A buffer that failed before stays failed. */
	assert_false(tpl_render(f->set, "t", v, &small, 0, &f->err));
	buf_release(&small);

	/* Output of exactly the cap fits. */
	add(f, "exact", "0123456789");
	buf_init(&small, NULL, 10);
	assert_true(tpl_render(f->set, "exact", NULL, &small, 0, &f->err));
	assert_string_equal(small.data, "0123456789");
	buf_release(&small);
}

static void test_recursion_cap(void **state)
{
	fixture *f = *state;
	tv *v = tv_obj(&f->a);
	tv_push(tv_set(v, "again", tv_list(&f->a)), tv_str(&f->a, "x"));
	/* "again" is found at the root at every depth, so this never ends. */
	add(f, "loop", "{{#again}}\n{{>loop}}\n{{/again}}");
	buf_clear(&f->out);
	assert_false(tpl_render(f->set, "loop", v, &f->out, 0, &f->err));
	assert_string_equal(f->err.message,
	                    "loop:2: partials nested deeper than 64 (endless recursion?)");
	/* Recursion that ends (a tree) is fine. */
	tv *tree = tv_obj(&f->a);
	tv_set_str(tree, "n", "1");
	tv *kids = tv_set(tree, "kids", tv_list(&f->a));
	tv *k = tv_push(kids, tv_obj(&f->a));
	tv_set_str(k, "n", "2");
	tv_set(k, "kids", tv_list(&f->a));
	add(f, "node", "({{n}}{{#kids}}{{>node}}{{/kids}})");
	buf_clear(&f->out);
	assert_true(tpl_render(f->set, "node", tree, &f->out, TPL_STRICT, &f->err));
	assert_string_equal(f->out.data, "(1(2))");
}

static void write_file(const char *dir, const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void remove_tree(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_load_dir(void **state)
{
	fixture *f = *state;
	char dir[] = "/tmp/cairn-tpl-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char sub[600];
	snprintf(sub, sizeof sub, "%s/partials", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	write_file(dir, "layout.html", "<h1>{{title}}</h1>\n{{>partials/nav}}\n");
	write_file(dir, "partials/nav.html", "<nav>{{title}}</nav>\n");
	write_file(dir, "notes.txt", "{{#not a template");
	write_file(dir, ".draft.html", "{{#not loaded");

	tpl_error err = {{0}};
	tpl_set *set = tpl_set_load_dir(dir, &err);
	if (!set)
		fail_msg("load failed: %s", err.message);
	assert_true(tpl_set_has(set, "layout"));
	assert_true(tpl_set_has(set, "partials/nav"));
	assert_false(tpl_set_has(set, "notes"));
	assert_false(tpl_set_has(set, ".draft"));
	tv *v = tv_set_str(tv_obj(&f->a), "title", "A&B");
	buf_clear(&f->out);
	assert_true(tpl_render(set, "layout", v, &f->out, TPL_STRICT, &err));
	assert_string_equal(f->out.data, "<h1>A&amp;B</h1>\n<nav>A&amp;B</nav>\n");
	tpl_set_free(set);

	/* One broken file refuses the whole directory. */
	write_file(dir, "partials/bad.html", "ok\n{{#open}}\n");
	assert_null(tpl_set_load_dir(dir, &err));
	assert_string_equal(err.message, "partials/bad:2: section 'open' is never closed");

	/* So does a partial that is not there. */
	write_file(dir, "partials/bad.html", "ok\n{{> partials/navv}}\n");
	assert_null(tpl_set_load_dir(dir, &err));
	char want[300];
	snprintf(want, sizeof want, "partials/bad:2: partial 'partials/navv' is not in %s",
	         dir);
	assert_string_equal(err.message, want);

	remove_tree(dir);
	assert_null(tpl_set_load_dir(dir, &err));
	assert_non_null(strstr(err.message, "cannot read directory"));
}

static void test_view_api(void **state)
{
	fixture *f = *state;
	tv *o = tv_obj(&f->a);
	tv_set_str(o, "k", "one");
	tv_set_str(o, "k", "two");
	assert_int_equal(o->n, 1);
	assert_string_equal(tv_get(o, "k")->s, "two");
	assert_null(tv_get(o, "nope"));
	assert_null(tv_get(tv_list(&f->a), "k"));
	assert_int_equal(tv_set_str(o, "n", NULL) == o, 1);
	assert_int_equal(tv_get(o, "n")->kind, TV_NULL);
	tv *l = tv_list(&f->a);
	for (int i = 0; i < 100; i++)
		assert_int_equal(tv_push(l, tv_int(&f->a, i))->len, i < 10 ? 1 : 2);
	assert_int_equal(l->n, 100);
	assert_string_equal(l->items[99]->s, "99");
	assert_int_equal(tv_push(l, NULL)->kind, TV_NULL);
	assert_string_equal(tv_int(&f->a, -9223372036854775807LL - 1)->s,
	                    "-9223372036854775808");
}

static void test_many_templates(void **state)
{
	fixture *f = *state;
	char name[32], text[32];
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof name, "t%d", i);
		snprintf(text, sizeof text, "<%d>", i);
		add(f, name, text);
	}
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof name, "t%d", i);
		snprintf(text, sizeof text, "<%d>", i);
		buf_clear(&f->out);
		assert_true(tpl_render(f->set, name, NULL, &f->out, 0, &f->err));
		assert_string_equal(f->out.data, text);
	}
	assert_false(tpl_render(f->set, "t200", NULL, &f->out, 0, &f->err));
	assert_string_equal(f->err.message, "t200: no such template");
}

typedef struct job {
	const tpl_set *set;
	const tv *view;
	bool ok;
} job;

static void *render_many(void *arg)
{
	job *j = arg;
	buf out;
	buf_init(&out, NULL, 0);
	j->ok = true;
	for (int i = 0; i < 200 && j->ok; i++) {
		buf_clear(&out);
		j->ok = tpl_render(j->set, "page", j->view, &out, TPL_STRICT, NULL) &&
		        strcmp(out.data, "  <a>\n  x y \n") == 0;
	}
	buf_release(&out);
	return NULL;
}

static void test_threads_share_a_set(void **state)
{
	fixture *f = *state;
	add(f, "page", "  {{>item}}\n");
	add(f, "item", "<a>\n{{#l}}{{.}} {{/l}}\n");
	tv *v = tv_obj(&f->a);
	tv *l = tv_set(v, "l", tv_list(&f->a));
	tv_push(l, tv_str(&f->a, "x"));
	tv_push(l, tv_str(&f->a, "y"));
	pthread_t th[4];
	job jobs[4];
	for (int i = 0; i < 4; i++) {
		jobs[i] = (job){f->set, v, false};
		assert_int_equal(pthread_create(&th[i], NULL, render_many, &jobs[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_true(jobs[i].ok);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_escapes_all_five, setup, teardown),
		cmocka_unit_test_setup_teardown(test_raw_forms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_values_render_as_strings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inverted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested_context, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dotted_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partials, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strict_reports_missing_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recursion_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_view_api, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_templates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads_share_a_set, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
