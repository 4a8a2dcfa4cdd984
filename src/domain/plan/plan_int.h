/* plan_int.h - what the files of plan/ share (private). */
#ifndef UNGCUU_PLAN_INT_H
#define UNGCUU_PLAN_INT_H

#include "../domain.h"

/* Only the keys in the NULL-terminated keys may be in obj: each other one
 * is a field error (MSG_UNKNOWN_FIELD) at prefix/key. 0 or -1. */
int plan_keys_only(json_t *obj, const char *const *keys, const char *prefix, struct err *e);
/* v (when present) is an array of at most max items: else a field error at
 * ptr. 0 or -1. */
int plan_check_array(const json_t *v, const char *ptr, size_t max, struct err *e);

#endif
