/*
 * money.h - amounts in integer cents, and how they are shown.
 */
#ifndef CAIRN_MONEY_H
#define CAIRN_MONEY_H

#include <stdint.h>

#include "cairn/arena.h"

/* "$1,995" for whole dollars, "$1,795.50" otherwise; negative as "-$10". */
char *money_format(arena *a, int64_t cents);

#endif
