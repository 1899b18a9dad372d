#!/bin/sh
# A route cannot be added without an access rule (include/cairn/router.h): each snippet
# below calls router_add the ways one might by mistake and must not compile, with the
# message that says why; the first, a route with a rule, must compile, so a failure of the
# others is the rule's and not a broken snippet's.
#
#   route-access.sh CC INCLUDE_DIR
set -u
CC=$1
INC=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0

snippet() { # name, the statement in f()
  cat > "$dir/$1.c" <<C
#include "cairn/router.h"
static void h(struct request *req) { (void)req; }
void f(router *r, unsigned runtime_rule);
void f(router *r, unsigned runtime_rule)
{
	(void)runtime_rule;
	$2;
}
C
}

compile() { "$CC" -std=c17 -Wall -Wextra -Werror -fsyntax-only -I "$INC" "$dir/$1.c" >"$dir/$1.out" 2>&1; }

snippet with_rule 'router_add(r, "GET", "/x", h, ACCESS_SPACE_MEMBER | ACCESS_ADMIN, "x")'
if compile with_rule; then
  echo "ok: a route with a rule compiles"
else
  echo "FAIL: a route with a rule does not compile:"; cat "$dir/with_rule.out"; fail=1
fi

refused() { # name, statement, what it is, a pattern the compiler's message must hold
  snippet "$1" "$2"
  if compile "$1"; then
    echo "FAIL: $3 compiles: $2"; fail=1
  elif ! grep -q -- "$4" "$dir/$1.out"; then
    echo "FAIL: $3 is refused, but not for its rule ($4 not in the message):"; cat "$dir/$1.out"; fail=1
  else
    echo "ok: $3 is refused"
  fi
}

refused unset 'router_add(r, "GET", "/x", h, ACCESS_UNSET, "x")' 'ACCESS_UNSET' 'every route needs an access rule'
refused zero 'router_add(r, "GET", "/x", h, 0, "x")' 'a rule of 0' 'every route needs an access rule'
refused unknown 'router_add(r, "GET", "/x", h, 1 << 20, "x")' 'a bit that is no rule' 'every route needs an access rule'
refused prose 'router_add(r, "GET", "/x", h, "admin", "x")' 'a rule in prose' 'static assertion\|invalid operands'
refused runtime 'router_add(r, "GET", "/x", h, runtime_rule, "x")' 'a rule known only at run time' 'not constant\|not an integral constant\|not an integer constant'
refused missing 'router_add(r, "GET", "/x", h, "x")' 'a route without a rule' 'requires 6 arguments\|too few arguments'
exit $fail
