/*
 * plan_diff.h - what changed between two versions of a response plan, per
 * section: the lines added and removed (a longest-common-subsequence diff
 * of the section's text split at newlines). Pure: no database, so the unit
 * test feeds it sections directly.
 */
#ifndef UNGCUU_PLAN_DIFF_H
#define UNGCUU_PLAN_DIFF_H

#include <jansson.h>

/* Sections are arrays of {code, title_vi, title_en, text}, as a plan holds
 * them (the scenarios rendered as one section's text by the caller). The
 * answer is [{code, title_vi, title_en, added: [line], removed: [line]}]
 * for each section whose text differs, in the order of `to` then the
 * sections only `from` has. A section only in `to` has all its lines
 * added; one only in `from` all removed. Blank lines are not counted.
 * NULL when out of memory or a section has more than PLAN_DIFF_MAX_LINES
 * lines. */
#define PLAN_DIFF_MAX_LINES 2000
json_t *plan_diff_sections(const json_t *from, const json_t *to);

#endif
